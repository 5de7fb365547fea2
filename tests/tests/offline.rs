//! Issue 8, offline-first console: the command outbox, the server's exactly-once application of
//! replayed commands, the cache following the live feed, resume by `seq`, and conflicts.
//!
//! The first test runs the server as a process of its own (`atalaia-server`) and stops it for
//! real; the crash test kills a client process (`outbox-burst`) with SIGKILL.

use atalaia_client::cache::{Cache, Writer};
use atalaia_client::outbox::{self, Command, Outbox, State};
use atalaia_client::{Api, LiveModel, LiveUpdate};
use atalaia_core::alarm::{Alarm, AlarmKind, AlarmState, Outcome, Subject};
use atalaia_core::auth::Role;
use atalaia_core::ids::{AlarmId, OccurrenceId, PersonId, ZoneId};
use atalaia_core::monitoring::DeviceState;
use atalaia_core::wire::{AlarmAction, AuditEntry, Health, LiveMessage, NewCommand, NewOccurrence, NewZone};
use atalaia_tests::{ServerProcess, TestServer, free_port};
use futures_util::{Stream, StreamExt};
use serde_json::json;
use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

type Feed = Pin<Box<dyn Stream<Item = LiveUpdate> + Send>>;
type Pump = Pin<Box<dyn Stream<Item = outbox::Update> + Send>>;

const DEMO_PASSWORD: &str = "atalaia-demo";

/// What a console holds: the live feed applied to its model, the cache writer behind it.
struct Console {
    feed: Feed,
    model: LiveModel,
    written: std::sync::mpsc::Receiver<u64>,
    cache_seq: u64,
    connected: bool,
}

impl Console {
    fn start(base: &str, token: &str, cache: &std::path::Path) -> Self {
        let (done, written) = std::sync::mpsc::channel();
        let writer = Writer::spawn(Cache::open(cache).expect("cache"), LiveModel::default(), Some(done))
            .expect("cache writer");
        let feed =
            atalaia_client::live::subscribe_from(base.to_owned(), token.to_owned(), None, Some(writer));
        Self { feed: Box::pin(feed), model: LiveModel::default(), written, cache_seq: 0, connected: false }
    }

    fn take(&mut self, update: LiveUpdate) {
        match update {
            LiveUpdate::Connected { .. } => self.connected = true,
            LiveUpdate::Disconnected { .. } => self.connected = false,
            LiveUpdate::Message(m) => {
                let _ = self.model.apply(*m);
            }
            LiveUpdate::Unauthorized => panic!("session refused"),
        }
    }

    /// Follows the feed until the model and the cache file are both at `seq` or later.
    async fn catch_up(&mut self, seq: u64) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while self.model.seq < seq || self.cache_seq < seq {
            while let Ok(s) = self.written.try_recv() {
                self.cache_seq = s;
            }
            if self.model.seq >= seq && self.cache_seq >= seq {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "model {} / cache {} never reached {seq}",
                self.model.seq,
                self.cache_seq
            );
            if let Ok(Some(u)) = tokio::time::timeout(Duration::from_millis(100), self.feed.next()).await {
                self.take(u);
            }
        }
    }
}

async fn head(base: &str) -> u64 {
    let h: Health =
        reqwest::get(format!("{base}/api/v1/health")).await.expect("health").json().await.expect("json");
    h.seq
}

fn de<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("wire type")
}

/// The audit trail's entries of `user`, in order, limited to what commands write.
async fn audited(base: &str, token: &str, user: &str) -> Vec<(String, String)> {
    let url = format!("{base}/api/v1/audit?username={user}&limit=5000");
    let resp = reqwest::Client::new().get(url).bearer_auth(token).send().await.expect("audit");
    assert_eq!(resp.status(), 200);
    let mut entries: Vec<AuditEntry> = resp.json().await.expect("entries");
    entries.sort_by_key(|e| e.seq);
    entries
        .into_iter()
        .filter(|e| {
            e.action.starts_with("occurrence.")
                || e.action.starts_with("alarm.")
                || e.action.starts_with("zone.")
                || e.action == "device.command"
        })
        .map(|e| (e.action, e.target))
        .collect()
}

