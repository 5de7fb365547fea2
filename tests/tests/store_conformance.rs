//! One store, two engines (issue 24 item 1): the store's functions that have moved to
//! `store::db` are run on a SQLite file migrated by the server's own migrations and on a real
//! PostgreSQL migrated by the PostgreSQL schema, and must answer alike — records kept as
//! documents (written, replaced, found by id and by column, listed in `seq` order, a repeated
//! unique key refused as a conflict), the named counters, the files kept apart from the records
//! (attachments, photos, documents, bytes exact), the detectors' saved state, users as the
//! store reads them (a user name unique whatever its case), profiles, the crew's seat and the
//! device listeners' counts, the event log, and the questions about alarms and notifications
//! that look inside their documents, the hash-chained audit trail with its search, and users and
//! sessions as the login keeps them, and commands' idempotency keys; and, through a whole `Store`
//! on each engine (its writer and readers), the position fixes with their track archive. Each
//! function joins this suite as it moves.

use atalaia_backend::investigate;
use atalaia_backend::store::db::{Db, PgConn};
use atalaia_backend::store::{PositionFilter, Store, StoreError, pg, tracks};
use atalaia_client::fixtures;
use atalaia_core::geom::LatLon;
use atalaia_core::monitoring::{Device, DeviceKind, Person, Position, Zone};
use atalaia_tests::pg::Postgres;
use std::sync::Arc;

/// What every engine must do alike.
fn documents_and_counters(db: Db<'_>) {
    let engine = db.engine();
    // Written and read back as they were.
    let mut ana = fixtures::person("Ana Lima");
    let bruno = fixtures::person("Bruno Reis");
    Store::put_record(db, &ana, 1).expect("ana");
    Store::put_record(db, &bruno, 2).expect("bruno");
    assert_eq!(Store::get::<Person>(db, &ana.id.to_string()).expect("get"), Some(ana.clone()), "{engine:?}");
    assert_eq!(Store::get::<Person>(db, "nobody").expect("get"), None);
    assert!(matches!(Store::get_required::<Person>(db, "nobody"), Err(StoreError::NotFound(_))));

    // Replaced in place; listed in the order of their last change.
    ana.name = "Ana Lima Souza".into();
    Store::put_record(db, &ana, 3).expect("ana again");
    let names: Vec<String> = Store::list::<Person>(db).expect("list").into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Bruno Reis", "Ana Lima Souza"], "{engine:?}");

    // Found by a column; a second record with a unique column's value is a conflict.
    let bracelet = fixtures::device("864999000000001", DeviceKind::AnkleBracelet);
    Store::put_record(db, &bracelet, 4).expect("device");
    let found: Option<Device> = Store::find_by(db, "imei", "864999000000001").expect("find");
    assert_eq!(found.map(|d| d.id), Some(bracelet.id), "{engine:?}");
    let twin = fixtures::device("864999000000001", DeviceKind::AnkleBracelet);
    match Store::put_record(db, &twin, 5) {
        Err(StoreError::Conflict(why)) => assert!(why.starts_with("Dispositivo já existe"), "{why}"),
        other => panic!("{engine:?}: a repeated IMEI was {other:?}"),
    }

    // Listed by a column, a null column included.
    let school = fixtures::zone("Escola", Some(&ana), None);
    let centre = fixtures::zone("Centro", None, Some("Medida protetiva"));
    Store::put_record(db, &school, 6).expect("zone");
    Store::put_record(db, &centre, 7).expect("zone");
    let of_ana: Vec<Zone> = Store::list_by(db, "person_id", &ana.id.to_string()).expect("by person");
    assert_eq!(of_ana, [school], "{engine:?}");
    assert_eq!(Store::list::<Zone>(db).expect("zones").len(), 2);

    // Counters count from 1, each name on its own.
    assert_eq!(Store::next_counter(db, "ocorrencias-2026").expect("counter"), 1);
    assert_eq!(Store::next_counter(db, "ocorrencias-2026").expect("counter"), 2);
    assert_eq!(Store::next_counter(db, "ocorrencias-2027").expect("counter"), 1);
}

