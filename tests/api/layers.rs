//! GeoJSON layers: RFC 7946 validity, compression and conditional requests.

use geo::{Area, LineString};
use serde_json::Value;

use crate::helpers::spawn_app;

fn ring(value: &Value) -> LineString<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect()
}

fn decimals(v: &Value) -> usize {
    let text = v.to_string();
    text.split_once('.').map_or(0, |(_, d)| d.len())
}

/// Checks one polygon's rings: closed, exterior counter-clockwise, holes clockwise,
/// at most 6 decimals, WGS84 range.
fn check_polygon(rings: &Value, code: &str) {
    for (i, r) in rings.as_array().unwrap().iter().enumerate() {
        let ls = ring(r);
        assert!(ls.0.len() >= 4, "{code}: ring too short");
        assert_eq!(ls.0.first(), ls.0.last(), "{code}: ring not closed");
        let signed = geo::Polygon::new(ls.clone(), vec![]).signed_area();
        if i == 0 {
            assert!(
                signed > 0.0,
                "{code}: exterior ring is not counter-clockwise"
            );
        } else {
            assert!(signed < 0.0, "{code}: hole is not clockwise");
        }
        for p in r.as_array().unwrap() {
            assert!(
                decimals(&p[0]) <= 6 && decimals(&p[1]) <= 6,
                "{code}: {p} has more than 6 decimals"
            );
            assert!((-180.0..=180.0).contains(&p[0].as_f64().unwrap()));
            assert!((-90.0..=90.0).contains(&p[1].as_f64().unwrap()));
        }
    }
}

#[tokio::test]
async fn layers_are_valid_rfc_7946() {
    let app = spawn_app().await;
    let mut holes = 0;
    for (layer, count) in [("territories", 9), ("epci", 20), ("communes", 887)] {
        let response = app.get(&format!("/api/layers/{layer}.geojson")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/geo+json");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["type"], "FeatureCollection");
        assert!(body.get("crs").is_none(), "RFC 7946 has no crs member");
        let features = body["features"].as_array().unwrap();
        assert_eq!(features.len(), count, "{layer}");
        for f in features {
            assert_eq!(f["type"], "Feature");
            let code = f["properties"]["code"].as_str().unwrap();
            assert!(f["properties"]["name"].is_string());
            assert!(f["properties"]["population"].is_u64());
            let geometry = &f["geometry"];
            match geometry["type"].as_str().unwrap() {
                "Polygon" => check_polygon(&geometry["coordinates"], code),
                "MultiPolygon" => {
                    for polygon in geometry["coordinates"].as_array().unwrap() {
                        check_polygon(polygon, code);
                    }
                }
                other => panic!("{layer} {code}: unexpected {other}"),
            }
            holes += geometry.to_string().matches("]],[[").count();
        }
    }
    // The Nord enclave (Boursies, Doignies, Mœuvres) is a real hole in Arrageois' outline.
    assert!(holes > 0);
}

#[tokio::test]
async fn layers_are_gzipped_on_request_and_answer_304_to_their_etag() {
    let app = spawn_app().await;
    let url = format!("{}/api/layers/communes.geojson", app.base);
    let plain = app.http.get(&url).send().await.unwrap();
    let etag = plain.headers()["etag"].to_str().unwrap().to_owned();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();

    let gz = app
        .http
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.headers()["etag"].to_str().unwrap(), etag);
    let compressed = gz.bytes().await.unwrap();
    assert!(
        compressed.len() * 3 < plain.len(),
        "gzip saves little: {} vs {}",
        compressed.len(),
        plain.len()
    );
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&compressed[..]),
        &mut unzipped,
    )
    .unwrap();
    assert_eq!(unzipped, plain);

    let cached = app
        .http
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);
    assert!(cached.bytes().await.unwrap().is_empty());
    let stale = app
        .http
        .get(&url)
        .header("if-none-match", "\"stale\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 200);
}
