//! Changing one's password (III-2.23, 16.3.2.3): asked right after login when the password was
//! set by someone else (first access) or is older than the site's policy allows — the dashboard
//! does not open before it is changed — and offered from the header at any time. Checked here
//! with the server's rules (length, not the user name, not the current one, typed twice alike)
//! before anything is sent; the server's refusal is shown as it says it.

use crate::theme;
use atalaia_client::Api;
use iced::widget::{Id, button, column, text, text_input};
use iced::{Element, Fill, Task};
use std::fmt;

use atalaia_core::wire::{MIN_PASSWORD_LEN, PasswordChange};
pub const CURRENT_ID: &str = "senha-atual";
pub const NEW_ID: &str = "senha-nova";
const CONFIRM_ID: &str = "senha-confirmacao";

/// Why the change is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Set by an administrator: the first access changes it.
    FirstAccess,
    /// Older than the site's policy.
    Expired,
    /// The user asked.
    Voluntary,
}

pub struct Form {
    why: Why,
    username: String,
    current: String,
    new: String,
    confirm: String,
    busy: bool,
    error: Option<String>,
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Form").field("why", &self.why).field("busy", &self.busy).finish_non_exhaustive()
    }
}

#[derive(Clone)]
pub enum Message {
    Current(String),
    New(String),
    Confirm(String),
    Submit,
    Cancel,
    /// The server's answer: done, or why not and whether it was the current password.
    Answered(Result<(), Refusal>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub current_wrong: bool,
    pub message: String,
}

// Hand-written so a password never reaches a log line through `{:?}`.
impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Current(_) | Message::New(_) | Message::Confirm(_) => f.write_str("Password(***)"),
            Message::Submit => f.write_str("Submit"),
            Message::Cancel => f.write_str("Cancel"),
            Message::Answered(r) => f.debug_tuple("Answered").field(r).finish(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Changed,
    /// Only a voluntary change can be left.
    Cancelled,
}

impl Form {
    /// `current`: what the user just typed to log in (not asked again), if known.
    pub fn new(why: Why, username: &str, current: Option<&str>) -> Self {
        Self {
            why,
            username: username.to_owned(),
            current: current.unwrap_or_default().to_owned(),
            new: String::new(),
            confirm: String::new(),
            busy: false,
            error: None,
        }
    }

    pub fn focus<M: Send + 'static>(&self) -> Task<M> {
        let first = if self.current.is_empty() { CURRENT_ID } else { NEW_ID };
        iced::widget::operation::focus(Id::new(first))
    }

    /// The new password typed (kept for offline use once the server took it).
    pub fn new_password(&self) -> &str {
        &self.new
    }

    /// What is wrong with what was typed, by the server's rules.
    pub fn problem(&self) -> Option<String> {
        if self.current.is_empty() {
            return Some("Informe a senha atual.".into());
        }
        let change =
            PasswordChange { current_password: self.current.clone(), new_password: self.new.clone() };
        if let Some(problem) = change.problem(&self.username) {
            return Some(problem.message);
        }
        if self.new != self.confirm {
            return Some("A confirmação não é igual à nova senha.".into());
        }
        None
    }

    pub fn update(&mut self, m: Message, api: &Api) -> (Task<Message>, Option<Event>) {
        if self.busy && !matches!(m, Message::Answered(_)) {
            return (Task::none(), None);
        }
        match m {
            Message::Current(v) => self.current = v,
            Message::New(v) => self.new = v,
            Message::Confirm(v) => self.confirm = v,
            Message::Cancel if self.why == Why::Voluntary => return (Task::none(), Some(Event::Cancelled)),
            Message::Cancel => {}
            Message::Submit => {
                if let Some(problem) = self.problem() {
                    self.error = Some(problem);
                    return (Task::none(), None);
                }
                self.busy = true;
                self.error = None;
                let (api, current, new) = (api.clone(), self.current.clone(), self.new.clone());
                let sent = async move {
                    api.change_password(&current, &new).await.map_err(|e| Refusal {
                        current_wrong: matches!(&e, atalaia_client::ApiError::Problem(p)
                            if p.errors.iter().any(|f| f.field == "current_password")),
                        message: crate::text::api_error(&e),
                    })
                };
                return (Task::perform(sent, Message::Answered), None);
            }
            Message::Answered(Ok(())) => {
                self.busy = false;
                return (Task::none(), Some(Event::Changed));
            }
            Message::Answered(Err(why)) => {
                self.busy = false;
                self.error = Some(why.message);
                // The cursor goes where the correction is typed.
                let field = if why.current_wrong {
                    self.current.clear();
                    CURRENT_ID
                } else {
                    self.new.clear();
                    self.confirm.clear();
                    NEW_ID
                };
                return (iced::widget::operation::focus(Id::new(field)), None);
            }
        }
        self.error = None;
        (Task::none(), None)
    }

