//! One way to speak SQL to either engine (issue 24 item 1): the store's queries are written once,
//! in SQLite's spelling with numbered parameters (`?1`), and run on SQLite or PostgreSQL through
//! [`Db`]. Values cross as [`Value`] (integer, real, text, bytes or null), the types both engines
//! share; rows come back as [`Row`]s read by position. The store's functions take
//! `impl Into<Db>`, so the callers that still hold a `rusqlite::Connection` call them unchanged
//! while the functions move over one by one.
//!
//! Schemas keep to that shared ground: integers are `BIGINT` on PostgreSQL (`INTEGER` on SQLite),
//! flags are integers 0/1, times are RFC 3339 text (`store::ts`), documents JSON text. Queries
//! keep to the SQL both read: an upsert's `SET` names the table (`counters.value + 1`); a
//! parameter only tested for NULL is cast (`CAST(?1 AS TEXT) IS NULL`) so PostgreSQL knows its
//! type; a time is passed as text and cast there (`CAST(CAST(?1 AS TEXT) AS timestamptz)`). The conformance suite (`tests/tests/store_conformance.rs`) holds every moved function
//! to answering alike on both.

use super::StoreError;
use std::cell::RefCell;
use std::collections::HashMap;

/// A value as both engines keep it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What may be passed as a query parameter.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}
impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
}
impl ToValue for u32 {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

/// What a column is read as.
pub trait FromValue: Sized {
    fn from_value(v: Value) -> Result<Self, String>;
}

impl FromValue for Value {
    fn from_value(v: Value) -> Result<Self, String> {
        Ok(v)
    }
}
impl FromValue for i64 {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Int(i) => Ok(i),
            other => Err(format!("integer expected, found {other:?}")),
        }
    }
}
impl FromValue for bool {
    fn from_value(v: Value) -> Result<Self, String> {
        i64::from_value(v).map(|i| i != 0)
    }
}
impl FromValue for f64 {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Real(r) => Ok(r),
            Value::Int(i) => Ok(i as f64),
            other => Err(format!("real expected, found {other:?}")),
        }
    }
}
impl FromValue for String {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s),
            other => Err(format!("text expected, found {other:?}")),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Blob(b) => Ok(b),
            other => Err(format!("bytes expected, found {other:?}")),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// One row of a result.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// The column at `i`, read as `T` and taken out of the row (no copy of text or bytes).
    pub fn take<T: FromValue>(&mut self, i: usize) -> Result<T, StoreError> {
        read(i, self.0.get_mut(i).map(|v| std::mem::replace(v, Value::Null)))
    }

    /// The column at `i`, read as `T`.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, StoreError> {
        read(i, self.0.get(i).cloned())
    }
}

fn read<T: FromValue>(i: usize, v: Option<Value>) -> Result<T, StoreError> {
    let v = v.ok_or_else(|| StoreError::Column(format!("no column {i}")))?;
    T::from_value(v).map_err(|e| StoreError::Column(format!("column {i}: {e}")))
}

/// Which engine a [`Db`] speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A PostgreSQL session with its prepared statements, used by one thread at a time.
pub struct PgConn {
    pub(super) client: RefCell<postgres::Client>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    /// A savepoint to open before the next statement ([`PgConn::defer_savepoint`]).
    pending_savepoint: std::cell::Cell<Option<&'static str>>,
    /// Whether the deferred savepoint was opened.
    savepoint_opened: std::cell::Cell<bool>,
    /// The writer's rows waiting to be written (`pg::append`), while it buffers.
    pub(super) appends: RefCell<super::pg::append::Appends>,
    pub(super) buffering: std::cell::Cell<bool>,
    /// A statement failed outside any savepoint (writing earlier jobs' rows, opening a job's
    /// savepoint): the transaction is aborted, and its COMMIT would silently roll back.
    poisoned: std::cell::Cell<bool>,
}

