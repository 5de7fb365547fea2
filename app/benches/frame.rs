//! Frame time of the console with a full centre on screen (issue 6): 4,000 monitored people on the
//! map, 1,000 calls in the regulation queue, alarms and vehicles, rendered by tiny-skia at the
//! console's default window size (1366×820) or a given one. Each frame applies a second's worth
//! of live traffic first (400 position fixes, so the map redraws every marker), then builds the
//! view, lays it out, draws it and rasterises the whole window with tiny-skia — a frame that
//! damages everything (no presentation to a display).
//!
//!     cargo bench -p atalaia-console --bench frame [-- FRAMES] [WIDTHxHEIGHT]
//!
//! Prints the median, p99 and max frame time and the process's peak memory (VmHWM);
//! `FRAME_SPLIT=1` also prints each frame's phases (live updates, view, layout, draw, raster).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use atalaia_client::{Api, LiveUpdate, format};
use atalaia_console::screen::Session;
use atalaia_console::screen::dashboard::{Dashboard, Message};
use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
use atalaia_core::auth::Role;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::{DeviceId, OccurrenceId, PersonId, PositionId, UserId, VehicleId};
use atalaia_core::monitoring::{Device, DeviceKind, DeviceState, Person, Position, Regime};
use atalaia_core::samu::{
    CallType, Occurrence, OccurrencePhase, Priority, Telemetry, Vehicle, VehicleKind, VehicleStatus,
};
use atalaia_core::wire::{EventBody, LiveEvent, LiveMessage, Snapshot, UserInfo};
use chrono::{DateTime, Duration, TimeZone, Utc};
use iced::advanced::clipboard;
use iced::advanced::renderer::{self, Headless};
use iced::{Event, Font, Pixels, Size, mouse};
use iced_test::runtime::UserInterface;
use iced_test::runtime::user_interface::Cache;
use std::time::Instant;

const PEOPLE: usize = 4_000;
const CALLS: usize = 1_000;
const MOVES_PER_FRAME: usize = 400;
const CENTRE: LatLon = LatLon { lat: -19.92, lon: -43.94 };

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0).single().expect("valid")
}

/// A deterministic spread of points over the visible region.
fn spot(i: usize, salt: u64) -> LatLon {
    let h = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ salt.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let a = (h & 0xffff) as f64 / 65_535.0 - 0.5;
    let b = ((h >> 16) & 0xffff) as f64 / 65_535.0 - 0.5;
    LatLon { lat: CENTRE.lat + a * 0.12, lon: CENTRE.lon + b * 0.12 }
}

fn fix(device: DeviceId, person: PersonId, at: LatLon, when: DateTime<Utc>) -> Position {
    Position {
        id: PositionId::new(),
        device_id: device,
        person_id: Some(person),
        vehicle_id: None,
        fix_time: when,
        recv_time: when,
        at,
        speed_kmh: Some(4.0),
        course_deg: None,
        accuracy_m: Some(8.0),
        altitude_m: None,
        battery_pct: Some(70.0),
        charging: Some(false),
    }
}

