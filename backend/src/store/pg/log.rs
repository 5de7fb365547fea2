//! The event log on PostgreSQL (issue 24 item 2): every change the consoles follow, numbered by a
//! `seq` that is gapless and in commit order, so a reader asking for `seq > cursor` never skips
//! an event for ever.
//!
//! A PostgreSQL sequence would not do: numbers are taken when a transaction asks and become
//! visible when it commits, so #102 can be seen before #101 commits, and a reader that moved its
//! cursor to 102 never reads 101. Here the number is taken inside the appending transaction under
//! one transaction-level advisory lock ([`APPEND_LOCK`], `store::log::append`), held until that
//! transaction ends: the next appender waits, then reads the head the first one committed. Commit
//! order is seq order and there are no gaps.
//!
//! Each batch also rings a doorbell — one `NOTIFY atalaia_log` carrying the highest seq
//! (`Store::ring_doorbell`) — delivered at commit to the servers listening ([`doorbell`]). It only
//! says "read from your cursor": a server that was not listening catches up by reading the log.

use tokio_postgres::Client;

/// The advisory lock that orders appends ("ATALAIA" in ASCII, as a number).
pub const APPEND_LOCK: i64 = 0x41_5441_4c41_4941;
/// The channel of the doorbell.
pub const CHANNEL: &str = "atalaia_log";

/// A connection listening to the doorbell: each notification's highest seq arrives on the
/// receiver (which ends when the connection does — the server then reconnects and reads from
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
