-- The audit log: entries (Merkle leaves), hashes of complete subtrees, and
-- signed checkpoints. Rows are only ever inserted, never updated or deleted.
CREATE TABLE audit_entries (
	seq INTEGER PRIMARY KEY, -- the rowid: entries are stored in log order
	time BIGINT NOT NULL,
	member_id TEXT NOT NULL,
	organisation_id TEXT NOT NULL,
	action TEXT NOT NULL,
	resource TEXT NOT NULL,
	purpose TEXT NOT NULL,
	decision TEXT NOT NULL,
	reason TEXT NOT NULL,
	request_digest TEXT NOT NULL,
	subject TEXT NOT NULL,
	detail TEXT NOT NULL
);
CREATE INDEX audit_entries_member ON audit_entries(member_id, seq);
CREATE INDEX audit_entries_time ON audit_entries(time);
CREATE INDEX audit_entries_resource ON audit_entries(resource, seq);
CREATE TABLE audit_nodes (
	level INTEGER NOT NULL,
	idx BIGINT NOT NULL,
	hash BLOB NOT NULL,
	PRIMARY KEY (level, idx)
) WITHOUT ROWID; -- clustered on (level, idx): proofs and verification read ranges
CREATE TABLE audit_checkpoints (
	size BIGINT PRIMARY KEY,
	note BLOB NOT NULL,
	time BIGINT NOT NULL
);