/// The audit line each command leaves: (action, target).
fn expected_audit(c: &Command) -> (String, String) {
    match c {
        Command::CreateOccurrence(n) => ("occurrence.create".into(), n.id.expect("client id").to_string()),
        Command::Regulate { occurrence, .. } => ("occurrence.regulate".into(), occurrence.to_string()),
        Command::AlarmAction { alarm, action } => (
            match action {
                AlarmAction::Claim => "alarm.claim",
                AlarmAction::Note { .. } => "alarm.note",
                AlarmAction::Close { .. } => "alarm.close",
                other => panic!("not used here: {other:?}"),
            }
            .into(),
            alarm.to_string(),
        ),
        Command::SaveZone { zone, existing } => {
            ((if *existing { "zone.update" } else { "zone.create" }).into(), zone.id.expect("id").to_string())
        }
        Command::DeviceCommand { device, .. } => ("device.command".into(), device.to_string()),
        Command::CloseOccurrence { occurrence, .. } => ("occurrence.close".into(), occurrence.to_string()),
        Command::ZoneState { zone, change } => (change.action.audit_action().into(), zone.to_string()),
        Command::UpdatePerson { person, .. } => ("person.update".into(), person.to_string()),
        Command::CreatePerson(body) => ("person.create".into(), body.id.expect("client id").to_string()),
        Command::CreateDevice(body) => ("device.create".into(), body.id.expect("client id").to_string()),
        Command::DeviceState { device, change } => (change.action.audit_action().into(), device.to_string()),
        Command::Dispatch(_) => panic!("not used here"),
    }
}

