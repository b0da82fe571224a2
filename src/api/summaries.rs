//! Territory and EPCI summaries at stable public URLs (`/territoires/{code}/fiche`,
//! `.pdf`, `.odt`, `.csv`, `.xlsx`, same for `/epci/{siren}`), and the staff routes that
//! generate the departmental compendium in the background.
//!
//! The documents are public: they are built with the public audience whoever asks
//! ([`crate::summary`]), so a staff session never puts an unmasked figure in a file.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Json, Path, Query};
use super::json;
use super::layers::holds_etag;
use super::session::Staff;
use crate::api::AppState;
use crate::summary::cache::{DocumentCache, Rendered};
use crate::summary::{self, ZoneKind, csv::Dialect};

/// The server's state as what building a summary reads.
impl From<&AppState> for summary::Context {
    fn from(state: &AppState) -> Self {
        Self {
            db: state.db.clone(),
            geography: std::sync::Arc::clone(&state.geography),
            cubes: std::sync::Arc::clone(&state.cubes),
            publisher: std::sync::Arc::clone(&state.publisher),
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(territory_document))
        .routes(routes!(epci_document))
        .routes(routes!(start_recueil))
        .routes(routes!(recueil_status))
        .routes(routes!(recueil_pdf))
        .routes(routes!(recueil_odt))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentParams {
    edition: Option<String>,
    /// CSV only: `excel` (default) or `standard`.
    format: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Html,
    Pdf,
    Csv(Dialect),
    Xlsx,
    Odt,
}

fn parse_edition(text: Option<&String>) -> Result<Option<i64>, ApiError> {
    match text.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .map(Some)
            .ok_or_else(|| ApiError::BadRequest(format!("edition {s:?} is not a year"))),
    }
}

fn parse_output(file: &str, format: Option<&str>) -> Result<Output, ApiError> {
    let output = match file {
        "fiche" => Output::Html,
        "fiche.pdf" => Output::Pdf,
        "fiche.xlsx" => Output::Xlsx,
        "fiche.odt" => Output::Odt,
        "fiche.csv" => match format.map(str::trim).filter(|f| !f.is_empty()) {
            None | Some("excel") => Output::Csv(Dialect::FrenchExcel),
            Some("standard") => Output::Csv(Dialect::Standard),
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "format {other:?} must be excel or standard"
                )));
            }
        },
        other => return Err(ApiError::NotFound("document", other.to_owned())),
    };
    if format.is_some() && !matches!(output, Output::Csv(_)) {
        return Err(ApiError::BadRequest(
            "format applies to fiche.csv only".into(),
        ));
    }
    Ok(output)
}

fn with_headers(
    body: impl IntoResponse,
    content_type: &'static str,
    disposition: Option<String>,
) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Shared caches may keep a fiche, revalidating it each time (a staff edit shows
    // at once; an unchanged fiche costs a 304).
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    if let Some(d) = disposition.and_then(|d| HeaderValue::from_str(&d).ok()) {
        headers.insert(header::CONTENT_DISPOSITION, d);
    }
    response
}

/// Seconds a client is asked to wait when every render slot stayed taken.
const RENDER_RETRY_AFTER: i64 = 5;

/// A kept or fresh document as the answer: 304 when the client holds its ETag.
pub(super) fn answer(doc: &Rendered, hit: bool, request: &HeaderMap) -> Response {
    let mut response = if holds_etag(request, &doc.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        with_headers(doc.body.clone(), doc.content_type, doc.disposition.clone())
    };
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&doc.etag) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(
        "x-cache",
        HeaderValue::from_static(if hit { "hit" } else { "miss" }),
    );
    response
}

