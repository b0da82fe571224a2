//! Concurrent use is normal use: several staff members writing at once, a write
//! while the database is busy with another writer. On both backends, no request
//! answers 500.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, spawn_app};

const EDITORS: usize = 16;
const EDITS_EACH: usize = 5;

/// `n` chargés de mission, logged in.
async fn editors(app: &TestApp, n: usize) -> Vec<Session> {
    let mut sessions = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("editor-{i}");
        app.add_user(&name, "charge_de_mission", &[]).await;
        sessions.push(app.login(&name).await);
    }
    sessions
}

async fn orientation(app: &TestApp, who: &Session, title: &str) -> i64 {
    let (status, o) = app
        .call(
            Method::POST,
            "/api/orientations",
            Some(who),
            Some(json!({
                "territory": "ARR", "edition": 2023, "period_start": 2024, "period_end": 2029,
                "title": title, "description": "",
            })),
        )
        .await;
    assert_eq!(status, 201, "{o}");
    o["id"].as_i64().expect("orientation id")
}

#[tokio::test]
async fn sixteen_editors_writing_at_once_all_succeed() {
    let app = spawn_app().await;
    app.ensure_edition(2023).await;
    let sessions = editors(&app, EDITORS).await;
    let mut ids = Vec::new();
    for (i, s) in sessions.iter().enumerate() {
        ids.push(orientation(&app, s, &format!("Orientation {i}")).await);
    }
    let app = &app;
    let runs = sessions
        .iter()
        .zip(&ids)
        .enumerate()
        .map(|(i, (s, id))| async move {
            let mut statuses = Vec::new();
            for edit in 0..EDITS_EACH {
                let (status, body) = app
                    .call(
                        Method::PATCH,
                        &format!("/api/orientations/{id}"),
                        Some(s),
                        Some(json!({"description": format!("Version {edit} de l'éditeur {i}")})),
                    )
                    .await;
                statuses.push((status, body));
            }
            statuses
        });
    let results: Vec<Vec<(u16, Value)>> = crate::helpers::join_all(runs).await;
    let failures: Vec<&(u16, Value)> = results
        .iter()
        .flatten()
        .filter(|(status, _)| *status != 200)
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} edits failed: {failures:?}",
        failures.len(),
        EDITORS * EDITS_EACH
    );
    // Every edit is in the history, and each orientation kept its last version.
    for (i, id) in ids.iter().enumerate() {
        let o = app
            .staff_json(&format!("/api/orientations/{id}"), 200)
            .await;
        assert_eq!(
            o["description"],
            format!("Version {} de l'éditeur {i}", EDITS_EACH - 1)
        );
    }
}

/// Statuses of `n` concurrent wrong-password logins, `username(i)` for the i-th.
async fn wrong_logins(app: &TestApp, n: usize, username: impl Fn(usize) -> String) -> Vec<u16> {
    let runs = (0..n).map(|i| {
        let name = username(i);
        async move {
            app.post_login(&name, "not the password at all", None)
                .await
                .status()
                .as_u16()
        }
    });
    crate::helpers::join_all(runs).await
}

#[tokio::test]
async fn concurrent_wrong_passwords_cannot_pass_the_throttling_limits() {
    let app = spawn_app().await;
    app.add_user("rita", "lecteur", &[]).await;
    // One user: at most MAX_FAILURES_PER_USER attempts reach the password check.
    let statuses = wrong_logins(&app, 40, |_| "rita".to_owned()).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= ess_atlas::auth::session::MAX_FAILURES_PER_USER as usize,
        "{checked} attempts reached the password check: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| matches!(s, 401 | 429)),
        "{statuses:?}"
    );
    // Then the right password is refused too, until the window passes.
    let response = app
        .post_login("rita", &crate::helpers::password_of("rita"), None)
        .await;
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));

    // One address, many user names: at most MAX_FAILURES_PER_IP.
    let statuses = wrong_logins(&app, 60, |i| format!("nobody-{i}")).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= ess_atlas::auth::session::MAX_FAILURES_PER_IP as usize,
        "{checked} attempts reached the password check: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| matches!(s, 401 | 429)),
        "{statuses:?}"
    );
}

/// A staff write while another process holds the database for an import: success,
/// or 503 with `Retry-After` and a French message — never a 500. SQLite has one
/// writer at a time, so there the edit waits, then is told to retry; PostgreSQL
/// writes the two tables side by side.
#[tokio::test]
async fn a_staff_write_during_an_import_succeeds_or_is_told_to_retry() {
    let app = spawn_app().await;
    app.import_sample(2023, "2023-12-31").await;
    let sessions = editors(&app, 1).await;
    let id = orientation(&app, &sessions[0], "Pendant l'import").await;
    // The import's write window, held open by "another process" (a transaction on a
    // pool of its own).
    let other = ess_atlas::db::Db::connect(&app.database_url())
        .await
        .unwrap();
    let held = match other.pool() {
        ess_atlas::db::Pool::Sqlite(p) => {
            let mut tx = p.begin_with("BEGIN IMMEDIATE").await.unwrap();
            sqlx::query("DELETE FROM establishments WHERE edition = 2023")
                .execute(&mut *tx)
                .await
                .unwrap();
            Held::Sqlite(tx)
        }
        ess_atlas::db::Pool::Postgres(p) => {
            let mut tx = p.begin().await.unwrap();
            sqlx::query("DELETE FROM establishments WHERE edition = 2023")
                .execute(&mut *tx)
                .await
                .unwrap();
            Held::Postgres(tx)
        }
    };
    let response = app
        .request(
            Method::PATCH,
            &format!("/api/orientations/{id}"),
            Some(&sessions[0]),
        )
        .json(&json!({"description": "pendant"}))
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    if status == 503 {
        assert!(response.headers().contains_key("retry-after"));
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "busy");
        assert!(body["message"].as_str().unwrap().contains("réessayez"));
    } else {
        assert_eq!(status, 200, "{}", response.text().await.unwrap());
    }
    drop(held);
    // Once the import is over, the same edit goes through.
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/orientations/{id}"),
            Some(&sessions[0]),
            Some(json!({"description": "après"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// An open transaction, rolled back when dropped.
#[allow(dead_code)] // held only to keep the transaction open
enum Held {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}
