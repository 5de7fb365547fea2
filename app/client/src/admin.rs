//! What the administration screen lists and offers, without a UI toolkit (issue 22 item 2): the
//! people and devices matching what was typed, the steps a device's state allows (III-2.12), the
//! people a device may be fitted on, the spares that may replace it, and a person's story of
//! devices read from the devices' own records.

use crate::model::LiveModel;
use atalaia_core::ids::{DeviceId, PersonId};
use atalaia_core::monitoring::{Device, DeviceKind, DeviceState, DeviceStep, Person, wearing};
use atalaia_core::text::fold;

/// People whose name, record or group contains every word typed (accents and case ignored),
/// by name.
pub fn people<'a>(model: &'a LiveModel, query: &str) -> Vec<&'a Person> {
    let words: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
    let mut found: Vec<&Person> = model
        .persons
        .values()
        .filter(|p| {
            let hay = fold(&format!("{} {} {}", p.name, p.record, p.groups().join(" ")));
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect();
    found.sort_by_cached_key(|p| (fold(&p.name), p.id));
    found
}

/// Devices whose identifier, SIM or wearer's name contains what was typed, in `state` when
/// given: active first, then stock, defective, lost, deactivated; by identifier within each.
pub fn devices<'a>(model: &'a LiveModel, query: &str, state: Option<DeviceState>) -> Vec<&'a Device> {
    let words: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
    let mut found: Vec<&Device> = model
        .devices
        .values()
        .filter(|d| state.is_none_or(|s| d.state == s))
        .filter(|d| {
            let wearer = d.person_id.and_then(|p| model.persons.get(&p)).map(|p| p.name.as_str());
            let hay = fold(&format!(
                "{} {} {} {}",
                d.imei,
                d.sim1.as_deref().unwrap_or_default(),
                d.sim2.as_deref().unwrap_or_default(),
                wearer.unwrap_or_default()
            ));
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect();
    found.sort_by(|a, b| rank(a.state).cmp(&rank(b.state)).then(a.imei.cmp(&b.imei)));
    found
}

fn rank(s: DeviceState) -> u8 {
    match s {
        DeviceState::Active => 0,
        DeviceState::Stock => 1,
        DeviceState::Defective => 2,
        DeviceState::Lost => 3,
        DeviceState::Deactivated => 4,
    }
}

/// The steps of a device's life, without their details, as buttons offer them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Activate,
    Replace,
    Return,
    Defective,
    Lost,
    Restock,
    Deactivate,
}

impl Step {
    pub fn label(self) -> &'static str {
        match self {
            Step::Activate => "Ativar / instalar",
            Step::Replace => "Substituir",
            Step::Return => "Devolver ao estoque",
            Step::Defective => "Com defeito",
            Step::Lost => "Extraviado",
            Step::Restock => "Reparado / achado",
            Step::Deactivate => "Desativar",
        }
    }
}

/// What the device's state allows, in the order the screen offers it (the same rules the server
/// applies: a button is never offered for a step the server would refuse for the state).
pub fn steps(d: &Device) -> Vec<Step> {
    match d.state {
        DeviceState::Stock => vec![Step::Activate, Step::Defective, Step::Lost, Step::Deactivate],
        DeviceState::Active if d.person_id.is_some() => {
            vec![Step::Replace, Step::Return, Step::Defective, Step::Lost, Step::Deactivate]
        }
        DeviceState::Active => vec![Step::Return, Step::Defective, Step::Lost, Step::Deactivate],
        DeviceState::Defective => vec![Step::Restock, Step::Lost, Step::Deactivate],
        DeviceState::Lost => vec![Step::Restock, Step::Deactivate],
        DeviceState::Deactivated => Vec::new(),
    }
}

/// Who a device of `kind` may be fitted on: people without an active device of that kind (a
/// vehicle tracker is fitted on no one), by name.
pub fn wearers_for(model: &LiveModel, kind: DeviceKind, device: DeviceId) -> Vec<&Person> {
    if kind == DeviceKind::VehicleTracker {
        return Vec::new();
    }
    let wearing = wearing(model.devices.values(), kind, device);
    people(model, "").into_iter().filter(|p| !wearing.contains(&p.id)).collect()
}