impl PgConn {
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let client = postgres::Client::connect(url, postgres::NoTls)?;
        Ok(Self {
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
            pending_savepoint: std::cell::Cell::new(None),
            savepoint_opened: std::cell::Cell::new(false),
            appends: RefCell::new(Default::default()),
            buffering: std::cell::Cell::new(false),
            poisoned: std::cell::Cell::new(false),
        })
    }

    /// Opens savepoint `name` only when (and if) a statement is sent: the writer's jobs that only
    /// append (most device reports, whose rows the batch writes at its end) cost no round trip.
    pub(crate) fn defer_savepoint(&self, name: &'static str) {
        self.pending_savepoint.set(Some(name));
        self.savepoint_opened.set(false);
    }

    /// Whether a statement failed outside a savepoint since the last call: the transaction can
    /// only be rolled back.
    pub(crate) fn take_poisoned(&self) -> bool {
        self.poisoned.replace(false)
    }

    /// Whether the savepoint deferred last was opened (one that was not never will be).
    pub(crate) fn take_savepoint(&self) -> bool {
        self.pending_savepoint.set(None);
        self.savepoint_opened.replace(false)
    }

    /// The client, ready for a statement: a deferred savepoint opened, and the rows the writer
    /// buffered written first, so every statement sees them (the rows of earlier jobs before the
    /// savepoint, the current job's inside it).
    pub(super) fn client(&self) -> Result<std::cell::RefMut<'_, postgres::Client>, StoreError> {
        let mut client = self.client.borrow_mut();
        let pending = self.pending_savepoint.take();
        if let Some(name) = pending {
            let opened = if self.buffering.get() { self.flush_appends(&mut client, true) } else { Ok(()) }
                .and_then(|()| Ok(client.batch_execute(&format!("SAVEPOINT {name}"))?));
            if let Err(e) = opened {
                self.poisoned.set(true);
                return Err(e);
            }
            self.savepoint_opened.set(true);
        }
        if self.buffering.get() {
            self.flush_appends(&mut client, false)?;
        }
        Ok(client)
    }

    /// `COPY … FROM STDIN` fed by `write`; the rows PostgreSQL took.
    pub fn copy_in(
        &self,
        sql: &str,
        write: impl FnOnce(&mut dyn std::io::Write) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let mut client = self.client()?;
        let mut writer = client.copy_in(sql)?;
        write(&mut writer)?;
        Ok(writer.finish()?)
    }

    /// Whether the session is gone (the server closed it or the network failed): a pool drops it.
    pub fn is_closed(&self) -> bool {
        self.client.borrow().is_closed()
    }

    /// Waits up to `timeout` for a notification of a channel this session listens to; its
    /// payload, or `None` when none came.
    pub fn notification(&self, timeout: std::time::Duration) -> Result<Option<String>, StoreError> {
        let mut client = self.client.borrow_mut();
        let mut notifications = client.notifications();
        let next =
            postgres::fallible_iterator::FallibleIterator::next(&mut notifications.timeout_iter(timeout))?;
        Ok(next.map(|n| n.payload().to_owned()))
    }

    /// The statement for `sql` (in SQLite's spelling), prepared once per session.
    pub(super) fn prepared(
        &self,
        client: &mut postgres::Client,
        sql: &str,
    ) -> Result<postgres::Statement, StoreError> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let prepared = client.prepare(&numbered_for_postgres(sql))?;
        self.statements.borrow_mut().insert(sql.to_owned(), prepared.clone());
        Ok(prepared)
    }
}

/// A connection of either engine, for the length of one job.
#[derive(Clone, Copy)]
pub enum Db<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(&'a PgConn),
}

impl<'a> From<&'a rusqlite::Connection> for Db<'a> {
    fn from(c: &'a rusqlite::Connection) -> Self {
        Db::Sqlite(c)
    }
}

impl<'a> From<&'a rusqlite::Transaction<'_>> for Db<'a> {
    fn from(tx: &'a rusqlite::Transaction<'_>) -> Self {
        Db::Sqlite(tx)
    }
}

