//! The occurrence's record as the regulation reads it (TDC-PROC 9, 10 and 12): a timeline of
//! everything that happened — the call, the regulation's changes with who and why, every phase of
//! every vehicle, the crew's care entries, photos shown, audio and video opened with the system's
//! player — the attendance report opened or saved, information appended after closure (RFS133),
//! and the conversation with the crew with its receipts and the configured questions (RFS044,
//! RFS045).
//!
//! A component of the regulation pane's detail: it asks its parent for what needs the network
//! through [`Event`]s and gets the answers back as [`Message`]s.

mod chat;
mod timeline;
mod transfer;

use crate::pane::Ctx;
use atalaia_client::ApiError;
use atalaia_client::record::{self, Folder, TransferDraft};
use atalaia_core::ids::{AttachmentId, DispatchId, MessageId, OccurrenceId};
use atalaia_core::samu::Occurrence;
use atalaia_core::samu::care::{self, AttachmentInfo, AttachmentKind, NewMessage, NewTransfer};
use iced::Task;
use iced::widget::image;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

pub use chat::DRAFT_ID;
pub use timeline::ADDENDUM_ID;

/// The key of the attendance report among the files being fetched.
pub const REPORT_KEY: &str = "relatorio.pdf";

/// Photos are shown at most this wide and tall (decoded once, kept scaled down).
pub const THUMB: u32 = 480;

/// How a photo stands: on its way, shown, or why it cannot be.
#[derive(Debug, Clone)]
pub enum Photo {
    Loading,
    Shown(image::Handle),
    Failed(String),
}

#[derive(Debug)]
pub struct State {
    id: OccurrenceId,
    /// The folder was asked for.
    asked: bool,
    folder: Option<Result<Folder, String>>,
    photos: HashMap<AttachmentId, Photo>,
    /// Read receipts asked for (sent once each).
    reading: HashSet<MessageId>,
    /// The message being written, and the id it goes with once sent (a resend after a lost answer
    /// is the same message).
    draft: String,
    sending: Option<(MessageId, String)>,
    /// The last message that failed, with its id: sending the same text again replays it.
    failed: Option<(MessageId, String)>,
    addendum: String,
    adding: bool,
    /// A victim being moved from one vehicle of the call to another (RFS053), and whether it is
    /// on its way to the server.
    transfer: TransferDraft,
    transferring: bool,
    /// A file being fetched (its label), so it is not asked twice.
    fetching: HashSet<String>,
    /// The answer to the last request: what was done, or why not.
    notice: Option<Result<String, String>>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<Folder, ApiError>),
    Photo(AttachmentId, Result<image::Handle, String>),
    Draft(String),
    Send,
    /// One of the configured questions and answers, sent as it is.
    Canned(String),
    Sent(Result<care::Message, ApiError>),
    Marked(Result<care::Message, ApiError>),
    Addendum(String),
    Append,
    Appended(Result<Box<Occurrence>, ApiError>),
    /// The attendance report: opened with the PDF viewer, or only saved.
    Report {
        open: bool,
    },
    /// An attachment: opened with the system's viewer or player, or only saved.
    File(AttachmentInfo, bool),
    /// Where a file was saved and whether it was opened, or why not.
    Saved(String, Result<(PathBuf, bool), String>),
    TransferVictim(u32),
    TransferFrom(DispatchId),
    TransferTo(DispatchId),
    TransferReason(String),
    Transfer,
    Transferred(Result<Box<Occurrence>, ApiError>),
}

/// What the parent must do.
#[derive(Debug, Clone)]
pub enum Event {
    Load(OccurrenceId),
    Photos(OccurrenceId, Vec<AttachmentInfo>),
    Send(OccurrenceId, NewMessage),
    Read(OccurrenceId, Vec<MessageId>),
    Append(OccurrenceId, String),
    Transfer(OccurrenceId, NewTransfer),
    Report {
        id: OccurrenceId,
        number: String,
        open: bool,
    },
    File {
        id: OccurrenceId,
        number: String,
        info: AttachmentInfo,
        open: bool,
    },
    /// The server's answer to an addendum or a transfer: show it now.
    Updated(Box<Occurrence>),
}

impl State {
    /// The record of `id`; its folder is the first thing [`State::due`] asks for.
    pub fn new(id: OccurrenceId) -> Self {
        Self {
            id,
            asked: false,
            folder: None,
            photos: HashMap::new(),
            reading: HashSet::new(),
            draft: String::new(),
            sending: None,
            failed: None,
            addendum: String::new(),
            adding: false,
            transfer: TransferDraft::default(),
            transferring: false,
            fetching: HashSet::new(),
            notice: None,
        }
    }

