//! Partners' proposals (issue 20, « comptes partenaires »): a partner proposes for
//! its territories; the referent or a chargé de mission accepts (merged, credited to
//! the partner's organisation, shown publicly once the portrait is published), edits
//! then accepts, or declines with a reason; a partner sees its own proposals only;
//! pending and declined ones are never public. The role × route matrix is
//! `portraits::every_role_on_every_route`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, spawn_app};

struct Accounts {
    admin: Session,
    cdm: Session,
    referent: Session,
    /// CRESS Hauts-de-France, partner for ARR.
    cress: Session,
    /// APES, partner for ARR and LEN.
    apes: Session,
}

async fn accounts(app: &TestApp) -> Accounts {
    app.add_user("admin", "admin", &[]).await;
    app.add_user("claire", "charge_de_mission", &[]).await;
    app.add_user("rita", "referent", &["ARR"]).await;
    app.add_partner("cress", "CRESS Hauts-de-France", &["ARR"])
        .await;
    app.add_partner("apes", "APES", &["ARR", "LEN"]).await;
    Accounts {
        admin: app.login("admin").await,
        cdm: app.login("claire").await,
        referent: app.login("rita").await,
        cress: app.login("cress").await,
        apes: app.login("apes").await,
    }
}

/// A draft portrait of `territory` for 2023 with one orientation (2024–2029) and one
/// action. Returns (orientation id, action id).
async fn draft(app: &TestApp, admin: &Session, territory: &str) -> (i64, i64) {
    app.ensure_edition(2023).await;
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/portraits/{territory}/2023"),
            Some(admin),
            Some(json!({"jeux_acteurs": "Les acteurs du territoire."})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, o) = app
        .call(
            Method::POST,
            "/api/orientations",
            Some(admin),
            Some(
                json!({"territory": territory, "edition": 2023, "period_start": 2024,
                        "period_end": 2029, "title": "Consolider l'emploi"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{o}");
    let oid = o["id"].as_i64().unwrap();
    let (status, a) = app
        .call(
            Method::POST,
            "/api/actions",
            Some(admin),
            Some(json!({"orientation_id": oid, "title": "Tiers-lieu"})),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    (oid, a["id"].as_i64().unwrap())
}

async fn propose(app: &TestApp, who: &Session, body: Value) -> (u16, Value) {
    app.call(Method::POST, "/api/propositions", Some(who), Some(body))
        .await
}

async fn decide(app: &TestApp, who: &Session, id: i64, body: Value) -> (u16, Value) {
    app.call(
        Method::POST,
        &format!("/api/propositions/{id}/decision"),
        Some(who),
        Some(body),
    )
    .await
}

/// Takes the ARR 2023 portrait to « publié » (chargé de mission).
async fn publish(app: &TestApp, cdm: &Session) {
    for step in [
        json!({"to": "soumis"}),
        json!({"to": "valide", "decision_ref": "CT-ARR-2023"}),
        json!({"to": "adopte", "decision_ref": "AD-2023"}),
        json!({"to": "publie"}),
    ] {
        let (status, body) = app
            .call(
                Method::POST,
                "/api/portraits/ARR/2023/transitions",
                Some(cdm),
                Some(step),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id")
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: proposed, pending, accepted, history, published
async fn an_accepted_section_is_merged_and_credited_publicly_once_published() {
    let app = spawn_app().await;
    let a = accounts(&app).await;
    draft(&app, &a.admin, "ARR").await;

    let (status, p) = propose(
        &app,
        &a.cress,
        json!({"territory": "ARR", "edition": 2023, "kind": "section",
               "section": "jeux_acteurs", "body": "Les SIAE se sont regroupées en 2022."}),
    )
    .await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["status"], "en_attente");
    assert_eq!(p["organisation"], "CRESS Hauts-de-France");
    assert_eq!(p["credit"], "Proposé par : CRESS Hauts-de-France");

    // Pending: nowhere in the portrait, not even the staff's view of its credits.
    let draft_view = app
        .call(Method::GET, "/api/portraits/ARR/2023", Some(&a.admin), None)
        .await
        .1;
    assert_eq!(draft_view["partner_credits"], json!([]));

    let (status, done) = decide(&app, &a.referent, id(&p), json!({"decision": "acceptee"})).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "acceptee");
    assert_eq!(done["edited"], false);
    assert_eq!(done["decided_by"], "rita");
    let (_, portrait) = app
        .call(Method::GET, "/api/portraits/ARR/2023", Some(&a.admin), None)
        .await;
    assert_eq!(
        portrait["sections"]["jeux_acteurs"],
        "Les acteurs du territoire.\n\nLes SIAE se sont regroupées en 2022."
    );

    // The history holds the proposal, its decision and the portrait's change.
    let (_, history) = app
        .call(
            Method::GET,
            &format!("/api/history?entity=proposition&id={}", id(&p)),
            Some(&a.admin),
            None,
        )
        .await;
    let ops: Vec<(&str, &str)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["operation"].as_str().unwrap(),
                c["username"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(ops, [("create", "cress"), ("accept", "rita")]);
    let (_, history) = app
        .call(
            Method::GET,
            "/api/history?entity=portrait&id=ARR/2023",
            Some(&a.admin),
            None,
        )
        .await;
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["username"], "rita");
    assert!(
        last["after"]["jeux_acteurs"]
            .as_str()
            .unwrap()
            .contains("SIAE")
    );

    // Not public before publication; public, credited, after.
    let (status, _) = app
        .call(Method::GET, "/api/portraits/ARR/2023", None, None)
        .await;
    assert_eq!(status, 404);
    publish(&app, &a.cdm).await;
    let (status, public) = app
        .call(Method::GET, "/api/portraits/ARR/2023", None, None)
        .await;
    assert_eq!(status, 200);
    let credits = public["partner_credits"].as_array().unwrap();
    assert_eq!(credits.len(), 1, "{credits:?}");
    assert_eq!(credits[0]["organisation"], "CRESS Hauts-de-France");
    assert_eq!(credits[0]["section"], "jeux_acteurs");
    assert!(
        public["html"]["jeux_acteurs"]
            .as_str()
            .unwrap()
            .contains("Les SIAE se sont regroupées")
    );
    // The fiches' helper reads the same credits.
    let listed = app
        .db
        .partner_credits(Some("ARR"), None, true)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].organisation, "CRESS Hauts-de-France");

    // A published portrait takes no more text: proposing it is refused.
    let (status, body) = propose(
        &app,
        &a.cress,
        json!({"territory": "ARR", "edition": 2023, "kind": "section",
               "section": "dynamiques_projets", "body": "Trop tard."}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one plan: an edited action, an orientation, a comment
async fn a_moderator_edits_then_accepts_new_orientations_actions_and_comments() {
    let app = spawn_app().await;
    let a = accounts(&app).await;
    let (oid, aid) = draft(&app, &a.admin, "ARR").await;

    // A new action, its title edited by the chargé de mission.
    let (_, p) = propose(
        &app,
        &a.apes,
        json!({"territory": "ARR", "edition": 2023, "kind": "action", "orientation_id": oid,
               "title": "Fonds de confiance", "body": "Un fonds pour les jeunes associations."}),
    )
    .await;
    let (status, done) = decide(
        &app,
        &a.cdm,
        id(&p),
        json!({"decision": "acceptee", "title": "Fonds de confiance de l'Arrageois"}),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["edited"], true);
    assert_eq!(
        done["title"], "Fonds de confiance",
        "the partner's text is kept"
    );
    assert_eq!(done["final_title"], "Fonds de confiance de l'Arrageois");
    let new_action = done["result_action_id"]
        .as_i64()
        .expect("an action created");
    let (_, action) = app
        .call(
            Method::GET,
            &format!("/api/actions/{new_action}"),
            Some(&a.admin),
            None,
        )
        .await;
    assert_eq!(action["title"], "Fonds de confiance de l'Arrageois");
    assert_eq!(action["orientation_id"], oid);
    assert_eq!(
        action["description"],
        "Un fonds pour les jeunes associations."
    );

    // A new orientation takes the period of the territory's orientations.
    let (_, p) = propose(
        &app,
        &a.cress,
        json!({"territory": "ARR", "edition": 2023, "kind": "orientation",
               "title": "Observer l'emploi de l'ESS"}),
    )
    .await;
    let (status, done) = decide(&app, &a.referent, id(&p), json!({"decision": "acceptee"})).await;
    assert_eq!(status, 200, "{done}");
    let new_orientation = done["result_orientation_id"].as_i64().unwrap();
    let (_, o) = app
        .call(
            Method::GET,
            &format!("/api/orientations/{new_orientation}"),
            Some(&a.admin),
            None,
        )
        .await;
    assert_eq!(
        (o["period_start"].as_i64(), o["period_end"].as_i64()),
        (Some(2024), Some(2029))
    );

    // A comment on the action, accepted: shown under it, credited.
    let (_, p) = propose(
        &app,
        &a.cress,
        json!({"territory": "ARR", "edition": 2023, "kind": "commentaire", "action_id": aid,
               "body": "Trois structures du réseau y participent."}),
    )
    .await;
    assert_eq!(p["target_title"], "Tiers-lieu");
    let (status, _) = decide(&app, &a.referent, id(&p), json!({"decision": "acceptee"})).await;
    assert_eq!(status, 200);
    // Deciding twice is refused.
    let (status, body) = decide(
        &app,
        &a.referent,
        id(&p),
        json!({"decision": "refusee", "reason": "x"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");

    publish(&app, &a.cdm).await;
    let (_, public) = app
        .call(Method::GET, "/api/portraits/ARR/2023", None, None)
        .await;
    let credits: Vec<(String, Option<i64>, Option<i64>, String)> = public["partner_credits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_owned(),
                c["orientation_id"].as_i64(),
                c["action_id"].as_i64(),
                c["organisation"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        credits,
        [
            (
                "action".to_owned(),
                Some(oid),
                Some(new_action),
                "APES".to_owned()
            ),
            (
                "orientation".to_owned(),
                Some(new_orientation),
                None,
                "CRESS Hauts-de-France".to_owned()
            ),
            (
                "commentaire".to_owned(),
                None,
                Some(aid),
                "CRESS Hauts-de-France".to_owned()
            ),
        ]
    );
}

#[tokio::test]
async fn a_declined_proposal_needs_a_reason_and_pending_or_declined_ones_are_never_public() {
    let app = spawn_app().await;
    let a = accounts(&app).await;
    let (oid, _) = draft(&app, &a.admin, "ARR").await;
    let (_, declined) = propose(
        &app,
        &a.cress,
        json!({"territory": "ARR", "edition": 2023, "kind": "commentaire",
               "orientation_id": oid, "body": "Texte refusé, jamais public."}),
    )
    .await;
    let (_, pending) = propose(
        &app,
        &a.apes,
        json!({"territory": "ARR", "edition": 2023, "kind": "orientation",
               "title": "Orientation en attente, jamais publique"}),
    )
    .await;
    let (status, body) = decide(
        &app,
        &a.referent,
        id(&declined),
        json!({"decision": "refusee"}),
    )
    .await;
    assert_eq!(status, 400, "a reason is required: {body}");
    assert!(
        body["message"].as_str().unwrap().contains("motif"),
        "{body}"
    );
    let (status, done) = decide(
        &app,
        &a.referent,
        id(&declined),
        json!({"decision": "refusee", "reason": "Hors du champ de l'orientation."}),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "refusee");
    // The partner reads its status and the reason.
    let (_, mine) = app
        .call(
            Method::GET,
            &format!("/api/propositions/{}", id(&declined)),
            Some(&a.cress),
            None,
        )
        .await;
    assert_eq!(mine["status_label"], "Refusée");
    assert_eq!(mine["reason"], "Hors du champ de l'orientation.");
    assert!(
        mine["decided_by"].is_null(),
        "staff names stay inside: {mine}"
    );

    publish(&app, &a.cdm).await;
    for path in [
        "/api/portraits/ARR/2023",
        "/api/orientations?territory=ARR",
        "/api/actions?territory=ARR",
    ] {
        let text = app.get(path).await.text().await.unwrap();
        assert!(
            !text.contains("jamais public") && !text.contains("refusé"),
            "{path}: {text}"
        );
    }
    let (status, _) = app.call(Method::GET, "/api/propositions", None, None).await;
    assert_eq!(status, 401);
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/propositions/{}", id(&pending)),
            None,
            None,
        )
        .await;
    assert_eq!(status, 401);
    assert!(
        app.db
            .partner_credits(None, None, false)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_partner_sees_its_own_proposals_and_nothing_of_the_staff_space() {
    let app = spawn_app().await;
    let a = accounts(&app).await;
    draft(&app, &a.admin, "ARR").await;
    draft(&app, &a.admin, "LEN").await;
    let body = |t: &str| json!({"territory": t, "edition": 2023, "kind": "orientation", "title": format!("Pour {t}")});
    let (_, by_cress) = propose(&app, &a.cress, body("ARR")).await;
    let (_, by_apes) = propose(&app, &a.apes, body("LEN")).await;
    let (status, refused) = propose(&app, &a.cress, body("LEN")).await;
    assert_eq!(status, 403, "LEN is not the CRESS's here: {refused}");
    let (status, refused) = propose(&app, &a.referent, body("ARR")).await;
    assert_eq!(status, 403, "staff write directly: {refused}");

    let (_, mine) = app
        .call(Method::GET, "/api/propositions", Some(&a.cress), None)
        .await;
    let ids: Vec<i64> = mine["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids, [id(&by_cress)]);
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/propositions/{}", id(&by_apes)),
            Some(&a.cress),
            None,
        )
        .await;
    assert_eq!(
        status, 404,
        "another partner's proposal does not exist for it"
    );
    let (_, all) = app
        .call(
            Method::GET,
            "/api/propositions?status=en_attente",
            Some(&a.referent),
            None,
        )
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);

    // The draft it proposes on, for its territories only.
    let (status, ctx) = app
        .call(
            Method::GET,
            "/api/propositions/contexte?territory=ARR&edition=2023",
            Some(&a.cress),
            None,
        )
        .await;
    assert_eq!(status, 200, "{ctx}");
    assert_eq!(ctx["portrait"]["status"], "brouillon");
    assert_eq!(ctx["orientations"][0]["actions"][0]["title"], "Tiers-lieu");
    let (status, _) = app
        .call(
            Method::GET,
            "/api/propositions/contexte?territory=LEN&edition=2023",
            Some(&a.cress),
            None,
        )
        .await;
    assert_eq!(status, 403);

    // Its session says what it is; elsewhere it is the public.
    let (_, session) = app
        .call(Method::GET, "/api/session", Some(&a.cress), None)
        .await;
    assert_eq!(session["user"]["role"], "partenaire");
    assert_eq!(session["user"]["is_partner"], true);
    assert_eq!(session["user"]["organisation"], "CRESS Hauts-de-France");
    assert_eq!(session["user"]["territories"], json!(["ARR"]));
    let (status, _) = app
        .call(Method::GET, "/api/portraits/ARR/2023", Some(&a.cress), None)
        .await;
    assert_eq!(status, 404, "drafts only through its own routes");
    let (status, body) = app
        .call(Method::GET, "/api/history", Some(&a.cress), None)
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("partenaire"),
        "{body}"
    );
    let (status, _) = app
        .call(Method::POST, "/api/logout", Some(&a.cress), None)
        .await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn every_proposition_mutation_needs_the_csrf_token_and_our_origin() {
    let app = spawn_app().await;
    let a = accounts(&app).await;
    draft(&app, &a.admin, "ARR").await;
    let body = json!({"territory": "ARR", "edition": 2023, "kind": "orientation", "title": "T"});
    let no_csrf = Session {
        csrf: "faux".into(),
        ..a.cress.clone()
    };
    let (status, refused) = propose(&app, &no_csrf, body.clone()).await;
    assert_eq!(status, 403, "{refused}");
    assert!(
        refused["message"].as_str().unwrap().contains("CSRF"),
        "{refused}"
    );
    let cross = app
        .request(Method::POST, "/api/propositions", Some(&a.cress))
        .header("origin", "https://ailleurs.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status().as_u16(), 403);

    let (_, p) = propose(&app, &a.cress, body).await;
    let no_csrf = Session {
        csrf: "faux".into(),
        ..a.referent.clone()
    };
    let (status, _) = decide(&app, &no_csrf, id(&p), json!({"decision": "acceptee"})).await;
    assert_eq!(status, 403);
    let (_, still) = app
        .call(
            Method::GET,
            &format!("/api/propositions/{}", id(&p)),
            Some(&a.cress),
            None,
        )
        .await;
    assert_eq!(still["status"], "en_attente", "nothing was decided");
}

#[tokio::test]
async fn a_section_proposal_is_not_merged_into_a_portrait_no_longer_a_draft() {
    let app = spawn_app().await;
    let a = accounts(&app).await;
    draft(&app, &a.admin, "ARR").await;
    let (_, p) = propose(
        &app,
        &a.cress,
        json!({"territory": "ARR", "edition": 2023, "kind": "section", "section": "libre",
               "title": "Regard du réseau", "body": "Texte."}),
    )
    .await;
    let (status, _) = app
        .call(
            Method::POST,
            "/api/portraits/ARR/2023/transitions",
            Some(&a.referent),
            Some(json!({"to": "soumis"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = decide(&app, &a.referent, id(&p), json!({"decision": "acceptee"})).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("brouillon"),
        "{body}"
    );
    // Back to draft, it merges as a new free section.
    let (status, _) = app
        .call(
            Method::POST,
            "/api/portraits/ARR/2023/transitions",
            Some(&a.cdm),
            Some(json!({"to": "brouillon"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = decide(&app, &a.referent, id(&p), json!({"decision": "acceptee"})).await;
    assert_eq!(status, 200);
    let (_, portrait) = app
        .call(Method::GET, "/api/portraits/ARR/2023", Some(&a.admin), None)
        .await;
    assert_eq!(
        portrait["sections"]["free_sections"],
        json!([{"title": "Regard du réseau", "body": "Texte."}])
    );
}