/// Issue 8, first "must show": a console works with the server stopped, issues 100 mixed commands
/// (calls and their regulation, alarm claims, notes and closings, zones created then edited,
/// device commands), the server comes back, and every command is applied exactly once, in the
/// order issued, and the console's cache agrees with the server afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_commands_issued_with_the_server_stopped_are_applied_once_in_order() {
    let dir = tempfile::tempdir().expect("dir");
    let (server_dir, console_dir) = (dir.path().join("server"), dir.path().join("console"));
    std::fs::create_dir_all(&server_dir).expect("dir");
    std::fs::create_dir_all(&console_dir).expect("dir");
    let port = free_port();
    let server = ServerProcess::start(&server_dir, port).await;
    let base = server.base.clone();
    let api = Api::new(&base).expect("api");
    let token = api.login("admin", DEMO_PASSWORD).await.expect("login").token;
    let api = api.with_token(token.clone());

    // Online: the console gets the snapshot and the cache writes it.
    let cache_file = console_dir.join("cache.sqlite");
    let mut console = Console::start(&base, &token, &cache_file);
    console.catch_up(head(&base).await).await;
    let alarms: Vec<AlarmId> = {
        let mut v: Vec<&Alarm> =
            console.model.alarms.values().filter(|a| a.state == AlarmState::Open).collect();
        v.sort_by_key(|a| a.id);
        v.into_iter().map(|a| a.id).take(4).collect()
    };
    let devices: Vec<_> = {
        let mut v: Vec<_> =
            console.model.devices.values().filter(|d| d.state == DeviceState::Active).map(|d| d.id).collect();
        v.sort();
        v.into_iter().take(10).collect()
    };
    assert_eq!((alarms.len(), devices.len()), (4, 10), "the demo data has open alarms and active devices");

    // The server stops (killed: no goodbye on the live feed).
    server.kill();
    let wake = Arc::new(tokio::sync::Notify::new());
    let outbox_file = console_dir.join("outbox.sqlite");
    let mut pump: Pump = Box::pin(outbox::pump(api.clone(), outbox_file.clone(), wake.clone()));

    // 100 commands in four interleaved streams, each in an order only it makes valid.
    let mut streams: Vec<Vec<Command>> = vec![Vec::new(); 4];
    for (i, alarm) in alarms.iter().enumerate() {
        let alarm = *alarm;
        streams[0].push(Command::AlarmAction { alarm, action: AlarmAction::Claim });
        streams[0].push(Command::AlarmAction {
            alarm,
            action: AlarmAction::Note { text: format!("Sem contato ({i}).") },
        });
        streams[0].push(Command::AlarmAction {
            alarm,
            action: de(json!({"action": "close", "outcome": "false_alarm", "note": "Falha do GPS."})),
        });
    }
    for i in 0..5 {
        let id = ZoneId::new();
        let zone = |name: String| -> NewZone {
            de(json!({"id": id, "name": name, "kind": "exclusion", "warning_m": 100.0, "group": "art217",
                "shape": {"type": "circle", "center": {"lat": -8.76, "lon": -63.90 + 0.01 * i as f64}, "radius_m": 150.0}}))
        };
        streams[1].push(Command::SaveZone { zone: zone(format!("Escola {i}")), existing: false });
        streams[1].push(Command::SaveZone { zone: zone(format!("Escola {i} (ampliada)")), existing: true });
    }
    for device in &devices {
        let command: NewCommand = de(
            json!({"id": atalaia_core::ids::CommandId::new(), "kind": {"type": "alert", "visual": true, "vibration": true, "sound": false}}),
        );
        streams[2].push(Command::DeviceCommand { device: *device, command });
    }
    let calls = (100 - streams.iter().map(Vec::len).sum::<usize>()) / 2;
    for i in 0..calls {
        let id = OccurrenceId::new();
        let new: NewOccurrence =
            de(json!({"id": id, "call_type": "atendimento", "caller_name": format!("Solicitante {i}"),
            "caller_phone": "31988887777", "address": format!("Rua da Bahia, {}", 100 + i),
            "municipality": "Belo Horizonte", "description": "Dor torácica"}));
        streams[3].push(Command::CreateOccurrence(new));
        streams[3].push(Command::Regulate {
            occurrence: id,
            update: de(json!({"stage": "primary", "priority": "emergency", "ambulance_needed": true, "resource": "usa"})),
        });
    }
    let mut commands = Vec::new();
    while streams.iter().any(|s| !s.is_empty()) {
        for s in streams.iter_mut().filter(|s| !s.is_empty()) {
            commands.push(s.remove(0));
        }
    }
    assert_eq!(commands.len(), 100);
    let queue = Outbox::open(&outbox_file).expect("outbox");
    let mut issued = Vec::new();
    for c in &commands {
        issued.push(queue.enqueue(c.clone(), &c.describe(), chrono::Utc::now()).expect("queued").id);
        wake.notify_one();
    }
    // The console keeps trying, and says so, while the server is away (the first attempts may
    // come while the queue is still being filled).
    let mut waiting = 0;
    while waiting < 2 {
        tokio::select! {
            Some(u) = pump.next() => match u {
                outbox::Update::Waiting { pending, .. } => {
                    assert!(pending <= 100);
                    waiting += usize::from(pending == 100);
                }
                outbox::Update::Delivered { .. } | outbox::Update::Conflict { .. } => panic!("no server to deliver to"),
                _ => {}
            },
            Some(u) = console.feed.next() => console.take(u),
        }
    }
    assert!(!console.connected);
    assert_eq!(queue.pending_count().expect("count"), 100);

    // The server comes back on the same database; the live link's return wakes the queue.
    let server = ServerProcess::start(&server_dir, port).await;
    let mut delivered = Vec::new();
    let mut replays = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while delivered.len() < 100 {
        assert!(tokio::time::Instant::now() < deadline, "only {} delivered", delivered.len());
        tokio::select! {
            Some(u) = pump.next() => match u {
                outbox::Update::Delivered { entry, replayed, .. } => { delivered.push(entry.id); replays += usize::from(replayed); }
                outbox::Update::Conflict { entry, problem } => panic!("{} refused: {problem:?}", entry.label),
                outbox::Update::Unauthorized => panic!("session lost across the restart"),
                _ => {}
            },
            Some(u) = console.feed.next() => {
                let was = console.connected;
                console.take(u);
                if console.connected && !was { wake.notify_one(); }
            }
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
    }
    assert_eq!(delivered, issued, "delivered in the order issued");
    assert_eq!(replays, 0, "nothing had reached the server before");
    assert_eq!(queue.pending_count().expect("count"), 0);
    assert!(queue.entries().expect("entries").is_empty(), "no conflict left");

    // Exactly once, in order: the audit trail has one line per command, in the order issued.
    let expected: Vec<(String, String)> = commands.iter().map(expected_audit).collect();
    assert_eq!(audited(&base, &token, "admin").await, expected);

    // Sent again (a console that did not hear the answers): answered, nothing applied twice.
    for (c, id) in commands.iter().zip(&issued).take(10) {
        let (method, path, body) = c.request().expect("request");
        let (_, replayed) = api.command(method, &path, &body, *id).await.expect("answered");
        assert!(replayed, "{path}");
    }
    assert_eq!(audited(&base, &token, "admin").await, expected);

    // The cache agrees with the server: a fresh snapshot equals what the file holds (taken
    // again if the server's own timers changed something in between).
    let (cached, snapshot) = loop {
        let seq = head(&base).await;
        console.catch_up(seq).await;
        let mut fresh = Box::pin(atalaia_client::subscribe(base.clone(), token.clone()));
        let snapshot = loop {
            let update = tokio::time::timeout(Duration::from_secs(10), fresh.next()).await;
            if let LiveUpdate::Message(m) = update.expect("frame").expect("open")
                && let LiveMessage::Snapshot(s) = *m
            {
                break s;
            }
        };
        console.catch_up(snapshot.seq).await;
        let cached = Cache::open(&cache_file).expect("cache").load().expect("load").expect("saved").model;
        if cached.seq == snapshot.seq {
            break (cached, snapshot);
        }
    };
    let mut server_model = LiveModel::default();
    let _ = server_model.apply(LiveMessage::Snapshot(snapshot));
    assert_eq!(cached.occurrences, server_model.occurrences);
    // The snapshot carries the alarms still active; the console keeps the ones it saw close.
    let active = |m: &LiveModel| -> HashMap<AlarmId, Alarm> {
        m.alarms.values().filter(|a| a.is_active()).map(|a| (a.id, a.clone())).collect()
    };
    assert_eq!(active(&cached), server_model.alarms);
    assert_eq!(cached.zones, server_model.zones);
    assert_eq!(cached.devices, server_model.devices);
    assert_eq!(cached.persons, server_model.persons);
    assert_eq!(cached.vehicles, server_model.vehicles);
    assert_eq!(cached.dispatches, server_model.dispatches);
    let last = |m: &LiveModel| -> HashMap<_, _> {
        m.trails.iter().filter_map(|(d, t)| Some((*d, t.back()?.clone()))).collect()
    };
    assert_eq!(last(&cached), last(&server_model));
    for id in &alarms {
        assert!(
            matches!(cached.alarms[id].state, AlarmState::Closed { .. }),
            "claimed, noted and closed offline"
        );
    }
    drop(server);
}

