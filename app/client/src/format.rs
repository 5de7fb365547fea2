//! Brazilian presentation of time: dd/mm/aaaa, 24-hour clock, in the site's zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Default site zone when the configuration names none (SAMU Belo Horizonte).
pub const DEFAULT_TZ: Tz = chrono_tz::America::Sao_Paulo;

/// `22/11/2026 00:22:34`
pub fn datetime(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%d/%m/%Y %H:%M:%S").to_string()
}

/// `00:22:34`
pub fn time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M:%S").to_string()
}

/// `00:22`
pub fn hour_minute(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}

/// `22/11 00:05:09`: day and time without the year, for compact lists (alarm raised time).
pub fn day_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%d/%m %H:%M:%S").to_string()
}

/// `03:12` for a moment of today, `21/11 03:12` for an earlier day (how old data is, since when
/// the link is down).
pub fn since(t: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> String {
    let (t, now) = (t.with_timezone(&tz), now.with_timezone(&tz));
    if t.date_naive() == now.date_naive() {
        t.format("%H:%M").to_string()
    } else {
        t.format("%d/%m %H:%M").to_string()
    }
}

/// Elapsed time as `mm:ss`, or `h:mm:ss` past an hour; negative spans (clock skew) show as 00:00.
pub fn elapsed(from: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - from).num_seconds().max(0);
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m:02}:{s:02}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn brazilian_date_and_24h_clock_in_site_zone() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 3, 5, 9).single().expect("valid");
        assert_eq!(datetime(t, chrono_tz::America::Sao_Paulo), "22/11/2026 00:05:09");
        assert_eq!(datetime(t, chrono_tz::America::Porto_Velho), "21/11/2026 23:05:09");
        assert_eq!(time(t, chrono_tz::America::Sao_Paulo), "00:05:09");
        assert_eq!(day_time(t, chrono_tz::America::Sao_Paulo), "22/11 00:05:09");
        assert_eq!(day_time(t, chrono_tz::America::Porto_Velho), "21/11 23:05:09");
    }

    #[test]
    fn elapsed_formats() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).single().expect("valid");
        assert_eq!(elapsed(t, t + chrono::Duration::seconds(75)), "01:15");
        assert_eq!(elapsed(t, t + chrono::Duration::seconds(3725)), "1:02:05");
        assert_eq!(elapsed(t, t - chrono::Duration::seconds(5)), "00:00");
    }
}
