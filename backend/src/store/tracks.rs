//! The track archive behind the investigative queries (16.2.22–16.2.28).
//!
//! Thirty days of 4,000 bracelets at one fix every 30 s is about 345 million fixes: far too many
//! rows to search by place and time in the general `positions` table (a JSON document each). The
//! archive keeps, per monitored person and hour, one row holding that hour's fixes as a 10-byte
//! record each with the hour's bounding box (`track_hours`, keyed `subject << 20 | hour`, so a
//! person's hours are contiguous), and a grid of which ~110 m cells each person touched in each
//! hour and for how long (`track_cells`, keyed by cell then hour). "Where was X" reads X's hours;
//! "who was near here" reads the few cells around the place for the hours of the window, then
//! only those people's hours; "who else stays where X stays" sums the time in the cells.
//!
//! Fixes are filed when they move out of `positions_recent` (once a second, in the same
//! transaction), so the archive is as durable as the history; fixes not moved yet are read from
//! `positions_recent` directly.

use super::StoreError;
use super::db::{Db, Engine};
use atalaia_core::ids::PersonId;
use atalaia_core::investigate::{
    Stay, TrackFix, bbox_e7, cell_of, cell_times, decode_hour, encode_hour, hour_of, merge,
};
use std::collections::{BTreeSet, HashMap};

/// Hours since the epoch take 20 bits of the key (until 2089).
const HOUR_BITS: u32 = 20;

fn key(subject: i64, hour: i64) -> i64 {
    (subject << HOUR_BITS) | (hour & ((1 << HOUR_BITS) - 1))
}

/// The archive's number for a person, if it has any fixes.
pub fn subject_of<'a>(db: impl Into<Db<'a>>, person: &PersonId) -> Result<Option<i64>, StoreError> {
    let row =
        db.into().query_opt("SELECT id FROM track_subjects WHERE person_id = ?1", &[&person.to_string()])?;
    row.map(|r| r.get(0)).transpose()
}

fn subject_or_new(db: Db<'_>, person: &str) -> Result<i64, StoreError> {
    db.execute("INSERT INTO track_subjects (person_id) VALUES (?1) ON CONFLICT DO NOTHING", &[&person])?;
    let row = db.query_opt("SELECT id FROM track_subjects WHERE person_id = ?1", &[&person])?;
    row.ok_or_else(|| StoreError::Column("no archive number".into()))?.get(0)
}

/// The person an archive number stands for.
pub fn person_of<'a>(db: impl Into<Db<'a>>, subject: i64) -> Result<Option<PersonId>, StoreError> {
    let row = db.into().query_opt("SELECT person_id FROM track_subjects WHERE id = ?1", &[&subject])?;
    let id: Option<String> = row.map(|r| r.get(0)).transpose()?;
    Ok(id.and_then(|s| s.parse().ok()))
}

/// File fixes (person id, fix) into the archive: merged into each hour's block, cells noted.
pub fn file<'a>(db: impl Into<Db<'a>>, mut fixes: Vec<(String, TrackFix)>) -> Result<usize, StoreError> {
    let db = db.into();
    if fixes.is_empty() {
        return Ok(0);
    }
    fixes.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.t.cmp(&b.1.t)));
    let count = fixes.len();
    let mut i = 0;
    while i < fixes.len() {
        let person = fixes[i].0.clone();
        let subject = subject_or_new(db, &person)?;
        while i < fixes.len() && fixes[i].0 == person {
            let hour = hour_of(fixes[i].1.t);
            let start = i;
            while i < fixes.len() && fixes[i].0 == person && hour_of(fixes[i].1.t) == hour {
                i += 1;
            }
            let new: Vec<TrackFix> = fixes[start..i].iter().map(|(_, f)| *f).collect();
            let k = key(subject, hour);
            let old = db.query_opt("SELECT fixes FROM track_hours WHERE key = ?1", &[&k])?;
            let old: Option<Vec<u8>> = old.map(|mut r| r.take(0)).transpose()?;
            let mut existing = Vec::new();
            if let Some(blob) = old {
                decode_hour(hour, &blob, &mut existing);
            }
            // Merging also drops a fix repeated exactly (a resent frame stored twice).
            let block = merge(&existing, &new);
            // Only the cells whose time changed: those of the new fixes and of the fix before
            // each (its time to the next fix changed).
            let mut touched = BTreeSet::new();
            for f in &new {
                touched.insert(cell_of(f.lat, f.lon));
                let at = block.partition_point(|b| b.t < f.t);
                if let Some(before) = at.checked_sub(1).and_then(|i| block.get(i)) {
                    touched.insert(cell_of(before.lat, before.lon));
                }
            }
            file_hour(db, subject, hour, &block, Some(&touched))?;
        }
    }
    Ok(count)
}

