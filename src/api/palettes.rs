//! `/api/palettes`: the colours of the ESS families and of the territories, from
//! [`crate::ess::palette`], so that the web map keeps no copy of them (its legend, dots,
//! chips and territory fills all read this answer).

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ApiError;
use crate::api::AppState;
use crate::ess::palette;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(palettes))
}

/// The colours of the ESS families and the territories.
#[utoipa::path(get, path = "/api/palettes", tag = "cartes",
    responses((status = 200, description = "Les couleurs des familles de l'ESS et des territoires", body = crate::ess::palette::Palettes)))]
async fn palettes(State(state): State<AppState>) -> Result<Response, ApiError> {
    let codes = state
        .geography
        .territories
        .iter()
        .map(|t| t.zone.code.as_str());
    super::json(&palette::palettes(codes))
}
