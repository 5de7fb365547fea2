//! The devices tab (III-2.12, III-2.16): every device with its state, wearer, battery and last
//! contact; the selected one's record and story; the steps its state allows (activate on a
//! person, replace by a spare, return, defective, lost, restock, deactivate) with the reason
//! each needs; and registering a new device into stock.

use super::{Event, list_row, muted};
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::admin::{self, Step};
use atalaia_client::format;
use atalaia_client::outbox::Command;
use atalaia_core::auth::Permission;
use atalaia_core::ids::{DeviceId, PersonId};
use atalaia_core::monitoring::{Device, DeviceAction, DeviceKind, DeviceState, DeviceStep};
use atalaia_core::wire::{DeviceChange, NewDevice};
use iced::widget::{Id, button, column, container, pick_list, row, scrollable, text, text_input};
use iced::{Element, Fill, FillPortion, Task};

/// The reason field of a step (the cursor goes there when a step is chosen).
pub const REASON_ID: &str = "dispositivo-motivo";
/// The search field of the person or spare being chosen.
pub const FIND_ID: &str = "dispositivo-escolha";
/// How many matches the chooser lists (type more to narrow it).
const CHOICES: usize = 8;
/// The identifier field of a new device.
pub const IMEI_ID: &str = "dispositivo-imei";

#[derive(Debug, Default)]
pub struct State {
    selected: Option<DeviceId>,
    filter: Filter,
    step: Option<StepForm>,
    new: Option<NewForm>,
}

/// A step being filled in for the selected device.
#[derive(Debug, Clone)]
struct StepForm {
    device: DeviceId,
    step: Step,
    /// What was typed to find the person or the spare.
    find: String,
    person: Option<PersonId>,
    spare: Option<DeviceId>,
    outcome: DeviceState,
    reason: String,
    saving: bool,
    error: Option<String>,
}

#[derive(Debug, Clone)]
struct NewForm {
    id: DeviceId,
    imei: String,
    kind: Kind,
    sim1: String,
    saving: bool,
    errors: Vec<String>,
}

/// Which states the list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter(Option<DeviceState>);

impl std::fmt::Display for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.map_or("Todos os estados", DeviceState::label))
    }
}

const FILTERS: [Filter; 6] = [
    Filter(None),
    Filter(Some(DeviceState::Active)),
    Filter(Some(DeviceState::Stock)),
    Filter(Some(DeviceState::Defective)),
    Filter(Some(DeviceState::Lost)),
    Filter(Some(DeviceState::Deactivated)),
];

/// What a replaced device may become.
const OUTCOMES: [DeviceState; 3] = [DeviceState::Defective, DeviceState::Lost, DeviceState::Stock];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind(DeviceKind);

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(atalaia_core::text::device_kind(self.0))
    }
}

const KINDS: [Kind; 3] =
    [Kind(DeviceKind::AnkleBracelet), Kind(DeviceKind::VictimUnit), Kind(DeviceKind::VehicleTracker)];

#[derive(Debug, Clone)]
pub enum Message {
    Select(DeviceId),
    Filter(Filter),
    Step(Step),
    Find(String),
    Person(PersonId),
    Spare(DeviceId),
    Outcome(DeviceState),
    Reason(String),
    Confirm,
    Cancel,
    New,
    Imei(String),
    Kind(Kind),
    Sim(String),
    Register,
    /// A command to the selected device (an alert to the wearer, a reporting interval).
    Send(atalaia_core::command::CommandKind),
    /// The server's answer about this device.
    Saved(DeviceId, Result<Box<Device>, String>),
}

