//! The zones list of the administration screen, without a UI toolkit (III-2.13, issue 22 item 2):
//! every zone matching what was typed and the standing chosen, whose it is, its shape in words,
//! and its history's lines.

use crate::model::LiveModel;
use atalaia_core::geom::Shape;
use atalaia_core::monitoring::{Zone, ZoneAction};
use atalaia_core::text::fold;
use atalaia_core::wire::AuditEntry;
use chrono_tz::Tz;

/// Where a zone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Standing {
    InForce,
    Suspended,
    Lifted,
}

impl Standing {
    pub fn of(z: &Zone) -> Self {
        match (&z.lifted, z.active) {
            (Some(_), _) => Standing::Lifted,
            (None, true) => Standing::InForce,
            (None, false) => Standing::Suspended,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::InForce => "Em vigor",
            Standing::Suspended => "Suspensa",
            Standing::Lifted => "Revogada",
        }
    }
}

/// The zone's state in a few words: "Em vigor", "Suspensa (não gera alarmes)", "Revogada em …
/// por …: motivo".
pub fn state_line(zone: &Zone, tz: Tz) -> String {
    match &zone.lifted {
        Some(l) => format!("Revogada em {} por {}: {}", crate::format::datetime(l.at, tz), l.by, l.reason),
        None if zone.active => "Em vigor".into(),
        None => "Suspensa (não gera alarmes)".into(),
    }
}

/// Zones whose name, kind, person's name, person's record or group contains every word typed
/// (accents and case ignored), of the standing chosen when given: in force first, then
/// suspended, then lifted; by name within each.
pub fn zones<'a>(model: &'a LiveModel, query: &str, standing: Option<Standing>) -> Vec<&'a Zone> {
    let words: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
    let mut found: Vec<&Zone> = model
        .zones
        .values()
        .filter(|z| standing.is_none_or(|s| Standing::of(z) == s))
        .filter(|z| {
            let person = z.person_id.and_then(|p| model.persons.get(&p));
            let hay = fold(&format!(
                "{} {} {} {} {}",
                z.name,
                atalaia_core::text::zone_kind(z.kind),
                person.map_or("", |p| p.name.as_str()),
                person.map_or("", |p| p.record.as_str()),
                z.group.as_deref().unwrap_or_default()
            ));
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect();
    found.sort_by_cached_key(|z| (Standing::of(z), fold(&z.name), z.id));
    found
}

/// Whose the zone is, for a list: the person's name, "Grupo: name", or who is not on this
/// console.
pub fn owner_name(model: &LiveModel, z: &Zone) -> String {
    match (z.person_id, &z.group) {
        (Some(p), _) => {
            model.persons.get(&p).map_or_else(|| "Pessoa não carregada".into(), |p| p.name.clone())
        }
        (None, Some(g)) => format!("Grupo: {g}"),
        (None, None) => "Sem dono".into(),
    }
}

/// Whose the zone is: "Pessoa: name (record)", "Grupo: name", or who is not on this console.
pub fn owner(model: &LiveModel, z: &Zone) -> String {
    match (z.person_id, &z.group) {
        (Some(p), _) => model
            .persons
            .get(&p)
            .map_or_else(|| "Pessoa não carregada".into(), |p| format!("Pessoa: {} ({})", p.name, p.record)),
        (None, Some(g)) => format!("Grupo: {g}"),
        (None, None) => "Sem dono".into(),
    }
}

/// The zone's shape in words, with its warning buffer: "Círculo de raio 200 m", "Polígono de 5
/// vértices · faixa de alerta de 100 m".
pub fn shape_line(z: &Zone) -> String {
    let shape = match &z.shape {
        Shape::Circle { radius_m, .. } => format!("Círculo de raio {}", metres(*radius_m)),
        Shape::Rectangle { .. } => "Retângulo".to_owned(),
        Shape::Polygon { ring } => format!("Polígono de {} vértices", ring.len()),
    };
    match z.warning_m {
        Some(w) => format!("{shape} · faixa de alerta de {}", metres(w)),
        None => shape,
    }
}

fn metres(m: f64) -> String {
    if m >= 1_000.0 {
        format!("{} km", format!("{:.1}", m / 1_000.0).replace('.', ","))
    } else {
        format!("{m:.0} m")
    }
}

/// What the console's button for an action says.
pub fn action_label(a: ZoneAction) -> &'static str {
    match a {
        ZoneAction::Suspend => "Suspender",
        ZoneAction::Resume => "Reativar",
        ZoneAction::Lift => "Revogar",
    }
}

/// What the confirming button says.
pub fn confirm_label(a: ZoneAction) -> &'static str {
    match a {
        ZoneAction::Suspend => "Confirmar suspensão",
        ZoneAction::Resume => "Confirmar reativação",
        ZoneAction::Lift => "Confirmar revogação",
    }
}

/// What the reason field asks for.
pub fn reason_hint(a: ZoneAction) -> &'static str {
    match a {
        ZoneAction::Suspend => "Motivo da suspensão (obrigatório)",
        ZoneAction::Resume => "Motivo da reativação (obrigatório)",
        ZoneAction::Lift => "Motivo da revogação — a zona deixa de valer para sempre (obrigatório)",
    }
}

