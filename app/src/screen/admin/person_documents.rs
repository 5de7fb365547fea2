//! Documents on a person's record (8.11.1–8.11.4): the court decisions that order or lift the
//! monitoring, the signed term, letters and service orders — listed newest first with who
//! attached them, each opened with the system's viewer (a copy saved in the documents folder),
//! and attached by who may write people: a type, a title and the file (typed, or a PDF dropped
//! on the window).

use super::muted;
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::documents::{self, Draft};
use atalaia_core::auth::Permission;
use atalaia_core::ids::PersonId;
use atalaia_core::monitoring::documents::{DocumentKind, DocumentRef, NewDocument};
use iced::widget::{button, column, row, text, text_input};
use iced::{Element, Fill};

/// The document title field.
pub const TITLE_ID: &str = "documento-titulo";

/// What the file field asks for.
const PATH_HINT: &str = "Arquivo (PDF, JPEG ou PNG) — ou arraste um PDF";

#[derive(Debug, Clone)]
pub enum Message {
    Kind(DocumentKind),
    Title(String),
    Path(String),
    Attach,
    Open(Box<DocumentRef>),
    /// The server's list of the person's documents.
    Loaded(PersonId, Result<Vec<DocumentRef>, String>),
    /// The server's answer to a document attached for the person.
    Attached(PersonId, Result<DocumentRef, String>),
    /// A copy saved (and handed to the viewer), or why not.
    Opened(Result<String, String>),
}

/// What the dashboard must ask of the server or the system.
#[derive(Debug, Clone)]
pub enum Request {
    Load(PersonId),
    Attach(PersonId, NewDocument, std::path::PathBuf),
    Open(PersonId, Box<DocumentRef>),
}

#[derive(Debug, Default)]
pub struct Documents {
    person: Option<PersonId>,
    list: Option<Result<Vec<DocumentRef>, String>>,
    draft: Draft,
    sending: bool,
    /// The last attaching's or opening's outcome: done (`Ok`) or why not.
    note: Option<Result<String, String>>,
}

impl Documents {
    /// Shows `person`'s documents from now on (the list is asked again), keeping a file being
    /// sent and its form.
    pub fn show(&mut self, person: PersonId) -> Option<Request> {
        if self.person != Some(person) && !self.sending {
            self.draft = Draft::default();
            self.note = None;
        }
        self.person = Some(person);
        self.list = None;
        Some(Request::Load(person))
    }

    /// A PDF dropped on the window becomes the file to attach.
    pub fn dropped(&mut self, path: &std::path::Path) {
        if !self.sending {
            self.draft.path = path.display().to_string();
            self.note = None;
        }
    }

    pub fn update(&mut self, m: Message, ctx: &Ctx<'_>) -> Option<Request> {
        match m {
            Message::Kind(k) if !self.sending => self.draft.kind = Some(k),
            Message::Title(v) if !self.sending => self.draft.title = v,
            Message::Path(v) if !self.sending => self.draft.path = v,
            Message::Kind(_) | Message::Title(_) | Message::Path(_) => {}
            Message::Attach if !self.sending && ctx.user.can(Permission::PersonWrite) => {
                let person = self.person?;
                match self.draft.check() {
                    Ok((doc, path)) => {
                        self.sending = true;
                        self.note = None;
                        return Some(Request::Attach(person, doc, path));
                    }
                    Err(why) => self.note = Some(Err(why)),
                }
            }
            Message::Attach => {}
            Message::Open(doc) => {
                self.note = None;
                return Some(Request::Open(self.person?, doc));
            }
            Message::Loaded(person, list) if self.person == Some(person) => self.list = Some(list),
            Message::Loaded(..) => {}
            Message::Attached(person, result) => {
                self.sending = false;
                if self.person == Some(person) {
                    match result {
                        Ok(doc) => {
                            self.note = Some(Ok(format!("Documento anexado: {}.", doc.title)));
                            self.draft = Draft::default();
                            return Some(Request::Load(person));
                        }
                        Err(why) => self.note = Some(Err(why)),
                    }
                }
            }
            Message::Opened(result) => self.note = Some(result),
        }
        None
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let mut col = column![text("Documentos").size(theme::TEXT)].spacing(4);
        match &self.list {
            None => col = col.push(muted("Carregando documentos…".into())),
            Some(Err(why)) => col = col.push(text(why.as_str()).size(theme::SMALL).color(theme::RED)),
            Some(Ok(list)) if list.is_empty() => col = col.push(muted("Nenhum documento anexado.".into())),
            Some(Ok(list)) => {
                for d in list {
                    col = col.push(
                        row![
                            text(documents::line(d, ctx.tz)).size(theme::SMALL).width(Fill),
                            button(text("Abrir").size(theme::SMALL))
                                .padding([2, 8])
                                .style(button::secondary)
                                .on_press(Message::Open(Box::new(d.clone()))),
                        ]
                        .spacing(6)
                        .align_y(iced::Center),
                    );
                }
            }
        }
        if ctx.user.can(Permission::PersonWrite) {
            let enabled = !self.sending;
            let kinds = DocumentKind::ALL.into_iter().map(|k| {
                button(text(k.label()).size(theme::SMALL))
                    .padding([2, 8])
                    .style(theme::toggle(self.draft.kind == Some(k)))
                    .on_press_maybe(enabled.then_some(Message::Kind(k)))
                    .into()
            });
            let title = text_input("Título (ex.: Decisão de inclusão, 12/03/2026)", &self.draft.title)
                .id(TITLE_ID)
                .on_input_maybe(enabled.then_some(Message::Title))
                .size(theme::SMALL)
                .padding([3, 6]);
            let path = text_input(PATH_HINT, &self.draft.path)
                .on_input_maybe(enabled.then_some(Message::Path))
                .on_submit(Message::Attach)
                .size(theme::SMALL)
                .padding([3, 6]);
            let attach =
                button(text(if self.sending { "Anexando…" } else { "Anexar documento" }).size(theme::SMALL))
                    .padding([3, 9])
                    .style(button::secondary)
                    .on_press_maybe(enabled.then_some(Message::Attach));
            col = col.push(row(kinds).spacing(6).wrap());
            col = col.push(title);
            col = col.push(row![path, attach].spacing(6).align_y(iced::Center));
        }
        match &self.note {
            Some(Ok(done)) => col = col.push(text(done.as_str()).size(theme::SMALL).color(theme::GREEN)),
            Some(Err(why)) => col = col.push(text(why.as_str()).size(theme::SMALL).color(theme::RED)),
            None => {}
        }
        col.into()
    }
}
