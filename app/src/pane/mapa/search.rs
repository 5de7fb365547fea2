//! Address and coordinate search that centres the map (issue 7 item 7, seed 003 16.2.5):
//! coordinates typed in decimal degrees are taken as they are; anything else is looked up among
//! the places the system already knows (occurrence addresses, zones, monitored people, the
//! municipality seats of the base map) and, when a Nominatim-compatible geocoder is configured
//! and reachable, through it.

use super::Focus;
use super::basemap::BaseMap;
use atalaia_client::LiveModel;
use atalaia_core::geom::LatLon;
use iced::Task;

/// A place found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub label: String,
    pub at: LatLon,
    /// Where it came from ("coordenada", "endereço conhecido", "geocodificador", …).
    pub source: &'static str,
    /// A zone found by its name: chosen, it is also selected (its actions at hand).
    pub zone: Option<atalaia_core::ids::ZoneId>,
}

use atalaia_core::text::fold;

/// "-19.9191, -43.9386", "-19,9191 -43,9386" (Brazilian decimal commas with a space between)
/// or "-19.9191;-43.9386": latitude first.
pub fn parse_coordinates(s: &str) -> Option<LatLon> {
    let s = s.trim();
    let parts: Vec<&str> = if s.contains(';') {
        s.split(';').collect()
    } else if s.contains(", ") {
        s.split(", ").collect()
    } else if s.matches(',').count() == 1 && !s.contains(char::is_whitespace) {
        s.split(',').collect()
    } else {
        s.split_whitespace().collect()
    };
    let nums: Vec<f64> =
        parts.iter().map(|p| p.trim().replace(',', ".").parse::<f64>()).collect::<Result<_, _>>().ok()?;
    match nums[..] {
        [lat, lon] if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {
            Some(LatLon { lat, lon })
        }
        _ => None,
    }
}

/// Matches among what the system knows, best first (at most `limit`).
pub fn known(model: &LiveModel, query: &str, limit: usize) -> Vec<Found> {
    let q = fold(query.trim());
    if q.chars().count() < 3 {
        return Vec::new();
    }
    let mut out: Vec<Found> = Vec::new();
    let mut push =
        |label: String, at: LatLon, source: &'static str, zone: Option<atalaia_core::ids::ZoneId>| {
            if out.len() < limit && !out.iter().any(|f| f.label == label) {
                out.push(Found { label, at, source, zone });
            }
        };
    let mut occurrences: Vec<_> = model.occurrences.values().collect();
    occurrences.sort_by_key(|o| std::cmp::Reverse(o.created_at));
    for o in occurrences {
        if let Some(at) = o.location
            && (fold(&o.address).contains(&q) || fold(&o.number).contains(&q))
        {
            push(format!("{} — {}", o.address, o.municipality), at, "endereço conhecido", None);
        }
    }
    for z in model.zones.values() {
        if fold(&z.name).contains(&q) {
            let at = match &z.shape {
                atalaia_core::geom::Shape::Circle { center, .. } => *center,
                atalaia_core::geom::Shape::Rectangle { south_west, north_east } => LatLon {
                    lat: (south_west.lat + north_east.lat) / 2.0,
                    lon: (south_west.lon + north_east.lon) / 2.0,
                },
                atalaia_core::geom::Shape::Polygon { ring } => {
                    ring.first().copied().unwrap_or(LatLon { lat: 0.0, lon: 0.0 })
                }
            };
            push(format!("Zona {}", z.name), at, "zona", Some(z.id));
        }
    }
    for seat in &BaseMap::get().seats {
        if fold(&seat.name).contains(&q) {
            push(format!("{} ({})", seat.name, seat.uf), seat.at(), "município", None);
        }
    }
    out
}

/// Asks a Nominatim-compatible geocoder at `base` (e.g. `https://nominatim.example/`).
pub async fn geocode(base: String, query: String) -> Result<Vec<Found>, String> {
    let places = atalaia_client::geocoder::search(&base, &query).await?;
    Ok(places
        .into_iter()
        .map(|p| Found { label: p.label, at: p.at, source: "geocodificador", zone: None })
        .collect())
}

