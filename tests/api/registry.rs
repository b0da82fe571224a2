//! The SIRENE importer, editions and the organisations API, driven as staff and the
//! public would: real file formats in, HTTP out.
//!
//! Over 700 lines on purpose: the importer's rules and the API reading what it wrote
//! are one contract, tested together with the file builders they share.

use std::io::Write;

use ess_atlas::import::ImportReport;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};
use crate::sirene_files::{borrow, establishment, header, row, unit, write};

/// Every file of a report satisfies read = kept + excluded + rejected.
fn assert_balanced(report: &ImportReport) {
    for f in &report.files {
        assert_eq!(
            f.rows_read,
            f.rows_kept + f.excluded_total() + f.rows_rejected,
            "{}: {f:?}",
            f.file
        );
    }
}

fn file<'a>(report: &'a ImportReport, prefix: &str) -> &'a ess_atlas::import::report::FileReport {
    report
        .files
        .iter()
        .find(|f| f.file.starts_with(prefix))
        .unwrap()
}

#[tokio::test]
async fn the_sample_rows_of_the_format_document_import_exactly() {
    let app = spawn_app().await;
    let report = app.import_sample(2025, "2025-06-30").await;
    assert_balanced(&report);
    let et = file(&report, "StockEtablissement");
    assert_eq!((et.rows_read, et.rows_kept, et.rows_rejected), (4, 3, 0));
    // The SCOP's siège closed on 2024-10-31, before the reference date.
    assert_eq!(et.rows_excluded["closed"], 1);
    assert_eq!(report.summary["protected"], 1);
    // Valid Luhn keys, points inside their communes: nothing to warn about.
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);

    let list = app.get_json("/api/organisations", 200).await;
    assert_eq!(list["edition"], 2025);
    assert_eq!(
        list["total"], 2,
        "the protected establishment is never listed"
    );
    let arras = &list["items"][0];
    assert_eq!(arras["siret"], "77958412700012");
    assert_eq!(arras["name"], "AIDE A DOMICILE ARTOIS EXEMPLE");
    assert_eq!(arras["family"], "association");
    assert_eq!(arras["categorie_juridique"], "9220");
    assert_eq!(arras["naf"], "88.10A");
    assert_eq!(arras["naf_section"], "Q");
    assert_eq!(arras["ess_group"], "Action sociale sans hébergement");
    assert_eq!(arras["size_band"], "12");
    assert_eq!(arras["jobs_estimate"], 34.5);
    assert_eq!(arras["employer"], true);
    assert_eq!(arras["siege"], true);
    assert_eq!(arras["creation_date"], "1998-03-12");
    assert_eq!(arras["rna"], "W623000123");
    assert_eq!(arras["commune"]["name"], "Arras");
    assert_eq!(arras["epci"]["code"], "200033579");
    assert_eq!(arras["territory"]["code"], "ARR");
    assert_eq!(arras["address"], "12 RUE DES EXEMPLES, 62000 ARRAS");
    assert_eq!(arras["location_approximate"], false);
    // The geolocation file's own WGS84 values.
    assert!((arras["lon"].as_f64().unwrap() - 2.782_918).abs() < 1e-6);
    assert!((arras["lat"].as_f64().unwrap() - 50.296_077).abs() < 1e-6);
    let lens = &list["items"][1];
    assert_eq!(lens["enseigne"], "ANTENNE LENS");
    assert_eq!(lens["siege"], false);
    assert_eq!(lens["territory"]["code"], "LEN");

    // The protected establishment ([ND] fields) is counted, never shown.
    let hidden = app.get_json("/api/organisations/12345678200010", 404).await;
    assert_eq!(hidden["error"], "not_found");
    let csv = app
        .get("/api/organisations.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(!csv.contains("12345678200010"));
    let points = app.get_json("/api/organisations.geojson", 200).await;
    assert_eq!(points["features"].as_array().unwrap().len(), 2);

    // An earlier reference date keeps the SCOP, then still open, as a cooperative.
    let report = app.import_sample(2024, "2024-06-30").await;
    assert_eq!(file(&report, "StockEtablissement").rows_kept, 4);
    let scop = app
        .get_json("/api/organisations/80241377300010?edition=2024", 200)
        .await;
    assert_eq!(scop["family"], "cooperative");
    assert_eq!(scop["name"], "SCOP LITTORAL ENERGIES EXEMPLE");
}