/// The identifier of the active device each person wears (the lowest, should there be more),
/// from one pass over the devices.
pub fn worn(model: &LiveModel) -> std::collections::HashMap<PersonId, &str> {
    let mut out: std::collections::HashMap<PersonId, &str> = std::collections::HashMap::new();
    for d in model.devices.values().filter(|d| d.state == DeviceState::Active) {
        if let Some(p) = d.person_id {
            let imei = out.entry(p).or_insert(d.imei.as_str());
            *imei = (*imei).min(d.imei.as_str());
        }
    }
    out
}

/// Devices in stock that may replace `d` (same kind), by identifier.
pub fn spares_for<'a>(model: &'a LiveModel, d: &Device) -> Vec<&'a Device> {
    devices(model, "", Some(DeviceState::Stock))
        .into_iter()
        .filter(|s| s.kind == d.kind && s.id != d.id)
        .collect()
}

/// A person's active devices and every step that fitted a device on them or took one off,
/// newest first, with the device it was about.
pub fn person_devices(model: &LiveModel, person: PersonId) -> (Vec<&Device>, Vec<(&Device, &DeviceStep)>) {
    let mut active: Vec<&Device> = model
        .devices
        .values()
        .filter(|d| d.state == DeviceState::Active && d.person_id == Some(person))
        .collect();
    active.sort_by(|a, b| a.imei.cmp(&b.imei));
    let mut steps: Vec<(&Device, &DeviceStep)> =
        model.devices.values().flat_map(|d| d.steps_of(person).map(move |s| (d, s))).collect();
    steps.sort_by(|a, b| b.1.at.cmp(&a.1.at).then(a.0.imei.cmp(&b.0.imei)));
    (active, steps)
}

/// `/audit?…` for a search: only the filters given, each encoded.
pub fn audit_path(q: &atalaia_core::wire::AuditQuery) -> String {
    let mut url = reqwest::Url::parse("http://x/audit").expect("static url");
    {
        let mut pairs = url.query_pairs_mut();
        let text = [
            ("text", &q.text),
            ("username", &q.username),
            ("kind", &q.kind),
            ("ip", &q.ip),
            ("route", &q.route),
            ("action", &q.action),
            ("target", &q.target),
        ];
        for (name, value) in text {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                pairs.append_pair(name, v);
            }
        }
        for (name, value) in [("from", q.from), ("to", q.to)] {
            if let Some(t) = value {
                pairs.append_pair(name, &t.to_rfc3339());
            }
        }
        if let Some(l) = q.limit {
            pairs.append_pair("limit", &l.to_string());
        }
    }
    match url.query() {
        Some(query) if !query.is_empty() => format!("/audit?{query}"),
        _ => "/audit".into(),
    }
}

/// A person's alarms for the record (III-2.14): those the server listed, each replaced by the
/// live feed's newer copy, plus any the feed brought since — newest first.
pub fn person_alarms<'a>(
    fetched: &'a [atalaia_core::alarm::Alarm],
    model: &'a LiveModel,
    person: PersonId,
) -> Vec<&'a atalaia_core::alarm::Alarm> {
    use atalaia_core::alarm::Subject;
    let mut all: Vec<&atalaia_core::alarm::Alarm> =
        fetched.iter().map(|a| model.alarms.get(&a.id).unwrap_or(a)).collect();
    all.extend(
        model
            .alarms
            .values()
            .filter(|a| a.subject == Subject::Person(person) && !fetched.iter().any(|f| f.id == a.id)),
    );
    all.sort_by(|a, b| b.raised_at.cmp(&a.raised_at).then(b.id.cmp(&a.id)));
    all
}

