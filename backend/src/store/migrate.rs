//! Growing up (issue 24 item 6): a standalone central's whole SQLite database moved to
//! PostgreSQL — `atalaia-server migrate --from sqlite:PATH --to postgres://…`. Both engines have
//! one schema, table for table and column for column (`tests/tests/store_conformance.rs` holds
//! their answers alike), so the move is a copy: every table's rows, in their order, through
//! PostgreSQL's `COPY` (CSV), in one transaction — a move that fails leaves the destination as it
//! was. The event log keeps its numbers and the database its identity, so consoles resume by
//! `seq` against the new engine; the audit trail keeps its chain; position history lands in
//! monthly partitions made for the months it covers.

use super::db::{Db, PgConn};
use super::{StoreError, migrations, pg, positions};
use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use std::io::Write;
use std::path::Path;

/// From one time to another.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// One table moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub table: String,
    pub rows: u64,
}

/// Tables a destination that already holds a central has rows in.
const IN_USE: [&str; 3] = ["events", "users", "audit"];

/// Moves the SQLite central at `from` (brought to this version's schema first) into the
/// PostgreSQL database at `to`, which must not hold a central yet (its schema is made if
/// missing). Stop the server first: rows it writes meanwhile are not moved. `progress` hears each
/// table as it is done.
pub fn sqlite_to_postgres(
    from: &Path,
    to: &str,
    mut progress: impl FnMut(&Moved),
) -> Result<Vec<Moved>, StoreError> {
    if !from.exists() {
        return Err(StoreError::Migration(format!("{}: no such database", from.display())));
    }
    let mut src = super::Store::sqlite_connection(from)?;
    migrations::migrate(&mut src)?;
    let dst = PgConn::connect(to)?;
    pg::schema::migrate(&dst)?;
    let db = Db::from(&dst);
    for table in IN_USE {
        if db.query_opt(&format!("SELECT 1 FROM {table} LIMIT 1"), &[])?.is_some() {
            return Err(StoreError::Conflict(format!(
                "o banco de destino já tem uma central (a tabela {table} não está vazia)"
            )));
        }
    }
    // One snapshot of the source, however long the copy takes.
    src.execute_batch("BEGIN")?;
    let tables = referenced_first(db, source_tables(&src)?)?;
    db.run("BEGIN")?;
    let moved = (|| {
        if let Some((first, last)) = fix_time_range(&src)? {
            positions::make_partitions_between(db, first, last)?;
        }
        let mut moved = Vec::with_capacity(tables.len());
        for (table, ordered) in &tables {
            let m = copy_table(&src, &dst, table, *ordered)?;
            progress(&m);
            moved.push(m);
        }
        restart_identities(db)?;
        Ok::<_, StoreError>(moved)
    })();
    let _ = src.execute_batch("COMMIT");
    match moved {
        Ok(moved) => {
            db.run("COMMIT")?;
            // The move is done; fresh statistics only help the first queries.
            if let Err(e) = db.run("ANALYZE") {
                tracing::warn!(error = %e, "moved, but ANALYZE failed: run it on the new database");
            }
            Ok(moved)
        }
        Err(e) => {
            let _ = db.run("ROLLBACK");
            Err(e)
        }
    }
}

