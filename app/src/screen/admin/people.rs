//! The people tab (III-2.7, III-2.12): everyone monitored with record, regime, group and the
//! device they wear; the selected person's record with the devices fitted on and taken off them;
//! registering someone new and correcting a record.

use super::{Event, list_row, muted};
use crate::form::person::{self as form, Form};
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::admin;
use atalaia_client::format;
use atalaia_client::outbox::Command;
use atalaia_core::auth::Permission;
use atalaia_core::ids::PersonId;
use atalaia_core::monitoring::Person;
use iced::widget::{button, column, row, scrollable, text, text_input};
use iced::{Element, Fill, FillPortion, Task};

#[derive(Debug, Default)]
pub struct State {
    selected: Option<PersonId>,
    form: Option<Form>,
    /// The photo file typed (or dropped on the window) for the selected person.
    photo_path: String,
    /// A photo on its way to the server.
    sending: bool,
    /// The last sending's outcome: done (`Ok`) or why not.
    photo_note: Option<Result<String, String>>,
    /// The selected person's alarms as the server listed them (III-2.14), or why not.
    alarms: Option<(PersonId, Result<Vec<atalaia_core::alarm::Alarm>, String>)>,
    /// A measure being recorded on one of the person's alarms (16.2.12).
    measure: Option<super::person_alarms::MeasureForm>,
    /// The last measure's outcome.
    measure_note: Option<String>,
    /// The selected person's documents (8.11.1).
    documents: super::person_documents::Documents,
}

/// The photo file field.
pub const PHOTO_ID: &str = "cadastro-foto";

#[derive(Debug, Clone)]
pub enum Message {
    Select(PersonId),
    New,
    Edit,
    Form(form::Message),
    PhotoPath(String),
    SendPhoto,
    /// A file dropped on the window while this tab shows a person.
    Dropped(std::path::PathBuf),
    /// The server's answer to a photo sent for this person.
    PhotoSent(PersonId, Result<(), String>),
    /// The server's list of a person's alarms.
    Alarms(PersonId, Result<Vec<atalaia_core::alarm::Alarm>, String>),
    MeasureOpen(atalaia_core::ids::AlarmId),
    MeasureKind(atalaia_core::alarm::Measure),
    MeasureText(String),
    MeasureSave,
    MeasureCancel,
    Documents(super::person_documents::Message),
}

