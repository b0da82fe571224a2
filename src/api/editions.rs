//! `/api/editions` (every edition with its establishment count) and
//! `/api/editions/{year}/reports` (import reports, staff only); and how every route
//! resolves the edition a request asks for.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Path};
use super::json;
use crate::api::AppState;
use crate::db::Edition;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(editions))
        .routes(routes!(reports))
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

/// An edition with its establishment count.
#[derive(Serialize, utoipa::ToSchema)]
struct EditionItem {
    #[serde(flatten)]
    edition: Edition,
    establishments: i64,
}

/// Every imported edition with its establishment count.
#[utoipa::path(get, path = "/api/editions", tag = "éditions",
    responses((status = 200, description = "Les éditions (`items`), la plus ancienne d'abord", body = super::zones::Items<EditionItem>,
        example = json!({"items": [{"year": 2023, "demo": true, "establishments": 5210}]}))))]
async fn editions(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut items = Vec::new();
    for e in state.db.editions().await? {
        let establishments = state.db.establishment_count(e.year).await?;
        items.push(EditionItem {
            edition: e,
            establishments,
        });
    }
    json(&super::zones::Items { items })
}

/// Import reports name files and rejected rows: staff only.
/// The import reports of an edition (staff only).
#[utoipa::path(get, path = "/api/editions/{year}/reports", tag = "éditions", security(("session" = [])),
    params(("year" = i32, Path, description = "Année de l'édition", example = 2023)),
    responses((status = 200, description = "Les rapports d'import (`items`)", body = super::zones::Items<crate::db::StoredReport>),
        (status = 400, description = "Année invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 404, description = "Édition inconnue", body = ErrorBody)))]
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
