//! Orientations and actions (the action plans) over HTTP, with the same rules as
//! portraits (`portraits.rs`): the public sees what belongs to a published portrait;
//! writing needs a session, the role and the territory; every write is recorded in the
//! history by `db` in the same transaction.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{ApiError, Json, Path, Query};
use super::json;
use super::portraits::{
    ActionView, OrientationWithActions, action_view, actor, parse_edition, parse_id, require_edit,
    require_edition,
};
use super::session::{Staff, Viewer};
use crate::api::AppState;
use crate::auth::StaffUser;
use crate::db::{ActionFields, ActionRow, OrientationFields, OrientationRow, PlanFilter};
use crate::portraits;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/orientations",
            get(list_orientations).post(create_orientation),
        )
        .route(
            "/api/orientations/{id}",
            get(get_orientation)
                .patch(patch_orientation)
                .delete(delete_orientation),
        )
        .route("/api/actions", get(list_actions).post(create_action))
        .route(
            "/api/actions/{id}",
            get(get_action).patch(patch_action).delete(delete_action),
        )
}

#[derive(Deserialize)]
struct PlanQuery {
    territory: Option<String>,
    edition: Option<String>,
    orientation: Option<String>,
    epci: Option<String>,
    /// `true`: what the public sees, even for staff (the map's panel).
    published: Option<bool>,
}

fn plan_filter(q: PlanQuery, viewer: &Viewer) -> Result<PlanFilter, ApiError> {
    Ok(PlanFilter {
        territory: q.territory,
        edition: q.edition.as_deref().map(parse_edition).transpose()?,
        orientation: q
            .orientation
            .as_deref()
            .map(|o| parse_id("orientation", o))
            .transpose()?,
        epci: q.epci,
        published_only: !viewer.is_staff() || q.published == Some(true),
    })
}

/// Applies a JSON merge of `patch` (an object) onto `current`, then reads the result:
/// unknown fields and wrong types are refused with a 400.
fn merge<T: Serialize + serde::de::DeserializeOwned>(
    current: &T,
    patch: Value,
) -> Result<T, ApiError> {
    let Value::Object(patch) = patch else {
        return Err(ApiError::BadRequest("un objet JSON est attendu".into()));
    };
    let mut value = serde_json::to_value(current).map_err(|e| ApiError::Internal(e.into()))?;
    if let Value::Object(fields) = &mut value {
        fields.extend(patch);
    }
    serde_json::from_value(value).map_err(|e| ApiError::BadRequest(format!("champ invalide : {e}")))
}

async fn list_orientations(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<PlanQuery>,
) -> Result<Response, ApiError> {
    let filter = plan_filter(q, &viewer)?;
    json(&super::zones::Items {
        items: state.db.orientations(&filter).await?,
    })
}

async fn find_orientation(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<OrientationRow, ApiError> {
    let id = parse_id("orientation", id)?;
    state
        .db
        .orientation(id, !viewer.is_staff())
        .await?
        .ok_or_else(|| ApiError::NotFound("orientation", id.to_string()))
}

async fn get_orientation(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let o = find_orientation(&state, &viewer, &id).await?;
    let actions = state
        .db
        .actions(&PlanFilter {
            orientation: Some(o.id),
            published_only: !viewer.is_staff(),
            ..PlanFilter::default()
        })
        .await?;
    json(&OrientationWithActions {
        orientation: o,
        actions: actions.into_iter().map(action_view).collect(),
    })
}

async fn check_orientation(
    state: &AppState,
    user: &StaffUser,
    f: &OrientationFields,
) -> Result<(), ApiError> {
    portraits::validate_orientation(&state.geography, f)?;
    require_edit(user, &f.territory)?;
    require_edition(state, f.edition).await
}

async fn create_orientation(
    State(state): State<AppState>,
    Staff(user): Staff,
    Json(f): Json<OrientationFields>,
) -> Result<Response, ApiError> {
    check_orientation(&state, &user, &f).await?;
    let row = state.db.create_orientation(actor(&user), &f).await?;
    Ok((StatusCode::CREATED, json(&row)?).into_response())
}

async fn patch_orientation(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
    Json(patch): Json<Value>,
) -> Result<Response, ApiError> {
    let before = find_orientation(&state, &Viewer(Some(user.clone())), &id).await?;
    require_edit(&user, &before.fields.territory)?;
    let f = merge(&before.fields, patch)?;
    check_orientation(&state, &user, &f).await?;
    let row = state
        .db
        .update_orientation(actor(&user), before.id, &f)
        .await?
        .ok_or_else(|| ApiError::NotFound("orientation", id))?;
    json(&row)
}

async fn delete_orientation(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let before = find_orientation(&state, &Viewer(Some(user.clone())), &id).await?;
    require_edit(&user, &before.fields.territory)?;
    if !state.db.delete_orientation(actor(&user), before.id).await? {
        return Err(ApiError::NotFound("orientation", id));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_actions(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<PlanQuery>,
) -> Result<Response, ApiError> {
    let filter = plan_filter(q, &viewer)?;
    let items: Vec<ActionView> = state
        .db
        .actions(&filter)
        .await?
        .into_iter()
        .map(action_view)
        .collect();
    json(&super::zones::Items { items })
}

async fn find_action(state: &AppState, viewer: &Viewer, id: &str) -> Result<ActionRow, ApiError> {
    let id = parse_id("action", id)?;
    state
        .db
        .action(id, !viewer.is_staff())
        .await?
        .ok_or_else(|| ApiError::NotFound("action", id.to_string()))
}

async fn get_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    json(&action_view(find_action(&state, &viewer, &id).await?))
}

/// Checks an action and the orientation it goes to: exists, and editable by `user`.
async fn check_action(
    state: &AppState,
    user: &StaffUser,
    f: &ActionFields,
) -> Result<(), ApiError> {
    let orientation = state
        .db
        .orientation(f.orientation_id, false)
        .await?
        .ok_or_else(|| {
            ApiError::BadRequest(format!("orientation {} inconnue", f.orientation_id))
        })?;
    require_edit(user, &orientation.fields.territory)?;
    portraits::validate_action(&state.geography, f)?;
    Ok(())
}

async fn create_action(
    State(state): State<AppState>,
    Staff(user): Staff,
    Json(f): Json<ActionFields>,
) -> Result<Response, ApiError> {
    check_action(&state, &user, &f).await?;
    let row = state.db.create_action(actor(&user), &f).await?;
    Ok((StatusCode::CREATED, json(&action_view(row))?).into_response())
}

async fn patch_action(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
    Json(patch): Json<Value>,
) -> Result<Response, ApiError> {
    let before = find_action(&state, &Viewer(Some(user.clone())), &id).await?;
    require_edit(&user, &before.territory)?;
    let f = merge(&before.fields, patch)?;
    check_action(&state, &user, &f).await?;
    let row = state
        .db
        .update_action(actor(&user), before.id, &f)
        .await?
        .ok_or_else(|| ApiError::NotFound("action", id))?;
    json(&action_view(row))
}

async fn delete_action(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let before = find_action(&state, &Viewer(Some(user.clone())), &id).await?;
    require_edit(&user, &before.territory)?;
    if !state.db.delete_action(actor(&user), before.id).await? {
        return Err(ApiError::NotFound("action", id));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---------------------------------------------------------------------------------------
// History
