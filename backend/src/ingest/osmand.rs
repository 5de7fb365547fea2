//! OsmAnd / Traccar Client HTTP protocol (Traccar's port 5055): `GET|POST /?id=..&lat=..&lon=..`
//! with the same keys in a form body, or the JSON body of newer Traccar Client versions.
//! Semantics follow Traccar's decoder: `speed` is in knots; `timestamp` is Unix seconds,
//! milliseconds, ISO 8601 or `yyyy-MM-dd HH:mm:ss` (UTC); an unknown id answers 400.

use super::{Accepted, Fix, accept};
use crate::error::ApiError;
use crate::server::AppState;
use crate::tls::Remote;
use atalaia_core::devices::Input;
use atalaia_core::geom::LatLon;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use std::collections::HashMap;

const KNOT_KMH: f64 = 1.852;
const MPS_KMH: f64 = 3.6;

pub fn router(state: AppState) -> Router {
    Router::new().fallback(handle).with_state(state)
}

/// A report is a few hundred bytes; anything near this is not a report.
pub const MAX_BODY: usize = 64 * 1024;
/// Longest device identifier accepted (registration allows no longer).
const MAX_ID: usize = 64;

async fn handle(
    State(state): State<AppState>,
    ConnectInfo(Remote(remote)): ConnectInfo<Remote>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Unauthenticated: read no more than a report can be, and keep what a refusal writes and
    // logs within its source's limits (gate).
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            if let Err(e) =
                super::refuse(&state, "osmand", "?", &remote.to_string(), "corpo maior que 64 KiB").await
            {
                tracing::error!(error = %e, "refused OsmAnd request not logged");
            }
            return ApiError::TooLarge(MAX_BODY).into_response();
        }
    };
    let fix = match decode(uri.query(), &headers, &body) {
        Ok(f) => f,
        Err(msg) => {
            let verdict =
                state.gate.admit(super::gate::source_of(&remote.to_string()), std::time::Instant::now());
            if let super::gate::Verdict::Record { log: true, count } = verdict {
                tracing::warn!(%remote, error = %msg, held = count - 1, "malformed OsmAnd message (further ones from this source are not logged for a minute)");
            }
            return ApiError::BadRequest(msg).into_response();
        }
    };
    let key = fix.key.clone();
    let acks = fix.command_acks.clone();
    match accept(&state, "osmand", remote.to_string(), fix).await {
        Ok(Accepted::Stored { .. }) => match crate::commands::osmand_exchange(&state, &key, &acks).await {
            Ok(body) if body.is_empty() => StatusCode::OK.into_response(),
            Ok(body) => (StatusCode::OK, body).into_response(),
            // The report itself is stored: a command failure must not make the device resend it.
            Err(e) => {
                tracing::error!(error = %e, "OsmAnd command exchange failed");
                StatusCode::OK.into_response()
            }
        },
        Ok(Accepted::UnknownDevice) => ApiError::UnknownDevice(key).into_response(),
        Err(e) => ApiError::Internal(e.to_string()).into_response(),
    }
}

/// Decode one request into a fix; the error is a Portuguese message for the problem body.
pub fn decode(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Result<Fix, String> {
    // As Traccar: a JSON content type means the JSON form whatever the URL carries.
    let json_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"));
    match query.filter(|q| !q.is_empty()) {
        _ if json_type => decode_json(body),
        Some(q) => decode_params(&parse_form(q.as_bytes())),
        None if body.first() == Some(&b'{') => decode_json(body),
        None => decode_params(&parse_form(body)),
    }
}

fn parse_form(raw: &[u8]) -> HashMap<String, String> {
    raw.split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let mut it = pair.splitn(2, |b| *b == b'=');
            (percent_decode(it.next().unwrap_or_default()), percent_decode(it.next().unwrap_or_default()))
        })
        .collect()
}

fn percent_decode(s: &[u8]) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let escaped = match (s[i], s.get(i + 1).copied().and_then(hex), s.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => Some((hi * 16 + lo) as u8),
            _ => None,
        };
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(if s[i] == b'+' { b' ' } else { s[i] });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn num(params: &HashMap<String, String>, key: &str) -> Result<Option<f64>, String> {
    match params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| format!("valor numérico inválido em '{key}': {}", crate::store::clip(v, 40))),
    }
}

