//! Portraits, orientations, actions, the workflow and the history over HTTP: every
//! role against every route, workflow rules, history, visibility, XSS.
//!
//! Over 700 lines on purpose: the role × route matrix is one table of every staff
//! route, and the workflow tests share its accounts and fixtures.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, spawn_app};

/// CU d'Arras, in territory ARR.
const ARRAS: &str = "200033579";

/// The accounts of these tests: one per role, the referent assigned to ARR.
async fn staff(app: &TestApp) -> Staff {
    app.add_user("admin", "admin", &[]).await;
    app.add_user("claire", "charge_de_mission", &[]).await;
    app.add_user("rita", "referent", &["ARR"]).await;
    app.add_user("louise", "lecteur", &[]).await;
    Staff {
        admin: app.login("admin").await,
        cdm: app.login("claire").await,
        referent: app.login("rita").await,
        lecteur: app.login("louise").await,
    }
}

struct Staff {
    admin: Session,
    cdm: Session,
    referent: Session,
    lecteur: Session,
}

fn orientation_body(territory: &str, edition: i64) -> Value {
    json!({
        "territory": territory, "edition": edition, "period_start": 2015, "period_end": 2021,
        "title": "Développer l'emploi associatif", "description": "Priorité du territoire.",
    })
}

fn action_body(orientation: i64) -> Value {
    json!({
        "orientation_id": orientation,
        "title": "Tiers-lieu de l'ESS",
        "description": "Ouvrir un tiers-lieu.",
        "epci": [ARRAS],
        "pilot": "Maison du Département",
        "partners": ["CRESS", "APES"],
        "budgets": [{"year": 2016, "planned": 50000.0, "actual": 42000.5}],
        "status": "en_cours",
        "flagship": true,
        "start_date": "2016-01-01",
        "end_date": "2018-12-31",
        "indicators": ["ess_share_jobs"],
    })
}

