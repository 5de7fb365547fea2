//! Snapshot tests of the map (issue 7): the map alone rendered by `iced_test`'s simulator with
//! tiny-skia, exactly as the console draws it, and its pixels checked where the projection says
//! things are — the embedded base map of Brazil, a polygon zone being drawn with clicks, a track
//! in playback. `ATALAIA_UI_SNAPSHOT=dir` keeps the PNGs for a look.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use atalaia_client::LiveModel;
use atalaia_console::pane::Ctx;
use atalaia_console::pane::mapa::zones::{self, Tool};
use atalaia_console::pane::mapa::{self, Message, Region, State, search, track, viewport};
use atalaia_core::auth::Role;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::{DeviceId, PersonId, PositionId, UserId};
use atalaia_core::monitoring::{Device, DeviceKind, DeviceState, Person, Position, Regime};
use atalaia_core::wire::{LiveMessage, Snapshot, UserInfo};
use chrono::{DateTime, Duration, TimeZone, Utc};
use iced::{Point, Settings, Size};
use iced_test::Simulator;
use std::sync::LazyLock;

const SIZE: Size = Size { width: 900.0, height: 640.0 };

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 13, 30, 0).single().expect("valid")
}

/// An RGBA picture of the screen.
struct Shot {
    width: u32,
    /// Snapshot pixels per logical pixel (the simulator renders at its own scale).
    scale: f32,
    rgba: Vec<u8>,
}

impl Shot {
    /// The colour at logical point `p`.
    fn at(&self, p: Point) -> [u8; 3] {
        let (x, y) = ((p.x * self.scale).round() as u32, (p.y * self.scale).round() as u32);
        let i = ((y * self.width + x) * 4) as usize;
        [self.rgba[i], self.rgba[i + 1], self.rgba[i + 2]]
    }

    /// How many pixels within `r` of `p` are (nearly) `colour`.
    fn around(&self, p: Point, r: i32, colour: [u8; 3]) -> usize {
        let mut n = 0;
        let step = 1.0 / self.scale;
        for dy in -r..=r {
            for dx in -r..=r {
                let c = self.at(Point::new(p.x + dx as f32 * step, p.y + dy as f32 * step));
                if c.iter().zip(colour).all(|(a, b)| a.abs_diff(b) <= 6) {
                    n += 1;
                }
            }
        }
        n
    }
}

/// What the dashboard hands the map's update: the map reads the model (its clock and time zone
/// are its own, from `set_now` and `configure`).
fn ctx(model: &LiveModel) -> Ctx<'_> {
    static USER: LazyLock<UserInfo> = LazyLock::new(|| UserInfo {
        id: UserId::new(),
        username: "teste".into(),
        display_name: "Teste".into(),
        role: Role::Supervisor,
        profile: None,
        permissions: None,
        active: true,
        unit: None,
    });
    Ctx {
        model,
        now: now(),
        tz: atalaia_client::format::DEFAULT_TZ,
        user: &USER,
        photos: atalaia_console::photos::Photos::none(),
    }
}

fn hex(c: u32) -> [u8; 3] {
    [(c >> 16) as u8, (c >> 8) as u8, c as u8]
}

/// Renders the map alone, returns its pixels and whatever messages the events produced.
fn render(
    state: &mut State,
    model: &LiveModel,
    name: &str,
    events: impl FnOnce(&mut Simulator<'_, Message>),
) -> (Shot, Vec<Message>) {
    // The picture is painted by the map's own thread: draw, wait for it, as the console does.
    for _ in 0..200 {
        {
            let mut ui = Simulator::with_size(Settings::default(), SIZE, state.canvas(model));
            let _ = ui.snapshot(&atalaia_console::theme::theme()).expect("frame");
        }
        let _ = state.update(Message::Painted, &ctx(model));
        if state.picture_settled() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(state.picture_settled(), "the painting thread delivered the picture");
    draw(state, model, name, events)
}

fn draw(
    state: &State,
    model: &LiveModel,
    name: &str,
    events: impl FnOnce(&mut Simulator<'_, Message>),
) -> (Shot, Vec<Message>) {
    let mut ui = Simulator::with_size(Settings::default(), SIZE, state.canvas(model));
    events(&mut ui);
    let snapshot = ui.snapshot(&atalaia_console::theme::theme()).expect("snapshot");
    let dir = std::env::var_os("ATALAIA_UI_SNAPSHOT").map_or_else(
        || std::env::temp_dir().join(format!("atalaia-map-{}", std::process::id())),
        std::path::PathBuf::from,
    );
    let path = dir.join(format!("map-{name}.png"));
    let _ = std::fs::remove_file(dir.join(format!("map-{name}-tiny-skia.png")));
    assert!(snapshot.matches_image(&path).expect("write snapshot"));
    let file = std::fs::File::open(dir.join(format!("map-{name}-tiny-skia.png"))).expect("png");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file)).read_info().expect("png header");
    let mut rgba = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut rgba).expect("png frame");
    rgba.truncate(info.buffer_size());
    (Shot { width: info.width, scale: info.width as f32 / SIZE.width, rgba }, ui.into_messages().collect())
}

