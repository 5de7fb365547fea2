//! What the writer's jobs append on PostgreSQL — events, fixes, queued detector input, the
//! detectors' saved state — kept in
//! memory and written in one multi-row statement per table (`unnest` of arrays) when the next
//! statement of any kind is sent, or at the batch's end: a round trip to the database costs about
//! 0.1 ms on one machine (more across a network), and a device report used to make about six.
//! Every statement still sees every row appended before it (read-your-writes): the rows are
//! written first. A job's savepoint is opened only when it sends a statement
//! (`PgConn::defer_savepoint`); the rows of earlier jobs are written before it, the job's own
//! inside it, so a failing job takes back exactly its own.
//!
//! Events are numbered here: the batch holds the log's lock from its start (`store::log`), so the
//! head is read once and the numbers follow it in order. A job that fails takes its rows and its
//! numbers back ([`PgConn::append_reset`]), so the log stays gapless.

use crate::store::db::PgConn;
use crate::store::{StoreError, ts};
use atalaia_core::monitoring::Position;

#[derive(Debug, Default)]
pub(crate) struct Appends {
    /// The next event's number, once the batch read the log's head.
    next_seq: Option<u64>,
    /// Counts the writes of buffered rows: a mark from before the last one is out of date.
    generation: u64,
    /// Rows buffered when the current job began (written before its savepoint).
    job_start: Lengths,
    events: Events,
    positions: Positions,
    samples: Vec<String>,
    /// Detector state records (part, id, document), the last of each key wins.
    states: Vec<(String, String, String)>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Lengths {
    events: usize,
    positions: usize,
    samples: usize,
    states: usize,
}

#[derive(Debug, Default)]
struct Events {
    seq: Vec<i64>,
    at: Vec<String>,
    kind: Vec<String>,
    body: Vec<String>,
}

#[derive(Debug, Default)]
struct Positions {
    id: Vec<String>,
    device_id: Vec<String>,
    person_id: Vec<Option<String>>,
    fix_time: Vec<String>,
    recv_time: Vec<String>,
    lat: Vec<f64>,
    lon: Vec<f64>,
    doc: Vec<String>,
    seq: Vec<i64>,
}

/// How far the appends went, to go back to when a job (or a nested part of one) fails.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    next_seq: Option<u64>,
    generation: u64,
    lengths: Lengths,
}

impl Appends {
    fn lengths(&self) -> Lengths {
        Lengths {
            events: self.events.seq.len(),
            positions: self.positions.id.len(),
            samples: self.samples.len(),
            states: self.states.len(),
        }
    }

    fn truncate(&mut self, l: Lengths) {
        let e = &mut self.events;
        e.seq.truncate(l.events);
        e.at.truncate(l.events);
        e.kind.truncate(l.events);
        e.body.truncate(l.events);
        let p = &mut self.positions;
        p.id.truncate(l.positions);
        p.device_id.truncate(l.positions);
        p.person_id.truncate(l.positions);
        p.fix_time.truncate(l.positions);
        p.recv_time.truncate(l.positions);
        p.lat.truncate(l.positions);
        p.lon.truncate(l.positions);
        p.doc.truncate(l.positions);
        p.seq.truncate(l.positions);
        self.samples.truncate(l.samples);
        self.states.truncate(l.states);
    }

    /// Writes the rows before `upto` (all when `None`) and drops them from the buffer.
    fn write(
        &mut self,
        conn: &PgConn,
        client: &mut postgres::Client,
        upto: Option<Lengths>,
    ) -> Result<(), StoreError> {
        let all = self.lengths();
        let n = upto.unwrap_or(all);
        if n.events == 0 && n.positions == 0 && n.samples == 0 && n.states == 0 {
            return Ok(());
        }
        let e = &mut self.events;
        if n.events > 0 {
            let sql = "INSERT INTO events (seq, at, kind, body)
                       SELECT * FROM unnest(?1::bigint[], ?2::text[], ?3::text[], ?4::text[])";
            let statement = conn.prepared(client, sql)?;
            let k = n.events;
            client.execute(&statement, &[&&e.seq[..k], &&e.at[..k], &&e.kind[..k], &&e.body[..k]])?;
            e.seq.drain(..k);
            e.at.drain(..k);
            e.kind.drain(..k);
            e.body.drain(..k);
        }
        let p = &mut self.positions;
        if n.positions > 0 {
            let sql = "INSERT INTO positions_recent (id, device_id, person_id, fix_time, recv_time, lat, lon, doc, seq)
                       SELECT * FROM unnest(?1::text[], ?2::text[], ?3::text[], ?4::text[], ?5::text[],
                                            ?6::float8[], ?7::float8[], ?8::text[], ?9::bigint[])";
            let statement = conn.prepared(client, sql)?;
            let k = n.positions;
            client.execute(
                &statement,
                &[
                    &&p.id[..k],
                    &&p.device_id[..k],
                    &&p.person_id[..k],
                    &&p.fix_time[..k],
                    &&p.recv_time[..k],
                    &&p.lat[..k],
                    &&p.lon[..k],
                    &&p.doc[..k],
                    &&p.seq[..k],
                ],
            )?;
            p.id.drain(..k);
            p.device_id.drain(..k);
            p.person_id.drain(..k);
            p.fix_time.drain(..k);
            p.recv_time.drain(..k);
            p.lat.drain(..k);
            p.lon.drain(..k);
            p.doc.drain(..k);
            p.seq.drain(..k);
        }
        if n.samples > 0 {
            let statement =
                conn.prepared(client, "INSERT INTO detect_queue (sample) SELECT unnest(?1::text[])")?;
            client.execute(&statement, &[&&self.samples[..n.samples]])?;
            self.samples.drain(..n.samples);
        }
        if n.states > 0 {
            // One row per key (an upsert may not touch a row twice), the newest.
            let mut newest: std::collections::HashMap<(&str, &str), &str> = std::collections::HashMap::new();
            for (part, id, doc) in &self.states[..n.states] {
                newest.insert((part, id), doc);
            }
            let (mut parts, mut ids, mut docs) = (Vec::new(), Vec::new(), Vec::new());
            for ((part, id), doc) in newest {
                parts.push(part);
                ids.push(id);
                docs.push(doc);
            }
            let sql = "INSERT INTO detector_state (part, id, doc)
                       SELECT * FROM unnest(?1::text[], ?2::text[], ?3::text[])
                       ON CONFLICT (part, id) DO UPDATE SET doc = excluded.doc";
            let statement = conn.prepared(client, sql)?;
            client.execute(&statement, &[&parts, &ids, &docs])?;
            self.states.drain(..n.states);
        }
        self.generation += 1;
        self.job_start = Lengths::default();
        Ok(())
    }
}

