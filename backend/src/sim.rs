//! The device and fleet simulator: ankle bracelets in Porto Velho and ambulances in Belo Horizonte
//! and Porto Velho, reporting over the real OsmAnd HTTP protocol, so every path a real device uses
//! is exercised. Movement is a pure function of the seed and the time steps: the same seed gives
//! the same tracks.

use atalaia_core::geom::LatLon;
use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

const KMH_PER_KNOT: f64 = 1.852;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct City {
    pub name: &'static str,
    pub center: LatLon,
    /// Radius of the urban area used for targets, metres.
    pub radius_m: f64,
}

pub const PORTO_VELHO: City =
    City { name: "Porto Velho", center: LatLon { lat: -8.7612, lon: -63.9004 }, radius_m: 7_000.0 };
pub const BELO_HORIZONTE: City =
    City { name: "Belo Horizonte", center: LatLon { lat: -19.9191, lon: -43.9386 }, radius_m: 9_000.0 };

/// How a simulated wearer moves (seed 003 8b movement models).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// House arrest: stays home, GPS jitter, an occasional short excursion.
    HomeBound,
    /// Semi-open regime: home ↔ work on a schedule-like cycle.
    Commuter,
    /// Free-moving on foot around home.
    Free,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Bracelet(Behaviour),
    Ambulance,
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub imei: String,
    pub kind: UnitKind,
    pub city: City,
    pub home: LatLon,
    /// Work place for commuters; base for ambulances.
    pub anchor: LatLon,
    pos: LatLon,
    target: LatLon,
    speed_mps: f64,
    course: f64,
    dwell_s: f64,
    battery: f64,
    siren: bool,
    rng: ChaCha8Rng,
}

/// What one unit reports at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub imei: String,
    pub at: LatLon,
    pub speed_kmh: f64,
    pub course: f64,
    pub accuracy_m: f64,
    pub battery: f64,
    pub ambulance: Option<(bool, bool)>,
}

pub fn bracelet_imei(i: usize) -> String {
    format!("8640000{:08}", i + 1)
}

pub fn ambulance_imei(i: usize) -> String {
    format!("3520000{:08}", i + 1)
}

/// Ambulances alternate between Belo Horizonte and Porto Velho, three in four in BH.
pub fn ambulance_city(i: usize) -> City {
    if i % 4 == 3 { PORTO_VELHO } else { BELO_HORIZONTE }
}

fn random_point(rng: &mut ChaCha8Rng, center: LatLon, radius_m: f64) -> LatLon {
    // sqrt keeps the density uniform over the disc.
    let r = radius_m * rng.random_range(0.0f64..1.0).sqrt();
    center.moved(rng.random_range(0.0..360.0), r)
}

impl Unit {
    fn new(imei: String, kind: UnitKind, city: City, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let home = random_point(&mut rng, city.center, city.radius_m * 0.8);
        let anchor = match kind {
            UnitKind::Bracelet(Behaviour::Commuter) => {
                home.moved(rng.random_range(0.0..360.0), rng.random_range(1_500.0..4_000.0))
            }
            _ => random_point(&mut rng, city.center, city.radius_m * 0.5),
        };
        let pos = if kind == UnitKind::Ambulance { anchor } else { home };
        Self {
            imei,
            kind,
            city,
            home,
            anchor,
            pos,
            target: pos,
            speed_mps: 0.0,
            course: 0.0,
            dwell_s: rng.random_range(0.0..60.0),
            battery: rng.random_range(55.0..100.0),
            siren: false,
            rng,
        }
    }

    pub fn position(&self) -> LatLon {
        self.pos
    }

