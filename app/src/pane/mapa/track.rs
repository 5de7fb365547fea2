//! Track playback (issue 7 item 6; seed 003 16.2.26, seed 004 RFS122): the fixes of a person or
//! a vehicle over a chosen period, played back on the map — a time slider, play/pause, speed,
//! following the subject — with the subject's alarms marked where they happened.

use atalaia_core::geom::LatLon;
use atalaia_core::monitoring::Position;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// Playback speeds offered: seconds of track per second of playback.
pub const SPEEDS: [u32; 4] = [10, 60, 300, 1800];

/// Whose track.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Person(atalaia_core::ids::PersonId),
    Device(atalaia_core::ids::DeviceId),
}

/// Something that happened along a track (an alarm raised), at its time and place.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub at: DateTime<Utc>,
    pub place: LatLon,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Playback {
    pub subject: Subject,
    pub title: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Fixes in time order.
    pub fixes: Arc<Vec<Position>>,
    pub points: Arc<Vec<LatLon>>,
    pub marks: Vec<Mark>,
    /// The playback clock.
    pub now: DateTime<Utc>,
    pub playing: bool,
    pub speed: u32,
    pub follow: bool,
    /// Still waiting for the server; or why it could not answer.
    pub loading: bool,
    pub error: Option<String>,
}

impl Playback {
    pub fn new(subject: Subject, title: String, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Self {
            subject,
            title,
            from,
            to,
            fixes: Arc::default(),
            points: Arc::default(),
            marks: Vec::new(),
            now: from,
            playing: false,
            speed: SPEEDS[1],
            follow: true,
            loading: true,
            error: None,
        }
    }

    /// The fixes arrived: sorted, and the clock set to the first one.
    pub fn loaded(&mut self, mut fixes: Vec<Position>) {
        fixes.sort_by_key(|p| p.fix_time);
        self.points = Arc::new(fixes.iter().map(|p| p.at).collect());
        if let Some(first) = fixes.first() {
            self.now = first.fix_time;
        }
        self.fixes = Arc::new(fixes);
        self.loading = false;
        self.error = None;
    }

    /// Places `marks` (alarm time + label) on the track: each at the subject's position then.
    pub fn mark(&mut self, marks: impl IntoIterator<Item = (DateTime<Utc>, String)>) {
        self.marks = marks
            .into_iter()
            .filter(|(t, _)| *t >= self.from && *t <= self.to)
            .filter_map(|(t, label)| Some(Mark { at: t, place: self.position_at(t)?, label }))
            .collect();
        self.marks.sort_by_key(|m| m.at);
    }

    /// First and last fix times (the slider's range), or the period asked for when empty.
    pub fn span(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        match (self.fixes.first(), self.fixes.last()) {
            (Some(a), Some(b)) => (a.fix_time, b.fix_time),
            _ => (self.from, self.to),
        }
    }

    /// How many fixes are at or before `t`.
    pub fn played(&self, t: DateTime<Utc>) -> usize {
        self.fixes.partition_point(|p| p.fix_time <= t)
    }

    /// Where the subject was at `t`: between two fixes, on the straight line between them in
    /// proportion to the time; before the first or after the last, there.
    pub fn position_at(&self, t: DateTime<Utc>) -> Option<LatLon> {
        let i = self.played(t);
        let (first, last) = (self.fixes.first()?, self.fixes.last()?);
        if i == 0 {
            return Some(first.at);
        }
        if i >= self.fixes.len() {
            return Some(last.at);
        }
        let (a, b) = (&self.fixes[i - 1], &self.fixes[i]);
        let total = (b.fix_time - a.fix_time).num_milliseconds() as f64;
        let k = if total > 0.0 { (t - a.fix_time).num_milliseconds() as f64 / total } else { 0.0 };
        Some(LatLon { lat: a.at.lat + (b.at.lat - a.at.lat) * k, lon: a.at.lon + (b.at.lon - a.at.lon) * k })
    }

