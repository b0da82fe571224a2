//! Partners' proposals over HTTP (issue 20, « comptes partenaires »).
//!
//! A partner account (the CRESS, the APES, another ESS network; role `partenaire`,
//! scoped to territories like a referent) reads the draft portrait and plan of its
//! territories (`/api/propositions/contexte`) and proposes: text for a qualitative
//! section, a new orientation, a new action of an orientation, a comment on an
//! orientation or action. The territory's referent or a chargé de mission (or an
//! admin) accepts it, possibly after editing its text, which merges it into the
//! portrait or plan with the partner's organisation credited, or declines it with a
//! reason. A partner sees its own proposals only (another partner's is 404 to it);
//! the Département's staff see them all. Accepted ones are public, credited, once
//! the portrait is published (`partner_credits` of the portrait); pending and
//! declined ones never are.
//!
//! Every route takes a session ([`Account`]: partners included, CSRF on mutations);
//! what each role may do is decided here. Each proposal and decision is recorded in
//! the history (entity `proposition`), with the portrait, orientation or action the
//! acceptance wrote.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Json, Path, Query};
use super::json;
use super::portraits::{
    OrientationWithActions, actor, parse_edition, parse_id, plan_of, require_edit, require_edition,
    scope_name, status_label as portrait_status_label,
};
use super::session::Account;
use crate::api::AppState;
use crate::auth::StaffUser;
use crate::db::{
    ActionFields, Decided, Decision, Merge, NewProposal, OrientationFields, PartnerCredit,
    PlanFilter, ProposalFilter, ProposalRow,
};
use crate::portraits::{self, FreeSection, PortraitSections, RenderedSections};

/// Longest title of a proposal, characters.
const MAX_TITLE: usize = 300;
/// Longest text of a proposal, characters.
const MAX_BODY: usize = 20_000;
/// Longest reason of a refusal, characters.
const MAX_REASON: usize = 1000;

/// The sections a partner may propose text for.
const SECTIONS: [(&str, &str); 3] = [
    ("jeux_acteurs", "Jeux d'acteurs"),
    ("dynamiques_projets", "Dynamiques de projets"),
    ("libre", "Nouvelle section"),
];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_proposals, propose))
        .routes(routes!(context))
        .routes(routes!(get_proposal))
        .routes(routes!(decide))
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "section" => "Texte pour le portrait",
        "orientation" => "Nouvelle orientation",
        "action" => "Nouvelle action",
        "commentaire" => "Commentaire",
        _ => "Autre",
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "en_attente" => "En attente",
        "acceptee" => "Acceptée",
        "refusee" => "Refusée",
        _ => "Inconnu",
    }
}

fn section_label(section: Option<&str>) -> Option<&'static str> {
    section.and_then(|s| SECTIONS.iter().find(|(k, _)| *k == s).map(|(_, l)| *l))
}

/// The public credit line of an organisation's accepted proposal.
#[must_use]
pub fn credit_line(organisation: &str) -> String {
    format!("Proposé par : {organisation}")
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

/// A text field: bounded, required when asked, no control characters but line breaks.
fn check_text(what: &str, text: &str, max: usize, required: bool) -> Result<(), ApiError> {
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

/// A proposal as its author and the staff see it.
#[derive(Serialize, utoipa::ToSchema)]
struct ProposalView {
    #[serde(flatten)]
    row: ProposalRow,
    territory_name: Option<String>,
    kind_label: &'static str,
    status_label: &'static str,
    section_label: Option<&'static str>,
    /// « Proposé par : … », as shown publicly once accepted.
    credit: String,
    /// Accepted after the moderator edited its text.
    edited: bool,
    /// The title of the orientation or action it concerns.
    target_title: Option<String>,
}

async fn view(
    state: &AppState,
    viewer: &StaffUser,
    mut row: ProposalRow,
) -> Result<ProposalView, ApiError> {
    let target_title = match (row.action_id, row.orientation_id) {
        (Some(a), _) => state.db.action(a, false).await?.map(|a| a.fields.title),
        (None, Some(o)) => state
            .db
            .orientation(o, false)
            .await?
            .map(|o| o.fields.title),
        (None, None) => None,
    };
    if viewer.is_partner() {
        // Staff user names are the Département's business.
        row.decided_by = None;
    }
    Ok(ProposalView {
        territory_name: scope_name(state, &row.territory),
        kind_label: kind_label(&row.kind),
        status_label: status_label(&row.status),
        section_label: section_label(row.section.as_deref()),
        credit: credit_line(&row.organisation),
        edited: row.edited(),
        target_title,
        row,
    })
}

#[derive(Deserialize)]
struct ListQuery {
    territory: Option<String>,
    edition: Option<String>,
    status: Option<String>,
}

/// `GET /api/propositions?territory=&edition=&status=`: a partner's own proposals, or
/// every proposal for the staff; newest first.
#[utoipa::path(get, path = "/api/propositions", tag = "propositions", security(("session" = [])),
    params(("territory" = Option<String>, Query, description = "Code du territoire", example = "ARR"),
        ("edition" = Option<i32>, Query, description = "Année de l'édition", example = 2023),
        ("status" = Option<String>, Query, description = "`en_attente`, `acceptee` ou `refusee`", example = "en_attente")),
    responses((status = 200, description = "Les propositions (`items`) : les siennes pour un partenaire, toutes pour l'équipe", body = super::zones::Items<ProposalView>), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody)))]
