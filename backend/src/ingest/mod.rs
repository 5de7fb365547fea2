//! Device ingest: protocol front-ends decode messages into [`Fix`]es; [`accept`] resolves the
//! device, stores the fix durably and only then lets the front-end acknowledge. Unknown or
//! inactive identifiers are refused and logged (tracing + `ingest_rejects`).

pub mod gate;
pub mod gt06;
pub mod gt06_tcp;
pub mod models;
pub mod osmand;
pub mod tcp;
pub mod teltonika;
pub mod teltonika_tcp;

use crate::server::AppState;
use crate::store::{Store, StoreError, WriteCtx};
use atalaia_core::detect::Sample;
use atalaia_core::devices::Input;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::PositionId;
use atalaia_core::monitoring::{Device, Position};
use atalaia_core::samu::{Link, Vehicle};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// How far ahead of the server clock a device's fix time may be (clock skew tolerance).
pub const MAX_FUTURE: chrono::Duration = chrono::Duration::minutes(10);

/// One decoded position report, protocol-independent.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// The identifier on the wire (IMEI or OsmAnd id).
    pub key: String,
    pub fix_time: Option<DateTime<Utc>>,
    pub at: LatLon,
    pub speed_kmh: Option<f64>,
    pub course_deg: Option<f64>,
    pub altitude_m: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub battery_pct: Option<f64>,
    pub charging: Option<bool>,
    pub ignition: Option<bool>,
    pub siren: Option<bool>,
    pub light_bar: Option<bool>,
    /// How a vehicle's unit is talking to the centre (RFS051), when it says.
    pub link: Option<atalaia_core::samu::Link>,
    /// Whether `at` is a real GNSS fix. A report without one still counts as contact and feeds
    /// the GNSS-loss detector, but is not stored as a position.
    pub valid: bool,
    /// A keep-alive with no GNSS information at all (neither a fix nor its absence).
    pub heartbeat: bool,
    /// Inputs as the protocol names them (IO elements, alarm codes, named alarms and states);
    /// the device's model says what they mean (`atalaia_core::devices`).
    pub inputs: Vec<Input>,
    /// Tags of downlink commands the device acknowledges (OsmAnd `ack`).
    pub command_acks: Vec<u32>,
}

#[derive(Debug, PartialEq)]
pub enum Accepted {
    Stored { seq: u64 },
    UnknownDevice,
}

/// A device's answer to a command as text for the operator: trailing NULs (zero padding) and
/// line ends dropped; a payload that is not printable text is shown in hexadecimal.
pub fn reply_text(bytes: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(bytes) {
        let t = s.trim_end_matches(['\0', '\r', '\n']);
        if !t.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')) {
            return t.to_owned();
        }
    }
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// [`reply_text`] for UTF-16BE content (GT06 replies with encoding 2).
pub fn reply_text_utf16(bytes: &[u8]) -> String {
    let units = bytes.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
    let s: String = char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    reply_text(s.as_bytes())
}

/// Whether `key` names a registered, active device. The check is a read; only a refusal goes
/// through the writer, to be logged like refused fixes.
pub async fn known_device(
    state: &AppState,
    protocol: &'static str,
    key: &str,
    remote: &str,
) -> Result<bool, StoreError> {
    let lookup = key.to_owned();
    let known = state
        .store
        .read(move |c| Ok(Store::find_by::<Device>(c, "imei", &lookup)?.is_some_and(|d| d.accepts_data())))
        .await?;
    if known {
        return Ok(true);
    }
    refuse(state, protocol, key, remote, "unknown or inactive device").await?;
    Ok(false)
}

/// Log a refused report, within the limits of its source (see [`gate`]).
pub async fn refuse(
    state: &AppState,
    protocol: &'static str,
    key: &str,
    remote: &str,
    reason: &'static str,
) -> Result<(), StoreError> {
    let gate::Verdict::Record { count, log } =
        state.gate.admit(gate::source_of(remote), std::time::Instant::now())
    else {
        return Ok(());
    };
    let (key, remote) = (crate::store::clip(key, 64), remote.to_owned());
    if log {
        tracing::warn!(protocol, %key, %remote, reason, held = count - 1, "device report refused (further refusals from this source are counted for a minute)");
    }
    state
        .store
        .write(move |ctx| Store::log_reject(ctx.conn, ctx.now, protocol, &key, &remote, reason, count))
        .await
}

/// Something a device sent that the server counts instead of using (a frame type, an implausible
/// time, an input its model does not read), with the first bytes of the frame when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Unhandled {
    pub what: String,
    pub sample: Option<String>,
}

