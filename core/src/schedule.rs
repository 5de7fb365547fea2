//! Weekly schedules of zones (curfews, school hours), evaluated in the site's time zone. A window
//! whose end is not after its start runs past midnight into the next day ("20:00–06:00").

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// One recurring window: ISO weekdays (1 = Monday … 7 = Sunday) on which it *starts*, and local
/// start and end times as "HH:MM".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Window {
    #[schema(schema_with = weekdays)]
    pub days: Vec<u8>,
    pub start: String,
    pub end: String,
}

/// The document's schema of [`Window::days`]: one or more ISO weekdays.
fn weekdays() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).maximum(Some(7)))
        .min_items(Some(1))
        .description(Some("ISO weekdays, 1 = Monday … 7 = Sunday"))
        .build()
}

/// When a zone is in force. An empty list of windows would never be in force, so it is refused by
/// [`WeeklySchedule::validate`]; a zone without a schedule is always in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WeeklySchedule {
    pub windows: Vec<Window>,
    /// The time zone (IANA name, e.g. `America/Manaus`) the hours are read in: the zone's
    /// municipality's, for a central spanning zones; none: the site's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    #[error("schedule has no windows")]
    Empty,
    #[error("invalid time {0:?}; use HH:MM")]
    Time(String),
    #[error("invalid weekday {0}; use 1 (Monday) to 7 (Sunday)")]
    Day(u8),
    #[error("unknown time zone {0:?}")]
    TimeZone(String),
}

#[derive(Debug, Clone, Copy)]
struct Compiled {
    days: [bool; 7],
    start: NaiveTime,
    end: NaiveTime,
}

fn parse_time(s: &str) -> Result<NaiveTime, ScheduleError> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| ScheduleError::Time(s.to_owned()))
}

/// A validated schedule ready for evaluation.
#[derive(Debug, Clone)]
pub struct CompiledSchedule {
    windows: Vec<Compiled>,
    /// The schedule's own time zone, when it has one.
    tz: Option<Tz>,
}

impl WeeklySchedule {
    pub fn validate(&self) -> Result<(), ScheduleError> {
        self.compile().map(|_| ())
    }

    pub fn compile(&self) -> Result<CompiledSchedule, ScheduleError> {
        if self.windows.is_empty() {
            return Err(ScheduleError::Empty);
        }
        let mut windows = Vec::with_capacity(self.windows.len());
        for w in &self.windows {
            let mut days = [false; 7];
            if w.days.is_empty() {
                return Err(ScheduleError::Day(0));
            }
            for &d in &w.days {
                if !(1..=7).contains(&d) {
                    return Err(ScheduleError::Day(d));
                }
                days[usize::from(d - 1)] = true;
            }
            windows.push(Compiled { days, start: parse_time(&w.start)?, end: parse_time(&w.end)? });
        }
        let tz = match self.timezone.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(name) => Some(name.parse::<Tz>().map_err(|_| ScheduleError::TimeZone(name.to_owned()))?),
        };
        Ok(CompiledSchedule { windows, tz })
    }
}

