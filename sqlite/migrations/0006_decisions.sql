-- Answers of the decision function about data access, for drift reports.
CREATE TABLE policy_decisions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	time BIGINT NOT NULL,
	member_id TEXT NOT NULL,
	organisation_id TEXT NOT NULL,
	action TEXT NOT NULL,
	dataset TEXT NOT NULL,
	columns TEXT NOT NULL,
	purpose TEXT NOT NULL,
	allowed INTEGER NOT NULL,
	clause TEXT NOT NULL,
	agreement TEXT NOT NULL,
	version INTEGER NOT NULL
);
CREATE INDEX policy_decisions_dataset ON policy_decisions(dataset, time);
