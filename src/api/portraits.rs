//! Portraits and their history over HTTP (orientations and actions: `plans.rs`).
//!
//! Reading: the public sees what belongs to a published portrait, staff (every role)
//! see drafts too; what the public does not see answers 404, as if it did not exist.
//! Writing: a session is required (401), then the role and the territory
//! ([`crate::auth::StaffUser::can_edit`], 403); workflow steps are checked by
//! [`crate::portraits::workflow`] (409 for an impossible step). Every write goes
//! through `db`, which records the change in the history in the same transaction.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Json, Path, Query};
use super::json;
use super::session::{Staff, Viewer};
use crate::api::AppState;
use crate::auth::StaffUser;
use crate::db::{
    ActionRow, Actor, OrientationRow, PlanFilter, PortraitRow, SaveOutcome, StepRecord,
    TransitionRow,
};
use crate::portraits::workflow::{self, Status};
use crate::portraits::{self, ACTION_STATUSES, PortraitSections, RenderedSections};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_portraits))
        .routes(routes!(get_portrait, save_portrait))
        .routes(routes!(list_transitions, transition))
        .routes(routes!(history))
}

pub(super) fn actor(user: &StaffUser) -> Actor<'_> {
    Actor {
        user_id: user.id,
        username: &user.username,
    }
}

pub(super) fn forbid_territory(territory: &str) -> ApiError {
    ApiError::Forbidden(format!(
        "vous ne pouvez pas modifier le territoire {territory} : il ne vous est pas attribué"
    ))
}

pub(super) fn require_edit(user: &StaffUser, territory: &str) -> Result<(), ApiError> {
    if user.can_edit(territory) {
        Ok(())
    } else {
        Err(forbid_territory(territory))
    }
}

pub(super) fn parse_edition(text: &str) -> Result<i64, ApiError> {
    text.parse()
        .map_err(|_| ApiError::BadRequest(format!("édition {text:?} : une année est attendue")))
}

pub(super) fn parse_id(what: &str, text: &str) -> Result<i64, ApiError> {
    text.parse()
        .map_err(|_| ApiError::BadRequest(format!("{what} {text:?} : un numéro est attendu")))
}

pub(super) fn scope_name(state: &AppState, code: &str) -> Option<String> {
    if code == state.geography.department.code {
        Some(state.geography.department.name.clone())
    } else {
        state.geography.territory(code).map(|t| t.zone.name.clone())
    }
}

pub(super) async fn require_edition(state: &AppState, edition: i64) -> Result<(), ApiError> {
    if state.db.edition(edition).await?.is_none() {
        return Err(ApiError::NotFound("edition", edition.to_string()));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Portraits

#[derive(Deserialize)]
struct PortraitQuery {
    territory: Option<String>,
    edition: Option<String>,
    /// `true`: what the public sees, even for staff (the map's panel).
    published: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct PortraitSummary {
    territory: String,
    territory_name: Option<String>,
    edition: i64,
    status: String,
    status_label: &'static str,
    updated_at: String,
}

pub(super) fn status_label(status: &str) -> &'static str {
    status.parse::<Status>().map_or("inconnu", Status::label)
}

/// `GET /api/portraits?territory=&edition=`: newest edition first.
/// The portraits (published ones for the public).
#[utoipa::path(get, path = "/api/portraits", tag = "portraits",
    params(("territory" = Option<String>, Query, description = "Code du territoire (ou `62` pour le département)", example = "ARR"),
        ("edition" = Option<i32>, Query, description = "Année de l'édition", example = 2023),
        ("published" = Option<bool>, Query, description = "`true` : ce que voit le public, même pour l'équipe")),
    responses((status = 200, description = "Les portraits (`items`)", body = super::zones::Items<PortraitSummary>), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody),
        (status = 404, description = "Territoire ou édition inconnus", body = ErrorBody)))]
async fn list_portraits(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<PortraitQuery>,
) -> Result<Response, ApiError> {
    let edition = q.edition.as_deref().map(parse_edition).transpose()?;
    let rows = state
        .db
        .portraits(
            q.territory.as_deref(),
            edition,
            !viewer.is_staff() || q.published == Some(true),
        )
        .await?;
    let items: Vec<PortraitSummary> = rows
        .into_iter()
        .map(|p| PortraitSummary {
            territory_name: scope_name(&state, &p.territory),
            status_label: status_label(&p.status),
            territory: p.territory,
            edition: p.edition,
            status: p.status,
            updated_at: p.updated_at,
        })
        .collect();
    json(&super::zones::Items { items })
}

