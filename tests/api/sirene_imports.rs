//! The SIRENE stock import started from `/espace` (issue 19, item 3): a chargé de
//! mission picks files of the server's import directory (`serve --import-dir`), starts
//! the import, follows its progress, then reads its report. Only the import roles;
//! only names of the directory's listing; one import at a time; the server answers
//! meanwhile; a damaged file is refused in French and nothing changes.

use std::io::Write;
use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, repo_path, spawn_app_with};

pub const SAMPLE_ET: &str = "StockEtablissement_sample.csv";
pub const SAMPLE_UL: &str = "StockUniteLegale_sample.csv";

/// An app whose import directory (returned, kept as long as the app) holds the
/// sample SIRENE files.
pub async fn app_with_sirene_files() -> (TestApp, tempfile::TempDir) {
    let imports = tempfile::tempdir().unwrap();
    for name in [SAMPLE_ET, SAMPLE_UL] {
        std::fs::copy(
            repo_path("tests/fixtures/sirene").join(name),
            imports.path().join(name),
        )
        .unwrap();
    }
    let dir = imports.path().to_owned();
    let app = spawn_app_with(|cfg| cfg.import_dir = Some(dir)).await;
    (app, imports)
}

/// [`app_with_sirene_files`], with a chargé de mission signed in.
async fn setup() -> (TestApp, Session, tempfile::TempDir) {
    let (app, imports) = app_with_sirene_files().await;
    app.add_user("claire", "charge_de_mission", &[]).await;
    let cdm = app.login("claire").await;
    (app, cdm, imports)
}

pub fn start_body(edition: i64, et: &str, ul: &str) -> Value {
    json!({"edition": edition, "reference_date": "2023-12-31",
           "etablissements": et, "unites_legales": ul})
}

