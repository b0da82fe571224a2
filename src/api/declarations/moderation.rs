//! Moderation of the organisations' declarations by the referent of the territory
//! the establishment is in (by its commune, through the current mapping) or a chargé
//! de mission: the same decisions as a contribution's (accept, decline with a reason,
//! spam), and only once its author has confirmed it.

#[allow(unused_imports)]
use crate::api::openapi::ErrorBody;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::status_label;
use crate::api::AppState;
use crate::api::consultations::checked_decision;
use crate::api::error::{ApiError, Json, Path, Query};
use crate::api::json;
use crate::api::portraits::{actor, parse_id, require_edit};
use crate::api::session::Staff;
use crate::auth::StaffUser;
use crate::db::DeclarationRow;

/// The territory (code) of the commune `code`, under the current mapping.
fn territory_of(state: &AppState, code: &str) -> Option<String> {
    let g = &state.geography;
    g.commune(code)
        .and_then(|c| g.territories.get(c.territory))
        .map(|t| t.zone.code.clone())
}

/// A declaration as moderators see it: with the e-mail, the establishment's commune
/// and territory.
#[derive(Serialize, utoipa::ToSchema)]
struct StaffDeclaration {
    #[serde(flatten)]
    declaration: DeclarationRow,
    /// The author's address (empty once erased).
    email: String,
    #[schema(example = "En attente de modération")]
    status_label: &'static str,
    /// The presentation rendered as the portraits' sections are (safe HTML).
    description_html: String,
    #[schema(example = "Arras")]
    commune_name: Option<String>,
    /// The code of the commune's territory; `null` outside the territories.
    #[schema(example = "ARR")]
    territory: Option<String>,
    /// `AAAA-MM-JJTHH:MM:SSZ`.
    received_at: String,
}

fn staff_view(state: &AppState, d: DeclarationRow) -> StaffDeclaration {
    StaffDeclaration {
        email: d.email.clone(),
        status_label: status_label(&d.status),
        description_html: crate::portraits::markdown::render(&d.description),
        commune_name: state
            .geography
            .commune(&d.commune)
            .map(|c| c.zone.name.clone()),
        territory: territory_of(state, &d.commune),
        received_at: crate::time::iso_from_unix(d.created_at),
        declaration: d,
    }
}

/// May `user` moderate what is declared in `territory`? (`None`: a commune outside
/// the geography, left to the chargés de mission.)
fn may_moderate(user: &StaffUser, territory: Option<&str>) -> bool {
    match territory {
        Some(t) => user.can_edit(t),
        None => user.can_record_decisions(),
    }
}

#[derive(Deserialize)]
pub(super) struct ListQuery {
    status: Option<String>,
    territory: Option<String>,
}

/// `GET /api/declarations?status=&territory=`: the moderators, for the territories
/// they moderate.
#[utoipa::path(get, path = "/api/declarations", tag = "organisations", security(("session" = [])),
    params(("status" = Option<String>, Query, description = "`a_confirmer`, `en_attente`, `acceptee`, `refusee` ou `spam` (par défaut : toutes sauf `a_confirmer`)", example = "en_attente"),
        ("territory" = Option<String>, Query, description = "Code du territoire", example = "ARR")),
    responses((status = 200, description = "Les déclarations des structures, avec l'adresse électronique (`items`)", body = crate::api::zones::Items<StaffDeclaration>), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé", body = ErrorBody)))]
pub(super) async fn list_declarations(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    if let Some(t) = q.territory.as_deref() {
        require_edit(&user, t)?;
    } else if !(user.can_record_decisions() || user.territories.iter().any(|t| user.can_edit(t))) {
        return Err(ApiError::Forbidden(
            "seuls les référents et les chargés de mission modèrent les déclarations".into(),
        ));
    }
    let items: Vec<StaffDeclaration> = state
        .db
        .declarations(None, q.status.as_deref())
        .await?
        .into_iter()
        .filter(|d| q.status.is_some() || d.status != "a_confirmer")
        .map(|d| staff_view(&state, d))
        .filter(|d| {
            may_moderate(&user, d.territory.as_deref())
                && q.territory
                    .as_ref()
                    .is_none_or(|t| d.territory.as_ref() == Some(t))
        })
        .collect();
    json(&crate::api::zones::Items { items })
}

/// A moderator's decision on a declaration.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DeclarationModeration)]
pub(super) struct ModerationForm {
    /// `acceptee`, `refusee` or `spam`.
    #[schema(example = "acceptee")]
    decision: String,
    /// Required to decline; at most 500 characters.
    #[serde(default)]
    reason: String,
}

/// `POST /api/declarations/{id}/moderation`: the territory's referent or a chargé de
/// mission.
#[utoipa::path(post, path = "/api/declarations/{id}/moderation", tag = "organisations", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de la déclaration", example = "1")),
    request_body(content = ModerationForm, description = "`decision` (`acceptee`, `refusee`, `spam`) et `reason` (obligatoire pour un refus)", example = json!({"decision": "refusee", "reason": "Ces informations concernent une autre structure"})),
    responses((status = 200, description = "Modérée", body = StaffDeclaration), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Déclaration inconnue", body = ErrorBody), (status = 409, description = "Pas encore confirmée par son auteur", body = ErrorBody)))]
pub(super) async fn moderate_declaration(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
    Json(f): Json<ModerationForm>,
) -> Result<Response, ApiError> {
    let did = parse_id("declaration", &id)?;
    let declaration = state
        .db
        .declaration(did)
        .await?
        .ok_or_else(|| ApiError::NotFound("declaration", id.clone()))?;
    let territory = territory_of(&state, &declaration.commune);
    match territory.as_deref() {
        Some(t) => require_edit(&user, t)?,
        None if user.can_record_decisions() => {}
        None => {
            return Err(ApiError::Forbidden(
                "commune hors des territoires : réservé aux chargés de mission".into(),
            ));
        }
    }
    let reason = checked_decision(
        "cette déclaration",
        &declaration.status,
        &f.decision,
        &f.reason,
    )?;
    let row = state
        .db
        .moderate_declaration(actor(&user), did, &f.decision, reason)
        .await?
        .ok_or_else(|| ApiError::NotFound("declaration", id))?;
    json(&staff_view(&state, row))
}
