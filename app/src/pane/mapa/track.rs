//! Track playback (issue 7 item 6; seed 003 16.2.26, seed 004 RFS122): the fixes of a person or
//! a vehicle over a chosen period, played back on the map — a time slider, play/pause, speed,
//! following the subject — with the subject's alarms marked where they happened.

use super::Picked;
use super::pois::Poi;
use super::popup::picked_title;
use super::viewport::bounds_of;
use atalaia_client::LiveModel;
use atalaia_core::alarm::Subject as AlarmSubject;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::PersonId;
use atalaia_core::investigate::PersonTrack;
use atalaia_core::monitoring::Position;
use chrono::{DateTime, Duration, Utc};
use iced::{Color, Subscription, color};
use std::sync::Arc;
use std::time::Instant;

/// Playback speeds offered: seconds of track per second of playback.
pub const SPEEDS: [u32; 4] = [10, 60, 300, 1800];

/// Whose track.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Person(atalaia_core::ids::PersonId),
    Device(atalaia_core::ids::DeviceId),
    /// Every member of a monitoring group (16.2.26).
    Group(String),
}

/// One member's track when a whole group is played back.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub person: atalaia_core::ids::PersonId,
    pub name: String,
    pub times: Vec<DateTime<Utc>>,
    pub points: Arc<Vec<LatLon>>,
}

impl Member {
    pub fn played(&self, t: DateTime<Utc>) -> usize {
        self.times.partition_point(|x| *x <= t)
    }

    /// Where the member was at `t` (interpolated), if the track has any point.
    pub fn position_at(&self, t: DateTime<Utc>) -> Option<LatLon> {
        interpolate(&self.times, &self.points, t)
    }
}

/// Position at `t` along points at `times` (sorted): straight lines between fixes in proportion
/// to the time; the first or last point outside the span.
fn interpolate(times: &[DateTime<Utc>], points: &[LatLon], t: DateTime<Utc>) -> Option<LatLon> {
    let i = times.partition_point(|x| *x <= t);
    let (first, last) = (points.first()?, points.last()?);
    if i == 0 {
        return Some(*first);
    }
    if i >= times.len() {
        return Some(*last);
    }
    let (ta, tb) = (times[i - 1], times[i]);
    let (a, b) = (points[i - 1], points[i]);
    let total = (tb - ta).num_milliseconds() as f64;
    let k = if total > 0.0 { (t - ta).num_milliseconds() as f64 / total } else { 0.0 };
    Some(LatLon { lat: a.lat + (b.lat - a.lat) * k, lon: a.lon + (b.lon - a.lon) * k })
}

/// Something that happened along a track (an alarm raised), at its time and place.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub at: DateTime<Utc>,
    pub place: LatLon,
    pub label: String,
}

/// The longest period one playback asks for.
pub const MAX_DAYS: i64 = 31;

