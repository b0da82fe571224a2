//! The data's life (issue 22): what staff wrote survives the operations on the
//! database as a whole — deleting an edition, backup and restore, moving between
//! backends, upgrades.

use std::process::{Command, Output};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, spawn_app};

/// Runs the `ess-atlas` binary with `args` on `database`.
pub fn ess_atlas(database: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ess-atlas"))
        .args(["--database", database])
        .args(args)
        .output()
        .expect("the binary runs")
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
    );
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
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(app.db.edition(2020).await.unwrap().is_none());
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
