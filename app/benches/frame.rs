//! Frame time of the console with a full centre on screen (issue 6): 4,000 monitored people on the
//! map, 1,000 calls in the regulation queue, alarms and vehicles, rendered by tiny-skia at the
//! console's default window size (1366×820) or a given one. Each frame applies a second's worth
//! of live traffic first (400 position fixes, so the map's picture is painted anew, and the clock
//! moves one second, so every timer changes), then builds the view, lays it out, draws it and
//! rasterises with tiny-skia what the window compositor would: the regions that changed since
//! the last frame (`FULL_DAMAGE=1`: the whole window). No presentation to a display.
//!
//! The map's picture is painted by its own thread (`atalaia_console::painter`), as in the
//! console: a frame shows the newest picture finished when it starts, and the report says how
//! far behind the live data that was.
//!
//!     cargo bench -p atalaia-console --bench frame [-- FRAMES] [WIDTHxHEIGHT]
//!
//! `MAP_PAN=1` (issue 7): the map pane alone (maximised) at zoom 15 over Belo Horizonte with
//! 10,000 markers in view — 8,940 people, 1,000 calls, 60 vehicles — and 200 zones, dragged
//! 6 px a frame in a circle while the live traffic goes on; reports also how long the painting
//! thread takes for one picture of it.
//!
//! Prints the median, p99 and max frame time and the process's peak memory (VmHWM);
//! `FRAME_SPLIT=1` also prints each frame's phases (live updates, view, layout + draw, raster);
//! `FRAME_DAMAGE=1` what one frame redraws and how much of it through a clip mask (`=2`: also
//! each redrawn region and each box drawn through the mask).
//!
//! `COLD_START=1` (issue 8): instead, FRAMES cold starts of the console from an offline cache of
//! 4,000 people (12 fixes each) and 10,000 occurrences to its first full frame (see
//! `cold_start`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use atalaia_client::{Api, LiveUpdate, format};
use atalaia_console::pane::mapa;
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
use iced_tiny_skia::graphics::damage;
use std::time::Instant;

const PEOPLE: usize = 4_000;
const CALLS: usize = 1_000;
/// Issue 7's pan scenario: people on the map besides the calls and the 60 vehicles.
const PAN_PEOPLE: usize = 8_940;
const PAN_ZONES: usize = 200;
const MOVES_PER_FRAME: usize = 400;
const CENTRE: LatLon = LatLon { lat: -19.92, lon: -43.94 };

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0).single().expect("valid")
}

/// Degrees the points spread over: the visible region (0.12° at the dashboard's zoom; 0.04° at
/// zoom 15 in the pan scenario).
fn spread() -> f64 {
    if std::env::var("MAP_PAN").is_ok() { 0.04 } else { 0.12 }
}

