//! Organisations speak for themselves (issue 20): what an establishment declares from
//! its card, confirmed by the e-mailed link, moderated by its territory's referent or
//! a chargé de mission, public only once accepted and never with its author, never in
//! a figure; the abuse limits it shares with the consultations; retention and erasure.
//! The routes × roles are in `portraits::every_role_on_every_route`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, spawn_app};

/// Public establishments of the SIRENE sample: Arras (ARR), Lens (LEN).
pub const ARRAS: &str = "77958412700012";
const LENS: &str = "77958412700020";
/// The protected establishment of the sample (Béthune).
const PROTECTED: &str = "12345678200010";
pub const EMAIL: &str = "directrice.secret@example.org";
const TREASURER: &str = "tresorier@example.org";

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

pub fn declaration() -> Value {
    json!({
        "description": "Recyclerie **solidaire** <script>alert(1)</script>",
        "website": "https://emmaus-arras.example",
        "esus": true,
        "labels": ["Label Emmaüs", " "],
        "networks": ["Emmaüs France"],
        "activities": ["Recyclerie", "Chantier d'insertion"],
        "name": "Marie Directrice", "role": "directrice", "email": EMAIL, "consent": true,
    })
}

async fn declare(app: &TestApp, siret: &str, body: Value) -> (u16, Value) {
    app.call(
        Method::POST,
        &format!("/api/organisations/{siret}/declarations"),
        None,
        Some(body),
    )
    .await
}

async fn moderate(app: &TestApp, who: &Session, id: i64, body: Value) -> (u16, Value) {
    app.call(
        Method::POST,
        &format!("/api/declarations/{id}/moderation"),
        Some(who),
        Some(body),
    )
    .await
}

/// The confirmation link of the `nth` (0-based) e-mail to `address`.
async fn confirmation_link(app: &TestApp, address: &str, nth: usize) -> String {
    let mails = app.wait_for_mail(address, nth + 1).await;
    let mail = &mails[nth];
    mail.lines()
        .map(str::trim)
        .find(|l| l.starts_with("http") && l.contains("/structures/confirmer?jeton="))
        .unwrap_or_else(|| panic!("no link in {mail}"))
        .to_owned()
}

