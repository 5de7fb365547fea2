//! GT06-family messages (Concox GT06/GT06N, JM-VL, GT800 and the `79 79` extended packets):
//! every location, alarm, heartbeat, status, cell-tower and information packet decoded into
//! [`Message`]. Layouts follow Concox's protocol documents (GT06, JM-VL02/GT800 V3.1, JM-VL03)
//! and what Traccar's decoder accepts from devices in the field.
//!
//! Dates are the device's clock: UTC unless its login said otherwise (the connection converts,
//! see `Message::Login::tz_offset_min`).

use super::{COORD_SCALE, Frame};
use atalaia_core::geom::LatLon;
use chrono::{DateTime, TimeZone, Utc};

pub const LOGIN: u8 = 0x01;
/// GPS only.
pub const GPS: u8 = 0x10;
/// GPS and cell (6-byte variant).
pub const GPS_LBS_6: u8 = 0x11;
pub const LOCATION: u8 = 0x12;
pub const HEARTBEAT: u8 = 0x13;
pub const ALARM: u8 = 0x16;
/// Cell towers and Wi-Fi (GT300/WiFi models, no GPS).
pub const LBS_WIFI_18: u8 = 0x18;
/// Alarm with cell towers only (no GPS).
pub const LBS_ALARM: u8 = 0x19;
/// GPS with a phone number, asking for an address.
pub const GPS_PHONE: u8 = 0x1A;
/// GPS and cell, UTC (the GT06N/JM-VL location packet, as common as 0x12).
pub const GPS_LBS_2: u8 = 0x22;
/// Heartbeat with an external voltage (GK310, EG02/03).
pub const HEARTBEAT_VOLTAGE: u8 = 0x23;
/// Alarm, UTC (JM-VL02/GT800).
pub const ALARM_2: u8 = 0x26;
/// Alarm with the number of the device's own fence.
pub const ALARM_FENCE: u8 = 0x27;
/// Several cell towers (no GPS).
pub const LBS_MULTI: u8 = 0x28;
/// GPS, asking for an address (answered "not available", 0x97).
pub const GPS_ADDRESS: u8 = 0x2A;
/// Cell towers and Wi-Fi access points (no GPS).
pub const LBS_WIFI: u8 = 0x2C;
/// GPS and cell with a trailing module (JM-VL03).
pub const GPS_LBS_MODULE: u8 = 0x37;
/// In `79 79` frames: AZ735 GPS (0x32) and alarm (0x33) with a GPS length byte.
pub const GPS_AZ735: u8 = 0x32;
pub const ALARM_AZ735: u8 = 0x33;
/// In `79 79` frames: GPS and cell with a cell-type byte (4G).
pub const GPS_LBS_8: u8 = 0x38;
/// Time calibration request: answered with the current UTC time.
pub const TIME_REQUEST: u8 = 0x8A;
/// Information transmission (external voltage, ICCID, door, terminal status text …).
pub const INFO: u8 = 0x94;
/// The address reply to [`GPS_ADDRESS`], in a `79 79` frame.
pub const ADDRESS_REPLY: u8 = 0x97;
/// 4G variants: GPS and cell, several cells, alarm with fence, alarm with cells only.
pub const GPS_LBS_4G: u8 = 0xA0;
pub const LBS_MULTI_4G: u8 = 0xA1;
pub const ALARM_4G: u8 = 0xA4;
pub const LBS_ALARM_4G: u8 = 0xA5;
/// Server → device online command.
pub const COMMAND: u8 = 0x80;
/// Device → server command reply (0x15 in older firmware, 0x21 in newer).
pub const COMMAND_REPLY_OLD: u8 = 0x15;
pub const COMMAND_REPLY: u8 = 0x21;

/// The terminal-information ("status") byte of heartbeat and alarm packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub armed: bool,
    pub ignition: bool,
    pub charging: bool,
    pub gps_tracking: bool,
    /// Bits 5–3: 0 normal, 1 shock, 2 power cut, 3 low battery, 4 SOS; 7 is the strap removed
    /// on bracelets (Traccar's "removing"). What it means is the device model's to say.
    pub alarm_bits: u8,
}