/// The map for a role at the test's size (the first frame tells it its size).
fn map_for(role: Role, model: &LiveModel, test: &str) -> State {
    let state = State::for_role(role);
    let _ = draw(&state, model, &format!("{test}-first-frame"), |_| {});
    state
}

fn pixel(state: &State, p: LatLon) -> Point {
    let (x, y) = state.view_now().project(p);
    Point::new(x as f32, y as f32)
}

#[test]
fn embedded_base_map_shows_brazil_with_its_states_and_seats() {
    let model = LiveModel::default();
    let mut state = map_for(Role::Supervisor, &model, "brasil");
    let _ = state.update(Message::Viewport(viewport::Message::Region(Region::Brasil)), &ctx(&model));
    let (shot, _) = render(&mut state, &model, "brasil", |_| {});
    let land = hex(0xf5f3ee);
    let sea = hex(0xc6dbe6);
    let neighbour = hex(0xe4e2dc);
    // Goiás' interior is land, the Atlantic east of Salvador is sea, Bolivia's interior a neighbour.
    assert_eq!(shot.at(pixel(&state, LatLon { lat: -15.5, lon: -49.5 })), land);
    assert_eq!(shot.at(pixel(&state, LatLon { lat: -12.0, lon: -28.0 })), sea);
    assert_eq!(shot.at(pixel(&state, LatLon { lat: -17.0, lon: -64.5 })), neighbour);
    // The border between Minas Gerais and Goiás (along the Paranaíba near 18.5° S, 49.2° W) is
    // drawn: some border-coloured pixels near it.
    let border = hex(0xb3a9c4);
    assert!(shot.around(pixel(&state, LatLon { lat: -18.45, lon: -49.2 }), 6, border) > 0, "state border");
    // Brasília's seat dot and label (a capital, shown at country zoom).
    let dark = hex(0x3d4450);
    assert!(shot.around(pixel(&state, LatLon { lat: -15.79, lon: -47.88 }), 3, dark) > 3, "capital dot");
}

#[test]
fn a_polygon_zone_is_drawn_with_clicks_and_closed_on_its_first_vertex() {
    let model = LiveModel::default();
    let mut state = map_for(Role::MonitoringAdmin, &model, "polygon");
    let _ = state.update(Message::Zone(zones::Message::Draw(Tool::Polygon)), &ctx(&model));
    let clicks = [Point::new(300.0, 200.0), Point::new(600.0, 220.0), Point::new(520.0, 460.0)];
    for (i, at) in clicks.iter().enumerate() {
        let (_, messages) = render(&mut state, &model, &format!("draw-{i}"), |ui| {
            ui.point_at(*at);
            let _ = ui.simulate(iced_test::simulator::click());
        });
        assert!(
            messages.iter().any(|m| matches!(m, Message::Click(p) if p.distance(*at) < 1.0)),
            "{messages:?}"
        );
        for m in messages {
            let _ = state.update(m, &ctx(&model));
        }
    }
    // Three vertices, the rubber band to the cursor, the hint over the map.
    let cursor = Point::new(330.0, 430.0);
    let (shot, _) = render(&mut state, &model, "polygon-drawing", |ui| ui.point_at(cursor));
    let editor = state.editor().expect("drawing");
    assert_eq!(editor.points.len(), 3);
    assert!(!editor.closed);
    let white = [255, 255, 255];
    for at in clicks {
        assert!(shot.around(at, 2, white) >= 9, "vertex handle at {at:?}");
    }
    let red = hex(0xe5484d);
    let mid = Point::new((clicks[2].x + cursor.x) / 2.0, (clicks[2].y + cursor.y) / 2.0);
    assert!(shot.around(mid, 2, red) > 0, "rubber band towards the cursor");
    // Clicking the first vertex closes it: filled in the exclusion style.
    let (_, messages) = render(&mut state, &model, "close", |ui| {
        ui.point_at(clicks[0]);
        let _ = ui.simulate(iced_test::simulator::click());
    });
    for m in messages {
        let _ = state.update(m, &ctx(&model));
    }
    assert!(state.editor().expect("editing").closed);
    let (shot, _) = render(&mut state, &model, "polygon-closed", |_| {});
    let inside = Point::new(480.0, 300.0);
    let c = shot.at(inside);
    assert!(c[0] > c[1] && c[0] > c[2], "reddish exclusion fill inside, got {c:?}");
    // A vertex handle dragged moves the vertex.
    let (_, messages) = render(&mut state, &model, "drag", |ui| {
        ui.point_at(clicks[1]);
        let _ =
            ui.simulate([iced::Event::Mouse(iced::mouse::Event::ButtonPressed(iced::mouse::Button::Left))]);
        ui.point_at(Point::new(650.0, 180.0));
        let _ = ui.simulate([iced::Event::Mouse(iced::mouse::Event::CursorMoved {
            position: Point::new(650.0, 180.0),
        })]);
        let _ =
            ui.simulate([iced::Event::Mouse(iced::mouse::Event::ButtonReleased(iced::mouse::Button::Left))]);
    });
    assert!(
        messages.iter().any(|m| matches!(m, Message::Zone(zones::Message::Handle(1, _)))),
        "{messages:?}"
    );
    for m in messages {
        let _ = state.update(m, &ctx(&model));
    }
    let moved = pixel(&state, state.editor().expect("editing").points[1]);
    assert!(moved.distance(Point::new(650.0, 180.0)) < 1.0, "{moved:?}");
}

