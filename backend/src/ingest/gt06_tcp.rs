//! GT06 over TCP: one task per connection, frames processed in order (per-device ordering), and
//! every acknowledgement written only after what it acknowledges is durable. A connection must
//! log in with a registered, active IMEI first; an unknown IMEI is logged and disconnected
//! without an acknowledgement, so the device keeps its data and retries. The login's time zone
//! converts the device's clock to UTC. What the server understands but does not use, or does
//! not understand, is acknowledged as the protocol says and counted on the device.

use super::gt06::{self, Location, Message, StatusReport};
use super::tcp::IDLE;
use super::{Accepted, Fix, Unhandled, accept_batch, count_unhandled, device_of, known_device};
use crate::commands;
use crate::server::AppState;
use crate::tls::Stream;
use atalaia_core::devices::Input;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::DeviceId;
use chrono::{DateTime, Utc};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Notify;

/// The logged-in device of a connection.
struct Session {
    imei: String,
    /// The device's clock runs this many minutes east of UTC (its login said so).
    tz_offset_min: i32,
}

impl Session {
    fn utc(&self, device_time: DateTime<Utc>) -> DateTime<Utc> {
        device_time - chrono::Duration::minutes(i64::from(self.tz_offset_min))
    }
}

fn blank(imei: &str) -> Fix {
    Fix {
        key: imei.to_owned(),
        fix_time: None,
        at: LatLon { lat: 0.0, lon: 0.0 },
        speed_kmh: None,
        course_deg: None,
        altitude_m: None,
        accuracy_m: None,
        battery_pct: None,
        charging: None,
        ignition: None,
        siren: None,
        light_bar: None,
        link: None,
        valid: false,
        heartbeat: false,
        inputs: Vec::new(),
        command_acks: Vec::new(),
    }
}

fn located(s: &Session, l: &Location) -> Fix {
    Fix {
        fix_time: Some(s.utc(l.fix_time)),
        at: l.at,
        speed_kmh: Some(l.speed_kmh),
        course_deg: Some(l.course_deg),
        // A location the device itself marks as not positioned is GNSS loss, not a place.
        valid: l.valid,
        ..blank(&s.imei)
    }
}

/// Battery, charging and the status and alarm fields (for the device's model to read).
fn with_report(mut f: Fix, r: &StatusReport) -> Fix {
    f.battery_pct = r.battery.map(gt06::Battery::percent);
    f.charging = Some(r.status.charging);
    f.inputs.push(Input::Gt06Status(r.status.alarm_bits));
    if r.alarm != 0 {
        f.inputs.push(Input::Gt06Alarm(r.alarm));
    }
    f
}

/// What a decoded message means for the store: a fix (or contact) to accept, or something to
/// count.
fn interpret(s: &Session, m: &Message, frame: &gt06::Frame) -> (Option<Fix>, Option<Unhandled>) {
    match m {
        Message::Location(l) => (Some(located(s, l)), None),
        Message::Alarm { location: Some(l), report } => (Some(with_report(located(s, l), report)), None),
        // An alarm with cell towers only: the device has no GNSS fix.
        Message::Alarm { location: None, report } => (Some(with_report(blank(&s.imei), report)), None),
        // A heartbeat carries no GNSS information at all: contact and battery only.
        Message::Heartbeat(report) => {
            (Some(Fix { heartbeat: true, ..with_report(blank(&s.imei), report) }), None)
        }
        // Cell towers or Wi-Fi instead of GNSS: contact without a place, dated by the device.
        Message::Towers { time } => (Some(Fix { fix_time: Some(s.utc(*time)), ..blank(&s.imei) }), None),
        Message::Info { subtype } => {
            let what = match subtype {
                Some(sub) => format!("informação 0x94/0x{sub:02X} sem uso"),
                None => "informação 0x94 sem uso".to_owned(),
            };
            (None, Some(Unhandled::with_frame(what, &frame.content)))
        }
        Message::Unsupported { protocol } => {
            let what = format!("{} não suportado", gt06::protocol_name(*protocol, frame.long));
            (None, Some(Unhandled::with_frame(what, &frame.content)))
        }
        Message::Login { .. } | Message::TimeRequest | Message::CommandReply { .. } => (None, None),
    }
}

