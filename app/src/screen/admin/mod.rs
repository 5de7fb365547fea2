//! The administration screen ("Cadastros", issue 22 item 2): opened from the header instead of
//! the panes, for who may read people or devices. One search field over tabs — people, devices —
//! each a list with the selected record beside it — people, devices, zones, users, rules, the audit — and the changes the user's role may make. Every
//! change goes through the outbox like any other command and lands on every seat through the
//! live feed.

pub mod audit;
pub mod devices;
pub mod investigation;
pub mod people;
mod person_alarms;
pub mod person_documents;
pub mod profiles;
pub mod reports;
pub mod rules;
pub mod users;
pub mod zones;

use crate::pane::Ctx;
use crate::theme;
use atalaia_client::outbox::Command;
use atalaia_core::auth::Permission;
use iced::widget::{Id, button, column, container, row, scrollable, space, text, text_input};
use iced::{Element, Fill, Task};

/// The search field (the cursor goes there when the screen opens).
pub const SEARCH_ID: &str = "cadastros-busca";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    People,
    Devices,
    Zones,
    Audit,
    Users,
    Profiles,
    Rules,
    Reports,
    Investigation,
}

#[derive(Debug, Default)]
pub struct State {
    tab: Tab,
    query: String,
    people: people::State,
    devices: devices::State,
    zones: zones::State,
    audit: audit::State,
    users: users::State,
    rules: rules::State,
    profiles: profiles::State,
    reports: reports::State,
    investigation: investigation::State,
}

#[derive(Debug, Clone)]
pub enum Message {
    Tab(Tab),
    Query(String),
    People(people::Message),
    Devices(devices::Message),
    Zones(zones::Message),
    Audit(audit::Message),
    Users(users::Message),
    Rules(rules::Message),
    Profiles(profiles::Message),
    Reports(reports::Message),
    Investigation(investigation::Message),
    Close,
}

/// What the dashboard must do.
#[derive(Debug, Clone)]
pub enum Event {
    /// Send this command (through the outbox); its answer comes back as a `Saved` message.
    Issue(Box<Command>),
    /// Send the photo file at this path for this person; the answer comes back as
    /// `people::Message::PhotoSent`.
    SendPhoto(atalaia_core::ids::PersonId, std::path::PathBuf),
    /// Search the audit trail; the answer comes back as `audit::Message::Found`.
    SearchAudit(Box<atalaia_core::wire::AuditQuery>),
    /// A person is shown on the people tab: ask the server for their alarms (when the role reads
    /// alarms; the answer comes back as `people::Message::Alarms`) and their documents.
    PersonShown(atalaia_core::ids::PersonId),
    /// List, attach or open a person's documents; the answer comes back as a
    /// `person_documents::Message`.
    Documents(person_documents::Request),
    /// Ask the server for the users tab; the answer comes back as a `users::Message`.
    Users(users::Request),
    /// Ask the server for the rules tab; the answer comes back as a `rules::Message`.
    Rules(rules::Request),
    /// Ask the server for the profiles tab; the answer comes back as a `profiles::Message`.
    Profiles(profiles::Request),
    /// Save a report, open it, or show a track on the map.
    Reports(reports::Request),
    /// Run an investigative query; the answer comes back as `investigation::Message::Found`.
    Investigate(investigation::Request),
    /// Ask for a zone's history; the answer comes back as `zones::Message::History`.
    ZoneHistory(atalaia_core::ids::ZoneId),
    /// Leave for the map with this zone selected and fitted.
    ShowZone(atalaia_core::ids::ZoneId),
    Close,
}

impl State {
    /// Opens on the first tab the role may read, with the cursor in the search field.
    pub fn open(ctx: &Ctx<'_>) -> (Self, Task<Message>) {
        let tab = if ctx.user.can(Permission::PersonRead) {
            Tab::People
        } else if ctx.user.can(Permission::DeviceRead) {
            Tab::Devices
        } else if ctx.user.can(Permission::ZoneRead) {
            Tab::Zones
        } else if ctx.user.can(Permission::AuditRead) {
            Tab::Audit
        } else if rules_here(ctx) {
            Tab::Rules
        } else {
            Tab::Users
        };
        (Self { tab, ..Self::default() }, iced::widget::operation::focus(Id::new(SEARCH_ID)))
    }

