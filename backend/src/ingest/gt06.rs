//! GT06 / Concox binary protocol (Traccar's port 5023): a stream framer, a decoder for login,
//! location, heartbeat (status) and alarm packets, and the encoder for acknowledgements and for
//! location packets (the simulator speaks it too). Pure: no sockets here; the TCP listener feeds
//! bytes in and writes the acknowledgements out only after the data is durable.
//!
//! Frame: `78 78 LEN PROTO CONTENT SERIAL(2) CRC(2) 0D 0A` (or `79 79` with a 2-byte LEN), where
//! LEN counts PROTO through CRC and CRC is CRC-ITU (X.25) over LEN through SERIAL.

use atalaia_core::geom::LatLon;
use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};

pub const LOGIN: u8 = 0x01;
pub const LOCATION: u8 = 0x12;
pub const HEARTBEAT: u8 = 0x13;
pub const ALARM: u8 = 0x16;
/// Server → device online command.
pub const COMMAND: u8 = 0x80;
/// Device → server command reply (0x15 in older firmware, 0x21 in newer).
pub const COMMAND_REPLY_OLD: u8 = 0x15;
pub const COMMAND_REPLY: u8 = 0x21;

/// Frames longer than this are garbage, not a reason to buffer forever.
const MAX_FRAME: usize = 1024;
/// Coordinates are in 1/30,000 of a minute.
const COORD_SCALE: f64 = 1_800_000.0;

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

/// One checked frame: protocol number, content and serial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub protocol: u8,
    pub content: Vec<u8>,
    pub serial: u16,
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
        }))
    }
}

/// Encode a short frame around `content`.
pub fn encode(protocol: u8, content: &[u8], serial: u16) -> Vec<u8> {
    let len = 1 + content.len() + 4;
    let mut out = Vec::with_capacity(len + 5);
    out.extend_from_slice(&[0x78, 0x78]);
    out.push(u8::try_from(len).unwrap_or(u8::MAX));
    out.push(protocol);
    out.extend_from_slice(content);
    out.extend_from_slice(&serial.to_be_bytes());
    let crc = crc_itu(&out[2..]);
    out.extend_from_slice(&crc.to_be_bytes());
    out.extend_from_slice(&[0x0D, 0x0A]);
    out
}

/// The acknowledgement a frame needs, if any (login, heartbeat and alarm are acknowledged with
/// their own protocol number and serial; plain locations are not).
pub fn ack_for(frame: &Frame) -> Option<Vec<u8>> {
    matches!(frame.protocol, LOGIN | HEARTBEAT | ALARM).then(|| encode(frame.protocol, &[], frame.serial))
}

/// Device status byte of heartbeat and alarm packets ("terminal information").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub armed: bool,
    pub ignition: bool,
    pub charging: bool,
    pub gps_tracking: bool,
    /// Bits 3–5: 0 normal, 1 shock, 2 power cut, 3 low battery, 4 SOS.
    pub alarm_bits: u8,
}

impl Status {
    fn from_byte(b: u8) -> Self {
        Self {
            armed: b & 0x01 != 0,
            ignition: b & 0x02 != 0,
            charging: b & 0x04 != 0,
            alarm_bits: (b >> 3) & 0x07,
            gps_tracking: b & 0x40 != 0,
        }
    }
}

/// Alarm code of an alarm packet (first byte of "alarm/language").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmCode {
    Normal,
    Sos,
    PowerCut,
    Shock,
    FenceIn,
    FenceOut,
    Overspeed,
    Other(u8),
}

