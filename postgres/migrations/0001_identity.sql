-- Coalition, organisations, members, grants, tokens and wrapped data keys.
-- Times are Unix nanoseconds; 0 means "not set".
CREATE TABLE coalition (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE organisations (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE members (
	id TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations(id),
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX members_organisation ON members(organisation_id);
CREATE TABLE grants (
	id TEXT PRIMARY KEY,
	member_id TEXT NOT NULL REFERENCES members(id),
	organisation_id TEXT NOT NULL REFERENCES organisations(id),
	role TEXT NOT NULL,
	reason TEXT NOT NULL,
	granted_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT NOT NULL DEFAULT 0,
	last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX grants_member ON grants(member_id);
CREATE TABLE tokens (
	id TEXT PRIMARY KEY,
	member_id TEXT NOT NULL REFERENCES members(id),
	name TEXT NOT NULL,
	hash BYTEA NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT NOT NULL DEFAULT 0,
	last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tokens_member ON tokens(member_id);
CREATE TABLE data_keys (
	id TEXT PRIMARY KEY,
	wrapped BYTEA NOT NULL,
	created_at BIGINT NOT NULL
);
