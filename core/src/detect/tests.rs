//! Table-style tests of every detector: each builds a small world, feeds samples in fix-time
//! order and ticks, and checks exactly which alarms were raised and restored.

use super::*;
use crate::geom::Shape;
use crate::ids::ZoneId;
use crate::monitoring::ZoneKind;
use crate::schedule::{WeeklySchedule, Window};
use chrono::TimeZone;

const HOME: LatLon = LatLon { lat: -8.7612, lon: -63.9004 };

fn t(min: i64, sec: i64) -> DateTime<Utc> {
    // Monday 2026-11-23 12:00 local (UTC−4).
    Utc.with_ymd_and_hms(2026, 11, 23, 16, 0, 0).unwrap() + Duration::minutes(min) + Duration::seconds(sec)
}

struct World {
    e: Engine,
    out: Vec<Output>,
}

impl World {
    fn new() -> Self {
        Self { e: Engine::new(EngineConfig::default()), out: Vec::new() }
    }

    fn person(
        &mut self,
        regime: Regime,
        group: Option<&str>,
        linked: Option<PersonId>,
    ) -> (PersonId, DeviceId) {
        let (p, d) = (PersonId::new(), DeviceId::new());
        self.e.set_person(PersonInfo {
            id: p,
            groups: group.map(str::to_owned).into_iter().collect(),
            regime,
            linked_person: linked,
        });
        self.e.set_device(DeviceInfo {
            id: d,
            kind: DeviceKind::AnkleBracelet,
            person_id: Some(p),
            report_interval_s: None,
        });
        (p, d)
    }

    fn zone(
        &mut self,
        kind: ZoneKind,
        shape: Shape,
        person: Option<PersonId>,
        group: Option<&str>,
    ) -> ZoneId {
        self.zone_with(kind, shape, person, group, None, None)
    }

    fn zone_with(
        &mut self,
        kind: ZoneKind,
        shape: Shape,
        person: Option<PersonId>,
        group: Option<&str>,
        schedule: Option<WeeklySchedule>,
        warning_m: Option<f64>,
    ) -> ZoneId {
        let z = Zone {
            id: ZoneId::new(),
            name: "z".into(),
            kind,
            shape,
            person_id: person,
            group: group.map(str::to_owned),
            active: true,
            schedule,
            warning_m,
            created_at: t(0, 0),
            lifted: None,
        };
        self.e.set_zone(&z);
        z.id
    }

    fn at(&mut self, d: DeviceId, when: DateTime<Utc>, at: Option<LatLon>) {
        self.feed(Sample {
            device_id: d,
            fix_time: when,
            recv_time: when,
            at,
            accuracy_m: Some(5.0),
            battery_pct: None,
            charging: None,
            heartbeat: false,
            signals: vec![],
        });
    }

    /// A report with battery state and device signals, received when it was taken.
    fn full(&mut self, d: DeviceId, when: DateTime<Utc>, battery: Option<(f64, bool)>, signals: Vec<Signal>) {
        self.feed(Sample {
            device_id: d,
            fix_time: when,
            recv_time: when,
            at: Some(HOME),
            accuracy_m: None,
            battery_pct: battery.map(|b| b.0),
            charging: battery.map(|b| b.1),
            heartbeat: false,
            signals,
        });
    }

    fn feed(&mut self, s: Sample) {
        self.e.sample(&s, &mut self.out);
    }

    fn tick(&mut self, now: DateTime<Utc>) {
        self.e.tick(now, &mut self.out);
    }

    /// (kind, raised?) in order, draining the outputs.
    fn drain(&mut self) -> Vec<(AlarmKind, bool)> {
        self.out
            .drain(..)
            .map(|o| match o {
                Output::Raise { key, .. } => (key.kind, true),
                Output::Restore { key, .. } => (key.kind, false),
                Output::Late { .. } => (AlarmKind::LateData, true),
            })
            .collect()
    }
}

fn circle(center: LatLon, r: f64) -> Shape {
    Shape::Circle { center, radius_m: r }
}

