//! Notifications to the people responsible for a monitored person or an alarm (16.2.7, 16.2.31,
//! 27.10.9, 27.18.2): e-mail and SMS go through a persistent outbox, rules send them when an
//! alarm is raised or escalates, and every contact made about an alarm — phone calls included —
//! is kept on the alarm with its author and time.

use crate::alarm::{Alarm, AlarmKind, Severity};
use crate::ids::{AlarmId, NotificationId, UserId};
use crate::wire::FieldError;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Waiting for its next attempt (or for the channel to be configured).
    Pending,
    /// Accepted by the SMTP server or the SMS gateway.
    Sent,
    /// Given up after [`MAX_ATTEMPTS`], or not sent within [`MAX_AGE_HOURS`] (an alarm message
    /// that old would mislead); listed by `GET /notifications` and on the live feed.
    Failed,
}

/// A message still unsent this long after it was queued is given up rather than sent late
/// (e.g. when its channel is configured days afterwards).
pub const MAX_AGE_HOURS: i64 = 24;

/// Attempts before a message is given up (about three and a half hours of retries).
pub const MAX_ATTEMPTS: u32 = 12;

/// Wait after attempt `n` (from 1): 30 s doubling up to 30 minutes. It is also the lease of an
/// attempt in progress: a server that stops mid-send leaves the message to be retried then.
pub fn retry_delay(attempt: u32) -> Duration {
    let exp = attempt.saturating_sub(1).min(10);
    Duration::seconds((30i64 << exp).min(30 * 60))
}

/// One e-mail or SMS in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: NotificationId,
    pub channel: Channel,
    /// E-mail address or phone number (E.164).
    pub to: String,
    pub subject: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm_id: Option<AlarmId>,
    /// The rule that sent it; none when an operator did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub state: Delivery,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    /// Where the alarm happened: with a geocoder configured, the e-mail names the street
    /// address there when it is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<crate::geom::LatLon>,
}

impl Notification {
    pub fn new(channel: Channel, to: &str, subject: &str, body: &str, now: DateTime<Utc>) -> Self {
        Self {
            id: NotificationId::new(),
            channel,
            to: to.to_owned(),
            subject: subject.to_owned(),
            body: body.to_owned(),
            alarm_id: None,
            rule: None,
            requested_by: None,
            created_at: now,
            state: Delivery::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            sent_at: None,
            place: None,
        }
    }

    /// The body with the street address of its place added above the position line (where
    /// [`alarm_message`] would have put it).
    pub fn with_address(&self, address: &str) -> String {
        let line = format!("Endereço: {}\n", address.trim());
        match self.body.find("Posição: ") {
            Some(at) => format!("{}{line}{}", &self.body[..at], &self.body[at..]),
            None => format!("{}{line}", self.body),
        }
    }

    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.state == Delivery::Pending && self.next_attempt_at <= now
    }

    /// Too old to be sent: given up instead (see [`MAX_AGE_HOURS`]).
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        now - self.created_at > Duration::hours(MAX_AGE_HOURS)
    }

    pub fn give_up(&mut self, reason: &str) {
        self.state = Delivery::Failed;
        self.last_error = Some(reason.to_owned());
    }

    /// Take the message for one attempt. Recorded before anything goes out, so a restart during
    /// the attempt retries it only after the lease ([`retry_delay`]) and never twice at once.
    pub fn begin_attempt(&mut self, now: DateTime<Utc>) {
        self.attempts += 1;
        self.next_attempt_at = now + retry_delay(self.attempts);
    }

    pub fn delivered(&mut self, now: DateTime<Utc>) {
        self.state = Delivery::Sent;
        self.sent_at = Some(now);
        self.last_error = None;
    }

    /// The attempt failed: retried at the lease's end, or given up after [`MAX_ATTEMPTS`].
    pub fn attempt_failed(&mut self, error: &str) {
        self.last_error = Some(error.chars().take(500).collect());
        if self.attempts >= MAX_ATTEMPTS {
            self.state = Delivery::Failed;
        }
    }
}

/// When a rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// As soon as the alarm is raised.
    Raised,
    /// When nobody claimed it within the response target (27.9).
    Escalated,
}

