//! A Nominatim-compatible geocoder (its `/search` API, JSON v2 with address details): the map's
//! address search (seed 003 16.2.5) and the TARM's address suggestions (RFS030) ask it for places
//! in Brazil matching what was typed.

use atalaia_core::geom::LatLon;
use serde::Deserialize;
use std::time::Duration;

/// A place the geocoder found.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Its full name ("Rua da Bahia, Centro, Belo Horizonte, Minas Gerais, Brasil").
    pub label: String,
    pub at: LatLon,
    /// Street and house number, when the place is on a street ("Rua da Bahia, 1148").
    pub street: Option<String>,
    /// The municipality it is in (city, town or village).
    pub municipality: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    display_name: String,
    lat: String,
    lon: String,
    #[serde(default)]
    address: Option<Address>,
}

#[derive(Deserialize, Default)]
struct Address {
    road: Option<String>,
    pedestrian: Option<String>,
    house_number: Option<String>,
    city: Option<String>,
    town: Option<String>,
    village: Option<String>,
    municipality: Option<String>,
}

/// Asks the geocoder at `base` (e.g. `https://nominatim.example/`) for up to five places; the
/// error is said in Portuguese.
pub async fn search(base: &str, query: &str) -> Result<Vec<Place>, String> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .user_agent(concat!("Atalaia/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            tracing::warn!("geocoder client: {e}");
            "geocodificador indisponível".to_owned()
        })?;
    let url = format!("{}/search", base.trim_end_matches('/'));
    let resp = http
        .get(url)
        .query(&[
            ("q", query),
            ("format", "jsonv2"),
            ("limit", "5"),
            ("countrycodes", "br"),
            ("addressdetails", "1"),
        ])
        .send()
        .await
        .map_err(|e| {
            tracing::info!("geocoder: {e}");
            "geocodificador inacessível".to_owned()
        })?;
    if !resp.status().is_success() {
        return Err(format!("geocodificador respondeu {}", resp.status().as_u16()));
    }
    let answers: Vec<Answer> = resp.json().await.map_err(|e| {
        tracing::info!("geocoder answer: {e}");
        "resposta inválida do geocodificador".to_owned()
    })?;
    Ok(answers.into_iter().filter_map(place).collect())
}

fn place(a: Answer) -> Option<Place> {
    let at = LatLon { lat: a.lat.parse().ok()?, lon: a.lon.parse().ok()? };
    at.validate().ok()?;
    let address = a.address.unwrap_or_default();
    let street = address.road.or(address.pedestrian).map(|road| match address.house_number {
        Some(n) => format!("{road}, {n}"),
        None => road,
    });
    let municipality = address.city.or(address.town).or(address.village).or(address.municipality);
    Some(Place { label: a.display_name, at, street, municipality })
}