#[test]
fn leaving_home_raises_after_the_dwell_and_returning_restores() {
    // 27.18.6.1 / 27.18.6.2
    let mut w = World::new();
    let (p, d) = w.person(Regime::HouseArrest, None, None);
    w.zone(ZoneKind::Inclusion, circle(HOME, 100.0), Some(p), None);
    w.at(d, t(0, 0), Some(HOME));
    w.at(d, t(0, 30), Some(HOME.moved(90.0, 300.0)));
    assert_eq!(w.drain(), vec![], "one fix outside is not yet a violation");
    w.at(d, t(1, 0), Some(HOME.moved(90.0, 320.0)));
    assert_eq!(w.drain(), vec![(AlarmKind::InclusionZoneExit, true)]);
    w.at(d, t(1, 30), Some(HOME.moved(90.0, 20.0)));
    w.at(d, t(2, 0), Some(HOME));
    assert_eq!(w.drain(), vec![(AlarmKind::InclusionZoneExit, false)]);
}

#[test]
fn jitter_at_the_boundary_never_flaps() {
    let mut w = World::new();
    let (p, d) = w.person(Regime::HouseArrest, None, None);
    w.zone(ZoneKind::Inclusion, circle(HOME, 100.0), Some(p), None);
    w.at(d, t(0, 0), Some(HOME));
    // An hour of fixes wandering ±8 m around the boundary with 5 m accuracy (margin 10 m),
    // plus isolated 40 m spikes outside that never last the dwell time.
    for i in 0..120 {
        let r = 100.0 + if i % 2 == 0 { 8.0 } else { -8.0 };
        let r = if i % 17 == 0 { 140.0 } else { r };
        w.at(d, t(1, i * 30), Some(HOME.moved(f64::from(i as i32) * 3.0, r)));
    }
    assert_eq!(w.drain(), vec![]);
}

#[test]
fn poor_accuracy_widens_the_margin() {
    let mut w = World::new();
    let (p, d) = w.person(Regime::HouseArrest, None, None);
    w.zone(ZoneKind::Inclusion, circle(HOME, 100.0), Some(p), None);
    w.at(d, t(0, 0), Some(HOME));
    for i in 1..5 {
        w.feed(Sample {
            device_id: d,
            fix_time: t(i, 0),
            recv_time: t(i, 0),
            at: Some(HOME.moved(0.0, 250.0)),
            accuracy_m: Some(400.0),
            battery_pct: None,
            charging: None,
            heartbeat: false,
            signals: vec![],
        });
    }
    assert_eq!(w.drain(), vec![], "a fix 150 m out with 400 m accuracy proves nothing");
}

#[test]
fn exclusion_zone_with_warning_buffer() {
    // III-2.10: the buffer warns before the entry; leaving restores both (27.18.6.4).
    let mut w = World::new();
    let (_, d) = w.person(Regime::ProtectiveMeasure, Some("art217"), None);
    let school = HOME.moved(0.0, 2_000.0);
    w.zone_with(ZoneKind::Exclusion, circle(school, 100.0), None, Some("art217"), None, Some(200.0));
    let walk = [1_000.0, 250.0, 240.0, 50.0, 40.0, 250.0, 260.0, 600.0, 650.0];
    for (i, dist) in walk.iter().enumerate() {
        w.at(d, t(0, i as i64 * 30), Some(school.moved(180.0, *dist)));
    }
    assert_eq!(
        w.drain(),
        vec![
            (AlarmKind::WarningZoneEntry, true),
            (AlarmKind::ExclusionZoneEntry, true),
            (AlarmKind::ExclusionZoneEntry, false),
            (AlarmKind::WarningZoneEntry, false),
        ]
    );
}

