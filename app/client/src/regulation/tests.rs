use super::*;

fn occurrence() -> Occurrence {
    crate::fixtures::occurrence(OccurrenceId::new(), Utc::now())
}

use atalaia_core::ids::{OccurrenceId, UserId};
use chrono::Utc;

#[test]
fn rfs124_tdc_proc_3_the_first_regulation_carries_every_field_the_regulator_filled() {
    let o = occurrence();
    let base = RegulationDraft::of(&o);
    let mut d = base.clone();
    assert_eq!(
        d.to_update(&base, &o).err(),
        Some(Refusal::Nothing),
        "as the occurrence stands: nothing to send"
    );
    d.demand_type = Some(DemandType::Clinical);
    d.request_type = Some(RequestType::PreHospital);
    d.description = "Dor torácica há 30 min, sudorese, PA 90x60".into();
    d.priority = Some(Priority::Emergency);
    d.ambulance_needed = Some(true);
    d.resource = Some(VehicleKind::Usb);
    d.orientation = "Manter o paciente em repouso, não oferecer alimentos".into();
    d.toggle_support("Corpo de Bombeiros");
    d.conduct = "AAS 200 mg mastigado".into();
    d.destination = "Hospital João XXIII".into();
    let up = d.to_update(&base, &o).expect("sent");
    assert_eq!(up.stage, RegulatorStage::Primary, "never regulated: the primary regulator");
    assert_eq!(up.demand_type, Some(DemandType::Clinical));
    assert_eq!(up.request_type, Some(RequestType::PreHospital));
    assert_eq!(up.description.as_deref(), Some("Dor torácica há 30 min, sudorese, PA 90x60"));
    assert_eq!(
        (up.priority, up.ambulance_needed, up.resource),
        (Some(Priority::Emergency), Some(true), Some(VehicleKind::Usb))
    );
    assert_eq!(up.orientation.as_deref(), Some("Manter o paciente em repouso, não oferecer alimentos"));
    assert_eq!(up.external_support, Some(vec!["Corpo de Bombeiros".to_owned()]));
    assert_eq!(up.destination.as_deref(), Some("Hospital João XXIII"));
    assert!(up.patient_transport.is_none(), "untouched fields are not sent");
}

#[test]
fn rfs126_a_decided_priority_or_resource_changes_only_with_a_reason() {
    let mut o = occurrence();
    o.priority = Some(Priority::Urgent);
    o.resource = Some(VehicleKind::Usb);
    o.history.push(atalaia_core::samu::Change {
        at: Utc::now(),
        by: UserId::new(),
        by_name: "Dra. Ana".into(),
        stage: Some(RegulatorStage::Primary),
        field: "resource".into(),
        from: None,
        to: "usb".into(),
        reason: String::new(),
    });
    let base = RegulationDraft::of(&o);
    let mut d = base.clone();
    d.resource = Some(VehicleKind::Usa);
    assert_eq!(d.to_update(&base, &o).err(), Some(Refusal::ReasonRequired));
    d.reason = "  sinais de infarto ".into();
    let up = d.to_update(&base, &o).expect("with its reason");
    assert_eq!(up.stage, RegulatorStage::Secondary, "regulated once: the secondary regulator by default");
    assert_eq!(up.resource, Some(VehicleKind::Usa));
    assert_eq!(up.priority, None, "the priority did not change");
    assert_eq!(up.reason, "sinais de infarto");
    // A first decision needs no reason; text fields never do.
    let base = RegulationDraft::of(&o);
    let mut d = base.clone();
    d.conduct = "Oxigênio".into();
    assert!(d.to_update(&base, &o).is_ok());
}

#[test]
fn no_ambulance_means_no_vehicle_type_and_an_emptied_description_is_refused() {
    let mut o = occurrence();
    o.resource = Some(VehicleKind::Usb);
    o.ambulance_needed = Some(true);
    let base = RegulationDraft::of(&o);
    let mut d = base.clone();
    d.ambulance_needed = Some(false);
    d.resource = Some(VehicleKind::Usa);
    d.reason = "Orientação por telefone basta".into();
    let up = d.to_update(&base, &o).expect("sent");
    assert_eq!((up.ambulance_needed, up.resource), (Some(false), None));
    let base = RegulationDraft::of(&o);
    let mut d = base.clone();
    d.description = "   ".into();
    assert!(matches!(d.to_update(&base, &o), Err(Refusal::Invalid(m)) if m.contains("descrição")));
}