impl State {
    pub fn update(&mut self, m: Message, ctx: &Ctx<'_>) -> (Task<Message>, Option<Event>) {
        let may_write = ctx.user.can(Permission::PersonWrite);
        match m {
            Message::Select(id) => {
                if self.selected != Some(id) {
                    if self.form.as_ref().is_some_and(|f| !f.new) {
                        self.form = None;
                    }
                    if !self.sending {
                        self.photo_path.clear();
                        self.photo_note = None;
                    }
                    self.selected = Some(id);
                    self.alarms = None;
                    self.measure = None;
                    self.measure_note = None;
                    self.documents.show(id);
                    return (Task::none(), Some(Event::PersonShown(id)));
                }
            }
            Message::PhotoPath(v) if !self.sending => {
                self.photo_path = v;
                self.photo_note = None;
            }
            Message::Dropped(path) if may_write && atalaia_client::documents::is_document(&path) => {
                self.documents.dropped(&path);
            }
            Message::Documents(m) => {
                return (Task::none(), self.documents.update(m, ctx).map(Event::Documents));
            }
            Message::SendPhoto | Message::Dropped(_) if may_write && !self.sending => {
                if let Message::Dropped(path) = m {
                    self.photo_path = path.display().to_string();
                }
                let Some(person) = self.selected else { return (Task::none(), None) };
                let path = self.photo_path.trim();
                if path.is_empty() {
                    self.photo_note =
                        Some(Err("Informe o arquivo da foto (ou arraste-o para a janela).".into()));
                    return (Task::none(), None);
                }
                self.sending = true;
                self.photo_note = None;
                return (Task::none(), Some(Event::SendPhoto(person, path.into())));
            }
            Message::Alarms(id, r) if self.selected == Some(id) => self.alarms = Some((id, r)),
            Message::MeasureOpen(alarm) => {
                self.measure = Some(super::person_alarms::MeasureForm::new(alarm));
                self.measure_note = None;
            }
            Message::MeasureKind(m) => {
                if let Some(f) = self.measure.as_mut() {
                    f.measure = Some(m);
                    f.error = None;
                }
            }
            Message::MeasureText(v) => {
                if let Some(f) = self.measure.as_mut() {
                    f.text = v;
                    f.error = None;
                }
            }
            Message::MeasureCancel => self.measure = None,
            Message::MeasureSave => {
                let Some(f) = self.measure.as_mut() else { return (Task::none(), None) };
                match f.body() {
                    Ok((measure, text)) => {
                        let alarm = f.alarm;
                        self.measure = None;
                        self.measure_note = Some(format!(
                            "Providência registrada: {}.",
                            atalaia_core::text::measure(measure)
                        ));
                        let action = atalaia_core::wire::AlarmAction::Record { measure, text };
                        return (
                            Task::none(),
                            Some(Event::Issue(Box::new(Command::AlarmAction { alarm, action }))),
                        );
                    }
                    Err(why) => f.error = Some(why),
                }
            }
            Message::Alarms(..) => {}
            Message::PhotoSent(person, result) => {
                self.sending = false;
                if self.selected == Some(person) {
                    self.photo_note = Some(result.map(|()| "Foto enviada.".to_owned()));
                    if matches!(self.photo_note, Some(Ok(_))) {
                        self.photo_path.clear();
                    }
                }
            }
            Message::PhotoPath(_) | Message::SendPhoto | Message::Dropped(_) => {}
            Message::New if may_write => {
                self.form = Some(Form::blank());
                return (Form::focus(), None);
            }
            Message::Edit if may_write => {
                if let Some(p) = self.selected.and_then(|id| ctx.model.persons.get(&id)) {
                    self.form = Some(Form::of(p));
                    return (Form::focus(), None);
                }
            }
            Message::Form(m) => {
                let saved = match &m {
                    form::Message::Saved(id, Ok(_)) => Some(*id),
                    _ => None,
                };
                match self.form.as_mut().and_then(|f| f.update(m)) {
                    Some(form::Event::Save { person, body, new }) => {
                        let command = if new {
                            Command::CreatePerson(*body)
                        } else {
                            Command::UpdatePerson { person, body: *body }
                        };
                        return (Task::none(), Some(Event::Issue(Box::new(command))));
                    }
                    Some(form::Event::Closed) => {
                        self.form = None;
                        if saved.is_some() {
                            self.selected = saved;
                        }
                    }
                    None => {}
                }
            }
            Message::New | Message::Edit => {}
        }
        (Task::none(), None)
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>, query: &str) -> Element<'a, Message> {
        let found = admin::people(ctx.model, query);
        let mut head = row![text(format!("{} pessoa(s)", found.len())).size(theme::SMALL)]
            .spacing(10)
            .align_y(iced::Center);
        if ctx.user.can(Permission::PersonWrite) {
            head = head.push(
                button(text("Novo cadastro").size(theme::SMALL))
                    .padding([3, 9])
                    .style(button::secondary)
                    .on_press(Message::New),
            );
        }
        let wearing = admin::worn(ctx.model);
        let rows = column(found.iter().map(|p| {
            let worn =
                wearing.get(&p.id).map_or_else(|| "sem dispositivo".to_owned(), |imei| (*imei).to_owned());
            list_row(
                self.selected == Some(p.id),
                Message::Select(p.id),
                vec![
                    text(p.name.as_str()).size(theme::TEXT).width(FillPortion(3)).into(),
                    text(p.record.as_str()).size(theme::SMALL).width(FillPortion(3)).into(),
                    text(atalaia_core::text::regime(p.regime))
                        .size(theme::SMALL)
                        .width(FillPortion(2))
                        .into(),
                    muted(p.groups().join(" · ")).width(FillPortion(2)).into(),
                    muted(worn).width(FillPortion(2)).into(),
                ],
            )
        }))
        .spacing(4);
        let list = column![head, scrollable(rows).height(Fill)].spacing(8).width(FillPortion(3));
        let person = self.selected.and_then(|id| ctx.model.persons.get(&id));
        let detail: Element<'a, Message> = match (&self.form, person) {
            (Some(f), _) if f.new => f.view(ctx.model).map(Message::Form),
            (Some(f), Some(p)) if f.person == p.id => f.view(ctx.model).map(Message::Form),
            (_, Some(p)) => self.detail(p, ctx),
            (_, None) => muted("Escolha uma pessoa na lista.".into()).into(),
        };
        row![list, super::detail_card(detail, 2)].spacing(12).height(Fill).into()
    }
}

impl State {
    /// The person on the list now (whose photo the screen needs).
    pub fn selected(&self) -> Option<PersonId> {
        self.selected
    }

