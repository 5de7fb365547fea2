//! A person's alarms on their record (III-2.14, 16.2.12): every alarm, open or closed, newest
//! first, with who holds or closed it, each operator's note with its author, the closing note,
//! and the measures administrators took — an official letter sent, a recapture requested, a
//! warning given, the person's justification — recorded here, on any alarm, by who answers for
//! the person.

use super::muted;
use super::people::Message;
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::admin;
use atalaia_core::alarm::{Alarm, Measure};
use atalaia_core::auth::Permission;
use atalaia_core::ids::{AlarmId, PersonId};
use iced::Element;
use iced::widget::{button, column, container, row, text, text_input};

/// How many alarms the record lists (the newest).
const SHOWN: usize = 30;

/// A measure being recorded on one alarm.
#[derive(Debug, Clone)]
pub struct MeasureForm {
    pub alarm: AlarmId,
    pub measure: Option<Measure>,
    pub text: String,
    pub error: Option<String>,
}

impl MeasureForm {
    pub fn new(alarm: AlarmId) -> Self {
        Self { alarm, measure: None, text: String::new(), error: None }
    }

    /// The measure and its text, or what is missing.
    pub fn body(&self) -> Result<(Measure, String), String> {
        let measure = self.measure.ok_or("Escolha a providência.")?;
        let text = self.text.trim();
        if text.is_empty() || text.chars().count() > 4_000 {
            return Err("Descreva a providência (até 4.000 caracteres).".into());
        }
        Ok((measure, text.to_owned()))
    }
}

pub fn view<'a>(
    ctx: &Ctx<'a>,
    person: PersonId,
    fetched: Option<&'a Result<Vec<Alarm>, String>>,
    form: Option<&'a MeasureForm>,
) -> Element<'a, Message> {
    let mut col = column![text("Alarmes e anotações").size(theme::TEXT)].spacing(3);
    let fetched: &[Alarm] = match fetched {
        None => return col.push(muted("Carregando alarmes…".into())).into(),
        Some(Err(why)) => return col.push(text(why.clone()).size(theme::SMALL).color(theme::RED)).into(),
        Some(Ok(list)) => list,
    };
    let alarms = admin::person_alarms(fetched, ctx.model, person);
    if alarms.is_empty() {
        return col.push(muted("Nenhum alarme.".into())).into();
    }
    let may_record = ctx.user.can(Permission::PersonWrite) && ctx.user.can(Permission::AlarmHandle);
    for a in alarms.iter().take(SHOWN) {
        let mut lines = admin::alarm_lines(a, ctx.model, ctx.user, ctx.tz).into_iter();
        if let Some(head) = lines.next() {
            let head = text(head).size(theme::SMALL).color(theme::severity(a.severity));
            col = col.push(if may_record && form.is_none_or(|f| f.alarm != a.id) {
                Element::from(
                    row![
                        container(head).width(iced::Fill),
                        button(text("Registrar providência").size(theme::SMALL))
                            .padding([1, 8])
                            .style(button::text)
                            .on_press(Message::MeasureOpen(a.id)),
                    ]
                    .spacing(6)
                    .align_y(iced::Center),
                )
            } else {
                head.into()
            });
        }
        for line in lines {
            col = col.push(container(text(line).size(theme::SMALL)).padding([0, 14]));
        }
        if let Some(f) = form.filter(|f| f.alarm == a.id) {
            col = col.push(container(form_view(f)).padding([4, 14]));
        }
    }
    if alarms.len() > SHOWN {
        col = col.push(muted(format!("… e mais {} alarme(s) anteriores.", alarms.len() - SHOWN)));
    }
    col.into()
}

fn form_view(f: &MeasureForm) -> Element<'_, Message> {
    let kinds = Measure::ALL.map(|m| {
        button(text(atalaia_core::text::measure(m)).size(theme::SMALL))
            .padding([2, 8])
            .style(theme::toggle(f.measure == Some(m)))
            .on_press(Message::MeasureKind(m))
            .into()
    });
    let mut col = column![
        row(kinds).spacing(4).wrap(),
        text_input("O que foi feito (nº do ofício, a quem, o que o monitorado disse…)", &f.text)
            .on_input(Message::MeasureText)
            .on_submit(Message::MeasureSave)
            .size(theme::SMALL)
            .padding([3, 6]),
        row![
            button(text("Registrar").size(theme::SMALL)).padding([3, 10]).on_press(Message::MeasureSave),
            button(text("Cancelar").size(theme::SMALL))
                .padding([3, 10])
                .style(button::secondary)
                .on_press(Message::MeasureCancel),
        ]
        .spacing(8),
    ]
    .spacing(4);
    if let Some(why) = &f.error {
        col = col.push(text(why.as_str()).size(theme::SMALL).color(theme::RED));
    }
    col.into()
}
