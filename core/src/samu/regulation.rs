//! The regulators' record (RFS124–RFS132): an update changes only the fields it carries, and
//! every change is kept with who made it, as which regulator, when and why (RFS126, RFS129,
//! RFS131) — a USB redefined to a USA stays visible as such (TDC-PROC 3e).

use super::{Change, Occurrence, OccurrencePhase};
use crate::ids::UserId;
use crate::wire::RegulationUpdate;
use chrono::{DateTime, Utc};

/// Wire name of a value (`"usa"`, `"very_urgent"`) for the history.
fn wire<T: serde::Serialize>(v: &T) -> Option<String> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
        Ok(serde_json::Value::Null) | Ok(serde_json::Value::String(_)) | Err(_) => None,
        Ok(serde_json::Value::Array(a)) if a.is_empty() => None,
        Ok(other) => Some(other.to_string()),
    }
}

/// Set `slot` to `new` when it differs, keeping the change.
fn change<T: serde::Serialize + PartialEq>(
    history: &mut Vec<Change>,
    template: &Change,
    field: &str,
    slot: &mut T,
    new: T,
) {
    if *slot == new {
        return;
    }
    history.push(Change {
        field: field.into(),
        from: wire(slot),
        to: wire(&new).unwrap_or_default(),
        ..template.clone()
    });
    *slot = new;
}

