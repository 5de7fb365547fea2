//! Users and profiles as an administrator keeps them at the console (16.2.14, RFS169–171): a new
//! user given a profile, a profile written as a set of permissions. Each is a draft the form edits
//! and turns into the server's body, checked by the server's own rules before sending.

use atalaia_core::auth::{Permission, Profile, Role};
use atalaia_core::wire::{NewProfile, NewUser};

/// A profile's identifier made from its name: "Consulta de cadastros" → `consulta-de-cadastros`.
pub fn slug(name: &str) -> String {
    let folded = atalaia_core::text::fold(name);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.trim_end_matches('-').chars().take(40).collect();
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Someone new who will log in with a profile; the password is theirs to change at the first
/// access (the server asks for it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserDraft {
    pub display_name: String,
    pub username: String,
    pub profile: Option<String>,
    pub password: String,
    /// The organisational unit (RFS177); blank: the central.
    pub unit: String,
}

impl UserDraft {
    /// The body of `POST /users` (the profile's kind of seat as the role) and, when the profile
    /// is not one of the seeded ones, the profile to give the user right after.
    pub fn body(&self, profiles: &[Profile]) -> Result<(NewUser, Option<String>), String> {
        let profile = self
            .profile
            .as_deref()
            .and_then(|id| profiles.iter().find(|p| p.id == id))
            .ok_or("Escolha o perfil do usuário.")?;
        let user = NewUser {
            username: self.username.trim().to_owned(),
            display_name: self.display_name.trim().to_owned(),
            role: profile.base,
            password: self.password.clone(),
            unit: unit_of(&self.unit),
        };
        crate::refusal(user.validate())?;
        let seeded = profile.builtin && profile.id == profile.base.key();
        Ok((user, (!seeded).then(|| profile.id.clone())))
    }
}

/// A unit as typed: blank is the central (every unit).
pub fn unit_of(typed: &str) -> Option<String> {
    Some(typed.trim()).filter(|u| !u.is_empty()).map(str::to_owned)
}

/// How a user's unit reads: the unit, or the central.
pub fn unit_label(unit: Option<&str>) -> String {
    unit.map_or_else(|| "Central (todas as unidades)".to_owned(), str::to_owned)
}

/// A profile being written: its name, the kind of seat its users work at, and exactly the
/// permissions it grants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileDraft {
    /// Set once saved (the server's path names it); a new one takes it from the name.
    pub id: String,
    pub name: String,
    pub base: Option<Role>,
    pub permissions: Vec<Permission>,
    pub existing: bool,
}

impl ProfileDraft {
    pub fn of(p: &Profile) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            base: Some(p.base),
            permissions: p.permissions.clone(),
            existing: true,
        }
    }

    /// A new profile starting from `p`'s seat and permissions (a seeded one is kept as shipped).
    pub fn copy_of(p: &Profile) -> Self {
        Self {
            id: String::new(),
            name: format!("{} (cópia)", p.name),
            base: Some(p.base),
            permissions: p.permissions.clone(),
            existing: false,
        }
    }

    pub fn toggle(&mut self, permission: Permission) {
        match self.permissions.iter().position(|p| *p == permission) {
            Some(i) => {
                self.permissions.remove(i);
            }
            None => self.permissions.push(permission),
        }
    }

    /// The identifier the profile is saved under.
    pub fn key(&self) -> String {
        if self.existing || !self.id.trim().is_empty() { self.id.trim().to_owned() } else { slug(&self.name) }
    }

    /// The body of `POST /profiles` (new) or `PUT /profiles/{id}`, or what is wrong.
    pub fn body(&self) -> Result<NewProfile, String> {
        let base = self.base.ok_or("Escolha o tipo de posto do perfil.")?;
        let mut permissions: Vec<Permission> =
            Permission::ALL.into_iter().filter(|p| self.permissions.contains(p)).collect();
        permissions.dedup();
        let body = NewProfile { id: self.key(), name: self.name.trim().to_owned(), base, permissions };
        crate::refusal(body.validate())?;
        if body.permissions.is_empty() {
            return Err("Marque ao menos uma permissão.".into());
        }
        Ok(body)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rfs169_a_profile_is_named_given_a_seat_and_exactly_the_permissions_marked() {
        assert_eq!(slug("Consulta de Cadastros — SEJUS"), "consulta-de-cadastros-sejus");
        assert_eq!(slug("  Ávila/Região 2  "), "avila-regiao-2");
        let seeded = Profile::seeded(Role::MonitoringOperator);
        let mut d = ProfileDraft::copy_of(&seeded);
        assert!(!d.existing && d.name.ends_with("(cópia)"));
        d.name = "Consulta de cadastros".into();
        d.permissions.clear();
        assert_eq!(d.body().unwrap_err(), "Marque ao menos uma permissão.");
        d.toggle(Permission::ZoneRead);
        d.toggle(Permission::PersonRead);
        d.toggle(Permission::AlarmRead);
        d.toggle(Permission::AlarmRead);
        let body = d.body().unwrap();
        assert_eq!(body.id, "consulta-de-cadastros");
        assert_eq!(body.base, Role::MonitoringOperator);
        // In the catalog's order, whatever the order they were marked in.
        let mut expected = vec![Permission::PersonRead, Permission::ZoneRead];
        expected.sort_by_key(|p| Permission::ALL.iter().position(|q| q == p));
        assert_eq!(body.permissions, expected);
        d.name = " ".into();
        assert!(d.body().unwrap_err().contains("Nome do perfil"));
        let saved = ProfileDraft::of(&Profile { id: "consulta".into(), builtin: false, ..seeded });
        assert_eq!(saved.key(), "consulta", "a saved profile keeps its identifier when renamed");
    }

    #[test]
    fn rfs170_a_new_user_gets_the_profiles_seat_and_a_defined_profile_after() {
        let seeded = Profile::seeded(Role::MonitoringOperator);
        let defined = Profile {
            id: "consulta".into(),
            name: "Consulta".into(),
            base: Role::Supervisor,
            permissions: vec![Permission::PersonRead],
            builtin: false,
        };
        let profiles = [seeded.clone(), defined];
        let mut d = UserDraft {
            display_name: "Paula Nery".into(),
            username: "paula.nery".into(),
            profile: None,
            password: "inicial-2026".into(),
            unit: String::new(),
        };
        assert_eq!(d.body(&profiles).unwrap_err(), "Escolha o perfil do usuário.");
        d.profile = Some(seeded.id.clone());
        let (user, after) = d.body(&profiles).unwrap();
        assert_eq!((user.role, after), (Role::MonitoringOperator, None));
        d.profile = Some("consulta".into());
        let (user, after) = d.body(&profiles).unwrap();
        assert_eq!((user.role, after.as_deref()), (Role::Supervisor, Some("consulta")));
        d.username = "paula nery".into();
        d.password = "curta".into();
        let why = d.body(&profiles).unwrap_err();
        assert!(why.contains("letras, dígitos") && why.contains("ao menos 8 caracteres"), "{why}");
    }
}
