//! Investigative queries (16.2.18, 16.2.22–16.2.28) over the track archive (`store::tracks`):
//! presence of a person near a place, people near a place, tracks, encounters and common places
//! of a person or a group in a period. Each runs on one read connection; the analyses themselves
//! are the pure functions of `atalaia_core::investigate`.

use crate::store::db::Db;
use crate::store::{Store, StoreError, tracks};
use atalaia_core::geom::LatLon;
use atalaia_core::ids::PersonId;
use atalaia_core::investigate::{
    CommonPlace, Encounter, Meeting, PLACE_DEG, PersonTrack, PlaceVisitor, Presence, TrackFix, TrackPoint,
    cells_within, circle_bbox_e7, hour_of, meetings, merge, place_cells, place_center, stays, time_of,
    visits,
};
use atalaia_core::monitoring::Person;
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Most person-hours one query may read: beyond this the question is too broad to answer quickly
/// and the caller is asked to narrow the place or the period.
pub const MAX_BLOCKS: usize = 200_000;
/// Most person-hours of whole tracks one query may hold (tracks, and a group's encounters and
/// common places): 30,000 person-hours is 3.6 million fixes, a month of 40 people.
pub const MAX_TRACK_HOURS: usize = 30_000;

fn check_track_hours(people: usize, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<()> {
    let hours = (hour_of(to.timestamp()) - hour_of(from.timestamp()) + 1).max(0) as usize;
    if hours * people > MAX_TRACK_HOURS {
        return Err(InvestigateError::TooBroad(hours * people));
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum InvestigateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("query too broad: {0} person-hours")]
    TooBroad(usize),
}

type Result<T> = std::result::Result<T, InvestigateError>;

fn name_of(conn: Db<'_>, id: &PersonId, names: &mut HashMap<PersonId, String>) -> Result<String> {
    if let Some(n) = names.get(id) {
        return Ok(n.clone());
    }
    let n =
        Store::get::<Person>(conn, &id.to_string())?.map(|p| p.name).unwrap_or_else(|| "(removida)".into());
    names.insert(*id, n.clone());
    Ok(n)
}

/// Was `person` within `radius_m` of `center` between `from` and `to`? (16.2.18, 16.2.23)
pub fn presence(
    conn: Db<'_>,
    person: &Person,
    center: LatLon,
    radius_m: f64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Presence> {
    let track = tracks::track(
        conn,
        &person.id,
        from.timestamp(),
        to.timestamp(),
        Some(circle_bbox_e7(center, radius_m)),
    )?;
    Ok(Presence { person_id: person.id, name: person.name.clone(), visits: visits(&track, center, radius_m) })
}

/// Work (grid cells or person-hours) from which a query uses the machine's second core, through a
/// second read connection (opening one costs well under a millisecond).
const PARALLEL_FROM: usize = 2_000;

/// `f` over `items`, or — when `parallel` — over its two halves at once, the second on another
/// thread with its own read-only connection to the same database. Results in order.
fn split_work<T: Sync, R: Send>(
    conn: Db<'_>,
    items: &[T],
    parallel: bool,
    f: impl Fn(Db<'_>, &[T]) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    // PostgreSQL serves one session's reads on one backend: the second half would need a
    // session of its own from the pool, so it is read in turn.
    let path = conn.sqlite().and_then(|c| c.path()).filter(|p| !p.is_empty()).map(str::to_owned);
    let Some(path) = path.filter(|_| parallel && items.len() >= 2) else { return Ok(vec![f(conn, items)?]) };
    let (a, b) = items.split_at(items.len() / 2);
    std::thread::scope(|s| {
        let other = s.spawn(|| -> Result<R> {
            let c = rusqlite::Connection::open_with_flags(
                &path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(StoreError::from)?;
            c.busy_timeout(std::time::Duration::from_secs(10)).map_err(StoreError::from)?;
            f(Db::from(&c), b)
        });
        let first = f(conn, a);
        let second = other
            .join()
            .map_err(|_| InvestigateError::Store(StoreError::Task("investigation thread failed".into())))?;
        Ok(vec![first?, second?])
    })
}

/// Grid reads from which an encounter search uses the second core (a cell read can return
/// thousands of rows).
const GRID_PARALLEL_FROM: usize = 64;

/// The even items, then the odd ones: [`split_work`]'s halves then each get every other item, so
/// neighbouring busy items (a downtown block's cells, the people living there) are shared.
fn interleaved<T>(items: Vec<T>) -> Vec<T> {
    let (even, odd): (Vec<_>, Vec<_>) = items.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
    even.into_iter().chain(odd).map(|(_, x)| x).collect()
}

/// Hours to read of one person, by archive number.
type PersonHours = (i64, BTreeSet<i64>);

/// The person-hours to read, in archive-number order, and how many; refused beyond [`MAX_BLOCKS`].
fn to_read(candidates: HashMap<i64, BTreeSet<i64>>) -> Result<(Vec<PersonHours>, usize)> {
    let blocks: usize = candidates.values().map(BTreeSet::len).sum();
    if blocks > MAX_BLOCKS {
        return Err(InvestigateError::TooBroad(blocks));
    }
    let mut list: Vec<PersonHours> = candidates.into_iter().collect();
    list.sort_by_key(|(s, _)| *s);
    Ok((list, blocks))
}

/// Everyone who was within `radius_m` of `center` between `from` and `to`, with their visits,
/// earliest first (16.2.24).
pub fn nearby(
    conn: Db<'_>,
    center: LatLon,
    radius_m: f64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Presence>> {
    let (t0, t1) = (from.timestamp(), to.timestamp());
    let cells = cells_within(center, radius_m);
    let candidates = tracks::subjects_in_cells(conn, &cells, hour_of(t0), hour_of(t1))?;
    let (list, blocks) = to_read(candidates)?;
    let fresh = tracks::recent_by_person(conn)?;
    let found = split_work(conn, &list, blocks >= PARALLEL_FROM, |c, part| {
        let mut found = Vec::new();
        for (subject, hours) in part {
            let Some(person) = tracks::person_of(c, *subject)? else { continue };
            let mut track = tracks::track_hours(c, *subject, hours)?;
            if let Some(f) = fresh.get(&person.to_string()) {
                track = merge(&track, f);
            }
            track.retain(|f| f.t >= t0 && f.t <= t1);
            found.push((person, visits(&track, center, radius_m)));
        }
        Ok(found)
    })?;
    let mut names = HashMap::new();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (person, v) in found.into_iter().flatten() {
        seen.insert(person);
        if !v.is_empty() {
            out.push(Presence { person_id: person, name: name_of(conn, &person, &mut names)?, visits: v });
        }
    }
    // People whose only fixes in the place are not filed yet.
    for (person, track) in fresh {
        let Ok(person) = person.parse::<PersonId>() else { continue };
        if seen.contains(&person) {
            continue;
        }
        let track: Vec<TrackFix> = track.into_iter().filter(|f| f.t >= t0 && f.t <= t1).collect();
        let v = visits(&track, center, radius_m);
        if !v.is_empty() {
            out.push(Presence { person_id: person, name: name_of(conn, &person, &mut names)?, visits: v });
        }
    }
    out.sort_by(|a, b| a.visits[0].from.cmp(&b.visits[0].from).then(a.person_id.cmp(&b.person_id)));
    Ok(out)
}

/// The tracks of `people` between `from` and `to` (16.2.26).
pub fn tracks_of(
    conn: Db<'_>,
    people: &[Person],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<PersonTrack>> {
    check_track_hours(people.len(), from, to)?;
    let mut out = Vec::with_capacity(people.len());
    for p in people {
        let track = tracks::track(conn, &p.id, from.timestamp(), to.timestamp(), None)?;
        out.push(PersonTrack {
            person_id: p.id,
            name: p.name.clone(),
            points: track.iter().map(|f| TrackPoint { t: time_of(f.t), lat: f.lat, lon: f.lon }).collect(),
        });
    }
    Ok(out)
}

/// The meetings of `x` and `y` (time-sorted; `y` read only in `hours`), run by run of
/// consecutive hours: hours further apart cannot continue a meeting (their close moments are
/// more than [`MAX_GAP_S`](atalaia_core::investigate::MAX_GAP_S) apart), so `x` is compared in
/// place, without copying its fixes.
fn meetings_in_hours(
    x: &[TrackFix],
    y: &[TrackFix],
    hours: &BTreeSet<i64>,
    distance_m: f64,
    window_s: i64,
) -> Vec<Meeting> {
    let mut out = Vec::new();
    let mut hours = hours.iter().copied().peekable();
    while let Some(first) = hours.next() {
        let mut last = first;
        while let Some(h) = hours.next_if(|&h| h == last + 1) {
            last = h;
        }
        let (a, b) = (first * 3600, (last + 1) * 3600);
        let xs = &x[x.partition_point(|f| f.t < a - window_s)..x.partition_point(|f| f.t < b + window_s)];
        let ys = &y[y.partition_point(|f| f.t < a)..y.partition_point(|f| f.t < b)];
        out.extend(meetings(xs, ys, distance_m, window_s));
    }
    out
}

/// Meetings (within `distance_m`, fixes at most `window_s` apart) of each of `people` with anyone
/// (`among` none) or among the members of a group (`among`), between `from` and `to` (16.2.27).
pub fn encounters(
    conn: Db<'_>,
    people: &[Person],
    among: Option<&HashSet<PersonId>>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    distance_m: f64,
    window_s: i64,
) -> Result<Vec<Encounter>> {
    let mut out = match among {
        Some(_) => group_encounters(conn, people, from, to, distance_m, window_s)?,
        None => {
            let mut out = Vec::new();
            for x in people {
                out.extend(encounters_of(conn, x, from, to, distance_m, window_s)?);
            }
            out
        }
    };
    out.sort_by(|a, b| a.meetings[0].from.cmp(&b.meetings[0].from).then(a.other_id.cmp(&b.other_id)));
    Ok(out)
}

/// Cells a person was near in at least this many hours are read once over those hours in an
/// encounter search (a seek costs about what 70 grid rows cost to read).
const CELL_READ_FROM: usize = 4;

/// Spans of time (Unix seconds) in which a person was near a cell.
type Spans = Vec<(i64, i64)>;

/// One read of the grid for an encounter search.
enum GridRead {
    /// Who was in an hour in a run of consecutive cells (first, last) within a time (Unix s).
    Hour(i64, (i64, i64), (i64, i64)),
    /// Who was in a cell in the hours first..=last.
    Cell(i64, (i64, i64)),
}

/// One person's meetings with anyone: the grid gives who was in the cells within the distance of
/// each of the person's fixes within the time window of it; only their tracks in those hours are
/// read.
fn encounters_of(
    conn: Db<'_>,
    x: &Person,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    distance_m: f64,
    window_s: i64,
) -> Result<Vec<Encounter>> {
    let (t0, t1) = (from.timestamp(), to.timestamp());
    let tx = tracks::track(conn, &x.id, t0, t1, None)?;
    if tx.is_empty() {
        return Ok(Vec::new());
    }
    let me = tracks::subject_of(conn, &x.id)?;
    // Per hour and cell within the distance of x, the spans of time (± the window) x was near it.
    let mut near: std::collections::BTreeMap<(i64, i64), Spans> = std::collections::BTreeMap::new();
    let mut note = |cells: &[i64], span: (i64, i64)| {
        for &c in cells {
            for h in hour_of(span.0)..=hour_of(span.1) {
                let spans = near.entry((h, c)).or_default();
                match spans.last_mut() {
                    Some(s) if span.0 <= s.1 + 60 => s.1 = s.1.max(span.1),
                    _ => spans.push(span),
                }
            }
        }
    };
    // Consecutive fixes near the same cells make one span (a night at home is one entry per
    // hour and cell, not one per fix).
    let mut current: Option<(Vec<i64>, (i64, i64))> = None;
    for f in &tx {
        let span = (f.t - window_s, f.t + window_s);
        let cells = cells_within(f.at(), distance_m);
        match &mut current {
            Some((cs, s)) if *cs == cells && span.0 <= s.1 + 60 => s.1 = s.1.max(span.1),
            _ => {
                if let Some((cs, s)) = current.replace((cells, span)) {
                    note(&cs, s);
                }
            }
        }
    }
    if let Some((cs, s)) = current {
        note(&cs, s);
    }
    // Cells x was near in many hours (home, work, a daily route) are read once each over those
    // hours along the grid's primary key; the rest hour by hour, an hour's cells in runs of
    // neighbours along a grid row (one range read per run), for the time x was near them.
    let mut hours_at: HashMap<i64, (usize, i64, i64)> = HashMap::new();
    for &(h, c) in near.keys() {
        let e = hours_at.entry(c).or_insert((0, h, h));
        *e = (e.0 + 1, e.1.min(h), e.2.max(h));
    }
    let mut work: Vec<GridRead> = hours_at
        .iter()
        .filter(|(_, e)| e.0 >= CELL_READ_FROM)
        .map(|(&c, &(_, h0, h1))| GridRead::Cell(c, (h0, h1)))
        .collect();
    work.sort_unstable_by_key(|w| match w {
        GridRead::Cell(c, _) => *c,
        GridRead::Hour(..) => 0,
    });
    let mut by_cell: HashMap<i64, Vec<(i64, &Spans)>> = HashMap::new();
    for (&(h, c), spans) in &near {
        if hours_at[&c].0 >= CELL_READ_FROM {
            by_cell.entry(c).or_default().push((h, spans));
        }
    }
    for (&(h, c), spans) in &near {
        if hours_at[&c].0 >= CELL_READ_FROM {
            continue;
        }
        let (a, b) = spans.iter().fold((i64::MAX, i64::MIN), |(a, b), s| (a.min(s.0), b.max(s.1)));
        match work.last_mut() {
            Some(GridRead::Hour(hour, cells, during)) if *hour == h && c == cells.1 + 1 => {
                cells.1 = c;
                *during = (during.0.min(a), during.1.max(b));
            }
            _ => work.push(GridRead::Hour(h, (c, c), (a, b))),
        }
    }
    let work = interleaved(work);
    let parts = split_work(conn, &work, work.len() >= GRID_PARALLEL_FROM, |c, part| {
        let mut found: HashMap<i64, BTreeSet<i64>> = HashMap::new();
        let mut rows = Vec::new();
        for w in part {
            rows.clear();
            match *w {
                GridRead::Hour(hour, cells, during) => {
                    tracks::cells_in_hour(c, hour, cells, during, &mut rows)?;
                    for &(cell, subject, a, b) in &rows {
                        if let Some(spans) = near.get(&(hour, cell))
                            && spans.iter().any(|&(s, e)| a <= e && b >= s)
                        {
                            found.entry(subject).or_default().insert(hour);
                        }
                    }
                }
                GridRead::Cell(cell, hours) => {
                    tracks::cell_hours(c, cell, hours, &mut rows)?;
                    // Rows come in hour order: walk x's hours at the cell alongside.
                    let mine = &by_cell[&cell];
                    let mut i = 0;
                    for &(hour, subject, a, b) in &rows {
                        while i < mine.len() && mine[i].0 < hour {
                            i += 1;
                        }
                        if i < mine.len()
                            && mine[i].0 == hour
                            && mine[i].1.iter().any(|&(s, e)| a <= e && b >= s)
                        {
                            found.entry(subject).or_default().insert(hour);
                        }
                    }
                }
            }
        }
        Ok(found)
    })?;
    let mut candidates: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for part in parts {
        for (subject, hours) in part {
            candidates.entry(subject).or_default().extend(hours);
        }
    }
    if let Some(me) = me {
        candidates.remove(&me);
    }
    let (list, read) = to_read(candidates)?;
    let list = interleaved(list);
    let found = split_work(conn, &list, read >= PARALLEL_FROM, |c, part| {
        let mut found = Vec::new();
        for (subject, hours) in part {
            let Some(other) = tracks::person_of(c, *subject)? else { continue };
            let mut ty = tracks::track_hours(c, *subject, hours)?;
            ty.retain(|f| f.t >= t0 && f.t <= t1);
            let m = meetings_in_hours(&tx, &ty, hours, distance_m, window_s);
            if !m.is_empty() {
                found.push((other, m));
            }
        }
        Ok(found)
    })?;
    let mut names = HashMap::new();
    let mut out = Vec::new();
    for (other, m) in found.into_iter().flatten() {
        out.push(Encounter {
            person_id: x.id,
            name: x.name.clone(),
            other_id: other,
            other_name: name_of(conn, &other, &mut names)?,
            meetings: m,
        });
    }
    Ok(out)
}

/// Meetings among the members of a group, each pair once: their tracks are read whole and
/// paired in memory through the grid (members in cells within the distance in the same or a
/// neighbouring hour), then each candidate pair's tracks are compared.
fn group_encounters(
    conn: Db<'_>,
    people: &[Person],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    distance_m: f64,
    window_s: i64,
) -> Result<Vec<Encounter>> {
    let (t0, t1) = (from.timestamp(), to.timestamp());
    check_track_hours(people.len(), from, to)?;
    let mut people: Vec<&Person> = people.iter().collect();
    people.sort_by_key(|p| p.id);
    let all: Vec<Vec<TrackFix>> = people
        .iter()
        .map(|p| tracks::track(conn, &p.id, t0, t1, None))
        .collect::<std::result::Result<_, _>>()?;
    let mut present: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, t) in all.iter().enumerate() {
        let mut last = None;
        for f in t {
            let k = (atalaia_core::investigate::cell_of(f.lat, f.lon), hour_of(f.t));
            if last != Some(k) {
                present.entry(k).or_default().push(i);
                last = Some(k);
            }
        }
    }
    for v in present.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    for (&(cell, hour), members) in &present {
        let centre = atalaia_core::investigate::cell_center(cell);
        // Every cell the distance can reach from anywhere in this one.
        let reach = distance_m + atalaia_core::investigate::CELL_DEG * 111_320.0;
        for other_cell in cells_within(centre, reach) {
            for h in hour - 1..=hour + 1 {
                let Some(others) = present.get(&(other_cell, h)) else { continue };
                for &a in members {
                    pairs.extend(others.iter().filter(|&&b| a < b).map(|&b| (a, b)));
                }
            }
        }
    }
    let mut out = Vec::new();
    for (a, b) in pairs {
        let m = meetings(&all[a], &all[b], distance_m, window_s);
        if !m.is_empty() {
            out.push(Encounter {
                person_id: people[a].id,
                name: people[a].name.clone(),
                other_id: people[b].id,
                other_name: people[b].name.clone(),
                meetings: m,
            });
        }
    }
    Ok(out)
}

/// Places (2 × 2 grid cells, about 220 m) where at least two people spent `min_minutes` or more
/// between `from` and `to` (16.2.28): among a group when `among` is given (from their tracks),
/// else the places of one person and who else stayed there, from the time per cell and hour the
/// archive keeps (so others' time is counted by whole hours at the period's ends).
pub fn common_places(
    conn: Db<'_>,
    people: &[Person],
    among: Option<&HashSet<PersonId>>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    min_minutes: i64,
) -> Result<Vec<CommonPlace>> {
    let (t0, t1) = (from.timestamp(), to.timestamp());
    check_track_hours(people.len(), from, to)?;
    let min_s = min_minutes * 60;
    let mut names: HashMap<PersonId, String> = people.iter().map(|p| (p.id, p.name.clone())).collect();
    let mut places: HashMap<i64, Vec<PlaceVisitor>> = HashMap::new();
    let visitor = |id: PersonId, name: String, s: &atalaia_core::investigate::Stay| PlaceVisitor {
        person_id: id,
        name,
        minutes: s.seconds / 60,
        days: s.days,
        first: time_of(s.first),
        last: time_of(s.last),
    };
    for x in people {
        let tx = tracks::track(conn, &x.id, t0, t1, None)?;
        for (cell, s) in stays(&tx) {
            if s.seconds >= min_s {
                places.entry(cell).or_default().push(visitor(x.id, x.name.clone(), &s));
            }
        }
    }
    if among.is_none() {
        // One person: who else stayed in each of their places.
        let me: HashSet<PersonId> = people.iter().map(|p| p.id).collect();
        let (h0, h1) = (hour_of(t0), hour_of(t1));
        for (place, visitors) in places.iter_mut() {
            for (subject, s) in tracks::time_in_cells(conn, &place_cells(*place), h0, h1)? {
                if s.seconds < min_s {
                    continue;
                }
                let Some(other) = tracks::person_of(conn, subject)? else { continue };
                if me.contains(&other) {
                    continue;
                }
                visitors.push(visitor(other, name_of(conn, &other, &mut names)?, &s));
            }
        }
    }
    let mut out: Vec<CommonPlace> = places
        .into_iter()
        .filter(|(_, v)| v.len() >= 2)
        .map(|(cell, mut visitors)| {
            visitors.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.person_id.cmp(&b.person_id)));
            CommonPlace { center: place_center(cell), cell_m: (PLACE_DEG * 111_320.0).round(), visitors }
        })
        .collect();
    out.sort_by(|a, b| {
        b.visitors.len().cmp(&a.visitors.len()).then_with(|| {
            let total = |p: &CommonPlace| p.visitors.iter().map(|v| v.minutes).sum::<i64>();
            total(b).cmp(&total(a))
        })
    });
    Ok(out)
}
