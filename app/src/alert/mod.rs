//! How the console gets an operator's attention: a tone per severity that repeats until someone
//! takes the alarm and grows louder while nobody does, a flashing banner, and a desktop
//! notification when the console window is not the one in front.
//!
//! [`policy`] decides per alarm kind and severity; [`Alerting::assess`] turns the live alarm list
//! into what should sound and flash right now. The dashboard calls it every second and after every
//! live update, so a claimed alarm silences the tone within a second on every seat.

pub mod desktop;
pub mod sound;
pub mod tone;

use atalaia_core::alarm::{Alarm, AlarmKind, AlarmState, Severity};
use chrono::{DateTime, Utc};

pub use sound::Sound;

/// What an alarm of a given kind and severity does to get attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Tone to repeat while unattended (`None`: visual only).
    pub tone: Option<Severity>,
    /// Part of the flashing banner.
    pub banner: bool,
    /// A desktop notification when the console is in the background.
    pub desktop: bool,
}

/// The alert policy. Severity sets the tone (the centre tunes severities per kind on the server);
/// a few kinds are informative by nature and never sound, whatever their severity.
pub fn policy(kind: AlarmKind, severity: Severity) -> Policy {
    let informative = matches!(kind, AlarmKind::LateData);
    let tone = if informative { None } else { tone::pattern(severity).map(|_| severity) };
    Policy {
        tone,
        banner: !informative && severity >= Severity::High,
        desktop: !informative && severity >= Severity::Medium,
    }
}

/// What the operator should hear and see now.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The tone and volume to play, or silence.
    pub sound: Option<(Severity, f32)>,
    /// Unattended alarms that belong in the banner, most severe first.
    pub banner: usize,
    /// The most severe unattended banner alarm (the banner's colour and text).
    pub worst: Option<Severity>,
    /// Seconds the oldest unattended alarm has waited.
    pub oldest_s: i64,
}

/// An alarm nobody has taken yet.
pub fn unattended(a: &Alarm) -> bool {
    matches!(a.state, AlarmState::Open)
}

/// Decides the alert from the alarms this seat sees.
pub fn assess<'a>(alarms: impl IntoIterator<Item = &'a Alarm>, now: DateTime<Utc>) -> Assessment {
    let mut out = Assessment { sound: None, banner: 0, worst: None, oldest_s: 0 };
    let mut loudest: Option<Severity> = None;
    for a in alarms.into_iter().filter(|a| unattended(a)) {
        let p = policy(a.kind, a.severity);
        let waited = (now - a.raised_at).num_seconds().max(0);
        if let Some(s) = p.tone {
            loudest = loudest.max(Some(s));
            out.oldest_s = out.oldest_s.max(waited);
        }
        if p.banner {
            out.banner += 1;
            out.worst = out.worst.max(Some(a.severity));
        }
    }
    out.sound = loudest.map(|s| (s, tone::volume(out.oldest_s)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use atalaia_core::alarm::Subject;
    use atalaia_core::ids::{PersonId, UserId};
    use chrono::Duration;

    fn alarm(kind: AlarmKind, raised: DateTime<Utc>) -> Alarm {
        Alarm::new(kind, Subject::Person(PersonId::new()), None, raised, raised)
    }

    #[test]
    fn the_most_severe_unattended_alarm_sounds_louder_with_time_until_taken() {
        let now = Utc::now();
        let battery = alarm(AlarmKind::BatteryCritical, now - Duration::seconds(5));
        let mut strap = alarm(AlarmKind::StrapCut, now - Duration::seconds(50));
        let a = assess([&battery, &strap], now);
        assert_eq!(a.sound, Some((Severity::Critical, tone::volume(50))));
        assert_eq!(a.worst, Some(Severity::Critical));
        let later = assess([&strap], now + Duration::seconds(200)).sound.map(|s| s.1);
        assert!(later > a.sound.map(|s| s.1), "louder while still unattended");

        strap.state = AlarmState::Claimed { by: UserId::new(), at: now };
        let taken = assess([&battery, &strap], now);
        assert_eq!(taken.sound.map(|s| s.0), Some(Severity::Medium), "the strap cut was taken");
        assert_eq!(taken.worst, None, "a medium alarm sounds but does not flash");
    }

    #[test]
    fn silence_when_everything_is_taken_and_late_data_never_sounds() {
        let now = Utc::now();
        let mut a = alarm(AlarmKind::Tamper, now);
        a.state = AlarmState::InProcedure { by: UserId::new(), at: now };
        let late = alarm(AlarmKind::LateData, now);
        let s = assess([&a, &late], now);
        assert_eq!(s.sound, None);
        assert_eq!(s.banner, 0);
        assert_eq!(policy(AlarmKind::LateData, Severity::Critical).tone, None);
        assert_eq!(policy(AlarmKind::StrapCut, Severity::Low).tone, None, "low severity is visual only");
        assert!(policy(AlarmKind::Jamming, Severity::Critical).desktop);
    }
}
