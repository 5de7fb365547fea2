//! The PostgreSQL schema, as numbered migrations applied once each (issue 24 item 1). It follows
//! the SQLite schema table for table, in the types both engines share (`store::db`): integers
//! `BIGINT`, flags 0/1, times RFC 3339 text, documents JSON text. Tables arrive here as the
//! store's functions move to [`crate::store::db::Db`]: the records kept as documents, the
//! counters, the files kept apart (attachments, photos, documents), the detectors' state, users
//! and profiles, the device listeners' counts, the event log, the audit trail, the commands'
//! idempotency keys, and the position fixes with their track archive.

use crate::store::StoreError;
use crate::store::db::{Db, PgConn};

const MIGRATIONS: &[&str] = &[
    // 1: records kept as documents beside the columns they are looked up by.
    r#"
CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE occurrences (
    id            TEXT PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    caller_phone  TEXT NOT NULL,
    open          BIGINT NOT NULL DEFAULT 1,
    doc           TEXT NOT NULL,
    seq           BIGINT NOT NULL
);
CREATE INDEX occurrences_phone ON occurrences(caller_phone);
CREATE INDEX occurrences_open ON occurrences(open);
CREATE TABLE vehicles (id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE dispatches (
    id             TEXT PRIMARY KEY,
    occurrence_id  TEXT NOT NULL,
    vehicle_id     TEXT NOT NULL,
    active         BIGINT NOT NULL,
    doc            TEXT NOT NULL,
    seq            BIGINT NOT NULL
);
CREATE INDEX dispatches_occurrence ON dispatches(occurrence_id);
CREATE TABLE messages (
    id             TEXT PRIMARY KEY,
    occurrence_id  TEXT NOT NULL,
    doc            TEXT NOT NULL,
    seq            BIGINT NOT NULL
);
CREATE INDEX messages_occurrence ON messages(occurrence_id);
CREATE TABLE persons (id TEXT PRIMARY KEY, doc TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE devices (id TEXT PRIMARY KEY, imei TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE zones (id TEXT PRIMARY KEY, person_id TEXT, doc TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE INDEX zones_person ON zones(person_id);
CREATE TABLE alarms (
    id       TEXT PRIMARY KEY,
    active   BIGINT NOT NULL,
    subject  TEXT,
    doc      TEXT NOT NULL,
    seq      BIGINT NOT NULL
);
CREATE INDEX alarms_active ON alarms(active);
CREATE INDEX alarms_subject ON alarms(subject);
CREATE TABLE commands (
    id         TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    pending    BIGINT NOT NULL,
    doc        TEXT NOT NULL,
    seq        BIGINT NOT NULL
);
CREATE INDEX commands_device_pending ON commands(device_id, pending);
CREATE TABLE group_rules (id TEXT PRIMARY KEY, doc TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE procedures (id TEXT PRIMARY KEY, doc TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE notifications (
    id           TEXT PRIMARY KEY,
    doc          TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    pending      BIGINT NOT NULL,
    channel      TEXT NOT NULL DEFAULT '',
    next_attempt TEXT NOT NULL,
    alarm_id     TEXT
);
CREATE INDEX notifications_due ON notifications(pending, channel, next_attempt);
CREATE INDEX notifications_seq ON notifications(seq);
CREATE TABLE notification_rules (id TEXT PRIMARY KEY, doc TEXT NOT NULL, seq BIGINT NOT NULL);
"#,
    // 2: files kept apart from the records (the crew's attachments, people's photos and
    // documents) and the detectors' saved state.
    r#"
CREATE TABLE attachments (
    id             TEXT PRIMARY KEY,
    occurrence_id  TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    data           BYTEA NOT NULL
);
CREATE TABLE person_photos (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    data          BYTEA NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX person_photos_person ON person_photos(person_id, at);
CREATE TABLE person_documents (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    at         TEXT NOT NULL,
    doc        TEXT NOT NULL,
    data       BYTEA NOT NULL
);
CREATE INDEX person_documents_person ON person_documents(person_id, at);
CREATE UNIQUE INDEX person_documents_file ON person_documents(person_id, sha256);
CREATE TABLE detector_state (
    part  TEXT NOT NULL,
    id    TEXT NOT NULL,
    doc   TEXT NOT NULL,
    PRIMARY KEY (part, id)
);
"#,
    // 3: users (a user name is unique whatever its case, as SQLite's NOCASE has it), their
    // sessions, the profiles an administrator defined, and what the device listeners counted or
    // refused.
    r#"
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL,
    pw_hash        TEXT NOT NULL,
    failed_logins  BIGINT NOT NULL DEFAULT 0,
    locked_until   TEXT,
    active         BIGINT NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    pw_changed_at  TEXT,
    vehicle_id     TEXT,
    profile        TEXT,
    must_change    BIGINT NOT NULL DEFAULT 0,
    unit           TEXT
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE profiles (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE ingest_rejects (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TEXT NOT NULL,
    protocol    TEXT NOT NULL,
    device_key  TEXT NOT NULL,
    remote      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    count       BIGINT NOT NULL DEFAULT 1
);
CREATE TABLE ingest_counters (
    device_key  TEXT NOT NULL,
    protocol    TEXT NOT NULL,
    what        TEXT NOT NULL,
    count       BIGINT NOT NULL,
    first_at    TEXT NOT NULL,
    last_at     TEXT NOT NULL,
    sample      TEXT,
    PRIMARY KEY (device_key, protocol, what)
);
"#,
    // 4: the event log (its seq taken under an advisory lock, `store::log`) and the database's
    // identity, which a console's resume names.
    r#"
CREATE TABLE IF NOT EXISTS events (
    seq   BIGINT PRIMARY KEY,
    at    TEXT NOT NULL,
    kind  TEXT NOT NULL,
    body  TEXT NOT NULL
);
CREATE TABLE server_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO server_meta (name, value) VALUES ('instance', md5(random()::text || clock_timestamp()::text));
"#,
    // 5: the hash-chained audit trail, append-only by trigger as on SQLite, and `fold` — lower
    // case without accents — defined as core's `text::fold` for the letters Portuguese writes
    // (SQLite gets core's own function): the audit's text search compares folded text.
    r#"
CREATE TABLE audit (
    seq        BIGINT PRIMARY KEY,
    at         TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    username   TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    origin     TEXT NOT NULL DEFAULT '',
    route      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_user ON audit(lower(username), seq);
CREATE INDEX audit_target ON audit(target, seq);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE FUNCTION fold(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
SELECT translate(lower(t),
    'ÁÀÂÃÄÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇáàâãäéèêëíìîïóòôõöúùûüç',
    'aaaaaeeeeiiiiooooouuuucaaaaaeeeeiiiiooooouuuuc')
$$;
"#,
    // 6: commands applied exactly once (Idempotency-Key) with the answer kept for a replay.
    r#"
CREATE TABLE idempotency (
    key           TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    status        BIGINT,
    content_type  TEXT,
    body          BYTEA
);
CREATE INDEX idempotency_created ON idempotency(created_at);
"#,
    // 7: position fixes, partitioned by month of fix time so that retention drops a month's
    // table instead of deleting rows (`positions::ensure_partitions` adds the months ahead; a
    // fix outside them lands in the default partition); the fixes not yet moved there, in
    // arrival order; and the track archive of the investigations (`store::tracks`). `rowid`
    // numbers rows in arrival order, as SQLite's own does (a sequence, not an identity:
    // PostgreSQL 15 has none on partitioned tables).
    r#"
CREATE SEQUENCE positions_rowid;
CREATE TABLE positions (
    rowid      BIGINT NOT NULL DEFAULT nextval('positions_rowid'),
    id         TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    person_id  TEXT,
    fix_time   TEXT NOT NULL,
    recv_time  TEXT NOT NULL,
    lat        DOUBLE PRECISION NOT NULL,
    lon        DOUBLE PRECISION NOT NULL,
    doc        TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    PRIMARY KEY (id, fix_time)
) PARTITION BY RANGE (fix_time);
CREATE TABLE positions_default PARTITION OF positions DEFAULT;
CREATE INDEX positions_device_time ON positions(device_id, fix_time);
CREATE INDEX positions_person_time ON positions(person_id, fix_time);
CREATE TABLE positions_recent (
    rowid      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    person_id  TEXT,
    fix_time   TEXT NOT NULL,
    recv_time  TEXT NOT NULL,
    lat        DOUBLE PRECISION NOT NULL,
    lon        DOUBLE PRECISION NOT NULL,
    doc        TEXT NOT NULL,
    seq        BIGINT NOT NULL
);
CREATE TABLE track_subjects (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    person_id  TEXT NOT NULL UNIQUE
);
CREATE TABLE track_hours (
    key      BIGINT PRIMARY KEY,
    n        BIGINT NOT NULL,
    min_lat  BIGINT NOT NULL,
    max_lat  BIGINT NOT NULL,
    min_lon  BIGINT NOT NULL,
    max_lon  BIGINT NOT NULL,
    fixes    BYTEA NOT NULL
);
CREATE TABLE track_cells (
    cell     BIGINT NOT NULL,
    hour     BIGINT NOT NULL,
    subject  BIGINT NOT NULL,
    seconds  BIGINT NOT NULL,
    first_s  BIGINT NOT NULL,
    last_s   BIGINT NOT NULL,
    PRIMARY KEY (cell, hour, subject)
);
CREATE INDEX track_cells_by_hour ON track_cells(hour, cell, subject, first_s, last_s);
"#,
    // 8: reports waiting for the detectors, queued by the servers that are not the cluster's
    // leader in the transaction that stored the data (`monitor`), taken by the leader.
    r#"
CREATE TABLE detect_queue (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sample  TEXT NOT NULL
);
"#,
];

/// Applies the migrations the database has not seen, each in its own transaction; several
/// servers starting at once take turns (an advisory lock) and each applies nothing twice.
pub fn migrate(conn: &PgConn) -> Result<(), StoreError> {
    let db = Db::from(conn);
    db.batch("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")?;
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        db.batch("BEGIN")?;
        let applied = (|| {
            db.execute("SELECT pg_advisory_xact_lock(?1)", &[&MIGRATION_LOCK])?;
            if db.query_opt("SELECT 1 FROM schema_migrations WHERE version = ?1", &[&version])?.is_none() {
                db.batch(sql)?;
                db.execute("INSERT INTO schema_migrations (version) VALUES (?1)", &[&version])?;
            }
            Ok::<_, StoreError>(())
        })();
        match applied {
            Ok(()) => db.batch("COMMIT")?,
            Err(e) => {
                let _ = db.batch("ROLLBACK");
                return Err(StoreError::Migration(format!("PostgreSQL migration {version}: {e}")));
            }
        }
    }
    Ok(())
}

/// The advisory lock migrations take turns on.
const MIGRATION_LOCK: i64 = 0x41_5441_4c41_4d49;
