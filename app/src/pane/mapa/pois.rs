//! Points of interest on the map (issue 7 item 4): hospitals, ambulance bases and cameras, read
//! from a GeoJSON file the site keeps (`atalaia --pois FILE`): a FeatureCollection of Points
//! whose properties carry `kind` (`hospital`, `base` or `camera`) and `name`. The demo brings its
//! own file of fictional places (`app/assets/demo/pois.geojson`).

use atalaia_core::geom::LatLon;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoiKind {
    Hospital,
    Base,
    Camera,
}

impl PoiKind {
    pub fn label(self) -> &'static str {
        match self {
            PoiKind::Hospital => "Hospital",
            PoiKind::Base => "Base",
            PoiKind::Camera => "Câmera",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Poi {
    pub kind: PoiKind,
    pub name: String,
    pub at: LatLon,
}

/// The embedded demo places (fictional).
pub const DEMO: &str = include_str!("../../../assets/demo/pois.geojson");

/// Reads the points of a GeoJSON FeatureCollection. A feature that is not a point of a known
/// kind is an error naming it (in Portuguese): a site's file is checked when it is loaded.
pub fn parse(text: &str) -> Result<Vec<Poi>, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("GeoJSON inválido: {e}"))?;
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| "GeoJSON sem \"features\" (esperado um FeatureCollection)".to_owned())?;
    features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let n = i + 1;
            let props = f.get("properties").unwrap_or(&Value::Null);
            let kind = match props.get("kind").and_then(Value::as_str) {
                Some("hospital") => PoiKind::Hospital,
                Some("base") => PoiKind::Base,
                Some("camera") => PoiKind::Camera,
                other => {
                    return Err(format!(
                        "ponto {n}: tipo {other:?} desconhecido (use \"hospital\", \"base\" ou \"camera\")"
                    ));
                }
            };
            let name = props.get("name").and_then(Value::as_str).unwrap_or_default().trim().to_owned();
            if name.is_empty() {
                return Err(format!("ponto {n}: sem nome"));
            }
            let geometry = f.get("geometry").unwrap_or(&Value::Null);
            if geometry.get("type").and_then(Value::as_str) != Some("Point") {
                return Err(format!("ponto {n} ({name}): a geometria deve ser um Point"));
            }
            let coords = geometry.get("coordinates").and_then(Value::as_array);
            let (Some(lon), Some(lat)) = (
                coords.and_then(|c| c.first()).and_then(Value::as_f64),
                coords.and_then(|c| c.get(1)).and_then(Value::as_f64),
            ) else {
                return Err(format!("ponto {n} ({name}): coordenadas [longitude, latitude] ausentes"));
            };
            let at = LatLon { lat, lon };
            at.validate().map_err(|_| format!("ponto {n} ({name}): coordenadas fora do intervalo"))?;
            Ok(Poi { kind, name, at })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_places_load_and_bad_files_are_refused_with_the_reason() {
        let demo = parse(DEMO).expect("demo file");
        for kind in [PoiKind::Hospital, PoiKind::Base, PoiKind::Camera] {
            assert!(demo.iter().any(|p| p.kind == kind), "{kind:?}");
        }
        let one = |props: &str, geometry: &str| {
            format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{props},"geometry":{geometry}}}]}}"#
            )
        };
        let point = r#"{"type":"Point","coordinates":[-43.93,-19.92]}"#;
        assert_eq!(
            parse(&one(r#"{"kind":"hospital","name":"H1"}"#, point)).expect("valid"),
            vec![Poi { kind: PoiKind::Hospital, name: "H1".into(), at: LatLon { lat: -19.92, lon: -43.93 } }]
        );
        let err = parse(&one(r#"{"kind":"escola","name":"E"}"#, point)).expect_err("kind");
        assert!(err.contains("ponto 1") && err.contains("desconhecido"), "{err}");
        let err = parse(&one(r#"{"kind":"base","name":""}"#, point)).expect_err("name");
        assert!(err.contains("sem nome"), "{err}");
        let err = parse(&one(r#"{"kind":"camera","name":"C"}"#, r#"{"type":"LineString","coordinates":[]}"#))
            .expect_err("geometry");
        assert!(err.contains("Point"), "{err}");
        let err = parse(&one(
            r#"{"kind":"camera","name":"C"}"#,
            r#"{"type":"Point","coordinates":[-43.9,-119.9]}"#,
        ))
        .expect_err("range");
        assert!(err.contains("fora do intervalo"), "{err}");
        assert!(parse("[1, 2").expect_err("json").starts_with("GeoJSON inválido"));
    }
}