    pub fn update(&mut self, message: Message, ctx: &Ctx<'_>) -> (Task<Message>, Option<Event>) {
        // The receiving vehicle is the last choice of a transfer: the reason is typed next.
        let task = if matches!(message, Message::TransferTo(_)) {
            iced::widget::operation::focus(iced::widget::Id::new(transfer::REASON_ID))
        } else {
            Task::none()
        };
        let event = self.handle(message, ctx);
        (task, event)
    }

    fn handle(&mut self, message: Message, ctx: &Ctx<'_>) -> Option<Event> {
        match message {
            Message::Loaded(r) => self.folder = Some(r.map_err(|e| e.user_message())),
            Message::Photo(id, r) => {
                self.photos.insert(id, r.map_or_else(Photo::Failed, Photo::Shown));
            }
            Message::Draft(s) => {
                if self.sending.is_none() {
                    self.draft = s;
                }
            }
            Message::Send => {
                let text = self.draft.trim().to_owned();
                return self.send(text, false);
            }
            Message::Canned(text) => return self.send(text, true),
            Message::Sent(r) => {
                let (id, text) = self.sending.take()?;
                match r {
                    Ok(m) => {
                        if self.draft.trim() == text {
                            self.draft.clear();
                        }
                        self.notice = None;
                        self.keep(m);
                    }
                    // The text stays in the field: nothing typed is lost; sending again is the
                    // same message.
                    Err(e) => {
                        self.notice = Some(Err(e.user_message()));
                        self.failed = Some((id, text));
                    }
                }
            }
            Message::Marked(r) => match r {
                Ok(m) => self.keep(m),
                Err(e) => tracing::warn!(error = %e, "read receipt not recorded"),
            },
            Message::Addendum(s) => {
                if !self.adding {
                    self.addendum = s;
                }
            }
            Message::Append => {
                let text = self.addendum.trim().to_owned();
                if text.is_empty() {
                    self.notice = Some(Err(timeline::ADDENDUM_EMPTY.to_owned()));
                    return None;
                }
                if self.adding {
                    return None;
                }
                self.adding = true;
                self.notice = None;
                return Some(Event::Append(self.id, text));
            }
            Message::Appended(r) => {
                self.adding = false;
                return match r {
                    Ok(o) => {
                        self.addendum.clear();
                        self.notice = Some(Ok(timeline::ADDENDUM_DONE.to_owned()));
                        Some(Event::Updated(o))
                    }
                    Err(e) => {
                        self.notice = Some(Err(e.user_message()));
                        None
                    }
                };
            }
            Message::Report { open } => {
                let number = ctx.model.occurrences.get(&self.id)?.number.clone();
                if !self.fetching.insert(REPORT_KEY.to_owned()) {
                    return None;
                }
                self.notice = Some(Ok(timeline::FETCHING.to_owned()));
                return Some(Event::Report { id: self.id, number, open });
            }
            Message::File(info, open) => {
                let number = ctx.model.occurrences.get(&self.id)?.number.clone();
                // Only a photo, audio, video or PDF goes to the system's viewer; the rest is saved.
                let open = open && record::openable(&info);
                if !self.fetching.insert(info.id.to_string()) {
                    return None;
                }
                self.notice = Some(Ok(timeline::FETCHING.to_owned()));
                return Some(Event::File { id: self.id, number, info, open });
            }
            Message::TransferVictim(v) => self.transfer.victim = Some(v),
            Message::TransferFrom(d) => self.transfer.from = Some(d),
            Message::TransferTo(d) => self.transfer.to = Some(d),
            Message::TransferReason(r) => {
                if !self.transferring {
                    self.transfer.reason = r;
                }
            }
            Message::Transfer => {
                let o = ctx.model.occurrences.get(&self.id)?;
                if self.transferring {
                    return None;
                }
                let dispatches = record::dispatches(ctx.model, self.id, self.loaded_dispatches());
                match self.transfer.to_new(o, &dispatches) {
                    Ok(new) => {
                        self.transferring = true;
                        self.notice = None;
                        return Some(Event::Transfer(self.id, new));
                    }
                    Err(why) => self.notice = Some(Err(why)),
                }
            }
            Message::Transferred(r) => {
                self.transferring = false;
                return match r {
                    Ok(o) => {
                        self.transfer = TransferDraft::default();
                        self.notice = Some(Ok(transfer::DONE.to_owned()));
                        Some(Event::Updated(o))
                    }
                    Err(e) => {
                        self.notice = Some(Err(e.user_message()));
                        None
                    }
                };
            }
            Message::Saved(what, r) => {
                self.fetching.remove(&what);
                self.notice = Some(match r {
                    Ok((path, opened)) => Ok(timeline::saved(&path.display().to_string(), opened)),
                    Err(e) => Err(e),
                });
            }
        }
        None
    }

