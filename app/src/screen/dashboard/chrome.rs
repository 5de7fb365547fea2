//! The dashboard's chrome around the panes: the status strip (who, link state, outbox, sound,
//! clock), the flashing alarm banner, the refused-commands list, the "Sobre" box, the pane
//! badges and the footer's shortcut hints.

use super::{Dashboard, Link, Message};
use crate::alert;
use crate::pane::Kind;
use crate::text as pt;
use crate::theme;
use atalaia_client::desk::ConflictAction;
use atalaia_client::outbox;
use atalaia_client::{ApiError, format};
use atalaia_core::auth::Permission;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use iced::widget::{button, column, container, row, space, text};
use iced::{Center, Color, Element, Fill};

impl Dashboard {
    /// A count next to the title of the queue panes.
    pub(super) fn badge(&self, kind: Kind) -> Option<Element<'_, Message>> {
        let (n, colour) = match kind {
            Kind::Regulacao => (self.desk.model().regulation_queue().len(), theme::ORANGE),
            Kind::Alarmes => (self.desk.model().alarm_queue().len(), theme::RED),
            Kind::Atendimento | Kind::Mapa => return None,
        };
        (n > 0).then(|| {
            container(text(n.to_string()).size(theme::SMALL))
                .padding([0, 7])
                .style(theme::chip(colour))
                .into()
        })
    }

    /// The flashing banner while severe alarms wait for an operator: it alternates every second
    /// between a solid and an outlined red (or orange) bar, and says how many and what to press.
    pub(super) fn view_banner(&self) -> Option<Element<'_, Message>> {
        let worst = self.alert.worst?;
        let colour = theme::severity(worst);
        let lit = self.now.timestamp() % 2 == 0;
        let label = pt::alert_banner(self.alert.banner, &atalaia_core::text::severity(worst).to_lowercase());
        Some(
            container(text(label).size(theme::TITLE))
                .padding([8, 14])
                .width(Fill)
                .style(theme::flashing(colour, lit))
                .into(),
        )
    }

    pub(super) fn view_header(&self) -> Element<'_, Message> {
        let user = &self.session.user;
        let (mut parts, colour) = link_parts(self.desk.link(), self.now, self.tz);
        if let (false, Some(at)) = (self.desk.link() == &Link::Connected, self.desk.data_at()) {
            parts.push(pt::data_from(&format::since(at, self.now, self.tz)));
        }
        // One text per part (each readable on its own), joined by middle dots.
        let status = row(parts.into_iter().enumerate().map(|(i, part)| {
            let part = if i == 0 { part } else { format!(" · {part}") };
            text(part).size(theme::TEXT).color(colour).into()
        }));
        let strip = row![
            text(pt::APP_NAME).size(theme::HEADING),
            text(format!("{} · {}", user.display_name, atalaia_core::text::role(user.role)))
                .size(theme::TEXT),
            space::horizontal(),
            status,
        ]
        .extend(self.outbox_chips())
        .extend(self.sound_chip())
        // Fixed, right-aligned slots for what changes every second: the header does not reflow.
        .push(
            text(pt::last_seq(self.desk.model().seq))
                .size(theme::SMALL)
                .color(theme::MUTED)
                .width(110)
                .align_x(iced::alignment::Horizontal::Right),
        )
        .push(
            text(format::datetime(self.now, self.tz))
                .size(theme::TITLE)
                .width(190)
                .align_x(iced::alignment::Horizontal::Right),
        )
        .extend(self.cadastros_button())
        .push(
            button(text(if self.password.is_some() { "Painéis" } else { "Senha" }).size(theme::SMALL))
                .padding([4, 10])
                .style(button::secondary)
                .on_press(Message::Senha),
        )
        .push(
            button(text(pt::ABOUT).size(theme::SMALL))
                .padding([4, 10])
                .style(button::secondary)
                .on_press(Message::About),
        )
        .push(
            button(text(pt::LOGOUT).size(theme::SMALL))
                .padding([4, 10])
                .style(button::secondary)
                .on_press(Message::Logout),
        )
        .spacing(18)
        .align_y(Center)
        // At large text sizes (RNF06) the strip wraps onto a second line instead of pushing the
        // clock and "Sair" off the window.
        .wrap()
        .vertical_spacing(4);
        container(strip).padding([8, 14]).width(Fill).style(theme::header).into()
    }

    /// "3 comandos na fila" while commands wait for the server, and "2 recusados" (a button that
    /// opens the list) when the server refused some.
    pub(super) fn outbox_chips(&self) -> Vec<Element<'_, Message>> {
        let (pending, refused) = self.desk.outbox_counts();
        let mut chips = Vec::new();
        if pending > 0 {
            chips.push(
                container(text(pt::pending_commands(pending)).size(theme::SMALL))
                    .padding([2, 8])
                    .style(theme::banner(theme::ORANGE))
                    .into(),
            );
        }
        if let Some(error) = self.desk.outbox_error() {
            chips.push(
                container(text(error).size(theme::SMALL))
                    .padding([2, 8])
                    .style(theme::banner(theme::RED))
                    .into(),
            );
        }
        if refused > 0 {
            chips.push(
                button(text(pt::refused_commands(refused)).size(theme::SMALL))
                    .padding([2, 8])
                    .style(button::danger)
                    .on_press(Message::Conflicts(ConflictAction::Toggle))
                    .into(),
            );
        }
        chips
    }

    /// The commands the server refused, each with why, when it was issued, and the operator's
    /// two choices.
    pub(super) fn view_conflicts(&self) -> Option<Element<'_, Message>> {
        let conflicts = self.desk.shown_conflicts()?;
        let rows = conflicts.iter().map(|e| {
            let why = match &e.state {
                outbox::State::Conflict { problem } => {
                    ApiError::Problem(Box::new(problem.clone())).user_message()
                }
                outbox::State::Pending => String::new(),
            };
            row![
                column![
                    row![
                        text(e.label.as_str()).size(theme::TEXT),
                        text(pt::issued_at(e.queued_at, self.now, self.tz))
                            .size(theme::SMALL)
                            .color(theme::MUTED),
                    ]
                    .spacing(8)
                    .align_y(Center),
                    text(why).size(theme::SMALL).color(theme::RED),
                ]
                .spacing(2)
                .width(Fill),
                button(text(pt::RESEND).size(theme::SMALL))
                    .padding([4, 10])
                    .style(button::secondary)
                    .on_press(Message::Conflicts(ConflictAction::Retry(e.id))),
                button(text(pt::DISCARD).size(theme::SMALL))
                    .padding([4, 10])
                    .style(button::secondary)
                    .on_press(Message::Conflicts(ConflictAction::Discard(e.id))),
            ]
            .spacing(10)
            .align_y(Center)
            .into()
        });
        let head = row![
            text(pt::CONFLICTS_TITLE).size(theme::TITLE).width(Fill),
            button(text(pt::HIDE).size(theme::SMALL))
                .padding([4, 10])
                .style(button::secondary)
                .on_press(Message::Conflicts(ConflictAction::Toggle)),
        ]
        .align_y(Center);
        Some(
            container(column![head].extend(rows).spacing(8))
                .padding([8, 14])
                .width(Fill)
                .style(theme::banner(theme::RED))
                .into(),
        )
    }

    /// Which Atalaia this is and where it works.
    pub(super) fn view_about(&self) -> Option<Element<'_, Message>> {
        if !self.about {
            return None;
        }
        let lines = column![
            text(pt::about_title(env!("CARGO_PKG_VERSION"))).size(theme::TITLE),
            text(pt::ABOUT_WHAT).size(theme::TEXT),
            text(pt::about_server(&self.session.base)).size(theme::SMALL).color(theme::MUTED),
            text(pt::about_licence(env!("CARGO_PKG_LICENSE"))).size(theme::SMALL).color(theme::MUTED),
        ]
        .spacing(4)
        .width(Fill);
        let close = button(text(pt::HIDE).size(theme::SMALL))
            .padding([4, 10])
            .style(button::secondary)
            .on_press(Message::About);
        Some(
            container(row![lines, close].align_y(Center))
                .padding([8, 14])
                .width(Fill)
                .style(theme::banner(theme::BLUE))
                .into(),
        )
    }

    /// "Cadastros" (the administration screen) for who may read people or devices; "Painéis"
    /// brings the panes back.
    pub(super) fn cadastros_button(&self) -> Option<Element<'_, Message>> {
        let user = &self.session.user;
        let any =
            [Permission::PersonRead, Permission::DeviceRead, Permission::AuditRead, Permission::UserAdmin];
        if self.wall || !any.into_iter().any(|p| user.can(p)) {
            return None;
        }
        let label = if self.admin.is_some() { "Painéis" } else { "Cadastros" };
        Some(
            button(text(label).size(theme::SMALL))
                .padding([4, 10])
                .style(button::secondary)
                .on_press(Message::Cadastros)
                .into(),
        )
    }

    /// "Som indisponível" when the seat cannot sound (hover-free: the reason is in the log and
    /// on the chip), so nobody relies on a tone that will not come.
    pub(super) fn sound_chip(&self) -> Option<Element<'_, Message>> {
        if self.wall || !self.session.user.can(Permission::AlarmHandle) {
            return None;
        }
        match self.sound.status() {
            alert::sound::Status::Ready(_) => None,
            alert::sound::Status::Unavailable(_) => Some(
                container(text(pt::SOUND_OFF).size(theme::SMALL))
                    .padding([2, 8])
                    .style(theme::banner(theme::YELLOW))
                    .into(),
            ),
        }
    }

    /// Only the shortcuts this user can actually use.
    pub(super) fn view_footer(&self) -> Element<'_, Message> {
        let user = &self.session.user;
        let hints: Vec<&str> = [
            (user.can(Permission::OccurrenceCreate), pt::HINT_REGISTER),
            (user.can(Permission::AlarmHandle), pt::HINT_CLAIM),
            (true, pt::HINT_TAB),
        ]
        .into_iter()
        .filter_map(|(shown, hint)| shown.then_some(hint))
        .collect();
        container(text(hints.join(" · ")).size(theme::SMALL).color(theme::MUTED)).padding([2, 14]).into()
    }
}

