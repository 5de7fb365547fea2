//! Embedded schema migrations, applied in order and recorded in `PRAGMA user_version`.

use super::StoreError;
use rusqlite::Connection;

/// Each entry moves the schema one version forward. Never edit a released entry; append.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE events (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    at    TEXT NOT NULL,
    kind  TEXT NOT NULL,
    body  TEXT NOT NULL
);
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL,
    pw_hash        TEXT NOT NULL,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   TEXT,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE occurrences (
    id            TEXT PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    caller_phone  TEXT NOT NULL,
    doc           TEXT NOT NULL,
    seq           INTEGER NOT NULL
);
CREATE INDEX occurrences_phone ON occurrences(caller_phone);
CREATE TABLE vehicles (id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE persons (id TEXT PRIMARY KEY, doc TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE devices (id TEXT PRIMARY KEY, imei TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE zones (id TEXT PRIMARY KEY, person_id TEXT, doc TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX zones_person ON zones(person_id);
CREATE TABLE alarms (id TEXT PRIMARY KEY, active INTEGER NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX alarms_active ON alarms(active);
CREATE TABLE positions (
    id         TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    person_id  TEXT,
    fix_time   TEXT NOT NULL,
    recv_time  TEXT NOT NULL,
    lat        REAL NOT NULL,
    lon        REAL NOT NULL,
    doc        TEXT NOT NULL,
    seq        INTEGER NOT NULL
);
CREATE INDEX positions_device_time ON positions(device_id, fix_time);
CREATE INDEX positions_person_time ON positions(person_id, fix_time);
CREATE TABLE last_positions (device_id TEXT PRIMARY KEY, fix_time TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE ingest_rejects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    protocol    TEXT NOT NULL,
    device_key  TEXT NOT NULL,
    remote      TEXT NOT NULL,
    reason      TEXT NOT NULL
);
"#,
    r#"
CREATE TABLE commands (
    id         TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    pending    INTEGER NOT NULL,
    doc        TEXT NOT NULL,
    seq        INTEGER NOT NULL
);
CREATE INDEX commands_device_pending ON commands(device_id, pending);
"#,
    r#"
CREATE TABLE group_rules (id TEXT PRIMARY KEY, doc TEXT NOT NULL, seq INTEGER NOT NULL);
"#,
    // The newest fix per device comes from the positions index now.
    r#"
DROP TABLE last_positions;
"#,
    // Fixes as received, moved into `positions` in device order about once a second.
    r#"
CREATE TABLE positions_recent (
    id         TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    person_id  TEXT,
    fix_time   TEXT NOT NULL,
    recv_time  TEXT NOT NULL,
    lat        REAL NOT NULL,
    lon        REAL NOT NULL,
    doc        TEXT NOT NULL,
    seq        INTEGER NOT NULL
);
"#,
    // The audit trail: append-only (the triggers) and hash-chained (see store/audit.rs).
    r#"
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    username   TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_user ON audit(username COLLATE NOCASE, seq);
CREATE INDEX audit_target ON audit(target, seq);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"#,
    // When each password was last set (the change policy, 16.3.2.3).
    r#"
ALTER TABLE users ADD COLUMN pw_changed_at TEXT;
UPDATE users SET pw_changed_at = created_at;
"#,
    // Alarm procedures per (kind, group), 16.2.7.
    r#"
CREATE TABLE procedures (id TEXT PRIMARY KEY, doc TEXT NOT NULL, seq INTEGER NOT NULL);
"#,
    // The outbox of e-mail and SMS (16.2.7, 16.2.31) and the rules that fill it.
    r#"
CREATE TABLE notifications (
    id           TEXT PRIMARY KEY,
    doc          TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    pending      INTEGER NOT NULL,
    next_attempt TEXT NOT NULL,
    alarm_id     TEXT
);
CREATE INDEX notifications_due ON notifications(pending, next_attempt);
CREATE INDEX notifications_alarm ON notifications(alarm_id);
CREATE TABLE notification_rules (id TEXT PRIMARY KEY, doc TEXT NOT NULL, seq INTEGER NOT NULL);
"#,
    // The track archive for investigative queries (16.2.22-16.2.28, see store/tracks.rs); filled
    // from the existing history right after this migration.
    r#"
CREATE TABLE track_subjects (id INTEGER PRIMARY KEY, person_id TEXT NOT NULL UNIQUE);
CREATE TABLE track_hours (
    key      INTEGER PRIMARY KEY,
    n        INTEGER NOT NULL,
    min_lat  INTEGER NOT NULL,
    max_lat  INTEGER NOT NULL,
    min_lon  INTEGER NOT NULL,
    max_lon  INTEGER NOT NULL,
    fixes    BLOB NOT NULL
);
CREATE TABLE track_cells (
    cell     INTEGER NOT NULL,
    hour     INTEGER NOT NULL,
    subject  INTEGER NOT NULL,
    seconds  INTEGER NOT NULL,
    first_s  INTEGER NOT NULL,
    last_s   INTEGER NOT NULL,
    PRIMARY KEY (cell, hour, subject)
) WITHOUT ROWID;
"#,
    // Due messages are looked up per channel (one not configured must not hold up the others),
    // and listed newest first.
    r#"
ALTER TABLE notifications ADD COLUMN channel TEXT NOT NULL DEFAULT '';
UPDATE notifications SET channel = json_extract(doc, '$.channel');
DROP INDEX notifications_due;
CREATE INDEX notifications_due ON notifications(pending, channel, next_attempt);
CREATE INDEX notifications_seq ON notifications(seq);
"#,
    // The grid again in hour order (covering): an encounter search follows a person's path
    // through many cells within each hour, and reads that hour's part of the grid together.
    r#"
CREATE INDEX track_cells_by_hour ON track_cells(hour, cell, subject, first_s, last_s);
"#,
    // SAMU dispatches ("empenho"): looked up by occurrence, and by vehicle while active; the
    // crew's messages and attachments; the vehicle a crew member signed in to; open occurrences
    // found without reading the closed ones.
    r#"
CREATE TABLE dispatches (
    id             TEXT PRIMARY KEY,
    occurrence_id  TEXT NOT NULL,
    vehicle_id     TEXT NOT NULL,
    active         INTEGER NOT NULL,
    doc            TEXT NOT NULL,
    seq            INTEGER NOT NULL
);
CREATE INDEX dispatches_occurrence ON dispatches(occurrence_id);
CREATE INDEX dispatches_active ON dispatches(active, vehicle_id);
CREATE INDEX dispatches_vehicle ON dispatches(vehicle_id);
CREATE TABLE messages (
    id             TEXT PRIMARY KEY,
    occurrence_id  TEXT NOT NULL,
    doc            TEXT NOT NULL,
    seq            INTEGER NOT NULL
);
CREATE INDEX messages_occurrence ON messages(occurrence_id);
ALTER TABLE occurrences ADD COLUMN open INTEGER NOT NULL DEFAULT 1;
UPDATE occurrences SET open = (json_extract(doc, '$.phase') != 'closed');
CREATE INDEX occurrences_open ON occurrences(open);
ALTER TABLE users ADD COLUMN vehicle_id TEXT;
CREATE TABLE attachments (
    id             TEXT PRIMARY KEY,
    occurrence_id  TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    data           BLOB NOT NULL
);
"#,
    // 14: commands applied exactly once (Idempotency-Key), with the answer kept for a replay.
    r#"
CREATE TABLE idempotency (
    key           TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    status        INTEGER,
    content_type  TEXT,
    body          BLOB
);
CREATE INDEX idempotency_created ON idempotency(created_at);
"#,
    // 15: this database's identity: a console resuming its live feed names the database its
    // cached `seq` belongs to, so a restored backup or a fresh database is never taken for it.
    r#"
CREATE TABLE server_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO server_meta (name, value) VALUES ('instance', lower(hex(randomblob(16))));
"#,
    // 16: the detectors' state, written in the transaction of the data it depends on, so a crash
    // right after a device's acknowledgement loses no replay summary, dwell or timer (9.37).
    r#"
CREATE TABLE detector_state (
    part  TEXT NOT NULL,
    id    TEXT NOT NULL,
    doc   TEXT NOT NULL,
    PRIMARY KEY (part, id)
) WITHOUT ROWID;
"#,
    // 17: what devices send that the server does not use, counted per device and kind instead of
    // dropped in silence; refused reports kept bounded (a repeated refusal is one row with a count).
    r#"
CREATE TABLE ingest_counters (
    device_key  TEXT NOT NULL,
    protocol    TEXT NOT NULL,
    what        TEXT NOT NULL,
    count       INTEGER NOT NULL,
    first_at    TEXT NOT NULL,
    last_at     TEXT NOT NULL,
    sample      TEXT,
    PRIMARY KEY (device_key, protocol, what)
) WITHOUT ROWID;
ALTER TABLE ingest_rejects ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
"#,
    // 18: photos of monitored people (III-2.21), every one kept: the person's record names the
    // current one, the audit trail when each arrived.
    r#"
CREATE TABLE person_photos (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    data          BLOB NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX person_photos_person ON person_photos(person_id, at);
"#,
    // 19: profiles an administrator defines (16.2.14, RFS169-171); a user without one has the
    // seeded profile of its role.
    r#"
CREATE TABLE profiles (
    id   TEXT PRIMARY KEY,
    doc  TEXT NOT NULL
);
ALTER TABLE users ADD COLUMN profile TEXT;
-- A password set by someone else (an administrator, the first run's printed one) is changed
-- at the first access (16.3.2.3).
ALTER TABLE users ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0;
-- Where each audited action came from: the caller's address and the API route (RFS173, 174).
ALTER TABLE audit ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN route TEXT NOT NULL DEFAULT '';
"#,
    // 20: alarms found by what they are about — a person's alarms with their operators' notes,
    // for the person's record (III-2.14).
    r#"
ALTER TABLE alarms ADD COLUMN subject TEXT;
UPDATE alarms SET subject = json_extract(doc, '$.subject.id');
CREATE INDEX alarms_subject ON alarms(subject);
"#,
    // 21: documents on a person's record (8.11.1-8.11.4): court decisions, terms, letters, each
    // kept as sent; the same file twice for a person is one document.
    r#"
CREATE TABLE person_documents (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    at         TEXT NOT NULL,
    doc        TEXT NOT NULL,
    data       BLOB NOT NULL,
    UNIQUE (person_id, sha256)
);
CREATE INDEX person_documents_person ON person_documents(person_id, at);
"#,
    // 22: the organisational unit a professional belongs to (RFS177): bound to one, they reach
    // only the monitored people of its region; none: the central, everyone.
    r#"
ALTER TABLE users ADD COLUMN unit TEXT;
"#,
    // 23: reports waiting for the detectors of the cluster (issue 24): a server that does not run
    // them queues its devices' samples here, in the transaction that stored the data. SQLite's
    // one server always runs them, so this stays empty; it is here so both engines have one schema.
    r#"
CREATE TABLE detect_queue (id INTEGER PRIMARY KEY, sample TEXT NOT NULL);
"#,
];

/// The migration that created the track archive: databases older than it get their history
/// filed into it once.
const TRACKS_MIGRATION: usize = 10;

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let target = MIGRATIONS.len() as i64;
    if current > target {
        return Err(StoreError::Migration(format!(
            "database schema version {current} is newer than this program ({target}); upgrade Atalaia"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        if i + 1 == TRACKS_MIGRATION {
            // In the migration's own transaction: if it fails or the program stops, the version
            // stays behind and the next start files the history again from the beginning.
            let filed = super::tracks::backfill(&tx)?;
            if filed > 0 {
                tracing::info!(fixes = filed, "position history filed into the track archive");
            }
        }
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        tx.commit()?;
        tracing::info!(version = i + 1, "database migrated");
    }
    Ok(())
}
