//! The users tab (16.2.14, RFS169–171, 16.3.2): every user with their profile; someone new
//! registered with a profile and a first password they change at the first access; the selected
//! one's permission report — each permission, granted or not; giving them another profile;
//! lifting a login block, taking access away or giving it back, each with the reason. For who
//! administers users; the server refuses what goes beyond the administrator's own profile, and
//! says so here.

use super::{Event, list_row, muted};
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::access::UserDraft;
use atalaia_core::auth::{Permission, Profile};
use atalaia_core::ids::UserId;
use atalaia_core::wire::{NewUser, UserInfo};
use iced::widget::{Id, button, column, row, scrollable, text, text_input};
use iced::{Element, Fill, FillPortion, Task};

/// What the dashboard asks the server for this tab.
#[derive(Debug, Clone)]
pub enum Request {
    Load,
    Give {
        user: UserId,
        profile: String,
        name: String,
    },
    Unlock {
        user: UserId,
        reason: String,
    },
    /// Register a user, then give them this (defined) profile.
    Create {
        user: Box<NewUser>,
        profile: Option<String>,
    },
    Active {
        user: UserId,
        active: bool,
        reason: String,
    },
    /// Bind the user to a unit, or to the central (RFS177).
    Unit {
        user: UserId,
        unit: Option<String>,
        reason: String,
    },
}

/// The reason asked for every change of access.
const REASON: &str = "Motivo (desbloqueio, desativação, reativação ou unidade)";

/// The field of the selected user's new unit.
const UNIT_HINT: &str = "Nova unidade (ex.: Regional I; vazio: central)";

/// The new user's name field (the cursor goes there).
const NEW_ID: &str = "usuario-novo-nome";

#[derive(Debug, Default)]
struct NewForm {
    draft: UserDraft,
    error: Option<String>,
}

#[derive(Debug, Default)]
pub struct State {
    users: Option<Result<Vec<UserInfo>, String>>,
    profiles: Vec<Profile>,
    selected: Option<UserId>,
    reason: String,
    busy: bool,
    /// The last change's outcome: done (`Ok`) or why not.
    note: Option<Result<String, String>>,
    new: Option<NewForm>,
    /// The selected user's new unit, as typed.
    unit: String,
}

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<(Vec<UserInfo>, Vec<Profile>), String>),
    Select(UserId),
    Give(String),
    Reason(String),
    Unlock,
    /// The server's answer to a change: what to say.
    Done(Result<String, String>),
    /// The server's answer to a registration: the new user, shown with what to say.
    Created(Result<(UserId, String), String>),
    New,
    NewName(String),
    NewLogin(String),
    NewProfile(String),
    NewPassword(String),
    Create,
    CancelNew,
    SetActive(bool),
    NewUnit(String),
    Unit(String),
    SetUnit,
}