#[test]
fn outside_home_when_the_curfew_starts() {
    let mut w = World::new();
    let (p, d) = w.person(Regime::SemiOpen, None, None);
    // 20:00–06:00 local every day; t(0,0) is 12:00 local, so t(480,0) is 20:00.
    let nights = WeeklySchedule {
        windows: vec![Window { days: vec![1, 2, 3, 4, 5, 6, 7], start: "20:00".into(), end: "06:00".into() }],
        timezone: None,
    };
    w.zone_with(ZoneKind::Inclusion, circle(HOME, 100.0), Some(p), None, Some(nights), None);
    let work = HOME.moved(45.0, 3_000.0);
    w.tick(t(0, 0));
    // At work in the afternoon: no violation, the zone is not in force.
    w.at(d, t(470, 0), Some(work));
    w.at(d, t(475, 0), Some(work));
    w.tick(t(479, 59));
    assert_eq!(w.drain(), vec![]);
    // 20:00 arrives with the person still at work.
    w.tick(t(480, 0));
    assert_eq!(w.drain(), vec![(AlarmKind::ScheduleStartOutside, true)]);
    // Arrives home at 20:40: restored; leaving again at 23:00 is a plain exit.
    w.at(d, t(520, 0), Some(HOME));
    w.at(d, t(520, 30), Some(HOME));
    assert_eq!(w.drain(), vec![(AlarmKind::ScheduleStartOutside, false)]);
    w.at(d, t(660, 0), Some(work));
    w.at(d, t(660, 30), Some(work));
    assert_eq!(w.drain(), vec![(AlarmKind::InclusionZoneExit, true)]);
    // 06:00: the curfew ends and with it the violation.
    w.at(d, t(1079, 45), Some(work));
    w.tick(t(1080, 0));
    assert_eq!(w.drain(), vec![(AlarmKind::InclusionZoneExit, false)]);
}

#[test]
fn continuous_zone_exit() {
    let mut w = World::new();
    let (_, d) = w.person(Regime::Open, Some("comarca-pvh"), None);
    w.zone(ZoneKind::Continuous, circle(HOME, 20_000.0), None, Some("comarca-pvh"));
    w.at(d, t(0, 0), Some(HOME));
    w.at(d, t(10, 0), Some(HOME.moved(270.0, 25_000.0)));
    w.at(d, t(10, 30), Some(HOME.moved(270.0, 25_100.0)));
    assert_eq!(w.drain(), vec![(AlarmKind::ContinuousZoneExit, true)]);
}

#[test]
fn device_reported_states_raise_and_restore() {
    let mut w = World::new();
    let (_, d) = w.person(Regime::HouseArrest, None, None);
    let problems =
        vec![Signal::StrapOpen(true), Signal::BodyMissing(true), Signal::Tamper(true), Signal::Jamming(true)];
    w.full(d, t(0, 0), None, problems.clone());
    // Repeated reports of the same state do not raise again.
    w.full(d, t(0, 30), None, problems);
    w.full(d, t(1, 0), None, vec![Signal::StrapOpen(false), Signal::WrongInstallation(true)]);
    assert_eq!(
        w.drain(),
        vec![
            (AlarmKind::StrapCut, true),
            (AlarmKind::BodyNotDetected, true),
            (AlarmKind::Tamper, true),
            (AlarmKind::Jamming, true),
            (AlarmKind::StrapCut, false),
            (AlarmKind::WrongInstallation, true),
        ]
    );
}

#[test]
fn gnss_loss_after_the_grace_time() {
    let mut w = World::new();
    let (_, d) = w.person(Regime::HouseArrest, None, None);
    w.at(d, t(0, 0), Some(HOME));
    for i in 1..=4 {
        w.at(d, t(i, 0), None);
    }
    w.at(d, t(5, 0), Some(HOME));
    // Lost at 1:00, still lost at 4:00 (grace 3 min), back at 5:00.
    assert_eq!(w.drain(), vec![(AlarmKind::GnssLost, true), (AlarmKind::GnssLost, false)]);
}

