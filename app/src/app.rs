//! The root of the console: which screen is showing (login ⇄ dashboard), the subscriptions (clock,
//! keyboard shortcuts, live feed) and the theme. `main` hands it a [`BootConfig`]; everything
//! after that flows through [`App::update`].

use crate::keys::{Keys, Phase};
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
    /// The time zone for every time shown when this workstation names one; none: the site's,
    /// as the server says at login (São Paulo's when it says nothing).
    pub tz: Option<Tz>,
    /// The alert sound (disabled unless `main` opened the audio device).
    pub sound: crate::alert::Sound,
    /// Supervisor wall display: full screen, large type, no input needed.
    pub wall: bool,
    /// Where per-user settings (the pane layout), offline caches and outboxes are kept; none in
    /// tests.
    pub data_dir: Option<std::path::PathBuf>,
    /// What the offline seats of this server are called in `data_dir` (the server's URL unless
    /// said otherwise: the embedded server's port changes every run).
    pub seat_server: Option<String>,
    /// Map tile sources, their caches and the geocoder.
    pub map: crate::pane::mapa::Config,
    /// The alarm to open once logged in (a notification e-mail's link).
    pub open_alarm: Option<atalaia_core::ids::AlarmId>,
    /// Where files taken from an occurrence's record are saved, and what opens them.
    pub files: atalaia_client::record::Files,
}

impl Default for BootConfig {
    fn default() -> Self {
        Self {
            server: Err(String::new()),
            demo_login: None,
            demo: false,
            auto_login: None,
            tz: None,
            sound: crate::alert::Sound::default(),
            wall: false,
            data_dir: None,
            seat_server: None,
            map: crate::pane::mapa::Config::default(),
            open_alarm: None,
            files: atalaia_client::record::Files::default(),
        }
    }
}

impl BootConfig {
    /// The name of this server's offline seats.
    pub fn seat_name(&self) -> String {
        self.seat_server.clone().unwrap_or_else(|| self.server.clone().unwrap_or_default())
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
            .field("sound", &self.sound.status())
            .field("wall", &self.wall)
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
    Login(Box<Login>),
    Dashboard(Box<Dashboard>),
}

pub struct App {
    config: BootConfig,
    screen: Screen,
    /// Whether the console window is the one in front (desktop notifications only when not).
    focused: bool,
    /// Text and layout scale, 1.0 to 2.0 (RNF06: text scales to 200 % without breaking the layout).
    scale: f32,
    /// High-contrast theme.
    contrast: bool,
}

/// Scale steps for Ctrl+= / Ctrl+-.
pub const SCALES: [f32; 6] = [1.0, 1.2, 1.4, 1.6, 1.8, 2.0];

/// Keyboard shortcuts (keyboard-first operation: every call-taking and alarm action has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// Ctrl+Enter: register the call being taken.
    Register,
    /// F2: start a new call (clears the form, cursor on the phone).
    NewCall,
    /// F3: one more victim on the call (cursor on its name).
    AddVictim,
    /// F4: one more number to reach the caller.
    AddPhone,
    /// Ctrl+1…6: the call type.
    CallType(usize),
    /// F9: take the next open alarm.
    ClaimNext,
    FocusNext,
    FocusPrevious,
    /// Ctrl+= / Ctrl+- / Ctrl+0: larger, smaller, normal text.
    Bigger,
    Smaller,
    NormalSize,
    /// F12: high-contrast theme on/off.
    Contrast,
    /// F11: the map alone (all the window) or back to every pane.
    MapAlone,
    /// Alt+1…3: the closing outcome on the open alarm card (tratado, falso alarme, encaminhado).
    Outcome(usize),
}

#[derive(Debug, Clone)]
pub enum Message {
    Login(login::Message),
    Dashboard(dashboard::Message),
    Tick,
    Shortcut(Shortcut),
    /// The window came to the front (true) or went to the background.
    WindowFocus(bool),
}