/// What an administrator reads of an alarm on the person's record (III-2.14): when and what,
/// where it stands, every operator's note with its author, and how it was closed.
pub fn alarm_lines(
    a: &atalaia_core::alarm::Alarm,
    model: &LiveModel,
    me: &atalaia_core::wire::UserInfo,
    tz: chrono_tz::Tz,
) -> Vec<String> {
    use atalaia_core::alarm::AlarmState;
    let name = |u: atalaia_core::ids::UserId| {
        if u == me.id {
            me.display_name.clone()
        } else {
            model.name_of(u).unwrap_or("usuário não identificado").to_owned()
        }
    };
    let state = match &a.state {
        AlarmState::Open => "aguardando operador".to_owned(),
        AlarmState::Claimed { by, .. } => format!("assumido por {}", name(*by)),
        AlarmState::InProcedure { by, .. } => format!("em procedimento com {}", name(*by)),
        AlarmState::Closed { by, at, outcome, .. } => format!(
            "encerrado por {} em {} ({})",
            name(*by),
            crate::format::datetime(*at, tz),
            atalaia_core::text::outcome(*outcome)
        ),
        AlarmState::Restored { at } => format!("normalizado em {}", crate::format::datetime(*at, tz)),
    };
    let mut lines = vec![format!(
        "{} · {} · {state}",
        crate::format::datetime(a.raised_at, tz),
        atalaia_core::text::alarm_kind(a.kind)
    )];
    for n in &a.notes {
        let what = n.measure.map(|m| format!("{} — ", atalaia_core::text::measure(m))).unwrap_or_default();
        lines.push(format!("{} {}: {what}{}", crate::format::datetime(n.at, tz), name(n.by), n.text));
    }
    if let AlarmState::Closed { note, .. } = &a.state
        && !note.trim().is_empty()
    {
        lines.push(format!("Nota de encerramento: {note}"));
    }
    lines
}

