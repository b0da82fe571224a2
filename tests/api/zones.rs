//! Territories, EPCI, communes and locate, checked against the published figures in
//! geodata/SOURCES.md.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::helpers::{repo_path, spawn_app};

/// `code, name, communes, population, km²` from geodata/SOURCES.md.
const PUBLISHED: [(&str, &str, u64, u64, f64); 9] = [
    ("ARR", "Arrageois", 255, 213_287, 1_622.0),
    ("ART", "Artois", 104, 292_009, 709.8),
    ("AUD", "Audomarois", 89, 128_316, 816.8),
    ("BOU", "Boulonnais", 74, 157_215, 637.4),
    ("CAL", "Calaisis", 52, 152_245, 599.6),
    ("HEN", "Hénin-Carvin", 14, 125_793, 112.0),
    ("LEN", "Lens-Liévin", 36, 242_013, 239.8),
    ("MON", "Montreuillois", 161, 110_250, 1_326.3),
    ("TER", "Ternois", 102, 36_777, 631.8),
];

#[tokio::test]
async fn territories_match_the_published_table_and_sum_to_the_departement() {
    let app = spawn_app().await;
    let body = app.get_json("/api/territories", 200).await;
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 9);
    let mut total = 0;
    for (t, (code, name, communes, population, km2)) in items.iter().zip(PUBLISHED) {
        assert_eq!(t["code"], code);
        assert_eq!(t["name"], name);
        assert_eq!(t["level"], "territory");
        assert_eq!(t["commune_count"], communes, "{code}");
        assert_eq!(t["population"], population, "{code}");
        let area = t["area_km2"].as_f64().unwrap();
        assert!(
            (area - km2).abs() <= 0.05 + 1e-9,
            "{code}: {area} km² vs {km2}"
        );
        total += t["population"].as_u64().unwrap();
    }
    assert_eq!(total, 1_457_905);

    let meta = app.get_json("/api/meta", 200).await;
    assert_eq!(meta["department"]["population"], 1_457_905);
    assert_eq!(meta["department"]["area_km2"], 6_695.5);
    assert_eq!(meta["counts"]["communes"], 887);
    assert!(meta["attribution"].as_str().unwrap().contains("IGN"));
}

#[tokio::test]
async fn every_commune_is_in_exactly_one_epci_and_one_territory() {
    let app = spawn_app().await;
    let communes = app.get_json("/api/communes", 200).await;
    let communes = communes["items"].as_array().unwrap();
    assert_eq!(communes.len(), 887);

    let mut in_territory: HashMap<String, Vec<String>> = HashMap::new();
    for t in app.get_json("/api/territories", 200).await["items"]
        .as_array()
        .unwrap()
    {
        let code = t["code"].as_str().unwrap();
        let detail = app.get_json(&format!("/api/territories/{code}"), 200).await;
        for c in detail["communes"].as_array().unwrap() {
            in_territory
                .entry(c["code"].as_str().unwrap().into())
                .or_default()
                .push(code.into());
        }
    }
    let mut in_epci: HashMap<String, Vec<String>> = HashMap::new();
    let epci = app.get_json("/api/epci", 200).await;
    assert_eq!(epci["items"].as_array().unwrap().len(), 20);
    for e in epci["items"].as_array().unwrap() {
        let siren = e["code"].as_str().unwrap();
        let detail = app.get_json(&format!("/api/epci/{siren}"), 200).await;
        assert_eq!(detail["parents"][0]["code"], e["territory"]["code"]);
        for c in detail["communes"].as_array().unwrap() {
            in_epci
                .entry(c["code"].as_str().unwrap().into())
                .or_default()
                .push(siren.into());
        }
    }
    for c in communes {
        let code = c["code"].as_str().unwrap();
        assert_eq!(
            in_territory[code],
            vec![c["territory"]["code"].as_str().unwrap()],
            "{code}"
        );
        assert_eq!(
            in_epci[code],
            vec![c["epci"]["code"].as_str().unwrap()],
            "{code}"
        );
    }
}

