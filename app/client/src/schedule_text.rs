//! A zone's weekly schedule as people write it (27.18.6.1, III-2.13): "seg-sex 20:00-06:00;
//! sáb,dom 14:00-06:00", "todos 22:00-05:00". Read into the server's windows and written back
//! the same way when a zone is corrected; an empty text is a zone always in force.

use atalaia_core::schedule::{WeeklySchedule, Window};

const DAYS: [&str; 7] = ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"];

/// Day number (1 = Monday) of a day's abbreviation, accents and case ignored.
fn day(s: &str) -> Option<u8> {
    let s = atalaia_core::text::fold(s.trim());
    let s = s.get(..3.min(s.len()))?;
    DAYS.iter().position(|d| atalaia_core::text::fold(d) == s).map(|i| i as u8 + 1)
}

fn days_of(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    if matches!(atalaia_core::text::fold(s).as_str(), "todos" | "todo dia" | "diario" | "diariamente") {
        return Ok((1..=7).collect());
    }
    let mut out = Vec::new();
    for part in s.split(',') {
        let part = part.trim();
        let bad =
            || format!("Dia \"{part}\" não reconhecido: use seg, ter, qua, qui, sex, sáb, dom ou todos.");
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a).ok_or_else(bad)?, day(b).ok_or_else(bad)?);
                let mut d = a;
                loop {
                    out.push(d);
                    if d == b {
                        break;
                    }
                    d = d % 7 + 1;
                }
            }
            None => out.push(day(part).ok_or_else(bad)?),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The schedule written in `text`, none for an empty text, or what is wrong (in Portuguese).
pub fn parse(text: &str, timezone: Option<String>) -> Result<Option<WeeklySchedule>, String> {
    let mut windows = Vec::new();
    for entry in text.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let (days, hours) = entry
            .rsplit_once(' ')
            .ok_or_else(|| format!("\"{entry}\": escreva os dias e o horário, ex.: seg-sex 20:00-06:00."))?;
        let (start, end) = hours
            .split_once('-')
            .ok_or_else(|| format!("\"{hours}\": escreva o início e o fim, ex.: 20:00-06:00."))?;
        windows.push(Window {
            days: days_of(days)?,
            start: start.trim().to_owned(),
            end: end.trim().to_owned(),
        });
    }
    if windows.is_empty() {
        return Ok(None);
    }
    let schedule = WeeklySchedule { windows, timezone };
    schedule
        .validate()
        .map_err(|e| format!("Horário inválido: {}", atalaia_core::text::schedule_error(&e)))?;
    Ok(Some(schedule))
}

/// A schedule written back as `parse` reads it.
pub fn format(s: &WeeklySchedule) -> String {
    s.windows
        .iter()
        .map(|w| {
            let mut days = w.days.clone();
            days.sort_unstable();
            days.dedup();
            let names = if days.len() == 7 {
                "todos".to_owned()
            } else if days.len() > 2 && days.windows(2).all(|p| p[1] == p[0] + 1) {
                format!("{}-{}", DAYS[usize::from(days[0] - 1)], DAYS[usize::from(days[days.len() - 1] - 1)])
            } else {
                days.iter().map(|d| DAYS[usize::from(d - 1)]).collect::<Vec<_>>().join(",")
            };
            format!("{names} {}-{}", w.start, w.end)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn req_27_18_6_1_a_curfew_is_written_as_people_write_it_and_read_back_the_same() {
        let s = parse("seg-sex 20:00-06:00; Sáb,DOM 14:00-06:00", None).unwrap().unwrap();
        assert_eq!(s.windows[0].days, [1, 2, 3, 4, 5]);
        assert_eq!(s.windows[1].days, [6, 7]);
        assert_eq!((s.windows[1].start.as_str(), s.windows[1].end.as_str()), ("14:00", "06:00"));
        assert_eq!(format(&s), "seg-sex 20:00-06:00; sáb,dom 14:00-06:00");
        let every = parse("todos 22:00-05:00", Some("America/Manaus".into())).unwrap().unwrap();
        assert_eq!(every.windows[0].days.len(), 7);
        assert_eq!(every.timezone.as_deref(), Some("America/Manaus"));
        assert_eq!(format(&every), "todos 22:00-05:00");
        assert_eq!(
            parse("sex-seg 20:00-06:00", None).unwrap().unwrap().windows[0].days,
            [1, 5, 6, 7],
            "wraps"
        );
        assert_eq!(parse("  ", None).unwrap(), None, "empty: always in force");
        assert!(parse("domingo 25:00-06:00", None).unwrap_err().contains("hora \"25:00\" inválida"));
        assert!(
            parse("feriado 20:00-06:00", None).unwrap_err().starts_with("Dia \"feriado\" não reconhecido")
        );
        assert!(parse("seg-sex 20:00", None).unwrap_err().contains("início e o fim"));
    }
}