/// A draft portrait of `territory` for `edition` with one orientation and one action,
/// made by the admin. Returns (orientation id, action id).
async fn plan(app: &TestApp, admin: &Session, territory: &str, edition: i64) -> (i64, i64) {
    app.ensure_edition(edition).await;
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/portraits/{territory}/{edition}"),
            Some(admin),
            Some(json!({"jeux_acteurs": "Acteurs", "dynamiques_projets": "Projets"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, o) = app
        .call(
            Method::POST,
            "/api/orientations",
            Some(admin),
            Some(orientation_body(territory, edition)),
        )
        .await;
    assert_eq!(status, 201, "{o}");
    let oid = o["id"].as_i64().unwrap();
    let (status, a) = app
        .call(
            Method::POST,
            "/api/actions",
            Some(admin),
            Some(action_body(oid)),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    (oid, a["id"].as_i64().unwrap())
}

async fn step(
    app: &TestApp,
    who: &Session,
    territory: &str,
    edition: i64,
    body: Value,
) -> (u16, Value) {
    app.call(
        Method::POST,
        &format!("/api/portraits/{territory}/{edition}/transitions"),
        Some(who),
        Some(body),
    )
    .await
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Ok,
    Unauthorized,
    Forbidden,
    NotFound,
}

fn class(status: u16) -> Expect {
    match status {
        200..=299 => Expect::Ok,
        401 => Expect::Unauthorized,
        403 => Expect::Forbidden,
        404 => Expect::NotFound,
        other => panic!("unexpected status {other}"),
    }
}

const ROUTES: [&str; 32] = [
    "GET draft portrait",
    "PUT portrait",
    "POST orientation",
    "PATCH orientation",
    "POST action",
    "PATCH action",
    "DELETE action",
    "DELETE orientation",
    "POST transition soumis",
    "POST transition valide",
    "GET history",
    "GET draft action",
    "POST import preview",
    "POST import confirm",
    "POST consultation",
    "POST contribution moderation",
    "GET consultation contributions",
    "POST consultation close",
    "POST proposition",
    "GET propositions",
    "GET another partner's proposition",
    "POST proposition decision",
    "GET proposition context",
    "GET SIRENE files",
    "POST SIRENE import",
    "GET SIRENE import",
    "GET organisation declarations",
    "GET declarations (moderation)",
    "POST declaration moderation",
    "POST CDESS proposition",
    "DELETE CDESS proposition",
    "GET CDESS propositions",
];

/// Runs route `r` as `who` on a fresh plan of `territory` (edition `edition`);
/// `apes` is a partner of every territory of the matrix, whose proposals the
/// proposition routes read and decide.
async fn run(
    app: &TestApp,
    (admin, apes): (&Session, &Session),
    who: Option<&Session>,
    r: usize,
    territory: &str,
    edition: i64,
) -> u16 {
    let (oid, aid) = plan(app, admin, territory, edition).await;
    if r >= 29 {
        return run_cdess(app, admin, who, r - 6, edition).await;
    }
    if r >= 26 {
        return crate::declarations::matrix_route(app, who, r - 3, territory, edition).await;
    }
    if r >= 23 {
        return run_sirene(app, admin, who, r, edition).await;
    }
    if r >= 18 {
        return run_proposal(app, apes, who, r, territory, edition, aid).await;
    }
    if r == 9 {
        let (s, _) = step(app, admin, territory, edition, json!({"to": "soumis"})).await;
        assert_eq!(s, 200);
    }
    let portrait = format!("/api/portraits/{territory}/{edition}");
    if r >= 14 {
        return run_consultation(app, admin, who, r, territory, edition).await;
    }
    if r >= 12 {
        // Imports from the browser: a one-line SCDL file, previewed or imported.
        let file = b"nomBeneficiaire,idBeneficiaire,montant\nASSO,10000000900011,100\n".to_vec();
        let path = crate::imports::confirm_path(edition, "subventions", &file);
        let path = if r == 12 {
            format!("/api/editions/{edition}/imports/subventions/preview")
        } else {
            path
        };
        return crate::imports::upload(app, &path, who, file).await.0;
    }
    let (method, path, body) = match r {
        0 => (Method::GET, portrait, None),
        1 => (
            Method::PUT,
            portrait,
            Some(json!({"jeux_acteurs": "Réécrit"})),
        ),
        2 => (
            Method::POST,
            "/api/orientations".into(),
            Some(orientation_body(territory, edition)),
        ),
        3 => (
            Method::PATCH,
            format!("/api/orientations/{oid}"),
            Some(json!({"title": "Nouveau titre"})),
        ),
        4 => (Method::POST, "/api/actions".into(), Some(action_body(oid))),
        5 => (
            Method::PATCH,
            format!("/api/actions/{aid}"),
            Some(json!({"status": "realise"})),
        ),
        6 => (Method::DELETE, format!("/api/actions/{aid}"), None),
        7 => (Method::DELETE, format!("/api/orientations/{oid}"), None),
        8 => (
            Method::POST,
            format!("{portrait}/transitions"),
            Some(json!({"to": "soumis"})),
        ),
        9 => (
            Method::POST,
            format!("{portrait}/transitions"),
            Some(json!({"to": "valide", "decision_ref": "CT-2023-01"})),
        ),
        10 => (
            Method::GET,
            format!("/api/history?entity=action&id={aid}"),
            None,
        ),
        11 => (Method::GET, format!("/api/actions/{aid}"), None),
        _ => unreachable!(),
    };
    app.call(method, &path, who, body).await.0
}

/// The SIRENE import routes of [`ROUTES`] (23 and after): the sample files of the
/// import directory into `edition`; route 25 reads an import the admin started. A
/// started import is waited for, so that the next case does not find it running.
async fn run_sirene(
    app: &TestApp,
    admin: &Session,
    who: Option<&Session>,
    r: usize,
    edition: i64,
) -> u16 {
    let start = json!({"edition": edition, "etablissements": "StockEtablissement_sample.csv",
                       "unites_legales": "StockUniteLegale_sample.csv"});
    let wait = |id: String| async move {
        for _ in 0..600 {
            let (_, job) = app
                .call(
                    Method::GET,
                    &format!("/api/imports/sirene/{id}"),
                    Some(admin),
                    None,
                )
                .await;
            if job["state"] != "running" {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the SIRENE import never ended");
    };
    match r {
        23 => {
            app.call(Method::GET, "/api/imports/sirene", who, None)
                .await
                .0
        }
        24 => {
            let (status, job) = app
                .call(Method::POST, "/api/imports/sirene", who, Some(start))
                .await;
            if status == 202 {
                wait(job["id"].as_str().unwrap().to_owned()).await;
            }
            status
        }
        25 => {
            let (status, job) = app
                .call(
                    Method::POST,
                    "/api/imports/sirene",
                    Some(admin),
                    Some(start),
                )
                .await;
            assert_eq!(status, 202, "{job}");
            let id = job["id"].as_str().unwrap().to_owned();
            wait(id.clone()).await;
            app.call(Method::GET, &format!("/api/imports/sirene/{id}"), who, None)
                .await
                .0
        }
        _ => unreachable!(),
    }
}

/// The proposition routes of [`ROUTES`] (18 and after), on a comment `apes` made on
/// action `aid` (route 18 proposes as `who`).
async fn run_proposal(
    app: &TestApp,
    apes: &Session,
    who: Option<&Session>,
    r: usize,
    territory: &str,
    edition: i64,
    aid: i64,
) -> u16 {
    let comment = json!({"territory": territory, "edition": edition, "kind": "commentaire",
                         "action_id": aid, "body": "Le réseau y participe déjà."});
    if r == 18 {
        return app
            .call(Method::POST, "/api/propositions", who, Some(comment))
            .await
            .0;
    }
    let (status, p) = app
        .call(Method::POST, "/api/propositions", Some(apes), Some(comment))
        .await;
    assert_eq!(status, 201, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let (method, path, body) = match r {
        19 => (Method::GET, "/api/propositions".to_owned(), None),
        20 => (Method::GET, format!("/api/propositions/{pid}"), None),
        21 => (
            Method::POST,
            format!("/api/propositions/{pid}/decision"),
            Some(json!({"decision": "acceptee"})),
        ),
        22 => (
            Method::GET,
            format!("/api/propositions/contexte?territory={territory}&edition={edition}"),
            None,
        ),
        _ => unreachable!(),
    };
    app.call(method, &path, who, body).await.0
}

/// The CDESS routes of [`ROUTES`] (23 and after), on a proposal the admin recorded
/// (route 23 records one as `who`). Whatever the row's territory: the CDESS's
/// proposals are the département's.
async fn run_cdess(
    app: &TestApp,
    admin: &Session,
    who: Option<&Session>,
    r: usize,
    edition: i64,
) -> u16 {
    let body = json!({"edition": edition, "session_on": "2024-06-12",
                      "title": "Un fonds départemental d'amorçage"});
    if r == 23 {
        return app
            .call(Method::POST, "/api/cdess/propositions", who, Some(body))
            .await
            .0;
    }
    let (status, p) = app
        .call(
            Method::POST,
            "/api/cdess/propositions",
            Some(admin),
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{p}");
    let id = p["id"].as_i64().unwrap();
    let (method, path) = match r {
        24 => (Method::DELETE, format!("/api/cdess/propositions/{id}")),
        25 => (
            Method::GET,
            format!("/api/cdess/propositions?edition={edition}"),
        ),
        _ => unreachable!(),
    };
    app.call(method, &path, who, None).await.0
}

/// The consultation routes of [`ROUTES`] (14 and after), on a consultation of
/// `territory` opened by the admin (route 14 opens it as `who`).
async fn run_consultation(
    app: &TestApp,
    admin: &Session,
    who: Option<&Session>,
    r: usize,
    territory: &str,
    edition: i64,
) -> u16 {
    let open = json!({"territory": territory, "edition": edition,
                      "starts_on": "2000-01-01", "ends_on": "2999-12-31"});
    if r == 14 {
        return app
            .call(Method::POST, "/api/consultations", who, Some(open))
            .await
            .0;
    }
    let (status, c) = app
        .call(Method::POST, "/api/consultations", Some(admin), Some(open))
        .await;
    assert_eq!(status, 201, "{c}");
    let cid = c["id"].as_i64().unwrap();
    let (method, path, body) = match r {
        15 => {
            // Straight into the database: the public route's rate limit is not the
            // matter here.
            let now = ess_atlas::time::unix_now();
            let ip = format!("matrix-{edition}");
            let row = app
                .db
                .add_contribution(
                    &ess_atlas::db::NewContribution {
                        consultation_id: cid,
                        kind: "proposition",
                        orientation_id: None,
                        action_id: None,
                        body: "Une proposition",
                        name: "Jeanne",
                        organisation: "",
                        role: "",
                        email: "jeanne@example.org",
                        siret: None,
                        commune: None,
                        ip: &ip,
                        // The stored hash of its e-mailed token (any unique text here).
                        confirm_token: &ip,
                        confirm_expires_at: now + 3600,
                    },
                    now,
                    now - 3600,
                    5,
                )
                .await
                .unwrap()
                .unwrap();
            // Confirmed by its author (only confirmed contributions can be accepted).
            assert!(matches!(
                app.db.confirm_contribution(&ip, now).await.unwrap(),
                ess_atlas::db::Confirmation::Valid(_)
            ));
            (
                Method::POST,
                format!("/api/contributions/{}/moderation", row.id),
                Some(json!({"decision": "acceptee"})),
            )
        }
        16 => (
            Method::GET,
            format!("/api/consultations/{cid}/contributions"),
            None,
        ),
        17 => (
            Method::POST,
            format!("/api/consultations/{cid}/close"),
            None,
        ),
        _ => unreachable!(),
    };
    app.call(method, &path, who, body).await.0
}

#[tokio::test]
async fn every_role_on_every_route() {
    use Expect::{Forbidden as F, NotFound as N, Ok as O, Unauthorized as U};
    // The SIRENE routes read the sample files of the server's import directory.
    let (app, _imports) = crate::sirene_imports::app_with_sirene_files().await;
    let s = staff(&app).await;
    // Partners (issue 20): the CRESS for ARR; the APES, for every territory here,
    // makes the proposals the proposition routes read and decide.
    app.add_partner("cress", "CRESS Hauts-de-France", &["ARR"])
        .await;
    app.add_partner("apes", "APES", &["ARR", "LEN", "BOU"])
        .await;
    let partner = app.login("cress").await;
    let apes = app.login("apes").await;
    // Establishments for the declaration routes (Arras, Lens).
    app.import_sample(2025, "2025-06-30").await;
    // Columns follow ROUTES. A partner is the public everywhere but on its own
    // routes: it proposes for its territories, reads its own proposals only, decides
    // nothing.
    let cases: [(&str, Option<&Session>, &str, [Expect; 32]); 8] = [
        (
            "public",
            None,
            "ARR",
            [
                N, U, U, U, U, U, U, U, U, U, U, N, U, U, U, U, U, U, U, U, U, U, U, U, U, U, O, U,
                U, U, U, O,
            ],
        ),
        (
            "lecteur",
            Some(&s.lecteur),
            "ARR",
            [
                O, F, F, F, F, F, F, F, F, F, O, O, F, F, F, F, F, F, F, O, O, F, O, F, F, F, O, F,
                F, F, F, O,
            ],
        ),
        (
            "referent in scope",
            Some(&s.referent),
            "ARR",
            [
                O, O, O, O, O, O, O, O, O, F, O, O, F, F, F, O, O, F, F, O, O, O, O, F, F, F, O, O,
                O, F, F, O,
            ],
        ),
        (
            "referent out of scope",
            Some(&s.referent),
            "LEN",
            [
                O, F, F, F, F, F, F, F, F, F, O, O, F, F, F, F, F, F, F, O, O, F, O, F, F, F, O, F,
                F, F, F, O,
            ],
        ),
        (
            "chargé de mission",
            Some(&s.cdm),
            "LEN",
            [
                O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, F, O, O, O, O, O, O, O, O, O,
                O, O, O, O,
            ],
        ),
        (
            "admin",
            Some(&s.admin),
            "BOU",
            [
                O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, F, O, O, O, O, O, O, O, O, O,
                O, O, O, O,
            ],
        ),
        (
            "partenaire in scope",
            Some(&partner),
            "ARR",
            [
                N, F, F, F, F, F, F, F, F, F, F, N, F, F, F, F, F, F, O, O, N, F, O, F, F, F, O, F,
                F, F, F, O,
            ],
        ),
        (
            "partenaire out of scope",
            Some(&partner),
            "LEN",
            [
                N, F, F, F, F, F, F, F, F, F, F, N, F, F, F, F, F, F, F, O, N, F, F, F, F, F, O, F,
                F, F, F, O,
            ],
        ),
    ];
    // Each case its own edition (years the API accepts: up to 2200).
    let mut edition = 1900;
    let mut failures = Vec::new();
    for (name, who, territory, expected) in cases {
        for (r, want) in expected.iter().enumerate() {
            edition += 1;
            let got = class(run(&app, (&s.admin, &apes), who, r, territory, edition).await);
            if got != *want {
                failures.push(format!(
                    "{name} × {}: got {got:?}, want {want:?}",
                    ROUTES[r]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_referent_cannot_move_an_orientation_out_of_its_territory() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (oid, aid) = plan(&app, &s.admin, "ARR", 2023).await;
    let (lens, _) = plan(&app, &s.admin, "LEN", 2023).await;
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/orientations/{oid}"),
            Some(&s.referent),
            Some(json!({"territory": "LEN"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/actions/{aid}"),
            Some(&s.referent),
            Some(json!({"orientation_id": lens})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .call(
            Method::POST,
            "/api/orientations",
            Some(&s.referent),
            Some(orientation_body("62", 2023)),
        )
        .await;
    assert_eq!(status, 403, "the département's plan is not the referent's");
}

#[tokio::test]
async fn the_workflow_records_who_when_the_body_and_the_decision() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    plan(&app, &s.admin, "ARR", 2023).await;

    let (status, p) = step(&app, &s.referent, "ARR", 2023, json!({"to": "soumis"})).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["status"], "soumis");
    let (status, p) = step(
        &app,
        &s.cdm,
        "ARR",
        2023,
        json!({"to": "valide", "decision_ref": "CT-ARR-2023-04", "comment": "à l'unanimité"}),
    )
    .await;
    assert_eq!(status, 200, "{p}");
    let (status, _) = step(
        &app,
        &s.cdm,
        "ARR",
        2023,
        json!({"to": "adopte", "decision_ref": "AD-2023-117"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, p) = step(&app, &s.cdm, "ARR", 2023, json!({"to": "publie"})).await;
    assert_eq!(status, 200);
    assert_eq!(p["status"], "publie");
    assert_eq!(p["status_label"], "publié");

    let steps = p["transitions"].as_array().unwrap();
    let summary: Vec<(&str, &str, Option<&str>, Option<&str>)> = steps
        .iter()
        .map(|t| {
            (
                t["to_status"].as_str().unwrap(),
                t["username"].as_str().unwrap(),
                t["body"].as_str(),
                t["decision_ref"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("soumis", "rita", None, None),
            (
                "valide",
                "claire",
                Some("Commission territoriale"),
                Some("CT-ARR-2023-04")
            ),
            (
                "adopte",
                "claire",
                Some("Assemblée départementale"),
                Some("AD-2023-117")
            ),
            ("publie", "claire", None, None),
        ]
    );
    assert_eq!(steps[1]["comment"], "à l'unanimité");
    assert!(
        steps
            .iter()
            .all(|t| t["at"].as_str().unwrap().ends_with('Z'))
    );

    // The public reads the steps, without staff names.
    let (status, public) = app
        .call(
            Method::GET,
            "/api/portraits/ARR/2023/transitions",
            None,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(public["items"][1]["decision_ref"], "CT-ARR-2023-04");
    assert!(public["items"][1].get("username").is_none());
    assert!(
        public["items"][1].get("comment").is_none(),
        "comments are staff notes"
    );
}

#[tokio::test]
async fn invalid_transitions_are_refused_with_a_clear_message() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    plan(&app, &s.admin, "ARR", 2023).await;

    let (status, body) = step(&app, &s.admin, "ARR", 2023, json!({"to": "publie"})).await;
    assert_eq!(status, 409);
    assert_eq!(
        body["message"],
        "transition refusée : le portrait est « brouillon », il ne peut pas passer à « publié » (étape possible : « soumis »)"
    );
    let (status, body) = step(&app, &s.admin, "ARR", 2023, json!({"to": "archive"})).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("statut inconnu"));

    step(&app, &s.admin, "ARR", 2023, json!({"to": "soumis"})).await;
    let (status, body) = step(&app, &s.admin, "ARR", 2023, json!({"to": "valide"})).await;
    assert_eq!(status, 400, "a validation needs its decision reference");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("référence de la décision")
    );
    let (status, _) = step(&app, &s.admin, "ARR", 2023, json!({"to": "soumis"})).await;
    assert_eq!(status, 409, "no step to the same status");
    // Nothing was recorded by refused steps.
    let (_, p) = app
        .call(Method::GET, "/api/portraits/ARR/2023", Some(&s.admin), None)
        .await;
    assert_eq!(p["status"], "soumis");
    assert_eq!(p["transitions"].as_array().unwrap().len(), 1);

    // A submitted portrait is no longer edited in place; back to draft, it is.
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/portraits/ARR/2023",
            Some(&s.referent),
            Some(json!({"jeux_acteurs": "x"})),
        )
        .await;
    assert_eq!(status, 409);
    assert!(body["message"].as_str().unwrap().contains("brouillon"));
    let (status, _) = step(&app, &s.referent, "ARR", 2023, json!({"to": "brouillon"})).await;
    assert_eq!(status, 200);
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/portraits/ARR/2023",
            Some(&s.referent),
            Some(json!({"jeux_acteurs": "x"})),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn history_keeps_every_change_and_delete_is_soft() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (_, aid) = plan(&app, &s.admin, "ARR", 2023).await;
    let path = format!("/api/actions/{aid}");
    let (status, a) = app
        .call(
            Method::PATCH,
            &path,
            Some(&s.referent),
            Some(json!({"status": "realise", "budgets": [{"year": 2016, "planned": 50000.0, "actual": 61000.0}]})),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["status"], "realise");
    assert_eq!(
        a["title"], "Tiers-lieu de l'ESS",
        "PATCH keeps what it does not name"
    );
    let (status, _) = app.call(Method::DELETE, &path, Some(&s.cdm), None).await;
    assert_eq!(status, 204);
    let (status, _) = app.call(Method::GET, &path, Some(&s.cdm), None).await;
    assert_eq!(status, 404);

    let (status, h) = app
        .call(
            Method::GET,
            &format!("/api/history?entity=action&id={aid}"),
            Some(&s.lecteur),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let items = h["items"].as_array().unwrap();
    let ops: Vec<(&str, &str)> = items
        .iter()
        .map(|c| {
            (
                c["operation"].as_str().unwrap(),
                c["username"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("create", "admin"),
            ("update", "rita"),
            ("delete", "claire")
        ]
    );
    assert_eq!(items[1]["before"]["status"], "en_cours");
    assert_eq!(items[1]["after"]["status"], "realise");
    assert_eq!(items[1]["after"]["budgets"][0]["actual"], 61000.0);
    assert_eq!(items[2]["before"]["title"], "Tiers-lieu de l'ESS");
    assert!(items[2]["after"].is_null());
    // The deleted row is still in the database.
    let kept: i64 = on_test_pool!(app, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM actions WHERE id = $1"
    )
    .bind(aid)
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(kept, 1);
    // And the history cannot be rewritten, even in SQL.
    for statement in ["DELETE FROM changes", "UPDATE changes SET username = 'x'"] {
        let refused = on_test_pool!(app, p => sqlx::query(statement).execute(p).await.is_err());
        assert!(refused, "{statement} was accepted");
    }
    let history: i64 = on_test_pool!(app, p => sqlx::query_scalar("SELECT COUNT(*) FROM changes")
        .fetch_one(p)
        .await
        .unwrap());
    assert!(history >= 3, "the history lost rows: {history}");

    // Portrait edits and steps are in the history too.
    let (_, h) = app
        .call(
            Method::GET,
            "/api/history?entity=portrait&id=ARR/2023",
            Some(&s.lecteur),
            None,
        )
        .await;
    assert_eq!(h["items"][0]["operation"], "create");
    assert_eq!(h["items"][0]["after"]["jeux_acteurs"], "Acteurs");
}

#[tokio::test]
async fn drafts_are_hidden_from_the_public_until_published() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (oid, aid) = plan(&app, &s.admin, "ARR", 2023).await;

    for path in [
        "/api/portraits/ARR/2023".to_owned(),
        format!("/api/orientations/{oid}"),
        format!("/api/actions/{aid}"),
        "/api/portraits/ARR/2023/transitions".to_owned(),
    ] {
        assert_eq!(
            app.call(Method::GET, &path, None, None).await.0,
            404,
            "{path}"
        );
    }
    for path in [
        "/api/portraits?territory=ARR",
        "/api/orientations?territory=ARR",
        &format!("/api/actions?epci={ARRAS}"),
    ] {
        let (status, body) = app.call(Method::GET, path, None, None).await;
        assert_eq!(status, 200);
        assert_eq!(body["items"], json!([]), "{path}");
    }
    let (_, staff_list) = app
        .call(
            Method::GET,
            "/api/portraits?territory=ARR",
            Some(&s.lecteur),
            None,
        )
        .await;
    assert_eq!(staff_list["items"][0]["status"], "brouillon");

    step(&app, &s.cdm, "ARR", 2023, json!({"to": "soumis"})).await;
    step(
        &app,
        &s.cdm,
        "ARR",
        2023,
        json!({"to": "valide", "decision_ref": "CT-1"}),
    )
    .await;
    step(
        &app,
        &s.cdm,
        "ARR",
        2023,
        json!({"to": "adopte", "decision_ref": "AD-1"}),
    )
    .await;
    let (_, list) = app
        .call(Method::GET, "/api/portraits?territory=ARR", None, None)
        .await;
    assert_eq!(list["items"], json!([]), "adopted is not yet published");
    step(&app, &s.cdm, "ARR", 2023, json!({"to": "publie"})).await;

    let (status, p) = app
        .call(Method::GET, "/api/portraits/ARR/2023", None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(p["territory_name"], "Arrageois");
    assert_eq!(p["html"]["jeux_acteurs"], "<p>Acteurs</p>\n");
    assert!(p.get("updated_by").is_none());
    assert_eq!(p["editable"], false);
    let action = &p["orientations"][0]["actions"][0];
    assert_eq!(action["title"], "Tiers-lieu de l'ESS");
    assert_eq!(action["flagship"], true);
    assert_eq!(action["status_label"], "en cours");
    assert_eq!(action["partners"], json!(["CRESS", "APES"]));
    let (_, by_epci) = app
        .call(
            Method::GET,
            &format!("/api/actions?epci={ARRAS}"),
            None,
            None,
        )
        .await;
    assert_eq!(by_epci["items"][0]["id"], aid);
    assert_eq!(
        by_epci["items"][0]["orientation_title"],
        "Développer l'emploi associatif"
    );
    let (_, other_epci) = app
        .call(Method::GET, "/api/actions?epci=246200364", None, None)
        .await;
    assert_eq!(other_epci["items"], json!([]));
}

#[tokio::test]
async fn a_script_in_a_portrait_is_shown_as_text() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    app.ensure_edition(2023).await;
    let (status, p) = app
        .call(
            Method::PUT,
            "/api/portraits/ARR/2023",
            Some(&s.referent),
            Some(json!({
                "jeux_acteurs": "Acteurs <script>alert('xss')</script> et <img src=x onerror=alert(1)>",
                "dynamiques_projets": "[cliquez](javascript:alert(1)) ou [la CRESS](https://www.cress-hdf.org)",
                "free_sections": [{"title": "<script>alert(2)</script>", "body": "<iframe src=//evil></iframe>"}],
            })),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    let html = [
        &p["html"]["jeux_acteurs"],
        &p["html"]["dynamiques_projets"],
        &p["html"]["free_sections"][0]["html"],
    ]
    .map(|h| h.as_str().unwrap().to_owned())
    .concat();
    for bad in ["<script", "<img", "<iframe", "javascript:"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(
        html.contains("&lt;script&gt;alert('xss')&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains(r#"<a href="https://www.cress-hdf.org">la CRESS</a>"#));
    // The source is kept as typed, for the editor; titles are plain text.
    assert_eq!(
        p["sections"]["free_sections"][0]["title"],
        "<script>alert(2)</script>"
    );
    assert_eq!(
        p["html"]["free_sections"][0]["title"],
        "<script>alert(2)</script>"
    );
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // a table of bad inputs and their messages
async fn bad_inputs_are_400_with_a_message() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (oid, aid) = plan(&app, &s.admin, "ARR", 2023).await;
    let mut reversed = orientation_body("ARR", 2023);
    reversed["period_start"] = json!(2022);
    let mut unknown_territory = orientation_body("XXX", 2023);
    unknown_territory["title"] = json!("t");
    let mut extra = orientation_body("ARR", 2023);
    extra["colour"] = json!("red");
    for (path, body, needle) in [
        ("/api/orientations", reversed, "période"),
        ("/api/orientations", unknown_territory, "territoire"),
        ("/api/orientations", extra, "colour"),
        (
            "/api/actions",
            json!({"orientation_id": oid, "title": " "}),
            "titre",
        ),
        (
            "/api/actions",
            json!({"orientation_id": oid, "title": "t", "epci": ["123"]}),
            "EPCI",
        ),
        (
            "/api/actions",
            json!({"orientation_id": oid, "title": "t", "status": "fini"}),
            "statut",
        ),
        (
            "/api/actions",
            json!({"orientation_id": oid, "title": "t", "indicators": ["nope"]}),
            "indicateur",
        ),
        (
            "/api/actions",
            json!({"orientation_id": oid, "title": "t", "start_date": "2020-13-01"}),
            "date",
        ),
        (
            "/api/actions",
            json!({"orientation_id": oid, "title": "t", "budgets": [{"year": 2020, "planned": -1.0}]}),
            "budget",
        ),
        // Money: finite, at most the ceiling, to the cent (issue 18: 1.7e308 was
        // accepted and printed « prévu inf M€ »).
        (
            "/api/actions",
            json!({"orientation_id": oid, "title": "t", "budgets": [{"year": 2020, "planned": 1.7e308}]}),
            "plafond",
        ),
        (
            "/api/actions",
            json!({"orientation_id": oid, "title": "t", "budgets": [{"year": 2020, "actual": 1_000_000_000.01}]}),
            "plafond",
        ),
        (
            "/api/actions",
            json!({"orientation_id": oid, "title": "t", "budgets": [{"year": 2020, "planned": 12.345}]}),
            "centime",
        ),
        (
            "/api/actions",
            json!({"orientation_id": 9999, "title": "t"}),
            "orientation",
        ),
    ] {
        let (status, b) = app
            .call(Method::POST, path, Some(&s.admin), Some(body))
            .await;
        assert_eq!(status, 400, "{b}");
        assert!(
            b["message"].as_str().unwrap().contains(needle),
            "{needle}: {b}"
        );
    }
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/actions/{aid}"),
            Some(&s.admin),
            Some(json!({"flagship": "oui"})),
        )
        .await;
    assert_eq!(status, 400);
    let response = app
        .request(Method::POST, "/api/actions", Some(&s.admin))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/portraits/ARR/1999",
            Some(&s.admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 404, "unknown edition");
    let (status, _) = app
        .call(Method::GET, "/api/actions/abc", Some(&s.admin), None)
        .await;
    assert_eq!(status, 400);
}

/// One rule decides which actions concern an EPCI: the API's `?epci=` list and the
/// EPCI's fiche agree, also for an action of another territory's plan (issue 18).
#[tokio::test]
async fn an_action_naming_an_epci_of_another_territory_is_in_that_epcis_fiche() {
    const GRAND_CALAIS: &str = "200090751";
    let app = spawn_app().await;
    app.import_sample(2023, "2023-12-31").await;
    let s = staff(&app).await;
    let (_, aid) = plan(&app, &s.admin, "ARR", 2023).await;
    let (status, a) = app
        .call(
            Method::PATCH,
            &format!("/api/actions/{aid}"),
            Some(&s.admin),
            Some(json!({"epci": [ARRAS, GRAND_CALAIS]})),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    step(&app, &s.cdm, "ARR", 2023, json!({"to": "soumis"})).await;
    step(
        &app,
        &s.cdm,
        "ARR",
        2023,
        json!({"to": "valide", "decision_ref": "CT-1"}),
    )
    .await;
    step(
        &app,
        &s.cdm,
        "ARR",
        2023,
        json!({"to": "adopte", "decision_ref": "AD-1"}),
    )
    .await;
    step(&app, &s.cdm, "ARR", 2023, json!({"to": "publie"})).await;
    let (_, listed) = app
        .call(
            Method::GET,
            &format!("/api/actions?epci={GRAND_CALAIS}"),
            None,
            None,
        )
        .await;
    assert_eq!(listed["items"][0]["id"], aid, "{listed}");
    let response = app
        .get(&format!("/epci/{GRAND_CALAIS}/fiche?edition=2023"))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Tiers-lieu de l"),
        "the action is missing from the fiche"
    );
    assert!(
        html.contains("Développer l"),
        "its orientation is missing from the fiche"
    );
}

/// Issue 18: a fiche is rendered once per state of what it shows. A second identical
/// request is a cache hit with the same strong ETag (304 for a client holding it);
/// the publication of the plan and a later edit of an action each give a new fiche.
#[tokio::test]
async fn a_fiche_is_served_from_the_cache_until_what_it_shows_changes() {
    let app = spawn_app().await;
    app.import_sample(2023, "2023-12-31").await;
    let s = staff(&app).await;
    let (_, aid) = plan(&app, &s.admin, "ARR", 2023).await;
    let path = format!("/epci/{ARRAS}/fiche?edition=2023");
    let fetch = |if_none_match: Option<String>| {
        let mut request = app.http.get(format!("{}{path}", app.base));
        if let Some(etag) = if_none_match {
            request = request.header("if-none-match", etag);
        }
        async move {
            let r = request.send().await.unwrap();
            let status = r.status().as_u16();
            let header = |name: &str| {
                r.headers()
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default()
            };
            let (cache, etag) = (header("x-cache"), header("etag"));
            (status, cache, etag, r.text().await.unwrap())
        }
    };
    let (status, cache, draft_etag, draft) = fetch(None).await;
    assert_eq!((status, cache.as_str()), (200, "miss"));
    assert!(draft_etag.starts_with('"'), "a strong ETag: {draft_etag}");
    let (_, cache, etag, again) = fetch(None).await;
    assert_eq!((cache.as_str(), &etag), ("hit", &draft_etag));
    assert_eq!(again, draft);
    let (status, _, _, body) = fetch(Some(draft_etag.clone())).await;
    assert_eq!((status, body.as_str()), (304, ""));
    assert!(!draft.contains("Tiers-lieu"), "a draft plan is not public");

    for (to, decision) in [
        ("soumis", None),
        ("valide", Some("CT-1")),
        ("adopte", Some("AD-1")),
        ("publie", None),
    ] {
        let body = match decision {
            Some(d) => json!({"to": to, "decision_ref": d}),
            None => json!({"to": to}),
        };
        step(&app, &s.cdm, "ARR", 2023, body).await;
    }
    let (_, cache, published_etag, published) = fetch(Some(draft_etag.clone())).await;
    assert_eq!(cache, "miss", "publication changes the fiche");
    assert_ne!(published_etag, draft_etag);
    assert!(published.contains("Tiers-lieu"), "{published}");

    let (status, a) = app
        .call(
            Method::PATCH,
            &format!("/api/actions/{aid}"),
            Some(&s.admin),
            Some(json!({"title": "Recyclerie partagée"})),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    let (status, cache, etag, edited) = fetch(Some(published_etag.clone())).await;
    assert_eq!((status, cache.as_str()), (200, "miss"));
    assert_ne!(etag, published_etag);
    assert!(edited.contains("Recyclerie partagée"), "{edited}");
}
