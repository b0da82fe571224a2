//! Staff accounts over HTTP: login, session cookie, CSRF, session fixation, logout,
//! throttling of failed logins, and the routes that became staff-only.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Session, password_of, session_token, spawn_app};

#[tokio::test]
async fn login_sets_a_strict_httponly_cookie_and_session_names_the_user() {
    let app = spawn_app().await;
    app.add_user("rita", "referent", &["ARR"]).await;

    let response = app.post_login("rita", &password_of("rita"), None).await;
    assert_eq!(response.status().as_u16(), 200);
    let cookie = response
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let token = session_token(&response).unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["user"]["role"], "referent");
    let session = Session {
        token,
        csrf: body["csrf"].as_str().unwrap().to_owned(),
    };

    let (status, me) = app
        .call(Method::GET, "/api/session", Some(&session), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(me["authenticated"], true);
    assert_eq!(me["user"]["username"], "rita");
    assert_eq!(me["user"]["territories"], json!(["ARR"]));
    assert_eq!(me["csrf"], session.csrf.as_str());

    let (status, anonymous) = app.call(Method::GET, "/api/session", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(anonymous, json!({"authenticated": false}));
}

#[tokio::test]
async fn the_session_token_is_stored_hashed() {
    let app = spawn_app().await;
    app.add_user("rita", "lecteur", &[]).await;
    let session = app.login("rita").await;
    let stored: Vec<String> = on_test_pool!(app, p => sqlx::query_scalar(
        "SELECT token_hash FROM sessions"
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], session.token);
    assert_eq!(
        stored[0],
        ess_atlas::auth::session::token_hash(&session.token)
    );
}

#[tokio::test]
async fn cookie_is_secure_behind_an_https_proxy() {
    let app = spawn_app().await;
    app.add_user("rita", "lecteur", &[]).await;
    let response = app
        .http
        .post(format!("{}/api/login", app.base))
        .header("x-forwarded-proto", "https")
        .json(&json!({"username": "rita", "password": password_of("rita")}))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let app = spawn_app().await;
    app.add_user("rita", "admin", &[]).await;
    let wrong = app.post_login("rita", "mauvais", None).await;
    assert_eq!(wrong.status().as_u16(), 401);
    assert!(session_token(&wrong).is_none());
    let wrong: serde_json::Value = wrong.json().await.unwrap();
    let unknown: serde_json::Value = app
        .post_login("personne", "mauvais", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["message"], "identifiant ou mot de passe incorrect");
}

#[tokio::test]
async fn mutations_need_the_csrf_token_of_the_session() {
    let app = spawn_app().await;
    app.ensure_edition(2023).await;
    app.add_user("claire", "charge_de_mission", &[]).await;
    let session = app.login("claire").await;
    let body = json!({"jeux_acteurs": "Texte"});
    let url = format!("{}/api/portraits/ARR/2023", app.base);
    let cookie = format!(
        "{}={}",
        ess_atlas::auth::session::COOKIE_NAME,
        session.token
    );

    let missing = app
        .http
        .put(&url)
        .header("cookie", &cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 403);
    let message: serde_json::Value = missing.json().await.unwrap();
    assert!(message["message"].as_str().unwrap().contains("CSRF"));

    let wrong = app
        .http
        .put(&url)
        .header("cookie", &cookie)
        .header("x-csrf-token", "0".repeat(64))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 403);
    // Nothing was written by the refused requests.
    assert!(app.db.portrait("ARR", 2023).await.unwrap().is_none());

    let (status, _) = app
        .call(
            Method::PUT,
            "/api/portraits/ARR/2023",
            Some(&session),
            Some(body),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn cross_origin_requests_are_refused_even_with_the_token() {
    let app = spawn_app().await;
    app.ensure_edition(2023).await;
    app.add_user("claire", "charge_de_mission", &[]).await;
    let session = app.login("claire").await;

    let response = app
        .request(Method::PUT, "/api/portraits/ARR/2023", Some(&session))
        .header("origin", "https://evil.example")
        .json(&json!({"jeux_acteurs": "Texte"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);

    let same_site = app
        .request(Method::PUT, "/api/portraits/ARR/2023", Some(&session))
        .header("origin", app.base.as_str())
        .json(&json!({"jeux_acteurs": "Texte"}))
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status().as_u16(), 200);

    let login = app
        .http
        .post(format!("{}/api/login", app.base))
        .header("origin", "https://evil.example")
        .json(&json!({"username": "claire", "password": password_of("claire")}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status().as_u16(), 403);
    assert!(session_token(&login).is_none());
}

#[tokio::test]
async fn login_issues_a_new_token_and_kills_the_one_presented() {
    let app = spawn_app().await;
    app.add_user("rita", "lecteur", &[]).await;

    // An attacker plants a token of their choosing: the server never adopts it.
    let planted = "a".repeat(64);
    let response = app
        .post_login("rita", &password_of("rita"), Some(&planted))
        .await;
    let issued = session_token(&response).unwrap();
    assert_ne!(issued, planted);
    let with_planted = Session {
        token: planted,
        csrf: String::new(),
    };
    let (_, me) = app
        .call(Method::GET, "/api/session", Some(&with_planted), None)
        .await;
    assert_eq!(me["authenticated"], false);

    // A session known before a login (e.g. on a shared computer) ends at the login.
    let response = app
        .post_login("rita", &password_of("rita"), Some(&issued))
        .await;
    let second = session_token(&response).unwrap();
    assert_ne!(second, issued);
    let old = Session {
        token: issued,
        csrf: String::new(),
    };
    let (_, me) = app
        .call(Method::GET, "/api/session", Some(&old), None)
        .await;
    assert_eq!(me["authenticated"], false);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    app.ensure_edition(2023).await;
    app.add_user("claire", "charge_de_mission", &[]).await;
    let session = app.login("claire").await;
    let (status, _) = app
        .call(Method::POST, "/api/logout", Some(&session), None)
        .await;
    assert_eq!(status, 204);
    let (_, me) = app
        .call(Method::GET, "/api/session", Some(&session), None)
        .await;
    assert_eq!(me["authenticated"], false);
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/portraits/ARR/2023",
            Some(&session),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn logins_are_throttled_after_five_failures() {
    let app = spawn_app().await;
    app.add_user("rita", "lecteur", &[]).await;
    app.add_user("paul", "lecteur", &[]).await;
    for _ in 0..5 {
        let r = app.post_login("rita", "devine", None).await;
        assert_eq!(r.status().as_u16(), 401);
    }
    // Even the right password is refused now, with a delay to wait.
    let blocked = app.post_login("rita", &password_of("rita"), None).await;
    assert_eq!(blocked.status().as_u16(), 429);
    let retry: i64 = blocked.headers()[reqwest::header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    assert!(session_token(&blocked).is_none());
    let body: serde_json::Value = blocked.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("trop de tentatives")
    );
    // Another account is not locked by rita's failures.
    let paul = app.post_login("paul", &password_of("paul"), None).await;
    assert_eq!(paul.status().as_u16(), 200);
}

#[tokio::test]
async fn a_disabled_account_cannot_log_in_and_loses_its_sessions() {
    let app = spawn_app().await;
    app.add_user("rita", "lecteur", &[]).await;
    let session = app.login("rita").await;
    assert!(app.db.set_user_disabled("rita", true).await.unwrap());
    let (_, me) = app
        .call(Method::GET, "/api/session", Some(&session), None)
        .await;
    assert_eq!(me["authenticated"], false);
    let r = app.post_login("rita", &password_of("rita"), None).await;
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn import_reports_are_for_staff_only() {
    let app = spawn_app().await;
    app.ensure_edition(2023).await;
    app.add_user("louise", "lecteur", &[]).await;
    let (status, body) = app
        .call(Method::GET, "/api/editions/2023/reports", None, None)
        .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "unauthorized");
    let session = app.login("louise").await;
    let (status, body) = app
        .call(
            Method::GET,
            "/api/editions/2023/reports",
            Some(&session),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(body["items"].is_array());
}

#[tokio::test]
async fn staff_pages_are_served() {
    let app = spawn_app().await;
    for path in [
        "/connexion",
        "/espace",
        "/territoires/ARR",
        "/epci/200033579",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn failures_older_than_the_window_do_not_count() {
    let app = spawn_app().await;
    app.add_user("rita", "lecteur", &[]).await;
    let long_ago = ess_atlas::time::unix_now() - 16 * 60;
    for _ in 0..10 {
        app.db
            .record_login_failure("rita", "127.0.0.1", long_ago)
            .await
            .unwrap();
    }
    let r = app.post_login("rita", &password_of("rita"), None).await;
    assert_eq!(r.status().as_u16(), 200);
}
