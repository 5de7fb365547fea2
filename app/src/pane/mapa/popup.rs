//! What the popup says about what was picked on the map, and where it is.

use super::{Picked, pois, vehicle_position};
use atalaia_client::{LiveModel, format};
use atalaia_core::alarm::Subject;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::DeviceId;

/// Where a picked vehicle, person or occurrence is now.
pub(super) fn picked_at(model: &LiveModel, pois: &[pois::Poi], p: Picked) -> Option<LatLon> {
    match p {
        Picked::Poi(i) => pois.get(i).map(|p| p.at),
        Picked::Vehicle(v) => vehicle_position(model, model.vehicles.get(&v)?),
        Picked::Person(d) => model.last_position(d).map(|p| p.at),
        Picked::Occurrence(o) => model.occurrences.get(&o)?.location,
        Picked::Zone(z) => Some(model.zones.get(&z)?.shape.anchor()),
    }
}

/// One line naming what was picked.
pub(super) fn picked_title(model: &LiveModel, pois: &[pois::Poi], p: Picked) -> String {
    match p {
        Picked::Poi(i) => {
            pois.get(i).map_or_else(String::new, |p| format!("{} · {}", p.name, p.kind.label()))
        }
        Picked::Vehicle(v) => model.vehicles.get(&v).map_or_else(String::new, |v| {
            format!("{} · {}", v.code, atalaia_core::text::vehicle_status(v.status))
        }),
        Picked::Person(d) => {
            let person = model.devices.get(&d).and_then(|d| d.person_id).and_then(|p| model.persons.get(&p));
            person.map_or_else(
                || model.devices.get(&d).map_or_else(String::new, |d| format!("Dispositivo {}", d.imei)),
                |p| p.name.clone(),
            )
        }
        Picked::Occurrence(o) => {
            model.occurrences.get(&o).map_or_else(String::new, |o| format!("Ocorrência {}", o.number))
        }
        Picked::Zone(z) => model.zones.get(&z).map_or_else(String::new, |z| {
            let state = match (&z.lifted, z.active) {
                (Some(_), _) => "revogada",
                (None, true) => "em vigor",
                (None, false) => "suspensa",
            };
            format!("Zona {} · {} · {state}", z.name, atalaia_core::text::zone_kind(z.kind))
        }),
    }
}

/// The popup's lines for what was picked.
pub(super) fn popup_lines(
    model: &LiveModel,
    pois: &[pois::Poi],
    p: Picked,
    tz: chrono_tz::Tz,
) -> Vec<String> {
    let mut lines = vec![picked_title(model, pois, p)];
    match p {
        Picked::Poi(i) => {
            if let Some(p) = pois.get(i) {
                lines.push(format!("{:.5}, {:.5}", p.at.lat, p.at.lon));
            }
        }
        Picked::Vehicle(id) => {
            if let Some(v) = model.vehicles.get(&id) {
                lines.extend(vehicle_lines(model, v, tz));
            }
        }
        Picked::Person(d) => {
            if let Some(fix) = model.last_position(d) {
                lines.push(format!("Última posição {}", format::datetime(fix.fix_time, tz)));
                let mut health = Vec::new();
                if let Some(b) = fix.battery_pct {
                    health.push(format!("bateria {b:.0}%"));
                }
                if let Some(a) = fix.accuracy_m {
                    health.push(format!("precisão {a:.0} m"));
                }
                if !health.is_empty() {
                    lines.push(health.join(" · "));
                }
            }
            let alarms =
                model.alarms.values().filter(|a| a.is_active() && alarm_device(model, a) == Some(d)).count();
            if alarms > 0 {
                lines.push(format!("{alarms} alarme(s) ativo(s)"));
            }
        }
        Picked::Occurrence(id) => {
            if let Some(o) = model.occurrences.get(&id) {
                let level = o.priority.map_or("Sem classificação", atalaia_core::text::priority);
                lines.push(format!("{level} · {}", o.municipality));
                lines.push(o.address.clone());
            }
        }
        Picked::Zone(id) => {
            if let Some(z) = model.zones.get(&id) {
                let owner = z
                    .person_id
                    .and_then(|p| model.persons.get(&p))
                    .map(|p| p.name.clone())
                    .or_else(|| z.group.clone().map(|g| format!("grupo {g}")))
                    .unwrap_or_default();
                lines.push(owner);
                if let Some(m) = z.warning_m {
                    lines.push(format!("faixa de advertência {m:.0} m"));
                }
                if let Some(s) = &z.schedule {
                    let tz = s.timezone.as_deref().map(|t| format!(" (hora de {t})")).unwrap_or_default();
                    lines.push(format!("vigora {}{tz}", atalaia_client::schedule_text::format(s)));
                }
                lines.push(atalaia_client::zones::state_line(z, tz));
            }
        }
    }
    lines.retain(|l| !l.is_empty());
    lines
}