/// Issue 8, second "must show": the console process is killed (SIGKILL) in the middle of a burst
/// of commands. Afterwards every command it had acknowledged is either applied or still queued —
/// none lost — and once the queue is sent, each is applied exactly once — none doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_killed_during_a_burst_loses_and_doubles_nothing() {
    use std::io::BufRead;
    let s = TestServer::start().await;
    s.user_token("operador", Role::MonitoringOperator).await;
    let now = chrono::Utc::now();
    let alarm = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
    let id = alarm.id;
    s.running.state.store.write(move |ctx| ctx.save(&alarm)).await.expect("alarm");
    let op = s.login("operador", "password-123").await.token;
    assert_eq!(
        s.post(&op, &format!("/alarms/{id}/actions"), &json!({"action": "claim"})).await.status(),
        200
    );

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("outbox.sqlite");
    let burst = |count: usize| {
        std::process::Command::new(env!("CARGO_BIN_EXE_outbox-burst"))
            .args([&s.running.base_url(), "operador", "password-123"])
            .arg(&file)
            .args([id.to_string(), count.to_string()])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("outbox-burst")
    };
    let mut child = burst(500);
    let mut acked: Vec<(usize, uuid::Uuid)> = Vec::new();
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    // Killed after 150 acknowledgements, while commands are still being issued and sent.
    while acked.len() < 150 {
        let line = lines.next().expect("a line").expect("utf-8");
        let mut parts = line.split_whitespace();
        assert_eq!(parts.next(), Some("ACK"), "{line}");
        let n = parts.next().expect("n").parse().expect("n");
        acked.push((n, parts.next().expect("id").parse().expect("uuid")));
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    // Whatever else the pipe still held was acknowledged too.
    for line in lines.map_while(Result::ok) {
        let mut parts = line.split_whitespace();
        if parts.next() == Some("ACK") {
            let n = parts.next().expect("n").parse().expect("n");
            acked.push((n, parts.next().expect("id").parse().expect("uuid")));
        }
    }

    let notes = |alarm: &serde_json::Value| -> Vec<String> {
        alarm["notes"]
            .as_array()
            .expect("notes")
            .iter()
            .filter_map(|n| n["text"].as_str().map(str::to_owned))
            .collect()
    };
    let stored: serde_json::Value = s.get(&op, &format!("/alarms/{id}")).await.json().await.expect("alarm");
    let applied = notes(&stored);
    let queued: Vec<uuid::Uuid> =
        Outbox::open(&file).expect("outbox").entries().expect("entries").iter().map(|e| e.id).collect();
    for (n, command) in &acked {
        let text = format!("nota {n}");
        assert!(
            applied.contains(&text) || queued.contains(command),
            "acknowledged command {n} is neither applied nor queued"
        );
    }
    assert!(acked.len() < 500, "killed in the middle of the burst");
    eprintln!(
        "killed after {} acknowledged: {} applied, {} queued",
        acked.len(),
        applied.len(),
        queued.len()
    );

    // The console starts again and sends what was left.
    let out = burst(0).wait_with_output().expect("drain");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("DRAINED"));
    let stored: serde_json::Value = s.get(&op, &format!("/alarms/{id}")).await.json().await.expect("alarm");
    let applied = notes(&stored);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for t in &applied {
        *counts.entry(t.as_str()).or_default() += 1;
    }
    assert!(counts.values().all(|&c| c == 1), "a note applied twice: {counts:?}");
    for (n, _) in &acked {
        assert_eq!(counts.get(format!("nota {n}").as_str()), Some(&1), "nota {n}");
    }
    // In the order issued.
    let order: Vec<usize> =
        applied.iter().filter_map(|t| t.strip_prefix("nota ")).map(|n| n.parse().expect("n")).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(Outbox::open(&file).expect("outbox").entries().expect("entries").is_empty());
    s.running.shutdown().await;
}

