//! The audit trail (16.3.2.10, 16.2.17): who did what, when, to what — append-only and
//! hash-chained. Each row's hash covers its own fields and the previous row's hash, so editing,
//! deleting or reordering rows breaks the chain from that row on; triggers refuse UPDATE and
//! DELETE so only someone bypassing the program can try, and verification then names the row.
//! The hash is not keyed: recomputing every later hash, or cutting off the newest rows, is only
//! caught against a count or head recorded elsewhere.
//!
//! Entries are written by the same writer job as the change they describe, so an operation and
//! its audit row commit (or roll back) together.

use super::db::{Db, Engine, Row};
use super::{Store, StoreError, WriteCtx, ts};
use atalaia_core::ids::UserId;
use atalaia_core::wire::{AuditCheck, AuditEntry, AuditQuery};
use sha2::{Digest, Sha256};

/// The advisory lock appends to the trail take turns on (PostgreSQL: several servers append).
const AUDIT_LOCK: i64 = 0x41_5441_4c41_4155;

/// Rows verified per read: the walk holds one page at a time, not the whole trail.
const VERIFY_PAGE: i64 = 10_000;

/// The previous hash of the first row.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acts: a signed-in user, or (a login attempt for an unknown name) only a name; and, for
/// what came through the API, from which address and by which route (RFS173, 174).
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub username: String,
    /// The caller's IP address; empty for the server's own work.
    pub origin: String,
    /// `METHOD /api/v1/path` of the request; empty for the server's own work.
    pub route: String,
}

impl Actor {
    pub fn user(info: &atalaia_core::wire::UserInfo) -> Self {
        Self { user_id: Some(info.id), username: info.username.clone(), ..Self::default() }
    }

    /// The same actor, at this address and route.
    pub fn from(mut self, origin: impl Into<String>, route: impl Into<String>) -> Self {
        self.origin = origin.into();
        self.route = route.into();
        self
    }
}