impl State {
    pub fn update(&mut self, m: Message, ctx: &Ctx<'_>) -> (Task<Message>, Option<Event>) {
        let may_write = ctx.user.can(Permission::DeviceWrite);
        match m {
            Message::Select(id) => {
                if self.selected != Some(id) {
                    self.step = None;
                }
                self.selected = Some(id);
            }
            Message::Filter(f) => self.filter = f,
            Message::Step(step) if may_write => {
                let Some(device) = self.selected else { return (Task::none(), None) };
                self.new = None;
                let chooses = matches!(step, Step::Replace)
                    || (step == Step::Activate
                        && ctx
                            .model
                            .devices
                            .get(&device)
                            .is_some_and(|d| d.kind != DeviceKind::VehicleTracker));
                self.step = Some(StepForm {
                    device,
                    step,
                    find: String::new(),
                    person: None,
                    spare: None,
                    outcome: OUTCOMES[0],
                    reason: String::new(),
                    saving: false,
                    error: None,
                });
                let field = if chooses { FIND_ID } else { REASON_ID };
                return (iced::widget::operation::focus(Id::new(field)), None);
            }
            Message::Find(v) => self.edit(|f| f.find = v),
            Message::Person(id) => {
                self.edit(|f| f.person = Some(id));
                return (iced::widget::operation::focus(Id::new(REASON_ID)), None);
            }
            Message::Spare(id) => {
                self.edit(|f| f.spare = Some(id));
                return (iced::widget::operation::focus(Id::new(REASON_ID)), None);
            }
            Message::Outcome(o) => self.edit(|f| f.outcome = o),
            Message::Reason(r) => self.edit(|f| f.reason = r),
            Message::Confirm => {
                let event = self.confirm(ctx);
                // Refused on the form: the cursor goes where the missing part is typed.
                let focus = match self.step.as_ref().filter(|f| f.error.is_some()) {
                    Some(f) if f.error.as_deref().is_some_and(|e| e.starts_with("Escolha")) => FIND_ID,
                    Some(_) => REASON_ID,
                    None => return (Task::none(), event),
                };
                return (iced::widget::operation::focus(Id::new(focus)), event);
            }
            Message::Cancel => {
                self.step = None;
                self.new = None;
            }
            Message::New if may_write => {
                self.step = None;
                self.new = Some(NewForm {
                    id: DeviceId::new(),
                    imei: String::new(),
                    kind: KINDS[0],
                    sim1: String::new(),
                    saving: false,
                    errors: Vec::new(),
                });
                return (iced::widget::operation::focus(Id::new(IMEI_ID)), None);
            }
            Message::Imei(v) => self.edit_new(|f| f.imei = v),
            Message::Kind(k) => self.edit_new(|f| f.kind = k),
            Message::Sim(v) => self.edit_new(|f| f.sim1 = v),
            Message::Register => return (Task::none(), self.register()),
            Message::Send(kind) => {
                let Some(device) = self.selected else { return (Task::none(), None) };
                let command =
                    atalaia_core::wire::NewCommand { id: Some(atalaia_core::ids::CommandId::new()), kind };
                return (
                    Task::none(),
                    Some(Event::Issue(Box::new(Command::DeviceCommand { device, command }))),
                );
            }
            Message::Saved(id, result) => self.saved(id, result),
            Message::Step(_) | Message::New => {}
        }
        (Task::none(), None)
    }

    fn edit(&mut self, f: impl FnOnce(&mut StepForm)) {
        if let Some(form) = self.step.as_mut().filter(|s| !s.saving) {
            f(form);
            form.error = None;
        }
    }

    fn edit_new(&mut self, f: impl FnOnce(&mut NewForm)) {
        if let Some(form) = self.new.as_mut().filter(|s| !s.saving) {
            f(form);
            form.errors.clear();
        }
    }

    /// The step's body, checked as the server checks it.
    fn confirm(&mut self, ctx: &Ctx<'_>) -> Option<Event> {
        let form = self.step.as_mut().filter(|s| !s.saving)?;
        let d = ctx.model.devices.get(&form.device)?;
        let action = match form.step {
            Step::Activate => {
                if form.person.is_none() && d.kind != DeviceKind::VehicleTracker {
                    form.error = Some("Escolha a pessoa que vai usar o dispositivo.".into());
                    return None;
                }
                DeviceAction::Activate { person_id: form.person }
            }
            Step::Replace => {
                let Some(by) = form.spare else {
                    form.error = Some("Escolha o dispositivo substituto (em estoque).".into());
                    return None;
                };
                DeviceAction::Replace { by, outcome: form.outcome }
            }
            Step::Return => DeviceAction::Return,
            Step::Defective => DeviceAction::Defective,
            Step::Lost => DeviceAction::Lost,
            Step::Restock => DeviceAction::Restock,
            Step::Deactivate => DeviceAction::Deactivate,
        };
        let change = DeviceChange { action, reason: form.reason.trim().to_owned() };
        if let Some(e) = change.validate().into_iter().next() {
            form.error = Some(e.message);
            return None;
        }
        form.saving = true;
        Some(Event::Issue(Box::new(Command::DeviceState { device: form.device, change })))
    }