/// Files kept apart from the records, and the detectors' saved state.
fn files_and_detector_state(db: Db<'_>) {
    use atalaia_backend::store::{detector_state, save_detector_state};
    use atalaia_core::detect::{Part, StateRecord};
    use atalaia_core::ids::{AttachmentId, OccurrenceId, PersonId};
    use atalaia_core::monitoring::documents::DocumentRef;
    let engine = db.engine();

    // An attachment's bytes, exactly; an unknown one is nothing.
    let (attachment, occurrence) = (AttachmentId::new(), OccurrenceId::new());
    let bytes: Vec<u8> = (0..=255).collect();
    assert!(!Store::attachment_exists(db, attachment).expect("exists"));
    Store::put_attachment(db, attachment, occurrence, "image/jpeg", &bytes).expect("attach");
    assert!(Store::attachment_exists(db, attachment).expect("exists"));
    let stored = Store::attachment(db, attachment).expect("read").expect("stored");
    assert_eq!(
        (stored.occurrence, stored.content_type.as_str(), stored.data),
        (occurrence, "image/jpeg", bytes.clone())
    );
    assert!(Store::attachment(db, AttachmentId::new()).expect("read").is_none());
    assert!(
        Store::put_attachment(db, attachment, occurrence, "image/jpeg", &bytes).is_err(),
        "{engine:?}: an id twice"
    );

    // A person's photo is theirs only.
    let (person, photo) = (PersonId::new(), uuid::Uuid::now_v7());
    Store::put_photo(db, photo, person, "image/png", &bytes, chrono::Utc::now()).expect("photo");
    assert_eq!(Store::photo(db, person, photo).expect("read"), Some(("image/png".to_owned(), bytes.clone())));
    assert_eq!(Store::photo(db, PersonId::new(), photo).expect("read"), None, "{engine:?}");

    // Documents: newest first, the same file twice is the first one.
    let at = |h: u32| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 7, h, 0, 0).unwrap();
    let doc = |title: &str, sha: &str, h: u32| -> DocumentRef {
        serde_json::from_value(serde_json::json!({
            "id": uuid::Uuid::now_v7(), "person": person, "kind": "court_decision", "title": title,
            "file_name": "decisao.pdf", "content_type": "application/pdf", "size": 3, "sha256": sha,
            "at": at(h), "by": "Rafael Costa"
        }))
        .expect("document")
    };
    let (first, second) = (doc("Decisão de inclusão", "aa", 9), doc("Termo assinado", "bb", 10));
    assert_eq!(Store::put_document(db, &first, b"pdf").expect("put"), None);
    assert_eq!(Store::put_document(db, &second, b"pdf2").expect("put"), None);
    let again = doc("Outra vez", "aa", 11);
    assert_eq!(Store::put_document(db, &again, b"pdf").expect("put"), Some(first.clone()), "{engine:?}");
    let titles: Vec<String> =
        Store::documents(db, person).expect("list").into_iter().map(|d| d.title).collect();
    assert_eq!(titles, ["Termo assinado", "Decisão de inclusão"], "{engine:?}");
    assert_eq!(Store::document(db, person, first.id).expect("read"), Some((first.clone(), b"pdf".to_vec())));
    assert_eq!(Store::document(db, PersonId::new(), first.id).expect("read"), None);

    // Detector state: saved, replaced, deleted by a record without content.
    let rec = |id: &str, doc: Option<&str>| StateRecord {
        part: Part::Device,
        id: id.into(),
        doc: doc.map(str::to_owned),
    };
    save_detector_state(db, &[rec("d1", Some("{\"a\":1}")), rec("d2", Some("{\"b\":2}"))]).expect("save");
    save_detector_state(db, &[rec("d1", Some("{\"a\":3}")), rec("d2", None)]).expect("save");
    let saved: Vec<(String, String)> =
        detector_state(db).expect("load").into_iter().map(|(_, id, doc)| (id, doc)).collect();
    assert_eq!(saved, [("d1".to_owned(), "{\"a\":3}".to_owned())], "{engine:?}");

    // The detectors' queue (issue 24): taken oldest first, each sample once, exactly as queued.
    use atalaia_backend::store::{queue_samples, samples_queued, take_queued};
    use atalaia_core::detect::{Sample, Signal};
    let sample = |s: i64, signals: Vec<Signal>| Sample {
        device_id: atalaia_core::ids::DeviceId::new(),
        fix_time: at(9) + chrono::Duration::seconds(s),
        recv_time: at(9) + chrono::Duration::seconds(s + 1),
        at: Some(atalaia_core::geom::LatLon { lat: -8.76, lon: -63.9 }),
        accuracy_m: Some(5.0),
        battery_pct: None,
        charging: Some(false),
        heartbeat: s == 2,
        signals,
    };
    let queued: Vec<Sample> =
        vec![sample(1, vec![Signal::StrapOpen(true)]), sample(2, vec![]), sample(3, vec![Signal::Panic])];
    assert!(!samples_queued(db).expect("queued"));
    queue_samples(db, &queued[..2]).expect("queue");
    queue_samples(db, &queued[2..]).expect("queue");
    assert!(samples_queued(db).expect("queued"));
    assert_eq!(take_queued(db, 2).expect("take"), queued[..2], "{engine:?}");
    assert_eq!(take_queued(db, 2).expect("take"), queued[2..], "{engine:?}");
    assert!(take_queued(db, 2).expect("take").is_empty());
    assert!(!samples_queued(db).expect("queued"));
}