async fn list_proposals(
    State(state): State<AppState>,
    Account(user): Account,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    if let Some(s) = &q.status
        && !matches!(s.as_str(), "en_attente" | "acceptee" | "refusee")
    {
        return Err(bad(format!(
            "statut {s:?} inconnu : en_attente, acceptee ou refusee"
        )));
    }
    let filter = ProposalFilter {
        territory: q.territory,
        edition: q.edition.as_deref().map(parse_edition).transpose()?,
        status: q.status,
        author_id: user.is_partner().then_some(user.id),
    };
    let mut items = Vec::new();
    for row in state.db.proposals(&filter).await? {
        items.push(view(&state, &user, row).await?);
    }
    json(&super::zones::Items { items })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ProposalForm {
    territory: String,
    edition: i64,
    /// `section`, `orientation`, `action` or `commentaire`.
    kind: String,
    #[serde(default)]
    section: Option<String>,
    #[serde(default)]
    orientation_id: Option<i64>,
    #[serde(default)]
    action_id: Option<i64>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

/// The orientation or action a proposal concerns is of its territory and edition.
async fn check_target(state: &AppState, f: &ProposalForm) -> Result<(), ApiError> {
    let elsewhere = || {
        bad(format!(
            "l'orientation ou l'action visée n'appartient pas au plan du territoire {} \
             (édition {})",
            f.territory, f.edition
        ))
    };
    if let Some(o) = f.orientation_id {
        let o = state
            .db
            .orientation(o, false)
            .await?
            .ok_or_else(elsewhere)?;
        if o.fields.territory != f.territory || o.fields.edition != f.edition {
            return Err(elsewhere());
        }
    }
    if let Some(a) = f.action_id {
        let a = state.db.action(a, false).await?.ok_or_else(elsewhere)?;
        if a.territory != f.territory || a.edition != f.edition {
            return Err(elsewhere());
        }
    }
    Ok(())
}

/// The proposal's kind and what it concerns go together.
fn check_kind(f: &ProposalForm, title: &str, body: &str) -> Result<(), ApiError> {
    let target = (f.orientation_id.is_some(), f.action_id.is_some());
    if f.kind != "section" && f.section.is_some() {
        return Err(bad("seul un texte pour le portrait désigne une section"));
    }
    match f.kind.as_str() {
        "section" => {
            let section = f.section.as_deref().unwrap_or_default();
            if section_label(Some(section)).is_none() {
                return Err(bad(format!(
                    "section {section:?} inconnue : jeux_acteurs, dynamiques_projets ou libre"
                )));
            }
            if target != (false, false) {
                return Err(bad(
                    "un texte pour le portrait ne vise ni orientation ni action",
                ));
            }
            check_text("titre", title, MAX_TITLE, section == "libre")?;
            check_text("texte", body, MAX_BODY, true)
        }
        "orientation" if target == (false, false) => {
            check_text("titre", title, MAX_TITLE, true)?;
            check_text("description", body, MAX_BODY, false)
        }
        "action" if target == (true, false) => {
            check_text("titre", title, MAX_TITLE, true)?;
            check_text("description", body, MAX_BODY, false)
        }
        "commentaire" if matches!(target, (true, false) | (false, true)) => {
            check_text("titre", title, MAX_TITLE, false)?;
            check_text("commentaire", body, MAX_BODY, true)
        }
        "orientation" => Err(bad(
            "une nouvelle orientation ne vise ni orientation ni action",
        )),
        "action" => Err(bad(
            "une nouvelle action se rattache à une orientation (orientation_id)",
        )),
        "commentaire" => Err(bad(
            "un commentaire porte sur une orientation ou sur une action (l'une des deux)",
        )),
        other => Err(bad(format!(
            "type {other:?} inconnu : section, orientation, action ou commentaire"
        ))),
    }
}

/// `POST /api/propositions`: a partner, for its territories.
#[utoipa::path(post, path = "/api/propositions", tag = "propositions", security(("session" = [])),
    request_body(content = ProposalForm, description = "`territory`, `edition`, `kind` (`section`, `orientation`, `action`, `commentaire`), `section` (`jeux_acteurs`, `dynamiques_projets`, `libre`), `orientation_id` ou `action_id`, `title`, `body` (Markdown pour une section)",
        example = json!({"territory": "ARR", "edition": 2023, "kind": "section", "section": "jeux_acteurs", "body": "Les SIAE de l'Arrageois se sont regroupées…"})),
    responses((status = 201, description = "Reçue, en attente de décision", body = ProposalView), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Pas un compte partenaire, territoire non attribué, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Édition inconnue", body = ErrorBody),
        (status = 409, description = "Le portrait n'est plus un brouillon", body = ErrorBody)))]