/// The vehicle unit's link (`link=data|satellite`; a vehicle tracker's own parameter, RFS051).
fn link(params: &HashMap<String, String>) -> Option<atalaia_core::samu::Link> {
    match params.get("link").map(|v| v.to_ascii_lowercase()).as_deref() {
        Some("data" | "gprs" | "lte" | "4g" | "3g") => Some(atalaia_core::samu::Link::Data),
        Some("satellite" | "sat") => Some(atalaia_core::samu::Link::Satellite),
        _ => None,
    }
}

fn flag(params: &HashMap<String, String>, key: &str) -> Option<bool> {
    params.get(key).map(|v| matches!(v.trim(), "true" | "1"))
}

/// Integer timestamps at least this large are milliseconds: as seconds it would be the year
/// 5138, as milliseconds it is March 1973. (Traccar's rule, seconds below 2^31, reads every time
/// after January 2038 as milliseconds in 1970.)
const MILLIS_FROM: i64 = 100_000_000_000;

pub fn parse_timestamp(v: &str) -> Result<DateTime<Utc>, String> {
    let v = v.trim();
    if let Ok(n) = v.parse::<i64>() {
        let ms = if n.abs() >= MILLIS_FROM { n } else { n.saturating_mul(1000) };
        return Utc
            .timestamp_millis_opt(ms)
            .single()
            .ok_or_else(|| format!("timestamp fora do intervalo: {}", crate::store::clip(v, 40)));
    }
    if v.contains('T') {
        return DateTime::parse_from_rfc3339(v)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| format!("timestamp ISO 8601 inválido: {}", crate::store::clip(v, 40)));
    }
    NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S")
        .map(|t| t.and_utc())
        .map_err(|_| format!("timestamp inválido: {}", crate::store::clip(v, 40)))
}

fn decode_params(params: &HashMap<String, String>) -> Result<Fix, String> {
    let key = params
        .get("id")
        .or_else(|| params.get("deviceid"))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or("parâmetro 'id' ausente")?;
    if key.len() > MAX_ID {
        return Err(format!("identificador do dispositivo longo demais ({} bytes; até {MAX_ID})", key.len()));
    }
    // A report with only cell towers or Wi-Fi networks (Traccar's `cell=` / `wifi=`) has no
    // GNSS place: it is contact (and GNSS-loss evidence) at the last known place.
    let towers_only = !params.contains_key("location")
        && !params.contains_key("lat")
        && !params.contains_key("lon")
        && (params.contains_key("cell") || params.contains_key("wifi"));
    let (lat, lon) = match params.get("location") {
        _ if towers_only => (0.0, 0.0),
        Some(loc) => {
            let mut parts = loc.split(',').map(|x| x.trim().parse::<f64>());
            match (parts.next(), parts.next()) {
                (Some(Ok(a)), Some(Ok(b))) => (a, b),
                _ => return Err(format!("parâmetro 'location' inválido: {}", crate::store::clip(loc, 40))),
            }
        }
        None => (
            num(params, "lat")?.ok_or("parâmetro 'lat' ausente")?,
            num(params, "lon")?.ok_or("parâmetro 'lon' ausente")?,
        ),
    };
    let at = LatLon::new(lat, lon).map_err(|e| format!("coordenadas inválidas: {e}"))?;
    let fix_time = params.get("timestamp").map(|t| parse_timestamp(t)).transpose()?;
    Ok(Fix {
        key,
        fix_time,
        at,
        speed_kmh: num(params, "speed")?.map(|kn| kn * KNOT_KMH),
        course_deg: num(params, "bearing")?.or(num(params, "heading")?),
        altitude_m: num(params, "altitude")?,
        accuracy_m: num(params, "accuracy")?,
        battery_pct: num(params, "batt")?,
        charging: flag(params, "charge"),
        ignition: flag(params, "ignition"),
        siren: flag(params, "siren"),
        light_bar: flag(params, "lightbar"),
        link: link(params),
        heartbeat: false,
        valid: !towers_only && params.get("valid").is_none_or(|v| !matches!(v.trim(), "false" | "0")),
        inputs: inputs(params)?,
        command_acks: match params.get("ack").map(|a| a.trim()).filter(|a| !a.is_empty()) {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(|t| {
                    t.trim()
                        .parse::<u32>()
                        .map_err(|_| format!("valor inválido em 'ack': {}", crate::store::clip(t, 40)))
                })
                .collect::<Result<_, _>>()?,
        },
    })
}