/// Who is told, by which channel, about which alarms (16.2.7: administrators define rules and
/// automatic SMS/e-mail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NotificationRule {
    pub name: String,
    /// A rule switched off sends nothing (rules are kept for the audit, not deleted).
    #[serde(default = "yes")]
    pub enabled: bool,
    pub trigger: Trigger,
    /// Alarm kinds it covers; empty: every electronic-monitoring kind (SAMU kinds only when named).
    #[serde(default)]
    pub kinds: Vec<AlarmKind>,
    pub min_severity: Severity,
    /// Only alarms about people of this group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default)]
    pub email: Vec<String>,
    #[serde(default)]
    pub sms: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

fn yes() -> bool {
    true
}

impl NotificationRule {
    /// Whether this rule sends for `alarm` (whose person belongs to `groups`, by sentence and
    /// by area) on `trigger`.
    pub fn applies(&self, alarm: &Alarm, groups: &[String], trigger: Trigger) -> bool {
        let kind_matches = if self.kinds.is_empty() {
            alarm.domain() == crate::alarm::Domain::Monitoring
        } else {
            self.kinds.contains(&alarm.kind)
        };
        self.trigger == trigger
            && alarm.severity >= self.min_severity
            && kind_matches
            && self.group.as_ref().is_none_or(|g| groups.contains(g))
    }
}

/// Body of `PUT /notification-rules/{name}`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewNotificationRule {
    #[serde(default = "yes")]
    pub enabled: bool,
    pub trigger: Trigger,
    #[serde(default)]
    pub kinds: Vec<AlarmKind>,
    pub min_severity: Severity,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub email: Vec<String>,
    #[serde(default)]
    pub sms: Vec<String>,
}

impl NewNotificationRule {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        if self.email.is_empty() && self.sms.is_empty() {
            e.push(FieldError::new("email", "Informe ao menos um e-mail ou telefone para SMS."));
        }
        if self.email.len() + self.sms.len() > 50 {
            e.push(FieldError::new("email", "No máximo 50 destinatários por regra."));
        }
        if let Some(bad) = self.email.iter().find(|a| !valid_email(a)) {
            e.push(FieldError::new("email", &format!("E-mail inválido: {bad}")));
        }
        if let Some(bad) = self.sms.iter().find(|p| normalize_phone(p).is_none()) {
            e.push(FieldError::new(
                "sms",
                &format!("Telefone inválido: {bad} (use o formato internacional, ex.: +55 69 99999-0000)"),
            ));
        }
        e
    }
}

/// A plain check of an e-mail address: one `@`, a local part, a dotted domain, no spaces.
pub fn valid_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else { return false };
    s.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
}

/// A phone number in E.164 (`+5569999990000`): spaces, dashes, dots and parentheses dropped;
/// `None` unless it is `+` and 10 to 15 digits.
pub fn normalize_phone(s: &str) -> Option<String> {
    let kept: String = s.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let digits = kept.strip_prefix('+')?;
    ((10..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())).then_some(kept)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    Phone,
    Email,
    Sms,
}

impl From<Channel> for ContactChannel {
    fn from(c: Channel) -> Self {
        match c {
            Channel::Email => ContactChannel::Email,
            Channel::Sms => ContactChannel::Sms,
        }
    }
}

/// A contact made about an alarm: a phone call an operator logged, or a message sent by an
/// operator or by a rule (its delivery is followed on the [`Notification`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    pub at: DateTime<Utc>,
    /// The operator; none when a rule sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<UserId>,
    pub channel: ContactChannel,
    pub to: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<NotificationId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// Where the alarm happened, as far as the server knows when it writes the message.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub at: crate::geom::LatLon,
    pub accuracy_m: Option<f64>,
    /// When the device was there.
    pub fix_time: DateTime<Utc>,
    /// A street address for the point, when one is known.
    pub address: Option<String>,
}

/// What a message about an alarm says besides the alarm itself: who, and where.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlarmContext {
    pub person: Option<String>,
    /// The other person of a pair alarm (encounter, aggressor near victim).
    pub other_person: Option<String>,
    /// The zone's name and kind ("Casa", inclusion).
    pub zone: Option<(String, crate::monitoring::ZoneKind)>,
    pub place: Option<Place>,
}

