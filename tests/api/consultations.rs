//! Public consultations (issue 20): opening and closing, public contributions with
//! their checks (period, consent, lengths, honeypot, rate limit), moderation by role,
//! what the public sees (never an e-mail), exports, and the history; the e-mail
//! confirmation of contributions through the outbox.
//!
//! Over 700 lines on purpose: one feature's life from opening to erasure, each step
//! building on the consultation the previous ones set up (helpers at the top).

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, spawn_app};

struct Staff {
    cdm: Session,
    referent: Session,
    other_referent: Session,
    lecteur: Session,
}

async fn staff(app: &TestApp) -> Staff {
    app.add_user("claire", "charge_de_mission", &[]).await;
    app.add_user("rita", "referent", &["ARR"]).await;
    app.add_user("leon", "referent", &["LEN"]).await;
    app.add_user("louise", "lecteur", &[]).await;
    Staff {
        cdm: app.login("claire").await,
        referent: app.login("rita").await,
        other_referent: app.login("leon").await,
        lecteur: app.login("louise").await,
    }
}

/// A draft plan of ARR for `edition` (one orientation, one action), made by `cdm`.
async fn plan(app: &TestApp, cdm: &Session, edition: i64) -> (i64, i64) {
    app.ensure_edition(edition).await;
    let (s, o) = app
        .call(
            Method::POST,
            "/api/orientations",
            Some(cdm),
            Some(json!({
                "territory": "ARR", "edition": edition, "period_start": 2024, "period_end": 2028,
                "title": "Développer l'emploi associatif",
            })),
        )
        .await;
    assert_eq!(s, 201, "{o}");
    let oid = o["id"].as_i64().unwrap();
    let (s, a) = app
        .call(
            Method::POST,
            "/api/actions",
            Some(cdm),
            Some(json!({"orientation_id": oid, "title": "Tiers-lieu de l'ESS"})),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    (oid, a["id"].as_i64().unwrap())
}

fn day(offset_days: i64) -> String {
    ess_atlas::time::iso_from_unix(ess_atlas::time::unix_now() + offset_days * 86_400)[..10]
        .to_owned()
}

async fn open(app: &TestApp, who: &Session, edition: i64, from: i64, to: i64) -> (u16, Value) {
    app.call(
        Method::POST,
        "/api/consultations",
        Some(who),
        Some(json!({
            "territory": "ARR", "edition": edition, "starts_on": day(from), "ends_on": day(to),
            "introduction": "Donnez votre avis sur le plan d'action de l'Arrageois.",
        })),
    )
    .await
}

const EMAIL: &str = "jeanne.secret@example.org";

fn comment_on_action(action: i64) -> Value {
    json!({
        "kind": "commentaire", "action_id": action,
        "body": "Le tiers-lieu devrait accueillir les jeunes.",
        "name": "Jeanne Martin", "organisation": "Association Artois Jeunesse",
        "role": "présidente", "email": EMAIL, "consent": true,
    })
}

async fn contribute(app: &TestApp, consultation: i64, body: Value) -> (u16, Value) {
    app.call(
        Method::POST,
        &format!("/api/consultations/{consultation}/contributions"),
        None,
        Some(body),
    )
    .await
}

/// The confirmation link of the `nth` (0-based) e-mail to `address` in the outbox.
async fn confirmation_link(app: &TestApp, address: &str, nth: usize) -> String {
    let mails = app.wait_for_mail(address, nth + 1).await;
    let mail = &mails[nth];
    assert!(mail.contains("Pour la confirmer, ouvrez le lien"), "{mail}");
    mail.lines()
        .map(str::trim)
        .find(|l| l.starts_with("http") && l.contains("/consultations/confirmer?jeton="))
        .unwrap_or_else(|| panic!("no link in {mail}"))
        .to_owned()
}

fn token_of(link: &str) -> &str {
    link.split_once("jeton=").expect("a token").1
}

/// POSTs the confirmation form of `token`, as the page's button does.
async fn press_confirm(app: &TestApp, token: &str) -> (u16, String) {
    let response = app
        .http
        .post(format!("{}/consultations/confirmer", app.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Origin", &app.base)
        .header("Accept", "text/html")
        .body(format!("jeton={token}"))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Follows the `nth` confirmation e-mail to `address`: opens the page, presses the
/// button; asserts it confirmed.
async fn confirm_by_mail(app: &TestApp, address: &str, nth: usize) {
    let link = confirmation_link(app, address, nth).await;
    let page = app.http.get(&link).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200, "{link}");
    let (status, text) = press_confirm(app, token_of(&link)).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("Contribution confirmée"), "{text}");
}

async fn moderate(app: &TestApp, who: &Session, id: i64, body: Value) -> (u16, Value) {
    app.call(
        Method::POST,
        &format!("/api/contributions/{id}/moderation"),
        Some(who),
        Some(body),
    )
    .await
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one scenario: open, contribute, moderate, show, export, close
async fn a_contribution_is_public_only_once_accepted_and_never_with_its_email() {
    let app = spawn_app().await;
    app.import_sample(2025, "2025-06-30").await;
    let s = staff(&app).await;
    let (oid, aid) = plan(&app, &s.cdm, 2025).await;
    let (status, c) = open(&app, &s.cdm, 2025, -1, 10).await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["open_now"], true);
    let cid = c["id"].as_i64().unwrap();

    // The public sees the draft plan under consultation (the portrait is not published).
    let detail = app
        .get_json(&format!("/api/consultations/{cid}"), 200)
        .await;
    assert_eq!(detail["orientations"][0]["id"], oid);
    assert_eq!(detail["orientations"][0]["actions"][0]["id"], aid);
    assert!(detail["privacy_notice"].as_str().unwrap().contains("dpo@"));

    let mut body = comment_on_action(aid);
    body["siret"] = json!("77958412700012");
    let (status, received) = contribute(&app, cid, body).await;
    assert_eq!(status, 201, "{received}");
    assert_eq!(received["commune_name"], "Arras", "recognised by its SIRET");
    let id = received["id"].as_i64().unwrap();
    let (status, proposal) = contribute(
        &app,
        cid,
        json!({"kind": "proposition", "orientation_id": oid, "body": "Un marché de l'ESS.",
               "name": "Paul", "email": "paul@example.org", "consent": true}),
    )
    .await;
    assert_eq!(status, 201, "{proposal}");
    let (status, participation) = contribute(
        &app,
        cid,
        json!({"kind": "participation", "action_id": aid, "name": "Anne",
               "organisation": "SCOP Exemple", "email": "anne@example.org", "consent": true}),
    )
    .await;
    assert_eq!(status, 201, "{participation}");

    // Pending: not public.
    let detail = app
        .get_json(&format!("/api/consultations/{cid}"), 200)
        .await;
    assert_eq!(detail["accepted"], 0);
    assert!(
        detail["orientations"][0]["actions"][0]["contributions"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Unconfirmed, the comment cannot be accepted; its author follows the e-mailed link.
    let (status, m) = moderate(&app, &s.referent, id, json!({"decision": "acceptee"})).await;
    assert_eq!(status, 409, "{m}");
    confirm_by_mail(&app, EMAIL, 0).await;

    // The referent of ARR accepts the comment, declines the proposal, marks spam.
    let (status, m) = moderate(&app, &s.referent, id, json!({"decision": "acceptee"})).await;
    assert_eq!(status, 200, "{m}");
    let (status, _) = moderate(
        &app,
        &s.referent,
        proposal["id"].as_i64().unwrap(),
        json!({"decision": "refusee"}),
    )
    .await;
    assert_eq!(status, 400, "declining needs a reason");
    let (status, _) = moderate(
        &app,
        &s.referent,
        proposal["id"].as_i64().unwrap(),
        json!({"decision": "refusee", "reason": "Hors du champ du plan."}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = moderate(
        &app,
        &s.cdm,
        participation["id"].as_i64().unwrap(),
        json!({"decision": "spam"}),
    )
    .await;
    assert_eq!(status, 200);

    let detail = app
        .get_json(&format!("/api/consultations/{cid}"), 200)
        .await;
    assert_eq!(detail["accepted"], 1);
    let shown = &detail["orientations"][0]["actions"][0]["contributions"];
    assert_eq!(shown.as_array().unwrap().len(), 1);
    assert_eq!(shown[0]["name"], "Jeanne Martin");
    assert_eq!(shown[0]["commune_name"], "Arras");
    assert!(detail["proposals"].as_array().unwrap().is_empty());
    let list = app.get_json("/api/consultations?territory=ARR", 200).await;
    assert_eq!(list["items"][0]["accepted"], 1);
    let tallies = app.get_json("/api/consultations/tallies", 200).await;
    assert_eq!(tallies["items"][0]["territory"], "ARR");
    assert_eq!(tallies["items"][0]["accepted"], 1);

    // No public answer holds an e-mail; nor does the history.
    for path in [
        format!("/api/consultations/{cid}"),
        "/api/consultations?territory=ARR".to_owned(),
        "/api/consultations/tallies".to_owned(),
    ] {
        let text = app.get(&path).await.text().await.unwrap();
        assert!(!text.contains("example.org"), "{path}: {text}");
        assert!(!text.contains("127.0.0.1"), "{path}");
    }
    let history = app
        .staff_json(&format!("/api/history?entity=contribution&id={id}"), 200)
        .await;
    let text = history.to_string();
    assert!(text.contains("acceptee") && !text.contains(EMAIL), "{text}");
    // The public cannot list the contributions (with their e-mails).
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/consultations/{cid}/contributions"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 401);
    // The moderators can.
    let (status, all) = app
        .call(
            Method::GET,
            &format!("/api/consultations/{cid}/contributions?status=en_attente"),
            Some(&s.referent),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(all["items"].as_array().unwrap().is_empty());

    // Exports carry everything, e-mail included, for the moderators only.
    let csv = app
        .request(
            Method::GET,
            &format!("/api/consultations/{cid}/export.csv"),
            Some(&s.cdm),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.contains(EMAIL) && csv.contains("Hors du champ du plan."));
    let xlsx = app
        .request(
            Method::GET,
            &format!("/api/consultations/{cid}/export.xlsx"),
            Some(&s.referent),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status().as_u16(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));

    // Closing ends the contributions; what was accepted stays public.
    let (status, closed) = app
        .call(
            Method::POST,
            &format!("/api/consultations/{cid}/close"),
            Some(&s.cdm),
            None,
        )
        .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "close");
    let (status, refused) = contribute(&app, cid, comment_on_action(aid)).await;
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused["message"].to_string().contains("pas ouverte"),
        "{refused}"
    );
    assert_eq!(
        app.get_json(&format!("/api/consultations/{cid}"), 200)
            .await["accepted"],
        1
    );
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // every refusal of a public submission, one consultation
async fn submissions_are_refused_outside_the_period_without_consent_or_over_limits() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (oid, aid) = plan(&app, &s.cdm, 2024).await;
    // Not yet open.
    let (status, future) = open(&app, &s.cdm, 2024, 2, 10).await;
    assert_eq!(status, 201);
    let (status, _) =
        contribute(&app, future["id"].as_i64().unwrap(), comment_on_action(aid)).await;
    assert_eq!(status, 409);
    let (status, _) = open(&app, &s.cdm, 2024, -1, 10).await;
    assert_eq!(
        status, 409,
        "one open consultation per territory and edition"
    );
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/consultations/{}/close", future["id"]),
            Some(&s.cdm),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, c) = open(&app, &s.cdm, 2024, 0, 0).await;
    assert_eq!(status, 201);
    let cid = c["id"].as_i64().unwrap();

    let refused = |field: &str, value: Value| {
        let mut body = comment_on_action(aid);
        body[field] = value;
        body
    };
    for (why, body) in [
        ("no consent", refused("consent", json!(false))),
        (
            "honeypot",
            refused("site_web", json!("http://spam.example")),
        ),
        ("no e-mail", refused("email", json!(""))),
        ("bad e-mail", refused("email", json!("pas-une-adresse"))),
        ("no name", refused("name", json!("  "))),
        ("long name", refused("name", json!("n".repeat(201)))),
        ("long text", refused("body", json!("é".repeat(4001)))),
        ("bad siret", refused("siret", json!("1234"))),
        ("unknown kind", refused("kind", json!("vote"))),
        ("foreign action", refused("action_id", json!(aid + 1000))),
        (
            "participation on an orientation",
            json!({"kind": "participation", "orientation_id": oid, "name": "A",
                   "organisation": "B", "email": "a@b.fr", "consent": true}),
        ),
    ] {
        let (status, answer) = contribute(&app, cid, body).await;
        assert_eq!(status, 400, "{why}: {answer}");
        assert!(answer["message"].is_string(), "{why}: {answer}");
    }
    // A body over the size limit: 413, in JSON.
    let (status, _) = contribute(&app, cid, refused("body", json!("x".repeat(20_000)))).await;
    assert_eq!(status, 413);
    // Malformed JSON: 400, never 500.
    let response = app
        .request(
            Method::POST,
            &format!("/api/consultations/{cid}/contributions"),
            None,
        )
        .header("content-type", "application/json")
        .body("{\"kind\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    // Nothing refused was recorded.
    let (_, all) = app
        .call(
            Method::GET,
            &format!("/api/consultations/{cid}/contributions"),
            Some(&s.cdm),
            None,
        )
        .await;
    assert!(all["items"].as_array().unwrap().is_empty(), "{all}");

    // The rate limit per client address.
    for _ in 0..ess_atlas::api::consultations::MAX_PER_ADDRESS {
        let (status, answer) = contribute(&app, cid, comment_on_action(aid)).await;
        assert_eq!(status, 201, "{answer}");
    }
    let response = app
        .request(
            Method::POST,
            &format!("/api/consultations/{cid}/contributions"),
            None,
        )
        .json(&comment_on_action(aid))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().get("retry-after").is_some());
    let answer: Value = response.json().await.unwrap();
    assert!(
        answer.to_string().contains("trop de contributions"),
        "{answer}"
    );

    // A cross-site form post is refused.
    let response = app
        .request(
            Method::POST,
            &format!("/api/consultations/{cid}/contributions"),
            None,
        )
        .header("origin", "https://evil.example")
        .json(&comment_on_action(aid))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let _ = s.lecteur;
}

#[tokio::test]
async fn only_chargés_de_mission_open_and_close_and_only_the_territory_moderates() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (_, aid) = plan(&app, &s.cdm, 2024).await;
    for who in [None, Some(&s.lecteur), Some(&s.referent)] {
        let (status, _) = match who {
            Some(w) => open(&app, w, 2024, -1, 5).await,
            None => {
                app.call(
                    Method::POST,
                    "/api/consultations",
                    None,
                    Some(json!({"territory": "ARR", "edition": 2024,
                                "starts_on": day(0), "ends_on": day(1)})),
                )
                .await
            }
        };
        assert!(status == 401 || status == 403, "{status}");
    }
    let (status, _) = open(&app, &s.cdm, 2031, -1, 5).await;
    assert_eq!(status, 404, "unknown edition");
    let (status, c) = open(&app, &s.cdm, 2024, -1, 5).await;
    assert_eq!(status, 201);
    let cid = c["id"].as_i64().unwrap();
    let (_, received) = contribute(&app, cid, comment_on_action(aid)).await;
    let id = received["id"].as_i64().unwrap();
    confirm_by_mail(&app, EMAIL, 0).await;

    let accept = json!({"decision": "acceptee"});
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/contributions/{id}/moderation"),
            None,
            Some(accept.clone()),
        )
        .await;
    assert_eq!(status, 401);
    for who in [&s.lecteur, &s.other_referent] {
        let (status, _) = moderate(&app, who, id, accept.clone()).await;
        assert_eq!(status, 403);
    }
    for path in ["contributions", "export.csv", "export.xlsx"] {
        for who in [&s.lecteur, &s.other_referent] {
            let (status, _) = app
                .call(
                    Method::GET,
                    &format!("/api/consultations/{cid}/{path}"),
                    Some(who),
                    None,
                )
                .await;
            assert_eq!(status, 403, "{path}");
        }
    }
    // Without the CSRF token, a moderator's session cannot moderate.
    let no_csrf = Session {
        csrf: String::new(),
        ..s.referent.clone()
    };
    let (status, _) = moderate(&app, &no_csrf, id, accept.clone()).await;
    assert_eq!(status, 403);
    let (status, _) = moderate(&app, &s.referent, id, json!({"decision": "publier"})).await;
    assert_eq!(status, 400);
    let (status, _) = moderate(&app, &s.referent, id, accept).await;
    assert_eq!(status, 200);
    for who in [&s.referent, &s.lecteur] {
        let (status, _) = app
            .call(
                Method::POST,
                &format!("/api/consultations/{cid}/close"),
                Some(who),
                None,
            )
            .await;
        assert_eq!(status, 403);
    }
    // The history records the contribution, its confirmation and its moderation.
    let (_, h) = app
        .call(
            Method::GET,
            &format!("/api/history?entity=contribution&id={id}"),
            Some(&s.cdm),
            None,
        )
        .await;
    let ops: Vec<&str> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops.len(), 3, "{h}");
    assert!(
        ops.contains(&"create") && ops.contains(&"confirm") && ops.contains(&"moderate"),
        "{h}"
    );
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one scenario: receive, mail, confirm once, notify
async fn a_contribution_is_confirmed_once_by_the_link_e_mailed_to_its_author() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (_, aid) = plan(&app, &s.cdm, 2024).await;
    let (_, c) = open(&app, &s.cdm, 2024, -1, 5).await;
    let cid = c["id"].as_i64().unwrap();
    let (status, received) = contribute(&app, cid, comment_on_action(aid)).await;
    assert_eq!(status, 201, "{received}");
    assert_eq!(received["status"], "a_confirmer");
    assert!(
        received["message"].as_str().unwrap().contains("courriel"),
        "{received}"
    );
    let id = received["id"].as_i64().unwrap();

    // The author's e-mail: to the address given, with a link on the public address.
    let link = confirmation_link(&app, EMAIL, 0).await;
    assert!(link.starts_with(&app.base), "{link}");
    let token = token_of(&link).to_owned();
    assert_eq!(token.len(), 64, "{link}");
    // Only its hash is stored.
    let stored: Vec<String> = app
        .db
        .contributions(cid, None)
        .await
        .unwrap()
        .iter()
        .map(|x| format!("{x:?}"))
        .collect();
    assert!(!stored.concat().contains(&token), "{stored:?}");

    // Unconfirmed: not in the moderators' default list, listed on demand, never
    // accepted, never public.
    let list = |status: Option<&'static str>| {
        let app = &app;
        let who = s.referent.clone();
        async move {
            let path = match status {
                Some(st) => format!("/api/consultations/{cid}/contributions?status={st}"),
                None => format!("/api/consultations/{cid}/contributions"),
            };
            let (code, v) = app.call(Method::GET, &path, Some(&who), None).await;
            assert_eq!(code, 200, "{v}");
            v["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(list(None).await, 0);
    assert_eq!(list(Some("en_attente")).await, 0);
    assert_eq!(list(Some("a_confirmer")).await, 1);
    let (status, m) = moderate(&app, &s.referent, id, json!({"decision": "acceptee"})).await;
    assert_eq!(status, 409, "{m}");
    assert!(m["message"].as_str().unwrap().contains("confirmée"), "{m}");
    let detail = app
        .get_json(&format!("/api/consultations/{cid}"), 200)
        .await;
    assert_eq!(detail["accepted"], 0);

    // Opening the link changes nothing (a mail scanner may fetch it): it shows a button.
    for _ in 0..2 {
        let page = app.http.get(&link).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let text = page.text().await.unwrap();
        assert!(text.contains("Confirmer ma contribution"), "{text}");
        assert!(text.contains("method=\"post\""), "{text}");
    }
    assert_eq!(list(Some("a_confirmer")).await, 1);

    // A POST from another site is refused.
    let forged = app
        .http
        .post(format!("{}/consultations/confirmer", app.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Origin", "https://malveillant.example")
        .body(format!("jeton={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    assert_eq!(list(Some("a_confirmer")).await, 1);

    // The button confirms, once.
    let (status, text) = press_confirm(&app, &token).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("Contribution confirmée"), "{text}");
    assert_eq!(list(None).await, 1);
    assert_eq!(list(Some("en_attente")).await, 1);
    let (status, text) = press_confirm(&app, &token).await;
    assert_eq!(status, 409, "{text}");
    assert!(text.contains("Lien déjà utilisé"), "{text}");
    let page = app.http.get(&link).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 409);

    // The moderators' address is told, without the author's e-mail.
    let notice = app.wait_for_mail("moderation@departement.example", 1).await;
    assert!(
        notice[0].contains("attend votre modération"),
        "{}",
        notice[0]
    );
    assert!(notice[0].contains("Jeanne Martin"), "{}", notice[0]);
    assert!(!notice[0].contains(EMAIL), "{}", notice[0]);

    // Unknown and missing tokens: clear French pages, 4xx.
    let (status, text) = press_confirm(&app, &"0".repeat(64)).await;
    assert_eq!(status, 404);
    assert!(text.contains("Lien inconnu"), "{text}");
    let page = app
        .http
        .get(format!("{}/consultations/confirmer", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 400);
    assert!(page.text().await.unwrap().contains("Lien incomplet"));

    // Accepted now; public, without the e-mail.
    let (status, _) = moderate(&app, &s.referent, id, json!({"decision": "acceptee"})).await;
    assert_eq!(status, 200);
    let detail = app
        .get(&format!("/api/consultations/{cid}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        detail.contains("Jeanne Martin") && !detail.contains(EMAIL),
        "{detail}"
    );
}

#[tokio::test]
async fn an_expired_link_does_not_confirm() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (_, aid) = plan(&app, &s.cdm, 2024).await;
    let (_, c) = open(&app, &s.cdm, 2024, -1, 5).await;
    let cid = c["id"].as_i64().unwrap();
    let (_, received) = contribute(&app, cid, comment_on_action(aid)).await;
    let id = received["id"].as_i64().unwrap();
    let link = confirmation_link(&app, EMAIL, 0).await;
    // Eight days later (the link lives seven): the clock is the stored expiry's.
    let eight_days = 8 * 86_400;
    let token_hash = {
        use sha2::Digest as _;
        sha2::Sha256::digest(token_of(&link).as_bytes())
            .iter()
            .fold(String::new(), |mut out, b| {
                use std::fmt::Write as _;
                let _ = write!(out, "{b:02x}");
                out
            })
    };
    assert!(matches!(
        app.db
            .confirmation(&token_hash, ess_atlas::time::unix_now())
            .await
            .unwrap(),
        ess_atlas::db::Confirmation::Valid(_)
    ));
    assert!(matches!(
        app.db
            .confirm_contribution(&token_hash, ess_atlas::time::unix_now() + eight_days)
            .await
            .unwrap(),
        ess_atlas::db::Confirmation::Expired
    ));
    expire_now(&app, id).await;
    let page = app.http.get(&link).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 410);
    assert!(page.text().await.unwrap().contains("Lien expiré"));
    let (status, text) = press_confirm(&app, token_of(&link)).await;
    assert_eq!(status, 410, "{text}");
    let (status, _) = moderate(&app, &s.referent, id, json!({"decision": "acceptee"})).await;
    assert_eq!(status, 409, "still unconfirmed");
}

/// Moves the expiry of contribution `id`'s link into the past, as time passing would.
async fn expire_now(app: &TestApp, id: i64) {
    let past = ess_atlas::time::unix_now() - 1;
    match app.db.pool() {
        ess_atlas::db::Pool::Sqlite(p) => {
            sqlx::query("UPDATE contributions SET confirm_expires_at = $1 WHERE id = $2")
                .bind(past)
                .bind(id)
                .execute(p)
                .await
                .unwrap();
        }
        ess_atlas::db::Pool::Postgres(p) => {
            sqlx::query("UPDATE contributions SET confirm_expires_at = $1 WHERE id = $2")
                .bind(past)
                .bind(id)
                .execute(p)
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn a_contribution_is_received_when_the_smtp_server_is_down() {
    let app = crate::helpers::spawn_app_with(|cfg| {
        // Nothing listens on port 9 of loopback: the connection is refused.
        cfg.mail.smtp_url = Some("smtp://127.0.0.1:9".into());
    })
    .await;
    let s = staff(&app).await;
    let (_, aid) = plan(&app, &s.cdm, 2024).await;
    let (_, c) = open(&app, &s.cdm, 2024, -1, 5).await;
    let cid = c["id"].as_i64().unwrap();
    let started = std::time::Instant::now();
    let (status, received) = contribute(&app, cid, comment_on_action(aid)).await;
    assert_eq!(status, 201, "{received}");
    assert_eq!(received["status"], "a_confirmer");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(
        app.outbox_messages().is_empty(),
        "SMTP configured: no outbox"
    );
}

#[tokio::test]
async fn retention_and_erasure_anonymise_contributions_and_keep_their_text() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (_, aid) = plan(&app, &s.cdm, 2024).await;
    let (_, c) = open(&app, &s.cdm, 2024, -1, 5).await;
    let cid = c["id"].as_i64().unwrap();
    let (_, received) = contribute(&app, cid, comment_on_action(aid)).await;
    let id = received["id"].as_i64().unwrap();
    confirm_by_mail(&app, EMAIL, 0).await;
    let (status, _) = moderate(&app, &s.referent, id, json!({"decision": "acceptee"})).await;
    assert_eq!(status, 200);

    // Open: the retention never touches it, whatever the cut-off.
    let far = ess_atlas::time::iso_from_unix(ess_atlas::time::unix_now() + 400 * 86_400);
    assert_eq!(app.db.purge_contributions(&far).await.unwrap(), 0);
    app.call(
        Method::POST,
        &format!("/api/consultations/{cid}/close"),
        Some(&s.cdm),
        None,
    )
    .await;
    // Closed today: not yet past a cut-off of one year ago.
    let year_ago = ess_atlas::time::iso_from_unix(ess_atlas::time::unix_now() - 365 * 86_400);
    assert_eq!(app.db.purge_contributions(&year_ago).await.unwrap(), 0);
    // A year later (the cut-off moves past the closing): anonymised, once.
    assert_eq!(app.db.purge_contributions(&far).await.unwrap(), 1);
    assert_eq!(app.db.purge_contributions(&far).await.unwrap(), 0);
    let row = app.db.contribution(id).await.unwrap().unwrap();
    assert_eq!(row.name, ess_atlas::db::ANONYMISED_NAME);
    assert!(row.email.is_empty() && row.ip.is_empty() && row.anonymised_at.is_some());
    let detail = app
        .get(&format!("/api/consultations/{cid}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(detail.contains("Contributeur anonymisé"), "{detail}");
    assert!(
        detail.contains("accueillir les jeunes"),
        "the text is kept: {detail}"
    );
    assert!(!detail.contains("Jeanne Martin"), "{detail}");
    let history = app
        .staff_json(&format!("/api/history?entity=contribution&id={id}"), 200)
        .await
        .to_string();
    assert!(
        history.contains("anonymise") && history.contains("retention"),
        "{history}"
    );
    assert!(
        !history.contains("Jeanne Martin") && !history.contains(EMAIL),
        "{history}"
    );

    // Erasure on request: every contribution of the address, whatever its case.
    let (_, c2) = open(&app, &s.cdm, 2024, -1, 5).await;
    let cid2 = c2["id"].as_i64().unwrap();
    let (status, _) = contribute(&app, cid2, comment_on_action(aid)).await;
    assert_eq!(status, 201);
    let (status, other) = contribute(
        &app,
        cid2,
        json!({"kind": "proposition", "body": "Un marché de l'ESS.", "name": "Paul",
               "email": "paul@example.org", "consent": true}),
    )
    .await;
    assert_eq!(status, 201, "{other}");
    assert_eq!(
        app.db
            .erase_contributor(&EMAIL.to_uppercase())
            .await
            .unwrap(),
        1
    );
    let left = app.db.contributions(cid2, None).await.unwrap();
    assert!(left.iter().all(|x| x.email != EMAIL), "{left:?}");
    assert!(
        left.iter().any(|x| x.email == "paul@example.org"),
        "others kept"
    );
}