impl Unhandled {
    pub fn new(what: impl Into<String>) -> Self {
        Self { what: what.into(), sample: None }
    }

    /// With the first 48 bytes of `frame` in hexadecimal.
    pub fn with_frame(what: impl Into<String>, frame: &[u8]) -> Self {
        let hex: String = frame.iter().take(48).map(|b| format!("{b:02X}")).collect();
        Self { what: what.into(), sample: Some(hex) }
    }
}

/// Count, in the caller's write job, what `key` sent and the server did not use; each kind is
/// logged once per process.
fn note_unhandled(
    ctx: &mut WriteCtx<'_>,
    gate: &gate::Gate,
    protocol: &'static str,
    key: &str,
    items: &[Unhandled],
) -> Result<(), StoreError> {
    let mut grouped: Vec<(&str, u64, Option<&str>)> = Vec::new();
    for u in items {
        match grouped.iter_mut().find(|g| g.0 == u.what) {
            Some(g) => {
                g.1 += 1;
                g.2 = u.sample.as_deref().or(g.2);
            }
            None => grouped.push((&u.what, 1, u.sample.as_deref())),
        }
    }
    for (what, n, sample) in grouped {
        if gate.first_time(&format!("{protocol} {what}")) {
            tracing::warn!(protocol, device = %crate::store::clip(key, 64), what, ?sample, "device sent something the server does not use; counted per device (GET /api/v1/ingest/unhandled), logged once");
        }
        Store::count_unhandled(ctx.conn, ctx.now, key, protocol, what, n, sample)?;
    }
    Ok(())
}

/// [`note_unhandled`] as a write job of its own (frames that carry no fix).
pub async fn count_unhandled(
    state: &AppState,
    protocol: &'static str,
    key: &str,
    items: Vec<Unhandled>,
) -> Result<(), StoreError> {
    if items.is_empty() {
        return Ok(());
    }
    let (gate, key) = (state.gate.clone(), key.to_owned());
    state.store.write(move |ctx| note_unhandled(ctx, &gate, protocol, &key, &items)).await
}

/// The registered, active device with this wire identifier.
pub async fn device_of(state: &AppState, key: &str) -> Result<Option<Device>, StoreError> {
    let key = key.to_owned();
    state
        .store
        .read(move |c| Ok(Store::find_by::<Device>(c, "imei", &key)?.filter(Device::accepts_data)))
        .await
}

/// Store a fix for a registered, active device. Resolves after the commit.
pub async fn accept(
    state: &AppState,
    protocol: &'static str,
    remote: String,
    fix: Fix,
) -> Result<Accepted, StoreError> {
    let mut all = accept_batch(state, protocol, remote, vec![fix]).await?;
    Ok(all.pop().unwrap_or(Accepted::UnknownDevice))
}