/// The link that opens an alarm at the console (the packages register the `atalaia:` scheme).
pub fn console_link(alarm: AlarmId) -> String {
    format!("atalaia://alarme/{alarm}")
}

/// The alarm a console link names (`atalaia://alarme/ID`, as [`console_link`] writes it).
pub fn parse_console_link(link: &str) -> Option<AlarmId> {
    let rest = link.trim().strip_prefix("atalaia:")?.trim_start_matches('/');
    let id = rest.strip_prefix("alarme/")?.trim_end_matches('/');
    id.parse().ok()
}

/// A time in the site's zone, with the zone said: `01/03/2026 08:00:00 (UTC-04:00, America/Porto_Velho)`.
pub fn zoned_time(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    let local = t.with_timezone(&tz);
    format!("{} (UTC{}, {})", local.format("%d/%m/%Y %H:%M:%S"), local.format("%:z"), tz.name())
}

/// Subject and text of the e-mail about `alarm`: what, who, where (zone, address, coordinates
/// and a map link), when (in the site's zone, saying which), and the link that opens it at the
/// console (16.2.7, 27.10.9).
pub fn alarm_message(
    alarm: &Alarm,
    ctx: &AlarmContext,
    trigger: Trigger,
    tz: chrono_tz::Tz,
) -> (String, String) {
    let kind = crate::text::alarm_kind(alarm.kind);
    let who = ctx.person.as_deref().unwrap_or("(sem pessoa)");
    let prefix = match trigger {
        Trigger::Raised => "",
        Trigger::Escalated => "SEM RESPOSTA — ",
    };
    let subject = format!("[Atalaia] {prefix}{kind} — {who}");
    let mut body =
        format!("Alarme: {kind}\nSeveridade: {}\nPessoa: {who}\n", crate::text::severity(alarm.severity),);
    if let Some(other) = &ctx.other_person {
        body.push_str(&format!("Outra pessoa: {other}\n"));
    }
    if let Some((name, zone_kind)) = &ctx.zone {
        body.push_str(&format!("Zona: {name} ({})\n", crate::text::zone_kind(*zone_kind).to_lowercase()));
    }
    match &ctx.place {
        Some(p) => {
            if let Some(address) = &p.address {
                body.push_str(&format!("Endereço: {address}\n"));
            }
            let accuracy = p.accuracy_m.map(|a| format!(" (±{a:.0} m)")).unwrap_or_default();
            body.push_str(&format!(
                "Posição: {:.5}, {:.5}{accuracy} em {}\nMapa: https://www.openstreetmap.org/?mlat={:.5}&mlon={:.5}#map=17/{:.5}/{:.5}\n",
                p.at.lat,
                p.at.lon,
                zoned_time(p.fix_time, tz),
                p.at.lat,
                p.at.lon,
                p.at.lat,
                p.at.lon,
            ));
        }
        None => body.push_str("Posição: sem posição conhecida\n"),
    }
    body.push_str(&format!(
        "Ocorrido em: {}\nRegistrado em: {}\n",
        zoned_time(alarm.source_time, tz),
        zoned_time(alarm.raised_at, tz),
    ));
    if let (Trigger::Escalated, Some(at)) = (trigger, alarm.escalated_at) {
        body.push_str(&format!(
            "Escalado em: {} (nenhum operador assumiu o alarme no prazo)\n",
            zoned_time(at, tz)
        ));
    }
    body.push_str(&format!(
        "\nAbrir na console: {}\nReferência do alarme: {}\n",
        console_link(alarm.id),
        alarm.id
    ));
    (subject, body)
}

