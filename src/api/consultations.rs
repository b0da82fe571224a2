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
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Json, Path, Query};
use super::json;
use super::portraits::{
    ActionView, action_view, actor, parse_id, require_edit, require_edition, scope_name,
};
use super::session::{ClientIp, Staff, same_origin};
use crate::api::AppState;
use crate::auth::StaffUser;
use crate::db::{
    Confirmation, ConsultationRow, ContributionRow, NewConsultation, NewContribution,
    OrientationRow, PlanFilter, Throttled,
};
use crate::summary::html::escape;

/// Contributions one client address may send per [`WINDOW_SECONDS`].
pub const MAX_PER_ADDRESS: i64 = 5;
pub const WINDOW_SECONDS: i64 = 3600;
/// Largest contribution request body, bytes.
const MAX_BODY_BYTES: usize = 16 * 1024;
const MAX_TEXT: usize = 4000;
const MAX_SHORT: usize = 200;
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
#[derive(Serialize)]
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
#[derive(Serialize)]
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
    responses((status = 200, description = "Les consultations, les plus récentes d'abord (`items`)", body = Object), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody)))]
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
    responses((status = 200, description = "Contributions acceptées par territoire (`items`)", body = Object)))]
async fn tallies(State(state): State<AppState>) -> Result<Response, ApiError> {
    json(&super::zones::Items {
        items: state.db.contribution_tallies().await?,
    })
}

#[derive(Serialize)]
struct OrientationEntry {
    #[serde(flatten)]
    orientation: OrientationRow,
    contributions: Vec<PublicContribution>,
    actions: Vec<ActionEntry>,
}

#[derive(Serialize)]
struct ActionEntry {
    #[serde(flatten)]
    action: ActionView,
    contributions: Vec<PublicContribution>,
}

#[derive(Serialize)]
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
    responses((status = 200, description = "La consultation, ses orientations et actions et les contributions acceptées", body = Object), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 404, description = "Consultation inconnue", body = ErrorBody)))]
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

