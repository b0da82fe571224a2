//! Client errors answer 4xx with a JSON `{"error", "message"}` body, never a 500.

use crate::helpers::spawn_app;

#[tokio::test]
async fn unknown_codes_answer_404_json() {
    let app = spawn_app().await;
    for path in [
        "/api/territories/XXX",
        "/api/epci/123456789",
        "/api/communes/75056",
        "/api/communes?territory=XXX",
        "/api/communes?epci=000000000",
        "/api/layers/departements.geojson",
        "/api/nothing/here",
    ] {
        let body = app.get_json(path, 404).await;
        assert_eq!(body["error"], "not_found", "{path}");
        assert!(
            body["message"].as_str().unwrap().contains("not found"),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn bad_coordinates_answer_400_json() {
    let app = spawn_app().await;
    for (query, says) in [
        ("lon=abc&lat=50.3", "lon \"abc\" is not a number"),
        ("lon=2.7&lat=", "lat \"\" is not a number"),
        ("lon=2.7", "missing parameter lat"),
        ("lon=200&lat=50.3", "lon 200 is out of range"),
        ("lon=2.7&lat=-91", "lat -91 is out of range"),
        ("lon=NaN&lat=50.3", "lon \"NaN\" is not a number"),
        ("lon=inf&lat=50.3", "is not a number"),
    ] {
        let body = app.get_json(&format!("/api/locate?{query}"), 400).await;
        assert_eq!(body["error"], "bad_request", "{query}");
        assert!(
            body["message"].as_str().unwrap().contains(says),
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn a_point_outside_the_departement_answers_404_json() {
    let app = spawn_app().await;
    // Paris, and the sea off Boulogne.
    for query in ["lon=2.35&lat=48.85", "lon=1.4&lat=50.7"] {
        let body = app.get_json(&format!("/api/locate?{query}"), 404).await;
        assert_eq!(body["error"], "not_found");
    }
}

#[tokio::test]
async fn bad_list_parameters_answer_400_json() {
    let app = spawn_app().await;
    for query in [
        "limit=0",
        "limit=5000",
        "limit=-3",
        "limit=abc",
        "unknown=1",
    ] {
        let body = app.get_json(&format!("/api/communes?{query}"), 400).await;
        assert_eq!(body["error"], "bad_request", "{query}");
    }
}

/// Paths the file system refuses (a NUL byte) are files that do not exist: 404,
/// never 500, for GET and HEAD, at the root, under the scripts and the vendored
/// MapLibre alike.
#[tokio::test]
async fn paths_the_file_system_refuses_answer_404_not_500() {
    let app = spawn_app().await;
    for path in [
        "/%00",
        "/js/%00",
        "/vendor/maplibre-gl/%00",
        "/css/a%00b.css",
    ] {
        for method in [reqwest::Method::HEAD, reqwest::Method::GET] {
            let response = app
                .http
                .request(method.clone(), format!("{}{path}", app.base))
                .send()
                .await
                .expect("request sent");
            assert_eq!(response.status().as_u16(), 404, "{method} {path}");
            if method == reqwest::Method::GET {
                let body: serde_json::Value = response.json().await.expect("JSON body");
                assert_eq!(body["error"], "not_found", "{path}");
            }
        }
    }
}

/// A method a route does not take answers 405 in the JSON shape, with `Allow`.
#[tokio::test]
async fn a_wrong_method_answers_405_json() {
    let app = spawn_app().await;
    for (method, path) in [
        (reqwest::Method::DELETE, "/api/territories"),
        (reqwest::Method::PUT, "/api/editions"),
        (reqwest::Method::POST, "/style.json"),
    ] {
        let response = app
            .http
            .request(method.clone(), format!("{}{path}", app.base))
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status().as_u16(), 405, "{method} {path}");
        assert!(response.headers().contains_key("allow"), "{method} {path}");
        let body: serde_json::Value = response.json().await.expect("JSON body");
        assert_eq!(body["error"], "method_not_allowed", "{method} {path}");
    }
}

/// GET `path` as a browser navigating to it would (`Accept: text/html…`).
async fn browse(app: &crate::helpers::TestApp, path: &str) -> reqwest::Response {
    app.http
        .get(format!("{}{path}", app.base))
        .header(
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .send()
        .await
        .expect("request sent")
}

/// Issue 19, item 10: an unknown page, or a bad fiche link, opened in a browser
/// answers a French HTML page with the right status (the browser's own empty error
/// page or raw JSON before); the API keeps answering JSON, even to a browser.
#[tokio::test]
async fn pages_answer_french_html_errors_and_the_api_json() {
    let app = spawn_app().await;
    for (path, status, says) in [
        ("/nulle-part", 404, "Page introuvable"),
        ("/territoires/XXX", 404, "Page introuvable"),
        ("/epci/123456789", 404, "Page introuvable"),
        ("/territoires/XXX/fiche", 404, "Page introuvable"),
        ("/territoires/XXX/fiche.pdf", 404, "Page introuvable"),
        ("/epci/123456789/fiche.xlsx", 404, "Page introuvable"),
        ("/territoires/ARR/fiche.docx", 404, "Page introuvable"),
        ("/territoires/ARR/fiche?edition=abc", 400, "Lien incorrect"),
    ] {
        let response = browse(&app, path).await;
        assert_eq!(response.status().as_u16(), status, "{path}");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        let body = response.text().await.unwrap();
        assert!(body.contains(says), "{path}: {body}");
        assert!(body.contains(r#"<html lang="fr">"#), "{path}");
        assert!(
            body.contains(r#"href="/""#),
            "{path}: a way back to the map"
        );
        assert!(!body.contains("not found"), "{path}: no English: {body}");
    }
    // Known zones' pages, whatever the case of the code or spaces in a SIREN.
    for path in [
        "/territoires/ARR",
        "/territoires/arr",
        "/epci/200033579",
        "/epci/200%20033%20579",
    ] {
        let response = browse(&app, path).await;
        assert_eq!(response.status().as_u16(), 200, "{path}");
    }
    // The path is shown escaped.
    let body = browse(&app, "/%3Cscript%3E").await.text().await.unwrap();
    assert!(!body.contains("<script>"), "{body}");
    // The API answers JSON whoever asks; a client that does not ask for HTML gets JSON.
    for path in ["/api/nothing/here", "/api/territories/XXX"] {
        let response = browse(&app, path).await;
        assert_eq!(response.status().as_u16(), 404, "{path}");
        let body: serde_json::Value = response.json().await.expect("JSON body");
        assert_eq!(body["error"], "not_found", "{path}");
    }
    let body = app.get_json("/territoires/XXX/fiche.pdf", 404).await;
    assert_eq!(body["error"], "not_found");
}

/// Issue 19, item 10: `/territoires/arr` was « introuvable »: a territory's code is
/// read whatever its case, and the answer gives the code as it is written.
#[tokio::test]
async fn territory_codes_are_case_insensitive() {
    let app = spawn_app().await;
    for code in ["arr", "Arr", "ARR", " arr"] {
        let path = format!("/api/territories/{}", code.replace(' ', "%20"));
        let body = app.get_json(&path, 200).await;
        assert_eq!(body["code"], "ARR", "{code}");
    }
    let body = app.get_json("/api/epci/200%20033%20579", 200).await;
    assert_eq!(body["code"], "200033579");
}

/// Issue 18: requests hyper refuses before our router sees them — a URI over its
/// 64 KiB limit (414), headers over its buffer (431), a request line it cannot parse
/// (400) — answer in the API's JSON shape with a French message, not an empty body.
#[tokio::test]
async fn requests_refused_before_routing_answer_json() {
    let app = spawn_app().await;
    // (The `http` crate refuses such a URI too: written by hand.)
    let long_uri = format!(
        "GET /api/organisations?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(100_000)
    );
    let raw = raw_exchange(&app.base, long_uri.as_bytes()).await;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    assert!(head.starts_with("HTTP/1.1 414 "), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    let body: serde_json::Value = serde_json::from_str(body).expect("JSON body");
    assert_eq!(body["error"], "uri_too_long");
    assert!(
        body["message"].as_str().unwrap().contains("trop longue"),
        "{body}"
    );

    // More headers than hyper reads (100).
    let mut request = reqwest::header::HeaderMap::new();
    for i in 0..150 {
        let name = reqwest::header::HeaderName::from_bytes(format!("x-h{i}").as_bytes()).unwrap();
        request.insert(name, "v".parse().unwrap());
    }
    let response = app
        .http
        .get(format!("{}/api/editions", app.base))
        .headers(request)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status().as_u16(), 431);
    let body: serde_json::Value = response.json().await.expect("JSON body");
    assert_eq!(body["error"], "headers_too_large");

    // A request line hyper cannot parse, written by hand.
    let raw = raw_exchange(&app.base, b"GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(raw.starts_with("HTTP/1.1 400 "), "{raw}");
    assert!(raw.contains("\"error\":\"bad_request\""), "{raw}");

    // Our own answers on the same kind of connection are untouched.
    let raw = raw_exchange(
        &app.base,
        b"GET /api/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(raw.starts_with("HTTP/1.1 404 "), "{raw}");
    assert!(raw.contains("\"error\":\"not_found\""), "{raw}");
}

/// Writes `request` on a new connection to `base` and reads the answer to its end.
async fn raw_exchange(base: &str, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}