impl AlarmCode {
    fn from_byte(b: u8) -> Self {
        match b {
            0x00 => AlarmCode::Normal,
            0x01 => AlarmCode::Sos,
            0x02 => AlarmCode::PowerCut,
            0x03 => AlarmCode::Shock,
            0x04 => AlarmCode::FenceIn,
            0x05 => AlarmCode::FenceOut,
            0x06 => AlarmCode::Overspeed,
            other => AlarmCode::Other(other),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// Device time (the protocol sends UTC unless the device was configured otherwise).
    pub fix_time: DateTime<Utc>,
    pub at: LatLon,
    pub satellites: u8,
    pub valid: bool,
    pub speed_kmh: f64,
    pub course_deg: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The device names itself; `imei` is the 15-digit IMEI (BCD, leading zero dropped).
    Login {
        imei: String,
    },
    Location(Location),
    Heartbeat {
        status: Status,
        voltage_level: u8,
        gsm_signal: u8,
    },
    Alarm {
        location: Location,
        status: Status,
        alarm: AlarmCode,
    },
    /// The device's answer to an online command, naming the command by its server flag.
    CommandReply {
        server_flag: u32,
        text: String,
    },
    /// A protocol this decoder does not handle yet; acknowledged or ignored, never fatal.
    Unsupported {
        protocol: u8,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("protocol {protocol:#04x}: content of {len} bytes is too short")]
    Short { protocol: u8, len: usize },
    #[error("invalid date/time in location")]
    Time,
    #[error("coordinates out of range")]
    Coordinates,
}

fn short(frame: &Frame) -> DecodeError {
    DecodeError::Short { protocol: frame.protocol, len: frame.content.len() }
}

/// Date, GPS block and course/status: the 18 bytes every location-bearing packet starts with.
fn location(c: &[u8]) -> Result<Location, DecodeError> {
    let fix_time = Utc
        .with_ymd_and_hms(
            2000 + i32::from(c[0]),
            u32::from(c[1]),
            u32::from(c[2]),
            u32::from(c[3]),
            u32::from(c[4]),
            u32::from(c[5]),
        )
        .single()
        .ok_or(DecodeError::Time)?;
    let satellites = c[6] & 0x0F;
    let mut lat = f64::from(u32::from_be_bytes([c[7], c[8], c[9], c[10]])) / COORD_SCALE;
    let mut lon = f64::from(u32::from_be_bytes([c[11], c[12], c[13], c[14]])) / COORD_SCALE;
    let speed_kmh = f64::from(c[15]);
    let flags = u16::from_be_bytes([c[16], c[17]]);
    // Bit 10 set: north latitude; bit 11 set: west longitude; bit 12: positioned.
    if flags & (1 << 10) == 0 {
        lat = -lat;
    }
    if flags & (1 << 11) != 0 {
        lon = -lon;
    }
    let at = LatLon::new(lat, lon).map_err(|_| DecodeError::Coordinates)?;
    Ok(Location {
        fix_time,
        at,
        satellites,
        valid: flags & (1 << 12) != 0,
        speed_kmh,
        course_deg: f64::from(flags & 0x03FF),
    })
}

pub fn decode(frame: &Frame) -> Result<Message, DecodeError> {
    let c = &frame.content;
    match frame.protocol {
        LOGIN => {
            let id = c.get(..8).ok_or_else(|| short(frame))?;
            let digits: String = id.iter().map(|b| format!("{b:02x}")).collect();
            Ok(Message::Login { imei: digits.strip_prefix('0').unwrap_or(&digits).to_owned() })
        }
        LOCATION => Ok(Message::Location(location(c.get(..18).ok_or_else(|| short(frame))?)?)),
        HEARTBEAT => {
            let c = c.get(..3).ok_or_else(|| short(frame))?;
            Ok(Message::Heartbeat { status: Status::from_byte(c[0]), voltage_level: c[1], gsm_signal: c[2] })
        }
        ALARM => {
            // location(18) + LBS length(1) + LBS(8) + status(1) + voltage(1) + gsm(1) + alarm(1) + language(1)
            let body = c.get(..32).ok_or_else(|| short(frame))?;
            let lbs_len = usize::from(body[18]);
            let rest = c.get(18 + lbs_len..).filter(|r| r.len() >= 4).ok_or_else(|| short(frame))?;
            Ok(Message::Alarm {
                location: location(body)?,
                status: Status::from_byte(rest[0]),
                alarm: AlarmCode::from_byte(rest[3]),
            })
        }
        COMMAND_REPLY => {
            // server flag(4) + encoding(1: 1 ASCII, 2 UTF-16BE) + text
            let flag = c.get(..4).ok_or_else(|| short(frame))?;
            let text = c.get(5..).unwrap_or_default();
            Ok(Message::CommandReply {
                server_flag: u32::from_be_bytes([flag[0], flag[1], flag[2], flag[3]]),
                text: match c.get(4) {
                    Some(2) => super::reply_text_utf16(text),
                    _ => super::reply_text(text),
                },
            })
        }
        COMMAND_REPLY_OLD => {
            // length(1) + server flag(4) + text + language(2). Some firmware sends length 0 and
            // zero-pads the text: then everything up to the language is flag and text.
            let len = usize::from(*c.first().ok_or_else(|| short(frame))?);
            let body = if len == 0 { c.get(1..c.len().saturating_sub(2)) } else { c.get(1..1 + len) };
            let body = body.filter(|b| b.len() >= 4).ok_or_else(|| short(frame))?;
            Ok(Message::CommandReply {
                server_flag: u32::from_be_bytes([body[0], body[1], body[2], body[3]]),
                text: super::reply_text(&body[4..]),
            })
        }
        protocol => Ok(Message::Unsupported { protocol }),
    }
}

/// Encode a location packet (used by the simulator and the round-trip tests). Coordinates are
/// rounded to the protocol's 1/30,000 minute; speed to whole km/h; course to whole degrees.
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
mod tests;