/// Apply a regulator's update to `o`; the number of fields changed, or why it cannot be applied
/// (in Portuguese, for the regulator).
pub fn regulate(
    o: &mut Occurrence,
    up: &RegulationUpdate,
    by: UserId,
    by_name: &str,
    now: DateTime<Utc>,
) -> Result<usize, String> {
    match o.phase {
        OccurrencePhase::Intake => {
            return Err(format!(
                "A ocorrência {} ainda está com o TARM: aguarde o encaminhamento à regulação.",
                o.number
            ));
        }
        OccurrencePhase::Closed => {
            return Err(format!(
                "A ocorrência {} está encerrada: acrescente informações como complemento.",
                o.number
            ));
        }
        OccurrencePhase::Regulation | OccurrencePhase::Dispatched => {}
    }
    if up.resource.is_some() && up.ambulance_needed.or(o.ambulance_needed) == Some(false) {
        return Err(
            "A regulação registrou que não há necessidade de ambulância; altere isso antes de escolher a viatura."
                .into(),
        );
    }
    let t = Change {
        at: now,
        by,
        by_name: by_name.to_owned(),
        stage: Some(up.stage),
        field: String::new(),
        from: None,
        to: String::new(),
        reason: up.reason.trim().to_owned(),
    };
    let before = o.history.len();
    let h = &mut o.history;
    if let Some(v) = up.demand_type {
        change(h, &t, "demand_type", &mut o.demand_type, Some(v));
    }
    if let Some(v) = up.request_type {
        change(h, &t, "request_type", &mut o.request_type, Some(v));
    }
    if let Some(v) = &up.description {
        change(h, &t, "description", &mut o.description, v.trim().to_owned());
    }
    if let Some(v) = up.priority {
        change(h, &t, "priority", &mut o.priority, Some(v));
    }
    if let Some(v) = up.ambulance_needed {
        change(h, &t, "ambulance_needed", &mut o.ambulance_needed, Some(v));
        if !v {
            change(h, &t, "resource", &mut o.resource, None);
        }
    }
    if let Some(v) = up.resource {
        change(h, &t, "ambulance_needed", &mut o.ambulance_needed, Some(true));
        change(h, &t, "resource", &mut o.resource, Some(v));
    }
    if let Some(v) = &up.orientation {
        change(h, &t, "orientation", &mut o.orientation, v.trim().to_owned());
    }
    if let Some(v) = &up.external_support {
        let v: Vec<String> = v.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        change(h, &t, "external_support", &mut o.external_support, v);
    }
    if let Some(v) = &up.conduct {
        change(h, &t, "conduct", &mut o.conduct, v.trim().to_owned());
    }
    if let Some(v) = &up.destination {
        change(h, &t, "destination", &mut o.destination, v.trim().to_owned());
    }
    if let Some(v) = &up.patient_transport {
        change(h, &t, "patient_transport", &mut o.patient_transport, v.trim().to_owned());
    }
    let changed = o.history.len() - before;
    if changed > 0 {
        o.updated_at = now;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OccurrenceId;
    use crate::samu::{CallType, Priority, RegulatorStage, VehicleKind};
    use chrono::{Duration, TimeZone};

    fn t(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).single().expect("time") + Duration::seconds(s)
    }

    fn occurrence(phase: OccurrencePhase) -> Occurrence {
        Occurrence::new(
            OccurrenceId::new(),
            "2026-000001".into(),
            CallType::Atendimento,
            String::new(),
            "31988887777".into(),
            "Rua A, 1".into(),
            "Belo Horizonte".into(),
            None,
            "dor".into(),
            phase,
            UserId::new(),
            t(0),
        )
    }

    fn update(stage: RegulatorStage, json: serde_json::Value) -> RegulationUpdate {
        let mut v = json;
        v["stage"] = serde_json::to_value(stage).expect("stage");
        serde_json::from_value(v).expect("update")
    }

    #[test]
    fn every_change_is_kept_with_who_and_as_which_regulator() {
        use RegulatorStage::*;
        let (ana, bruno) = (UserId::new(), UserId::new());
        let mut o = occurrence(OccurrencePhase::Regulation);
        // (who, stage, update, at, fields changed, (field, from, to) appended)
        type Step<'a> =
            (UserId, RegulatorStage, serde_json::Value, i64, usize, Vec<(&'a str, Option<&'a str>, &'a str)>);
        let steps: Vec<Step> = vec![
            (
                ana,
                Primary,
                serde_json::json!({"priority": "very_urgent", "resource": "usb", "demand_type": "trauma"}),
                60,
                4,
                vec![
                    ("demand_type", None, "trauma"),
                    ("priority", None, "very_urgent"),
                    ("ambulance_needed", None, "true"),
                    ("resource", None, "usb"),
                ],
            ),
            // The same values again change nothing.
            (ana, Primary, serde_json::json!({"priority": "very_urgent", "resource": "usb"}), 70, 0, vec![]),
            (
                bruno,
                Secondary,
                serde_json::json!({"resource": "usa", "priority": "emergency", "reason": "suporte avançado"}),
                90,
                2,
                vec![("priority", Some("very_urgent"), "emergency"), ("resource", Some("usb"), "usa")],
            ),
            (
                bruno,
                Secondary,
                serde_json::json!({"conduct": "  Imobilizar  "}),
                120,
                1,
                vec![("conduct", None, "Imobilizar")],
            ),
            (
                ana,
                Primary,
                serde_json::json!({"ambulance_needed": false}),
                150,
                2,
                vec![("ambulance_needed", Some("true"), "false"), ("resource", Some("usa"), "")],
            ),
        ];
        for (who, stage, json, at, changed, appended) in steps {
            let before = o.history.len();
            let up = update(stage, json.clone());
            assert_eq!(regulate(&mut o, &up, who, "Dr(a).", t(at)), Ok(changed), "{json}");
            let got: Vec<_> = o.history[before..]
                .iter()
                .map(|c| (c.field.as_str(), c.from.as_deref(), c.to.as_str()))
                .collect();
            assert_eq!(got, appended, "{json}");
            assert!(
                o.history[before..].iter().all(|c| c.by == who && c.stage == Some(stage) && c.at == t(at))
            );
        }
        assert_eq!(o.priority, Some(Priority::Emergency));
        assert_eq!(o.resource, None);
        let priorities: Vec<_> = o.priority_history().map(|c| (c.by, c.to.as_str())).collect();
        assert_eq!(priorities, [(ana, "very_urgent"), (bruno, "emergency")]);
        assert_eq!(o.history[5].reason, "suporte avançado");
        assert_eq!(o.updated_at, t(150));
    }

    #[test]
    fn what_cannot_be_regulated() {
        let up = update(RegulatorStage::Primary, serde_json::json!({"priority": "urgent"}));
        let mut intake = occurrence(OccurrencePhase::Intake);
        assert!(regulate(&mut intake, &up, UserId::new(), "x", t(1)).is_err_and(|e| e.contains("TARM")));
        let mut closed = occurrence(OccurrencePhase::Closed);
        assert!(regulate(&mut closed, &up, UserId::new(), "x", t(1)).is_err_and(|e| e.contains("encerrada")));
        let mut o = occurrence(OccurrencePhase::Dispatched);
        o.ambulance_needed = Some(false);
        let usa = update(RegulatorStage::Secondary, serde_json::json!({"resource": "usa"}));
        assert!(regulate(&mut o, &usa, UserId::new(), "x", t(1)).is_err_and(|e| e.contains("ambulância")));
        assert!(o.history.is_empty(), "a refused update records nothing");
        assert_eq!(o.resource, None::<VehicleKind>);
    }
}
