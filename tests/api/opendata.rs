//! Open data sets (issue 21): `ess-atlas export opendata` writes the API's public
//! figures — every masked cell of the API empty with `statut` secret, every published
//! value equal to the API's — with a Data Package describing every column; the
//! download page `/donnees` serves the same files, one by one or zipped.

use std::collections::HashMap;
use std::io::Read as _;

use serde_json::Value;

use crate::data_life::ess_atlas;
use crate::helpers::{TestApp, repo_path};
use crate::indicators::app_with_registry;

/// A row of an indicator table: `valeur`, `statut`, `source`.
type Cell = (String, String, String);
/// The key of a row: `code`, `indicateur`, `dimension`, `categorie`.
type Key = (String, String, String, String);

/// The indicator table `file` of `dir`, by (code, indicateur, dimension, categorie).
fn read_table(bytes: &[u8]) -> (Vec<String>, HashMap<Key, Cell>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (code, ind, dim, cat, val, stat, src) = (
        col("code"),
        col("indicateur"),
        col("dimension"),
        col("categorie"),
        col("valeur"),
        col("statut"),
        col("source"),
    );
    let mut rows = HashMap::new();
    for record in reader.records() {
        let r = record.unwrap();
        let key = (
            r[code].to_owned(),
            r[ind].to_owned(),
            r[dim].to_owned(),
            r[cat].to_owned(),
        );
        let cell = (r[val].to_owned(), r[stat].to_owned(), r[src].to_owned());
        assert!(rows.insert(key.clone(), cell).is_none(), "{key:?} twice");
    }
    (header, rows)
}

/// The filters of the API and the table's (dimension, categorie) for a category.
const CATEGORIES: [(&str, &str, &str); 9] = [
    ("", "ensemble", "ess"),
    ("&family=association", "famille", "association"),
    ("&family=cooperative", "famille", "cooperative"),
    ("&family=mutuelle", "famille", "mutuelle"),
    (
        "&family=societe_commerciale_ess",
        "famille",
        "societe_commerciale_ess",
    ),
    ("&sector=Q", "secteur", "Q"),
    ("&sector=R", "secteur", "R"),
    ("&size=0", "taille", "0"),
    ("&size=10-49", "taille", "10-49"),
];

const LEVELS: [(&str, &str); 4] = [
    ("commune", "indicateurs-communes.csv"),
    ("epci", "indicateurs-epci.csv"),
    ("territory", "indicateurs-territoires.csv"),
    ("department", "indicateurs-departement.csv"),
];