#[test]
fn battery_warning_comes_at_least_an_hour_before_empty() {
    // 27.18.6.7: 10 %/h discharge from 40 %: empty at 4 h; the warning must come by 3 h.
    let mut w = World::new();
    let (_, d) = w.person(Regime::HouseArrest, None, None);
    let mut raised_at = None;
    for minute in (0..240).step_by(5) {
        let pct = 40.0 - f64::from(minute as i32) / 6.0;
        w.full(d, t(minute, 0), Some((pct, false)), vec![]);
        if raised_at.is_none() && w.drain().contains(&(AlarmKind::BatteryCritical, true)) {
            raised_at = Some(minute);
        }
    }
    let raised_at = raised_at.expect("warned");
    assert!(raised_at <= 180, "warned at minute {raised_at}, less than an hour before empty (240)");
    assert!(raised_at >= 140, "not absurdly early: minute {raised_at}");
    // Charging ends it.
    w.full(d, t(241, 0), Some((1.0, true)), vec![]);
    assert_eq!(w.drain(), vec![(AlarmKind::BatteryCritical, false)]);
}

#[test]
fn communication_loss_is_named_by_how_the_device_went_quiet() {
    let mut w = World::new();
    // Plain coverage loss.
    let (_, plain) = w.person(Regime::HouseArrest, None, None);
    // Foil: GNSS lost just before the silence.
    let (_, foil) = w.person(Regime::HouseArrest, None, None);
    // Battery ran out.
    let (_, flat) = w.person(Regime::HouseArrest, None, None);
    w.at(plain, t(0, 0), Some(HOME));
    w.at(foil, t(0, 0), Some(HOME));
    w.at(foil, t(0, 30), None);
    w.full(flat, t(0, 0), Some((2.0, false)), vec![]);
    w.drain();
    w.tick(t(5, 0));
    assert_eq!(w.drain(), vec![], "threshold is 5 min");
    w.tick(t(5, 31));
    let mut got = w.drain();
    got.sort_by_key(|(k, _)| format!("{k:?}"));
    assert_eq!(
        got,
        vec![
            (AlarmKind::BatteryCritical, true),
            (AlarmKind::DeviceOff, true),
            (AlarmKind::Shielding, true),
            (AlarmKind::SignalLost, true)
        ]
        .into_iter()
        .filter(|(k, _)| *k != AlarmKind::BatteryCritical)
        .collect::<Vec<_>>()
    );
    w.tick(t(10, 0));
    assert_eq!(w.drain(), vec![], "raised once");
    w.at(plain, t(11, 0), Some(HOME));
    assert_eq!(w.drain(), vec![(AlarmKind::SignalLost, false)]);
}

#[test]
fn device_interval_sets_the_signal_threshold() {
    let mut w = World::new();
    let (p, d) = w.person(Regime::HouseArrest, None, None);
    w.e.set_device(DeviceInfo {
        id: d,
        kind: DeviceKind::AnkleBracelet,
        person_id: Some(p),
        report_interval_s: Some(15),
    });
    w.at(d, t(0, 0), Some(HOME));
    w.tick(t(0, 59));
    assert_eq!(w.drain(), vec![]);
    w.tick(t(1, 1));
    assert_eq!(w.drain(), vec![(AlarmKind::SignalLost, true)]);
}

#[test]
fn encounter_needs_distance_and_duration() {
    // 16.2.27: within 50 m for 5 min.
    let mut w = World::new();
    let (_, a) = w.person(Regime::SemiOpen, None, None);
    let (_, b) = w.person(Regime::SemiOpen, None, None);
    let (_, far) = w.person(Regime::SemiOpen, None, None);
    let bar = HOME.moved(10.0, 4_000.0);
    for i in 0..12 {
        w.at(a, t(0, i * 30), Some(bar));
        w.at(b, t(0, i * 30 + 1), Some(bar.moved(90.0, 30.0)));
        w.at(far, t(0, i * 30 + 2), Some(bar.moved(90.0, 400.0)));
    }
    assert_eq!(w.drain(), vec![(AlarmKind::Encounter, true)]);
    w.at(a, t(6, 30), Some(bar.moved(270.0, 500.0)));
    assert_eq!(w.drain(), vec![(AlarmKind::Encounter, false)]);
}

