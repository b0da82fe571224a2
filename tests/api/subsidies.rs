//! The Département's subsidies (SCDL): import of a defective real-life file, matching
//! to the registry, the staff report through API and CLI, and the indicators.

use std::path::{Path, PathBuf};

use ess_atlas::import::ImportReport;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};
use crate::sirene_files::{borrow, establishment, header, row, unit, write};

/// A registry for 2023: an association with its siège in Arras and an antenna in Lens
/// (RNA W623000123); a non-ESS company in Arras; an association whose siège is in the
/// Nord, with two establishments in the Pas-de-Calais (RNA W593000001).
pub async fn registry(app: &TestApp, dir: &Path) {
    registry_with(app, dir, "5710").await;
}

/// [`registry`], the company SAS INFO with catégorie juridique `company_cj`.
async fn registry_with(app: &TestApp, dir: &Path, company_cj: &str) {
    let ul_h = header(0);
    let et_h = header(1);
    let mut arras = unit("100000009", "9220", "88.10A", "ASSO ARRAS EXEMPLE");
    arras.push(("identifiantAssociationUniteLegale", "W623000123".into()));
    let mut regional = unit("300000007", "9220", "88.99B", "ASSO REGIONALE EXEMPLE");
    regional.push(("identifiantAssociationUniteLegale", "W593000001".into()));
    let units = [
        arras,
        unit("200000008", company_cj, "62.01Z", "SAS INFO EXEMPLE"),
        regional,
    ];
    let not_siege = |siret: &str, commune: &str, band: &str, naf: &str| {
        let mut e = establishment(siret, commune, band, naf);
        for (k, v) in &mut e {
            if *k == "etablissementSiege" {
                *v = "false".into();
            }
        }
        e
    };
    let establishments = [
        establishment("10000000900011", "62041", "11", "88.10A"),
        not_siege("10000000900029", "62498", "03", "88.10A"),
        establishment("20000000800010", "62041", "01", "62.01Z"),
        establishment("30000000700015", "59350", "12", "88.99B"),
        not_siege("30000000700023", "62193", "02", "88.99B"),
        not_siege("30000000700031", "62160", "11", "88.99B"),
    ];
    let ul = write(
        dir,
        "StockUniteLegale.csv",
        &ul_h,
        &units
            .iter()
            .map(|u| row(&ul_h, &borrow(u)))
            .collect::<Vec<_>>(),
        "\n",
        false,
    );
    let et = write(
        dir,
        "StockEtablissement.csv",
        &et_h,
        &establishments
            .iter()
            .map(|e| row(&et_h, &borrow(e)))
            .collect::<Vec<_>>(),
        "\n",
        false,
    );
    app.import_sirene(2023, "2023-12-31", &ul, &et, None)
        .await
        .unwrap();
}

const HEADER: &str = "nomAttribuant;idAttribuant;dateConvention;referenceDecision;nomBeneficiaire;idBeneficiaire;rnaBeneficiaire;objet;montant;nature;conditionsVersement;datesPeriodeVersement;idRAE;notificationUE;pourcentageSubvention;dispositifAide";

fn scdl_row(date: &str, name: &str, id: &str, rna: &str, amount: &str, share: &str) -> String {
    format!(
        "Département du Pas-de-Calais;22620000400019;{date};CP-2023-1;{name};{id};{rna};Fonctionnement;{amount};aide en numéraire;unique;;;non;{share};"
    )
}

