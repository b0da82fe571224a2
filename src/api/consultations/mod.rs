//! Public consultations over HTTP (issue 20): a chargé de mission opens one on a
//! territory's draft orientations and actions for an edition and closes it; anyone,
//! without an account, contributes while it is open; the territory's referent or a
//! chargé de mission moderates; accepted contributions are public under what they
//! concern; staff export them (CSV, XLSX).
//!
//! Personal data: a contribution's e-mail and client address are never in a public
//! answer (the public views below have no such field); only moderators read the
//! e-mail (list, exports). Abuse: bounded lengths, a small body limit, a honeypot
//! field, [`MAX_PER_ADDRESS`] contributions per client address per hour.
//!
//! E-mail confirmation: a contribution is received « à confirmer »; its author gets
//! an e-mail ([`crate::mail`]) with a link holding a random single-use token (only
//! its SHA-256 is stored), valid [`CONFIRM_DAYS`] days. The link opens a page
//! (`GET /consultations/confirmer?jeton=…`) that changes nothing and shows a button;
//! the button POSTs, which confirms: mail scanners that fetch links do not confirm.
//! Confirmed contributions await moderation; the addresses of
//! [`AppState::moderators`] are told. Only confirmed ones can be accepted.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Json, Path, Query};
use super::json;
use super::portraits::{ActionView, action_view, actor, parse_id, require_edition, scope_name};
use super::session::Staff;
use crate::api::AppState;
use crate::auth::StaffUser;
use crate::db::{ConsultationRow, ContributionRow, NewConsultation, OrientationRow, PlanFilter};

/// Contributions one client address may send per [`WINDOW_SECONDS`].
pub const MAX_PER_ADDRESS: i64 = 5;
pub const WINDOW_SECONDS: i64 = 3600;
/// Largest contribution request body, bytes.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024;
const MAX_TEXT: usize = 4000;
pub(crate) const MAX_SHORT: usize = 200;
/// Days a confirmation link stays valid.
pub const CONFIRM_DAYS: i64 = 7;

/// The privacy notice shown with the form (RGPD), also served by the API.
pub const PRIVACY_NOTICE: &str = "Vos données (nom, organisation, rôle, adresse \
électronique) sont traitées par le Département pour recueillir et modérer les contributions \
à la consultation, sur la base de votre consentement. Votre adresse électronique n'est jamais \
publiée ; seuls le nom, l'organisation, le rôle et le texte des contributions acceptées le \
sont. Les données sont conservées un an après la clôture de la consultation, puis effacées. \
Vous pouvez demander l'accès, la rectification ou l'effacement de vos données auprès du \
délégué à la protection des données du Département (dpo@departement.example).";

mod confirmation;
mod contribute;
mod moderation;

pub(crate) use confirmation::ConfirmationPages;
pub use confirmation::confirmation_routes;
use contribute::{__path_contribute, contribute};
pub(crate) use contribute::{
    bad, bounded, new_token, plausible_email, tell_moderators, token_hash,
};
pub(crate) use moderation::checked_decision;
use moderation::{
    __path_export_csv, __path_export_xlsx, __path_list_contributions, __path_moderate, export_csv,
    export_xlsx, list_contributions, moderate,
};

pub fn router() -> OpenApiRouter<AppState> {
    // The contribution form's route has its own small body limit.
    let contributions = OpenApiRouter::new()
        .routes(routes!(list_contributions, contribute))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    OpenApiRouter::new()
        .routes(routes!(list_consultations, open_consultation))
        .routes(routes!(tallies))
        .routes(routes!(get_consultation))
        .routes(routes!(close_consultation))
        .routes(routes!(export_csv))
        .routes(routes!(export_xlsx))
        .routes(routes!(moderate))
        .merge(contributions)
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "commentaire" => "Commentaire",
        "proposition" => "Proposition d'action",
        "participation" => "Notre structure participe",
        _ => "Autre",
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "a_confirmer" => "À confirmer (lien envoyé par courriel)",
        "en_attente" => "En attente de modération",
        "acceptee" => "Acceptée",
        "refusee" => "Refusée",
        "spam" => "Indésirable",
        _ => "Inconnu",
    }
}

/// A consultation as everyone sees it.
#[derive(Serialize, utoipa::ToSchema)]
struct ConsultationView {
    #[serde(flatten)]
    consultation: ConsultationRow,
    territory_name: Option<String>,
    /// Open today (status `ouverte` and today within the dates).
    open_now: bool,
    /// Accepted contributions.
    accepted: usize,
}

fn open_now(c: &ConsultationRow) -> bool {
    let today = crate::time::today();
    c.status == "ouverte" && c.starts_on <= today && today <= c.ends_on
}