#[derive(Deserialize)]
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
    request_body(content = Object, description = "`territory`, `edition`, `starts_on`, `ends_on` (AAAA-MM-JJ), `introduction`"),
    responses((status = 201, description = "Ouverte", body = Object), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Territoire ou édition inconnus", body = ErrorBody), (status = 409, description = "Incompatible avec l'état de la consultation", body = ErrorBody)))]
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
    responses((status = 200, description = "Close", body = Object), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Consultation inconnue", body = ErrorBody), (status = 409, description = "Incompatible avec l'état de la consultation", body = ErrorBody)))]
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

#[derive(Deserialize)]
struct ContributionForm {
    kind: String,
    #[serde(default)]
    orientation_id: Option<i64>,
    #[serde(default)]
    action_id: Option<i64>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    siret: String,
    #[serde(default)]
    consent: bool,
    /// The honeypot: hidden on the form, only robots fill it.
    #[serde(default)]
    site_web: String,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

fn bounded(what: &str, text: &str, max: usize, required: bool) -> Result<(), ApiError> {
    let n = text.chars().count();
    if required && n == 0 {
        return Err(bad(format!("{what} : ce champ est obligatoire")));
    }
    if n > max {
        return Err(bad(format!(
            "{what} : {max} caractères au plus ({n} reçus)"
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(bad(format!("{what} : caractères de contrôle refusés")));
    }
    Ok(())
}

fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>')
}

/// Checks a contribution's fields (not its target).
fn check_form(f: &ContributionForm) -> Result<(), ApiError> {
    if !f.site_web.is_empty() {
        return Err(bad(
            "envoi refusé : contribution considérée comme automatisée",
        ));
    }
    if !f.consent {
        return Err(bad(
            "votre consentement au traitement de vos données personnelles est nécessaire \
             pour contribuer",
        ));
    }
    let body_required = f.kind != "participation";
    bounded("texte", f.body.trim(), MAX_TEXT, body_required)?;
    bounded("nom", f.name.trim(), MAX_SHORT, true)?;
    bounded(
        "organisation",
        f.organisation.trim(),
        MAX_SHORT,
        f.kind == "participation",
    )?;
    bounded("rôle", f.role.trim(), MAX_SHORT, false)?;
    bounded("adresse électronique", f.email.trim(), 254, true)?;
    if !plausible_email(f.email.trim()) || crate::mail::mailbox(f.email.trim()).is_err() {
        return Err(bad("adresse électronique invalide"));
    }
    let siret = f.siret.trim();
    if !siret.is_empty() && (siret.len() != 14 || !siret.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad("SIRET invalide : 14 chiffres sont attendus"));
    }
    Ok(())
}

/// The contribution's kind and what it concerns go together.
fn check_kind(f: &ContributionForm) -> Result<(), ApiError> {
    let target = (f.orientation_id.is_some(), f.action_id.is_some());
    let refusal = match (f.kind.as_str(), target) {
        ("commentaire", (true, false) | (false, true))
        | ("proposition", (_, false))
        | ("participation", (false, true)) => return Ok(()),
        ("commentaire", ..) => "un commentaire porte sur une orientation ou sur une action".into(),
        ("proposition", ..) => {
            "une proposition d'action se rattache à une orientation, pas à une action".into()
        }
        ("participation", ..) => "une participation porte sur une action".into(),
        (other, ..) => {
            format!("type {other:?} inconnu : commentaire, proposition ou participation")
        }
    };
    Err(bad(refusal))
}

/// The orientation or action a contribution concerns belongs to the consultation's
/// draft plan.
async fn check_target(
    state: &AppState,
    c: &ConsultationRow,
    f: &ContributionForm,
) -> Result<(), ApiError> {
    let filter = PlanFilter {
        territory: Some(c.territory.clone()),
        edition: Some(c.edition),
        ..PlanFilter::default()
    };
    let orientation_ok = match f.orientation_id {
        Some(o) => state
            .db
            .orientations(&filter)
            .await?
            .iter()
            .any(|x| x.id == o),
        None => true,
    };
    let action_ok = match f.action_id {
        Some(a) => state.db.actions(&filter).await?.iter().any(|x| x.id == a),
        None => true,
    };
    if orientation_ok && action_ok {
        Ok(())
    } else {
        Err(bad(
            "l'orientation ou l'action visée ne fait pas partie de cette consultation",
        ))
    }
}

#[derive(Serialize)]
struct Received {
    id: i64,
    status: &'static str,
    message: &'static str,
    /// The commune of the establishment recognised by its SIRET.
    commune_name: Option<String>,
}

/// `POST /api/consultations/{id}/contributions`: anyone, while the consultation is
/// open.
#[utoipa::path(post, path = "/api/consultations/{id}/contributions", tag = "consultations",
    params(("id" = String, Path, description = "Identifiant de la consultation", example = "1")),
    request_body(content = Object, description = "`kind` (`commentaire`, `proposition`, `participation`), `orientation_id` ou `action_id`, `body`, `name`, `organisation`, `role`, `email` (jamais publiée), `siret`, `consent`"),
    responses((status = 201, description = "Reçue, en attente de modération", body = Object), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 403, description = "Origine invalide", body = ErrorBody), (status = 404, description = "Consultation inconnue", body = ErrorBody), (status = 409, description = "Incompatible avec l'état de la consultation", body = ErrorBody),
        (status = 413, description = "Contribution trop longue", body = ErrorBody),
        (status = 429, description = "Trop de contributions depuis cette adresse : réessayer plus tard", body = ErrorBody)))]
async fn contribute(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(f): Json<ContributionForm>,
) -> Result<Response, ApiError> {
    if !same_origin(&headers) {
        return Err(ApiError::Forbidden(
            "requête refusée : elle ne vient pas d'une page de l'atlas".into(),
        ));
    }
    let c = find(&state, &id).await?;
    if !open_now(&c) {
        return Err(ApiError::Conflict(format!(
            "cette consultation n'est pas ouverte (du {} au {}{})",
            crate::time::french_date(&c.starts_on),
            crate::time::french_date(&c.ends_on),
            if c.status == "close" { ", close" } else { "" }
        )));
    }
    check_form(&f)?;
    check_target(&state, &c, &f).await?;
    check_kind(&f)?;
    let siret = Some(f.siret.trim()).filter(|s| !s.is_empty());
    let recognised = match siret {
        Some(s) => state.db.establishment_commune(c.edition, s).await?,
        None => None,
    };
    let now = crate::time::unix_now();
    let (token, token_hash) = new_token()?;
    let row = state
        .db
        .add_contribution(
            &NewContribution {
                consultation_id: c.id,
                kind: &f.kind,
                orientation_id: f.orientation_id,
                action_id: f.action_id,
                body: f.body.trim(),
                name: f.name.trim(),
                organisation: f.organisation.trim(),
                role: f.role.trim(),
                email: f.email.trim(),
                siret,
                commune: recognised.as_ref().map(|(code, _)| code.as_str()),
                ip: &ip,
                confirm_token: &token_hash,
                confirm_expires_at: now + CONFIRM_DAYS * 86_400,
            },
            now,
            now - WINDOW_SECONDS,
            MAX_PER_ADDRESS,
        )
        .await?;
    let row = match row {
        Ok(row) => row,
        Err(Throttled::Address { oldest }) => {
            let retry_after = (oldest + WINDOW_SECONDS - now).max(1);
            return Err(ApiError::TooManyRequests {
                message: format!(
                    "trop de contributions envoyées depuis cette adresse : réessayez dans {} \
                     minute(s)",
                    (retry_after + 59) / 60
                ),
                retry_after,
            });
        }
    };
    // The address was checked above; a message that cannot be built is logged and
    // the contribution stays « à confirmer » (its author may send it again).
    match confirmation_message(&state, &c, &row, &token) {
        Ok(message) => state
            .mailer
            .send_later(message, "contribution confirmation"),
        Err(e) => tracing::error!("confirmation e-mail not built: {e}"),
    }
    let body = Received {
        id: row.id,
        status: "a_confirmer",
        message: "Merci ! Un courriel vient de vous être envoyé : suivez son lien dans les 7 \
                  jours pour confirmer votre contribution. Elle sera publiée après modération.",
        commune_name: commune_name(&state, row.commune.as_deref()),
    };
    Ok((StatusCode::CREATED, json(&body)?).into_response())
}

/// A contribution as moderators see it: with the e-mail.
#[derive(Serialize)]
struct StaffContribution {
    #[serde(flatten)]
    contribution: ContributionRow,
    email: String,
    kind_label: &'static str,
    status_label: &'static str,
    commune_name: Option<String>,
    received_at: String,
}

fn staff_view(state: &AppState, c: ContributionRow) -> StaffContribution {
    StaffContribution {
        email: c.email.clone(),
        kind_label: kind_label(&c.kind),
        status_label: status_label(&c.status),
        commune_name: commune_name(state, c.commune.as_deref()),
        received_at: crate::time::iso_from_unix(c.created_at),
        contribution: c,
    }
}

#[derive(Deserialize)]
struct StatusQuery {
    status: Option<String>,
}

/// The consultation `id`, if `user` moderates its territory.
async fn moderated(
    state: &AppState,
    user: &StaffUser,
    id: &str,
) -> Result<ConsultationRow, ApiError> {
    let c = find(state, id).await?;
    require_edit(user, &c.territory)?;
    Ok(c)
}

/// `GET /api/consultations/{id}/contributions?status=`: the territory's moderators.
#[utoipa::path(get, path = "/api/consultations/{id}/contributions", tag = "consultations", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de la consultation", example = "1"), ("status" = Option<String>, Query, description = "`en_attente`, `acceptee`, `refusee` ou `spam`", example = "en_attente")),
    responses((status = 200, description = "Les contributions, avec l'adresse électronique (`items`)", body = Object), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Consultation inconnue", body = ErrorBody)))]
async fn list_contributions(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
    Query(q): Query<StatusQuery>,
) -> Result<Response, ApiError> {
    let c = moderated(&state, &user, &id).await?;
    let items: Vec<StaffContribution> = state
        .db
        .contributions(c.id, q.status.as_deref())
        .await?
        .into_iter()
        // By default, what moderators can act on: not the unconfirmed ones.
        .filter(|x| q.status.is_some() || x.status != "a_confirmer")
        .map(|x| staff_view(&state, x))
        .collect();
    json(&super::zones::Items { items })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModerationForm {
    /// `acceptee`, `refusee` or `spam`.
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /api/contributions/{id}/moderation`: the territory's referent or a chargé
/// de mission.
#[utoipa::path(post, path = "/api/contributions/{id}/moderation", tag = "consultations", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de la contribution", example = "1")),
    request_body(content = Object, description = "`decision` (`acceptee`, `refusee`, `spam`) et `reason`"),
    responses((status = 200, description = "Modérée", body = Object), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Contribution inconnue", body = ErrorBody), (status = 409, description = "Incompatible avec l'état de la consultation", body = ErrorBody)))]
async fn moderate(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
    Json(f): Json<ModerationForm>,
) -> Result<Response, ApiError> {
    let cid = parse_id("contribution", &id)?;
    let contribution = state
        .db
        .contribution(cid)
        .await?
        .ok_or_else(|| ApiError::NotFound("contribution", id.clone()))?;
    moderated(&state, &user, &contribution.consultation_id.to_string()).await?;
    if !matches!(f.decision.as_str(), "acceptee" | "refusee" | "spam") {
        return Err(bad(format!(
            "décision {:?} inconnue : acceptee, refusee ou spam",
            f.decision
        )));
    }
    if f.decision == "acceptee" && contribution.status == "a_confirmer" {
        return Err(ApiError::Conflict(
            "cette contribution n'a pas été confirmée par son auteur (lien envoyé par \
             courriel) : elle ne peut pas être acceptée"
                .into(),
        ));
    }
    let reason = f.reason.trim();
    bounded("motif", reason, 500, f.decision == "refusee")?;
    let row = state
        .db
        .moderate_contribution(
            actor(&user),
            cid,
            &f.decision,
            Some(reason).filter(|r| !r.is_empty()),
        )
        .await?
        .ok_or_else(|| ApiError::NotFound("contribution", id))?;
    json(&staff_view(&state, row))
}

const EXPORT_HEADERS: [&str; 17] = [
    "numéro",
    "statut",
    "type",
    "orientation",
    "action",
    "texte",
    "nom",
    "organisation",
    "rôle",
    "adresse électronique",
    "siret",
    "commune",
    "consentement",
    "reçue le",
    "modérée par",
    "modérée le",
    "motif",
];

/// The export's rows, in [`EXPORT_HEADERS`]' order.
async fn export_rows(state: &AppState, c: &ConsultationRow) -> Result<Vec<[String; 17]>, ApiError> {
    let filter = PlanFilter {
        territory: Some(c.territory.clone()),
        edition: Some(c.edition),
        ..PlanFilter::default()
    };
    let orientations = state.db.orientations(&filter).await?;
    let actions = state.db.actions(&filter).await?;
    let title_o = |id: Option<i64>| {
        id.and_then(|i| orientations.iter().find(|o| o.id == i))
            .map(|o| o.fields.title.clone())
            .unwrap_or_default()
    };
    let title_a = |id: Option<i64>| {
        id.and_then(|i| actions.iter().find(|a| a.id == i))
            .map(|a| a.fields.title.clone())
            .unwrap_or_default()
    };
    Ok(state
        .db
        .contributions(c.id, None)
        .await?
        .into_iter()
        .map(|x| {
            [
                x.id.to_string(),
                status_label(&x.status).to_owned(),
                kind_label(&x.kind).to_owned(),
                title_o(x.orientation_id),
                title_a(x.action_id),
                x.body.clone(),
                x.name.clone(),
                x.organisation.clone(),
                x.role.clone(),
                x.email.clone(),
                x.siret.clone().unwrap_or_default(),
                commune_name(state, x.commune.as_deref()).unwrap_or_default(),
                x.consent_at.clone(),
                crate::time::iso_from_unix(x.created_at),
                x.moderated_by.clone().unwrap_or_default(),
                x.moderated_at.clone().unwrap_or_default(),
                x.reason.clone().unwrap_or_default(),
            ]
        })
        .collect())
}

fn attachment(name: &str, content_type: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

fn export_name(c: &ConsultationRow, ext: &str) -> String {
    format!("consultation-{}-{}-{}.{ext}", c.territory, c.edition, c.id)
}

/// `GET /api/consultations/{id}/export.csv`: the territory's moderators.
#[utoipa::path(get, path = "/api/consultations/{id}/export.csv", tag = "consultations", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de la consultation", example = "1")),
    responses((status = 200, description = "Les contributions (CSV)", content_type = "text/csv", body = String), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Consultation inconnue", body = ErrorBody)))]
async fn export_csv(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let c = moderated(&state, &user, &id).await?;
    let rows = export_rows(&state, &c).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| ApiError::Internal(e.into());
    out.write_record(EXPORT_HEADERS).map_err(internal)?;
    for row in &rows {
        out.write_record(row).map_err(internal)?;
    }
    let body = out
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(attachment(
        &export_name(&c, "csv"),
        "text/csv; charset=utf-8",
        body,
    ))
}

/// `GET /api/consultations/{id}/export.xlsx`: the territory's moderators.
#[utoipa::path(get, path = "/api/consultations/{id}/export.xlsx", tag = "consultations", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de la consultation", example = "1")),
    responses((status = 200, description = "Les contributions (XLSX)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Consultation inconnue", body = ErrorBody)))]
async fn export_xlsx(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let c = moderated(&state, &user, &id).await?;
    let rows = export_rows(&state, &c).await?;
    let internal = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(e.into());
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Contributions").map_err(internal)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (col, header) in (0u16..).zip(EXPORT_HEADERS) {
        sheet
            .write_string_with_format(0, col, header, &bold)
            .map_err(internal)?;
    }
    for (r, row) in (1u32..).zip(&rows) {
        for (col, value) in (0u16..).zip(row) {
            sheet.write_string(r, col, value).map_err(internal)?;
        }
    }
    let body = book.save_to_buffer().map_err(internal)?;
    Ok(attachment(
        &export_name(&c, "xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        body,
    ))
}

/// A new confirmation token (64 hex digits) and its SHA-256 (hex), which is stored.
fn new_token() -> Result<(String, String), ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("no randomness for a token: {e}")))?;
    let token = hex(&bytes);
    let hash = token_hash(&token);
    Ok((token, hash))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn token_hash(token: &str) -> String {
    use sha2::Digest as _;
    hex(&sha2::Sha256::digest(token.trim().as_bytes()))
}

fn consultation_title(state: &AppState, c: &ConsultationRow) -> String {
    format!(
        "{} — édition {}",
        scope_name(state, &c.territory).unwrap_or_else(|| c.territory.clone()),
        c.edition
    )
}

/// The e-mail to the author of `row` with its confirmation link.
fn confirmation_message(
    state: &AppState,
    c: &ConsultationRow,
    row: &ContributionRow,
    token: &str,
) -> Result<lettre::Message, crate::mail::MailError> {
    let to = crate::mail::mailbox(&row.email)?;
    let link = format!("{}/consultations/confirmer?jeton={token}", state.public_url);
    let until = crate::time::french_date(
        &crate::time::iso_from_unix(row.created_at + CONFIRM_DAYS * 86_400)[..10],
    );
    let text = format!(
        "Bonjour {name},\n\n\
         Vous avez envoyé une contribution à la consultation publique « {title} » de \
         l'atlas de l'économie sociale et solidaire du Pas-de-Calais.\n\n\
         Pour la confirmer, ouvrez le lien ci-dessous puis cliquez sur « Confirmer ma \
         contribution » (lien valable jusqu'au {until}) :\n\n\
         {link}\n\n\
         Une fois confirmée, votre contribution sera relue avant d'être publiée. Votre \
         adresse électronique n'est jamais publiée.\n\n\
         Si vous n'êtes pas à l'origine de cet envoi, ignorez ce message : la \
         contribution ne sera pas publiée.\n\n\
         -- \nAtlas de l'ESS du Pas-de-Calais\n",
        name = row.name,
        title = consultation_title(state, c),
    );
    state
        .mailer
        .message(&to, "Confirmez votre contribution à la consultation", &text)
}

/// Tells the moderators' addresses that `row` awaits moderation (no e-mail of the
/// author in it).
fn notify_moderators(state: &AppState, c: &ConsultationRow, row: &ContributionRow) {
    let excerpt: String = row.body.chars().take(600).collect();
    let text = format!(
        "Une contribution confirmée par son auteur attend votre modération.\n\n\
         Consultation : {title}\n\
         Type : {kind}\n\
         Auteur : {name}{organisation}\n\n\
         {excerpt}{more}\n\n\
         Pour l'accepter, la refuser ou la marquer comme indésirable : {url}/espace\n",
        title = consultation_title(state, c),
        kind = kind_label(&row.kind),
        name = row.name,
        organisation = if row.organisation.is_empty() {
            String::new()
        } else {
            format!(" ({})", row.organisation)
        },
        more = if row.body.chars().count() > 600 {
            "…"
        } else {
            ""
        },
        url = state.public_url,
    );
    let subject = format!(
        "Contribution à modérer — {}",
        scope_name(state, &c.territory).unwrap_or_else(|| c.territory.clone())
    );
    for address in state.moderators.iter() {
        match crate::mail::mailbox(address)
            .and_then(|to| state.mailer.message(&to, &subject, &text))
        {
            Ok(message) => state.mailer.send_later(message, "moderation notice"),
            Err(e) => tracing::error!("moderation notice to {address:?} not built: {e}"),
        }
    }
}

/// The confirmation pages (not under `/api`: a person opens them from an e-mail).
pub fn confirmation_routes() -> axum::Router<AppState> {
    axum::Router::new().route(
        "/consultations/confirmer",
        axum::routing::get(confirmation_page).post(confirm),
    )
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    jeton: String,
}

/// A small French page; `state` names what it says, for tests and styles. Its
/// referrer policy keeps the token in its URL from other sites (`same-origin`, not
/// `no-referrer`, which makes browsers send `Origin: null` with the form's POST).
fn page(status: StatusCode, state: &str, title: &str, inner: &str) -> Response {
    let body = format!(
        r#"<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <meta name="referrer" content="same-origin">
  <title>{title} — Atlas de l'ESS</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/css/app.css">
  <link rel="stylesheet" href="/css/pages.css">
</head>
<body class="page">
  <header class="page-top">
    <a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span><span class="brand-title">Atlas de l'ESS</span></a>
  </header>
  <main class="page-main" data-testid="confirmation-page" data-state="{state}">
    <section class="page-card">
      <p class="page-kind">Consultation publique</p>
      <h1 class="page-title">{title}</h1>
      {inner}
    </section>
  </main>
</body>
</html>
"#
    );
    (
        status,
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// The page for a link that cannot confirm.
fn refusal_page(found: &Confirmation) -> Response {
    let (status, state, title, text) = match found {
        Confirmation::Used => (
            StatusCode::CONFLICT,
            "deja-utilise",
            "Lien déjà utilisé",
            "Ce lien de confirmation a déjà servi : votre contribution est confirmée (ou a \
             déjà été traitée). Il n'y a rien d'autre à faire.",
        ),
        Confirmation::Expired => (
            StatusCode::GONE,
            "expire",
            "Lien expiré",
            "Ce lien de confirmation n'est plus valable (il l'était 7 jours). Si la \
             consultation est encore ouverte, envoyez à nouveau votre contribution.",
        ),
        Confirmation::Unknown | Confirmation::Valid(_) => (
            StatusCode::NOT_FOUND,
            "inconnu",
            "Lien inconnu",
            "Ce lien de confirmation ne correspond à aucune contribution. Vérifiez qu'il a \
             été copié en entier depuis le courriel.",
        ),
    };
    page(
        status,
        state,
        title,
        &format!("<p>{text}</p>\n      <p><a class=\"btn\" href=\"/\">Retour à la carte</a></p>"),
    )
}

fn missing_token() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "incomplet",
        "Lien incomplet",
        "<p>Ce lien ne contient pas de jeton de confirmation. Ouvrez le lien reçu par \
         courriel, en entier.</p>",
    )
}

/// `GET /consultations/confirmer?jeton=`: says what the link designates and shows the
/// button that confirms; changes nothing.
async fn confirmation_page(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<TokenForm>,
) -> Result<Response, ApiError> {
    if q.jeton.trim().is_empty() {
        return Ok(missing_token());
    }
    let found = state
        .db
        .confirmation(&token_hash(&q.jeton), crate::time::unix_now())
        .await?;
    let Confirmation::Valid(row) = found else {
        return Ok(refusal_page(&found));
    };
    let c = find(&state, &row.consultation_id.to_string()).await?;
    let excerpt: String = row.body.chars().take(400).collect();
    Ok(page(
        StatusCode::OK,
        "a-confirmer",
        "Confirmer votre contribution",
        &format!(
            "<p>Contribution à la consultation « {title} » ({kind}) :</p>\n      \
             <blockquote>{excerpt}</blockquote>\n      \
             <form method=\"post\" action=\"/consultations/confirmer\">\n        \
             <input type=\"hidden\" name=\"jeton\" value=\"{token}\">\n        \
             <button class=\"btn btn--primary\" type=\"submit\">Confirmer ma contribution</button>\n      \
             </form>\n      \
             <p class=\"muted\">Rien n'est confirmé tant que vous n'avez pas cliqué.</p>",
            title = escape(&consultation_title(&state, &c)),
            kind = escape(kind_label(&row.kind)),
            excerpt = escape(&excerpt),
            token = escape(q.jeton.trim()),
        ),
    ))
}

/// `POST /consultations/confirmer` (form field `jeton`): confirms, once.
async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<TokenForm>,
) -> Result<Response, ApiError> {
    if !same_origin(&headers) {
        return Ok(page(
            StatusCode::FORBIDDEN,
            "refuse",
            "Demande refusée",
            "<p>Cette confirmation ne vient pas d'une page de l'atlas. Ouvrez le lien reçu \
             par courriel et cliquez sur le bouton.</p>",
        ));
    }
    if f.jeton.trim().is_empty() {
        return Ok(missing_token());
    }
    let found = state
        .db
        .confirm_contribution(&token_hash(&f.jeton), crate::time::unix_now())
        .await?;
    let Confirmation::Valid(row) = found else {
        return Ok(refusal_page(&found));
    };
    let c = find(&state, &row.consultation_id.to_string()).await?;
    notify_moderators(&state, &c, &row);
    Ok(page(
        StatusCode::OK,
        "confirmee",
        "Contribution confirmée",
        &format!(
            "<p>Merci : votre contribution à la consultation « {title} » est confirmée. \
             Elle sera publiée après modération.</p>\n      \
             <p><a class=\"btn btn--primary\" href=\"/\">Retour à la carte</a></p>",
            title = escape(&consultation_title(&state, &c)),
        ),
    ))
}