impl App {
    pub fn boot(config: BootConfig) -> (Self, Task<Message>) {
        let mut login = Login::new(config.server.clone(), config.hint())
            .with_seats(config.data_dir.as_deref(), &config.seat_name());
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
        if config.wall {
            // The wall display takes the whole screen of the monitor it opens on.
            let fullscreen = window::latest().and_then(|id| window::set_mode(id, window::Mode::Fullscreen));
            task = Task::batch([task, fullscreen]);
        }
        (
            Self {
                config,
                screen: Screen::Login(Box::new(login)),
                focused: true,
                scale: 1.0,
                contrast: false,
            },
            task,
        )
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        match (&mut self.screen, message) {
            (Screen::Login(login), Message::Login(m)) => {
                let (task, event) = login.update(m);
                if let Some(login::Event::LoggedIn(session)) = event {
                    let tz = self.config.tz.or(session.site_tz).unwrap_or(format::DEFAULT_TZ);
                    let mut dashboard = Dashboard::new(*session, Utc::now(), tz)
                        .with_sound(self.config.sound.clone())
                        .with_wall(self.config.wall)
                        .with_layout_dir(self.config.data_dir.as_deref())
                        .with_offline(self.config.data_dir.as_deref(), &self.config.seat_name())
                        .with_map(&self.config.map)
                        .with_files(self.config.files.clone());
                    dashboard.set_window_focus(self.focused);
                    // Opened from a notification e-mail's link: that alarm's card, once (a later
                    // login starts as usual).
                    let opened = match self.config.open_alarm.take() {
                        Some(id) => {
                            let select = crate::pane::alarmes::Message::Select(id);
                            dashboard.update(dashboard::Message::Alarmes(select)).0.map(Message::Dashboard)
                        }
                        None => Task::none(),
                    };
                    let start = dashboard.start().map(Message::Dashboard);
                    self.screen = Screen::Dashboard(Box::new(dashboard));
                    self.sync_scale();
                    let focus = operation::focus(iced::widget::Id::new(crate::pane::atendimento::PHONE_ID));
                    return Task::batch([focus, opened, start]);
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
            (Screen::Dashboard(d), Message::Tick) => d.tick(Utc::now()).map(Message::Dashboard),
            (Screen::Dashboard(_), Message::Shortcut(Shortcut::Register)) => self.update(Message::Dashboard(
                dashboard::Message::Atendimento(crate::pane::atendimento::Message::Submit),
            )),
            (Screen::Dashboard(_), Message::Shortcut(Shortcut::ClaimNext)) => self.update(
                Message::Dashboard(dashboard::Message::Alarmes(crate::pane::alarmes::Message::ClaimNext)),
            ),
            (Screen::Dashboard(_), Message::Shortcut(Shortcut::Outcome(i))) => {
                use atalaia_core::alarm::Outcome;
                let Some(o) = [Outcome::Handled, Outcome::FalseAlarm, Outcome::Forwarded].get(i).copied()
                else {
                    return Task::none();
                };
                self.update(Message::Dashboard(dashboard::Message::Alarmes(
                    crate::pane::alarmes::Message::Outcome(o),
                )))
            }
            (Screen::Dashboard(_), Message::Shortcut(Shortcut::NewCall)) => self.update(Message::Dashboard(
                dashboard::Message::Atendimento(crate::pane::atendimento::Message::Clear),
            )),
            (Screen::Dashboard(_), Message::Shortcut(Shortcut::AddVictim)) => {
                self.update(Message::Dashboard(dashboard::Message::Atendimento(
                    crate::pane::atendimento::Message::AddVictim,
                )))
            }
            (Screen::Dashboard(_), Message::Shortcut(Shortcut::AddPhone)) => self.update(Message::Dashboard(
                dashboard::Message::Atendimento(crate::pane::atendimento::Message::AddPhone),
            )),
            (Screen::Dashboard(_), Message::Shortcut(Shortcut::CallType(i))) => {
                let Some(t) = atalaia_core::samu::CallType::ALL.get(i) else { return Task::none() };
                self.update(Message::Dashboard(dashboard::Message::Atendimento(
                    crate::pane::atendimento::Message::CallType(crate::pane::atendimento::CallTypeOption(*t)),
                )))
            }
            (Screen::Dashboard(d), Message::Shortcut(Shortcut::MapAlone)) => {
                d.toggle_alone(crate::pane::Kind::Mapa);
                Task::none()
            }
            (_, Message::Shortcut(Shortcut::FocusNext)) => operation::focus_next(),
            (_, Message::Shortcut(Shortcut::FocusPrevious)) => operation::focus_previous(),
            (_, Message::Shortcut(Shortcut::Bigger)) => {
                self.scale = SCALES.iter().copied().find(|s| *s > self.scale + 0.01).unwrap_or(2.0);
                self.sync_scale();
                Task::none()
            }
            (_, Message::Shortcut(Shortcut::Smaller)) => {
                self.scale = SCALES.iter().rev().copied().find(|s| *s < self.scale - 0.01).unwrap_or(1.0);
                self.sync_scale();
                Task::none()
            }
            (_, Message::Shortcut(Shortcut::NormalSize)) => {
                self.scale = 1.0;
                self.sync_scale();
                Task::none()
            }
            (_, Message::Shortcut(Shortcut::Contrast)) => {
                self.contrast = !self.contrast;
                Task::none()
            }
            (screen, Message::WindowFocus(focused)) => {
                self.focused = focused;
                if let Screen::Dashboard(d) = screen {
                    d.set_window_focus(focused);
                }
                Task::none()
            }
            // Messages for a screen that is no longer showing (a late answer after logout).
            (_, other) => {
                tracing::debug!(?other, "message for an inactive screen dropped");
                Task::none()
            }
        }
    }

    fn back_to_login(&mut self, notice: &str) -> Task<Message> {
        tracing::info!(notice, "back to login");
        // Nobody is at the dashboard any more: its tone must not go on ringing on the login screen.
        self.config.sound.set(None);
        // Dropping the dashboard drops its live subscription (its key leaves the subscription set).
        let mut login = Login::new(self.config.server.clone(), self.config.hint())
            .with_seats(self.config.data_dir.as_deref(), &self.config.seat_name())
            .with_notice(notice);
        if let (Some((user, password)), Ok(_), true) =
            (&self.config.auto_login, &self.config.server, notice != text::LOGGED_OUT)
        {
            // A kiosk (the wall) signs in again by itself when its session expires.
            login = login.with_credentials(user, password);
            let (submit, _) = login.update(login::Message::Submit);
            self.screen = Screen::Login(Box::new(login));
            return submit.map(Message::Login);
        }
        self.screen = Screen::Login(Box::new(login));
        Login::focus().map(Message::Login)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let (key, screen) = match &self.screen {
            Screen::Login(login) => (0, login.view().map(Message::Login)),
            Screen::Dashboard(d) => (1, d.view().map(Message::Dashboard)),
        };
        // The wall is unattended: a stray key on its keyboard must not take or close anything.
        let map: fn(&Key, keyboard::Modifiers, Phase) -> Option<Message> =
            if self.config.wall { |_, _, _| None } else { shortcut };
        Keys::new(screen, map).screen(key).into()
    }

    /// Scale of the whole interface (Ctrl+= / Ctrl+-).
    /// The map draws its picture in device pixels: tell it the interface scale.
    fn sync_scale(&mut self) {
        if let Screen::Dashboard(d) = &mut self.screen {
            d.set_scale(self.scale);
        }
    }

    pub fn scale_factor(&self) -> f32 {
        self.scale
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let keys = event::listen_with(window_focus);
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
        if self.contrast { theme::high_contrast() } else { theme::theme() }
    }

    pub fn title(&self) -> String {
        text::APP_NAME.to_owned()
    }
}

/// Keyboard shortcuts. Chords (Ctrl+Enter, Ctrl+1…6) and function keys count even when a text
/// field has the focus (the operator is typing in the form); Tab only when no widget used it.
pub fn shortcut(key: &Key, modifiers: keyboard::Modifiers, phase: Phase) -> Option<Message> {
    let shortcut = match (key.as_ref(), phase) {
        (Key::Named(Named::Enter), Phase::Before) if modifiers.command() => Shortcut::Register,
        (Key::Named(Named::F2), Phase::Before) => Shortcut::NewCall,
        (Key::Named(Named::F3), Phase::Before) => Shortcut::AddVictim,
        (Key::Named(Named::F4), Phase::Before) => Shortcut::AddPhone,
        (Key::Named(Named::F9), Phase::Before) => Shortcut::ClaimNext,
        (Key::Named(Named::F12), Phase::Before) => Shortcut::Contrast,
        (Key::Named(Named::F11), Phase::Before) => Shortcut::MapAlone,
        (Key::Character(c), Phase::Before) if modifiers.alt() && !modifiers.command() => match c {
            "1" => Shortcut::Outcome(0),
            "2" => Shortcut::Outcome(1),
            "3" => Shortcut::Outcome(2),
            _ => return None,
        },
        (Key::Character(c), Phase::Before) if modifiers.command() => match c {
            "=" | "+" => Shortcut::Bigger,
            "-" => Shortcut::Smaller,
            "0" => Shortcut::NormalSize,
            d => match d.parse::<usize>() {
                Ok(n @ 1..=6) => Shortcut::CallType(n - 1),
                _ => return None,
            },
        },
        (Key::Named(Named::Tab), Phase::Unused) => {
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

fn window_focus(event: Event, _status: event::Status, _window: window::Id) -> Option<Message> {
    match event {
        Event::Window(window::Event::Focused) => Some(Message::WindowFocus(true)),
        Event::Window(window::Event::Unfocused) => Some(Message::WindowFocus(false)),
        Event::Window(window::Event::FileDropped(path)) => {
            Some(Message::Dashboard(dashboard::Message::FileDropped(path)))
        }
        _ => None,
    }
}
