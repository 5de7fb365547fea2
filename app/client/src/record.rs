//! The occurrence's record ("ficha") as the central reads it (TDC-PROC 9, 10 and 12; RFS044–049,
//! RFS055, RFS125, RFS133): everything that happened to a call in time order — the call, the
//! regulation's changes, every phase of every vehicle sent, the crew's care entries, photos, audio
//! and video, the conversation with the crew, closure and what was appended after it — and the
//! files the operator takes from it (the attendance report, an attachment), saved where the
//! operator finds them and opened with the system's own viewer or player.

use crate::api::{Api, ApiError};
use crate::model::LiveModel;
use atalaia_core::ids::DispatchId;
use atalaia_core::ids::{MessageId, OccurrenceId};
use atalaia_core::samu::care::{
    AttachmentInfo, CareRecord, Consent, CrewAlertRecord, Message, NewTransfer, Transfer,
};
use atalaia_core::samu::{Addendum, Change, Closure, Dispatch, Occurrence};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[cfg(test)]
mod tests;

/// What the record shows beyond the live occurrence: every dispatch it had (ended ones too), the
/// conversation with the crews, and the configured questions and answers (RFS044).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Folder {
    pub dispatches: Vec<Dispatch>,
    pub messages: Vec<Message>,
    pub canned: Vec<String>,
}

/// Reads the occurrence's folder from the server.
pub async fn load(api: &Api, id: OccurrenceId) -> Result<Folder, ApiError> {
    let dispatches = format!("/dispatches?occurrence_id={id}");
    let messages = format!("/occurrences/{id}/messages");
    let (d, m, c) = tokio::join!(
        api.get(&dispatches),
        api.get(&messages),
        api.get::<Vec<String>>("/samu/canned-messages")
    );
    Ok(Folder { dispatches: d?, messages: m?, canned: c? })
}

/// A phase of a dispatch, as stamped by the server (RFS055).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Committed,
    /// The crew confirmed it got the assignment (TDC-PROC 7).
    Acknowledged,
    EnRoute,
    OnScene,
    Transporting,
    AtDestination,
    StretcherRetained,
    Released,
    AtBase,
}