impl State {
    /// Asks for the list when the tab is first shown.
    pub fn load(&mut self) -> Option<Event> {
        (self.users.is_none() && !self.busy).then(|| {
            self.busy = true;
            Event::Users(Request::Load)
        })
    }

    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        match m {
            Message::Loaded(r) => {
                self.busy = false;
                match r {
                    Ok((users, profiles)) => {
                        self.users = Some(Ok(users));
                        self.profiles = profiles;
                    }
                    Err(why) => self.users = Some(Err(why)),
                }
            }
            Message::Select(id) => {
                if self.selected != Some(id) {
                    self.reason.clear();
                    self.unit.clear();
                    self.note = None;
                }
                self.selected = Some(id);
                // Choosing someone in the list leaves a registration not yet sent.
                if !self.busy {
                    self.new = None;
                }
            }
            Message::Give(profile) if !self.busy => {
                let Some(user) = self.selected else { return (Task::none(), None) };
                let name = self
                    .profiles
                    .iter()
                    .find(|p| p.id == profile)
                    .map_or(profile.clone(), |p| p.name.clone());
                self.busy = true;
                self.note = None;
                return (Task::none(), Some(Event::Users(Request::Give { user, profile, name })));
            }
            Message::Reason(v) => self.reason = v,
            Message::Unlock if !self.busy => {
                let Some(user) = self.selected else { return (Task::none(), None) };
                if self.reason.trim().is_empty() {
                    self.note = Some(Err("Informe o motivo do desbloqueio.".into()));
                    return (Task::none(), None);
                }
                self.busy = true;
                self.note = None;
                let reason = self.reason.trim().to_owned();
                return (Task::none(), Some(Event::Users(Request::Unlock { user, reason })));
            }
            Message::Created(Ok((id, said))) => {
                self.new = None;
                self.selected = Some(id);
                self.reason.clear();
                self.note = Some(Ok(said));
                self.busy = true;
                return (Task::none(), Some(Event::Users(Request::Load)));
            }
            Message::Created(Err(why)) => {
                self.busy = false;
                if let Some(form) = self.new.as_mut() {
                    form.error = Some(why);
                }
            }
            Message::New => {
                self.new = Some(NewForm::default());
                self.note = None;
                return (iced::widget::operation::focus(Id::new(NEW_ID)), None);
            }
            Message::NewName(v) => self.edit_new(|d| d.display_name = v),
            Message::NewLogin(v) => self.edit_new(|d| d.username = v),
            Message::NewProfile(v) => self.edit_new(|d| d.profile = Some(v)),
            Message::NewPassword(v) => self.edit_new(|d| d.password = v),
            Message::NewUnit(v) => self.edit_new(|d| d.unit = v),
            Message::Unit(v) => self.unit = v,
            Message::SetUnit if !self.busy => {
                let Some(user) = self.selected else { return (Task::none(), None) };
                if self.reason.trim().is_empty() {
                    self.note = Some(Err("Informe o motivo da mudança de unidade.".into()));
                    return (Task::none(), None);
                }
                self.busy = true;
                self.note = None;
                let (unit, reason) =
                    (atalaia_client::access::unit_of(&self.unit), self.reason.trim().to_owned());
                return (Task::none(), Some(Event::Users(Request::Unit { user, unit, reason })));
            }
            Message::CancelNew => self.new = None,
            Message::Create if !self.busy => {
                let Some(form) = self.new.as_mut() else { return (Task::none(), None) };
                match form.draft.body(&self.profiles) {
                    Ok((user, profile)) => {
                        self.busy = true;
                        let request = Request::Create { user: Box::new(user), profile };
                        return (Task::none(), Some(Event::Users(request)));
                    }
                    Err(why) => form.error = Some(why),
                }
            }
            Message::SetActive(active) if !self.busy => {
                let Some(user) = self.selected else { return (Task::none(), None) };
                if self.reason.trim().is_empty() {
                    let what = if active { "da reativação" } else { "da desativação" };
                    self.note = Some(Err(format!("Informe o motivo {what}.")));
                    return (Task::none(), None);
                }
                self.busy = true;
                self.note = None;
                let reason = self.reason.trim().to_owned();
                return (Task::none(), Some(Event::Users(Request::Active { user, active, reason })));
            }
            Message::Give(_)
            | Message::Unlock
            | Message::Create
            | Message::SetActive(_)
            | Message::SetUnit => {}
            Message::Done(r) => {
                self.busy = false;
                let done = r.is_ok();
                self.note = Some(r);
                if done {
                    self.reason.clear();
                    self.unit.clear();
                    // The list again: profiles and permissions as the server has them now.
                    self.busy = true;
                    return (Task::none(), Some(Event::Users(Request::Load)));
                }
            }
        }
        (Task::none(), None)
    }

    fn edit_new(&mut self, f: impl FnOnce(&mut UserDraft)) {
        if let Some(form) = self.new.as_mut() {
            f(&mut form.draft);
            form.error = None;
        }
    }

    fn new_view<'a>(&'a self, form: &'a NewForm) -> Element<'a, Message> {
        let d = &form.draft;
        let field = |label: &'a str, hint: &'a str, value: &'a str, m: fn(String) -> Message| {
            let input = text_input(hint, value).size(theme::SMALL).padding([3, 6]);
            let input = if self.busy { input } else { input.on_input(m).on_submit(Message::Create) };
            column![muted(label.into()), input].spacing(2)
        };
        let profiles = self.profiles.iter().map(|p| {
            let here = d.profile.as_deref() == Some(p.id.as_str());
            button(text(p.name.as_str()).size(theme::SMALL))
                .padding([2, 8])
                .style(theme::toggle(here))
                .on_press(Message::NewProfile(p.id.clone()))
                .into()
        });
        let name =
            text_input("ex.: Paula Nery", &d.display_name).id(NEW_ID).size(theme::SMALL).padding([3, 6]);
        let name = if self.busy { name } else { name.on_input(Message::NewName).on_submit(Message::Create) };
        let mut col = column![
            text("Novo usuário").size(theme::TITLE),
            column![muted("Nome completo".into()), name].spacing(2),
            field("Usuário (login)", "ex.: paula.nery", &d.username, Message::NewLogin),
            field("Senha inicial", "ao menos 8 caracteres", &d.password, Message::NewPassword),
            field("Unidade (RFS177)", "ex.: Regional I — vazio: central", &d.unit, Message::NewUnit),
            muted("A pessoa troca a senha inicial no primeiro acesso.".into()),
            text("Perfil").size(theme::TEXT),
            row(profiles).spacing(6).wrap(),
        ]
        .spacing(6);
        if let Some(why) = &form.error {
            col = col.push(text(why.as_str()).size(theme::SMALL).color(theme::RED));
        }
        col.push(super::save_cancel(
            if self.busy { "Cadastrando…" } else { "Cadastrar usuário" },
            self.busy,
            Message::Create,
            Message::CancelNew,
        ))
        .into()
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>, query: &str) -> Element<'a, Message> {
        let users = match &self.users {
            None => return muted("Carregando usuários…".into()).into(),
            Some(Err(why)) => return text(why.as_str()).size(theme::SMALL).color(theme::RED).into(),
            Some(Ok(users)) => users,
        };
        let words = atalaia_core::text::fold(query);
        let found: Vec<&UserInfo> = users
            .iter()
            .filter(|u| {
                let hay = atalaia_core::text::fold(&format!("{} {}", u.username, u.display_name));
                words.split_whitespace().all(|w| hay.contains(w))
            })
            .collect();
        let profile_name = |u: &UserInfo| {
            let key = u.profile.clone().unwrap_or_else(|| u.role.key().to_owned());
            self.profiles.iter().find(|p| p.id == key).map_or(key, |p| p.name.clone())
        };
        let rows = column(found.iter().map(|u| {
            list_row(
                self.selected == Some(u.id),
                Message::Select(u.id),
                vec![
                    text(u.display_name.as_str()).size(theme::TEXT).width(FillPortion(3)).into(),
                    text(u.username.as_str()).size(theme::SMALL).width(FillPortion(2)).into(),
                    muted(if u.active {
                        profile_name(u)
                    } else {
                        format!("{} (desativado)", profile_name(u))
                    })
                    .width(FillPortion(3))
                    .into(),
                    muted(u.unit.clone().unwrap_or_else(|| "Central".into())).width(FillPortion(2)).into(),
                ],
            )
        }))
        .spacing(4);
        let head = row![
            muted(format!("{} usuário(s)", found.len())),
            button(text("Novo usuário").size(theme::SMALL))
                .padding([3, 9])
                .style(button::secondary)
                .on_press(Message::New),
        ]
        .spacing(10)
        .align_y(iced::Center);
        let list = column![head, scrollable(rows).height(Fill)].spacing(8).width(FillPortion(3));
        let detail: Element<'a, Message> =
            match (&self.new, self.selected.and_then(|id| users.iter().find(|u| u.id == id))) {
                (Some(form), _) => self.new_view(form),
                (None, Some(u)) => self.detail(u, ctx, profile_name(u)),
                (None, None) => muted("Escolha um usuário na lista.".into()).into(),
            };
        row![list, super::detail_card(detail, 2)].spacing(12).height(Fill).into()
    }

    fn detail<'a>(&'a self, u: &'a UserInfo, ctx: &Ctx<'a>, profile: String) -> Element<'a, Message> {
        let mut col = column![
            text(u.display_name.as_str()).size(theme::TITLE),
            text(format!("Usuário: {}", u.username)).size(theme::SMALL),
            text(format!("Perfil: {profile}")).size(theme::SMALL),
            text(format!("Unidade: {}", atalaia_client::access::unit_label(u.unit.as_deref())))
                .size(theme::SMALL),
        ]
        .spacing(4);
        col = col.push(if u.active {
            text("Acesso ativo").size(theme::SMALL).color(theme::GREEN)
        } else {
            text("Acesso desativado: não entra no sistema; o histórico é mantido.")
                .size(theme::SMALL)
                .color(theme::ORANGE)
        });
        let mut reason = text_input(REASON, &self.reason).size(theme::SMALL).padding([3, 6]);
        if !self.busy {
            reason = reason.on_input(Message::Reason);
        }
        let act = |label: &'a str, style: fn(&iced::Theme, button::Status) -> button::Style, m: Message| {
            button(text(label).size(theme::SMALL))
                .padding([3, 9])
                .style(style)
                .on_press_maybe((!self.busy).then_some(m))
        };
        let mut actions = row![act("Desbloquear login", button::secondary, Message::Unlock)].spacing(6);
        if u.id != ctx.user.id {
            actions = actions.push(if u.active {
                act("Desativar acesso", button::danger, Message::SetActive(false))
            } else {
                act("Reativar acesso", button::secondary, Message::SetActive(true))
            });
        }
        let mut unit = text_input(UNIT_HINT, &self.unit).size(theme::SMALL).padding([3, 6]);
        if !self.busy {
            unit = unit.on_input(Message::Unit).on_submit(Message::SetUnit);
        }
        let unit = row![unit, act("Mudar unidade", button::secondary, Message::SetUnit)]
            .spacing(6)
            .align_y(iced::Center);
        col = col.push(reason).push(actions).push(unit);
        match &self.note {
            Some(Ok(done)) => col = col.push(text(done.as_str()).size(theme::SMALL).color(theme::GREEN)),
            Some(Err(why)) => col = col.push(text(why.as_str()).size(theme::SMALL).color(theme::RED)),
            None => {}
        }
        if u.id != ctx.user.id {
            col = col.push(text("Dar outro perfil").size(theme::TEXT));
            let current = u.profile.clone().unwrap_or_else(|| u.role.key().to_owned());
            let buttons = self.profiles.iter().map(|p| {
                let here = p.id == current;
                button(text(p.name.as_str()).size(theme::SMALL))
                    .padding([3, 9])
                    .style(if here { button::primary } else { button::secondary })
                    .on_press_maybe((!here && !self.busy).then(|| Message::Give(p.id.clone())))
                    .into()
            });
            col = col.push(row(buttons).spacing(6).wrap());
        } else {
            col = col.push(muted("O próprio perfil é alterado por outro administrador.".into()));
        }
        // The permission report (RFS171): every permission, granted or not.
        col = col.push(text("Permissões").size(theme::TEXT));
        for p in Permission::ALL {
            let granted = u.can(p);
            let mark = if granted { "✓" } else { "—" };
            let line = text(format!("{mark} {}", p.label())).size(theme::SMALL);
            col = col.push(if granted { line } else { line.color(theme::MUTED) });
        }
        col.into()
    }
}