    /// The fix shown with the clock (the last one reached).
    pub fn current(&self) -> Option<&Position> {
        self.fixes.get(self.played(self.now).checked_sub(1)?)
    }

    /// Advances the clock by `elapsed` of real time at the chosen speed; stops at the end.
    pub fn advance(&mut self, elapsed: std::time::Duration) {
        if !self.playing {
            return;
        }
        let step = Duration::milliseconds((elapsed.as_millis() as i64).saturating_mul(i64::from(self.speed)));
        let (_, end) = self.span();
        self.now = (self.now + step).min(end);
        if self.now >= end {
            self.playing = false;
        }
    }

    /// Slider position, 0–1000.
    pub fn progress(&self) -> f32 {
        let (a, b) = self.span();
        let total = (b - a).num_seconds().max(1) as f32;
        ((self.now - a).num_seconds() as f32 / total * 1000.0).clamp(0.0, 1000.0)
    }

    pub fn seek(&mut self, progress: f32) {
        let (a, b) = self.span();
        let total = (b - a).num_seconds() as f32;
        self.now = a + Duration::seconds((total * progress.clamp(0.0, 1000.0) / 1000.0).round() as i64);
    }

    /// Play; from the start again when at the end.
    pub fn toggle(&mut self) {
        if !self.playing && self.now >= self.span().1 {
            self.now = self.span().0;
        }
        self.playing = !self.playing && !self.fixes.is_empty();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atalaia_core::ids::{DeviceId, PositionId};
    use chrono::TimeZone;

    fn fix(minute: i64, lat: f64, lon: f64) -> Position {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap() + Duration::minutes(minute);
        Position {
            id: PositionId::new(),
            device_id: DeviceId::new(),
            person_id: None,
            vehicle_id: None,
            fix_time: t,
            recv_time: t,
            at: LatLon { lat, lon },
            speed_kmh: None,
            course_deg: None,
            accuracy_m: None,
            altitude_m: None,
            battery_pct: None,
            charging: None,
        }
    }

    #[test]
    fn playback_interpolates_between_fixes_and_stops_at_the_end() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        let mut p = Playback::new(Subject::Device(DeviceId::new()), "X".into(), t0, t0 + Duration::hours(1));
        p.loaded(vec![fix(10, -8.76, -63.90), fix(0, -8.70, -63.80), fix(20, -8.80, -63.90)]);
        assert_eq!(p.now, t0, "clock at the first fix");
        let near = |a: Option<LatLon>, b: LatLon| {
            a.is_some_and(|a| (a.lat - b.lat).abs() < 1e-9 && (a.lon - b.lon).abs() < 1e-9)
        };
        assert!(near(p.position_at(t0 + Duration::minutes(5)), LatLon { lat: -8.73, lon: -63.85 }));
        assert_eq!(p.current().map(|f| f.at), Some(LatLon { lat: -8.70, lon: -63.80 }));
        p.mark([
            (t0 + Duration::minutes(15), "Violação".to_owned()),
            (t0 - Duration::hours(2), "antes".to_owned()),
        ]);
        assert_eq!(p.marks.len(), 1, "only marks in the period");
        assert!(near(Some(p.marks[0].place), LatLon { lat: -8.78, lon: -63.90 }));
        p.toggle();
        p.speed = 60;
        p.advance(std::time::Duration::from_secs(10)); // 10 s × 60 = 10 min
        assert_eq!(p.now, t0 + Duration::minutes(10));
        assert_eq!(p.played(p.now), 2);
        assert!((p.progress() - 500.0).abs() < 0.1);
        p.advance(std::time::Duration::from_secs(3600));
        assert_eq!(p.now, t0 + Duration::minutes(20));
        assert!(!p.playing, "stops at the end");
        p.toggle();
        assert_eq!(p.now, t0, "playing again starts over");
        p.seek(250.0);
        assert_eq!(p.now, t0 + Duration::minutes(5));
    }
}
