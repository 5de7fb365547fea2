//! The group rules form (III-2.25): the restrictions every person of a group is held to beyond
//! its zones — which optional alarms the central does not raise for them, and the thresholds that
//! differ from the site's (minutes without contact before "perda de comunicação", seconds a fix
//! must stay across a zone's edge). Integrity and zone alarms are never offered: they always apply.

use super::{Outcome, group_choices, muted, status};
use crate::theme;
use atalaia_client::rules::GroupDraft;
use atalaia_core::alarm::AlarmKind;
use atalaia_core::monitoring::GroupRules;
use atalaia_core::wire::NewGroupRules;
use iced::widget::{Id, checkbox, column, row, text, text_input};
use iced::{Element, Task};

/// The group's name (the cursor goes there for a new one).
const GROUP_ID: &str = "regras-grupo";

pub fn focus<M: Send + 'static>() -> Task<M> {
    iced::widget::operation::focus(Id::new(GROUP_ID))
}

/// One line for the list.
pub fn summary(g: &GroupRules) -> String {
    let mut parts = Vec::new();
    if !g.disabled.is_empty() {
        let off: Vec<&str> = g.disabled.iter().map(|k| atalaia_core::text::alarm_kind(*k)).collect();
        parts.push(format!("sem {}", off.join(", ")));
    }
    if let Some(s) = g.signal_timeout_s {
        parts.push(format!("perda de comunicação após {} min", s / 60));
    }
    if let Some(s) = g.zone_dwell_s {
        parts.push(format!("confirmação de zona {s} s"));
    }
    if parts.is_empty() { "padrões da central".into() } else { parts.join(" · ") }
}

#[derive(Debug)]
pub struct Form {
    draft: GroupDraft,
    existing: bool,
    error: Option<String>,
    saving: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    Group(String),
    Toggle(AlarmKind),
    Timeout(String),
    Dwell(String),
    Save,
    Cancel,
}

impl Form {
    pub fn new(draft: GroupDraft, existing: bool) -> Self {
        Self { draft, existing, error: None, saving: false }
    }

    pub fn refused(&mut self, why: String) {
        self.saving = false;
        self.error = Some(why);
    }

    pub fn update(&mut self, m: Message) -> Option<Outcome<(String, NewGroupRules)>> {
        self.error = None;
        match m {
            Message::Group(g) if !self.existing => self.draft.group = g,
            Message::Group(_) => {}
            Message::Toggle(k) => self.draft.toggle(k),
            Message::Timeout(v) => self.draft.signal_timeout_min = v,
            Message::Dwell(v) => self.draft.zone_dwell_s = v,
            Message::Cancel => return Some(Outcome::Cancel),
            Message::Save if !self.saving => match self.draft.body() {
                Ok(body) => {
                    self.saving = true;
                    return Some(Outcome::Send(body));
                }
                Err(why) => self.error = Some(why),
            },
            Message::Save => {}
        }
        None
    }

    pub fn view<'a>(&'a self, groups: &[String]) -> Element<'a, Message> {
        let d = &self.draft;
        let mut col = column![].spacing(6);
        if self.existing {
            col = col.push(text(format!("Regras do grupo {}", d.group)).size(theme::TITLE));
        } else {
            col = col
                .push(text("Nova regra de grupo").size(theme::TITLE))
                .push(
                    text_input("Nome do grupo", &d.group)
                        .id(GROUP_ID)
                        .on_input(Message::Group)
                        .size(theme::SMALL)
                        .padding([3, 6]),
                )
                .push(group_choices(groups, &d.group, Message::Group));
        }
        col = col.push(text("Alarmes que a central não gera para este grupo").size(theme::TEXT));
        for k in AlarmKind::OPTIONAL_PER_GROUP {
            col = col.push(
                checkbox(d.disabled.contains(&k))
                    .label(atalaia_core::text::alarm_kind(k))
                    .on_toggle(move |_| Message::Toggle(k))
                    .size(16)
                    .text_size(theme::SMALL),
            );
        }
        col = col
            .push(muted(
                "Cinta, violação, zonas, bateria e a proteção da vítima valem sempre e não podem ser desativados."
                    .into(),
            ))
            .push(threshold("Perda de comunicação após (min)", &d.signal_timeout_min, Message::Timeout))
            .push(threshold("Confirmação de entrada/saída de zona (s)", &d.zone_dwell_s, Message::Dwell));
        if let Some(s) = status(&self.error, self.saving) {
            col = col.push(s);
        }
        col.push(super::save_cancel("Salvar regras do grupo", self.saving, Message::Save, Message::Cancel))
            .into()
    }
}

/// A threshold of the group's, typed; empty is the site's default.
fn threshold<'a>(label: &'a str, value: &'a str, on_input: fn(String) -> Message) -> Element<'a, Message> {
    row![
        text(label).size(theme::SMALL).width(260),
        text_input("padrão da central", value)
            .on_input(on_input)
            .on_submit(Message::Save)
            .size(theme::SMALL)
            .padding([3, 6])
            .width(160),
    ]
    .spacing(8)
    .align_y(iced::Center)
    .into()
}