#[tokio::test]
async fn an_epci_page_gives_its_members_parents_and_population() {
    let app = spawn_app().await;
    let arras = app.get_json("/api/epci/200033579", 200).await;
    assert_eq!(arras["short_name"], "CU d'Arras");
    assert_eq!(arras["kind"], "CU");
    assert_eq!(arras["territory"]["code"], "ARR");
    let members = arras["communes"].as_array().unwrap();
    assert_eq!(arras["commune_count"], members.len());
    let sum: u64 = members
        .iter()
        .map(|m| m["population"].as_u64().unwrap())
        .sum();
    assert_eq!(arras["population"], sum);
    assert!(
        members
            .iter()
            .any(|m| m["code"] == "62041" && m["name"] == "Arras")
    );
    let levels: Vec<&str> = arras["parents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["territory", "department"]);

    let commune = app.get_json("/api/communes/62041", 200).await;
    assert_eq!(commune["name"], "Arras");
    let levels: Vec<&str> = commune["parents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["epci", "territory", "department"]);
    let [min_lon, min_lat, max_lon, max_lat] =
        [0, 1, 2, 3].map(|i| commune["bbox"][i].as_f64().unwrap());
    let [lon, lat] = [0, 1].map(|i| commune["label_point"][i].as_f64().unwrap());
    assert!(min_lon < lon && lon < max_lon && min_lat < lat && lat < max_lat);
}

#[tokio::test]
async fn commune_search_ignores_case_accents_and_hyphens_and_filters_by_zone() {
    let app = spawn_app().await;
    let hits = app.get_json("/api/communes?q=saint%20omer", 200).await;
    assert_eq!(hits["items"][0]["name"], "Saint-Omer");
    let hits = app.get_json("/api/communes?q=HENIN", 200).await;
    assert_eq!(hits["items"][0]["name"], "Hénin-Beaumont");
    let hits = app.get_json("/api/communes?q=62041", 200).await;
    assert_eq!(hits["items"][0]["name"], "Arras");

    let arr = app.get_json("/api/communes?territory=ARR", 200).await;
    assert_eq!(arr["items"].as_array().unwrap().len(), 255);
    let cu = app
        .get_json("/api/communes?epci=200033579&limit=5", 200)
        .await;
    let cu = cu["items"].as_array().unwrap();
    assert_eq!(cu.len(), 5);
    assert!(cu.iter().all(|c| c["epci"]["code"] == "200033579"));
    let none = app
        .get_json("/api/communes?territory=LEN&epci=200033579", 200)
        .await;
    assert!(none["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn locate_answers_every_commune_for_a_point_inside_it() {
    let app = spawn_app().await;
    let communes = app.get_json("/api/communes", 200).await;
    for c in communes["items"].as_array().unwrap() {
        let [lon, lat] = [0, 1].map(|i| c["label_point"][i].as_f64().unwrap());
        let at = app
            .get_json(&format!("/api/locate?lon={lon}&lat={lat}"), 200)
            .await;
        assert_eq!(at["commune"]["code"], c["code"], "{}", c["name"]);
        assert_eq!(at["epci"]["code"], c["epci"]["code"]);
        assert_eq!(at["territory"]["code"], c["territory"]["code"]);
    }
}

/// The boundary rule of `spatial::assign`: a vertex shared by several communes
/// belongs to the one with the lowest INSEE code.
#[tokio::test]
async fn a_point_on_a_shared_boundary_goes_to_the_lowest_code() {
    let text = std::fs::read_to_string(repo_path("geodata/communes.geojson")).unwrap();
    let collection: Value = serde_json::from_str(&text).unwrap();
    // Vertex (as printed in the file) -> communes having it.
    let mut owners: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for f in collection["features"].as_array().unwrap() {
        let code = f["properties"]["code"].as_str().unwrap().to_owned();
        for ring in f["geometry"]["coordinates"].as_array().unwrap() {
            for p in ring.as_array().unwrap() {
                let key = (p[0].to_string(), p[1].to_string());
                let list = owners.entry(key).or_default();
                if !list.contains(&code) {
                    list.push(code.clone());
                }
            }
        }
    }
    let app = spawn_app().await;
    let shared: Vec<_> = owners
        .iter()
        .filter(|(_, v)| v.len() >= 2)
        .take(50)
        .collect();
    assert_eq!(shared.len(), 50);
    for ((lon, lat), codes) in shared {
        let at = app
            .get_json(&format!("/api/locate?lon={lon}&lat={lat}"), 200)
            .await;
        assert_eq!(
            at["commune"]["code"],
            *codes.iter().min().unwrap(),
            "vertex {lon},{lat} of {codes:?}"
        );
    }
}
