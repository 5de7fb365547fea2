//! The downlink command queue (16.2.15, III-2.20, III-2.27). A command is stored as queued, and
//! every connection of its device is woken to send it; whichever protocol the device speaks
//! encodes it (GT06 online command, Teltonika Codec 12, the OsmAnd reply), marks it sent, and
//! marks it acknowledged when the device answers. A device that is not connected gets its
//! queued (and sent but unanswered) commands as soon as it next reports.

use crate::store::{Store, StoreError};
use atalaia_core::command::{CommandState, DeviceCommand};
use atalaia_core::ids::DeviceId;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Wakes the connection tasks of a device when a command is queued for it, and remembers which
/// device identifiers have commands waiting (so HTTP reports only look them up when needed).
#[derive(Clone, Default)]
pub struct CommandBus {
    waiters: Arc<Mutex<HashMap<DeviceId, Arc<Notify>>>>,
    waiting: Arc<Mutex<HashSet<String>>>,
}

impl CommandBus {
    /// Whether the device with this wire identifier may have commands waiting.
    pub fn has_pending(&self, key: &str) -> bool {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner()).contains(key)
    }

    pub fn set_pending(&self, key: &str, pending: bool) {
        let mut w = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        if pending {
            w.insert(key.to_owned());
        } else {
            w.remove(key);
        }
    }

    /// The notifier a connection of `device` waits on.
    pub fn subscribe(&self, device: DeviceId) -> Arc<Notify> {
        let mut w = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        w.entry(device).or_default().clone()
    }

    pub fn wake(&self, device: DeviceId) {
        let w = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = w.get(&device) {
            n.notify_waiters();
            n.notify_one();
        }
    }
}

/// Commands not yet acknowledged by the device, oldest first.
pub async fn pending(store: &Store, device: DeviceId) -> Result<Vec<DeviceCommand>, StoreError> {
    let id = device.to_string();
    let mut list: Vec<DeviceCommand> = store
        .read(move |c| {
            Ok(Store::list_by::<DeviceCommand>(c, "device_id", &id)?
                .into_iter()
                .filter(DeviceCommand::is_pending)
                .collect())
        })
        .await?;
    list.sort_by_key(|c| (c.created_at, c.tag));
    Ok(list)
}

/// Record that these commands were written to the device.
pub async fn mark_sent(store: &Store, sent: Vec<DeviceCommand>) -> Result<(), StoreError> {
    if sent.is_empty() {
        return Ok(());
    }
    store
        .write(move |ctx| {
            for mut c in sent {
                // Re-read: the device may have answered a previous send meanwhile.
                if let Some(stored) = Store::get::<DeviceCommand>(ctx.conn, &c.id.to_string())?
                    && !stored.is_pending()
                {
                    continue;
                }
                c.attempts += 1;
                c.state = CommandState::Sent { at: ctx.now };
                ctx.save(&c)?;
            }
            Ok(())
        })
        .await
}

/// How the device's answer names the command it acknowledges.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// By the tag the server gave it (GT06 server flag, OsmAnd `ack`).
    Tag(u32),
    /// By order: the oldest command sent and not yet answered (Teltonika Codec 12).
    Oldest,
}

/// Mark the command the device answered as acknowledged. Returns false when nothing matched.
pub async fn acknowledge(
    store: &Store,
    device: DeviceId,
    answer: Answer,
    reply: Option<String>,
) -> Result<bool, StoreError> {
    let id = device.to_string();
    store
        .write(move |ctx| {
            let mut list: Vec<DeviceCommand> = Store::list_by::<DeviceCommand>(ctx.conn, "device_id", &id)?
                .into_iter()
                .filter(DeviceCommand::is_pending)
                .collect();
            list.sort_by_key(|c| (c.created_at, c.tag));
            let found = match answer {
                Answer::Tag(tag) => list.into_iter().find(|c| c.tag == tag),
                Answer::Oldest => list.into_iter().find(|c| matches!(c.state, CommandState::Sent { .. })),
            };
            let Some(mut c) = found else { return Ok(false) };
            c.state =
                CommandState::Acknowledged { at: ctx.now, reply: reply.filter(|r| !r.trim().is_empty()) };
            ctx.save(&c)?;
            Ok(true)
        })
        .await
}

