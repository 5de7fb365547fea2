//! Three servers on one PostgreSQL (issue 24 item 3). Nine bracelets spread over the three
//! report every 100 ms over OsmAnd; each leaves its inclusion zone at its own moment; a console
//! follows the live feed of the first server — the cluster's leader, which runs the detectors.
//! That server is killed with SIGKILL mid-run. Its bracelets move to the next server on the list
//! and resend what was not acknowledged, the console reconnects to another server and resumes
//! from the last `seq` it saw, and another server takes the leadership, reloading the detectors
//! from the database. Then: every acknowledged fix is stored, none twice; each bracelet's exit
//! is raised exactly once, whichever server it reported to and whoever led then; and the console
//! saw the log without a gap.

use atalaia_core::geom::LatLon;
use atalaia_core::wire::{EventBody, LiveMessage};
use atalaia_tests::pg::Postgres;
use atalaia_tests::{ADMIN_PASSWORD, ServerProcess, Ws, free_port, live_at};
use chrono::{DateTime, Duration as Span, SecondsFormat, Utc};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const REPLICAS: usize = 3;
const BRACELETS: usize = 9;
/// Fixes each bracelet sends, 100 ms apart, one second of fix time apart.
const FIXES: i64 = 200;
const HOME: LatLon = LatLon { lat: -8.7612, lon: -63.9004 };

fn imei(i: usize) -> String {
    format!("86100000000{i:04}")
}

/// Bracelet `i` lives 5 km from the others (no encounters) …
fn home(i: usize) -> LatLon {
    HOME.moved(i as f64 * 40.0, 5_000.0 * i as f64)
}

/// … and leaves home at its own fix: some exits are raised before the leader dies, some after.
fn leaves_at(i: usize) -> i64 {
    10 + 10 * i as i64
}

fn place(i: usize, k: i64) -> LatLon {
    if k < leaves_at(i) { home(i) } else { home(i).moved(90.0, 900.0) }
}

struct Cluster {
    servers: Vec<Option<ServerProcess>>,
    bases: Vec<String>,
    osmand: Vec<String>,
    token: String,
    http: reqwest::Client,
}

