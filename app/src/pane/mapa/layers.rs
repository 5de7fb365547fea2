//! The map's layers: what each one shows in the picture (the [`Scene`] copied out of the live
//! model for the painting thread) and what a click on it picks.

use super::track::MEMBER_COLOURS;
use super::viewport::screen;
use super::{HIT, Picked, State, scene};
use crate::theme;
use atalaia_client::LiveModel;
use atalaia_core::alarm::Subject;
use atalaia_core::geom::{LatLon, Shape};
use atalaia_core::ids::PersonId;
use atalaia_core::mercator::View;
use atalaia_core::monitoring::{Position, Zone};
use atalaia_core::samu::Priority;
use iced::Point;
use scene::Scene;
use std::collections::HashSet;
use std::sync::Arc;

/// A layer the operator can switch off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    Vehicles,
    People,
    Occurrences,
    Zones,
    Accuracy,
    Trails,
    Pois,
}

impl Layer {
    pub const ALL: [Layer; 7] = [
        Layer::Vehicles,
        Layer::People,
        Layer::Occurrences,
        Layer::Zones,
        Layer::Pois,
        Layer::Accuracy,
        Layer::Trails,
    ];

    pub(super) fn label(self) -> &'static str {
        match self {
            Layer::Vehicles => "Viaturas",
            Layer::People => "Monitorados",
            Layer::Occurrences => "Ocorrências",
            Layer::Zones => "Zonas",
            Layer::Accuracy => "Precisão",
            Layer::Trails => "Rastros",
            Layer::Pois => "Pontos de interesse",
        }
    }
}

/// Above this many trails on the map only the ones that matter are drawn: vehicles and people in
/// alarm. Thousands of trails are noise to an operator (and cost ~260 ms a frame on tiny-skia).
pub const ALL_TRAILS_UP_TO: usize = 300;

impl State {
    pub(super) fn hit(&self, model: &LiveModel, v: &View, at: Point, p: LatLon) -> Option<Picked> {
        let near = |q: LatLon| {
            let d = screen(v, q).distance(at);
            (d <= HIT).then_some(d)
        };
        let mut best: Option<(f32, Picked)> = None;
        fn consider(best: &mut Option<(f32, Picked)>, d: Option<f32>, what: Picked) {
            if let Some(d) = d
                && best.is_none_or(|(b, _)| d < b)
            {
                *best = Some((d, what));
            }
        }
        if self.layers.contains(&Layer::Vehicles) {
            for veh in model.vehicles.values() {
                consider(&mut best, vehicle_position(model, veh).and_then(near), Picked::Vehicle(veh.id));
            }
        }
        if self.layers.contains(&Layer::Pois) {
            for (i, poi) in self.pois.iter().enumerate() {
                consider(&mut best, near(poi.at), Picked::Poi(i));
            }
        }
        if best.is_some() {
            return best.map(|(_, w)| w);
        }
        if self.layers.contains(&Layer::People) {
            // Below the grouping zoom a click on a group zoomed in above; a click here is on a
            // person drawn alone (or in alarm).
            for (device, trail) in &model.trails {
                let Some(last) = trail.back() else { continue };
                let person = last.person_id.or_else(|| model.devices.get(device).and_then(|d| d.person_id));
                if person.is_none() {
                    continue;
                }
                consider(&mut best, near(last.at), Picked::Person(*device));
            }
        }
        if self.layers.contains(&Layer::Occurrences) {
            for o in model.regulation_queue() {
                consider(&mut best, o.location.and_then(near), Picked::Occurrence(o.id));
            }
        }
        if best.is_some() {
            return best.map(|(_, w)| w);
        }
        if self.layers.contains(&Layer::Zones) {
            // The smallest zone containing the point (nested zones: the inner one).
            let mut zones: Vec<&Zone> =
                model.zones.values().filter(|z| z.lifted.is_none() && z.shape.contains(&p)).collect();
            zones.sort_by(|a, b| shape_area(&a.shape).total_cmp(&shape_area(&b.shape)));
            return zones.first().map(|z| Picked::Zone(z.id));
        }
        None
    }

