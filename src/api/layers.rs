//! `/api/layers/{territories|epci|communes}.geojson`: the prepared GeoJSON layers,
//! gzip when the client accepts it, `ETag` and `304 Not Modified`.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Path};
use crate::api::AppState;
use crate::tiles::prepared::PreparedBody;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(layer))
}

/// A prepared GeoJSON layer (gzip when accepted, `ETag`, 304).
#[utoipa::path(get, path = "/api/layers/{file}", tag = "cartes",
    params(("file" = String, Path, description = "La couche", example = "epci.geojson",
        pattern = "^(territories|epci|communes)\\.geojson$")),
    responses((status = 200, description = "La couche GeoJSON (FeatureCollection, WGS84)", content_type = "application/geo+json", body = super::schemas::FeatureCollection),
        (status = 304, description = "Inchangée depuis l'ETag envoyé (If-None-Match)"),
        (status = 404, description = "Couche inconnue", body = ErrorBody)))]
async fn layer(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let body = match file.as_str() {
        "territories.geojson" => &state.layers.territories,
        "epci.geojson" => &state.layers.epci,
        "communes.geojson" => &state.layers.communes,
        _ => return Err(ApiError::NotFound("layer", file)),
    };
    Ok(prepared_response(body, &headers, "application/geo+json"))
}

/// Whether the request's `Accept-Encoding` allows gzip (q-values of 0 refuse it).
pub(crate) fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

/// Whether the request's `If-None-Match` names `etag` (or `*`).
pub(crate) fn holds_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == etag
        })
}

/// Answers a prepared body: 304 when the client holds the same ETag, else the body,
/// gzip-encoded when accepted.
pub fn prepared_response(
    body: &PreparedBody,
    headers: &HeaderMap,
    content_type: &'static str,
) -> Response {
    let etag = HeaderValue::from_str(&body.etag).unwrap_or(HeaderValue::from_static("\"\""));
    let common = [
        (header::ETAG, etag),
        (header::VARY, HeaderValue::from_static("Accept-Encoding")),
        // Revalidate every time: the geography can change at the next start.
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, no-cache"),
        ),
    ];
    if holds_etag(headers, &body.etag) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    let content_type = (header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if accepts_gzip(headers) {
        (
            common,
            [
                content_type,
                (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
            ],
            body.gzip.clone(),
        )
            .into_response()
    } else {
        (common, [content_type], body.raw()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn gzip_is_accepted_unless_refused_with_q_zero() {
        assert!(accepts_gzip(&with("gzip, deflate, br")));
        assert!(accepts_gzip(&with("br;q=1.0, gzip;q=0.8")));
        assert!(accepts_gzip(&with("*")));
        assert!(!accepts_gzip(&with("gzip;q=0")));
        assert!(!accepts_gzip(&with("br")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
