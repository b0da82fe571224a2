//! Staff reading of the Département's subsidies of an edition: the import report
//! with lines and euros per status and match method, and the beneficiaries not
//! counted as ESS (unmatched, or matched to a non-ESS organisation), each with its
//! status in French (`status_label`) and why it is not counted (`reason`).
//!
//! These routes, grouped in [`staff_router`], need a staff session (any role). They show only
//! what the Département's public SCDL file says, plus the status and method of the
//! match: never registry details of an establishment. The subsidy indicators are in
//! [`super::indicators`], with the other figures.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Path, Query};
use super::json;
use crate::api::AppState;
use crate::db::Edition;

/// The staff routes on subsidies (each handler takes the [`super::session::Staff`] extractor).
pub fn staff_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report))
        .routes(routes!(unmatched))
}

async fn edition_of(state: &AppState, year: &str) -> Result<Edition, ApiError> {
    let year: i64 = year
        .trim()
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("edition {year:?} is not a year")))?;
    state
        .db
        .edition(year)
        .await?
        .ok_or_else(|| ApiError::NotFound("edition", year.to_string()))
}

/// The subsidies import report of an edition and its tallies (staff only).
#[utoipa::path(get, path = "/api/editions/{year}/subsidies/report", tag = "éditions", security(("session" = [])),
    params(("year" = String, Path, description = "Année de l'édition", example = "2023")),
    responses((status = 200, description = "Le rapport d'import des subventions et ses totaux", body = super::schemas::SubsidiesReport),
        (status = 400, description = "Année invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody),
        (status = 404, description = "Édition inconnue, ou sans import de subventions", body = ErrorBody)))]
async fn report(
    State(state): State<AppState>,
    _staff: super::session::Staff,
    Path(year): Path<String>,
) -> Result<Response, ApiError> {
    let edition = edition_of(&state, &year).await?;
    let report = state
        .db
        .import_reports(edition.year)
        .await?
        .into_iter()
        .find(|r| r.report.kind == "subventions")
        .ok_or_else(|| {
            ApiError::NotFound("subsidies import of edition", edition.year.to_string())
        })?;
    json(&serde_json::json!({
        "edition": edition.year,
        "demo": edition.demo,
        "report": report,
        "tallies": state.db.subsidy_tallies(edition.year).await?,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnmatchedParams {
    /// `unmatched`, `non_ess`, or empty for both.
    status: Option<String>,
}

/// The subsidy lines not counted as ESS (staff only).
#[utoipa::path(get, path = "/api/editions/{year}/subsidies/unmatched", tag = "éditions", security(("session" = [])),
    params(("year" = String, Path, description = "Année de l'édition", example = "2023"),
        ("status" = Option<String>, Query, description = "`unmatched` (bénéficiaire introuvable) ou `non_ess` ; les deux par défaut", example = "unmatched")),
    responses((status = 200, description = "Les lignes non comptées dans l'ESS, avec leur motif", body = super::schemas::UnmatchedAnswer,
        example = json!({"edition": 2023, "demo": true, "count": 1, "granted": 1500.0, "items": [{"beneficiary": "Association des amis du beffroi", "status": "unmatched", "status_label": "bénéficiaire introuvable", "reason": "ni SIRET, ni SIREN, ni RNA retrouvé dans le registre"}]})),
        (status = 400, description = "Année ou statut invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 404, description = "Édition inconnue", body = ErrorBody)))]
async fn unmatched(
    State(state): State<AppState>,
    _staff: super::session::Staff,
    Path(year): Path<String>,
    Query(p): Query<UnmatchedParams>,
) -> Result<Response, ApiError> {
    let edition = edition_of(&state, &year).await?;
    let statuses: &[&str] = match p.status.as_deref().map(str::trim) {
        None | Some("") => &["unmatched", "non_ess"],
        Some("unmatched") => &["unmatched"],
        Some("non_ess") => &["non_ess"],
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "status {other:?} must be unmatched or non_ess"
            )));
        }
    };
    let lines = state.db.subsidy_lines(edition.year, statuses).await?;
    let granted: f64 = lines.iter().map(|l| l.granted).sum();
    // Each line with its status in French and why it is not counted as ESS.
    let items: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| -> Result<serde_json::Value, ApiError> {
            let mut item = serde_json::to_value(l).map_err(|e| ApiError::Internal(e.into()))?;
            if let Some(fields) = item.as_object_mut() {
                fields.insert(
                    "status_label".into(),
                    super::imports::status_label(&l.status).into(),
                );
                fields.insert(
                    "reason".into(),
                    super::imports::not_counted_reason(&l.status, l.note.as_deref()).into(),
                );
            }
            Ok(item)
        })
        .collect::<Result<_, ApiError>>()?;
    json(&serde_json::json!({
        "edition": edition.year,
        "demo": edition.demo,
        "count": items.len(),
        "granted": crate::records::subsidies::cents(granted),
        "items": items,
    }))
}