/// The row's hash. Origin and route are hashed only when present, so rows written before they
/// were recorded keep verifying.
fn chain_hash(prev: &str, seq: i64, at: &str, user_id: &str, e: [&str; 4], whence: [&str; 2]) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    let seq = seq.to_string();
    let mut fields: Vec<&str> = vec![seq.as_str(), at, user_id];
    fields.extend(e);
    if whence.iter().any(|w| !w.is_empty()) {
        fields.extend(whence);
    }
    for field in fields {
        // Length-prefixed, so no two different rows hash the same bytes.
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl WriteCtx<'_> {
    /// Append one entry; returns its sequence number.
    pub fn audit(
        &mut self,
        actor: &Actor,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<u64, StoreError> {
        Store::append_audit(self.conn, self.now, actor, [action, target, detail])
    }
}

impl Store {
    /// Appends one entry (`what`: action, target, detail) inside the caller's transaction — a
    /// job's ([`WriteCtx::audit`]), or a copy between engines and the conformance suite. On
    /// PostgreSQL the servers take turns (an advisory lock until the transaction ends), so the
    /// chain has one next row.
    pub fn append_audit<'a>(
        db: impl Into<Db<'a>>,
        now: chrono::DateTime<chrono::Utc>,
        actor: &Actor,
        what: [&str; 3],
    ) -> Result<u64, StoreError> {
        let [action, target, detail] = what;
        let db = db.into();
        if db.engine() == Engine::Postgres {
            db.execute("SELECT pg_advisory_xact_lock(?1)", &[&AUDIT_LOCK])?;
        }
        let last = db.query_opt("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &[])?;
        let (seq, prev) = match last {
            Some(mut r) => (r.take::<i64>(0)? + 1, r.take::<String>(1)?),
            None => (1, GENESIS.to_owned()),
        };
        let at = ts(now);
        let user_id = actor.user_id.map(|u| u.to_string()).unwrap_or_default();
        let whence = [actor.origin.as_str(), actor.route.as_str()];
        let hash = chain_hash(&prev, seq, &at, &user_id, [&actor.username, action, target, detail], whence);
        db.execute(
            "INSERT INTO audit (seq, at, user_id, username, action, target, detail, prev_hash, hash, origin, route)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            &[&seq, &at, &user_id, &actor.username, &action, &target, &detail, &prev, &hash, &actor.origin, &actor.route],
        )?;
        Ok(seq as u64)
    }

    /// Walk the whole chain; the first row whose hash or link does not match is reported.
    pub fn verify_audit<'a>(db: impl Into<Db<'a>>) -> Result<AuditCheck, StoreError> {
        let db = db.into();
        let (mut prev, mut expected_seq, mut entries) = (GENESIS.to_owned(), 1_i64, 0_u64);
        let mut after = 0_i64;
        loop {
            let page = db.query(
                "SELECT seq, at, user_id, username, action, target, detail, prev_hash, hash, origin, route
                 FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                &[&after, &VERIFY_PAGE],
            )?;
            let last_page = (page.len() as i64) < VERIFY_PAGE;
            for mut r in page {
                let seq: i64 = r.take(0)?;
                let mut text = |i: usize| r.take::<String>(i);
                let (at, user_id, username, action, target) =
                    (text(1)?, text(2)?, text(3)?, text(4)?, text(5)?);
                let (detail, stored_prev, stored_hash, origin, route) =
                    (text(6)?, text(7)?, text(8)?, text(9)?, text(10)?);
                let hash = chain_hash(
                    &prev,
                    seq,
                    &at,
                    &user_id,
                    [&username, &action, &target, &detail],
                    [&origin, &route],
                );
                if seq != expected_seq || stored_prev != prev || stored_hash != hash {
                    return Ok(AuditCheck {
                        entries,
                        intact: false,
                        first_broken: Some(expected_seq.min(seq) as u64),
                    });
                }
                prev = stored_hash;
                expected_seq += 1;
                entries += 1;
                after = seq;
            }
            if last_page {
                return Ok(AuditCheck { entries, intact: true, first_broken: None });
            }
        }
    }

    /// Entries matching the query, newest first. Names and units compare without case (and the
    /// text search without accents, `fold`, which both engines define alike).
    pub fn audit_entries<'a>(db: impl Into<Db<'a>>, q: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        let db = db.into();
        let position = db.position_function();
        let same_user = super::users::same_name(db.engine(), "username", "?1");
        let sql = format!(
            "SELECT seq, at, user_id, username, action, target, detail, hash, origin, route FROM audit
             WHERE (CAST(?1 AS TEXT) IS NULL OR {same_user})
               AND (CAST(?2 AS TEXT) IS NULL OR action = ?2)
               AND (CAST(?3 AS TEXT) IS NULL OR target = ?3)
               AND (CAST(?4 AS TEXT) IS NULL OR at >= ?4)
               AND (CAST(?5 AS TEXT) IS NULL OR at <= ?5)
               AND (CAST(?7 AS TEXT) IS NULL OR action = ?7 OR action LIKE ?7 || '.%')
               AND (CAST(?8 AS TEXT) IS NULL OR origin = ?8)
               AND (CAST(?9 AS TEXT) IS NULL OR route LIKE '%' || ?9 || '%')
               AND (CAST(?10 AS TEXT) IS NULL OR
                    {position}(fold(username || ' ' || action || ' ' || target || ' ' || detail), fold(?10)) > 0)
               AND (CAST(?11 AS TEXT) IS NULL OR user_id IN
                    (SELECT id FROM users WHERE fold(trim(unit)) = fold(trim(?11))))
             ORDER BY seq DESC LIMIT ?6"
        );
        let limit = i64::from(q.limit.unwrap_or(200).clamp(1, 5_000));
        let blank =
            |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let rows = db.query(
            &sql,
            &[
                &q.username,
                &q.action,
                &q.target,
                &q.from.map(ts),
                &q.to.map(ts),
                &limit,
                &blank(&q.kind),
                &blank(&q.ip),
                &blank(&q.route),
                &blank(&q.text),
                &blank(&q.unit),
            ],
        )?;
        rows.into_iter().map(entry).collect()
    }
}

fn entry(mut r: Row) -> Result<AuditEntry, StoreError> {
    let at: String = r.take(1)?;
    Ok(AuditEntry {
        seq: r.take::<i64>(0)? as u64,
        at: chrono::DateTime::parse_from_rfc3339(&at)
            .map_err(|e| StoreError::Migration(format!("bad timestamp in audit: {e}")))?
            .with_timezone(&chrono::Utc),
        user_id: r.take::<String>(2)?.parse().ok(),
        username: r.take(3)?,
        action: r.take(4)?,
        target: r.take(5)?,
        detail: r.take(6)?,
        hash: r.take(7)?,
        origin: r.take(8)?,
        route: r.take(9)?,
    })
}
