//! Vector tiles: decoded with an independent decoder (geozero's protobuf types) and
//! compared with the GeoJSON layers, snapshots of decoded tiles, HTTP behaviour,
//! TileJSON and style, the secret of protected establishments, invalidation after an
//! import, and the `PMTiles` export.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

use geozero::mvt::{Message, Tile, tile::GeomType};
use serde_json::{Value, json};

use crate::helpers::{TestApp, repo_path, spawn_app};
use ess_atlas::tiles::{EXTENT, TOLERANCE};

/// One decoded feature: properties, and rings in tile coordinates.
#[derive(Debug, Clone)]
struct Feature {
    properties: BTreeMap<String, Value>,
    geom_type: i32,
    rings: Vec<Vec<[i64; 2]>>,
    points: Vec<[i64; 2]>,
}

/// Decodes one layer of a tile, following the MVT 2.1 geometry commands.
fn decode(bytes: &[u8]) -> BTreeMap<String, (u32, Vec<Feature>)> {
    let tile = Tile::decode(bytes).expect("the tile is valid protobuf");
    let mut out = BTreeMap::new();
    for layer in tile.layers {
        assert_eq!(layer.version, 2, "MVT version");
        let extent = layer.extent.unwrap_or(4096);
        let mut features = Vec::new();
        for f in &layer.features {
            let mut properties = BTreeMap::new();
            for kv in f.tags.chunks(2) {
                let key = layer.keys[kv[0] as usize].clone();
                let v = &layer.values[kv[1] as usize];
                let value = if let Some(s) = &v.string_value {
                    json!(s)
                } else if let Some(i) = v.sint_value {
                    json!(i)
                } else if let Some(i) = v.int_value {
                    json!(i)
                } else if let Some(b) = v.bool_value {
                    json!(b)
                } else if let Some(d) = v.double_value {
                    json!(d)
                } else {
                    Value::Null
                };
                properties.insert(key, value);
            }
            let (mut x, mut y) = (0i64, 0i64);
            let mut rings: Vec<Vec<[i64; 2]>> = Vec::new();
            let mut points = Vec::new();
            let g = &f.geometry;
            let mut i = 0;
            while i < g.len() {
                let (id, count) = (g[i] & 7, g[i] >> 3);
                i += 1;
                let unzig = |v: u32| i64::from(((v >> 1) as i32) ^ -((v & 1) as i32));
                match id {
                    1 | 2 => {
                        for _ in 0..count {
                            x += unzig(g[i]);
                            y += unzig(g[i + 1]);
                            i += 2;
                            if id == 1 {
                                rings.push(Vec::new());
                                points.push([x, y]);
                            }
                            rings.last_mut().unwrap().push([x, y]);
                        }
                    }
                    7 => {}
                    other => panic!("unknown command {other}"),
                }
            }
            features.push(Feature {
                properties,
                geom_type: f.r#type.unwrap_or(0),
                rings,
                points,
            });
        }
        out.insert(layer.name.clone(), (extent, features));
    }
    out
}

fn area2(ring: &[[i64; 2]]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum()
}

/// Net area (exteriors minus holes), in square tile units ×2.
fn feature_area2(f: &Feature) -> i64 {
    f.rings.iter().map(|r| area2(r)).sum()
}

async fn tile(app: &TestApp, path: &str) -> (u16, Vec<u8>) {
    let r = app.get(path).await;
    let status = r.status().as_u16();
    (status, r.bytes().await.unwrap().to_vec())
}

/// lon/lat to tile units of tile (z, x, y).
fn to_tile(lon: f64, lat: f64, z: u8, x: u32, y: u32) -> [f64; 2] {
    let w = ess_atlas::tiles::topology::world([lon, lat], f64::from(EXTENT) * f64::from(1u32 << z));
    [
        w[0] - f64::from(x) * f64::from(EXTENT),
        w[1] - f64::from(y) * f64::from(EXTENT),
    ]
}