fn fix(device: DeviceId, person: PersonId, minute: i64, lat: f64, lon: f64) -> Position {
    let t = now() - Duration::minutes(60 - minute);
    Position {
        id: PositionId::new(),
        device_id: device,
        person_id: Some(person),
        vehicle_id: None,
        fix_time: t,
        recv_time: t,
        at: LatLon { lat, lon },
        speed_kmh: None,
        course_deg: None,
        accuracy_m: Some(10.0),
        altitude_m: None,
        battery_pct: Some(70.0),
        charging: Some(false),
    }
}

/// A monitored person in Porto Velho with a bracelet and an hour of fixes walking east, and a
/// zone-violation alarm half-way.
fn porto_velho() -> (LiveModel, Person, Device, Vec<Position>) {
    let person = Person {
        id: PersonId::new(),
        name: "João da Silva".into(),
        record: "0001234-56.2026.8.22.0001".into(),
        regime: Regime::SemiOpen,
        group: Some("Regional I".into()),
        region: None,
        responsible: None,
        linked_person: None,
        personal: Default::default(),
        revision: Default::default(),
        created_at: now(),
        photo: None,
    };
    let device = Device {
        id: DeviceId::new(),
        imei: "358000000000001".into(),
        kind: DeviceKind::AnkleBracelet,
        state: DeviceState::Active,
        sim1: None,
        sim2: None,
        person_id: Some(person.id),
        vehicle_id: None,
        last_contact: Some(now()),
        battery_pct: Some(80.0),
        model: None,
        report_interval_s: None,
        history: Vec::new(),
        created_at: now(),
    };
    // Every 5 minutes from 12:30 to 13:30, 0.005° (~550 m) east each time, a little north.
    let fixes: Vec<Position> = (0..=12)
        .map(|i| fix(device.id, person.id, i * 5, -8.775 + 0.001 * i as f64, -63.93 + 0.005 * i as f64))
        .collect();
    let mut alarm = atalaia_core::alarm::Alarm::new(
        atalaia_core::alarm::AlarmKind::ExclusionZoneEntry,
        atalaia_core::alarm::Subject::Person(person.id),
        None,
        now() - Duration::minutes(30),
        now() - Duration::minutes(30),
    );
    alarm.count = 1;
    let mut model = LiveModel::default();
    let _ = model.apply(LiveMessage::Snapshot(Snapshot {
        seq: 1,
        occurrences: Vec::new(),
        vehicles: Vec::new(),
        persons: vec![person.clone()],
        devices: vec![device.clone()],
        zones: Vec::new(),
        alarms: vec![alarm],
        positions: vec![fixes.last().cloned().expect("fixes")],
        dispatches: Vec::new(),
        instance: String::new(),
    }));
    (model, person, device, fixes)
}

