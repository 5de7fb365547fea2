//! The users tab (16.2.14, RFS169–171, 16.3.2): every user with their profile; the selected
//! one's permission report — each permission, granted or not; giving them another profile; and
//! lifting a login block with the reason. For who administers users; the server refuses what
//! goes beyond the administrator's own profile, and says so here.

use super::{Event, list_row, muted};
use crate::pane::Ctx;
use crate::theme;
use atalaia_core::auth::{Permission, Profile};
use atalaia_core::ids::UserId;
use atalaia_core::wire::UserInfo;
use iced::widget::{button, column, container, row, scrollable, text, text_input};
use iced::{Element, Fill, FillPortion, Task};

/// What the dashboard asks the server for this tab.
#[derive(Debug, Clone)]
pub enum Request {
    Load,
    Give { user: UserId, profile: String, name: String },
    Unlock { user: UserId, reason: String },
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
                    self.note = None;
                }
                self.selected = Some(id);
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
            Message::Give(_) | Message::Unlock => {}
            Message::Done(r) => {
                self.busy = false;
                let done = r.is_ok();
                self.note = Some(r);
                if done {
                    self.reason.clear();
                    // The list again: profiles and permissions as the server has them now.
                    self.busy = true;
                    return (Task::none(), Some(Event::Users(Request::Load)));
                }
            }
        }
        (Task::none(), None)
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
                    muted(profile_name(u)).width(FillPortion(3)).into(),
                ],
            )
        }))
        .spacing(4);
        let list = column![muted(format!("{} usuário(s)", found.len())), scrollable(rows).height(Fill)]
            .spacing(8)
            .width(FillPortion(3));
        let detail: Element<'a, Message> =
            match self.selected.and_then(|id| users.iter().find(|u| u.id == id)) {
                Some(u) => self.detail(u, ctx, profile_name(u)),
                None => muted("Escolha um usuário na lista.".into()).into(),
            };
        row![list, container(scrollable(detail)).width(FillPortion(2)).padding(10).style(theme::card)]
            .spacing(12)
            .height(Fill)
            .into()
    }

    fn detail<'a>(&'a self, u: &'a UserInfo, ctx: &Ctx<'a>, profile: String) -> Element<'a, Message> {
        let mut col = column![
            text(u.display_name.as_str()).size(theme::TITLE),
            text(format!("Usuário: {}", u.username)).size(theme::SMALL),
            text(format!("Perfil: {profile}")).size(theme::SMALL),
        ]
        .spacing(4);
        // The permission report (RFS171): every permission, granted or not.
        col = col.push(text("Permissões").size(theme::TEXT));
        for p in Permission::ALL {
            let granted = u.can(p);
            let mark = if granted { "✓" } else { "—" };
            let line = text(format!("{mark} {}", p.label())).size(theme::SMALL);
            col = col.push(if granted { line } else { line.color(theme::MUTED) });
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
        let mut reason = text_input("Motivo do desbloqueio", &self.reason).size(theme::SMALL).padding([3, 6]);
        let mut unlock =
            button(text("Desbloquear login").size(theme::SMALL)).padding([3, 9]).style(button::secondary);
        if !self.busy {
            reason = reason.on_input(Message::Reason).on_submit(Message::Unlock);
            unlock = unlock.on_press(Message::Unlock);
        }
        col = col.push(row![reason, unlock].spacing(6).align_y(iced::Center));
        match &self.note {
            Some(Ok(done)) => col = col.push(text(done.as_str()).size(theme::SMALL).color(theme::GREEN)),
            Some(Err(why)) => col = col.push(text(why.as_str()).size(theme::SMALL).color(theme::RED)),
            None => {}
        }
        col.into()
    }
}
