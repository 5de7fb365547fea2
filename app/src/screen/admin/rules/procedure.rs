//! The procedure form (III-2.11, III-2.25): the alarm kind and the group it is for (fixed once
//! saved: another kind or group is another procedure), then its steps — typed one per line with
//! Enter, moved up, removed — in the order operators will tick them.

use super::{Outcome, group_choices, muted, status};
use crate::theme;
use atalaia_client::rules::ProcedureDraft;
use atalaia_core::alarm::{AlarmKind, Domain};
use atalaia_core::wire::NewProcedure;
use iced::widget::{Id, button, column, row, text, text_input};
use iced::{Element, Fill, Task};

/// The step being typed (the cursor goes there when a procedure opens).
const STEP_ID: &str = "regras-passo";

pub fn focus<M: Send + 'static>() -> Task<M> {
    iced::widget::operation::focus(Id::new(STEP_ID))
}

#[derive(Debug)]
pub struct Form {
    draft: ProcedureDraft,
    existing: bool,
    error: Option<String>,
    saving: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    Kind(AlarmKind),
    Group(String),
    Adding(String),
    Add,
    Raise(usize),
    Remove(usize),
    Save,
    Cancel,
}

impl Form {
    pub fn new(draft: ProcedureDraft, existing: bool) -> Self {
        Self { draft, existing, error: None, saving: false }
    }

    pub fn refused(&mut self, why: String) {
        self.saving = false;
        self.error = Some(why);
    }

    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Outcome<(AlarmKind, NewProcedure)>>) {
        self.error = None;
        match m {
            Message::Kind(k) if !self.existing => {
                self.draft.kind = Some(k);
                return (focus(), None);
            }
            Message::Group(g) if !self.existing => self.draft.group = g,
            Message::Kind(_) | Message::Group(_) => {}
            Message::Adding(v) => self.draft.adding = v,
            Message::Add => {
                self.draft.add_step();
            }
            Message::Raise(i) => self.draft.raise(i),
            Message::Remove(i) => self.draft.remove(i),
            Message::Cancel => return (Task::none(), Some(Outcome::Cancel)),
            Message::Save if !self.saving => match self.draft.body() {
                Ok(body) => {
                    self.saving = true;
                    return (Task::none(), Some(Outcome::Send(body)));
                }
                Err(why) => self.error = Some(why),
            },
            Message::Save => {}
        }
        (Task::none(), None)
    }

    pub fn view<'a>(&'a self, groups: &[String]) -> Element<'a, Message> {
        let d = &self.draft;
        let mut col = column![
            text(if self.existing { "Procedimento" } else { "Novo procedimento" }).size(theme::TITLE)
        ]
        .spacing(6);
        if self.existing {
            let kind = d.kind.map_or("", atalaia_core::text::alarm_kind);
            col = col.push(text(format!("Alarme: {kind}")).size(theme::TEXT)).push(
                text(if d.group.is_empty() {
                    "Para: todos os monitorados sem procedimento do seu grupo".to_owned()
                } else {
                    format!("Para: grupo {}", d.group)
                })
                .size(theme::SMALL),
            );
        } else {
            let domain = d.kind.map_or(Domain::Monitoring, AlarmKind::domain);
            let kinds = AlarmKind::of(domain).map(|k| {
                button(text(atalaia_core::text::alarm_kind(k)).size(theme::SMALL))
                    .padding([2, 8])
                    .style(theme::toggle(d.kind == Some(k)))
                    .on_press(Message::Kind(k))
                    .into()
            });
            col = col
                .push(text("Tipo de alarme").size(theme::SMALL))
                .push(iced::widget::row(kinds).spacing(4).wrap())
                .push(text("Grupo (vazio: todos os monitorados)").size(theme::SMALL))
                .push(
                    text_input("Grupo", &d.group).on_input(Message::Group).size(theme::SMALL).padding([3, 6]),
                )
                .push(group_choices(groups, &d.group, Message::Group));
        }
        col = col.push(text("Passos").size(theme::TEXT));
        if d.steps.is_empty() {
            col = col.push(muted("Nenhum passo ainda.".into()));
        }
        for (i, step) in d.steps.iter().enumerate() {
            let up = button(text("↑").size(theme::SMALL))
                .padding([1, 7])
                .style(button::secondary)
                .on_press_maybe((i > 0).then_some(Message::Raise(i)));
            let remove = button(text("✕").size(theme::SMALL))
                .padding([1, 7])
                .style(button::secondary)
                .on_press(Message::Remove(i));
            col = col.push(
                row![text(format!("{}. {step}", i + 1)).size(theme::SMALL).width(Fill), up, remove]
                    .spacing(6)
                    .align_y(iced::Center),
            );
        }
        col = col.push(
            text_input("Novo passo (Enter adiciona)", &d.adding)
                .id(STEP_ID)
                .on_input(Message::Adding)
                .on_submit(Message::Add)
                .size(theme::SMALL)
                .padding([3, 6]),
        );
        if let Some(s) = status(&self.error, self.saving) {
            col = col.push(s);
        }
        col.push(super::save_cancel("Salvar procedimento", self.saving, Message::Save, Message::Cancel))
            .into()
    }
}