impl Status {
    pub fn from_byte(b: u8) -> Self {
        Self {
            armed: b & 0x01 != 0,
            ignition: b & 0x02 != 0,
            charging: b & 0x04 != 0,
            alarm_bits: (b >> 3) & 0x07,
            gps_tracking: b & 0x40 != 0,
        }
    }
}

/// The battery as the packet says it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Battery {
    /// Voltage level 0 (no power) … 6 (full) of older firmware.
    Level(u8),
    /// A percentage, from newer firmware in the same byte (7…100).
    Percent(u8),
}

impl Battery {
    fn from_byte(b: u8) -> Option<Self> {
        match b {
            0..=6 => Some(Battery::Level(b)),
            7..=100 => Some(Battery::Percent(b)),
            _ => None,
        }
    }

    /// An approximate percentage. Levels follow the documents' meaning rather than a straight
    /// line: 2 ("very low, triggers the low-battery alarm") is 10 %.
    pub fn percent(self) -> f64 {
        match self {
            Battery::Percent(p) => f64::from(p),
            Battery::Level(0) => 0.0,
            Battery::Level(1) => 5.0,
            Battery::Level(2) => 10.0,
            Battery::Level(3) => 25.0,
            Battery::Level(4) => 50.0,
            Battery::Level(5) => 75.0,
            Battery::Level(_) => 100.0,
        }
    }
}

/// What heartbeat and alarm packets say about the device.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatusReport {
    pub status: Status,
    pub battery: Option<Battery>,
    pub gsm_signal: Option<u8>,
    /// The alarm code (0 = none): what it means is the device model's to say.
    pub alarm: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// The device's clock (UTC unless its login gave a time zone).
    pub fix_time: DateTime<Utc>,
    pub at: LatLon,
    pub satellites: u8,
    pub valid: bool,
    pub speed_kmh: f64,
    pub course_deg: f64,
    /// Sent from the device's memory after an outage (0x22/0xA0/0x38 re-upload flag).
    pub archive: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The device names itself: the 15-digit IMEI (BCD, leading zero dropped), its model code,
    /// and the time zone its clock runs in (minutes east of UTC), when the login says.
    Login {
        imei: String,
        type_id: Option<u16>,
        tz_offset_min: Option<i32>,
    },
    Location(Location),
    /// Heartbeat (0x13, 0x23): contact, battery, charging and the status field.
    Heartbeat(StatusReport),
    /// An alarm packet: with a GPS position (0x16 0x26 0x27 0xA4) or cell towers only (0x19 0xA5).
    Alarm {
        location: Option<Location>,
        report: StatusReport,
    },
    /// Cell towers or Wi-Fi only (0x18 0x28 0x2C 0xA1): contact without a GNSS place.
    Towers {
        time: DateTime<Utc>,
    },
    /// The device asks for the time (answered with UTC).
    TimeRequest,
    /// Information transmission (0x94): understood, not used by Atalaia.
    Info {
        subtype: Option<u8>,
    },
    /// The device's answer to an online command, naming the command by its server flag.
    CommandReply {
        server_flag: u32,
        text: String,
    },
    /// A protocol number this decoder does not know; counted, never fatal.
    Unsupported {
        protocol: u8,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("protocol {protocol:#04x}: content of {len} bytes is too short")]
    Short { protocol: u8, len: usize },
    #[error("invalid date/time")]
    Time,
    #[error("coordinates out of range")]
    Coordinates,
}

