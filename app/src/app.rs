//! The root of the console: which screen is showing (login ⇄ dashboard), the subscriptions (clock,
//! keyboard shortcuts, live feed) and the theme. `main` hands it a [`BootConfig`]; everything
//! after that flows through [`App::update`].

use crate::screen::dashboard::{self, Dashboard};
use crate::screen::login::{self, Login};
use crate::{text, theme};
use atalaia_client::format;
use chrono::Utc;
use chrono_tz::Tz;
use iced::event::{self, Event};
use iced::keyboard::{self, Key, key::Named};
use iced::widget::operation;
use iced::{Element, Subscription, Task, Theme, window};
use std::time::Duration;

/// What `main` learned before the window opened.
#[derive(Clone)]
pub struct BootConfig {
    /// Server root URL, or why the embedded server could not start.
    pub server: Result<String, String>,
    /// Credentials the embedded server offers: the demo user, or a new database's administrator.
    pub demo_login: Option<(String, String)>,
    /// Started with `--demo` (tells the login hint which of the two it is).
    pub demo: bool,
    /// Kiosk mode: log in at start with these credentials.
    pub auto_login: Option<(String, String)>,
    /// The site's time zone for every time shown.
    pub tz: Tz,
}

impl Default for BootConfig {
    fn default() -> Self {
        Self {
            server: Err(String::new()),
            demo_login: None,
            demo: false,
            auto_login: None,
            tz: format::DEFAULT_TZ,
        }
    }
}

impl std::fmt::Debug for BootConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Credentials stay out of logs.
        f.debug_struct("BootConfig")
            .field("server", &self.server)
            .field("demo", &self.demo)
            .field("auto_login", &self.auto_login.as_ref().map(|(user, _)| user))
            .field("tz", &self.tz)
            .finish_non_exhaustive()
    }
}

impl BootConfig {
    /// The credentials hint for the login screen, worded for demo or first run.
    pub fn hint(&self) -> Option<String> {
        let (user, password) = self.demo_login.as_ref()?;
        Some(if self.demo { text::demo_hint(user, password) } else { text::first_run_hint(user, password) })
    }
}

pub enum Screen {
    Login(Login),
    Dashboard(Box<Dashboard>),
}

pub struct App {
    config: BootConfig,
    screen: Screen,
}

/// Keyboard shortcuts (keyboard-first operation: every call-taking and alarm action has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// Ctrl+Enter: register the call being taken.
    Register,
    /// F9: take the next open alarm.
    ClaimNext,
    FocusNext,
    FocusPrevious,
}

#[derive(Debug, Clone)]
pub enum Message {
    Login(login::Message),
    Dashboard(dashboard::Message),
    Tick,
    Shortcut(Shortcut),
}

impl App {
    pub fn boot(config: BootConfig) -> (Self, Task<Message>) {
        let mut login = Login::new(config.server.clone(), config.hint());
        if config.demo
            && let Some((user, password)) = &config.demo_login
        {
            // A demo visitor only has to press Enter; a real first-run password is never prefilled.
            login = login.with_credentials(user, password);
        }
        let mut task = Login::focus().map(Message::Login);
        if let (Some((user, password)), Ok(_)) = (&config.auto_login, &config.server) {
            tracing::info!(%user, "kiosk login at start");
            login = login.with_credentials(user, password);
            let (submit, _) = login.update(login::Message::Submit);
            task = submit.map(Message::Login);
        }
        (Self { config, screen: Screen::Login(login) }, task)
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        match (&mut self.screen, message) {
            (Screen::Login(login), Message::Login(m)) => {
                let (task, event) = login.update(m);
                if let Some(login::Event::LoggedIn(session)) = event {
                    self.screen =
                        Screen::Dashboard(Box::new(Dashboard::new(*session, Utc::now(), self.config.tz)));
                    return operation::focus(iced::widget::Id::new(crate::pane::atendimento::PHONE_ID));
                }
                task.map(Message::Login)
            }
            (Screen::Dashboard(d), Message::Dashboard(m)) => {
                let (task, event) = d.update(m);
                match event {
                    Some(dashboard::Event::SessionExpired) => self.back_to_login(text::SESSION_EXPIRED),
                    Some(dashboard::Event::LoggedOut) => self.back_to_login(text::LOGGED_OUT),
                    None => task.map(Message::Dashboard),
                }
            }
            (Screen::Dashboard(d), Message::Tick) => {
                d.tick(Utc::now());
                Task::none()
            }
            (Screen::Dashboard(_), Message::Shortcut(Shortcut::Register)) => self.update(Message::Dashboard(
                dashboard::Message::Atendimento(crate::pane::atendimento::Message::Submit),
            )),
            (Screen::Dashboard(_), Message::Shortcut(Shortcut::ClaimNext)) => self.update(
                Message::Dashboard(dashboard::Message::Alarmes(crate::pane::alarmes::Message::ClaimNext)),
            ),
            (_, Message::Shortcut(Shortcut::FocusNext)) => operation::focus_next(),
            (_, Message::Shortcut(Shortcut::FocusPrevious)) => operation::focus_previous(),
            // Messages for a screen that is no longer showing (a late answer after logout).
            (_, other) => {
                tracing::debug!(?other, "message for an inactive screen dropped");
                Task::none()
            }
        }
    }

    fn back_to_login(&mut self, notice: &str) -> Task<Message> {
        tracing::info!(notice, "back to login");
        // Dropping the dashboard drops its live subscription (its key leaves the subscription set).
        self.screen =
            Screen::Login(Login::new(self.config.server.clone(), self.config.hint()).with_notice(notice));
        Login::focus().map(Message::Login)
    }

    pub fn view(&self) -> Element<'_, Message> {
        match &self.screen {
            Screen::Login(login) => login.view().map(Message::Login),
            Screen::Dashboard(d) => d.view().map(Message::Dashboard),
        }
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let keys = event::listen_with(shortcut);
        match &self.screen {
            Screen::Login(_) => keys,
            Screen::Dashboard(d) => Subscription::batch([
                keys,
                iced::time::every(Duration::from_secs(1)).map(|_| Message::Tick),
                d.subscription().map(Message::Dashboard),
            ]),
        }
    }

    pub fn theme(&self) -> Theme {
        theme::theme()
    }

    pub fn title(&self) -> String {
        text::APP_NAME.to_owned()
    }
}

/// Keyboard shortcuts. Ctrl+Enter and F9 count even when a text field has the focus (the operator
/// is typing in the form); Tab only when no widget used it.
fn shortcut(event: Event, status: event::Status, _window: window::Id) -> Option<Message> {
    let Event::Keyboard(keyboard::Event::KeyPressed { key, modifiers, .. }) = event else { return None };
    let shortcut = match key.as_ref() {
        Key::Named(Named::Enter) if modifiers.command() => Shortcut::Register,
        Key::Named(Named::F9) => Shortcut::ClaimNext,
        Key::Named(Named::Tab) if status == event::Status::Ignored => {
            if modifiers.shift() {
                Shortcut::FocusPrevious
            } else {
                Shortcut::FocusNext
            }
        }
        _ => return None,
    };
    Some(Message::Shortcut(shortcut))
}