/// A file with the defects of real ones: Latin-1, `;`, decimal commas, thousands
/// spaces, a spaced SIRET, a SIREN only, an RNA only, a truncated SIRET, a missing
/// share, a percentage, a French date, no amount, an impossible date.
pub fn scdl_file(dir: &Path) -> PathBuf {
    let lines = [
        HEADER.to_owned(),
        // 2: SIRET with spaces → the Lens antenna: 10 000 €.
        scdl_row(
            "2023-03-17",
            "ASSO ARRAS",
            "100 000 009 00029",
            "",
            "10 000,00",
            "1,00",
        ),
        // 3: SIREN only, no share → the siège in Arras: 5 000 €.
        scdl_row("2023-03-17", "ASSO ARRAS", "100000009", "", "5 000", ""),
        // 4: RNA only, siège in the Nord → its largest establishment here: 2 000 €.
        scdl_row(
            "2023-03-17",
            "ASSO REGIONALE",
            "",
            "W593000001",
            "2000",
            "1",
        ),
        // 5: SIREN, siège outside, "50 %" → 2 000 € to the same establishment.
        scdl_row(
            "2023-03-17",
            "ASSO REGIONALE",
            "300000007",
            "",
            "4000",
            "50 %",
        ),
        // 6: a non-ESS company: 7 000 €.
        scdl_row("2023-03-17", "SAS INFO", "20000000800010", "", "7000", "1"),
        // 7: nobody the registry knows: 3 000 €.
        scdl_row("2023-03-17", "INCONNUE", "99999999900019", "", "3000", "1"),
        // 8: no amount → rejected.
        scdl_row("2023-03-17", "SANS MONTANT", "10000000900011", "", "", "1"),
        // 9: impossible date → rejected.
        scdl_row(
            "2023-02-30",
            "MAUVAISE DATE",
            "10000000900011",
            "",
            "100",
            "1",
        ),
        // 10: French date, share 0,5 → the Arras siège: 1 500 €.
        scdl_row(
            "17/03/2023",
            "ASSO ARRAS",
            "10000000900011",
            "",
            "3000,00",
            "0,5",
        ),
        // 11: truncated SIRET, no RNA → unmatched: 800 €.
        scdl_row(
            "2023-03-17",
            "Comité des fêtes",
            "1000000090001",
            "",
            "800",
            "1",
        ),
    ];
    let text = lines.join("\r\n");
    let (latin1, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    let path = dir.join("subventions-2023.csv");
    std::fs::write(&path, latin1).unwrap();
    path
}

/// The registry above with the SCDL file above imported for 2023.
pub async fn imported() -> (TestApp, ImportReport, tempfile::TempDir) {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    registry(&app, dir.path()).await;
    let report = ess_atlas::operations::import_subsidies(&app.db, 2023, scdl_file(dir.path()))
        .await
        .unwrap();
    (app, report, dir)
}

fn sum_values(body: &Value) -> f64 {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["value"].as_f64().unwrap_or(0.0))
        .sum()
}

#[tokio::test]
async fn a_defective_scdl_file_imports_what_is_readable_and_reports_the_rest() {
    let (_app, report, _dir) = imported().await;
    let f = &report.files[0];
    assert_eq!((f.rows_read, f.rows_kept, f.rows_rejected), (10, 8, 2));
    assert_eq!(f.rows_read, f.rows_kept + f.rows_rejected);
    let rejected: Vec<(u64, &str)> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.field.as_str()))
        .collect();
    assert_eq!(rejected, [(8, "montant"), (9, "dateConvention")]);
    let warned = |field: &str| report.warnings.iter().any(|w| w.field == field);
    assert!(report.warnings[0].reason.contains("Latin-1"));
    assert!(warned("pourcentageSubvention") && warned("idBeneficiaire"));
    assert_eq!(report.summary["ess_total"], 20_500.0);
    // No ESS commercial company here: 0, not -0.
    assert_eq!(report.summary["ess_commercial_total"].to_string(), "0.0");
    assert_eq!(report.summary["granted_by_status"]["non_ess"], 7_000.0);
    assert_eq!(report.summary["granted_by_status"]["unmatched"], 3_800.0);
    assert_eq!(
        report.summary["lines_by_method"],
        serde_json::json!({"siret": 3, "siren_siege": 1, "siren_establishment": 1, "rna": 1, "unmatched": 2})
    );
}

