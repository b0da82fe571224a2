//! The CDESS's proposals for the département's plan over HTTP (issue 20): the conseil
//! départemental de l'ESS proposes orientations and actions for the département-wide
//! plan; a chargé de mission (or an admin) records each one with the session that
//! adopted it, and the compendium prints them in « Propositions du CDESS ». They are
//! public once recorded: the CDESS's proposals are a public body's, and the
//! compendium is a public document. Every write goes to the history (`db`).

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Json, Path, Query};
use super::json;
use super::portraits::{actor, parse_edition, parse_id, require_edition};
use super::session::Staff;
use crate::api::AppState;
use crate::auth::StaffUser;
use crate::db::NewCdessProposal;

const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 8000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cdess, create_cdess))
        .routes(routes!(delete_cdess))
}

fn require_recorder(user: &StaffUser) -> Result<(), ApiError> {
    if user.can_record_decisions() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "seul un chargé de mission enregistre les propositions du CDESS".into(),
        ))
    }
}

#[derive(Deserialize)]
struct ListQuery {
    edition: Option<String>,
}

/// `GET /api/cdess/propositions`: everyone.
#[utoipa::path(get, path = "/api/cdess/propositions", tag = "propositions",
    params(("edition" = Option<i32>, Query, description = "Année de l'édition", example = 2023)),
    responses((status = 200, description = "Les propositions du CDESS (`items`), par séance", body = super::zones::Items<crate::db::CdessProposalRow>),
        (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody)))]
async fn list_cdess(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let edition = q.edition.as_deref().map(parse_edition).transpose()?;
    json(&super::zones::Items {
        items: state.db.cdess_proposals(edition).await?,
    })
}

/// What a chargé de mission sends.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CdessForm {
    #[schema(example = 2023)]
    edition: i64,
    /// `AAAA-MM-JJ`: the CDESS session that adopted it.
    #[schema(example = "2024-06-12")]
    session_on: String,
    /// At most 200 characters.
    #[schema(example = "Fonds départemental d'amorçage")]
    title: String,
    /// Markdown, at most 8000 characters.
    #[serde(default)]
    body: String,
    /// An orientation of the département (code `62`) in the same edition.
    #[serde(default)]
    orientation_id: Option<i64>,
}

/// `POST /api/cdess/propositions`: chargés de mission (and admins).
#[utoipa::path(post, path = "/api/cdess/propositions", tag = "propositions", security(("session" = [])),
    request_body(content = CdessForm, description = "`edition`, `session_on` (AAAA-MM-JJ, séance du CDESS), `title`, `body` (Markdown), `orientation_id` (orientation du département, facultatif)",
        example = json!({"edition": 2023, "session_on": "2024-06-12", "title": "Fonds départemental d'amorçage", "body": "Un fonds pour les **jeunes** structures de l'ESS."})),
    responses((status = 201, description = "Enregistrée", body = crate::db::CdessProposalRow), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Édition inconnue", body = ErrorBody)))]
async fn create_cdess(
    State(state): State<AppState>,
    Staff(user): Staff,
    Json(f): Json<CdessForm>,
) -> Result<Response, ApiError> {
    require_recorder(&user)?;
    if !crate::time::is_iso_date(&f.session_on) {
        return Err(ApiError::BadRequest(
            "la date de la séance est attendue au format AAAA-MM-JJ".into(),
        ));
    }
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(ApiError::BadRequest(format!(
            "le titre est requis, {MAX_TITLE} caractères au plus"
        )));
    }
    if f.body.chars().count() > MAX_BODY {
        return Err(ApiError::BadRequest(format!(
            "le texte dépasse {MAX_BODY} caractères"
        )));
    }
    require_edition(&state, f.edition).await?;
    if let Some(id) = f.orientation_id {
        let department = &state.geography.department.code;
        match state.db.orientation(id, false).await? {
            Some(o) if &o.fields.territory == department && o.fields.edition == f.edition => {}
            Some(_) => {
                return Err(ApiError::BadRequest(format!(
                    "l'orientation {id} n'est pas une orientation du département pour l'édition {}",
                    f.edition
                )));
            }
            None => return Err(ApiError::NotFound("orientation", id.to_string())),
        }
    }
    let row = state
        .db
        .add_cdess_proposal(
            actor(&user),
            &NewCdessProposal {
                edition: f.edition,
                session_on: f.session_on,
                title: title.to_owned(),
                body: f.body,
                orientation_id: f.orientation_id,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, json(&row)?).into_response())
}

/// `DELETE /api/cdess/propositions/{id}`: chargés de mission (and admins).
#[utoipa::path(delete, path = "/api/cdess/propositions/{id}", tag = "propositions", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant", example = "3")),
    responses((status = 204, description = "Marquée supprimée"), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Inconnue", body = ErrorBody)))]
async fn delete_cdess(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_recorder(&user)?;
    let id = parse_id("proposition", &id)?;
    if !state.db.delete_cdess_proposal(actor(&user), id).await? {
        return Err(ApiError::NotFound("proposition du CDESS", id.to_string()));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
