//! Profiles (16.2.14, RFS169-171): the nine roles' seeded profiles, which are not stored, and
//! those an administrator defined, stored as JSON documents.

use super::db::Db;
use super::{Store, StoreError};
use atalaia_core::auth::{Permission, Profile, Role};

impl Store {
    /// Every profile: the seeded ones in role order, then the defined ones by name.
    pub fn profiles<'a>(db: impl Into<Db<'a>>) -> Result<Vec<Profile>, StoreError> {
        let mut out: Vec<Profile> = Role::ALL.into_iter().map(Profile::seeded).collect();
        let mut defined = db
            .into()
            .query("SELECT doc FROM profiles", &[])?
            .into_iter()
            .map(|mut r| Ok(serde_json::from_str(&r.take::<String>(0)?)?))
            .collect::<Result<Vec<Profile>, StoreError>>()?;
        defined.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(defined);
        Ok(out)
    }

    pub fn profile<'a>(db: impl Into<Db<'a>>, id: &str) -> Result<Option<Profile>, StoreError> {
        if let Some(role) = Role::ALL.into_iter().find(|r| r.key() == id) {
            return Ok(Some(Profile::seeded(role)));
        }
        let row = db.into().query_opt("SELECT doc FROM profiles WHERE id = ?1", &[&id])?;
        row.map(|mut r| Ok(serde_json::from_str(&r.take::<String>(0)?)?)).transpose()
    }

    /// Stores a defined profile (never a seeded one).
    pub fn save_profile<'a>(db: impl Into<Db<'a>>, p: &Profile) -> Result<(), StoreError> {
        db.into().execute(
            "INSERT INTO profiles (id, doc) VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
            &[&p.id, &serde_json::to_string(p)?],
        )?;
        Ok(())
    }

    /// What a user with this role and stored profile may do: exactly the profile's permissions;
    /// nothing when the profile named no longer exists.
    pub fn permissions_of<'a>(
        db: impl Into<Db<'a>>,
        role: Role,
        profile: Option<&str>,
    ) -> Result<Vec<Permission>, StoreError> {
        Ok(match profile {
            None => Profile::seeded(role).permissions,
            Some(id) => Self::profile(db, id)?.map(|p| p.permissions).unwrap_or_default(),
        })
    }

    /// Gives user `id` the profile (and its base role); false when there is no such user.
    pub fn set_user_profile<'a>(
        db: impl Into<Db<'a>>,
        id: &str,
        profile: &Profile,
    ) -> Result<bool, StoreError> {
        let stored = (!profile.builtin).then_some(profile.id.as_str());
        let changed = db.into().execute(
            "UPDATE users SET profile = ?2, role = ?3 WHERE id = ?1",
            &[&id, &stored, &profile.base.key()],
        )?;
        Ok(changed == 1)
    }

    /// Gives the users of a defined profile its (possibly new) kind of seat.
    pub fn rebase_profile_users<'a>(db: impl Into<Db<'a>>, p: &Profile) -> Result<(), StoreError> {
        db.into().execute("UPDATE users SET role = ?2 WHERE profile = ?1", &[&p.id, &p.base.key()])?;
        Ok(())
    }

    /// The ids of the active users whose profile grants `permission`.
    pub fn active_users_with<'a>(
        db: impl Into<Db<'a>>,
        permission: Permission,
    ) -> Result<Vec<String>, StoreError> {
        let db = db.into();
        let mut out = Vec::new();
        for mut row in db.query("SELECT id, role, profile FROM users WHERE active = 1", &[])? {
            let (id, role, profile): (String, String, Option<String>) =
                (row.take(0)?, row.take(1)?, row.take(2)?);
            let Some(role) = Role::ALL.into_iter().find(|r| r.key() == role) else { continue };
            if Self::permissions_of(db, role, profile.as_deref())?.contains(&permission) {
                out.push(id);
            }
        }
        Ok(out)
    }
}
