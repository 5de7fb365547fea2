use super::*;
use crate::alarm::AlarmKind;
use chrono::{TimeZone, Utc};
use serde_json::json;

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 3, 0, 0).single().expect("valid")
}

fn person(name: &str, region: Option<&str>) -> Person {
    serde_json::from_value(json!({"id": PersonId::new(), "name": name, "record": "1", "regime": "open",
        "region": region, "created_at": t0()}))
    .expect("person")
}

fn device(worn_by: Option<PersonId>) -> Device {
    serde_json::from_value(json!({"id": DeviceId::new(), "imei": "860000000000001", "kind": "ankle_bracelet",
        "state": if worn_by.is_some() { "active" } else { "stock" }, "person_id": worn_by,
        "created_at": t0(), "history": []}))
    .expect("device")
}

fn fix(d: &Device) -> Position {
    serde_json::from_value(json!({"id": crate::ids::PositionId::new(), "device_id": d.id,
        "person_id": d.person_id, "fix_time": t0(), "recv_time": t0(), "at": {"lat": -8.76, "lon": -63.9}}))
    .expect("position")
}

fn alarm(subject: Subject) -> Alarm {
    Alarm::new(AlarmKind::Tamper, subject, None, t0(), t0())
}

#[test]
fn rfs177_a_unit_reaches_its_regions_people_and_what_concerns_them_only() {
    let ours = person("Ivo", Some(" regional i "));
    let theirs = person("Rosa", Some("Regional II"));
    let nowhere = person("Caio", None);
    let (worn, other, stock) = (device(Some(ours.id)), device(Some(theirs.id)), device(None));
    let reach = Reach::new("Regional I", [&ours, &theirs, &nowhere], [&worn, &other, &stock]);
    assert!(reach.person(ours.id) && !reach.person(theirs.id) && !reach.person(nowhere.id));
    assert!(
        reach.device(&worn) && reach.device(&stock) && !reach.device(&other),
        "stock is fitted by the unit"
    );
    assert!(reach.position(&fix(&worn)) && !reach.position(&fix(&other)));
    assert!(reach.alarm(&alarm(Subject::Person(ours.id))));
    assert!(!reach.alarm(&alarm(Subject::Person(theirs.id))));
    assert!(!reach.alarm(&alarm(Subject::Device(other.id))), "a device's alarm follows its wearer");
    assert!(reach.alarm(&alarm(Subject::Device(stock.id))));
}

#[test]
fn rfs177_the_feed_follows_people_and_devices_into_and_out_of_the_unit() {
    let mut moving = person("Ivo", Some("Regional II"));
    let d = device(Some(moving.id));
    let mut reach = Reach::new("Regional I", [&moving], [&d]);
    assert!(!reach.sees(&EventBody::Position(fix(&d))));
    assert!(!reach.sees(&EventBody::Alarm(alarm(Subject::Device(d.id)))));

    // Transferred to the unit: reached from the record's event on, with their device's fixes.
    moving.region = Some("Regional I".into());
    assert!(reach.sees(&EventBody::Person(moving.clone())));
    assert!(reach.sees(&EventBody::Position(fix(&d))));
    let a = alarm(Subject::Person(moving.id));
    assert!(reach.sees(&EventBody::Alarm(a.clone())));
    let note: crate::notify::Notification =
        serde_json::from_value(json!({"id": crate::ids::NotificationId::new(),
        "channel": "email", "to": "plantao@sejus.gov.br", "subject": "s", "body": "b", "alarm_id": a.id,
        "created_at": t0(), "state": "pending", "attempts": 0, "next_attempt_at": t0()}))
        .expect("notification");
    assert!(reach.sees(&EventBody::Notification(note)), "the notification of an alarm passed on");

    // Transferred away: the event that moves them out still goes (the console drops the
    // record), nothing after it does.
    moving.region = Some("Regional III".into());
    assert!(reach.sees(&EventBody::Person(moving.clone())));
    assert!(!reach.sees(&EventBody::Person(moving)));
    assert!(!reach.sees(&EventBody::Position(fix(&d))));

    // The device taken off and back in stock is the unit's to fit again.
    let mut back = d.clone();
    back.person_id = None;
    assert!(reach.sees(&EventBody::Device(back)));
    let command = crate::command::DeviceCommand {
        id: crate::ids::CommandId::new(),
        device_id: d.id,
        kind: crate::command::CommandKind::ReportInterval { seconds: 60 },
        tag: 1,
        created_by: crate::ids::UserId::new(),
        created_at: t0(),
        state: crate::command::CommandState::Queued,
        attempts: 0,
    };
    assert!(reach.sees(&EventBody::Command(command)));
}

#[test]
fn rfs177_a_device_or_zone_of_another_units_person_is_not_streamed_and_one_taken_away_is_once() {
    let ours = person("Ivo", Some("Regional I"));
    let theirs = person("Rosa", Some("Regional II"));
    let mut reach = Reach::new("Regional I", [&ours, &theirs], []);
    // Registered by the central already on another unit's person: never this unit's.
    assert!(!reach.sees(&EventBody::Device(device(Some(theirs.id)))));
    let zone = |owner: PersonId| -> Zone {
        serde_json::from_value(json!({"id": crate::ids::ZoneId::new(), "name": "Casa", "kind": "exclusion",
            "shape": {"type": "circle", "center": {"lat": -8.7, "lon": -63.8}, "radius_m": 200.0},
            "person_id": owner, "active": true, "created_at": t0()}))
        .expect("zone")
    };
    let mut z = zone(ours.id);
    reach.remember_zones([&z]);
    z.person_id = Some(theirs.id);
    assert!(reach.sees(&EventBody::Zone(z.clone())), "given away: passed once, so the console drops it");
    assert!(!reach.sees(&EventBody::Zone(z)));
}