/// Area and perimeter of a GeoJSON (multi)polygon feature, in units of tile z/x/y.
fn geojson_area_perimeter(geometry: &Value, z: u8, x: u32, y: u32) -> (f64, f64) {
    let polygons: Vec<&Value> = match geometry["type"].as_str().unwrap() {
        "Polygon" => vec![&geometry["coordinates"]],
        _ => geometry["coordinates"].as_array().unwrap().iter().collect(),
    };
    let (mut area, mut perimeter) = (0.0, 0.0);
    for polygon in polygons {
        for ring in polygon.as_array().unwrap() {
            let pts: Vec<[f64; 2]> = ring
                .as_array()
                .unwrap()
                .iter()
                .map(|p| to_tile(p[0].as_f64().unwrap(), p[1].as_f64().unwrap(), z, x, y))
                .collect();
            let mut a = 0.0;
            for w in pts.windows(2) {
                a += w[0][0] * w[1][1] - w[1][0] * w[0][1];
                perimeter += ((w[1][0] - w[0][0]).powi(2) + (w[1][1] - w[0][1]).powi(2)).sqrt();
            }
            // Rings are oriented by RFC 7946 (holes opposite): the signed sum is the net area.
            area += a / 2.0;
        }
    }
    (area.abs(), perimeter)
}

#[tokio::test]
async fn a_zoom_6_tile_holds_every_commune_with_its_area() {
    let app = spawn_app().await;
    let layer = app.get_json("/api/layers/communes.geojson", 200).await;
    let (status, bytes) = tile(&app, "/tiles/communes/6/32/21.mvt").await;
    assert_eq!(status, 200);
    let layers = decode(&bytes);
    let (extent, features) = &layers["communes"];
    assert_eq!(*extent, EXTENT);
    let by_code: HashMap<&str, &Feature> = features
        .iter()
        .map(|f| (f.properties["code"].as_str().unwrap(), f))
        .collect();
    let geo_features = layer["features"].as_array().unwrap();
    assert_eq!(
        by_code.len(),
        geo_features.len(),
        "same communes as GeoJSON"
    );
    let mut total_tile = 0.0;
    let mut total_geo = 0.0;
    for gf in geo_features {
        let code = gf["properties"]["code"].as_str().unwrap();
        let f = by_code
            .get(code)
            .unwrap_or_else(|| panic!("{code} missing"));
        assert_eq!(f.geom_type, GeomType::Polygon as i32);
        assert_eq!(f.properties["name"], gf["properties"]["name"]);
        assert_eq!(f.properties["epci"], gf["properties"]["epci"]);
        // Exterior rings first and positive (MVT winding).
        assert!(area2(&f.rings[0]) > 0, "{code}: exterior winding");
        let tile_area = feature_area2(f) as f64 / 2.0;
        let (geo_area, perimeter) = geojson_area_perimeter(&gf["geometry"], 6, 32, 21);
        // Simplification moves the boundary by at most the tolerance, rounding by at
        // most half a unit diagonal: the area moves by at most perimeter × both.
        let bound = perimeter * (TOLERANCE + 0.71);
        assert!(
            (tile_area - geo_area).abs() <= bound,
            "{code}: tile area {tile_area:.1} vs {geo_area:.1} (bound {bound:.1})"
        );
        total_tile += tile_area;
        total_geo += geo_area;
    }
    assert!(
        (total_tile - total_geo).abs() / total_geo < 0.005,
        "département area {total_tile} vs {total_geo}"
    );
}

#[tokio::test]
async fn neighbours_keep_one_boundary_without_gap_or_overlap() {
    let app = spawn_app().await;
    // At zoom 6 the whole département is in one tile: the communes, the EPCI and the
    // territories, simplified from one topology, cover exactly the same area.
    let mut sums = Vec::new();
    for layer in ["communes", "epci", "territories"] {
        let (_, bytes) = tile(&app, &format!("/tiles/{layer}/6/32/21.mvt")).await;
        let decoded = decode(&bytes);
        let sum: i64 = decoded[layer].1.iter().map(feature_area2).sum();
        sums.push(sum);
    }
    assert_eq!(sums[0], sums[1], "communes vs EPCI");
    assert_eq!(sums[0], sums[2], "communes vs territories");
    // At zoom 9, over every tile of the département, the same holds within the
    // rounding of the cuts at tile edges (which lie in the buffer).
    let bbox = app.geography.department.bbox;
    let tiles = ess_atlas::tiles::pmtiles::tiles_over(bbox, 9);
    let mut sums = [0i64; 3];
    for t in &tiles {
        for (i, layer) in ["communes", "epci", "territories"].iter().enumerate() {
            let (status, bytes) =
                tile(&app, &format!("/tiles/{layer}/9/{}/{}.mvt", t.x, t.y)).await;
            if status == 200 {
                sums[i] += decode(&bytes)[*layer]
                    .1
                    .iter()
                    .map(feature_area2)
                    .sum::<i64>();
            }
        }
    }
    for i in 1..3 {
        let rel = (sums[0] - sums[i]).abs() as f64 / sums[0] as f64;
        assert!(rel < 1e-5, "zoom 9: layer {i} differs by {rel}");
    }
}