    fn register(&mut self) -> Option<Event> {
        let form = self.new.as_mut().filter(|s| !s.saving)?;
        let sim = form.sim1.trim();
        let body = NewDevice {
            id: Some(form.id),
            imei: form.imei.trim().to_owned(),
            kind: form.kind.0,
            state: DeviceState::Stock,
            sim1: (!sim.is_empty()).then(|| sim.to_owned()),
            sim2: None,
            person_id: None,
            vehicle_id: None,
            report_interval_s: None,
            model: None,
        };
        form.errors = body.validate().into_iter().map(|e| e.message).collect();
        if !form.errors.is_empty() {
            return None;
        }
        form.saving = true;
        Some(Event::Issue(Box::new(Command::CreateDevice(body))))
    }

    fn saved(&mut self, id: DeviceId, result: Result<Box<Device>, String>) {
        if let Some(form) = self.new.as_mut().filter(|f| f.id == id) {
            match result {
                Ok(_) => {
                    self.new = None;
                    self.selected = Some(id);
                }
                Err(why) => {
                    form.saving = false;
                    form.errors = vec![why];
                }
            }
        } else if let Some(form) = self.step.as_mut().filter(|f| f.device == id) {
            match result {
                Ok(_) => self.step = None,
                Err(why) => {
                    form.saving = false;
                    form.error = Some(why);
                }
            }
        }
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>, query: &str) -> Element<'a, Message> {
        let found = admin::devices(ctx.model, query, self.filter.0);
        let filter =
            pick_list(FILTERS, Some(self.filter), Message::Filter).text_size(theme::SMALL).padding([3, 6]);
        let mut head = row![filter, text(format!("{} dispositivo(s)", found.len())).size(theme::SMALL)]
            .spacing(10)
            .align_y(iced::Center);
        if ctx.user.can(Permission::DeviceWrite) {
            head = head.push(
                button(text("Novo dispositivo").size(theme::SMALL))
                    .padding([3, 9])
                    .style(button::secondary)
                    .on_press(Message::New),
            );
        }
        let rows = column(found.iter().map(|d| {
            list_row(
                self.selected == Some(d.id),
                Message::Select(d.id),
                vec![
                    text(d.imei.as_str()).size(theme::TEXT).width(FillPortion(3)).into(),
                    text(atalaia_core::text::device_kind(d.kind))
                        .size(theme::SMALL)
                        .width(FillPortion(2))
                        .into(),
                    state_chip(d.state),
                    text(wearer_name(ctx, d.person_id)).size(theme::SMALL).width(FillPortion(3)).into(),
                    muted(contact(ctx, d)).width(FillPortion(2)).into(),
                ],
            )
        }))
        .spacing(4);
        let list = column![head, scrollable(rows).height(Fill)].spacing(8).width(FillPortion(3));
        let detail: Element<'a, Message> =
            match (&self.new, self.selected.and_then(|id| ctx.model.devices.get(&id))) {
                (Some(form), _) => new_view(form),
                (None, Some(d)) => self.detail(d, ctx),
                (None, None) => muted("Escolha um dispositivo na lista.".into()).into(),
            };
        row![list, super::detail_card(detail, 2)].spacing(12).height(Fill).into()
    }

    fn detail<'a>(&'a self, d: &'a Device, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let battery =
            d.battery_pct.map_or_else(|| "Bateria: sem leitura".to_owned(), |b| format!("Bateria: {b:.0}%"));
        let mut col = column![
            row![text(d.imei.as_str()).size(theme::TITLE), state_chip(d.state)]
                .spacing(10)
                .align_y(iced::Center),
            text(atalaia_core::text::device_kind(d.kind)).size(theme::SMALL),
            text(format!("Portador: {}", wearer_name(ctx, d.person_id))).size(theme::SMALL),
            text(format!(
                "Chip: {}{}",
                d.sim1.as_deref().unwrap_or("não informado"),
                d.sim2.as_deref().map(|s| format!(" / {s}")).unwrap_or_default()
            ))
            .size(theme::SMALL),
            text(format!("{battery} · {}", contact(ctx, d))).size(theme::SMALL),
        ]
        .spacing(4);
        if ctx.user.can(Permission::DeviceWrite) {
            match self.step.as_ref().filter(|s| s.device == d.id) {
                Some(form) => col = col.push(step_view(form, d, ctx)),
                None => {
                    let buttons = admin::steps(d).into_iter().map(|s| {
                        button(text(s.label()).size(theme::SMALL))
                            .padding([3, 9])
                            .style(if s == Step::Deactivate { button::danger } else { button::secondary })
                            .on_press(Message::Step(s))
                            .into()
                    });
                    col = col.push(row(buttons).spacing(6).wrap());
                }
            }
        }
        let offered = crate::form::commands::offered(ctx);
        if d.state == DeviceState::Active && !offered.is_empty() {
            let buttons = offered.into_iter().map(|(label, kind)| {
                button(text(label).size(theme::SMALL))
                    .padding([3, 9])
                    .style(button::secondary)
                    .on_press(Message::Send(kind))
                    .into()
            });
            col = col.push(text("Comandos").size(theme::TEXT)).push(row(buttons).spacing(6).wrap());
            for line in crate::form::commands::recent(ctx, d.id, 3) {
                col = col.push(muted(line));
            }
        }
        col = col.push(text("Histórico").size(theme::TEXT));
        if d.history.is_empty() {
            col = col.push(muted("Sem mudanças desde o cadastro.".into()));
        }
        for s in d.history.iter().rev() {
            col = col.push(text(step_line(ctx, s)).size(theme::SMALL));
        }
        col.into()
    }
}