    pub fn view<'a>(&'a self) -> Element<'a, Message> {
        let (title, note) = match self.why {
            Why::FirstAccess => (
                "Troque sua senha",
                "Esta senha foi definida pelo administrador. Escolha uma senha só sua para continuar.",
            ),
            Why::Expired => {
                ("Senha vencida", "Sua senha passou do prazo da central. Escolha uma nova para continuar.")
            }
            Why::Voluntary => ("Trocar senha", "As suas outras sessões serão encerradas."),
        };
        let field = |label: &'static str, id: &'static str, value: &'a str, m: fn(String) -> Message| {
            let mut input =
                text_input(label, value).id(Id::new(id)).secure(true).padding(8).size(theme::TEXT);
            if !self.busy {
                input = input.on_input(m).on_submit(Message::Submit);
            }
            column![text(label).size(theme::SMALL), input].spacing(4)
        };
        let mut col = column![
            text(title).size(theme::HEADING),
            text(note).size(theme::SMALL).color(theme::MUTED),
            field("Senha atual", CURRENT_ID, &self.current, Message::Current),
            field("Nova senha", NEW_ID, &self.new, Message::New),
            field("Repita a nova senha", CONFIRM_ID, &self.confirm, Message::Confirm),
            text(format!(
                "Ao menos {MIN_PASSWORD_LEN} caracteres, diferente do nome de usuário e da senha atual."
            ))
            .size(theme::SMALL)
            .color(theme::MUTED),
            button(
                text(if self.busy { "Trocando…" } else { "Trocar senha" })
                    .size(theme::TEXT)
                    .width(Fill)
                    .center()
            )
            .width(Fill)
            .padding(10)
            .style(button::primary)
            .on_press_maybe((!self.busy).then_some(Message::Submit)),
        ]
        .spacing(10)
        .width(420);
        if self.why == Why::Voluntary {
            col = col.push(
                button(text("Cancelar").size(theme::SMALL)).style(button::text).on_press(Message::Cancel),
            );
        }
        if let Some(e) = &self.error {
            col = col.push(text(e.as_str()).size(theme::TEXT).color(theme::RED));
        }
        col.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iii_2_23_a_new_password_is_checked_by_the_servers_rules_before_it_is_sent() {
        let mut f = Form::new(Why::FirstAccess, "ana", Some("senha-do-admin"));
        let api = Api::new("http://127.0.0.1:9").expect("api");
        let typed = |f: &mut Form, new: &str, confirm: &str| {
            let _ = f.update(Message::New(new.into()), &api);
            let _ = f.update(Message::Confirm(confirm.into()), &api);
            let _ = f.update(Message::Submit, &api);
            (f.busy, f.error.clone())
        };
        assert_eq!(
            typed(&mut f, "curta", "curta").1.as_deref(),
            Some("A nova senha deve ter ao menos 8 caracteres.")
        );
        let mut long_name = Form::new(Why::FirstAccess, "anabeatriz", Some("senha-do-admin"));
        assert_eq!(
            typed(&mut long_name, "AnaBeatriz", "AnaBeatriz").1.as_deref(),
            Some("A nova senha não pode ser o nome de usuário.")
        );
        assert_eq!(
            typed(&mut f, "senha-do-admin", "senha-do-admin").1.as_deref(),
            Some("A nova senha deve ser diferente da atual.")
        );
        assert_eq!(
            typed(&mut f, "uma-senha-boa", "uma-senha-bo").1.as_deref(),
            Some("A confirmação não é igual à nova senha.")
        );
        assert_eq!(typed(&mut f, "uma-senha-boa", "uma-senha-boa"), (true, None), "sent");
        // A forced change cannot be left; a voluntary one can.
        let (_, event) = f.update(Message::Cancel, &api);
        assert_eq!(event, None);
        let mut v = Form::new(Why::Voluntary, "ana", None);
        assert_eq!(v.update(Message::Cancel, &api).1, Some(Event::Cancelled));
    }
}
