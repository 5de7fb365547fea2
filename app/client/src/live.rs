//! The live-feed link: a WebSocket to `/api/v1/live` that reconnects by itself with backoff and
//! resumes from the last `seq` it saw, so a network blip costs neither a full reload nor an event.

use atalaia_core::wire::{API_PREFIX, LiveMessage};
use futures_util::{Stream, StreamExt};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

#[derive(Debug, Clone, PartialEq)]
pub enum LiveUpdate {
    /// The socket is open; `resumed` says the server continued from our last `seq`.
    Connected {
        resumed: bool,
    },
    Message(Box<LiveMessage>),
    /// The link dropped; it will be retried after `retry_in`.
    Disconnected {
        reason: String,
        retry_in: Duration,
    },
    /// The session is no longer valid: the user must log in again. No retry.
    Unauthorized,
}

/// Reconnection waits: from 0.5 s, doubling up to 15 s while the server stays unreachable, each
/// drawn at random within its window so a centre's consoles do not all come back at once.
fn backoff() -> crate::backoff::Backoff {
    crate::backoff::Backoff::new(Duration::from_millis(500), Duration::from_secs(15))
}

/// Where a feed resumes: after `seq` of the server database `instance`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resume {
    pub seq: u64,
    pub instance: String,
}

/// `http://host:port` → `ws://host:port/api/v1/live`.
pub fn live_url(base: &str, since: Option<&Resume>) -> String {
    let base = base.trim_end_matches('/');
    let ws = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_owned()
    };
    match since {
        Some(r) if r.instance.is_empty() => format!("{ws}{API_PREFIX}/live?since={}", r.seq),
        Some(r) => format!("{ws}{API_PREFIX}/live?since={}&instance={}", r.seq, r.instance),
        None => format!("{ws}{API_PREFIX}/live"),
    }
}

/// Start following the live feed. The returned stream never ends on network errors; it ends only
/// when the session is refused (after yielding [`LiveUpdate::Unauthorized`]).
pub fn subscribe(base: String, token: String) -> impl Stream<Item = LiveUpdate> + Send + 'static {
    subscribe_from(base, token, None, None)
}

/// [`subscribe`] resuming after `since` (the `seq` of a cached model: the server sends what came
/// after it, or a snapshot when it no longer has that far back or it is another database's), with
/// every message also handed to `cache` so the local copy follows the feed off the interface
/// thread.
pub fn subscribe_from(
    base: String,
    token: String,
    since: Option<Resume>,
    cache: Option<crate::cache::Writer>,
) -> impl Stream<Item = LiveUpdate> + Send + 'static {
    let (tx, rx) = mpsc::channel::<LiveUpdate>(1024);
    tokio::spawn(run(base, token, since, cache, tx));
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|u| (u, rx)) })
}

async fn run(
    base: String,
    token: String,
    since: Option<Resume>,
    cache: Option<crate::cache::Writer>,
    tx: mpsc::Sender<LiveUpdate>,
) {
    let mut last_seq: Option<Resume> = since;
    let mut backoff = backoff();
    loop {
        let mut connected = false;
        let result = connect_once(&base, &token, &mut last_seq, cache.as_ref(), &tx, &mut connected).await;
        if connected {
            // The link worked: the next blip starts from a short wait again.
            backoff.reset();
        }
        let reason = match result {
            Ok(Outcome::ReceiverGone) => return,
            Ok(Outcome::Closed) => "conexão encerrada pelo servidor".to_owned(),
            Err(WsError::Http(resp)) if resp.status() == 401 => {
                let _ = tx.send(LiveUpdate::Unauthorized).await;
                return;
            }
            Err(e) => e.to_string(),
        };
        tracing::warn!(%reason, "live feed disconnected");
        let retry_in = backoff.next_delay();
        if tx.send(LiveUpdate::Disconnected { reason, retry_in }).await.is_err() {
            return;
        }
        tokio::time::sleep(retry_in).await;
    }
}

enum Outcome {
    Closed,
    ReceiverGone,
}

async fn connect_once(
    base: &str,
    token: &str,
    last_seq: &mut Option<Resume>,
    cache: Option<&crate::cache::Writer>,
    tx: &mpsc::Sender<LiveUpdate>,
    connected: &mut bool,
) -> Result<Outcome, WsError> {
    let mut req = live_url(base, last_seq.as_ref()).into_client_request()?;
    let bearer = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|e| {
        WsError::Url(tokio_tungstenite::tungstenite::error::UrlError::UnableToConnect(e.to_string()))
    })?;
    req.headers_mut().insert("authorization", bearer);
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
    *connected = true;
    if tx.send(LiveUpdate::Connected { resumed: last_seq.is_some() }).await.is_err() {
        return Ok(Outcome::ReceiverGone);
    }
    while let Some(frame) = ws.next().await {
        let text = match frame? {
            Message::Text(t) => t,
            Message::Close(_) => return Ok(Outcome::Closed),
            _ => continue,
        };
        let msg: LiveMessage = match serde_json::from_str(&text) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "undecodable live frame skipped");
                continue;
            }
        };
        match &msg {
            LiveMessage::Snapshot(s) => *last_seq = Some(Resume { seq: s.seq, instance: s.instance.clone() }),
            LiveMessage::Event(e) => match last_seq.as_mut() {
                Some(r) => r.seq = e.seq,
                None => *last_seq = Some(Resume { seq: e.seq, instance: String::new() }),
            },
        }
        if let Some(cache) = cache {
            cache.send(msg.clone());
        }
        if tx.send(LiveUpdate::Message(Box::new(msg))).await.is_err() {
            return Ok(Outcome::ReceiverGone);
        }
    }
    Ok(Outcome::Closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_url_maps_scheme_and_resume_point() {
        assert_eq!(live_url("http://127.0.0.1:8080/", None), "ws://127.0.0.1:8080/api/v1/live");
        let at = |instance: &str| Resume { seq: 42, instance: instance.into() };
        assert_eq!(
            live_url("https://central.example", Some(&at(""))),
            "wss://central.example/api/v1/live?since=42"
        );
        assert_eq!(
            live_url("https://central.example", Some(&at("9f86d081"))),
            "wss://central.example/api/v1/live?since=42&instance=9f86d081"
        );
    }
}
