//! Profiles (16.2.14, RFS169-171): the nine roles' seeded profiles, which are not stored, and
//! those an administrator defined, stored as JSON documents.

use super::{Store, StoreError};
use atalaia_core::auth::{Permission, Profile, Role};
use rusqlite::{Connection, OptionalExtension, params};

impl Store {
    /// Every profile: the seeded ones in role order, then the defined ones by name.
    pub fn profiles(conn: &Connection) -> Result<Vec<Profile>, StoreError> {
        let mut out: Vec<Profile> = Role::ALL.into_iter().map(Profile::seeded).collect();
        let mut stmt = conn.prepare_cached("SELECT doc FROM profiles")?;
        let docs: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let mut defined =
            docs.iter().map(|d| serde_json::from_str(d)).collect::<Result<Vec<Profile>, _>>()?;
        defined.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(defined);
        Ok(out)
    }

    pub fn profile(conn: &Connection, id: &str) -> Result<Option<Profile>, StoreError> {
        if let Some(role) = Role::ALL.into_iter().find(|r| r.key() == id) {
            return Ok(Some(Profile::seeded(role)));
        }
        let doc: Option<String> = conn
            .prepare_cached("SELECT doc FROM profiles WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        Ok(doc.map(|d| serde_json::from_str(&d)).transpose()?)
    }

    /// Stores a defined profile (never a seeded one).
    pub fn save_profile(conn: &Connection, p: &Profile) -> Result<(), StoreError> {
        conn.prepare_cached(
            "INSERT INTO profiles (id, doc) VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET doc = ?2",
        )?
        .execute(params![p.id, serde_json::to_string(p)?])?;
        Ok(())
    }

    /// What a user with this role and stored profile may do: exactly the profile's permissions;
    /// nothing when the profile named no longer exists.
    pub fn permissions_of(
        conn: &Connection,
        role: Role,
        profile: Option<&str>,
    ) -> Result<Vec<Permission>, StoreError> {
        Ok(match profile {
            None => Profile::seeded(role).permissions,
            Some(id) => Self::profile(conn, id)?.map(|p| p.permissions).unwrap_or_default(),
        })
    }

    /// Gives user `id` the profile (and its base role); false when there is no such user.
    pub fn set_user_profile(conn: &Connection, id: &str, profile: &Profile) -> Result<bool, StoreError> {
        let stored = (!profile.builtin).then_some(profile.id.as_str());
        let changed = conn
            .prepare_cached("UPDATE users SET profile = ?2, role = ?3 WHERE id = ?1")?
            .execute(params![id, stored, profile.base.key()])?;
        Ok(changed == 1)
    }

    /// Gives the users of a defined profile its (possibly new) kind of seat.
    pub fn rebase_profile_users(conn: &Connection, p: &Profile) -> Result<(), StoreError> {
        conn.prepare_cached("UPDATE users SET role = ?2 WHERE profile = ?1")?
            .execute(params![p.id, p.base.key()])?;
        Ok(())
    }

    /// The ids of the active users whose profile grants `permission`.
    pub fn active_users_with(conn: &Connection, permission: Permission) -> Result<Vec<String>, StoreError> {
        let mut stmt = conn.prepare_cached("SELECT id, role, profile FROM users WHERE active = 1")?;
        let rows: Vec<(String, String, Option<String>)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (id, role, profile) in rows {
            let Some(role) = Role::ALL.into_iter().find(|r| r.key() == role) else { continue };
            if Self::permissions_of(conn, role, profile.as_deref())?.contains(&permission) {
                out.push(id);
            }
        }
        Ok(out)
    }
}