/// The map's search: what was typed, what was found, and the place the last search went to.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Nominatim-compatible geocoder root URL, when one is configured.
    pub(super) geocoder: Option<String>,
    pub(super) query: String,
    /// The place the last search went to, ringed until the next search.
    pub(super) searched: Option<Focus>,
    pub(super) found: Vec<Found>,
    /// Said under the search field (nothing found, the geocoder unreachable).
    pub(super) note: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Query(String),
    Search,
    /// The geocoder's answer to this query.
    Geocoded(String, Result<Vec<Found>, String>),
    /// The n-th place found chosen.
    Go(usize),
}

/// What the map does for its search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Event {
    /// Go to the place chosen: the view is centred on it, at street zoom at least (a zone is
    /// also selected and fitted).
    Go(LatLon, Option<atalaia_core::ids::ZoneId>),
}

impl State {
    pub fn update(&mut self, message: Message, model: &LiveModel) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Query(q) => {
                self.query = q;
                self.note = None;
            }
            Message::Search => return (self.search(model), None),
            Message::Geocoded(query, _) if query != self.query.trim() => {}
            Message::Geocoded(_, result) => match result {
                Ok(places) if places.is_empty() && self.found.is_empty() => {
                    self.note = Some("Nada encontrado.".into());
                }
                Ok(places) => {
                    self.note = None;
                    let known = std::mem::take(&mut self.found);
                    self.found = places.into_iter().chain(known).take(8).collect();
                }
                Err(why) => {
                    self.note = Some(if self.found.is_empty() {
                        format!("Nada encontrado entre os endereços conhecidos; {why}.")
                    } else {
                        format!("Mostrando endereços conhecidos; {why}.")
                    });
                }
            },
            Message::Go(i) => {
                if let Some(f) = self.found.get(i).cloned() {
                    self.searched = Some(Focus { at: f.at, label: f.label.chars().take(48).collect() });
                    self.found.clear();
                    return (Task::none(), Some(Event::Go(f.at, f.zone)));
                }
            }
        }
        (Task::none(), None)
    }

    fn search(&mut self, model: &LiveModel) -> Task<Message> {
        let q = self.query.trim().to_owned();
        self.found.clear();
        self.note = None;
        if q.is_empty() {
            return Task::none();
        }
        if let Some(at) = parse_coordinates(&q) {
            self.found = vec![Found {
                label: format!("{:.5}, {:.5}", at.lat, at.lon),
                at,
                source: "coordenada",
                zone: None,
            }];
            return Task::done(Message::Go(0));
        }
        self.found = known(model, &q, 6);
        match &self.geocoder {
            Some(base) => {
                let asked = q.clone();
                Task::perform(geocode(base.clone(), q), move |r| Message::Geocoded(asked.clone(), r))
            }
            None => {
                if self.found.is_empty() {
                    self.note = Some("Nada encontrado entre os endereços conhecidos.".into());
                }
                Task::none()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_in_the_usual_ways() {
        let bh = Some(LatLon { lat: -19.9191, lon: -43.9386 });
        for typed in [
            "-19.9191, -43.9386",
            "-19.9191,-43.9386",
            "-19,9191 -43,9386",
            "-19.9191 -43.9386",
            " -19.9191;-43.9386 ",
        ] {
            assert_eq!(parse_coordinates(typed), bh, "{typed:?}");
        }
        for typed in ["Rua da Bahia", "-119.9, -43.9", "-19.9", "1, 2, 3", ""] {
            assert_eq!(parse_coordinates(typed), None, "{typed:?}");
        }
    }

    #[test]
    fn known_places_match_without_accents() {
        let model = LiveModel::default();
        let found = known(&model, "candeias", 5);
        assert_eq!(found.first().map(|f| f.label.as_str()), Some("Candeias do Jamari (RO)"));
        assert!(known(&model, "RIBEIRAO DAS", 5).iter().any(|f| f.label.starts_with("Ribeirão das Neves")));
        assert!(known(&model, "xy", 5).is_empty(), "too short to search");
    }
}
