//! Teltonika over TCP: the IMEI handshake (01 accepted, 00 refused and logged), then AVL packets
//! processed in order; each packet is acknowledged with its record count only after every
//! record with a fix is durable. A store failure sends no acknowledgement, so the device resends.

use super::tcp::IDLE;
use super::teltonika::{self, IoValue, Record, io};
use super::{Accepted, Fix, Unhandled, accept_batch, count_unhandled, device_of, known_device};
use crate::commands;
use crate::server::AppState;
use crate::tls::Stream;
use atalaia_core::devices::Input;
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
        inputs: inputs(r),
        command_acks: Vec::new(),
    }
}

/// The record's IO elements (integer ones) and its priority, for the device's model to read:
/// whether IO 10800 is a strap or a temperature depends on the device (docs/DEVICES.md).
fn inputs(r: &Record) -> Vec<Input> {
    let mut out: Vec<Input> =
        r.io.iter()
            .filter_map(|(id, v)| match v {
                IoValue::Int(value) => Some(Input::TeltonikaIo { id: *id, value: *value }),
                IoValue::Bytes(_) => None,
            })
            .collect();
    out.push(Input::TeltonikaPriority(r.priority));
    out
}

/// A decoding error as a counter's name (without the numbers that differ every time).
fn kind_of(e: &teltonika::TeltonikaError) -> String {
    use teltonika::TeltonikaError as E;
    match e {
        E::Codec(c) => format!("codec 0x{c:02X} não suportado"),
        E::Crc { .. } => "CRC inválido".into(),
        E::Preamble { .. } => "bytes fora de um pacote".into(),
        E::Length(_) => "comprimento fora do limite".into(),
        E::Count { .. } => "contagem de registros não confere".into(),
        E::Truncated => "registro truncado".into(),
        E::Time => "horário fora do intervalo".into(),
        E::Imei => "IMEI inválido".into(),
    }
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
        let mut unhandled = Vec::new();
        while let Some(next) = framer.next_packet() {
            let packet = match next {
                Ok(p) => p,
                Err(e) => {
                    // Not acknowledged: a device resends what it sent in a packet we could not
                    // read. Counted on the device, logged once per kind.
                    unhandled.push(Unhandled::new(format!("pacote descartado: {}", kind_of(&e))));
                    continue;
                }
            };
            if let Some(text) = packet.message {
                unhandled
                    .push(Unhandled::new(format!("codec 13 sem uso: {}", crate::store::clip(&text, 40))));
                continue;
            }
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
        if let Err(e) = count_unhandled(&state, "teltonika", &imei, std::mem::take(&mut unhandled)).await {
            tracing::error!(error = %e, "Teltonika counters not recorded");
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