/// Serve one GT06 connection. Every complete frame already received is handled as one batch:
/// one commit for a replayed backlog instead of one per frame, then the acknowledgements in
/// frame order.
pub async fn connection(mut stream: Stream, remote: SocketAddr, state: AppState) -> std::io::Result<()> {
    let mut framer = gt06::Framer::default();
    let mut session: Option<Session> = None;
    let mut device: Option<(DeviceId, Arc<Notify>)> = None;
    let mut serial: u16 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let read = tokio::select! {
            r = tokio::time::timeout(IDLE, stream.read(&mut buf)) => Some(r),
            () = commands::queued(device.as_ref().map(|d| d.1.as_ref())) => None,
        };
        let n = match read {
            None => {
                if let Some((id, _)) = &device {
                    send_commands(&state, *id, &mut stream, &mut serial, false).await?;
                }
                continue;
            }
            Some(Err(_) | Ok(Ok(0))) => return Ok(()),
            Some(Ok(n)) => n?,
        };
        framer.push(&buf[..n]);
        let mut batch: Vec<Fix> = Vec::new();
        let mut acks: Vec<Vec<u8>> = Vec::new();
        let mut unhandled: Vec<Unhandled> = Vec::new();
        while let Some(next) = framer.next_frame() {
            let frame = match next {
                Ok(f) => f,
                Err(e) => {
                    // Not acknowledged (the device resends what it sent in a frame we could not
                    // read); counted, logged once per kind.
                    unhandled.push(Unhandled::new(format!("quadro descartado: {}", frame_error(&e))));
                    continue;
                }
            };
            let message = match gt06::decode(&frame) {
                Ok(m) => m,
                Err(e) => {
                    let what =
                        format!("{} não decodificado: {e}", gt06::protocol_name(frame.protocol, frame.long));
                    unhandled.push(Unhandled::with_frame(what, &frame.content));
                    continue;
                }
            };
            if let Message::Login { imei: id, tz_offset_min, .. } = &message {
                // Whatever came before belongs to the previous identity: settle it first.
                if !flush(&state, remote, &mut stream, &mut batch, &mut acks).await? {
                    return Ok(());
                }
                note(&state, session.as_ref(), remote, std::mem::take(&mut unhandled)).await;
                match known_device(&state, "gt06", id, &remote.to_string()).await {
                    Ok(true) => {
                        tracing::info!(%remote, imei = %id, tz_offset_min, "GT06 device logged in");
                        session =
                            Some(Session { imei: id.clone(), tz_offset_min: tz_offset_min.unwrap_or(0) });
                        if let Some(ack) = gt06::ack_for(&frame) {
                            stream.write_all(&ack).await?;
                        }
                        // Commands queued while it was away go out right after the login.
                        if let Ok(Some(d)) = device_of(&state, id).await {
                            device = Some((d.id, state.commands.subscribe(d.id)));
                            send_commands(&state, d.id, &mut stream, &mut serial, true).await?;
                        }
                        continue;
                    }
                    Ok(false) => return Ok(()),
                    Err(e) => {
                        tracing::error!(error = %e, "GT06 login check failed");
                        return Ok(());
                    }
                }
            }
            let Some(s) = session.as_ref() else {
                unhandled.push(Unhandled::with_frame(
                    format!("{} antes do login", gt06::protocol_name(frame.protocol, frame.long)),
                    &frame.content,
                ));
                continue;
            };
            match &message {
                Message::CommandReply { server_flag, text } => {
                    if let Some((dev, _)) = &device {
                        let answer = commands::Answer::Tag(*server_flag);
                        if let Err(e) =
                            commands::acknowledge(&state.store, *dev, answer, Some(text.clone())).await
                        {
                            tracing::error!(error = %e, "GT06 command reply not recorded");
                        }
                    }
                }
                Message::TimeRequest => acks.push(gt06::time_reply(frame.serial, state.clock.now())),
                _ => {}
            }
            let (fix, note) = interpret(s, &message, &frame);
            batch.extend(fix);
            unhandled.extend(note);
            if let Some(ack) = gt06::ack_for(&frame) {
                acks.push(ack);
            }
        }
        if !flush(&state, remote, &mut stream, &mut batch, &mut acks).await? {
            return Ok(());
        }
        note(&state, session.as_ref(), remote, unhandled).await;
    }
}

fn frame_error(e: &gt06::FrameError) -> &'static str {
    match e {
        gt06::FrameError::Garbage { .. } => "bytes fora de um quadro",
        gt06::FrameError::Crc { .. } => "CRC inválido",
        gt06::FrameError::Stop => "sem 0D 0A no fim",
        gt06::FrameError::Length(_) => "comprimento fora do limite",
    }
}

/// Count what the device (or, before a login, its address) sent and the server did not use.
async fn note(state: &AppState, session: Option<&Session>, remote: SocketAddr, items: Vec<Unhandled>) {
    let key = match session {
        Some(s) => s.imei.clone(),
        None => format!("sem login {}", remote.ip()),
    };
    if let Err(e) = count_unhandled(state, "gt06", &key, items).await {
        tracing::error!(error = %e, "GT06 counters not recorded");
    }
}

/// Write the device's commands as GT06 online commands (server flag = command tag).
async fn send_commands(
    state: &AppState,
    device: DeviceId,
    stream: &mut Stream,
    serial: &mut u16,
    at_login: bool,
) -> std::io::Result<()> {
    commands::send_on(&state.store, device, stream, at_login, "gt06", |c| {
        *serial = serial.wrapping_add(1);
        gt06::encode_command(c.tag, &c.kind.text(), *serial)
    })
    .await
}

/// Store the batch, then send its acknowledgements. `Ok(false)`: stop talking to this device
/// (deactivated meanwhile, or the store failed and the device must resend later).
async fn flush(
    state: &AppState,
    remote: SocketAddr,
    stream: &mut Stream,
    batch: &mut Vec<Fix>,
    acks: &mut Vec<Vec<u8>>,
) -> std::io::Result<bool> {
    if !batch.is_empty() {
        match accept_batch(state, "gt06", remote.to_string(), std::mem::take(batch)).await {
            Ok(answers) if answers.contains(&Accepted::UnknownDevice) => return Ok(false),
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "GT06 batch not stored; not acknowledged");
                return Ok(false);
            }
        }
    }
    let out: Vec<u8> = acks.drain(..).flatten().collect();
    if !out.is_empty() {
        stream.write_all(&out).await?;
    }
    Ok(true)
}
