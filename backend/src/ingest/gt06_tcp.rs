//! GT06 over TCP: one task per connection, frames processed in order (per-device ordering), and
//! every acknowledgement written only after what it acknowledges is durable. A connection must
//! log in with a registered, active IMEI first; an unknown IMEI is logged and disconnected
//! without an acknowledgement, so the device keeps its data and retries.

use super::gt06::{self, Location, Message, Status};
use super::tcp::IDLE;
use super::{Accepted, Fix, accept_batch, device_of, known_device};
use crate::commands;
use crate::server::AppState;
use crate::tls::Stream;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::DeviceId;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Notify;

/// GT06 voltage level (0 = no power … 6 = full) as an approximate percentage.
fn battery_from_level(level: u8) -> f64 {
    match level {
        0 => 0.0,
        1 => 5.0,
        2 => 10.0,
        3 => 25.0,
        4 => 50.0,
        5 => 75.0,
        _ => 100.0,
    }
}

fn fix(imei: &str, l: &Location, charging: Option<bool>) -> Fix {
    Fix {
        key: imei.to_owned(),
        fix_time: Some(l.fix_time),
        at: l.at,
        speed_kmh: Some(l.speed_kmh),
        course_deg: Some(l.course_deg),
        altitude_m: None,
        accuracy_m: None,
        battery_pct: None,
        charging,
        ignition: None,
        siren: None,
        light_bar: None,
        link: None,
        // A location the device itself marks as not positioned is GNSS loss, not a place.
        valid: l.valid,
        heartbeat: false,
        signals: Vec::new(),
        command_acks: Vec::new(),
    }
}

/// A heartbeat is contact with battery and charging state but no place.
fn heartbeat(imei: &str, status: &Status, voltage_level: u8) -> Fix {
    Fix {
        key: imei.to_owned(),
        fix_time: None,
        at: LatLon { lat: 0.0, lon: 0.0 },
        speed_kmh: None,
        course_deg: None,
        altitude_m: None,
        accuracy_m: None,
        battery_pct: Some(battery_from_level(voltage_level)),
        charging: Some(status.charging),
        ignition: None,
        siren: None,
        light_bar: None,
        link: None,
        valid: false,
        heartbeat: true,
        signals: Vec::new(),
        command_acks: Vec::new(),
    }
}

/// Serve one GT06 connection. Every complete frame already received is handled as one batch:
/// one commit for a replayed backlog instead of one per frame, then the acknowledgements in
/// frame order.
pub async fn connection(mut stream: Stream, remote: SocketAddr, state: AppState) -> std::io::Result<()> {
    let mut framer = gt06::Framer::default();
    let mut imei: Option<String> = None;
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
        while let Some(next) = framer.next_frame() {
            let frame = match next {
                Ok(f) => f,
                Err(e) => {
                    tracing::warn!(%remote, error = %e, "GT06 frame skipped");
                    continue;
                }
            };
            let message = match gt06::decode(&frame) {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(%remote, error = %e, "GT06 packet not decoded");
                    continue;
                }
            };
            if let Message::Login { imei: id } = &message {
                // Whatever came before belongs to the previous identity: settle it first.
                if !flush(&state, remote, &mut stream, &mut batch, &mut acks).await? {
                    return Ok(());
                }
                match known_device(&state, "gt06", id, &remote.to_string()).await {
                    Ok(true) => {
                        tracing::info!(%remote, imei = %id, "GT06 device logged in");
                        imei = Some(id.clone());
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
            let Some(id) = imei.as_deref() else {
                tracing::warn!(%remote, protocol = frame.protocol, "GT06 packet before login ignored");
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
                Message::Location(l) => batch.push(fix(id, l, None)),
                Message::Alarm { location, status, .. } => {
                    batch.push(fix(id, location, Some(status.charging)))
                }
                Message::Heartbeat { status, voltage_level, .. } => {
                    batch.push(heartbeat(id, status, *voltage_level))
                }
                _ => {}
            }
            if let Some(ack) = gt06::ack_for(&frame) {
                acks.push(ack);
            }
        }
        if !flush(&state, remote, &mut stream, &mut batch, &mut acks).await? {
            return Ok(());
        }
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