async fn propose(
    State(state): State<AppState>,
    Account(user): Account,
    Json(f): Json<ProposalForm>,
) -> Result<Response, ApiError> {
    if !user.is_partner() {
        return Err(ApiError::Forbidden(
            "seuls les comptes partenaires font des propositions : l'équipe du Département \
             modifie directement le portrait et le plan"
                .into(),
        ));
    }
    if !user.can_propose(&f.territory) {
        return Err(ApiError::Forbidden(format!(
            "vous ne pouvez pas faire de proposition pour le territoire {} : il n'est pas \
             attribué à votre compte",
            f.territory
        )));
    }
    require_edition(&state, f.edition).await?;
    let (title, body) = (f.title.trim(), f.body.trim());
    check_kind(&f, title, body)?;
    check_target(&state, &f).await?;
    if f.kind == "section"
        && let Some(p) = state.db.portrait(&f.territory, f.edition).await?
        && p.status != "brouillon"
    {
        return Err(ApiError::Conflict(format!(
            "le portrait est « {} » : on ne propose de texte que pour un brouillon",
            portrait_status_label(&p.status)
        )));
    }
    let row = state
        .db
        .add_proposal(
            actor(&user),
            &NewProposal {
                territory: &f.territory,
                edition: f.edition,
                kind: &f.kind,
                section: f.section.as_deref(),
                orientation_id: f.orientation_id,
                action_id: f.action_id,
                title,
                body,
                organisation: user.credited_as(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, json(&view(&state, &user, row).await?)?).into_response())
}

/// The proposal `id` as `user` may see it: a partner, its own only (404 otherwise, as
/// if it did not exist).
async fn visible(state: &AppState, user: &StaffUser, id: &str) -> Result<ProposalRow, ApiError> {
    let n = parse_id("proposition", id)?;
    state
        .db
        .proposal(n)
        .await?
        .filter(|p| !user.is_partner() || p.author_id == user.id)
        .ok_or_else(|| ApiError::NotFound("proposition", id.to_owned()))
}

#[utoipa::path(get, path = "/api/propositions/{id}", tag = "propositions", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de la proposition", example = "1")),
    responses((status = 200, description = "La proposition et son état", body = ProposalView), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody),
        (status = 404, description = "Inconnue (ou, pour un partenaire, pas la sienne)", body = ErrorBody)))]