#[derive(Serialize, utoipa::ToSchema)]
struct StepChoice {
    status: &'static str,
    label: &'static str,
    /// The body whose decision reference this step needs.
    body: Option<&'static str>,
}

#[derive(Serialize)]
pub(super) struct OrientationWithActions {
    #[serde(flatten)]
    pub(super) orientation: OrientationRow,
    pub(super) actions: Vec<ActionView>,
}

/// The orientations `filter` selects, each with its actions (as `filter` selects them).
pub(super) async fn plan_of(
    state: &AppState,
    filter: &PlanFilter,
) -> Result<Vec<OrientationWithActions>, ApiError> {
    let mut actions = state.db.actions(filter).await?;
    Ok(state
        .db
        .orientations(filter)
        .await?
        .into_iter()
        .map(|o| {
            let (mine, rest): (Vec<_>, Vec<_>) = actions
                .drain(..)
                .partition(|a| a.fields.orientation_id == o.id);
            actions = rest;
            OrientationWithActions {
                orientation: o,
                actions: mine.into_iter().map(action_view).collect(),
            }
        })
        .collect())
}

#[derive(Serialize)]
pub(super) struct ActionView {
    #[serde(flatten)]
    pub(super) action: ActionRow,
    pub(super) status_label: &'static str,
}

pub(super) fn action_view(action: ActionRow) -> ActionView {
    ActionView {
        status_label: ACTION_STATUSES
            .iter()
            .find(|(s, _)| *s == action.fields.status)
            .map_or("inconnu", |(_, l)| l),
        action,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct PortraitView {
    #[schema(example = "ARR")]
    territory: String,
    #[schema(example = "Arrageois")]
    territory_name: Option<String>,
    #[schema(example = 2023)]
    edition: i64,
    status: String,
    status_label: &'static str,
    /// The Markdown sources.
    sections: PortraitSections,
    /// The sections as safe HTML.
    html: RenderedSections,
    transitions: Vec<TransitionView>,
    #[schema(value_type = Vec<super::schemas::OrientationWithActionsAnswer>)]
    orientations: Vec<OrientationWithActions>,
    /// Partners' accepted proposals, credited to their organisation (public once the
    /// portrait is published): `section`, `orientation_id` or `action_id` say what
    /// each is attached to.
    partner_credits: Vec<crate::db::PartnerCredit>,
    updated_at: String,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_by: Option<String>,
    /// Steps the viewer may take now (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<Vec<StepChoice>>,
    /// May the viewer change the sections and the plan?
    editable: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
struct TransitionView {
    from_status: String,
    to_status: String,
    to_label: &'static str,
    at: String,
    body: Option<String>,
    decision_ref: Option<String>,
    /// Staff only: a working note.
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    /// Staff only: who took the step.
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
}

fn transition_views(rows: Vec<TransitionRow>, staff: bool) -> Vec<TransitionView> {
    rows.into_iter()
        .map(|t| TransitionView {
            to_label: status_label(&t.to_status),
            from_status: t.from_status,
            to_status: t.to_status,
            at: t.at,
            body: t.body,
            decision_ref: t.decision_ref,
            comment: if staff { t.comment } else { None },
            username: staff.then_some(t.username),
        })
        .collect()
}

async fn portrait_view(
    state: &AppState,
    viewer: &Viewer,
    p: PortraitRow,
) -> Result<PortraitView, ApiError> {
    let sections: PortraitSections = serde_json::from_value(p.sections)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored portrait sections: {e}")))?;
    let staff = viewer.is_staff();
    let filter = PlanFilter {
        territory: Some(p.territory.clone()),
        edition: Some(p.edition),
        published_only: !staff,
        ..PlanFilter::default()
    };
    let orientations = plan_of(state, &filter).await?;
    let status = p.status.parse::<Status>().ok();
    let next = viewer.0.as_ref().map(|u| {
        status
            .map(Status::next)
            .unwrap_or_default()
            .iter()
            .filter(|to| {
                status.is_some_and(|from| {
                    workflow::check(u, &p.territory, from, **to, None, Some("x")).is_ok()
                })
            })
            .map(|to| StepChoice {
                status: to.as_str(),
                label: to.label(),
                body: to.deciding_body(),
            })
            .collect()
    });
    let transitions = transition_views(
        state
            .db
            .portrait_transitions(&p.territory, p.edition)
            .await?,
        staff,
    );
    let partner_credits = state
        .db
        .partner_credits(Some(&p.territory), Some(p.edition), !staff)
        .await?;
    Ok(PortraitView {
        partner_credits,
        territory_name: scope_name(state, &p.territory),
        status_label: status_label(&p.status),
        editable: viewer.0.as_ref().is_some_and(|u| u.can_edit(&p.territory)),
        html: sections.render(),
        sections,
        transitions,
        orientations,
        updated_at: p.updated_at,
        updated_by: if staff { p.updated_by } else { None },
        next,
        territory: p.territory,
        edition: p.edition,
        status: p.status,
    })
}

/// Finds a portrait the viewer may see: the public sees published ones only.
async fn visible_portrait(
    state: &AppState,
    viewer: &Viewer,
    territory: &str,
    edition: &str,
) -> Result<PortraitRow, ApiError> {
    let edition = parse_edition(edition)?;
    let not_found = || ApiError::NotFound("portrait", format!("{territory}/{edition}"));
    let p = state
        .db
        .portrait(territory, edition)
        .await?
        .ok_or_else(not_found)?;
    if !viewer.is_staff() && p.status != Status::Publie.as_str() {
        return Err(not_found());
    }
    Ok(p)
}

#[utoipa::path(get, path = "/api/portraits/{territory}/{edition}", tag = "portraits",
    params(("territory" = String, Path, description = "Code du territoire (ou `62`)", example = "ARR"),
        ("edition" = String, Path, description = "Année de l'édition", example = "2023")),
    responses((status = 200, description = "Le portrait, ses sections (Markdown) et son état", body = PortraitView), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody),
        (status = 404, description = "Pas de portrait (publié, pour le public)", body = ErrorBody)))]
