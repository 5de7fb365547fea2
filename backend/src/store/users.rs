//! Users and their sessions as the login, the sessions' checks and the users' administration
//! (`crate::auth`) keep them. A user name is one whatever its case: SQLite's column compares
//! without case (NOCASE, its unique index serves it), PostgreSQL's unique index is on
//! `lower(username)` — each query asks in the way its engine's index answers.

use super::db::{Db, Engine};
use super::{Store, StoreError};
use atalaia_core::ids::UserId;

/// A user's row as stored (the login turns it into a `UserInfo`).
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub pw_hash: String,
    pub locked_until: Option<String>,
    pub active: bool,
    /// When the password was last set (the account's creation when never changed).
    pub pw_changed_at: String,
    pub profile: Option<String>,
    pub must_change: bool,
    pub unit: Option<String>,
}

/// A new user's row.
pub struct NewUserRow<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub pw_hash: &'a str,
    pub created_at: &'a str,
    pub must_change: bool,
    pub unit: Option<&'a str>,
}

/// One line of the users' report, from the users and the audit trail's logins.
#[derive(Debug, Clone)]
pub struct UserActivity {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub created_at: String,
    pub pw_changed_at: String,
    pub last_login: Option<String>,
    pub logins: i64,
    pub failed_logins: i64,
}

/// `column` equals `param` without case, as the engine's index on user names answers it.
pub(super) fn same_name(engine: Engine, column: &str, param: &str) -> String {
    match engine {
        Engine::Sqlite => format!("{column} = {param} COLLATE NOCASE"),
        Engine::Postgres => format!("lower({column}) = lower({param})"),
    }
}