async fn get_proposal(
    State(state): State<AppState>,
    Account(user): Account,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = visible(&state, &user, &id).await?;
    json(&view(&state, &user, row).await?)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct DecisionForm {
    /// `acceptee` or `refusee`.
    decision: String,
    #[serde(default)]
    reason: String,
    /// The moderator's edit of the title, when accepting.
    #[serde(default)]
    title: Option<String>,
    /// The moderator's edit of the text, when accepting.
    #[serde(default)]
    body: Option<String>,
    /// A new orientation's period (default: the territory's other orientations', else
    /// the six years after the edition, as 2015–2021 for 2014).
    #[serde(default)]
    period_start: Option<i64>,
    #[serde(default)]
    period_end: Option<i64>,
}

/// Appends `addition` to a Markdown section, as a new paragraph.
fn append(text: &mut String, addition: &str) {
    if !text.trim().is_empty() {
        text.truncate(text.trim_end().len());
        text.push_str("\n\n");
    }
    text.push_str(addition);
}

/// What accepting `p` with `title` and `body` merges.
async fn merge_of(
    state: &AppState,
    p: &ProposalRow,
    f: &DecisionForm,
    title: &str,
    body: &str,
) -> Result<Merge, ApiError> {
    Ok(match p.kind.as_str() {
        "section" => {
            let portrait = state.db.portrait(&p.territory, p.edition).await?;
            if let Some(current) = &portrait
                && current.status != "brouillon"
            {
                return Err(not_draft(&current.status));
            }
            let mut sections: PortraitSections = match &portrait {
                Some(current) => serde_json::from_value(current.sections.clone()).map_err(|e| {
                    ApiError::Internal(anyhow::anyhow!("stored portrait sections: {e}"))
                })?,
                None => PortraitSections::default(),
            };
            match p.section.as_deref() {
                Some("jeux_acteurs") => append(&mut sections.jeux_acteurs, body),
                Some("dynamiques_projets") => append(&mut sections.dynamiques_projets, body),
                _ => sections.free_sections.push(FreeSection {
                    title: title.to_owned(),
                    body: body.to_owned(),
                }),
            }
            sections.validate()?;
            Merge::Sections {
                before: portrait.map(|c| c.sections),
                after: serde_json::to_value(&sections).map_err(|e| ApiError::Internal(e.into()))?,
            }
        }
        "orientation" => {
            let filter = PlanFilter {
                territory: Some(p.territory.clone()),
                edition: Some(p.edition),
                ..PlanFilter::default()
            };
            let usual = state
                .db
                .orientations(&filter)
                .await?
                .first()
                .map_or((p.edition + 1, p.edition + 7), |o| {
                    (o.fields.period_start, o.fields.period_end)
                });
            let fields = OrientationFields {
                territory: p.territory.clone(),
                edition: p.edition,
                period_start: f.period_start.unwrap_or(usual.0),
                period_end: f.period_end.unwrap_or(usual.1),
                title: title.to_owned(),
                description: body.to_owned(),
            };
            portraits::validate_orientation(&state.geography, &fields)?;
            Merge::Orientation(fields)
        }
        "action" => {
            let orientation_id = p.orientation_id.unwrap_or_default();
            if state.db.orientation(orientation_id, false).await?.is_none() {
                return Err(ApiError::Conflict(
                    "l'orientation de cette proposition a été supprimée : refusez-la avec un \
                     motif"
                        .into(),
                ));
            }
            let fields = ActionFields {
                orientation_id,
                title: title.to_owned(),
                description: body.to_owned(),
                epci: Vec::new(),
                pilot: String::new(),
                partners: Vec::new(),
                budgets: Vec::new(),
                status: "a_venir".to_owned(),
                flagship: false,
                start_date: None,
                end_date: None,
                indicators: Vec::new(),
            };
            portraits::validate_action(&state.geography, &fields)?;
            Merge::Action(fields)
        }
        _ => Merge::Comment,
    })
}

fn not_draft(status: &str) -> ApiError {
    ApiError::Conflict(format!(
        "le portrait est « {} » : seul un brouillon reçoit un texte proposé ; refusez la \
         proposition avec un motif, ou attendez le retour du portrait en brouillon",
        portrait_status_label(status)
    ))
}

/// `POST /api/propositions/{id}/decision`: the territory's referent, a chargé de mission
/// or an admin.
#[utoipa::path(post, path = "/api/propositions/{id}/decision", tag = "propositions", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de la proposition", example = "1")),
    request_body(content = DecisionForm, description = "`decision` (`acceptee`, `refusee`), `reason` (obligatoire pour un refus) ; pour accepter après modification : `title`, `body` (et `period_start`, `period_end` pour une orientation)",
        example = json!({"decision": "refusee", "reason": "Déjà couvert par l'action n° 12."})),
    responses((status = 200, description = "Décidée (acceptée : intégrée au portrait ou au plan)", body = ProposalView), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle ou territoire non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Proposition inconnue", body = ErrorBody),
        (status = 409, description = "Déjà décidée, ou portrait qui n'est plus un brouillon ou a changé entre-temps", body = ErrorBody)))]