/// The source's tables with whether they have a rowid to keep their order by.
fn source_tables(src: &rusqlite::Connection) -> Result<Vec<(String, bool)>, StoreError> {
    let mut stmt = src.prepare(
        "SELECT name, sql NOT LIKE '%WITHOUT ROWID%' FROM sqlite_master
         WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `tables` ordered so a table comes after those its foreign keys refer to (a session after its
/// user), otherwise by name.
fn referenced_first(db: Db<'_>, mut tables: Vec<(String, bool)>) -> Result<Vec<(String, bool)>, StoreError> {
    let mut refs: Vec<(String, String)> = Vec::new();
    for mut r in db.query(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'",
        &[],
    )? {
        refs.push((r.take(0)?, r.take(1)?));
    }
    let mut ordered = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let waiting = |t: &str, rest: &[(String, bool)]| {
            refs.iter().any(|(from, to)| from == t && to != t && rest.iter().any(|(r, _)| r == to))
        };
        let next = (0..tables.len()).find(|&i| !waiting(&tables[i].0, &tables)).unwrap_or(0);
        ordered.push(tables.remove(next));
    }
    Ok(ordered)
}

/// The oldest and newest fix time of the source's history, when it has one.
fn fix_time_range(src: &rusqlite::Connection) -> Result<Option<Span>, StoreError> {
    let (first, last): (Option<String>, Option<String>) = src.query_row(
        "SELECT MIN(t), MAX(t) FROM (SELECT MIN(fix_time) AS t FROM positions UNION ALL
         SELECT MAX(fix_time) FROM positions UNION ALL SELECT MIN(fix_time) FROM positions_recent
         UNION ALL SELECT MAX(fix_time) FROM positions_recent)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let parse = |t: Option<String>| t.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.to_utc());
    Ok(parse(first).zip(parse(last)))
}

fn copy_table(
    src: &rusqlite::Connection,
    dst: &PgConn,
    table: &str,
    ordered: bool,
) -> Result<Moved, StoreError> {
    let columns: Vec<String> = src
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let list = columns.join(", ");
    let db = Db::from(dst);
    // What the destination's own start-up made (its identity, first counters) gives way.
    if db.query_opt(&format!("SELECT 1 FROM {table} LIMIT 1"), &[])?.is_some() {
        db.execute(&format!("DELETE FROM {table}"), &[])?;
    }
    let order = if ordered { " ORDER BY rowid" } else { "" };
    let mut stmt = src.prepare(&format!("SELECT {list} FROM {table}{order}"))?;
    let mut rows = stmt.query([])?;
    let mut count = 0u64;
    let sql = format!("COPY {table} ({list}) FROM STDIN WITH (FORMAT csv)");
    dst.copy_in(&sql, |out| {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
        let mut line = Vec::with_capacity(1024);
        while let Some(row) = rows.next()? {
            line.clear();
            for i in 0..columns.len() {
                if i > 0 {
                    line.push(b',');
                }
                csv_field(&mut line, row.get_ref(i)?);
            }
            line.push(b'\n');
            out.write_all(&line).map_err(|e| StoreError::Migration(format!("{table}: {e}")))?;
            count += 1;
        }
        out.flush().map_err(|e| StoreError::Migration(format!("{table}: {e}")))
    })?;
    Ok(Moved { table: table.to_owned(), rows: count })
}

/// One value in PostgreSQL's CSV: NULL as nothing, text quoted, bytes as `\x` hexadecimal.
fn csv_field(line: &mut Vec<u8>, v: ValueRef<'_>) {
    match v {
        ValueRef::Null => {}
        ValueRef::Integer(i) => line.extend_from_slice(i.to_string().as_bytes()),
        ValueRef::Real(f) => line.extend_from_slice(f.to_string().as_bytes()),
        ValueRef::Text(t) => {
            line.push(b'"');
            for &b in t {
                if b == b'"' {
                    line.push(b'"');
                }
                line.push(b);
            }
            line.push(b'"');
        }
        ValueRef::Blob(b) => {
            line.extend_from_slice(b"\\x");
            for byte in b {
                line.extend_from_slice(format!("{byte:02x}").as_bytes());
            }
        }
    }
}

/// Identity columns given their values by the copy continue after the highest one.
fn restart_identities(db: Db<'_>) -> Result<(), StoreError> {
    let columns = db.query(
        "SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
        &[],
    )?;
    for mut c in columns {
        let (table, column): (String, String) = (c.take(0)?, c.take(1)?);
        db.run(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                    COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_postgresql_reads_csv() {
        let mut line = Vec::new();
        for (i, v) in [
            ValueRef::Null,
            ValueRef::Integer(-42),
            ValueRef::Real(-8.7612),
            ValueRef::Text(b"S\xc3\xa3o \"Jo\xc3\xa3o\", 1\nlinha"),
            ValueRef::Text(b""),
            ValueRef::Blob(&[0, 255, 16]),
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                line.push(b',');
            }
            csv_field(&mut line, v);
        }
        assert_eq!(
            String::from_utf8(line).expect("utf-8"),
            ",-42,-8.7612,\"São \"\"João\"\", 1\nlinha\",\"\",\\x00ff10"
        );
    }
}
