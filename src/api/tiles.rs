//! `/tiles/{layer}/{z}/{x}/{y}.mvt`, `/tiles/{layer}.json` (TileJSON 3.0) and
//! `/style.json` (MapLibre style v8).
//!
//! Tiles: gzip when accepted (compressed once, kept in the cache), strong ETag and
//! `304`, `204` for a tile without features, `400` for an address out of range and
//! `404` for an unknown layer or edition. URLs carry a version token (`v`, given by
//! the TileJSON): a tile requested with the current token is immutable and cached a
//! week by clients; without it, clients revalidate. This router is merged outside
//! the compression and tracing layers: a cached tile is answered with no work beyond
//! a cache lookup.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::Router;
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::{ApiError, Path, Query};
use super::layers::{accepts_gzip, holds_etag};
use crate::api::AppState;
use crate::ess::perimeter::Family;
use crate::tiles::{TileBody, TileError, TileId, TileLayer, TileService, style};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tile))
        .routes(routes!(tilejson))
        .routes(routes!(style_document))
}

impl From<TileError> for ApiError {
    fn from(e: TileError) -> Self {
        match e {
            TileError::OutOfRange(m) => Self::BadRequest(m),
            TileError::UnknownLayer(l) => Self::NotFound("tile layer", l),
            TileError::UnknownEdition(y) => Self::NotFound("edition", y.to_string()),
            TileError::NoEdition => Self::NotFound("edition", "(none imported)".into()),
            TileError::Db(e) => Self::Internal(e.into()),
            TileError::Task(m) => Self::Internal(anyhow::anyhow!(m)),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct TileParams {
    /// Organisations: the edition (default: the latest).
    edition: Option<i64>,
    /// Organisations: one legal family.
    family: Option<String>,
    /// Version token from the TileJSON.
    v: Option<String>,
}

fn parse_family(family: Option<&str>) -> Result<Option<Family>, ApiError> {
    family
        .map(|f| {
            Family::from_id(f).ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "unknown family {f}: expected association, cooperative, mutuelle, fondation or societe_commerciale_ess"
                ))
            })
        })
        .transpose()
}

fn number(what: &str, s: &str) -> Result<u64, ApiError> {
    s.parse::<u64>().map_err(|_| {
        ApiError::BadRequest(format!("{what} must be a non-negative integer, got {s}"))
    })
}

/// The layer and tile of `/tiles/{layer}/{z}/{x}/{y}.mvt`: the one parser of tile
/// addresses, used by the router and by [`FastTiles`] alike.
fn parse_tile_path(
    layer: &str,
    z: &str,
    x: &str,
    y: &str,
) -> Result<(TileLayer, TileId), ApiError> {
    let layer = TileLayer::parse(layer)?;
    let Some(y) = y.strip_suffix(".mvt") else {
        return Err(ApiError::NotFound("tile format", y.to_owned()));
    };
    let t = TileId::new(number("z", z)?, number("x", x)?, number("y", y)?)?;
    Ok((layer, t))
}

/// The tile a request path addresses, if it is a plain tile path (no query string,
/// no percent-encoding to undo): what [`FastTiles`] may answer from the cache. Any
/// other path goes to the router, which decodes it and answers errors.
fn plain_tile_path(path: &str) -> Option<(TileLayer, TileId)> {
    let mut parts = path.strip_prefix("/tiles/")?.split('/');
    let (layer, z, x, y) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || path.contains('%') {
        return None;
    }
    parse_tile_path(layer, z, x, y).ok()
}

/// A vector tile (MVT, gzip).
#[utoipa::path(get, path = "/tiles/{layer}/{z}/{x}/{y}", tag = "cartes",
    params(("layer" = String, Path, description = "`communes`, `epci`, `territories` ou `organisations`", example = "communes"),
        ("z" = u32, Path, description = "Niveau de zoom", minimum = 0, maximum = 16, example = 9),
        ("x" = u32, Path, description = "Colonne", example = 261),
        ("y" = String, Path, description = "Ligne, suivie de `.pbf` ou `.mvt`", example = "169.pbf")),
    responses((status = 200, description = "La tuile vectorielle", content_type = "application/vnd.mapbox-vector-tile", body = Vec<u8>),
        (status = 204, description = "Tuile vide"),
        (status = 304, description = "Inchangée depuis l'ETag envoyé"), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody),
        (status = 404, description = "Couche ou tuile hors du département", body = ErrorBody)))]