fn centre() -> (Snapshot, Vec<(DeviceId, PersonId)>) {
    let mut s = Snapshot { seq: 1, ..Snapshot::default() };
    let mut wearers = Vec::new();
    for i in 0..PEOPLE {
        let person = Person {
            id: PersonId::new(),
            name: format!("Monitorado {i:04}"),
            record: format!("{i:07}-00.2026.8.13.0024"),
            regime: Regime::SemiOpen,
            group: None,
            responsible: None,
            linked_person: None,
            created_at: t0(),
        };
        let device = Device {
            id: DeviceId::new(),
            imei: format!("35800000{i:07}"),
            kind: DeviceKind::AnkleBracelet,
            state: DeviceState::Active,
            sim1: None,
            sim2: None,
            person_id: Some(person.id),
            vehicle_id: None,
            last_contact: Some(t0()),
            battery_pct: Some(70.0),
            report_interval_s: None,
            created_at: t0(),
        };
        s.positions.push(fix(device.id, person.id, spot(i, 1), t0()));
        if i % 40 == 0 {
            s.alarms.push(Alarm::new(
                AlarmKind::InclusionZoneExit,
                Subject::Person(person.id),
                None,
                t0(),
                t0(),
            ));
        }
        wearers.push((device.id, person.id));
        s.persons.push(person);
        s.devices.push(device);
    }
    for i in 0..CALLS {
        let mut o = Occurrence::new(
            OccurrenceId::new(),
            format!("2026-{i:06}"),
            CallType::Atendimento,
            "Solicitante".into(),
            "(31) 98888-7777".into(),
            "Av. Afonso Pena, 1000".into(),
            "Belo Horizonte".into(),
            Some(spot(i, 2)),
            "Dor torácica há 30 minutos".into(),
            OccurrencePhase::Regulation,
            UserId::new(),
            t0() - Duration::seconds(i as i64 * 7),
        );
        o.priority =
            [None, Some(Priority::Emergency), Some(Priority::Urgent), Some(Priority::LessUrgent)][i % 4];
        s.occurrences.push(o);
    }
    for i in 0..60 {
        s.vehicles.push(Vehicle {
            id: VehicleId::new(),
            code: format!("{}-{i:02}", if i % 3 == 0 { "USA" } else { "USB" }),
            kind: if i % 3 == 0 { VehicleKind::Usa } else { VehicleKind::Usb },
            status: [VehicleStatus::Available, VehicleStatus::EnRoute, VehicleStatus::OnScene][i % 3],
            base: "Base".into(),
            municipality: "Belo Horizonte".into(),
            conveniado: false,
            device_id: None,
            telemetry: Telemetry {
                position: Some(spot(i, 3)),
                course_deg: 90.0,
                speed_kmh: 40.0,
                ..Telemetry::default()
            },
            updated_at: t0(),
        });
    }
    (s, wearers)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let frames: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(300);
    // Window size: the console's default window, or WIDTHxHEIGHT on the command line.
    let (width, height) = std::env::args()
        .skip(1)
        .find_map(|a| {
            let (w, h) = a.split_once('x')?;
            Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?))
        })
        .unwrap_or((1366, 820));
    let base = "http://127.0.0.1:9".to_owned();
    let user = UserInfo {
        id: UserId::new(),
        username: "sup".into(),
        display_name: "Supervisão".into(),
        role: Role::Supervisor,
    };
    let session = Session { api: Api::new(&base).unwrap(), base, token: "t".into(), user };
    let mut d = Dashboard::new(session, t0(), format::DEFAULT_TZ);
    let (snapshot, wearers) = centre();
    let _ = d.update(Message::Live(LiveUpdate::Connected { resumed: false }));
    let _ = d.update(Message::Live(LiveUpdate::Message(Box::new(LiveMessage::Snapshot(snapshot)))));
    let theme = atalaia_console::theme::theme();
    let size = Size::new(width as f32, height as f32);
    // One renderer and one widget cache across frames, as a window keeps them (a new simulator
    // per frame would start every frame with cold glyph caches).
    let mut renderer = iced_test::futures::futures::executor::block_on(<iced::Renderer as Headless>::new(
        Font::with_name("Fira Sans"),
        Pixels(atalaia_console::theme::TEXT),
        Some("tiny-skia"),
    ))
    .expect("tiny-skia renderer");
    let mut cache = Some(Cache::default());
    let mut pixels = vec![0u8; width as usize * height as usize * 4];
    let mut mask = tiny_skia::Mask::new(width, height).expect("clip mask");
    let viewport =
        iced_tiny_skia::graphics::Viewport::with_physical_size(iced::Size::new(width, height), 1.0);
    let full = iced::Rectangle::with_size(size);
    let background = theme.palette().background;

    let mut seq = 1u64;
    let mut times = Vec::with_capacity(frames);
    for frame in 0..frames + 10 {
        let now = t0() + Duration::seconds(frame as i64 + 1);
        let start = Instant::now();
        for k in 0..MOVES_PER_FRAME {
            let i = (frame * MOVES_PER_FRAME + k) % wearers.len();
            let (device, person) = wearers[i];
            seq += 1;
            let event = LiveEvent {
                seq,
                at: now,
                body: EventBody::Position(fix(device, person, spot(i, frame as u64 + 7), now)),
            };
            let _ = d.update(Message::Live(LiveUpdate::Message(Box::new(LiveMessage::Event(event)))));
        }
        d.tick(now);
        let t_live = start.elapsed();
        // A frame: build the view, lay it out, let it see the redraw, draw, rasterise, read back.
        let view = d.view();
        let t_view = start.elapsed();
        let mut ui = UserInterface::build(view, size, cache.take().expect("cache"), &mut renderer);
        let t_build = start.elapsed();
        let _ = ui.update(
            &[Event::Window(iced::window::Event::RedrawRequested(std::time::Instant::now()))],
            mouse::Cursor::Unavailable,
            &mut renderer,
            &mut clipboard::Null,
            &mut Vec::new(),
        );
        ui.draw(
            &mut renderer,
            &theme,
            &renderer::Style { text_color: theme.palette().text },
            mouse::Cursor::Unavailable,
        );
        cache = Some(ui.into_cache());
        let t_draw = start.elapsed();
        // Rasterise the whole window into a persistent pixel buffer, as the window compositor
        // does for a frame that damages everything (no read-back, no presentation).
        let iced_test::renderer::fallback::Renderer::Secondary(tiny) = &mut renderer else {
            panic!("not the tiny-skia renderer");
        };
        let mut pixmap = tiny_skia::PixmapMut::from_bytes(&mut pixels, width, height).expect("pixel buffer");
        tiny.draw(&mut pixmap, &mut mask, &viewport, &[full], background);
        std::hint::black_box(&pixels);
        if std::env::var("FRAME_SPLIT").is_ok() {
            eprintln!(
                "live {:?} view {:?} layout {:?} draw {:?} raster {:?}",
                t_live,
                t_view - t_live,
                t_build - t_view,
                t_draw - t_build,
                start.elapsed() - t_draw
            );
        }
        // The first frames warm caches (glyphs, allocations); they are not counted.
        if frame >= 10 {
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    #[allow(clippy::print_stdout)]
    let report = format!(
        "frame ({width}x{height}, tiny-skia): {PEOPLE} people on the map, {CALLS} calls queued, {MOVES_PER_FRAME} fixes/frame, \
         {frames} frames: median {:.2} ms, p99 {:.2} ms, max {:.2} ms; peak memory {:.0} MB",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(f64::NAN),
        peak_rss_mb()
    );
    #[allow(clippy::print_stdout)]
    {
        println!("{report}");
    }
}
