//! The audit tab (RFS173, RFS174, III-2.17): the trail searched by text, user, kind of action,
//! address and route — newest first, each line with when, who, what, on what, from where and by
//! which route. For who may read the audit.

use super::{Event, muted};
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::format;
use atalaia_core::wire::{AuditEntry, AuditQuery};
use iced::widget::{Id, button, column, container, row, scrollable, text, text_input};
use iced::{Element, Fill, FillPortion, Task};

/// The text field (the cursor goes there when the tab opens).
pub const TEXT_ID: &str = "auditoria-texto";
/// How many lines a search brings.
const LIMIT: u32 = 200;

#[derive(Debug, Default)]
pub struct State {
    text: String,
    user: String,
    kind: String,
    ip: String,
    route: String,
    searching: bool,
    results: Option<Result<Vec<AuditEntry>, String>>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Text(String),
    User(String),
    Kind(String),
    Ip(String),
    Route(String),
    Search,
    /// The server's answer.
    Found(Result<Vec<AuditEntry>, String>),
}

impl State {
    pub fn focus() -> Task<Message> {
        iced::widget::operation::focus(Id::new(TEXT_ID))
    }

    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        match m {
            Message::Text(v) => self.text = v,
            Message::User(v) => self.user = v,
            Message::Kind(v) => self.kind = v,
            Message::Ip(v) => self.ip = v,
            Message::Route(v) => self.route = v,
            Message::Search if !self.searching => {
                let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
                let query = AuditQuery {
                    text: some(&self.text),
                    username: some(&self.user),
                    kind: some(&self.kind),
                    ip: some(&self.ip),
                    route: some(&self.route),
                    limit: Some(LIMIT),
                    ..AuditQuery::default()
                };
                self.searching = true;
                return (Task::none(), Some(Event::SearchAudit(Box::new(query))));
            }
            Message::Search => {}
            Message::Found(r) => {
                self.searching = false;
                self.results = Some(r);
            }
        }
        (Task::none(), None)
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let field = |label: &'static str,
                     hint: &'static str,
                     value: &'a str,
                     m: fn(String) -> Message,
                     width: u16| {
            column![
                text(label).size(theme::SMALL).color(theme::MUTED),
                text_input(hint, value)
                    .on_input(m)
                    .on_submit(Message::Search)
                    .size(theme::SMALL)
                    .padding([3, 6]),
            ]
            .spacing(2)
            .width(FillPortion(width))
        };
        let text_field = column![
            text("Texto").size(theme::SMALL).color(theme::MUTED),
            text_input("Nome, processo, placa, o que foi feito…", &self.text)
                .id(TEXT_ID)
                .on_input(Message::Text)
                .on_submit(Message::Search)
                .size(theme::SMALL)
                .padding([3, 6]),
        ]
        .spacing(2)
        .width(FillPortion(4));
        let search = button(text(if self.searching { "Buscando…" } else { "Buscar" }).size(theme::SMALL))
            .padding([4, 12])
            .style(button::primary)
            .on_press_maybe((!self.searching).then_some(Message::Search));
        let filters = row![
            text_field,
            field("Usuário", "login", &self.user, Message::User, 2),
            field("Tipo de ação", "person, zone, login…", &self.kind, Message::Kind, 2),
            field("Endereço IP", "10.0.0.5", &self.ip, Message::Ip, 2),
            field("Rota", "/persons", &self.route, Message::Route, 2),
            column![text(" ").size(theme::SMALL), search].spacing(2),
        ]
        .spacing(8);
        let body: Element<'a, Message> = match &self.results {
            None => {
                muted("Informe o que procurar e tecle Enter: os registros mais recentes primeiro.".into())
                    .into()
            }
            Some(Err(why)) => text(why.as_str()).size(theme::SMALL).color(theme::RED).into(),
            Some(Ok(rows)) if rows.is_empty() => muted("Nenhum registro encontrado.".into()).into(),
            Some(Ok(rows)) => {
                let header = row![
                    muted("Quando".into()).width(FillPortion(2)),
                    muted("Usuário".into()).width(FillPortion(2)),
                    muted("Ação".into()).width(FillPortion(2)),
                    muted("Detalhe".into()).width(FillPortion(6)),
                    muted("Origem".into()).width(FillPortion(2)),
                    muted("Rota".into()).width(FillPortion(4)),
                ]
                .spacing(8);
                let lines = column(rows.iter().map(|e| {
                    let detail = if e.target.is_empty() {
                        e.detail.clone()
                    } else {
                        format!("{} — {}", e.target, e.detail)
                    };
                    container(
                        row![
                            text(format::datetime(e.at, ctx.tz)).size(theme::SMALL).width(FillPortion(2)),
                            text(e.username.as_str()).size(theme::SMALL).width(FillPortion(2)),
                            text(e.action.as_str()).size(theme::SMALL).width(FillPortion(2)),
                            text(detail).size(theme::SMALL).width(FillPortion(6)),
                            text(e.origin.as_str()).size(theme::SMALL).width(FillPortion(2)),
                            text(e.route.as_str()).size(theme::SMALL).width(FillPortion(4)),
                        ]
                        .spacing(8),
                    )
                    .padding([3, 6])
                    .style(theme::row(false))
                    .into()
                }))
                .spacing(3);
                column![muted(format!("{} registro(s)", rows.len())), header, scrollable(lines).height(Fill)]
                    .spacing(6)
                    .into()
            }
        };
        column![filters, body].spacing(10).height(Fill).into()
    }
}