/// Alarms and states carried as parameters (docs/DEVICES.md): Traccar's `alarm` vocabulary for
/// one-shot alarms (several joined with commas), and explicit states so a device can also report
/// a condition clearing. What they mean is the device model's to say.
fn inputs(params: &HashMap<String, String>) -> Result<Vec<Input>, String> {
    let mut out = Vec::new();
    if let Some(alarm) = params.get("alarm") {
        for a in alarm.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            if a.len() > 64 {
                return Err("valor longo demais em 'alarm'".into());
            }
            out.push(Input::Alarm(a.to_owned()));
        }
    }
    for key in ["strap", "body", "install", "tamper", "jamming"] {
        let on = match params.get(key).map(|v| v.trim()) {
            None | Some("") => continue,
            Some("1" | "true" | "open" | "cut" | "missing" | "wrong" | "on") => true,
            Some("0" | "false" | "closed" | "ok" | "present" | "off") => false,
            Some(v) => return Err(format!("valor inválido em '{key}': {}", crate::store::clip(v, 40))),
        };
        out.push(Input::State { name: key.to_owned(), on });
    }
    Ok(out)
}

#[derive(Debug, Deserialize)]
struct JsonBody {
    device_id: String,
    location: JsonLocation,
}

#[derive(Debug, Deserialize)]
struct JsonLocation {
    timestamp: Option<String>,
    coords: JsonCoords,
    battery: Option<JsonBattery>,
}