/// Wire identifiers of the devices with commands waiting (at start-up).
pub async fn waiting_keys(store: &Store) -> Result<Vec<String>, StoreError> {
    store
        .read(|c| {
            let mut keys = Vec::new();
            for cmd in Store::list_by::<DeviceCommand>(c, "pending", "1")? {
                if let Some(d) =
                    Store::get::<atalaia_core::monitoring::Device>(c, &cmd.device_id.to_string())?
                {
                    keys.push(d.imei);
                }
            }
            Ok(keys)
        })
        .await
}

/// The OsmAnd side of the queue: apply the `ack` tags a report carries, and answer with the
/// commands still waiting, one `TAG TEXT` line each (resent on every report until acknowledged,
/// so a lost HTTP response loses nothing; the device ignores tags it already executed).
pub async fn osmand_exchange(
    state: &crate::server::AppState,
    key: &str,
    acks: &[u32],
) -> Result<String, StoreError> {
    if acks.is_empty() && !state.commands.has_pending(key) {
        return Ok(String::new());
    }
    let k = key.to_owned();
    let Some(device) =
        state.store.read(move |c| Store::find_by::<atalaia_core::monitoring::Device>(c, "imei", &k)).await?
    else {
        return Ok(String::new());
    };
    for tag in acks {
        acknowledge(&state.store, device.id, Answer::Tag(*tag), None).await?;
    }
    let waiting = pending(&state.store, device.id).await?;
    state.commands.set_pending(key, !waiting.is_empty());
    let body: String = waiting.iter().map(|c| format!("{} {}\n", c.tag, c.kind.text())).collect();
    let unsent: Vec<DeviceCommand> =
        waiting.into_iter().filter(|c| matches!(c.state, CommandState::Queued)).collect();
    mark_sent(&state.store, unsent).await?;
    Ok(body)
}

/// What a connection should write: at login every unanswered command (a reconnection resends
/// what went unanswered), afterwards only the newly queued ones.
pub async fn to_send(
    store: &Store,
    device: DeviceId,
    at_login: bool,
) -> Result<Vec<DeviceCommand>, StoreError> {
    Ok(pending(store, device)
        .await?
        .into_iter()
        .filter(|c| at_login || matches!(c.state, CommandState::Queued))
        .collect())
}

/// Wait for a command to be queued for this connection's device (forever when not logged in).
pub async fn queued(notify: Option<&Notify>) {
    match notify {
        Some(n) => n.notified().await,
        None => std::future::pending().await,
    }
}

/// Write a device's commands on its connection in the protocol's form (`encode`), then mark
/// them sent. A store failure is logged and the commands stay queued for the next attempt.
pub async fn send_on<W, E>(
    store: &Store,
    device: DeviceId,
    stream: &mut W,
    at_login: bool,
    protocol: &'static str,
    mut encode: E,
) -> std::io::Result<()>
where
    W: tokio::io::AsyncWrite + Unpin + ?Sized,
    E: FnMut(&DeviceCommand) -> Vec<u8>,
{
    use tokio::io::AsyncWriteExt;
    let list = match to_send(store, device, at_login).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(protocol, error = %e, "commands not read");
            return Ok(());
        }
    };
    if list.is_empty() {
        return Ok(());
    }
    let out: Vec<u8> = list.iter().flat_map(&mut encode).collect();
    stream.write_all(&out).await?;
    if let Err(e) = mark_sent(store, list).await {
        tracing::error!(protocol, error = %e, "commands sent but not marked");
    }
    Ok(())
}