#[test]
fn aggressor_approaching_a_victim() {
    // 27.16.1: a moving exclusion zone of 500 m around the victim, ended only beyond 600 m.
    let mut w = World::new();
    let (aggressor, ad) = w.person(Regime::ProtectiveMeasure, None, None);
    let (_, vd) = w.person(Regime::Victim, None, Some(aggressor));
    let victim_home = HOME.moved(0.0, 8_000.0);
    let approach = [3_000.0, 1_000.0, 450.0, 550.0, 580.0, 700.0];
    for (i, dist) in approach.iter().enumerate() {
        let when = t(i as i64, 0);
        w.at(vd, when, Some(victim_home));
        w.at(ad, when + Duration::seconds(5), Some(victim_home.moved(200.0, *dist)));
    }
    assert_eq!(
        w.drain(),
        vec![(AlarmKind::AggressorNearVictim, true), (AlarmKind::AggressorNearVictim, false)]
    );
}

#[test]
fn common_place_frequented_by_two_people() {
    let mut w = World::new();
    let (_, a) = w.person(Regime::SemiOpen, None, None);
    let (_, b) = w.person(Regime::SemiOpen, None, None);
    let bar = HOME.moved(10.0, 4_000.0);
    // A spends 20 minutes there at noon; B 20 minutes the next day.
    for i in 0..=40 {
        w.at(a, t(0, i * 30), Some(bar));
    }
    w.at(a, t(30, 0), Some(HOME));
    for i in 0..=40 {
        w.at(b, t(1440, i * 30), Some(bar.moved(0.0, 20.0)));
    }
    w.at(b, t(1470, 0), Some(HOME));
    assert_eq!(w.drain(), vec![(AlarmKind::CommonPlace, true), (AlarmKind::CommonPlace, false)]);
}

#[test]
fn a_replayed_backlog_is_one_incident() {
    // 9.7 / 9.37: an hour of stored points arrives at once after a coverage loss.
    let mut w = World::new();
    let (p, d) = w.person(Regime::HouseArrest, None, None);
    w.zone(ZoneKind::Inclusion, circle(HOME, 100.0), Some(p), None);
    w.at(d, t(0, 0), Some(HOME));
    w.tick(t(6, 0));
    assert_eq!(w.drain(), vec![(AlarmKind::SignalLost, true)]);
    let arrival = t(65, 0);
    let mut backlog = Vec::new();
    for i in 1..118 {
        let when = t(0, i * 30);
        // Out between minute 10 and 20, back home, then out again from minute 50 on.
        let out = (20..40).contains(&i) || i >= 100;
        backlog.push((when, if out { HOME.moved(0.0, 800.0) } else { HOME }));
    }
    for (when, at) in backlog {
        w.feed(Sample {
            device_id: d,
            fix_time: when,
            recv_time: arrival,
            at: Some(at),
            accuracy_m: Some(5.0),
            battery_pct: None,
            charging: None,
            heartbeat: false,
            signals: vec![],
        });
    }
    // Contact is back at once; nothing stale is raised while the replay runs.
    assert_eq!(w.drain(), vec![(AlarmKind::SignalLost, false)]);
    w.tick(arrival + Duration::seconds(11));
    let out: Vec<Output> = w.out.drain(..).collect();
    assert_eq!(out.len(), 2, "{out:#?}");
    // Still outside at the end: raised now, dated when it began (minute 50).
    assert!(
        matches!(out[0], Output::Raise { key, since } if key.kind == AlarmKind::InclusionZoneExit && since == t(50, 0))
    );
    let Output::Late { summary, .. } = &out[1] else { panic!("late incident") };
    assert_eq!(summary.points, 117);
    assert_eq!(summary.episodes.len(), 1);
    assert_eq!((summary.episodes[0].from, summary.episodes[0].to), (t(10, 0), t(20, 0)));
}

#[test]
fn older_samples_than_already_evaluated_are_skipped() {
    let mut w = World::new();
    let (_, d) = w.person(Regime::HouseArrest, None, None);
    w.at(d, t(1, 0), Some(HOME));
    w.at(d, t(0, 30), Some(HOME));
    assert_eq!(w.e.out_of_order, 1);
}

