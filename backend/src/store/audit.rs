//! The audit trail (16.3.2.10, 16.2.17): who did what, when, to what — append-only and
//! hash-chained. Each row's hash covers its own fields and the previous row's hash, so editing,
//! deleting or reordering rows breaks the chain from that row on; triggers refuse UPDATE and
//! DELETE so only someone bypassing the program can try, and verification then names the row.
//! The hash is not keyed: recomputing every later hash, or cutting off the newest rows, is only
//! caught against a count or head recorded elsewhere.
//!
//! Entries are written by the same writer job as the change they describe, so an operation and
//! its audit row commit (or roll back) together.

use super::{Store, StoreError, WriteCtx, ts};
use atalaia_core::ids::UserId;
use atalaia_core::wire::{AuditCheck, AuditEntry, AuditQuery};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

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
        let last: Option<(i64, String)> = self
            .conn
            .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (seq, prev) = match last {
            Some((s, h)) => (s + 1, h),
            None => (1, GENESIS.to_owned()),
        };
        let at = ts(self.now);
        let user_id = actor.user_id.map(|u| u.to_string()).unwrap_or_default();
        let whence = [actor.origin.as_str(), actor.route.as_str()];
        let hash = chain_hash(&prev, seq, &at, &user_id, [&actor.username, action, target, detail], whence);
        self.conn
            .prepare_cached(
                "INSERT INTO audit (seq, at, user_id, username, action, target, detail, prev_hash, hash, origin, route)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                seq,
                at,
                user_id,
                actor.username,
                action,
                target,
                detail,
                prev,
                hash,
                actor.origin,
                actor.route
            ])?;
        Ok(seq as u64)
    }
}

impl Store {
    /// Walk the whole chain; the first row whose hash or link does not match is reported.
    pub fn verify_audit(conn: &Connection) -> Result<AuditCheck, StoreError> {
        let mut stmt = conn.prepare_cached(
            "SELECT seq, at, user_id, username, action, target, detail, prev_hash, hash, origin, route FROM audit ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        let (mut prev, mut expected_seq, mut entries) = (GENESIS.to_owned(), 1_i64, 0_u64);
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let fields: [String; 6] = [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?];
            let (stored_prev, stored_hash): (String, String) = (r.get(7)?, r.get(8)?);
            let (origin, route): (String, String) = (r.get(9)?, r.get(10)?);
            let [at, user_id, username, action, target, detail] = &fields;
            let hash =
                chain_hash(&prev, seq, at, user_id, [username, action, target, detail], [&origin, &route]);
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
        }
        Ok(AuditCheck { entries, intact: true, first_broken: None })
    }

    /// Entries matching the query, newest first.
    pub fn audit_entries(conn: &Connection, q: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = conn.prepare_cached(
            "SELECT seq, at, user_id, username, action, target, detail, hash, origin, route FROM audit
             WHERE (?1 IS NULL OR username = ?1 COLLATE NOCASE)
               AND (?2 IS NULL OR action = ?2)
               AND (?3 IS NULL OR target = ?3)
               AND (?4 IS NULL OR at >= ?4)
               AND (?5 IS NULL OR at <= ?5)
               AND (?7 IS NULL OR action = ?7 OR action LIKE ?7 || '.%')
               AND (?8 IS NULL OR origin = ?8)
               AND (?9 IS NULL OR route LIKE '%' || ?9 || '%')
               AND (?10 IS NULL OR instr(fold(username || ' ' || action || ' ' || target || ' ' || detail), fold(?10)) > 0)
               AND (?11 IS NULL OR user_id IN
                    (SELECT id FROM users WHERE fold(trim(unit)) = fold(trim(?11))))
             ORDER BY seq DESC LIMIT ?6",
        )?;
        let limit = i64::from(q.limit.unwrap_or(200).clamp(1, 5_000));
        let blank =
            |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let rows = stmt.query_map(
            params![
                q.username,
                q.action,
                q.target,
                q.from.map(ts),
                q.to.map(ts),
                limit,
                blank(&q.kind),
                blank(&q.ip),
                blank(&q.route),
                blank(&q.text),
                blank(&q.unit)
            ],
            |r| {
                Ok((
                    (r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    (r.get::<_, String>(8)?, r.get::<_, String>(9)?),
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let ((seq, at, user_id), username, action, target, detail, hash, (origin, route)) = row?;
            out.push(AuditEntry {
                seq: seq as u64,
                at: chrono::DateTime::parse_from_rfc3339(&at)
                    .map_err(|e| StoreError::Migration(format!("bad timestamp in audit: {e}")))?
                    .with_timezone(&chrono::Utc),
                user_id: user_id.parse().ok(),
                username,
                origin,
                route,
                action,
                target,
                detail,
                hash,
            });
        }
        Ok(out)
    }
}