    /// Sends a message to the crew, once at a time; a resend of what failed keeps its id.
    fn send(&mut self, text: String, canned: bool) -> Option<Event> {
        if text.is_empty() || self.sending.is_some() {
            return None;
        }
        let id = match self.failed.take() {
            Some((id, t)) if t == text => id,
            _ => MessageId::new(),
        };
        self.sending = Some((id, text.clone()));
        Some(Event::Send(self.id, NewMessage { id: Some(id), text, canned }))
    }

    fn loaded_dispatches(&self) -> &[atalaia_core::samu::Dispatch] {
        match &self.folder {
            Some(Ok(f)) => &f.dispatches,
            _ => &[],
        }
    }

    /// A message as the server answered it, kept in the folder (the feed brings it too).
    fn keep(&mut self, m: care::Message) {
        if let Some(Ok(folder)) = &mut self.folder {
            match folder.messages.iter_mut().find(|k| k.id == m.id) {
                Some(k) => *k = m,
                None => folder.messages.push(m),
            }
        }
    }

    /// What the record needs now, asked for once: its folder, photos not fetched yet, then the read receipts
    /// of the crew's messages while the conversation is in view.
    pub fn due(&mut self, ctx: &Ctx<'_>, chat_in_view: bool) -> Option<Event> {
        if !self.asked {
            self.asked = true;
            return Some(Event::Load(self.id));
        }
        let o = ctx.model.occurrences.get(&self.id)?;
        let photos: Vec<AttachmentInfo> = o
            .attachments
            .iter()
            .filter(|a| a.kind == AttachmentKind::Photo && !self.photos.contains_key(&a.id))
            .cloned()
            .collect();
        if !photos.is_empty() {
            for p in &photos {
                self.photos.insert(p.id, Photo::Loading);
            }
            return Some(Event::Photos(self.id, photos));
        }
        if !chat_in_view || !may_write_to_crew(ctx) {
            return None;
        }
        let Some(Ok(folder)) = &self.folder else { return None };
        let live = ctx.model.messages.get(&self.id).map_or(&[][..], Vec::as_slice);
        let unread: Vec<MessageId> = record::unread_from_crew(&record::conversation(&folder.messages, live))
            .into_iter()
            .filter(|id| !self.reading.contains(id))
            .collect();
        if unread.is_empty() {
            return None;
        }
        self.reading.extend(unread.iter().copied());
        Some(Event::Read(self.id, unread))
    }

    /// Read the folder again at the next [`State::due`] (what is shown stays until it arrives).
    pub fn reload(&mut self) {
        self.asked = false;
    }

    /// Crew messages not read at the central yet (the tab's count).
    pub fn unread(&self, ctx: &Ctx<'_>) -> usize {
        let loaded = match &self.folder {
            Some(Ok(f)) => f.messages.as_slice(),
            _ => &[],
        };
        let live = ctx.model.messages.get(&self.id).map_or(&[][..], Vec::as_slice);
        record::unread_from_crew(&record::conversation(loaded, live)).len()
    }
}

/// Whether this user writes to the crew and sends read receipts: the regulation does (the server
/// refuses the others).
pub(crate) fn may_write_to_crew(ctx: &Ctx<'_>) -> bool {
    use atalaia_core::auth::Permission;
    ctx.user.can(Permission::OccurrenceRegulate) || ctx.user.can(Permission::CrewAct)
}

/// Whether this user may append to the record (RFS133): who takes, regulates or dispatches calls.
pub(crate) fn may_append(ctx: &Ctx<'_>) -> bool {
    use atalaia_core::auth::Permission;
    [
        Permission::OccurrenceCreate,
        Permission::OccurrenceRegulate,
        Permission::OccurrenceDispatch,
        Permission::CrewAct,
    ]
    .into_iter()
    .any(|p| ctx.user.can(p))
}

/// A field and the button that sends it: Enter sends too; while it is on its way the button says so
/// and waits.
fn send_row<'a>(
    field: iced::widget::TextInput<'a, Message>,
    label: &'a str,
    send: Message,
    sending: bool,
) -> iced::Element<'a, Message> {
    use iced::widget::{button, row, text};
    row![
        field.on_submit(send.clone()).size(crate::theme::TEXT).width(iced::Fill),
        button(text(if sending { crate::text::SENDING } else { label }).size(crate::theme::SMALL))
            .padding([4, 10])
            .on_press_maybe((!sending).then_some(send)),
    ]
    .spacing(8)
    .align_y(iced::Center)
    .into()
}

/// A photo as the record shows it: decoded and scaled to fit [`THUMB`].
pub fn thumbnail(bytes: &[u8]) -> Result<image::Handle, String> {
    let picture = ::image::load_from_memory(bytes).map_err(|e| timeline::photo_unreadable(&e.to_string()))?;
    let small = picture.thumbnail(THUMB, THUMB).to_rgba8();
    let (w, h) = small.dimensions();
    Ok(image::Handle::from_rgba(w, h, small.into_raw()))
}

#[cfg(test)]
mod tests;
