//! Geographic primitives. All distance and containment work goes through the `geo` crate; this
//! module only adds validated WGS-84 coordinates and the zone shapes of the monitoring domain.
//!
//! Every distance a decision depends on (zone circles and buffers, encounters, proximity, the
//! nearest vehicle) is measured on the WGS-84 ellipsoid (`geo::Geodesic`, Karney's algorithm): a
//! sphere is 0.3–0.7 % off at Brazilian latitudes, 25 m on a 5 km circle (27.18.6.1–4, III-2.10).

use geo::{Bearing, Contains, Destination, Distance, Geodesic, LineString, Point, Polygon, Rect};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A WGS-84 coordinate in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

/// The smallest circular zone: below GNSS accuracy a zone cannot be told from its edge.
pub const MIN_RADIUS_M: f64 = 10.0;
/// The largest: a municipality (a larger restriction is drawn as a polygon of its border).
pub const MAX_RADIUS_M: f64 = 200_000.0;
/// Most vertices of a polygonal zone (a municipality's border simplified fits).
pub const MAX_VERTICES: usize = 2_000;

#[derive(Debug, Error, PartialEq)]
pub enum GeomError {
    #[error("latitude {0} outside -90..=90")]
    Latitude(f64),
    #[error("longitude {0} outside -180..=180")]
    Longitude(f64),
    #[error("radius must be between {MIN_RADIUS_M} and {MAX_RADIUS_M} m, got {0}")]
    Radius(f64),
    #[error("a polygon needs at least 3 distinct vertices, got {0}")]
    Polygon(usize),
    #[error("the polygon's edges cross each other")]
    SelfIntersection,
    #[error("a polygon may have at most {MAX_VERTICES} vertices, got {0}")]
    TooManyVertices(usize),
    #[error("rectangle corners are inverted")]
    Rectangle,
}

impl LatLon {
    /// A checked coordinate: NaN, infinities and out-of-range values are refused.
    pub fn new(lat: f64, lon: f64) -> Result<Self, GeomError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(GeomError::Latitude(lat));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(GeomError::Longitude(lon));
        }
        Ok(Self { lat, lon })
    }

    pub fn validate(&self) -> Result<(), GeomError> {
        Self::new(self.lat, self.lon).map(|_| ())
    }

    pub fn point(&self) -> Point<f64> {
        Point::new(self.lon, self.lat)
    }

    fn from_point(p: Point<f64>) -> Self {
        Self { lat: p.y(), lon: p.x() }
    }

    /// Geodesic distance on the WGS-84 ellipsoid, in metres.
    pub fn distance_m(&self, other: &LatLon) -> f64 {
        Geodesic.distance(self.point(), other.point())
    }

    /// Initial bearing of the geodesic towards `other`, degrees clockwise from north in 0..360.
    pub fn bearing_to(&self, other: &LatLon) -> f64 {
        Geodesic.bearing(self.point(), other.point()).rem_euclid(360.0)
    }

    /// The point reached travelling `metres` along the geodesic that starts at `bearing_deg`.
    pub fn moved(&self, bearing_deg: f64, metres: f64) -> LatLon {
        Self::from_point(Geodesic.destination(self.point(), bearing_deg, metres))
    }
}

/// WGS-84 semi-major axis, metres.
const WGS84_A: f64 = 6_378_137.0;
/// WGS-84 first eccentricity squared.
const WGS84_E2: f64 = 0.006_694_379_990_141_317;

/// Metres per degree of latitude and of longitude at latitude `lat` on the WGS-84 ellipsoid
/// (the meridional and the parallel's radius of curvature): the scale of a local projection that
/// stays within centimetres of the geodesic over a few kilometres.
pub fn metres_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    let w2 = 1.0 - WGS84_E2 * phi.sin().powi(2);
    let meridional = WGS84_A * (1.0 - WGS84_E2) / w2.powf(1.5);
    let normal = WGS84_A / w2.sqrt();
    let per_degree = std::f64::consts::PI / 180.0;
    (meridional * per_degree, normal * phi.cos() * per_degree)
}

/// Fewest metres a degree of latitude spans anywhere (at the equator): dividing a distance by it
/// gives a span in degrees that always covers the distance, for bounding boxes.
pub const MIN_METRES_PER_DEGREE_LAT: f64 = 110_574.0;

