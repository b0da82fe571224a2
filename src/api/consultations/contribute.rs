//! Contributing to an open consultation without an account: the form's checks, the
//! abuse limits, the confirmation token and the e-mails it sends.

#[allow(unused_imports)]
use crate::api::openapi::ErrorBody;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{
    CONFIRM_DAYS, MAX_PER_ADDRESS, MAX_SHORT, MAX_TEXT, WINDOW_SECONDS, commune_name, find,
    kind_label, open_now,
};
use crate::api::AppState;
use crate::api::error::{ApiError, Json, Path};
use crate::api::json;
use crate::api::portraits::scope_name;
use crate::api::session::{ClientIp, same_origin};
use crate::db::{ConsultationRow, ContributionRow, NewContribution, PlanFilter, Throttled};

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct ContributionForm {
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
    // The honeypot: hidden on the form, only robots fill it (not in the document).
    #[serde(default)]
    #[schema(ignore)]
    site_web: String,
}

pub(crate) fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

pub(crate) fn bounded(what: &str, text: &str, max: usize, required: bool) -> Result<(), ApiError> {
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

pub(crate) fn plausible_email(email: &str) -> bool {
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

#[derive(Serialize, utoipa::ToSchema)]
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
    request_body(content = ContributionForm, description = "`kind` (`commentaire`, `proposition`, `participation`), `orientation_id` ou `action_id`, `body`, `name`, `organisation`, `role`, `email` (jamais publiée), `siret`, `consent`", example = json!({"kind": "commentaire", "orientation_id": 1, "body": "Les recycleries du territoire pourraient mutualiser leur collecte.", "name": "Camille Martin", "organisation": "Ressourcerie d'Arras", "role": "Coordinatrice", "email": "camille.martin@example.org", "siret": "", "consent": true})),
    responses((status = 201, description = "Reçue, en attente de modération", body = Received), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 403, description = "Origine invalide", body = ErrorBody), (status = 404, description = "Consultation inconnue", body = ErrorBody), (status = 409, description = "Incompatible avec l'état de la consultation", body = ErrorBody),
        (status = 413, description = "Contribution trop longue", body = ErrorBody),
        (status = 429, description = "Trop de contributions depuis cette adresse : réessayer plus tard", body = ErrorBody)))]
pub(super) async fn contribute(
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

/// A new confirmation token (64 hex digits) and its SHA-256 (hex), which is stored.
pub(crate) fn new_token() -> Result<(String, String), ApiError> {
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

pub(crate) fn token_hash(token: &str) -> String {
    use sha2::Digest as _;
    hex(&sha2::Sha256::digest(token.trim().as_bytes()))
}

pub(super) fn consultation_title(state: &AppState, c: &ConsultationRow) -> String {
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
pub(super) fn notify_moderators(state: &AppState, c: &ConsultationRow, row: &ContributionRow) {
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
    tell_moderators(state, &subject, &text);
}

/// Sends `subject` and `text` to the addresses of [`AppState::moderators`] (also
/// for the organisations' declarations).
pub(crate) fn tell_moderators(state: &AppState, subject: &str, text: &str) {
    for address in state.moderators.iter() {
        match crate::mail::mailbox(address).and_then(|to| state.mailer.message(&to, subject, text))
        {
            Ok(message) => state.mailer.send_later(message, "moderation notice"),
            Err(e) => tracing::error!("moderation notice to {address:?} not built: {e}"),
        }
    }
}