#[derive(Debug, Deserialize)]
struct JsonCoords {
    latitude: f64,
    longitude: f64,
    speed: Option<f64>,
    heading: Option<f64>,
    altitude: Option<f64>,
    accuracy: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct JsonBattery {
    level: Option<f64>,
    is_charging: Option<bool>,
}

/// The JSON form: speed in m/s, battery level as a 0–1 fraction.
fn decode_json(body: &[u8]) -> Result<Fix, String> {
    let b: JsonBody = serde_json::from_slice(body).map_err(|e| format!("JSON inválido: {e}"))?;
    let c = &b.location.coords;
    let at = LatLon::new(c.latitude, c.longitude).map_err(|e| format!("coordenadas inválidas: {e}"))?;
    Ok(Fix {
        key: b.device_id.trim().to_owned(),
        fix_time: b.location.timestamp.as_deref().map(parse_timestamp).transpose()?,
        at,
        speed_kmh: c.speed.filter(|s| *s >= 0.0).map(|mps| mps * MPS_KMH),
        course_deg: c.heading.filter(|h| *h >= 0.0),
        altitude_m: c.altitude,
        accuracy_m: c.accuracy,
        battery_pct: b
            .location
            .battery
            .as_ref()
            .and_then(|x| x.level)
            .filter(|l| *l >= 0.0)
            .map(|l| l * 100.0),
        charging: b.location.battery.as_ref().and_then(|x| x.is_charging),
        valid: true,
        heartbeat: false,
        inputs: Vec::new(),
        command_acks: Vec::new(),
        ignition: None,
        siren: None,
        light_bar: None,
        link: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Result<Fix, String> {
        decode(Some(s), &HeaderMap::new(), b"")
    }

    #[test]
    fn query_form_as_traccar_client_sends_it() {
        let f = q("id=860000000000001&lat=-8.7612&lon=-63.9004&timestamp=1795000000&speed=10&bearing=90&batt=87.5&charge=true")
            .expect("decode");
        assert_eq!(f.key, "860000000000001");
        assert_eq!(f.at, LatLon { lat: -8.7612, lon: -63.9004 });
        assert_eq!(f.fix_time, Utc.timestamp_opt(1_795_000_000, 0).single());
        assert!((f.speed_kmh.expect("speed") - 18.52).abs() < 1e-9, "knots to km/h");
        assert_eq!(f.course_deg, Some(90.0));
        assert_eq!(f.battery_pct, Some(87.5));
        assert_eq!(f.charging, Some(true));
    }

    #[test]
    fn timestamps_in_every_traccar_form() {
        let secs = parse_timestamp("1795000000").expect("secs");
        assert_eq!(parse_timestamp("1795000000000").expect("ms"), secs);
        assert_eq!(parse_timestamp(&secs.to_rfc3339()).expect("iso"), secs);
        let plain = secs.format("%Y-%m-%d %H:%M:%S").to_string();
        assert_eq!(parse_timestamp(&plain).expect("plain"), secs);
        assert!(parse_timestamp("yesterday").is_err());
    }

    /// Read by magnitude: seconds after 2038 stay seconds (Traccar's 2^31 rule made the year 2100
    /// 1970-02-17), milliseconds stay milliseconds; 0 and −1 parse, and ingest then refuses them
    /// as implausible (before 2000).
    #[test]
    fn req_9_37_timestamps_are_read_by_magnitude() {
        let y2100 = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).single().expect("time");
        assert_eq!(parse_timestamp("4102444800").expect("seconds"), y2100);
        assert_eq!(parse_timestamp("4102444800000").expect("ms"), y2100);
        let y2040 = Utc.with_ymd_and_hms(2040, 6, 1, 12, 0, 0).single().expect("time");
        assert_eq!(parse_timestamp(&y2040.timestamp().to_string()).expect("secs"), y2040);
        assert_eq!(parse_timestamp(&y2040.timestamp_millis().to_string()).expect("ms"), y2040);
        assert_eq!(parse_timestamp("0").expect("zero").timestamp(), 0);
        assert_eq!(parse_timestamp("-1").expect("minus one").timestamp(), -1);
    }

    #[test]
    fn a_report_with_only_cell_towers_is_contact_without_a_place() {
        let f = q("id=abc&cell=724,5,1234,5678&batt=40").expect("towers only");
        assert!(!f.valid && !f.heartbeat, "GNSS-less contact, evidence of GNSS loss");
        assert_eq!(f.battery_pct, Some(40.0));
        let f = q("id=abc&wifi=AA:BB:CC:DD:EE:FF,-60").expect("wifi only");
        assert!(!f.valid);
        assert!(q("id=abc&batt=40").expect_err("nothing at all").contains("lat"));
    }

    #[test]
    fn long_identifiers_and_values_are_refused_without_echoing_them() {
        let id = "x".repeat(1_000_000);
        let e = q(&format!("id={id}&lat=1&lon=2")).expect_err("too long");
        assert!(e.len() < 200 && e.contains("longo demais"), "{}", &e[..e.len().min(300)]);
        let e = q(&format!("id=a&lat={}&lon=2", "9".repeat(100_000))).expect_err("bad number");
        assert!(e.len() < 200, "{}", e.len());
    }

    #[test]
    fn form_body_and_json_body() {
        let f = decode(None, &HeaderMap::new(), b"deviceid=abc&location=-19.9%2C-43.9").expect("form");
        assert_eq!((f.key.as_str(), f.at.lat, f.at.lon), ("abc", -19.9, -43.9));
        let json = br#"{"device_id":"abc","location":{"timestamp":"2026-11-22T03:00:00Z",
            "coords":{"latitude":-19.9,"longitude":-43.9,"speed":10.0,"heading":-1,"accuracy":5},
            "battery":{"level":0.5,"is_charging":false}}}"#;
        let f = decode(None, &HeaderMap::new(), json).expect("json");
        assert_eq!(f.speed_kmh, Some(36.0));
        assert_eq!(f.course_deg, None, "-1 means unknown heading");
        assert_eq!(f.battery_pct, Some(50.0));
    }

    #[test]
    fn malformed_input_is_refused_with_a_reason() {
        assert!(q("lat=1&lon=2").expect_err("no id").contains("id"));
        assert!(q("id=a&lat=x&lon=2").expect_err("bad lat").contains("lat"));
        assert!(q("id=a&lat=91&lon=2").expect_err("range").contains("coordenadas"));
        assert!(q("id=a&lat=NaN&lon=2").is_err());
        assert!(decode(None, &HeaderMap::new(), b"{\"device_id\":1}").is_err());
    }
}