/// The SMS text about `alarm`: what, who and when, short.
pub fn alarm_sms(alarm: &Alarm, person: Option<&str>, trigger: Trigger, tz: chrono_tz::Tz) -> String {
    let when = alarm.source_time.with_timezone(&tz).format("%d/%m/%Y %H:%M");
    let prefix = match trigger {
        Trigger::Raised => "",
        Trigger::Escalated => "SEM RESPOSTA: ",
    };
    format!(
        "Atalaia: {prefix}{} ({}) — {} — {when}",
        crate::text::alarm_kind(alarm.kind),
        crate::text::severity(alarm.severity),
        person.unwrap_or("sem pessoa"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarm::Subject;
    use crate::ids::PersonId;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn retries_back_off_to_half_an_hour_and_give_up() {
        assert_eq!(retry_delay(1), Duration::seconds(30));
        assert_eq!(retry_delay(2), Duration::seconds(60));
        assert_eq!(retry_delay(6), Duration::seconds(960));
        assert_eq!(retry_delay(7), Duration::minutes(30));
        assert_eq!(retry_delay(40), Duration::minutes(30));
        let mut n = Notification::new(Channel::Email, "a@b.gov.br", "s", "b", t0());
        assert!(n.is_due(t0()));
        let mut now = t0();
        for i in 1..=MAX_ATTEMPTS {
            n.begin_attempt(now);
            assert!(!n.is_due(now), "leased during attempt {i}");
            n.attempt_failed("connection refused");
            now = n.next_attempt_at;
        }
        assert_eq!(n.state, Delivery::Failed);
        assert!(!n.is_due(now + Duration::days(1)));
    }

    #[test]
    fn delivered_is_never_due_again() {
        let mut n = Notification::new(Channel::Sms, "+5569999990000", "", "b", t0());
        n.begin_attempt(t0());
        n.delivered(t0());
        assert_eq!(n.state, Delivery::Sent);
        assert!(!n.is_due(t0() + Duration::days(30)));
    }

    #[test]
    fn rules_match_trigger_severity_kind_and_group() {
        let a = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, t0(), t0());
        let rule = NotificationRule {
            name: "r".into(),
            enabled: true,
            trigger: Trigger::Raised,
            kinds: vec![],
            min_severity: Severity::High,
            group: None,
            email: vec!["x@y.br".into()],
            sms: vec![],
            updated_at: t0(),
        };
        assert!(rule.applies(&a, &[], Trigger::Raised));
        assert!(!rule.applies(&a, &[], Trigger::Escalated));
        let low = Alarm::new(AlarmKind::GnssLost, a.subject, None, t0(), t0());
        assert!(low.severity < Severity::High);
        assert!(!rule.applies(&low, &[], Trigger::Raised));
        let only_battery = NotificationRule { kinds: vec![AlarmKind::BatteryCritical], ..rule.clone() };
        assert!(!only_battery.applies(&a, &[], Trigger::Raised));
        let grouped = NotificationRule { group: Some("semiaberto".into()), ..rule };
        let groups = |g: &[&str]| g.iter().map(|g| (*g).to_owned()).collect::<Vec<_>>();
        assert!(grouped.applies(&a, &groups(&["semiaberto"]), Trigger::Raised));
        assert!(!grouped.applies(&a, &groups(&["domiciliar"]), Trigger::Raised));
        assert!(!grouped.applies(&a, &[], Trigger::Raised));
        // III-2.24: a rule naming an area reaches the people of that area whatever their sentence.
        assert!(grouped.applies(&a, &groups(&["domiciliar", "semiaberto"]), Trigger::Raised));
    }

    #[test]
    fn addresses_and_phones_are_checked() {
        assert!(valid_email("central@sejus.ro.gov.br"));
        for bad in ["", "sem-arroba", "a@b", "a @b.br", "a@@b.br", "@b.br", "a@b.br.", "x<y>@b.br"] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert_eq!(normalize_phone("+55 (69) 99999-0000").as_deref(), Some("+5569999990000"));
        for bad in ["69 99999-0000", "+55", "+55 69 9999a-0000", "+1234567890123456"] {
            assert_eq!(normalize_phone(bad), None, "{bad}");
        }
        let rule = NewNotificationRule {
            enabled: true,
            trigger: Trigger::Raised,
            kinds: vec![],
            min_severity: Severity::Low,
            group: None,
            email: vec![],
            sms: vec![],
        };
        assert_eq!(rule.validate().len(), 1);
        let rule = NewNotificationRule { email: vec!["x".into()], sms: vec!["123".into()], ..rule };
        let errors = rule.validate();
        assert!(errors.iter().any(|e| e.field == "email"), "{errors:?}");
        assert!(errors.iter().any(|e| e.field == "sms"), "{errors:?}");
    }

    /// 16.2.7, 27.10.9: the recipient learns who, what, where and when, and can open the alarm.
    #[test]
    fn req_16_2_7_email_says_who_what_where_and_when_with_its_zone() {
        let mut a =
            Alarm::new(AlarmKind::InclusionZoneExit, Subject::Person(PersonId::new()), None, t0(), t0());
        a.raised_at = t0() + Duration::seconds(40);
        let ctx = AlarmContext {
            person: Some("Maria Souza".into()),
            other_person: None,
            zone: Some(("Casa".into(), crate::monitoring::ZoneKind::Inclusion)),
            place: Some(Place {
                at: crate::geom::LatLon { lat: -8.761_234, lon: -63.900_456 },
                accuracy_m: Some(7.4),
                fix_time: t0() + Duration::seconds(5),
                address: Some("Rua Almirante Barroso, 1500, Porto Velho".into()),
            }),
        };
        let (subject, body) = alarm_message(&a, &ctx, Trigger::Raised, chrono_tz::America::Porto_Velho);
        assert_eq!(subject, "[Atalaia] Saída da zona de inclusão — Maria Souza");
        for line in [
            "Pessoa: Maria Souza",
            "Zona: Casa (inclusão)",
            "Endereço: Rua Almirante Barroso, 1500, Porto Velho",
            "Posição: -8.76123, -63.90046 (±7 m) em 01/03/2026 08:00:05 (UTC-04:00, America/Porto_Velho)",
            "Mapa: https://www.openstreetmap.org/?mlat=-8.76123&mlon=-63.90046#map=17/-8.76123/-63.90046",
            "Ocorrido em: 01/03/2026 08:00:00 (UTC-04:00, America/Porto_Velho)",
            "Registrado em: 01/03/2026 08:00:40 (UTC-04:00, America/Porto_Velho)",
        ] {
            assert!(body.lines().any(|l| l == line), "missing {line:?} in:\n{body}");
        }
        assert!(body.contains(&format!("Referência do alarme: {}", a.id)));
        assert_eq!(
            parse_console_link(&console_link(a.id)),
            Some(a.id),
            "the console opens what the e-mail links"
        );
        assert_eq!(parse_console_link("atalaia:alarme/x"), None);
        assert_eq!(parse_console_link("https://example.com/alarme/1"), None);
        // São Paulo's centrals read their own zone.
        let (_, sp) = alarm_message(&a, &ctx, Trigger::Raised, chrono_tz::America::Sao_Paulo);
        assert!(sp.contains("Ocorrido em: 01/03/2026 09:00:00 (UTC-03:00, America/Sao_Paulo)"), "{sp}");
    }

    #[test]
    fn message_names_the_alarm_in_portuguese_and_local_time() {
        let mut a = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, t0(), t0());
        a.escalated_at = Some(t0() + Duration::minutes(5));
        let ctx = AlarmContext { person: Some("João da Silva".into()), ..AlarmContext::default() };
        let (subject, body) = alarm_message(&a, &ctx, Trigger::Escalated, chrono_tz::America::Porto_Velho);
        assert_eq!(subject, "[Atalaia] SEM RESPOSTA — Rompimento da cinta — João da Silva");
        // 12:00 UTC is 08:00 in Porto Velho (UTC−4), and the message says so.
        assert!(body.contains("Ocorrido em: 01/03/2026 08:00:00 (UTC-04:00, America/Porto_Velho)"), "{body}");
        assert!(body.contains("Escalado em: 01/03/2026 08:05:00 (UTC-04:00"), "{body}");
        assert!(body.contains("Severidade: Crítica"), "{body}");
        assert!(body.contains("Posição: sem posição conhecida"), "{body}");
        assert!(body.contains(&format!("Abrir na console: atalaia://alarme/{}", a.id)), "{body}");
        let sms = alarm_sms(&a, Some("João da Silva"), Trigger::Raised, chrono_tz::America::Porto_Velho);
        assert_eq!(sms, "Atalaia: Rompimento da cinta (Crítica) — João da Silva — 01/03/2026 08:00");
    }
}
