//! The map drawn when no tiles are available at all (issue 7 item 3): Brazil's outline and its
//! neighbours (Natural Earth through npm `world-atlas`, public domain / ISC), the 27 states'
//! boundaries (Debian `gmt-dcw`, LGPL-3+) and municipality seats of the Porto Velho and Belo
//! Horizonte regions plus the state capitals, simplified and embedded
//! (`app/assets/basemap/brasil.json`, made by `scripts/basemap/build.sh`; licences and sources in
//! `app/assets/basemap/NOTICE.md`). Always painted under the tiles, so a missing tile shows the
//! base map, never a blank.

use crate::raster::Layer;
use atalaia_core::geom::LatLon;
use atalaia_core::mercator::{self, View};
use iced::{Color, color};
use serde::Deserialize;
use std::sync::OnceLock;

const DATA: &[u8] = include_bytes!("../../../assets/basemap/brasil.json");

pub const SEA: Color = color!(0xc6dbe6);
const NEIGHBOUR: Color = color!(0xe4e2dc);
const NEIGHBOUR_BORDER: Color = color!(0xc9c5bc);
const LAND: Color = color!(0xf5f3ee);
const STATE_BORDER: Color = color!(0xb3a9c4);
const COUNTRY_BORDER: Color = color!(0x8c8499);

/// Below this zoom the coarse state outlines are drawn (the country at a glance).
const FINE_FROM_ZOOM: f64 = 7.0;

/// A ring in world pixels at zoom 0 (multiply by 2^z for zoom z), with its bounding box.
#[derive(Debug)]
struct Ring {
    points: Vec<(f64, f64)>,
    min: (f64, f64),
    max: (f64, f64),
}

impl Ring {
    fn new(lonlat: &[[f64; 2]]) -> Option<Self> {
        let points: Vec<(f64, f64)> = lonlat
            .iter()
            .map(|[lon, lat]| mercator::to_world(LatLon { lat: *lat, lon: *lon }, 0.0))
            .collect();
        if points.len() < 3 {
            return None;
        }
        let mut min = (f64::INFINITY, f64::INFINITY);
        let mut max = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for (x, y) in &points {
            min = (min.0.min(*x), min.1.min(*y));
            max = (max.0.max(*x), max.1.max(*y));
        }
        Some(Self { points, min, max })
    }

    fn visible(&self, w: &Window) -> bool {
        self.max.0 * w.k >= w.ox
            && self.min.0 * w.k <= w.ox + w.width
            && self.max.1 * w.k >= w.oy
            && self.min.1 * w.k <= w.oy + w.height
    }
}

/// The view as a window on world pixels: `k` = 2^zoom, origin and size in world pixels at zoom.
struct Window {
    k: f64,
    ox: f64,
    oy: f64,
    width: f64,
    height: f64,
}

impl Window {
    fn of(view: &View) -> Self {
        let k = view.zoom.exp2();
        let (cx, cy) = mercator::to_world(view.center, view.zoom);
        Self {
            k,
            ox: cx - view.width / 2.0,
            oy: cy - view.height / 2.0,
            width: view.width,
            height: view.height,
        }
    }

    fn screen(&self, (x, y): (f64, f64)) -> (f32, f32) {
        ((x * self.k - self.ox) as f32, (y * self.k - self.oy) as f32)
    }
}

#[derive(Debug)]
pub struct State {
    pub uf: String,
    pub name: String,
    rings: Vec<Ring>,
    coarse: Vec<Ring>,
    /// Where the state's initials go: the middle of its largest ring's box.
    pub label_at: LatLon,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Seat {
    pub name: String,
    pub uf: String,
    pub lat: f64,
    pub lon: f64,
    pub capital: bool,
}

impl Seat {
    pub fn at(&self) -> LatLon {
        LatLon { lat: self.lat, lon: self.lon }
    }
}

#[derive(Debug)]
pub struct BaseMap {
    country: Vec<Ring>,
    neighbours: Vec<Ring>,
    pub states: Vec<State>,
    pub seats: Vec<Seat>,
}

#[derive(Deserialize)]
struct RawNeighbour {
    rings: Vec<Vec<[f64; 2]>>,
}

#[derive(Deserialize)]
struct RawState {
    uf: String,
    name: String,
    rings: Vec<Vec<[f64; 2]>>,
    coarse: Vec<Vec<[f64; 2]>>,
}

#[derive(Deserialize)]
struct Raw {
    country: Vec<Vec<[f64; 2]>>,
    neighbours: Vec<RawNeighbour>,
    states: Vec<RawState>,
    seats: Vec<Seat>,
}

fn rings(raw: &[Vec<[f64; 2]>]) -> Vec<Ring> {
    raw.iter().filter_map(|r| Ring::new(r)).collect()
}

impl BaseMap {
    fn parse(data: &[u8]) -> Result<Self, serde_json::Error> {
        let raw: Raw = serde_json::from_slice(data)?;
        let states = raw
            .states
            .into_iter()
            .map(|s| {
                let rings = rings(&s.rings);
                let label_at = rings
                    .iter()
                    .max_by(|a, b| {
                        let area = |r: &Ring| (r.max.0 - r.min.0) * (r.max.1 - r.min.1);
                        area(a).total_cmp(&area(b))
                    })
                    .map(|r| mercator::from_world((r.min.0 + r.max.0) / 2.0, (r.min.1 + r.max.1) / 2.0, 0.0))
                    .unwrap_or(LatLon { lat: 0.0, lon: 0.0 });
                State { uf: s.uf, name: s.name, coarse: self::rings(&s.coarse), rings, label_at }
            })
            .collect();
        Ok(Self {
            country: rings(&raw.country),
            neighbours: raw.neighbours.iter().flat_map(|n| rings(&n.rings)).collect(),
            states,
            seats: raw.seats,
        })
    }

