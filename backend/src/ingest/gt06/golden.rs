//! Golden frames of the GT06 family (issue 20 item 1): every packet type added, from the examples
//! of Concox's protocol documents (GT06, JM-VL02/GT800 V3.1, JM-VL03) and device captures from
//! Traccar's test suite. Every CRC was recomputed before use; Traccar keeps several captures whose
//! CRC does not check (it never verifies it), and those are not used here.

use super::*;
use chrono::TimeZone;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

fn frame(s: &str) -> Frame {
    let mut f = Framer::default();
    f.push(&hex(s));
    f.next_frame().expect("a frame").expect("a valid frame")
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().expect("valid")
}

fn location(s: &str) -> Location {
    match decode(&frame(s)).expect("decode") {
        Message::Location(l) => l,
        other => panic!("not a location: {other:?}"),
    }
}

fn near(got: f64, want: f64) -> bool {
    (got - want).abs() < 2e-6
}

#[test]
fn logins_with_model_code_and_time_zone() {
    // JM-VL02 document: GMT+8 (0x3201), serial 5, and the documented answer.
    let f = frame("78781101075253367890024270003201000512790D0A");
    assert_eq!(
        decode(&f),
        Ok(Message::Login {
            imei: "752533678900242".into(),
            type_id: Some(0x7000),
            tz_offset_min: Some(480)
        })
    );
    assert_eq!(ack_for(&f), Some(hex("7878050100059FF80D0A")));
    // A device in UTC−4 (Porto Velho, Manaus): 0x190A = 400 (4 h 00), bit 3 = west.
    let f = frame("787811010864717003664467100f190a0002c6d20d0a");
    assert_eq!(
        decode(&f),
        Ok(Message::Login {
            imei: "864717003664467".into(),
            type_id: Some(0x100F),
            tz_offset_min: Some(-240)
        })
    );
    assert_eq!(ack_for(&f), Some(hex("787805010002EB470D0A")));
    let Ok(Message::Login { tz_offset_min, .. }) =
        decode(&frame("787811010863586038760942a0010000010aa4000d0a"))
    else {
        panic!("login")
    };
    assert_eq!(tz_offset_min, Some(0));
    // The plain GT06 login: no model code, no time zone.
    let f = frame("78780D01086471700328358100093F040D0A");
    assert_eq!(
        decode(&f),
        Ok(Message::Login { imei: "864717003283581".into(), type_id: None, tz_offset_min: None })
    );
    assert_eq!(ack_for(&f), Some(hex("78780501000955940D0A")));
}

#[test]
fn gps_only_0x10() {
    let f = frame("787819100B031A0B1B31CC027AC7FD0C4657BF0115210001001CC6070D0A");
    let Message::Location(l) = decode(&f).expect("decode") else { panic!("location") };
    assert_eq!(l.fix_time, utc(2011, 3, 26, 11, 27, 49));
    assert!(near(l.at.lat, 23.111678) && near(l.at.lon, 114.409208), "{:?}", l.at);
    assert_eq!((l.satellites, l.valid, l.speed_kmh, l.course_deg), (12, true, 1.0, 289.0));
    assert_eq!(ack_for(&f), None, "the document asks no answer to a location");
}

#[test]
fn gps_lbs_0x12_captures() {
    let l = location("78781f120f0a140e150bc505e51e780293a9e800540000f601006e0055da00035f240d0a");
    assert_eq!(l.fix_time, utc(2015, 10, 20, 14, 21, 11));
    assert!(near(l.at.lat, 54.945347) && near(l.at.lon, 24.017622), "{:?}", l.at);
    assert!(l.valid);
    // A longer 0x12 variant (VXT01: status, power and signal after the cell) is still a place.
    let l = location("7878241216040e102c22cf00915ffb04c6016300195a02d402283b00753f400571040001dda4880d0a");
    assert_eq!(l.fix_time, utc(2022, 4, 14, 16, 44, 34));
    assert!(near(l.at.lat, -5.292939) && near(l.at.lon, -44.491859), "{:?}", l.at);
}