#[tokio::test]
async fn the_staff_report_lists_matches_unmatched_and_non_ess_beneficiaries() {
    let (app, _report, _dir) = imported().await;
    let body = app
        .staff_json("/api/editions/2023/subsidies/report", 200)
        .await;
    assert_eq!(body["report"]["report"]["kind"], "subventions");
    let tallies = body["tallies"].as_array().unwrap();
    let lines = |status: &str| -> i64 {
        tallies
            .iter()
            .filter(|t| t["status"] == status)
            .map(|t| t["lines"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(
        (lines("ess"), lines("non_ess"), lines("unmatched")),
        (5, 1, 2)
    );

    let list = app
        .staff_json("/api/editions/2023/subsidies/unmatched", 200)
        .await;
    let items: Vec<(i64, &str)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["line"].as_i64().unwrap(), i["status"].as_str().unwrap()))
        .collect();
    assert_eq!(items, [(6, "non_ess"), (7, "unmatched"), (11, "unmatched")]);
    assert_eq!(list["granted"], 10_800.0);
    assert_eq!(list["items"][2]["beneficiary_name"], "Comité des fêtes");
    assert!(
        list["items"][1]["note"]
            .as_str()
            .unwrap()
            .contains("99999999900019")
    );
    let only = app
        .staff_json("/api/editions/2023/subsidies/unmatched?status=non_ess", 200)
        .await;
    assert_eq!(only["count"], 1);

    // Client errors are 4xx with a message.
    let bad = app
        .staff_json("/api/editions/2023/subsidies/unmatched?status=all", 400)
        .await;
    assert!(bad["message"].as_str().unwrap().contains("non_ess"));
    app.staff_json("/api/editions/20x3/subsidies/report", 400)
        .await;
    app.staff_json("/api/editions/2019/subsidies/report", 404)
        .await;
}

#[tokio::test]
async fn territory_totals_add_up_to_the_files_matched_ess_lines() {
    let (app, report, _dir) = imported().await;
    let total = report.summary["ess_total"].as_f64().unwrap();
    for level in ["commune", "epci", "territory"] {
        let body = app
            .get_json(
                &format!("/api/indicators?level={level}&indicator=ess_subsidies&edition=2023"),
                200,
            )
            .await;
        assert!((sum_values(&body) - total).abs() < 0.01, "{level}");
        assert_eq!(body["department"]["value"], total);
        assert_eq!(body["department"]["secret"], false);
    }
    // By family: all to associations.
    let body = app
        .get_json(
            "/api/indicators?level=territory&indicator=ess_subsidies&edition=2023&family=association",
            200,
        )
        .await;
    assert!((sum_values(&body) - total).abs() < 0.01);
}

#[tokio::test]
async fn subsidies_are_public_but_ratios_to_jobs_take_the_jobs_secret() {
    let (app, _report, _dir) = imported().await;
    let find = |body: &Value, code: &str| -> Value {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == code)
            .unwrap()
            .clone()
    };
    let amounts = app
        .get_json(
            "/api/indicators?level=commune&indicator=ess_subsidies&edition=2023",
            200,
        )
        .await;
    // Arras: one ESS establishment, so its jobs are secret; its subsidies are not.
    let arras = find(&amounts, "62041");
    assert_eq!(
        (arras["value"].as_f64(), arras["secret"].as_bool()),
        (Some(6_500.0), Some(false))
    );
    let jobs = app
        .get_json(
            "/api/indicators?level=commune&indicator=ess_jobs&edition=2023",
            200,
        )
        .await;
    assert_eq!(find(&jobs, "62041")["secret"], true);
    for indicator in [
        "ess_subsidies_per_job",
        "share_of_department_ess_jobs",
        "subsidies_to_jobs_index",
    ] {
        let body = app
            .get_json(
                &format!("/api/indicators?level=commune&indicator={indicator}&edition=2023"),
                200,
            )
            .await;
        let arras = find(&body, "62041");
        assert_eq!(arras["secret"], true, "{indicator}");
        assert_eq!(arras["value"], Value::Null, "{indicator}");
    }
    // The share of the Département's ESS subsidies needs no jobs: published.
    let share = app
        .get_json(
            "/api/indicators?level=commune&indicator=share_of_department_ess_subsidies&edition=2023",
            200,
        )
        .await;
    let v = find(&share, "62041")["value"].as_f64().unwrap();
    assert!((v - 6_500.0 / 20_500.0 * 100.0).abs() < 0.06, "{v}");
    // The profile shows them among the key figures.
    let profile = app
        .get_json("/api/zones/commune/62041/profile?edition=2023", 200)
        .await;
    let ids: Vec<&str> = profile["key_figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["indicator"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"ess_subsidies") && ids.contains(&"ess_subsidies_per_job"));
}

#[tokio::test]
async fn an_edition_without_subsidies_shows_no_figure_rather_than_zero() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    registry(&app, dir.path()).await;
    let body = app
        .get_json(
            "/api/indicators?level=territory&indicator=ess_subsidies&edition=2023",
            200,
        )
        .await;
    assert_eq!(body["department"]["value"], Value::Null);
    app.staff_json("/api/editions/2023/subsidies/report", 404)
        .await;
    let err = ess_atlas::operations::import_subsidies(&app.db, 2031, scdl_file(dir.path()))
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("pas d’édition 2031"));
}