    /// The embedded base map, parsed once.
    pub fn get() -> &'static BaseMap {
        static MAP: OnceLock<BaseMap> = OnceLock::new();
        MAP.get_or_init(|| {
            BaseMap::parse(DATA).unwrap_or_else(|e| {
                // The file is part of the build; a broken one is a build defect, shown as sea.
                tracing::error!("embedded base map unreadable: {e}");
                BaseMap { country: Vec::new(), neighbours: Vec::new(), states: Vec::new(), seats: Vec::new() }
            })
        })
    }

    /// Paints land, neighbours and borders for `view` (logical pixels) into `layer`, whose
    /// background is expected to be [`SEA`].
    pub fn paint(&self, layer: &mut Layer, view: &View) {
        let w = Window::of(view);
        let trace = |b: &mut tiny_skia::PathBuilder, rings: &[Ring]| {
            for ring in rings.iter().filter(|r| r.visible(&w)) {
                let mut last = (f32::NAN, f32::NAN);
                for (i, p) in ring.points.iter().enumerate() {
                    let (x, y) = w.screen(*p);
                    if i == 0 {
                        b.move_to(x, y);
                    } else if (x - last.0).abs() + (y - last.1).abs() >= 0.7 {
                        // Points closer than a pixel add nothing but work.
                        b.line_to(x, y);
                    } else {
                        continue;
                    }
                    last = (x, y);
                }
                b.close();
            }
        };
        layer.fill(NEIGHBOUR, |b| trace(b, &self.neighbours));
        layer.stroke(NEIGHBOUR_BORDER, 1.0, |b| trace(b, &self.neighbours));
        layer.fill(LAND, |b| trace(b, &self.country));
        let fine = view.zoom >= FINE_FROM_ZOOM;
        let width = if view.zoom >= 9.0 { 1.6 } else { 1.0 };
        layer.stroke(STATE_BORDER, width, |b| {
            for s in &self.states {
                trace(b, if fine { &s.rings } else { &s.coarse });
            }
        });
        layer.stroke(COUNTRY_BORDER, width + 0.4, |b| trace(b, &self.country));
    }

    /// The state whose outline holds `p`, if any (for search and tests).
    pub fn state_at(&self, p: LatLon) -> Option<&State> {
        let (x, y) = mercator::to_world(p, 0.0);
        self.states.iter().find(|s| s.rings.iter().any(|r| contains(&r.points, x, y)))
    }
}

/// Even–odd point in ring.
fn contains(ring: &[(f64, f64)], x: f64, y: f64) -> bool {
    let mut inside = false;
    let mut j = ring.len() - 1;
    for i in 0..ring.len() {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_map_has_the_27_states_and_the_seats_lie_in_theirs() {
        let map = BaseMap::get();
        assert_eq!(map.states.len(), 27);
        assert!(!map.country.is_empty() && !map.neighbours.is_empty());
        for seat in &map.seats {
            let state = map.state_at(seat.at()).map(|s| s.uf.as_str());
            assert_eq!(state, Some(seat.uf.as_str()), "{} falls in {state:?}", seat.name);
        }
        let names: Vec<&str> = map.seats.iter().map(|s| s.name.as_str()).collect();
        for must in ["Porto Velho", "Belo Horizonte", "Contagem", "Candeias do Jamari", "Brasília"] {
            assert!(names.contains(&must), "{must} missing");
        }
        // Praça Sete is in Minas Gerais, Porto Velho's centre in Rondônia, the Atlantic in none.
        assert_eq!(map.state_at(LatLon { lat: -19.9191, lon: -43.9386 }).map(|s| s.uf.as_str()), Some("MG"));
        assert_eq!(map.state_at(LatLon { lat: -8.7612, lon: -63.9004 }).map(|s| s.uf.as_str()), Some("RO"));
        assert!(map.state_at(LatLon { lat: -20.0, lon: -30.0 }).is_none());
    }

    #[test]
    fn painting_brazil_gives_land_inside_and_sea_outside() {
        let view = View { center: LatLon { lat: -14.5, lon: -52.0 }, zoom: 4.0, width: 600.0, height: 500.0 };
        let mut layer = Layer::new(600.0, 500.0, 1.0, SEA).expect("layer");
        BaseMap::get().paint(&mut layer, &view);
        let px = |p: LatLon| {
            let (x, y) = view.project(p);
            layer.pixel(x as u32, y as u32).expect("on the picture")
        };
        let rgb = |c: Color| {
            [(c.r * 255.0).round() as u8, (c.g * 255.0).round() as u8, (c.b * 255.0).round() as u8, 255]
        };
        // Goiás' interior is land; the Atlantic off Recife is sea; Bolivia's interior a neighbour.
        assert_eq!(px(LatLon { lat: -15.0, lon: -49.0 }), rgb(LAND));
        assert_eq!(px(LatLon { lat: -8.0, lon: -30.0 }), rgb(SEA));
        assert_eq!(px(LatLon { lat: -17.0, lon: -64.5 }), rgb(NEIGHBOUR));
    }
}
