//! The notification outbox (16.2.7, 16.2.31, 27.10.9): e-mail over SMTP (lettre, STARTTLS or
//! TLS) and SMS through an HTTP gateway.
//!
//! A message is queued in the same transaction as the alarm change that caused it, so nothing
//! accepted is lost. Delivery takes a due message by recording the attempt (and its lease, the
//! retry delay) *before* anything goes out, sends it, and records the outcome: a message marked
//! sent is never sent again, and a server that stops mid-send leaves the message to be retried
//! once the lease runs out. The one window no outbox can close is a stop between the server's
//! acceptance and our record of it; e-mails carry a stable `Message-ID` and SMS an
//! `Idempotency-Key` (the message id) so the receiving side can drop such a repeat.

use crate::config::Config;
use crate::store::{Store, StoreError, WriteCtx};
use atalaia_core::alarm::{Alarm, Subject};
use atalaia_core::monitoring::{Person, Zone};
use atalaia_core::notify::{
    AlarmContext, Channel, Contact, Delivery, Notification, NotificationRule, Place, Trigger, alarm_message,
};
use lettre::message::header::ContentType;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;

/// Messages taken per delivery round.
const BATCH: usize = 32;
/// How long one SMTP or gateway exchange may take (lettre applies it per SMTP step).
const SEND_TIMEOUT: Duration = Duration::from_secs(20);
/// How long one whole send may take: shorter than the first attempt's lease (30 s), so a
/// hanging server never lets a message be taken twice at once.
const SEND_DEADLINE: Duration = Duration::from_secs(25);
/// How often due messages (retries, messages queued by the engine) are looked for.
const POLL: Duration = Duration::from_secs(1);

struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl Mailer {
    fn new(cfg: &Config, url: &str) -> Result<Self, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("smtp_url: {e}"))?;
        let host = parsed.host_str().ok_or("smtp_url: sem servidor")?.to_owned();
        let tls_query = parsed.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let encrypted = parsed.scheme() == "smtps" || tls_query.as_deref() == Some("required");
        let loopback =
            host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if !encrypted && !loopback && !cfg.insecure {
            return Err(format!(
                "smtp_url: refusing to send e-mail to {host} without TLS (use ?tls=required for STARTTLS \
                 or smtps://)"
            ));
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("smtp_url: {e}"))?
            .timeout(Some(SEND_TIMEOUT));
        if let Some(ca) = &cfg.smtp_ca {
            let pem = std::fs::read(ca).map_err(|e| format!("smtp_ca {}: {e}", ca.display()))?;
            let cert = Certificate::from_pem(&pem).map_err(|e| format!("smtp_ca {}: {e}", ca.display()))?;
            let params = TlsParameters::builder(host)
                .add_root_certificate(cert)
                .build_rustls()
                .map_err(|e| format!("smtp_ca: {e}"))?;
            builder = builder.tls(match (parsed.scheme(), tls_query.as_deref()) {
                ("smtps", _) => Tls::Wrapper(params),
                (_, Some("required")) => Tls::Required(params),
                (_, Some("opportunistic")) => Tls::Opportunistic(params),
                _ => Tls::None,
            });
        }
        let from = cfg.smtp_from.parse().map_err(|e| format!("smtp_from {:?}: {e}", cfg.smtp_from))?;
        Ok(Self { transport: builder.build(), from })
    }

    async fn send(&self, n: &Notification) -> Result<(), String> {
        let to = n.to.parse().map_err(|e| format!("endereço inválido {}: {e}", n.to))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(n.subject.clone())
            .message_id(Some(format!("<{}@atalaia>", n.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(n.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

struct SmsGateway {
    url: String,
    token: Option<String>,
    http: reqwest::Client,
}

impl SmsGateway {
    async fn send(&self, n: &Notification) -> Result<(), String> {
        let mut req = self
            .http
            .post(&self.url)
            .header("Idempotency-Key", n.id.to_string())
            .json(&serde_json::json!({"to": n.to, "text": n.body, "id": n.id}));
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.map_err(|e| e.to_string())?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let text = resp.text().await.unwrap_or_default();
        Err(format!("gateway de SMS respondeu {status}: {}", text.chars().take(200).collect::<String>()))
    }
}

/// A Nominatim-compatible reverse geocoder: the street address for the e-mails (16.2.7).
struct Geocoder {
    base: String,
    http: reqwest::Client,
}

/// How long an e-mail waits for its address: an alarm does not wait for a street name.
const GEOCODE_TIMEOUT: Duration = Duration::from_secs(3);

impl Geocoder {
    async fn address(&self, at: atalaia_core::geom::LatLon) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct Answer {
            display_name: Option<String>,
        }
        let url = format!("{}/reverse", self.base.trim_end_matches('/'));
        let ask = self
            .http
            .get(url)
            .query(&[
                ("format", "jsonv2".to_owned()),
                ("lat", format!("{:.6}", at.lat)),
                ("lon", format!("{:.6}", at.lon)),
                ("zoom", "18".to_owned()),
                ("accept-language", "pt-BR".to_owned()),
            ])
            .send();
        let answer = match tokio::time::timeout(GEOCODE_TIMEOUT, ask).await {
            Ok(Ok(r)) if r.status().is_success() => r.json::<Answer>().await.ok()?,
            Ok(Ok(r)) => {
                tracing::warn!(status = %r.status(), "geocoder refused a reverse lookup; e-mail goes without address");
                return None;
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "geocoder unreachable; e-mail goes without address");
                return None;
            }
            Err(_) => {
                tracing::warn!("geocoder too slow; e-mail goes without address");
                return None;
            }
        };
        answer.display_name.map(|a| a.chars().take(300).collect()).filter(|a: &String| !a.trim().is_empty())
    }
}

struct Inner {
    mail: Option<Mailer>,
    sms: Option<SmsGateway>,
    geocoder: Option<Geocoder>,
    wake: tokio::sync::Notify,
}

/// The delivery side of the outbox. Cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    inner: Arc<Inner>,
}

impl Outbox {
    pub fn from_config(cfg: &Config) -> Result<Self, String> {
        let mail = cfg.smtp_url.as_deref().map(|url| Mailer::new(cfg, url)).transpose()?;
        let sms = match &cfg.sms_url {
            Some(url) => {
                let parsed = url::Url::parse(url).map_err(|e| format!("sms_url: {e}"))?;
                let loopback = parsed.host_str().is_some_and(|h| {
                    h == "localhost" || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
                });
                if parsed.scheme() != "https" && !loopback && !cfg.insecure {
                    return Err("sms_url: the SMS gateway must be reached over https".into());
                }
                let http =
                    reqwest::Client::builder().timeout(SEND_TIMEOUT).build().map_err(|e| e.to_string())?;
                Some(SmsGateway { url: url.clone(), token: cfg.sms_token.clone(), http })
            }
            None => None,
        };
        let geocoder = match &cfg.geocoder_url {
            Some(base) => {
                let parsed = url::Url::parse(base).map_err(|e| format!("geocoder_url: {e}"))?;
                let loopback = parsed.host_str().is_some_and(|h| {
                    h == "localhost" || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
                });
                if parsed.scheme() != "https" && !loopback && !cfg.insecure {
                    return Err("geocoder_url: the geocoder must be reached over https".into());
                }
                let http = reqwest::Client::builder()
                    .timeout(GEOCODE_TIMEOUT)
                    .user_agent(concat!("atalaia-server/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| e.to_string())?;
                Some(Geocoder { base: base.clone(), http })
            }
            None => None,
        };
        Ok(Self { inner: Arc::new(Inner { mail, sms, geocoder, wake: tokio::sync::Notify::new() }) })
    }

    /// Whether messages of this channel can leave (else they wait in the outbox).
    pub fn configured(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.inner.mail.is_some(),
            Channel::Sms => self.inner.sms.is_some(),
        }
    }

    /// Look for due messages now (after queueing one).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Deliver due messages until the server stops.
    pub async fn run(self, store: Store, stopping: tokio::sync::watch::Receiver<bool>) {
        let stop = crate::server::until_stopping(stopping);
        tokio::pin!(stop);
        let mut every = tokio::time::interval(POLL);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = self.inner.wake.notified() => {}
                () = &mut stop => return,
            }
            // Of a cluster, only the leader sends (`store::leader`).
            if store.leader().is_none() {
                continue;
            }
            match self.deliver_due(&store).await {
                Ok(n) if n >= BATCH => self.wake(),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "notification delivery round failed"),
            }
        }
    }

    /// One round: take the due messages of the configured channels, send them, record the
    /// outcomes. Returns how many were attempted.
    pub async fn deliver_due(&self, store: &Store) -> Result<usize, StoreError> {
        let channels: Vec<(Channel, &'static str)> = [(Channel::Email, "email"), (Channel::Sms, "sms")]
            .into_iter()
            .filter(|(c, _)| self.configured(*c))
            .collect();
        if channels.is_empty() {
            return Ok(0);
        }
        let taken = store
            .write(move |ctx| {
                let mut taken = Vec::new();
                // Per channel, so messages a channel cannot send never hold up the other's.
                for (_, name) in &channels {
                    for mut n in Store::due_notifications(ctx.conn, name, ctx.now, BATCH)? {
                        if !n.is_due(ctx.now) {
                            continue;
                        }
                        if n.is_stale(ctx.now) {
                            n.give_up(&format!(
                                "não enviada em {} h: descartada para não chegar fora de hora",
                                atalaia_core::notify::MAX_AGE_HOURS
                            ));
                            ctx.save(&n)?;
                            continue;
                        }
                        n.begin_attempt(ctx.now);
                        ctx.save(&n)?;
                        taken.push(n);
                    }
                }
                Ok(taken)
            })
            .await?;
        let count = taken.len();
        // Each outcome is recorded the moment its send completes, not with the round: a server
        // that stops mid-round then resends only what was on the wire when it stopped.
        futures_util::future::join_all(taken.into_iter().map(|mut n| async move {
            // The street address, looked up as the e-mail leaves (never inside a transaction);
            // the stored message is updated to what was sent.
            let mut sent_body = None;
            if let (Channel::Email, Some(at), Some(g)) = (n.channel, n.place, &self.inner.geocoder)
                && !n.body.contains("Endereço: ")
                && let Some(address) = g.address(at).await
            {
                n.body = n.with_address(&address);
                sent_body = Some(n.body.clone());
            }
            let send = async {
                match n.channel {
                    Channel::Email => match &self.inner.mail {
                        Some(m) => m.send(&n).await,
                        None => Err("e-mail não configurado".into()),
                    },
                    Channel::Sms => match &self.inner.sms {
                        Some(s) => s.send(&n).await,
                        None => Err("SMS não configurado".into()),
                    },
                }
            };
            let outcome = tokio::time::timeout(SEND_DEADLINE, send)
                .await
                .unwrap_or_else(|_| Err(format!("sem resposta em {} s", SEND_DEADLINE.as_secs())));
            if let Err(e) = &outcome {
                tracing::warn!(notification = %n.id, channel = ?n.channel, to = %n.to, attempt = n.attempts, error = %e, "notification not delivered");
            }
            record_outcome(store, n.id.to_string(), outcome, sent_body).await;
        }))
        .await;
        Ok(count)
    }
}

/// Record how one send ended, retried a few times: a message sent but not recorded would be sent
/// again when its attempt's lease ends (its stable Message-ID / Idempotency-Key lets the receiver
/// drop that repeat).
async fn record_outcome(store: &Store, id: String, outcome: Result<(), String>, body: Option<String>) {
    for attempt in 1..=3 {
        let (key, outcome, body) = (id.clone(), outcome.clone(), body.clone());
        let recorded = store
            .write(move |ctx| {
                let mut n: Notification = Store::get_required(ctx.conn, &key)?;
                if n.state != Delivery::Pending {
                    return Ok(());
                }
                match outcome {
                    Ok(()) => {
                        n.delivered(ctx.now);
                        if let Some(body) = body {
                            n.body = body;
                        }
                    }
                    Err(e) => n.attempt_failed(&e),
                }
                ctx.save(&n)?;
                Ok(())
            })
            .await;
        match recorded {
            Ok(()) => return,
            Err(e) if attempt < 3 => {
                tracing::error!(notification = %id, error = %e, "recording a notification outcome failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => {
                tracing::error!(notification = %id, error = %e, "notification outcome not recorded: it may be sent again");
            }
        }
    }
}

/// The message an operator sends about `alarm` (not saved: the caller saves it with the alarm).
pub fn manual(
    conn: crate::store::db::Db<'_>,
    alarm: &Alarm,
    channel: Channel,
    to: &str,
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
    tz: chrono_tz::Tz,
) -> Result<Notification, StoreError> {
    let context = context_of(conn, alarm)?;
    let (subject, details) = alarm_message(alarm, &context, Trigger::Raised, tz);
    let body = match channel {
        Channel::Email => format!("{}\n\n— \n{details}", text.trim()),
        Channel::Sms => format!("Atalaia: {}", text.trim()),
    };
    let mut n = Notification::new(channel, to, &subject, &body, now);
    n.place = context.place.as_ref().map(|p| p.at).filter(|_| channel == Channel::Email);
    Ok(n)
}

/// Who and where, for the message about `alarm`: the person (and the other one of a pair), the
/// zone, and the person's last fix when the alarm began.
fn context_of(conn: crate::store::db::Db<'_>, alarm: &Alarm) -> Result<AlarmContext, StoreError> {
    let name = |id: atalaia_core::ids::PersonId| -> Result<Option<String>, StoreError> {
        Ok(Store::get::<Person>(conn, &id.to_string())?.map(|p| p.name))
    };
    let (person, place) = match alarm.subject {
        Subject::Person(p) => {
            let place = Store::person_position_at(conn, p, alarm.source_time)?.map(|fix| Place {
                at: fix.at,
                accuracy_m: fix.accuracy_m,
                fix_time: fix.fix_time,
                address: None,
            });
            (name(p)?, place)
        }
        _ => (None, None),
    };
    let zone = match alarm.zone_id {
        Some(z) => Store::get::<Zone>(conn, &z.to_string())?.map(|z| (z.name, z.kind)),
        None => None,
    };
    let other_person = alarm.other_person.map(name).transpose()?.flatten();
    Ok(AlarmContext { person, other_person, zone, place })
}

/// Queue what the notification rules send for `alarm` on `trigger`, in the caller's transaction,
/// and record each message among the alarm's contacts (the caller saves the alarm). Best effort:
/// a failure here is logged and undone, and never costs the alarm or the data that raised it.
pub fn apply_rules(ctx: &mut WriteCtx<'_>, alarm: &mut Alarm, trigger: Trigger, tz: chrono_tz::Tz) {
    let before = alarm.contacts.len();
    if let Err(e) = ctx.nested(|ctx| queue_rules(ctx, alarm, trigger, tz)) {
        alarm.contacts.truncate(before);
        tracing::error!(alarm = %alarm.id, error = %e, "notification rules not applied; the alarm stands");
    }
}

fn queue_rules(
    ctx: &mut WriteCtx<'_>,
    alarm: &mut Alarm,
    trigger: Trigger,
    tz: chrono_tz::Tz,
) -> Result<(), StoreError> {
    let rules = Store::list::<NotificationRule>(ctx.conn)?;
    if rules.is_empty() {
        return Ok(());
    }
    let person = match alarm.subject {
        Subject::Person(p) => Store::get::<Person>(ctx.conn, &p.to_string())?,
        _ => None,
    };
    let groups = person.as_ref().map(Person::groups).unwrap_or_default();
    let matching: Vec<&NotificationRule> =
        rules.iter().filter(|r| r.enabled && r.applies(alarm, &groups, trigger)).collect();
    if matching.is_empty() {
        return Ok(());
    }
    let context = context_of(ctx.conn, alarm)?;
    let name = context.person.as_deref();
    for rule in matching {
        let (subject, body) = alarm_message(alarm, &context, trigger, tz);
        let sms_text = atalaia_core::notify::alarm_sms(alarm, name, trigger, tz);
        let recipients = rule
            .email
            .iter()
            .map(|to| (Channel::Email, to, body.as_str()))
            .chain(rule.sms.iter().map(|to| (Channel::Sms, to, sms_text.as_str())));
        for (channel, to, text) in recipients {
            let mut n = Notification::new(channel, to, &subject, text, ctx.now);
            n.alarm_id = Some(alarm.id);
            n.place = context.place.as_ref().map(|p| p.at).filter(|_| channel == Channel::Email);
            n.rule = Some(rule.name.clone());
            ctx.save(&n)?;
            alarm.contacts.push(Contact {
                at: ctx.now,
                by: None,
                channel: channel.into(),
                to: to.clone(),
                text: subject.clone(),
                notification: Some(n.id),
                rule: Some(rule.name.clone()),
            });
        }
    }
    Ok(())
}