#[test]
fn a_track_plays_back_on_the_map() {
    let (model, person, device, fixes) = porto_velho();
    let mut state = map_for(Role::MonitoringOperator, &model, "track");
    state.set_now(now());
    // Zoom in on the person's last fix (individual markers, not groups), and click it.
    let last = fixes.last().expect("fix").at;
    let _ = state.update(
        Message::Search(search::Message::Query(format!("{:.5}, {:.5}", last.lat, last.lon))),
        &ctx(&model),
    );
    let _ = state.update(Message::Search(search::Message::Search), &ctx(&model));
    let _ = state.update(Message::Search(search::Message::Go(0)), &ctx(&model));
    let _ = state.update(
        Message::Viewport(viewport::Message::Zoom { by: 15.0 - state.zoom(), at: pixel(&state, last) }),
        &ctx(&model),
    );
    let at = pixel(&state, last);
    let (_, messages) = render(&mut state, &model, "pick", |ui| {
        ui.point_at(at);
        let _ = ui.simulate(iced_test::simulator::click());
    });
    for m in messages {
        let _ = state.update(m, &ctx(&model));
    }
    assert_eq!(state.picked(), Some(mapa::Picked::Person(device.id)));
    // A period typed wrong is explained; a right one asks for exactly that period.
    let _ = state.update(Message::Track(track::Message::PeriodFrom("22/11/2026 10:00".into())), &ctx(&model));
    let _ = state.update(Message::Track(track::Message::PeriodTo("22/11/2026 09:00".into())), &ctx(&model));
    let (_, event) = state.update(Message::Track(track::Message::Period(false)), &ctx(&model));
    assert!(event.is_none() && state.playback().is_none());
    let _ = state.update(Message::Track(track::Message::PeriodTo("22/11/2026 10:30".into())), &ctx(&model));
    let (_, event) = state.update(Message::Track(track::Message::Period(false)), &ctx(&model));
    let Some(mapa::Event::LoadTrack(_, from, to)) = event else { panic!("{event:?}") };
    // 10:00–10:30 in São Paulo time (UTC−3) is 13:00–13:30 UTC.
    assert_eq!((from, to), (now() - Duration::minutes(30), now()));
    let _ = state.update(Message::Track(track::Message::Close), &ctx(&model));
    // "Trajeto 2 h": the dashboard is asked for the person's fixes; they come back.
    let (_, event) = state.update(Message::Track(track::Message::Hours(2)), &ctx(&model));
    let Some(mapa::Event::LoadTrack(subject, from, _)) = event else {
        panic!("no track asked for: {event:?}")
    };
    assert_eq!(subject, mapa::track::Subject::Person(person.id));
    // An answer to another request (another period) is dropped; the right one is shown.
    let _ = state.update(
        Message::Track(track::Message::Loaded(subject.clone(), from - Duration::hours(22), Ok(Vec::new()))),
        &ctx(&model),
    );
    assert!(state.playback().expect("track").loading, "a stale answer is ignored");
    let _ =
        state.update(Message::Track(track::Message::Loaded(subject, from, Ok(fixes.clone()))), &ctx(&model));
    let playback = state.playback().expect("track");
    assert_eq!(playback.fixes.len(), 13);
    assert_eq!(playback.marks.len(), 1, "the alarm marked on the track");
    // The view was fitted to the track: its ends are on the map.
    for p in [fixes[0].at, last] {
        let s = pixel(&state, p);
        assert!(s.x > 0.0 && s.y > 0.0 && s.x < SIZE.width && s.y < SIZE.height, "{s:?}");
    }
    // Play at 60×: 20 s of playback is 20 minutes of track (four fixes further).
    let _ = state.update(Message::Track(track::Message::Speed(60)), &ctx(&model));
    let _ = state.update(Message::Track(track::Message::PlayPause), &ctx(&model));
    let start = std::time::Instant::now();
    for k in 0..=40 {
        let _ = state.update(
            Message::Track(track::Message::Frame(start + std::time::Duration::from_millis(500 * k))),
            &ctx(&model),
        );
    }
    let playback = state.playback().expect("track");
    assert_eq!(playback.now, fixes[0].fix_time + Duration::minutes(20));
    assert_eq!(playback.played(playback.now), 5);
    let (shot, _) = render(&mut state, &model, "track-playback", |_| {});
    let purple = hex(0x8e4ec6);
    // The head of the playback where the person was at 12:50, the played part strong purple.
    let head = pixel(&state, fixes[4].at);
    assert!(shot.around(head, 3, purple) > 10, "playback head at {head:?}");
    let played = pixel(
        &state,
        LatLon {
            lat: (fixes[1].at.lat + fixes[2].at.lat) / 2.0,
            lon: (fixes[1].at.lon + fixes[2].at.lon) / 2.0,
        },
    );
    assert!(shot.around(played, 1, purple) > 0, "played segment");
    // The alarm's mark: an orange diamond where the person was at 13:00.
    let orange = hex(0xf76b15);
    assert!(shot.around(pixel(&state, fixes[6].at), 3, orange) > 4, "event mark");
}

/// A 256 × 256 PNG of one colour.
fn solid_png(rgb: [u8; 3]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 256, 256);
        encoder.set_color(png::ColorType::Rgb);
        let mut writer = encoder.write_header().expect("png header");
        let data: Vec<u8> = std::iter::repeat_n(rgb, 256 * 256).flatten().collect();
        writer.write_image_data(&data).expect("png data");
    }
    out
}

/// An XYZ tile server on 127.0.0.1 answering every tile with `tile`, counting requests.
async fn tile_server(
    tile: Vec<u8>,
) -> (String, tokio::task::JoinHandle<()>, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&hits);
    let task = tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let tile = tile.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    tile.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(&tile).await;
            });
        }
    });
    (format!("http://{addr}/{{z}}/{{x}}/{{y}}.png"), task, hits)
}

