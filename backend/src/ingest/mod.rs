//! Device ingest: protocol front-ends decode messages into [`Fix`]es; [`accept`] resolves the
//! device, stores the fix durably and only then lets the front-end acknowledge. Unknown or
//! inactive identifiers are refused and logged (tracing + `ingest_rejects`).

pub mod gt06;
pub mod gt06_tcp;
pub mod osmand;
pub mod tcp;
pub mod teltonika;
pub mod teltonika_tcp;

use crate::server::AppState;
use crate::store::{Store, StoreError, WriteCtx};
use atalaia_core::detect::Sample;
use atalaia_core::detect::Signal;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::PositionId;
use atalaia_core::monitoring::{Device, Position};
use atalaia_core::samu::{Link, Vehicle};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// How far ahead of the server clock a device's fix time may be (clock skew tolerance).
pub const MAX_FUTURE: chrono::Duration = chrono::Duration::minutes(10);

/// A device-state constructor, for protocol tables that map a field to a [`Signal`].
pub type SignalFor = fn(bool) -> Signal;

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
    /// States the device reports (strap, body, tamper …).
    pub signals: Vec<Signal>,
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
    let (key, remote) = (key.to_owned(), remote.to_owned());
    tracing::warn!(protocol, %key, %remote, "refused login from unknown or inactive device");
    state
        .store
        .write(move |ctx| {
            Store::log_reject(ctx.conn, ctx.now, protocol, &key, &remote, "unknown or inactive device")
        })
        .await?;
    Ok(false)
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
                    tracing::warn!(protocol, key = %fix.key, %remote, "refused message from unknown or inactive device");
                    Store::log_reject(ctx.conn, ctx.now, protocol, &fix.key, &remote, "unknown or inactive device")?;
                    answers.push(Accepted::UnknownDevice);
                    continue;
                };
                // Only a fix no newer than what the device already sent can be a resent one.
                let newest = *newest_fix.entry(device.id).or_insert_with(|| monitor.lock().engine.last_fix(&device.id));
                let last_of_batch = batch_last.get(&fix.key).copied();
                let newest_position = monitor.lock().newest_position(&device.id);
                let live = Live { late_after, last_of_batch, newest_position };
                match store_fix(ctx, protocol, &device, fix, newest, live)? {
                    Some((seq, sample)) => {
                        if sample.at.is_some() {
                            monitor.lock().position_stored(device.id, sample.fix_time);
                        }
                        let latest = newest_fix.entry(device.id).or_default();
                        *latest = (*latest).max(Some(sample.fix_time));
                        samples.push(sample);
                        answers.push(Accepted::Stored { seq });
                    }
                    // A duplicate is acknowledged again but neither stored nor evaluated twice.
                    None => answers.push(Accepted::Stored { seq: 0 }),
                }
            }
            monitor.evaluate(ctx, &samples)?;
            Ok(answers)
        })
        .await
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
    newest: Option<DateTime<Utc>>,
    live: Live,
) -> Result<Option<(u64, Sample)>, StoreError> {
    // A device clock far in the future would freeze the unit on the map (every real fix after
    // it would look late): such a time is replaced by the receive time.
    let fix_time = match fix.fix_time {
        Some(t) if t <= ctx.now + MAX_FUTURE => t,
        Some(t) => {
            tracing::warn!(protocol, key = %fix.key, fix_time = %t, "fix dated in the future; receive time used");
            ctx.now
        }
        None => ctx.now,
    };
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
    let sample = crate::monitor::sample_of(&p, fix.valid, fix.heartbeat, fix.signals);
    // A report without a GNSS fix is contact (and detector input) but not a position.
    if !fix.valid {
        return Ok(Some((0, sample)));
    }
    if fix.fix_time.is_some() && newest.is_some_and(|t| fix_time <= t) && Store::has_position(ctx.conn, &p)? {
        tracing::debug!(protocol, key = %fix.key, fix_time = %fix_time, "duplicate fix ignored");
        return Ok(None);
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
