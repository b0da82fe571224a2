//! HTTP: the router, the JSON API, the GeoJSON layers and the web front end.
//!
//! Each area exposes `router()`; this module merges them, serves `web/` for
//! everything else, and adds the layers every response goes through (compression,
//! request tracing). Status codes are chosen in [`error`] only.

pub mod error;
pub mod indicators;
pub mod layers;
pub mod organisations;
pub mod subsidies;
pub mod tiles;
pub mod zones;

use std::path::Path;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::state::AppState;
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
        .merge(organisations::router())
        .merge(indicators::router())
        // Staff reading of subsidies: the auth layer goes on this router.
        .merge(subsidies::staff_router())
        .route("/api/{*rest}", axum::routing::any(api_not_found));
    // Tiles are merged after the compression and tracing layers: they carry their own
    // precompressed bodies, and a cached tile should cost no more than a lookup.
    Router::new()
        .merge(api)
        .nest_service("/vendor/maplibre-gl", ServeDir::new(maplibre))
        .fallback_service(ServeDir::new(web_dir))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .merge(tiles::router())
        .with_state(state)
}