/// Reads a frame's content front to back.
struct Cursor<'a> {
    frame: &'a Frame,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(frame: &'a Frame) -> Self {
        Self { frame, at: 0 }
    }

    fn short(&self) -> DecodeError {
        DecodeError::Short { protocol: self.frame.protocol, len: self.frame.content.len() }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let slice = self.frame.content.get(self.at..self.at + n).ok_or_else(|| self.short())?;
        self.at += n;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, DecodeError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn skip(&mut self, n: usize) -> Result<(), DecodeError> {
        self.take(n).map(|_| ())
    }

    fn left(&self) -> usize {
        self.frame.content.len().saturating_sub(self.at)
    }

    /// `YY MM DD hh mm ss`, binary.
    fn date(&mut self) -> Result<DateTime<Utc>, DecodeError> {
        let c = self.take(6)?;
        Utc.with_ymd_and_hms(
            2000 + i32::from(c[0]),
            u32::from(c[1]),
            u32::from(c[2]),
            u32::from(c[3]),
            u32::from(c[4]),
            u32::from(c[5]),
        )
        .single()
        .ok_or(DecodeError::Time)
    }

    /// The GPS block after its date: info (satellites), latitude, longitude, speed, course and
    /// status word.
    fn gps_after_date(&mut self, fix_time: DateTime<Utc>) -> Result<Location, DecodeError> {
        let satellites = self.u8()? & 0x0F;
        let c = self.take(11)?;
        let mut lat = f64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]])) / COORD_SCALE;
        let mut lon = f64::from(u32::from_be_bytes([c[4], c[5], c[6], c[7]])) / COORD_SCALE;
        let speed_kmh = f64::from(c[8]);
        let flags = u16::from_be_bytes([c[9], c[10]]);
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
            archive: false,
        })
    }

    /// The 18-byte GPS block every position-bearing packet starts with.
    fn gps(&mut self) -> Result<Location, DecodeError> {
        let t = self.date()?;
        self.gps_after_date(t)
    }

    /// A cell: MCC, MNC (2 bytes when the MCC's top bit says so), LAC and cell id, 2G or 4G
    /// sizes by protocol. Only skipped: Atalaia does not locate by cell.
    fn cell(&mut self, four_g: bool) -> Result<(), DecodeError> {
        let mcc = self.u16()?;
        self.skip(if mcc & 0x8000 != 0 { 2 } else { 1 })?;
        self.skip(if four_g { 4 + 8 } else { 2 + 3 })
    }

    /// A cell block preceded by its length byte. Devices disagree on whether that byte counts
    /// itself (9 or 8 for the same 2G cell); whatever it says beyond the fields is skipped.
    fn cell_with_length(&mut self, four_g: bool) -> Result<(), DecodeError> {
        let len = usize::from(self.u8()?);
        if len == 0 {
            return Ok(());
        }
        let start = self.at;
        self.cell(four_g)?;
        let read = self.at - start;
        self.skip(len.saturating_sub(read + 1))
    }

    /// Status, battery, GSM signal, alarm and language bytes of heartbeat and alarm packets.
    fn status_report(&mut self) -> Result<StatusReport, DecodeError> {
        let status = Status::from_byte(self.u8()?);
        let battery = Battery::from_byte(self.u8()?);
        let gsm_signal = Some(self.u8()?);
        let alarm = if self.left() > 0 { self.u8()? } else { 0 };
        Ok(StatusReport { status, battery, gsm_signal, alarm })
    }
}

