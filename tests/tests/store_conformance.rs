//! One store, two engines (issue 24 item 1): the store's functions that have moved to
//! `store::db` are run on a SQLite file migrated by the server's own migrations and on a real
//! PostgreSQL migrated by the PostgreSQL schema, and must answer alike — records kept as
//! documents (written, replaced, found by id and by column, listed in `seq` order, a repeated
//! unique key refused as a conflict) and the named counters. Each function joins this suite as
//! it moves.

use atalaia_backend::store::db::{Db, PgConn};
use atalaia_backend::store::{Store, StoreError, pg};
use atalaia_client::fixtures;
use atalaia_core::monitoring::{Device, DeviceKind, Person, Zone, ZoneKind};
use atalaia_tests::pg::Postgres;
use std::sync::Arc;

fn zone(name: &str, person: Option<&Person>) -> Zone {
    Zone {
        id: atalaia_core::ids::ZoneId::new(),
        name: name.into(),
        kind: ZoneKind::Exclusion,
        shape: atalaia_core::geom::Shape::Circle {
            center: atalaia_core::geom::LatLon { lat: -8.76, lon: -63.9 },
            radius_m: 200.0,
        },
        person_id: person.map(|p| p.id),
        group: person.is_none().then(|| "Medida protetiva".to_owned()),
        active: true,
        schedule: None,
        warning_m: None,
        created_at: chrono::Utc::now(),
        lifted: None,
    }
}

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
    let school = zone("Escola", Some(&ana));
    let centre = zone("Centro", None);
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

#[test]
fn issue_24_records_and_counters_behave_alike_on_sqlite_and_postgresql() {
    // SQLite: a file migrated by the server's own migrations.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("atalaia.db");
    let store = Store::open(&path, Arc::new(atalaia_core::clock::SystemClock)).expect("open");
    store.close();
    let lite = rusqlite::Connection::open(&path).expect("sqlite");
    documents_and_counters(Db::from(&lite));

    // PostgreSQL: a cluster of its own, migrated by the PostgreSQL schema (twice: the second
    // run applies nothing).
    let postgres = Postgres::start();
    let conn = PgConn::connect(&postgres.url()).expect("connect");
    pg::schema::migrate(&conn).expect("migrate");
    pg::schema::migrate(&conn).expect("migrate again");
    documents_and_counters(Db::from(&conn));
}