async fn press_confirm(app: &TestApp, token: &str) -> (u16, String) {
    let response = app
        .http
        .post(format!("{}/structures/confirmer", app.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Origin", &app.base)
        .body(format!("jeton={token}"))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Opens the `nth` link to `address` and presses its button; asserts it confirmed.
pub async fn confirm_by_mail(app: &TestApp, address: &str, nth: usize) {
    let link = confirmation_link(app, address, nth).await;
    let page = app.http.get(&link).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200, "{link}");
    let text = page.text().await.unwrap();
    assert!(text.contains("Confirmer ces informations"), "{text}");
    let token = link.split_once("jeton=").unwrap().1;
    let (status, text) = press_confirm(app, token).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("Informations confirmées"), "{text}");
    let (status, again) = press_confirm(app, token).await;
    assert_eq!(status, 409, "single use: {again}");
}

async fn public(app: &TestApp, siret: &str) -> Value {
    app.get_json(&format!("/api/organisations/{siret}/declarations"), 200)
        .await
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: declare, confirm, moderate, show
async fn a_declaration_is_public_only_once_confirmed_and_accepted_never_with_its_author() {
    let app = spawn_app().await;
    app.import_sample(2025, "2025-06-30").await;
    let s = staff(&app).await;
    let record_before = app
        .get_json(&format!("/api/organisations/{ARRAS}"), 200)
        .await;
    let list_before = app.get_json("/api/organisations?territory=ARR", 200).await;
    assert!(
        public(&app, ARRAS).await["privacy_notice"]
            .as_str()
            .unwrap()
            .contains("dpo@")
    );

    let (status, received) = declare(&app, ARRAS, declaration()).await;
    assert_eq!(status, 201, "{received}");
    assert_eq!(received["status"], "a_confirmer");
    let id = received["id"].as_i64().unwrap();

    // Unconfirmed: not public, not acceptable, not in the moderators' default list.
    assert_eq!(public(&app, ARRAS).await["items"], json!([]));
    let (status, m) = moderate(&app, &s.referent, id, json!({"decision": "acceptee"})).await;
    assert_eq!(status, 409, "{m}");
    let (_, list) = app
        .call(Method::GET, "/api/declarations", Some(&s.referent), None)
        .await;
    assert_eq!(list["items"], json!([]));
    confirm_by_mail(&app, EMAIL, 0).await;
    let notices = app.wait_for_mail("moderation@departement.example", 1).await;
    assert!(
        notices[0].contains("attendent votre modération"),
        "{}",
        notices[0]
    );
    assert!(!notices[0].contains(EMAIL), "{}", notices[0]);

    // Confirmed, awaiting moderation: still not public.
    assert_eq!(public(&app, ARRAS).await["items"], json!([]));
    // The moderators of ARR see it with the e-mail; Lens's referent does not.
    let (status, list) = app
        .call(Method::GET, "/api/declarations", Some(&s.referent), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["email"], EMAIL);
    assert_eq!(list["items"][0]["territory"], "ARR");
    assert_eq!(list["items"][0]["commune_name"], "Arras");
    let (_, list) = app
        .call(
            Method::GET,
            "/api/declarations",
            Some(&s.other_referent),
            None,
        )
        .await;
    assert_eq!(list["items"], json!([]));
    let (status, _) = app
        .call(Method::GET, "/api/declarations", Some(&s.lecteur), None)
        .await;
    assert_eq!(status, 403);
    let (status, _) = moderate(&app, &s.other_referent, id, json!({"decision": "acceptee"})).await;
    assert_eq!(status, 403, "Lens's referent does not moderate Arras");

    // Without the CSRF token, the referent's session cannot moderate.
    let no_csrf = Session {
        csrf: String::new(),
        ..s.referent.clone()
    };
    let (status, _) = moderate(&app, &no_csrf, id, json!({"decision": "acceptee"})).await;
    assert_eq!(status, 403);

    let (status, m) = moderate(&app, &s.referent, id, json!({"decision": "acceptee"})).await;
    assert_eq!(status, 200, "{m}");
    let shown = public(&app, ARRAS).await;
    let item = &shown["items"][0];
    assert_eq!(item["website"], "https://emmaus-arras.example");
    assert_eq!(item["esus"], true);
    assert_eq!(
        item["labels"],
        json!(["Label Emmaüs"]),
        "empty items dropped"
    );
    assert_eq!(item["networks"], json!(["Emmaüs France"]));
    let html = item["description_html"].as_str().unwrap();
    assert!(html.contains("<strong>solidaire</strong>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;") && !html.contains("<script>"),
        "no HTML: {html}"
    );
    let text = shown.to_string();
    for secret in [EMAIL, "Marie Directrice", "directrice\"", "127.0.0.1"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    // Another establishment has none.
    assert_eq!(public(&app, LENS).await["items"], json!([]));

    // The SIRENE record and the lists are unchanged.
    assert_eq!(
        app.get_json(&format!("/api/organisations/{ARRAS}"), 200)
            .await,
        record_before
    );
    assert_eq!(
        app.get_json("/api/organisations?territory=ARR", 200).await,
        list_before
    );

    // The history has the steps, never the e-mail nor the name.
    let history = app
        .staff_json(&format!("/api/history?entity=declaration&id={id}"), 200)
        .await
        .to_string();
    for op in ["create", "confirm", "moderate"] {
        assert!(history.contains(op), "{op}: {history}");
    }
    assert!(
        !history.contains(EMAIL) && !history.contains("Marie Directrice"),
        "{history}"
    );
}

#[tokio::test]
async fn a_declined_or_spam_declaration_never_shows() {
    let app = spawn_app().await;
    app.import_sample(2025, "2025-06-30").await;
    let s = staff(&app).await;
    let mut ids = Vec::new();
    for (n, website) in [
        "https://un.example",
        "https://deux.example",
        "https://trois.example",
    ]
    .iter()
    .enumerate()
    {
        let mut body = declaration();
        body["website"] = json!(website);
        // One address each: the outbox's order is not the sending order.
        let email = format!("declarant{n}@example.org");
        body["email"] = json!(email);
        let (status, r) = declare(&app, ARRAS, body).await;
        assert_eq!(status, 201, "{r}");
        confirm_by_mail(&app, &email, 0).await;
        ids.push(r["id"].as_i64().unwrap());
    }
    let (status, _) = moderate(&app, &s.cdm, ids[0], json!({"decision": "refusee"})).await;
    assert_eq!(status, 400, "declining needs a reason");
    let (status, _) = moderate(
        &app,
        &s.cdm,
        ids[0],
        json!({"decision": "refusee", "reason": "Site inconnu."}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = moderate(&app, &s.referent, ids[1], json!({"decision": "spam"})).await;
    assert_eq!(status, 200);
    assert_eq!(public(&app, ARRAS).await["items"], json!([]));
    let (status, _) = moderate(&app, &s.referent, ids[2], json!({"decision": "acceptee"})).await;
    assert_eq!(status, 200);
    let items = public(&app, ARRAS).await["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
    assert_eq!(items[0]["website"], "https://trois.example");
    let (_, declined) = app
        .call(
            Method::GET,
            "/api/declarations?status=refusee&territory=ARR",
            Some(&s.referent),
            None,
        )
        .await;
    assert_eq!(declined["items"][0]["reason"], "Site inconnu.");
    let (status, _) = app
        .call(
            Method::GET,
            "/api/declarations?territory=ARR",
            Some(&s.other_referent),
            None,
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn declarations_are_refused_by_the_honeypot_without_consent_over_the_limits() {
    let app = spawn_app().await;
    app.import_sample(2025, "2025-06-30").await;
    let with = |field: &str, value: Value| {
        let mut body = declaration();
        body[field] = value;
        body
    };
    for (why, body, want) in [
        (
            "honeypot",
            with("site_web", json!("http://spam.example")),
            400,
        ),
        ("no consent", with("consent", json!(false)), 400),
        ("no name", with("name", json!("")), 400),
        ("bad e-mail", with("email", json!("pas-une-adresse")), 400),
        (
            "javascript website",
            with("website", json!("javascript:alert(1)")),
            400,
        ),
        (
            "website without scheme",
            with("website", json!("www.asso.fr")),
            400,
        ),
        (
            "long description",
            with("description", json!("a".repeat(2001))),
            400,
        ),
        ("too many labels", with("labels", json!(vec!["x"; 21])), 400),
        (
            "nothing declared",
            json!({"name": "A", "email": "a@example.org", "consent": true}),
            400,
        ),
    ] {
        let (status, answer) = declare(&app, ARRAS, body).await;
        assert_eq!(status, want, "{why}: {answer}");
        assert!(answer["message"].is_string(), "{why}: {answer}");
    }
    let (status, _) = declare(&app, "1234", declaration()).await;
    assert_eq!(status, 400, "bad SIRET");
    let (status, _) = declare(&app, "99999999999999", declaration()).await;
    assert_eq!(status, 404, "unknown establishment");
    let (status, _) = declare(&app, PROTECTED, declaration()).await;
    assert_eq!(status, 404, "a protected establishment is never recognised");

    // A body over the size limit: 413, in JSON.
    let (status, answer) =
        declare(&app, ARRAS, with("description", json!("a".repeat(20_000)))).await;
    assert_eq!(status, 413, "{answer}");
    // From another site's page: refused.
    let response = app
        .http
        .post(format!(
            "{}/api/organisations/{ARRAS}/declarations",
            app.base
        ))
        .header("Origin", "https://malveillant.example")
        .json(&declaration())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    assert!(app.db.declarations(None, None).await.unwrap().is_empty());

    // Five per address and hour, then 429 with Retry-After.
    for n in 0..5 {
        let (status, answer) = declare(&app, LENS, declaration()).await;
        assert_eq!(status, 201, "declaration {n}: {answer}");
    }
    let response = app
        .http
        .post(format!(
            "{}/api/organisations/{LENS}/declarations",
            app.base
        ))
        .json(&declaration())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn retention_and_erasure_anonymise_declarations_and_keep_what_was_declared() {
    let app = spawn_app().await;
    app.import_sample(2025, "2025-06-30").await;
    let s = staff(&app).await;
    let (_, accepted) = declare(&app, ARRAS, declaration()).await;
    let accepted = accepted["id"].as_i64().unwrap();
    confirm_by_mail(&app, EMAIL, 0).await;
    let mut other = declaration();
    other["email"] = json!(TREASURER);
    let (_, pending) = declare(&app, LENS, other).await;
    let pending = pending["id"].as_i64().unwrap();
    confirm_by_mail(&app, TREASURER, 0).await;
    let (status, _) = moderate(&app, &s.referent, accepted, json!({"decision": "acceptee"})).await;
    assert_eq!(status, 200);

    // Received today: not past a cut-off of a year ago.
    let now = ess_atlas::time::unix_now();
    assert_eq!(
        app.db.purge_declarations(now - 365 * 86_400).await.unwrap(),
        0
    );
    // Past it: the accepted one is anonymised, once; the pending one is kept for its
    // moderators.
    assert_eq!(app.db.purge_declarations(now + 1).await.unwrap(), 1);
    assert_eq!(app.db.purge_declarations(now + 1).await.unwrap(), 0);
    let row = app.db.declaration(accepted).await.unwrap().unwrap();
    assert_eq!(row.name, ess_atlas::db::ANONYMISED_NAME);
    assert!(row.email.is_empty() && row.ip.is_empty() && row.role.is_empty());
    assert_eq!(
        row.website, "https://emmaus-arras.example",
        "declared fields kept"
    );
    assert_eq!(
        public(&app, ARRAS).await["items"][0]["website"],
        "https://emmaus-arras.example"
    );
    let history = app
        .staff_json(
            &format!("/api/history?entity=declaration&id={accepted}"),
            200,
        )
        .await
        .to_string();
    assert!(
        history.contains("anonymise") && history.contains("retention"),
        "{history}"
    );

    // Erasure on request (the consultations' command covers declarations), whatever
    // the address's case: the pending one too.
    let out = crate::data_life::ess_atlas(
        &app.database_url(),
        &[
            "consultations",
            "erase",
            "--email",
            &TREASURER.to_uppercase(),
        ],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("anonymised=1") && stdout.contains("1 declaration(s)"),
        "{stdout}"
    );
    let row = app.db.declaration(pending).await.unwrap().unwrap();
    assert!(row.email.is_empty() && row.anonymised_at.is_some());
    assert_eq!(app.db.erase_declarant(TREASURER).await.unwrap(), 0, "once");
}

/// The declaration routes of `portraits::every_role_on_every_route` (23 and after), on a confirmed declaration
/// of an establishment of `territory` (the SIRENE sample: Arras in ARR, Lens in LEN),
/// made straight in the database (the public route's rate limit is
/// not the matter here; `declarations.rs` tests it).
pub async fn matrix_route(
    app: &TestApp,
    who: Option<&Session>,
    r: usize,
    territory: &str,
    edition: i64,
) -> u16 {
    // Arras for ARR and for the admin's column (any establishment), Lens for LEN.
    let siret = if territory == "LEN" {
        "77958412700020"
    } else {
        "77958412700012"
    };
    if r == 23 {
        return app
            .call(
                Method::GET,
                &format!("/api/organisations/{siret}/declarations"),
                who,
                None,
            )
            .await
            .0;
    }
    let now = ess_atlas::time::unix_now();
    let token = format!("matrix-declaration-{edition}");
    let (_, commune, _) = app.db.public_establishment(siret).await.unwrap().unwrap();
    let row = app
        .db
        .add_declaration(
            &ess_atlas::db::NewDeclaration {
                siret,
                commune: &commune,
                fields: &ess_atlas::db::DeclaredFields {
                    website: "https://asso.example".into(),
                    ..Default::default()
                },
                name: "Marie",
                role: "",
                email: "marie@example.org",
                ip: &token,
                confirm_token: &token,
                confirm_expires_at: now + 3600,
            },
            now,
            now - 3600,
            5,
        )
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        app.db.confirm_declaration(&token, now).await.unwrap(),
        ess_atlas::db::Confirmation::Valid(_)
    ));
    let (method, path, body) = match r {
        24 => (
            Method::GET,
            format!("/api/declarations?territory={territory}"),
            None,
        ),
        25 => (
            Method::POST,
            format!("/api/declarations/{}/moderation", row.id),
            Some(json!({"decision": "acceptee"})),
        ),
        _ => unreachable!(),
    };
    app.call(method, &path, who, body).await.0
}

/// The confirmation pages speak of a declaration, not a contribution, and refuse what
/// cannot confirm: another site's form, a used, unknown or missing token.
#[tokio::test]
async fn a_declarations_confirmation_pages_refuse_what_cannot_confirm() {
    let app = spawn_app().await;
    app.import_sample(2025, "2025-06-30").await;
    let (status, received) = declare(&app, ARRAS, declaration()).await;
    assert_eq!(status, 201, "{received}");
    let link = confirmation_link(&app, EMAIL, 0).await;
    let token = link.split_once("jeton=").unwrap().1.to_owned();

    let forged = app
        .http
        .post(format!("{}/structures/confirmer", app.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Origin", "https://malveillant.example")
        .body(format!("jeton={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    let text = forged.text().await.unwrap();
    assert!(text.contains("Demande refusée"), "{text}");
    assert!(text.contains("Fiche d'une structure de l'ESS"), "{text}");
    assert_eq!(
        app.db.declarations(None, None).await.unwrap()[0].status,
        "a_confirmer"
    );

    let (status, text) = press_confirm(&app, &token).await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = press_confirm(&app, &token).await;
    assert_eq!(status, 409, "{text}");
    assert!(text.contains("les informations sont confirmées"), "{text}");
    let (status, text) = press_confirm(&app, &"0".repeat(64)).await;
    assert_eq!(status, 404, "{text}");
    assert!(text.contains("aucune déclaration"), "{text}");
    let missing = app
        .http
        .get(format!("{}/structures/confirmer", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 400);
    assert!(missing.text().await.unwrap().contains("Lien incomplet"));
}