async fn tile(
    State(state): State<AppState>,
    Path((layer, z, x, y)): Path<(String, String, String, String)>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // Most tile requests carry no query string: skip the parser then.
    let params = if uri.query().is_some() {
        axum::extract::Query::<TileParams>::try_from_uri(&uri)?.0
    } else {
        TileParams::default()
    };
    let (layer, t) = parse_tile_path(&layer, &z, &x, &y)?;
    let (edition, family) = if layer == TileLayer::Organisations {
        // A version token this instance does not know: another instance behind the
        // same load balancer noticed an import first. Re-read the editions now rather
        // than serve the previous data under the new token.
        if params
            .v
            .as_deref()
            .is_some_and(|v| !state.tiles.is_current(layer, v))
        {
            state.tiles.refresh(&state.db).await?;
        }
        (
            state
                .tiles
                .resolve_edition(&state.db, params.edition)
                .await?,
            parse_family(params.family.as_deref())?,
        )
    } else {
        if params.edition.is_some() || params.family.is_some() {
            return Err(ApiError::BadRequest(format!(
                "edition and family apply to the organisations layer, not to {}",
                layer.name()
            )));
        }
        (0, None)
    };
    let body = state
        .tiles
        .tile(&state.db, layer, edition, family, t)
        .await?;
    let current = params
        .v
        .as_deref()
        .is_some_and(|v| state.tiles.is_current(layer, v));
    Ok(tile_response(&body, current, &headers))
}

/// The response for `body`: 204 when empty, 304 when the client holds it, else the
/// tile, gzip-encoded when accepted. `current`: requested with the current version
/// token, so immutable.
fn tile_response(body: &TileBody, current: bool, headers: &HeaderMap) -> Response {
    let cache_control = HeaderValue::from_static(if current {
        "public, max-age=604800, immutable"
    } else {
        "public, no-cache"
    });
    if body.raw.is_empty() {
        return (
            StatusCode::NO_CONTENT,
            [(header::CACHE_CONTROL, cache_control)],
        )
            .into_response();
    }
    let not_modified = holds_etag(headers, &body.etag);
    let common = [
        (header::ETAG, body.etag_header.clone()),
        (header::CACHE_CONTROL, cache_control),
        (header::VARY, HeaderValue::from_static("Accept-Encoding")),
    ];
    if not_modified {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    let content_type = (
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.mapbox-vector-tile"),
    );
    if accepts_gzip(headers) {
        (
            common,
            [
                content_type,
                (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
            ],
            body.gzip().clone(),
        )
            .into_response()
    } else {
        (common, [content_type], body.raw.clone()).into_response()
    }
}

/// The application with a fast path for cached tiles in front of its router.
///
/// A cached boundary tile requested without a query string is answered before
/// routing: no route matching, path parameters or extractors, which are most of what
/// such a request costs in the framework. Anything else (a miss, organisations, a
/// query, an unusual path) goes to the router, which answers the same way.
#[derive(Clone)]
pub struct FastTiles {
    tiles: Arc<TileService>,
    inner: Router,
}

impl FastTiles {
    #[must_use]
    pub fn new(tiles: Arc<TileService>, inner: Router) -> Self {
        Self { tiles, inner }
    }

    fn cached(&self, req: &Request) -> Option<Response> {
        if req.method() != Method::GET || req.uri().query().is_some() {
            return None;
        }
        let (layer, t) = plain_tile_path(req.uri().path())?;
        let body = self.tiles.cached_boundary(layer, t)?;
        Some(tile_response(&body, false, req.headers()))
    }
}

impl tower::Service<Request> for FastTiles {
    type Response = Response;
    type Error = Infallible;
    type Future = FastFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match self.cached(&req) {
            Some(response) => FastFuture::Ready(Some(response)),
            None => FastFuture::Routed(tower::ServiceExt::oneshot(self.inner.clone(), req)),
        }
    }
}

/// The future of [`FastTiles`]: a ready response, or the router's.
pub enum FastFuture {
    Ready(Option<Response>),
    Routed(tower::util::Oneshot<Router, Request>),
}

impl std::future::Future for FastFuture {
    type Output = Result<Response, Infallible>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Self::Ready(response) => Poll::Ready(Ok(response.take().unwrap_or_default())),
            Self::Routed(future) => std::pin::Pin::new(future).poll(cx),
        }
    }
}

