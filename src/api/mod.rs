//! HTTP: the router, the JSON API, the GeoJSON layers and the web front end.
//!
//! Each area exposes `router()`; this module merges them, serves `web/` for
//! everything else, and adds the layers every response goes through (compression,
//! request tracing). Status codes are chosen in [`error`] only; who is asking is
//! read in [`session`].

pub mod answers;
pub mod cdess;
pub mod consultations;
pub mod declarations;
pub mod editions;
pub mod embed;
pub mod error;
mod error_page;
pub mod imports;
pub mod indicators;
pub mod layers;
pub mod openapi;
pub mod opendata;
pub mod organisations;
pub mod palettes;
pub mod plans;
pub mod portraits;
pub mod proposals;
pub mod ratelimit;
mod schemas;
pub mod session;
pub mod sirene_imports;
mod state;
pub mod subsidies;
pub mod summaries;
pub mod tiles;
pub mod zones;

pub use state::AppState;

use std::path::Path;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;

use error::ApiError;

/// Serialises `value` as a JSON response.
pub(crate) fn json<T: Serialize>(value: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}

async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound("API route", uri.path().to_owned())
}

/// Every error answers in the API's JSON shape, also those made outside our
/// handlers: a method a route does not take (405), a static file that cannot be
/// opened (`ServeDir` answers 500 for a path the file system refuses, such as one
/// holding a NUL byte: to the client that file does not exist, 404), a body too
/// large (413). Responses that are already JSON are left as they are. A browser
/// asking for a page (not the API) gets a French HTML page instead ([`error_page`]).
async fn json_errors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = request.uri().path().to_owned();
    let html = error_page::wants_html(&path, request.headers());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    // A handler's own French page (the embeddable map's errors) is kept as it is.
    if response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
    {
        return response;
    }
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if html {
        // As below: a static file the file system refuses is, to the reader, a page
        // that does not exist; our handlers' own errors keep their status.
        let status = if !is_json && status.is_server_error() {
            axum::http::StatusCode::NOT_FOUND
        } else {
            status
        };
        return error_page::render(status, &path, response.headers());
    }
    if is_json {
        return response;
    }
    let error = match status {
        axum::http::StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        axum::http::StatusCode::URI_TOO_LONG => ApiError::UriTooLong,
        axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ApiError::HeadersTooLarge,
        axum::http::StatusCode::NOT_FOUND => ApiError::NotFound("page", path),
        s if s.is_server_error() => {
            tracing::warn!(%path, %s, "static file service error, answered 404");
            ApiError::NotFound("page", path)
        }
        _ => ApiError::BadRequest(format!("requête refusée ({status})")),
    };
    let mut fixed = error.into_response();
    // Keep what the original answer said about methods and retries.
    for name in [axum::http::header::ALLOW, axum::http::header::RETRY_AFTER] {
        if let Some(value) = response.headers().get(&name) {
            fixed.headers_mut().insert(name, value.clone());
        }
    }
    fixed
}

/// Every documented route but the tiles: each area's `router()` adds its handlers
/// with `utoipa_axum::routes!`, which also adds them to the OpenAPI document.
#[must_use]
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .merge(zones::router())
        .merge(layers::router())
        .merge(editions::router())
        .merge(organisations::router())
        .merge(palettes::router())
        .merge(indicators::router())
        .merge(session::router())
        .merge(portraits::router())
        .merge(plans::router())
        // Public consultations on the draft plans (contributions without an account).
        .merge(consultations::router())
        // Partners' proposals for the portraits and plans, and their decision.
        .merge(proposals::router())
        // What organisations declare about themselves from their card, and its moderation.
        .merge(declarations::router())
        // The CDESS's proposals for the département's plan (chargés de mission write).
        .merge(cdess::router())
        // Staff reading of subsidies (staff session required by each handler).
        .merge(subsidies::staff_router())
        // Imports of the small files from the browser (chargés de mission).
        .merge(imports::router())
        // The SIRENE stock files already on the server, imported in the background.
        .merge(sirene_imports::router())
        // Summaries (public documents) and the compendium (staff).
        .merge(summaries::router())
        // The open data sets and their download page (public).
        .merge(opendata::router())
        // The embeddable map of one zone (its own framing policy).
        .merge(embed::router())
        // This document and its reference page.
        .merge(openapi::router())
}

