//! The investigation tab (16.2.18, 16.2.22–16.2.28): who was near a place in a period, who met
//! whom, which places several people frequent — each answer a list whose people are one click
//! away from their track on the map over the period asked. Every query is audited by the server.

use super::{Event, muted, reports};
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::format;
use atalaia_client::investigation::{Draft, Query};
use atalaia_core::ids::PersonId;
use atalaia_core::investigate::{CommonPlace, Encounter, Presence};
use chrono::{DateTime, Utc};
use iced::widget::{button, column, row, scrollable, text, text_input};
use iced::{Element, Fill};

/// What a query found.
#[derive(Debug, Clone)]
pub enum Found {
    Nearby(Vec<Presence>),
    Encounters(Vec<Encounter>),
    Places(Vec<CommonPlace>),
}

/// What the dashboard asks the server for this tab.
#[derive(Debug, Clone)]
pub struct Request {
    pub query: Query,
    pub path: String,
}

#[derive(Debug, Default)]
pub struct State {
    draft: Draft,
    who: String,
    busy: bool,
    error: Option<String>,
    found: Option<(Found, DateTime<Utc>, DateTime<Utc>)>,
    asked: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Query(Query),
    Place(String),
    Radius(String),
    From(String),
    To(String),
    Who(String),
    Person(PersonId),
    Group(String),
    Run,
    Found(Result<Found, String>),
    /// A person's track over the period asked, on the map.
    Map(PersonId, String),
}

impl State {
    pub fn update(&mut self, m: Message, ctx: &Ctx<'_>) -> Option<Event> {
        match m {
            Message::Query(q) => {
                self.draft.query = q;
                self.found = None;
                self.error = None;
            }
            Message::Place(v) => self.draft.place = v,
            Message::Radius(v) => self.draft.radius = v,
            Message::From(v) => self.draft.from = v,
            Message::To(v) => self.draft.to = v,
            Message::Who(v) => {
                self.who = v;
                self.draft.person = None;
            }
            Message::Person(p) => {
                self.draft.person = Some(p);
                self.who = ctx.model.persons.get(&p).map(|p| p.name.clone()).unwrap_or_default();
            }
            Message::Group(v) => self.draft.group = v,
            Message::Run if !self.busy => match self.draft.request(ctx.tz, ctx.now) {
                Ok(r) => {
                    self.busy = true;
                    self.error = None;
                    self.asked = Some((r.from, r.to));
                    return Some(Event::Investigate(Request { query: self.draft.query, path: r.path }));
                }
                Err(why) => self.error = Some(why),
            },
            Message::Run => {}
            Message::Found(r) => {
                self.busy = false;
                match (r, self.asked) {
                    (Ok(found), Some((from, to))) => self.found = Some((found, from, to)),
                    (Err(why), _) => self.error = Some(why),
                    (Ok(_), None) => {}
                }
            }
            Message::Map(person, title) => {
                let (from, to) = self.found.as_ref().map(|(_, f, t)| (*f, *t))?;
                return Some(Event::Reports(reports::Request::ShowTrack { person, title, from, to }));
            }
        }
        None
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let small = |s: String| text(s).size(theme::SMALL);
        let input = |hint: &'a str, value: &'a str, m: fn(String) -> Message, width: f32| {
            text_input(hint, value)
                .on_input(m)
                .on_submit(Message::Run)
                .size(theme::SMALL)
                .padding([3, 6])
                .width(width)
        };
        let queries = Query::ALL.map(|q| {
            button(text(q.label()).size(theme::SMALL))
                .padding([3, 10])
                .style(theme::toggle(self.draft.query == q))
                .on_press(Message::Query(q))
                .into()
        });
        let d = &self.draft;
        let mut col = column![
            text("Investigação").size(theme::TITLE),
            row(queries).spacing(6).wrap(),
            row![
                small("Período".into()).width(90),
                input("Início: dd/mm/aaaa hh:mm", &d.from, Message::From, 220.0),
                input("Fim: vazio = agora", &d.to, Message::To, 220.0),
            ]
            .spacing(8)
            .align_y(iced::Center),
        ]
        .spacing(10)
        .max_width(1000);
        if d.query == Query::Nearby {
            col = col.push(
                row![
                    small("Local".into()).width(90),
                    input("Coordenadas: -8,7612 -63,9004", &d.place, Message::Place, 260.0),
                    input("Raio (m)", &d.radius, Message::Radius, 100.0),
                ]
                .spacing(8)
                .align_y(iced::Center),
            );
        } else {
            col = col.push(
                row![
                    small("Quem".into()).width(90),
                    input("Monitorado: digite o nome", &self.who, Message::Who, 260.0),
                    input("ou o grupo", &d.group, Message::Group, 180.0),
                ]
                .spacing(8)
                .align_y(iced::Center),
            );
            if d.person.is_none() {
                col = col.push(crate::form::person_choices(ctx.model, &self.who, |_| true, Message::Person));
            }
        }
        col = col.push(
            button(text(if self.busy { "Consultando…" } else { "Consultar" }).size(theme::SMALL))
                .padding([4, 12])
                .on_press_maybe((!self.busy).then_some(Message::Run)),
        );
        if let Some(why) = &self.error {
            col = col.push(text(why.as_str()).size(theme::SMALL).color(theme::RED));
        }
        if let Some((found, _, _)) = &self.found {
            col = col.push(scrollable(results(found, ctx)).height(Fill));
        }
        col.into()
    }
}