fn state_chip<'a>(s: DeviceState) -> Element<'a, Message> {
    let colour = match s {
        DeviceState::Active => theme::GREEN,
        DeviceState::Stock => theme::BLUE,
        DeviceState::Defective => theme::ORANGE,
        DeviceState::Lost => theme::RED,
        DeviceState::Deactivated => theme::GREY,
    };
    container(text(s.label()).size(theme::SMALL)).padding([1, 6]).style(theme::chip(colour)).into()
}

fn wearer_name(ctx: &Ctx<'_>, p: Option<PersonId>) -> String {
    match p {
        Some(id) => {
            ctx.model.persons.get(&id).map_or_else(|| "pessoa não carregada".into(), |p| p.name.clone())
        }
        None => "—".into(),
    }
}

fn contact(ctx: &Ctx<'_>, d: &Device) -> String {
    d.last_contact.map_or_else(
        || "nunca se comunicou".into(),
        |t| format!("contato {}", format::since(t, ctx.now, ctx.tz)),
    )
}

/// One line of a device's story: when, who, what, on or off whom, the other device, why.
fn step_line(ctx: &Ctx<'_>, s: &DeviceStep) -> String {
    let mut line =
        format!("{} — {} — {} → {}", format::day_time(s.at, ctx.tz), s.by, s.from.label(), s.to.label());
    if let Some(p) = s.removed_from {
        line.push_str(&format!(" — retirado de {}", wearer_name(ctx, Some(p))));
    }
    if let Some(p) = s.fitted_on {
        line.push_str(&format!(" — instalado em {}", wearer_name(ctx, Some(p))));
    }
    if let Some(other) = s.other.and_then(|o| ctx.model.devices.get(&o)) {
        let verb = if s.fitted_on.is_some() { "no lugar de" } else { "substituído por" };
        line.push_str(&format!(" — {verb} {}", other.imei));
    }
    if !s.reason.is_empty() {
        line.push_str(&format!(" — {}", s.reason));
    }
    line
}

