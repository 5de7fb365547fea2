//! The profiles tab (16.2.14, RFS169, RFS171): every profile — the nine seeded ones, kept as
//! shipped, and those the central defined — with exactly what each grants; a new profile written
//! from scratch or as a copy of another (its name, the kind of seat, each permission marked);
//! a defined profile corrected. The server refuses a profile beyond the administrator's own
//! permissions and says so here; its users get the change from their next request.

use super::{Event, list_row, muted};
use crate::theme;
use atalaia_client::access::ProfileDraft;
use atalaia_core::auth::{Permission, Profile, Role};
use atalaia_core::wire::NewProfile;
use iced::widget::{Id, button, checkbox, column, row, scrollable, text, text_input};
use iced::{Element, Fill, FillPortion, Task};

/// The profile's name field (the cursor goes there).
const NAME_ID: &str = "perfil-nome";

/// What the dashboard asks the server for this tab.
#[derive(Debug, Clone)]
pub enum Request {
    Load,
    Save { body: Box<NewProfile>, new: bool },
}

#[derive(Debug)]
struct Form {
    draft: ProfileDraft,
    error: Option<String>,
}

#[derive(Debug, Default)]
pub struct State {
    profiles: Option<Result<Vec<Profile>, String>>,
    selected: Option<String>,
    form: Option<Form>,
    busy: bool,
    saved: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<Vec<Profile>, String>),
    Select(String),
    New,
    Copy,
    Name(String),
    Base(Role),
    Toggle(Permission),
    Save,
    Cancel,
    /// The server's answer to a save: what to say, or why not.
    Saved(Result<String, String>),
}

impl State {
    /// Asks for the list when the tab is first shown.
    pub fn load(&mut self) -> Option<Event> {
        (self.profiles.is_none() && !self.busy).then(|| {
            self.busy = true;
            Event::Profiles(Request::Load)
        })
    }

    fn chosen(&self) -> Option<&Profile> {
        let id = self.selected.as_deref()?;
        self.profiles.as_ref()?.as_ref().ok()?.iter().find(|p| p.id == id)
    }

