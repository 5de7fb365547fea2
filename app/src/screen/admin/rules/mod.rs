//! The rules tab (III-2.11, III-2.25, 16.2.7): what operators follow per alarm and group
//! ("Procedimentos"), the restrictions of each group ("Regras por grupo") and who is told by
//! e-mail or SMS ("Notificações"). A list of what is defined, and beside it the form of the one
//! chosen or being written. Each form checks what the server checks before sending; the server's
//! answer (saved, or why not) is shown where the administrator is looking. For who manages rules.

mod group;
mod notification;
mod procedure;

pub(crate) use super::save_cancel;
use super::{Event, list_row, muted};
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::rules::{self as logic, GroupDraft, NotificationDraft, ProcedureDraft};
use atalaia_core::alarm::{AlarmKind, Procedure};
use atalaia_core::monitoring::GroupRules;
use atalaia_core::notify::{NewNotificationRule, NotificationRule};
use atalaia_core::wire::{NewGroupRules, NewProcedure};
use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Element, Fill, FillPortion, Task};

/// What the central has defined, as the server lists it.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub procedures: Vec<Procedure>,
    pub groups: Vec<GroupRules>,
    pub notifications: Vec<NotificationRule>,
}

/// What the dashboard asks the server for this tab.
#[derive(Debug, Clone)]
pub enum Request {
    Load,
    Procedure(AlarmKind, NewProcedure),
    Group(String, NewGroupRules),
    Notification(String, NewNotificationRule),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Section {
    #[default]
    Procedures,
    Groups,
    Notifications,
}

/// The form beside the list.
#[derive(Debug)]
enum Form {
    Procedure(procedure::Form),
    Group(group::Form),
    Notification(notification::Form),
}

#[derive(Debug, Default)]
pub struct State {
    section: Section,
    lists: Option<Result<Lists, String>>,
    loading: bool,
    form: Option<Form>,
    /// The list entry whose form is open.
    editing: Option<usize>,
    /// The last save's outcome, shown above the list once its form has closed.
    saved: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<Lists, String>),
    Section(Section),
    NewProcedure,
    EditProcedure(usize),
    NewGroup,
    EditGroup(usize),
    NewNotification,
    EditNotification(usize),
    Procedure(procedure::Message),
    Group(group::Message),
    Notification(notification::Message),
    /// The server's answer to a save: what to say, or why not.
    Saved(Result<String, String>),
}