#[test]
fn alarms_loaded_at_start_are_restored_not_raised_again() {
    let mut w = World::new();
    let (p, d) = w.person(Regime::HouseArrest, None, None);
    let z = w.zone(ZoneKind::Inclusion, circle(HOME, 100.0), Some(p), None);
    let key = AlarmKey {
        kind: AlarmKind::InclusionZoneExit,
        subject: Subject::Person(p),
        zone_id: Some(z),
        other: None,
    };
    w.e.assume_raised(key, t(0, 0));
    w.at(d, t(1, 0), Some(HOME.moved(0.0, 500.0)));
    w.at(d, t(1, 30), Some(HOME.moved(0.0, 500.0)));
    assert_eq!(w.drain(), vec![]);
    w.at(d, t(2, 0), Some(HOME));
    w.at(d, t(2, 30), Some(HOME));
    assert_eq!(w.drain(), vec![(AlarmKind::InclusionZoneExit, false)]);
}

#[test]
fn many_zones_cost_no_more_than_a_few() {
    // 16.2.6: ≥ 50 zones per person; the index keeps far zones out of the evaluation.
    let mut w = World::new();
    let (p, _) = w.person(Regime::ProtectiveMeasure, Some("g"), None);
    for i in 0..2_000 {
        w.zone(
            ZoneKind::Exclusion,
            circle(HOME.moved(f64::from(i) * 0.18, 5_000.0 + f64::from(i)), 50.0),
            None,
            Some("g"),
        );
    }
    for i in 0..50 {
        w.zone(ZoneKind::Exclusion, circle(HOME.moved(f64::from(i) * 7.2, 20_000.0), 80.0), Some(p), None);
    }
    assert_eq!(w.e.zones().len(), 2_050);
    assert!(w.e.zones().candidates(p, &["g".to_owned()], &HOME, 10.0).is_empty());
}

#[test]
fn a_place_visited_longer_ago_than_the_period_is_not_common() {
    let mut w = World::new();
    let (_, a) = w.person(Regime::SemiOpen, None, None);
    let (_, b) = w.person(Regime::SemiOpen, None, None);
    let bar = HOME.moved(10.0, 4_000.0);
    for i in 0..=40 {
        w.at(a, t(0, i * 30), Some(bar));
    }
    w.at(a, t(30, 0), Some(HOME));
    // Eight days later (the period is seven), with the hourly clean-up in between.
    w.tick(t(8 * 1440, 0));
    for i in 0..=40 {
        w.at(b, t(8 * 1440, i * 30), Some(bar));
    }
    let got: Vec<_> = w.drain().into_iter().filter(|(k, _)| *k == AlarmKind::CommonPlace).collect();
    assert_eq!(got, vec![]);
}

fn rules(
    group: &str,
    disabled: Vec<AlarmKind>,
    signal_timeout_s: Option<u32>,
    zone_dwell_s: Option<u32>,
) -> GroupRules {
    GroupRules { group: group.into(), disabled, signal_timeout_s, zone_dwell_s, updated_at: t(0, 0) }
}

#[test]
fn group_rules_exempt_a_group_from_encounters_among_its_own_people() {
    // III-2.25: a work-release group whose people work together.
    let mut w = World::new();
    w.e.set_rules(rules("obra", vec![AlarmKind::Encounter], None, None));
    let (_, a) = w.person(Regime::SemiOpen, Some("obra"), None);
    let (_, b) = w.person(Regime::SemiOpen, Some("obra"), None);
    let (_, c) = w.person(Regime::SemiOpen, Some("outro"), None);
    let site = HOME.moved(10.0, 4_000.0);
    let elsewhere = HOME.moved(200.0, 6_000.0);
    for i in 0..12 {
        w.at(a, t(0, i * 30), Some(site));
        w.at(b, t(0, i * 30 + 1), Some(site.moved(90.0, 30.0)));
        w.at(c, t(0, i * 30 + 2), Some(elsewhere));
    }
    assert_eq!(w.drain(), vec![], "co-workers of the same group meeting at work");
    // Someone of another group joins them: that pair is not exempt.
    for i in 12..24 {
        w.at(a, t(0, i * 30), Some(site));
        w.at(b, t(0, i * 30 + 1), Some(site.moved(90.0, 30.0)));
        w.at(c, t(0, i * 30 + 2), Some(site.moved(180.0, 20.0)));
    }
    assert_eq!(w.drain(), vec![(AlarmKind::Encounter, true), (AlarmKind::Encounter, true)]);
}

