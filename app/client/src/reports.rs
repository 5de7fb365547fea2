//! The monitoring reports at the console (16.2.10, III-2.15): tracks, events per monitored
//! person, events per responsible supervisor and handling times, for a period typed as people
//! type dates, saved as CSV or PDF — the request each makes of the server and the file it becomes.

use atalaia_core::auth::Permission;
use atalaia_core::ids::PersonId;
use chrono::{DateTime, Duration, SecondsFormat, TimeZone, Utc};

/// The longest period a report covers (the server's limit).
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReportKind {
    #[default]
    EventsPerPerson,
    EventsPerSupervisor,
    HandlingTimes,
    Track,
}

impl ReportKind {
    pub const ALL: [ReportKind; 4] = [
        ReportKind::EventsPerPerson,
        ReportKind::EventsPerSupervisor,
        ReportKind::HandlingTimes,
        ReportKind::Track,
    ];

    /// The server's name for it (`GET /reports/{kind}`).
    pub fn key(self) -> &'static str {
        match self {
            ReportKind::EventsPerPerson => "events-per-person",
            ReportKind::EventsPerSupervisor => "events-per-supervisor",
            ReportKind::HandlingTimes => "handling-times",
            ReportKind::Track => "track",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportKind::EventsPerPerson => "Eventos por monitorado",
            ReportKind::EventsPerSupervisor => "Eventos por supervisor responsável",
            ReportKind::HandlingTimes => "Tempos de atendimento",
            ReportKind::Track => "Trajeto do monitorado",
        }
    }

    /// Its file's name stem.
    fn stem(self) -> &'static str {
        match self {
            ReportKind::EventsPerPerson => "eventos-por-monitorado",
            ReportKind::EventsPerSupervisor => "eventos-por-supervisor",
            ReportKind::HandlingTimes => "tempos-de-atendimento",
            ReportKind::Track => "trajeto",
        }
    }

    /// Whether a person must be chosen (a track is one person's); for events per person, a
    /// chosen person narrows the report to them.
    pub fn needs_person(self) -> bool {
        self == ReportKind::Track
    }

    pub fn takes_person(self) -> bool {
        matches!(self, ReportKind::Track | ReportKind::EventsPerPerson)
    }

    /// What the server asks of who runs it.
    pub fn permission(self) -> Permission {
        if self == ReportKind::Track { Permission::PositionRead } else { Permission::AlarmRead }
    }
}

/// A time typed as `dd/mm/aaaa hh:mm` in `tz`.
pub fn parse_local(s: &str, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let naive = chrono::NaiveDateTime::parse_from_str(s.trim(), "%d/%m/%Y %H:%M").ok()?;
    tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc))
}

/// A period as typed — start and end as `dd/mm/aaaa hh:mm` in `tz`, an empty end is now — or
/// which of the two is not a time (in Portuguese). The limits of each use are checked after.
pub fn typed_period(
    from: &str,
    to: &str,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let start =
        parse_local(from, tz).ok_or("Início: use dd/mm/aaaa hh:mm (por exemplo 01/11/2026 00:00).")?;
    let end = if to.trim().is_empty() {
        now
    } else {
        parse_local(to, tz).ok_or("Fim: use dd/mm/aaaa hh:mm, ou deixe vazio para agora.")?
    };
    Ok((start, end))
}

/// What a report asks: its kind, the period as typed, the person chosen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportDraft {
    pub kind: ReportKind,
    pub from: String,
    /// Empty: now.
    pub to: String,
    pub person: Option<PersonId>,
}

/// A report to fetch: the path under `/api/v1` and the file it is saved as.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRequest {
    pub path: String,
    pub file: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl ReportDraft {
    /// The period as instants, or what is wrong with it (in Portuguese).
    pub fn period(
        &self,
        tz: chrono_tz::Tz,
        now: DateTime<Utc>,
    ) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
        let (from, to) = typed_period(&self.from, &self.to, tz, now)?;
        if from >= to {
            return Err("O início do período deve ser antes do fim.".into());
        }
        if to - from > Duration::days(MAX_DAYS) {
            return Err("O período pode ter no máximo um ano.".into());
        }
        Ok((from, to))
    }

    /// The request for the report as CSV or PDF, or what is missing.
    pub fn request(&self, tz: chrono_tz::Tz, now: DateTime<Utc>, pdf: bool) -> Result<ReportRequest, String> {
        let (from, to) = self.period(tz, now)?;
        if self.kind.needs_person() && self.person.is_none() {
            return Err("Escolha o monitorado do trajeto.".into());
        }
        let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let format = if pdf { "pdf" } else { "csv" };
        let mut path =
            format!("/reports/{}?from={}&to={}&format={format}", self.kind.key(), at(from), at(to));
        if let Some(p) = self.person.filter(|_| self.kind.takes_person()) {
            path.push_str(&format!("&person_id={p}"));
        }
        let day = |t: DateTime<Utc>| t.with_timezone(&tz).format("%d-%m-%Y").to_string();
        let file = format!("relatorio-{}-{}-a-{}.{format}", self.kind.stem(), day(from), day(to));
        Ok(ReportRequest { path, file, from, to })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn iii_2_15_a_report_is_asked_for_the_period_typed_in_the_sites_time_and_saved_by_its_name() {
        let tz = chrono_tz::America::Porto_Velho;
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let mut d = ReportDraft { from: "01/11/2026 00:00".into(), ..ReportDraft::default() };
        let r = d.request(tz, now, false).unwrap();
        // Midnight in Porto Velho is 04:00 UTC; an empty end is now.
        assert_eq!(
            r.path,
            "/reports/events-per-person?from=2026-11-01T04:00:00Z&to=2026-12-07T12:00:00Z&format=csv"
        );
        assert_eq!(r.file, "relatorio-eventos-por-monitorado-01-11-2026-a-07-12-2026.csv");
        d.kind = ReportKind::Track;
        assert_eq!(d.request(tz, now, true).unwrap_err(), "Escolha o monitorado do trajeto.");
        let p = PersonId::new();
        d.person = Some(p);
        let r = d.request(tz, now, true).unwrap();
        assert!(
            r.path.starts_with("/reports/track?") && r.path.ends_with(&format!("format=pdf&person_id={p}"))
        );
        d.kind = ReportKind::EventsPerSupervisor;
        assert!(!d.request(tz, now, false).unwrap().path.contains("person_id"), "not a per-person report");
        d.to = "31/10/2026 23:00".into();
        assert_eq!(d.request(tz, now, false).unwrap_err(), "O início do período deve ser antes do fim.");
        d.to = "amanhã".into();
        assert!(d.request(tz, now, false).unwrap_err().starts_with("Fim: use dd/mm/aaaa hh:mm"));
        d.from = "01/01/2025 00:00".into();
        d.to.clear();
        assert_eq!(d.request(tz, now, false).unwrap_err(), "O período pode ter no máximo um ano.");
    }
}
