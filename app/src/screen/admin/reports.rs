//! The reports tab (16.2.10, III-2.15): a report chosen by what it tells — events per monitored
//! person, per responsible supervisor, handling times, a person's track — for a period typed in
//! the site's time, saved as CSV or PDF where the operator's files go and opened with the
//! system's program; a track also shown on the map, played back over that period.

use super::{Event, muted};
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::reports::{ReportDraft, ReportKind, ReportRequest};
use atalaia_core::ids::PersonId;
use iced::widget::{Id, button, column, row, text, text_input};
use iced::{Element, Task};

/// The period's start (the cursor goes there when the tab opens).
pub const FROM_ID: &str = "relatorio-inicio";

/// What the dashboard does for this tab.
#[derive(Debug, Clone)]
pub enum Request {
    /// Fetch the report and save it as its file.
    Save(ReportRequest),
    /// Open a saved file with the system's program.
    Open(std::path::PathBuf),
    /// Back to the panel, the person's track over the period on the map.
    ShowTrack {
        person: PersonId,
        title: String,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    },
}

#[derive(Debug, Default)]
pub struct State {
    draft: ReportDraft,
    /// The name typed to find the person.
    who: String,
    busy: bool,
    error: Option<String>,
    saved: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Kind(ReportKind),
    From(String),
    To(String),
    Who(String),
    Person(PersonId),
    Save {
        pdf: bool,
    },
    Map,
    Open,
    /// The report saved (its path), or why not.
    Saved(Result<std::path::PathBuf, String>),
    /// The system's program could not open it.
    NotOpened(String),
}

impl State {
    pub fn focus() -> Task<Message> {
        iced::widget::operation::focus(Id::new(FROM_ID))
    }

    pub fn update(&mut self, m: Message, ctx: &Ctx<'_>) -> (Task<Message>, Option<Event>) {
        match m {
            Message::Kind(k) => {
                self.draft.kind = k;
                self.error = None;
            }
            Message::From(v) => self.draft.from = v,
            Message::To(v) => self.draft.to = v,
            Message::Who(v) => {
                self.who = v;
                self.draft.person = None;
            }
            Message::Person(p) => {
                self.draft.person = Some(p);
                self.who = ctx.model.persons.get(&p).map(|p| p.name.clone()).unwrap_or_default();
                self.error = None;
            }
            Message::Save { pdf } if !self.busy => match self.draft.request(ctx.tz, ctx.now, pdf) {
                Ok(request) => {
                    self.busy = true;
                    self.error = None;
                    self.saved = None;
                    return (Task::none(), Some(Event::Reports(Request::Save(request))));
                }
                Err(why) => self.error = Some(why),
            },
            Message::Save { .. } => {}
            Message::Map => {
                let Some(person) = self.draft.person else {
                    self.error = Some("Escolha o monitorado do trajeto.".into());
                    return (Task::none(), None);
                };
                match self.draft.period(ctx.tz, ctx.now) {
                    Ok((from, to)) => {
                        let title =
                            ctx.model.persons.get(&person).map_or_else(String::new, |p| p.name.clone());
                        let request = Request::ShowTrack { person, title, from, to };
                        return (Task::none(), Some(Event::Reports(request)));
                    }
                    Err(why) => self.error = Some(why),
                }
            }
            Message::Open => {
                if let Some(path) = self.saved.clone() {
                    return (Task::none(), Some(Event::Reports(Request::Open(path))));
                }
            }
            Message::Saved(r) => {
                self.busy = false;
                match r {
                    Ok(path) => self.saved = Some(path),
                    Err(why) => self.error = Some(why),
                }
            }
            Message::NotOpened(why) => self.error = Some(why),
        }
        (Task::none(), None)
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let kinds = ReportKind::ALL.into_iter().filter(|k| ctx.user.can(k.permission())).map(|k| {
            button(text(k.label()).size(theme::SMALL))
                .padding([3, 10])
                .style(theme::toggle(self.draft.kind == k))
                .on_press(Message::Kind(k))
                .into()
        });
        let kind = self.draft.kind;
        let mut col = column![
            text("Relatórios").size(theme::TITLE),
            row(kinds).spacing(6).wrap(),
            row![
                text("Período").size(theme::SMALL).width(90),
                text_input("Início: dd/mm/aaaa hh:mm", &self.draft.from)
                    .id(FROM_ID)
                    .on_input(Message::From)
                    .on_submit(Message::Save { pdf: true })
                    .size(theme::SMALL)
                    .padding([3, 6])
                    .width(220),
                text_input("Fim: vazio = agora", &self.draft.to)
                    .on_input(Message::To)
                    .on_submit(Message::Save { pdf: true })
                    .size(theme::SMALL)
                    .padding([3, 6])
                    .width(220),
            ]
            .spacing(8)
            .align_y(iced::Center),
        ]
        .spacing(10)
        .max_width(900);
        if kind.takes_person() {
            let hint =
                if kind.needs_person() { "Monitorado: digite o nome" } else { "Monitorado (vazio: todos)" };
            col = col.push(
                row![
                    text("Monitorado").size(theme::SMALL).width(90),
                    text_input(hint, &self.who)
                        .on_input(Message::Who)
                        .size(theme::SMALL)
                        .padding([3, 6])
                        .width(448),
                ]
                .spacing(8)
                .align_y(iced::Center),
            );
            if self.draft.person.is_none() {
                col = col.push(crate::form::person_choices(ctx.model, &self.who, |_| true, Message::Person));
            }
        }
        let mut actions = row![
            button(text("Salvar PDF").size(theme::SMALL))
                .padding([4, 12])
                .on_press_maybe((!self.busy).then_some(Message::Save { pdf: true })),
            button(text("Salvar CSV").size(theme::SMALL))
                .padding([4, 12])
                .style(button::secondary)
                .on_press_maybe((!self.busy).then_some(Message::Save { pdf: false })),
        ]
        .spacing(8);
        if kind == ReportKind::Track {
            actions = actions.push(
                button(text("Ver trajeto no mapa").size(theme::SMALL))
                    .padding([4, 12])
                    .style(button::secondary)
                    .on_press(Message::Map),
            );
        }
        col = col.push(actions);
        if self.busy {
            col = col.push(muted("Gerando o relatório…".into()));
        }
        if let Some(path) = &self.saved {
            col = col.push(
                row![
                    text(format!("Salvo em {}", path.display())).size(theme::SMALL).color(theme::GREEN),
                    button(text("Abrir").size(theme::SMALL))
                        .padding([2, 9])
                        .style(button::secondary)
                        .on_press(Message::Open),
                ]
                .spacing(8)
                .align_y(iced::Center),
            );
        }
        if let Some(why) = &self.error {
            col = col.push(text(why.as_str()).size(theme::SMALL).color(theme::RED));
        }
        col.into()
    }
}