/// The fixes of people in `positions_recent`, as (person id, fix).
fn recent(db: Db<'_>, person: Option<&str>) -> Result<Vec<(String, TrackFix)>, StoreError> {
    let sql = format!(
        "SELECT person_id, {}, lat, lon FROM positions_recent
         WHERE person_id IS NOT NULL AND (CAST(?1 AS TEXT) IS NULL OR person_id = ?1)",
        db.unix_seconds("fix_time")
    );
    db.query(&sql, &[&person])?.into_iter().map(fix_of).collect()
}

/// A row of (person id, Unix seconds, lat, lon).
fn fix_of(mut r: super::db::Row) -> Result<(String, TrackFix), StoreError> {
    Ok((r.take(0)?, TrackFix { t: r.take(1)?, lat: r.take(2)?, lon: r.take(3)? }))
}

/// File what is in `positions_recent` (the move does this before emptying it).
pub fn archive_recent<'a>(db: impl Into<Db<'a>>) -> Result<usize, StoreError> {
    let db = db.into();
    file(db, recent(db, None)?)
}

/// File the whole `positions` history (once, when the archive is created on an existing SQLite
/// database; read as a stream, since it may be months of fixes).
pub fn backfill(conn: &rusqlite::Connection) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT person_id, unixepoch(fix_time), lat, lon FROM positions
         WHERE person_id IS NOT NULL ORDER BY person_id, fix_time",
    )?;
    let mut rows = stmt.query([])?;
    let mut batch = Vec::new();
    let mut total = 0;
    while let Some(r) = rows.next()? {
        batch.push((r.get::<_, String>(0)?, TrackFix { t: r.get(1)?, lat: r.get(2)?, lon: r.get(3)? }));
        if batch.len() >= 100_000 {
            total += file(conn, std::mem::take(&mut batch))?;
        }
    }
    total += file(conn, batch)?;
    Ok(total)
}

/// Hour blocks of `subject` between two hours, optionally only those whose bounding box meets a
/// box (1e-7 degrees: min lat, max lat, min lon, max lon); decoded into `out` in time order.
fn blocks(
    db: Db<'_>,
    subject: i64,
    hours: (i64, i64),
    within: Option<(i32, i32, i32, i32)>,
    out: &mut Vec<TrackFix>,
) -> Result<(), StoreError> {
    let (a, b, c, d) = within.unwrap_or((i32::MIN, i32::MAX, i32::MIN, i32::MAX));
    let (a, b, c, d) = (i64::from(a), i64::from(b), i64::from(c), i64::from(d));
    let rows = db.query(
        "SELECT key, fixes FROM track_hours WHERE key BETWEEN ?1 AND ?2
           AND max_lat >= ?3 AND min_lat <= ?4 AND max_lon >= ?5 AND min_lon <= ?6
         ORDER BY key",
        &[&key(subject, hours.0), &key(subject, hours.1), &a, &b, &c, &d],
    )?;
    let mask = (1i64 << HOUR_BITS) - 1;
    for mut r in rows {
        let k: i64 = r.take(0)?;
        let blob: Vec<u8> = r.take(1)?;
        decode_hour(k & mask, &blob, out);
    }
    Ok(())
}

