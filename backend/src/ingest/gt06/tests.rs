//! GT06 golden frames: the login example of the protocol document and location, heartbeat and
//! alarm frames captured from devices (each checked against its CRC before use).

use super::*;
use atalaia_core::geom::LatLon;
use chrono::TimeZone;
use proptest::prelude::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

fn one_frame(bytes: &[u8]) -> Frame {
    let mut f = Framer::default();
    f.push(bytes);
    f.next_frame().expect("a frame").expect("valid frame")
}

const LOGIN_DOC: &str = "78780d01012345678901234500018cdd0d0a";
const LOGIN_ACK_DOC: &str = "787805010001d9dc0d0a";
/// Southern and western hemisphere (Brazil): -16.34, -48.9318.
const LOCATION_BR: &str = "78781f121a0414120c31c801c0ca9f053ff387001966000000000000000000d18efb0d0a";
const LOCATION_EU: &str = "78781f1211071403362aca0543ec4f00ff976e021549010603e6b500e7590074763d0d0a";
const HEARTBEAT_FRAME: &str = "78780a134500640001005a987a0d0a";
const HEARTBEAT_ACK_SERIAL_1: &str = "787805130001e9f10d0a";
const ALARM_FRAME: &str =
    "78782516110709131d23c9056889fc034879e000347f0900ff03697e004487510064000100227f830d0a";

#[test]
fn crc_itu_matches_the_documented_login_and_ack() {
    let login = hex(LOGIN_DOC);
    assert_eq!(crc_itu(&login[2..14]), 0x8CDD);
    assert_eq!(crc_itu(&hex(LOGIN_ACK_DOC)[2..6]), 0xD9DC);
}

#[test]
fn login_decodes_the_imei_and_is_acknowledged() {
    let frame = one_frame(&hex(LOGIN_DOC));
    assert_eq!(frame.serial, 1);
    assert_eq!(
        decode(&frame),
        Ok(Message::Login { imei: "123456789012345".into(), type_id: None, tz_offset_min: None })
    );
    assert_eq!(ack_for(&frame), Some(hex(LOGIN_ACK_DOC)));
}

#[test]
fn location_in_the_southern_and_western_hemispheres() {
    let frame = one_frame(&hex(LOCATION_BR));
    let Message::Location(l) = decode(&frame).expect("decode") else { panic!("location") };
    assert_eq!(l.fix_time, Utc.with_ymd_and_hms(2026, 4, 20, 18, 12, 49).single().expect("valid"));
    assert!((l.at.lat - -16.34).abs() < 1e-5, "{}", l.at.lat);
    assert!((l.at.lon - -48.931773).abs() < 1e-5, "{}", l.at.lon);
    assert_eq!((l.satellites, l.valid, l.speed_kmh, l.course_deg), (8, true, 0.0, 358.0));
    assert_eq!(ack_for(&frame), None, "locations are not acknowledged");
}

#[test]
fn location_in_the_northern_and_eastern_hemispheres() {
    let Message::Location(l) = decode(&one_frame(&hex(LOCATION_EU))).expect("decode") else {
        panic!("location")
    };
    assert_eq!(l.fix_time, Utc.with_ymd_and_hms(2017, 7, 20, 3, 54, 42).single().expect("valid"));
    assert!((l.at.lat - 49.076382).abs() < 1e-5 && (l.at.lon - 9.305803).abs() < 1e-5);
    assert_eq!((l.satellites, l.speed_kmh, l.course_deg), (10, 2.0, 329.0));
}

#[test]
fn heartbeat_status_and_its_acknowledgement() {
    let frame = one_frame(&hex(HEARTBEAT_FRAME));
    assert_eq!(frame.serial, 0x5a);
    let Message::Heartbeat(report) = decode(&frame).expect("decode") else { panic!("heartbeat") };
    assert_eq!(
        report.status,
        Status { armed: true, ignition: false, charging: true, gps_tracking: true, alarm_bits: 0 }
    );
    assert_eq!((report.battery, report.alarm), (Some(Battery::Level(0)), 0));
    let same_with_serial_1 = one_frame(&encode(HEARTBEAT, &frame.content, 1));
    assert_eq!(ack_for(&same_with_serial_1), Some(hex(HEARTBEAT_ACK_SERIAL_1)));
}

#[test]
fn alarm_packet_carries_location_status_and_code() {
    let frame = one_frame(&hex(ALARM_FRAME));
    let Message::Alarm { location: Some(location), report } = decode(&frame).expect("decode") else {
        panic!("alarm")
    };
    assert!((location.at.lat - 50.409527).abs() < 1e-5 && (location.at.lon - 30.6008).abs() < 1e-5);
    assert_eq!(location.course_deg, 127.0);
    assert_eq!(report.status.alarm_bits, 2, "power-cut bits in the terminal information");
    assert_eq!(report.alarm, 0);
    assert_eq!(ack_for(&frame), Some(encode(ALARM, &[], 0x22)));
}