/// Renders until the map's centre shows `colour` (tiles arrive asynchronously), or gives up.
fn wait_for(state: &mut State, model: &LiveModel, colour: [u8; 3], name: &str) -> bool {
    for _ in 0..100 {
        let (shot, _) = render(state, model, name, |_| {});
        // A corner clear of labels, the scale bar and the attribution.
        if shot.at(Point::new(60.0, 60.0)) == colour {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        let _ = state.update(Message::Tiles, &ctx(model));
    }
    false
}

/// 16.2.4 (issue 7 item 2): street tiles from an XYZ server on 127.0.0.1 are fetched, drawn, and
/// kept in the MBTiles cache; with the server gone, a console started afresh draws the same
/// view from the cache without asking the network.
#[test]
fn street_tiles_are_fetched_drawn_and_served_from_the_cache_offline() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let _inside = rt.enter();
    let magenta = [200, 60, 160];
    let (template, server, hits) = rt.block_on(tile_server(solid_png(magenta)));
    let dir = tempfile::tempdir().expect("dir");
    let config = mapa::Config {
        street_url: Some(template),
        tiles_dir: Some(dir.path().to_path_buf()),
        ..mapa::Config::default()
    };
    let model = LiveModel::default();

    let mut state = State::for_role(Role::Supervisor);
    state.configure(&config, chrono_tz::America::Sao_Paulo);
    assert!(wait_for(&mut state, &model, magenta, "tiles-online"), "the fetched tile is drawn");
    let fetched = hits.load(std::sync::atomic::Ordering::SeqCst);
    assert!(fetched >= 4, "the view's tiles were fetched: {fetched}");

    // The server goes away (its port refuses connections); a console started afresh (nothing
    // decoded in memory) still draws the tiles, from the cache file.
    server.abort();
    let _ = rt.block_on(server);
    drop(hits);
    let mut offline = State::for_role(Role::Supervisor);
    offline.configure(&config, chrono_tz::America::Sao_Paulo);
    assert!(wait_for(&mut offline, &model, magenta, "tiles-offline"), "the cached tile is drawn offline");
    // Switching to the base map shows the embedded map again (BH is land).
    let _ = offline.update(Message::Source(mapa::Source::Base), &ctx(&model));
    assert!(wait_for(&mut offline, &model, hex(0xf5f3ee), "tiles-base"), "the embedded base map");
}

/// 16.2.6, III-2.8–III-2.10 (issue 7 item 5): a zone administrator draws a polygon with clicks,
/// names it, makes it an exclusion zone with a 150 m warning buffer and saves it through the
/// real server (embedded, demo data); then opens it again, drags a vertex and saves: the same
/// zone, its new shape, its creation time kept.
#[test]
fn a_zone_drawn_on_the_map_is_saved_and_edited_through_the_server() {
    use atalaia_core::geom::Shape;
    use atalaia_core::monitoring::{Zone, ZoneKind};
    let dir = tempfile::tempdir().expect("dir");
    let server =
        atalaia_backend::embedded::start_in_background(dir.path().to_path_buf(), true).expect("server");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let api = atalaia_client::Api::new(&server.base_url).expect("client");
    let login = rt.block_on(api.login("admmon", "atalaia-demo")).expect("zone administrator");
    let api = api.with_token(login.token);

    let mut model = LiveModel::default();
    let mut state = map_for(Role::MonitoringAdmin, &model, "save");
    let _ = state.update(Message::Zone(zones::Message::Draw(Tool::Polygon)), &ctx(&model));
    for at in [Point::new(300.0, 200.0), Point::new(600.0, 220.0), Point::new(520.0, 460.0)] {
        let _ = state.update(Message::Click(at), &ctx(&model));
    }
    let _ = state.update(Message::Zone(zones::Message::Finish), &ctx(&model));
    let _ =
        state.update(Message::Zone(zones::Message::Name("Escola Estadual Rio Madeira".into())), &ctx(&model));
    let _ = state.update(Message::Zone(zones::Message::Kind(ZoneKind::Exclusion)), &ctx(&model));
    let _ = state.update(Message::Zone(zones::Message::Warning("150".into())), &ctx(&model));
    // Without an owner the form says so, in Portuguese, and sends nothing.
    let (_, event) = state.update(Message::Zone(zones::Message::Save), &ctx(&model));
    assert!(event.is_none());
    assert!(
        state.editor().expect("editor").errors.iter().any(|e| e.contains("pessoa monitorada ou o grupo"))
    );
    let _ = state.update(Message::Zone(zones::Message::Group("Medida protetiva".into())), &ctx(&model));
    let (_, event) = state.update(Message::Zone(zones::Message::Save), &ctx(&model));
    let Some(mapa::Event::SaveZone(new, false)) = event else { panic!("a new zone to save: {event:?}") };
    assert!(state.editor().expect("editor").saving);
    let (_, again) = state.update(Message::Zone(zones::Message::Save), &ctx(&model));
    assert!(again.is_none(), "no second request while the first is on its way");
    let saved = rt.block_on(api.save_zone(&new, false)).expect("saved");
    model.zones.insert(saved.id, saved.clone());
    let _ = state
        .update(Message::Zone(zones::Message::Saved(saved.id, Ok(Box::new(saved.clone())))), &ctx(&model));
    assert!(state.editor().is_none());
    assert_eq!(state.picked(), Some(mapa::Picked::Zone(saved.id)));
    let stored: Zone = rt.block_on(api.get(&format!("/zones/{}", saved.id))).expect("read back");
    assert_eq!(stored.kind, ZoneKind::Exclusion);
    assert_eq!(stored.warning_m, Some(150.0));
    assert_eq!(stored.group.as_deref(), Some("Medida protetiva"));
    let Shape::Polygon { ring } = &stored.shape else { panic!("polygon: {:?}", stored.shape) };
    assert_eq!(ring.len(), 3);

    // Opened again: the second vertex dragged 40 px up, saved over the same zone.
    let _ = state.update(Message::Zone(zones::Message::Edit), &ctx(&model));
    let editor = state.editor().expect("editing");
    assert_eq!((editor.zone, editor.name.as_str()), (Some(saved.id), "Escola Estadual Rio Madeira"));
    let _ = state.update(Message::Zone(zones::Message::Handle(1, Point::new(600.0, 180.0))), &ctx(&model));
    let (_, event) = state.update(Message::Zone(zones::Message::Save), &ctx(&model));
    let Some(mapa::Event::SaveZone(edited, true)) = event else { panic!("an edit to save: {event:?}") };
    let updated = rt.block_on(api.save_zone(&edited, true)).expect("updated");
    assert_eq!((updated.id, updated.created_at), (saved.id, saved.created_at));
    let stored: Zone = rt.block_on(api.get(&format!("/zones/{}", saved.id))).expect("read back");
    let Shape::Polygon { ring: moved } = &stored.shape else { panic!("polygon") };
    assert!(moved[1].lat > ring[1].lat, "the vertex moved north: {:?} → {:?}", ring[1], moved[1]);
    assert_eq!((moved[0], moved[2]), (ring[0], ring[2]));
}

