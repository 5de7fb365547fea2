//! The event log on a real PostgreSQL (issue 24 item 2), through the store's own append
//! (`Store::append_event`, what the writer's jobs emit through): a reader that follows `seq` —
//! reading `seq > cursor` whenever the doorbell rings — never skips an event while many servers
//! append at once, and a number taken by a transaction still open is never overtaken. The control
//! shows the hazard this guards against: with a plain sequence the same reader loses an event for
//! ever.

use atalaia_backend::store::db::{Db, PgConn};
use atalaia_backend::store::{Store, pg};
use atalaia_tests::pg::Postgres;
use std::time::Duration;

const WRITERS: usize = 8;
const BATCHES: usize = 150;

fn body(writer: usize, batch: usize, i: usize) -> String {
    serde_json::json!({"writer": writer, "batch": batch, "i": i}).to_string()
}

fn migrated(url: &str) -> PgConn {
    let conn = PgConn::connect(url).expect("connect");
    pg::schema::migrate(&conn).expect("migrate");
    conn
}

/// One server's batch: its events appended in one transaction, the doorbell rung at commit.
fn append_batch(db: Db<'_>, bodies: &[String]) -> Vec<u64> {
    db.batch("BEGIN").expect("begin");
    let seqs: Vec<u64> = bodies
        .iter()
        .map(|b| Store::append_event(db, chrono::Utc::now(), "test", b).expect("append"))
        .collect();
    Store::ring_doorbell(db, *seqs.last().expect("a batch")).expect("ring");
    db.batch("COMMIT").expect("commit");
    seqs
}

#[test]
fn issue_24_a_reader_following_seq_never_skips_an_event_with_concurrent_writers() {
    let db = Postgres::start();
    let url = db.url();
    let setup = migrated(&url);

    // The follower: woken by the doorbell (an asynchronous listener on a runtime of its own; the
    // store's blocking sessions run on plain threads, as the server's jobs do), it reads from its
    // cursor until nothing is left, and requires every read to start right after the cursor.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (_listener, mut rung) = runtime.block_on(pg::log::doorbell(&url)).expect("listen");
    let total: usize = (0..WRITERS).map(|w| (0..BATCHES).map(|b| 1 + (w + b) % 5).sum::<usize>()).sum();
    let follower_url = url.clone();
    let follower = std::thread::spawn(move || {
        let reader = PgConn::connect(&follower_url).expect("connect");
        let (mut cursor, mut seen, mut rings) = (0u64, Vec::new(), 0usize);
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while seen.len() < total {
            assert!(std::time::Instant::now() < deadline, "{} of {total} events read", seen.len());
            match rung.try_recv() {
                Ok(_) => rings += 1,
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                }
                Err(e) => panic!("the doorbell's connection ended: {e}"),
            }
            loop {
                let events = Store::events_export(Db::from(&reader), cursor, 500, &[]).expect("read");
                if events.is_empty() {
                    break;
                }
                for e in events {
                    assert_eq!(
                        e.seq,
                        cursor + 1,
                        "the reader at {cursor} was given {}: an event skipped",
                        e.seq
                    );
                    cursor = e.seq;
                    seen.push(e.body);
                }
            }
        }
        (seen, rings)
    });

    // The writers: as many servers, each appending its batches (1 to 5 events) in transactions
    // of its own.
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let url = url.clone();
            std::thread::spawn(move || {
                let conn = PgConn::connect(&url).expect("connect");
                for b in 0..BATCHES {
                    let bodies: Vec<String> = (0..1 + (w + b) % 5).map(|i| body(w, b, i)).collect();
                    let seqs = append_batch(Db::from(&conn), &bodies);
                    assert!(seqs.windows(2).all(|p| p[1] == p[0] + 1), "a batch's seqs are consecutive");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer");
    }
    let (seen, rings) = follower.join().expect("the follower read everything");
    assert_eq!(seen.len(), total);
    assert_eq!(Store::head_seq(Db::from(&setup)).expect("head"), total as u64);
    // Every event once, each writer's in its own order.
    let seen: Vec<serde_json::Value> = seen.iter().map(|s| serde_json::from_str(s).expect("json")).collect();
    for w in 0..WRITERS {
        let mine: Vec<&serde_json::Value> = seen.iter().filter(|v| v["writer"] == w).collect();
        let expected: Vec<serde_json::Value> = (0..BATCHES)
            .flat_map(|b| (0..1 + (w + b) % 5).map(move |i| body(w, b, i)))
            .map(|s| serde_json::from_str(&s).expect("json"))
            .collect();
        assert_eq!(mine, expected.iter().collect::<Vec<_>>(), "writer {w}");
    }
    assert!((1..=WRITERS * BATCHES).contains(&rings), "{rings} rings");
}

#[test]
fn issue_24_an_append_waits_for_an_open_one_and_a_plain_sequence_would_skip() {
    let db = Postgres::start();
    let url = db.url();
    let reader = migrated(&url);
    let read = |cursor: u64| -> Vec<u64> {
        Store::events_export(Db::from(&reader), cursor, 10, &[])
            .expect("read")
            .into_iter()
            .map(|e| e.seq)
            .collect()
    };

    // The log: the first transaction takes #1 and stays open; the second's append waits for it.
    let first = PgConn::connect(&url).expect("connect");
    let one = Db::from(&first);
    one.batch("BEGIN").expect("begin");
    assert_eq!(Store::append_event(one, chrono::Utc::now(), "test", &body(1, 0, 0)).expect("append"), 1);
    let second_url = url.clone();
    let later = std::thread::spawn(move || {
        let second = PgConn::connect(&second_url).expect("connect");
        append_batch(Db::from(&second), &[body(2, 0, 0)])
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(!later.is_finished(), "the second append did not wait for the first");
    assert!(read(0).is_empty(), "nothing committed yet");
    one.batch("COMMIT").expect("commit");
    assert_eq!(later.join().expect("second"), [2]);
    assert_eq!(read(0), [1, 2]);

    // The control: with a plain sequence the second commits #2 while #1 is open; a reader moves
    // its cursor to 2, and #1, committed afterwards, is never read.
    let r = Db::from(&reader);
    r.batch("CREATE TABLE naive (seq BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)").expect("naive table");
    let second = PgConn::connect(&url).expect("connect");
    one.batch("BEGIN").expect("begin");
    one.execute("INSERT INTO naive (body) VALUES ('one')", &[]).expect("one");
    Db::from(&second).execute("INSERT INTO naive (body) VALUES ('two')", &[]).expect("two");
    let naive = |cursor: i64| -> Vec<i64> {
        r.query("SELECT seq FROM naive WHERE seq > ?1 ORDER BY seq", &[&cursor])
            .expect("read")
            .into_iter()
            .map(|row| row.get::<i64>(0).expect("seq"))
            .collect()
    };
    assert_eq!(naive(0), [2]);
    one.batch("COMMIT").expect("commit");
    assert_eq!(naive(2), Vec::<i64>::new(), "#1 is behind the cursor: skipped for ever");
    assert_eq!(naive(0), [1, 2], "though it is there");
}
