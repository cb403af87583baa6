-- Each subject's registration and each current decision remember the
-- dataset's consent version of the change that wrote them, so a cached
-- withheld set is brought up to date from the subjects a change touched
-- instead of re-reading every subject's latest decision.
ALTER TABLE consent_subjects ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE consent_current ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX consent_subjects_version ON consent_subjects(dataset_id, version);
CREATE INDEX consent_current_version ON consent_current(dataset_id, version);
-- Given consents that lapse: an expiry is a change nobody records, found by
-- its time. Most decisions never expire, so only those that do are indexed.
CREATE INDEX consent_current_expiry ON consent_current(dataset_id, expires_at) WHERE expires_at <> 0;