/// A period typed as `dd/mm/aaaa hh:mm` in the site's time zone; an empty end is now.
pub fn parse_period(
    from: &str,
    to: &str,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    use chrono::TimeZone;
    let parse = |s: &str, what: &str| -> Result<DateTime<Utc>, String> {
        let naive = chrono::NaiveDateTime::parse_from_str(s.trim(), "%d/%m/%Y %H:%M")
            .map_err(|_| format!("{what}: use dd/mm/aaaa hh:mm (por exemplo 22/11/2026 08:30)."))?;
        tz.from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| format!("{what}: horário inexistente neste fuso."))
    };
    let start = parse(from, "Início")?;
    let end = if to.trim().is_empty() { now } else { parse(to, "Fim")? };
    if start >= end {
        return Err("O início do período deve ser antes do fim.".into());
    }
    if end - start > Duration::days(MAX_DAYS) {
        return Err(format!("O período pode ter no máximo {MAX_DAYS} dias."));
    }
    Ok((start, end.min(now)))
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
    /// A group's members (the fixes above stay empty then).
    pub members: Vec<Member>,
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
            members: Vec::new(),
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

    /// A group's tracks arrived: one line per member, the clock at the first point of any.
    pub fn loaded_group(&mut self, tracks: Vec<atalaia_core::investigate::PersonTrack>) {
        self.members = tracks
            .into_iter()
            .filter(|t| !t.points.is_empty())
            .map(|t| {
                let mut pts = t.points;
                pts.sort_by_key(|p| p.t);
                Member {
                    person: t.person_id,
                    name: t.name,
                    times: pts.iter().map(|p| p.t).collect(),
                    points: Arc::new(pts.iter().map(|p| LatLon { lat: p.lat, lon: p.lon }).collect()),
                }
            })
            .collect();
        self.now = self.span().0;
        self.loading = false;
        self.error = None;
    }

    /// Nothing to play.
    pub fn is_empty(&self) -> bool {
        self.fixes.is_empty() && self.members.is_empty()
    }

    /// Every point of the playback (for fitting the view).
    pub fn all_points(&self) -> Vec<LatLon> {
        let mut out: Vec<LatLon> = self.points.iter().copied().collect();
        for m in &self.members {
            out.extend(m.points.iter().copied());
        }
        out
    }

    /// Places group members' alarms (person, time, label) on their lines.
    pub fn mark_members(
        &mut self,
        marks: impl IntoIterator<Item = (atalaia_core::ids::PersonId, DateTime<Utc>, String)>,
    ) {
        self.marks = marks
            .into_iter()
            .filter(|(_, t, _)| *t >= self.from && *t <= self.to)
            .filter_map(|(p, t, label)| {
                let m = self.members.iter().find(|m| m.person == p)?;
                Some(Mark { at: t, place: m.position_at(t)?, label: format!("{} · {label}", m.name) })
            })
            .collect();
        self.marks.sort_by_key(|m| m.at);
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
        let firsts = self
            .fixes
            .first()
            .map(|f| f.fix_time)
            .into_iter()
            .chain(self.members.iter().filter_map(|m| m.times.first().copied()));
        let lasts = self
            .fixes
            .last()
            .map(|f| f.fix_time)
            .into_iter()
            .chain(self.members.iter().filter_map(|m| m.times.last().copied()));
        match (firsts.min(), lasts.max()) {
            (Some(a), Some(b)) => (a, b),
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
        let times: Vec<DateTime<Utc>> = self.fixes.iter().map(|f| f.fix_time).collect();
        interpolate(&times, &self.points, t)
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
        self.playing = !self.playing && !self.is_empty();
    }
}

/// Line colours of a group's members in playback.
pub(super) const MEMBER_COLOURS: [Color; 6] = [
    color!(0x8e4ec6),
    color!(0x0d74ce),
    color!(0xc2298a),
    color!(0x218358),
    color!(0xcc4e00),
    color!(0x5151cd),
];

/// The map's track playback: the track shown, if any, and the period typed for the next one.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(super) playback: Option<Playback>,
    /// When playback last advanced.
    last_frame: Option<Instant>,
    /// The period typed for a track (start, end) and what is wrong with it.
    pub(super) period: (String, String),
    pub(super) period_error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    /// The picked subject's track over the last hours.
    Hours(i64),
    /// The picked person's group, every member's track over the last hours.
    GroupHours(i64),
    /// The period typed for a track: start, end (dd/mm/aaaa hh:mm).
    PeriodFrom(String),
    PeriodTo(String),
    /// The picked subject's track (true: its group's) over the period typed.
    Period(bool),
    /// Fixes for the track of this subject from this time.
    Loaded(Subject, DateTime<Utc>, Result<Vec<Position>, String>),
    /// A group's tracks from this time.
    GroupLoaded(Subject, DateTime<Utc>, Result<Vec<PersonTrack>, String>),
    /// A person's track over a period, asked for from elsewhere (the reports).
    Show(Subject, String, DateTime<Utc>, DateTime<Utc>),
    PlayPause,
    Speed(u32),
    Seek(f32),
    Follow,
    Close,
    Frame(Instant),
}

/// What the map does for its track playback.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// What the playback shows changed: the map is drawn again.
    Changed,
    /// The playback clock moved, or following was switched: drawn again, and the view follows
    /// the subject.
    Played,
    /// The subject's fixes (or its group's tracks) over the period are to be asked for: the
    /// playback waits for them (drawn again).
    Load(Subject, DateTime<Utc>, DateTime<Utc>),
    /// A track arrived: the view is fitted to its points, if it has any, and drawn again.
    Loaded(Option<(LatLon, LatLon)>),
}

/// What came back for a track.
enum Answer {
    Fixes(Vec<Position>),
    Group(Vec<PersonTrack>),
}

