//! The event log on a real PostgreSQL (issue 24 item 2): a reader that follows `seq` — reading
//! `seq > cursor` whenever the doorbell rings — never skips an event while many writers append
//! at once, and a number taken by a transaction still open is never overtaken. The control shows
//! the hazard this guards against: with a plain sequence the same reader loses an event for ever.

use atalaia_backend::store::pg::{self, log};
use atalaia_tests::pg::Postgres;
use std::time::Duration;

const WRITERS: usize = 8;
const BATCHES: usize = 150;

fn body(writer: usize, batch: usize, i: usize) -> String {
    serde_json::json!({"writer": writer, "batch": batch, "i": i}).to_string()
}

fn event(writer: usize, batch: usize, i: usize) -> (String, String) {
    ("test".to_owned(), body(writer, batch, i))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn issue_24_a_reader_following_seq_never_skips_an_event_with_concurrent_writers() {
    let db = Postgres::start();
    let url = db.url();
    let setup = pg::connect(&url).await.expect("connect");
    log::migrate(&setup).await.expect("migrate");

    // The follower: woken by the doorbell, it reads from its cursor until nothing is left, and
    // requires every read to start right after the cursor.
    let (reader, mut rung) = log::doorbell(&url).await.expect("listen");
    let total: usize = (0..WRITERS).map(|w| (0..BATCHES).map(|b| 1 + (w + b) % 5).sum::<usize>()).sum();
    let follower = tokio::spawn(async move {
        let (mut cursor, mut seen, mut rings) = (0u64, Vec::new(), 0usize);
        while seen.len() < total {
            match tokio::time::timeout(Duration::from_secs(20), rung.recv()).await {
                Ok(Some(_)) => rings += 1,
                Ok(None) => panic!("the doorbell's connection ended"),
                Err(_) => panic!("no doorbell for 20 s; {} of {total} events read", seen.len()),
            }
            loop {
                let events = log::since(&reader, cursor, 500).await.expect("read");
                if events.is_empty() {
                    break;
                }
                for (seq, body) in events {
                    assert_eq!(seq, cursor + 1, "the reader at {cursor} was given {seq}: an event skipped");
                    cursor = seq;
                    seen.push(body);
                }
            }
        }
        (seen, rings)
    });

    // The writers: each appends its batches (1 to 5 events) in transactions of its own.
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let url = url.clone();
        writers.push(tokio::spawn(async move {
            let mut client = pg::connect(&url).await.expect("connect");
            for b in 0..BATCHES {
                let events: Vec<(String, String)> = (0..1 + (w + b) % 5).map(|i| event(w, b, i)).collect();
                let tx = client.transaction().await.expect("begin");
                let seqs = log::append(&tx, chrono::Utc::now(), &events).await.expect("append");
                assert!(seqs.windows(2).all(|p| p[1] == p[0] + 1), "a batch's seqs are consecutive");
                tx.commit().await.expect("commit");
            }
        }));
    }
    for w in writers {
        w.await.expect("writer");
    }
    let (seen, rings) = tokio::time::timeout(Duration::from_secs(60), follower)
        .await
        .expect("the follower read everything")
        .expect("follower");
    assert_eq!(seen.len(), total);
    assert_eq!(log::head(&setup).await.expect("head"), total as u64);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_24_an_append_waits_for_an_open_one_and_a_plain_sequence_would_skip() {
    let db = Postgres::start();
    let url = db.url();
    let reader = pg::connect(&url).await.expect("connect");
    log::migrate(&reader).await.expect("migrate");
    let (mut first, mut second) = (pg::connect(&url).await.expect("a"), pg::connect(&url).await.expect("b"));

    // The log: the first transaction takes #1 and stays open; the second's append waits for it.
    let t1 = first.transaction().await.expect("begin");
    assert_eq!(log::append(&t1, chrono::Utc::now(), &[event(1, 0, 0)]).await.expect("append"), [1]);
    let later = tokio::spawn(async move {
        let t2 = second.transaction().await.expect("begin");
        let seqs = log::append(&t2, chrono::Utc::now(), &[event(2, 0, 0)]).await.expect("append");
        t2.commit().await.expect("commit");
        seqs
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!later.is_finished(), "the second append did not wait for the first");
    assert!(log::since(&reader, 0, 10).await.expect("read").is_empty(), "nothing committed yet");
    t1.commit().await.expect("commit");
    assert_eq!(later.await.expect("second"), [2]);
    let seqs: Vec<u64> = log::since(&reader, 0, 10).await.expect("read").into_iter().map(|e| e.0).collect();
    assert_eq!(seqs, [1, 2]);

    // The control: with a plain sequence the second commits #2 while #1 is open; a reader moves
    // its cursor to 2, and #1, committed afterwards, is never read.
    reader
        .batch_execute("CREATE TABLE naive (seq BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)")
        .await
        .expect("naive table");
    let (mut first, second) = (pg::connect(&url).await.expect("a"), pg::connect(&url).await.expect("b"));
    let t1 = first.transaction().await.expect("begin");
    t1.execute("INSERT INTO naive (body) VALUES ('one')", &[]).await.expect("one");
    second.execute("INSERT INTO naive (body) VALUES ('two')", &[]).await.expect("two");
    let read = |cursor: i64| {
        let reader = &reader;
        async move {
            reader
                .query("SELECT seq FROM naive WHERE seq > $1 ORDER BY seq", &[&cursor])
                .await
                .expect("read")
                .iter()
                .map(|r| r.get::<_, i64>(0))
                .collect::<Vec<i64>>()
        }
    };
    assert_eq!(read(0).await, [2]);
    t1.commit().await.expect("commit");
    assert_eq!(read(2).await, Vec::<i64>::new(), "#1 is behind the cursor: skipped for ever");
    assert_eq!(read(0).await, [1, 2], "though it is there");
    drop(db);
}
