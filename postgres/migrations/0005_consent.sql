-- Live consent: registered subjects, the append-only consent history, the
-- current state derived from it, derived artefacts flagged on withdrawal,
-- and links that let a subject see and change their consent.
-- Times are Unix nanoseconds; 0 means "not set".
CREATE TABLE consent_subjects (
	dataset_id TEXT NOT NULL,
	subject_key TEXT NOT NULL,
	organisation_id TEXT NOT NULL REFERENCES organisations(id),
	source TEXT NOT NULL,
	registered_at BIGINT NOT NULL,
	PRIMARY KEY (dataset_id, subject_key)
);
-- No foreign key to consent_subjects: the store checks the subject itself
-- (to name it in the error), and bulk imports skip a second index probe.
CREATE TABLE consent_events (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	organisation_id TEXT NOT NULL,
	dataset_id TEXT NOT NULL,
	subject_key TEXT NOT NULL,
	purpose TEXT NOT NULL,
	state TEXT NOT NULL,
	decided_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL DEFAULT 0,
	method TEXT NOT NULL,
	agreement TEXT NOT NULL,
	recorded_by TEXT NOT NULL,
	recorded_at BIGINT NOT NULL
);
CREATE INDEX consent_events_subject ON consent_events(dataset_id, subject_key);
-- One row per subject and purpose: the latest decision. Kept in step with
-- consent_events inside the same transaction.
CREATE TABLE consent_current (
	dataset_id TEXT NOT NULL,
	subject_key TEXT NOT NULL,
	purpose TEXT NOT NULL,
	state TEXT NOT NULL,
	decided_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL DEFAULT 0,
	event_id TEXT NOT NULL,
	PRIMARY KEY (dataset_id, purpose, subject_key)
);
CREATE TABLE derivations (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	organisation_id TEXT NOT NULL,
	dataset_id TEXT NOT NULL,
	purpose TEXT NOT NULL,
	description TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX derivations_source ON derivations(dataset_id, purpose, created_at);
CREATE TABLE derivation_flags (
	derivation_id TEXT PRIMARY KEY REFERENCES derivations(id),
	withdrawals BIGINT NOT NULL,
	first_flagged_at BIGINT NOT NULL,
	last_withdrawal BIGINT NOT NULL,
	resolved_at BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE consent_links (
	id TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL,
	dataset_id TEXT NOT NULL,
	subject_key TEXT NOT NULL,
	agreement TEXT NOT NULL,
	language TEXT NOT NULL,
	hash BYTEA NOT NULL UNIQUE,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT NOT NULL DEFAULT 0,
	last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX consent_links_subject ON consent_links(dataset_id, subject_key);