/// A contribution as the public sees it: no e-mail, no address, no moderation.
#[derive(Serialize, utoipa::ToSchema)]
struct PublicContribution {
    id: i64,
    kind: String,
    kind_label: &'static str,
    orientation_id: Option<i64>,
    action_id: Option<i64>,
    body: String,
    name: String,
    organisation: String,
    role: String,
    commune_name: Option<String>,
    received_on: String,
}

fn public_view(state: &AppState, c: ContributionRow) -> PublicContribution {
    PublicContribution {
        kind_label: kind_label(&c.kind),
        commune_name: commune_name(state, c.commune.as_deref()),
        received_on: crate::time::iso_from_unix(c.created_at)[..10].to_owned(),
        id: c.id,
        kind: c.kind,
        orientation_id: c.orientation_id,
        action_id: c.action_id,
        body: c.body,
        name: c.name,
        organisation: c.organisation,
        role: c.role,
    }
}

fn commune_name(state: &AppState, code: Option<&str>) -> Option<String> {
    code.and_then(|c| state.geography.commune(c))
        .map(|c| c.zone.name.clone())
}

async fn find(state: &AppState, id: &str) -> Result<ConsultationRow, ApiError> {
    let id = parse_id("consultation", id)?;
    state
        .db
        .consultation(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("consultation", id.to_string()))
}

fn view(state: &AppState, c: ConsultationRow, accepted: usize) -> ConsultationView {
    ConsultationView {
        territory_name: scope_name(state, &c.territory),
        open_now: open_now(&c),
        accepted,
        consultation: c,
    }
}

#[derive(Deserialize)]
struct ListQuery {
    territory: Option<String>,
}

/// `GET /api/consultations?territory=`: public, newest first.
#[utoipa::path(get, path = "/api/consultations", tag = "consultations",
    params(("territory" = Option<String>, Query, description = "Code du territoire", example = "ARR")),
    responses((status = 200, description = "Les consultations, les plus récentes d'abord (`items`)", body = super::zones::Items<ConsultationView>), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody)))]
async fn list_consultations(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let mut items = Vec::new();
    for c in state.db.consultations(q.territory.as_deref()).await? {
        let accepted = state.db.contributions(c.id, Some("acceptee")).await?.len();
        items.push(view(&state, c, accepted));
    }
    json(&super::zones::Items { items })
}

/// `GET /api/consultations/tallies`: accepted contributions per territory.
#[utoipa::path(get, path = "/api/consultations/tallies", tag = "consultations",
    responses((status = 200, description = "Contributions acceptées par territoire (`items`)", body = super::zones::Items<crate::db::ContributionTally>)))]
async fn tallies(State(state): State<AppState>) -> Result<Response, ApiError> {
    json(&super::zones::Items {
        items: state.db.contribution_tallies().await?,
    })
}

#[derive(Serialize, utoipa::ToSchema)]
struct OrientationEntry {
    #[serde(flatten)]
    #[schema(value_type = super::schemas::OrientationAnswer)]
    orientation: OrientationRow,
    contributions: Vec<PublicContribution>,
    actions: Vec<ActionEntry>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ActionEntry {
    #[serde(flatten)]
    #[schema(value_type = super::schemas::ActionViewAnswer)]
    action: ActionView,
    contributions: Vec<PublicContribution>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ConsultationDetail {
    #[serde(flatten)]
    consultation: ConsultationView,
    privacy_notice: &'static str,
    orientations: Vec<OrientationEntry>,
    /// Accepted proposals of new actions not tied to an orientation.
    proposals: Vec<PublicContribution>,
}

/// `GET /api/consultations/{id}`: public; the draft plan under consultation with the
/// accepted contributions under what they concern.
#[utoipa::path(get, path = "/api/consultations/{id}", tag = "consultations",
    params(("id" = String, Path, description = "Identifiant de la consultation", example = "1")),
    responses((status = 200, description = "La consultation, ses orientations et actions et les contributions acceptées", body = ConsultationDetail), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 404, description = "Consultation inconnue", body = ErrorBody)))]
