//! Store tests on a real SQLite file.

use super::*;
use atalaia_core::SystemClock;
use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
use atalaia_core::ids::PersonId;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Store::open(&dir.path().join("t.sqlite"), Arc::new(SystemClock)).expect("open");
    (dir, s)
}

fn alarm() -> Alarm {
    let now = Utc::now();
    Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now)
}

#[tokio::test]
async fn writes_get_increasing_seq_and_reach_subscribers_after_commit() {
    let (_d, s) = store();
    let mut rx = s.subscribe();
    let a = alarm();
    let a2 = a.clone();
    let seq1 = s.write(move |ctx| ctx.save(&a2)).await.expect("write");
    let b = alarm();
    let seq2 = s.write(move |ctx| ctx.save(&b)).await.expect("write");
    assert!(seq2 > seq1);
    let ev = rx.recv().await.expect("event");
    assert_eq!(ev.seq, seq1);
    let id = a.id.to_string();
    let back: Alarm = s.read(move |c| Store::get_required(c, &id)).await.expect("read");
    assert_eq!(back, a);
    let head = s.read(|c| Store::head_seq(c)).await.expect("head");
    assert_eq!(head, seq2);
}

#[tokio::test]
async fn a_failing_job_does_not_take_its_batch_down() {
    let (_d, s) = store();
    let mut handles = Vec::new();
    for i in 0..50 {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            s.write(move |ctx| {
                ctx.save(&alarm())?;
                if i % 5 == 0 { Err(StoreError::Conflict("refused".into())) } else { Ok(()) }
            })
            .await
        }));
    }
    let mut ok = 0;
    for h in handles {
        if h.await.expect("join").is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 40);
    let stored = s.read(|c| Store::list::<Alarm>(c)).await.expect("list");
    assert_eq!(stored.len(), 40, "rolled-back jobs leave nothing behind");
    let events = s.read(|c| Store::events_since(c, 0, 1000)).await.expect("events");
    assert_eq!(events.len(), 40, "and no events either");
}

#[tokio::test]
async fn data_survives_reopen_and_schema_is_not_reapplied() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.sqlite");
    let a = alarm();
    {
        let s = Store::open(&path, Arc::new(SystemClock)).expect("open");
        let a2 = a.clone();
        s.write(move |ctx| ctx.save(&a2)).await.expect("write");
        s.close();
    }
    let s = Store::open(&path, Arc::new(SystemClock)).expect("reopen");
    let id = a.id.to_string();
    let back: Option<Alarm> = s.read(move |c| Store::get(c, &id)).await.expect("read");
    assert_eq!(back, Some(a));
}

#[tokio::test]
async fn counters_are_monotonic() {
    let (_d, s) = store();
    let v = s
        .write(|ctx| {
            Ok((Store::next_counter(ctx.conn, "occ-2026")?, Store::next_counter(ctx.conn, "occ-2026")?))
        })
        .await
        .expect("write");
    assert_eq!(v, (1, 2));
}

#[tokio::test]
async fn a_batch_rolled_back_by_sqlite_fails_every_job_in_it_and_publishes_nothing() {
    let (_d, s) = store();
    let mut rx = s.subscribe();
    let mut handles = Vec::new();
    for i in 0..60 {
        let s = s.clone();
        let a = alarm();
        let id = a.id.to_string();
        handles.push(tokio::spawn(async move {
            let r = s
                .write(move |ctx| {
                    ctx.save(&a)?;
                    if i % 10 == 3 {
                        // What SQLite does on SQLITE_FULL / SQLITE_IOERR: the whole transaction goes.
                        ctx.conn.batch("ROLLBACK")?;
                    }
                    Ok(())
                })
                .await;
            (id, r.is_ok())
        }));
    }
    let mut ok_ids = Vec::new();
    for h in handles {
        let (id, ok) = h.await.expect("join");
        let stored: Option<Alarm> = s
            .read({
                let id = id.clone();
                move |c| Store::get(c, &id)
            })
            .await
            .expect("read");
        assert_eq!(stored.is_some(), ok, "a job reported {ok} but stored={}", stored.is_some());
        if ok {
            ok_ids.push(id);
        }
    }
    assert!(ok_ids.len() < 60, "the rolled-back jobs failed");
    let mut published = Vec::new();
    while let Ok(e) = rx.try_recv() {
        if let atalaia_core::wire::EventBody::Alarm(a) = &e.body {
            published.push(a.id.to_string());
        }
    }
    published.sort();
    ok_ids.sort();
    assert_eq!(published, ok_ids, "exactly the committed writes are published");
}