#[test]
fn switching_an_alarm_off_for_a_group_ends_the_open_ones() {
    let mut w = World::new();
    let (_, d) = w.person(Regime::SemiOpen, Some("g"), None);
    w.at(d, t(0, 0), Some(HOME));
    w.at(d, t(1, 0), None);
    w.at(d, t(4, 30), None);
    assert_eq!(w.drain(), vec![(AlarmKind::GnssLost, true)]);
    w.e.set_rules(rules("g", vec![AlarmKind::GnssLost], None, None));
    w.tick(t(4, 31));
    assert_eq!(w.drain(), vec![(AlarmKind::GnssLost, false)]);
    w.at(d, t(5, 0), None);
    w.at(d, t(9, 0), None);
    assert_eq!(w.drain(), vec![], "no GNSS alarm for this group any more");
}

#[test]
fn group_rules_set_the_signal_loss_and_boundary_thresholds() {
    let mut w = World::new();
    w.e.set_rules(rules("domiciliar", vec![], Some(120), Some(90)));
    let (p, d) = w.person(Regime::HouseArrest, Some("domiciliar"), None);
    let (q, e) = w.person(Regime::HouseArrest, None, None);
    w.zone(ZoneKind::Inclusion, circle(HOME, 100.0), Some(p), None);
    w.zone(ZoneKind::Inclusion, circle(HOME, 100.0), Some(q), None);
    w.at(d, t(0, 0), Some(HOME));
    w.at(e, t(0, 0), Some(HOME));
    // Out for 60 s: past the default 30 s dwell, within the group's 90 s.
    w.at(d, t(0, 30), Some(HOME.moved(90.0, 300.0)));
    w.at(e, t(0, 30), Some(HOME.moved(90.0, 300.0)));
    w.at(d, t(1, 30), Some(HOME.moved(90.0, 300.0)));
    w.at(e, t(1, 30), Some(HOME.moved(90.0, 300.0)));
    assert_eq!(w.drain(), vec![(AlarmKind::InclusionZoneExit, true)], "only the person without rules");
    w.at(d, t(2, 1), Some(HOME.moved(90.0, 300.0)));
    assert_eq!(w.drain(), vec![(AlarmKind::InclusionZoneExit, true)]);
    // Silence: the group's 2 minutes, not the default 5.
    w.tick(t(4, 0));
    assert_eq!(w.drain(), vec![]);
    w.tick(t(4, 2));
    assert_eq!(w.drain(), vec![(AlarmKind::SignalLost, true)]);
}

#[test]
fn iii_2_24_a_person_is_held_to_the_rules_of_the_sentence_group_and_the_region_the_strictest_threshold_winning()
 {
    let mut w = World::new();
    w.e.set_rules(rules("domiciliar", vec![], Some(600), None));
    w.e.set_rules(rules("Zona Leste", vec![AlarmKind::GnssLost], Some(120), None));
    let (p, d) = w.person(Regime::HouseArrest, Some("domiciliar"), None);
    w.e.set_person(PersonInfo {
        id: p,
        groups: vec!["domiciliar".into(), "Zona Leste".into()],
        regime: Regime::HouseArrest,
        linked_person: None,
    });
    w.at(d, t(0, 0), Some(HOME));
    // No fix while reporting: the region switched GNSS loss off for its people.
    w.at(d, t(0, 30), None);
    w.at(d, t(3, 0), None);
    assert_eq!(w.drain(), vec![]);
    // Silence: the region's 2 minutes, stricter than the sentence group's 10.
    w.tick(t(5, 2));
    assert_eq!(w.drain(), vec![(AlarmKind::SignalLost, true)]);
}

