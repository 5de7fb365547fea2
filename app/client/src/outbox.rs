//! The command outbox (issue 8 item 2): every command an operator issues — a new call, a
//! regulation, a dispatch, an alarm action, a device command, a zone — is written here with a
//! client-generated UUIDv7 *before* it is sent, so that once the console has said "registrado"
//! nothing can lose it: not the network, not the server being down, not the console being killed.
//!
//! [`pump`] sends the queue in order, one command at a time, each with its id as the
//! `Idempotency-Key`: the server applies a command once and answers a resend with the first
//! answer, so a command whose answer was lost is simply sent again. A command the server refuses
//! (the alarm was claimed by someone else meanwhile, the vehicle is already on another call) is
//! not dropped: it stays here as a conflict until the operator has seen it and decided.
//!
//! The file is separate from the cache so an operator's command never waits behind a cache save,
//! and is written with `synchronous = FULL`.

use crate::api::{Api, ApiError};
use crate::backoff::Backoff;
use atalaia_core::ids::{AlarmId, DeviceId, OccurrenceId, PersonId, ZoneId};
use atalaia_core::monitoring::ZoneAction;
use atalaia_core::wire::{
    AlarmAction, DeviceChange, NewCommand, NewDevice, NewDispatch, NewOccurrence, NewPerson, NewZone,
    Problem, RegulationUpdate, ZoneStateChange,
};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::{Notify, mpsc};
use uuid::Uuid;

#[derive(Debug, Error)]
pub enum OutboxError {
    #[error("fila de comandos: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("fila de comandos: registro ilegível ({0})")]
    Decode(#[from] serde_json::Error),
}

/// A command as the operator issued it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Command {
    CreateOccurrence(NewOccurrence),
    Regulate {
        occurrence: OccurrenceId,
        update: RegulationUpdate,
    },
    Dispatch(NewDispatch),
    AlarmAction {
        alarm: AlarmId,
        action: AlarmAction,
    },
    DeviceCommand {
        device: DeviceId,
        command: NewCommand,
    },
    SaveZone {
        zone: NewZone,
        existing: bool,
    },
    /// A person's corrected record (III-2.7).
    UpdatePerson {
        person: PersonId,
        body: NewPerson,
    },
    /// Suspend, resume or lift a zone, with the reason (III-2.13).
    ZoneState {
        zone: ZoneId,
        change: ZoneStateChange,
    },
    /// A person registered at the administration screen (III-2.7); `body.id` is set.
    CreatePerson(NewPerson),
    /// A device registered at the administration screen; `body.id` is set.
    CreateDevice(NewDevice),
    /// A step in a device's life (III-2.12).
    DeviceState {
        device: DeviceId,
        change: DeviceChange,
    },
    /// Close an occurrence with its reason (TDC-PROC 13, RFS185); its vehicles are released.
    CloseOccurrence {
        occurrence: OccurrenceId,
        reason: String,
    },
}

