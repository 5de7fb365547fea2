//! Fleet rules: the vehicle status chain and the phase times it stamps (RFS015, RFS055), the
//! recommendation of the nearest free vehicles with an estimated time of arrival (RFS050,
//! RFS052, RFS119), and the two vehicle alerts of the fleet controller: a committed vehicle
//! standing still (RFS009) and a vehicle moving without a dispatch (RFS010).

use super::{PhaseTimes, Telemetry, Vehicle, VehicleKind, VehicleStatus};
use crate::geom::LatLon;
use crate::ids::VehicleId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether a vehicle may go from `from` to `to`. The chain follows a dispatch (committed → en
/// route → on scene → transporting → at destination → stretcher retained → returning → at
/// base); care may end on scene (no transport); a committed or en-route vehicle may be called
/// off (returning); a free vehicle may go to or come back from maintenance; and a vehicle that
/// is returning may be committed again at once (RFS062). Committing is done by a dispatch, not
/// by a status change.
pub fn transition_allowed(from: VehicleStatus, to: VehicleStatus) -> bool {
    use VehicleStatus::*;
    if from == to {
        return false;
    }
    matches!(
        (from, to),
        (Committed, EnRoute | Returning)
            | (EnRoute, OnScene | Returning)
            | (OnScene, Transporting | Returning)
            | (Transporting, AtDestination)
            | (AtDestination, StretcherRetained | Returning)
            | (StretcherRetained, Returning)
            | (Returning, AtBase | Available)
            | (AtBase, Available | Maintenance)
            | (Available, AtBase | Maintenance)
            | (Maintenance, AtBase | Available)
    )
}

/// Stamp the time a dispatch entered `status` (the first time only: a repeated report never
/// moves a recorded time).
pub fn stamp(times: &mut PhaseTimes, status: VehicleStatus, at: DateTime<Utc>) {
    let slot = match status {
        VehicleStatus::EnRoute => &mut times.en_route,
        VehicleStatus::OnScene => &mut times.on_scene,
        VehicleStatus::Transporting => &mut times.transporting,
        VehicleStatus::AtDestination => &mut times.at_destination,
        VehicleStatus::StretcherRetained => &mut times.stretcher_retained,
        VehicleStatus::Returning | VehicleStatus::Available => &mut times.released,
        VehicleStatus::AtBase => &mut times.at_base,
        VehicleStatus::Committed | VehicleStatus::Maintenance => return,
    };
    slot.get_or_insert(at);
}

/// A crew report that reached the server this many seconds after the tablet made it (a lost
/// signal) keeps the tablet's time beside the server's stamp.
pub const LATE_REPORT_S: i64 = 60;

/// How far a tablet's clock may run ahead of the server's, or its report precede the dispatch,
/// and its time still be believed.
pub const CLOCK_SKEW_S: i64 = 120;

/// What a phase of a crew report is about: receipt of the assignment, or a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    Receipt,
    Status(VehicleStatus),
}

/// Keeps the time the crew's tablet says it made a report (`observed`) when the report arrived
/// late (`received` more than [`LATE_REPORT_S`] after it) and the time is believable: not before
/// the dispatch nor after its arrival (within [`CLOCK_SKEW_S`]). The server's stamp stays the
/// authority (RFS015); this records when, by the crew, the phase really began. First time only.
pub fn note_reported(
    reported: &mut PhaseTimes,
    what: Reported,
    observed: DateTime<Utc>,
    received: DateTime<Utc>,
    committed_at: DateTime<Utc>,
) -> bool {
    let skew = chrono::Duration::seconds(CLOCK_SKEW_S);
    let late = received - observed > chrono::Duration::seconds(LATE_REPORT_S);
    if !late || observed < committed_at - skew || observed > received + skew {
        return false;
    }
    let observed = observed.max(committed_at);
    match what {
        Reported::Receipt => {
            let first = reported.acknowledged.is_none();
            reported.acknowledged.get_or_insert(observed);
            first
        }
        Reported::Status(status) => {
            let before = reported.clone();
            stamp(reported, status, observed);
            *reported != before
        }
    }
}