/// A deterministic spread of points over the visible region.
fn spot(i: usize, salt: u64) -> LatLon {
    let h = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ salt.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let a = (h & 0xffff) as f64 / 65_535.0 - 0.5;
    let b = ((h >> 16) & 0xffff) as f64 / 65_535.0 - 0.5;
    LatLon { lat: CENTRE.lat + a * spread(), lon: CENTRE.lon + b * spread() }
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

/// 200 zones over the region: circles, rectangles and polygons of 12–40 vertices; inclusion,
/// exclusion (half of them with a warning buffer) and warning zones.
fn zones() -> Vec<atalaia_core::monitoring::Zone> {
    use atalaia_core::geom::Shape;
    use atalaia_core::monitoring::{Zone, ZoneKind};
    (0..PAN_ZONES)
        .map(|i| {
            let c = spot(i, 4);
            let r = 0.0008 + 0.0004 * (i % 5) as f64;
            let shape = match i % 3 {
                0 => Shape::Circle { center: c, radius_m: r * 111_000.0 },
                1 => Shape::Rectangle {
                    south_west: LatLon { lat: c.lat - r, lon: c.lon - r },
                    north_east: LatLon { lat: c.lat + r, lon: c.lon + r * 1.5 },
                },
                _ => {
                    let n = 12 + i % 29;
                    let ring = (0..n)
                        .map(|k| {
                            let a = k as f64 / n as f64 * std::f64::consts::TAU;
                            let rr = r * (0.7 + 0.3 * ((k * 7 % 5) as f64 / 4.0));
                            LatLon { lat: c.lat + rr * a.sin(), lon: c.lon + rr * a.cos() }
                        })
                        .collect();
                    Shape::Polygon { ring }
                }
            };
            let kind = [ZoneKind::Inclusion, ZoneKind::Exclusion, ZoneKind::Warning][i % 3];
            Zone {
                id: atalaia_core::ids::ZoneId::new(),
                name: format!("Zona {i:03}"),
                kind,
                shape,
                person_id: None,
                group: Some("Regional".into()),
                active: true,
                schedule: None,
                warning_m: (kind == ZoneKind::Exclusion && i % 2 == 0).then_some(60.0),
                created_at: t0(),
                lifted: None,
            }
        })
        .collect()
}

fn centre() -> (Snapshot, Vec<(DeviceId, PersonId)>) {
    let pan = std::env::var("MAP_PAN").is_ok();
    let mut s = Snapshot { seq: 1, ..Snapshot::default() };
    if pan {
        s.zones = zones();
    }
    let mut wearers = Vec::new();
    for i in 0..if pan { PAN_PEOPLE } else { PEOPLE } {
        let person = Person {
            id: PersonId::new(),
            name: format!("Monitorado {i:04}"),
            record: format!("{i:07}-00.2026.8.13.0024"),
            regime: Regime::SemiOpen,
            group: None,
            region: None,
            responsible: None,
            linked_person: None,
            personal: Default::default(),
            revision: Default::default(),
            created_at: t0(),
            photo: None,
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
            model: None,
            report_interval_s: None,
            history: Vec::new(),
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
    for i in 0..calls() {
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
            crew: None,
        });
    }
    (s, wearers)
}

/// A frame's interface: the view laid out, told of the redraw, and drawn into the renderer's
/// layers; returns the widget cache for the next frame.
fn lay_out_and_draw(
    view: iced::Element<'_, Message>,
    size: Size,
    cache: Cache,
    renderer: &mut iced::Renderer,
    theme: &iced::Theme,
) -> Cache {
    let mut ui = UserInterface::build(view, size, cache, renderer);
    let _ = ui.update(
        &[Event::Window(iced::window::Event::RedrawRequested(std::time::Instant::now()))],
        mouse::Cursor::Unavailable,
        renderer,
        &mut clipboard::Null,
        &mut Vec::new(),
    );
    ui.draw(
        renderer,
        theme,
        &renderer::Style { text_color: theme.palette().text },
        mouse::Cursor::Unavailable,
    );
    ui.into_cache()
}

/// The session the benches draw for: a supervisor sees every pane.
fn supervisor() -> Session {
    let base = "http://127.0.0.1:9".to_owned();
    let user = UserInfo {
        id: UserId::new(),
        username: "sup".into(),
        display_name: "Supervisão".into(),
        role: Role::Supervisor,
        profile: None,
        permissions: None,
        active: true,
        unit: None,
    };
    Session { api: Api::new(&base).unwrap(), base, token: "t".into(), user, site_tz: None }
}

/// Calls in the dataset: issue 8's cold start has 10,000 in the cache.
fn calls() -> usize {
    if std::env::var("COLD_START").is_ok() { COLD_CALLS } else { CALLS }
}

const COLD_CALLS: usize = 10_000;
/// Fixes kept per device in the cache (the model's trail length).
const COLD_FIXES: usize = 12;

/// Issue 8: a console started with the server out of reach, from a cache of 4,000 monitored
/// people (a device each, 12 recent fixes each) and 10,000 occurrences, to its first full frame:
/// the dashboard opens the user's cache and outbox, loads the model, starts the cache writer
/// with its copy, and the first frame is built, laid out, drawn and rasterised whole by a
/// renderer made for it (cold glyph caches, as at start). Window and process creation are not
/// included.
fn cold_start(runs: usize, width: u32, height: u32) {
    use atalaia_client::LiveModel;
    let data = tempfile::tempdir().expect("dir");
    let session = supervisor();
    {
        let (snapshot, wearers) = centre();
        let mut model = LiveModel::default();
        let _ = model.apply(LiveMessage::Snapshot(snapshot));
        for (i, (device, person)) in wearers.iter().enumerate() {
            let trail = (0..COLD_FIXES)
                .map(|k| {
                    fix(*device, *person, spot(i, k as u64 + 11), t0() + Duration::seconds(k as i64 * 30))
                })
                .collect();
            model.trails.insert(*device, trail);
        }
        let seat = atalaia_client::seat::dir(data.path(), "central", &session.user.username);
        std::fs::create_dir_all(&seat).unwrap();
        let mut cache = atalaia_client::cache::Cache::open(&atalaia_client::seat::cache_file(&seat)).unwrap();
        cache.save(&model, t0()).unwrap();
    }
    let theme = atalaia_console::theme::theme();
    let size = Size::new(width as f32, height as f32);
    let mut times = Vec::new();
    let mut loads = Vec::new();
    for _ in 0..runs + 1 {
        let start = Instant::now();
        let d = Dashboard::new(session.clone(), t0(), format::DEFAULT_TZ)
            .with_offline(Some(data.path()), "central");
        assert_eq!(d.model().occurrences.len(), COLD_CALLS, "started from the cache");
        assert_eq!(d.model().devices.len(), PEOPLE);
        let loaded = start.elapsed();
        let mut renderer =
            iced_test::futures::futures::executor::block_on(<iced::Renderer as Headless>::new(
                Font::with_name("Fira Sans"),
                Pixels(atalaia_console::theme::TEXT),
                Some("tiny-skia"),
            ))
            .expect("tiny-skia renderer");
        let _ = lay_out_and_draw(d.view(), size, Cache::default(), &mut renderer, &theme);
        let iced_test::renderer::fallback::Renderer::Secondary(tiny) = &mut renderer else {
            panic!("not the tiny-skia renderer");
        };
        let mut pixels = vec![0u8; width as usize * height as usize * 4];
        let mut mask = tiny_skia::Mask::new(width, height).expect("clip mask");
        let viewport =
            iced_tiny_skia::graphics::Viewport::with_physical_size(iced::Size::new(width, height), 1.0);
        let mut pixmap = tiny_skia::PixmapMut::from_bytes(&mut pixels, width, height).expect("pixel buffer");
        tiny.draw(
            &mut pixmap,
            &mut mask,
            &viewport,
            &[iced::Rectangle::with_size(size)],
            theme.palette().background,
        );
        std::hint::black_box(&pixels);
        let total = start.elapsed();
        drop(d);
        loads.push(loaded.as_secs_f64() * 1000.0);
        times.push(total.as_secs_f64() * 1000.0);
    }
    // The first run also pays the page cache and the fonts' first load: not counted.
    times.remove(0);
    loads.remove(0);
    times.sort_by(f64::total_cmp);
    loads.sort_by(f64::total_cmp);
    #[allow(clippy::print_stdout)]
    {
        println!(
            "cold start from the cache ({width}x{height}, tiny-skia): {PEOPLE} people x {COLD_FIXES} fixes, {COLD_CALLS} occurrences, {runs} runs: \
             first full frame median {:.0} ms, p99 {:.0} ms, max {:.0} ms (cache opened and loaded: median {:.0} ms); peak memory {:.0} MB",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times.last().copied().unwrap_or(f64::NAN),
            percentile(&loads, 0.5),
            peak_rss_mb()
        );
    }
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
    if std::env::var("COLD_START").is_ok() {
        return cold_start(frames, width, height);
    }
    let mut d = Dashboard::new(supervisor(), t0(), format::DEFAULT_TZ);
    let pan = std::env::var("MAP_PAN").is_ok();
    if pan {
        d.maximize(atalaia_console::pane::Kind::Mapa);
    }
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

    let full_damage = std::env::var("FULL_DAMAGE").is_ok();
    let mut last_layers: Option<Vec<iced_tiny_skia::Layer>> = None;
    let mut damaged_area = 0.0f32;
    // Generations of live data the map's picture was behind at the end of each frame.
    let mut lags = Vec::with_capacity(frames);
    let mut seq = 1u64;
    let mut times = Vec::with_capacity(frames);
    for frame in 0..frames + 10 {
        // A frame is a second of the centre's life (issue 6's stress: 400 fixes and every timer
        // changing in every frame); a drag (MAP_PAN) is frames at 60 a second, with the same
        // 400 fixes a second spread over them.
        let now = if pan {
            t0() + Duration::milliseconds((frame as i64 + 1) * 1000 / 60)
        } else {
            t0() + Duration::seconds(frame as i64 + 1)
        };
        let moves = if pan { MOVES_PER_FRAME / 60 + usize::from(frame % 3 == 0) } else { MOVES_PER_FRAME };
        let start = Instant::now();
        for k in 0..moves {
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
        let _ = d.tick(now);
        if pan && frame >= 1 {
            if frame == 1 {
                // Zoom 15 (every person drawn one by one) once the map knows its size.
                let v = d.map().view_now();
                let mid = iced::Point::new(v.width as f32 / 2.0, v.height as f32 / 2.0);
                let _ = d.update(Message::Mapa(mapa::Message::Viewport(mapa::viewport::Message::Zoom {
                    by: 15.0 - v.zoom,
                    at: mid,
                })));
            }
            // A drag: 6 px a frame round a circle (360 px a second at 60 frames a second).
            let a = frame as f32 * 0.05;
            let _ = d.update(Message::Mapa(mapa::Message::Viewport(mapa::viewport::Message::Pan(
                6.0 * a.cos(),
                6.0 * a.sin(),
            ))));
        }
        // The map's painting thread works beside the frame; what it finished meanwhile arrives
        // as a message, as its subscription delivers it in the console.
        let _ = d.update(Message::Mapa(mapa::Message::Painted));
        let t_live = start.elapsed();
        // A frame: build the view, lay it out, let it see the redraw, draw, rasterise, read back.
        let view = d.view();
        let t_view = start.elapsed();
        cache = Some(lay_out_and_draw(view, size, cache.take().expect("cache"), &mut renderer, &theme));
        let t_draw = start.elapsed();
        // Rasterise into a persistent pixel buffer what the window compositor would
        // (`iced_tiny_skia::window::compositor::present`): the regions whose layers differ from
        // the previous frame's, grouped the same way — or, with FULL_DAMAGE=1, the whole window.
        let iced_test::renderer::fallback::Renderer::Secondary(tiny) = &mut renderer else {
            panic!("not the tiny-skia renderer");
        };
        let damage = match &last_layers {
            Some(last) if !full_damage => damage::group(
                damage::diff(last, tiny.layers(), |layer| vec![layer.bounds], iced_tiny_skia::Layer::damage),
                full,
            ),
            _ => vec![full],
        };
        if std::env::var("FRAME_DAMAGE").is_ok() && frame == 12 {
            // What the compositor will redraw, and what it has to redraw through a clip mask
            // (quads and text that stick out of a changed region cost their whole area).
            use iced_tiny_skia::graphics::text::Text;
            let (mut qa, mut qn, mut tn, mut clears) = (0.0, 0, 0, 0);
            for d in &damage {
                for layer in tiny.layers() {
                    let Some(lb) = d.intersection(&layer.bounds) else { continue };
                    clears += 1;
                    for (q, _) in &layer.quads {
                        if lb.intersects(&q.bounds) && !q.bounds.is_within(&lb) {
                            qa += q.bounds.area();
                            qn += 1;
                            if std::env::var("FRAME_DAMAGE").as_deref() == Ok("2") {
                                eprintln!("  masked quad {:?} in {lb:?}: {:?}", q.bounds, q.border);
                            }
                        }
                    }
                    for group in &layer.text {
                        for t in group.as_slice() {
                            if let Text::Paragraph {
                                paragraph, position, clip_bounds, transformation, ..
                            } = t
                            {
                                let tr = group.transformation() * *transformation;
                                let Some(cb) = lb.intersection(&(*clip_bounds * tr)) else { continue };
                                let pb = iced::Rectangle::new(*position, paragraph.min_bounds) * tr;
                                if cb.intersects(&pb) && !pb.is_within(&cb) {
                                    tn += 1;
                                }
                            }
                        }
                    }
                }
            }
            if std::env::var("FRAME_DAMAGE").as_deref() == Ok("2") {
                eprintln!("  damage {damage:?}");
            }
            eprintln!(
                "{} damage rects, {clears} layer clears, {qn} masked quads ({qa:.0} px), {tn} masked texts",
                damage.len()
            );
        }
        last_layers = Some(tiny.layers().to_vec());
        damaged_area += damage.iter().map(|r| r.area()).sum::<f32>() / full.area();
        let mut pixmap = tiny_skia::PixmapMut::from_bytes(&mut pixels, width, height).expect("pixel buffer");
        if !damage.is_empty() {
            tiny.draw(&mut pixmap, &mut mask, &viewport, &damage, background);
        }
        std::hint::black_box(&pixels);
        if std::env::var("FRAME_SPLIT").is_ok() {
            eprintln!(
                "live {:?} view {:?} layout+draw {:?} raster {:?}",
                t_live,
                t_view - t_live,
                t_draw - t_view,
                start.elapsed() - t_draw
            );
        }
        // The first frames warm caches (glyphs, allocations); they are not counted.
        if frame >= 10 {
            lags.push(d.map().picture_lag().unwrap_or(u64::MAX));
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    #[allow(clippy::print_stdout)]
    let report = format!(
        "frame ({width}x{height}, tiny-skia): {}, {}, \
         {frames} frames, {}: median {:.2} ms, p99 {:.2} ms, max {:.2} ms; peak memory {:.0} MB",
        if pan {
            format!(
                "map alone, dragged every frame at zoom 15: {PAN_PEOPLE} people + {CALLS} calls + 60 vehicles = 10,000 markers, {PAN_ZONES} zones"
            )
        } else {
            format!("{PEOPLE} people on the map, {CALLS} calls queued")
        },
        if pan {
            "60 frames and 400 fixes a second".to_owned()
        } else {
            format!("{MOVES_PER_FRAME} fixes/frame")
        },
        if full_damage {
            "whole window redrawn".to_owned()
        } else {
            format!("{:.0}% of the window redrawn on average", 100.0 * damaged_area / (frames + 10) as f32)
        },
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(f64::NAN),
        peak_rss_mb()
    );
    assert!(!lags.is_empty(), "no frames measured: pass FRAMES > 0");
    lags.sort_unstable();
    // Lag is counted in live updates; a frame brings MOVES_PER_FRAME of them (about 7 in a drag).
    let per_frame = if pan { MOVES_PER_FRAME as f64 / 60.0 } else { MOVES_PER_FRAME as f64 };
    let behind = format!(
        "map picture behind the live data by {:.1} frame(s) at the median, {:.1} at p99",
        lags[lags.len() / 2] as f64 / per_frame,
        lags[((lags.len() - 1) as f64 * 0.99).round() as usize] as f64 / per_frame
    );
    let painting = if pan {
        // One picture of the map as the painting thread makes it (10,000 markers, 200 zones,
        // base map), timed here alone: how long after a pan the uncovered edge is filled in.
        let mut paints: Vec<f64> = (0..30)
            .map(|_| {
                let scene = d.map().current_scene(d.model());
                let t = Instant::now();
                std::hint::black_box(scene.paint());
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        paints.sort_by(f64::total_cmp);
        format!(
            "; one picture painted in {:.1} ms (median), {:.1} ms (max)",
            percentile(&paints, 0.5),
            paints[paints.len() - 1]
        )
    } else {
        String::new()
    };
    #[allow(clippy::print_stdout)]
    {
        println!("{report}; {behind}{painting}");
    }
}