#[test]
fn frames_split_across_reads_are_reassembled() {
    let stream: Vec<u8> = [LOGIN_DOC, LOCATION_BR, HEARTBEAT_FRAME].iter().flat_map(|h| hex(h)).collect();
    let mut f = Framer::default();
    let mut protocols = Vec::new();
    for byte in stream {
        f.push(&[byte]);
        while let Some(r) = f.next_frame() {
            protocols.push(r.expect("no errors in a clean stream").protocol);
        }
    }
    assert_eq!(protocols, vec![LOGIN, LOCATION, HEARTBEAT]);
    assert_eq!(f.pending(), 0);
}

#[test]
fn garbage_and_corrupt_frames_are_skipped_without_losing_good_ones() {
    let mut corrupt = hex(LOCATION_EU);
    corrupt[12] ^= 0xFF;
    let mut stream = vec![0x00, 0x11, 0x22];
    stream.extend(hex(LOGIN_DOC));
    stream.extend(&corrupt);
    stream.extend([0x78, 0x78, 0x02, 0x00]); // impossible length
    stream.extend(hex(LOCATION_BR));
    let mut f = Framer::default();
    f.push(&stream);
    let mut good = Vec::new();
    let mut errors = Vec::new();
    while let Some(r) = f.next_frame() {
        match r {
            Ok(frame) => good.push(frame.protocol),
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(good, vec![LOGIN, LOCATION]);
    assert!(matches!(errors[0], FrameError::Garbage { skipped: 3 }));
    assert!(errors.iter().any(|e| matches!(e, FrameError::Crc { .. })));
    assert!(errors.iter().any(|e| matches!(e, FrameError::Length(2))));
}

#[test]
fn a_garbage_stream_does_not_grow_the_buffer() {
    let mut f = Framer::default();
    for _ in 0..1000 {
        f.push(&[0x01, 0x02, 0x03, 0x78]);
        while f.next_frame().is_some() {}
    }
    assert!(f.pending() <= 1);
}

#[test]
fn truncated_content_is_an_error_not_a_panic() {
    for protocol in [LOGIN, LOCATION, HEARTBEAT, ALARM] {
        let frame = Frame { protocol, content: vec![1, 2], serial: 0, long: false };
        assert!(matches!(decode(&frame), Err(DecodeError::Short { .. })), "{protocol:#x}");
    }
    assert_eq!(
        decode(&Frame { protocol: 0x7E, content: vec![], serial: 0, long: false }),
        Ok(Message::Unsupported { protocol: 0x7E })
    );
}

proptest! {
    #[test]
    fn location_round_trips_through_encoder_framer_and_decoder(
        lat in -85.0f64..85.0,
        lon in -180.0f64..180.0,
        secs in 946_684_800i64..4_102_444_799,
        speed in 0u8..=255,
        course in 0u16..360,
        valid: bool,
        satellites in 0u8..16,
        serial: u16,
    ) {
        let l = Location {
            fix_time: Utc.timestamp_opt(secs, 0).single().expect("valid"),
            at: LatLon { lat, lon },
            satellites,
            valid,
            speed_kmh: f64::from(speed),
            course_deg: f64::from(course),
            archive: false,
        };
        let frame = one_frame(&encode_location(&l, serial));
        prop_assert_eq!(frame.serial, serial);
        let Message::Location(back) = decode(&frame).expect("decode") else { panic!("location") };
        prop_assert_eq!(back.fix_time, l.fix_time);
        prop_assert!((back.at.lat - lat).abs() < 1e-6 && (back.at.lon - lon).abs() < 1e-6);
        prop_assert_eq!((back.speed_kmh, back.course_deg, back.valid, back.satellites), (l.speed_kmh, l.course_deg, valid, satellites));
    }

    #[test]
    fn the_framer_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut f = Framer::default();
        f.push(&bytes);
        while let Some(r) = f.next_frame() {
            if let Ok(frame) = r {
                let _ = decode(&frame);
            }
        }
    }
}

#[test]
fn online_command_and_its_reply() {
    let cmd = encode_command(0x0000_0001, "ALERT,1,1,0#", 7);
    let mut f = Framer::default();
    f.push(&cmd);
    let frame = f.next_frame().expect("frame").expect("valid");
    assert_eq!(frame.protocol, COMMAND);
    assert_eq!(frame.content[0] as usize, 4 + "ALERT,1,1,0#".len());
    assert_eq!(&frame.content[5..5 + 12], b"ALERT,1,1,0#");
    f.push(&encode_command_reply(0x0000_0001, "ALERT OK", 8));
    let reply = f.next_frame().expect("frame").expect("valid");
    assert_eq!(decode(&reply), Ok(Message::CommandReply { server_flag: 1, text: "ALERT OK".into() }));
}

// Online commands and replies printed in Concox's protocol documents ("GPS Tracker Communication
// Protocol" V3.1 section 8; the older GT06 document's appendix B) and device captures from
// Traccar's test suite. Every CRC was checked before use.
/// V3.1 §8.1: "sos#" with server flag 0, language English (0x0002), serial 1.
const COMMAND_DOC: &str = "787810800800000000736F7323000200019A170D0A";
/// V3.1 §8.2.1: 0x21 reply, ASCII, server flag 0, serial 0x002E.
const REPLY_21_DOC: &str = "7979009D210000000001426174746572793A342E3136562C4E4F524D414C3B20475052533A4C696E6B2055703B2047534D205369676E616C204C6576656C3A5374726F6E673B204750533A536561726368696E6720736174656C6C6974652C20535653205573656420696E206669783A302830292C20475053205369676E616C204C6576656C3A3B204143433A4F46463B20446566656E73653A4F4646002E26DF0D0A";
/// V3.1 §8.2.2: 0x15 reply (JM01), language 0x0001, serial 0x002A.
const REPLY_15_DOC: &str =
    "787828152000000000534F53313A313334323136333236393920534F53323A20534F53333A0001002AC39C0D0A";
/// GT06 appendix B: the reply to "DYD,000000#" sent with server flag 0x0001A958.
const REPLY_15_DYD_DOC: &str = "78781815100001A9584459443D53756363657373210002001891770D0A";
/// Traccar capture: 0x21 reply in UTF-16BE (encoding 2).
const REPLY_21_UTF16: &str =
    "797900262100000000020043006f006d006d0061006e00640020006500720072006f0072002100236e850d0a";
/// Traccar capture: 0x15 reply with command length 0 and the text zero-padded.
const REPLY_15_PADDED: &str = "7878661500000000004459443d537563636573732100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000010009e82b0d0a";

fn reply(frame: &str) -> (u32, String) {
    match decode(&one_frame(&hex(frame))) {
        Ok(Message::CommandReply { server_flag, text }) => (server_flag, text),
        other => panic!("expected a command reply, got {other:?}"),
    }
}

#[test]
fn online_command_matches_the_documented_frame() {
    assert_eq!(encode_command(0, "sos#", 1), hex(COMMAND_DOC));
}

#[test]
fn documented_command_replies_decode() {
    assert_eq!(
        reply(REPLY_21_DOC),
        (
            0,
            "Battery:4.16V,NORMAL; GPRS:Link Up; GSM Signal Level:Strong; GPS:Searching satellite, SVS \
             Used in fix:0(0), GPS Signal Level:; ACC:OFF; Defense:OFF"
                .into()
        )
    );
    assert_eq!(reply(REPLY_15_DOC), (0, "SOS1:13421632699 SOS2: SOS3:".into()));
    assert_eq!(
        reply(REPLY_15_DYD_DOC),
        (0x0001_A958, "DYD=Success!".into()),
        "the flag comes back unchanged"
    );
    assert_eq!(one_frame(&hex(REPLY_21_DOC)).serial, 0x002E);
}

#[test]
fn captured_replies_in_utf16_and_zero_padded() {
    assert_eq!(reply(REPLY_21_UTF16), (0, "Command error!".into()));
    assert_eq!(reply(REPLY_15_PADDED), (0, "DYD=Success!".into()));
}

proptest! {
    #[test]
    fn online_commands_and_replies_round_trip(flag in any::<u32>(), text in "[ -~]{1,200}", serial in any::<u16>()) {
        let mut f = Framer::default();
        f.push(&encode_command(flag, &text, serial));
        let cmd = f.next_frame().expect("frame").expect("valid");
        prop_assert_eq!(cmd.protocol, COMMAND);
        prop_assert_eq!(cmd.serial, serial);
        prop_assert_eq!(&cmd.content[5..5 + text.len()], text.as_bytes());
        f.push(&encode_command_reply(flag, &text, serial.wrapping_add(1)));
        let r = f.next_frame().expect("frame").expect("valid");
        prop_assert_eq!(
            decode(&r),
            Ok(Message::CommandReply { server_flag: flag, text: text.clone() })
        );
    }
}