impl State {
    /// Asks for the lists when the tab is first shown.
    pub fn load(&mut self) -> Option<Event> {
        (self.lists.is_none() && !self.loading).then(|| {
            self.loading = true;
            Event::Rules(Request::Load)
        })
    }

    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        let lists = match &self.lists {
            Some(Ok(l)) => l.clone(),
            _ => Lists::default(),
        };
        let mut task = Task::none();
        let mut request = None;
        match m {
            Message::Loaded(r) => {
                self.loading = false;
                self.lists = Some(r);
            }
            Message::Section(s) => {
                self.section = s;
                self.form = None;
                self.editing = None;
                self.saved = None;
            }
            Message::NewProcedure => {
                self.open(Form::Procedure(procedure::Form::new(ProcedureDraft::default(), false)))
            }
            Message::EditProcedure(i) => {
                if let Some(p) = lists.procedures.get(i) {
                    self.open(Form::Procedure(procedure::Form::new(ProcedureDraft::of(p), true)));
                    self.editing = Some(i);
                    task = procedure::focus().map(Message::Procedure);
                }
            }
            Message::NewGroup => {
                self.open(Form::Group(group::Form::new(GroupDraft::default(), false)));
                task = group::focus().map(Message::Group);
            }
            Message::EditGroup(i) => {
                if let Some(g) = lists.groups.get(i) {
                    self.open(Form::Group(group::Form::new(GroupDraft::of(g), true)));
                    self.editing = Some(i);
                }
            }
            Message::NewNotification => {
                self.open(Form::Notification(notification::Form::new(NotificationDraft::default(), false)));
                task = notification::focus().map(Message::Notification);
            }
            Message::EditNotification(i) => {
                if let Some(r) = lists.notifications.get(i) {
                    self.open(Form::Notification(notification::Form::new(NotificationDraft::of(r), true)));
                    self.editing = Some(i);
                }
            }
            Message::Procedure(m) => {
                if let Some(Form::Procedure(f)) = &mut self.form {
                    let (t, out) = f.update(m);
                    task = t.map(Message::Procedure);
                    request = self.follow(out, |(k, b)| Request::Procedure(k, b));
                }
            }
            Message::Group(m) => {
                if let Some(Form::Group(f)) = &mut self.form {
                    let out = f.update(m);
                    request = self.follow(out, |(g, b)| Request::Group(g, b));
                }
            }
            Message::Notification(m) => {
                if let Some(Form::Notification(f)) = &mut self.form {
                    let out = f.update(m);
                    request = self.follow(out, |(n, b)| Request::Notification(n, b));
                }
            }
            Message::Saved(Ok(said)) => {
                self.form = None;
                self.editing = None;
                self.saved = Some(said);
                // The lists again, as the server has them now.
                self.loading = true;
                request = Some(Request::Load);
            }
            Message::Saved(Err(why)) => match &mut self.form {
                Some(Form::Procedure(f)) => f.refused(why),
                Some(Form::Group(f)) => f.refused(why),
                Some(Form::Notification(f)) => f.refused(why),
                None => self.saved = Some(why),
            },
        }
        (task, request.map(Event::Rules))
    }

    fn open(&mut self, form: Form) {
        self.form = Some(form);
        self.editing = None;
        self.saved = None;
    }

    /// What a form's update asks for: closing it, or sending its body.
    fn follow<B>(&mut self, out: Option<Outcome<B>>, request: impl FnOnce(B) -> Request) -> Option<Request> {
        match out? {
            Outcome::Cancel => {
                self.form = None;
                self.editing = None;
                None
            }
            Outcome::Send(body) => Some(request(body)),
        }
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let lists = match &self.lists {
            None => return muted("Carregando regras…".into()).into(),
            Some(Err(why)) => return text(why.as_str()).size(theme::SMALL).color(theme::RED).into(),
            Some(Ok(lists)) => lists,
        };
        let section = |label: &'a str, s: Section| {
            button(text(label).size(theme::SMALL))
                .padding([3, 10])
                .style(theme::toggle(self.section == s))
                .on_press(Message::Section(s))
        };
        let (new_label, new) = match self.section {
            Section::Procedures => ("Novo procedimento", Message::NewProcedure),
            Section::Groups => ("Nova regra de grupo", Message::NewGroup),
            Section::Notifications => ("Nova regra de notificação", Message::NewNotification),
        };
        let head = row![
            section("Procedimentos", Section::Procedures),
            section("Regras por grupo", Section::Groups),
            section("Notificações", Section::Notifications),
            button(text(new_label).size(theme::SMALL)).padding([3, 9]).style(button::secondary).on_press(new),
        ]
        .spacing(6)
        .align_y(iced::Center);
        let rows: Vec<Element<'a, Message>> = match self.section {
            Section::Procedures => lists
                .procedures
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let steps = format!("{} passo(s)", p.steps.len());
                    entry(
                        self.editing == Some(i),
                        Message::EditProcedure(i),
                        logic::procedure_label(p),
                        steps,
                    )
                })
                .collect(),
            Section::Groups => lists
                .groups
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    entry(self.editing == Some(i), Message::EditGroup(i), g.group.clone(), group::summary(g))
                })
                .collect(),
            Section::Notifications => lists
                .notifications
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    entry(
                        self.editing == Some(i),
                        Message::EditNotification(i),
                        r.name.clone(),
                        notification::summary(r),
                    )
                })
                .collect(),
        };
        let count = rows.len();
        let mut list = column![head].spacing(8).width(FillPortion(3));
        if let Some(said) = &self.saved {
            list = list.push(text(said.as_str()).size(theme::SMALL).color(theme::GREEN));
        }
        list = list.push(if count == 0 {
            Element::from(muted("Nada definido ainda.".into()))
        } else {
            scrollable(column(rows).spacing(4)).height(Fill).into()
        });
        let groups = self.groups(ctx, lists);
        let form: Element<'a, Message> = match &self.form {
            Some(Form::Procedure(f)) => f.view(&groups).map(Message::Procedure),
            Some(Form::Group(f)) => f.view(&groups).map(Message::Group),
            Some(Form::Notification(f)) => f.view(&groups).map(Message::Notification),
            None => muted("Escolha um item na lista ou crie um novo.".into()).into(),
        };
        row![list, container(scrollable(form)).width(FillPortion(3)).padding(10).style(theme::card)]
            .spacing(12)
            .height(Fill)
            .into()
    }

    /// The group names offered by the forms: people's, zones', and those rules already name.
    fn groups(&self, ctx: &Ctx<'_>, lists: &Lists) -> Vec<String> {
        let people =
            ctx.model.persons.values().flat_map(|p| p.group.iter().chain(&p.region)).map(String::as_str);
        let zones = ctx.model.zones.values().filter_map(|z| z.group.as_deref());
        let rules = lists.groups.iter().map(|g| g.group.as_str());
        let procedures = lists.procedures.iter().filter_map(|p| p.group.as_deref());
        logic::known_groups(people.chain(zones).chain(rules).chain(procedures))
    }
}

/// What a form's update may ask of the tab.
#[derive(Debug)]
pub(crate) enum Outcome<B> {
    Cancel,
    Send(B),
}

fn entry<'a>(selected: bool, on_press: Message, title: String, detail: String) -> Element<'a, Message> {
    list_row(
        selected,
        on_press,
        vec![
            text(title).size(theme::TEXT).width(FillPortion(3)).into(),
            muted(detail).width(FillPortion(2)).into(),
        ],
    )
}

/// The names of known groups as buttons that fill a group field.
pub(crate) fn group_choices<'a, M: Clone + 'a>(
    groups: &[String],
    current: &str,
    on_press: impl Fn(String) -> M,
) -> Element<'a, M> {
    if groups.is_empty() {
        return muted("Nenhum grupo cadastrado ainda: digite o nome.".into()).into();
    }
    let buttons: Vec<Element<'a, M>> = groups
        .iter()
        .map(|g| {
            button(text(g.clone()).size(theme::SMALL))
                .padding([2, 8])
                .style(theme::toggle(g.trim() == current.trim()))
                .on_press(on_press(g.clone()))
                .into()
        })
        .collect();
    row(buttons).spacing(6).wrap().into()
}

/// The form's error or progress line.
pub(crate) fn status<'a, M: 'a>(error: &'a Option<String>, saving: bool) -> Option<Element<'a, M>> {
    if saving {
        return Some(muted("Salvando…".into()).into());
    }
    error.as_deref().map(|e| text(e).size(theme::SMALL).color(theme::RED).into())
}