/// One line of the record.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry<'a> {
    /// The call was answered (or, without a call timer, registered).
    Call(&'a Occurrence),
    /// The TARM passed it to the regulation.
    HandedOff,
    Change(&'a Change),
    Phase(&'a Dispatch, Phase),
    Care(&'a CareRecord),
    Attachment(&'a AttachmentInfo),
    Message(&'a Message),
    CrewAlert(&'a CrewAlertRecord),
    Transfer(&'a Transfer),
    Consent(&'a Consent),
    Closure(&'a Closure),
    Addendum(&'a Addendum),
}

/// Everything that happened to the occurrence, oldest first; what happened at the same instant
/// keeps the order of the list above (the call before its changes, a phase before what the crew
/// recorded in it).
pub fn timeline<'a>(
    o: &'a Occurrence,
    dispatches: &'a [Dispatch],
    messages: &[&'a Message],
) -> Vec<(DateTime<Utc>, Entry<'a>)> {
    let mut v: Vec<(DateTime<Utc>, Entry<'a>)> =
        vec![(o.call_started_at.unwrap_or(o.created_at), Entry::Call(o))];
    if let Some(at) = o.handed_off_at {
        v.push((at, Entry::HandedOff));
    }
    v.extend(o.history.iter().map(|c| (c.at, Entry::Change(c))));
    for d in dispatches {
        v.extend(phases(d).into_iter().map(|(at, p)| (at, Entry::Phase(d, p))));
    }
    v.extend(o.records.iter().map(|r| (r.at, Entry::Care(r))));
    v.extend(o.attachments.iter().map(|a| (a.at, Entry::Attachment(a))));
    v.extend(messages.iter().map(|m| (m.sent_at, Entry::Message(m))));
    v.extend(o.crew_alerts.iter().map(|a| (a.at, Entry::CrewAlert(a))));
    v.extend(o.transfers.iter().map(|t| (t.at, Entry::Transfer(t))));
    v.extend(o.consents.iter().map(|c| (c.at, Entry::Consent(c))));
    v.extend(o.closure.iter().map(|c| (c.at, Entry::Closure(c))));
    v.extend(o.addenda.iter().map(|a| (a.at, Entry::Addendum(a))));
    // Stable: equal times keep the order they were pushed in.
    v.sort_by_key(|(at, _)| *at);
    v
}

/// The phases a dispatch went through, in order, with when each began (RFS051, RFS055).
pub fn phases(d: &Dispatch) -> Vec<(DateTime<Utc>, Phase)> {
    let t = &d.times;
    [
        (Some(d.committed_at), Phase::Committed),
        (t.acknowledged, Phase::Acknowledged),
        (t.en_route, Phase::EnRoute),
        (t.on_scene, Phase::OnScene),
        (t.transporting, Phase::Transporting),
        (t.at_destination, Phase::AtDestination),
        (t.stretcher_retained, Phase::StretcherRetained),
        (t.released, Phase::Released),
        (t.at_base, Phase::AtBase),
    ]
    .into_iter()
    .filter_map(|(at, p)| at.map(|at| (at, p)))
    .collect()
}

/// When the crew's tablet says `phase` began, for a report that reached the server late (it
/// was without signal; `None` when the server's stamp is the crew's time).
pub fn reported_at(d: &Dispatch, phase: Phase) -> Option<DateTime<Utc>> {
    let r = &d.reported;
    match phase {
        Phase::Committed => None,
        Phase::Acknowledged => r.acknowledged,
        Phase::EnRoute => r.en_route,
        Phase::OnScene => r.on_scene,
        Phase::Transporting => r.transporting,
        Phase::AtDestination => r.at_destination,
        Phase::StretcherRetained => r.stretcher_retained,
        Phase::Released => r.released,
        Phase::AtBase => r.at_base,
    }
}

/// Every dispatch of the occurrence, first committed first: what the feed brought since the
/// folder was read wins over the folder (a phase stamped, a vehicle released).
pub fn dispatches(model: &LiveModel, id: OccurrenceId, loaded: &[Dispatch]) -> Vec<Dispatch> {
    let live = model.dispatches.values().chain(model.ended_dispatches.values());
    let by_id: HashMap<_, &Dispatch> =
        loaded.iter().chain(live).filter(|d| d.occurrence_id == id).map(|d| (d.id, d)).collect();
    let mut v: Vec<Dispatch> = by_id.into_values().cloned().collect();
    v.sort_by_key(|d| (d.committed_at, d.id.to_string()));
    v
}

/// The conversation of the occurrence, oldest first: the folder's messages and the ones the feed
/// brought, each once; of two copies of one message, the one that says it was read.
pub fn conversation<'a>(loaded: &'a [Message], live: &'a [Message]) -> Vec<&'a Message> {
    let mut by_id: HashMap<MessageId, &Message> = HashMap::new();
    for m in loaded.iter().chain(live) {
        by_id
            .entry(m.id)
            .and_modify(|kept| {
                if kept.read_at.is_none() {
                    *kept = m;
                }
            })
            .or_insert(m);
    }
    let mut v: Vec<&Message> = by_id.into_values().collect();
    v.sort_by_key(|m| (m.sent_at, m.id.to_string()));
    v
}

/// A victim moved from one vehicle of the call to another (RFS053), as the fleet controller
/// chooses it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransferDraft {
    pub victim: Option<u32>,
    pub from: Option<DispatchId>,
    pub to: Option<DispatchId>,
    pub reason: String,
}

impl TransferDraft {
    /// The victims a transfer may name: those registered, or the one implied when none was.
    pub fn victims(o: &Occurrence) -> Vec<u32> {
        if o.victims.is_empty() { vec![1] } else { o.victims.iter().map(|v| v.number).collect() }
    }

    /// What goes to the server, or what is missing, in Portuguese. `dispatches` are the call's.
    pub fn to_new(&self, o: &Occurrence, dispatches: &[Dispatch]) -> Result<NewTransfer, String> {
        let victim = self.victim.ok_or("Escolha a vítima transferida.")?;
        if !Self::victims(o).contains(&victim) {
            return Err(format!("A ocorrência não tem a vítima {victim}."));
        }
        let from = self.from.ok_or("Escolha a viatura de onde a vítima sai.")?;
        let to = self.to.ok_or("Escolha a viatura que recebe a vítima.")?;
        if from == to {
            return Err("A vítima passa para outra viatura: escolha duas diferentes.".into());
        }
        let find = |id| dispatches.iter().find(|d| d.id == id && d.occurrence_id == o.id);
        if find(from).is_none() {
            return Err("A viatura de origem não está nesta ocorrência.".into());
        }
        if !find(to).is_some_and(|d| d.active) {
            return Err("A viatura que recebe a vítima deve estar empenhada nesta ocorrência.".into());
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            return Err("Diga o motivo da transferência.".into());
        }
        Ok(NewTransfer { victim, from_dispatch: from, to_dispatch: to, reason: reason.to_owned() })
    }
}

/// The crew's messages nobody at the central has read yet: reading the conversation sends their
/// read receipts (RFS045).
pub fn unread_from_crew(messages: &[&Message]) -> Vec<MessageId> {
    messages.iter().filter(|m| m.from_crew() && m.read_at.is_none()).map(|m| m.id).collect()
}

/// Where the console saves the files an operator takes away, and what opens them.
#[derive(Debug, Clone, PartialEq)]
pub struct Files {
    /// By default `ATALAIA_DOCUMENTS` when set, else an `Atalaia` folder in the user's downloads,
    /// else one in the temporary directory.
    pub dir: PathBuf,
    /// The program that opens a saved file (`ATALAIA_OPEN_WITH`); by default the system's own
    /// choice for its kind — the PDF viewer, the media player.
    pub open_with: Option<PathBuf>,
}

impl Default for Files {
    fn default() -> Self {
        let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let dir = env("ATALAIA_DOCUMENTS").unwrap_or_else(|| {
            directories::UserDirs::new()
                .and_then(|u| u.download_dir().map(Path::to_path_buf))
                .unwrap_or_else(std::env::temp_dir)
                .join("Atalaia")
        });
        Self { dir, open_with: env("ATALAIA_OPEN_WITH") }
    }
}

impl Files {
    /// Writes `bytes` as `name` in [`Files::dir`], whole or not at all (written aside, then
    /// renamed), and answers the path.
    pub fn save(&self, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(name);
        let part = self.dir.join(format!(".{name}.parcial"));
        std::fs::write(&part, bytes)?;
        std::fs::rename(&part, &path)?;
        Ok(path)
    }

    /// Opens a saved file with [`Files::open_with`] or the system's choice. Does not wait for it.
    pub fn open(&self, path: &Path) -> std::io::Result<()> {
        let mut command = match &self.open_with {
            Some(program) => std::process::Command::new(program),
            // Explorer opens a file with its associated program; no shell parses the path.
            None if cfg!(windows) => std::process::Command::new("explorer"),
            None if cfg!(target_os = "macos") => std::process::Command::new("open"),
            None => std::process::Command::new("xdg-open"),
        };
        let mut child = command
            .arg(path)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        // Reaped when it ends, so no zombie stays behind while the console runs.
        std::thread::spawn(move || child.wait());
        Ok(())
    }
}

/// A file name safe on every system: letters, digits, `.`, `-` and `_`; the rest becomes `_`.
pub fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() { "arquivo".to_owned() } else { cleaned.to_owned() }
}

/// The attendance report's file: `ocorrencia-2026-000123.pdf`.
pub fn report_name(number: &str) -> String {
    safe_name(&format!("ocorrencia-{number}.pdf"))
}

/// The file extension a crew's attachment is saved with, from what it is: only kinds a viewer or
/// a player shows (never one the system would run, whatever the uploader named the file).
fn extension(info: &AttachmentInfo) -> Option<&'static str> {
    use atalaia_core::samu::care::AttachmentKind::*;
    let ct = info.content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let ext = match ct.as_str() {
        "image/jpeg" | "image/jpg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "audio/wav" | "audio/x-wav" | "audio/wave" => "wav",
        "audio/mpeg" => "mp3",
        "audio/ogg" => "ogg",
        "audio/webm" => "weba",
        "audio/mp4" | "audio/x-m4a" | "audio/aac" => "m4a",
        "video/mp4" => "mp4",
        "video/webm" => "webm",
        "video/quicktime" => "mov",
        "application/pdf" => "pdf",
        _ => return None,
    };
    let fits = match info.kind {
        Photo => ct.starts_with("image/"),
        Audio => ct.starts_with("audio/"),
        Video => ct.starts_with("video/"),
        Document => ct == "application/pdf",
    };
    fits.then_some(ext)
}

/// Whether the console may hand the attachment to the system's viewer or player: a photo, an
/// audio, a video or a PDF of a known type. Anything else is only saved.
pub fn openable(info: &AttachmentInfo) -> bool {
    extension(info).is_some()
}

/// An attachment's file: its occurrence, the start of its id (two files of one name never
/// overwrite each other), its name, and an extension from its type (`.bin` when unknown).
pub fn attachment_name(number: &str, info: &AttachmentInfo) -> String {
    let id = info.id.to_string();
    let stem = std::path::Path::new(&info.name).file_stem().map(|s| s.to_string_lossy().into_owned());
    let stem = stem.filter(|s| !s.is_empty()).unwrap_or_else(|| "anexo".to_owned());
    let ext = extension(info).unwrap_or("bin");
    safe_name(&format!("{number}-{}-{stem}.{ext}", &id[id.len().saturating_sub(8)..]))
}

/// The attendance report for the destination unit (TDC-PROC 12), as the server renders it.
pub async fn report(api: &Api, id: OccurrenceId) -> Result<Vec<u8>, ApiError> {
    api.get_bytes(&format!("/occurrences/{id}/report.pdf")).await
}

/// The bytes of an attachment.
pub async fn attachment(api: &Api, info: &AttachmentInfo) -> Result<Vec<u8>, ApiError> {
    api.get_bytes(&format!("/attachments/{}", info.id)).await
}
