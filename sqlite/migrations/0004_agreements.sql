-- Agreement versions (YAML verbatim) and their lifecycle events.
CREATE TABLE agreement_versions (
	id TEXT NOT NULL,
	version INTEGER NOT NULL,
	source BLOB NOT NULL,
	digest TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (id, version)
);
CREATE TABLE agreement_events (
	agreement_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	data TEXT NOT NULL,
	at BIGINT NOT NULL,
	PRIMARY KEY (agreement_id, version, seq)
);
