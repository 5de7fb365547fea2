//! The supervisor wall display (`atalaia --wall`; seed 004 RFS130, seed 003 video wall): full
//! screen, type large enough to read from five metres, no keyboard or mouse needed. KPI tiles on
//! top (calls waiting, free vehicles by type, open alarms by severity, the oldest alarm nobody has
//! taken), then the regulation queue, the map and the open alarms. Lists longer than a screen
//! cycle through pages by themselves every [`CYCLE_S`] seconds.

use crate::pane::Ctx;
use crate::pane::alarmes::subject_name;
use crate::screen::dashboard::Message;
use crate::theme;
use atalaia_client::format;
use atalaia_core::alarm::{Alarm, AlarmState, Severity};
use atalaia_core::samu::{Occurrence, VehicleKind, VehicleStatus};
use iced::widget::{column, container, row, space, text};
use iced::{Center, Color, Element, Fill, FillPortion};

/// Type sizes for reading across a room.
pub const WALL_TEXT: f32 = 26.0;
pub const WALL_SMALL: f32 = 20.0;
pub const WALL_KPI: f32 = 64.0;
pub const WALL_TITLE: f32 = 30.0;

/// Seconds each page of a long list stays on screen.
pub const CYCLE_S: i64 = 10;
/// Rows per list page (sized for 1080p at the type sizes above).
pub const ROWS: usize = 8;

/// The numbers on the tiles, computed from the live model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kpis {
    pub calls_waiting: usize,
    /// Free vehicles (available or at base) per type, in the order USA, USB, motolância, VIR.
    pub free: [(VehicleKind, usize); 4],
    /// Open alarms (not closed) by severity: critical, high, medium, low.
    pub alarms: [(Severity, usize); 4],
    /// The oldest alarm nobody has taken: waited seconds.
    pub oldest_unclaimed_s: Option<i64>,
}

pub fn kpis(ctx: &Ctx<'_>) -> Kpis {
    let m = ctx.model;
    let kinds = [VehicleKind::Usa, VehicleKind::Usb, VehicleKind::Motolancia, VehicleKind::Vir];
    let free = kinds.map(|k| {
        let n = m
            .vehicles
            .values()
            .filter(|v| v.kind == k && matches!(v.status, VehicleStatus::Available | VehicleStatus::AtBase))
            .count();
        (k, n)
    });
    let sev = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];
    let alarms = sev.map(|s| (s, m.alarms.values().filter(|a| a.is_active() && a.severity == s).count()));
    let oldest_unclaimed_s = m
        .alarms
        .values()
        .filter(|a| a.state == AlarmState::Open)
        .map(|a| (ctx.now - a.raised_at).num_seconds().max(0))
        .max();
    let calls_waiting = m.regulation_queue().len();
    Kpis { calls_waiting, free, alarms, oldest_unclaimed_s }
}

/// Page `k` of `items` at time `now` (every list pages on the same clock).
pub fn page<T>(items: &[T], now_s: i64) -> (&[T], usize, usize) {
    let pages = items.len().div_ceil(ROWS).max(1);
    let k = (now_s.div_euclid(CYCLE_S) as usize) % pages;
    let start = k * ROWS;
    (&items[start.min(items.len())..(start + ROWS).min(items.len())], k + 1, pages)
}

pub fn view<'a>(ctx: &Ctx<'a>, link: (String, Color), map: Element<'a, Message>) -> Element<'a, Message> {
    let k = kpis(ctx);
    let header = row![
        text("Atalaia — painel da central").size(WALL_TITLE),
        space::horizontal(),
        text(link.0).size(WALL_SMALL).color(link.1),
        text(format::datetime(ctx.now, ctx.tz)).size(WALL_TITLE),
    ]
    .spacing(30)
    .align_y(Center);

    let free: Vec<String> =
        k.free.iter().map(|(kind, n)| format!("{} {n}", atalaia_core::text::vehicle_kind(*kind))).collect();
    let open: usize = k.alarms.iter().map(|(_, n)| n).sum();
    let by_severity: Vec<String> = k
        .alarms
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", atalaia_core::text::severity(*s).to_lowercase()))
        .collect();
    let oldest_colour = match k.oldest_unclaimed_s {
        Some(s) if s >= 300 => theme::RED,
        Some(s) if s >= 60 => theme::ORANGE,
        Some(_) => theme::YELLOW,
        None => theme::GREEN,
    };
    let tiles = row![
        tile(
            "Chamadas aguardando",
            k.calls_waiting.to_string(),
            "na fila de regulação".into(),
            if k.calls_waiting > 0 { theme::ORANGE } else { theme::GREEN }
        ),
        tile(
            "Viaturas livres",
            k.free.iter().map(|(_, n)| n).sum::<usize>().to_string(),
            free.join(" · "),
            theme::GREEN
        ),
        tile(
            "Alarmes abertos",
            open.to_string(),
            if by_severity.is_empty() { "nenhum".into() } else { by_severity.join(" · ") },
            k.alarms.iter().find(|(_, n)| *n > 0).map_or(theme::GREEN, |(s, _)| theme::severity(*s)),
        ),
        tile(
            "Alarme mais antigo sem operador",
            k.oldest_unclaimed_s.map_or_else(
                || "—".into(),
                |s| format::elapsed(ctx.now - chrono::Duration::seconds(s), ctx.now)
            ),
            if k.oldest_unclaimed_s.is_some() { "aguardando".into() } else { "todos assumidos".into() },
            oldest_colour
        ),
    ]
    .spacing(16)
    .height(190);

    let queue = ctx.model.regulation_queue();
    let alarms = ctx.model.alarm_queue();
    let now_s = ctx.now.timestamp();
    let body = row![
        list_panel("Fila de regulação", &queue, now_s, |o| queue_row(o, ctx)).width(FillPortion(4)),
        container(map).width(FillPortion(5)).height(Fill).style(theme::pane),
        list_panel("Alarmes abertos", &alarms, now_s, |a| alarm_row(a, ctx)).width(FillPortion(4)),
    ]
    .spacing(16)
    .height(Fill);

    container(column![header, tiles, body].spacing(16)).padding(20).width(Fill).height(Fill).into()
}

