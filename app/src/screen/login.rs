//! The login screen. It also tells the operator where the server is, or why the local server could
//! not start (the window always opens; the error is shown here instead of crashing), and in demo
//! mode it shows the demo credentials.

use crate::screen::Session;
use crate::text as pt;
use crate::theme;
use atalaia_client::{Api, ApiError};
use atalaia_core::wire::LoginResponse;
use iced::widget::{Id, button, column, container, text, text_input};
use iced::{Element, Fill, Task};
use std::fmt;

pub const USERNAME_ID: &str = "login-usuario";
const PASSWORD_ID: &str = "login-senha";

pub struct Login {
    /// The server root URL, or why there is none.
    server: Result<String, String>,
    /// Credentials hint (demo or first run), already worded.
    hint: Option<String>,
    username: String,
    password: String,
    busy: bool,
    error: Option<String>,
    /// Why the operator is back here (session expired, logged out).
    notice: Option<String>,
    /// The console's data directory and the name of the server's seats in it: a session that
    /// logs in is kept there for a login while the server is unreachable (issue 8).
    seats: Option<(std::path::PathBuf, String)>,
    /// Logged in, but the password must be changed before the dashboard opens.
    change: Option<Box<Change>>,
}

/// A session waiting for its password to be changed.
struct Change {
    response: LoginResponse,
    session: Session,
    form: crate::screen::password::Form,
}

#[derive(Clone)]
pub enum Message {
    Username(String),
    Password(String),
    Submit,
    Answered(Result<LoginResponse, ApiError>),
    /// The password change asked for after login.
    Change(crate::screen::password::Message),
}

// Hand-written so a password or a token never reaches a log line through `{:?}`.
impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Username(u) => f.debug_tuple("Username").field(u).finish(),
            Message::Password(_) => f.write_str("Password(***)"),
            Message::Submit => f.write_str("Submit"),
            Message::Answered(Ok(r)) => write!(f, "Answered(Ok({}))", r.user.username),
            Message::Answered(Err(e)) => f.debug_tuple("Answered").field(e).finish(),
            Message::Change(m) => f.debug_tuple("Change").field(m).finish(),
        }
    }
}

/// Logs in at the server and keeps the session in `seat`; with the server unreachable, opens the
/// session kept there if the password is the one that opened it (the operator then works from the
/// cache, and the server has the last word when it is back).
async fn login(
    api: Api,
    username: String,
    password: String,
    seat: Option<std::path::PathBuf>,
) -> Result<LoginResponse, ApiError> {
    match (api.login(&username, &password).await, seat) {
        // A password that must change first is not kept for offline use: the new one is, once
        // it is chosen (see `remember`).
        // The session kept from an earlier login is forgotten too: the password that must change
        // no longer opens the console offline.
        (Ok(session), Some(seat)) if session.must_change_password || session.password_expired => {
            atalaia_client::seat::forget(&seat);
            Ok(session)
        }
        (Ok(session), Some(seat)) => {
            let kept = session.clone();
            let stored =
                tokio::task::spawn_blocking(move || atalaia_client::seat::remember(&seat, &kept, &password))
                    .await;
            match stored {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::warn!(%error, "session not kept for offline use"),
                Err(error) => tracing::warn!(%error, "session not kept for offline use"),
            }
            Ok(session)
        }
        (Err(ApiError::Network(reason)), Some(seat)) => {
            let kept = tokio::task::spawn_blocking(move || {
                atalaia_client::seat::offline_login(&seat, &password, chrono::Utc::now())
            })
            .await
            .ok()
            .flatten();
            match kept {
                Some(session) => {
                    tracing::warn!(%reason, "server unreachable: logged in with the session kept on this console");
                    Ok(session)
                }
                None => Err(ApiError::Network(reason)),
            }
        }
        (result, _) => result,
    }
}