/// Issue 18: an export stopped at its row limit says so (a header, a link to the rest,
/// and in GeoJSON a top-level member) instead of ending silently.
#[tokio::test]
async fn a_truncated_export_says_so_and_links_to_the_rest() {
    let app = crate::helpers::spawn_app_with(|cfg| cfg.export_limit = 1).await;
    app.import_sample(2025, "2025-06-30").await;

    // Two public establishments, one per answer.
    let response = app.get("/api/organisations.geojson").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["x-truncated"], "true");
    assert_eq!(headers["x-export-limit"], "1");
    let link = headers["link"].to_str().unwrap().to_owned();
    assert_eq!(link, "</api/organisations.geojson?offset=1>; rel=\"next\"");
    let first: Value = response.json().await.unwrap();
    assert_eq!(first["features"].as_array().unwrap().len(), 1);
    assert_eq!(first["truncated"], true);
    assert_eq!(first["next"], "/api/organisations.geojson?offset=1");
    let rest = app.get("/api/organisations.geojson?offset=1").await;
    assert!(rest.headers().get("x-truncated").is_none());
    assert!(rest.headers().get("link").is_none());
    let rest: Value = rest.json().await.unwrap();
    assert_eq!(rest["features"].as_array().unwrap().len(), 1);
    assert_eq!(rest["truncated"], false);
    assert_ne!(
        first["features"][0]["properties"]["siret"],
        rest["features"][0]["properties"]["siret"]
    );

    // The CSV the same way, its other parameters kept in the link.
    let response = app.get("/api/organisations.csv?format=standard").await;
    assert_eq!(response.headers()["x-truncated"], "true");
    assert_eq!(
        response.headers()["link"],
        "</api/organisations.csv?format=standard&offset=1>; rel=\"next\""
    );
    assert_eq!(response.text().await.unwrap().lines().count(), 2);
    let rest = app
        .get("/api/organisations.csv?format=standard&offset=1")
        .await;
    assert!(rest.headers().get("x-truncated").is_none());
    assert_eq!(rest.text().await.unwrap().lines().count(), 2);

    // A bad offset is the client's error.
    for bad in ["offset=-1", "offset=x"] {
        app.get_json(&format!("/api/organisations.geojson?{bad}"), 400)
            .await;
    }
}