/// `scheme://host` of the request, as the client reached us (behind a proxy,
/// `X-Forwarded-Proto` and `X-Forwarded-Host` win).
fn origin(headers: &HeaderMap) -> String {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or_default().trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let host = get("x-forwarded-host")
        .or_else(|| get("host"))
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let scheme = match get("x-forwarded-proto").as_deref() {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

/// The TileJSON of a layer.
#[utoipa::path(get, path = "/tiles/{file}", tag = "cartes",
    params(("file" = String, Path, description = "`communes.json`, `epci.json`, `territories.json` ou `organisations.json`", example = "communes.json"),
        ("edition" = Option<i32>, Query, description = "Organisations : année de l'édition", example = 2023),
        ("family" = Option<String>, Query, description = "Organisations : une famille", example = "association"),
        ("v" = Option<String>, Query, description = "Jeton de version")),
    responses((status = 200, description = "Le TileJSON", body = super::schemas::TileJson), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody),
        (status = 404, description = "Couche ou édition inconnue", body = ErrorBody)))]
async fn tilejson(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<TileParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(name) = file.strip_suffix(".json") else {
        return Err(ApiError::NotFound("tile document", file));
    };
    let layer = TileLayer::parse(name)?;
    let mut query = vec![format!("v={}", state.tiles.version(layer))];
    let mut demo = false;
    if layer == TileLayer::Organisations {
        if let Some(f) = parse_family(params.family.as_deref())? {
            query.push(format!("family={}", f.id()));
        }
        // Resolved now so that the URL names the edition: the latest may change.
        match state.tiles.resolve_edition(&state.db, params.edition).await {
            Ok(year) => {
                query.push(format!("edition={year}"));
                demo = state.db.edition(year).await?.is_some_and(|e| e.demo);
            }
            Err(TileError::NoEdition) => {}
            Err(e) => return Err(e.into()),
        }
    } else if params.edition.is_some() || params.family.is_some() {
        return Err(ApiError::BadRequest(format!(
            "edition and family apply to the organisations layer, not to {}",
            layer.name()
        )));
    }
    let doc = style::tilejson(
        &state.geography,
        layer,
        state.tiles.min_zoom(layer),
        &origin(&headers),
        &query.join("&"),
        demo,
    );
    let mut response = super::json(&doc)?;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    Ok(response)
}

/// The MapLibre style (v8) of the atlas map.
#[utoipa::path(get, path = "/style.json", tag = "cartes",
    responses((status = 200, description = "Le style MapLibre", body = super::schemas::MapStyle)))]
async fn style_document(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let doc = style::style(
        &state.geography,
        &origin(&headers),
        state.tiles.min_zoom(TileLayer::Communes),
    );
    let mut response = super::json(&doc)?;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path answers only addresses the router would parse the same way.
    #[test]
    fn the_fast_path_and_the_router_read_tile_addresses_alike() {
        for path in [
            "/tiles/communes/10/519/345.mvt",
            "/tiles/epci/0/0/0.mvt",
            "/tiles/territories/7/64/43.mvt",
            "/tiles/communes/23/0/0.mvt",
            "/tiles/communes/3/8/0.mvt",
            "/tiles/communes/-1/0/0.mvt",
            "/tiles/communes/10/519/345.pbf",
            "/tiles/communes/10/519/345",
            "/tiles/nope/1/0/0.mvt",
            "/tiles/communes/1/0/0.mvt/extra",
            "/tiles/communes/1/0",
            "/tiles/communes/1%30/0/0.mvt",
            "/tiles/communes/+1/0/0.mvt",
            "/tiles/communes/01/0/0.mvt",
        ] {
            let segments: Vec<&str> = path.trim_start_matches("/tiles/").split('/').collect();
            let routed = match segments.as_slice() {
                [layer, z, x, y] => parse_tile_path(layer, z, x, y).ok(),
                _ => None,
            };
            match plain_tile_path(path) {
                Some(fast) => assert_eq!(Some(fast), routed, "{path}"),
                None => assert!(
                    routed.is_none() || path.contains('%'),
                    "{path}: the router serves it, the fast path should too"
                ),
            }
        }
        assert!(plain_tile_path("/tiles/communes/10/519/345.mvt").is_some());
    }
}