/// Straight-line distance is multiplied by this to approximate the road distance until a road
/// graph exists (urban circuity in Brazilian capitals is about 1.3–1.4).
pub const ROAD_FACTOR: f64 = 1.4;

/// Average speed on an emergency run, km/h, by vehicle type (urban traffic with siren).
pub fn run_speed_kmh(kind: VehicleKind) -> f64 {
    match kind {
        VehicleKind::Usb | VehicleKind::Usa => 40.0,
        VehicleKind::Vir => 50.0,
        VehicleKind::Motolancia => 45.0,
    }
}

/// A vehicle that could go, with how far and how long (RFS050).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Candidate {
    pub vehicle_id: VehicleId,
    pub code: String,
    pub kind: VehicleKind,
    pub status: VehicleStatus,
    pub position: LatLon,
    /// Straight-line distance, metres.
    pub distance_m: f64,
    /// Estimated road distance, metres ([`ROAD_FACTOR`]).
    pub road_m: f64,
    /// Estimated time of arrival, seconds.
    pub eta_s: i64,
    pub conveniado: bool,
}

/// The free vehicles (RFS119: available, at base or returning; never one on an occurrence,
/// holding a stretcher or in maintenance) of the required type (any, when `kind` is `None`)
/// with a known position, nearest first by estimated time of arrival.
pub fn recommend<'a>(
    vehicles: impl IntoIterator<Item = &'a Vehicle>,
    to: LatLon,
    kind: Option<VehicleKind>,
) -> Vec<Candidate> {
    nearest(vehicles, to, kind, |v| v.status.is_free())
}

/// Vehicles busy on another occurrence that could take this one as well once done (RFS062):
/// committed, on the way, on scene, transporting or at the destination — never one holding a
/// stretcher or in maintenance — of the required type, nearest first by the time from where they
/// are now (the current call's remaining work is the fleet controller's to judge).
pub fn recommend_busy<'a>(
    vehicles: impl IntoIterator<Item = &'a Vehicle>,
    to: LatLon,
    kind: Option<VehicleKind>,
) -> Vec<Candidate> {
    use VehicleStatus::*;
    nearest(vehicles, to, kind, |v| {
        matches!(v.status, Committed | EnRoute | OnScene | Transporting | AtDestination)
    })
}

fn nearest<'a>(
    vehicles: impl IntoIterator<Item = &'a Vehicle>,
    to: LatLon,
    kind: Option<VehicleKind>,
    keep: impl Fn(&Vehicle) -> bool,
) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = vehicles
        .into_iter()
        .filter(|v| keep(v) && kind.is_none_or(|k| v.kind == k))
        .filter_map(|v| {
            let position = v.telemetry.position?;
            let distance_m = position.distance_m(&to);
            let road_m = distance_m * ROAD_FACTOR;
            let eta_s = (road_m / (run_speed_kmh(v.kind) / 3.6)).round() as i64;
            Some(Candidate {
                vehicle_id: v.id,
                code: v.code.clone(),
                kind: v.kind,
                status: v.status,
                position,
                distance_m: distance_m.round(),
                road_m: road_m.round(),
                eta_s,
                conveniado: v.conveniado,
            })
        })
        .collect();
    out.sort_by(|a, b| a.eta_s.cmp(&b.eta_s).then_with(|| a.code.cmp(&b.code)));
    out
}

/// A vehicle that moves less than this from where it stood is standing still (GPS noise and
/// manoeuvres in a yard stay well within it).
pub const STILL_RADIUS_M: f64 = 50.0;

/// Follow where the vehicle stands: a fix further than [`STILL_RADIUS_M`] from the standing
/// point starts a new one at this fix's time.
pub fn note_fix(t: &mut Telemetry, at: LatLon, time: DateTime<Utc>) {
    match t.still_at {
        Some(p) if p.distance_m(&at) <= STILL_RADIUS_M => {}
        _ => {
            t.still_at = Some(at);
            t.still_since = Some(time);
        }
    }
}

