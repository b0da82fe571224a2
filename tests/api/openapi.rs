//! The OpenAPI document (`/api/openapi.json`, issue 21) describes exactly the routes
//! the server has: every documented operation is routed, no other method is routed
//! on a documented path, and no route is added outside the document but the pages
//! listed here.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{repo_path, spawn_app};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Routes that are HTML pages or services of the front end, not the API: the only
/// `.route(…)` / `.nest_service(…)` calls allowed outside `utoipa_axum::routes!`.
const PAGES: [&str; 8] = [
    "/api/{*rest}",
    // The page a contribution's confirmation e-mail links to (HTML, a form).
    "/consultations/confirmer",
    // The same for an organisation's declaration about itself.
    "/structures/confirmer",
    "/connexion",
    "/espace",
    "/territoires/{code}",
    "/epci/{siren}",
    "/vendor/maplibre-gl",
];

fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut set = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                set.insert((method.to_owned(), path.clone()));
            }
        }
    }
    set
}

/// `path` with each `{name}` replaced by its documented example (or `x`).
fn concrete(path: &str, operation: &Value) -> String {
    let mut out = path.to_owned();
    for p in operation["parameters"].as_array().into_iter().flatten() {
        if p["in"] == "path" {
            let name = p["name"].as_str().unwrap();
            let example = match &p["example"] {
                Value::String(s) => s.clone(),
                Value::Null => "x".to_owned(),
                other => other.to_string(),
            };
            out = out.replace(&format!("{{{name}}}"), &example);
        }
    }
    out
}

#[tokio::test]
async fn the_document_is_openapi_3_1_with_the_error_and_figure_shapes() {
    let app = spawn_app().await;
    let doc = app.get_json("/api/openapi.json", 200).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["ErrorBody"]["required"],
        serde_json::json!(["error", "message"])
    );
    let figure = &schemas["Figure"]["properties"];
    assert!(
        figure["secret"].is_object() && figure["restricted"].is_object(),
        "{figure}"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["session"]["in"],
        "cookie"
    );
    // Staff routes say they need the session; public ones do not.
    assert!(doc["paths"]["/api/history"]["get"]["security"].is_array());
    assert!(doc["paths"]["/api/indicators"]["get"]["security"].is_null());
    // Ranges are part of the description.
    let per_page = doc["paths"]["/api/organisations"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "per_page")
        .unwrap()
        .clone();
    assert_eq!(per_page["schema"]["maximum"], 500, "{per_page}");
    // The reference page loads the npm renderer and this document.
    let page = app.get("/api/docs").await.text().await.unwrap();
    assert!(
        page.contains("/vendor/swagger-ui/swagger-ui-bundle.js")
            && page.contains("/api/openapi.json")
    );
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_no_other_method_is() {
    let app = spawn_app().await;
    let doc = app.get_json("/api/openapi.json", 200).await;
    let operations = documented(&doc);
    assert!(operations.len() > 40, "{}", operations.len());
    for (path, item) in doc["paths"].as_object().unwrap() {
        let example = METHODS
            .iter()
            .find_map(|m| item.get(*m))
            .expect("an operation");
        let url = concrete(path, example);
        for method in METHODS {
            let (status, body) = app
                .call(method.to_uppercase().parse().unwrap(), &url, None, None)
                .await;
            let message = body["message"].as_str().unwrap_or_default();
            if operations.contains(&(method.to_owned(), path.clone())) {
                assert_ne!(status, 405, "{method} {url} is documented but not routed");
                assert!(
                    !(status == 404
                        && (message.starts_with("API route") || message.starts_with("page "))),
                    "{method} {url} is documented but not routed: {body}"
                );
            } else {
                assert_eq!(
                    status, 405,
                    "{method} {url} is routed but not documented: {body}"
                );
            }
        }
    }
}

/// Every route added in `src/api/` without `routes!` (which documents it) is one of
/// the pages above: a new API route added with `.route(…)` fails here.
#[test]
fn no_route_is_added_outside_the_document() {
    let mut found = BTreeSet::new();
    let mut files = Vec::new();
    let mut dirs = vec![repo_path("src/api")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 20, "the walk finds src/api's files");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for call in [".route(", ".route_service(", ".nest(", ".nest_service("] {
            for (i, _) in text.match_indices(call) {
                let rest = text[i + call.len()..].trim_start();
                let literal = rest
                    .strip_prefix('"')
                    .and_then(|r| r.split('"').next())
                    .unwrap_or_else(|| {
                        panic!("{}: a route whose path is not a literal", path.display())
                    });
                found.insert(literal.to_owned());
            }
        }
    }
    let allowed: BTreeSet<String> = PAGES
        .iter()
        .map(|p| (*p).to_owned())
        .chain(["/vendor/swagger-ui", "/vendor/jspdf"].map(str::to_owned))
        .collect();
    assert_eq!(found, allowed, "routes outside the OpenAPI document");
    // And the document is the one the code generates.
    let doc = ess_atlas::api::openapi_document();
    assert!(doc.paths.paths.contains_key("/api/openapi.json"));
}

/// Whether `schema` says what the body holds: a reference to a named schema, an
/// object with its properties, a composition, or an array of such.
fn is_typed(schema: &Value) -> bool {
    if schema.get("$ref").is_some() || schema.get("properties").is_some() {
        return true;
    }
    if ["allOf", "oneOf", "anyOf"].iter().any(|k| {
        schema[*k]
            .as_array()
            .is_some_and(|a| a.iter().all(is_typed))
    }) {
        return true;
    }
    schema["type"] == "array" && is_typed(&schema["items"])
}

/// Every successful JSON answer (GeoJSON included) has a schema a client can rely on (issue 21: « every
/// response and error shape »), never a bare `Object`.
#[tokio::test]
async fn every_json_success_has_a_typed_schema() {
    let app = spawn_app().await;
    let doc = app.get_json("/api/openapi.json", 200).await;
    let mut untyped = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            for (status, response) in operation["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    continue;
                }
                for (media_type, media) in response["content"].as_object().into_iter().flatten() {
                    let json = media_type == "application/json" || media_type.ends_with("+json");
                    if json && !is_typed(&media["schema"]) {
                        untyped.push(format!(
                            "{method} {path} {status} {media_type}: {}",
                            media["schema"]
                        ));
                    }
                }
            }
        }
    }
    assert!(
        untyped.is_empty(),
        "{} JSON answers untyped:\n{}",
        untyped.len(),
        untyped.join("\n")
    );
}

/// Every JSON request body has a schema too, never a bare `Object`: a client (and
/// schemathesis) learns the fields.
#[tokio::test]
async fn every_json_request_body_has_a_typed_schema() {
    let app = spawn_app().await;
    let doc = app.get_json("/api/openapi.json", 200).await;
    let mut untyped = Vec::new();
    let mut bodies = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            let content = &item[method]["requestBody"]["content"];
            for (media_type, media) in content.as_object().into_iter().flatten() {
                if media_type == "application/json" {
                    bodies += 1;
                    if !is_typed(&media["schema"]) {
                        untyped.push(format!("{method} {path}: {}", media["schema"]));
                    }
                }
            }
        }
    }
    assert!(bodies > 10, "{bodies} JSON request bodies found");
    assert!(
        untyped.is_empty(),
        "{} JSON request bodies untyped:\n{}",
        untyped.len(),
        untyped.join("\n")
    );
}