/// Users as the store reads them, profiles, the crew's seat, and the listeners' counts.
fn users_profiles_and_ingest(db: Db<'_>) {
    use atalaia_core::auth::{Permission, Profile, Role};
    use atalaia_core::ids::{UserId, VehicleId};
    let engine = db.engine();
    let now = atalaia_backend::store::ts(chrono::Utc::now());
    let add_user = |id: &UserId, username: &str| {
        db.execute(
            "INSERT INTO users (id, username, display_name, role, pw_hash, created_at) VALUES (?1, ?2, ?3, 'tarm', 'x', ?4)",
            &[&id.to_string(), &username, &format!("Usuária {username}"), &now],
        )
    };
    let (ana, bia) = (UserId::new(), UserId::new());
    add_user(&ana, "ana").expect("ana");
    add_user(&bia, "bia").expect("bia");
    let twin = add_user(&UserId::new(), "ANA").expect_err("a user name whatever its case is taken");
    assert!(twin.is_unique_violation(), "{engine:?}: {twin}");
    assert_eq!(Store::user_display_name(db, ana).expect("name"), Some("Usuária ana".to_owned()));
    assert_eq!(Store::user_display_name(db, UserId::new()).expect("name"), None);

    // The crew's seat.
    let vehicle = VehicleId::new();
    assert_eq!(Store::crew_vehicle(db, ana).expect("seat"), None);
    Store::set_crew_vehicle(db, ana, Some(vehicle)).expect("sign in");
    assert_eq!(Store::crew_vehicle(db, ana).expect("seat"), Some(vehicle), "{engine:?}");
    Store::set_crew_vehicle(db, ana, None).expect("sign off");
    assert_eq!(Store::crew_vehicle(db, ana).expect("seat"), None);

    // Profiles: seeded first, then the defined ones by name; given to a user, it is what counts.
    let audit = Profile {
        id: "consulta".into(),
        name: "Consulta".into(),
        base: Role::Auditor,
        permissions: vec![Permission::AuditRead],
        builtin: false,
    };
    Store::save_profile(db, &audit).expect("save");
    Store::save_profile(db, &audit).expect("save again");
    let all = Store::profiles(db).expect("profiles");
    assert_eq!(all.len(), Role::ALL.len() + 1);
    assert_eq!(all.last().map(|p| p.id.as_str()), Some("consulta"));
    assert_eq!(Store::profile(db, "consulta").expect("profile"), Some(audit.clone()));
    assert!(Store::set_user_profile(db, &bia.to_string(), &audit).expect("give"));
    assert!(!Store::set_user_profile(db, "ninguém", &audit).expect("give"));
    assert_eq!(
        Store::active_users_with(db, Permission::AuditRead).expect("who"),
        [bia.to_string()],
        "{engine:?}"
    );

    // What the listeners refused, newest first; what they counted, summed with the last sample.
    let at = chrono::Utc::now();
    for key in ["111", "222", "333"] {
        Store::log_reject(db, at, "osmand", key, "127.0.0.1", "desconhecido", 1).expect("reject");
    }
    let keys: Vec<String> =
        Store::rejects(db, 2).expect("rejects").into_iter().map(|r| r.device_key).collect();
    assert_eq!(keys, ["333", "222"], "{engine:?}");
    Store::count_unhandled(db, at, "864", "gt06", "0x2A", 2, Some("78782a")).expect("count");
    Store::count_unhandled(db, at, "864", "gt06", "0x2A", 3, None).expect("count");
    Store::count_unhandled(db, at, "865", "gt06", "0x2C", 1, None).expect("count");
    let mine = Store::unhandled(db, Some("864")).expect("counters");
    assert_eq!((mine.len(), mine[0].count, mine[0].sample.as_deref()), (1, 5, Some("78782a")), "{engine:?}");
    assert_eq!(Store::unhandled(db, None).expect("counters").len(), 2);
}