/// Files with the defects real files carry, and the answers the report must give.
#[tokio::test]
#[allow(clippy::too_many_lines)] // one awkward file, every row checked against its expected report
async fn awkward_files_are_read_and_bad_rows_reported_with_line_and_field() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let ul_h = header(0);
    let et_h = header(1);
    let units = vec![
        row(
            &ul_h,
            &borrow(&unit(
                "100000009",
                "9220",
                "88.10A",
                "ASSOCIATION \"LES AMIS\", DU LITTORAL\nBOULONNAIS",
            )),
        ),
        row(
            &ul_h,
            &borrow(&unit(
                "200000008",
                "9999",
                "88.10A",
                "FORME INCONNUE EXEMPLE",
            )),
        ),
        row(
            &ul_h,
            &borrow(&unit(
                "300000007",
                "5710",
                "62.01Z",
                "SAS ORDINAIRE EXEMPLE",
            )),
        ),
    ];
    let mut ets = vec![
        row(
            &et_h,
            &borrow(&establishment("10000000900011", "62160", "02", "88.10A")),
        ), // line 2: Boulogne
        row(
            &et_h,
            &borrow(&establishment("10000000900029", "59350", "02", "88.10A")),
        ), // line 3: Lille, outside
        row(
            &et_h,
            &borrow(&establishment("1000000090003", "62041", "02", "88.10A")),
        ), // line 4: SIRET of 13 digits
        row(
            &et_h,
            &borrow(&establishment("10000000900045", "62999", "02", "88.10A")),
        ), // line 5: no such commune
        row(
            &et_h,
            &borrow(&establishment("20000000800010", "62041", "01", "88.10A")),
        ), // line 6: unknown CJ
        row(
            &et_h,
            &borrow(&establishment("30000000700015", "62041", "11", "62.01Z")),
        ), // line 7: not ESS
    ];
    let mut bad_date = establishment("10000000900052", "62041", "02", "88.10A");
    bad_date[4].1 = "2019-13-45".into();
    ets.push(row(&et_h, &borrow(&bad_date))); // line 8
    // Line 9: a line cut in the middle (the file still ends with a line break).
    let full = row(
        &et_h,
        &borrow(&establishment("10000000900060", "62041", "02", "88.10A")),
    );
    ets.push(full[..full.len() / 2].to_owned());
    let ul = write(
        dir.path(),
        "StockUniteLegale_utf8.csv",
        &ul_h,
        &units,
        "\r\n",
        true,
    );
    let et = write(
        dir.path(),
        "StockEtablissement_utf8.csv",
        &et_h,
        &ets,
        "\r\n",
        true,
    );
    // Without its final line break, the cut line is the end of a cut file: the whole
    // import aborts, naming the line (issue 17).
    let text = std::fs::read_to_string(&et).unwrap();
    let cut = dir.path().join("cut.csv");
    std::fs::write(&cut, text.trim_end()).unwrap();
    let error = app
        .import_sirene(2023, "2023-12-31", &ul, &cut, None)
        .await
        .unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("cut.csv, ligne 9"), "{message}");
    assert!(message.contains("semble coupé"), "{message}");

    let report = app
        .import_sirene(2023, "2023-12-31", &ul, &et, None)
        .await
        .unwrap();
    assert_balanced(&report);
    let f = file(&report, "StockEtablissement");
    assert_eq!(f.rows_read, 8);
    assert_eq!(f.rows_kept, 1);
    assert_eq!(f.rows_excluded["outside_departement"], 1);
    assert_eq!(
        f.rows_excluded["not_ess"], 2,
        "unknown CJ without ESS flag, and the SAS"
    );
    assert_eq!(f.rows_rejected, 4);
    let rejected: Vec<(u64, &str)> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.field.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (4, "siret"),
            (5, "codeCommuneEtablissement"),
            (8, "dateCreationEtablissement"),
            (9, "")
        ]
    );
    assert!(
        report
            .rejected
            .iter()
            .all(|r| r.file == "StockEtablissement_utf8.csv")
    );
    assert!(report.rejected[3].reason.contains("ligne coupée"));
    let unknown = report
        .warnings
        .iter()
        .find(|w| w.field == "categorieJuridiqueUniteLegale")
        .unwrap();
    assert_eq!(unknown.file, "StockUniteLegale_utf8.csv");
    assert_eq!(unknown.line, 4, "the name with a newline spans lines 2-3");
    assert!(unknown.reason.contains("9999"));
    // The made-up SIRETs of this file fail the Luhn key: kept, with a warning.
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.field == "siret" && w.line == 2 && w.reason.contains("Luhn"))
    );

    let one = app.get_json("/api/organisations/10000000900011", 200).await;
    assert_eq!(
        one["name"],
        "ASSOCIATION \"LES AMIS\", DU LITTORAL\nBOULONNAIS"
    );
    assert_eq!(one["commune"]["name"], "Boulogne-sur-Mer");
    // No coordinates in the file: a point inside its commune, flagged.
    assert_eq!(one["location_approximate"], true);
    let at = app
        .get_json(
            &format!("/api/locate?lon={}&lat={}", one["lon"], one["lat"]),
            200,
        )
        .await;
    assert_eq!(at["commune"]["code"], "62160");

    // The report is readable through the API too, by staff only.
    app.get_json("/api/editions/2023/reports", 401).await;
    app.add_user("louise", "lecteur", &[]).await;
    let louise = app.login("louise").await;
    let (status, reports) = app
        .call(
            reqwest::Method::GET,
            "/api/editions/2023/reports",
            Some(&louise),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        reports["items"][0]["report"]["rejected"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    // Exclusion codes stay as they are, each with its French label beside it.
    let files = reports["items"][0]["report"]["files"].as_array().unwrap();
    let et = files
        .iter()
        .find(|f| f["file"] == "StockEtablissement_utf8.csv")
        .unwrap();
    assert_eq!(et["rows_excluded"]["not_ess"], 2);
    assert_eq!(
        et["rows_excluded_labels"]["not_ess"],
        "unité légale hors ESS"
    );
    assert_eq!(
        et["rows_excluded_labels"]["outside_departement"],
        "hors du département"
    );
    for f in files {
        for (code, _) in f["rows_excluded"].as_object().unwrap() {
            let label = f["rows_excluded_labels"][code].as_str().unwrap();
            assert_ne!(label, "autre motif", "{code} has no label");
        }
    }
    let message = reports["items"][0]["report"]["rejected"][0]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.starts_with(
            "StockEtablissement_utf8.csv, ligne 4, colonne «\u{a0}siret\u{a0}» : SIRET"
        ),
        "{message}"
    );
}

