//! Investigative queries at the console (16.2.18, 16.2.22–16.2.28): who was near a place in a
//! period, who met whom, which places several people frequent — asked as people ask them (a
//! place as coordinates, a radius in metres, a period in the site's time), checked by the same
//! rules the server applies.

use atalaia_core::ids::PersonId;
use chrono::{DateTime, SecondsFormat, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Query {
    /// Who was within a radius of a place (16.2.18, 16.2.24).
    #[default]
    Nearby,
    /// Encounters of a person or a group's people (16.2.27).
    Encounters,
    /// Places a group's people (or a person) frequent (16.2.28).
    CommonPlaces,
}

impl Query {
    pub const ALL: [Query; 3] = [Query::Nearby, Query::Encounters, Query::CommonPlaces];

    pub fn label(self) -> &'static str {
        match self {
            Query::Nearby => "Quem esteve perto de um local",
            Query::Encounters => "Encontros entre monitorados",
            Query::CommonPlaces => "Locais frequentados em comum",
        }
    }
}

/// What is asked, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub query: Query,
    /// Coordinates as a person types them ("-8,7612 -63,9004").
    pub place: String,
    /// Metres.
    pub radius: String,
    pub from: String,
    /// Empty: now.
    pub to: String,
    /// Encounters and common places: one person, or else a group.
    pub person: Option<PersonId>,
    pub group: String,
}

/// The request: path under `/api/v1` and the period it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub path: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Draft {
    pub fn request(&self, tz: chrono_tz::Tz, now: DateTime<Utc>) -> Result<Request, String> {
        let (from, to) = crate::reports::typed_period(&self.from, &self.to, tz, now)?;
        let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let period = format!("from={}&to={}", at(from), at(to));
        let path = match self.query {
            Query::Nearby => {
                let place =
                    crate::intake::parse_coordinates(&self.place).map_err(|why| format!("Local: {why}"))?;
                let radius: f64 = self
                    .radius
                    .trim()
                    .replace(',', ".")
                    .parse()
                    .map_err(|_| "Raio: informe os metros (ex.: 300).".to_owned())?;
                crate::refusal(atalaia_core::investigate::check_period(
                    from,
                    to,
                    Some((place.lat, place.lon, radius)),
                ))?;
                format!(
                    "/investigations/nearby?lat={}&lon={}&radius_m={radius}&{period}",
                    place.lat, place.lon
                )
            }
            Query::Encounters | Query::CommonPlaces => {
                crate::refusal(atalaia_core::investigate::check_period(from, to, None))?;
                let who = match (self.person, self.group.trim()) {
                    (Some(p), _) => format!("person_id={p}"),
                    (None, "") => return Err("Escolha um monitorado ou informe um grupo.".into()),
                    (None, g) => format!("group={}", crate::api::segment(g)),
                };
                let what = if self.query == Query::Encounters { "encounters" } else { "common-places" };
                format!("/investigations/{what}?{who}&{period}")
            }
        };
        Ok(Request { path, from, to })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn req_16_2_18_an_investigation_is_asked_as_people_type_it_and_checked_as_the_server_does() {
        let tz = chrono_tz::America::Porto_Velho;
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let mut d =
            Draft { from: "06/12/2026 08:00".into(), place: "-8,7612 -63,9004".into(), ..Draft::default() };
        assert_eq!(d.request(tz, now).unwrap_err(), "Raio: informe os metros (ex.: 300).");
        d.radius = "300".into();
        let r = d.request(tz, now).unwrap();
        assert_eq!(
            r.path,
            "/investigations/nearby?lat=-8.7612&lon=-63.9004&radius_m=300&from=2026-12-06T12:00:00Z&to=2026-12-07T12:00:00Z"
        );
        d.radius = "9000".into();
        assert_eq!(d.request(tz, now).unwrap_err(), "O raio deve ficar entre 1 e 5.000 metros.");
        d.place = "rua tal".into();
        assert!(d.request(tz, now).unwrap_err().starts_with("Local: "));
        d.query = Query::Encounters;
        assert_eq!(d.request(tz, now).unwrap_err(), "Escolha um monitorado ou informe um grupo.");
        d.group = "Zona Leste".into();
        assert!(
            d.request(tz, now)
                .unwrap()
                .path
                .starts_with("/investigations/encounters?group=Zona%20Leste&from=")
        );
        d.query = Query::CommonPlaces;
        d.from = "01/10/2026 00:00".into();
        assert_eq!(d.request(tz, now).unwrap_err(), "O período pode ter no máximo 31 dias.");
    }
}