#[test]
fn rfs123_external_support_toggles_and_rfs128_patient_transport_is_sent_when_written() {
    let mut o = occurrence();
    o.external_support = vec!["Polícia Militar".into()];
    let base = RegulationDraft::of(&o);
    let mut d = base.clone();
    d.toggle_support("Polícia Militar");
    d.toggle_support("Defesa Civil");
    d.patient_transport = "Alta hospitalar, sem necessidade de suporte".into();
    let up = d.to_update(&base, &o).expect("sent");
    assert_eq!(up.external_support, Some(vec!["Defesa Civil".to_owned()]));
    assert_eq!(up.patient_transport.as_deref(), Some("Alta hospitalar, sem necessidade de suporte"));
}

#[test]
fn rfs131_what_another_regulator_changed_meanwhile_is_never_sent_back() {
    let mut o = occurrence();
    o.priority = Some(Priority::Urgent);
    o.history.push(atalaia_core::samu::Change {
        at: Utc::now(),
        by: UserId::new(),
        by_name: "Dra. Ana".into(),
        stage: Some(RegulatorStage::Primary),
        field: "priority".into(),
        from: None,
        to: "urgent".into(),
        reason: String::new(),
    });
    // A opens the call; B then changes the priority and the description.
    let base = RegulationDraft::of(&o);
    let mut d = base.clone();
    o.priority = Some(Priority::Emergency);
    o.description = "Piorou: inconsciente".into();
    // A writes a conduct only: that is all that is sent.
    d.conduct = "Oxigênio 10 l/min".into();
    let up = d.to_update(&base, &o).expect("sent");
    assert_eq!((up.priority, up.description), (None, None));
    assert_eq!(up.conduct.as_deref(), Some("Oxigênio 10 l/min"));
}

#[test]
fn rfs126_dropping_the_ambulance_of_a_decided_vehicle_type_needs_a_reason() {
    let mut o = occurrence();
    o.ambulance_needed = Some(true);
    o.resource = Some(VehicleKind::Usa);
    let base = RegulationDraft::of(&o);
    let mut d = base.clone();
    d.ambulance_needed = Some(false);
    d.resource = None;
    assert_eq!(d.to_update(&base, &o).err(), Some(Refusal::ReasonRequired));
    d.reason = "Orientação por telefone basta".into();
    let up = d.to_update(&base, &o).expect("with its reason");
    assert_eq!((up.ambulance_needed, up.resource), (Some(false), None));
}

#[test]
fn rfs131_each_regulator_of_the_call_with_their_stage_changes_and_last_act_most_recent_first() {
    let mut o = occurrence();
    let (ana, rui) = (UserId::new(), UserId::new());
    let t0 = Utc::now();
    let change = |by, name: &str, stage, field: &str, min| atalaia_core::samu::Change {
        at: t0 + chrono::Duration::minutes(min),
        by,
        by_name: name.into(),
        stage,
        field: field.into(),
        from: None,
        to: "x".into(),
        reason: String::new(),
    };
    o.history = vec![
        change(ana, "Dra. Ana", Some(RegulatorStage::Primary), "priority", 0),
        change(ana, "Dra. Ana", Some(RegulatorStage::Primary), "resource", 1),
        change(rui, "Dr. Rui", Some(RegulatorStage::Secondary), "conduct", 5),
        change(ana, "Dra. Ana", None, "destination", 3),
    ];
    let r = regulators(&o);
    assert_eq!(
        r.iter().map(|r| (r.name.as_str(), r.changes)).collect::<Vec<_>>(),
        [("Dr. Rui", 1), ("Dra. Ana", 3)]
    );
    assert_eq!((r[1].stage, r[1].last_field.as_str()), (Some(RegulatorStage::Primary), "destination"));
    assert_eq!(r[0].stage, Some(RegulatorStage::Secondary));
    assert!(regulators(&occurrence()).is_empty());
}