impl State {
    /// `picked`: what is selected on the map (whose track is asked for); `now` and `tz`: the
    /// dashboard's clock and the user's time zone (the period typed, the hours before now).
    pub fn update(
        &mut self,
        message: Message,
        model: &LiveModel,
        picked: Option<Picked>,
        pois: &[Poi],
        now: DateTime<Utc>,
        tz: chrono_tz::Tz,
    ) -> Option<Event> {
        match message {
            Message::Hours(hours) => {
                let (to, from) = (now, now - Duration::hours(hours));
                self.start(model, picked, pois, false, from, to)
            }
            Message::GroupHours(hours) => {
                let (to, from) = (now, now - Duration::hours(hours));
                self.start(model, picked, pois, true, from, to)
            }
            Message::PeriodFrom(s) => {
                self.period.0 = s;
                self.period_error = None;
                None
            }
            Message::PeriodTo(s) => {
                self.period.1 = s;
                self.period_error = None;
                None
            }
            Message::Period(group) => match parse_period(&self.period.0, &self.period.1, tz, now) {
                Ok((from, to)) => self.start(model, picked, pois, group, from, to),
                Err(why) => {
                    self.period_error = Some(why);
                    None
                }
            },
            Message::GroupLoaded(subject, from, result) => {
                self.answer(&subject, from, model, result.map(Answer::Group))
            }
            Message::Loaded(subject, from, result) => {
                self.answer(&subject, from, model, result.map(Answer::Fixes))
            }
            Message::Show(subject, title, from, to) => {
                // A playback holds at most a month: the period's last one.
                let from = from.max(to - Duration::days(MAX_DAYS));
                self.period_error = None;
                self.playback = Some(Playback::new(subject.clone(), title, from, to));
                Some(Event::Load(subject, from, to))
            }
            Message::PlayPause => {
                self.last_frame = None;
                self.with_playback(Playback::toggle)
            }
            Message::Speed(s) => self.with_playback(|t| t.speed = s),
            Message::Seek(v) => self.with_playback(|t| t.seek(v)).map(|_| Event::Played),
            Message::Follow => self.with_playback(|t| t.follow = !t.follow).map(|_| Event::Played),
            Message::Close => {
                self.playback = None;
                Some(Event::Changed)
            }
            Message::Frame(now) => {
                let last = self.last_frame.replace(now);
                let elapsed = last.map_or(std::time::Duration::ZERO, |l| now.saturating_duration_since(l));
                self.with_playback(|t| t.advance(elapsed.min(std::time::Duration::from_millis(500))))
                    .map(|_| Event::Played)
            }
        }
    }

    /// Drives playback while it plays.
    pub fn subscription(&self) -> Subscription<Message> {
        if self.playback.as_ref().is_some_and(|t| t.playing) {
            iced::time::every(std::time::Duration::from_millis(100)).map(Message::Frame)
        } else {
            Subscription::none()
        }
    }

    /// A manual pan stops the track from dragging the view back.
    pub(super) fn follow_off(&mut self) {
        if let Some(t) = &mut self.playback {
            t.follow = false;
        }
    }

    fn with_playback(&mut self, f: impl FnOnce(&mut Playback)) -> Option<Event> {
        let t = self.playback.as_mut()?;
        f(t);
        Some(Event::Changed)
    }