    fn open(&mut self, draft: ProfileDraft) -> Task<Message> {
        self.form = Some(Form { draft, error: None });
        self.saved = None;
        iced::widget::operation::focus(Id::new(NAME_ID))
    }

    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        let edit = |s: &mut Self, f: &dyn Fn(&mut ProfileDraft)| {
            if let Some(form) = s.form.as_mut() {
                f(&mut form.draft);
                form.error = None;
            }
        };
        match m {
            Message::Loaded(r) => {
                self.busy = false;
                self.profiles = Some(r);
            }
            Message::Select(id) => {
                let draft = self
                    .profiles
                    .as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|all| all.iter().find(|p| p.id == id && !p.builtin).map(ProfileDraft::of));
                self.selected = Some(id);
                self.saved = None;
                self.form = draft.map(|draft| Form { draft, error: None });
            }
            Message::New => {
                let draft = ProfileDraft { base: Some(Role::MonitoringOperator), ..ProfileDraft::default() };
                return (self.open(draft), None);
            }
            Message::Copy => {
                if let Some(p) = self.chosen() {
                    let draft = ProfileDraft::copy_of(p);
                    return (self.open(draft), None);
                }
            }
            Message::Name(v) => edit(self, &|d| d.name = v.clone()),
            Message::Base(r) => edit(self, &|d| d.base = Some(r)),
            Message::Toggle(p) => edit(self, &|d| d.toggle(p)),
            Message::Cancel => self.form = None,
            Message::Save if !self.busy => {
                let Some(form) = self.form.as_mut() else { return (Task::none(), None) };
                match form.draft.body() {
                    Ok(body) => {
                        self.busy = true;
                        let new = !form.draft.existing;
                        return (
                            Task::none(),
                            Some(Event::Profiles(Request::Save { body: Box::new(body), new })),
                        );
                    }
                    Err(why) => form.error = Some(why),
                }
            }
            Message::Save => {}
            Message::Saved(Ok(said)) => {
                let key = self.form.take().map(|f| f.draft.key());
                self.selected = key.or(self.selected.take());
                self.saved = Some(said);
                self.profiles = None;
                self.busy = false;
                return (Task::none(), self.load());
            }
            Message::Saved(Err(why)) => {
                self.busy = false;
                match self.form.as_mut() {
                    Some(form) => form.error = Some(why),
                    None => self.saved = Some(why),
                }
            }
        }
        (Task::none(), None)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let profiles = match &self.profiles {
            None => return muted("Carregando perfis…".into()).into(),
            Some(Err(why)) => return text(why.as_str()).size(theme::SMALL).color(theme::RED).into(),
            Some(Ok(p)) => p,
        };
        let rows = column(profiles.iter().map(|p| {
            list_row(
                self.selected.as_deref() == Some(p.id.as_str()),
                Message::Select(p.id.clone()),
                vec![
                    text(p.name.as_str()).size(theme::TEXT).width(FillPortion(3)).into(),
                    muted(if p.builtin { "do sistema".into() } else { "definido pela central".into() })
                        .width(FillPortion(2))
                        .into(),
                    muted(format!("{} permissão(ões)", p.permissions.len())).width(FillPortion(2)).into(),
                ],
            )
        }))
        .spacing(4);
        let mut head = row![
            muted(format!("{} perfil(is)", profiles.len())),
            button(text("Novo perfil").size(theme::SMALL))
                .padding([3, 9])
                .style(button::secondary)
                .on_press(Message::New),
        ]
        .spacing(10)
        .align_y(iced::Center);
        if let Some(said) = &self.saved {
            head = head.push(text(said.as_str()).size(theme::SMALL).color(theme::GREEN));
        }
        let list = column![head, scrollable(rows).height(Fill)].spacing(8).width(FillPortion(3));
        let detail: Element<'_, Message> = match (&self.form, self.chosen()) {
            (Some(form), _) => self.form_view(form),
            (None, Some(p)) => builtin_view(p),
            (None, None) => muted("Escolha um perfil na lista ou crie um novo.".into()).into(),
        };
        row![list, super::detail_card(detail, 3)].spacing(12).height(Fill).into()
    }

    fn form_view<'a>(&'a self, form: &'a Form) -> Element<'a, Message> {
        let d = &form.draft;
        let title = if d.existing { "Corrigir perfil" } else { "Novo perfil" };
        let name = text_input("Nome do perfil", &d.name).id(NAME_ID).size(theme::SMALL).padding([3, 6]);
        let name = if self.busy { name } else { name.on_input(Message::Name).on_submit(Message::Save) };
        let seats = Role::ALL.into_iter().map(|r| {
            button(text(atalaia_core::text::role(r)).size(theme::SMALL))
                .padding([2, 8])
                .style(theme::toggle(d.base == Some(r)))
                .on_press(Message::Base(r))
                .into()
        });
        let mut col = column![
            text(title).size(theme::TITLE),
            name,
            muted(format!("Identificador: {}", if d.key().is_empty() { "—".into() } else { d.key() })),
            text("Tipo de posto (a tela que seus usuários usam)").size(theme::SMALL),
            row(seats).spacing(4).wrap(),
            text("Permissões").size(theme::TEXT),
        ]
        .spacing(6);
        for p in Permission::ALL {
            col = col.push(
                checkbox(d.permissions.contains(&p))
                    .label(p.label())
                    .on_toggle(move |_| Message::Toggle(p))
                    .size(15)
                    .text_size(theme::SMALL),
            );
        }
        if let Some(why) = &form.error {
            col = col.push(text(why.as_str()).size(theme::SMALL).color(theme::RED));
        }
        col.push(super::save_cancel(
            if self.busy { "Salvando…" } else { "Salvar perfil" },
            self.busy,
            Message::Save,
            Message::Cancel,
        ))
        .into()
    }
}

/// A seeded profile: what it grants, and the way to a changed copy.
fn builtin_view(p: &Profile) -> Element<'_, Message> {
    let mut col = column![
        text(p.name.as_str()).size(theme::TITLE),
        muted(format!("Perfil do sistema · posto: {}", atalaia_core::text::role(p.base))),
        button(text("Copiar como novo perfil").size(theme::SMALL))
            .padding([3, 9])
            .style(button::secondary)
            .on_press(Message::Copy),
        text("Permissões").size(theme::TEXT),
    ]
    .spacing(4);
    for perm in Permission::ALL {
        let granted = p.can(perm);
        let line = text(format!("{} {}", if granted { "✓" } else { "—" }, perm.label())).size(theme::SMALL);
        col = col.push(if granted { line } else { line.color(theme::MUTED) });
    }
    col.into()
}
