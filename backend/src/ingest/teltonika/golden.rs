//! More golden packets (issue 20 item 1): Codec 16, Codec 8E with variable-length (NX) elements,
//! a personal tracker's alarm record, Codec 13 messages, the keep-alive byte, and what the decoder
//! refuses. Frames are the examples of Teltonika's "Codec" documentation and captures from
//! Traccar's test suite; every CRC was recomputed before use (several of Traccar's captures have
//! none that checks, and are not used here).

use super::*;

use super::tests::{hex, one};

/// Codec 16, the documentation's example: two records, event id 11, generation type 5.
const CODEC16_DOC: &str = "000000000000005F10020000016BDBC7833000000000000000000000000000000000000B05040200010000030002000B00270042563A00000000016BDBC7871800000000000000000000000000000000000B05040200010000030002000B00260042563A00000200005FB3";
/// Codec 16 (Traccar capture, Santiago de Chile): 32 IO elements with ids above 255.
const CODEC16_SANTIAGO: &str = "000000000000009F100100000164D855401800D5E3B744EC11C762023B011A060000000007200A010000010500010600010D00010E00010F00011600011700011800011F001301010000010700000108000001090000010A0000010B0000010C000001100000011100000112000001130000011400000115000001190000011A0000011B0000011C0000011D0000011E000003010200000000010300000000010400000000000100000D3B";
/// Codec 8E with NX elements: the VIN (256) and the DTC list (281).
const CODEC8E_VIN_DTC: &str = "00000000000000a38e0100000178b11c9e1000040bbbc91f03190c002100e113001300000010000600ef0100f00100150300c800004501001e070005004237e00018000a00ce166200430f970024059f000300f10000665900c70000001e00100000a1b500000002010000115756315a5a5a32455a38363031353338380119002950303239392c50303637352c50303637342c50303637322c50303637312c50303437312c50324241430100001ad8";
/// A TMT250-like personal tracker: two records, the first with event 236 (the SOS button) = 1.
const CODEC8E_ALARM_236: &str = "00000000000000b98e0200000179555c7bf8010b3a1cfbebc142b00000000000000000ec000f000900f00000150000c80000450200710100740001070100fa0000ec01000500b500000018000000430d560044000000190000000100f1000000000000000000000179555c83c8010b3a1cfbebc142b0000000000000000185000f000900f00000150000c80000450200710100740001070100fa00018511000500b500000018000000430d560044000000190000000100f100000000000000000200003251";
/// Codec 13: a card reader's line with a 4-byte timestamp (2023-04-03T20:45:05Z).
const CODEC13_DOC: &str =
    "00000000000000240d01060000001c642b3ad14754534c7c367c317c307c31323734393838347c317c0d0a010000ec11";

#[test]
fn codec16_documentation_example_two_byte_ids_one_byte_counts() {
    let p = one(&hex(CODEC16_DOC));
    assert_eq!(p.codec, CODEC16);
    assert_eq!(p.records.len(), 2);
    let r = &p.records[0];
    assert_eq!(r.time.to_rfc3339(), "2019-07-10T12:06:54+00:00");
    assert_eq!((r.priority, r.event_io), (0, 11));
    assert_eq!(r.io_int(1), Some(0));
    assert_eq!(r.io_int(3), Some(0));
    assert_eq!(r.io_int(11), Some(39));
    assert_eq!(r.io_int(66), Some(22_074));
    assert_eq!(p.records[1].io_int(11), Some(38));
    assert_eq!(ack(p.records.len()), [0, 0, 0, 2]);
}

#[test]
fn codec16_with_ids_above_255() {
    let p = one(&hex(CODEC16_SANTIAGO));
    let r = &p.records[0];
    assert_eq!(r.time.to_rfc3339(), "2018-07-26T20:43:43+00:00");
    assert!((r.at.lat - -33.437_916_6).abs() < 1e-7 && (r.at.lon - -70.649_67).abs() < 1e-7, "{:?}", r.at);
    assert_eq!((r.altitude_m, r.angle_deg, r.satellites), (571, 282, 6));
    assert_eq!(r.io.len(), 32);
    assert_eq!(r.io_int(287), Some(0));
    assert_eq!(r.io_int(260), Some(0));
}

#[test]
fn codec8e_variable_length_elements_are_kept_as_bytes() {
    let p = one(&hex(CODEC8E_VIN_DTC));
    let r = &p.records[0];
    assert_eq!(r.time.to_rfc3339(), "2021-04-08T10:52:26+00:00");
    assert_eq!(r.io_int(239), Some(1));
    assert_eq!(r.io_int(66), Some(14_304));
    let bytes = |id| {
        r.io.iter().find_map(|(i, v)| match v {
            IoValue::Bytes(b) if *i == id => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        })
    };
    assert_eq!(bytes(256).as_deref(), Some("WV1ZZZ2EZ86015388"));
    assert_eq!(bytes(281).as_deref(), Some("P0299,P0675,P0674,P0672,P0671,P0471,P2BAC"));
}

#[test]
fn a_personal_trackers_sos_record() {
    let p = one(&hex(CODEC8E_ALARM_236));
    assert_eq!(p.records.len(), 2);
    let r = &p.records[0];
    assert_eq!((r.priority, r.event_io), (1, io::ALARM));
    assert_eq!(r.io_int(io::ALARM), Some(1));
    assert!(!r.valid(), "no satellites: no fix");
    assert!((r.at.lat - -33.965_601_6).abs() < 1e-7, "{:?}", r.at);
    assert_eq!(r.io_int(io::BATTERY_LEVEL), Some(1));
    assert_eq!(p.records[1].io_int(io::ALARM), None);
}

#[test]
fn codec13_is_a_message_with_no_records_and_no_answer() {
    let p = one(&hex(CODEC13_DOC));
    assert_eq!(p.codec, CODEC13);
    assert!(p.records.is_empty() && p.response.is_none());
    assert_eq!(p.message.as_deref(), Some("GTSL|6|1|0|12749884|1|"));
}

#[test]
fn keep_alive_bytes_between_packets_are_dropped_and_counted() {
    let mut stream = vec![PING];
    stream.extend(hex(CODEC16_DOC));
    stream.extend([PING, PING]);
    stream.extend(hex(CODEC13_DOC));
    let mut f = Framer::default();
    let mut packets = Vec::new();
    for chunk in stream.chunks(5) {
        f.push(chunk);
        while let Some(p) = f.next_packet() {
            packets.push(p.expect("no error for a keep-alive"));
        }
    }
    assert_eq!(packets.iter().map(|p| p.codec).collect::<Vec<_>>(), vec![CODEC16, CODEC13]);
    assert_eq!(f.take_pings(), 3);
    assert_eq!(f.pending(), 0);
}

#[test]
fn unknown_codecs_and_device_commands_are_refused_not_misread() {
    // Codec 15 (FMX6 RS-232), documentation example: a valid frame of a codec not handled.
    let codec15 = hex("000000000000001b0f010b00000013654b65a4012345678912345648656c6c6f210a01000093d6");
    let mut f = Framer::default();
    f.push(&codec15);
    assert_eq!(f.next_packet(), Some(Err(TeltonikaError::Codec(0x0F))));
    // A Codec 12 *command* (type 5) coming from a device is not a response.
    f.push(&encode_command("getver"));
    assert_eq!(f.next_packet(), Some(Err(TeltonikaError::Codec(CODEC12))));
}