#[test]
fn gps_lbs_0x22_with_the_re_upload_flag() {
    // JM-VL02 document's example: re-uploaded (from memory after an outage).
    let f = frame("787822220F0C1D023305C9027AC8180C46586000140001CC00287D001F71000001000820860D0A");
    let Message::Location(l) = decode(&f).expect("decode") else { panic!("location") };
    assert_eq!(l.fix_time, utc(2015, 12, 29, 2, 51, 5));
    assert!(near(l.at.lat, 23.111693) && near(l.at.lon, 114.409298), "{:?}", l.at);
    assert_eq!((l.satellites, l.valid, l.archive), (9, true, true));
    assert_eq!(ack_for(&f), None);
    // A Brazilian capture: south and west, ignition bits in the course word.
    let l = location("787822220e0914160f07c9021a362805090a7800d8b802d402c30e00a98a0105010213f4bb0d0a");
    assert_eq!(l.fix_time, utc(2014, 9, 20, 22, 15, 7));
    assert!(near(l.at.lat, -19.595684) && near(l.at.lon, -46.932547), "{:?}", l.at);
    assert!(l.valid && l.archive);
}

#[test]
fn gps_lbs_4g_0xa0() {
    let l = location(
        "787829a01707150f2d0ecd01635100041e96d000087c02d4020000912e000000000718798d000e0006ed3ce50d0a",
    );
    assert_eq!(l.fix_time, utc(2023, 7, 21, 15, 45, 14));
    assert!(near(l.at.lat, -12.936676) && near(l.at.lon, -38.396418), "{:?}", l.at);
    assert_eq!((l.satellites, l.valid, l.archive), (13, false, false));
}

#[test]
fn extended_79_79_gps_packets() {
    // AZ735 (0x32): a GPS block with its own length byte; echoed in 79 79.
    let f = frame(
        "7979004a321106170c1b180cc900a875580b7ab4f00010350901fe0a007c0009112424007c000912240081004efe2100c500100f1200000000000000000000000000000000000000000000bc7c900d0a",
    );
    assert!(f.long);
    let Message::Location(l) = decode(&f).expect("decode") else { panic!("location") };
    assert_eq!(l.fix_time, utc(2017, 6, 23, 12, 27, 24));
    assert!(near(l.at.lat, -6.133382) && near(l.at.lon, 106.995049), "{:?}", l.at);
    assert_eq!(ack_for(&f), Some(hex("797900053200BCEDD10D0A")));
    // 0x38: GPS, upload mode, re-upload flag and a 4G cell; no answer.
    let f = frame(
        "7979003e3819050e0e0c26c5010fd98e0905f53000ccab0e000302c80100000c240000000000048b08001b002e04000015c4003b020000003c0401020001021f60220d0a",
    );
    let Message::Location(l) = decode(&f).expect("decode") else { panic!("location") };
    assert_eq!(l.fix_time, utc(2025, 5, 14, 14, 12, 38));
    assert!(near(l.at.lat, 9.89775) && near(l.at.lon, -84.102996), "{:?}", l.at);
    assert!(!l.valid && !l.archive);
    assert_eq!(ack_for(&f), None);
    // The ordinary location types in an extended frame (firmware that always sends 79 79).
    let short = frame("787822220F0C1D023305C9027AC8180C46586000140001CC00287D001F71000001000820860D0A");
    let long = frame(
        &encode_long(GPS_LBS_2, &short.content, 7).iter().map(|b| format!("{b:02X}")).collect::<String>(),
    );
    assert_eq!(decode(&long), decode(&short));
    assert_eq!(ack_for(&long), None);
}