/// Issue 8, third "must show": the alarm-claim race while offline. This seat claims an alarm
/// with the server out of reach; meanwhile another operator takes it. When the link is back the
/// claim is refused and kept as a conflict saying who has the alarm, until the operator decides.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alarm_claimed_by_someone_else_while_offline_comes_back_as_a_conflict() {
    let s = TestServer::start().await;
    s.user_token("ana", Role::MonitoringOperator).await;
    let bruno = s.user_token("bruno", Role::MonitoringOperator).await;
    let now = chrono::Utc::now();
    let alarm = Alarm::new(AlarmKind::ExclusionZoneEntry, Subject::Person(PersonId::new()), None, now, now);
    let id = alarm.id;
    s.running.state.store.write(move |ctx| ctx.save(&alarm)).await.expect("alarm");
    let api = Api::new(&s.running.base_url()).expect("api");
    let token = api.login("ana", "password-123").await.expect("login").token;

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("outbox.sqlite");
    let queue = Outbox::open(&file).expect("outbox");
    // Offline: the server's address does not answer.
    let unreachable =
        Api::new(&format!("http://127.0.0.1:{}", free_port())).expect("api").with_token(token.clone());
    let wake = Arc::new(tokio::sync::Notify::new());
    let mut pump: Pump = Box::pin(outbox::pump(unreachable, file.clone(), wake.clone()));
    let claim = queue
        .enqueue(Command::AlarmAction { alarm: id, action: AlarmAction::Claim }, "Assumir alarme", now)
        .expect("q");
    let close = Command::AlarmAction {
        alarm: id,
        action: AlarmAction::Close { outcome: Outcome::FalseAlarm, note: "Falha do GPS.".into() },
    };
    let close = queue.enqueue(close, "Encerrar alarme", now).expect("q");
    wake.notify_one();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), pump.next()).await.expect("update").expect("open")
        {
            outbox::Update::Waiting { pending, .. } => break assert_eq!(pending, 2),
            outbox::Update::Idle => {}
            other => panic!("{other:?}"),
        }
    }
    drop(pump);

    // Meanwhile, at another seat.
    assert_eq!(
        s.post(&bruno, &format!("/alarms/{id}/actions"), &json!({"action": "claim"})).await.status(),
        200
    );

    // Back online.
    let api = api.with_token(token);
    let mut pump: Pump = Box::pin(outbox::pump(api, file.clone(), wake.clone()));
    let mut conflicts = Vec::new();
    while conflicts.len() < 2 {
        match tokio::time::timeout(Duration::from_secs(10), pump.next()).await.expect("update").expect("open")
        {
            outbox::Update::Conflict { entry, problem } => conflicts.push((entry.id, *problem)),
            outbox::Update::Delivered { entry, .. } => panic!("{} applied", entry.label),
            _ => {}
        }
    }
    assert_eq!(conflicts[0].0, claim.id);
    assert_eq!(conflicts[0].1.status, 409);
    assert_eq!(conflicts[0].1.detail.as_deref(), Some("Alarme já assumido por Usuário bruno."));
    assert_eq!(conflicts[1].0, close.id, "closing needs the claim: refused too, not dropped");
    assert_eq!(conflicts[1].1.detail.as_deref(), Some("Assuma o alarme antes de tratá-lo."));
    // Kept for the operator, with what happened.
    let entries = queue.entries().expect("entries");
    assert_eq!(entries.len(), 2);
    assert!(matches!(&entries[0].state, State::Conflict { problem } if problem.status == 409));
    let stored: Alarm = s.get(&bruno, &format!("/alarms/{id}")).await.json().await.expect("alarm");
    assert!(
        matches!(stored.state, AlarmState::Claimed { .. }) && stored.notes.is_empty(),
        "nothing of the offline seat was applied: {stored:?}"
    );
    // The operator lets them go.
    queue.discard(claim.id).expect("discard");
    queue.discard(close.id).expect("discard");
    assert!(queue.entries().expect("entries").is_empty());
    s.running.shutdown().await;
}