    /// Asks for the picked subject's track (or its group's) over the period.
    fn start(
        &mut self,
        model: &LiveModel,
        picked: Option<Picked>,
        pois: &[Poi],
        group: bool,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Option<Event> {
        let (subject, title) = match picked? {
            Picked::Person(d) if group => {
                let person = model.devices.get(&d)?.person_id.and_then(|p| model.persons.get(&p))?;
                let group = person.group.clone().or_else(|| person.region.clone())?;
                (Subject::Group(group.clone()), format!("grupo {group}"))
            }
            Picked::Person(d) => {
                let person = model.devices.get(&d).and_then(|d| d.person_id);
                let subject = person.map_or(Subject::Device(d), Subject::Person);
                (subject, picked_title(model, pois, Picked::Person(d)))
            }
            Picked::Vehicle(v) if !group => {
                let device = model.vehicles.get(&v)?.device_id?;
                (Subject::Device(device), picked_title(model, pois, Picked::Vehicle(v)))
            }
            _ => return None,
        };
        self.period_error = None;
        self.playback = Some(Playback::new(subject.clone(), title, from, to));
        Some(Event::Load(subject, from, to))
    }

    /// A track (or a group's) arrived: shown, its alarms marked, the view fitted to it. An answer
    /// to an earlier request (another subject or period) is dropped.
    fn answer(
        &mut self,
        subject: &Subject,
        from: DateTime<Utc>,
        model: &LiveModel,
        answer: Result<Answer, String>,
    ) -> Option<Event> {
        let t = self.playback.as_mut().filter(|t| t.subject == *subject && t.from == from)?;
        match answer {
            Ok(Answer::Fixes(fixes)) => {
                t.loaded(fixes);
                let person = match &t.subject {
                    Subject::Person(p) => Some(*p),
                    Subject::Device(d) => model.devices.get(d).and_then(|d| d.person_id),
                    Subject::Group(_) => None,
                };
                t.mark(track_marks(model, &t.subject, person));
            }
            Ok(Answer::Group(tracks)) => {
                t.loaded_group(tracks);
                let members: Vec<PersonId> = t.members.iter().map(|m| m.person).collect();
                t.mark_members(model.alarms.values().filter_map(|a| {
                    let person = match a.subject {
                        AlarmSubject::Person(p) => Some(p),
                        AlarmSubject::Device(d) => model.devices.get(&d).and_then(|d| d.person_id),
                        _ => None,
                    }?;
                    members
                        .contains(&person)
                        .then(|| (person, a.source_time, atalaia_core::text::alarm_kind(a.kind).to_owned()))
                }));
            }
            Err(why) => {
                t.loading = false;
                t.error = Some(why);
            }
        }
        Some(Event::Loaded(bounds_of(&t.all_points())))
    }
}

/// The subject's alarms, as marks for a track.
fn track_marks(
    model: &LiveModel,
    subject: &Subject,
    person: Option<PersonId>,
) -> Vec<(DateTime<Utc>, String)> {
    model
        .alarms
        .values()
        .filter(|a| match (a.subject, subject) {
            (AlarmSubject::Person(p), _) => Some(p) == person,
            (AlarmSubject::Device(d), Subject::Device(s)) => d == *s,
            (AlarmSubject::Device(d), Subject::Person(p)) => {
                model.devices.get(&d).and_then(|d| d.person_id) == Some(*p)
            }
            _ => false,
        })
        .map(|a| (a.source_time, atalaia_core::text::alarm_kind(a.kind).to_owned()))
        .collect()
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
    fn a_period_is_typed_in_the_site_time_and_checked() {
        let tz = chrono_tz::America::Porto_Velho; // UTC−4
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 18, 0, 0).unwrap();
        let (a, b) = parse_period("22/11/2026 08:30", "", tz, now).expect("valid");
        assert_eq!(a, Utc.with_ymd_and_hms(2026, 11, 22, 12, 30, 0).unwrap());
        assert_eq!(b, now, "an empty end is now");
        let (_, b) = parse_period("21/11/2026 08:30", "21/11/2026 20:00", tz, now).expect("valid");
        assert_eq!(b, Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap());
        assert!(
            parse_period("2026-11-22", "", tz, now)
                .expect_err("format")
                .starts_with("Início: use dd/mm/aaaa")
        );
        assert!(
            parse_period("22/11/2026 10:00", "22/11/2026 09:00", tz, now)
                .expect_err("order")
                .contains("antes do fim")
        );
        assert!(parse_period("01/09/2026 10:00", "", tz, now).expect_err("too long").contains("31 dias"));
    }

    #[test]
    fn a_group_plays_back_member_by_member() {
        use atalaia_core::investigate::{PersonTrack, TrackPoint};
        let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        let at = |m: i64, lat: f64| TrackPoint { t: t0 + Duration::minutes(m), lat, lon: -63.9 };
        let (a, b) = (atalaia_core::ids::PersonId::new(), atalaia_core::ids::PersonId::new());
        let mut p =
            Playback::new(Subject::Group("Regional I".into()), "grupo".into(), t0, t0 + Duration::hours(2));
        p.loaded_group(vec![
            PersonTrack { person_id: a, name: "A".into(), points: vec![at(10, -8.70), at(30, -8.72)] },
            PersonTrack { person_id: b, name: "B".into(), points: vec![at(20, -8.80), at(60, -8.84)] },
            PersonTrack { person_id: atalaia_core::ids::PersonId::new(), name: "C".into(), points: vec![] },
        ]);
        assert_eq!(p.members.len(), 2, "members without fixes are left out");
        assert_eq!(p.span(), (t0 + Duration::minutes(10), t0 + Duration::minutes(60)));
        assert_eq!(p.now, t0 + Duration::minutes(10));
        assert!(!p.is_empty());
        let mid = p.members[1].position_at(t0 + Duration::minutes(40)).expect("B");
        assert!((mid.lat + 8.82).abs() < 1e-9);
        p.mark_members([(b, t0 + Duration::minutes(40), "Violação".to_owned())]);
        assert_eq!(p.marks.len(), 1);
        assert_eq!(p.marks[0].label, "B · Violação");
        assert_eq!(p.all_points().len(), 4);
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
