//! The GeoJSON layers of the map (territories, EPCI, communes), built once: the same
//! vector layers as the tiles, in the encoding GIS tools and the `/api/layers` route
//! read.
//!
//! RFC 7946: WGS84 lon/lat, exterior rings counter-clockwise and holes clockwise,
//! coordinates rounded to 6 decimals (~0.1 m, below the data's own precision).
//! Each layer is a [`PreparedBody`]. Pure: no I/O.

use geo::{MapCoords, MultiPolygon, Orient, orient::Direction};
use serde_json::{Map, Value, json};

use super::prepared::PreparedBody;
use crate::geography::{Geography, Zone};

#[derive(Debug, Clone)]
pub struct Layers {
    pub territories: PreparedBody,
    pub epci: PreparedBody,
    pub communes: PreparedBody,
}

/// Serialises the three layers of `geography`. CPU-bound: a few tens of milliseconds.
#[must_use]
pub fn build_layers(geography: &Geography) -> Layers {
    let territories = geography.territories.iter().map(|t| (&t.zone, Map::new()));
    let epci = geography.epci.iter().map(|e| {
        let mut extra = Map::new();
        extra.insert("short_name".into(), json!(e.short_name));
        extra.insert("kind".into(), json!(e.kind));
        extra.insert(
            "territory".into(),
            json!(geography.territories[e.territory].zone.code),
        );
        (&e.zone, extra)
    });
    let communes = geography.communes.iter().map(|c| {
        let mut extra = Map::new();
        extra.insert("epci".into(), json!(geography.epci[c.epci].zone.code));
        extra.insert(
            "territory".into(),
            json!(geography.territories[c.territory].zone.code),
        );
        (&c.zone, extra)
    });
    Layers {
        territories: PreparedBody::new(build_feature_collection(territories)),
        epci: PreparedBody::new(build_feature_collection(epci)),
        communes: PreparedBody::new(build_feature_collection(communes)),
    }
}

/// Rounds to 6 decimals (see module docs).
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// RFC 7946 geometry: a Polygon when there is one part, else a MultiPolygon.
#[must_use]
pub fn build_geometry(geometry: &MultiPolygon<f64>) -> geojson::Geometry {
    let g = geometry
        .orient(Direction::Default)
        .map_coords(|c| geo::coord! { x: round6(c.x), y: round6(c.y) });
    if g.0.len() == 1 {
        geojson::Geometry::from(&g.0[0])
    } else {
        geojson::Geometry::from(&g)
    }
}

fn build_feature_collection<'a>(
    zones: impl Iterator<Item = (&'a Zone, Map<String, Value>)>,
) -> Vec<u8> {
    let features: Vec<Value> = zones
        .map(|(zone, extra)| {
            let mut properties = Map::new();
            properties.insert("code".into(), json!(zone.code));
            properties.insert("name".into(), json!(zone.name));
            properties.insert("population".into(), json!(zone.population));
            properties.extend(extra);
            json!({
                "type": "Feature",
                "id": zone.code,
                "properties": properties,
                "geometry": build_geometry(&zone.geometry),
            })
        })
        .collect();
    serde_json::to_vec(&json!({"type": "FeatureCollection", "features": features}))
        .unwrap_or_default()
}