#[test]
fn a_position_event_body_is_exactly_what_serde_writes() {
    // record_position builds the event body from the stored document by hand; it must stay
    // byte-compatible with the EventBody serialisation that readers decode.
    let p = atalaia_core::monitoring::Position {
        id: atalaia_core::ids::PositionId::new(),
        device_id: atalaia_core::ids::DeviceId::new(),
        person_id: None,
        vehicle_id: None,
        fix_time: chrono::Utc::now(),
        recv_time: chrono::Utc::now(),
        at: atalaia_core::geom::LatLon { lat: -8.76, lon: -63.9 },
        speed_kmh: Some(3.0),
        course_deg: None,
        accuracy_m: Some(5.0),
        altitude_m: None,
        battery_pct: Some(80.0),
        charging: Some(false),
    };
    let doc = serde_json::to_string(&p).expect("doc");
    let by_hand = format!(r#"{{"type":"position","data":{doc}}}"#);
    let by_serde = serde_json::to_string(&atalaia_core::wire::EventBody::Position(p)).expect("event");
    assert_eq!(by_hand, by_serde);
}

#[tokio::test]
async fn the_checkpointer_copies_commits_into_the_database_and_the_wal_starts_over() {
    let (d, s) = store();
    let db = d.path().join("t.sqlite");
    let wal = d.path().join("t.sqlite-wal");
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let initial = size(&db);
    // A few pages, far below the 2,000 frames after which the writer checkpoints itself: only
    // the checkpointer thread can carry them into the database file.
    s.write(|ctx| {
        for _ in 0..20 {
            ctx.save(&alarm())?;
        }
        Ok(())
    })
    .await
    .expect("write");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while size(&db) <= initial && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(size(&db) > initial, "the database file never received the committed pages");
    // Sustained writes, several times 2,000 frames: the WAL starts over instead of holding them.
    for _ in 0..150 {
        s.write(|ctx| {
            for _ in 0..100 {
                ctx.save(&alarm())?;
            }
            Ok(())
        })
        .await
        .expect("write");
    }
    assert!(size(&wal) < 2_600 * 4_096, "WAL grew to {} bytes", size(&wal));
}

#[tokio::test]
async fn last_positions_and_history_read_the_moved_and_the_recent_fixes() {
    use atalaia_core::geom::LatLon;
    use atalaia_core::ids::{DeviceId, PositionId};
    use atalaia_core::monitoring::{Device, DeviceKind, DeviceState, Position};
    let (_d, s) = store();
    let now = Utc::now();
    let device = |imei: &str| Device {
        id: DeviceId::new(),
        imei: imei.into(),
        kind: DeviceKind::AnkleBracelet,
        state: DeviceState::Active,
        sim1: None,
        sim2: None,
        person_id: None,
        vehicle_id: None,
        last_contact: None,
        battery_pct: None,
        model: None,
        report_interval_s: None,
        history: Vec::new(),
        created_at: now,
    };
    let (a, b, silent) = (device("1"), device("2"), device("3"));
    let fix = |d: &Device, minutes_ago: i64, lat: f64| Position {
        id: PositionId::new(),
        device_id: d.id,
        person_id: None,
        vehicle_id: None,
        fix_time: now - chrono::Duration::minutes(minutes_ago),
        recv_time: now,
        at: LatLon { lat, lon: -63.9 },
        speed_kmh: None,
        course_deg: None,
        accuracy_m: None,
        altitude_m: None,
        battery_pct: None,
        charging: None,
    };
    // Arrival order differs from fix-time order (a store-and-forward backlog after a live fix);
    // some fixes were moved into the indexed history, the others not yet.
    let moved = vec![fix(&a, 1, -8.1), fix(&a, 30, -8.2), fix(&b, 5, -8.4)];
    let recent = vec![fix(&a, 20, -8.3), fix(&b, 2, -8.5), fix(&b, 40, -8.6)];
    let resent = recent[2].clone();
    let (da, db, ds) = (a.clone(), b.clone(), silent.clone());
    let n = s
        .write(move |ctx| {
            for d in [&da, &db, &ds] {
                ctx.save(d)?;
            }
            for p in &moved {
                ctx.record_position(p, false)?;
            }
            let n = ctx.move_recent_positions()?;
            for p in &recent {
                ctx.record_position(p, false)?;
            }
            Ok(n)
        })
        .await
        .expect("write");
    assert_eq!(n, 3);

    let newest = || async {
        let mut last = s.read(|c| Store::last_positions(c)).await.expect("read");
        last.sort_by(|x, y| x.at.lat.total_cmp(&y.at.lat));
        last.iter().map(|p| (p.device_id, p.at.lat)).collect::<Vec<_>>()
    };
    let history = |device: DeviceId, limit: u32| {
        let f = PositionFilter { device: Some(device), limit, ..Default::default() };
        let s = s.clone();
        async move {
            let v = s.read(move |c| Store::positions(c, &f)).await.expect("history");
            v.iter().map(|p| p.at.lat).collect::<Vec<_>>()
        }
    };
    assert_eq!(newest().await, vec![(b.id, -8.5), (a.id, -8.1)], "one per device with fixes, the newest");
    assert_eq!(history(b.id, 10).await, vec![-8.6, -8.4, -8.5], "both tables, in fix-time order");
    assert_eq!(history(a.id, 2).await, vec![-8.2, -8.3], "within the limit");
    let probe = resent.clone();
    assert!(s.read(move |c| Store::has_position(c, &probe)).await.expect("dup"), "a resent recent fix");

    assert_eq!(s.write(|ctx| ctx.move_recent_positions()).await.expect("move"), 3);
    assert_eq!(newest().await, vec![(b.id, -8.5), (a.id, -8.1)]);
    assert_eq!(history(b.id, 10).await, vec![-8.6, -8.4, -8.5], "the same history after the move");
    assert!(s.read(move |c| Store::has_position(c, &resent)).await.expect("dup"), "a resent moved fix");
    assert_eq!(s.write(|ctx| ctx.move_recent_positions()).await.expect("move"), 0);
}

#[tokio::test]
async fn the_audit_chain_verifies_and_an_edit_in_the_database_breaks_it_at_that_row() {
    // 16.3.2.10: append-only, hash-chained audit trail.
    let (d, s) = store();
    let ana =
        Actor { user_id: Some(atalaia_core::ids::UserId::new()), username: "ana".into(), ..Actor::default() };
    for i in 1..=5 {
        let ana = ana.clone();
        s.write(move |ctx| ctx.audit(&ana, "alarm.note", &format!("alarme-{i}"), &format!("nota {i}")))
            .await
            .expect("audit");
    }
    let check = s.read(|c| Store::verify_audit(c)).await.expect("verify");
    assert_eq!(check, atalaia_core::wire::AuditCheck { entries: 5, intact: true, first_broken: None });

    // The program cannot rewrite history…
    let refused = s.write(|ctx| ctx.conn.execute("UPDATE audit SET detail = 'x' WHERE seq = 2", &[])).await;
    assert!(refused.is_err(), "UPDATE refused by the trigger");
    let refused = s.write(|ctx| ctx.conn.execute("DELETE FROM audit WHERE seq = 2", &[])).await;
    assert!(refused.is_err(), "DELETE refused by the trigger");

    // …and someone editing the file directly is caught at the row they touched.
    let path = d.path().join("t.sqlite");
    let tamper = |sql: &'static str| {
        let c = rusqlite::Connection::open(&path).expect("open");
        c.busy_timeout(std::time::Duration::from_secs(5)).expect("busy");
        c.execute_batch("DROP TRIGGER IF EXISTS audit_append_only_update; DROP TRIGGER IF EXISTS audit_append_only_delete;")
            .expect("drop triggers");
        c.execute_batch(sql).expect("tamper");
    };
    tamper("UPDATE audit SET detail = 'nota alterada' WHERE seq = 3");
    let check = s.read(|c| Store::verify_audit(c)).await.expect("verify");
    assert_eq!(check, atalaia_core::wire::AuditCheck { entries: 2, intact: false, first_broken: Some(3) });
    tamper("UPDATE audit SET detail = 'nota 3' WHERE seq = 3; DELETE FROM audit WHERE seq = 4");
    let check = s.read(|c| Store::verify_audit(c)).await.expect("verify");
    assert_eq!(check, atalaia_core::wire::AuditCheck { entries: 3, intact: false, first_broken: Some(4) });

    let q = atalaia_core::wire::AuditQuery { target: Some("alarme-5".into()), ..Default::default() };
    let found = s.read(move |c| Store::audit_entries(c, &q)).await.expect("query");
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].seq, found[0].detail.as_str(), found[0].username.as_str()), (5, "nota 5", "ana"));
}

