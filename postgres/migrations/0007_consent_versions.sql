-- A counter per dataset, bumped in the same transaction as every consent
-- change or subject registration, so a cached withheld set can be checked
-- for staleness with one primary-key read.
CREATE TABLE consent_versions (
	dataset_id TEXT PRIMARY KEY,
	version BIGINT NOT NULL
);