/// Compares every figure of the API (levels × indicators × [`CATEGORIES`]) with the
/// tables in `files`; returns (published, secret) cells seen. Collects every
/// difference before failing.
async fn compare_with_api(app: &TestApp, files: &HashMap<String, Vec<u8>>) -> (usize, usize) {
    let (mut published, mut secret) = (0, 0);
    let mut problems = Vec::new();
    for (level, file) in LEVELS {
        let (_, rows) = read_table(&files[file]);
        for indicator in &ess_atlas::indicators::catalogue::CATALOGUE {
            for (filter, dimension, category) in CATEGORIES {
                if indicator.needs_category && filter.is_empty() {
                    assert!(
                        !rows
                            .keys()
                            .any(|k| k.1 == indicator.id && k.2 == "ensemble"),
                        "{file}: {} is not published for the whole ESS",
                        indicator.id
                    );
                    continue;
                }
                let body = app
                    .get_json(
                        &format!(
                            "/api/indicators?level={level}&indicator={}&edition=2023{filter}",
                            indicator.id
                        ),
                        200,
                    )
                    .await;
                for item in body["items"].as_array().unwrap() {
                    let code = item["code"].as_str().unwrap();
                    let key = (
                        code.to_owned(),
                        indicator.id.to_owned(),
                        dimension.to_owned(),
                        category.to_owned(),
                    );
                    let Some((valeur, statut, source)) = rows.get(&key) else {
                        problems.push(format!("{file}: no row {key:?}"));
                        continue;
                    };
                    if source != item["source"].as_str().unwrap() {
                        problems.push(format!(
                            "{file} {key:?}: source {source} ≠ {}",
                            item["source"]
                        ));
                    }
                    if item["secret"] == true {
                        secret += 1;
                        if !valeur.is_empty() || statut != "secret" {
                            problems.push(format!(
                                "{file} {key:?}: masked in the API, {valeur:?} {statut} in the file"
                            ));
                        }
                    } else if let Some(v) = item["value"].as_f64() {
                        published += 1;
                        if valeur.parse::<f64>().ok() != Some(v) || statut != "publie" {
                            problems
                                .push(format!("{file} {key:?}: API {v}, file {valeur:?} {statut}"));
                        }
                    } else if !valeur.is_empty() || statut != "non_calculable" {
                        problems.push(format!(
                            "{file} {key:?}: no value in the API, {valeur:?} {statut} in the file"
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    (published, secret)
}

fn read_dir(dir: &std::path::Path) -> HashMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one export, read back: figures, package, page, zip
async fn the_exported_tables_are_the_api_figures_with_masked_cells_empty() {
    let app = app_with_registry(2023, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("donnees");
    let out = ess_atlas(
        &app.database_url(),
        &[
            "--geodata",
            repo_path("geodata").to_str().unwrap(),
            "export",
            "opendata",
            "--edition",
            "2023",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = read_dir(&out_dir);
    let (published, secret) = compare_with_api(&app, &files).await;
    assert!(
        published > 1_000 && secret > 100,
        "the registry has both kinds of cells: {published} published, {secret} masked"
    );

    // Every row: a value exactly when published; every category of every zone.
    let (header, communes) = read_table(&files["indicateurs-communes.csv"]);
    for (key, (valeur, statut, _)) in &communes {
        assert_eq!(valeur.is_empty(), statut != "publie", "{key:?}");
    }
    let per_zone = 32 * 13 - 1; // 32 categories × 13 indicators, one needs a category
    assert_eq!(communes.len(), app.geography.communes.len() * per_zone);

    // The package describes every file and every column, in French, under Etalab 2.0.
    let package: Value = serde_json::from_slice(&files["datapackage.json"]).unwrap();
    assert_eq!(package["licenses"][0]["name"], "etalab-2.0");
    assert_eq!(package["edition"], 2023);
    assert_eq!(package["donnees_de_demonstration"], false);
    let resources = package["resources"].as_array().unwrap();
    for name in files
        .keys()
        .filter(|n| *n != "README.md" && *n != "datapackage.json")
    {
        assert!(
            resources.iter().any(|r| r["path"] == name.as_str()),
            "{name} is a resource"
        );
    }
    let communes_resource = resources
        .iter()
        .find(|r| r["path"] == "indicateurs-communes.csv")
        .unwrap();
    let fields: Vec<&str> = communes_resource["schema"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert!(
                f["description"].as_str().is_some_and(|d| d.len() > 10),
                "{f}"
            );
            f["name"].as_str().unwrap()
        })
        .collect();
    assert_eq!(fields, header);
    assert_eq!(
        communes_resource["bytes"],
        files["indicateurs-communes.csv"].len()
    );
    let readme = String::from_utf8(files["README.md"].clone()).unwrap();
    assert!(
        readme.contains("Licence Ouverte") && readme.contains("IGN"),
        "{readme}"
    );
    assert!(!readme.contains("démonstration"), "not demo data");

    // The download page serves the same files, and the whole set zipped.
    let page = app.get("/donnees").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("/donnees/2023/donnees-ess-2023.zip"),
        "{html}"
    );
    let response = app.get("/donnees/2023/indicateurs-epci.csv").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        files["indicateurs-epci.csv"].as_slice(),
        "the server's file is the command's"
    );
    let response = app.get("/donnees/2023/donnees-ess-2023.zip").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let bytes = response.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(zip.len(), files.len());
    let mut communes_zipped = Vec::new();
    zip.by_name("indicateurs-communes.csv")
        .unwrap()
        .read_to_end(&mut communes_zipped)
        .unwrap();
    assert_eq!(communes_zipped, files["indicateurs-communes.csv"]);
    for missing in [
        "/donnees/2031/README.md",
        "/donnees/2023/autre.csv",
        "/donnees/deux/README.md",
    ] {
        assert_eq!(app.get(missing).await.status(), 404, "{missing}");
    }
}

#[tokio::test]
async fn the_command_refuses_an_unknown_edition_and_demo_data_are_marked() {
    let app = crate::helpers::spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("donnees");
    let samples = repo_path("tests/fixtures/sirene");
    ess_atlas::operations::import_sirene(
        &app.db,
        app.geography.clone(),
        2022,
        Some("2022-12-31".into()),
        ess_atlas::import::sirene::SireneFiles {
            unites_legales: samples.join("StockUniteLegale_sample.csv"),
            etablissements: samples.join("StockEtablissement_sample.csv"),
            geolocalisation: None,
        },
        true,
        false,
    )
    .await
    .unwrap();
    let out = ess_atlas(
        &app.database_url(),
        &[
            "export",
            "opendata",
            "--edition",
            "2031",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    )
    .await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("édition 2031 inconnue") && stderr.contains("les éditions sont 2022"),
        "{stderr}"
    );
    assert!(!out_dir.exists(), "nothing written");

    let page = app.get("/donnees").await.text().await.unwrap();
    assert!(page.contains("Données de démonstration"), "{page}");
    let package = app.get_json("/donnees/2022/datapackage.json", 200).await;
    assert_eq!(package["donnees_de_demonstration"], true);
    assert!(
        package["title"]
            .as_str()
            .unwrap()
            .contains("données de démonstration")
    );
    let readme = app
        .get("/donnees/2022/README.md")
        .await
        .text()
        .await
        .unwrap();
    assert!(readme.contains("Données de démonstration"), "{readme}");
}
