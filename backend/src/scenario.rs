//! Monitoring scenarios with ground truth (issue 3): scripted tracks and device events for every
//! alarm kind, played against a real server over its real device sockets (OsmAnd HTTP, Teltonika
//! TCP) on a manual clock, then compared with what the server raised and restored.
//!
//! Each scenario gets a fresh server and database, so expectations are exact: a missing alarm is
//! a false negative, any other alarm about the scenario's people a false positive.

use crate::config::Config;
use crate::ingest::teltonika::{self, IoValue, Packet, Record};
use crate::server::{Running, start_with_clock};
use crate::store::{Store, StoreError};
use atalaia_core::alarm::{Alarm, AlarmKind, AlarmState, Subject};
use atalaia_core::geom::{LatLon, Shape};
use atalaia_core::ids::{DeviceId, PersonId, ZoneId};
use atalaia_core::monitoring::{Device, DeviceKind, DeviceState, GroupRules, Person, Regime, Zone, ZoneKind};
use atalaia_core::schedule::{WeeklySchedule, Window};
use atalaia_core::{Clock, ManualClock};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Porto Velho city centre; every scenario happens around it.
pub const CENTRE: LatLon = LatLon { lat: -8.7612, lon: -63.9004 };

/// How an expected alarm ends the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum End {
    /// Still active (needs an operator).
    Active,
    /// The condition cleared: restored, or its restore recorded.
    Restored,
}

/// An alarm as the report compares them: kind, the people involved (scenario indices), end.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seen {
    pub kind: String,
    pub people: Vec<usize>,
    pub end: End,
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?} {:?}", self.kind, self.people, self.end)
    }
}

fn seen(kind: AlarmKind, people: &[usize], end: End) -> Seen {
    let mut people = people.to_vec();
    people.sort_unstable();
    Seen { kind: format!("{kind:?}"), people, end }
}

#[derive(Debug, Clone)]
pub struct Report {
    pub name: &'static str,
    pub expected: Vec<Seen>,
    pub raised: Vec<Seen>,
    pub false_positives: Vec<Seen>,
    pub false_negatives: Vec<Seen>,
    /// Every alarm of the scenario, for checks beyond kind and end (late-data contents).
    pub alarms: Vec<Alarm>,
    /// Position events the live feed carried (a replay must not flood it).
    pub position_events: usize,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.false_positives.is_empty() && self.false_negatives.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("server: {0}")]
    Server(#[from] crate::server::ServerError),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("device traffic: {0}")]
    Traffic(String),
}

struct Member {
    person: PersonId,
    imei: String,
    last: LatLon,
}

/// A fresh server on 127.0.0.1 with a manual clock, and the scenario's people.
pub struct Harness {
    running: Running,
    clock: Arc<ManualClock>,
    http: reqwest::Client,
    people: Vec<Member>,
    dir: std::path::PathBuf,
}

/// Monday 2026-11-23, 12:00 in Porto Velho (UTC−4).
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 16, 0, 0).single().unwrap_or_else(Utc::now)
}