async fn get_portrait(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((territory, edition)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = visible_portrait(&state, &viewer, &territory, &edition).await?;
    json(&portrait_view(&state, &viewer, p).await?)
}

/// `PUT /api/portraits/{territory}/{edition}`: creates the draft or replaces its
/// sections. Only a draft can be edited.
#[utoipa::path(put, path = "/api/portraits/{territory}/{edition}", tag = "portraits", security(("session" = [])),
    params(("territory" = String, Path, description = "Code du territoire (ou `62`)", example = "ARR"),
        ("edition" = String, Path, description = "Année de l'édition", example = "2023")),
    request_body(content = crate::portraits::PortraitSections, description = "Les sections du portrait (Markdown)",
        example = json!({"jeux_acteurs": "Les SIAE de l'Arrageois…", "dynamiques_projets": "Un PTCE autour du réemploi…", "free_sections": []})),
    responses((status = 200, description = "Enregistré", body = PortraitView), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Territoire ou édition inconnus", body = ErrorBody),
        (status = 409, description = "Le portrait n'est plus un brouillon", body = ErrorBody)))]
async fn save_portrait(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path((territory, edition)): Path<(String, String)>,
    Json(sections): Json<PortraitSections>,
) -> Result<Response, ApiError> {
    let edition = parse_edition(&edition)?;
    if !portraits::is_plan_scope(&state.geography, &territory) {
        return Err(ApiError::NotFound("territory", territory));
    }
    require_edit(&user, &territory)?;
    require_edition(&state, edition).await?;
    sections.validate()?;
    let value = serde_json::to_value(&sections).map_err(|e| ApiError::Internal(e.into()))?;
    match state
        .db
        .save_portrait(actor(&user), &territory, edition, &value)
        .await?
    {
        SaveOutcome::Saved(p) => json(&portrait_view(&state, &Viewer(Some(user)), p).await?),
        SaveOutcome::NotDraft(status) => Err(ApiError::Conflict(format!(
            "le portrait est « {} » : seul un brouillon peut être modifié",
            status_label(&status)
        ))),
    }
}

#[utoipa::path(get, path = "/api/portraits/{territory}/{edition}/transitions", tag = "portraits",
    params(("territory" = String, Path, description = "Code du territoire (ou `62`)", example = "ARR"),
        ("edition" = String, Path, description = "Année de l'édition", example = "2023")),
    responses((status = 200, description = "Les étapes franchies et possibles du circuit de validation", body = super::zones::Items<TransitionView>), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody),
        (status = 404, description = "Pas de portrait", body = ErrorBody)))]