#[test]
fn alarm_0x16_and_0x26_with_status_battery_and_code() {
    let f = frame("787825160B051B093523CF027AC8360C4657B30014000901CC00266A001E1740050400020008D7B10D0A");
    let Message::Alarm { location: Some(l), report } = decode(&f).expect("decode") else { panic!("alarm") };
    assert_eq!(l.fix_time, utc(2011, 5, 27, 9, 53, 35));
    assert!(near(l.at.lat, 23.11171) && near(l.at.lon, 114.409202));
    assert_eq!(
        (report.status.alarm_bits, report.battery, report.gsm_signal, report.alarm),
        (0, Some(Battery::Level(5)), Some(4), 0)
    );
    assert_eq!(ack_for(&f), Some(encode(ALARM, &[], 0x0008)));
    // JM-VL02 document's 0x26: no fix, charging, the shock bits and alarm 0x03 (vibration).
    let f = frame("7878252612030C063816C3026C10540C38C9700144030901CC002866000EEE0C06040302000DA2DB0D0A");
    let Message::Alarm { location: Some(l), report } = decode(&f).expect("decode") else { panic!("alarm") };
    assert_eq!(l.fix_time, utc(2018, 3, 12, 6, 56, 22));
    assert!(!l.valid);
    assert!(report.status.charging);
    assert_eq!((report.status.alarm_bits, report.battery, report.alarm), (1, Some(Battery::Level(6)), 0x03));
    assert_eq!(ack_for(&f), Some(encode(ALARM_2, &[], f.serial)));
}

#[test]
fn strap_removed_and_tamper_alarms() {
    // Status 0x7C: field 7, the strap removed ("removing"); battery as a percentage (85).
    let f = frame("7878251613020C12141AC5027951430C2A16F60014000900000000001A00007C550300020002F1E70D0A");
    let Message::Alarm { report, .. } = decode(&f).expect("decode") else { panic!("alarm") };
    assert_eq!((report.status.alarm_bits, report.battery), (7, Some(Battery::Percent(85))));
    assert_eq!(Battery::Percent(85).percent(), 85.0);
    // Alarm 0x25 (tamper) with a cell length byte that does not count itself (8).
    let Message::Alarm { report, .. } = decode(&frame(
        "78782516160908063736c0006e70110442fc800000000800000000000000000300002512000473fb0d0a",
    ))
    .expect("decode") else {
        panic!("alarm")
    };
    assert_eq!(report.alarm, 0x25);
    // Alarm 0x0C on a 0x26 packet (tamper in Traccar's reading; power-on in Concox's document).
    let Message::Alarm { report, .. } = decode(&frame(
        "78782526160913063918c002780fab0c44750f00040008027f14084c0038420600030c020007398e0d0a",
    ))
    .expect("decode") else {
        panic!("alarm")
    };
    assert_eq!((report.status.alarm_bits, report.alarm), (0, 0x0C));
    // 4G alarm with cells only (0xA5): alarm 0x13, tamper; echoed.
    let f = frame("787819a5012ed0000075df000000000098661502050413000019a12b0d0a");
    let Message::Alarm { location: None, report } = decode(&f).expect("decode") else { panic!("alarm") };
    assert_eq!((report.alarm, report.battery), (0x13, Some(Battery::Level(5))));
    assert_eq!(ack_for(&f), Some(encode(LBS_ALARM_4G, &[], 0x0019)));
}

#[test]
fn alarm_with_fence_and_a_two_byte_mnc() {
    let f = frame("78782727110c0b0e170f850450059107f461ae001c7e0a81360104cb8a00bef32806030c02ff000316b10d0a");
    let Message::Alarm { location: Some(l), report } = decode(&f).expect("decode") else { panic!("alarm") };
    assert_eq!(l.fix_time, utc(2017, 12, 11, 14, 23, 15));
    assert!(near(l.at.lat, 40.196205) && near(l.at.lon, -74.14239), "{:?}", l.at);
    // After the 9-byte cell (length byte 10 counts itself): status 0x28, level 6, signal 3,
    // alarm 0x0C, language 2, fence 0xFF.
    assert_eq!((report.battery, report.gsm_signal, report.alarm), (Some(Battery::Level(6)), Some(3), 0x0C));
    assert_eq!(ack_for(&f), Some(encode(ALARM_FENCE, &[], f.serial)));
}