    fn pick_target(&mut self) {
        let (target, speed, dwell) = match self.kind {
            UnitKind::Ambulance => {
                // Alternate between a call somewhere in the city and the way back to base.
                let going_out = self.pos.distance_m(&self.anchor) < 50.0;
                self.siren = going_out && self.rng.random_bool(0.7);
                let t = if going_out {
                    random_point(&mut self.rng, self.city.center, self.city.radius_m)
                } else {
                    self.anchor
                };
                (t, self.rng.random_range(9.0..17.0), self.rng.random_range(20.0..180.0))
            }
            UnitKind::Bracelet(Behaviour::HomeBound) => {
                // Mostly at home; now and then a short walk out and back.
                let t = if self.pos.distance_m(&self.home) < 30.0 && self.rng.random_bool(0.15) {
                    self.home.moved(self.rng.random_range(0.0..360.0), self.rng.random_range(80.0..400.0))
                } else {
                    self.home
                };
                (t, self.rng.random_range(0.8..1.5), self.rng.random_range(120.0..900.0))
            }
            UnitKind::Bracelet(Behaviour::Commuter) => {
                let t = if self.pos.distance_m(&self.home) < 50.0 { self.anchor } else { self.home };
                (t, self.rng.random_range(5.0..11.0), self.rng.random_range(120.0..600.0))
            }
            UnitKind::Bracelet(Behaviour::Free) => {
                let t =
                    self.home.moved(self.rng.random_range(0.0..360.0), self.rng.random_range(100.0..2_500.0));
                (t, self.rng.random_range(1.0..1.8), self.rng.random_range(30.0..300.0))
            }
        };
        self.target = target;
        self.speed_mps = speed;
        self.dwell_s = dwell;
    }

    /// Advance the unit by `dt` seconds and say what its device reports.
    pub fn step(&mut self, dt: f64) -> Report {
        let remaining = self.pos.distance_m(&self.target);
        let mut moving = 0.0;
        if remaining < 5.0 {
            self.pos = self.target;
            self.dwell_s -= dt;
            if self.dwell_s <= 0.0 {
                self.pick_target();
            }
        } else {
            self.course = self.pos.bearing_to(&self.target);
            // Urban speed varies with traffic.
            let v = self.speed_mps * self.rng.random_range(0.6..1.2);
            let d = (v * dt).min(remaining);
            self.pos = self.pos.moved(self.course, d);
            moving = d / dt.max(1e-6);
        }
        self.battery = (self.battery - dt * 0.0005).max(5.0);
        // GPS noise of a few metres, as seed 003 8b asks.
        let accuracy = self.rng.random_range(3.0..10.0);
        let reported =
            self.pos.moved(self.rng.random_range(0.0..360.0), self.rng.random_range(0.0..accuracy));
        Report {
            imei: self.imei.clone(),
            at: reported,
            speed_kmh: moving * 3.6,
            course: self.course,
            accuracy_m: accuracy,
            battery: self.battery,
            ambulance: (self.kind == UnitKind::Ambulance)
                .then_some((moving > 0.5 || self.siren, self.siren && moving > 0.5)),
        }
    }
}

impl Report {
    /// The OsmAnd query string (Traccar Client form; speed in knots).
    pub fn osmand_query(&self, at: DateTime<Utc>) -> String {
        let mut q = format!(
            "id={}&lat={:.6}&lon={:.6}&timestamp={}&speed={:.2}&bearing={:.1}&accuracy={:.1}&batt={:.1}",
            self.imei,
            self.at.lat,
            self.at.lon,
            at.timestamp(),
            self.speed_kmh / KMH_PER_KNOT,
            self.course,
            self.accuracy_m,
            self.battery
        );
        if let Some((ignition, siren)) = self.ambulance {
            q.push_str(&format!("&ignition={ignition}&siren={siren}&lightbar={siren}"));
        }
        q
    }
}

/// The behaviour of bracelet `i`: half house arrest, a quarter commuters, a quarter free.
pub fn bracelet_behaviour(i: usize) -> Behaviour {
    match i % 4 {
        0 | 1 => Behaviour::HomeBound,
        2 => Behaviour::Commuter,
        _ => Behaviour::Free,
    }
}

