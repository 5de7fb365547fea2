//! The event log on PostgreSQL (issue 24 item 2): every change the consoles follow, numbered by a
//! `seq` that is gapless and in commit order, so a reader asking for `seq > cursor` never skips
//! an event for ever.
//!
//! A PostgreSQL sequence would not do: numbers are taken when a transaction asks and become
//! visible when it commits, so #102 can be seen before #101 commits, and a reader that moved its
//! cursor to 102 never reads 101. Here the number is taken inside the appending transaction under
//! one transaction-level advisory lock, held until that transaction ends: the next appender waits,
//! then reads the head the first one committed. Commit order is seq order and there are no gaps.
//! The lock is taken once per group commit (a batch of events), not per event.
//!
//! Each append also rings a doorbell — one `NOTIFY atalaia_log` per batch carrying the highest
//! seq — delivered at commit to the replicas listening. It only says "read from your cursor": a
//! replica that was not listening catches up by reading the log.

use chrono::{DateTime, Utc};
use tokio_postgres::{Client, GenericClient};

/// The advisory lock that orders appends ("ATALAIA" in ASCII, as a number).
pub const APPEND_LOCK: i64 = 0x41_5441_4c41_4941;
/// The channel of the doorbell.
pub const CHANNEL: &str = "atalaia_log";

/// The log's table, as the store's schema has it (`store::pg::schema`): times RFC 3339 text,
/// bodies JSON text, as on SQLite.
pub(crate) const EVENTS_TABLE: &str = "CREATE TABLE IF NOT EXISTS events (
    seq   BIGINT PRIMARY KEY,
    at    TEXT NOT NULL,
    kind  TEXT NOT NULL,
    body  TEXT NOT NULL
)";

/// Creates the log's table when missing.
pub async fn migrate(client: &Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute(EVENTS_TABLE).await
}

/// Appends `events` (kind and JSON body, in order) inside the caller's transaction and returns
/// their seqs. The seqs are the caller's once the transaction commits; until it ends, every other
/// append waits (the advisory lock is released by the commit or the rollback).
pub async fn append<C: GenericClient>(
    tx: &C,
    at: DateTime<Utc>,
    events: &[(String, String)],
) -> Result<Vec<u64>, tokio_postgres::Error> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPEND_LOCK]).await?;
    let head: i64 = tx.query_one("SELECT COALESCE(MAX(seq), 0) FROM events", &[]).await?.get(0);
    let seqs: Vec<i64> = (1..=events.len() as i64).map(|i| head + i).collect();
    let at = crate::store::ts(at);
    let kinds: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    let bodies: Vec<&str> = events.iter().map(|e| e.1.as_str()).collect();
    tx.execute(
        "INSERT INTO events (seq, at, kind, body)
         SELECT s, $2, k, b FROM UNNEST($1::bigint[], $3::text[], $4::text[]) AS t(s, k, b)",
        &[&seqs, &at, &kinds, &bodies],
    )
    .await?;
    let last = seqs.last().copied().unwrap_or(head);
    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &last.to_string()]).await?;
    Ok(seqs.into_iter().map(|s| s as u64).collect())
}

/// The events after `cursor`, in seq order, at most `limit`: `(seq, body)`.
pub async fn since<C: GenericClient>(
    client: &C,
    cursor: u64,
    limit: usize,
) -> Result<Vec<(u64, String)>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT seq, body FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&(cursor as i64), &(limit as i64)],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get::<_, i64>(0) as u64, r.get(1))).collect())
}

/// The highest seq committed (0 for an empty log).
pub async fn head<C: GenericClient>(client: &C) -> Result<u64, tokio_postgres::Error> {
    let head: i64 = client.query_one("SELECT COALESCE(MAX(seq), 0) FROM events", &[]).await?.get(0);
    Ok(head as u64)
}

/// A connection listening to the doorbell: each notification's highest seq arrives on the
/// receiver (which ends when the connection does — the replica then reconnects and reads from
/// its cursor). The connection is not shared with pooled work: a listener must stay a direct
/// session, never one of a transaction-pooling proxy.
pub async fn doorbell(
    url: &str,
) -> Result<(Client, tokio::sync::mpsc::UnboundedReceiver<u64>), tokio_postgres::Error> {
    let (client, mut connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    let (ring, rung) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let message = std::future::poll_fn(|cx| connection.poll_message(cx)).await;
            match message {
                Some(Ok(tokio_postgres::AsyncMessage::Notification(n))) if n.channel() == CHANNEL => {
                    if let Ok(seq) = n.payload().parse::<u64>()
                        && ring.send(seq).is_err()
                    {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    tracing::warn!(%error, "PostgreSQL doorbell connection ended");
                    return;
                }
                None => return,
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    Ok((client, rung))
}
