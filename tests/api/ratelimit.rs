//! Per-address rate limits (issue 21): 429 with `Retry-After` and the JSON error
//! body once an address has spent its budget, other addresses unaffected, budgets
//! refilled with time, documents on their own budget, staff not limited.

use crate::helpers::{TestApp, spawn_app_with};

/// GET `path` as the client `addr` behind the trusted proxy (`--behind-proxy`).
async fn get_from(app: &TestApp, addr: &str, path: &str) -> reqwest::Response {
    app.http
        .get(format!("{}{path}", app.base))
        .header("x-forwarded-for", addr)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_address_over_its_api_budget_gets_429_with_retry_after() {
    let app = spawn_app_with(|cfg| {
        cfg.behind_proxy = true;
        cfg.rate_limit_api = 5;
    })
    .await;
    for i in 0..5 {
        let status = get_from(&app, "203.0.113.7", "/api/meta").await.status();
        assert_eq!(status, 200, "request {i} within the budget");
    }
    let over = get_from(&app, "203.0.113.7", "/api/meta").await;
    assert_eq!(over.status(), 429);
    // Five a minute: the next token comes in twelve seconds.
    assert_eq!(over.headers()["retry-after"], "12");
    assert!(
        over.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: serde_json::Value = over.json().await.unwrap();
    assert_eq!(body["error"], "too_many_requests");
    assert!(
        body["message"].as_str().unwrap().contains("Retry-After"),
        "{body}"
    );

    // Another client behind the same proxy has its own budget.
    assert_eq!(
        get_from(&app, "198.51.100.4", "/api/meta").await.status(),
        200
    );
    // Pages and tiles are not counted.
    assert_eq!(get_from(&app, "203.0.113.7", "/").await.status(), 200);
    let tile = get_from(&app, "203.0.113.7", "/tiles/communes/8/130/85")
        .await
        .status();
    assert_ne!(tile, 429);
}

#[tokio::test]
async fn the_budget_refills_with_time() {
    // Sixty a minute: one token a second.
    let app = spawn_app_with(|cfg| {
        cfg.behind_proxy = true;
        cfg.rate_limit_api = 60;
    })
    .await;
    for _ in 0..60 {
        assert_eq!(
            get_from(&app, "203.0.113.9", "/api/meta").await.status(),
            200
        );
    }
    let over = get_from(&app, "203.0.113.9", "/api/meta").await;
    assert_eq!(over.status(), 429);
    assert_eq!(over.headers()["retry-after"], "1");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        get_from(&app, "203.0.113.9", "/api/meta").await.status(),
        200
    );
    assert_eq!(
        get_from(&app, "203.0.113.9", "/api/meta").await.status(),
        429
    );
}

#[tokio::test]
async fn documents_have_their_own_smaller_budget() {
    let app = spawn_app_with(|cfg| {
        cfg.behind_proxy = true;
        cfg.rate_limit_api = 100;
        cfg.rate_limit_documents = 2;
    })
    .await;
    // No edition yet: the fiches answer 404, but each request is counted.
    for _ in 0..2 {
        let status = get_from(&app, "203.0.113.7", "/territoires/ARR/fiche.pdf")
            .await
            .status();
        assert_eq!(status, 404);
    }
    for path in [
        "/epci/200033579/fiche.xlsx",
        "/territoires/ARR/fiche.odt",
        "/donnees/2023/communes.csv",
    ] {
        let over = get_from(&app, "203.0.113.7", path).await;
        assert_eq!(over.status(), 429, "{path}");
        assert_eq!(over.headers()["retry-after"], "30", "{path}");
    }
    // A browser opening a fiche over budget is told the same, with the wait.
    let page = app
        .http
        .get(format!("{}/territoires/ARR/fiche", app.base))
        .header("x-forwarded-for", "203.0.113.7")
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429);
    assert_eq!(page.headers()["retry-after"], "30");
    // The API budget is untouched.
    assert_eq!(
        get_from(&app, "203.0.113.7", "/api/meta").await.status(),
        200
    );
}

#[tokio::test]
async fn staff_are_not_limited() {
    let app = spawn_app_with(|cfg| {
        cfg.rate_limit_api = 3;
    })
    .await;
    app.add_user("rita", "lecteur", &[]).await;
    let session = app.login("rita").await;
    for i in 0..10 {
        let (status, _) = app
            .call(reqwest::Method::GET, "/api/meta", Some(&session), None)
            .await;
        assert_eq!(status, 200, "staff request {i}");
    }
    // The public, from the same address, is limited.
    assert_eq!(app.get("/api/meta").await.status(), 429);
}