/// Keeps the session for offline use with the password just chosen.
async fn remember(seat: Option<std::path::PathBuf>, mut session: LoginResponse, password: String) {
    let Some(seat) = seat else { return };
    session.must_change_password = false;
    session.password_expired = false;
    let stored =
        tokio::task::spawn_blocking(move || atalaia_client::seat::remember(&seat, &session, &password)).await;
    if !matches!(stored, Ok(Ok(()))) {
        tracing::warn!("session not kept for offline use after the password change");
    }
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("server", &self.server)
            .field("username", &self.username)
            .field("busy", &self.busy)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub enum Event {
    LoggedIn(Box<Session>),
}

impl Login {
    pub fn new(server: Result<String, String>, hint: Option<String>) -> Self {
        Self {
            server,
            hint,
            username: String::new(),
            password: String::new(),
            busy: false,
            error: None,
            notice: None,
            seats: None,
            change: None,
        }
    }

    /// Keep sessions under `data_dir` (seats of `server`), and log in from them without a server.
    pub fn with_seats(mut self, data_dir: Option<&std::path::Path>, server: &str) -> Self {
        self.seats = data_dir.map(|d| (d.to_owned(), server.to_owned()));
        self
    }

    pub fn with_notice(mut self, notice: &str) -> Self {
        self.notice = Some(notice.to_owned());
        self
    }

    /// Prefill the credentials (kiosk mode: `--user` plus `ATALAIA_PASSWORD`).
    pub fn with_credentials(mut self, username: &str, password: &str) -> Self {
        self.username = username.to_owned();
        self.password = password.to_owned();
        self
    }

    /// The username currently typed (or prefilled).
    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn focus() -> Task<Message> {
        iced::widget::operation::focus(Id::new(USERNAME_ID))
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Username(v) => self.username = v,
            Message::Password(v) => self.password = v,
            Message::Submit => return (self.submit(), None),
            Message::Answered(result) => {
                self.busy = false;
                match result
                    .map_err(|e| {
                        tracing::warn!(error = %e, "login request failed");
                        pt::api_error(&e)
                    })
                    .and_then(|r| Ok((self.session(r.clone())?, r)))
                {
                    Ok((session, response)) if response.must_change_password || response.password_expired => {
                        use crate::screen::password::{Form, Why};
                        let why = if response.must_change_password { Why::FirstAccess } else { Why::Expired };
                        tracing::info!(user = %session.user.username, ?why, "logged in; the password must change first");
                        let form = Form::new(why, &session.user.username, Some(&self.password));
                        self.password.clear();
                        let focus = form.focus();
                        self.change = Some(Box::new(Change { response, session, form }));
                        return (focus, None);
                    }
                    Ok((session, _)) => {
                        tracing::info!(user = %session.user.username, "logged in");
                        self.password.clear();
                        return (Task::none(), Some(Event::LoggedIn(Box::new(session))));
                    }
                    Err(error) => {
                        tracing::warn!(%error, "login failed");
                        self.error = Some(error);
                        return (iced::widget::operation::focus(Id::new(PASSWORD_ID)), None);
                    }
                }
            }
            Message::Change(m) => {
                let Some(change) = self.change.as_mut() else { return (Task::none(), None) };
                let new_password = change.form.new_password().to_owned();
                let (task, event) = change.form.update(m, &change.session.api);
                if event == Some(crate::screen::password::Event::Changed) {
                    let Some(change) = self.change.take() else { return (Task::none(), None) };
                    tracing::info!(user = %change.session.user.username, "password changed at first access");
                    let seat = self.seats.as_ref().map(|(dir, server)| {
                        atalaia_client::seat::dir(dir, server, &change.session.user.username)
                    });
                    let kept = Task::future(remember(seat, change.response, new_password)).discard();
                    return (kept, Some(Event::LoggedIn(Box::new(change.session))));
                }
                return (task.map(Message::Change), None);
            }
        }
        (Task::none(), None)
    }

    fn submit(&mut self) -> Task<Message> {
        if self.busy {
            return Task::none();
        }
        let Ok(base) = &self.server else { return Task::none() };
        let username = self.username.trim().to_owned();
        if username.is_empty() || self.password.is_empty() {
            self.error = Some(pt::LOGIN_EMPTY.to_owned());
            return Task::none();
        }
        let api = match Api::new(base) {
            Ok(api) => api,
            Err(e) => {
                self.error = Some(pt::api_error(&e));
                return Task::none();
            }
        };
        self.busy = true;
        self.error = None;
        self.notice = None;
        let password = self.password.clone();
        let seat = self.seats.as_ref().map(|(dir, server)| atalaia_client::seat::dir(dir, server, &username));
        Task::perform(login(api, username, password, seat), Message::Answered)
    }

    fn session(&self, r: LoginResponse) -> Result<Session, String> {
        let base = self.server.clone()?;
        let api = Api::new(&base).map_err(|e| pt::api_error(&e))?.with_token(r.token.clone());
        let site_tz = r.site_timezone.as_deref().and_then(|t| t.parse().ok());
        Ok(Session { api, base, token: r.token, user: r.user, site_tz })
    }

    pub fn view(&self) -> Element<'_, Message> {
        if let Some(change) = &self.change {
            let form = change.form.view().map(Message::Change);
            return container(container(form).padding(28).style(theme::card)).center(Fill).into();
        }
        let server_ok = self.server.is_ok();
        let mut card = column![
            text(pt::LOGIN_TITLE).size(theme::HEADING),
            text(pt::LOGIN_SUBTITLE).size(theme::SMALL).color(theme::MUTED),
        ]
        .spacing(10)
        .width(420);
        match &self.server {
            Ok(base) => card = card.push(text(pt::server_at(base)).size(theme::SMALL).color(theme::MUTED)),
            Err(reason) => card = card.push(banner(pt::server_failed(reason), theme::RED)),
        }
        if let Some(hint) = &self.hint {
            card = card.push(banner(hint.clone(), theme::BLUE));
        }
        if let Some(notice) = &self.notice {
            card = card.push(banner(notice.clone(), theme::YELLOW));
        }
        let enabled = server_ok && !self.busy;
        let username = text_input(pt::USERNAME, &self.username)
            .id(Id::new(USERNAME_ID))
            .on_input_maybe(enabled.then_some(Message::Username))
            .on_submit(Message::Submit)
            .padding(8)
            .size(theme::TEXT);
        let password = text_input(pt::PASSWORD, &self.password)
            .id(Id::new(PASSWORD_ID))
            .secure(true)
            .on_input_maybe(enabled.then_some(Message::Password))
            .on_submit(Message::Submit)
            .padding(8)
            .size(theme::TEXT);
        let label = if self.busy { pt::LOGGING_IN } else { pt::LOGIN_BUTTON };
        card = card
            .push(column![text(pt::USERNAME).size(theme::SMALL), username].spacing(4))
            .push(column![text(pt::PASSWORD).size(theme::SMALL), password].spacing(4))
            .push(
                button(text(label).size(theme::TEXT).width(Fill).center())
                    .width(Fill)
                    .padding(10)
                    .style(button::primary)
                    .on_press_maybe(enabled.then_some(Message::Submit)),
            );
        if let Some(error) = &self.error {
            card = card.push(text(error.as_str()).size(theme::TEXT).color(theme::RED));
        }
        container(container(card).padding(28).style(theme::card)).center(Fill).into()
    }
}