impl Command {
    /// Method, path under `/api/v1` and body of the request.
    pub fn request(&self) -> Result<(reqwest::Method, String, serde_json::Value), serde_json::Error> {
        use reqwest::Method;
        Ok(match self {
            Command::CreateOccurrence(new) => {
                (Method::POST, "/occurrences".into(), serde_json::to_value(new)?)
            }
            Command::Regulate { occurrence, update } => {
                (Method::POST, format!("/occurrences/{occurrence}/regulation"), serde_json::to_value(update)?)
            }
            Command::Dispatch(new) => (Method::POST, "/dispatches".into(), serde_json::to_value(new)?),
            Command::AlarmAction { alarm, action } => {
                (Method::POST, format!("/alarms/{alarm}/actions"), serde_json::to_value(action)?)
            }
            Command::DeviceCommand { device, command } => {
                (Method::POST, format!("/devices/{device}/commands"), serde_json::to_value(command)?)
            }
            Command::SaveZone { zone, existing } => match (existing, zone.id) {
                (true, Some(id)) => (Method::PUT, format!("/zones/{id}"), serde_json::to_value(zone)?),
                _ => (Method::POST, "/zones".into(), serde_json::to_value(zone)?),
            },
            Command::UpdatePerson { person, body } => {
                (Method::PUT, format!("/persons/{person}"), serde_json::to_value(body)?)
            }
            Command::ZoneState { zone, change } => {
                (Method::POST, format!("/zones/{zone}/state"), serde_json::to_value(change)?)
            }
            Command::CreatePerson(body) => (Method::POST, "/persons".into(), serde_json::to_value(body)?),
            Command::CreateDevice(body) => (Method::POST, "/devices".into(), serde_json::to_value(body)?),
            Command::DeviceState { device, change } => {
                (Method::POST, format!("/devices/{device}/state"), serde_json::to_value(change)?)
            }
            Command::CloseOccurrence { occurrence, reason } => (
                Method::POST,
                format!("/occurrences/{occurrence}/close"),
                serde_json::to_value(atalaia_core::wire::Reason { reason: reason.clone() })?,
            ),
        })
    }

    /// What it is, in a few Portuguese words, for the pending list.
    pub fn describe(&self) -> String {
        match self {
            Command::CreateOccurrence(n) => format!("Novo chamado — {}", n.address.trim()),
            Command::Regulate { .. } => "Regulação".into(),
            Command::Dispatch(_) => "Despacho de viatura".into(),
            Command::AlarmAction { action, .. } => match action {
                AlarmAction::Claim => "Assumir alarme".into(),
                AlarmAction::StartProcedure => "Iniciar procedimento".into(),
                AlarmAction::CompleteStep { index } => format!("Concluir passo {}", index + 1),
                AlarmAction::Note { .. } => "Observação no alarme".into(),
                AlarmAction::Close { .. } => "Encerrar alarme".into(),
                AlarmAction::Notify { .. } => "Notificação".into(),
                AlarmAction::PhoneCall { .. } => "Registro de ligação".into(),
                AlarmAction::Record { measure, .. } => atalaia_core::text::measure(*measure).into(),
            },
            Command::DeviceCommand { .. } => "Comando ao dispositivo".into(),
            Command::SaveZone { zone, .. } => format!("Zona {}", zone.name.trim()),
            Command::UpdatePerson { body, .. } => format!("Cadastro de {}", body.name.trim()),
            Command::ZoneState { change, .. } => match change.action {
                ZoneAction::Suspend => "Suspensão de zona".into(),
                ZoneAction::Resume => "Reativação de zona".into(),
                ZoneAction::Lift => "Revogação de zona".into(),
            },
            Command::CreatePerson(body) => format!("Novo cadastro de {}", body.name.trim()),
            Command::CreateDevice(body) => format!("Novo dispositivo {}", body.imei.trim()),
            Command::DeviceState { change, .. } => {
                format!("Dispositivo: {}", atalaia_core::text::device_action(change.action))
            }
            Command::CloseOccurrence { .. } => "Encerramento de ocorrência".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Waiting to be sent (or resent).
    Pending,
    /// The server refused it; the operator decides what to do.
    Conflict { problem: Problem },
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// The command's id, sent as `Idempotency-Key`.
    pub id: Uuid,
    pub command: Command,
    pub label: String,
    pub queued_at: DateTime<Utc>,
    pub state: State,
    /// Sending attempts that reached no answer.
    pub attempts: u32,
    pub last_error: Option<String>,
}

pub struct Outbox {
    conn: Connection,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").finish_non_exhaustive()
    }
}

/// An outbox row as read: id, command, label, queued_at, state, attempts, last_error.
type Row = (String, String, String, String, String, u32, Option<String>);

const SELECT: &str = "SELECT id, command, label, queued_at, state, attempts, last_error FROM outbox";
/// A row this build cannot read (written by another version, or damaged): set aside, logged, and
/// no longer in the way of the commands behind it.
const DAMAGED: &str = r#"{"state":"damaged"}"#;
/// Answers from the server itself (5xx) before a command is held for the operator instead of
/// blocking the queue; network failures are retried for as long as it takes.
pub const SERVER_ERRORS_BEFORE_CONFLICT: u32 = 5;

impl Outbox {
    pub fn open(path: &Path) -> Result<Self, OutboxError> {
        let conn = crate::sqlite::open(path, |conn| {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            // An acknowledged command survives a power cut, not only a crash.
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS outbox (
                     pos        INTEGER PRIMARY KEY AUTOINCREMENT,
                     id         TEXT NOT NULL UNIQUE,
                     command    TEXT NOT NULL,
                     label      TEXT NOT NULL,
                     queued_at  TEXT NOT NULL,
                     state      TEXT NOT NULL,
                     attempts   INTEGER NOT NULL DEFAULT 0,
                     last_error TEXT
                 );",
            )
        })?;
        Ok(Self { conn })
    }

