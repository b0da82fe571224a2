//! HTTP: the router, the JSON API, the GeoJSON layers and the web front end.
//!
//! Each area exposes `router()`; this module merges them, serves `web/` for
//! everything else, and adds the layers every response goes through (compression,
//! request tracing). Status codes are chosen in [`error`] only; who is asking is
//! read in [`session`].

pub mod editions;
pub mod error;
pub mod indicators;
pub mod layers;
pub mod organisations;
pub mod palettes;
pub mod plans;
pub mod portraits;
pub mod session;
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

use error::ApiError;

/// Serialises `value` as a JSON response.
pub(crate) fn json<T: Serialize>(value: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}

async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound("API route", uri.path().to_owned())
}

/// The whole application. `web_dir` holds the front end and its `node_modules/`.
pub fn build_router(state: AppState, web_dir: &Path) -> Router {
    let maplibre = web_dir.join("node_modules/maplibre-gl/dist");
    let api = Router::new()
        .merge(zones::router())
        .merge(layers::router())
        .merge(editions::router())
        .merge(organisations::router())
        .merge(palettes::router())
        .merge(indicators::router())
        .merge(session::router())
        .merge(portraits::router())
        .merge(plans::router())
        // Staff reading of subsidies (staff session required by each handler).
        .merge(subsidies::staff_router())
        // Summaries (public documents) and the compendium (staff).
        .merge(summaries::router())
        .route("/api/{*rest}", axum::routing::any(api_not_found));
    // Tiles are merged after the compression and tracing layers: they carry their own
    // precompressed bodies, and a cached tile should cost no more than a lookup.
    Router::new()
        .merge(api)
        // Pages with a path of their own; their scripts read the code from the URL.
        .route_service("/connexion", ServeFile::new(web_dir.join("connexion.html")))
        .route_service("/espace", ServeFile::new(web_dir.join("espace.html")))
        .route_service(
            "/territoires/{code}",
            ServeFile::new(web_dir.join("territoire.html")),
        )
        .route_service("/epci/{siren}", ServeFile::new(web_dir.join("epci.html")))
        .nest_service("/vendor/maplibre-gl", ServeDir::new(maplibre))
        .fallback_service(ServeDir::new(web_dir))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .merge(tiles::router())
        .with_state(state)
}
