//! GT06 / Concox binary protocol (Traccar's port 5023): a stream framer for `78 78` and the
//! extended `79 79` frames, the decoder of every location, alarm, heartbeat, status, cell-tower
//! and information packet ([`decode`]), the acknowledgements each packet gets, and the encoders
//! for commands and locations (the simulator speaks it too). Pure: no sockets here; the TCP
//! listener feeds bytes in and writes the acknowledgements out only after the data is durable.
//!
//! Frame: `78 78 LEN PROTO CONTENT SERIAL(2) CRC(2) 0D 0A` (or `79 79` with a 2-byte LEN), where
//! LEN counts PROTO through CRC and CRC is CRC-ITU (X.25) over LEN through SERIAL.

mod decode;

pub use decode::*;

use chrono::{DateTime, Datelike, Timelike, Utc};

/// Frames longer than this are garbage, not a reason to buffer forever.
const MAX_FRAME: usize = 1024;
/// Coordinates are in 1/30,000 of a minute.
pub(crate) const COORD_SCALE: f64 = 1_800_000.0;

/// CRC-16/X-25 (the "CRC-ITU" of the GT06 documents).
pub fn crc_itu(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0x8408 } else { crc >> 1 };
        }
    }
    !crc
}

/// One checked frame: protocol number, content and serial, and whether it came in an extended
/// (`79 79`, 2-byte length) frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub protocol: u8,
    pub content: Vec<u8>,
    pub serial: u16,
    pub long: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("{skipped} bytes before a frame start were skipped")]
    Garbage { skipped: usize },
    #[error("CRC mismatch (frame {found:04x}, computed {computed:04x})")]
    Crc { found: u16, computed: u16 },
    #[error("frame does not end with 0D 0A")]
    Stop,
    #[error("frame length {0} out of range")]
    Length(usize),
}

/// Splits a TCP byte stream into frames. Bad frames are reported and skipped; the good frames
/// around them are kept, and a frame split across reads waits for the rest.
#[derive(Debug, Default)]
pub struct Framer {
    buf: Vec<u8>,
}

impl Framer {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes waiting for the rest of a frame.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// The next frame or error, or `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        let start = self.buf.windows(2).position(|w| w == [0x78, 0x78] || w == [0x79, 0x79]);
        let Some(start) = start else {
            // Keep a trailing 0x78/0x79: it may be the first half of a start marker.
            let keep = usize::from(matches!(self.buf.last(), Some(0x78 | 0x79)));
            let skipped = self.buf.len() - keep;
            self.buf.drain(..skipped);
            return (skipped > 0).then_some(Err(FrameError::Garbage { skipped }));
        };
        if start > 0 {
            self.buf.drain(..start);
            return Some(Err(FrameError::Garbage { skipped: start }));
        }
        let long = self.buf[0] == 0x79;
        let header = if long { 4 } else { 3 };
        if self.buf.len() < header {
            return None;
        }
        let len = if long {
            usize::from(u16::from_be_bytes([self.buf[2], self.buf[3]]))
        } else {
            usize::from(self.buf[2])
        };
        // PROTO + SERIAL + CRC at least.
        if !(5..=MAX_FRAME).contains(&len) {
            self.buf.drain(..2);
            return Some(Err(FrameError::Length(len)));
        }
        let total = header + len + 2;
        if self.buf.len() < total {
            return None;
        }
        let frame: Vec<u8> = self.buf.drain(..total).collect();
        if frame[total - 2..] != [0x0D, 0x0A] {
            return Some(Err(FrameError::Stop));
        }
        let crc_at = total - 4;
        let found = u16::from_be_bytes([frame[crc_at], frame[crc_at + 1]]);
        let computed = crc_itu(&frame[2..crc_at]);
        if found != computed {
            return Some(Err(FrameError::Crc { found, computed }));
        }
        Some(Ok(Frame {
            protocol: frame[header],
            content: frame[header + 1..crc_at - 2].to_vec(),
            serial: u16::from_be_bytes([frame[crc_at - 2], frame[crc_at - 1]]),
            long,
        }))
    }
}

/// Encode a short (`78 78`) frame around `content`.
pub fn encode(protocol: u8, content: &[u8], serial: u16) -> Vec<u8> {
    let len = 1 + content.len() + 4;
    encode_with(&[0x78, 0x78, u8::try_from(len).unwrap_or(u8::MAX)], protocol, content, serial)
}

/// A frame's start (marker and length), then protocol, content, serial, CRC and stop bytes.
fn encode_with(start: &[u8], protocol: u8, content: &[u8], serial: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(start.len() + content.len() + 7);
    out.extend_from_slice(start);
    out.push(protocol);
    out.extend_from_slice(content);
    out.extend_from_slice(&serial.to_be_bytes());
    let crc = crc_itu(&out[2..]);
    out.extend_from_slice(&crc.to_be_bytes());
    out.extend_from_slice(&[0x0D, 0x0A]);
    out
}

/// Encode an extended (`79 79`, 2-byte length) frame around `content`.
pub fn encode_long(protocol: u8, content: &[u8], serial: u16) -> Vec<u8> {
    let len = u16::try_from(1 + content.len() + 4).unwrap_or(u16::MAX).to_be_bytes();
    encode_with(&[0x79, 0x79, len[0], len[1]], protocol, content, serial)
}