/// The status strip's link text and colour.
pub fn link_status(link: &Link, now: DateTime<Utc>, tz: Tz) -> (String, Color) {
    let (parts, colour) = link_parts(link, now, tz);
    (parts.join(" · "), colour)
}

/// The link's state in parts (since when it is down, when it is tried again), and its colour.
fn link_parts(link: &Link, now: DateTime<Utc>, tz: Tz) -> (Vec<String>, Color) {
    match link {
        Link::Connecting => (vec![pt::CONNECTING.to_owned()], theme::YELLOW),
        Link::Connected => (vec![pt::CONNECTED.to_owned()], theme::GREEN),
        Link::Reconnecting { since, at } => {
            // Round up so the countdown never shows 0 s while still waiting.
            let ms = (*at - now).num_milliseconds().max(0);
            let parts =
                vec![pt::offline_since(&format::since(*since, now, tz)), pt::retry_in((ms + 999) / 1000)];
            (parts, theme::ORANGE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn link_status_counts_down() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0).single().expect("valid");
        let at = now + chrono::Duration::milliseconds(2500);
        let since = now - chrono::Duration::minutes(7);
        let tz = format::DEFAULT_TZ;
        assert_eq!(
            link_status(&Link::Reconnecting { since, at }, now, tz).0,
            "Sem conexão desde 09:53 · nova tentativa em 3s"
        );
        assert_eq!(
            link_status(&Link::Reconnecting { since, at }, at + chrono::Duration::seconds(1), tz).0,
            "Sem conexão desde 09:53 · nova tentativa em 0s"
        );
        // Lost yesterday: the day is said too.
        let since = now - chrono::Duration::hours(30);
        assert_eq!(
            link_status(&Link::Reconnecting { since, at }, now, tz).0,
            "Sem conexão desde 21/11 04:00 · nova tentativa em 3s"
        );
        assert_eq!(link_status(&Link::Connected, now, tz).0, "Conectado");
    }
}