/// Polls the job until `done` says so (at most 30 s: a bound, not a timing).
pub async fn poll_until(
    app: &TestApp,
    session: &Session,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..600 {
        let (status, job) = app
            .call(
                Method::GET,
                &format!("/api/imports/sirene/{id}"),
                Some(session),
                None,
            )
            .await;
        assert_eq!(status, 200, "{job}");
        if done(&job) {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import job never reached the expected state");
}

/// What a refused import must not change: the edition's reports and its stamp.
async fn stored(app: &TestApp, year: i64) -> (usize, Option<String>, usize) {
    let reports = app.db.import_reports(year).await.unwrap().len();
    let stamp = app
        .db
        .edition(year)
        .await
        .unwrap()
        .and_then(|e| e.imported_at);
    let listed = app
        .get_json(&format!("/api/organisations?edition={year}"), 200)
        .await["total"]
        .as_u64()
        .unwrap_or(0);
    (reports, stamp, usize::try_from(listed).unwrap())
}

#[tokio::test]
async fn only_the_import_roles_see_and_start_sirene_imports() {
    let (app, cdm, imports) = setup().await;
    app.add_user("louise", "lecteur", &[]).await;
    app.add_user("rita", "referent", &["ARR"]).await;
    app.add_partner("cress", "CRESS", &["ARR"]).await;
    let sessions = [
        ("public", None, 401),
        ("lecteur", Some(app.login("louise").await), 403),
        ("référent", Some(app.login("rita").await), 403),
        ("partenaire", Some(app.login("cress").await), 403),
    ];
    let mut failures = Vec::new();
    for (who, session, want) in &sessions {
        for (method, path, body) in [
            (Method::GET, "/api/imports/sirene", None),
            (
                Method::POST,
                "/api/imports/sirene",
                Some(start_body(2023, SAMPLE_ET, SAMPLE_UL)),
            ),
            (Method::GET, "/api/imports/sirene/abc", None),
        ] {
            let (status, answer) = app.call(method, path, session.as_ref(), body).await;
            if status != *want || answer["error"].is_null() {
                failures.push(format!("{who} {path}: {status} {answer}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let (status, listing) = app
        .call(Method::GET, "/api/imports/sirene", Some(&cdm), None)
        .await;
    assert_eq!(status, 200, "{listing}");
    assert_eq!(listing["configured"], true);
    assert!(listing["job"].is_null(), "nobody could start one");
    let files: Vec<(&str, &str)> = listing["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        files,
        [(SAMPLE_ET, "etablissements"), (SAMPLE_UL, "unites_legales")]
    );
    assert!(
        !listing
            .to_string()
            .contains(&imports.path().display().to_string()),
        "the listing shows the server's path: {listing}"
    );
}

#[tokio::test]
async fn only_names_listed_from_the_import_directory_are_read() {
    let (app, cdm, imports) = setup().await;
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("StockUniteLegale_secret.csv");
    std::fs::copy(repo_path("tests/fixtures/sirene").join(SAMPLE_UL), &secret).unwrap();
    std::os::unix::fs::symlink(&secret, imports.path().join("StockUniteLegale_lien.csv")).unwrap();
    std::fs::create_dir(imports.path().join("sous-dossier")).unwrap();
    std::fs::copy(
        &secret,
        imports
            .path()
            .join("sous-dossier")
            .join("StockUniteLegale.csv"),
    )
    .unwrap();
    let (_, listing) = app
        .call(Method::GET, "/api/imports/sirene", Some(&cdm), None)
        .await;
    let names: Vec<&str> = listing["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [SAMPLE_ET, SAMPLE_UL], "{listing}");
    let secret_path = secret.display().to_string();
    let refused = [
        "StockUniteLegale_lien.csv",
        "../StockUniteLegale_secret.csv",
        secret_path.as_str(),
        "sous-dossier/StockUniteLegale.csv",
        "sous-dossier",
        "/etc/passwd",
        "",
    ];
    for name in refused {
        let (status, answer) = app
            .call(
                Method::POST,
                "/api/imports/sirene",
                Some(&cdm),
                Some(start_body(2023, SAMPLE_ET, name)),
            )
            .await;
        assert_eq!(status, 400, "{name}: {answer}");
        assert!(
            answer["message"]
                .as_str()
                .unwrap()
                .contains("n’est pas un fichier du dossier d’import"),
            "{name}: {answer}"
        );
    }
    let (_, listing) = app
        .call(Method::GET, "/api/imports/sirene", Some(&cdm), None)
        .await;
    assert!(listing["job"].is_null(), "an import started: {listing}");
    assert!(app.db.edition(2023).await.unwrap().is_none());
}

/// Writes `first` to the named pipe `path` (once the importer opens it), then
/// `rest` when told, and closes it.
fn feed_pipe(path: PathBuf, first: String, rest: String) -> std::sync::mpsc::Sender<()> {
    let (go, wait) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let mut pipe = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        pipe.write_all(first.as_bytes()).unwrap();
        pipe.flush().unwrap();
        let _ = wait.recv();
        let _ = pipe.write_all(rest.as_bytes());
    });
    go
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn an_import_shows_its_progress_then_its_report_and_the_server_answers_meanwhile() {
    let (app, cdm, imports) = setup().await;
    // The establishments arrive through a pipe, as from a slow disk: the import reads
    // the first two rows and waits for the rest.
    let sample = std::fs::read_to_string(imports.path().join(SAMPLE_ET)).unwrap();
    let lines: Vec<&str> = sample.split_inclusive('\n').collect();
    let pipe = imports.path().join("StockEtablissement_tube.csv");
    mkfifo(&pipe);
    let go = feed_pipe(pipe, lines[..3].concat(), lines[3..].concat());

    let (status, job) = app
        .call(
            Method::POST,
            "/api/imports/sirene",
            Some(&cdm),
            Some(start_body(2023, "StockEtablissement_tube.csv", SAMPLE_UL)),
        )
        .await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["state"], "running");
    let id = job["id"].as_str().unwrap().to_owned();

    let reading = poll_until(&app, &cdm, &id, |j| j["progress"]["rows_read"] == 2).await;
    assert_eq!(reading["state"], "running");
    assert_eq!(reading["progress"]["step"], "etablissements");
    assert_eq!(
        reading["progress"]["step_label"],
        "lecture des établissements"
    );
    assert_eq!(reading["progress"]["file"], "StockEtablissement_tube.csv");
    assert!(reading["progress"]["bytes_read"].as_u64().unwrap() > 0);
    // Meanwhile: the map's API answers, and a second import is refused in JSON.
    app.get_json("/api/meta", 200).await;
    app.get_json("/api/editions", 200).await;
    let (status, busy) = app
        .call(
            Method::POST,
            "/api/imports/sirene",
            Some(&cdm),
            Some(start_body(2024, SAMPLE_ET, SAMPLE_UL)),
        )
        .await;
    assert_eq!(status, 409, "{busy}");
    assert_eq!(busy["error"], "conflict");
    assert!(
        busy["message"].as_str().unwrap().contains("déjà en cours"),
        "{busy}"
    );
    let (_, listing) = app
        .call(Method::GET, "/api/imports/sirene", Some(&cdm), None)
        .await;
    assert_eq!(listing["job"]["id"], id.as_str());

    go.send(()).unwrap();
    let done = poll_until(&app, &cdm, &id, |j| j["state"] != "running").await;
    assert_eq!(done["state"], "done", "{done}");
    let report = &done["report"];
    assert_eq!(report["kind"], "sirene");
    assert_eq!(report["files"][0]["rows_read"], 4);
    assert_eq!(report["files"][0]["rows_kept"], 4);
    assert!(
        report["summary"]["verdict"]
            .as_str()
            .unwrap()
            .starts_with("Édition 2023 remplacée par cet import."),
        "{report}"
    );
    assert_eq!(done["started_by"], "claire");
    // The edition is there for everyone.
    let list = app.get_json("/api/organisations?edition=2023", 200).await;
    assert!(list["total"].as_u64().unwrap() > 0, "{list}");
    assert_eq!(app.db.import_reports(2023).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_damaged_file_is_refused_in_french_and_nothing_changes() {
    let (app, cdm, imports) = setup().await;
    // A first import from the browser.
    let (status, job) = app
        .call(
            Method::POST,
            "/api/imports/sirene",
            Some(&cdm),
            Some(start_body(2023, SAMPLE_ET, SAMPLE_UL)),
        )
        .await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    let done = poll_until(&app, &cdm, &id, |j| j["state"] != "running").await;
    assert_eq!(done["state"], "done", "{done}");
    let before = stored(&app, 2023).await;
    assert!(before.2 > 0);

    // Then the establishments file cut in the middle of a line.
    let sample = std::fs::read_to_string(imports.path().join(SAMPLE_ET)).unwrap();
    let cut = &sample[..sample.len() - 40];
    std::fs::write(imports.path().join("StockEtablissement_coupe.csv"), cut).unwrap();
    let (status, job) = app
        .call(
            Method::POST,
            "/api/imports/sirene",
            Some(&cdm),
            Some(start_body(2023, "StockEtablissement_coupe.csv", SAMPLE_UL)),
        )
        .await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    let failed = poll_until(&app, &cdm, &id, |j| j["state"] != "running").await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert_eq!(failed["error"]["error"], "import_aborted");
    let message = failed["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("import SIRENE interrompu, rien n’a été modifié : "),
        "{message}"
    );
    assert!(
        message.contains("StockEtablissement_coupe.csv, ligne 5")
            && message.contains("semble coupé"),
        "{message}"
    );
    assert!(
        !message.contains(&imports.path().display().to_string()),
        "{message}"
    );
    assert!(failed["report"].is_null());
    assert_eq!(stored(&app, 2023).await, before, "a refused import wrote");
}