impl CompiledSchedule {
    /// The start (UTC) of the window in force at `t`, or `None` when no window is. The start
    /// identifies the window: when it changes, a new period began (curfew start, III-2.10).
    /// `site` is the site's time zone, used unless the schedule names its own.
    pub fn window_start(&self, t: DateTime<Utc>, site: Tz) -> Option<DateTime<Utc>> {
        let tz = self.tz.unwrap_or(site);
        let local = t.with_timezone(&tz).naive_local();
        let mut best: Option<DateTime<Utc>> = None;
        for w in &self.windows {
            // A window that started yesterday may still be running after midnight.
            for back in 0..2 {
                let day = local.date() - Duration::days(back);
                if !w.days[day.weekday().number_from_monday() as usize - 1] {
                    continue;
                }
                let start = day.and_time(w.start);
                let end = if w.end > w.start {
                    day.and_time(w.end)
                } else {
                    (day + Duration::days(1)).and_time(w.end)
                };
                if start <= local && local < end {
                    let Some(start_utc) = tz.from_local_datetime(&start).earliest() else { continue };
                    let start_utc = start_utc.with_timezone(&Utc);
                    if best.is_none_or(|b| start_utc > b) {
                        best = Some(start_utc);
                    }
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        // Local Porto Velho time (UTC−4) for readability.
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
        chrono_tz::America::Porto_Velho.from_local_datetime(&naive).unwrap().with_timezone(&Utc)
    }

    fn curfew() -> CompiledSchedule {
        // Weeknights 20:00 to 06:00 (2026-11-23 is a Monday).
        WeeklySchedule {
            windows: vec![Window { days: vec![1, 2, 3, 4, 5], start: "20:00".into(), end: "06:00".into() }],
            timezone: None,
        }
        .compile()
        .expect("valid")
    }

    #[test]
    fn overnight_window_runs_past_midnight_in_site_time() {
        let tz = chrono_tz::America::Porto_Velho;
        let s = curfew();
        assert_eq!(s.window_start(at("2026-11-23 19:59"), tz), None);
        assert_eq!(s.window_start(at("2026-11-23 20:00"), tz), Some(at("2026-11-23 20:00")));
        assert_eq!(s.window_start(at("2026-11-24 05:59"), tz), Some(at("2026-11-23 20:00")));
        assert_eq!(s.window_start(at("2026-11-24 06:00"), tz), None);
        // Friday night runs into Saturday morning; Saturday night has no window.
        assert_eq!(s.window_start(at("2026-11-28 03:00"), tz), Some(at("2026-11-27 20:00")));
        assert_eq!(s.window_start(at("2026-11-28 21:00"), tz), None);
    }

    #[test]
    fn the_same_instant_differs_by_site_zone() {
        // 23:30 UTC is 19:30 in Porto Velho (outside) but 20:30 in São Paulo (inside).
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 23, 30, 0).unwrap();
        let s = curfew();
        assert_eq!(s.window_start(t, chrono_tz::America::Porto_Velho), None);
        assert!(s.window_start(t, chrono_tz::America::Sao_Paulo).is_some());
    }

    #[test]
    fn a_schedule_in_its_municipalitys_zone_holds_wherever_the_site_is() {
        // A central in Manaus (UTC−4) with a person in Eirunepé (UTC−5): the curfew is 20:00 there.
        let mut s = WeeklySchedule {
            windows: vec![Window {
                days: vec![1, 2, 3, 4, 5, 6, 7],
                start: "20:00".into(),
                end: "06:00".into(),
            }],
            timezone: Some("America/Eirunepe".into()),
        };
        let compiled = s.compile().expect("valid");
        // 00:30 UTC is 20:30 in Manaus but 19:30 in Eirunepé: not yet curfew.
        let t = Utc.with_ymd_and_hms(2026, 11, 24, 0, 30, 0).unwrap();
        assert_eq!(compiled.window_start(t, chrono_tz::America::Manaus), None);
        let later = Utc.with_ymd_and_hms(2026, 11, 24, 1, 0, 0).unwrap();
        assert_eq!(compiled.window_start(later, chrono_tz::America::Manaus), Some(later));
        s.timezone = None;
        assert!(
            s.compile().expect("valid").window_start(t, chrono_tz::America::Manaus).is_some(),
            "the site's"
        );
    }

    #[test]
    fn bad_schedules_are_refused() {
        let w = |days: Vec<u8>, start: &str| WeeklySchedule {
            windows: vec![Window { days, start: start.into(), end: "06:00".into() }],
            timezone: None,
        };
        assert_eq!(WeeklySchedule { windows: vec![], timezone: None }.validate(), Err(ScheduleError::Empty));
        let mut elsewhere = w(vec![1], "20:00");
        elsewhere.timezone = Some("America/Manaós".into());
        assert_eq!(elsewhere.validate(), Err(ScheduleError::TimeZone("America/Manaós".into())));
        assert_eq!(w(vec![8], "20:00").validate(), Err(ScheduleError::Day(8)));
        assert_eq!(w(vec![1], "25:00").validate(), Err(ScheduleError::Time("25:00".into())));
    }
}