/// A stable, readable summary of a decoded tile for snapshots.
fn summary(bytes: &[u8]) -> Value {
    let layers = decode(bytes);
    let out: serde_json::Map<String, Value> = layers
        .keys()
        .map(|name| (name.clone(), summary_of(&layers, name)))
        .collect();
    Value::Object(out)
}

/// Compares with `tests/fixtures/tiles/<name>.json`; `UPDATE_SNAPSHOTS=1` rewrites it.
fn check_snapshot(name: &str, value: &Value) {
    let path = repo_path(&format!("tests/fixtures/tiles/{name}.json"));
    let text = serde_json::to_string_pretty(value).unwrap() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert!(
        expected == text,
        "tile {name} differs from its snapshot {} (UPDATE_SNAPSHOTS=1 rewrites it after \
         review):\n{}",
        path.display(),
        line_diff(&expected, &text)
    );
}

/// The changed lines of a snapshot, `-` expected and `+` actual, with two lines of
/// context around each change (at most 60 lines: enough to see what moved).
fn line_diff(expected: &str, actual: &str) -> String {
    let diff = similar::TextDiff::from_lines(expected, actual);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header("snapshot", "tile")
        .to_string();
    let mut lines: Vec<&str> = text.lines().take(60).collect();
    if text.lines().count() > 60 {
        lines.push("…");
    }
    lines.join("\n")
}

#[tokio::test]
async fn decoded_tiles_match_their_snapshots() {
    let app = spawn_app().await;
    app.import_sample(2023, "2023-12-31").await;
    for (name, path) in [
        ("communes-10-519-345", "/tiles/communes/10/519/345.mvt"),
        ("epci-8-129-86", "/tiles/epci/8/129/86.mvt"),
        ("territories-7-64-43", "/tiles/territories/7/64/43.mvt"),
        (
            "organisations-9-259-172",
            "/tiles/organisations/9/259/172.mvt",
        ),
    ] {
        let (status, bytes) = tile(&app, path).await;
        assert_eq!(status, 200, "{path}");
        check_snapshot(name, &summary(&bytes));
    }
}

#[tokio::test]
async fn tile_requests_get_clear_answers() {
    let app = spawn_app().await;
    for (path, status) in [
        ("/tiles/communes/23/0/0.mvt", 400),
        ("/tiles/communes/3/8/0.mvt", 400),
        ("/tiles/communes/3/0/8.mvt", 400),
        ("/tiles/communes/3/-1/0.mvt", 400),
        ("/tiles/communes/a/0/0.mvt", 400),
        ("/tiles/rivers/6/32/21.mvt", 404),
        ("/tiles/communes/6/32/21.png", 404),
        ("/tiles/rivers.json", 404),
        // No edition imported yet.
        ("/tiles/organisations/6/32/21.mvt", 404),
        ("/tiles/communes/6/32/21.mvt?edition=2023", 400),
    ] {
        let body = app.get_json(path, status).await;
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{path}"
        );
    }
    // The open sea has no feature: 204, no body.
    let (status, bytes) = tile(&app, "/tiles/communes/6/0/0.mvt").await;
    assert_eq!((status, bytes.len()), (204, 0));
    app.import_sample(2023, "2023-12-31").await;
    app.get_json("/tiles/organisations/6/32/21.mvt?edition=1999", 404)
        .await;
    app.get_json("/tiles/organisations/6/32/21.mvt?family=banque", 400)
        .await;
}