/// The event log (appended inside a transaction, read from a cursor, exported by kind) and the
/// questions that look inside alarms' and notifications' documents.
fn log_and_queries(db: Db<'_>) {
    use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
    use atalaia_core::ids::PersonId;
    use atalaia_core::notify::{Channel, Notification};
    use atalaia_core::wire::EventBody;
    let engine = db.engine();
    let t = |h: u32| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 7, h, 0, 0).unwrap();

    let instance = Store::instance(db).expect("instance");
    assert_eq!(instance.len(), 32, "{engine:?}: {instance}");
    assert_eq!(Store::instance(db).expect("instance"), instance);

    // Appended in a transaction, numbered from the head, read back in order.
    let head = Store::head_seq(db).expect("head");
    let person = fixtures::person("Ana Lima");
    let zone = fixtures::zone("Escola", Some(&person), None);
    let bodies = [EventBody::Person(person.clone()), EventBody::Zone(zone), EventBody::Person(person)];
    db.batch("BEGIN").expect("begin");
    let seqs: Vec<u64> = bodies
        .iter()
        .map(|b| {
            Store::append_event(db, t(9), b.kind(), &serde_json::to_string(b).expect("json")).expect("append")
        })
        .collect();
    db.batch("COMMIT").expect("commit");
    assert_eq!(seqs, [head + 1, head + 2, head + 3], "{engine:?}");
    assert_eq!(Store::head_seq(db).expect("head"), head + 3);
    let read = Store::events_since(db, head, 10).expect("since");
    assert_eq!(
        read.iter().map(|e| (e.seq, e.at)).collect::<Vec<_>>(),
        seqs.iter().map(|s| (*s, t(9))).collect::<Vec<_>>()
    );
    assert_eq!(read[1].body, bodies[1]);
    assert_eq!(Store::events_since(db, head + 1, 1).expect("since").len(), 1);
    let zones = Store::events_export(db, head, 10, &["zone".to_owned()]).expect("export");
    assert_eq!(zones.iter().map(|e| e.seq).collect::<Vec<_>>(), [head + 2], "{engine:?}");
    assert_eq!(Store::events_export(db, head, 10, &[]).expect("export").len(), 3);

    // Alarms by when they were raised; open and not escalated before a time.
    let early = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, t(10), t(10));
    let late = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, t(12), t(12));
    Store::put_record(db, &early, 10).expect("alarm");
    Store::put_record(db, &late, 11).expect("alarm");
    let before =
        Store::unescalated_alarms_raised_before(db, &atalaia_backend::store::ts(t(11))).expect("before");
    assert_eq!(before.iter().map(|a| a.id).collect::<Vec<_>>(), [early.id], "{engine:?}");
    let between = Store::alarms_raised_between(
        db,
        &atalaia_backend::store::ts(t(11)),
        &atalaia_backend::store::ts(t(13)),
    )
    .expect("between");
    assert_eq!(between.iter().map(|a| a.id).collect::<Vec<_>>(), [late.id], "{engine:?}");

    // Notifications: newest first, of one alarm, and the ones due.
    let mut about = Notification::new(Channel::Email, "juiz@tj.invalid", "Alarme", "…", t(10));
    about.alarm_id = Some(early.id);
    let other = Notification::new(Channel::Sms, "+5569999990000", "Alarme", "…", t(10));
    Store::put_record(db, &about, 12).expect("notification");
    Store::put_record(db, &other, 13).expect("notification");
    let all: Vec<_> = Store::notifications(db, None, 10).expect("all").into_iter().map(|n| n.id).collect();
    assert_eq!(all, [other.id, about.id], "{engine:?}");
    let of_early = Store::notifications(db, Some(&early.id.to_string()), 10).expect("of one");
    assert_eq!(of_early.iter().map(|n| n.id).collect::<Vec<_>>(), [about.id], "{engine:?}");
    let due = Store::due_notifications(db, "email", t(11), 10).expect("due");
    assert_eq!(due.iter().map(|n| n.id).collect::<Vec<_>>(), [about.id], "{engine:?}");
    assert_eq!(Store::scalar_i64(db, "SELECT COUNT(*) FROM notifications").expect("count"), Some(2));
}

