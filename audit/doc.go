// Package audit is the engine of the node's tamper-evident audit log.
//
// Every decision the node takes (allowed or denied) becomes an Entry. Entries
// are the leaves of an RFC 6962 Merkle tree; after every committed batch the
// node signs a checkpoint (origin, tree size, root hash) in the
// golang.org/x/mod/sumdb/note format, so partners can check that the log they
// saw yesterday is a prefix of the log they see today, and that a given entry
// is in it, without trusting the node's database.
//
// The package does no I/O of its own: persistence is the Store interface,
// implemented by the SQL backends and, for tests, by audittest.MemStore. The
// Log type sequences appends from many goroutines into batches (group commit)
// and returns to each caller only once its entry is durable, so a handler can
// refuse to act when the audit write fails (fail-closed).
//
// Values that identify people (Entry.Subject, Entry.Detail) are replaced by
// an HMAC-SHA256 under a node secret before they enter the log, as HashiCorp
// Vault's audit devices do: the log can prove what happened to "the subject
// with this pseudonym" without holding the pseudonym itself.
//
// # Suggested SQL schema
//
// The Store interface maps onto three tables. Times are stored as integer
// microseconds since the Unix epoch so both dialects compare and round-trip
// them exactly (PostgreSQL timestamptz keeps microseconds, SQLite has no time
// type); hashes are raw 32-byte blobs.
//
//	CREATE TABLE audit_entries (
//	    seq             BIGINT  PRIMARY KEY,      -- 0-based, = Merkle leaf index
//	    time_us         BIGINT  NOT NULL,         -- unix microseconds, UTC
//	    member_id       TEXT    NOT NULL,
//	    organisation_id TEXT    NOT NULL,
//	    action          TEXT    NOT NULL,
//	    resource        TEXT    NOT NULL,
//	    purpose         TEXT    NOT NULL,
//	    decision        TEXT    NOT NULL,         -- 'allowed' | 'denied'
//	    reason          TEXT    NOT NULL,
//	    request_digest  TEXT    NOT NULL,         -- SHA-256 hex or ''
//	    subject         TEXT    NOT NULL,         -- 'hmac-sha256:<hex>' or ''
//	    detail          TEXT    NOT NULL          -- 'hmac-sha256:<hex>' or ''
//	);
//	CREATE INDEX audit_entries_member ON audit_entries (member_id, seq);
//	CREATE INDEX audit_entries_org    ON audit_entries (organisation_id, seq);
//	CREATE INDEX audit_entries_time   ON audit_entries (time_us);
//	CREATE INDEX audit_entries_subject ON audit_entries (subject) WHERE subject <> '';
//
//	-- Hashes of complete (perfect) subtrees, level 0 = leaf hashes.
//	CREATE TABLE audit_nodes (
//	    level BIGINT NOT NULL,
//	    idx   BIGINT NOT NULL,
//	    hash  BLOB   NOT NULL,                    -- BYTEA in PostgreSQL
//	    PRIMARY KEY (level, idx)
//	);
//
//	CREATE TABLE audit_checkpoints (
//	    size    BIGINT PRIMARY KEY,               -- tree size the note signs
//	    note    TEXT   NOT NULL,                  -- signed note, verbatim
//	    time_us BIGINT NOT NULL                   -- when it was signed
//	);
//
// AppendBatch writes one batch's rows into all three tables in a single
// transaction. Rows are never updated or deleted: there is deliberately no
// method for it.
//
// # Implementing Store
//
//   - Call audittest.CheckBatch before opening the transaction; inside it,
//     compare entries[0].Seq with COALESCE(MAX(seq)+1, 0) and return
//     ECONFLICT if they differ. Map primary-key violations (a concurrent
//     appender won the race) to ECONFLICT too.
//   - Every field must come back byte for byte, because the verifier
//     re-encodes entries and compares hashes: keep times as integer
//     microseconds (time.UnixMicro / time.UnixMicro(v).UTC()).
//   - Filter.ResourcePrefix is a byte prefix: use substr(resource, 1, n) = ?
//     (or LIKE with '%', '_' and the escape character escaped).
//   - Nodes may be asked for up to 4096 ids at once; SQLite allows 32766
//     bound parameters, PostgreSQL can take two arrays and unnest them.
//   - audittest.TestStore must pass, and audittest.Fill with
//     BenchmarkVerifyStore's sizes gives comparable numbers.
package audit
