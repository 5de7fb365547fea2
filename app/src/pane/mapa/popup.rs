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
            format!("Zona {} · {}", z.name, atalaia_core::text::zone_kind(z.kind))
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
                lines.push(format!("{} · base {}", atalaia_core::text::vehicle_kind(v.kind), v.base));
                lines.push(format!(
                    "{:.0} km/h · {}",
                    v.telemetry.speed_kmh,
                    format::datetime(v.updated_at, tz)
                ));
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