#[test]
fn heartbeats_0x13_and_0x23() {
    let f = frame("78780a13c40604000201298f5b0d0a");
    let Message::Heartbeat(r) = decode(&f).expect("decode") else { panic!("heartbeat") };
    assert!(r.status.charging && r.status.gps_tracking);
    assert_eq!((r.battery, r.gsm_signal, r.alarm), (Some(Battery::Level(6)), Some(4), 0));
    assert_eq!(ack_for(&f), Some(hex("7878051301295D630D0A")));
    // JM-VL02 document: 0x23, external voltage in centivolts, answered with its own echo.
    let f = frame("78780B23C00122040001000818720D0A");
    let Message::Heartbeat(r) = decode(&f).expect("decode") else { panic!("heartbeat") };
    assert_eq!((r.battery, r.gsm_signal), (None, Some(4)));
    assert_eq!(ack_for(&f), Some(encode(HEARTBEAT_VOLTAGE, &[], 0x0008)));
    assert_eq!(encode(HEARTBEAT_VOLTAGE, &[], 0x0008), hex("787805230008F29E0D0A"), "the document's answer");
}

#[test]
fn time_request_is_answered_with_utc_and_the_request_serial() {
    let f = frame("7878058A000688290D0A");
    assert_eq!(decode(&f), Ok(Message::TimeRequest));
    assert_eq!(ack_for(&f), None, "answered by time_reply, which needs the clock");
    // The document's example answer for 2015-12-29 00:00:21.
    assert_eq!(time_reply(f.serial, utc(2015, 12, 29, 0, 0, 21)), hex("78780B8A0F0C1D0000150006F0860D0A"));
}

#[test]
fn information_packets_are_understood_and_not_answered() {
    for (s, sub) in [
        ("79790008940000ed0289d6860d0a", 0x00),
        ("7979000d940516090908081c030defbd2d0d0a", 0x05),
        ("79790008940b02e3048614200d0a", 0x0B),
    ] {
        let f = frame(s);
        assert_eq!(decode(&f), Ok(Message::Info { subtype: Some(sub) }));
        assert_eq!(ack_for(&f), None);
    }
}

#[test]
fn address_request_gets_not_available() {
    // 0x2A carries a position; the answer is Traccar's "NA&&NA&&0##" in a 79 79 frame (0x97).
    let gps = frame("787822220F0C1D023305C9027AC8180C46586000140001CC00287D001F71000001000820860D0A").content
        [..18]
        .to_vec();
    let mut content = gps;
    content.extend_from_slice(&[b'0'; 21]);
    content.extend_from_slice(&[0x00, 0x02]);
    let f = frame(&encode(GPS_ADDRESS, &content, 0).iter().map(|b| format!("{b:02X}")).collect::<String>());
    assert!(matches!(decode(&f), Ok(Message::Location(_))));
    assert_eq!(ack_for(&f), Some(hex("79790015970B000000004E4126264E4126263023230000E61E0D0A")));
}

#[test]
fn cell_tower_packets_are_contact_without_a_place() {
    // 0x28: date, MCC/MNC and seven cells (no GPS).
    let mut content = vec![0x1A, 0x0B, 0x16, 0x0C, 0x1E, 0x00, 0x02, 0xD4, 0x05];
    content.extend(std::iter::repeat_n(0u8, 7 * 6 + 1 + 2));
    let f = frame(&encode(LBS_MULTI, &content, 3).iter().map(|b| format!("{b:02X}")).collect::<String>());
    assert_eq!(decode(&f), Ok(Message::Towers { time: utc(2026, 11, 22, 12, 30, 0) }));
    assert_eq!(ack_for(&f), None);
}

#[test]
fn unknown_types_are_echoed_in_78_78_and_not_in_79_79() {
    let f = frame(&encode(0x7E, &[1, 2, 3], 9).iter().map(|b| format!("{b:02X}")).collect::<String>());
    assert_eq!(decode(&f), Ok(Message::Unsupported { protocol: 0x7E }));
    assert_eq!(ack_for(&f), Some(encode(0x7E, &[], 9)));
    let f = frame(&encode_long(0x7E, &[1, 2, 3], 9).iter().map(|b| format!("{b:02X}")).collect::<String>());
    assert_eq!(ack_for(&f), None);
}