#[tokio::test]
async fn a_file_that_cannot_be_imported_changes_nothing() {
    let (app, report, dir) = imported().await;
    let before = app
        .staff_json("/api/editions/2023/subsidies/unmatched", 200)
        .await;
    // No amount column: structural, the whole import stops.
    let bad = dir.path().join("sans-montant.csv");
    std::fs::write(&bad, "nomBeneficiaire;idBeneficiaire\nASSO;100000009\n").unwrap();
    let err = ess_atlas::operations::import_subsidies(&app.db, 2023, bad)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("montant"), "{err:#}");
    let missing = dir.path().join("absent.csv");
    assert!(
        ess_atlas::operations::import_subsidies(&app.db, 2023, missing)
            .await
            .is_err()
    );
    assert_eq!(
        app.staff_json("/api/editions/2023/subsidies/unmatched", 200)
            .await,
        before
    );
    let body = app
        .get_json(
            "/api/indicators?level=department&indicator=ess_subsidies&edition=2023",
            200,
        )
        .await;
    assert_eq!(body["items"][0]["value"], report.summary["ess_total"]);

    // A second file replaces the first one entirely.
    let second = dir.path().join("second.csv");
    std::fs::write(
        &second,
        "nomBeneficiaire,idBeneficiaire,montant\nASSO ARRAS,10000000900011,1000\n",
    )
    .unwrap();
    let report = ess_atlas::operations::import_subsidies(&app.db, 2023, second)
        .await
        .unwrap();
    assert_eq!(report.summary["ess_total"], 1_000.0);
    let body = app
        .get_json(
            "/api/indicators?level=department&indicator=ess_subsidies&edition=2023",
            200,
        )
        .await;
    assert_eq!(body["items"][0]["value"], 1_000.0);
    let list = app
        .staff_json("/api/editions/2023/subsidies/unmatched", 200)
        .await;
    assert_eq!(list["count"], 0);
}

#[tokio::test]
async fn the_cli_imports_a_file_and_lists_the_unmatched_beneficiaries() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    registry(&app, dir.path()).await;
    let file = scdl_file(dir.path());
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ess-atlas"))
            .args(["--database", &app.database_url()])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let out = run(&[
        "import",
        "subventions",
        "--edition",
        "2023",
        file.to_str().unwrap(),
    ]);
    assert!(
        out.contains("10 lignes lues, 8 conservées, 0 hors champ, 2 rejetées"),
        "{out}"
    );
    assert!(
        out.contains(
            "rejetée : subventions-2023.csv, ligne 9, colonne «\u{a0}dateConvention\u{a0}» : "
        ),
        "{out}"
    );
    let out = run(&["subventions", "unmatched", "--year", "2023"]);
    assert!(
        out.contains("3 bénéficiaires non comptés dans l’ESS"),
        "{out}"
    );
    assert!(out.contains("ligne 6\tnon_ess\tSAS INFO"), "{out}");
    assert!(out.contains("ligne 7\tunmatched\tINCONNUE"), "{out}");
    let out = run(&["subventions", "report", "--year", "2023", "--json"]);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["report"]["report"]["summary"]["ess_total"], 20_500.0);
}

#[tokio::test]
async fn the_subsidies_report_and_unmatched_list_are_for_staff_only() {
    let (app, _report, _dir) = imported().await;
    for path in [
        "/api/editions/2023/subsidies/report",
        "/api/editions/2023/subsidies/unmatched",
    ] {
        let body = app.get_json(path, 401).await;
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        app.staff_json(path, 200).await;
    }
}

/// Re-importing the SIRENE files re-matches the edition's subsidies in the same
/// transaction: the company that became a SCOP (catégorie 5458) now counts its
/// 7 000 € among the cooperatives' subsidies, and no figure keeps the old match.
#[tokio::test]
async fn a_sirene_reimport_moves_a_subsidy_to_the_beneficiarys_new_family() {
    let (app, _report, dir) = imported().await;
    let cooperatives = "/api/indicators?edition=2023&level=department&indicator=ess_subsidies\
                        &family=cooperative";
    let before = app.get_json(cooperatives, 200).await;
    assert_eq!(sum_values(&before), 0.0);

    let again = tempfile::tempdir().unwrap();
    registry_with(&app, again.path(), "5458").await;
    let after = app.get_json(cooperatives, 200).await;
    assert_eq!(sum_values(&after), 7_000.0, "{after}");
    let body = app
        .staff_json("/api/editions/2023/subsidies/report", 200)
        .await;
    let non_ess: i64 = body["tallies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "non_ess")
        .map(|t| t["lines"].as_i64().unwrap())
        .sum();
    assert_eq!(non_ess, 0, "{body}");
    // The report staff read says when and why the matching was redone.
    let report = &body["report"]["report"];
    assert_eq!(report["kind"], "subventions");
    assert!(
        report.to_string().contains("SIRENE"),
        "the re-match is not explained: {report}"
    );
    // The public list of editions says when the subsidies were matched.
    let editions = app.get_json("/api/editions", 200).await;
    let matched = editions["items"][0]["subsidies_matched_at"]
        .as_str()
        .unwrap();
    assert_eq!(matched, body["report"]["finished_at"], "{editions}");
    drop(dir);
}
