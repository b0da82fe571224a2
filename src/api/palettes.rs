//! `/api/palettes`: the colours of the ESS families and of the territories, from
//! [`crate::ess::palette`], so that the web map keeps no copy of them (its legend, dots,
//! chips and territory fills all read this answer).

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::error::ApiError;
use crate::api::AppState;
use crate::ess::palette;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/palettes", get(palettes))
}

async fn palettes(State(state): State<AppState>) -> Result<Response, ApiError> {
    let codes = state
        .geography
        .territories
        .iter()
        .map(|t| t.zone.code.as_str());
    super::json(&palette::palettes(codes))
}
