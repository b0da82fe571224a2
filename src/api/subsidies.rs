//! Staff reading of the Département's subsidies of an edition: the import report
//! with lines and euros per status and match method, and the beneficiaries not
//! counted as ESS (unmatched, or matched to a non-ESS organisation), each with its
//! status in French (`status_label`) and why it is not counted (`reason`).
//!
//! These routes, grouped in [`staff_router`], need a staff session (any role). They show only
//! what the Département's public SCDL file says, plus the status and method of the
//! match: never registry details of an establishment. The subsidy indicators are in
//! [`super::indicators`], with the other figures.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::error::{ApiError, Path, Query};
use super::json;
use crate::api::AppState;
use crate::db::Edition;

/// The staff routes on subsidies (each handler takes the [`super::session::Staff`] extractor).
pub fn staff_router() -> Router<AppState> {
    Router::new()
        .route("/api/editions/{year}/subsidies/report", get(report))
        .route("/api/editions/{year}/subsidies/unmatched", get(unmatched))
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