#[test]
fn integrity_alarms_cannot_be_switched_off_per_group() {
    let ok = crate::wire::NewGroupRules { disabled: vec![AlarmKind::Encounter], ..Default::default() };
    assert!(ok.validate("obra").is_empty());
    let bad = crate::wire::NewGroupRules {
        disabled: vec![AlarmKind::StrapCut],
        signal_timeout_s: Some(10),
        zone_dwell_s: Some(601),
    };
    let errors = bad.validate(" ");
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["group", "disabled", "signal_timeout_s", "zone_dwell_s"]);
    assert!(
        errors[1].message.contains("\"Rompimento da cinta\" não pode ser desativado"),
        "{}",
        errors[1].message
    );
    assert!(errors[1].message.contains("Encontro entre monitorados"), "lists what may be switched off");
}

#[test]
fn stored_rules_never_switch_off_an_integrity_alarm() {
    // Whatever reached the store (an older version's list, a hand edit), a strap cut stays an alarm.
    let mut w = World::new();
    w.e.set_rules(rules("g", vec![AlarmKind::StrapCut, AlarmKind::SignalLost], None, None));
    let (_, d) = w.person(Regime::HouseArrest, Some("g"), None);
    w.full(d, t(0, 0), None, vec![Signal::StrapOpen(true)]);
    w.tick(t(6, 0));
    assert_eq!(w.drain(), vec![(AlarmKind::StrapCut, true), (AlarmKind::SignalLost, true)]);
}

#[test]
fn a_group_signal_threshold_is_never_shorter_than_three_device_intervals() {
    let mut w = World::new();
    w.e.set_rules(rules("g", vec![], Some(60), None));
    let (p, d) = w.person(Regime::HouseArrest, Some("g"), None);
    w.e.set_device(DeviceInfo {
        id: d,
        kind: DeviceKind::AnkleBracelet,
        person_id: Some(p),
        report_interval_s: Some(180),
    });
    w.at(d, t(0, 0), Some(HOME));
    w.tick(t(8, 59));
    assert_eq!(w.drain(), vec![], "a device reporting every 3 minutes is not lost after 1");
    w.tick(t(9, 1));
    assert_eq!(w.drain(), vec![(AlarmKind::SignalLost, true)]);
}

/// A keep-alive has no device time: a fix taken a few seconds before it still counts (it is not
/// "out of order"), and a heartbeat arriving in the middle of a replay does not cut the replay
/// into two incidents. Its states are current, and raise at once.
#[test]
fn a_heartbeat_neither_reorders_fixes_nor_ends_a_replay() {
    let mut w = World::new();
    let (_, d) = w.person(Regime::HouseArrest, None, None);
    let heartbeat = |when: DateTime<Utc>, signals: Vec<Signal>| Sample {
        device_id: d,
        fix_time: when,
        recv_time: when,
        at: None,
        accuracy_m: None,
        battery_pct: Some(80.0),
        charging: Some(false),
        heartbeat: true,
        signals,
    };
    let replayed = |i: i64| Sample {
        device_id: d,
        fix_time: t(0, i),
        recv_time: t(30, 0) + Duration::milliseconds(i),
        at: Some(HOME),
        accuracy_m: Some(5.0),
        battery_pct: None,
        charging: None,
        heartbeat: false,
        signals: vec![],
    };
    for i in 0..10 {
        w.feed(replayed(i));
        if i == 4 {
            w.feed(heartbeat(t(30, 0), vec![Signal::StrapOpen(true)]));
        }
    }
    assert_eq!(w.drain(), vec![(AlarmKind::StrapCut, true)], "the heartbeat's state is live");
    w.tick(t(30, 30));
    assert_eq!(w.drain(), vec![(AlarmKind::LateData, true)], "one incident for the whole replay");
    // A fix stamped a few seconds before the last heartbeat is still evaluated.
    w.feed(heartbeat(t(31, 0), vec![]));
    let before = w.e.out_of_order;
    w.at(d, t(30, 55), Some(HOME));
    assert_eq!(w.e.out_of_order, before);
}