/// The audit trail: chained, searched by user (any case), kind, target, text without accents and
/// unit, verified; and append-only.
fn audit_trail(db: Db<'_>) {
    use atalaia_backend::store::Actor;
    use atalaia_core::wire::AuditQuery;
    let engine = db.engine();
    let now = chrono::Utc::now();
    let who = |name: &str| {
        Actor { username: name.into(), ..Actor::default() }.from("10.0.0.7", "PUT /api/v1/zones/z1")
    };
    db.batch("BEGIN").expect("begin");
    Store::append_audit(db, now, &who("Joana"), ["zone.suspend", "z1", "Escola: viagem autorizada"])
        .expect("audit");
    Store::append_audit(db, now, &who("admin"), ["person.update", "p1", "Nome: ÁLVARO → Álvaro Souza"])
        .expect("audit");
    Store::append_audit(db, now, &Actor { username: "x".into(), ..Actor::default() }, ["login", "", ""])
        .expect("audit");
    db.batch("COMMIT").expect("commit");
    let find = |q: AuditQuery| -> Vec<String> {
        Store::audit_entries(db, &q).expect("search").into_iter().map(|e| e.action).collect()
    };
    assert_eq!(find(AuditQuery::default()), ["login", "person.update", "zone.suspend"], "{engine:?}");
    assert_eq!(
        find(AuditQuery { username: Some("JOANA".into()), ..AuditQuery::default() }),
        ["zone.suspend"]
    );
    assert_eq!(find(AuditQuery { kind: Some("zone".into()), ..AuditQuery::default() }), ["zone.suspend"]);
    assert_eq!(find(AuditQuery { target: Some("p1".into()), ..AuditQuery::default() }), ["person.update"]);
    assert_eq!(
        find(AuditQuery { text: Some("alvaro souza".into()), ..AuditQuery::default() }),
        ["person.update"],
        "{engine:?}: text without case or accents"
    );
    assert_eq!(find(AuditQuery { text: Some("VIAGEM".into()), ..AuditQuery::default() }), ["zone.suspend"]);
    assert_eq!(find(AuditQuery { ip: Some("10.0.0.7".into()), ..AuditQuery::default() }).len(), 2);
    assert_eq!(find(AuditQuery { route: Some("/zones".into()), ..AuditQuery::default() }).len(), 2);
    assert_eq!(find(AuditQuery { limit: Some(1), ..AuditQuery::default() }), ["login"]);
    let check = Store::verify_audit(db).expect("verify");
    assert!(check.intact && check.entries == 3, "{engine:?}: {check:?}");
    assert!(
        db.execute("UPDATE audit SET detail = 'x' WHERE seq = 1", &[]).is_err(),
        "{engine:?}: append-only"
    );
    assert!(db.execute("DELETE FROM audit WHERE seq = 1", &[]).is_err(), "{engine:?}: append-only");
}