impl Store {
    /// A user's name as shown to others, if the user exists.
    pub fn user_display_name<'a>(db: impl Into<Db<'a>>, id: UserId) -> Result<Option<String>, StoreError> {
        let row = db.into().query_opt("SELECT display_name FROM users WHERE id = ?1", &[&id.to_string()])?;
        row.map(|mut r| r.take(0)).transpose()
    }

    /// The user with this name, whatever its case.
    pub fn user_by_name<'a>(db: impl Into<Db<'a>>, username: &str) -> Result<Option<StoredUser>, StoreError> {
        let db = db.into();
        let sql = format!(
            "SELECT id, username, display_name, role, pw_hash, locked_until, active,
                    COALESCE(pw_changed_at, created_at), profile, must_change, unit FROM users WHERE {}",
            same_name(db.engine(), "username", "?1")
        );
        let Some(mut r) = db.query_opt(&sql, &[&username])? else { return Ok(None) };
        Ok(Some(StoredUser {
            id: r.take(0)?,
            username: r.take(1)?,
            display_name: r.take(2)?,
            role: r.take(3)?,
            pw_hash: r.take(4)?,
            locked_until: r.take(5)?,
            active: r.take(6)?,
            pw_changed_at: r.take(7)?,
            profile: r.take(8)?,
            must_change: r.take(9)?,
            unit: r.take(10)?,
        }))
    }

    /// How many users there are.
    pub fn user_count<'a>(db: impl Into<Db<'a>>) -> Result<i64, StoreError> {
        Ok(Store::scalar_i64(db, "SELECT COUNT(*) FROM users")?.unwrap_or(0))
    }

    /// Every user name, in order without case.
    pub fn user_names<'a>(db: impl Into<Db<'a>>) -> Result<Vec<String>, StoreError> {
        let rows = db.into().query("SELECT username FROM users ORDER BY lower(username), username", &[])?;
        rows.into_iter().map(|mut r| r.take(0)).collect()
    }

    /// Adds a user; false when the name (whatever its case) is taken.
    pub fn insert_user<'a>(db: impl Into<Db<'a>>, u: &NewUserRow<'_>) -> Result<bool, StoreError> {
        let inserted = db.into().execute(
            "INSERT INTO users (id, username, display_name, role, pw_hash, created_at, pw_changed_at, must_change, unit)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
            &[&u.id, &u.username, &u.display_name, &u.role, &u.pw_hash, &u.created_at, &u.must_change, &u.unit],
        )?;
        Ok(inserted == 1)
    }

    /// Until when the account is locked (an earlier version's lock), if it is.
    pub fn user_locked_until<'a>(db: impl Into<Db<'a>>, id: &str) -> Result<Option<String>, StoreError> {
        let row = db.into().query_opt("SELECT locked_until FROM users WHERE id = ?1", &[&id])?;
        Ok(match row {
            Some(mut r) => r.take(0)?,
            None => None,
        })
    }

    /// Clears the account's failed logins and lock.
    pub fn clear_user_lock<'a>(db: impl Into<Db<'a>>, id: &str) -> Result<(), StoreError> {
        db.into().execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1", &[&id])?;
        Ok(())
    }

    /// Opens a session (times as [`super::ts`]), dropping the expired ones.
    pub fn open_session<'a>(
        db: impl Into<Db<'a>>,
        token_hash: &str,
        user: &str,
        now: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        let db = db.into();
        db.execute("DELETE FROM sessions WHERE expires_at < ?1", &[&now])?;
        db.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            &[&token_hash, &user, &now, &expires_at],
        )?;
        Ok(())
    }

    /// Ends one session.
    pub fn end_session<'a>(db: impl Into<Db<'a>>, token_hash: &str) -> Result<(), StoreError> {
        db.into().execute("DELETE FROM sessions WHERE token_hash = ?1", &[&token_hash])?;
        Ok(())
    }

    /// Ends every session of a user but `keep` (none kept when `None`); how many ended.
    pub fn end_sessions_of<'a>(
        db: impl Into<Db<'a>>,
        user: &str,
        keep: Option<&str>,
    ) -> Result<u64, StoreError> {
        db.into().execute(
            "DELETE FROM sessions WHERE user_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR token_hash != ?2)",
            &[&user, &keep],
        )
    }

    /// A session's user name, expiry and whether the user is active.
    pub fn session<'a>(
        db: impl Into<Db<'a>>,
        token_hash: &str,
    ) -> Result<Option<(String, String, bool)>, StoreError> {
        let row = db.into().query_opt(
            "SELECT u.username, s.expires_at, u.active FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1",
            &[&token_hash],
        )?;
        row.map(|mut r| Ok((r.take(0)?, r.take(1)?, r.take(2)?))).transpose()
    }

    /// Whether the session is open at `now` for an active user of this role.
    pub fn session_open<'a>(
        db: impl Into<Db<'a>>,
        token_hash: &str,
        now: &str,
        role: &str,
    ) -> Result<bool, StoreError> {
        let row = db.into().query_opt(
            "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active = 1 AND u.role = ?3",
            &[&token_hash, &now, &role],
        )?;
        Ok(row.map_or(Ok(0), |r| r.get::<i64>(0))? > 0)
    }

    /// Sets a user's password (no change pending any more).
    pub fn set_password<'a>(
        db: impl Into<Db<'a>>,
        id: &str,
        hash: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        db.into().execute(
            "UPDATE users SET pw_hash = ?2, pw_changed_at = ?3, must_change = 0 WHERE id = ?1",
            &[&id, &hash, &now],
        )?;
        Ok(())
    }

    /// Takes a user's access away or gives it back.
    pub fn set_user_active<'a>(db: impl Into<Db<'a>>, id: &str, active: bool) -> Result<(), StoreError> {
        db.into().execute("UPDATE users SET active = ?2 WHERE id = ?1", &[&id, &active])?;
        Ok(())
    }

    /// Binds a user to an organisational unit (`None`: the central).
    pub fn set_user_unit<'a>(db: impl Into<Db<'a>>, id: &str, unit: Option<&str>) -> Result<(), StoreError> {
        db.into().execute("UPDATE users SET unit = ?2 WHERE id = ?1", &[&id, &unit])?;
        Ok(())
    }

    /// Every user with their logins (and failed ones) since `since`, from the audit trail.
    pub fn user_activity<'a>(db: impl Into<Db<'a>>, since: &str) -> Result<Vec<UserActivity>, StoreError> {
        let db = db.into();
        let same = same_name(db.engine(), "a.username", "u.username");
        let sql = format!(
            "SELECT u.username, u.display_name, u.role, u.active, u.created_at,
                    COALESCE(u.pw_changed_at, u.created_at),
                    (SELECT MAX(at) FROM audit a WHERE {same} AND a.action = 'login'),
                    (SELECT COUNT(*) FROM audit a WHERE {same} AND a.action = 'login' AND a.at >= ?1),
                    (SELECT COUNT(*) FROM audit a WHERE {same} AND a.action = 'login.failed' AND a.at >= ?1)
             FROM users u ORDER BY lower(u.username), u.username"
        );
        db.query(&sql, &[&since])?
            .into_iter()
            .map(|mut r| {
                Ok(UserActivity {
                    username: r.take(0)?,
                    display_name: r.take(1)?,
                    role: r.take(2)?,
                    active: r.take(3)?,
                    created_at: r.take(4)?,
                    pw_changed_at: r.take(5)?,
                    last_login: r.take(6)?,
                    logins: r.take(7)?,
                    failed_logins: r.take(8)?,
                })
            })
            .collect()
    }
}