fn banner<'a>(message: String, color: iced::Color) -> Element<'a, Message> {
    container(text(message).size(theme::SMALL))
        .padding([6, 10])
        .width(Fill)
        .style(theme::banner(color))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_credentials_are_refused_locally() {
        let mut l = Login::new(Ok("http://127.0.0.1:9".into()), None);
        let _ = l.update(Message::Submit);
        assert_eq!(l.error.as_deref(), Some(pt::LOGIN_EMPTY));
        assert!(!l.busy);
    }

    #[test]
    fn without_a_server_nothing_is_sent() {
        let mut l = Login::new(Err("porta ocupada".into()), None).with_credentials("ana", "x");
        let _ = l.update(Message::Submit);
        assert!(!l.busy);
    }

    #[test]
    fn a_refused_login_shows_the_servers_message() {
        let mut l = Login::new(Ok("http://127.0.0.1:9".into()), None).with_credentials("ana", "errada");
        let problem = atalaia_core::wire::Problem {
            type_uri: "about:blank".into(),
            title: "Não autorizado".into(),
            status: 401,
            detail: Some("Usuário ou senha inválidos.".into()),
            code: "invalid_credentials".into(),
            errors: Vec::new(),
        };
        let (_, event) = l.update(Message::Answered(Err(ApiError::Problem(Box::new(problem)))));
        assert!(event.is_none());
        assert_eq!(l.error.as_deref(), Some("Usuário ou senha inválidos."));
    }
}