/// 16.2.5 (issue 7 item 7): a Nominatim-compatible geocoder on 127.0.0.1 answers an address
/// search; the answer centres the map and rings the place. With the geocoder gone, the search
/// says so in Portuguese and still offers the places the system knows.
#[test]
fn an_address_is_found_through_the_geocoder_or_among_known_places() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (base, server, asked) = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let asked = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let seen = std::sync::Arc::clone(&asked);
        let task = tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = vec![0u8; 4096];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_owned();
                *seen.lock().expect("lock") = request;
                let body = r#"[{"display_name":"Rua da Bahia, Centro, Belo Horizonte, Minas Gerais, Brasil","lat":"-19.9226","lon":"-43.9378"}]"#;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(body.as_bytes()).await;
            }
        });
        (format!("http://{addr}"), task, asked)
    });
    let found = rt
        .block_on(mapa::search::geocode(base.clone(), "Rua da Bahia, Belo Horizonte".into()))
        .expect("answer");
    let request = asked.lock().expect("lock").clone();
    assert!(request.starts_with("GET /search?q=Rua+da+Bahia%2C+Belo+Horizonte&format=jsonv2"), "{request}");
    assert!(request.contains("countrycodes=br"), "{request}");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, LatLon { lat: -19.9226, lon: -43.9378 });

    // The console's side: the answer listed, chosen, the map centred on it with a ring.
    let model = LiveModel::default();
    let mut state = map_for(Role::Supervisor, &model, "search");
    let _ = state
        .update(Message::Search(search::Message::Query("Rua da Bahia, Belo Horizonte".into())), &ctx(&model));
    let _ = state.update(
        Message::Search(search::Message::Geocoded("Rua da Bahia, Belo Horizonte".into(), Ok(found))),
        &ctx(&model),
    );
    // An answer to an older query is not mixed in.
    let _ = state.update(
        Message::Search(search::Message::Geocoded("Praça Sete".into(), Ok(Vec::new()))),
        &ctx(&model),
    );
    assert_eq!(state.found().len(), 1);
    let _ = state.update(Message::Search(search::Message::Go(0)), &ctx(&model));
    let (x, y) = state.view_now().project(LatLon { lat: -19.9226, lon: -43.9378 });
    assert!((f64::from(SIZE.width) / 2.0 - x).abs() < 1.0 && (f64::from(SIZE.height) / 2.0 - y).abs() < 1.0);
    assert!(state.zoom() >= 15.0);

    // The geocoder goes away: Portuguese, and the known places are still offered.
    server.abort();
    let _ = rt.block_on(server);
    let err = rt.block_on(mapa::search::geocode(base, "Candeias".into())).expect_err("unreachable");
    assert_eq!(err, "geocodificador inacessível");
    let _ = state.update(Message::Search(search::Message::Query("Candeias".into())), &ctx(&model));
    let _ = state.update(Message::Search(search::Message::Search), &ctx(&model));
    assert_eq!(state.found().first().map(|f| f.label.as_str()), Some("Candeias do Jamari (RO)"));
}