    /// The person shown on the people tab, if that tab is showing.
    pub fn shown_person(&self) -> Option<atalaia_core::ids::PersonId> {
        (self.tab == Tab::People).then(|| self.people.selected()).flatten()
    }

    /// Whether this role has anything to see here.
    pub fn allowed(ctx: &Ctx<'_>) -> bool {
        ctx.user.can(Permission::PersonRead)
            || ctx.user.can(Permission::DeviceRead)
            || ctx.user.can(Permission::ZoneRead)
            || ctx.user.can(Permission::AuditRead)
            || rules_here(ctx)
            || ctx.user.can(Permission::UserAdmin)
    }

    pub fn update(&mut self, m: Message, ctx: &Ctx<'_>) -> (Task<Message>, Option<Event>) {
        match m {
            Message::Tab(Tab::Audit) => {
                self.tab = Tab::Audit;
                return (audit::State::focus().map(Message::Audit), None);
            }
            Message::Tab(Tab::Users) => {
                self.tab = Tab::Users;
                return (Task::none(), self.users.load());
            }
            Message::Tab(Tab::Reports) => {
                self.tab = Tab::Reports;
                return (reports::State::focus().map(Message::Reports), None);
            }
            Message::Investigation(m) => return (Task::none(), self.investigation.update(m, ctx)),
            Message::Reports(m) => {
                let (task, event) = self.reports.update(m, ctx);
                return (task.map(Message::Reports), event);
            }
            Message::Tab(Tab::Profiles) => {
                self.tab = Tab::Profiles;
                return (Task::none(), self.profiles.load());
            }
            Message::Profiles(m) => {
                let (task, event) = self.profiles.update(m);
                return (task.map(Message::Profiles), event);
            }
            Message::Tab(Tab::Rules) => {
                self.tab = Tab::Rules;
                return (Task::none(), self.rules.load());
            }
            Message::Tab(t) => self.tab = t,
            Message::Rules(m) => {
                let (task, event) = self.rules.update(m);
                return (task.map(Message::Rules), event);
            }
            Message::Users(m) => {
                let (task, event) = self.users.update(m);
                return (task.map(Message::Users), event);
            }
            Message::Audit(m) => {
                let (task, event) = self.audit.update(m);
                return (task.map(Message::Audit), event);
            }
            Message::Query(q) => self.query = q,
            Message::People(m) => {
                let (task, event) = self.people.update(m, ctx);
                return (task.map(Message::People), event);
            }
            Message::Devices(m) => {
                let (task, event) = self.devices.update(m, ctx);
                return (task.map(Message::Devices), event);
            }
            Message::Zones(m) => {
                let (task, event) = self.zones.update(m, ctx);
                return (task.map(Message::Zones), event);
            }
            Message::Close => return (Task::none(), Some(Event::Close)),
        }
        (Task::none(), None)
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let tab = |label: &'a str, t: Tab, allowed: bool| {
            let mut b = button(text(label).size(theme::TEXT)).padding([4, 14]).style(if self.tab == t {
                button::primary
            } else {
                button::secondary
            });
            if allowed {
                b = b.on_press(Message::Tab(t));
            }
            b
        };
        let bar = row![
            text("Cadastros").size(theme::HEADING),
            tab("Pessoas", Tab::People, ctx.user.can(Permission::PersonRead)),
            tab("Dispositivos", Tab::Devices, ctx.user.can(Permission::DeviceRead)),
            tab("Zonas", Tab::Zones, ctx.user.can(Permission::ZoneRead)),
            tab("Usuários", Tab::Users, ctx.user.can(Permission::UserAdmin)),
            tab("Perfis", Tab::Profiles, ctx.user.can(Permission::UserAdmin) && ctx.user.unit.is_none()),
            tab("Regras", Tab::Rules, rules_here(ctx)),
            tab(
                "Relatórios",
                Tab::Reports,
                ctx.user.can(Permission::AlarmRead) && ctx.user.can(Permission::PersonRead)
            ),
            tab("Investigação", Tab::Investigation, ctx.user.can(Permission::PositionRead)),
            tab("Auditoria", Tab::Audit, ctx.user.can(Permission::AuditRead)),
            crate::pane::slot(
                (!matches!(
                    self.tab,
                    Tab::Audit | Tab::Rules | Tab::Profiles | Tab::Reports | Tab::Investigation
                ))
                .then(|| {
                    text_input("Buscar por nome, processo, grupo, IMEI, chip…", &self.query)
                        .id(SEARCH_ID)
                        .on_input(Message::Query)
                        .size(theme::TEXT)
                        .padding([4, 8])
                        .width(420)
                        .into()
                })
            ),
            space::horizontal(),
            button(text("Voltar ao painel").size(theme::SMALL))
                .padding([4, 10])
                .style(button::secondary)
                .on_press(Message::Close),
        ]
        .spacing(12)
        .align_y(iced::Center);
        let body = match self.tab {
            Tab::People => self.people.view(ctx, &self.query).map(Message::People),
            Tab::Devices => self.devices.view(ctx, &self.query).map(Message::Devices),
            Tab::Zones => self.zones.view(ctx, &self.query).map(Message::Zones),
            Tab::Audit => self.audit.view(ctx).map(Message::Audit),
            Tab::Users => self.users.view(ctx, &self.query).map(Message::Users),
            Tab::Rules => self.rules.view(ctx).map(Message::Rules),
            Tab::Profiles => self.profiles.view().map(Message::Profiles),
            Tab::Reports => self.reports.view(ctx).map(Message::Reports),
            Tab::Investigation => self.investigation.view(ctx).map(Message::Investigation),
        };
        container(column![bar, body].spacing(10)).padding(10).width(Fill).height(Fill).into()
    }
}