/// Store a device's reports in one writer job (one commit for a whole replayed packet), run the
/// detectors on them in order, and resolve after the commit with one answer per report.
pub async fn accept_batch(
    state: &AppState,
    protocol: &'static str,
    remote: String,
    fixes: Vec<Fix>,
) -> Result<Vec<Accepted>, StoreError> {
    let monitor = state.monitor.clone();
    let models = state.models.clone();
    let gate = state.gate.clone();
    state
        .store
        .write(move |ctx| {
            let mut devices: HashMap<String, Option<Device>> = HashMap::new();
            let mut samples = Vec::with_capacity(fixes.len());
            let mut answers = Vec::with_capacity(fixes.len());
            let mut newest_fix: HashMap<atalaia_core::ids::DeviceId, Option<DateTime<Utc>>> = HashMap::new();
            // Of a replayed (late) stretch only each device's last point of the batch goes to
            // the live feed; the rest is history.
            let late_after = monitor.lock().engine.config().late_after;
            let mut batch_last: HashMap<String, DateTime<Utc>> = HashMap::new();
            // Each device's newest battery reading in the batch, for its record.
            let mut contacts: HashMap<atalaia_core::ids::DeviceId, (Device, Option<f64>)> = HashMap::new();
            for f in fixes.iter().filter(|f| f.valid) {
                if let Some(t) = f.fix_time {
                    let e = batch_last.entry(f.key.clone()).or_insert(t);
                    *e = (*e).max(t);
                }
            }
            for fix in fixes {
                let device = match devices.get(&fix.key) {
                    Some(d) => d.clone(),
                    None => {
                        let known = monitor.lock().device(&fix.key).cloned();
                        let d = match known {
                            Some(d) => Some(d),
                            None => Store::find_by::<Device>(ctx.conn, "imei", &fix.key)?.filter(Device::accepts_data),
                        };
                        devices.insert(fix.key.clone(), d.clone());
                        d
                    }
                };
                let Some(device) = device else {
                    let verdict = gate.admit(gate::source_of(&remote), std::time::Instant::now());
                    if let gate::Verdict::Record { count, log } = verdict {
                        let key = crate::store::clip(&fix.key, 64);
                        if log {
                            tracing::warn!(protocol, %key, %remote, held = count - 1, "refused message from unknown or inactive device (further refusals from this source are counted for a minute)");
                        }
                        Store::log_reject(ctx.conn, ctx.now, protocol, &key, &remote, "unknown or inactive device", count)?;
                    }
                    answers.push(Accepted::UnknownDevice);
                    continue;
                };
                // What the inputs mean is the device model's to say; what it does not read is
                // counted on the device.
                let mut notes: Vec<Unhandled> = Vec::new();
                let signals = match models.for_device(&device) {
                    Some(model) => {
                        let reading = model.read(&fix.inputs);
                        notes.extend(reading.unused.into_iter().map(|u| Unhandled::new(format!("{u} sem significado no modelo {}", model.id))));
                        reading.signals
                    }
                    None => {
                        notes.push(Unhandled::new(format!("modelo desconhecido {}", device.model.as_deref().unwrap_or("?"))));
                        Vec::new()
                    }
                };
                let (fix, implausible) = plausible(fix, ctx.now);
                notes.extend(implausible);
                if !notes.is_empty() {
                    note_unhandled(ctx, &gate, protocol, &device.imei, &notes)?;
                }
                // Only a fix no newer than what the device already sent can be a resent one:
                // as the detectors saw it, or as the newest position stored (by any server of the
                // cluster: a device that reconnects to another server resends what it lost).
                let newest = *newest_fix.entry(device.id).or_insert_with(|| {
                    let m = monitor.lock();
                    m.engine.last_fix(&device.id).max(m.newest_position(&device.id))
                });
                let last_of_batch = batch_last.get(&fix.key).copied();
                let newest_position = monitor.lock().newest_position(&device.id);
                let live = Live { late_after, last_of_batch, newest_position };
                let contact = contacts.entry(device.id).or_insert((device.clone(), None));
                contact.1 = fix.battery_pct.or(contact.1);
                match store_fix(ctx, protocol, &device, fix, signals, newest, live)? {
                    Some((seq, sample)) => {
                        if sample.at.is_some() {
                            monitor.lock().position_stored(device.id, sample.fix_time);
                        }
                        if !sample.heartbeat {
                            let latest = newest_fix.entry(device.id).or_default();
                            *latest = (*latest).max(Some(sample.fix_time));
                        }
                        samples.push(sample);
                        answers.push(Accepted::Stored { seq });
                    }
                    // A duplicate is acknowledged again but neither stored nor evaluated twice.
                    None => answers.push(Accepted::Stored { seq: 0 }),
                }
            }
            monitor.evaluate(ctx, &samples)?;
            for (device, battery) in contacts.into_values() {
                record_contact(ctx, &device, battery)?;
            }
            Ok(answers)
        })
        .await
}

/// The earliest fix time taken as real: a GPS week rollover, a clock never set, a timestamp of 0
/// or a seconds/milliseconds mix-up lands before it.
fn earliest_plausible() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(946_684_800, 0).unwrap_or_default() // 2000-01-01
}

/// Check a report's time by plausibility. A time before 2000 says nothing about when the device
/// was there: the place is not stored (the report still counts as contact, with its battery and
/// states, at the receive time). A device clock far in the future would freeze the unit on the
/// map (every real fix after it would look late): its time is replaced by the receive time.
/// Either way the device's counter says so.
fn plausible(mut fix: Fix, now: DateTime<Utc>) -> (Fix, Option<Unhandled>) {
    match fix.fix_time {
        Some(t) if t < earliest_plausible() => {
            fix.fix_time = None;
            if fix.valid {
                fix.valid = false;
                fix.heartbeat = true;
            }
            (fix, Some(Unhandled::new("horário implausível (antes de 2000): posição descartada")))
        }
        Some(t) if t > now + MAX_FUTURE => {
            fix.fix_time = None;
            (fix, Some(Unhandled::new("horário no futuro: usado o de recebimento")))
        }
        _ => (fix, None),
    }
}