#[tokio::test]
async fn a_missing_column_aborts_with_a_clear_message_and_changes_nothing() {
    let app = spawn_app().await;
    app.import_sample(2025, "2025-06-30").await;
    let before = app.get_json("/api/organisations?edition=2025", 200).await;
    let reports_before = app.db.import_reports(2025).await.unwrap().len();

    let dir = tempfile::tempdir().unwrap();
    let et_h: Vec<String> = header(1)
        .into_iter()
        .filter(|h| h != "codeCommuneEtablissement")
        .collect();
    let et = write(
        dir.path(),
        "StockEtablissement_utf8.csv",
        &et_h,
        &[],
        "\n",
        false,
    );
    let ul = write(
        dir.path(),
        "StockUniteLegale_utf8.csv",
        &header(0),
        &[],
        "\n",
        false,
    );
    let error = app
        .import_sirene(2025, "2025-06-30", &ul, &et, None)
        .await
        .unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("StockEtablissement_utf8.csv"), "{message}");
    assert!(
        message.contains("colonne «\u{a0}codeCommuneEtablissement\u{a0}» absente"),
        "{message}"
    );
    assert!(message.contains("rien n’a été modifié"), "{message}");

    let after = app.get_json("/api/organisations?edition=2025", 200).await;
    assert_eq!(before, after);
    assert_eq!(
        app.db.import_reports(2025).await.unwrap().len(),
        reports_before
    );
}