async fn document(
    state: &AppState,
    kind: ZoneKind,
    code: &str,
    file: &str,
    p: &DocumentParams,
    request: &HeaderMap,
) -> Result<Response, ApiError> {
    let output = parse_output(file, p.format.as_deref())?;
    let year = parse_edition(p.edition.as_ref())?;
    let edition = summary::resolve_edition(&state.into(), year).await?;
    let stamp = DocumentCache::stamp(&state.db).await?;
    // The fiche prints the day it was made: one made yesterday is not served today.
    let today = crate::time::today();
    let key = format!("{kind:?}/{code}/{}/{output:?}/{today}", edition.year);
    if let Some(doc) = state.documents.get(&stamp, &key) {
        return Ok(answer(&doc, true, request));
    }
    let _permit = state
        .documents
        .render_permit()
        .await
        .ok_or(ApiError::Overloaded {
            retry_after: RENDER_RETRY_AFTER,
        })?;
    // Another request may have rendered it while this one waited.
    if let Some(doc) = state.documents.get(&stamp, &key) {
        return Ok(answer(&doc, true, request));
    }
    let mut s = summary::build(&state.into(), kind, code, &edition).await?;
    s.publication = state.publisher.publication(&today);
    let stem = s.file_stem();
    let doc = match output {
        Output::Html => Rendered::new(
            summary::html::render(&s).into_bytes(),
            "text/html; charset=utf-8",
            None,
        ),
        Output::Csv(dialect) => Rendered::new(
            summary::csv::render(&s, dialect)?,
            "text/csv; charset=utf-8",
            Some(format!("attachment; filename=\"{stem}.csv\"")),
        ),
        Output::Xlsx => Rendered::new(
            summary::xlsx::render(&s)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Some(format!("attachment; filename=\"{stem}.xlsx\"")),
        ),
        Output::Odt => Rendered::new(
            tokio::task::spawn_blocking(move || summary::odt::render(&s))
                .await
                .map_err(|e| ApiError::Internal(e.into()))??,
            summary::odt::MEDIA_TYPE,
            Some(format!("attachment; filename=\"{stem}.odt\"")),
        ),
        Output::Pdf => {
            let files = state.publisher.files();
            let pdf = tokio::task::spawn_blocking(move || summary::pdf::render_fiche(&s, &files))
                .await
                .map_err(|e| ApiError::Internal(e.into()))??;
            Rendered::new(
                pdf,
                "application/pdf",
                Some(format!("inline; filename=\"{stem}.pdf\"")),
            )
        }
    };
    let doc = state.documents.insert(&stamp, key, doc);
    Ok(answer(&doc, false, request))
}

/// The summary of a territory (the documents use the public audience).
#[utoipa::path(get, path = "/territoires/{code}/{file}", tag = "documents",
    params(("code" = String, Path, description = "Code du territoire", example = "ARR"),
        ("file" = String, Path, description = "`fiche`, `fiche.pdf`, `fiche.odt`, `fiche.csv` ou `fiche.xlsx`", example = "fiche"),
        ("edition" = Option<i32>, Query, description = "Année de l'édition (la dernière par défaut)", example = 2023),
        ("format" = Option<String>, Query, description = "CSV : `excel` (défaut) ou `standard`")),
    responses((status = 200, description = "La fiche : HTML, PDF, ODT (texte OpenDocument modifiable, styles nommés), CSV ou XLSX selon `file`", content(
            ("text/html"), ("application/pdf"), ("application/vnd.oasis.opendocument.text"), ("text/csv"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 304, description = "Inchangée depuis l'ETag envoyé (If-None-Match)"), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody),
        (status = 404, description = "Zone, fichier ou édition inconnus", body = ErrorBody), (status = 503, description = "Trop de documents en préparation : réessayer après Retry-After secondes", body = ErrorBody)))]
async fn territory_document(
    State(state): State<AppState>,
    Path((code, file)): Path<(String, String)>,
    Query(p): Query<DocumentParams>,
    request: HeaderMap,
) -> Result<Response, ApiError> {
    document(&state, ZoneKind::Territory, &code, &file, &p, &request).await
}

/// The summary of an EPCI (the documents use the public audience).
#[utoipa::path(get, path = "/epci/{siren}/{file}", tag = "documents",
    params(("siren" = String, Path, description = "SIREN de l'EPCI", example = "200033579"),
        ("file" = String, Path, description = "`fiche`, `fiche.pdf`, `fiche.odt`, `fiche.csv` ou `fiche.xlsx`", example = "fiche"),
        ("edition" = Option<i32>, Query, description = "Année de l'édition (la dernière par défaut)", example = 2023),
        ("format" = Option<String>, Query, description = "CSV : `excel` (défaut) ou `standard`")),
    responses((status = 200, description = "La fiche : HTML, PDF, ODT (texte OpenDocument modifiable, styles nommés), CSV ou XLSX selon `file`", content(
            ("text/html"), ("application/pdf"), ("application/vnd.oasis.opendocument.text"), ("text/csv"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 304, description = "Inchangée depuis l'ETag envoyé (If-None-Match)"), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody),
        (status = 404, description = "Zone, fichier ou édition inconnus", body = ErrorBody), (status = 503, description = "Trop de documents en préparation : réessayer après Retry-After secondes", body = ErrorBody)))]