/// Protocol numbers this server decodes in `78 78` frames.
fn known_short(protocol: u8) -> bool {
    matches!(
        protocol,
        LOGIN
            | GPS
            | GPS_LBS_6
            | LOCATION
            | HEARTBEAT
            | ALARM
            | LBS_WIFI_18
            | LBS_ALARM
            | GPS_PHONE
            | GPS_LBS_2
            | HEARTBEAT_VOLTAGE
            | ALARM_2
            | ALARM_FENCE
            | LBS_MULTI
            | GPS_ADDRESS
            | LBS_WIFI
            | GPS_LBS_MODULE
            | TIME_REQUEST
            | INFO
            | GPS_LBS_4G
            | LBS_MULTI_4G
            | ALARM_4G
            | LBS_ALARM_4G
            | COMMAND_REPLY_OLD
            | COMMAND_REPLY
    )
}

/// The acknowledgement a frame gets, as the protocol documents say: login, heartbeats and
/// alarms are echoed (protocol number and serial, in the frame form they came in); location,
/// cell-tower and information packets, and command replies, get none; AZ735 packets are echoed
/// in `79 79`; an address request gets "not available" (0x97); a protocol number this server
/// does not know is echoed in `78 78` (what Traccar does, so such a device does not resend it
/// forever; it is counted). The time request's answer needs the clock: [`time_reply`].
pub fn ack_for(frame: &Frame) -> Option<Vec<u8>> {
    let echo = |f: &Frame| {
        if f.long { encode_long(f.protocol, &[], f.serial) } else { encode(f.protocol, &[], f.serial) }
    };
    match frame.protocol {
        LOGIN | HEARTBEAT | HEARTBEAT_VOLTAGE | ALARM | ALARM_2 | ALARM_FENCE | ALARM_4G | LBS_ALARM
        | LBS_ALARM_4G => Some(echo(frame)),
        GPS_AZ735 | ALARM_AZ735 if frame.long => Some(echo(frame)),
        GPS_ADDRESS => {
            let mut content = vec![0x0B, 0, 0, 0, 0];
            content.extend_from_slice(b"NA&&NA&&0##");
            Some(encode_long(ADDRESS_REPLY, &content, frame.serial))
        }
        p if !frame.long && !known_short(p) && p != COMMAND => Some(encode(p, &[], frame.serial)),
        _ => None,
    }
}

/// The answer to a time request: the current UTC time, `YY MM DD hh mm ss`, with the
/// request's serial (the document's example).
pub fn time_reply(serial: u16, now: DateTime<Utc>) -> Vec<u8> {
    let content = [
        u8::try_from(now.year() - 2000).unwrap_or(0),
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    ];
    encode(TIME_REQUEST, &content, serial)
}

/// An online command (0x80): length, server flag, ASCII command, language (English).
pub fn encode_command(server_flag: u32, text: &str, serial: u16) -> Vec<u8> {
    let mut content = Vec::with_capacity(7 + text.len());
    content.push((4 + text.len()).min(255) as u8);
    content.extend_from_slice(&server_flag.to_be_bytes());
    content.extend_from_slice(text.as_bytes());
    content.extend_from_slice(&[0x00, 0x02]);
    encode(COMMAND, &content, serial)
}

/// A device's command reply (0x21), for tests and the simulator.
pub fn encode_command_reply(server_flag: u32, text: &str, serial: u16) -> Vec<u8> {
    let mut content = server_flag.to_be_bytes().to_vec();
    content.push(0x01);
    content.extend_from_slice(text.as_bytes());
    encode(COMMAND_REPLY, &content, serial)
}

/// Encode a location packet (0x12; used by the simulator and the round-trip tests). Coordinates
/// are rounded to the protocol's 1/30,000 minute; speed to whole km/h; course to whole degrees.
pub fn encode_location(l: &Location, serial: u16) -> Vec<u8> {
    let t = l.fix_time;
    let mut c = vec![
        u8::try_from(t.year() - 2000).unwrap_or(0),
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
        0xC0 | (l.satellites & 0x0F),
    ];
    c.extend_from_slice(&((l.at.lat.abs() * COORD_SCALE).round() as u32).to_be_bytes());
    c.extend_from_slice(&((l.at.lon.abs() * COORD_SCALE).round() as u32).to_be_bytes());
    c.push(l.speed_kmh.round().clamp(0.0, 255.0) as u8);
    let mut flags = (l.course_deg.round() as u16) % 360;
    if l.valid {
        flags |= 1 << 12;
    }
    if l.at.lon < 0.0 {
        flags |= 1 << 11;
    }
    if l.at.lat >= 0.0 {
        flags |= 1 << 10;
    }
    c.extend_from_slice(&flags.to_be_bytes());
    // No cell information: MCC, MNC, LAC and cell id left zero.
    c.extend_from_slice(&[0; 8]);
    encode(LOCATION, &c, serial)
}

#[cfg(test)]
mod golden;
#[cfg(test)]
mod tests;