#[tokio::test]
async fn zip_archives_and_files_without_the_naf_2025_column_are_read() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    // Pre-December-2025 layout: no trailing NAF25 column (34 and 53 columns).
    let ul_h: Vec<String> = header(0)
        .into_iter()
        .filter(|h| !h.contains("NAF25"))
        .collect();
    let et_h: Vec<String> = header(1)
        .into_iter()
        .filter(|h| !h.contains("NAF25"))
        .collect();
    assert_eq!((ul_h.len(), et_h.len()), (34, 53));
    let ul = write(
        dir.path(),
        "ul.csv",
        &ul_h,
        &[row(
            &ul_h,
            &borrow(&unit(
                "100000009",
                "9300",
                "88.99B",
                "FONDATION ZIP EXEMPLE",
            )),
        )],
        "\n",
        false,
    );
    let et = write(
        dir.path(),
        "et.csv",
        &et_h,
        &[row(
            &et_h,
            &borrow(&establishment("10000000900011", "62193", "21", "88.99B")),
        )],
        "\n",
        false,
    );
    let zip_of = |csv: &std::path::Path, name: &str| {
        let path = dir.path().join(name);
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        zip.start_file(
            name.replace(".zip", ".csv"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(&std::fs::read(csv).unwrap()).unwrap();
        zip.finish().unwrap();
        path
    };
    let report = app
        .import_sirene(
            2022,
            "2022-12-31",
            &zip_of(&ul, "StockUniteLegale_utf8.zip"),
            &zip_of(&et, "StockEtablissement_utf8.zip"),
            None,
        )
        .await
        .unwrap();
    assert_balanced(&report);
    let one = app.get_json("/api/organisations/10000000900011", 200).await;
    assert_eq!(one["family"], "fondation");
    assert_eq!(one["commune"]["name"], "Calais");
}

/// Imports `count` establishments of one association spread over Arras, Lens and Calais.
pub fn big_files(dir: &std::path::Path, count: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    let ul_h = header(0);
    let et_h = header(1);
    let ul = write(
        dir,
        "ul.csv",
        &ul_h,
        &[row(
            &ul_h,
            &borrow(&unit(
                "100000009",
                "9220",
                "88.10A",
                "GRANDE ASSOCIATION EXEMPLE",
            )),
        )],
        "\n",
        false,
    );
    let mut text = et_h.join(",");
    for i in 0..count {
        let siret = format!("100000009{:05}", i + 1);
        let commune = ["62041", "62498", "62193"][i % 3];
        text.push('\n');
        text.push_str(&row(
            &et_h,
            &borrow(&establishment(&siret, commune, "01", "88.10A")),
        ));
    }
    // INSEE's files end with a line break; one without is cut (issue 17).
    text.push('\n');
    let et = dir.join("et.csv");
    std::fs::write(&et, text).unwrap();
    (ul, et)
}

#[tokio::test]
async fn an_import_killed_midway_leaves_the_previous_edition_complete() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let (ul, et) = big_files(dir.path(), 60_000);
    app.import_sirene(2023, "2023-12-31", &ul, &et, None)
        .await
        .unwrap();
    let before = app.db.establishment_count(2023).await.unwrap();
    assert_eq!(before, 60_000);
    let first_page = app
        .get_json("/api/organisations?edition=2023&per_page=5", 200)
        .await;

    // A second, different import of the same edition, killed while it runs.
    let (ul2, et2) = big_files(&dir.path().join("second").tap_create(), 90_000);
    let db_url = app.database_url();
    let mut killed_while_running = 0;
    for delay_ms in [300, 700, 1_200, 2_000] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ess-atlas"))
            .args([
                "--database",
                &db_url,
                "import",
                "sirene",
                "--edition",
                "2023",
            ])
            .args(["--reference-date", "2023-12-31", "--unites-legales"])
            .arg(&ul2)
            .arg("--etablissements")
            .arg(&et2)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed_while_running += 1;
        }
        child.wait().unwrap();
        let count = app.db.establishment_count(2023).await.unwrap();
        assert!(
            count == before || count == 90_000,
            "a mix was committed: {count} rows"
        );
        if count == before {
            assert_eq!(
                app.get_json("/api/organisations?edition=2023&per_page=5", 200)
                    .await,
                first_page
            );
        }
    }
    assert!(
        killed_while_running > 0,
        "every import finished before being killed: make the file bigger"
    );
}

trait TapCreate {
    fn tap_create(self) -> Self;
}

