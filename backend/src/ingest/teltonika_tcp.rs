//! Teltonika over TCP: the IMEI handshake (01 accepted, 00 refused and logged), then AVL packets
//! processed in order; each packet is acknowledged with its record count only after every
//! record with a fix is durable. A store failure sends no acknowledgement, so the device resends.

use super::tcp::IDLE;
use super::teltonika::{self, Record, io};
use super::{Accepted, Fix, accept_batch, device_of, known_device};
use crate::commands;
use crate::server::AppState;
use crate::tls::Stream;
use atalaia_core::detect::Signal;
use atalaia_core::ids::DeviceId;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn fix(imei: &str, r: &Record) -> Fix {
    Fix {
        key: imei.to_owned(),
        fix_time: Some(r.time),
        at: r.at,
        speed_kmh: Some(f64::from(r.speed_kmh)),
        course_deg: Some(f64::from(r.angle_deg)),
        altitude_m: Some(f64::from(r.altitude_m)),
        accuracy_m: None,
        battery_pct: r.io_int(io::BATTERY_LEVEL).map(|b| b as f64),
        charging: r.io_int(io::CHARGER).map(|v| v != 0),
        ignition: r.io_int(io::IGNITION).map(|v| v != 0),
        siren: None,
        light_bar: None,
        link: None,
        valid: r.valid(),
        heartbeat: false,
        signals: signals(r),
        command_acks: Vec::new(),
    }
}

/// Device states from IO elements (the bracelet profile in docs/DEVICES.md).
fn signals(r: &Record) -> Vec<Signal> {
    let named: [(u16, super::SignalFor); 5] = [
        (io::STRAP_OPEN, Signal::StrapOpen),
        (io::BODY_MISSING, Signal::BodyMissing),
        (io::WRONG_INSTALLATION, Signal::WrongInstallation),
        (io::TAMPER, Signal::Tamper),
        (io::JAMMING, Signal::Jamming),
    ];
    named.iter().filter_map(|(id, signal)| r.io_int(*id).map(|v| signal(v != 0))).collect()
}

async fn read_more(stream: &mut Stream, buf: &mut [u8]) -> std::io::Result<Option<usize>> {
    match tokio::time::timeout(IDLE, stream.read(buf)).await {
        Err(_) | Ok(Ok(0)) => Ok(None),
        Ok(n) => n.map(Some),
    }
}

/// Serve one Teltonika connection.
pub async fn connection(mut stream: Stream, remote: SocketAddr, state: AppState) -> std::io::Result<()> {
    let mut buf = [0u8; 4096];
    let mut pending = Vec::new();
    let (imei, used) = loop {
        match teltonika::parse_imei(&pending) {
            Some(Ok(found)) => break found,
            Some(Err(e)) => {
                tracing::warn!(%remote, error = %e, "Teltonika handshake refused");
                stream.write_all(&[0x00]).await?;
                return Ok(());
            }
            None => match read_more(&mut stream, &mut buf).await? {
                Some(n) => pending.extend_from_slice(&buf[..n]),
                None => return Ok(()),
            },
        }
    };
    match known_device(&state, "teltonika", &imei, &remote.to_string()).await {
        Ok(true) => stream.write_all(&[0x01]).await?,
        Ok(false) => {
            stream.write_all(&[0x00]).await?;
            return Ok(());
        }
        Err(e) => {
            tracing::error!(error = %e, "Teltonika login check failed");
            return Ok(());
        }
    }
    tracing::info!(%remote, %imei, "Teltonika device logged in");
    let device = match device_of(&state, &imei).await {
        Ok(Some(d)) => d.id,
        _ => return Ok(()),
    };
    let notify = state.commands.subscribe(device);
    send_commands(&state, device, &mut stream, true).await?;
    let mut framer = teltonika::Framer::default();
    framer.push(&pending[used..]);
    loop {
        while let Some(next) = framer.next_packet() {
            let packet = match next {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(%remote, error = %e, "Teltonika packet skipped");
                    continue;
                }
            };
            if let Some(reply) = packet.response {
                // Codec 12 responses name no command: they answer the oldest one sent.
                let answer = commands::Answer::Oldest;
                if let Err(e) = commands::acknowledge(&state.store, device, answer, Some(reply)).await {
                    tracing::error!(error = %e, "Teltonika command response not recorded");
                }
                continue;
            }
            // One commit for the whole packet (a replayed backlog arrives as full packets).
            let fixes: Vec<Fix> = packet.records.iter().map(|r| fix(&imei, r)).collect();
            match accept_batch(&state, "teltonika", remote.to_string(), fixes).await {
                Ok(answers) if answers.contains(&Accepted::UnknownDevice) => return Ok(()),
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "Teltonika packet not stored; not acknowledged");
                    return Ok(());
                }
            }
            stream.write_all(&teltonika::ack(packet.records.len())).await?;
        }
        let read = tokio::select! {
            r = read_more(&mut stream, &mut buf) => Some(r?),
            () = notify.notified() => None,
        };
        match read {
            None => send_commands(&state, device, &mut stream, false).await?,
            Some(Some(n)) => framer.push(&buf[..n]),
            Some(None) => return Ok(()),
        }
    }
}

/// Write the device's commands as Codec 12 GPRS commands.
async fn send_commands(
    state: &AppState,
    device: DeviceId,
    stream: &mut Stream,
    at_login: bool,
) -> std::io::Result<()> {
    commands::send_on(&state.store, device, stream, at_login, "teltonika", |c| {
        teltonika::encode_command(&c.kind.text())
    })
    .await
}