/// Thresholds of the vehicle alerts (configurable per centre).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WatchRules {
    /// A committed or en-route vehicle standing still this long raises RFS009.
    pub stationary_after_s: i64,
    /// A vehicle without a dispatch moving at this speed or more raises RFS010.
    pub moving_kmh: f64,
    /// Fixes older than this say nothing about moving now.
    pub fresh_s: i64,
}

impl Default for WatchRules {
    fn default() -> Self {
        Self { stationary_after_s: 180, moving_kmh: 20.0, fresh_s: 120 }
    }
}

/// What the fleet controller must be told about a vehicle now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VehicleAlert {
    /// Committed or en route, but standing still (RFS009).
    Stationary,
    /// Moving with no dispatch (RFS010).
    MovingWithoutDispatch,
}

/// The alerts that hold for `v` at `now`. `status_since` is when the vehicle entered its status
/// on its active dispatch (committed or en route), `None` when it has no active dispatch.
pub fn alerts(
    v: &Vehicle,
    status_since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    rules: &WatchRules,
) -> Vec<VehicleAlert> {
    let mut out = Vec::new();
    let t = &v.telemetry;
    match status_since {
        Some(since) if matches!(v.status, VehicleStatus::Committed | VehicleStatus::EnRoute) => {
            // Standing still counts from the later of: when it stopped, when it got this status.
            let still = t.still_since.map(|s| s.max(since));
            if still.is_some_and(|s| (now - s).num_seconds() >= rules.stationary_after_s) {
                out.push(VehicleAlert::Stationary);
            }
        }
        None if matches!(v.status, VehicleStatus::Available | VehicleStatus::AtBase) => {
            let fresh = t.fix_time.is_some_and(|f| (now - f).num_seconds() <= rules.fresh_s);
            if fresh && t.speed_kmh >= rules.moving_kmh {
                out.push(VehicleAlert::MovingWithoutDispatch);
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfs015_a_report_that_arrived_late_keeps_the_crews_time_beside_the_servers() {
        use super::{Reported, note_reported};
        use crate::samu::{PhaseTimes, VehicleStatus};
        use chrono::{Duration, TimeZone, Utc};
        let t0 = Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).single().expect("time");
        let at = |s: i64| t0 + Duration::seconds(s);
        let mut r = PhaseTimes::default();
        // On time (within a minute): the server's stamp says it all.
        assert!(!note_reported(&mut r, Reported::Receipt, at(100), at(130), t0));
        // Ten minutes without signal: the crew's time is kept, once.
        assert!(note_reported(&mut r, Reported::Status(VehicleStatus::OnScene), at(600), at(1200), t0));
        assert!(!note_reported(&mut r, Reported::Status(VehicleStatus::OnScene), at(700), at(1300), t0));
        assert_eq!(r.on_scene, Some(at(600)));
        // A clock from before the dispatch or from the future is not believed.
        assert!(!note_reported(
            &mut r,
            Reported::Status(VehicleStatus::Transporting),
            at(-600),
            at(1400),
            t0
        ));
        assert!(!note_reported(&mut r, Reported::Receipt, at(5000), at(1400), t0));
        assert!(note_reported(&mut r, Reported::Receipt, at(-60), at(1400), t0));
        assert_eq!(r.acknowledged, Some(t0), "a little skew is brought to the dispatch's time");
    }

    use super::*;
    use crate::ids::VehicleId;
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).single().expect("time")
    }

    fn vehicle(code: &str, kind: VehicleKind, status: VehicleStatus, at: Option<LatLon>) -> Vehicle {
        Vehicle {
            id: VehicleId::new(),
            code: code.into(),
            kind,
            status,
            base: "Base Centro".into(),
            municipality: "Belo Horizonte".into(),
            conveniado: false,
            device_id: None,
            telemetry: Telemetry { position: at, fix_time: Some(t0()), ..Telemetry::default() },
            updated_at: t0(),
            crew: None,
        }
    }

    #[test]
    fn rfs062_busy_vehicles_of_the_type_nearest_first_never_one_holding_a_stretcher() {
        use VehicleStatus::*;
        let at = |km: f64| Some(LatLon { lat: -19.92 + km / 111.0, lon: -43.94 });
        let fleet = [
            vehicle("USA-01", VehicleKind::Usa, OnScene, at(3.0)),
            vehicle("USA-02", VehicleKind::Usa, EnRoute, at(1.0)),
            vehicle("USA-03", VehicleKind::Usa, Available, at(0.5)),
            vehicle("USA-04", VehicleKind::Usa, StretcherRetained, at(0.2)),
            vehicle("USA-05", VehicleKind::Usa, Maintenance, at(0.1)),
            vehicle("USB-01", VehicleKind::Usb, Transporting, at(0.3)),
            vehicle("USA-06", VehicleKind::Usa, AtDestination, None),
        ];
        let to = LatLon { lat: -19.92, lon: -43.94 };
        let codes = |c: Vec<Candidate>| c.into_iter().map(|c| c.code).collect::<Vec<_>>();
        assert_eq!(codes(recommend_busy(&fleet, to, Some(VehicleKind::Usa))), ["USA-02", "USA-01"]);
        assert_eq!(codes(recommend_busy(&fleet, to, None)), ["USB-01", "USA-02", "USA-01"]);
        assert_eq!(codes(recommend(&fleet, to, Some(VehicleKind::Usa))), ["USA-03"]);
    }

    #[test]
    fn status_chain_of_a_dispatch() {
        use VehicleStatus::*;
        // (from, to, allowed)
        let table = [
            (Committed, EnRoute, true),
            (EnRoute, OnScene, true),
            (OnScene, Transporting, true),
            (OnScene, Returning, true), // care ended on scene
            (Transporting, AtDestination, true),
            (AtDestination, StretcherRetained, true),
            (StretcherRetained, Returning, true),
            (Returning, AtBase, true),
            (AtBase, Available, true),
            (Committed, Returning, true), // called off
            (Committed, OnScene, false),  // skipping en route
            (EnRoute, AtDestination, false),
            (Transporting, Returning, false), // a patient on board is delivered first
            (StretcherRetained, Available, false), // the stretcher comes back first
            (OnScene, Maintenance, false),
            (Available, Committed, false), // committing is a dispatch, not a status
            (Available, Available, false),
            (Maintenance, Available, true),
        ];
        for (from, to, ok) in table {
            assert_eq!(transition_allowed(from, to), ok, "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn phase_times_are_stamped_once() {
        let mut times = PhaseTimes::default();
        let (a, b) = (t0(), t0() + Duration::minutes(4));
        stamp(&mut times, VehicleStatus::EnRoute, a);
        stamp(&mut times, VehicleStatus::EnRoute, b); // repeated report
        stamp(&mut times, VehicleStatus::OnScene, b);
        stamp(&mut times, VehicleStatus::Committed, b); // not a phase of its own
        assert_eq!(times.en_route, Some(a));
        assert_eq!(times.on_scene, Some(b));
        assert_eq!(times.transporting, None);
        stamp(&mut times, VehicleStatus::Returning, b);
        assert_eq!(times.released, Some(b));
    }

    #[test]
    fn nearest_free_vehicle_of_the_required_type_first_with_eta() {
        let scene = LatLon { lat: -19.9245, lon: -43.9352 }; // Praça Sete, Belo Horizonte
        let near = |km_north: f64| Some(scene.moved(0.0, km_north * 1_000.0));
        let vehicles = vec![
            vehicle("USB-01", VehicleKind::Usb, VehicleStatus::Available, near(1.0)),
            vehicle("USA-01", VehicleKind::Usa, VehicleStatus::Available, near(3.0)),
            vehicle("USA-02", VehicleKind::Usa, VehicleStatus::AtBase, near(2.0)),
            vehicle("USA-03", VehicleKind::Usa, VehicleStatus::OnScene, near(0.5)), // busy
            vehicle("USA-04", VehicleKind::Usa, VehicleStatus::StretcherRetained, near(0.2)),
            vehicle("USA-05", VehicleKind::Usa, VehicleStatus::Returning, near(5.0)),
            vehicle("USA-06", VehicleKind::Usa, VehicleStatus::Available, None), // no position
        ];
        let usa = recommend(&vehicles, scene, Some(VehicleKind::Usa));
        let codes: Vec<&str> = usa.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["USA-02", "USA-01", "USA-05"]);
        // 2 km × 1.4 at 40 km/h: 2.8 km in 252 s.
        assert!((usa[0].distance_m - 2000.0).abs() < 5.0, "{}", usa[0].distance_m);
        assert!((usa[0].eta_s - 252).abs() <= 1, "{}", usa[0].eta_s);
        let any = recommend(&vehicles, scene, None);
        assert_eq!(any[0].code, "USB-01");
        assert_eq!(any.len(), 4);
    }

    #[test]
    fn standing_still_follows_the_fixes() {
        let mut t = Telemetry::default();
        let base = LatLon { lat: -19.92, lon: -43.94 };
        note_fix(&mut t, base, t0());
        note_fix(&mut t, LatLon { lat: base.lat + 0.0003, lon: base.lon }, t0() + Duration::minutes(1)); // 33 m
        assert_eq!(t.still_since, Some(t0()));
        note_fix(&mut t, LatLon { lat: base.lat + 0.001, lon: base.lon }, t0() + Duration::minutes(2)); // 111 m
        assert_eq!(t.still_since, Some(t0() + Duration::minutes(2)));
    }

    #[test]
    fn vehicle_alerts_with_a_controlled_clock() {
        let rules = WatchRules::default(); // 180 s, 20 km/h, fixes fresh for 120 s
        let at = Some(LatLon { lat: -19.92, lon: -43.94 });
        let minutes = |m: i64| t0() + Duration::minutes(m);
        let with = |status, still_since: Option<i64>, speed: f64, fix: i64| {
            let mut v = vehicle("USA-01", VehicleKind::Usa, status, at);
            v.telemetry.still_since = still_since.map(minutes);
            v.telemetry.speed_kmh = speed;
            v.telemetry.fix_time = Some(minutes(fix));
            v
        };
        use VehicleAlert::*;
        use VehicleStatus::*;
        // (case, vehicle, status since (dispatch), now (min), expected)
        type Case = (&'static str, Vehicle, Option<i64>, i64, Vec<VehicleAlert>);
        let table: Vec<Case> = vec![
            ("committed, still at base for 2 min", with(Committed, Some(-60), 0.0, 2), Some(0), 2, vec![]),
            (
                "committed, still at base for 3 min",
                with(Committed, Some(-60), 0.0, 3),
                Some(0),
                3,
                vec![Stationary],
            ),
            ("en route, stopped 4 min ago", with(EnRoute, Some(6), 0.0, 10), Some(5), 10, vec![Stationary]),
            ("en route, stopped 2 min ago", with(EnRoute, Some(8), 0.0, 10), Some(5), 10, vec![]),
            ("on scene: standing still is the job", with(OnScene, Some(0), 0.0, 30), Some(5), 30, vec![]),
            (
                "available and moving, no dispatch",
                with(Available, None, 45.0, 10),
                None,
                10,
                vec![MovingWithoutDispatch],
            ),
            ("at base, manoeuvring slowly", with(AtBase, None, 8.0, 10), None, 10, vec![]),
            ("available, moving, but the fix is 5 min old", with(Available, None, 45.0, 5), None, 10, vec![]),
            ("returning (released) and moving", with(Returning, None, 60.0, 10), None, 10, vec![]),
            ("maintenance, driven to the workshop", with(Maintenance, None, 40.0, 10), None, 10, vec![]),
        ];
        for (case, v, since, now, expected) in table {
            assert_eq!(alerts(&v, since.map(minutes), minutes(now), &rules), expected, "{case}");
        }
    }
}
