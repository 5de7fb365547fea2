//! A person's alarms on their record (III-2.14): every alarm, open or closed, newest first, with
//! who holds or closed it, each operator's note with its author, and the closing note — what an
//! administrator reads to see how the person's events were handled.

use super::muted;
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::admin;
use atalaia_core::alarm::Alarm;
use atalaia_core::ids::PersonId;
use iced::Element;
use iced::widget::{column, text};

/// How many alarms the record lists (the newest).
const SHOWN: usize = 30;

pub fn view<'a, M: 'a>(
    ctx: &Ctx<'a>,
    person: PersonId,
    fetched: Option<&'a Result<Vec<Alarm>, String>>,
) -> Element<'a, M> {
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
    for a in alarms.iter().take(SHOWN) {
        let mut lines = admin::alarm_lines(a, ctx.model, ctx.user, ctx.tz).into_iter();
        if let Some(head) = lines.next() {
            col = col.push(text(head).size(theme::SMALL).color(theme::severity(a.severity)));
        }
        for line in lines {
            col = col.push(iced::widget::container(text(line).size(theme::SMALL)).padding([0, 14]));
        }
    }
    if alarms.len() > SHOWN {
        col = col.push(muted(format!("… e mais {} alarme(s) anteriores.", alarms.len() - SHOWN)));
    }
    col.into()
}