async fn get_consultation(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let c = find(&state, &id).await?;
    let filter = PlanFilter {
        territory: Some(c.territory.clone()),
        edition: Some(c.edition),
        ..PlanFilter::default()
    };
    let orientations = state.db.orientations(&filter).await?;
    let actions = state.db.actions(&filter).await?;
    let accepted = state.db.contributions(c.id, Some("acceptee")).await?;
    let count = accepted.len();
    let mut accepted: Vec<PublicContribution> = accepted
        .into_iter()
        .map(|x| public_view(&state, x))
        .collect();
    let mut take = |pred: &dyn Fn(&PublicContribution) -> bool| {
        let (hit, rest): (Vec<_>, Vec<_>) = accepted.drain(..).partition(|x| pred(x));
        accepted = rest;
        hit
    };
    let mut entries = Vec::new();
    for o in orientations {
        let oid = o.id;
        let mut action_entries = Vec::new();
        for a in actions.iter().filter(|a| a.fields.orientation_id == oid) {
            let aid = a.id;
            action_entries.push(ActionEntry {
                action: action_view(a.clone()),
                contributions: take(&|x| x.action_id == Some(aid)),
            });
        }
        entries.push(OrientationEntry {
            contributions: take(&|x| x.orientation_id == Some(oid)),
            orientation: o,
            actions: action_entries,
        });
    }
    let proposals = take(&|_| true);
    json(&ConsultationDetail {
        consultation: view(&state, c, count),
        privacy_notice: PRIVACY_NOTICE,
        orientations: entries,
        proposals,
    })
}

fn require_organiser(user: &StaffUser) -> Result<(), ApiError> {
    if user.can_record_decisions() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "seul un chargé de mission peut ouvrir ou clore une consultation".into(),
        ))
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct OpenForm {
    territory: String,
    edition: i64,
    starts_on: String,
    ends_on: String,
    #[serde(default)]
    introduction: String,
}

/// `POST /api/consultations`: chargés de mission (and admins).
#[utoipa::path(post, path = "/api/consultations", tag = "consultations", security(("session" = [])),
    request_body(content = OpenForm, description = "`territory`, `edition`, `starts_on`, `ends_on` (AAAA-MM-JJ), `introduction`", example = json!({"territory": "ARR", "edition": 2023, "starts_on": "2024-03-01", "ends_on": "2024-04-15", "introduction": "Donnez votre avis sur le projet de plan d'action de l'Arrageois."})),
    responses((status = 201, description = "Ouverte", body = ConsultationView), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Territoire ou édition inconnus", body = ErrorBody), (status = 409, description = "Incompatible avec l'état de la consultation", body = ErrorBody)))]
async fn open_consultation(
    State(state): State<AppState>,
    Staff(user): Staff,
    Json(f): Json<OpenForm>,
) -> Result<Response, ApiError> {
    require_organiser(&user)?;
    if scope_name(&state, &f.territory).is_none() {
        return Err(ApiError::BadRequest(format!(
            "territoire {:?} inconnu",
            f.territory
        )));
    }
    if !crate::time::is_iso_date(&f.starts_on) || !crate::time::is_iso_date(&f.ends_on) {
        return Err(ApiError::BadRequest(
            "les dates d'ouverture et de clôture sont attendues au format AAAA-MM-JJ".into(),
        ));
    }
    if f.ends_on < f.starts_on {
        return Err(ApiError::BadRequest(
            "la date de clôture précède la date d'ouverture".into(),
        ));
    }
    if f.introduction.chars().count() > MAX_TEXT {
        return Err(ApiError::BadRequest(format!(
            "l'introduction dépasse {MAX_TEXT} caractères"
        )));
    }
    require_edition(&state, f.edition).await?;
    let row = state
        .db
        .open_consultation(
            actor(&user),
            &NewConsultation {
                territory: &f.territory,
                edition: f.edition,
                starts_on: &f.starts_on,
                ends_on: &f.ends_on,
                introduction: f.introduction.trim(),
            },
        )
        .await?
        .ok_or_else(|| {
            ApiError::Conflict(
                "une consultation est déjà ouverte pour ce territoire et cette édition : \
                 clôturez-la d'abord"
                    .into(),
            )
        })?;
    Ok((StatusCode::CREATED, json(&view(&state, row, 0))?).into_response())
}

/// `POST /api/consultations/{id}/close`: chargés de mission (and admins).
#[utoipa::path(post, path = "/api/consultations/{id}/close", tag = "consultations", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de la consultation", example = "1")),
    responses((status = 200, description = "Close", body = ConsultationView), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Consultation inconnue", body = ErrorBody), (status = 409, description = "Incompatible avec l'état de la consultation", body = ErrorBody)))]
async fn close_consultation(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_organiser(&user)?;
    let c = find(&state, &id).await?;
    let row = state
        .db
        .close_consultation(actor(&user), c.id)
        .await?
        .ok_or_else(|| ApiError::NotFound("consultation", id))?;
    let accepted = state
        .db
        .contributions(row.id, Some("acceptee"))
        .await?
        .len();
    json(&view(&state, row, accepted))
}
