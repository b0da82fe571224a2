//! `/api/editions` (every edition with its establishment count) and
//! `/api/editions/{year}/reports` (import reports, staff only); and how every route
//! resolves the edition a request asks for.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;

use super::error::{ApiError, Path};
use super::json;
use crate::api::AppState;
use crate::db::Edition;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/editions", get(editions))
        .route("/api/editions/{year}/reports", get(reports))
}

/// The edition asked for, or the latest one.
pub async fn resolve_edition(state: &AppState, asked: Option<i64>) -> Result<Edition, ApiError> {
    state
        .db
        .edition_or_latest(asked)
        .await?
        .ok_or_else(|| match asked {
            Some(year) => ApiError::NotFound("edition", year.to_string()),
            None => ApiError::NotFound("edition", "(none imported yet)".into()),
        })
}

async fn editions(State(state): State<AppState>) -> Result<Response, ApiError> {
    #[derive(Serialize)]
    struct Item {
        #[serde(flatten)]
        edition: Edition,
        establishments: i64,
    }
    let mut items = Vec::new();
    for e in state.db.editions().await? {
        let establishments = state.db.establishment_count(e.year).await?;
        items.push(Item {
            edition: e,
            establishments,
        });
    }
    json(&super::zones::Items { items })
}

/// Import reports name files and rejected rows: staff only.
async fn reports(
    State(state): State<AppState>,
    _staff: super::session::Staff,
    Path(year): Path<String>,
) -> Result<Response, ApiError> {
    let year: i64 = year
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("edition {year:?} is not a year")))?;
    if state.db.edition(year).await?.is_none() {
        return Err(ApiError::NotFound("edition", year.to_string()));
    }
    json(&super::zones::Items {
        items: state.db.import_reports(year).await?,
    })
}
