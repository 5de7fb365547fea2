//! The notification rule form (16.2.7, 16.2.31): who is told by e-mail or SMS, about which
//! alarms (kinds, least severity, group), when (as soon as raised, or when nobody took it in
//! time). A rule is switched off, never deleted: the audit keeps what was sent and why.

use super::{Outcome, group_choices, muted, status};
use crate::theme;
use atalaia_client::rules::NotificationDraft;
use atalaia_core::alarm::{AlarmKind, Domain, Severity};
use atalaia_core::notify::{NewNotificationRule, NotificationRule, Trigger};
use iced::widget::{Id, button, checkbox, column, row, text, text_input};
use iced::{Element, Task};

/// The rule's name (the cursor goes there for a new one).
const NAME_ID: &str = "regras-notificacao-nome";

pub fn focus<M: Send + 'static>() -> Task<M> {
    iced::widget::operation::focus(Id::new(NAME_ID))
}

fn trigger_label(t: Trigger) -> &'static str {
    match t {
        Trigger::Raised => "Ao disparar",
        Trigger::Escalated => "Sem resposta no prazo",
    }
}

/// One line for the list.
pub fn summary(r: &NotificationRule) -> String {
    let to = r.email.len() + r.sms.len();
    format!(
        "{} · {} · {} ou mais · {to} destinatário(s)",
        if r.enabled { "ativa" } else { "desativada" },
        trigger_label(r.trigger),
        atalaia_core::text::severity(r.min_severity)
    )
}

#[derive(Debug)]
pub struct Form {
    draft: NotificationDraft,
    existing: bool,
    error: Option<String>,
    saving: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    Name(String),
    Enabled(bool),
    Trigger(Trigger),
    Severity(Severity),
    Toggle(AlarmKind),
    Group(String),
    Email(String),
    Sms(String),
    Save,
    Cancel,
}

impl Form {
    pub fn new(draft: NotificationDraft, existing: bool) -> Self {
        Self { draft, existing, error: None, saving: false }
    }

    pub fn refused(&mut self, why: String) {
        self.saving = false;
        self.error = Some(why);
    }

    pub fn update(&mut self, m: Message) -> Option<Outcome<(String, NewNotificationRule)>> {
        self.error = None;
        let d = &mut self.draft;
        match m {
            Message::Name(v) if !self.existing => d.name = v,
            Message::Name(_) => {}
            Message::Enabled(v) => d.enabled = v,
            Message::Trigger(t) => d.trigger = t,
            Message::Severity(s) => d.min_severity = s,
            Message::Toggle(k) => d.toggle(k),
            Message::Group(v) => d.group = v,
            Message::Email(v) => d.email = v,
            Message::Sms(v) => d.sms = v,
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
        let small = |s: &'a str| text(s).size(theme::SMALL);
        let mut col = column![].spacing(6);
        if self.existing {
            col = col.push(text(format!("Regra {}", d.name)).size(theme::TITLE));
        } else {
            col = col.push(text("Nova regra de notificação").size(theme::TITLE)).push(
                text_input("Nome da regra", &d.name)
                    .id(NAME_ID)
                    .on_input(Message::Name)
                    .size(theme::SMALL)
                    .padding([3, 6]),
            );
        }
        col = col.push(
            checkbox(d.enabled)
                .label("Regra ativa")
                .on_toggle(Message::Enabled)
                .size(16)
                .text_size(theme::SMALL),
        );
        let choice = |label: &'a str, on: bool, m: Message| {
            button(small(label)).padding([2, 8]).style(theme::toggle(on)).on_press(m).into()
        };
        let triggers = [Trigger::Raised, Trigger::Escalated]
            .map(|t| choice(trigger_label(t), d.trigger == t, Message::Trigger(t)));
        col = col.push(row![small("Quando").width(120), row(triggers).spacing(6)].spacing(8));
        let severities = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical]
            .map(|s| choice(atalaia_core::text::severity(s), d.min_severity == s, Message::Severity(s)));
        col = col.push(row![small("Gravidade mínima").width(120), row(severities).spacing(6)].spacing(8));
        col = col.push(small("Alarmes (nenhum marcado: todos os do monitoramento)"));
        let kinds: Vec<AlarmKind> = AlarmKind::of(Domain::Monitoring).collect();
        let mut grid = column![].spacing(3);
        for pair in kinds.chunks(2) {
            let cells = pair.iter().map(|&k| {
                checkbox(d.kinds.contains(&k))
                    .label(atalaia_core::text::alarm_kind(k))
                    .on_toggle(move |_| Message::Toggle(k))
                    .size(14)
                    .text_size(theme::SMALL)
                    .width(iced::FillPortion(1))
                    .into()
            });
            grid = grid.push(row(cells).spacing(8));
        }
        col = col
            .push(grid)
            .push(small("Só monitorados do grupo (vazio: todos)"))
            .push(text_input("Grupo", &d.group).on_input(Message::Group).size(theme::SMALL).padding([3, 6]))
            .push(group_choices(groups, &d.group, Message::Group))
            .push(small("E-mails (separe por vírgula)"))
            .push(
                text_input("plantao@sejus.gov.br, chefia@sejus.gov.br", &d.email)
                    .on_input(Message::Email)
                    .on_submit(Message::Save)
                    .size(theme::SMALL)
                    .padding([3, 6]),
            )
            .push(small("Telefones para SMS (formato internacional)"))
            .push(
                text_input("+55 69 99999-0000", &d.sms)
                    .on_input(Message::Sms)
                    .on_submit(Message::Save)
                    .size(theme::SMALL)
                    .padding([3, 6]),
            );
        if !d.enabled {
            col = col.push(muted("Desativada: guardada para a auditoria, não envia nada.".into()));
        }
        if let Some(s) = status(&self.error, self.saving) {
            col = col.push(s);
        }
        col.push(super::save_cancel("Salvar regra", self.saving, Message::Save, Message::Cancel)).into()
    }
}