fn step_view<'a>(form: &'a StepForm, d: &'a Device, ctx: &Ctx<'a>) -> Element<'a, Message> {
    let mut col = column![text(form.step.label()).size(theme::TEXT)].spacing(6);
    let words = atalaia_core::text::fold(&form.find);
    let matches = |hay: &str| words.split_whitespace().all(|w| atalaia_core::text::fold(hay).contains(w));
    let chooser = |hint: &'a str, found: Vec<(String, Message)>, chosen: Option<String>| {
        let mut c = column![].spacing(4);
        match chosen {
            Some(label) => {
                c = c.push(text(format!("Escolhido: {label}")).size(theme::SMALL).color(theme::GREEN))
            }
            None => c = c.push(muted(hint.into())),
        }
        let mut find =
            text_input("Digite para buscar…", &form.find).id(FIND_ID).size(theme::SMALL).padding([3, 6]);
        if !form.saving {
            find = find.on_input(Message::Find);
        }
        c = c.push(find);
        let more = found.len().saturating_sub(CHOICES);
        for (label, m) in found.into_iter().take(CHOICES) {
            c = c.push(
                button(text(label).size(theme::SMALL)).padding([2, 8]).style(button::secondary).on_press(m),
            );
        }
        if more > 0 {
            c = c.push(muted(format!("e mais {more}: digite para refinar")));
        }
        c
    };
    match form.step {
        Step::Activate if d.kind != DeviceKind::VehicleTracker => {
            let found = admin::wearers_for(ctx.model, d.kind, d.id)
                .into_iter()
                .filter(|p| matches(&format!("{} {}", p.name, p.record)))
                .map(|p| (format!("{} ({})", p.name, p.record), Message::Person(p.id)))
                .collect();
            let chosen = form.person.map(|p| wearer_name(ctx, Some(p)));
            col = col.push(chooser(
                "Pessoa (só quem não tem outro dispositivo ativo deste tipo)",
                found,
                chosen,
            ));
        }
        Step::Replace => {
            let found = admin::spares_for(ctx.model, d)
                .into_iter()
                .filter(|s| matches(&s.imei))
                .map(|s| (format!("{} · em estoque", s.imei), Message::Spare(s.id)))
                .collect();
            let chosen = form.spare.and_then(|s| ctx.model.devices.get(&s)).map(|s| s.imei.clone());
            col = col.push(chooser("Substituto (em estoque, do mesmo tipo)", found, chosen));
            let outcomes = OUTCOMES.iter().map(|o| {
                button(text(o.label()).size(theme::SMALL))
                    .padding([2, 8])
                    .style(if *o == form.outcome { button::primary } else { button::secondary })
                    .on_press(Message::Outcome(*o))
                    .into()
            });
            col = col.push(muted(format!("{} fica", d.imei))).push(row(outcomes).spacing(6));
        }
        _ => {}
    }
    let hint = if form.step == Step::Activate { "Observação (opcional)" } else { "Motivo (obrigatório)" };
    let mut reason = text_input(hint, &form.reason).id(REASON_ID).size(theme::SMALL).padding([3, 6]);
    let mut confirm = button(text(if form.saving { "Salvando…" } else { "Confirmar" }).size(theme::SMALL))
        .padding([3, 9])
        .style(button::primary);
    if !form.saving {
        reason = reason.on_input(Message::Reason).on_submit(Message::Confirm);
        confirm = confirm.on_press(Message::Confirm);
    }
    col = col.push(reason).push(
        row![
            confirm,
            button(text("Cancelar").size(theme::SMALL))
                .padding([3, 9])
                .style(button::text)
                .on_press(Message::Cancel)
        ]
        .spacing(8),
    );
    if let Some(e) = &form.error {
        col = col.push(text(e.as_str()).size(theme::SMALL).color(theme::RED));
    }
    container(col).padding(8).style(theme::row(true)).into()
}

fn new_view(form: &NewForm) -> Element<'_, Message> {
    let mut imei =
        text_input("IMEI ou identificador", &form.imei).id(IMEI_ID).size(theme::SMALL).padding([3, 6]);
    let mut sim = text_input("Número do chip (opcional)", &form.sim1).size(theme::SMALL).padding([3, 6]);
    let mut save =
        button(text(if form.saving { "Salvando…" } else { "Cadastrar em estoque" }).size(theme::SMALL))
            .padding([3, 9])
            .style(button::primary);
    if !form.saving {
        imei = imei.on_input(Message::Imei).on_submit(Message::Register);
        sim = sim.on_input(Message::Sim).on_submit(Message::Register);
        save = save.on_press(Message::Register);
    }
    let mut col = column![
        text("Novo dispositivo").size(theme::TITLE),
        muted("Identificador".into()),
        imei,
        muted("Tipo".into()),
        pick_list(KINDS, Some(form.kind), Message::Kind).text_size(theme::SMALL).padding([3, 6]),
        muted("Chip".into()),
        sim,
        row![
            save,
            button(text("Cancelar").size(theme::SMALL))
                .padding([3, 9])
                .style(button::text)
                .on_press(Message::Cancel)
        ]
        .spacing(8),
    ]
    .spacing(6);
    for e in &form.errors {
        col = col.push(text(e.as_str()).size(theme::SMALL).color(theme::RED));
    }
    col.into()
}
