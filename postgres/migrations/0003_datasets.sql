-- Datasets and their rows, sealed in chunks under the dataset's data key.
CREATE TABLE datasets (
	id TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations(id),
	name TEXT NOT NULL,
	format TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	rows BIGINT NOT NULL,
	columns TEXT NOT NULL,
	chunks INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	confirmed_by TEXT NOT NULL DEFAULT '',
	confirmed_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX datasets_organisation ON datasets(organisation_id);
CREATE TABLE dataset_chunks (
	dataset_id TEXT NOT NULL,
	idx INTEGER NOT NULL,
	data BYTEA NOT NULL,
	PRIMARY KEY (dataset_id, idx)
);