/// The whole simulated fleet for a seed; the demo seed registers exactly these units.
pub fn fleet(seed: u64, bracelets: usize, ambulances: usize) -> Vec<Unit> {
    let mut units = Vec::with_capacity(bracelets + ambulances);
    for i in 0..bracelets {
        let kind = UnitKind::Bracelet(bracelet_behaviour(i));
        units.push(Unit::new(
            bracelet_imei(i),
            kind,
            PORTO_VELHO,
            seed.wrapping_mul(1_000_003).wrapping_add(i as u64),
        ));
    }
    for i in 0..ambulances {
        let s = seed.wrapping_mul(2_000_003).wrapping_add(10_000 + i as u64);
        units.push(Unit::new(ambulance_imei(i), UnitKind::Ambulance, ambulance_city(i), s));
    }
    units
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    pub bracelets: usize,
    pub ambulances: usize,
    /// Wall-clock time between reports.
    pub interval: Duration,
    /// Simulated seconds per report (speeds the demo up when larger than `interval`).
    pub step_s: f64,
    /// OsmAnd ingest root, e.g. `http://127.0.0.1:5055`.
    pub osmand_url: String,
    /// Stop after this many rounds (None: run until the task is dropped).
    pub rounds: Option<u64>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 7,
            bracelets: 40,
            ambulances: 16,
            interval: Duration::from_secs(2),
            step_s: 6.0,
            osmand_url: "http://127.0.0.1:5055".into(),
            rounds: None,
        }
    }
}

/// Counters of one simulator run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SimStats {
    pub sent: u64,
    pub accepted: u64,
    pub refused: u64,
    pub failed: u64,
}

/// Drive the fleet over HTTP until `rounds` is reached (or forever).
pub async fn run(cfg: SimConfig) -> SimStats {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "simulator cannot build an HTTP client");
            return SimStats::default();
        }
    };
    let mut units = fleet(cfg.seed, cfg.bracelets, cfg.ambulances);
    let mut stats = SimStats::default();
    let mut ticker = tokio::time::interval(cfg.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut round = 0u64;
    loop {
        ticker.tick().await;
        let now = Utc::now();
        let sends = units.iter_mut().map(|u| {
            let url = format!("{}/?{}", cfg.osmand_url, u.step(cfg.step_s).osmand_query(now));
            let client = client.clone();
            async move { client.get(url).send().await.map(|r| r.status()) }
        });
        for result in futures_util::future::join_all(sends).await {
            stats.sent += 1;
            match result {
                Ok(s) if s.is_success() => stats.accepted += 1,
                Ok(s) => {
                    stats.refused += 1;
                    tracing::debug!(status = %s, "simulated report refused");
                }
                Err(e) => {
                    stats.failed += 1;
                    tracing::debug!(error = %e, "simulated report failed");
                }
            }
        }
        round += 1;
        if cfg.rounds.is_some_and(|n| round >= n) {
            return stats;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(seed: u64) -> Vec<LatLon> {
        let mut units = fleet(seed, 8, 4);
        let mut out = Vec::new();
        for _ in 0..200 {
            for u in &mut units {
                out.push(u.step(6.0).at);
            }
        }
        out
    }

    #[test]
    fn same_seed_same_tracks_other_seed_other_tracks() {
        assert_eq!(walk(7), walk(7));
        assert_ne!(walk(7), walk(8));
    }

    #[test]
    fn units_stay_in_their_city_and_ambulances_move() {
        let mut units = fleet(3, 8, 8);
        let starts: Vec<LatLon> = units.iter().map(Unit::position).collect();
        for _ in 0..300 {
            for u in &mut units {
                let r = u.step(6.0);
                assert!(
                    r.at.distance_m(&u.city.center) < u.city.radius_m * 1.6,
                    "{} left {}",
                    u.imei,
                    u.city.name
                );
                assert!(r.speed_kmh < 80.0);
            }
        }
        let moved = units
            .iter()
            .zip(&starts)
            .filter(|(u, s)| u.kind == UnitKind::Ambulance && u.position().distance_m(s) > 100.0)
            .count();
        assert!(moved >= 4, "ambulances should be out on calls, {moved} moved");
    }

    #[test]
    fn identifiers_are_distinct_and_the_query_is_osmand() {
        let units = fleet(1, 50, 20);
        let mut ids: Vec<&str> = units.iter().map(|u| u.imei.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 70);
        let mut amb = fleet(1, 0, 1).remove(0);
        let q = amb.step(6.0).osmand_query(Utc::now());
        assert!(q.starts_with(&format!("id={}&lat=", ambulance_imei(0))));
        assert!(q.contains("&siren="));
    }
}