impl Harness {
    pub async fn start() -> Result<Self, ScenarioError> {
        let dir = std::env::temp_dir().join(format!("atalaia-scenario-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).map_err(|e| ScenarioError::Traffic(e.to_string()))?;
        let clock = Arc::new(ManualClock::new(start_time()));
        let config = Config {
            timezone: chrono_tz::America::Porto_Velho,
            ..Config::embedded(dir.join("scenario.sqlite"))
        };
        let running = start_with_clock(config, clock.clone()).await?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| ScenarioError::Traffic(e.to_string()))?;
        Ok(Self { running, clock, http, people: Vec::new(), dir })
    }

    pub fn store(&self) -> &Store {
        &self.running.state.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn person_id(&self, i: usize) -> PersonId {
        self.people[i].person
    }

    /// Register a monitored person wearing a bracelet; returns its index.
    pub async fn person(
        &mut self,
        regime: Regime,
        group: Option<&str>,
        linked: Option<usize>,
    ) -> Result<usize, ScenarioError> {
        let index = self.people.len();
        let imei = format!("35{:013}", 7_000_000 + index);
        let now = self.now();
        let person = Person {
            id: PersonId::new(),
            name: format!("Pessoa {index}"),
            record: format!("{index:07}-00.2026.8.22.0001"),
            regime,
            group: group.map(str::to_owned),
            region: None,
            responsible: None,
            linked_person: linked.map(|l| self.people[l].person),
            personal: Default::default(),
            revision: Default::default(),
            created_at: now,
            photo: None,
        };
        let kind = if regime == Regime::Victim { DeviceKind::VictimUnit } else { DeviceKind::AnkleBracelet };
        let device = Device {
            id: DeviceId::new(),
            imei: imei.clone(),
            kind,
            state: DeviceState::Active,
            sim1: None,
            sim2: None,
            person_id: Some(person.id),
            vehicle_id: None,
            last_contact: None,
            battery_pct: None,
            model: None,
            report_interval_s: None,
            history: Vec::new(),
            created_at: now,
        };
        let pid = person.id;
        self.store()
            .write(move |ctx| {
                ctx.save(&person)?;
                ctx.save(&device)
            })
            .await?;
        self.people.push(Member { person: pid, imei, last: CENTRE });
        self.settle_entities().await;
        Ok(index)
    }

    /// Register a zone for one person (or, with `person: None`, for a group).
    pub async fn zone(
        &mut self,
        person: Option<usize>,
        group: Option<&str>,
        kind: ZoneKind,
        shape: Shape,
        schedule: Option<WeeklySchedule>,
        warning_m: Option<f64>,
    ) -> Result<ZoneId, ScenarioError> {
        let z = Zone {
            id: ZoneId::new(),
            name: "Zona do cenário".into(),
            kind,
            shape,
            person_id: person.map(|p| self.people[p].person),
            group: group.map(str::to_owned),
            active: true,
            schedule,
            warning_m,
            created_at: self.now(),
            lifted: None,
        };
        let id = z.id;
        self.store().write(move |ctx| ctx.save(&z)).await?;
        self.settle_entities().await;
        Ok(id)
    }

    /// Set a group's rules (III-2.25).
    pub async fn rules(
        &mut self,
        group: &str,
        disabled: Vec<AlarmKind>,
        signal_timeout_s: Option<u32>,
    ) -> Result<(), ScenarioError> {
        let r = GroupRules {
            group: group.to_owned(),
            disabled,
            signal_timeout_s,
            zone_dwell_s: None,
            updated_at: self.now(),
        };
        self.store().write(move |ctx| ctx.save(&r)).await?;
        self.settle_entities().await;
        Ok(())
    }

    /// The monitor learns about new entities from the event log; give it a moment.
    async fn settle_entities(&self) {
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }

    pub fn advance(&self, seconds: i64) {
        self.clock.advance(Duration::seconds(seconds));
    }

    pub fn set_local(&self, day_offset: i64, hh: u32, mm: u32) {
        let tz = chrono_tz::America::Porto_Velho;
        let day = start_time().with_timezone(&tz).date_naive() + Duration::days(day_offset);
        if let Some(t) = day.and_hms_opt(hh, mm, 0).and_then(|n| tz.from_local_datetime(&n).single()) {
            self.clock.set(t.with_timezone(&Utc));
        }
    }

    /// Run the clock-driven detectors now (the server also does this every second).
    pub async fn tick(&self) -> Result<(), ScenarioError> {
        let monitor = self.running.state.monitor.clone();
        self.store().write(move |ctx| monitor.tick(ctx)).await?;
        Ok(())
    }

    /// One OsmAnd report at the clock's time. `at: None` reports without a GNSS fix.
    pub async fn report(&mut self, who: usize, at: Option<LatLon>, extra: &str) -> Result<(), ScenarioError> {
        let m = &mut self.people[who];
        let (place, valid) = match at {
            Some(p) => {
                m.last = p;
                (p, true)
            }
            None => (m.last, false),
        };
        let url = format!(
            "{}/?id={}&lat={:.7}&lon={:.7}&timestamp={}&accuracy=5&valid={valid}{}{extra}",
            self.running.osmand_url(),
            m.imei,
            place.lat,
            place.lon,
            self.clock.now().timestamp(),
            if extra.is_empty() || extra.starts_with('&') { "" } else { "&" },
        );
        let resp = self.http.get(&url).send().await.map_err(|e| ScenarioError::Traffic(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(ScenarioError::Traffic(format!("OsmAnd answered {}", resp.status())));
        }
        Ok(())
    }

    /// Report every `every_s` seconds while walking in a straight line.
    pub async fn walk(
        &mut self,
        who: usize,
        from: LatLon,
        to: LatLon,
        steps: u32,
        every_s: i64,
    ) -> Result<(), ScenarioError> {
        let (d, bearing) = (from.distance_m(&to), from.bearing_to(&to));
        for i in 0..=steps {
            let p = from.moved(bearing, d * f64::from(i) / f64::from(steps.max(1)));
            self.report(who, Some(p), "").await?;
            self.advance(every_s);
        }
        Ok(())
    }

    /// Stay at one place, reporting every `every_s` seconds, `times` times.
    pub async fn stay(
        &mut self,
        who: usize,
        at: LatLon,
        times: u32,
        every_s: i64,
        extra: &str,
    ) -> Result<(), ScenarioError> {
        for _ in 0..times {
            self.report(who, Some(at), extra).await?;
            self.advance(every_s);
        }
        Ok(())
    }

    /// A store-and-forward backlog over Teltonika (see [`replay_teltonika`]).
    pub async fn replay(&self, who: usize, points: &[(DateTime<Utc>, LatLon)]) -> Result<(), ScenarioError> {
        replay_teltonika(self.running.teltonika_addr, &self.people[who].imei, points).await
    }

    /// Compare the alarms about this scenario's people with the expectation.
    pub async fn report_against(
        self,
        name: &'static str,
        expected: Vec<Seen>,
    ) -> Result<Report, ScenarioError> {
        // Let the live tick settle anything pending, then read the truth from the store.
        self.tick().await?;
        let alarms = self.store().read(|c| Store::list::<Alarm>(c)).await?;
        let position_events = self
            .store()
            .read(|c| {
                let events = Store::events_since(c, 0, 1_000_000)?;
                Ok(events
                    .iter()
                    .filter(|e| matches!(e.body, atalaia_core::wire::EventBody::Position(_)))
                    .count())
            })
            .await?;
        let index: BTreeMap<PersonId, usize> =
            self.people.iter().enumerate().map(|(i, m)| (m.person, i)).collect();
        let mut mine = Vec::new();
        let mut raised = Vec::new();
        for a in alarms {
            let Subject::Person(p) = a.subject else { continue };
            let Some(&i) = index.get(&p) else { continue };
            let mut people = vec![i];
            if let Some(other) = a.other_person.and_then(|o| index.get(&o)) {
                people.push(*other);
            }
            let end = match (&a.state, a.cleared_at) {
                (AlarmState::Restored { .. }, _) | (_, Some(_)) => End::Restored,
                _ => End::Active,
            };
            raised.push(seen(a.kind, &people, end));
            mine.push(a);
        }
        raised.sort();
        let mut expected = expected;
        expected.sort();
        let missing = |from: &[Seen], other: &[Seen]| -> Vec<Seen> {
            let mut pool = other.to_vec();
            let mut out = Vec::new();
            for s in from {
                match pool.iter().position(|x| x == s) {
                    Some(i) => {
                        pool.remove(i);
                    }
                    None => out.push(s.clone()),
                }
            }
            out
        };
        let false_negatives = missing(&expected, &raised);
        let false_positives = missing(&raised, &expected);
        self.running.shutdown().await;
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(Report { name, expected, raised, false_positives, false_negatives, alarms: mine, position_events })
    }
}

/// A store-and-forward backlog over Teltonika Codec 8E TCP as a device sends it: handshake, then
/// packets of 50 records, each acknowledged before the next. Shared by the scenarios and the
/// replay benchmark.
pub async fn replay_teltonika(
    addr: std::net::SocketAddr,
    imei: &str,
    points: &[(DateTime<Utc>, LatLon)],
) -> Result<(), ScenarioError> {
    let err = |e: std::io::Error| ScenarioError::Traffic(e.to_string());
    let mut s = tokio::net::TcpStream::connect(addr).await.map_err(err)?;
    let mut hello = (imei.len() as u16).to_be_bytes().to_vec();
    hello.extend_from_slice(imei.as_bytes());
    s.write_all(&hello).await.map_err(err)?;
    let mut one = [0u8; 1];
    s.read_exact(&mut one).await.map_err(err)?;
    if one[0] != 1 {
        return Err(ScenarioError::Traffic("Teltonika handshake refused".into()));
    }
    for chunk in points.chunks(50) {
        let records = chunk
            .iter()
            .map(|(t, at)| Record {
                time: *t,
                priority: 0,
                at: *at,
                altitude_m: 90,
                angle_deg: 0,
                satellites: 9,
                speed_kmh: 3,
                event_io: 0,
                io: vec![(teltonika::io::BATTERY_LEVEL, IoValue::Int(80))],
            })
            .collect();
        s.write_all(&teltonika::encode(&Packet { codec: 0x8E, records, response: None, message: None }))
            .await
            .map_err(err)?;
        let mut ack = [0u8; 4];
        s.read_exact(&mut ack).await.map_err(err)?;
        if u32::from_be_bytes(ack) as usize != chunk.len() {
            return Err(ScenarioError::Traffic(format!(
                "acknowledged {} of {}",
                u32::from_be_bytes(ack),
                chunk.len()
            )));
        }
    }
    Ok(())
}

fn circle(center: LatLon, radius_m: f64) -> Shape {
    Shape::Circle { center, radius_m }
}

pub const NAMES: [&str; 14] = [
    "house_arrest",
    "curfew",
    "school_exclusion_zone",
    "continuous_zone",
    "strap_cut",
    "device_states",
    "foil_wrapping",
    "gnss_loss",
    "battery_drain",
    "coverage_loss_with_backlog",
    "two_people_meeting",
    "common_place",
    "aggressor_approaching_victim",
    "work_release_group_rules",
];

/// Run one scenario by name.
pub async fn run(name: &str) -> Result<Report, ScenarioError> {
    use AlarmKind as K;
    use End::{Active, Restored};
    let mut h = Harness::start().await?;
    let home = CENTRE;
    let far = CENTRE.moved(70.0, 800.0);
    let (name, expected) = match name {
        "house_arrest" => {
            let p = h.person(Regime::HouseArrest, None, None).await?;
            h.zone(Some(p), None, ZoneKind::Inclusion, circle(home, 100.0), None, None).await?;
            h.stay(p, home, 3, 30, "").await?;
            h.walk(p, home, far, 6, 30).await?;
            h.stay(p, far, 4, 30, "").await?;
            h.walk(p, far, home, 6, 30).await?;
            h.stay(p, home, 3, 30, "").await?;
            ("house_arrest", vec![seen(K::InclusionZoneExit, &[p], Restored)])
        }
        "curfew" => {
            let p = h.person(Regime::SemiOpen, None, None).await?;
            let nights = WeeklySchedule {
                windows: vec![Window {
                    days: vec![1, 2, 3, 4, 5, 6, 7],
                    start: "20:00".into(),
                    end: "06:00".into(),
                }],
                timezone: None,
            };
            h.zone(Some(p), None, ZoneKind::Inclusion, circle(home, 100.0), Some(nights), None).await?;
            let work = home.moved(45.0, 3_000.0);
            h.set_local(0, 19, 40);
            h.stay(p, work, 20, 60, "").await?;
            h.set_local(0, 20, 0);
            h.advance(5);
            h.tick().await?;
            h.walk(p, work, home, 10, 60).await?;
            h.stay(p, home, 3, 30, "").await?;
            ("curfew", vec![seen(K::ScheduleStartOutside, &[p], Restored)])
        }
        "school_exclusion_zone" => {
            let p = h.person(Regime::ProtectiveMeasure, Some("art217"), None).await?;
            let school = home.moved(0.0, 1_500.0);
            h.zone(None, Some("art217"), ZoneKind::Exclusion, circle(school, 100.0), None, Some(200.0))
                .await?;
            let start = school.moved(180.0, 1_000.0);
            h.walk(p, start, school, 10, 30).await?;
            h.stay(p, school, 3, 30, "").await?;
            h.walk(p, school, start, 10, 30).await?;
            h.stay(p, start, 2, 30, "").await?;
            (
                "school_exclusion_zone",
                vec![seen(K::WarningZoneEntry, &[p], Restored), seen(K::ExclusionZoneEntry, &[p], Restored)],
            )
        }
        "continuous_zone" => {
            let p = h.person(Regime::Open, Some("comarca-pvh"), None).await?;
            h.zone(None, Some("comarca-pvh"), ZoneKind::Continuous, circle(home, 5_000.0), None, None)
                .await?;
            let out = home.moved(270.0, 7_000.0);
            h.walk(p, home, out, 14, 30).await?;
            h.stay(p, out, 3, 30, "").await?;
            ("continuous_zone", vec![seen(K::ContinuousZoneExit, &[p], Active)])
        }
        "strap_cut" => {
            let p = h.person(Regime::HouseArrest, None, None).await?;
            h.stay(p, home, 3, 30, "").await?;
            h.stay(p, home, 1, 30, "alarm=removing").await?;
            h.stay(p, home, 3, 30, "strap=open").await?;
            ("strap_cut", vec![seen(K::StrapCut, &[p], Active)])
        }
        "device_states" => {
            let p = h.person(Regime::HouseArrest, None, None).await?;
            h.stay(p, home, 2, 30, "").await?;
            h.stay(p, home, 2, 30, "body=missing&tamper=1").await?;
            h.stay(p, home, 2, 30, "body=present&tamper=0&install=wrong&jamming=1").await?;
            h.stay(p, home, 2, 30, "").await?;
            (
                "device_states",
                vec![
                    seen(K::BodyNotDetected, &[p], Restored),
                    seen(K::Tamper, &[p], Restored),
                    seen(K::WrongInstallation, &[p], Active),
                    seen(K::Jamming, &[p], Active),
                ],
            )
        }
        "foil_wrapping" => {
            let p = h.person(Regime::HouseArrest, None, None).await?;
            h.stay(p, home, 3, 30, "").await?;
            // Wrapped: one report without a fix, then silence.
            h.report(p, None, "").await?;
            h.advance(6 * 60);
            h.tick().await?;
            h.stay(p, home, 2, 30, "").await?;
            ("foil_wrapping", vec![seen(K::Shielding, &[p], Restored)])
        }
        "gnss_loss" => {
            let p = h.person(Regime::HouseArrest, None, None).await?;
            h.stay(p, home, 2, 30, "").await?;
            for _ in 0..9 {
                h.report(p, None, "").await?;
                h.advance(30);
            }
            h.stay(p, home, 2, 30, "").await?;
            ("gnss_loss", vec![seen(K::GnssLost, &[p], Restored)])
        }
        "battery_drain" => {
            let p = h.person(Regime::HouseArrest, None, None).await?;
            // 15 %/h from 30 %: every 4 minutes one point less, down to 2 %.
            for pct in (2..=30).rev() {
                h.report(p, Some(home), &format!("batt={pct}&charge=false")).await?;
                h.advance(4 * 60);
            }
            h.advance(3 * 60);
            h.tick().await?;
            ("battery_drain", vec![seen(K::BatteryCritical, &[p], Active), seen(K::DeviceOff, &[p], Active)])
        }
        "coverage_loss_with_backlog" => {
            let p = h.person(Regime::HouseArrest, None, None).await?;
            h.zone(Some(p), None, ZoneKind::Inclusion, circle(home, 100.0), None, None).await?;
            h.stay(p, home, 3, 30, "").await?;
            let lost_at = h.now();
            h.advance(6 * 60);
            h.tick().await?;
            // Back after an hour with its stored points: a 10-minute trip out in the middle.
            h.advance(54 * 60);
            let points: Vec<(DateTime<Utc>, LatLon)> = (1..=118)
                .map(|i| {
                    let t = lost_at + Duration::seconds(i * 30);
                    (t, if (40..60).contains(&i) { far } else { home })
                })
                .collect();
            h.replay(p, &points).await?;
            h.advance(15);
            h.tick().await?;
            h.stay(p, home, 2, 30, "").await?;
            (
                "coverage_loss_with_backlog",
                vec![seen(K::SignalLost, &[p], Restored), seen(K::LateData, &[p], Active)],
            )
        }
        "two_people_meeting" => {
            let a = h.person(Regime::SemiOpen, None, None).await?;
            let b = h.person(Regime::SemiOpen, None, None).await?;
            let bar = home.moved(120.0, 2_000.0);
            for i in 0..14 {
                h.report(a, Some(bar), "").await?;
                h.report(b, Some(bar.moved(90.0, 20.0)), "").await?;
                h.advance(30);
                let _ = i;
            }
            h.report(a, Some(bar.moved(0.0, 900.0)), "").await?;
            h.report(b, Some(bar.moved(180.0, 900.0)), "").await?;
            ("two_people_meeting", vec![seen(K::Encounter, &[a, b], Restored)])
        }
        "common_place" => {
            let a = h.person(Regime::SemiOpen, None, None).await?;
            let b = h.person(Regime::SemiOpen, None, None).await?;
            let square = home.moved(200.0, 3_000.0);
            // A spends 20 minutes at the square and goes home; then B spends 20 minutes there.
            for _ in 0..40 {
                h.report(a, Some(square), "").await?;
                h.report(b, Some(home.moved(0.0, 400.0)), "").await?;
                h.advance(30);
            }
            for _ in 0..40 {
                h.report(a, Some(home), "").await?;
                h.report(b, Some(square.moved(0.0, 30.0)), "").await?;
                h.advance(30);
            }
            h.report(a, Some(home), "").await?;
            h.report(b, Some(home.moved(0.0, 400.0)), "").await?;
            ("common_place", vec![seen(K::CommonPlace, &[a, b], Restored)])
        }
        "aggressor_approaching_victim" => {
            let aggressor = h.person(Regime::ProtectiveMeasure, None, None).await?;
            let victim = h.person(Regime::Victim, None, Some(aggressor)).await?;
            let victim_home = home.moved(300.0, 4_000.0);
            for d in [3_000.0, 2_000.0, 1_000.0, 600.0, 300.0, 250.0, 550.0, 900.0, 1_500.0] {
                h.report(victim, Some(victim_home), "").await?;
                h.report(aggressor, Some(victim_home.moved(90.0, d)), "").await?;
                h.advance(30);
            }
            (
                "aggressor_approaching_victim",
                vec![seen(K::AggressorNearVictim, &[aggressor, victim], Restored)],
            )
        }
        "work_release_group_rules" => {
            // III-2.25: two people of a work-release group work side by side all day (their
            // group's rules exempt them from encounters and common places with each other) and
            // the group reports communication loss after 2 minutes instead of the site's 5.
            // Someone of no group joining them is an encounter for each pair.
            h.rules("frente-de-trabalho", vec![K::Encounter, K::CommonPlace], Some(120)).await?;
            let a = h.person(Regime::SemiOpen, Some("frente-de-trabalho"), None).await?;
            let b = h.person(Regime::SemiOpen, Some("frente-de-trabalho"), None).await?;
            let c = h.person(Regime::SemiOpen, None, None).await?;
            let site = home.moved(60.0, 2_500.0);
            let c_home = home.moved(240.0, 3_000.0);
            for _ in 0..14 {
                h.report(a, Some(site), "").await?;
                h.report(b, Some(site.moved(90.0, 25.0)), "").await?;
                h.report(c, Some(c_home), "").await?;
                h.advance(30);
            }
            for _ in 0..14 {
                h.report(a, Some(site), "").await?;
                h.report(b, Some(site.moved(90.0, 25.0)), "").await?;
                h.report(c, Some(site.moved(180.0, 20.0)), "").await?;
                h.advance(30);
            }
            for _ in 0..3 {
                h.report(a, Some(site), "").await?;
                h.report(b, Some(site.moved(90.0, 25.0)), "").await?;
                h.report(c, Some(c_home), "").await?;
                h.advance(30);
            }
            // a's bracelet goes quiet for 3 minutes while b and c keep reporting.
            for _ in 0..6 {
                h.report(b, Some(site.moved(90.0, 25.0)), "").await?;
                h.report(c, Some(c_home), "").await?;
                h.advance(30);
                h.tick().await?;
            }
            h.stay(a, site, 2, 30, "").await?;
            (
                "work_release_group_rules",
                vec![
                    seen(K::Encounter, &[a, c], Restored),
                    seen(K::Encounter, &[b, c], Restored),
                    seen(K::SignalLost, &[a], Restored),
                ],
            )
        }
        other => return Err(ScenarioError::Traffic(format!("unknown scenario {other}"))),
    };
    h.report_against(name, expected).await
}