/// Decode a checked frame.
pub fn decode(frame: &Frame) -> Result<Message, DecodeError> {
    let mut c = Cursor::new(frame);
    match frame.protocol {
        LOGIN => {
            let id = c.take(8)?;
            let digits: String = id.iter().map(|b| format!("{b:02x}")).collect();
            let imei = digits.strip_prefix('0').unwrap_or(&digits).to_owned();
            let type_id = if c.left() >= 2 { Some(c.u16()?) } else { None };
            // Bits 15–4: hours × 100 + minutes; bit 3: west of UTC.
            let tz_offset_min = if c.left() >= 2 {
                let v = c.u16()?;
                let hhmm = i32::from(v >> 4);
                let minutes = (hhmm / 100) * 60 + hhmm % 100;
                Some(if v & 0x08 != 0 { -minutes } else { minutes }).filter(|m| m.abs() <= 14 * 60)
            } else {
                None
            };
            Ok(Message::Login { imei, type_id, tz_offset_min })
        }
        GPS | GPS_LBS_6 | LOCATION | GPS_PHONE | GPS_ADDRESS | GPS_LBS_MODULE => {
            Ok(Message::Location(c.gps()?))
        }
        GPS_LBS_2 | GPS_LBS_4G => {
            let mut l = c.gps()?;
            // Cell, then ACC, upload mode and the re-upload flag (documented for both).
            if c.cell(frame.protocol == GPS_LBS_4G).is_ok() && c.left() >= 3 {
                c.skip(2)?;
                l.archive = c.u8()? != 0;
            }
            Ok(Message::Location(l))
        }
        GPS_LBS_8 if frame.long => {
            let mut l = c.gps()?;
            if c.left() >= 2 {
                c.skip(1)?;
                l.archive = c.u8()? != 0;
            }
            Ok(Message::Location(l))
        }
        GPS_AZ735 | ALARM_AZ735 if frame.long => {
            // The GPS block has a length byte of its own: 0 means no GPS in this report.
            let t = c.date()?;
            if c.u8()? == 0 {
                return Ok(Message::Towers { time: t });
            }
            Ok(Message::Location(c.gps_after_date(t)?))
        }
        ALARM | ALARM_2 | ALARM_FENCE | ALARM_4G => {
            let location = c.gps()?;
            c.cell_with_length(frame.protocol == ALARM_4G)?;
            let report = c.status_report()?;
            Ok(Message::Alarm { location: Some(location), report })
        }
        LBS_ALARM | LBS_ALARM_4G => {
            c.cell(frame.protocol == LBS_ALARM_4G)?;
            let report = c.status_report()?;
            Ok(Message::Alarm { location: None, report })
        }
        HEARTBEAT => Ok(Message::Heartbeat(c.status_report()?)),
        HEARTBEAT_VOLTAGE => {
            // Status, external voltage (centivolts), GSM signal, language.
            let status = Status::from_byte(c.u8()?);
            c.skip(2)?;
            let gsm_signal = if c.left() > 0 { Some(c.u8()?) } else { None };
            Ok(Message::Heartbeat(StatusReport { status, battery: None, gsm_signal, alarm: 0 }))
        }
        LBS_MULTI | LBS_MULTI_4G | LBS_WIFI | LBS_WIFI_18 => Ok(Message::Towers { time: c.date()? }),
        TIME_REQUEST => Ok(Message::TimeRequest),
        INFO => Ok(Message::Info { subtype: frame.long.then(|| c.u8()).transpose()? }),
        COMMAND_REPLY => {
            // server flag(4) + encoding(1: 1 ASCII, 2 UTF-16BE) + text
            let flag = c.take(4)?;
            let content = &frame.content;
            let text = content.get(5..).unwrap_or_default();
            Ok(Message::CommandReply {
                server_flag: u32::from_be_bytes([flag[0], flag[1], flag[2], flag[3]]),
                text: match content.get(4) {
                    Some(2) => crate::ingest::reply_text_utf16(text),
                    _ => crate::ingest::reply_text(text),
                },
            })
        }
        COMMAND_REPLY_OLD => {
            // length(1) + server flag(4) + text + language(2). Some firmware sends length 0 and
            // zero-pads the text: then everything up to the language is flag and text.
            let content = &frame.content;
            let len = usize::from(c.u8()?);
            let body = if len == 0 {
                content.get(1..content.len().saturating_sub(2))
            } else {
                content.get(1..1 + len)
            };
            let body = body.filter(|b| b.len() >= 4).ok_or_else(|| c.short())?;
            Ok(Message::CommandReply {
                server_flag: u32::from_be_bytes([body[0], body[1], body[2], body[3]]),
                text: crate::ingest::reply_text(&body[4..]),
            })
        }
        protocol => Ok(Message::Unsupported { protocol }),
    }
}

/// What a frame's protocol number is called, for counters and logs.
pub fn protocol_name(protocol: u8, long: bool) -> String {
    let name = match protocol {
        LOGIN => "login",
        GPS | GPS_LBS_6 | LOCATION | GPS_LBS_2 | GPS_LBS_4G | GPS_LBS_MODULE | GPS_LBS_8 => "localização",
        HEARTBEAT | HEARTBEAT_VOLTAGE => "heartbeat",
        ALARM | ALARM_2 | ALARM_FENCE | ALARM_4G | LBS_ALARM | LBS_ALARM_4G => "alarme",
        LBS_MULTI | LBS_MULTI_4G | LBS_WIFI | LBS_WIFI_18 => "torres de celular",
        TIME_REQUEST => "pedido de hora",
        INFO => "informação",
        COMMAND_REPLY | COMMAND_REPLY_OLD => "resposta a comando",
        _ => "tipo",
    };
    format!("{name} 0x{protocol:02X}{}", if long { " (79 79)" } else { "" })
}