    /// Writes `command` to the queue (durably, before returning) and gives it its id.
    pub fn enqueue(&self, command: Command, label: &str, now: DateTime<Utc>) -> Result<Entry, OutboxError> {
        let entry = Entry {
            id: Uuid::now_v7(),
            command,
            label: label.to_owned(),
            queued_at: now,
            state: State::Pending,
            attempts: 0,
            last_error: None,
        };
        self.conn.execute(
            "INSERT INTO outbox (id, command, label, queued_at, state) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                entry.id.to_string(),
                serde_json::to_string(&entry.command)?,
                entry.label,
                entry.queued_at.to_rfc3339(),
                serde_json::to_string(&entry.state)?,
            ],
        )?;
        Ok(entry)
    }

    fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
    }

    fn decode(
        (id, command, label, queued_at, state, attempts, last_error): Row,
    ) -> Result<Entry, OutboxError> {
        Ok(Entry {
            id: id.parse().map_err(|e: uuid::Error| OutboxError::Decode(serde::de::Error::custom(e)))?,
            command: serde_json::from_str(&command)?,
            label,
            queued_at: DateTime::parse_from_rfc3339(&queued_at)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| OutboxError::Decode(serde::de::Error::custom(e)))?,
            state: serde_json::from_str(&state)?,
            attempts,
            last_error,
        })
    }

    /// Decodes `row`, setting it aside when it cannot be read.
    fn readable(&self, row: Row) -> Result<Option<Entry>, OutboxError> {
        let id = row.0.clone();
        match Self::decode(row) {
            Ok(e) => Ok(Some(e)),
            Err(error) => {
                tracing::error!(%id, %error, "unreadable outbox entry set aside");
                self.conn.execute("UPDATE outbox SET state = ?2 WHERE id = ?1", params![id, DAMAGED])?;
                Ok(None)
            }
        }
    }

    /// Everything in the queue, pending and in conflict, in the order it was issued.
    pub fn entries(&self) -> Result<Vec<Entry>, OutboxError> {
        let mut stmt = self.conn.prepare(&format!("{SELECT} WHERE state != ?1 ORDER BY pos"))?;
        let rows = stmt.query_map([DAMAGED], Self::row)?.collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::new();
        for row in rows {
            out.extend(self.readable(row)?);
        }
        Ok(out)
    }

    /// The oldest command still to be sent.
    pub fn next_pending(&self) -> Result<Option<Entry>, OutboxError> {
        loop {
            let row = self
                .conn
                .query_row(
                    &format!("{SELECT} WHERE state = ?1 ORDER BY pos LIMIT 1"),
                    [r#"{"state":"pending"}"#],
                    Self::row,
                )
                .optional()?;
            let Some(row) = row else { return Ok(None) };
            if let Some(entry) = self.readable(row)? {
                return Ok(Some(entry));
            }
        }
    }

    pub fn pending_count(&self) -> Result<usize, OutboxError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE state = ?1",
            [r#"{"state":"pending"}"#],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// The server applied it: it leaves the queue.
    pub fn delivered(&self, id: Uuid) -> Result<(), OutboxError> {
        self.conn.execute("DELETE FROM outbox WHERE id = ?1", [id.to_string()])?;
        Ok(())
    }

    /// The server refused it: kept for the operator to see.
    pub fn conflict(&self, id: Uuid, problem: &Problem) -> Result<(), OutboxError> {
        let state = serde_json::to_string(&State::Conflict { problem: problem.clone() })?;
        self.conn.execute("UPDATE outbox SET state = ?2 WHERE id = ?1", params![id.to_string(), state])?;
        Ok(())
    }

    /// An attempt that got no answer.
    pub fn failed_attempt(&self, id: Uuid, error: &str) -> Result<(), OutboxError> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            params![id.to_string(), error],
        )?;
        Ok(())
    }

    /// The operator saw the conflict and let the command go.
    pub fn discard(&self, id: Uuid) -> Result<(), OutboxError> {
        self.conn.execute("DELETE FROM outbox WHERE id = ?1", [id.to_string()])?;
        Ok(())
    }

    /// The operator saw the conflict and wants the command tried again: it goes to the end of the
    /// queue as a new command (a new id — the old one already has its answer on the server).
    pub fn retry(&self, id: Uuid, now: DateTime<Utc>) -> Result<Option<Entry>, OutboxError> {
        let Some(old) = self
            .conn
            .query_row(&format!("{SELECT} WHERE id = ?1"), [id.to_string()], Self::row)
            .optional()?
            .map(Self::decode)
            .transpose()?
        else {
            return Ok(None);
        };
        let entry = self.enqueue(old.command, &old.label, now)?;
        self.discard(id)?;
        Ok(Some(entry))
    }
}