/// The geometry of a zone (seed 003 16.2.6: circle, rectangle, polygon).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Shape {
    Circle { center: LatLon, radius_m: f64 },
    Rectangle { south_west: LatLon, north_east: LatLon },
    Polygon { ring: Vec<LatLon> },
}

impl Shape {
    pub fn validate(&self) -> Result<(), GeomError> {
        match self {
            Shape::Circle { center, radius_m } => {
                center.validate()?;
                if !(MIN_RADIUS_M..=MAX_RADIUS_M).contains(radius_m) {
                    return Err(GeomError::Radius(*radius_m));
                }
            }
            Shape::Rectangle { south_west, north_east } => {
                south_west.validate()?;
                north_east.validate()?;
                if south_west.lat >= north_east.lat || south_west.lon >= north_east.lon {
                    return Err(GeomError::Rectangle);
                }
            }
            Shape::Polygon { ring } => {
                // The crossing test compares every edge with every other one.
                if ring.len() > MAX_VERTICES {
                    return Err(GeomError::TooManyVertices(ring.len()));
                }
                for p in ring {
                    p.validate()?;
                }
                let mut distinct: Vec<LatLon> = Vec::new();
                for p in ring {
                    if !distinct.contains(p) {
                        distinct.push(*p);
                    }
                }
                if distinct.len() < 3 {
                    return Err(GeomError::Polygon(distinct.len()));
                }
                // A bow tie has no inside a person can be told to stay in (or out of).
                let polygon = Polygon::new(
                    LineString::from(ring.iter().map(|p| (p.lon, p.lat)).collect::<Vec<_>>()),
                    vec![],
                );
                if let Err(geo::algorithm::validation::InvalidPolygon::SelfIntersection(_)) =
                    geo::Validation::check_validation(&polygon)
                {
                    return Err(GeomError::SelfIntersection);
                }
            }
        }
        Ok(())
    }

    /// Whether the point lies inside (boundary points of polygons count as outside, as in `geo`).
    pub fn contains(&self, p: &LatLon) -> bool {
        match self {
            Shape::Circle { center, radius_m } => center.distance_m(p) <= *radius_m,
            Shape::Rectangle { south_west, north_east } => {
                Rect::new(south_west.point().0, north_east.point().0).contains(&p.point())
            }
            Shape::Polygon { ring } => {
                let line: LineString<f64> = ring.iter().map(|c| (c.lon, c.lat)).collect();
                Polygon::new(line, vec![]).contains(&p.point())
            }
        }
    }