fn tile<'a>(title: &'a str, value: String, detail: String, colour: Color) -> Element<'a, Message> {
    container(
        column![
            text(title).size(WALL_SMALL).color(theme::MUTED),
            text(value).size(WALL_KPI).color(colour),
            text(detail).size(WALL_SMALL),
        ]
        .spacing(4),
    )
    .padding([12, 18])
    .width(Fill)
    .height(Fill)
    .style(theme::card)
    .into()
}

fn list_panel<'a, T>(
    title: &'a str,
    items: &[T],
    now_s: i64,
    row_of: impl Fn(&T) -> Element<'a, Message>,
) -> container::Container<'a, Message> {
    let (shown, k, pages) = page(items, now_s);
    let mut head = row![text(title).size(WALL_TITLE), space::horizontal()].align_y(Center);
    if pages > 1 {
        head = head.push(text(format!("página {k}/{pages}")).size(WALL_SMALL).color(theme::MUTED));
    }
    let mut list = column![head].spacing(10);
    if items.is_empty() {
        list = list.push(text("Nada pendente").size(WALL_TEXT).color(theme::MUTED));
    }
    for item in shown {
        list = list.push(row_of(item));
    }
    container(list).padding(14).height(Fill).style(theme::pane)
}

fn queue_row<'a>(o: &Occurrence, ctx: &Ctx<'a>) -> Element<'a, Message> {
    container(
        row![
            container(
                container(
                    text(o.priority.map_or(crate::text::UNCLASSIFIED, atalaia_core::text::priority))
                        .size(WALL_SMALL)
                )
                .padding([3, 10])
                .style(theme::chip(theme::priority(o.priority)))
            )
            .width(iced::Shrink),
            column![
                text(o.municipality.clone()).size(WALL_TEXT),
                text(o.number.clone()).size(WALL_SMALL).color(theme::MUTED)
            ]
            .width(Fill),
            text(format::elapsed(o.created_at, ctx.now)).size(WALL_TEXT),
        ]
        .spacing(12)
        .align_y(Center),
    )
    .padding([6, 10])
    .style(theme::row(false))
    .into()
}

fn alarm_row<'a>(a: &Alarm, ctx: &Ctx<'a>) -> Element<'a, Message> {
    let colour = theme::severity(a.severity);
    let taken = a.state != AlarmState::Open;
    container(
        row![
            container(space()).width(10).height(56).style(theme::bar(colour)),
            column![
                text(atalaia_core::text::alarm_kind(a.kind)).size(WALL_TEXT),
                text(subject_name(ctx.model, &a.subject)).size(WALL_SMALL).color(theme::MUTED),
            ]
            .width(Fill),
            column![
                text(format::elapsed(a.raised_at, ctx.now)).size(WALL_TEXT),
                text(if taken { "assumido" } else { "sem operador" }).size(WALL_SMALL).color(if taken {
                    theme::MUTED
                } else {
                    colour
                }),
            ]
            .align_x(iced::Right),
        ]
        .spacing(12)
        .align_y(Center),
    )
    .padding([6, 10])
    .style(theme::row(false))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_cycle_through_pages_on_the_clock() {
        let items: Vec<usize> = (0..20).collect();
        assert_eq!(page(&items, 0), (&items[0..8], 1, 3));
        assert_eq!(page(&items, CYCLE_S), (&items[8..16], 2, 3));
        assert_eq!(page(&items, 2 * CYCLE_S + 3), (&items[16..20], 3, 3));
        assert_eq!(page(&items, 3 * CYCLE_S), (&items[0..8], 1, 3), "back to the first page");
        let empty: Vec<usize> = Vec::new();
        assert_eq!(page(&empty, 99), (&empty[..], 1, 1));
    }
}