/// Keys act on the map once it was clicked (arrows pan, `+`/`-` zoom), not while the operator
/// types elsewhere with the pointer resting over it.
#[test]
fn keys_pan_and_zoom_the_map_only_after_it_was_clicked() {
    use iced::keyboard::{Key, key::Named};
    let model = LiveModel::default();
    let mut state = map_for(Role::Supervisor, &model, "keys");
    let (_, before) = render(&mut state, &model, "keys-unfocused", |ui| {
        ui.point_at(Point::new(400.0, 300.0));
        let _ = ui.tap_key(Key::Named(Named::ArrowLeft));
        let _ = ui.tap_key(Key::Character("-".into()));
    });
    assert!(before.is_empty(), "{before:?}");
    let (_, after) = render(&mut state, &model, "keys-focused", |ui| {
        ui.point_at(Point::new(400.0, 300.0));
        let _ = ui.simulate(iced_test::simulator::click());
        let _ = ui.tap_key(Key::Named(Named::ArrowLeft));
        let _ = ui.tap_key(Key::Character("-".into()));
    });
    assert!(
        after.iter().any(|m| matches!(m, Message::Viewport(viewport::Message::Pan(dx, _)) if *dx > 0.0)),
        "{after:?}"
    );
    assert!(after.iter().any(|m| matches!(m, Message::Viewport(viewport::Message::ZoomOut))), "{after:?}");
}

/// Issue 7 item 4: hospitals, bases and cameras from the site's GeoJSON (here the demo's) are
/// drawn in their own layer, named, clickable, and switched off with it.
#[test]
fn points_of_interest_are_drawn_clickable_and_toggled() {
    let model = LiveModel::default();
    let mut state = State::for_role(Role::FleetController);
    state.configure(
        &mapa::Config { demo_pois: true, ..mapa::Config::default() },
        chrono_tz::America::Sao_Paulo,
    );
    let _ = draw(&state, &model, "pois-first-frame", |_| {});
    let hospital = LatLon { lat: -19.9245, lon: -43.9310 };
    let _ = state.update(Message::Search(search::Message::Query("-19.9245, -43.9310".into())), &ctx(&model));
    let _ = state.update(Message::Search(search::Message::Search), &ctx(&model));
    let _ = state.update(Message::Search(search::Message::Go(0)), &ctx(&model));
    let at = pixel(&state, hospital);
    let (shot, messages) = render(&mut state, &model, "pois", |ui| {
        ui.point_at(at);
        let _ = ui.simulate(iced_test::simulator::click());
    });
    let red = hex(0xe5484d);
    assert!(shot.around(at, 4, red) > 4, "the hospital's red cross");
    for m in messages {
        let _ = state.update(m, &ctx(&model));
    }
    assert!(matches!(state.picked(), Some(mapa::Picked::Poi(_))), "{:?}", state.picked());
    let _ = state.update(Message::ClosePopup, &ctx(&model));
    let _ = state.update(Message::Layer(mapa::Layer::Pois), &ctx(&model));
    let (shot, _) = render(&mut state, &model, "pois-off", |_| {});
    assert_eq!(shot.around(at, 4, red), 0, "the layer is off");
}

