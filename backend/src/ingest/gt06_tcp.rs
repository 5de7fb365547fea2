//! GT06 over TCP: one task per connection, frames processed in order (per-device ordering), and
//! every acknowledgement written only after what it acknowledges is durable. A connection must
//! log in with a registered, active IMEI first; an unknown IMEI is logged and disconnected
//! without an acknowledgement, so the device keeps its data and retries.

use super::gt06::{self, Frame, Location, Message};
use super::tcp::IDLE;
use super::{Accepted, Fix, accept, known_device};
use crate::server::AppState;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn fix(imei: &str, l: &Location) -> Fix {
    Fix {
        key: imei.to_owned(),
        fix_time: Some(l.fix_time),
        at: l.at,
        speed_kmh: Some(l.speed_kmh),
        course_deg: Some(l.course_deg),
        altitude_m: None,
        accuracy_m: None,
        battery_pct: None,
        charging: None,
        ignition: None,
        siren: None,
        light_bar: None,
    }
}

/// Serve one GT06 connection.
pub async fn connection(mut stream: TcpStream, remote: SocketAddr, state: AppState) -> std::io::Result<()> {
    let mut framer = gt06::Framer::default();
    let mut imei: Option<String> = None;
    let mut buf = [0u8; 4096];
    loop {
        let n = match tokio::time::timeout(IDLE, stream.read(&mut buf)).await {
            Err(_) | Ok(Ok(0)) => return Ok(()),
            Ok(n) => n?,
        };
        framer.push(&buf[..n]);
        while let Some(next) = framer.next_frame() {
            let frame = match next {
                Ok(f) => f,
                Err(e) => {
                    tracing::warn!(%remote, error = %e, "GT06 frame skipped");
                    continue;
                }
            };
            match handle(&state, remote, &mut imei, &frame).await {
                Step::Ack => {
                    if let Some(ack) = gt06::ack_for(&frame) {
                        stream.write_all(&ack).await?;
                    }
                }
                Step::Continue => {}
                Step::Close => return Ok(()),
            }
        }
    }
}

enum Step {
    /// Processed (durably, if it carried data): send the frame's acknowledgement if it has one.
    Ack,
    /// Nothing to acknowledge (skipped, or a failure the device should retry).
    Continue,
    Close,
}

async fn handle(state: &AppState, remote: SocketAddr, imei: &mut Option<String>, frame: &Frame) -> Step {
    let message = match gt06::decode(frame) {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(%remote, error = %e, "GT06 packet not decoded");
            return Step::Continue;
        }
    };
    if let Message::Login { imei: id } = &message {
        return match known_device(state, "gt06", id, &remote.to_string()).await {
            Ok(true) => {
                tracing::info!(%remote, imei = %id, "GT06 device logged in");
                *imei = Some(id.clone());
                Step::Ack
            }
            Ok(false) => Step::Close,
            Err(e) => {
                tracing::error!(error = %e, "GT06 login check failed");
                Step::Close
            }
        };
    }
    let Some(id) = imei.as_deref() else {
        tracing::warn!(%remote, protocol = frame.protocol, "GT06 packet before login ignored");
        return Step::Continue;
    };
    let location = match &message {
        Message::Location(l) | Message::Alarm { location: l, .. } => Some(l),
        _ => None,
    };
    if let Some(l) = location.filter(|l| l.valid) {
        match accept(state, "gt06", remote.to_string(), fix(id, l)).await {
            Ok(Accepted::Stored { .. }) => {}
            // Deactivated since login: stop talking to it.
            Ok(Accepted::UnknownDevice) => return Step::Close,
            Err(e) => {
                tracing::error!(error = %e, "GT06 fix not stored; not acknowledged");
                return Step::Continue;
            }
        }
    }
    Step::Ack
}
