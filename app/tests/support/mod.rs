//! What the end-to-end console tests share: the console in `iced_test`'s emulator against a real
//! embedded server, with keys, clicks, waits and screenshots.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use atalaia_client::Api;
use atalaia_console::BootConfig;
use iced::Size;
use iced_test::emulator::{self, Emulator, Mode};
use iced_test::futures::futures::channel::mpsc;
use iced_test::instruction::{Expectation, Instruction, Interaction, Key, Keyboard, Mouse, Target};
use iced_test::program::Program;
use std::time::{Duration, Instant};

/// The console in an emulator, and the channel its runtime reports on.
pub struct Console<P: Program<Theme = iced::Theme> + 'static> {
    program: P,
    emulator: Emulator<P>,
    events: mpsc::Receiver<emulator::Event<P>>,
}

impl<P: Program<Theme = iced::Theme> + 'static> Console<P> {
    pub fn start(program: P) -> Self {
        Self::start_sized(program, Size::new(1366.0, 860.0))
    }

    /// A console in a window of `size` (a tall one shows a long record whole for the docs).
    pub fn start_sized(program: P, size: Size) -> Self {
        let (tx, events) = mpsc::channel(256);
        let emulator = Emulator::new(tx, &program, Mode::Patient, size);
        let mut console = Self { program, emulator, events };
        assert_eq!(console.signal(Duration::from_secs(20)), Some(true), "console boot");
        console
    }

    /// Performs what the runtime asks until an instruction's outcome arrives (or time runs out).
    pub fn signal(&mut self, within: Duration) -> Option<bool> {
        let deadline = Instant::now() + within;
        loop {
            match self.events.try_recv() {
                Ok(emulator::Event::Action(action)) => self.emulator.perform(&self.program, action),
                Ok(emulator::Event::Ready) => return Some(true),
                Ok(emulator::Event::Failed(_)) => return Some(false),
                Err(_) if Instant::now() >= deadline => return None,
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }

    /// Lets tasks and subscriptions deliver for a while.
    pub fn settle(&mut self, for_: Duration) {
        assert_eq!(self.signal(for_), None, "no instruction was pending");
    }

    pub fn run(&mut self, instruction: Instruction) -> bool {
        self.emulator.run(&self.program, instruction);
        self.signal(Duration::from_secs(10)).expect("instruction outcome")
    }

    pub fn key(&mut self, key: Key) {
        assert!(self.run(Instruction::Interact(Interaction::Keyboard(Keyboard::Type(key)))), "{key:?}");
    }

    pub fn type_text(&mut self, text: &str) {
        assert!(self.run(Instruction::Interact(Interaction::Keyboard(Keyboard::Typewrite(text.into())))));
    }

    pub fn click(&mut self, text: &str) {
        let click =
            Mouse::Click { button: iced::mouse::Button::Left, target: Some(Target::Text(text.into())) };
        if !self.run(Instruction::Interact(Interaction::Mouse(click))) {
            let png = self.screenshot("click-failed");
            panic!("nothing to click reads {text:?} (screen: {})", png.display());
        }
    }

    pub fn sees(&mut self, text: &str) -> bool {
        self.run(Instruction::Expect(Expectation::Text(text.into())))
    }

    /// Waits until `text` shows, letting the live feed and answers arrive meanwhile.
    pub fn wait_for(&mut self, text: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while !self.sees(text) {
            if Instant::now() >= deadline {
                let png = self.screenshot("wait-failed");
                panic!("{text:?} never showed (screen: {})", png.display());
            }
            self.settle(Duration::from_millis(100));
        }
    }

    /// Waits until one of `texts` shows.
    pub fn wait_for_any(&mut self, texts: &[String], within: Duration) {
        let deadline = Instant::now() + within;
        while !texts.iter().any(|t| self.sees(t)) {
            if Instant::now() >= deadline {
                let png = self.screenshot("wait-failed");
                panic!("none of {texts:?} showed (screen: {})", png.display());
            }
            self.settle(Duration::from_millis(100));
        }
    }

    /// What the operator sees now, as a PNG under target/ (for a failed test, or the docs).
    pub fn screenshot(&mut self, name: &str) -> std::path::PathBuf {
        let theme = atalaia_console::theme::theme();
        let shot = self.emulator.screenshot(&self.program, &theme, 1.0);
        let dir = std::env::var("ATALAIA_UI_SNAPSHOT")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).to_path_buf());
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut png = png::Encoder::new(file, shot.size.width, shot.size.height);
        png.set_color(png::ColorType::Rgba);
        png.set_depth(png::BitDepth::Eight);
        png.write_header().unwrap().write_image_data(&shot.rgba).unwrap();
        path
    }
}

impl<P: Program<Theme = iced::Theme, Message = atalaia_console::Message> + 'static> Console<P> {
    /// A function key through the console's own shortcut map (the emulator types only Enter,
    /// Tab, Escape and Backspace).
    pub fn function_key(&mut self, key: iced::keyboard::key::Named) {
        let key = iced::keyboard::Key::Named(key);
        let modifiers = iced::keyboard::Modifiers::empty();
        let message = atalaia_console::app::shortcut(&key, modifiers, atalaia_console::keys::Phase::Before)
            .expect("a shortcut");
        self.emulator.update(&self.program, message);
        self.settle(Duration::from_millis(50));
    }

    /// From the complaint: F3 adds a victim, its name, age and complaint typed with Enter between
    /// the fields (sex, CPF and CNS left empty), and the cursor back in the call's complaint.
    pub fn add_victim(&mut self, name: &str, age: &str, complaint: &str) {
        self.function_key(iced::keyboard::key::Named::F3);
        self.type_text(name);
        self.key(Key::Enter);
        self.type_text(age);
        for _ in 0..3 {
            self.key(Key::Enter);
        }
        self.type_text(complaint);
        self.key(Key::Enter);
    }
}

