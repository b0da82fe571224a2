//! Public answers kept prepared: serialised and compressed once per (query, data
//! stamp) and served with a strong ETag, as the tiles are; staff answers (unmasked
//! figures) are never kept and are marked private.

use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::Response;

use crate::api::AppState;
use crate::api::error::ApiError;
use crate::api::json;
use crate::api::layers::prepared_response;
use crate::db::Edition;
use crate::indicators::Audience;
use crate::indicators::cube::Cube;
use crate::tiles::prepared::PreparedBody;

/// Staff (every role) read unmasked figures, each marked `restricted`; the public
/// never does.
pub(super) fn audience_of(viewer: &crate::api::session::Viewer) -> Audience {
    if viewer.is_staff() {
        Audience::Restricted
    } else {
        Audience::Public
    }
}

/// Unmasked answers must not be stored by a shared cache.
fn private_if_restricted(
    audience: Audience,
    response: Result<Response, ApiError>,
) -> Result<Response, ApiError> {
    let mut response = response?;
    if audience == Audience::Restricted {
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    Ok(response)
}

/// The cache key of a public answer: its path and query, and every edition's import
/// stamp (a re-import or a new edition changes the figures, the series and which
/// edition is the latest). One light read of the editions, no cube.
async fn answer_key(state: &AppState, uri: &Uri) -> Result<String, ApiError> {
    let stamp = state.db.editions_stamp().await?;
    Ok(format!(
        "{}?{}|{stamp}",
        uri.path(),
        uri.query().unwrap_or_default()
    ))
}

/// A kept public answer, or the key to keep one under (`None` for staff).
pub(super) enum Kept {
    Answer(Response),
    Key(Option<String>),
}

pub(super) async fn kept_answer(
    state: &AppState,
    audience: Audience,
    uri: &Uri,
    request: &HeaderMap,
) -> Result<Kept, ApiError> {
    if audience != Audience::Public {
        return Ok(Kept::Key(None));
    }
    let key = answer_key(state, uri).await?;
    Ok(match state.answers.get(&key) {
        Some(body) => Kept::Answer(prepared_json(&body, true, request)),
        None => Kept::Key(Some(key)),
    })
}

/// A prepared public answer: gzip when accepted, 304 on a held ETag.
fn prepared_json(body: &PreparedBody, hit: bool, request: &HeaderMap) -> Response {
    let mut response = prepared_response(body, request, "application/json");
    response.headers_mut().insert(
        "x-cache",
        HeaderValue::from_static(if hit { "hit" } else { "miss" }),
    );
    response
}

/// Answers `value`: prepared and kept under `key` for the public, as a private
/// answer for staff.
pub(super) fn respond(
    state: &AppState,
    audience: Audience,
    key: Option<String>,
    request: &HeaderMap,
    value: &serde_json::Value,
) -> Result<Response, ApiError> {
    match key {
        Some(key) if audience == Audience::Public => {
            let raw = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))?;
            let body = state.answers.insert(key, PreparedBody::new(raw));
            Ok(prepared_json(&body, false, request))
        }
        _ => private_if_restricted(audience, json(value)),
    }
}

pub(super) async fn cube_for(
    state: &AppState,
    edition: &Edition,
) -> Result<std::sync::Arc<Cube>, ApiError> {
    Ok(state
        .cubes
        .get(&state.db, &state.geography, edition)
        .await?)
}