    /// The scene for `view` (the picture's, margin included), copied out of the model.
    pub(super) fn scene(&self, model: &LiveModel, view: View, generation: u64) -> Scene {
        let on = |l: Layer| self.layers.contains(&l);
        let in_alarm = people_in_alarm(model);
        let person_of =
            |p: &Position| p.person_id.or_else(|| model.devices.get(&p.device_id).and_then(|d| d.person_id));
        let trails = if on(Layer::Trails) {
            let moving = model.trails.values().filter(|t| t.len() > 1);
            let all = moving.clone().count() <= ALL_TRAILS_UP_TO;
            moving
                .filter(|t| {
                    (all && t.back().is_some_and(|l| {
                        if l.vehicle_id.is_some() { on(Layer::Vehicles) } else { on(Layer::People) }
                    })) || t.back().is_some_and(|last| {
                        last.vehicle_id.is_some() && on(Layer::Vehicles)
                            || person_of(last).is_some_and(|p| in_alarm.contains(&p))
                    })
                })
                .map(|t| t.iter().map(|p| p.at).collect())
                .collect()
        } else {
            Vec::new()
        };
        let occurrences = if on(Layer::Occurrences) {
            let queue = model.regulation_queue();
            [
                Some(Priority::NotUrgent),
                Some(Priority::LessUrgent),
                Some(Priority::Urgent),
                Some(Priority::VeryUrgent),
                Some(Priority::Emergency),
                None,
            ]
            .into_iter()
            .map(|level| {
                (level, queue.iter().filter(|o| o.priority == level).filter_map(|o| o.location).collect())
            })
            .collect()
        } else {
            Vec::new()
        };
        let (mut people, mut alarmed, mut accuracy) = (Vec::new(), Vec::new(), Vec::new());
        for trail in model.trails.values() {
            let Some(last) = trail.back() else { continue };
            match person_of(last) {
                Some(p) if in_alarm.contains(&p) => alarmed.push(last.at),
                Some(_) if on(Layer::People) => people.push(last.at),
                _ => continue,
            }
            if on(Layer::Accuracy)
                && let Some(m) = last.accuracy_m
            {
                accuracy.push((last.at, m));
            }
        }
        let vehicles = if on(Layer::Vehicles) {
            model
                .vehicles
                .values()
                .filter_map(|v| {
                    Some((
                        vehicle_position(model, v)?,
                        theme::vehicle_status(v.status),
                        v.telemetry.course_deg as f32,
                    ))
                })
                .collect()
        } else {
            Vec::new()
        };
        let editing = self.zones.editor.as_ref().and_then(|e| e.zone);
        let zones = if on(Layer::Zones) {
            let mut z: Vec<scene::ZoneDraw> = model
                .zones
                .values()
                // Lifted zones are history (III-2.13); suspended ones stay in sight, greyed.
                .filter(|z| z.lifted.is_none() && Some(z.id) != editing)
                .map(|z| scene::ZoneDraw {
                    shape: z.shape.clone(),
                    kind: z.kind,
                    warning_m: z.warning_m,
                    selected: self.picked == Some(Picked::Zone(z.id)),
                    suspended: !z.active,
                })
                .collect();
            // Large zones under small ones.
            z.sort_by(|a, b| shape_area(&b.shape).total_cmp(&shape_area(&a.shape)));
            z
        } else {
            Vec::new()
        };
        let mut tracks = Vec::new();
        if let Some(t) = &self.track.playback {
            let events: Vec<LatLon> = t.marks.iter().map(|m| m.place).collect();
            if !t.points.is_empty() {
                tracks.push(scene::TrackDraw {
                    points: Arc::clone(&t.points),
                    played: t.played(t.now),
                    now: t.position_at(t.now),
                    events: events.clone(),
                    colour: theme::PURPLE,
                });
            }
            // A group: a colour per member (the events on the first line drawn).
            for (i, m) in t.members.iter().enumerate() {
                tracks.push(scene::TrackDraw {
                    points: Arc::clone(&m.points),
                    played: m.played(t.now),
                    now: m.position_at(t.now),
                    events: if i == 0 && t.points.is_empty() { events.clone() } else { Vec::new() },
                    colour: MEMBER_COLOURS[i % MEMBER_COLOURS.len()],
                });
            }
        }
        let tiles = self.tiles().map(|t| t.for_view(&view)).unwrap_or_default();
        let pois =
            if on(Layer::Pois) { self.pois.iter().map(|p| (p.at, p.kind)).collect() } else { Vec::new() };
        Scene {
            pois,
            generation,
            view,
            ratio: self.painting.pixel_ratio,
            tiles,
            zones,
            accuracy,
            trails,
            tracks,
            occurrences,
            people,
            alarmed,
            vehicles,
        }
    }
}

/// Area for ordering zones (square degrees; only compared with each other).
fn shape_area(s: &Shape) -> f64 {
    match s {
        Shape::Circle { radius_m, .. } => std::f64::consts::PI * (radius_m / 111_320.0).powi(2),
        Shape::Rectangle { south_west, north_east } => {
            (north_east.lat - south_west.lat).abs() * (north_east.lon - south_west.lon).abs()
        }
        Shape::Polygon { ring } => {
            let n = ring.len();
            (0..n)
                .map(|i| {
                    let (a, b) = (ring[i], ring[(i + 1) % n]);
                    a.lon * b.lat - b.lon * a.lat
                })
                .sum::<f64>()
                .abs()
                / 2.0
        }
    }
}

/// People with an active alarm about them (directly or through their device).
pub fn people_in_alarm(model: &LiveModel) -> HashSet<PersonId> {
    model
        .alarms
        .values()
        .filter(|a| a.is_active())
        .filter_map(|a| match a.subject {
            Subject::Person(p) => Some(p),
            Subject::Device(d) => model.devices.get(&d).and_then(|d| d.person_id),
            Subject::Vehicle(_) | Subject::Occurrence(_) => None,
        })
        .collect()
}

pub fn vehicle_position(model: &LiveModel, v: &atalaia_core::samu::Vehicle) -> Option<LatLon> {
    v.telemetry.position.or_else(|| v.device_id.and_then(|d| model.last_position(d)).map(|p| p.at))
}