impl Cluster {
    async fn start(url: &str, dir: &std::path::Path) -> Self {
        let mut servers = Vec::new();
        let (mut bases, mut osmand) = (Vec::new(), Vec::new());
        for i in 0..REPLICAS {
            let (api, ingest) = (free_port(), free_port());
            let args: Vec<String> = [
                "--database",
                url,
                "--osmand-listen",
                &format!("127.0.0.1:{ingest}"),
                "--gt06-listen",
                "127.0.0.1:0",
                "--teltonika-listen",
                "127.0.0.1:0",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            let log = dir.join(format!("replica-{i}.log"));
            let server =
                ServerProcess::start_with(dir, api, &args, &[("ATALAIA_LOG", "info")], Some(&log)).await;
            bases.push(server.base.clone());
            osmand.push(format!("http://127.0.0.1:{ingest}"));
            servers.push(Some(server));
            if i == 0 {
                // The first server leads before the others start: it is the one killed.
                for _ in 0..50 {
                    if health(&bases[0]).await["leader"] == true {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        let token = servers[0].as_ref().expect("up").token("admin", ADMIN_PASSWORD).await;
        Self { servers, bases, osmand, token, http: reqwest::Client::new() }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/api/v1{path}", self.bases[1]))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("POST");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.expect("json")
    }

    async fn get(&self, base: usize, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}/api/v1{path}", self.bases[base]))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 200, "{path}");
        r.json().await.expect("json")
    }

    fn logs(dir: &std::path::Path) -> String {
        (0..REPLICAS)
            .map(|i| {
                let text = std::fs::read_to_string(dir.join(format!("replica-{i}.log"))).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(15).collect();
                format!("--- replica {i}\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

async fn health(base: &str) -> Value {
    match reqwest::get(format!("{base}/api/v1/health")).await {
        Ok(r) => r.json().await.unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

/// One bracelet: each fix to its server until acknowledged, moving down the list of servers
/// when one does not answer. Returns the fix times acknowledged.
async fn bracelet(i: usize, servers: Vec<String>, t0: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
    let mut at = i % REPLICAS;
    let mut acked = Vec::new();
    for k in 0..FIXES {
        let t = t0 + Span::seconds(k);
        let p = place(i, k);
        let query = format!(
            "id={}&lat={}&lon={}&timestamp={}&accuracy=5&batt=80",
            imei(i),
            p.lat,
            p.lon,
            t.timestamp()
        );
        let mut tries = 0;
        loop {
            match http.get(format!("{}/?{query}", servers[at])).send().await {
                Ok(r) if r.status() == 200 => break,
                _ => {
                    tries += 1;
                    assert!(tries < 60, "bracelet {i}: fix {k} never acknowledged");
                    at = (at + 1) % servers.len();
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        acked.push(t);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    acked
}

/// The console's events (with their seqs) until its connection ends.
async fn follow(mut ws: Ws, seen: Arc<Mutex<Vec<(u64, EventBody)>>>) {
    while let Some(Ok(frame)) = ws.next().await {
        if let Message::Text(t) = frame
            && let Ok(LiveMessage::Event(e)) = serde_json::from_str::<LiveMessage>(&t)
        {
            seen.lock().expect("lock").push((e.seq, e.body));
        }
    }
}

async fn snapshot_seq(ws: &mut Ws) -> u64 {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("snapshot within 10 s")
            .expect("open")
            .expect("frame");
        if let Message::Text(t) = frame {
            match serde_json::from_str::<LiveMessage>(&t).expect("LiveMessage") {
                LiveMessage::Snapshot(s) => return s.seq,
                other => panic!("snapshot first, got {other:?}"),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn issue_24_three_servers_on_one_postgresql_lose_nothing_when_the_leader_is_killed() {
    let pg = tokio::task::spawn_blocking(Postgres::start).await.expect("cluster");
    let dir = tempfile::tempdir().expect("dir");
    let mut c = Cluster::start(&pg.url(), dir.path()).await;
    let leaders: Vec<bool> = {
        let mut l = Vec::new();
        for b in &c.bases {
            l.push(health(b).await["leader"] == true);
        }
        l
    };
    assert_eq!(leaders, [true, false, false], "the first server leads");

    let (mut people, mut device_ids) = (Vec::new(), Vec::new());
    for i in 0..BRACELETS {
        let person = c
            .post(
                "/persons",
                json!({"name": format!("Pessoa {i}"), "record": format!("R{i}"), "regime": "semi_open"}),
            )
            .await;
        let person = person["id"].as_str().expect("id").to_owned();
        let device =
            c.post("/devices", json!({"imei": imei(i), "kind": "ankle_bracelet", "person_id": person})).await;
        device_ids.push(device["id"].as_str().expect("id").to_owned());
        c.post(
            "/zones",
            json!({"name": "Casa", "kind": "inclusion", "person_id": person,
                   "shape": {"type": "circle", "center": home(i), "radius_m": 300.0}}),
        )
        .await;
        people.push(person);
    }

    // The console on the leader.
    let mut ws = live_at(&c.bases[0], &c.token, None).await;
    let first = snapshot_seq(&mut ws).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let console = tokio::spawn(follow(ws, seen.clone()));

    // Whole seconds: OsmAnd's timestamp is.
    let t0 = DateTime::from_timestamp(Utc::now().timestamp() - 60, 0).expect("time");
    let devices: Vec<_> = (0..BRACELETS).map(|i| tokio::spawn(bracelet(i, c.osmand.clone(), t0))).collect();

    // Mid-run (bracelets 0–2 have left home and been raised; the others are about to leave).
    tokio::time::sleep(Duration::from_secs(7)).await;
    c.servers[0].take().expect("leader").kill();
    console.await.expect("console follower");
    let resume_from = seen.lock().expect("lock").last().map_or(first, |(seq, _)| *seq);

    // The console reconnects to the next server and resumes from its last seq.
    let mut ws = live_at(&c.bases[1], &c.token, Some(resume_from)).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let resumed = tokio::spawn(async move {
        while let Some(Ok(frame)) = ws.next().await {
            if let Message::Text(t) = frame {
                let _ = tx.send(serde_json::from_str::<LiveMessage>(&t).expect("LiveMessage"));
            }
        }
    });

    let mut acked: HashMap<usize, Vec<DateTime<Utc>>> = HashMap::new();
    for (i, d) in devices.into_iter().enumerate() {
        acked.insert(i, d.await.expect("bracelet"));
    }

    // Another server took the leadership.
    let mut leader = None;
    for _ in 0..50 {
        let mut now = Vec::new();
        for b in &c.bases[1..] {
            now.push(health(b).await["leader"] == true);
        }
        if now.iter().filter(|l| **l).count() == 1 {
            leader = now.iter().position(|l| *l).map(|p| p + 1);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let leader = leader.unwrap_or_else(|| panic!("no new leader\n{}", Cluster::logs(dir.path())));

    // Every exit raised (the queue drained by the new leader), then time for a wrong second one.
    let exits = |alarms: &Value| -> Vec<Value> {
        alarms
            .as_array()
            .expect("alarms")
            .iter()
            .filter(|a| a["kind"] == "inclusion_zone_exit")
            .cloned()
            .collect()
    };
    for _ in 0..100 {
        if exits(&c.get(leader, "/alarms").await).len() >= BRACELETS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let alarms = exits(&c.get(leader, "/alarms").await);
    for person in &people {
        let of: Vec<&Value> = alarms.iter().filter(|a| a["subject"]["id"] == person.as_str()).collect();
        assert_eq!(of.len(), 1, "one exit alarm of {person}: {alarms:#?}\n{}", Cluster::logs(dir.path()));
        assert_eq!(of[0]["count"], 1, "raised once: {:#?}", of[0]);
    }

    // Every acknowledged fix is stored, none twice.
    for (i, times) in &acked {
        let stored = c.get(1, &format!("/positions?device_id={}&limit=5000", device_ids[*i])).await;
        let stored: Vec<String> = stored
            .as_array()
            .expect("positions")
            .iter()
            .map(|p| p["fix_time"].as_str().expect("t").to_owned())
            .collect();
        let distinct: BTreeSet<DateTime<Utc>> =
            stored.iter().map(|t| t.parse::<DateTime<Utc>>().expect("rfc3339")).collect();
        assert_eq!(distinct.len(), stored.len(), "bracelet {i}: a fix stored twice");
        let lost: Vec<String> = times
            .iter()
            .filter(|t| !distinct.contains(t))
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
            .collect();
        assert!(
            lost.is_empty(),
            "bracelet {i}: {} acknowledged fixes lost of {} ({} stored): {lost:?}",
            lost.len(),
            times.len(),
            stored.len()
        );
        assert_eq!(times.len(), FIXES as usize);
    }

    // The console saw the whole log from its first snapshot on, in order, without a gap, the
    // exits among it.
    let head = c.get(leader, "/health").await["seq"].as_u64().expect("seq");
    let mut all: Vec<(u64, EventBody)> = seen.lock().expect("lock").clone();
    while all.last().is_none_or(|(seq, _)| *seq < head) {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(LiveMessage::Event(e))) => all.push((e.seq, e.body)),
            Ok(Some(LiveMessage::Snapshot(_))) => {
                panic!("the console resumed by seq, not from a new snapshot")
            }
            Ok(None) | Err(_) => panic!("the console stopped at {:?} of {head}", all.last().map(|(s, _)| s)),
        }
    }
    resumed.abort();
    all.retain(|(seq, _)| *seq <= head);
    let seqs: Vec<u64> = all.iter().map(|(s, _)| *s).collect();
    let expected: Vec<u64> = (first + 1..=head).collect();
    assert_eq!(seqs.len(), expected.len(), "events from {first} to {head}");
    assert_eq!(seqs, expected, "the console saw the log in order, without a gap");
    let raised: BTreeSet<String> = all
        .iter()
        .filter_map(|(_, b)| match b {
            EventBody::Alarm(a) if a.kind == atalaia_core::alarm::AlarmKind::InclusionZoneExit => {
                Some(a.subject.id_string())
            }
            _ => None,
        })
        .collect();
    assert_eq!(raised.len(), BRACELETS, "the console saw every exit");
}