#[tokio::test]
async fn tiles_are_compressed_cached_and_revalidated() {
    let app = spawn_app().await;
    let tj = app.get_json("/tiles/communes.json", 200).await;
    let template = tj["tiles"][0].as_str().unwrap();
    assert!(
        template.starts_with(&app.base),
        "absolute tile URL: {template}"
    );
    let url = template
        .replace("{z}", "8")
        .replace("{x}", "129")
        .replace("{y}", "86");
    let plain = app.http.get(&url).send().await.unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(
        plain.headers()["content-type"],
        "application/vnd.mapbox-vector-tile"
    );
    assert!(plain.headers().get("content-encoding").is_none());
    // The URL carries the current version: immutable.
    assert!(
        plain.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = plain.headers()["etag"].to_str().unwrap().to_owned();
    let raw = plain.bytes().await.unwrap();

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
    assert!(compressed.len() < raw.len() * 3 / 4, "really compressed");
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut inflated)
        .unwrap();
    assert_eq!(inflated, raw);

    let not_modified = app
        .http
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);
    // Without the version token, clients must revalidate. The tile is cached now, so
    // these requests take the fast path in front of the router: same answers.
    let r = app.get("/tiles/communes/8/129/86.mvt").await;
    assert_eq!(r.headers()["cache-control"], "public, no-cache");
    assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(r.bytes().await.unwrap(), raw);
    let fast_gz = app
        .http
        .get(format!("{}/tiles/communes/8/129/86.mvt", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(fast_gz.headers()["content-encoding"], "gzip");
    assert_eq!(fast_gz.bytes().await.unwrap(), compressed);
    let fast_304 = app
        .http
        .get(format!("{}/tiles/communes/8/129/86.mvt", app.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(fast_304.status(), 304);
    // A cached tile of the open sea stays a 204.
    assert_eq!(app.get("/tiles/communes/6/0/0.mvt").await.status(), 204);
    assert_eq!(app.get("/tiles/communes/6/0/0.mvt").await.status(), 204);
}

#[tokio::test]
async fn tilejson_and_style_describe_every_layer() {
    let app = spawn_app().await;
    app.import_sample(2023, "2023-12-31").await;
    for layer in ["territories", "epci", "communes", "organisations"] {
        let tj = app.get_json(&format!("/tiles/{layer}.json"), 200).await;
        assert_eq!(tj["tilejson"], "3.0.0");
        assert_eq!(tj["vector_layers"][0]["id"], layer);
        assert!(tj["vector_layers"][0]["fields"].as_object().unwrap().len() >= 2);
        assert_eq!(tj["bounds"].as_array().unwrap().len(), 4);
        assert!(tj["maxzoom"].as_u64().unwrap() >= 14);
        // The advertised template answers.
        let url = tj["tiles"][0]
            .as_str()
            .unwrap()
            .replace("{z}", "6")
            .replace("{x}", "32")
            .replace("{y}", "21");
        let r = app.http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
    }
    let org = app.get_json("/tiles/organisations.json", 200).await;
    assert!(org["tiles"][0].as_str().unwrap().contains("edition=2023"));

    let style = app.get_json("/style.json", 200).await;
    assert_eq!(style["version"], 8);
    let sources = style["sources"].as_object().unwrap();
    for (id, source) in sources {
        assert_eq!(source["type"], "vector");
        let url = source["url"].as_str().unwrap();
        assert!(url.ends_with(&format!("/tiles/{id}.json")), "{url}");
        let path = url.strip_prefix(&app.base).unwrap();
        app.get_json(path, 200).await;
    }
    for layer in style["layers"].as_array().unwrap() {
        if layer["type"] == "background" {
            continue;
        }
        let source = layer["source"].as_str().unwrap();
        assert!(sources.contains_key(source), "layer {}", layer["id"]);
        assert_eq!(layer["source-layer"], source, "layer {}", layer["id"]);
    }
}

/// Establishments found in the organisations tiles of `zoom` over the département
/// (`query`, e.g. `?v=…`, appended to each tile URL): SIRETs of single points and the
/// total count (aggregates included).
pub async fn organisations_at(app: &TestApp, zoom: u8, query: &str) -> (BTreeSet<String>, i64) {
    let mut sirets = BTreeSet::new();
    let mut total = 0;
    let bbox = app.geography.department.bbox;
    for t in ess_atlas::tiles::pmtiles::tiles_over(bbox, zoom) {
        let (status, bytes) = tile(
            app,
            &format!("/tiles/organisations/{zoom}/{}/{}.mvt{query}", t.x, t.y),
        )
        .await;
        if status != 200 {
            continue;
        }
        for f in &decode(&bytes)["organisations"].1 {
            assert_eq!(f.geom_type, GeomType::Point as i32);
            if let Some(c) = f.properties.get("count") {
                total += c.as_i64().unwrap();
            } else {
                total += 1;
                sirets.insert(f.properties["siret"].as_str().unwrap().to_owned());
            }
        }
    }
    (sirets, total)
}

#[tokio::test]
async fn protected_establishments_are_never_in_a_tile() {
    let app = spawn_app().await;
    app.import_sample(2023, "2023-12-31").await;
    let listed = app
        .get_json("/api/organisations?edition=2023&per_page=100", 200)
        .await;
    let public: BTreeSet<String> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["siret"].as_str().unwrap().to_owned())
        .collect();
    assert!(!public.is_empty());
    for zoom in [6u8, 10, 14] {
        let (sirets, total) = organisations_at(&app, zoom, "").await;
        assert!(
            !sirets.contains("12345678200010"),
            "zoom {zoom}: the protected establishment is placed"
        );
        assert_eq!(
            total as usize,
            public.len(),
            "zoom {zoom}: counted once each"
        );
        if zoom == 14 {
            assert_eq!(sirets, public, "zoom 14 sends each public establishment");
        }
    }
}

#[tokio::test]
async fn organisations_tiles_follow_a_new_import() {
    let app = spawn_app().await;
    app.import_sample(2023, "2023-12-31").await;
    let (before, _) = organisations_at(&app, 14, "").await;
    assert!(
        before.contains("80241377300010"),
        "the Calais SCOP is active in 2023"
    );
    // Re-imported at a date after its closure, the SCOP leaves the edition; the server
    // notices within its polling period.
    app.import_sample(2023, "2025-01-01").await;
    let mut after = before.clone();
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        after = organisations_at(&app, 14, "").await.0;
        if after != before {
            break;
        }
    }
    assert!(!after.contains("80241377300010"), "still served: {after:?}");
}

#[tokio::test]
async fn tiles_export_to_a_pmtiles_archive() {
    let app = spawn_app().await;
    app.import_sample(2023, "2023-12-31").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ess.pmtiles");
    let service = ess_atlas::tiles::TileService::new(&app.geography, 0);
    let summary =
        ess_atlas::tiles::pmtiles::export(&service, &app.db, &app.geography, None, (5, 9), &out)
            .await
            .unwrap();
    assert!(summary.tiles > 10);
    let reader = pmtiles::AsyncPmTilesReader::new_with_path(&out)
        .await
        .unwrap();
    let header = reader.get_header();
    assert_eq!((header.min_zoom, header.max_zoom), (5, 9));
    assert_eq!(header.tile_type, pmtiles::TileType::Mvt);
    let compressed = reader
        .get_tile(pmtiles::TileCoord::new(6, 32, 21).unwrap())
        .await
        .unwrap()
        .expect("the zoom 6 tile is in the archive");
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut raw)
        .unwrap();
    let layers = decode(&raw);
    assert_eq!(
        layers.keys().map(String::as_str).collect::<Vec<_>>(),
        ["communes", "epci", "organisations", "territories"]
    );
    // The archive's tile is the server's, layer for layer.
    let (_, served) = tile(&app, "/tiles/communes/6/32/21.mvt").await;
    assert_eq!(
        summary_of(&layers, "communes"),
        self::summary(&served)["communes"]
    );
    let metadata: Value = serde_json::from_str(&reader.get_metadata().await.unwrap()).unwrap();
    assert_eq!(metadata["vector_layers"].as_array().unwrap().len(), 4);
}

fn summary_of(layers: &BTreeMap<String, (u32, Vec<Feature>)>, name: &str) -> Value {
    let (extent, features) = &layers[name];
    let mut fs: Vec<Value> = features
        .iter()
        .map(|f| {
            json!({
                "properties": f.properties,
                "type": f.geom_type,
                "rings": f.rings.len(),
                "vertices": f.rings.iter().map(Vec::len).sum::<usize>(),
                "area2": feature_area2(f),
                "points": if f.geom_type == GeomType::Point as i32 { json!(f.points) } else { Value::Null },
            })
        })
        .collect();
    fs.sort_by_key(Value::to_string);
    json!({"extent": extent, "features": fs})
}