#[tokio::test]
async fn fixes_are_filed_by_person_and_hour_and_an_older_history_is_backfilled_once() {
    // 16.2.22-16.2.26: the track archive behind the investigative queries.
    use atalaia_core::geom::LatLon;
    use atalaia_core::ids::{DeviceId, PositionId};
    use atalaia_core::monitoring::Position;
    let (d, s) = store();
    let person = PersonId::new();
    let t0 = chrono::DateTime::from_timestamp(1_790_000_000 - 1_790_000_000 % 3600, 0).expect("t0");
    let fix = |minute: i64, lat: f64| Position {
        id: PositionId::new(),
        device_id: DeviceId::new(),
        person_id: Some(person),
        vehicle_id: None,
        fix_time: t0 + chrono::Duration::minutes(minute),
        recv_time: t0,
        at: LatLon { lat, lon: -63.9 },
        speed_kmh: None,
        course_deg: None,
        accuracy_m: None,
        altitude_m: None,
        battery_pct: None,
        charging: None,
    };
    // Two moves; the second brings a late fix into the first hour and one into the next hour.
    let first = vec![fix(0, -8.70), fix(30, -8.71)];
    let second = vec![fix(15, -8.72), fix(70, -8.73), fix(30, -8.71)];
    for batch in [first, second] {
        s.write(move |ctx| {
            for p in &batch {
                ctx.record_position(p, false)?;
            }
            ctx.move_recent_positions()
        })
        .await
        .expect("write");
    }
    let read = |s: &Store| {
        let s = s.clone();
        async move {
            s.read(move |c| tracks::track(c, &person, t0.timestamp(), t0.timestamp() + 7200, None))
                .await
                .expect("track")
                .iter()
                .map(|f| (f.t - t0.timestamp(), (f.lat * 100.0).round() as i64))
                .collect::<Vec<_>>()
        }
    };
    let expected = vec![(0, -870), (900, -872), (1800, -871), (4200, -873)];
    assert_eq!(read(&s).await, expected, "time order across moves, the repeated fix once");
    let (hours, cells) = s
        .read(|c| {
            Ok((
                Store::scalar_i64(c, "SELECT COUNT(*) FROM track_hours")?,
                Store::scalar_i64(c, "SELECT COUNT(*) FROM track_cells")?,
            ))
        })
        .await
        .expect("counts");
    assert_eq!(hours, Some(2));
    assert!(cells >= Some(2));
    // The late fix at :15 took time from the :00 fix's cell (its time to the next fix shrank).
    let seconds: Vec<i64> = s
        .read(|c| {
            let rows = c.query("SELECT seconds FROM track_cells ORDER BY hour, cell DESC", &[])?;
            rows.iter().map(|r| r.get(0)).collect::<Result<Vec<i64>, _>>()
        })
        .await
        .expect("seconds");
    assert_eq!(
        seconds,
        vec![900, 0, 900, 0],
        "-8.70 (:00), -8.71 (:30, last of the hour), -8.72 (:15), next hour"
    );

    // A database from before the archive: its history is filed when the migration runs.
    s.close();
    drop(s);
    let path = d.path().join("t.sqlite");
    {
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch(
            "DROP TABLE detect_queue; DROP TABLE person_documents; ALTER TABLE users DROP COLUMN unit; DROP INDEX alarms_subject; ALTER TABLE alarms DROP COLUMN subject; DROP TABLE profiles; ALTER TABLE users DROP COLUMN profile; ALTER TABLE users DROP COLUMN must_change; ALTER TABLE audit DROP COLUMN origin; ALTER TABLE audit DROP COLUMN route; DROP TABLE person_photos; DROP TABLE track_subjects; DROP TABLE track_hours; DROP TABLE track_cells; DROP TABLE dispatches; DROP TABLE messages; DROP TABLE attachments; DROP TABLE idempotency; DROP TABLE server_meta; DROP TABLE detector_state; DROP TABLE ingest_counters; ALTER TABLE ingest_rejects DROP COLUMN count;
             DROP INDEX occurrences_open; ALTER TABLE occurrences DROP COLUMN open; ALTER TABLE users DROP COLUMN vehicle_id;
             DROP INDEX notifications_due; DROP INDEX notifications_seq;
             ALTER TABLE notifications DROP COLUMN channel;
             CREATE INDEX notifications_due ON notifications(pending, next_attempt);
             PRAGMA user_version = 9;",
        )
        .expect("downgrade");
    }
    let s = Store::open(&path, Arc::new(SystemClock)).expect("reopen");
    assert_eq!(read(&s).await, expected, "the same track from the backfill");
}