/// The device an alarm is about (directly or through its person).
fn alarm_device(model: &LiveModel, a: &atalaia_core::alarm::Alarm) -> Option<DeviceId> {
    match a.subject {
        Subject::Device(d) => Some(d),
        Subject::Person(p) => model.devices.values().find(|d| d.person_id == Some(p)).map(|d| d.id),
        Subject::Vehicle(_) | Subject::Occurrence(_) => None,
    }
}

/// A vehicle as the fleet controller needs it (RFS051): type and base, who is on board (RFS064),
/// live telemetry (ignition,
/// siren, light bar, link), how old its position is and since when it stands still, and each
/// occurrence it is on with the chain of its phases (several when it took one more, RFS062), a
/// stretcher held at a unit (RFS061).
pub(super) fn vehicle_lines(
    model: &LiveModel,
    v: &atalaia_core::samu::Vehicle,
    tz: chrono_tz::Tz,
) -> Vec<String> {
    use crate::text as pt;
    let t = &v.telemetry;
    let conveniada = if v.conveniado { " · conveniada" } else { "" };
    let mut lines = vec![
        format!("{} · base {}{conveniada}", atalaia_core::text::vehicle_kind(v.kind), v.base),
        format!(
            "{:.0} km/h · ignição {} · sirene {} · giroflex {} · {}",
            t.speed_kmh,
            pt::on_off(t.ignition, false),
            pt::on_off(t.siren, false),
            pt::on_off(t.light_bar, true),
            pt::link(t.link)
        ),
        match t.fix_time {
            Some(at) => format!("posição de {}", format::datetime(at, tz)),
            None => "sem posição".to_owned(),
        },
    ];
    if let Some(crew) = &v.crew {
        let members: Vec<String> =
            crew.members.iter().map(|m| format!("{} {}", m.role.label(), m.name)).collect();
        lines.insert(
            1,
            format!("equipe desde {}: {}", format::hour_minute(crew.since, tz), members.join(" · ")),
        );
    }
    if let Some(since) = t.still_since.filter(|_| !v.status.is_free()) {
        lines.push(format!("parada desde {}", format::hour_minute(since, tz)));
    }
    let mut on: Vec<&atalaia_core::samu::Dispatch> =
        model.dispatches.values().filter(|d| d.vehicle_id == v.id).collect();
    on.sort_by_key(|d| d.committed_at);
    for d in on {
        let number = model.occurrences.get(&d.occurrence_id).map_or("?", |o| o.number.as_str());
        let chain: Vec<String> = atalaia_client::record::phases(d)
            .into_iter()
            .map(|(at, p)| {
                // A report sent late (no signal): the crew's time beside the server's (RFS015).
                let crew = atalaia_client::record::reported_at(d, p)
                    .map(|r| format!(" (equipe {})", format::hour_minute(r, tz)))
                    .unwrap_or_default();
                format!("{} {}{crew}", pt::phase_short(p), format::hour_minute(at, tz))
            })
            .collect();
        let additional = if d.additional { " (adicional)" } else { "" };
        lines.push(format!("{number}{additional}: {}", chain.join(" → ")));
        if let Some(r) = &d.stretcher {
            lines.push(format!("maca retida em {} — {}", r.unit, r.reason));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use atalaia_core::ids::{DispatchId, OccurrenceId, UserId, VehicleId};
    use atalaia_core::samu::crew::{CrewMember, CrewOnBoard, CrewRole};
    use atalaia_core::samu::{
        Dispatch, Link, Occurrence, OccurrencePhase, PhaseTimes, StretcherRetention, Telemetry, Vehicle,
        VehicleKind, VehicleStatus,
    };
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn rfs051_rfs061_rfs062_rfs064_a_vehicles_detail_tells_its_telemetry_and_each_call_with_its_phases() {
        let t = |min: i64| {
            Utc.with_ymd_and_hms(2026, 12, 6, 6, 0, 0).single().expect("time") + Duration::minutes(min)
        };
        let v = Vehicle {
            id: VehicleId::new(),
            code: "USA-02".into(),
            kind: VehicleKind::Usa,
            status: VehicleStatus::AtDestination,
            base: "Base Centro".into(),
            municipality: "Belo Horizonte".into(),
            conveniado: false,
            device_id: None,
            telemetry: Telemetry {
                ignition: true,
                siren: false,
                light_bar: true,
                link: Link::Satellite,
                speed_kmh: 0.0,
                position: Some(LatLon { lat: -19.92, lon: -43.94 }),
                fix_time: Some(t(50)),
                still_since: Some(t(40)),
                ..Telemetry::default()
            },
            updated_at: t(50),
            crew: Some(CrewOnBoard {
                members: vec![
                    CrewMember {
                        role: CrewRole::Driver,
                        name: "Paulo Mendes".into(),
                        registry: String::new(),
                    },
                    CrewMember {
                        role: CrewRole::Physician,
                        name: "Dra. Lúcia Prado".into(),
                        registry: String::new(),
                    },
                ],
                since: t(0),
                by: UserId::new(),
                by_name: "Usuário equipe".into(),
            }),
        };
        let mut model = LiveModel::default();
        let call = |number: &str| Occurrence {
            number: number.into(),
            phase: OccurrencePhase::Dispatched,
            ..atalaia_client::fixtures::occurrence(OccurrenceId::new(), t(0))
        };
        let (first, second) = (call("2026-000010"), call("2026-000011"));
        let dispatch = |o: &Occurrence, at: i64, additional: bool| Dispatch {
            id: DispatchId::new(),
            occurrence_id: o.id,
            vehicle_id: v.id,
            vehicle_code: v.code.clone(),
            committed_at: t(at),
            committed_by: UserId::new(),
            active: true,
            status: VehicleStatus::Committed,
            additional,
            times: PhaseTimes::default(),
            stretcher: None,
            ended: None,
            eta_s: None,
            reported: Default::default(),
        };
        let mut on_first = dispatch(&first, 1, false);
        on_first.times.acknowledged = Some(t(2));
        on_first.times.en_route = Some(t(3));
        on_first.times.on_scene = Some(t(15));
        on_first.reported.on_scene = Some(t(12));
        on_first.times.transporting = Some(t(30));
        on_first.times.at_destination = Some(t(40));
        on_first.times.stretcher_retained = Some(t(45));
        on_first.stretcher = Some(StretcherRetention {
            unit: "Hospital João XXIII".into(),
            reason: "Sem maca no pronto-socorro".into(),
            by: UserId::new(),
            at: t(45),
        });
        let on_second = dispatch(&second, 48, true);
        for d in [on_first, on_second] {
            model.dispatches.insert(d.id, d);
        }
        for o in [first, second] {
            model.occurrences.insert(o.id, o);
        }
        let tz = format::DEFAULT_TZ;
        assert_eq!(
            vehicle_lines(&model, &v, tz),
            [
                "USA · base Base Centro",
                "equipe desde 03:00: Condutor Paulo Mendes · Médico Dra. Lúcia Prado",
                "0 km/h · ignição ligada · sirene desligada · giroflex ligado · satélite",
                "posição de 06/12/2026 03:50:00",
                "parada desde 03:40",
                "2026-000010: empenho 03:01 → ciente 03:02 → a caminho 03:03 → no local 03:15 (equipe 03:12) → transporte 03:30 → no destino 03:40 → maca retida 03:45",
                "maca retida em Hospital João XXIII — Sem maca no pronto-socorro",
                "2026-000011 (adicional): empenho 03:48",
            ]
        );
    }
}
