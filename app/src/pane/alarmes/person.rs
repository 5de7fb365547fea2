//! The alarm card's subject: the monitored person (photo, record, regime, responsible, zones)
//! and the device's health strip.

use super::{LATE_AFTER_S, Message, subject_name};
use crate::pane::Ctx;
use crate::text as pt;
use crate::theme;
use atalaia_client::{LiveModel, format};
use atalaia_core::alarm::{Alarm, Subject};
use atalaia_core::ids::PersonId;
use atalaia_core::monitoring::Device;
use iced::widget::{button, column, container, row, text};
use iced::{Center, Element};

/// The monitored person's card and the device's health strip; for other subjects, their name.
pub(super) fn person_card<'a>(
    a: &'a Alarm,
    ctx: &Ctx<'a>,
    editor: Option<&'a crate::form::person::Form>,
    can_edit: bool,
) -> Element<'a, Message> {
    let model = ctx.model;
    let person_id = person_of(model, &a.subject);
    let Some(person) = person_id.and_then(|id| model.persons.get(&id)) else {
        return text(subject_name(model, &a.subject)).size(theme::TEXT).into();
    };
    let photo = crate::photos::frame(ctx, person, 72.0, 90.0);
    let mut facts = column![
        text(person.name.as_str()).size(theme::TITLE),
        text(pt::record(&person.record)).size(theme::SMALL),
        text(pt::regime_group(
            atalaia_core::text::regime(person.regime),
            person.group.as_deref(),
            person.region.as_deref()
        ))
        .size(theme::SMALL),
        text(pt::responsible(person.responsible.as_deref())).size(theme::SMALL),
    ]
    .spacing(2);
    let groups = person.groups();
    let zones: Vec<String> = model
        .zones
        .values()
        .filter(|z| {
            z.active
                && (z.person_id == Some(person.id)
                    || (z.person_id.is_none() && z.group.as_ref().is_some_and(|g| groups.contains(g))))
        })
        .map(|z| format!("{} ({})", z.name, atalaia_core::text::zone_kind(z.kind)))
        .collect();
    facts = facts.push(text(pt::zones_line(&zones)).size(theme::SMALL).color(theme::MUTED));
    if let Some(other) = a.other_person.and_then(|p| model.persons.get(&p)) {
        facts = facts.push(text(pt::other_person(&other.name)).size(theme::SMALL).color(theme::ORANGE));
    }
    let body: Element<'a, Message> = match editor.filter(|e| e.person == person.id) {
        Some(e) => e.view(model).map(Message::Person),
        None => {
            if can_edit {
                facts = facts.push(
                    button(text("Editar cadastro").size(theme::SMALL))
                        .padding([2, 8])
                        .style(button::secondary)
                        .on_press(Message::EditPerson(person.id)),
                );
            }
            facts.into()
        }
    };
    let mut card = column![row![photo, body].spacing(10)].spacing(6);
    if let Some(device) = model.devices.values().find(|d| d.person_id == Some(person.id)) {
        card = card.push(health_strip(device, a, ctx));
    }
    card.into()
}

/// Battery, charging, GNSS, link, last contact, late data: one line of chips.
fn health_strip<'a>(d: &'a Device, a: &'a Alarm, ctx: &Ctx<'a>) -> Element<'a, Message> {
    let last = ctx.model.last_position(d.id);
    // The record holds the newest reading, a heartbeat's or a fix's (the live model keeps it).
    let battery = d.battery_pct.or_else(|| last.and_then(|p| p.battery_pct));
    let chip = |label: String, colour: iced::Color| -> Element<'a, Message> {
        container(text(label).size(theme::SMALL)).padding([1, 6]).style(theme::chip(colour)).into()
    };
    let battery_chip = match battery {
        Some(b) if b < 15.0 => chip(pt::battery(b), theme::RED),
        Some(b) if b < 30.0 => chip(pt::battery(b), theme::YELLOW),
        Some(b) => chip(pt::battery(b), theme::GREEN),
        None => chip(pt::BATTERY_UNKNOWN.into(), theme::GREY),
    };
    let charging = match last.and_then(|p| p.charging) {
        Some(true) => chip(pt::CHARGING.into(), theme::BLUE),
        Some(false) => chip(pt::NOT_CHARGING.into(), theme::GREY),
        None => chip(pt::CHARGING_UNKNOWN.into(), theme::GREY),
    };
    let gnss = match last.and_then(|p| p.accuracy_m) {
        Some(m) if m <= 30.0 => chip(pt::gnss(m), theme::GREEN),
        Some(m) => chip(pt::gnss(m), theme::YELLOW),
        None => chip(pt::GNSS_UNKNOWN.into(), theme::GREY),
    };
    let silent_s = d.last_contact.map(|t| (ctx.now - t).num_seconds());
    let link = match silent_s {
        Some(s) if s <= LATE_AFTER_S => chip(pt::LINK_ONLINE.into(), theme::GREEN),
        Some(_) => chip(pt::LINK_SILENT.into(), theme::RED),
        None => chip(pt::LINK_NEVER.into(), theme::GREY),
    };
    let contact = d.last_contact.map_or_else(
        || pt::NEVER_CONTACTED.to_owned(),
        |t| pt::last_contact(&format::day_time(t, ctx.tz), &format::elapsed(t, ctx.now)),
    );
    let mut strip =
        row![battery_chip, charging, gnss, link, text(contact).size(theme::SMALL)].spacing(6).align_y(Center);
    if a.late.is_some() || silent_s.is_some_and(|s| s > LATE_AFTER_S) {
        strip = strip.push(chip(pt::LATE_DATA.into(), theme::ORANGE));
    }
    strip.wrap().into()
}

/// A subject's person, directly or through the device worn.
pub(crate) fn person_of(model: &LiveModel, subject: &Subject) -> Option<PersonId> {
    match subject {
        Subject::Person(id) => Some(*id),
        Subject::Device(id) => model.devices.get(id).and_then(|d| d.person_id),
        Subject::Vehicle(_) | Subject::Occurrence(_) => None,
    }
}

/// The bracelet an alarm is about (for remote commands).
pub(super) fn device_of<'a>(model: &'a LiveModel, subject: &Subject) -> Option<&'a Device> {
    match subject {
        Subject::Device(id) => model.devices.get(id),
        Subject::Person(p) => model.devices.values().find(|d| d.person_id == Some(*p)),
        Subject::Vehicle(_) | Subject::Occurrence(_) => None,
    }
}