/// What the sender reports.
#[derive(Debug, Clone)]
pub enum Update {
    /// The server applied the command (`replayed`: it had already, this is the first answer).
    Delivered { entry: Box<Entry>, answer: serde_json::Value, replayed: bool },
    /// The server refused the command; it stays in the queue as a conflict.
    Conflict { entry: Box<Entry>, problem: Box<Problem> },
    /// The server could not be reached; the queue waits `retry_in` (or a [`Notify`] wake).
    Waiting { pending: usize, reason: String, retry_in: Duration },
    /// The queue is empty.
    Idle,
    /// The session is no longer accepted; nothing more is sent until the operator logs in again.
    Unauthorized,
    /// The queue file cannot be used (disk full, damaged file); retried like the network.
    Failed(String),
}

/// How one send ended, as far as the queue is concerned.
enum Outcome {
    Delivered(serde_json::Value, bool),
    Refused(Problem),
    Retry(String),
    Unauthorized,
}

/// A refusal for an answer that is not a problem document (a proxy's error page).
fn unexpected(what: &str) -> Problem {
    Problem {
        type_uri: "about:blank".into(),
        title: "Resposta inesperada do servidor".into(),
        status: 0,
        detail: Some(format!("Resposta inesperada do servidor ({what}).")),
        code: "unexpected".into(),
        errors: Vec::new(),
    }
}