/// The OpenAPI document of every route of [`api_routes`] and the tiles.
#[must_use]
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = api_routes().split_for_parts();
    doc.merge(tiles::router().split_for_parts().1);
    openapi::add_common_responses(&mut doc);
    doc
}

/// The whole application. `web_dir` holds the front end and its `node_modules/`.
pub fn build_router(state: AppState, web_dir: &Path) -> Router {
    let maplibre = web_dir.join("node_modules/maplibre-gl/dist");
    let swagger_ui = web_dir.join("node_modules/swagger-ui-dist");
    // jsPDF's browser build, loaded by the map's « Exporter la carte » only when asked.
    let jspdf = web_dir.join("node_modules/jspdf/dist");
    let (api, _) = api_routes().split_for_parts();
    let api = api.route("/api/{*rest}", axum::routing::any(api_not_found));
    // Tiles are merged after the compression and tracing layers: they carry their own
    // precompressed bodies, and a cached tile should cost no more than a lookup.
    Router::new()
        .merge(api)
        .merge(consultations::confirmation_routes())
        .merge(declarations::declaration_confirmation_routes())
        // Pages with a path of their own; their scripts read the code from the URL.
        .route_service("/connexion", ServeFile::new(web_dir.join("connexion.html")))
        .route_service("/espace", ServeFile::new(web_dir.join("espace.html")))
        // A zone's page is served only for a zone that exists: an unknown code is a
        // 404 (a French page for browsers), not a page saying « introuvable » with 200.
        .route(
            "/territoires/{code}",
            zone_page(web_dir.join("territoire.html"), |g, code| {
                g.territory(code)
                    .or_else(|| g.territory(&code.trim().to_uppercase()))
                    .is_some()
            }),
        )
        .route(
            "/epci/{siren}",
            zone_page(web_dir.join("epci.html"), |g, siren| {
                g.epci_by_siren(siren)
                    .or_else(|| g.epci_by_siren(&siren.split_whitespace().collect::<String>()))
                    .is_some()
            }),
        )
        .nest_service("/vendor/maplibre-gl", ServeDir::new(maplibre))
        .nest_service("/vendor/swagger-ui", ServeDir::new(swagger_ui))
        .nest_service("/vendor/jspdf", ServeDir::new(jspdf))
        .fallback_service(ServeDir::new(web_dir))
        // Per-address budgets (public API, documents); the tiles, merged below, are not
        // counted.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ratelimit::limit,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .merge(tiles::router().split_for_parts().0)
        // Outermost: also the tile routes' errors (a cached tile never gets here:
        // `FastTiles` answers it before the router).
        .layer(axum::middleware::from_fn(json_errors))
        .with_state(state)
}

/// The route of a zone's page: `page` when `known(geography, code)`, else 404.
fn zone_page(
    page: std::path::PathBuf,
    known: fn(&crate::geography::Geography, &str) -> bool,
) -> axum::routing::MethodRouter<AppState> {
    axum::routing::get(
        move |axum::extract::State(state): axum::extract::State<AppState>,
              axum::extract::Path(code): axum::extract::Path<String>,
              request: axum::extract::Request| {
            let page = page.clone();
            async move {
                if !known(&state.geography, &code) {
                    return ApiError::NotFound("zone", code).into_response();
                }
                match tower::ServiceExt::oneshot(ServeFile::new(page), request).await {
                    Ok(response) => response.into_response(),
                    Err(e) => ApiError::Internal(e.into()).into_response(),
                }
            }
        },
    )
}