    fn detail<'a>(&'a self, p: &'a Person, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let mut col = column![
            text(p.name.as_str()).size(theme::TITLE),
            text(format!("Processo / prontuário: {}", p.record)).size(theme::SMALL),
            text(format!(
                "Regime: {}{}",
                atalaia_core::text::regime(p.regime),
                p.group.as_deref().map(|g| format!(" · Grupo: {g}")).unwrap_or_default()
            ))
            .size(theme::SMALL),
            text(format!("Região: {}", p.region.as_deref().unwrap_or("não informada"))).size(theme::SMALL),
            text(linked_line(ctx, p)).size(theme::SMALL),
            text(format!("Responsável: {}", p.responsible.as_deref().unwrap_or("não informado")))
                .size(theme::SMALL),
        ]
        .spacing(4);
        for line in
            atalaia_client::admin::personal_lines(&p.personal, ctx.now.with_timezone(&ctx.tz).date_naive())
        {
            col = col.push(text(line).size(theme::SMALL));
        }
        col = col.push(muted(format!("Cadastrado em {}", format::day_time(p.created_at, ctx.tz))));
        if ctx.user.can(Permission::PersonWrite) {
            col = col.push(
                button(text("Corrigir cadastro").size(theme::SMALL))
                    .padding([3, 9])
                    .style(button::secondary)
                    .on_press(Message::Edit),
            );
        }
        let mut col = column![row![crate::photos::frame(ctx, p, 150.0, 190.0), col].spacing(12)].spacing(6);
        if let Some(photo) = &p.photo {
            col = col.push(muted(format!(
                "Foto de {} por {} ({} × {})",
                format::day_time(photo.at, ctx.tz),
                photo.by,
                photo.width,
                photo.height
            )));
        }
        if ctx.user.can(Permission::PersonWrite) {
            let mut path =
                text_input("Arquivo da foto (JPEG ou PNG) — ou arraste-o para a janela", &self.photo_path)
                    .id(PHOTO_ID)
                    .size(theme::SMALL)
                    .padding([3, 6]);
            let mut send =
                button(text(if self.sending { "Enviando…" } else { "Enviar foto" }).size(theme::SMALL))
                    .padding([3, 9])
                    .style(button::secondary);
            if !self.sending {
                path = path.on_input(Message::PhotoPath).on_submit(Message::SendPhoto);
                send = send.on_press(Message::SendPhoto);
            }
            col = col.push(row![path, send].spacing(6).align_y(iced::Center));
            match &self.photo_note {
                Some(Ok(done)) => col = col.push(text(done.as_str()).size(theme::SMALL).color(theme::GREEN)),
                Some(Err(why)) => col = col.push(text(why.as_str()).size(theme::SMALL).color(theme::RED)),
                None => {}
            }
        }
        let (active, steps) = admin::person_devices(ctx.model, p.id);
        col = col.push(text("Dispositivos").size(theme::TEXT));
        if active.is_empty() {
            col = col.push(muted("Nenhum dispositivo ativo.".into()));
        }
        for d in active {
            col = col.push(
                text(format!("{} {} — ativo", atalaia_core::text::device_kind(d.kind), d.imei))
                    .size(theme::SMALL),
            );
        }
        for (d, s) in steps {
            let what = if s.fitted_on == Some(p.id) { "instalado" } else { "retirado" };
            let mut line = format!(
                "{} — {} {what} ({}) por {}",
                format::day_time(s.at, ctx.tz),
                d.imei,
                s.to.label(),
                s.by
            );
            if !s.reason.is_empty() {
                line.push_str(&format!(" — {}", s.reason));
            }
            col = col.push(text(line).size(theme::SMALL));
        }
        if ctx.user.can(Permission::AlarmRead) {
            if let Some(said) = &self.measure_note {
                col = col.push(text(said.as_str()).size(theme::SMALL).color(theme::GREEN));
            }
            col = col.push(super::person_alarms::view(
                ctx,
                p.id,
                self.alarms.as_ref().map(|(_, r)| r),
                self.measure.as_ref(),
            ));
        }
        // The documents last: the alarms and their measures are the daily work.
        col = col.push(self.documents.view(ctx).map(Message::Documents));
        col.into()
    }
}

/// Who the person is linked to (27.16.1): a victim's aggressor, or the victims an aggressor is
/// kept away from.
fn linked_line(ctx: &Ctx<'_>, p: &Person) -> String {
    let name = |id: &PersonId| {
        ctx.model.persons.get(id).map_or("pessoa não carregada".to_owned(), |p| p.name.clone())
    };
    if let Some(aggressor) = &p.linked_person {
        return format!("Agressor vinculado: {}", name(aggressor));
    }
    let mut victims: Vec<String> = ctx
        .model
        .persons
        .values()
        .filter(|v| v.linked_person == Some(p.id))
        .map(|v| v.name.clone())
        .collect();
    victims.sort();
    if victims.is_empty() {
        "Sem vínculo com vítima ou agressor".into()
    } else {
        format!("Vítima(s) protegida(s): {}", victims.join(", "))
    }
}