/// 16.2.26: a group's tracks play back together, one colour per member, each head named.
#[test]
fn a_groups_tracks_play_back_together() {
    use atalaia_core::investigate::{PersonTrack, TrackPoint};
    let (model, person, device, fixes) = porto_velho();
    let mut state = map_for(Role::MonitoringOperator, &model, "group");
    state.set_now(now());
    let last = fixes.last().expect("fix").at;
    let _ = state.update(
        Message::Search(search::Message::Query(format!("{:.5}, {:.5}", last.lat, last.lon))),
        &ctx(&model),
    );
    let _ = state.update(Message::Search(search::Message::Search), &ctx(&model));
    let _ = state.update(Message::Search(search::Message::Go(0)), &ctx(&model));
    let _ = state.update(Message::Click(pixel(&state, last)), &ctx(&model));
    assert_eq!(state.picked(), Some(mapa::Picked::Person(device.id)));
    let (_, event) = state.update(Message::Track(track::Message::GroupHours(2)), &ctx(&model));
    let Some(mapa::Event::LoadTrack(subject, from, _)) = event else { panic!("{event:?}") };
    assert_eq!(subject, mapa::track::Subject::Group("Regional I".into()));
    let points = |lon0: f64| -> Vec<TrackPoint> {
        fixes
            .iter()
            .map(|f| TrackPoint { t: f.fix_time, lat: f.at.lat, lon: f.at.lon - 0.03 + lon0 })
            .collect()
    };
    let tracks = vec![
        PersonTrack { person_id: person.id, name: person.name.clone(), points: points(0.03) },
        PersonTrack { person_id: PersonId::new(), name: "Maria Souza".into(), points: points(0.0) },
    ];
    let _ =
        state.update(Message::Track(track::Message::GroupLoaded(subject, from, Ok(tracks))), &ctx(&model));
    let playback = state.playback().expect("group");
    assert_eq!(playback.members.len(), 2);
    assert_eq!(playback.marks.len(), 1, "João's alarm on his line");
    let (shot, _) = render(&mut state, &model, "group-playback", |_| {});
    let purple = hex(0x8e4ec6);
    let blue = hex(0x0d74ce);
    let mid = |k: usize, lon0: f64| {
        pixel(&state, LatLon { lat: fixes[k].at.lat, lon: fixes[k].at.lon - 0.03 + lon0 })
    };
    // Each member's head where the playback starts, in the member's colour.
    assert!(shot.around(mid(0, 0.03), 3, purple) > 4, "first member's head");
    assert!(shot.around(mid(0, 0.0), 3, blue) > 4, "second member's head");
}

/// RFS051, RFS064: a vehicle clicked on the map opens its detail with who is on board, as the
/// crew's tablet declared it, and the time the crew gave for a report sent without signal.
#[test]
fn rfs064_a_vehicle_clicked_on_the_map_tells_its_crew_and_late_reports() {
    use atalaia_core::samu::crew::{CrewMember, CrewOnBoard, CrewRole};
    use atalaia_core::samu::{Dispatch, Telemetry, Vehicle, VehicleKind, VehicleStatus};
    let at = LatLon { lat: -19.9191, lon: -43.9386 };
    let member = |role, name: &str| CrewMember { role, name: name.into(), registry: String::new() };
    let v = Vehicle {
        id: atalaia_core::ids::VehicleId::new(),
        code: "USA-01".into(),
        kind: VehicleKind::Usa,
        status: VehicleStatus::OnScene,
        base: "Base Centro".into(),
        municipality: "Belo Horizonte".into(),
        conveniado: false,
        device_id: None,
        telemetry: Telemetry { position: Some(at), fix_time: Some(now()), ..Telemetry::default() },
        updated_at: now(),
        crew: Some(CrewOnBoard {
            members: vec![
                member(CrewRole::Driver, "Paulo Mendes"),
                member(CrewRole::Nurse, "Rita Campos"),
                member(CrewRole::Physician, "Dra. Lúcia Prado"),
            ],
            since: now() - Duration::hours(2),
            by: UserId::new(),
            by_name: "Usuário equipe".into(),
        }),
    };
    let mut model = LiveModel::default();
    let mut d = Dispatch {
        vehicle_id: v.id,
        vehicle_code: v.code.clone(),
        active: true,
        status: VehicleStatus::OnScene,
        committed_at: now() - Duration::minutes(30),
        ..serde_json::from_value(serde_json::json!({
            "id": atalaia_core::ids::DispatchId::new(), "occurrence_id": atalaia_core::ids::OccurrenceId::new(),
            "vehicle_id": v.id, "committed_at": now(), "committed_by": UserId::new()
        }))
        .expect("dispatch")
    };
    d.times.on_scene = Some(now() - Duration::minutes(5));
    d.reported.on_scene = Some(now() - Duration::minutes(17));
    model.dispatches.insert(d.id, d);
    model.vehicles.insert(v.id, v.clone());
    let mut state = State::for_role(Role::FleetController);
    let _ = draw(&state, &model, "vehicle-first-frame", |_| {});
    let _ = state.update(Message::Search(search::Message::Query("-19.9191, -43.9386".into())), &ctx(&model));
    let _ = state.update(Message::Search(search::Message::Search), &ctx(&model));
    let _ = state.update(Message::Search(search::Message::Go(0)), &ctx(&model));
    let p = pixel(&state, at);
    let (_, messages) = render(&mut state, &model, "vehicle", |ui| {
        ui.point_at(p);
        let _ = ui.simulate(iced_test::simulator::click());
    });
    for m in messages {
        let _ = state.update(m, &ctx(&model));
    }
    assert_eq!(state.picked(), Some(mapa::Picked::Vehicle(v.id)));
    // The detail is painted on the map's canvas: its lines are asserted in `popup.rs`
    // (`rfs051_rfs061_rfs062_rfs064_…`); here the pick, and the picture kept for a look
    // (docs/screenshots/map-vehicle-crew.png).
    let _ = render(&mut state, &model, "vehicle-detail", |_| {});
}