async fn decide(
    State(state): State<AppState>,
    Account(user): Account,
    Path(id): Path<String>,
    Json(f): Json<DecisionForm>,
) -> Result<Response, ApiError> {
    if user.is_partner() {
        return Err(ApiError::Forbidden(
            "un partenaire ne décide pas des propositions : le référent du territoire ou un \
             chargé de mission le fait"
                .into(),
        ));
    }
    let p = visible(&state, &user, &id).await?;
    require_edit(&user, &p.territory)?;
    if p.status != "en_attente" {
        return Err(already(&p.status));
    }
    let reason = f.reason.trim();
    let title = f.title.as_deref().map_or(p.title.as_str(), str::trim);
    let body = f.body.as_deref().map_or(p.body.as_str(), str::trim);
    let decision = match f.decision.as_str() {
        "refusee" => {
            check_text("motif", reason, MAX_REASON, true)?;
            Decision::Decline { reason }
        }
        "acceptee" => {
            let free = p.kind == "section" && p.section.as_deref() == Some("libre");
            let title_required = matches!(p.kind.as_str(), "orientation" | "action") || free;
            check_text("titre", title, MAX_TITLE, title_required)?;
            check_text(
                "texte",
                body,
                MAX_BODY,
                p.kind == "section" || p.kind == "commentaire",
            )?;
            Decision::Accept {
                title,
                body,
                merge: Box::new(merge_of(&state, &p, &f, title, body).await?),
            }
        }
        other => {
            return Err(bad(format!(
                "décision {other:?} inconnue : acceptee ou refusee"
            )));
        }
    };
    match state
        .db
        .decide_proposal(actor(&user), p.id, &decision)
        .await?
    {
        Decided::Done(row) => json(&view(&state, &user, *row).await?),
        Decided::Unknown => Err(ApiError::NotFound("proposition", id)),
        Decided::NotPending(status) => Err(already(&status)),
        Decided::NotDraft(status) => Err(not_draft(&status)),
        Decided::Stale => Err(ApiError::Conflict(
            "le portrait a été modifié entre-temps : rechargez la page et recommencez".into(),
        )),
    }
}

fn already(status: &str) -> ApiError {
    ApiError::Conflict(format!(
        "cette proposition a déjà été traitée (« {} »)",
        status_label(status).to_lowercase()
    ))
}

#[derive(Deserialize)]
struct ContextQuery {
    territory: String,
    edition: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct PortraitDraft {
    status: String,
    status_label: &'static str,
    sections: PortraitSections,
    html: RenderedSections,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Context {
    territory: String,
    territory_name: Option<String>,
    edition: i64,
    /// The portrait as it stands (a draft included); `null` when none is written yet.
    portrait: Option<PortraitDraft>,
    #[schema(value_type = Vec<super::schemas::OrientationWithActionsAnswer>)]
    orientations: Vec<OrientationWithActions>,
    /// The accepted proposals of every partner, credited.
    partner_credits: Vec<PartnerCredit>,
}

/// `GET /api/propositions/contexte?territory=&edition=`: what a partner proposes on.
#[utoipa::path(get, path = "/api/propositions/contexte", tag = "propositions", security(("session" = [])),
    params(("territory" = String, Query, description = "Code du territoire", example = "ARR"),
        ("edition" = String, Query, description = "Année de l'édition", example = "2023")),
    responses((status = 200, description = "Le portrait (même en brouillon), les orientations et actions du territoire, les propositions acceptées", body = Context), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Territoire non attribué à ce partenaire", body = ErrorBody),
        (status = 404, description = "Territoire ou édition inconnus", body = ErrorBody)))]
async fn context(
    State(state): State<AppState>,
    Account(user): Account,
    Query(q): Query<ContextQuery>,
) -> Result<Response, ApiError> {
    let edition = parse_edition(&q.edition)?;
    if !portraits::is_plan_scope(&state.geography, &q.territory) {
        return Err(ApiError::NotFound("territory", q.territory));
    }
    if user.is_partner() && !user.can_propose(&q.territory) {
        return Err(ApiError::Forbidden(format!(
            "le territoire {} n'est pas attribué à votre compte",
            q.territory
        )));
    }
    require_edition(&state, edition).await?;
    let portrait = match state.db.portrait(&q.territory, edition).await? {
        Some(p) => {
            let sections: PortraitSections = serde_json::from_value(p.sections).map_err(|e| {
                ApiError::Internal(anyhow::anyhow!("stored portrait sections: {e}"))
            })?;
            Some(PortraitDraft {
                status_label: portrait_status_label(&p.status),
                status: p.status,
                html: sections.render(),
                sections,
            })
        }
        None => None,
    };
    let filter = PlanFilter {
        territory: Some(q.territory.clone()),
        edition: Some(edition),
        ..PlanFilter::default()
    };
    let orientations = plan_of(&state, &filter).await?;
    json(&Context {
        territory_name: scope_name(&state, &q.territory),
        partner_credits: state
            .db
            .partner_credits(Some(&q.territory), Some(edition), false)
            .await?,
        territory: q.territory,
        edition,
        portrait,
        orientations,
    })
}