/// One line of a zone's history: when, then who, what and why ("07/12/2026 14:03:10", "admmon —
/// Suspensa: viagem autorizada").
/// Who is named as the console knows them (their name), else by the login the trail kept.
pub fn history_line(model: &LiveModel, e: &AuditEntry, zone: &str, tz: Tz) -> (String, String) {
    let what = match e.action.as_str() {
        "zone.create" => "Cadastrada",
        "zone.update" => "Alterada",
        "zone.suspend" => "Suspensa",
        "zone.resume" => "Reativada",
        "zone.lift" => "Revogada",
        other => other,
    };
    // A state change's detail is "name: reason" (the name it had then); a creation's or an
    // edit's the name it got.
    let why = match e.action.as_str() {
        "zone.suspend" | "zone.resume" | "zone.lift" => e
            .detail
            .strip_prefix(&format!("{zone}: "))
            .or_else(|| e.detail.split_once(": ").map(|(_, why)| why))
            .unwrap_or(&e.detail)
            .to_owned(),
        _ => format!("“{}”", e.detail),
    };
    let who = e.user_id.and_then(|u| model.names.get(&u)).unwrap_or(&e.username);
    (crate::format::datetime(e.at, tz), format!("{who} — {what}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, zone};
    use atalaia_core::geom::LatLon;
    use atalaia_core::monitoring::ZoneLift;
    use chrono::{TimeZone, Utc};

    /// III-2.13: the list finds a zone by its name or by whose it is, and the standing sorts
    /// and filters it — in force first, lifted last.
    #[test]
    fn iii_2_13_zones_are_found_by_name_or_owner_and_sorted_by_standing() {
        let helio = fixtures::person("Hélio Prates");
        let mut model = LiveModel::default();
        model.persons.insert(helio.id, helio.clone());
        let school = zone("Escola da vítima", Some(&helio), None);
        let mut bar = zone("Bar do Zé", Some(&helio), None);
        bar.active = false;
        let mut old = zone("Antiga residência", Some(&helio), None);
        old.active = false;
        old.lifted = Some(ZoneLift { at: old.created_at, by: "Rafael".into(), reason: "decisão".into() });
        let centre = zone("Centro", None, Some("Lei Maria da Penha"));
        for z in [&school, &bar, &old, &centre] {
            model.zones.insert(z.id, z.clone());
        }
        let names = |q: &str, s: Option<Standing>| -> Vec<String> {
            zones(&model, q, s).into_iter().map(|z| z.name.clone()).collect()
        };
        assert_eq!(names("", None), ["Centro", "Escola da vítima", "Bar do Zé", "Antiga residência"]);
        assert_eq!(names("helio", None), ["Escola da vítima", "Bar do Zé", "Antiga residência"]);
        assert_eq!(names("maria penha", None), ["Centro"]);
        assert_eq!(names("VITIMA", None), ["Escola da vítima"]);
        assert_eq!(names("exclusao", Some(Standing::Suspended)), ["Bar do Zé"]);
        assert_eq!(names("", Some(Standing::Lifted)), ["Antiga residência"]);
        assert_eq!(owner(&model, &school), format!("Pessoa: Hélio Prates ({})", helio.record));
        assert_eq!(owner(&model, &centre), "Grupo: Lei Maria da Penha");
        assert_eq!(owner_name(&model, &school), "Hélio Prates");
    }

    #[test]
    fn a_zones_shape_and_history_read_as_people_say_them() {
        let mut z = zone("Escola", None, Some("g"));
        assert_eq!(shape_line(&z), "Círculo de raio 200 m");
        z.shape = Shape::Circle { center: LatLon { lat: -8.76, lon: -63.9 }, radius_m: 1_500.0 };
        z.warning_m = Some(100.0);
        assert_eq!(shape_line(&z), "Círculo de raio 1,5 km · faixa de alerta de 100 m");
        let ring = vec![LatLon { lat: 0.0, lon: 0.0 }; 5];
        z.shape = Shape::Polygon { ring };
        assert_eq!(shape_line(&z), "Polígono de 5 vértices · faixa de alerta de 100 m");

        let entry = |action: &str, detail: &str| AuditEntry {
            seq: 1,
            at: Utc.with_ymd_and_hms(2026, 12, 7, 17, 3, 10).single().expect("valid"),
            user_id: None,
            username: "admmon".into(),
            origin: String::new(),
            route: String::new(),
            action: action.into(),
            target: String::new(),
            detail: detail.into(),
            hash: String::new(),
        };
        let tz = chrono_tz::America::Porto_Velho;
        let mut model = LiveModel::default();
        assert_eq!(
            history_line(&model, &entry("zone.suspend", "Escola: viagem: autorizada"), "Escola", tz),
            ("07/12/2026 13:03:10".into(), "admmon — Suspensa: viagem: autorizada".into())
        );
        assert_eq!(
            history_line(&model, &entry("zone.create", "Escola"), "Escola", tz),
            ("07/12/2026 13:03:10".into(), "admmon — Cadastrada: “Escola”".into())
        );
        assert_eq!(
            history_line(&model, &entry("zone.lift", "Casa: 2: decisão de 05/12"), "Casa: 2", tz),
            ("07/12/2026 13:03:10".into(), "admmon — Revogada: decisão de 05/12".into())
        );
        let rafael = atalaia_core::ids::UserId::new();
        model.names.insert(rafael, "Rafael Costa".into());
        let by_rafael = AuditEntry { user_id: Some(rafael), ..entry("zone.resume", "Escola: retorno") };
        assert_eq!(history_line(&model, &by_rafael, "Escola", tz).1, "Rafael Costa — Reativada: retorno");
    }
}