impl<'a> From<&'a PgConn> for Db<'a> {
    fn from(c: &'a PgConn) -> Self {
        Db::Postgres(c)
    }
}

impl Db<'_> {
    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// The function that finds text in text, 1-based, 0 when absent (`instr` / `strpos`).
    pub fn position_function(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "instr",
            Db::Postgres(_) => "strpos",
        }
    }

    /// The SQLite connection behind this, if that is the engine (what only SQLite has: its
    /// file's path, `is_autocommit`).
    pub fn sqlite(&self) -> Option<&'_ rusqlite::Connection> {
        match self {
            Db::Sqlite(c) => Some(c),
            Db::Postgres(_) => None,
        }
    }

    /// Seconds since the Unix epoch of a column holding RFC 3339 text, as an integer.
    pub fn unix_seconds(&self, column: &str) -> String {
        match self {
            Db::Sqlite(_) => format!("unixepoch({column})"),
            Db::Postgres(_) => {
                format!("CAST(floor(extract(epoch FROM CAST({column} AS timestamptz))) AS BIGINT)")
            }
        }
    }

    /// `column` is one of the texts of a JSON array passed as text.
    pub fn in_json_array(&self, column: &str, param: &str) -> String {
        match self {
            Db::Sqlite(_) => format!("{column} IN (SELECT value FROM json_each({param}))"),
            Db::Postgres(_) => {
                format!(
                    "{column} IN (SELECT jsonb_array_elements_text(CAST(CAST({param} AS TEXT) AS jsonb)))"
                )
            }
        }
    }

    /// Runs `f` in one read-only transaction, so that everything it reads is as of one moment
    /// (a snapshot the console builds on).
    pub fn consistent<R>(self, f: impl FnOnce(Db<'_>) -> Result<R, StoreError>) -> Result<R, StoreError> {
        self.run(match self {
            Db::Sqlite(_) => "BEGIN",
            Db::Postgres(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        })?;
        let result = f(self);
        let ended = self.run(if result.is_ok() { "COMMIT" } else { "ROLLBACK" });
        let r = result?;
        ended?;
        Ok(r)
    }

    /// Runs one parameterless statement (`BEGIN`, `SAVEPOINT job`…), prepared once on SQLite.
    pub fn run(&self, sql: &str) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(c) => Ok(c.prepare_cached(sql)?.execute([]).map(|_| ())?),
            Db::Postgres(c) => Ok(c.client()?.batch_execute(sql)?),
        }
    }

    /// Runs a statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64, StoreError> {
        let values: Vec<Value> = params.iter().map(|p| p.to_value()).collect();
        match self {
            Db::Sqlite(c) => {
                let n = c.prepare_cached(sql)?.execute(rusqlite::params_from_iter(values.iter()))?;
                Ok(n as u64)
            }
            Db::Postgres(c) => {
                // The savepoint first: a statement that fails, even to prepare, fails inside it.
                let mut client = c.client()?;
                let statement = c.prepared(&mut client, sql)?;
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    values.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
                Ok(client.execute(&statement, &refs)?)
            }
        }
    }

    /// Every row a query answers.
    pub fn query(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>, StoreError> {
        let values: Vec<Value> = params.iter().map(|p| p.to_value()).collect();
        match self {
            Db::Sqlite(c) => {
                let mut statement = c.prepare_cached(sql)?;
                let width = statement.column_count();
                let rows = statement.query_map(rusqlite::params_from_iter(values.iter()), |r| {
                    (0..width).map(|i| r.get_ref(i).map(from_lite)).collect::<Result<Vec<_>, _>>().map(Row)
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            }
            Db::Postgres(c) => {
                let mut client = c.client()?;
                let statement = c.prepared(&mut client, sql)?;
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    values.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
                let rows = client.query(&statement, &refs)?;
                rows.iter()
                    .map(|r| {
                        (0..r.len()).map(|i| r.try_get::<_, Value>(i)).collect::<Result<Vec<_>, _>>().map(Row)
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(StoreError::from)
            }
        }
    }

    /// The first row a query answers, if any.
    pub fn query_opt(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Runs statements with no parameters (a schema, `BEGIN`, `COMMIT`).
    pub fn batch(&self, sql: &str) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Db::Postgres(c) => Ok(c.client()?.batch_execute(sql)?),
        }
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn from_lite(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef as L;
    match v {
        L::Null => Value::Null,
        L::Integer(i) => Value::Int(i),
        L::Real(r) => Value::Real(r),
        L::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        L::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// `?1`, `?2`… as PostgreSQL numbers them (`$1`, `$2`…), outside quoted text.
pub fn numbered_for_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                out.push(c);
            }
            (Some(_), c) => out.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (None, '?') if chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            (None, c) => out.push(c),
        }
    }
    out
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        match (self, ty) {
            (Value::Null, _) => Ok(postgres::types::IsNull::Yes),
            (Value::Int(i), &Type::INT4) => i32::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::INT2) => i16::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::BOOL) => (*i != 0).to_sql(ty, out),
            (Value::Int(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out),
            (Value::Int(i), &Type::TEXT | &Type::VARCHAR) => i.to_string().to_sql(ty, out),
            (Value::Int(i), _) => i.to_sql(ty, out),
            (Value::Real(r), &Type::FLOAT4) => (*r as f32).to_sql(ty, out),
            (Value::Real(r), _) => r.to_sql(ty, out),
            // SQLite compares text with an integer column by the column's affinity (a lookup by
            // `active = '1'`); PostgreSQL needs the number.
            (Value::Text(s), &Type::INT8 | &Type::INT4 | &Type::INT2 | &Type::BOOL) => {
                Value::Int(s.trim().parse()?).to_sql(ty, out)
            }
            (Value::Text(s), &Type::FLOAT8 | &Type::FLOAT4) => Value::Real(s.trim().parse()?).to_sql(ty, out),
            (Value::Text(s), _) => s.as_str().to_sql(ty, out),
            (Value::Blob(b), _) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl<'r> postgres::types::FromSql<'r> for Value {
    fn from_sql(
        ty: &postgres::types::Type,
        raw: &'r [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        Ok(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Value::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::BOOL => Value::Int(i64::from(bool::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::BYTEA => Value::Blob(Vec::<u8>::from_sql(ty, raw)?),
            _ => Value::Text(String::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &postgres::types::Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Value::Null)
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_parameters_become_postgres_ones_outside_quoted_text() {
        assert_eq!(
            numbered_for_postgres("SELECT doc FROM t WHERE id = ?1 AND name <> '?2' AND x = ?12"),
            "SELECT doc FROM t WHERE id = $1 AND name <> '?2' AND x = $12"
        );
        assert_eq!(
            numbered_for_postgres(r#"SELECT "a?1" FROM t WHERE ? = 1"#),
            r#"SELECT "a?1" FROM t WHERE ? = 1"#
        );
    }

    #[test]
    fn a_sqlite_connection_answers_every_kind_of_value() {
        let c = rusqlite::Connection::open_in_memory().expect("open");
        let db = Db::from(&c);
        db.batch("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)").expect("schema");
        let n = db
            .execute(
                "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)",
                &[&7_i64, &1.5_f64, &"olá", &vec![1_u8, 2], &None::<String>],
            )
            .expect("insert");
        assert_eq!(n, 1);
        let row =
            db.query_opt("SELECT i, r, s, b, n FROM t WHERE s = ?1", &[&"olá"]).expect("query").expect("row");
        assert_eq!(row.get::<i64>(0).expect("i"), 7);
        assert_eq!(row.get::<f64>(1).expect("r"), 1.5);
        assert_eq!(row.get::<String>(2).expect("s"), "olá");
        assert_eq!(row.get::<Vec<u8>>(3).expect("b"), [1, 2]);
        assert_eq!(row.get::<Option<String>>(4).expect("n"), None);
        assert!(row.get::<i64>(2).is_err(), "text is not read as an integer");
    }
}