/// How often a device's record takes its last contact when nothing else changed.
const CONTACT_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// Keep the device's record true to what it sends — last contact and battery from every report,
/// heartbeats and reports without a fix included — saving it (an event on the live feed) only
/// when the battery moved a point or the contact is a minute old.
fn record_contact(ctx: &mut WriteCtx<'_>, known: &Device, battery: Option<f64>) -> Result<(), StoreError> {
    let stale = known.last_contact.is_none_or(|t| ctx.now - t >= CONTACT_EVERY);
    let moved = battery.is_some_and(|b| known.battery_pct.is_none_or(|old| (old - b).abs() >= 1.0));
    if !stale && !moved {
        return Ok(());
    }
    // The stored record, not the cached one: an administrator may have just changed it.
    let Some(mut d) = Store::get::<Device>(ctx.conn, &known.id.to_string())? else { return Ok(()) };
    let stale = d.last_contact.is_none_or(|t| ctx.now - t >= CONTACT_EVERY);
    let moved = battery.is_some_and(|b| d.battery_pct.is_none_or(|old| (old - b).abs() >= 1.0));
    if stale || moved {
        d.last_contact = Some(ctx.now);
        d.battery_pct = battery.or(d.battery_pct);
        ctx.save(&d)?;
    }
    Ok(())
}

/// What decides whether a stored fix is also a live-feed event.
#[derive(Debug, Clone, Copy)]
struct Live {
    late_after: chrono::Duration,
    last_of_batch: Option<DateTime<Utc>>,
    /// Fix time of the device's newest stored position.
    newest_position: Option<DateTime<Utc>>,
}

/// Store one report; `None` when it duplicates a fix already stored.
fn store_fix(
    ctx: &mut WriteCtx<'_>,
    protocol: &'static str,
    device: &Device,
    fix: Fix,
    signals: Vec<atalaia_core::detect::Signal>,
    newest: Option<DateTime<Utc>>,
    live: Live,
) -> Result<Option<(u64, Sample)>, StoreError> {
    let fix_time = fix.fix_time.unwrap_or(ctx.now);
    let p = Position {
        id: PositionId::new(),
        device_id: device.id,
        person_id: device.person_id,
        vehicle_id: device.vehicle_id,
        fix_time,
        recv_time: ctx.now,
        at: fix.at,
        speed_kmh: fix.speed_kmh,
        course_deg: fix.course_deg,
        accuracy_m: fix.accuracy_m,
        altitude_m: fix.altitude_m,
        battery_pct: fix.battery_pct,
        charging: fix.charging,
    };
    let sample = crate::monitor::sample_of(&p, fix.valid, fix.heartbeat, signals);
    // A report without a GNSS fix is contact (and detector input) but not a position.
    if !fix.valid {
        return Ok(Some((0, sample)));
    }
    if fix.fix_time.is_some() && newest.is_some_and(|t| fix_time <= t) && ctx.has_position(&p)? {
        // A frame resent because our acknowledgement was lost — or another packet of the same
        // second and place (a GT06 alarm beside its location): the place is not stored twice,
        // but what the report says about the device is still read.
        tracing::debug!(protocol, key = %fix.key, fix_time = %fix_time, "duplicate fix not stored again");
        let contact = crate::monitor::sample_of(&p, false, true, sample.signals);
        return Ok(Some((0, contact)));
    }
    // A live event only for the device's newest fix (a late one goes to history), and of a
    // replayed stretch only for the batch's last point.
    let replayed = ctx.now - fix_time > live.late_after;
    let event = live.newest_position.is_none_or(|t| fix_time >= t)
        && (!replayed || live.last_of_batch.is_none_or(|t| fix_time >= t));
    let seq = ctx.record_position(&p, event)?;
    if let Some(vid) = device.vehicle_id
        && let Some(mut v) = Store::get::<Vehicle>(ctx.conn, &vid.to_string())?
        && v.telemetry.fix_time.is_none_or(|t| t <= fix_time)
    {
        // A late (replayed) fix goes to history but does not move the vehicle backwards.
        let t = &mut v.telemetry;
        t.position = Some(fix.at);
        t.fix_time = Some(fix_time);
        atalaia_core::samu::fleet::note_fix(t, fix.at, fix_time);
        t.speed_kmh = fix.speed_kmh.unwrap_or(0.0);
        t.course_deg = fix.course_deg.unwrap_or(t.course_deg);
        t.link = fix.link.unwrap_or(Link::Data);
        t.ignition = fix.ignition.unwrap_or(t.ignition);
        t.siren = fix.siren.unwrap_or(t.siren);
        t.light_bar = fix.light_bar.unwrap_or(t.light_bar);
        v.updated_at = ctx.now;
        ctx.save(&v)?;
    }
    Ok(Some((seq, sample)))
}