impl TapCreate for std::path::PathBuf {
    fn tap_create(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

async fn imported_sample_app() -> TestApp {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let ul_h = header(0);
    let et_h = header(1);
    let mut units = Vec::new();
    let mut ets = Vec::new();
    // Four families in Arras (62041, CU d'Arras) and Lens (62498), one protected unit.
    for (i, (cj, naf, commune, band)) in [
        ("9220", "88.10A", "62041", "12"),
        ("9220", "93.12Z", "62041", "NN"),
        ("5458", "43.21A", "62498", "02"),
        ("8210", "65.12Z", "62498", "21"),
        ("9300", "88.99B", "62041", "01"),
        ("9220", "85.59A", "62498", "03"),
    ]
    .into_iter()
    .enumerate()
    {
        let siren = format!("{}00000000", i + 1);
        units.push(row(
            &ul_h,
            &borrow(&unit(
                &siren[..9],
                cj,
                naf,
                &format!("ORGANISATION {i} EXEMPLE"),
            )),
        ));
        ets.push(row(
            &et_h,
            &borrow(&establishment(
                &format!("{}00011", &siren[..9]),
                commune,
                band,
                naf,
            )),
        ));
    }
    let mut protected = unit("700000000", "9220", "88.10A", "PROTEGEE EXEMPLE");
    protected[1].1 = "P".into();
    units.push(row(&ul_h, &borrow(&protected)));
    ets.push(row(
        &et_h,
        &borrow(&establishment("70000000000011", "62041", "02", "88.10A")),
    ));
    let ul = write(dir.path(), "ul.csv", &ul_h, &units, "\n", false);
    let et = write(dir.path(), "et.csv", &et_h, &ets, "\n", false);
    app.import_sirene(2023, "2023-12-31", &ul, &et, None)
        .await
        .unwrap();
    app
}

fn sirets(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["siret"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn organisations_filter_by_zone_family_sector_size_and_text() {
    let app = imported_sample_app().await;
    let all = app.get_json("/api/organisations", 200).await;
    assert_eq!(all["total"], 6, "the protected one is not listed");
    for (query, expected) in [
        ("family=association", 3),
        ("family=cooperative,mutuelle", 2),
        ("territory=LEN", 3),
        ("epci=200033579", 3),
        ("commune=62041&family=fondation", 1),
        ("naf_section=Q", 2),
        ("size=02,03", 2),
        ("employer=true", 5),
        ("employer=false", 1),
        ("q=organisation%202", 1),
        ("bbox=2.70,50.25,2.85,50.35&employer=true", 2),
    ] {
        let body = app
            .get_json(&format!("/api/organisations?{query}"), 200)
            .await;
        assert_eq!(body["total"], expected, "{query}");
        assert_eq!(body["items"].as_array().unwrap().len(), expected, "{query}");
    }
    // Paging is stable and complete.
    let p1 = app
        .get_json("/api/organisations?per_page=4&page=1", 200)
        .await;
    let p2 = app
        .get_json("/api/organisations?per_page=4&page=2", 200)
        .await;
    let mut paged = sirets(&p1);
    paged.extend(sirets(&p2));
    assert_eq!(paged, sirets(&all));
    // In name then SIRET order, the whole list (read along its index) as a filtered one
    // (sorted after the filter's own index).
    for query in ["", "employer=true", "territory=LEN&per_page=2&page=1"] {
        let body = app
            .get_json(&format!("/api/organisations?{query}"), 200)
            .await;
        let keys: Vec<(String, String)> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["name"].as_str().unwrap().to_owned(),
                    i["siret"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{query}");
    }
    for bad in [
        "per_page=0",
        "per_page=501",
        "page=0",
        "family=club",
        "naf_section=Z",
        "size=99",
        "employer=maybe",
        "bbox=1,2,3",
        "edition=abc",
        "unknown=1",
    ] {
        let body = app
            .get_json(&format!("/api/organisations?{bad}"), 400)
            .await;
        assert_eq!(body["error"], "bad_request", "{bad}");
    }
    for missing in ["edition=1999", "territory=XXX", "epci=123456789"] {
        app.get_json(&format!("/api/organisations?{missing}"), 404)
            .await;
    }
}

#[tokio::test]
async fn the_csv_export_opens_in_french_excel_and_as_standard_csv() {
    let app = imported_sample_app().await;
    let response = app.get("/api/organisations.csv?territory=ARR").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("organisations-ess-2023-ARR.csv"),
        "the file is named after its filter: {disposition}"
    );
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 BOM for Excel"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "siret");
    let jobs = headers.iter().position(|h| h == "effectif estimé").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3, "the three public establishments of Arras");
    assert!(rows.iter().any(|r| &r[jobs] == "34,5"), "decimal comma");
    assert!(!text.contains("PROTEGEE"));
    // The catégorie juridique's label beside its code.
    let cj = headers
        .iter()
        .position(|h| h == "catégorie juridique")
        .unwrap();
    assert_eq!(&headers[cj + 1], "libellé catégorie juridique");
    assert!(
        rows.iter()
            .any(|r| &r[cj] == "9220" && &r[cj + 1] == "Association déclarée"),
        "{rows:?}"
    );
    // SIRET and SIREN as text: French Excel showed a SIRET as 4,20409E+13.
    for r in &rows {
        let (siret, siren) = (&r[0], &r[1]);
        assert!(
            siret.len() == 17 && siret.starts_with("=\"") && siret.ends_with('"'),
            "{siret}"
        );
        assert_eq!(&siret[2..11], &siren[2..11], "{siret} {siren}");
    }

    let standard = app
        .get("/api/organisations.csv?territory=ARR&format=standard")
        .await
        .text()
        .await
        .unwrap();
    assert!(!standard.starts_with('\u{feff}'));
    assert!(standard.lines().next().unwrap().contains(",siren,"));
    assert!(
        !standard.contains("=\""),
        "plain identifiers in the standard format"
    );
    assert!(standard.contains(",34.5,"));
    app.get_json("/api/organisations.csv?format=xls", 400).await;
}

#[tokio::test]
async fn a_point_far_from_its_commune_is_reported_and_replaced_inside_it() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let (ul_h, et_h) = (header(0), header(1));
    let units = [row(
        &ul_h,
        &borrow(&unit(
            "779584127",
            "9220",
            "88.10A",
            "POINT LOINTAIN EXEMPLE",
        )),
    )];
    // In Arras (62041) by its commune code, but with the Lambert-93 point of the
    // sample's Calais establishment, ~80 km away; and one with its own Arras point.
    let mut far = establishment("77958412700012", "62041", "02", "88.10A");
    far.push(("coordonneeLambertAbscisseEtablissement", "620104.7".into()));
    far.push(("coordonneeLambertOrdonneeEtablissement", "7095231.9".into()));
    let mut near = establishment("77958412700020", "62041", "02", "88.10A");
    near.push(("coordonneeLambertAbscisseEtablissement", "684512.3".into()));
    near.push(("coordonneeLambertOrdonneeEtablissement", "7022045.8".into()));
    let ets = [row(&et_h, &borrow(&far)), row(&et_h, &borrow(&near))];
    let ul = write(dir.path(), "ul.csv", &ul_h, &units, "\n", false);
    let et = write(dir.path(), "et.csv", &et_h, &ets, "\n", false);
    let report = app
        .import_sirene(2023, "2023-12-31", &ul, &et, None)
        .await
        .unwrap();

    let warning = report
        .warnings
        .iter()
        .find(|w| w.reason.contains("km hors de sa commune"))
        .unwrap();
    assert_eq!((warning.file.as_str(), warning.line), ("et.csv", 2));
    assert!(warning.reason.contains("62041"), "{}", warning.reason);
    assert_eq!(
        report
            .warnings
            .iter()
            .filter(|w| w.reason.contains("km hors de sa commune"))
            .count(),
        1
    );
    let far = app.get_json("/api/organisations/77958412700012", 200).await;
    assert_eq!(far["location_approximate"], true);
    let at = app
        .get_json(
            &format!("/api/locate?lon={}&lat={}", far["lon"], far["lat"]),
            200,
        )
        .await;
    assert_eq!(at["commune"]["code"], "62041");
    let near = app.get_json("/api/organisations/77958412700020", 200).await;
    assert_eq!(near["location_approximate"], false);
    assert!((near["lon"].as_f64().unwrap() - 2.782_918).abs() < 1e-5);
}