/// A person's fixes between two times (Unix seconds, inclusive), in time order; with `within`,
/// only the hours whose fixes come near that box (the rest of the track is left out).
pub fn track<'a>(
    db: impl Into<Db<'a>>,
    person: &PersonId,
    from: i64,
    to: i64,
    within: Option<(i32, i32, i32, i32)>,
) -> Result<Vec<TrackFix>, StoreError> {
    let db = db.into();
    let mut out = Vec::new();
    if let Some(subject) = subject_of(db, person)? {
        blocks(db, subject, (hour_of(from), hour_of(to)), within, &mut out)?;
    }
    let mut fresh: Vec<TrackFix> =
        recent(db, Some(&person.to_string()))?.into_iter().map(|(_, f)| f).collect();
    if !fresh.is_empty() {
        fresh.sort_by_key(|f| f.t);
        out = merge(&out, &fresh);
    }
    out.retain(|f| f.t >= from && f.t <= to);
    Ok(out)
}

/// The fixes of `subject` in the given hours (each read by key), in time order.
pub fn track_hours<'a>(
    db: impl Into<Db<'a>>,
    subject: i64,
    hours: &BTreeSet<i64>,
) -> Result<Vec<TrackFix>, StoreError> {
    let db = db.into();
    // Consecutive hours are read by one range scan (a resident's month is one scan, not 720 seeks).
    let mut out = Vec::new();
    let mut run: Option<(i64, i64)> = None;
    for &h in hours {
        match &mut run {
            Some((_, b)) if h == *b + 1 => *b = h,
            _ => {
                if let Some(r) = run.take() {
                    blocks(db, subject, r, None, &mut out)?;
                }
                run = Some((h, h));
            }
        }
    }
    if let Some(r) = run {
        blocks(db, subject, r, None, &mut out)?;
    }
    Ok(out)
}

/// Who was in `hour` in one of the cells `first..=last` (consecutive cells of one grid row) at
/// some time within `during` (Unix seconds): (cell, archive number, Unix seconds of the first and
/// last fix there), read through the grid's hour-ordered index so that the cells of one hour come
/// from the same few pages, and filtered by time inside the database.
pub fn cells_in_hour<'a>(
    db: impl Into<Db<'a>>,
    hour: i64,
    (first, last): (i64, i64),
    during: (i64, i64),
    out: &mut Vec<(i64, i64, i64, i64)>,
) -> Result<(), StoreError> {
    let db = db.into();
    let sql = match db.engine() {
        Engine::Sqlite => {
            "SELECT cell, subject, first_s, last_s FROM track_cells INDEXED BY track_cells_by_hour
             WHERE hour = ?1 AND cell BETWEEN ?2 AND ?3 AND last_s >= ?4 AND first_s <= ?5"
        }
        Engine::Postgres => {
            "SELECT cell, subject, first_s, last_s FROM track_cells
             WHERE hour = ?1 AND cell BETWEEN ?2 AND ?3 AND last_s >= ?4 AND first_s <= ?5"
        }
    };
    let (from, to) = (during.0 - hour * 3600, during.1 - hour * 3600);
    for mut r in db.query(sql, &[&hour, &first, &last, &from, &to])? {
        let (cell, subject, a, b): (i64, i64, i64, i64) = (r.take(0)?, r.take(1)?, r.take(2)?, r.take(3)?);
        out.push((cell, subject, hour * 3600 + a, hour * 3600 + b));
    }
    Ok(())
}

/// Who was in `cell` in the hours `from..=to`: (hour, archive number, Unix seconds of the first
/// and last fix there), one range read along the grid's primary key.
pub fn cell_hours<'a>(
    db: impl Into<Db<'a>>,
    cell: i64,
    (from, to): (i64, i64),
    out: &mut Vec<(i64, i64, i64, i64)>,
) -> Result<(), StoreError> {
    let rows = db.into().query(
        "SELECT hour, subject, first_s, last_s FROM track_cells WHERE cell = ?1 AND hour BETWEEN ?2 AND ?3",
        &[&cell, &from, &to],
    )?;
    for mut r in rows {
        let (hour, subject, a, b): (i64, i64, i64, i64) = (r.take(0)?, r.take(1)?, r.take(2)?, r.take(3)?);
        out.push((hour, subject, hour * 3600 + a, hour * 3600 + b));
    }
    Ok(())
}