/// The content of a position-bearing packet of `protocol` around a 0x12 location's GPS block.
fn content_for(protocol: u8, gps: &[u8], archive: bool) -> Vec<u8> {
    // MCC 724 (Brazil), MNC 5, then LAC and cell id: 2 and 3 bytes, or 4 and 8 bytes in 4G.
    const CELL: [u8; 8] = [0x02, 0xD4, 0x05, 0x12, 0x34, 0, 0x56, 0x78];
    const CELL_4G: [u8; 15] = [0x02, 0xD4, 0x05, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0x56, 0x78];
    // ACC, upload mode, re-upload flag.
    let tail = [1, 0, u8::from(archive)];
    let mut c = gps.to_vec();
    match protocol {
        GPS => {}
        GPS_LBS_4G => c.extend(CELL_4G.iter().chain(&tail)),
        GPS_LBS_2 => c.extend(CELL.iter().chain(&tail)),
        _ => c.extend_from_slice(&CELL),
    }
    c
}

proptest::proptest! {
    /// Every position-bearing type, in 78 78 and 79 79 frames, gives back the place, time, fix
    /// validity, speed, course and re-upload flag it was built with, and gets the answer its
    /// document asks for (none).
    #[test]
    fn position_packets_of_every_type_round_trip(
        lat in -85.0f64..85.0,
        lon in -180.0f64..180.0,
        secs in 946_684_800i64..4_102_444_799,
        speed in 0u8..=255,
        course in 0u16..360,
        valid: bool,
        archive: bool,
        protocol in proptest::sample::select(vec![GPS, GPS_LBS_6, LOCATION, GPS_LBS_2, GPS_LBS_4G, GPS_LBS_MODULE]),
        long: bool,
        serial: u16,
    ) {
        let l = Location {
            fix_time: Utc.timestamp_opt(secs, 0).single().expect("valid"),
            at: atalaia_core::geom::LatLon { lat, lon },
            satellites: 9,
            valid,
            speed_kmh: f64::from(speed),
            course_deg: f64::from(course),
            archive: archive && matches!(protocol, GPS_LBS_2 | GPS_LBS_4G),
        };
        let gps = &frame(&encode_location(&l, 1).iter().map(|b| format!("{b:02X}")).collect::<String>()).content[..18];
        let content = content_for(protocol, gps, archive);
        let bytes = if long { encode_long(protocol, &content, serial) } else { encode(protocol, &content, serial) };
        let mut f = Framer::default();
        f.push(&bytes);
        let got = f.next_frame().expect("a frame").expect("valid");
        proptest::prop_assert_eq!((got.long, got.serial), (long, serial));
        let Ok(Message::Location(back)) = decode(&got) else { panic!("location") };
        proptest::prop_assert!(near(back.at.lat, lat) && near(back.at.lon, lon));
        proptest::prop_assert_eq!((back.fix_time, back.valid, back.speed_kmh, back.course_deg, back.archive),
            (l.fix_time, l.valid, l.speed_kmh, l.course_deg, l.archive));
        proptest::prop_assert_eq!(ack_for(&got), None);
    }

    /// Any status byte reads back its charging bit and alarm field, and any battery byte a
    /// percentage between 0 and 100 (or none, above 100).
    #[test]
    fn status_and_battery_bytes_of_heartbeats(status: u8, battery: u8, gsm: u8, alarm: u8, serial: u16) {
        let got = frame(&encode(HEARTBEAT, &[status, battery, gsm, alarm, 2], serial).iter().map(|b| format!("{b:02X}")).collect::<String>());
        let Ok(Message::Heartbeat(r)) = decode(&got) else { panic!("heartbeat") };
        proptest::prop_assert_eq!((r.status.charging, r.status.alarm_bits, r.alarm), (status & 4 != 0, (status >> 3) & 7, alarm));
        match r.battery {
            Some(b) => proptest::prop_assert!((0.0..=100.0).contains(&b.percent()) && battery <= 100),
            None => proptest::prop_assert!(battery > 100),
        }
        proptest::prop_assert_eq!(ack_for(&got), Some(encode(HEARTBEAT, &[], serial)));
    }
}