/// Users and sessions as the login keeps them: a name found whatever its case, taken once,
/// sessions opened, checked, ended.
fn users_and_sessions(db: Db<'_>) {
    use atalaia_backend::store::{NewUserRow, ts};
    let engine = db.engine();
    let now = chrono::Utc::now();
    let (at, later) = (ts(now), ts(now + chrono::Duration::hours(8)));
    let row = |id: &'static str, username: &'static str| NewUserRow {
        id,
        username,
        display_name: "Carla Dias",
        role: "supervisor",
        pw_hash: "argon2id$…",
        created_at: "2026-12-07T12:00:00.000000Z",
        must_change: true,
        unit: Some("Zona Sul"),
    };
    assert!(Store::insert_user(db, &row("u-carla", "Carla")).expect("insert"));
    assert!(
        !Store::insert_user(db, &row("u-other", "CARLA")).expect("insert"),
        "{engine:?}: taken whatever its case"
    );
    let carla = Store::user_by_name(db, "cArLa").expect("find").expect("found");
    assert_eq!((carla.id.as_str(), carla.username.as_str(), carla.must_change), ("u-carla", "Carla", true));
    assert_eq!(
        (carla.unit.as_deref(), carla.active, carla.pw_changed_at.as_str()),
        (Some("Zona Sul"), true, "2026-12-07T12:00:00.000000Z")
    );
    let names = Store::user_names(db).expect("names");
    assert!(names.contains(&"Carla".to_owned()));
    assert_eq!(Store::user_count(db).expect("count"), names.len() as i64);

    Store::open_session(db, "h1", "u-carla", &at, &later).expect("session");
    Store::open_session(db, "h2", "u-carla", &at, &later).expect("session");
    assert_eq!(Store::session(db, "h1").expect("session"), Some(("Carla".to_owned(), later.clone(), true)));
    assert!(Store::session_open(db, "h1", &at, "supervisor").expect("open"));
    assert!(!Store::session_open(db, "h1", &at, "tarm").expect("open"), "another role");
    Store::set_password(db, "u-carla", "argon2id$novo", &at).expect("password");
    assert_eq!(
        Store::end_sessions_of(db, "u-carla", Some("h1")).expect("end"),
        1,
        "{engine:?}: the other ends"
    );
    assert!(Store::session(db, "h2").expect("session").is_none());
    Store::set_user_active(db, "u-carla", false).expect("deactivate");
    assert!(!Store::session_open(db, "h1", &at, "supervisor").expect("open"), "an inactive user's session");
    Store::end_session(db, "h1").expect("end");
    assert!(Store::session(db, "h1").expect("session").is_none());
    Store::set_user_unit(db, "u-carla", None).expect("unit");
    let carla = Store::user_by_name(db, "carla").expect("find").expect("found");
    assert_eq!((carla.unit, carla.must_change, carla.pw_hash.as_str()), (None, false, "argon2id$novo"));
    let activity = Store::user_activity(db, &at).expect("report");
    assert!(activity.iter().any(|a| a.username == "Carla" && !a.active && a.logins == 0), "{engine:?}");
}

/// Commands applied once: a key recorded once, its answer kept and read back, old keys forgotten.
fn idempotency_keys(db: Db<'_>) {
    use atalaia_backend::store::StoredAnswer;
    let engine = db.engine();
    let (at, later) = ("2026-12-07T12:00:00.000000Z", "2026-12-08T12:00:00.000000Z");
    assert!(Store::claim_key(db, "k1", "u1", "POST", "/api/v1/alarms/a1/actions", at).expect("claim"));
    assert!(!Store::claim_key(db, "k1", "u2", "POST", "/x", at).expect("claim"), "{engine:?}: once");
    let pending = Store::stored_answer(db, "k1").expect("read").expect("kept");
    assert_eq!((pending.user.as_str(), pending.status, pending.body), ("u1", None, None));
    Store::keep_answer(db, "k1", 201, Some("application/json"), b"{\"ok\":true}").expect("keep");
    assert_eq!(
        Store::stored_answer(db, "k1").expect("read"),
        Some(StoredAnswer {
            user: "u1".into(),
            method: "POST".into(),
            path: "/api/v1/alarms/a1/actions".into(),
            status: Some(201),
            content_type: Some("application/json".into()),
            body: Some(b"{\"ok\":true}".to_vec()),
        }),
        "{engine:?}"
    );
    assert!(Store::claim_key(db, "k2", "u1", "PUT", "/y", later).expect("claim"));
    assert_eq!(Store::prune_answers(db, "2026-12-08T00:00:00Z").expect("prune"), 1);
    assert!(Store::stored_answer(db, "k1").expect("read").is_none());
    assert!(Store::stored_answer(db, "k2").expect("read").is_some());
}

fn fix(device: &Device, person: &Person, at: chrono::DateTime<chrono::Utc>, lat: f64) -> Position {
    Position {
        id: atalaia_core::ids::PositionId::new(),
        device_id: device.id,
        person_id: Some(person.id),
        vehicle_id: None,
        fix_time: at,
        recv_time: at,
        at: LatLon { lat, lon: -63.9 },
        speed_kmh: None,
        course_deg: None,
        accuracy_m: None,
        altitude_m: None,
        battery_pct: None,
        charging: None,
    }
}

