//! Moderation of a consultation's contributions by the territory's referent or a
//! chargé de mission, and their exports (CSV, XLSX).

#[allow(unused_imports)]
use crate::api::openapi::ErrorBody;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::contribute::{bad, bounded};
use super::{commune_name, find, kind_label, status_label};
use crate::api::AppState;
use crate::api::error::{ApiError, Json, Path, Query};
use crate::api::json;
use crate::api::portraits::{actor, parse_id, require_edit};
use crate::api::session::Staff;
use crate::auth::StaffUser;
use crate::db::{ConsultationRow, ContributionRow, PlanFilter};

/// A contribution as moderators see it: with the e-mail.
#[derive(Serialize, utoipa::ToSchema)]
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
pub(super) struct StatusQuery {
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
    responses((status = 200, description = "Les contributions, avec l'adresse électronique (`items`)", body = super::super::zones::Items<StaffContribution>), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Consultation inconnue", body = ErrorBody)))]
pub(super) async fn list_contributions(
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
    json(&super::super::zones::Items { items })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ModerationForm {
    /// `acceptee`, `refusee` or `spam`.
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /api/contributions/{id}/moderation`: the territory's referent or a chargé
/// de mission.
#[utoipa::path(post, path = "/api/contributions/{id}/moderation", tag = "consultations", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de la contribution", example = "1")),
    request_body(content = ModerationForm, description = "`decision` (`acceptee`, `refusee`, `spam`) et `reason`", example = json!({"decision": "refusee", "reason": "Hors du champ de la consultation"})),
    responses((status = 200, description = "Modérée", body = StaffContribution), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody), (status = 404, description = "Contribution inconnue", body = ErrorBody), (status = 409, description = "Incompatible avec l'état de la consultation", body = ErrorBody)))]
pub(super) async fn moderate(
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
    let reason = checked_decision(
        "cette contribution",
        &contribution.status,
        &f.decision,
        &f.reason,
    )?;
    let row = state
        .db
        .moderate_contribution(actor(&user), cid, &f.decision, reason)
        .await?
        .ok_or_else(|| ApiError::NotFound("contribution", id))?;
    json(&staff_view(&state, row))
}

/// The checks every moderation of the public's writings shares (contributions here,
/// organisations' declarations in `api::declarations`): a known decision, never
/// `acceptee` before the author confirmed (`what` names the writing, « cette
/// contribution »), a reason of at most 500 characters, required to decline. The
/// reason to store, if any.
pub(crate) fn checked_decision<'r>(
    what: &str,
    status: &str,
    decision: &str,
    reason: &'r str,
) -> Result<Option<&'r str>, ApiError> {
    if !matches!(decision, "acceptee" | "refusee" | "spam") {
        return Err(bad(format!(
            "décision {decision:?} inconnue : acceptee, refusee ou spam"
        )));
    }
    if decision == "acceptee" && status == "a_confirmer" {
        return Err(ApiError::Conflict(format!(
            "{what} n'a pas été confirmée par son auteur (lien envoyé par courriel) : elle \
             ne peut pas être acceptée"
        )));
    }
    let reason = reason.trim();
    bounded("motif", reason, 500, decision == "refusee")?;
    Ok(Some(reason).filter(|r| !r.is_empty()))
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
pub(super) async fn export_csv(
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
pub(super) async fn export_xlsx(
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
