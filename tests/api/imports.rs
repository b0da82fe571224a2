//! Imports from the browser (issue 19, item 3): a chargé de mission uploads the SCDL
//! subsidies file or the observatory's aggregates, reads the dry run's French report,
//! then confirms the previewed file; the dry run writes nothing, the confirmation
//! imports all or nothing, a damaged file is refused with its line, other roles and
//! oversized bodies are refused.

use reqwest::Method;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::{Session, TestApp, spawn_app};
use crate::subsidies::{registry, scdl_file};

const PREVIEW: &str = "/api/editions/2023/imports/subventions/preview?file=subventions-2023.csv";

/// Sends `bytes` as the body of `method path` under `session`; returns status and JSON.
pub async fn upload(
    app: &TestApp,
    path: &str,
    session: Option<&Session>,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let response = app
        .request(Method::POST, path, session)
        .header(reqwest::header::CONTENT_TYPE, "text/csv")
        .body(bytes)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{path}: {status} answered {content_type}: {text}"
    );
    (status, serde_json::from_str(&text).unwrap())
}

fn sha256(bytes: &[u8]) -> String {
    use std::fmt::Write;
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// The confirmation path of `kind` for `bytes` (the hash the preview answers).
pub fn confirm_path(year: i64, kind: &str, bytes: &[u8]) -> String {
    format!(
        "/api/editions/{year}/imports/{kind}?file=f.csv&sha256={}",
        sha256(bytes)
    )
}

/// An app with the subsidies tests' registry for 2023, a chargé de mission signed in,
/// and the bytes of their defective SCDL file.
async fn setup() -> (TestApp, Session, Vec<u8>, tempfile::TempDir) {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    registry(&app, dir.path()).await;
    let bytes = std::fs::read(scdl_file(dir.path())).unwrap();
    app.add_user("claire", "charge_de_mission", &[]).await;
    let cdm = app.login("claire").await;
    (app, cdm, bytes, dir)
}

/// What a dry run must not change: subsidy lines, reports and the edition's stamp.
async fn stored(app: &TestApp) -> (usize, usize, Option<String>) {
    let lines = app
        .db
        .subsidy_lines(2023, &["ess", "non_ess", "unmatched"])
        .await
        .unwrap()
        .len();
    let reports = app.db.import_reports(2023).await.unwrap().len();
    let stamp = app.db.edition(2023).await.unwrap().unwrap().imported_at;
    (lines, reports, stamp)
}

#[tokio::test]
async fn a_dry_run_reports_in_french_and_changes_nothing() {
    let (app, cdm, bytes, _dir) = setup().await;
    let before = stored(&app).await;

    let (status, body) = upload(&app, PREVIEW, Some(&cdm), bytes.clone()).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(stored(&app).await, before, "a dry run wrote something");
    assert_eq!(body["dry_run"], true);
    assert_eq!(body["sha256"], sha256(&bytes));
    assert_eq!(body["file"], "subventions-2023.csv");
    assert!(body["refusal"].is_null(), "{}", body["refusal"]);
    let report = &body["report"];
    let f = &report["files"][0];
    assert_eq!(
        (&f["rows_read"], &f["rows_kept"], &f["rows_rejected"]),
        (&Value::from(10), &Value::from(8), &Value::from(2))
    );
    // Rejected rows: line, field and the whole French sentence.
    let rejected = report["rejected"].as_array().unwrap();
    assert_eq!(rejected[1]["line"], 9);
    assert_eq!(rejected[1]["field"], "dateConvention");
    let message = rejected[1]["message"].as_str().unwrap();
    assert!(
        message
            .starts_with("subventions-2023.csv, ligne 9, colonne «\u{a0}dateConvention\u{a0}» :"),
        "{message}"
    );
    assert_eq!(report["summary"]["ess_total"], 20_500.0);
    // The lines that will not count as ESS, with why, in French.
    let listed: Vec<(i64, &str, &str)> = body["not_counted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["line"].as_i64().unwrap(),
                l["status_label"].as_str().unwrap(),
                l["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!((listed[0].0, listed[0].1), (6, "hors ESS"));
    assert!(listed[0].2.contains("pas de l’ESS"), "{}", listed[0].2);
    assert_eq!((listed[1].0, listed[1].1), (7, "non rapproché"));
    assert!(listed[1].2.contains("99999999900019"), "{}", listed[1].2);
    assert_eq!(body["not_counted_granted"], 10_800.0);
}

#[tokio::test]
async fn a_confirmed_import_replaces_the_subsidies_and_the_figures_follow() {
    let (app, cdm, bytes, _dir) = setup().await;
    let before = app
        .get_json(
            "/api/indicators?level=department&indicator=ess_subsidies&edition=2023",
            200,
        )
        .await;
    assert!(before["items"][0]["value"].is_null(), "{before}");

    let (status, body) = upload(
        &app,
        &confirm_path(2023, "subventions", &bytes),
        Some(&cdm),
        bytes.clone(),
    )
    .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["imported"], true);
    assert!(
        body["report"]["summary"]["verdict"]
            .as_str()
            .unwrap()
            .starts_with("Édition 2023 remplacée par cet import.")
    );
    let after = app
        .get_json(
            "/api/indicators?level=department&indicator=ess_subsidies&edition=2023",
            200,
        )
        .await;
    assert_eq!(after["items"][0]["value"], 20_500.0, "{after}");
    // The stored report and the staff list of lines not counted, in French.
    let reports = app.staff_json("/api/editions/2023/reports", 200).await;
    assert_eq!(reports["items"][0]["report"]["kind"], "subventions");
    let unmatched = app
        .staff_json("/api/editions/2023/subsidies/unmatched", 200)
        .await;
    let labels: Vec<&str> = unmatched["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status_label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["hors ESS", "non rapproché", "non rapproché"]);
    assert!(
        unmatched["items"][2]["reason"]
            .as_str()
            .unwrap()
            .contains("SIREN")
    );
}

#[tokio::test]
async fn a_confirmation_must_send_the_previewed_file() {
    let (app, cdm, bytes, _dir) = setup().await;
    let before = stored(&app).await;
    let mut other = bytes.clone();
    other.extend_from_slice(b"\r\n");
    let (status, body) = upload(
        &app,
        &confirm_path(2023, "subventions", &bytes),
        Some(&cdm),
        other,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["message"].as_str().unwrap().contains("aperçu"));
    let (status, _) = upload(
        &app,
        "/api/editions/2023/imports/subventions?file=f.csv",
        Some(&cdm),
        bytes,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn a_damaged_file_is_refused_in_french_with_its_line_and_column() {
    let (app, cdm, _bytes, _dir) = setup().await;
    let before = stored(&app).await;
    let no_amount = "nomBeneficiaire;idBeneficiaire;somme\r\nASSO;10000000900011;100\r\n";
    for path in [
        PREVIEW.to_owned(),
        confirm_path(2023, "subventions", no_amount.as_bytes()),
    ] {
        let (status, body) = upload(&app, &path, Some(&cdm), no_amount.into()).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(body["error"], "import_aborted");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with("import des subventions interrompu, rien n’a été modifié : "),
            "{message}"
        );
        assert!(
            message.contains("colonne «\u{a0}montant\u{a0}» absente de l’en-tête (ligne 1)"),
            "{message}"
        );
        assert!(
            message.contains("subventions-2023.csv") || message.contains("f.csv"),
            "{message}"
        );
        assert!(!message.contains("ess-atlas-import-"), "{message}");
    }
    // An observatory file with a stray quote: aborted where the quote starts.
    let example = std::fs::read_to_string(crate::helpers::repo_path(
        "reference/observatoire-exemple.csv",
    ))
    .unwrap();
    let mut lines: Vec<&str> = example.lines().collect();
    let quoted = format!("\"{}", lines[3]);
    lines[3] = &quoted;
    let damaged = format!("{}\n", lines.join("\n"));
    let (status, body) = upload(
        &app,
        "/api/editions/2023/imports/observatoire/preview?file=observatoire.csv",
        Some(&cdm),
        damaged.into(),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("observatoire.csv, ligne 4"),
        "{body}"
    );
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn the_observatory_file_is_previewed_then_imported() {
    let app = spawn_app().await;
    app.ensure_edition(2023).await;
    app.add_user("claire", "charge_de_mission", &[]).await;
    let cdm = app.login("claire").await;
    let bytes = std::fs::read(crate::helpers::repo_path(
        "reference/observatoire-exemple.csv",
    ))
    .unwrap();
    let (status, body) = upload(
        &app,
        "/api/editions/2023/imports/observatoire/preview?file=observatoire-2023.csv",
        Some(&cdm),
        bytes.clone(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["report"]["kind"], "observatoire");
    assert_eq!(body["report"]["files"][0]["rows_rejected"], 0);
    assert!(app.db.import_reports(2023).await.unwrap().is_empty());
    let (status, body) = upload(
        &app,
        &confirm_path(2023, "observatoire", &bytes),
        Some(&cdm),
        bytes,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let reports = app.db.import_reports(2023).await.unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].report.kind, "observatoire");
}

#[tokio::test]
async fn an_implausible_import_is_refused_unless_staff_accept_it() {
    let (app, cdm, bytes, _dir) = setup().await;
    // 30 rows, then 10: a fall of more than a fifth of the rows read and kept.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let rows: Vec<&str> = text.split("\r\n").collect();
    let file = |n: usize| {
        let mut lines = vec![rows[0]];
        lines.extend(std::iter::repeat_n(rows[1], n));
        lines.join("\r\n")
    };
    let many = file(30);
    let (status, body) = upload(
        &app,
        &confirm_path(2023, "subventions", many.as_bytes()),
        Some(&cdm),
        many.clone().into(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let few = file(10);
    let (status, body) = upload(&app, PREVIEW, Some(&cdm), few.clone().into()).await;
    assert_eq!(status, 200, "{body}");
    let message = body["refusal"]["message"].as_str().unwrap();
    assert!(
        message.contains("refusé, rien n’a été modifié"),
        "{message}"
    );
    let before = stored(&app).await;
    let (status, body) = upload(
        &app,
        &confirm_path(2023, "subventions", few.as_bytes()),
        Some(&cdm),
        few.clone().into(),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "import_refused");
    assert_eq!(stored(&app).await, before);
    let (status, body) = upload(
        &app,
        &format!(
            "{}&accept_drop=true",
            confirm_path(2023, "subventions", few.as_bytes())
        ),
        Some(&cdm),
        few.into(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["report"]["summary"]["accepted_despite"].is_array());
}

#[tokio::test]
async fn only_the_import_roles_may_upload() {
    let (app, _cdm, bytes, _dir) = setup().await;
    app.add_user("louise", "lecteur", &[]).await;
    app.add_user("rita", "referent", &["ARR"]).await;
    app.add_user("admin", "admin", &[]).await;
    let lecteur = app.login("louise").await;
    let referent = app.login("rita").await;
    let admin = app.login("admin").await;
    let confirm = confirm_path(2023, "subventions", &bytes);
    let mut failures = Vec::new();
    for (who, session, want) in [
        ("public", None, 401),
        ("lecteur", Some(&lecteur), 403),
        ("référent", Some(&referent), 403),
        ("admin", Some(&admin), 200),
    ] {
        for path in [PREVIEW, confirm.as_str()] {
            let (status, body) = upload(&app, path, session, bytes.clone()).await;
            if status != want {
                failures.push(format!("{who} {path}: {status} {body}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // A session without its CSRF token is refused too.
    let mut no_csrf = lecteur.clone();
    no_csrf.csrf = String::new();
    let (status, _) = upload(&app, PREVIEW, Some(&no_csrf), bytes).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn unknown_kinds_editions_and_empty_files_are_client_errors() {
    let (app, cdm, bytes, _dir) = setup().await;
    let cases = [
        (
            "/api/editions/2023/imports/sirene/preview",
            bytes.clone(),
            400,
        ),
        (
            "/api/editions/2019/imports/subventions/preview",
            bytes.clone(),
            404,
        ),
        ("/api/editions/20x3/imports/subventions/preview", bytes, 400),
        (
            "/api/editions/2023/imports/subventions/preview",
            Vec::new(),
            400,
        ),
    ];
    for (path, body, want) in cases {
        let (status, answer) = upload(&app, path, Some(&cdm), body).await;
        assert_eq!(status, want, "{path}: {answer}");
        assert!(answer["message"].is_string());
    }
}

#[tokio::test]
async fn a_file_above_the_limit_answers_413_in_json() {
    let (app, cdm, _bytes, _dir) = setup().await;
    let before = stored(&app).await;
    let big = vec![b'a'; ess_atlas::api::imports::MAX_UPLOAD_BYTES + 1];
    let (status, body) = upload(&app, PREVIEW, Some(&cdm), big).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"], "payload_too_large");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("ligne de commande")
    );
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn a_zip_upload_is_read_as_an_archive_by_its_name() {
    use std::io::Write;
    let (app, cdm, bytes, _dir) = setup().await;
    let mut zipped = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zipped
        .start_file(
            "subventions-2023.csv",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
    zipped.write_all(&bytes).unwrap();
    let archive = zipped.finish().unwrap().into_inner();
    let (status, body) = upload(
        &app,
        "/api/editions/2023/imports/subventions/preview?file=C:%5Cexport%5Csubventions.zip",
        Some(&cdm),
        archive.clone(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["file"], "subventions.zip");
    assert_eq!(body["report"]["files"][0]["rows_read"], 10);
    // The same bytes under a CSV name are not a CSV file: refused, nothing imported.
    let (status, body) = upload(&app, PREVIEW, Some(&cdm), archive).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "import_aborted");
}
