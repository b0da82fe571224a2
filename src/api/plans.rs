//! Orientations and actions (the action plans) over HTTP, with the same rules as
//! portraits (`portraits.rs`): the public sees what belongs to a published portrait;
//! writing needs a session, the role and the territory; every write is recorded in the
//! history by `db` in the same transaction.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_orientations, create_orientation))
        .routes(routes!(
            get_orientation,
            patch_orientation,
            delete_orientation
        ))
        .routes(routes!(list_actions, create_action))
        .routes(routes!(get_action, patch_action, delete_action))
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

/// The orientations (published ones for the public).
#[utoipa::path(get, path = "/api/orientations", tag = "portraits",
    params(("territory" = Option<String>, Query, description = "Code du territoire (ou `62` pour le département)", example = "ARR"),
        ("edition" = Option<i32>, Query, description = "Année de l'édition", example = 2023),
        ("orientation" = Option<String>, Query, description = "Identifiant de l'orientation"),
        ("epci" = Option<String>, Query, description = "SIREN d'un EPCI concerné", example = "200033579"),
        ("published" = Option<bool>, Query, description = "`true` : ce que voit le public, même pour l'équipe")),
    responses((status = 200, description = "Les orientations (`items`)", body = super::zones::Items<super::schemas::OrientationAnswer>), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody),
        (status = 404, description = "Territoire ou édition inconnus", body = ErrorBody)))]
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

#[utoipa::path(get, path = "/api/orientations/{id}", tag = "portraits",
    params(("id" = String, Path, description = "Identifiant", example = "12")),
    responses((status = 200, description = "L'orientation", body = super::schemas::OrientationWithActionsAnswer), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody),
        (status = 404, description = "Inconnue, ou pas encore publiée", body = ErrorBody)))]
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

#[utoipa::path(post, path = "/api/orientations", tag = "portraits", security(("session" = [])), request_body(content = crate::db::OrientationFields, description = "Les champs (JSON)"),
    responses((status = 201, description = "Créée", body = super::schemas::OrientationAnswer), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Référence inconnue", body = ErrorBody),
        (status = 409, description = "Incompatible avec l'état du portrait", body = ErrorBody)))]
async fn create_orientation(
    State(state): State<AppState>,
    Staff(user): Staff,
    Json(f): Json<OrientationFields>,
) -> Result<Response, ApiError> {
    check_orientation(&state, &user, &f).await?;
    let row = state.db.create_orientation(actor(&user), &f).await?;
    Ok((StatusCode::CREATED, json(&row)?).into_response())
}

#[utoipa::path(patch, path = "/api/orientations/{id}", tag = "portraits", security(("session" = [])), request_body(content = super::schemas::OrientationPatch, description = "Les champs à changer (JSON), parmi ceux de la création"),
    params(("id" = String, Path, description = "Identifiant", example = "12")),
    responses((status = 200, description = "Modifiée", body = super::schemas::OrientationAnswer), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Inconnue", body = ErrorBody),
        (status = 409, description = "Incompatible avec l'état du portrait", body = ErrorBody)))]
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

#[utoipa::path(delete, path = "/api/orientations/{id}", tag = "portraits", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant", example = "12")),
    responses((status = 204, description = "Marquée supprimée"), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Inconnue", body = ErrorBody),
        (status = 409, description = "Incompatible avec l'état du portrait", body = ErrorBody)))]
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

/// The actions (published ones for the public).
#[utoipa::path(get, path = "/api/actions", tag = "portraits",
    params(("territory" = Option<String>, Query, description = "Code du territoire (ou `62` pour le département)", example = "ARR"),
        ("edition" = Option<i32>, Query, description = "Année de l'édition", example = 2023),
        ("orientation" = Option<String>, Query, description = "Identifiant de l'orientation"),
        ("epci" = Option<String>, Query, description = "SIREN d'un EPCI concerné", example = "200033579"),
        ("published" = Option<bool>, Query, description = "`true` : ce que voit le public, même pour l'équipe")),
    responses((status = 200, description = "Les actions (`items`)", body = super::zones::Items<super::schemas::ActionViewAnswer>), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody),
        (status = 404, description = "Territoire ou édition inconnus", body = ErrorBody)))]
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

#[utoipa::path(get, path = "/api/actions/{id}", tag = "portraits",
    params(("id" = String, Path, description = "Identifiant", example = "12")),
    responses((status = 200, description = "L'action", body = super::schemas::ActionViewAnswer), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody),
        (status = 404, description = "Inconnue, ou pas encore publiée", body = ErrorBody)))]
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

#[utoipa::path(post, path = "/api/actions", tag = "portraits", security(("session" = [])), request_body(content = crate::db::ActionFields, description = "Les champs (JSON)"),
    responses((status = 201, description = "Créée", body = super::schemas::ActionViewAnswer), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Référence inconnue", body = ErrorBody),
        (status = 409, description = "Incompatible avec l'état du portrait", body = ErrorBody)))]
async fn create_action(
    State(state): State<AppState>,
    Staff(user): Staff,
    Json(f): Json<ActionFields>,
) -> Result<Response, ApiError> {
    check_action(&state, &user, &f).await?;
    let row = state.db.create_action(actor(&user), &f).await?;
    Ok((StatusCode::CREATED, json(&action_view(row))?).into_response())
}

#[utoipa::path(patch, path = "/api/actions/{id}", tag = "portraits", security(("session" = [])), request_body(content = super::schemas::ActionPatch, description = "Les champs à changer (JSON), parmi ceux de la création"),
    params(("id" = String, Path, description = "Identifiant", example = "12")),
    responses((status = 200, description = "Modifiée", body = super::schemas::ActionViewAnswer), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Inconnue", body = ErrorBody),
        (status = 409, description = "Incompatible avec l'état du portrait", body = ErrorBody)))]
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

#[utoipa::path(delete, path = "/api/actions/{id}", tag = "portraits", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant", example = "12")),
    responses((status = 204, description = "Marquée supprimée"), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Inconnue", body = ErrorBody),
        (status = 409, description = "Incompatible avec l'état du portrait", body = ErrorBody)))]
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