async fn list_transitions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((territory, edition)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = visible_portrait(&state, &viewer, &territory, &edition).await?;
    let rows = state
        .db
        .portrait_transitions(&p.territory, p.edition)
        .await?;
    json(&super::zones::Items {
        items: transition_views(rows, viewer.is_staff()),
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct TransitionForm {
    to: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    decision_ref: Option<String>,
    #[serde(default)]
    comment: Option<String>,
}

/// `POST /api/portraits/{territory}/{edition}/transitions` `{to, body, decision_ref, comment}`.
#[utoipa::path(post, path = "/api/portraits/{territory}/{edition}/transitions", tag = "portraits", security(("session" = [])),
    params(("territory" = String, Path, description = "Code du territoire (ou `62`)", example = "ARR"),
        ("edition" = String, Path, description = "Année de l'édition", example = "2023")),
    request_body(content = TransitionForm, description = "L'étape (`to`) et, selon l'étape, l'instance et sa référence de décision",
        example = json!({"to": "valide", "body": "Commission territoriale de l'Arrageois", "decision_ref": "CT-ARR-2024-03"})),
    responses((status = 200, description = "Le portrait après l'étape", body = PortraitView), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Pas de portrait", body = ErrorBody),
        (status = 409, description = "Étape impossible depuis l'état actuel (les possibles sont dans le message)", body = ErrorBody)))]
async fn transition(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path((territory, edition)): Path<(String, String)>,
    Json(form): Json<TransitionForm>,
) -> Result<Response, ApiError> {
    let p = visible_portrait(&state, &Viewer(Some(user.clone())), &territory, &edition).await?;
    let to: Status = form.to.parse()?;
    let from: Status = p
        .status
        .parse()
        .map_err(|e: workflow::TransitionError| ApiError::Internal(e.into()))?;
    for text in [&form.body, &form.decision_ref, &form.comment]
        .into_iter()
        .flatten()
    {
        if text.chars().count() > 2000 {
            return Err(ApiError::BadRequest(
                "texte trop long (2000 caractères au plus)".into(),
            ));
        }
    }
    let step = workflow::check(
        &user,
        &p.territory,
        from,
        to,
        form.body.as_deref(),
        form.decision_ref.as_deref(),
    )?;
    let comment = form
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let done = state
        .db
        .transition_portrait(
            actor(&user),
            &p.territory,
            p.edition,
            StepRecord {
                from: from.as_str(),
                to: to.as_str(),
                body: step.body.as_deref(),
                decision_ref: step.decision_ref.as_deref(),
                comment,
            },
        )
        .await?;
    if !done {
        return Err(ApiError::Conflict(
            "le portrait a changé d'état entre-temps : rechargez la page".into(),
        ));
    }
    let p = visible_portrait(&state, &Viewer(Some(user.clone())), &territory, &edition).await?;
    json(&portrait_view(&state, &Viewer(Some(user)), p).await?)
}

// ---------------------------------------------------------------------------------------
// Orientations and actions

#[derive(Deserialize)]
struct HistoryQuery {
    entity: Option<String>,
    id: Option<String>,
    /// The newest this many entries (1 to [`MAX_HISTORY`], the default): the staff
    /// dashboard's « dernières modifications ».
    limit: Option<i64>,
}

/// Most entries one history answer holds (the newest ones).
const MAX_HISTORY: i64 = 1000;

/// `GET /api/history?entity=portrait|orientation|action&id=&limit=`: staff only, newest first.
#[utoipa::path(get, path = "/api/history", tag = "portraits", security(("session" = [])),
    params(("entity" = Option<String>, Query, description = "Type d'entité (`portrait`, `orientation`, `action`, `consultation`, `contribution`, `proposition`, `declaration`, `cdess_proposal`)"),
        ("id" = Option<String>, Query, description = "Identifiant de l'entité"),
        ("limit" = Option<i64>, Query, description = "Les N modifications les plus récentes", minimum = 1, maximum = 1000)),
    responses((status = 200, description = "L'historique des modifications", body = super::zones::Items<crate::db::ChangeRow>), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody)))]
async fn history(
    State(state): State<AppState>,
    Staff(_): Staff,
    Query(q): Query<HistoryQuery>,
) -> Result<Response, ApiError> {
    if let Some(e) = &q.entity
        && !matches!(
            e.as_str(),
            "portrait"
                | "orientation"
                | "action"
                | "consultation"
                | "contribution"
                | "proposition"
                | "declaration"
                | "cdess_proposal"
        )
    {
        return Err(ApiError::BadRequest(format!(
            "entité {e:?} inconnue : portrait, orientation, action, consultation, contribution, \
             proposition, declaration ou cdess_proposal"
        )));
    }
    json(&super::zones::Items {
        items: state
            .db
            .changes(
                q.entity.as_deref(),
                q.id.as_deref(),
                q.limit.unwrap_or(MAX_HISTORY).clamp(1, MAX_HISTORY),
            )
            .await?,
    })
}