async fn send(api: &Api, entry: &Entry) -> Outcome {
    let (method, path, body) = match entry.command.request() {
        Ok(r) => r,
        Err(e) => return Outcome::Retry(e.to_string()),
    };
    match api.command(method, &path, &body, entry.id).await {
        Ok((answer, replayed)) => Outcome::Delivered(answer, replayed),
        Err(ApiError::Problem(p)) => match p.status {
            401 => Outcome::Unauthorized,
            // Still running from an earlier attempt, throttled, or the server in trouble: ask again.
            409 if p.detail.as_deref().is_some_and(|d| d.contains("sendo processado")) => {
                Outcome::Retry(p.detail.clone().unwrap_or_default())
            }
            408 | 429 => Outcome::Retry(p.title.clone()),
            // The server failed on it: retried a few times, then held for the operator rather
            // than blocking every command behind it.
            500.. if entry.attempts + 1 >= SERVER_ERRORS_BEFORE_CONFLICT => Outcome::Refused(*p),
            500.. => Outcome::Retry(p.detail.clone().unwrap_or_else(|| p.title.clone())),
            _ => Outcome::Refused(*p),
        },
        Err(ApiError::Decode(what)) => Outcome::Refused(unexpected(&what)),
        Err(e) => Outcome::Retry(e.to_string()),
    }
}

/// Sends the queue at `path` in order, forever: each command until the server answers it, then
/// the next. `wake` cuts a wait short (a new command, the live link back).
pub fn pump(api: Api, path: PathBuf, wake: Arc<Notify>) -> impl Stream<Item = Update> + Send + 'static {
    let (tx, rx) = mpsc::channel::<Update>(256);
    tokio::spawn(run(api, path, wake, tx));
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|u| (u, rx)) })
}