impl PgConn {
    /// The writer starts a batch: from now on appends are buffered.
    pub(crate) fn begin_appends(&self) {
        *self.appends.borrow_mut() = Appends::default();
        self.buffering.set(true);
    }

    /// The writer ends a batch (committing or not): nothing is buffered any more.
    pub(crate) fn end_appends(&self) {
        self.buffering.set(false);
        *self.appends.borrow_mut() = Appends::default();
    }

    /// Whether appends are buffered now (inside a writer's batch).
    pub(crate) fn buffering(&self) -> bool {
        self.buffering.get()
    }

    /// A job begins: the rows buffered so far are its predecessors'.
    pub(crate) fn begin_job(&self) {
        let mut a = self.appends.borrow_mut();
        a.job_start = a.lengths();
    }

    /// Writes buffered rows: those of the jobs before the current one (`before_job`, ahead of its
    /// savepoint), or all.
    pub(crate) fn flush_appends(
        &self,
        client: &mut postgres::Client,
        before_job: bool,
    ) -> Result<(), StoreError> {
        let mut a = self.appends.borrow_mut();
        let upto = before_job.then_some(a.job_start);
        a.write(self, client, upto)
    }

    /// Writes every buffered row (the batch's end).
    pub(crate) fn flush_all_appends(&self) -> Result<(), StoreError> {
        let mut client = self.client.borrow_mut();
        self.flush_appends(&mut client, false)
    }

    pub(crate) fn append_mark(&self) -> Mark {
        let a = self.appends.borrow();
        Mark { next_seq: a.next_seq, generation: a.generation, lengths: a.lengths() }
    }

    /// Forget what was appended since `m` (a failed job's rows and event numbers). Rows written
    /// since are inside the savepoint the caller rolls back; what is still buffered is all newer.
    pub(crate) fn append_reset(&self, m: Mark) {
        let mut a = self.appends.borrow_mut();
        a.next_seq = m.next_seq;
        let keep = if a.generation == m.generation { m.lengths } else { Lengths::default() };
        a.truncate(keep);
    }

    /// Appends an event; its number (the log's head is read at the batch's first event).
    pub(crate) fn append_event(
        &self,
        at: chrono::DateTime<chrono::Utc>,
        kind: &str,
        body: &str,
    ) -> Result<u64, StoreError> {
        let next = self.appends.borrow().next_seq;
        let seq = match next {
            Some(s) => s,
            None => {
                // No event of this batch is buffered yet: the head is the database's (read
                // through `client`, so a failure is inside the job's savepoint).
                let row = self.client()?.query_one("SELECT COALESCE(MAX(seq), 0) FROM events", &[])?;
                row.try_get::<_, i64>(0)? as u64 + 1
            }
        };
        let mut a = self.appends.borrow_mut();
        a.next_seq = Some(seq + 1);
        let e = &mut a.events;
        e.seq.push(seq as i64);
        e.at.push(ts(at));
        e.kind.push(kind.to_owned());
        e.body.push(body.to_owned());
        Ok(seq)
    }

    pub(crate) fn append_position(&self, p: &Position, doc: String, seq: u64) {
        let mut a = self.appends.borrow_mut();
        let r = &mut a.positions;
        r.id.push(p.id.to_string());
        r.device_id.push(p.device_id.to_string());
        r.person_id.push(p.person_id.map(|x| x.to_string()));
        r.fix_time.push(ts(p.fix_time));
        r.recv_time.push(ts(p.recv_time));
        r.lat.push(p.at.lat);
        r.lon.push(p.at.lon);
        r.doc.push(doc);
        r.seq.push(seq as i64);
    }

    /// Whether this batch buffered this device's fix at this time and place.
    pub(crate) fn appended_position(&self, p: &Position) -> bool {
        let a = self.appends.borrow();
        let (device, fix_time) = (p.device_id.to_string(), ts(p.fix_time));
        let r = &a.positions;
        (0..r.id.len()).any(|i| {
            r.device_id[i] == device
                && r.fix_time[i] == fix_time
                && r.lat[i] == p.at.lat
                && r.lon[i] == p.at.lon
        })
    }

    /// A detector state record to save (one with content; a deletion is a statement).
    pub(crate) fn append_state(&self, part: &str, id: &str, doc: &str) {
        self.appends.borrow_mut().states.push((part.to_owned(), id.to_owned(), doc.to_owned()));
    }

    pub(crate) fn append_sample(&self, json: String) {
        self.appends.borrow_mut().samples.push(json);
    }
}
