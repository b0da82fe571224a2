//! The data's life (issue 22): what staff wrote survives the operations on the
//! database as a whole — deleting an edition, backup and restore, moving between
//! backends, upgrades (`tests/fixtures/upgrade/release.db`, written by
//! `scripts/upgrade-fixture.sh`).
//!
//! Over 700 lines on purpose: each operation is tested end to end (staff writes, the
//! operation, every table read back), and the scenarios share their set-ups here.

use std::process::{Command, Output};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, spawn_app};

/// Runs the `ess-atlas` binary with `args` on `database`, in a blocking thread: the
/// test's runtime goes on (the app's tasks, the closing of dropped connections).
pub async fn ess_atlas(database: &str, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ess-atlas"));
    command.args(["--database", database]).args(args);
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Staff work on `territory` for `edition`: a draft portrait, an orientation and one
/// action, written over HTTP by a `charge_de_mission` (made on first use).
/// Returns the session, the orientation's id and the action's id.
pub async fn staff_work(app: &TestApp, territory: &str, edition: i64) -> (Session, i64, i64) {
    if app.db.user_by_name("claire").await.unwrap().is_none() {
        app.add_user("claire", "charge_de_mission", &[]).await;
    }
    let session = app.login("claire").await;
    app.ensure_edition(edition).await;
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("/api/portraits/{territory}/{edition}"),
            Some(&session),
            Some(json!({"jeux_acteurs": "Les acteurs de l'Arrageois", "dynamiques_projets": "Un tiers-lieu"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, o) = app
        .call(
            Method::POST,
            "/api/orientations",
            Some(&session),
            Some(json!({
                "territory": territory, "edition": edition, "period_start": 2024,
                "period_end": 2030, "title": "Développer l'emploi associatif",
                "description": "Priorité du territoire.",
            })),
        )
        .await;
    assert_eq!(status, 201, "{o}");
    let orientation = o["id"].as_i64().unwrap();
    let (status, a) = app
        .call(
            Method::POST,
            "/api/actions",
            Some(&session),
            Some(json!({
                "orientation_id": orientation, "title": "Tiers-lieu de l'ESS",
                "description": "Ouvrir un tiers-lieu.", "epci": ["200033579"],
                "pilot": "Maison du Département", "partners": ["CRESS"],
                "budgets": [{"year": 2025, "planned": 50000.0, "actual": 42000.5}],
                "status": "en_cours", "flagship": true, "start_date": "2025-01-01",
                "end_date": "2027-12-31", "indicators": ["ess_share_jobs"],
            })),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    (session, orientation, a["id"].as_i64().unwrap())
}

#[tokio::test]
async fn deleting_an_edition_with_a_portrait_is_refused_with_a_message_naming_it() {
    let app = spawn_app().await;
    staff_work(&app, "ARR", 2023).await;
    app.ensure_edition(2020).await;

    let out = ess_atlas(
        &app.database_url(),
        &["edition", "delete", "--year", "2023"],
    )
    .await;
    let message = stderr(&out);
    assert!(!out.status.success(), "deleted: {message}");
    for word in ["2023", "1 portrait", "ARR", "1 orientation", "1 action"] {
        assert!(message.contains(word), "{word:?} missing from {message:?}");
    }
    assert!(app.db.edition(2023).await.unwrap().is_some());
    let portrait = app.db.portrait("ARR", 2023).await.unwrap().unwrap();
    assert_eq!(
        portrait.sections["jeux_acteurs"],
        "Les acteurs de l'Arrageois"
    );

    // An edition nobody wrote about still goes.
    let out = ess_atlas(
        &app.database_url(),
        &["edition", "delete", "--year", "2020"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(app.db.edition(2020).await.unwrap().is_none());
}

/// A consultation is staff's and the public's work too: its edition stays.
#[tokio::test]
async fn deleting_an_edition_with_a_consultation_is_refused() {
    let app = spawn_app().await;
    app.ensure_edition(2020).await;
    app.add_user("cdm-2020", "charge_de_mission", &[]).await;
    let user = app.db.user_by_name("cdm-2020").await.unwrap().unwrap();
    let opened = app
        .db
        .open_consultation(
            ess_atlas::db::Actor {
                user_id: user.id,
                username: "cdm-2020",
            },
            &ess_atlas::db::NewConsultation {
                territory: "ARR",
                edition: 2020,
                starts_on: "2020-03-01",
                ends_on: "2020-04-15",
                introduction: "Consultation sur le plan d'action",
            },
        )
        .await
        .unwrap();
    assert!(opened.is_some(), "the consultation opens");
    let out = ess_atlas(
        &app.database_url(),
        &["edition", "delete", "--year", "2020"],
    )
    .await;
    let message = stderr(&out);
    assert!(!out.status.success(), "deleted: {message}");
    assert!(message.contains("1 consultation"), "{message}");
    assert!(app.db.edition(2020).await.unwrap().is_some());
}

/// The same answer, whatever deleted the edition: no route deletes one, the
/// library function refuses too.
#[tokio::test]
async fn the_database_refuses_to_orphan_an_editions_orientations() {
    let app = spawn_app().await;
    let (session, orientation, _) = staff_work(&app, "LEN", 2023).await;
    // Soft-deleted, the orientation and its action are still in the history.
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/orientations/{orientation}"),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let err = app.db.delete_edition(2023).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("LEN"), "{text}");
    assert!(app.db.edition(2023).await.unwrap().is_some());
    let history: Value = app
        .db
        .changes(Some("orientation"), Some(&orientation.to_string()), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|c| json!(c.operation))
        .collect();
    assert_eq!(history, json!(["create", "delete"]));
}

/// The answers a backup must give back: public figures, the portrait, the plan and
/// the history as staff read them.
pub async fn answers(app: &TestApp, session: &Session, action: i64) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for path in [
        "/api/indicators?level=territory&indicator=ess_establishments&edition=2023".to_owned(),
        "/api/zones/territory/ARR/profile?edition=2023".to_owned(),
        "/api/organisations?edition=2023".to_owned(),
        "/api/portraits/ARR/2023".to_owned(),
        "/api/orientations?territory=ARR&edition=2023".to_owned(),
        "/api/history?entity=portrait&id=ARR/2023".to_owned(),
        format!("/api/history?entity=action&id={action}"),
    ] {
        let response = app
            .request(Method::GET, &path, Some(session))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        out.push((path, response.text().await.unwrap()));
    }
    out
}

/// A sample edition, a portrait, an orientation and an action changed twice.
async fn atlas_with_staff_work(app: &TestApp) -> (Session, i64) {
    app.import_sample(2023, "2023-12-31").await;
    let (session, _, action) = staff_work(app, "ARR", 2023).await;
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/actions/{action}"),
            Some(&session),
            Some(json!({"status": "realise"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    (session, action)
}

fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

#[tokio::test]
async fn a_backup_of_a_live_server_restores_to_the_same_answers() {
    let app = spawn_app().await;
    if app.db.is_postgres() {
        // PostgreSQL's backups are pg_dump's: a_pg_dump_restores_into_a_working_atlas.
        return;
    }
    let (session, action) = atlas_with_staff_work(&app).await;
    let before = answers(&app, &session, action).await;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("sauvegardes/atlas.db");

    // Readers keep the server busy during the backup.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers = {
        let (stop, base) = (stop.clone(), app.base.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut served = 0;
            while served == 0 || !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let r = http
                    .get(format!(
                        "{base}/api/zones/territory/ARR/profile?edition=2023"
                    ))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 200);
                served += 1;
            }
            served
        })
    };
    let done = ess_atlas(
        &app.database_url(),
        &["backup", "--out", backup.to_str().unwrap()],
    )
    .await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(readers.await.unwrap() > 0);

    // Never over an existing file, unless told.
    let again = ess_atlas(
        &app.database_url(),
        &["backup", "--out", backup.to_str().unwrap()],
    )
    .await;
    assert!(!again.status.success());
    assert!(stderr(&again).contains("exists"), "{}", stderr(&again));

    // Not over the live database.
    let refused = ess_atlas(
        &app.database_url(),
        &["restore", "--from", backup.to_str().unwrap()],
    )
    .await;
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("in use"), "{}", stderr(&refused));
    assert_eq!(answers(&app, &session, action).await, before);

    // Into a new place, then served: the same answers (sessions included).
    let restored_url = sqlite_url(&dir.path().join("restauree/atlas.db"));
    let out = ess_atlas(
        &restored_url,
        &["restore", "--from", backup.to_str().unwrap()],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let restored = crate::helpers::spawn_app_with(|cfg| cfg.database_url = restored_url).await;
    assert_eq!(answers(&restored, &session, action).await, before);
}

/// The scheduled backups of `dir` (`ess-atlas-AAAAMMJJTHHMMSSZ.db`), sorted.
fn scheduled_backups(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| {
                    n.starts_with("ess-atlas-")
                        && std::path::Path::new(n)
                            .extension()
                            .is_some_and(|e| e == "db")
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn serve_writes_scheduled_backups_keeps_the_newest_and_they_restore() {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("sauvegardes");
    let schedule = ess_atlas::config::BackupSchedule {
        dir: backups.clone(),
        // Names are stamped to the second: one period a little over a second.
        every: std::time::Duration::from_millis(1100),
        keep: 2,
    };
    let started = crate::helpers::try_spawn_app_with(|cfg| cfg.backups = Some(schedule)).await;
    let app = match started {
        Ok(app) => app,
        Err(refused) => {
            // `serve` refuses --backup-dir on PostgreSQL (pg_dump's job), saying so.
            assert!(
                std::env::var(crate::helpers::TEST_POSTGRES).is_ok_and(|u| !u.is_empty()),
                "a SQLite atlas must start with --backup-dir: {refused:#}"
            );
            assert!(format!("{refused:#}").contains("pg_dump"), "{refused:#}");
            return;
        }
    };
    assert!(!app.db.is_postgres(), "--backup-dir accepted on PostgreSQL");
    let (session, action) = atlas_with_staff_work(&app).await;
    let before = answers(&app, &session, action).await;

    // Wait for a third backup written after the staff work: the oldest ones go.
    let mut seen = std::collections::BTreeSet::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while seen.len() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "only {seen:?} in 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        seen.extend(scheduled_backups(&backups));
    }
    // (A backup being pruned right now may show 3 files for an instant.)
    let mut kept = scheduled_backups(&backups);
    for _ in 0..50 {
        if kept.len() <= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        kept = scheduled_backups(&backups);
    }
    assert!(kept.len() <= 2, "keep 2, found {kept:?}");
    assert!(!kept.contains(seen.first().unwrap()), "the oldest was kept");
    let newest = kept.last().unwrap();
    assert!(newest >= seen.last().unwrap());

    // The newest restores to the same answers.
    let restored_url = sqlite_url(&dir.path().join("restauree/atlas.db"));
    let out = ess_atlas(
        &restored_url,
        &["restore", "--from", backups.join(newest).to_str().unwrap()],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let restored = crate::helpers::spawn_app_with(|cfg| cfg.database_url = restored_url).await;
    assert_eq!(answers(&restored, &session, action).await, before);
}

#[tokio::test]
async fn a_restore_replaces_a_stopped_database_in_one_step_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.db"), dir.path().join("new.db"));
    let old_url = sqlite_url(&old);
    {
        let db = ess_atlas::db::Db::connect(&old_url).await.unwrap();
        db.create_edition(2014, "2014-12-31", "ancienne")
            .await
            .unwrap();
    }
    {
        let db = ess_atlas::db::Db::connect(&sqlite_url(&dir.path().join("src.db")))
            .await
            .unwrap();
        db.create_edition(2023, "2023-12-31", "nouvelle")
            .await
            .unwrap();
        ess_atlas::operations::backup(&db, &new, false)
            .await
            .unwrap();
    }
    // Not an atlas: refused, the database untouched.
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "pas une base").unwrap();
    let foreign = dir.path().join("foreign.db");
    {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&sqlite_url(&foreign))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (x)")
            .execute(&mut c)
            .await
            .unwrap();
    }
    for bad in [&text, &foreign, &dir.path().join("missing.db")] {
        let out = ess_atlas(&old_url, &["restore", "--from", bad.to_str().unwrap()]).await;
        assert!(!out.status.success(), "{bad:?}");
        assert!(
            stderr(&out).contains("not a usable ess-atlas database"),
            "{}",
            stderr(&out)
        );
    }
    let db = ess_atlas::db::Db::connect(&old_url).await.unwrap();
    assert_eq!(db.editions().await.unwrap()[0].year, 2014);
    db.close().await;

    let out = ess_atlas(&old_url, &["restore", "--from", new.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let db = ess_atlas::db::Db::connect(&old_url).await.unwrap();
    let years: Vec<i64> = db
        .editions()
        .await
        .unwrap()
        .iter()
        .map(|e| e.year)
        .collect();
    assert_eq!(years, [2023]);
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("old.db.before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let previous = ess_atlas::db::Db::connect(&sqlite_url(&dir.path().join(&kept[0])))
        .await
        .unwrap();
    assert_eq!(previous.editions().await.unwrap()[0].year, 2014);
}

/// The first PostgreSQL binary among `name` on the PATH and Debian's versioned
/// directories.
fn pg_tool(name: &str) -> std::path::PathBuf {
    let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(|e| Some(e.ok()?.path().join("bin"))).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.into_iter()
        .rev()
        .map(|d| d.join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| name.into())
}

#[tokio::test]
#[ignore = "needs PostgreSQL and pg_dump: ./test.sh runs it in its PostgreSQL pass"]
async fn a_pg_dump_restores_into_a_working_atlas() {
    let app = spawn_app().await;
    assert!(
        app.db.is_postgres(),
        "set ESS_ATLAS_TEST_POSTGRES (./test.sh does)"
    );
    let (session, action) = atlas_with_staff_work(&app).await;
    let before = answers(&app, &session, action).await;
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("atlas.dump");
    let out = Command::new(pg_tool("pg_dump"))
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(&dump)
        .arg(app.database_url())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let target = crate::helpers::PgDatabase::fresh().await;
    let out = Command::new(pg_tool("pg_restore"))
        .args(["--no-owner", "--exit-on-error", "--dbname", &target.url])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let restored =
        crate::helpers::spawn_app_with(|cfg| cfg.database_url.clone_from(&target.url)).await;
    assert_eq!(answers(&restored, &session, action).await, before);
    // The history is still append-only there.
    let refused = match restored.db.pool() {
        ess_atlas::db::Pool::Postgres(p) => sqlx::query("DELETE FROM changes").execute(p).await,
        ess_atlas::db::Pool::Sqlite(_) => unreachable!(),
    };
    assert!(refused.is_err());
}

/// `migrate-data --from --to` through the binary: its per-table lines
/// `(table, source rows, target rows, check)`.
async fn migrate(from: &str, to: &str) -> Vec<(String, u64, u64, String)> {
    let out = ess_atlas(from, &["migrate-data", "--from", from, "--to", to]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let lines: Vec<(String, u64, u64, String)> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 6).then(|| {
                (
                    f[0].to_owned(),
                    f[1].parse().unwrap(),
                    f[2].parse().unwrap(),
                    format!("{} {} {}", f[3], f[4], f[5]),
                )
            })
        })
        .collect();
    assert_eq!(lines.len(), ess_atlas::db::COPIED_TABLES.len(), "{text}");
    // The progress, table by table on stderr, agrees with the checks.
    let progress = stderr(&out);
    let count = lines.len();
    for (i, (table, source, target, check)) in lines.iter().enumerate() {
        assert_eq!(source, target, "{table}");
        assert!(check.ends_with(" ok"), "{table}: {check}");
        let step = format!("[{}/{count}] {table}: {source} rows copied", i + 1);
        assert!(progress.contains(&step), "no « {step} » in {progress}");
    }
    lines
}

/// The history's triggers are in place on `app`'s database.
async fn history_is_append_only(app: &TestApp) {
    let (update, delete) = on_test_pool!(app, p => (
        sqlx::query("UPDATE changes SET username = 'x'").execute(p).await.is_err(),
        sqlx::query("DELETE FROM changes").execute(p).await.is_err(),
    ));
    assert!(update && delete, "the history accepted a change");
}

#[tokio::test]
async fn migrate_data_copies_every_table_and_the_answers_stay_byte_identical() {
    let app = spawn_app().await;
    let (_, action) = atlas_with_staff_work(&app).await;
    let session = app.login("claire").await;
    let before = answers(&app, &session, action).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = sqlite_url(&dir.path().join("copie.db"));

    let tables = migrate(&app.database_url(), &copy).await;
    let rows = |name: &str| tables.iter().find(|t| t.0 == name).unwrap().1;
    assert_eq!(rows("portraits"), 1);
    assert_eq!(rows("actions"), 1);
    assert!(rows("changes") >= 4, "{tables:?}");
    assert!(rows("establishments") > 0);

    // Never into a database that holds anything.
    let again = ess_atlas(
        &copy,
        &["migrate-data", "--from", &app.database_url(), "--to", &copy],
    )
    .await;
    assert!(!again.status.success());
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));

    let copied = crate::helpers::spawn_on(&copy).await;
    history_is_append_only(&copied).await;
    // Sessions are not copied: the same account signs in again.
    let session = copied.login("claire").await;
    assert_eq!(answers(&copied, &session, action).await, before);
    // New rows take new identifiers after the copied ones.
    let (_, _, next_action) = staff_work(&copied, "LEN", 2023).await;
    assert!(next_action > action);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: ./test.sh runs it in its PostgreSQL pass"]
async fn sqlite_to_postgresql_to_sqlite_keeps_every_table_and_answer() {
    let app = spawn_app().await;
    assert!(
        app.db.is_postgres(),
        "set ESS_ATLAS_TEST_POSTGRES (./test.sh does)"
    );
    let (_, action) = atlas_with_staff_work(&app).await;
    let session = app.login("claire").await;
    let before = answers(&app, &session, action).await;
    let dir = tempfile::tempdir().unwrap();
    // The suite's app is on PostgreSQL here: its copy on SQLite is the start.
    let sqlite = sqlite_url(&dir.path().join("depart.db"));
    let first = migrate(&app.database_url(), &sqlite).await;
    let postgres = crate::helpers::PgDatabase::fresh().await;
    let to_postgres = migrate(&sqlite, &postgres.url).await;
    let back = sqlite_url(&dir.path().join("retour.db"));
    let to_sqlite = migrate(&postgres.url, &back).await;
    assert_eq!(to_postgres, first);
    assert_eq!(to_sqlite, first);
    for url in [&sqlite, &postgres.url, &back] {
        let copy = crate::helpers::spawn_on(url).await;
        history_is_append_only(&copy).await;
        let session = copy.login("claire").await;
        assert_eq!(answers(&copy, &session, action).await, before, "{url}");
        // Identifiers go on after the copied ones (PostgreSQL: sequences reset).
        let (_, _, next_action) = staff_work(&copy, "LEN", 2023).await;
        assert!(next_action > action, "{url}");
    }
}

/// Every row of `table` in the SQLite database `url`, as SQLite quotes its values.
async fn sqlite_rows(url: &str, table: &str) -> Vec<String> {
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
    let columns: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
            .bind(table)
            .fetch_all(&mut c)
            .await
            .unwrap();
    let select = columns
        .iter()
        .map(|c| format!("quote({c})"))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    let rows = sqlx::query_scalar(&format!("SELECT {select} FROM {table} ORDER BY rowid"))
        .fetch_all(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    rows
}

/// The previous release's schema, with what staff wrote, opened by this version:
/// migrated, every row intact, and the work served. The fixture is written by
/// `scripts/upgrade-fixture.sh` from a release's binary (regenerated at each
/// release).
#[tokio::test]
async fn a_database_of_the_previous_release_upgrades_with_every_staff_row_intact() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("release.db");
    std::fs::copy(
        crate::helpers::repo_path("tests/fixtures/upgrade/release.db"),
        &file,
    )
    .unwrap();
    let url = sqlite_url(&file);
    let staff_tables = [
        "users",
        "user_territories",
        "portraits",
        "portrait_transitions",
        "orientations",
        "actions",
        "changes",
        "editions",
        "establishments",
        "import_reports",
    ];
    let mut before = Vec::new();
    for table in staff_tables {
        let rows = sqlite_rows(&url, table).await;
        assert!(!rows.is_empty(), "the fixture has no {table}");
        before.push(rows);
    }
    let check = ess_atlas::db::inspect_sqlite_file(&file).await.unwrap();

    let app = crate::helpers::spawn_on(&url).await;
    let level: i64 = on_test_pool!(app, p => sqlx::query_scalar(
        "SELECT MAX(version) FROM _sqlx_migrations"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(level, check.current, "migrated to this version's level");
    for (table, rows) in staff_tables.iter().zip(&before) {
        let now = sqlite_rows(&url, table).await;
        // A later migration may add columns: the old values are a prefix of each row.
        assert_eq!(now.len(), rows.len(), "{table}");
        for (new, old) in now.iter().zip(rows) {
            assert!(new.starts_with(old.as_str()), "{table}: {old} became {new}");
        }
    }

    // The work is served: the accounts sign in, the portrait and its plan read back.
    let session = app.login("rita").await;
    let (status, portrait) = app
        .call(Method::GET, "/api/portraits/ARR/2023", Some(&session), None)
        .await;
    assert_eq!(status, 200, "{portrait}");
    assert_eq!(portrait["status"], "soumis");
    assert!(
        portrait["sections"]["jeux_acteurs"]
            .as_str()
            .unwrap()
            .contains("Arrageois"),
        "{portrait}"
    );
    let action = &portrait["orientations"][0]["actions"][0];
    assert_eq!(action["status"], "realise", "{portrait}");
    assert_eq!(action["budgets"][0]["actual"], 42000.5);
    app.login("claire").await;
    let list = app.get_json("/api/organisations?edition=2023", 200).await;
    assert_eq!(list["total"], 3);
    // Migration 0010 edited the role constraint of the existing `users` table in place
    // (SQLite): a partner account is accepted on the upgraded file, and signs in.
    app.add_partner("cress", "CRESS Hauts-de-France", &["ARR"])
        .await;
    let (_, me) = app
        .call(
            Method::GET,
            "/api/session",
            Some(&app.login("cress").await),
            None,
        )
        .await;
    assert_eq!(me["user"]["organisation"], "CRESS Hauts-de-France");
}

/// `url` (a database of the suite's server) reached by `host` over TLS with
/// `sslmode` and, when given, the CA file `ca`.
fn tls_url(url: &str, host: &str, sslmode: &str, ca: Option<&str>) -> String {
    let mut url = reqwest::Url::parse(url).expect("a postgres:// URL");
    url.set_host(Some(host)).unwrap();
    url.query_pairs_mut().append_pair("sslmode", sslmode);
    if let Some(ca) = ca {
        url.query_pairs_mut().append_pair("sslrootcert", ca);
    }
    url.to_string()
}

/// The CA of the suite's server certificate (made by ./test.sh for `localhost`).
fn test_ca() -> String {
    std::env::var("ESS_ATLAS_TEST_POSTGRES_TLS_CA").expect(
        "set ESS_ATLAS_TEST_POSTGRES_TLS_CA to the CA of the server's certificate \
         (./test.sh makes one for its own server)",
    )
}

#[tokio::test]
#[ignore = "needs PostgreSQL with TLS: ./test.sh runs it in its PostgreSQL pass"]
async fn postgres_tls_verifies_the_server_certificate_and_its_name() {
    let ca = test_ca();
    let target = crate::helpers::PgDatabase::fresh().await;

    // The certificate names `localhost` and chains to the CA: connected, encrypted.
    let url = tls_url(&target.url, "localhost", "verify-full", Some(&ca));
    let db = ess_atlas::db::Db::connect(&url)
        .await
        .expect("TLS connection");
    let ess_atlas::db::Pool::Postgres(pool) = db.pool() else {
        unreachable!()
    };
    let encrypted: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(encrypted, "the connection is not encrypted");
    // The atlas works through it: migrations ran, the CLI reads it.
    let out = ess_atlas(&url, &["edition", "list"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    drop(db);

    // The same server by another name (127.0.0.1, not in the certificate): refused.
    let wrong_name = tls_url(&target.url, "127.0.0.1", "verify-full", Some(&ca));
    let Err(err) = ess_atlas::db::Db::connect(&wrong_name).await else {
        panic!("a certificate for localhost accepted for 127.0.0.1");
    };
    assert!(
        format!("{err:?}").contains("NotValidForName"),
        "not refused for its name: {err:?}"
    );

    // `sslmode=require` verifies too (libpq's `require` would not): by name…
    let require_wrong_name = tls_url(&target.url, "127.0.0.1", "require", Some(&ca));
    assert!(
        ess_atlas::db::Db::connect(&require_wrong_name)
            .await
            .is_err(),
        "sslmode=require accepted a certificate for another name"
    );
    // …and by authority: without the CA file, a self-signed chain is refused.
    let require_no_ca = tls_url(&target.url, "localhost", "require", None);
    let Err(err) = ess_atlas::db::Db::connect(&require_no_ca).await else {
        panic!("sslmode=require accepted an unknown authority");
    };
    assert!(
        format!("{err:?}").contains("UnknownIssuer"),
        "not refused for its authority: {err:?}"
    );
    // With the CA and the right name, `require` connects.
    let require = tls_url(&target.url, "localhost", "require", Some(&ca));
    ess_atlas::db::Db::connect(&require)
        .await
        .expect("sslmode=require with the CA");
}