async fn next_update(feed: &mut Feed) -> LiveUpdate {
    tokio::time::timeout(Duration::from_secs(10), feed.next()).await.expect("update").expect("open")
}

/// Issue 8 item 3: the live feed resumes after the cached `seq` of the database it came from;
/// when the server does not know that point (its database was restored from an older copy, or it
/// is another database altogether), the console gets a snapshot and its model is replaced without
/// anyone doing anything.
#[tokio::test]
async fn a_resume_point_the_server_does_not_know_resynchronises_from_a_snapshot() {
    use atalaia_client::live::Resume;
    let s = TestServer::start().await;
    let base = s.running.base_url();
    let subscribe = |since: Resume| -> Feed {
        Box::pin(atalaia_client::live::subscribe_from(base.clone(), s.admin_token.clone(), Some(since), None))
    };
    let mut first: Feed = Box::pin(atalaia_client::subscribe(base.clone(), s.admin_token.clone()));
    assert_eq!(next_update(&mut first).await, LiveUpdate::Connected { resumed: false });
    let LiveUpdate::Message(m) = next_update(&mut first).await else { panic!("snapshot expected") };
    let LiveMessage::Snapshot(snap) = *m else { panic!("snapshot expected") };
    drop(first);
    let (seq, instance) = (snap.seq, snap.instance.clone());
    assert_eq!(instance.len(), 32, "the database names itself: {instance:?}");
    // A change after the cached point: resuming brings exactly it, no snapshot.
    let r =
        s.post(&s.admin_token, "/persons", &json!({"name": "P", "record": "1", "regime": "semi_open"})).await;
    assert_eq!(r.status(), 201);
    let mut feed = subscribe(Resume { seq, instance: instance.clone() });
    assert_eq!(next_update(&mut feed).await, LiveUpdate::Connected { resumed: true });
    let LiveUpdate::Message(m) = next_update(&mut feed).await else { panic!("event expected") };
    assert!(matches!(&*m, LiveMessage::Event(e) if e.seq > seq), "{m:?}");
    drop(feed);
    let head = head(&base).await;
    // A point from the future, and the right number from another database: a snapshot of now.
    for since in [
        Resume { seq: head + 1_000_000, instance: instance.clone() },
        Resume { seq: 1, instance: "0".repeat(32) },
    ] {
        let mut feed = subscribe(since.clone());
        assert_eq!(next_update(&mut feed).await, LiveUpdate::Connected { resumed: true });
        let LiveUpdate::Message(m) = next_update(&mut feed).await else { panic!("message expected") };
        assert!(matches!(&*m, LiveMessage::Snapshot(snap) if snap.seq == head), "{since:?}: {m:?}");
        let mut model =
            LiveModel { seq: since.seq, instance: since.instance.clone(), ..LiveModel::default() };
        let applied = model.apply(*m);
        assert!(applied.reset);
        assert_eq!((model.seq, model.instance.as_str()), (head, instance.as_str()));
    }
    s.running.shutdown().await;
}