/// Who touched any of `cells` in the hours `from..=to`: archive number → hours.
pub fn subjects_in_cells<'a>(
    db: impl Into<Db<'a>>,
    cells: &[i64],
    from: i64,
    to: i64,
) -> Result<HashMap<i64, BTreeSet<i64>>, StoreError> {
    let db = db.into();
    let mut out: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for &c in cells {
        let rows = db.query(
            "SELECT hour, subject FROM track_cells WHERE cell = ?1 AND hour BETWEEN ?2 AND ?3",
            &[&c, &from, &to],
        )?;
        for r in rows {
            out.entry(r.get(1)?).or_default().insert(r.get(0)?);
        }
    }
    Ok(out)
}

/// People with fixes not filed yet (the last second or so), with those fixes.
pub fn recent_by_person<'a>(db: impl Into<Db<'a>>) -> Result<HashMap<String, Vec<TrackFix>>, StoreError> {
    let mut out: HashMap<String, Vec<TrackFix>> = HashMap::new();
    for (p, f) in recent(db.into(), None)? {
        out.entry(p).or_default().push(f);
    }
    for v in out.values_mut() {
        v.sort_by_key(|f| f.t);
    }
    Ok(out)
}

/// The archive number of a person, filed now if new (benchmarks build archives directly).
pub fn subject_for<'a>(db: impl Into<Db<'a>>, person: &PersonId) -> Result<i64, StoreError> {
    subject_or_new(db.into(), &person.to_string())
}

/// Write the whole block of one person's hour (time-sorted) and the time it spent per cell (all
/// cells, or only those in `only`).
pub fn file_hour<'a>(
    db: impl Into<Db<'a>>,
    subject: i64,
    hour: i64,
    block: &[TrackFix],
    only: Option<&BTreeSet<i64>>,
) -> Result<(), StoreError> {
    let db = db.into();
    let (a, b, c, d) = bbox_e7(block);
    let (a, b, c, d) = (i64::from(a), i64::from(b), i64::from(c), i64::from(d));
    db.execute(
        "INSERT INTO track_hours (key, n, min_lat, max_lat, min_lon, max_lon, fixes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(key) DO UPDATE SET n = excluded.n, min_lat = excluded.min_lat,
           max_lat = excluded.max_lat, min_lon = excluded.min_lon, max_lon = excluded.max_lon,
           fixes = excluded.fixes",
        &[&key(subject, hour), &(block.len() as i64), &a, &b, &c, &d, &encode_hour(hour, block)],
    )?;
    for c in cell_times(block).into_iter().filter(|c| only.is_none_or(|o| o.contains(&c.cell))) {
        db.execute(
            "INSERT INTO track_cells (cell, hour, subject, seconds, first_s, last_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(cell, hour, subject) DO UPDATE SET seconds = excluded.seconds,
               first_s = excluded.first_s, last_s = excluded.last_s",
            &[&c.cell, &hour, &subject, &c.seconds, &(c.first - hour * 3600), &(c.last - hour * 3600)],
        )?;
    }
    Ok(())
}

/// Time each person spent in any of `cells` in the hours `from..=to`, by archive number (first
/// and last to the hour).
pub fn time_in_cells<'a>(
    db: impl Into<Db<'a>>,
    cells: &[i64],
    from: i64,
    to: i64,
) -> Result<HashMap<i64, Stay>, StoreError> {
    let db = db.into();
    let mut per: HashMap<i64, (i64, BTreeSet<i64>, i64, i64)> = HashMap::new();
    for &c in cells {
        let rows = db.query(
            "SELECT hour, subject, seconds FROM track_cells WHERE cell = ?1 AND hour BETWEEN ?2 AND ?3 AND seconds > 0",
            &[&c, &from, &to],
        )?;
        for mut r in rows {
            let (hour, subject, seconds): (i64, i64, i64) = (r.take(0)?, r.take(1)?, r.take(2)?);
            let e = per.entry(subject).or_insert((0, BTreeSet::new(), hour, hour));
            e.0 += seconds;
            e.1.insert(hour.div_euclid(24));
            e.2 = e.2.min(hour);
            e.3 = e.3.max(hour);
        }
    }
    Ok(per
        .into_iter()
        .map(|(s, (seconds, days, a, b))| {
            (s, Stay { seconds, days: days.len() as u32, first: a * 3600, last: b * 3600 + 3599 })
        })
        .collect())
}