async fn run(api: Api, path: PathBuf, wake: Arc<Notify>, tx: mpsc::Sender<Update>) {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
    let mut outbox: Option<Outbox> = None;
    loop {
        let opened = match outbox.take() {
            Some(o) => Ok(o),
            None => Outbox::open(&path),
        };
        let next = opened.and_then(|o| {
            let next = o.next_pending();
            outbox = Some(o);
            next
        });
        let entry = match next {
            Ok(Some(e)) => e,
            Ok(None) => {
                if tx.send(Update::Idle).await.is_err() {
                    return;
                }
                wake.notified().await;
                continue;
            }
            Err(e) => {
                outbox = None;
                let retry_in = backoff.next_delay();
                if tx.send(Update::Failed(e.to_string())).await.is_err() {
                    return;
                }
                let _ = tokio::time::timeout(retry_in, wake.notified()).await;
                continue;
            }
        };
        // Owned across the send: a connection may move between threads but not be shared.
        let Some(o) = outbox.take() else { continue };
        let outcome = send(&api, &entry).await;
        let o = &*outbox.insert(o);
        let recorded = match outcome {
            Outcome::Delivered(answer, replayed) => {
                backoff.reset();
                let done = o.delivered(entry.id);
                let update = Update::Delivered { entry: Box::new(entry), answer, replayed };
                done.map(|()| Some(update))
            }
            Outcome::Refused(problem) => {
                backoff.reset();
                let done = o.conflict(entry.id, &problem);
                let update = Update::Conflict { entry: Box::new(entry), problem: Box::new(problem) };
                done.map(|()| Some(update))
            }
            Outcome::Unauthorized => {
                let _ = tx.send(Update::Unauthorized).await;
                return;
            }
            Outcome::Retry(reason) => {
                let retry_in = backoff.next_delay();
                let _ = o.failed_attempt(entry.id, &reason);
                let pending = o.pending_count().unwrap_or(1);
                if tx.send(Update::Waiting { pending, reason, retry_in }).await.is_err() {
                    return;
                }
                let _ = tokio::time::timeout(retry_in, wake.notified()).await;
                Ok(None)
            }
        };
        match recorded {
            Ok(Some(update)) => {
                if tx.send(update).await.is_err() {
                    return;
                }
            }
            Ok(None) => {}
            Err(e) => {
                // The server has it but the queue could not say so: sent again, the server
                // answers with the first answer, so nothing is doubled.
                tracing::error!(error = %e, "outbox not updated after an answer");
                outbox = None;
                let _ = tokio::time::timeout(backoff.next_delay(), wake.notified()).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atalaia_core::wire::AlarmAction;

    fn note(text: &str) -> Command {
        Command::AlarmAction { alarm: AlarmId::new(), action: AlarmAction::Note { text: text.into() } }
    }

    #[test]
    fn commands_come_back_in_order_after_a_reopen_and_conflicts_wait_for_the_operator() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("outbox.sqlite");
        let now = Utc::now();
        let ids: Vec<Uuid> = {
            let o = Outbox::open(&path).expect("open");
            (0..5)
                .map(|i| o.enqueue(note(&format!("n{i}")), "Observação", now).expect("enqueue").id)
                .collect()
        };
        let o = Outbox::open(&path).expect("reopen");
        let listed: Vec<Uuid> = o.entries().expect("entries").iter().map(|e| e.id).collect();
        assert_eq!(listed, ids, "issue order survives a restart");
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "UUIDv7 ids sort in issue order");
        assert_eq!(o.next_pending().expect("next").expect("some").id, ids[0]);

        o.delivered(ids[0]).expect("delivered");
        let problem = Problem {
            type_uri: "about:blank".into(),
            title: "Conflito".into(),
            status: 409,
            detail: Some("Alarme já assumido por Ana.".into()),
            code: "conflict".into(),
            errors: vec![],
        };
        o.conflict(ids[1], &problem).expect("conflict");
        o.failed_attempt(ids[2], "sem conexão").expect("attempt");
        assert_eq!(o.pending_count().expect("count"), 3);
        let next = o.next_pending().expect("next").expect("some");
        assert_eq!((next.id, next.attempts, next.last_error.as_deref()), (ids[2], 1, Some("sem conexão")));
        let all = o.entries().expect("entries");
        assert_eq!(all[0].state, State::Conflict { problem: problem.clone() }, "kept, not dropped");

        let again = o.retry(ids[1], now).expect("retry").expect("found");
        assert_ne!(again.id, ids[1], "a retried command is a new command");
        let order: Vec<Uuid> = o.entries().expect("entries").iter().map(|e| e.id).collect();
        assert_eq!(order, vec![ids[2], ids[3], ids[4], again.id]);
        o.discard(again.id).expect("discard");
        assert_eq!(o.pending_count().expect("count"), 3);
    }

    #[test]
    fn a_damaged_row_is_set_aside_and_does_not_block_the_queue() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("outbox.sqlite");
        let o = Outbox::open(&path).expect("open");
        o.enqueue(note("x"), "Observação", Utc::now()).expect("enqueue");
        let good = o.enqueue(note("y"), "Observação", Utc::now()).expect("enqueue");
        o.conn
            .execute("UPDATE outbox SET command = 'not json' WHERE id != ?1", [good.id.to_string()])
            .expect("damage");
        // Set aside (and logged): the command behind it is not held up.
        assert_eq!(o.next_pending().expect("next").map(|e| e.id), Some(good.id));
        assert_eq!(o.entries().expect("entries").len(), 1);
        let kept: i64 = o.conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0)).expect("count");
        assert_eq!(kept, 2, "the unreadable row is kept for whoever investigates");
    }
}

#[cfg(test)]
mod opening {
    use super::*;

    /// The console's window and its sender open the same queue at the same moment on a fresh file
    /// (CI failed once with "database is locked": two `CREATE TABLE IF NOT EXISTS` raced and the
    /// loser's stale snapshot was refused without waiting). Every opening must succeed.
    #[test]
    fn two_connections_opening_a_fresh_queue_at_once_both_succeed() {
        for round in 0..40 {
            let dir = tempfile::tempdir().expect("dir");
            let path = dir.path().join("outbox.sqlite");
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let (path, barrier) = (path.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        Outbox::open(&path).map(|o| o.pending_count())
                    })
                })
                .collect();
            for o in openers {
                let opened = o.join().expect("thread");
                assert!(matches!(opened, Ok(Ok(0))), "round {round}: {opened:?}");
            }
        }
    }
}