async fn epci_document(
    State(state): State<AppState>,
    Path((siren, file)): Path<(String, String)>,
    Query(p): Query<DocumentParams>,
    request: HeaderMap,
) -> Result<Response, ApiError> {
    document(&state, ZoneKind::Epci, &siren, &file, &p, &request).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RecueilRequest {
    edition: i64,
}

/// `POST /api/recueils {"edition": 2023}`: starts a generation, answers 202 with its id.
#[utoipa::path(post, path = "/api/recueils", tag = "documents", security(("session" = [])),
    request_body(content = RecueilRequest, example = json!({"edition": 2023})),
    responses((status = 202, description = "Génération du recueil départemental lancée : son identifiant", body = summary::recueil::JobStatus), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Édition inconnue", body = ErrorBody), (status = 503, description = "Trop de documents en préparation : réessayer après Retry-After secondes", body = ErrorBody)))]
async fn start_recueil(
    State(state): State<AppState>,
    Staff(user): Staff,
    Json(body): Json<RecueilRequest>,
) -> Result<Response, ApiError> {
    let edition = summary::resolve_edition(&(&state).into(), Some(body.edition)).await?;
    let status = summary::recueil::start((&state).into(), edition, &user.username).await?;
    let mut response = json(&status)?;
    *response.status_mut() = StatusCode::ACCEPTED;
    Ok(response)
}

async fn job(state: &AppState, id: &str) -> Result<summary::recueil::JobStatus, ApiError> {
    summary::recueil::status(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("compendium generation", id.to_owned()))
}

#[utoipa::path(get, path = "/api/recueils/{id}", tag = "documents", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de la génération")),
    responses((status = 200, description = "L'avancement de la génération", body = super::schemas::RecueilStatus), (status = 401, description = "Connexion requise", body = ErrorBody),
        (status = 404, description = "Génération inconnue", body = ErrorBody)))]
async fn recueil_status(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let status = job(&state, &id).await?;
    let mut value = serde_json::to_value(&status).map_err(|e| ApiError::Internal(e.into()))?;
    if status.status == "done" {
        value["download"] = format!("/api/recueils/{id}/recueil.pdf").into();
        value["download_odt"] = format!("/api/recueils/{id}/recueil.odt").into();
    }
    json(&value)
}

#[utoipa::path(get, path = "/api/recueils/{id}/recueil.pdf", tag = "documents", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de la génération")),
    responses((status = 200, description = "Le recueil (PDF)", content_type = "application/pdf", body = Vec<u8>), (status = 401, description = "Connexion requise", body = ErrorBody),
        (status = 404, description = "Génération inconnue", body = ErrorBody),
        (status = 409, description = "Génération pas encore terminée ou en échec", body = ErrorBody)))]
async fn recueil_pdf(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let status = job(&state, &id).await?;
    let pdf = match summary::recueil::pdf(&state.db, &id).await? {
        Some(pdf) if status.status == "done" => pdf,
        _ => {
            return Err(ApiError::Conflict(format!(
                "compendium {id} is {}, not ready",
                status.status
            )));
        }
    };
    let mut response = with_headers(
        pdf,
        "application/pdf",
        Some(format!(
            "attachment; filename=\"recueil-portraits-{}.pdf\"",
            status.edition
        )),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// The compendium as an editable ODT: built at download time from the generation's
/// edition (same figures, portraits and maps as its PDF, which is kept; the ODT is
/// not: it takes a render slot and a few seconds).
#[utoipa::path(get, path = "/api/recueils/{id}/recueil.odt", tag = "documents", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de la génération")),
    responses((status = 200, description = "Le recueil en texte OpenDocument (modifiable, styles nommés)", content_type = "application/vnd.oasis.opendocument.text", body = Vec<u8>), (status = 401, description = "Connexion requise", body = ErrorBody),
        (status = 404, description = "Génération inconnue", body = ErrorBody),
        (status = 409, description = "Génération pas encore terminée ou en échec", body = ErrorBody),
        (status = 503, description = "Trop de documents en préparation : réessayer après Retry-After secondes", body = ErrorBody)))]
async fn recueil_odt(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let status = job(&state, &id).await?;
    if status.status != "done" {
        return Err(ApiError::Conflict(format!(
            "compendium {id} is {}, not ready",
            status.status
        )));
    }
    let ctx: summary::Context = (&state).into();
    let edition = summary::resolve_edition(&ctx, Some(status.edition)).await?;
    let _permit = state
        .documents
        .render_permit()
        .await
        .ok_or(ApiError::Overloaded {
            retry_after: RENDER_RETRY_AFTER,
        })?;
    let data = summary::recueil::build(&ctx, &edition, &|_, _| {}).await?;
    let odt = tokio::task::spawn_blocking(move || summary::odt::render_recueil(&data))
        .await
        .map_err(|e| ApiError::Internal(e.into()))??;
    let mut response = with_headers(
        odt,
        summary::odt::MEDIA_TYPE,
        Some(format!(
            "attachment; filename=\"recueil-portraits-{}.odt\"",
            status.edition
        )),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