/// Rules, procedures, notification rules and profiles hold in every region: the central's, not
/// a unit's (RFS177; the server refuses a unit's changes to them).
fn rules_here(ctx: &Ctx<'_>) -> bool {
    ctx.user.can(Permission::ManageRules) && ctx.user.unit.is_none()
}

/// A clickable list row, outlined when selected.
pub(crate) fn list_row<'a, M: Clone + 'a>(
    selected: bool,
    on_press: M,
    cells: Vec<Element<'a, M>>,
) -> Element<'a, M> {
    button(
        container(row(cells).spacing(8).align_y(iced::Center))
            .padding([4, 8])
            .width(Fill)
            .style(theme::row(selected)),
    )
    .padding(0)
    .style(button::text)
    .on_press(on_press)
    .into()
}

/// A form's "save" (pressable unless `busy`) and "Cancelar".
pub(crate) fn save_cancel<'a, M: Clone + 'a>(
    save: &'a str,
    busy: bool,
    on_save: M,
    on_cancel: M,
) -> Element<'a, M> {
    row![
        button(text(save).size(theme::SMALL)).padding([3, 10]).on_press_maybe((!busy).then_some(on_save)),
        button(text("Cancelar").size(theme::SMALL))
            .padding([3, 10])
            .style(button::secondary)
            .on_press(on_cancel),
    ]
    .spacing(8)
    .into()
}

/// The detail card beside a list: scrolls, and its scrollbar runs beside the content, never over
/// a button at the right edge.
pub(crate) fn detail_card<'a, M: 'a>(detail: Element<'a, M>, portion: u16) -> Element<'a, M> {
    container(scrollable(container(detail).padding(iced::Padding::ZERO.right(14))))
        .width(iced::FillPortion(portion))
        .padding(10)
        .style(theme::card)
        .into()
}

/// Secondary text.
pub(crate) fn muted<'a>(s: String) -> iced::widget::Text<'a> {
    text(s).size(theme::SMALL).color(theme::MUTED)
}