/// A person's identification and contact as the record shows it (III-2.21, 16.2.16): only
/// what is known, the CPF punctuated, the age beside the birth date (as of `today`).
pub fn personal_lines(d: &atalaia_core::monitoring::PersonalData, today: chrono::NaiveDate) -> Vec<String> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let mut ids = Vec::new();
    if let Some(c) = d.cpf.as_deref() {
        ids.push(match c.len() {
            11 => format!("CPF {}.{}.{}-{}", &c[0..3], &c[3..6], &c[6..9], &c[9..11]),
            _ => format!("CPF {c}"),
        });
    }
    if let Some(rg) = d.rg.as_deref() {
        ids.push(format!("RG {rg}"));
    }
    if let Some(born) = d.birth_date {
        let mut age = today.year() - born.year();
        if (today.month(), today.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        ids.push(format!("nascido(a) em {} ({age} anos)", born.format("%d/%m/%Y")));
    }
    if !ids.is_empty() {
        out.push(ids.join(" · "));
    }
    if let Some(m) = d.mother_name.as_deref() {
        out.push(format!("Mãe: {m}"));
    }
    if let Some(a) = d.address.as_deref() {
        out.push(format!("Endereço: {a}"));
    }
    if let Some(p) = d.phone.as_deref() {
        out.push(format!("Telefone: {p}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use atalaia_core::monitoring::{DeviceAction, Why};
    use chrono::Utc;

    #[test]
    fn iii_2_14_a_persons_alarms_say_who_held_them_every_note_with_its_author_and_the_closing() {
        use atalaia_core::alarm::{Alarm, AlarmKind, AlarmNote, AlarmState, Outcome, Subject};
        use atalaia_core::ids::UserId;
        let person = PersonId::new();
        let (joana, eu) = (UserId::new(), UserId::new());
        let me = atalaia_core::wire::UserInfo {
            id: eu,
            username: "admmon".into(),
            display_name: "Rafael Costa".into(),
            role: atalaia_core::auth::Role::MonitoringAdmin,
            profile: None,
            permissions: None,
            active: true,
            unit: None,
        };
        let t = |h: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 7, h, 0, 0).unwrap();
        let mut closed = Alarm::new(AlarmKind::Tamper, Subject::Person(person), None, t(10), t(10));
        closed.notes.push(AlarmNote {
            by: joana,
            at: t(11),
            text: "Liguei: bateu a perna.".into(),
            measure: None,
        });
        closed.state = AlarmState::Closed {
            by: joana,
            at: t(12),
            outcome: Outcome::FalseAlarm,
            note: "Cinta íntegra.".into(),
        };
        let mut model = LiveModel::default();
        let tz = chrono_tz::America::Porto_Velho;
        let lines = alarm_lines(&closed, &model, &me, tz);
        assert_eq!(lines[1], "07/12/2026 07:00:00 usuário não identificado: Liguei: bateu a perna.");
        model.names.insert(joana, "Joana Rocha".into());
        assert!(!model.unnamed_user(eu));
        assert_eq!(
            alarm_lines(&closed, &model, &me, tz),
            [
                "07/12/2026 06:00:00 · Violação do dispositivo · encerrado por Joana Rocha em 07/12/2026 08:00:00 (Alarme falso)",
                "07/12/2026 07:00:00 Joana Rocha: Liguei: bateu a perna.",
                "Nota de encerramento: Cinta íntegra.",
            ]
        );
        // 16.2.12: a measure the administrator recorded afterwards says what it was.
        let mut measured = closed.clone();
        measured
            .record_measure(
                eu,
                t(15),
                atalaia_core::alarm::Measure::Letter,
                "Ofício 212/2026 ao juízo da VEP",
            )
            .expect("recorded on a closed alarm");
        assert_eq!(
            alarm_lines(&measured, &model, &me, tz)[2],
            "07/12/2026 11:00:00 Rafael Costa: Ofício enviado — Ofício 212/2026 ao juízo da VEP"
        );
        // The feed's newer copy replaces the fetched one; one the feed brought since is added.
        let mut newer = Alarm::new(AlarmKind::StrapCut, Subject::Person(person), None, t(13), t(13));
        newer.state = AlarmState::Claimed { by: eu, at: t(13) };
        let mut fetched_open = closed.clone();
        fetched_open.state = AlarmState::Open;
        model.alarms.insert(closed.id, closed.clone());
        model.alarms.insert(newer.id, newer.clone());
        let other = Alarm::new(AlarmKind::Tamper, Subject::Person(PersonId::new()), None, t(14), t(14));
        model.alarms.insert(other.id, other);
        let shown = person_alarms(std::slice::from_ref(&fetched_open), &model, person);
        assert_eq!(shown.iter().map(|a| a.id).collect::<Vec<_>>(), [newer.id, closed.id]);
        assert!(matches!(shown[1].state, AlarmState::Closed { .. }), "the feed's copy is newer");
        assert!(alarm_lines(shown[0], &model, &me, tz)[0].ends_with("assumido por Rafael Costa"));
        model.alarms.get_mut(&newer.id).expect("in the model").notes.push(AlarmNote {
            by: UserId::new(),
            at: t(13),
            text: "x".into(),
            measure: None,
        });
        assert!(model.unnamed_user(eu), "a note by someone new asks for the names again");
    }

    #[test]
    fn iii_2_21_a_persons_identification_is_shown_as_people_read_it() {
        let d = atalaia_core::monitoring::PersonalData {
            cpf: Some("52998224725".into()),
            rg: Some("1234567 SESDEC/RO".into()),
            birth_date: chrono::NaiveDate::from_ymd_opt(1988, 3, 7),
            mother_name: Some("Maria das Dores".into()),
            address: None,
            phone: Some("(69) 99999-0000".into()),
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 6).expect("a day");
        assert_eq!(
            personal_lines(&d, today),
            [
                "CPF 529.982.247-25 · RG 1234567 SESDEC/RO · nascido(a) em 07/03/1988 (37 anos)",
                "Mãe: Maria das Dores",
                "Telefone: (69) 99999-0000",
            ]
        );
        assert!(personal_lines(&atalaia_core::monitoring::PersonalData::default(), today).is_empty());
    }

    #[test]
    fn iii_2_12_the_screen_offers_only_what_the_state_allows_as_the_server_rules_say() {
        // Every step offered for a state is accepted by the core's rules, and every step not
        // offered is refused (Replace needs a spare, so it is checked with one).
        let person = PersonId::new();
        for state in [
            DeviceState::Stock,
            DeviceState::Active,
            DeviceState::Defective,
            DeviceState::Lost,
            DeviceState::Deactivated,
        ] {
            for worn in [false, true] {
                let mut d = fixtures::device("860000000000009", DeviceKind::AnkleBracelet);
                d.state = state;
                d.person_id = (worn && state == DeviceState::Active).then_some(person);
                let offered = steps(&d);
                for (step, action) in [
                    (Step::Activate, DeviceAction::Activate { person_id: None }),
                    (
                        Step::Replace,
                        DeviceAction::Replace { by: DeviceId::new(), outcome: DeviceState::Defective },
                    ),
                    (Step::Return, DeviceAction::Return),
                    (Step::Defective, DeviceAction::Defective),
                    (Step::Lost, DeviceAction::Lost),
                    (Step::Restock, DeviceAction::Restock),
                    (Step::Deactivate, DeviceAction::Deactivate),
                ] {
                    let accepted =
                        d.clone().apply(action, Why { by: "x", at: Utc::now(), reason: "x" }).is_ok();
                    assert_eq!(offered.contains(&step), accepted, "{state:?} worn={worn} {step:?}");
                }
            }
        }
    }

    #[test]
    fn rfs173_an_audit_search_sends_only_the_filters_given_encoded() {
        let q = atalaia_core::wire::AuditQuery {
            text: Some("Otávio & cia".into()),
            kind: Some("person".into()),
            ip: Some("  ".into()),
            limit: Some(200),
            ..Default::default()
        };
        assert_eq!(audit_path(&q), "/audit?text=Ot%C3%A1vio+%26+cia&kind=person&limit=200");
        assert_eq!(audit_path(&atalaia_core::wire::AuditQuery::default()), "/audit");
    }

    #[test]
    fn people_and_devices_are_found_by_any_word_typed_without_accents() {
        let mut model = LiveModel::default();
        let ivo = fixtures::person("Ivo Rangel");
        let ana = fixtures::person("Ana Conceição");
        let mut worn = fixtures::device("861000000000101", DeviceKind::AnkleBracelet);
        worn.person_id = Some(ana.id);
        let mut spare = fixtures::device("861000000000102", DeviceKind::AnkleBracelet);
        spare.state = DeviceState::Stock;
        let mut unit = fixtures::device("861000000000103", DeviceKind::VictimUnit);
        unit.state = DeviceState::Stock;
        for p in [&ivo, &ana] {
            model.persons.insert(p.id, p.clone());
        }
        for d in [&worn, &spare, &unit] {
            model.devices.insert(d.id, d.clone());
        }
        let names = |v: Vec<&Person>| v.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(people(&model, "")), ["Ana Conceição", "Ivo Rangel"]);
        assert_eq!(names(people(&model, "conceicao")), ["Ana Conceição"]);
        let imeis = |v: Vec<&Device>| v.iter().map(|d| d.imei.clone()).collect::<Vec<_>>();
        assert_eq!(imeis(devices(&model, "ana", None)), ["861000000000101"], "by the wearer's name");
        assert_eq!(imeis(devices(&model, "", None))[0], "861000000000101", "active first");
        assert_eq!(imeis(spares_for(&model, &worn)), ["861000000000102"], "same kind, in stock");
        assert_eq!(names(wearers_for(&model, DeviceKind::AnkleBracelet, spare.id)), ["Ivo Rangel"]);
        assert_eq!(
            names(wearers_for(&model, DeviceKind::AnkleBracelet, worn.id)),
            ["Ana Conceição", "Ivo Rangel"]
        );
        assert!(wearers_for(&model, DeviceKind::VehicleTracker, unit.id).is_empty());
        assert_eq!(super::worn(&model).get(&ana.id), Some(&"861000000000101"));
        assert_eq!(super::worn(&model).get(&ivo.id), None);
    }
}