/// A call as the TARM types it, from the phone to the coordinates.
pub struct Call<'a> {
    pub phone: &'a str,
    pub caller: &'a str,
    pub municipality: &'a str,
    pub street: &'a str,
    pub number: &'a str,
    pub coordinates: &'a str,
}

impl<P: Program<Theme = iced::Theme> + 'static> Console<P> {
    /// Types `call` with the keys a TARM uses (the cursor starts on the phone: Tab, then Enter
    /// from field to field), checking each value shows where it was typed, and leaves the
    /// cursor in the complaint.
    pub fn type_call(&mut self, call: &Call<'_>) {
        let steps = [
            (call.phone, Key::Tab),
            (call.caller, Key::Enter),
            (call.municipality, Key::Tab),
            (call.street, Key::Enter),
            (call.number, Key::Enter),
            (call.coordinates, Key::Enter),
        ];
        for (value, next) in steps {
            self.type_text(value);
            if !self.sees(value) {
                panic!("{value:?} went nowhere: {}", self.screenshot("type-call").display());
            }
            self.key(next);
        }
    }
}

/// A demo server in a fresh directory (dropped with the test).
pub fn demo_server() -> (tempfile::TempDir, atalaia_backend::embedded::Embedded) {
    let dir = tempfile::tempdir().unwrap();
    let embedded = atalaia_backend::embedded::start_in_background(dir.path().to_path_buf(), true).unwrap();
    (dir, embedded)
}

pub fn kiosk(base: &str, user: &str) -> BootConfig {
    BootConfig {
        server: Ok(base.to_owned()),
        auto_login: Some((user.to_owned(), atalaia_backend::seed::DEMO_PASSWORD.to_owned())),
        ..BootConfig::default()
    }
}

pub async fn api_as(base: &str, user: &str) -> Api {
    let api = Api::new(base).unwrap();
    let login = api.login(user, atalaia_backend::seed::DEMO_PASSWORD).await.unwrap();
    api.with_token(login.token)
}

pub fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// A monitored person registered with an active bracelet `imei` (as `admin`, who may write
/// people and devices).
pub fn wearer(
    admin: &Api,
    name: &str,
    record: &str,
    regime: atalaia_core::monitoring::Regime,
    imei: &str,
) -> (atalaia_core::monitoring::Person, atalaia_core::monitoring::Device) {
    use atalaia_core::wire::{NewDevice, NewPerson};
    let person: atalaia_core::monitoring::Person = block(admin.post(
        "/persons",
        &NewPerson {
            id: None,
            name: name.into(),
            record: record.into(),
            regime,
            group: None,
            region: None,
            responsible: None,
            linked_person: None,
            personal: Default::default(),
            revision: Default::default(),
        },
    ))
    .expect("person registered");
    let device = block(admin.post(
        "/devices",
        &NewDevice {
            id: None,
            imei: imei.into(),
            kind: atalaia_core::monitoring::DeviceKind::AnkleBracelet,
            state: atalaia_core::monitoring::DeviceState::Active,
            sim1: None,
            sim2: None,
            person_id: Some(person.id),
            vehicle_id: None,
            report_interval_s: None,
            model: None,
        },
    ))
    .expect("bracelet registered");
    (person, device)
}

/// An exclusion zone of `person`: a circle of `radius_m` around `center`, with a warning buffer
/// when given (as `admin`, who may write zones).
pub fn exclusion_zone(
    admin: &Api,
    name: &str,
    person: atalaia_core::ids::PersonId,
    center: atalaia_core::geom::LatLon,
    radius_m: f64,
    warning_m: Option<f64>,
) -> atalaia_core::monitoring::Zone {
    let zone = atalaia_core::wire::NewZone {
        id: None,
        name: name.into(),
        kind: atalaia_core::monitoring::ZoneKind::Exclusion,
        shape: atalaia_core::geom::Shape::Circle { center, radius_m },
        person_id: Some(person),
        group: None,
        schedule: None,
        warning_m,
    };
    block(admin.post("/zones", &zone)).expect("zone registered")
}

/// A fix from bracelet `imei` over the server's OsmAnd port (`query`: the rest of the report).
pub fn report(server: &atalaia_backend::embedded::Embedded, imei: &str, query: &str) {
    let url =
        format!("{}/?id={imei}&timestamp={}&{query}", server.ingest_url, chrono::Utc::now().timestamp());
    let status = block(async { reqwest::get(&url).await.unwrap().status() });
    assert!(status.is_success(), "{query}: {status}");
}

/// Waits until a tamper alarm about `person` is open on the server.
pub fn until_tamper_alarm(api: &Api, person: atalaia_core::ids::PersonId) {
    use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
    let deadline = Instant::now() + Duration::from_secs(10);
    while !block(api.get::<Vec<Alarm>>("/alarms")).unwrap().iter().any(|a| {
        a.kind == AlarmKind::Tamper && matches!(a.subject, Subject::Person(p) if p == person) && a.is_active()
    }) {
        assert!(Instant::now() < deadline, "the tamper report raised no alarm");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Polls `f` every 50 ms for up to 10 s until it gives something.
pub fn wait_until<T>(mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "not within 10 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}
