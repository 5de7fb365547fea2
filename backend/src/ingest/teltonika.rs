//! Teltonika Codec 8, 8 Extended and 16 over TCP (Traccar's port 5027), pure: the IMEI
//! handshake, a framer for AVL data packets (a lone 0xFF between them is the device's keep-alive),
//! a decoder for their records and IO elements, Codec 12 / 14 command responses and Codec 13
//! messages, and the encoder (simulator and round-trip tests). The server answers the handshake
//! with 01/00 and each AVL packet with the number of records it stored, only after they are
//! durable; responses and messages get no answer.
//!
//! Packet: `00000000 LEN(4) CODEC N1 RECORDS… N2 CRC(4)`, CRC-16/IBM over CODEC…N2. Codec 8: 1-byte
//! event id, counts and ids; 8E: 2-byte event id, counts and ids, then variable-length (NX)
//! elements; 16: 2-byte event id, a generation-type byte, 1-byte counts, 2-byte ids.

use atalaia_core::geom::LatLon;
use chrono::{DateTime, TimeZone, Utc};

pub const CODEC8: u8 = 0x08;
pub const CODEC8E: u8 = 0x8E;
pub const CODEC16: u8 = 0x10;
/// GPRS commands and their responses.
pub const CODEC12: u8 = 0x0C;
/// Device messages with a timestamp (RS-232 data, e.g. a tachograph or card reader): one-way.
pub const CODEC13: u8 = 0x0D;
/// GPRS commands addressed by IMEI, and their responses (ACK 0x06, nACK 0x11).
pub const CODEC14: u8 = 0x0E;
const CODEC12_COMMAND: u8 = 0x05;
const CODEC12_RESPONSE: u8 = 0x06;
const CODEC14_NACK: u8 = 0x11;
/// The keep-alive byte some firmware sends between packets (no answer).
pub const PING: u8 = 0xFF;

/// IO element ids this server interprets (Teltonika FMB AVL ids).
pub mod io {
    pub const IGNITION: u16 = 239;
    pub const MOVEMENT: u16 = 240;
    pub const BATTERY_LEVEL: u16 = 113;
    pub const EXTERNAL_VOLTAGE: u16 = 66;
    /// Teltonika's "Charger Connected".
    pub const CHARGER: u16 = 116;
    /// Teltonika's "Jamming" event (GNSS/GSM jamming detected).
    pub const JAMMING: u16 = 249;
    /// FMB's "Alarm" input (the SOS button on personal trackers).
    pub const ALARM: u16 = 236;
    // What ids 10800–10803 mean depends on the device's model (EYE temperatures on an FMB, strap,
    // body, installation and tamper on a bracelet built to Atalaia's profile): the model's IO
    // profile reads them (atalaia_core::devices, docs/DEVICES.md). The simulator's bracelets use
    // these names.
    pub const STRAP_OPEN: u16 = 10_800;
    pub const BODY_MISSING: u16 = 10_801;
    pub const WRONG_INSTALLATION: u16 = 10_802;
    pub const TAMPER: u16 = 10_803;
}

/// An AVL packet larger than this is garbage (devices send at most a few KiB).
const MAX_DATA: usize = 64 * 1024;

/// CRC-16/IBM (ARC) as Teltonika uses it.
pub fn crc16_ibm(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xA001 } else { crc >> 1 };
        }
    }
    crc
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeltonikaError {
    #[error("IMEI handshake is not 15 ASCII digits")]
    Imei,
    #[error("packet does not start with the zero preamble; {skipped} bytes skipped")]
    Preamble { skipped: usize },
    #[error("data length {0} out of range")]
    Length(usize),
    #[error("CRC mismatch (packet {found:04x}, computed {computed:04x})")]
    Crc { found: u16, computed: u16 },
    #[error("codec {0:#04x} not supported")]
    Codec(u8),
    #[error("record count mismatch ({first} at the start, {last} at the end)")]
    Count { first: u8, last: u8 },
    #[error("packet truncated inside a record")]
    Truncated,
    #[error("timestamp out of range")]
    Time,
}

