//! Geodata at start-up: dissolved outlines against the oracles, a changed mapping,
//! and bad files that must stop the server without touching the database.

use std::path::Path;

use ess_atlas::config::Config;
use ess_atlas::spatial::projection::area_km2;
use geo::{BooleanOps, MultiPolygon};

use crate::helpers::{copy_geodata, repo_path, spawn_app, spawn_with};

fn oracle(file: &str, key: &str) -> Vec<(String, MultiPolygon<f64>)> {
    let text =
        std::fs::read_to_string(repo_path(&format!("tests/fixtures/oracles/{file}"))).unwrap();
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    fc.features
        .into_iter()
        .map(|f| {
            let code = f.property(key).unwrap().as_str().unwrap().to_owned();
            let g: geo::Geometry<f64> = f.geometry.unwrap().value.try_into().unwrap();
            let mp = match g {
                geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
                geo::Geometry::MultiPolygon(mp) => mp,
                other => panic!("unexpected {other:?}"),
            };
            (code, mp)
        })
        .collect()
}

fn geometry(value: &serde_json::Value) -> MultiPolygon<f64> {
    let g: geojson::Geometry = serde_json::from_value(value.clone()).unwrap();
    match geo::Geometry::<f64>::try_from(g.value).unwrap() {
        geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
        geo::Geometry::MultiPolygon(mp) => mp,
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn dissolved_outlines_match_their_communes_and_the_oracles() {
    let app = spawn_app().await;
    let communes = app.get_json("/api/communes", 200).await;
    let communes = communes["items"].as_array().unwrap();
    for (layer, level_key, oracle_file, oracle_key) in [
        ("territories", "territory", "territoires-62.geojson", "code"),
        ("epci", "epci", "epci-62.geojson", "siren"),
    ] {
        let served = app
            .get_json(&format!("/api/layers/{layer}.geojson"), 200)
            .await;
        let oracles = oracle(oracle_file, oracle_key);
        let features = served["features"].as_array().unwrap();
        assert_eq!(features.len(), oracles.len(), "{layer}");
        for f in features {
            let code = f["properties"]["code"].as_str().unwrap();
            let outline = geometry(&f["geometry"]);
            let area = area_km2(&outline);
            let sum: f64 = communes
                .iter()
                .filter(|c| c[level_key]["code"] == code)
                .map(|c| c["area_km2"].as_f64().unwrap())
                .sum();
            assert!(
                (area - sum).abs() / sum < 0.001,
                "{layer} {code}: outline {area} km², communes {sum} km²"
            );

            let (_, expected) = oracles.iter().find(|(c, _)| c == code).unwrap();
            assert_eq!(
                outline.0.len(),
                expected.0.len(),
                "{layer} {code}: number of parts"
            );
            let expected_area = area_km2(expected);
            assert!(
                (area - expected_area).abs() / expected_area < 0.001,
                "{layer} {code}: {area} vs oracle {expected_area}"
            );
            // Same shape, not only same area: what one covers and the other does not is negligible.
            let difference = area_km2(&outline.xor(expected));
            assert!(
                difference / expected_area < 0.001,
                "{layer} {code}: {difference} km² differ from the oracle"
            );
        }
    }
}

#[tokio::test]
async fn changing_the_mapping_changes_the_territories_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let geodata = copy_geodata(dir.path());
    let mut cfg = Config::for_tests(dir.path());
    cfg.geodata_dir = geodata.clone();

    let before = spawn_with(cfg.clone(), tempfile::tempdir().unwrap()).await;
    let ter = before.get_json("/api/territories/TER", 200).await;
    let mon = before.get_json("/api/territories/MON", 200).await;
    let seven_valleys = before.get_json("/api/epci/200044030", 200).await;
    assert_eq!(seven_valleys["territory"]["code"], "MON");

    // The least certain assignment of the shipped mapping: CC des 7 Vallées to Ternois.
    let members: Vec<String> = seven_valleys["communes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect();
    let mapping = std::fs::read_to_string(geodata.join("territoires.csv")).unwrap();
    let changed: String = mapping
        .lines()
        .map(|line| {
            let code = line.split(',').next().unwrap();
            if members.iter().any(|m| m == code) {
                format!("{code},TER,Ternois\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    std::fs::write(geodata.join("territoires.csv"), changed).unwrap();

    // Same database, next start.
    let after = spawn_with(cfg, tempfile::tempdir().unwrap()).await;
    let ter_after = after.get_json("/api/territories/TER", 200).await;
    let mon_after = after.get_json("/api/territories/MON", 200).await;
    let moved = seven_valleys["population"].as_u64().unwrap();
    assert_eq!(
        ter_after["population"].as_u64().unwrap(),
        ter["population"].as_u64().unwrap() + moved
    );
    assert_eq!(
        mon_after["population"].as_u64().unwrap(),
        mon["population"].as_u64().unwrap() - moved
    );
    assert_eq!(
        ter_after["commune_count"].as_u64().unwrap(),
        ter["commune_count"].as_u64().unwrap() + members.len() as u64
    );
    assert!(
        ter_after["epci"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "200044030")
    );
    assert_eq!(
        after.get_json("/api/epci/200044030", 200).await["territory"]["code"],
        "TER"
    );
    let grown = ter_after["area_km2"].as_f64().unwrap() - ter["area_km2"].as_f64().unwrap();
    assert!(
        (grown - seven_valleys["area_km2"].as_f64().unwrap()).abs() < 0.1,
        "outline grew by {grown} km²"
    );
    // The outline itself changed: the layer is different and a point of the moved EPCI is now in TER.
    let [lon, lat] = [0, 1].map(|i| seven_valleys["label_point"][i].as_f64().unwrap());
    let at = after
        .get_json(&format!("/api/locate?lon={lon}&lat={lat}"), 200)
        .await;
    assert_eq!(at["territory"]["code"], "TER");
}

/// What breaks, how, and what the error message must say.
type Case = (&'static str, fn(&Path), &'static [&'static str]);

/// Starts on `geodata` and returns the error message.
async fn start_error(cfg: Config) -> String {
    match ess_atlas::build_app(cfg).await {
        Ok(_) => panic!("the server started on bad geodata"),
        Err(e) => format!("{e:#}"),
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[tokio::test]
async fn bad_geodata_stops_the_server_with_a_precise_message_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::for_tests(dir.path());
    // A first good start fills the cache.
    let good = spawn_with(cfg.clone(), tempfile::tempdir().unwrap()).await;
    let fingerprint = good.db.geodata_fingerprint().await.unwrap();
    assert!(fingerprint.is_some());
    // The failing starts open the same database (on PostgreSQL, the test's own).
    cfg.database_url = good.database_url();

    let cases: [Case; 6] = [
        (
            "unknown commune in the mapping",
            |g| edit(&g.join("territoires.csv"), "62001,LEN", "99999,LEN"),
            &["territoires.csv", "line 2", "unknown commune \"99999\""],
        ),
        (
            "commune in no territory",
            |g| {
                let p = g.join("territoires.csv");
                let text = std::fs::read_to_string(&p).unwrap();
                let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("62041,")).collect();
                std::fs::write(&p, kept.join("\n")).unwrap();
            },
            &["territoires.csv", "62041", "Arras", "no territory"],
        ),
        (
            "EPCI split across territories",
            |g| {
                edit(
                    &g.join("territoires.csv"),
                    "62041,ARR,Arrageois",
                    "62041,LEN,Lens-Liévin",
                );
            },
            &["territoires.csv", "200033579", "split"],
        ),
        (
            "invalid polygon",
            |g| {
                // Make Ablain-Saint-Nazaire's ring cross itself by swapping two vertices.
                edit(
                    &g.join("communes.geojson"),
                    "[2.729475,50.387274],[2.73315,50.388835]",
                    "[2.73315,50.388835],[2.729475,50.387274]",
                );
            },
            &["communes.geojson", "feature 0", "62001", "invalid polygon"],
        ),
        (
            "unreadable file",
            |g| std::fs::remove_file(g.join("epci.csv")).unwrap(),
            &["epci.csv", "cannot read"],
        ),
        (
            "malformed CSV row",
            |g| edit(&g.join("epci.csv"), "200090751,", "20009075,"),
            &["epci.csv", "line 2", "20009075"],
        ),
    ];
    for (what, break_it, expected) in cases {
        let case_dir = tempfile::tempdir().unwrap();
        cfg.geodata_dir = copy_geodata(case_dir.path());
        break_it(&cfg.geodata_dir);
        let message = start_error(cfg.clone()).await;
        for part in expected {
            assert!(
                message.contains(part),
                "{what}: {part:?} missing from {message:?}"
            );
        }
        assert_eq!(
            good.db.geodata_fingerprint().await.unwrap(),
            fingerprint,
            "{what}: database changed"
        );
    }
}