    /// A representative point for labels and map focus.
    pub fn anchor(&self) -> LatLon {
        match self {
            Shape::Circle { center, .. } => *center,
            Shape::Rectangle { south_west, north_east } => LatLon {
                lat: (south_west.lat + north_east.lat) / 2.0,
                lon: (south_west.lon + north_east.lon) / 2.0,
            },
            Shape::Polygon { ring } => {
                let n = ring.len().max(1) as f64;
                LatLon {
                    lat: ring.iter().map(|p| p.lat).sum::<f64>() / n,
                    lon: ring.iter().map(|p| p.lon).sum::<f64>() / n,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// III-2.8 (issue 22 item 5): a zone must be a shape a person can be told to stay in or out
    /// of — no bow ties, no circles of a light-year; a concave polygon is fine.
    #[test]
    fn iii_2_8_bow_ties_and_absurd_radii_are_refused_concave_polygons_are_not() {
        let p = |lat: f64, lon: f64| LatLon { lat, lon };
        let bow_tie = Shape::Polygon {
            ring: vec![p(-8.76, -63.91), p(-8.75, -63.89), p(-8.76, -63.89), p(-8.75, -63.91)],
        };
        assert_eq!(bow_tie.validate(), Err(GeomError::SelfIntersection));
        let concave = Shape::Polygon {
            ring: vec![
                p(-8.76, -63.91),
                p(-8.76, -63.89),
                p(-8.74, -63.89),
                p(-8.75, -63.90),
                p(-8.74, -63.91),
            ],
        };
        assert_eq!(concave.validate(), Ok(()));
        let circle = |r: f64| Shape::Circle { center: p(-8.76, -63.9), radius_m: r };
        for bad in [0.0, 9.9, 200_001.0, 1e308, f64::NAN, f64::INFINITY, -5.0] {
            assert!(matches!(circle(bad).validate(), Err(GeomError::Radius(_))), "{bad}");
        }
        for good in [MIN_RADIUS_M, 150.0, MAX_RADIUS_M] {
            assert_eq!(circle(good).validate(), Ok(()), "{good}");
        }
    }

    use super::*;

    // Porto Velho (RO) city centre and Belo Horizonte (MG) Praça Sete.
    const PVH: LatLon = LatLon { lat: -8.7612, lon: -63.9004 };
    const BH: LatLon = LatLon { lat: -19.9191, lon: -43.9386 };

    #[test]
    fn coordinates_are_validated() {
        assert!(LatLon::new(-8.76, -63.9).is_ok());
        assert_eq!(LatLon::new(91.0, 0.0), Err(GeomError::Latitude(91.0)));
        assert_eq!(LatLon::new(0.0, -181.0), Err(GeomError::Longitude(-181.0)));
        assert!(LatLon::new(f64::NAN, 0.0).is_err());
    }

    #[test]
    fn geodesic_distance_between_capitals() {
        // Porto Velho to Belo Horizonte is about 2,470 km.
        let d = PVH.distance_m(&BH);
        assert!((2_400_000.0..2_550_000.0).contains(&d), "{d}");
    }

    /// 27.18.6: distances on the ellipsoid. One degree of latitude at the equator is 110,574 m on
    /// WGS-84 (111,195 m on a sphere); one degree of longitude there 111,319 m.
    #[test]
    fn req_27_18_6_distances_are_measured_on_the_wgs84_ellipsoid() {
        let equator = LatLon { lat: 0.0, lon: -50.0 };
        let north = LatLon { lat: 1.0, lon: -50.0 };
        let east = LatLon { lat: 0.0, lon: -49.0 };
        assert!((equator.distance_m(&north) - 110_574.4).abs() < 1.0, "{}", equator.distance_m(&north));
        assert!((equator.distance_m(&east) - 111_319.5).abs() < 1.0, "{}", equator.distance_m(&east));
        for lat in [0.0, -9.0, -33.0, -60.0] {
            let (m_lat, m_lon) = metres_per_degree(lat);
            let p = LatLon { lat, lon: -50.0 };
            let dlat = p.distance_m(&LatLon { lat: lat + 0.001, lon: -50.0 }) * 1_000.0;
            let dlon = p.distance_m(&LatLon { lat, lon: -49.999 }) * 1_000.0;
            assert!((dlat - m_lat).abs() < 0.5, "{lat}: {dlat} vs {m_lat}");
            assert!((dlon - m_lon).abs() < 0.5, "{lat}: {dlon} vs {m_lon}");
            assert!(m_lat >= MIN_METRES_PER_DEGREE_LAT);
        }
    }

    #[test]
    fn moving_then_measuring_round_trips() {
        let there = PVH.moved(45.0, 1_000.0);
        assert!((PVH.distance_m(&there) - 1_000.0).abs() < 0.5);
        assert!((PVH.bearing_to(&there) - 45.0).abs() < 0.1);
    }

    #[test]
    fn shapes_contain_what_they_should() {
        let circle = Shape::Circle { center: PVH, radius_m: 200.0 };
        assert!(circle.contains(&PVH.moved(10.0, 150.0)));
        assert!(!circle.contains(&PVH.moved(10.0, 250.0)));

        let rect = Shape::Rectangle {
            south_west: LatLon { lat: -8.77, lon: -63.91 },
            north_east: LatLon { lat: -8.75, lon: -63.89 },
        };
        assert!(rect.contains(&PVH));
        assert!(!rect.contains(&BH));

        let tri = Shape::Polygon {
            ring: vec![
                LatLon { lat: -8.70, lon: -63.95 },
                LatLon { lat: -8.80, lon: -63.95 },
                LatLon { lat: -8.75, lon: -63.85 },
            ],
        };
        assert!(tri.validate().is_ok());
        assert!(tri.contains(&PVH));
        assert!(!tri.contains(&LatLon { lat: -8.70, lon: -63.86 }));
    }

    #[test]
    fn degenerate_shapes_are_refused() {
        assert_eq!(Shape::Circle { center: PVH, radius_m: 0.0 }.validate(), Err(GeomError::Radius(0.0)));
        assert_eq!(Shape::Polygon { ring: vec![PVH, PVH, BH] }.validate(), Err(GeomError::Polygon(2)));
        assert_eq!(
            Shape::Rectangle { south_west: BH, north_east: PVH }.validate(),
            Err(GeomError::Rectangle)
        );
    }
}