/// Parse the handshake (`LEN(2) IMEI`); `None` until all of it has arrived.
pub fn parse_imei(buf: &[u8]) -> Option<Result<(String, usize), TeltonikaError>> {
    let len = usize::from(u16::from_be_bytes([*buf.first()?, *buf.get(1)?]));
    if len != 15 {
        return Some(Err(TeltonikaError::Imei));
    }
    let digits = buf.get(2..2 + len)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return Some(Err(TeltonikaError::Imei));
    }
    Some(Ok((String::from_utf8_lossy(digits).into_owned(), 2 + len)))
}

#[derive(Debug, Clone, PartialEq)]
pub enum IoValue {
    Int(u64),
    /// Variable-length elements of Codec 8E.
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub time: DateTime<Utc>,
    pub priority: u8,
    pub at: LatLon,
    pub altitude_m: i16,
    pub angle_deg: u16,
    pub satellites: u8,
    pub speed_kmh: u16,
    pub event_io: u16,
    pub io: Vec<(u16, IoValue)>,
}

impl Record {
    /// Teltonika reports "no fix" as zero satellites.
    pub fn valid(&self) -> bool {
        self.satellites > 0
    }

    pub fn io_int(&self, id: u16) -> Option<u64> {
        self.io.iter().find_map(|(i, v)| match v {
            IoValue::Int(x) if *i == id => Some(*x),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Packet {
    pub codec: u8,
    pub records: Vec<Record>,
    /// The text of a Codec 12 or 14 response (then `records` is empty and nothing is
    /// acknowledged).
    pub response: Option<String>,
    /// A Codec 13 message (device data with a timestamp): understood, not used by Atalaia.
    pub message: Option<String>,
}

/// Wrap a Codec 12 message (`type` 5 command, 6 response) in the AVL packet framing.
fn codec12(kind: u8, text: &str) -> Vec<u8> {
    let mut data = vec![CODEC12, 0x01, kind];
    data.extend_from_slice(&(text.len() as u32).to_be_bytes());
    data.extend_from_slice(text.as_bytes());
    data.push(0x01);
    let mut out = vec![0, 0, 0, 0];
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(&data);
    out.extend_from_slice(&u32::from(crc16_ibm(&data)).to_be_bytes());
    out
}

/// A GPRS command to the device (Codec 12, type 5).
pub fn encode_command(text: &str) -> Vec<u8> {
    codec12(CODEC12_COMMAND, text)
}

/// A device's response to a command (Codec 12, type 6), for tests and the simulator.
pub fn encode_response(text: &str) -> Vec<u8> {
    codec12(CODEC12_RESPONSE, text)
}

/// The acknowledgement of a packet: how many records were accepted.
pub fn ack(accepted: usize) -> [u8; 4] {
    u32::try_from(accepted).unwrap_or(u32::MAX).to_be_bytes()
}

/// Splits the byte stream after the handshake into AVL packets.
#[derive(Debug, Default)]
pub struct Framer {
    buf: Vec<u8>,
    pings: usize,
}

impl Framer {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Keep-alive bytes (0xFF) dropped since the last call.
    pub fn take_pings(&mut self) -> usize {
        std::mem::take(&mut self.pings)
    }

    pub fn next_packet(&mut self) -> Option<Result<Packet, TeltonikaError>> {
        let pings = self.buf.iter().take_while(|b| **b == PING).count();
        if pings > 0 {
            self.buf.drain(..pings);
            self.pings += pings;
        }
        if self.buf.len() < 8 {
            return None;
        }
        if self.buf[..4] != [0, 0, 0, 0] {
            // Resynchronise on the next zero preamble (or keep the last 3 bytes, which may start one).
            let next = self
                .buf
                .windows(4)
                .position(|w| w == [0, 0, 0, 0])
                .unwrap_or(self.buf.len().saturating_sub(3));
            let skipped = next.max(1);
            self.buf.drain(..skipped);
            return Some(Err(TeltonikaError::Preamble { skipped }));
        }
        let len = u32::from_be_bytes([self.buf[4], self.buf[5], self.buf[6], self.buf[7]]) as usize;
        if !(3..=MAX_DATA).contains(&len) {
            self.buf.drain(..4);
            return Some(Err(TeltonikaError::Length(len)));
        }
        let total = 8 + len + 4;
        if self.buf.len() < total {
            return None;
        }
        let packet: Vec<u8> = self.buf.drain(..total).collect();
        let data = &packet[8..8 + len];
        let found =
            u32::from_be_bytes([packet[8 + len], packet[9 + len], packet[10 + len], packet[11 + len]]);
        let computed = crc16_ibm(data);
        if found != u32::from(computed) {
            return Some(Err(TeltonikaError::Crc { found: found as u16, computed }));
        }
        Some(decode_data(data))
    }
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], TeltonikaError> {
        let slice = self.data.get(self.at..self.at + n).ok_or(TeltonikaError::Truncated)?;
        self.at += n;
        Ok(slice)
    }

    fn uint(&mut self, n: usize) -> Result<u64, TeltonikaError> {
        Ok(self.take(n)?.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// 1 byte in Codec 8, 2 bytes in Codec 8E (ids and counts).
    fn var(&mut self, extended: bool) -> Result<u16, TeltonikaError> {
        Ok(self.uint(if extended { 2 } else { 1 })? as u16)
    }
}

fn decode_data(data: &[u8]) -> Result<Packet, TeltonikaError> {
    let mut r = Reader { data, at: 0 };
    let codec = r.uint(1)? as u8;
    let extended = match codec {
        CODEC8 | CODEC16 => false,
        CODEC8E => true,
        CODEC12 => {
            let _quantity = r.uint(1)?;
            let kind = r.uint(1)? as u8;
            let size = r.uint(4)? as usize;
            let text = super::reply_text(r.take(size)?);
            if kind != CODEC12_RESPONSE {
                return Err(TeltonikaError::Codec(codec));
            }
            return Ok(Packet { codec, response: Some(text), ..Packet::default() });
        }
        CODEC14 => {
            // qty, type (06 ACK, 11 nACK: the IMEI did not match), size, IMEI (8), text.
            let _quantity = r.uint(1)?;
            let kind = r.uint(1)? as u8;
            let size = r.uint(4)? as usize;
            let body = r.take(size)?;
            let text = match kind {
                CODEC12_RESPONSE => super::reply_text(body.get(8..).unwrap_or_default()),
                CODEC14_NACK => "recusado pelo dispositivo (IMEI não confere)".to_owned(),
                _ => return Err(TeltonikaError::Codec(codec)),
            };
            return Ok(Packet { codec, response: Some(text), ..Packet::default() });
        }
        CODEC13 => {
            // qty, type, size (4 + text), timestamp in seconds (4), text.
            let _quantity = r.uint(1)?;
            let _kind = r.uint(1)?;
            let size = r.uint(4)? as usize;
            let body = r.take(size)?;
            let text = super::reply_text(body.get(4..).unwrap_or_default());
            return Ok(Packet { codec, message: Some(text), ..Packet::default() });
        }
        other => return Err(TeltonikaError::Codec(other)),
    };
    // Codec 16: event ids are 2 bytes (and a generation type follows), counts 1 byte.
    let wide_ids = extended || codec == CODEC16;
    let count = r.uint(1)? as u8;
    let mut records = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let millis = r.uint(8)? as i64;
        let time = Utc.timestamp_millis_opt(millis).single().ok_or(TeltonikaError::Time)?;
        let priority = r.uint(1)? as u8;
        let lon = f64::from(r.uint(4)? as u32 as i32) / 1e7;
        let lat = f64::from(r.uint(4)? as u32 as i32) / 1e7;
        let at = LatLon::new(lat, lon).map_err(|_| TeltonikaError::Truncated)?;
        let altitude_m = r.uint(2)? as u16 as i16;
        let angle_deg = r.uint(2)? as u16;
        let satellites = r.uint(1)? as u8;
        let speed_kmh = r.uint(2)? as u16;
        let event_io = r.var(wide_ids)?;
        if codec == CODEC16 {
            let _generation = r.uint(1)?;
        }
        let _total = r.var(extended)?;
        let mut io = Vec::new();
        for width in [1usize, 2, 4, 8] {
            for _ in 0..r.var(extended)? {
                let id = r.var(wide_ids)?;
                io.push((id, IoValue::Int(r.uint(width)?)));
            }
        }
        if extended {
            for _ in 0..r.var(true)? {
                let id = r.var(true)?;
                let len = usize::from(r.var(true)?);
                io.push((id, IoValue::Bytes(r.take(len)?.to_vec())));
            }
        }
        records.push(Record {
            time,
            priority,
            at,
            altitude_m,
            angle_deg,
            satellites,
            speed_kmh,
            event_io,
            io,
        });
    }
    let last = r.uint(1)? as u8;
    if last != count {
        return Err(TeltonikaError::Count { first: count, last });
    }
    Ok(Packet { codec, records, ..Packet::default() })
}

/// The smallest of the protocol's IO widths (1, 2, 4, 8 bytes) that holds `x`.
fn int_width(x: u64) -> usize {
    match x {
        0..=0xFF => 1,
        0x100..=0xFFFF => 2,
        0x1_0000..=0xFFFF_FFFF => 4,
        _ => 8,
    }
}

/// Encode a packet (integer IO elements are written at their smallest width that fits; Codec 16
/// records say "periodical" as their generation type).
pub fn encode(packet: &Packet) -> Vec<u8> {
    let extended = packet.codec == CODEC8E;
    let wide_ids = extended || packet.codec == CODEC16;
    let put = |out: &mut Vec<u8>, v: u16, wide: bool| {
        if wide {
            out.extend_from_slice(&v.to_be_bytes());
        } else {
            out.push(v as u8);
        }
    };
    let put_var = |out: &mut Vec<u8>, v: u16| put(out, v, extended);
    let put_id = |out: &mut Vec<u8>, v: u16| put(out, v, wide_ids);
    let mut data = vec![packet.codec, packet.records.len() as u8];
    for rec in &packet.records {
        data.extend_from_slice(&(rec.time.timestamp_millis() as u64).to_be_bytes());
        data.push(rec.priority);
        data.extend_from_slice(&((rec.at.lon * 1e7).round() as i32).to_be_bytes());
        data.extend_from_slice(&((rec.at.lat * 1e7).round() as i32).to_be_bytes());
        data.extend_from_slice(&rec.altitude_m.to_be_bytes());
        data.extend_from_slice(&rec.angle_deg.to_be_bytes());
        data.push(rec.satellites);
        data.extend_from_slice(&rec.speed_kmh.to_be_bytes());
        put_id(&mut data, rec.event_io);
        if packet.codec == CODEC16 {
            data.push(7);
        }
        put_var(&mut data, rec.io.len() as u16);
        for width in [1usize, 2, 4, 8] {
            let group: Vec<(u16, u64)> = rec
                .io
                .iter()
                .filter_map(|(id, v)| match v {
                    IoValue::Int(x) if int_width(*x) == width => Some((*id, *x)),
                    _ => None,
                })
                .collect();
            put_var(&mut data, group.len() as u16);
            for (id, x) in group {
                put_id(&mut data, id);
                data.extend_from_slice(&x.to_be_bytes()[8 - width..]);
            }
        }
        if extended {
            let bytes: Vec<(u16, &Vec<u8>)> = rec
                .io
                .iter()
                .filter_map(|(id, v)| match v {
                    IoValue::Bytes(b) => Some((*id, b)),
                    IoValue::Int(_) => None,
                })
                .collect();
            data.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
            for (id, b) in bytes {
                data.extend_from_slice(&id.to_be_bytes());
                data.extend_from_slice(&(b.len() as u16).to_be_bytes());
                data.extend_from_slice(b);
            }
        }
    }
    data.push(packet.records.len() as u8);
    let mut out = vec![0, 0, 0, 0];
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(&data);
    out.extend_from_slice(&u32::from(crc16_ibm(&data)).to_be_bytes());
    out
}

#[cfg(test)]
mod golden;
#[cfg(test)]
mod tests;