/// A result line with its person's "Ver no mapa".
fn line<'a>(what: String, person: PersonId, name: &str) -> Element<'a, Message> {
    row![
        text(what).size(theme::SMALL).width(Fill),
        button(text("Ver no mapa").size(theme::SMALL))
            .padding([2, 8])
            .style(button::secondary)
            .on_press(Message::Map(person, name.to_owned())),
    ]
    .spacing(8)
    .align_y(iced::Center)
    .into()
}

fn results<'a>(found: &'a Found, ctx: &Ctx<'a>) -> Element<'a, Message> {
    let when = |t: DateTime<Utc>| format::datetime(t, ctx.tz);
    let mut col = column![].spacing(4);
    match found {
        Found::Nearby(list) => {
            col = col.push(muted(format!("{} pessoa(s) no local no período", list.len())));
            for p in list {
                let visits: Vec<String> = p
                    .visits
                    .iter()
                    .map(|v| format!("{} a {} (a {:.0} m)", when(v.from), when(v.to), v.closest_m))
                    .collect();
                col = col.push(line(format!("{} — {}", p.name, visits.join("; ")), p.person_id, &p.name));
            }
        }
        Found::Encounters(list) => {
            col = col.push(muted(format!("{} par(es) que se encontraram no período", list.len())));
            for e in list {
                let first = e.meetings.first().map(|m| when(m.from)).unwrap_or_default();
                let what = format!(
                    "{} e {} — {} encontro(s), o primeiro em {first}",
                    e.name,
                    e.other_name,
                    e.meetings.len()
                );
                col = col.push(line(what, e.person_id, &e.name));
            }
        }
        Found::Places(list) => {
            col = col.push(muted(format!("{} local(is) frequentado(s) em comum", list.len())));
            for p in list {
                let names: Vec<String> = p
                    .visitors
                    .iter()
                    .map(|v| format!("{} ({} min em {} dia(s))", v.name, v.minutes, v.days))
                    .collect();
                col = col.push(small_place(p, names.join(", ")));
                for v in &p.visitors {
                    col = col.push(line(format!("   {}", v.name), v.person_id, &v.name));
                }
            }
        }
    }
    if let Found::Nearby(l) = found
        && l.is_empty()
    {
        col = col.push(muted("Ninguém esteve no local no período.".into()));
    }
    col.into()
}

fn small_place<'a>(p: &CommonPlace, who: String) -> Element<'a, Message> {
    text(format!("{:.5}, {:.5}: {who}", p.center.lat, p.center.lon)).size(theme::SMALL).into()
}