/// Fixes through a store's writer (recorded, moved into the history, filed in the track
/// archive), read back by its readers: history, newest per device, where someone was, a resent
/// frame recognised, a track, who was near a place.
async fn positions_and_tracks(store: Store) {
    let (person, device) =
        (fixtures::person("Carla Dias"), fixtures::device("864999000000009", DeviceKind::AnkleBracelet));
    let t0 = chrono::Utc::now() - chrono::Duration::minutes(30);
    let fixes: Vec<Position> = (0..4)
        .map(|i| fix(&device, &person, t0 + chrono::Duration::minutes(i * 5), -8.76 + i as f64 * 1e-4))
        .collect();
    let (p, d, first) = (person.clone(), device.clone(), fixes[..3].to_vec());
    store
        .write(move |ctx| {
            ctx.save(&p)?;
            ctx.save(&d)?;
            for f in &first {
                ctx.record_position(f, true)?;
            }
            ctx.move_recent_positions()
        })
        .await
        .expect("recorded and moved");
    let last = fixes[3].clone();
    store.write(move |ctx| ctx.record_position(&last, true)).await.expect("one not moved yet");

    let filter = PositionFilter { person: Some(person.id), limit: 10, ..PositionFilter::default() };
    let history = store.read(move |c| Store::positions(c, &filter)).await.expect("history");
    assert_eq!(
        history.iter().map(|p| p.id).collect::<Vec<_>>(),
        fixes.iter().map(|p| p.id).collect::<Vec<_>>()
    );
    let only = PositionFilter { persons: Some(vec![person.id]), limit: 2, ..PositionFilter::default() };
    assert_eq!(store.read(move |c| Store::positions(c, &only)).await.expect("unit's").len(), 2);
    let newest = store.read(|c| Store::last_positions(c)).await.expect("newest");
    assert_eq!(newest.iter().map(|p| p.id).collect::<Vec<_>>(), [fixes[3].id]);
    let (pid, at) = (person.id, t0 + chrono::Duration::minutes(7));
    let then = store.read(move |c| Store::person_position_at(c, pid, at)).await.expect("at");
    assert_eq!(then.map(|p| p.id), Some(fixes[1].id));
    let resent = fixes[0].clone();
    assert!(store.read(move |c| Store::has_position(c, &resent)).await.expect("resent"));

    let (from, to) = (t0.timestamp() - 60, t0.timestamp() + 3600);
    let track = store.read(move |c| tracks::track(c, &pid, from, to, None)).await.expect("track");
    assert_eq!(track.len(), 4, "moved and recent fixes alike");
    let near = store
        .read(move |c| {
            investigate::nearby(
                c,
                LatLon { lat: -8.76, lon: -63.9 },
                100.0,
                t0 - chrono::Duration::minutes(1),
                t0 + chrono::Duration::hours(1),
            )
            .map_err(|e| StoreError::Task(format!("{e:?}")))
        })
        .await
        .expect("nearby");
    assert_eq!(near.iter().map(|n| n.person_id).collect::<Vec<_>>(), [person.id]);
    store.close();
}

#[test]
fn issue_24_the_store_behaves_alike_on_sqlite_and_postgresql() {
    // SQLite: a file migrated by the server's own migrations.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("atalaia.db");
    let store = Store::open(&path, Arc::new(atalaia_core::clock::SystemClock)).expect("open");
    store.close();
    let lite = Store::sqlite_connection(&path).expect("sqlite");
    documents_and_counters(Db::from(&lite));
    files_and_detector_state(Db::from(&lite));
    users_profiles_and_ingest(Db::from(&lite));
    log_and_queries(Db::from(&lite));
    audit_trail(Db::from(&lite));
    users_and_sessions(Db::from(&lite));
    idempotency_keys(Db::from(&lite));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let clock = Arc::new(atalaia_core::clock::SystemClock);
    let other = dir.path().join("positions.db");
    runtime.block_on(positions_and_tracks(Store::open(&other, clock.clone()).expect("open")));

    // PostgreSQL: a cluster of its own, migrated by the PostgreSQL schema (twice: the second
    // run applies nothing).
    let postgres = Postgres::start();
    let conn = PgConn::connect(&postgres.url()).expect("connect");
    pg::schema::migrate(&conn).expect("migrate");
    pg::schema::migrate(&conn).expect("migrate again");
    documents_and_counters(Db::from(&conn));
    files_and_detector_state(Db::from(&conn));
    users_profiles_and_ingest(Db::from(&conn));
    log_and_queries(Db::from(&conn));
    audit_trail(Db::from(&conn));
    users_and_sessions(Db::from(&conn));
    idempotency_keys(Db::from(&conn));
    runtime.block_on(positions_and_tracks(Store::open_postgres(&postgres.url(), clock).expect("open")));
}
