//! Organisations speak for themselves (issue 20): from its card on the map, an ESS
//! establishment proposes additions to its record — a presentation (Markdown, as the
//! portraits' sections: raw HTML shown as text, unsafe links dropped), a website
//! (`http`/`https` only), the ESUS agrément, labels, networks it belongs to,
//! activities. The newest accepted declaration is shown on the card under « Déclaré
//! par la structure »; none ever changes a figure (the statistics read SIRENE only),
//! and no answer here carries a person's name, role or e-mail publicly.
//!
//! Everything about the person who declares is the consultations'
//! ([`crate::api::consultations`]), reused rather than copied: the same checks (lengths
//! and control characters, the e-mail's plausibility, consent, the `site_web`
//! honeypot, the 16 KiB body limit), the same per-address limit
//! ([`crate::api::consultations::MAX_PER_ADDRESS`] per
//! [`crate::api::consultations::WINDOW_SECONDS`]), the same single-use e-mailed token
//! and confirmation page with its button (`/structures/confirmer`, in `confirmation`),
//! the same moderation states, decided by the territory's referent or a chargé de
//! mission (in `moderation`), the same moderators' notice, retention and erasure
//! (`ess-atlas consultations purge/erase` and the daily task cover declarations too).
//! The table is a sibling of the
//! contributions' (`db::declarations` says why).

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::consultations::{
    CONFIRM_DAYS, MAX_BODY_BYTES, MAX_PER_ADDRESS, MAX_SHORT, WINDOW_SECONDS, bad, bounded,
    new_token, plausible_email,
};
use super::error::{ApiError, Json, Path};
use super::json;
use super::session::{ClientIp, same_origin};
use crate::api::AppState;
use crate::db::{DeclarationRow, DeclaredFields, NewDeclaration, Throttled};

mod confirmation;
mod moderation;

pub use confirmation::declaration_confirmation_routes;
use moderation::{
    __path_list_declarations, __path_moderate_declaration, list_declarations, moderate_declaration,
};

/// Longest presentation, characters.
const MAX_DESCRIPTION: usize = 2000;
/// Longest website address.
const MAX_WEBSITE: usize = 300;
/// Labels, networks or activities: items of a list, and the length of each.
const MAX_ITEMS: usize = 20;
const MAX_ITEM: usize = 120;

/// The privacy notice shown with the form (RGPD), also served by the API.
pub const PRIVACY_NOTICE: &str = "Vos données (nom, rôle dans la structure, adresse \
électronique) sont traitées par le Département pour vérifier et modérer les informations \
déclarées par la structure, sur la base de votre consentement. Elles ne sont jamais \
publiées : seules les informations sur la structure le sont, une fois acceptées, avec la \
mention « déclaré par la structure ». Les données vous concernant sont effacées un an après \
l'envoi, ou dès la décision si elle intervient plus tard. Vous pouvez demander l'accès, la rectification ou l'effacement de vos données \
auprès du délégué à la protection des données du Département (dpo@departement.example).";

pub fn router() -> OpenApiRouter<AppState> {
    let public = OpenApiRouter::new()
        .routes(routes!(accepted_declarations, declare))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    OpenApiRouter::new()
        .routes(routes!(list_declarations))
        .routes(routes!(moderate_declaration))
        .merge(public)
}

pub(super) fn status_label(status: &str) -> &'static str {
    match status {
        "a_confirmer" => "À confirmer (lien envoyé par courriel)",
        "en_attente" => "En attente de modération",
        "acceptee" => "Acceptée",
        "refusee" => "Refusée",
        "spam" => "Indésirable",
        _ => "Inconnu",
    }
}

fn check_siret(siret: &str) -> Result<(), ApiError> {
    if siret.len() == 14 && siret.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(bad(format!("SIRET {siret:?} : 14 chiffres sont attendus")))
    }
}

/// A declaration as the public sees it: what the organisation says, when; never who.
#[derive(Serialize, utoipa::ToSchema)]
struct PublicDeclaration {
    id: i64,
    description: String,
    /// The presentation rendered as the portraits' sections are (safe HTML).
    description_html: String,
    website: String,
    esus: bool,
    labels: Vec<String>,
    networks: Vec<String>,
    activities: Vec<String>,
    /// `AAAA-MM-JJ`.
    declared_on: String,
}

fn public_view(d: DeclarationRow) -> PublicDeclaration {
    PublicDeclaration {
        id: d.id,
        description_html: crate::portraits::markdown::render(&d.description),
        declared_on: crate::time::iso_from_unix(d.created_at)[..10].to_owned(),
        description: d.description,
        website: d.website,
        esus: d.esus,
        labels: d.labels,
        networks: d.networks,
        activities: d.activities,
    }
}

/// An establishment's accepted declarations and the form's privacy notice.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AcceptedDeclarations)]
struct Accepted {
    #[schema(example = "77568420600012")]
    siret: String,
    /// The privacy notice (RGPD) shown with the form.
    privacy_notice: &'static str,
    /// Accepted declarations, newest first: the card shows the first.
    items: Vec<PublicDeclaration>,
}

/// `GET /api/organisations/{siret}/declarations`: public.
#[utoipa::path(get, path = "/api/organisations/{siret}/declarations", tag = "organisations",
    params(("siret" = String, Path, description = "SIRET (14 chiffres)", example = "77568420600012")),
    responses((status = 200, description = "Les déclarations acceptées de l'établissement, les plus récentes d'abord (`items`), et la mention d'information du formulaire", body = Accepted,
        example = json!({"siret": "77568420600012", "privacy_notice": "Vos données…", "items": [{"id": 1, "description": "Recyclerie solidaire.", "description_html": "<p>Recyclerie solidaire.</p>\n", "website": "https://emmaus-arras.example", "esus": true, "labels": ["Label Emmaüs"], "networks": ["Emmaüs France"], "activities": ["Recyclerie"], "declared_on": "2026-03-02"}]})),
        (status = 400, description = "SIRET invalide", body = ErrorBody)))]
async fn accepted_declarations(
    State(state): State<AppState>,
    Path(siret): Path<String>,
) -> Result<Response, ApiError> {
    check_siret(&siret)?;
    let items = state
        .db
        .declarations(Some(&siret), Some("acceptee"))
        .await?
        .into_iter()
        .map(public_view)
        .collect();
    json(&Accepted {
        siret,
        privacy_notice: PRIVACY_NOTICE,
        items,
    })
}

/// What an organisation's representative sends: at least one declared field, who
/// they are (never published) and their consent.
#[derive(Deserialize, utoipa::ToSchema)]
struct DeclarationForm {
    /// Markdown, at most 2000 characters.
    #[serde(default)]
    description: String,
    /// An `http` or `https` address.
    #[serde(default)]
    website: String,
    /// Holds the ESUS agrément (entreprise solidaire d'utilité sociale).
    #[serde(default)]
    esus: bool,
    /// At most 20, one line of at most 120 characters each (as `networks`,
    /// `activities`).
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    networks: Vec<String>,
    #[serde(default)]
    activities: Vec<String>,
    #[serde(default)]
    name: String,
    /// Role in the organisation.
    #[serde(default)]
    role: String,
    #[serde(default)]
    email: String,
    /// Consent to the processing of the personal data (required to be `true`).
    #[serde(default)]
    consent: bool,
    /// The honeypot: hidden on the form, only robots fill it (must stay empty).
    #[serde(default)]
    site_web: String,
}

/// Is `url` an absolute `http`/`https` address with a host, and nothing a page could
/// misread (spaces, quotes, angle brackets)?
fn is_web_address(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !url.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\'' | '`')
        })
}

/// The items of a list field, trimmed, empty ones dropped, checked.
fn items(what: &str, list: &[String]) -> Result<Vec<String>, ApiError> {
    let kept: Vec<String> = list
        .iter()
        .map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty())
        .collect();
    if kept.len() > MAX_ITEMS {
        return Err(bad(format!("{what} : {MAX_ITEMS} au plus")));
    }
    for x in &kept {
        bounded(what, x, MAX_ITEM, false)?;
        if x.contains(['\n', '\r']) {
            return Err(bad(format!("{what} : une ligne par élément")));
        }
    }
    Ok(kept)
}

/// Checks the form; the declared fields, cleaned.
fn check_form(f: &DeclarationForm) -> Result<DeclaredFields, ApiError> {
    if !f.site_web.is_empty() {
        return Err(bad(
            "envoi refusé : déclaration considérée comme automatisée",
        ));
    }
    if !f.consent {
        return Err(bad(
            "votre consentement au traitement de vos données personnelles est nécessaire \
             pour déclarer",
        ));
    }
    let description = f.description.trim();
    bounded("présentation", description, MAX_DESCRIPTION, false)?;
    let website = f.website.trim();
    bounded("site internet", website, MAX_WEBSITE, false)?;
    if !website.is_empty() && !is_web_address(website) {
        return Err(bad(
            "site internet : une adresse commençant par https:// ou http:// est attendue",
        ));
    }
    let fields = DeclaredFields {
        description: description.to_owned(),
        website: website.to_owned(),
        esus: f.esus,
        labels: items("labels", &f.labels)?,
        networks: items("réseaux", &f.networks)?,
        activities: items("activités", &f.activities)?,
    };
    if fields.description.is_empty()
        && fields.website.is_empty()
        && !fields.esus
        && fields.labels.is_empty()
        && fields.networks.is_empty()
        && fields.activities.is_empty()
    {
        return Err(bad("rien à déclarer : remplissez au moins un champ"));
    }
    bounded("nom", f.name.trim(), MAX_SHORT, true)?;
    bounded("rôle", f.role.trim(), MAX_SHORT, false)?;
    bounded("adresse électronique", f.email.trim(), 254, true)?;
    if !plausible_email(f.email.trim()) || crate::mail::mailbox(f.email.trim()).is_err() {
        return Err(bad("adresse électronique invalide"));
    }
    Ok(fields)
}

/// A declaration received, waiting for its author's confirmation.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = DeclarationReceived)]
struct Received {
    id: i64,
    /// Always `a_confirmer`.
    #[schema(example = "a_confirmer")]
    status: &'static str,
    /// What to do next, in French.
    message: &'static str,
}

/// `POST /api/organisations/{siret}/declarations`: anyone (no account).
#[utoipa::path(post, path = "/api/organisations/{siret}/declarations", tag = "organisations",
    params(("siret" = String, Path, description = "SIRET (14 chiffres)", example = "77568420600012")),
    request_body(content = DeclarationForm, description = "`description` (Markdown), `website` (http(s)), `esus`, `labels`, `networks`, `activities` (listes), `name`, `role`, `email` (jamais publiés), `consent`",
        example = json!({"description": "Recyclerie solidaire et chantier d'insertion à Arras.", "website": "https://emmaus-arras.example", "esus": true, "labels": ["Label Emmaüs"], "networks": ["Emmaüs France"], "activities": ["Recyclerie", "Chantier d'insertion"], "name": "Marie Dupont", "role": "Directrice", "email": "marie.dupont@example.org", "consent": true})),
    responses((status = 201, description = "Reçue : un lien de confirmation est envoyé par courriel", body = Received),
        (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody),
        (status = 403, description = "Origine invalide", body = ErrorBody),
        (status = 404, description = "Établissement inconnu ou protégé", body = ErrorBody),
        (status = 413, description = "Déclaration trop longue", body = ErrorBody),
        (status = 429, description = "Trop d'envois depuis cette adresse : réessayer plus tard", body = ErrorBody)))]
async fn declare(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(siret): Path<String>,
    Json(f): Json<DeclarationForm>,
) -> Result<Response, ApiError> {
    if !same_origin(&headers) {
        return Err(ApiError::Forbidden(
            "requête refusée : elle ne vient pas d'une page de l'atlas".into(),
        ));
    }
    check_siret(&siret)?;
    let fields = check_form(&f)?;
    let (_, commune, establishment) = state
        .db
        .public_establishment(&siret)
        .await?
        .ok_or_else(|| ApiError::NotFound("organisation", siret.clone()))?;
    let now = crate::time::unix_now();
    let (token, token_hash) = new_token()?;
    let row = state
        .db
        .add_declaration(
            &NewDeclaration {
                siret: &siret,
                commune: &commune,
                fields: &fields,
                name: f.name.trim(),
                role: f.role.trim(),
                email: f.email.trim(),
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
                    "trop d'envois depuis cette adresse : réessayez dans {} minute(s)",
                    (retry_after + 59) / 60
                ),
                retry_after,
            });
        }
    };
    match confirmation_message(&state, &establishment, &row, &token) {
        Ok(message) => state.mailer.send_later(message, "declaration confirmation"),
        Err(e) => tracing::error!("confirmation e-mail not built: {e}"),
    }
    let body = Received {
        id: row.id,
        status: "a_confirmer",
        message: "Merci ! Un courriel vient de vous être envoyé : suivez son lien dans les 7 \
                  jours pour confirmer ces informations. Elles seront publiées sur la fiche \
                  après vérification.",
    };
    Ok((StatusCode::CREATED, json(&body)?).into_response())
}

/// The e-mail to the author of `row` with its confirmation link.
fn confirmation_message(
    state: &AppState,
    establishment: &str,
    row: &DeclarationRow,
    token: &str,
) -> Result<lettre::Message, crate::mail::MailError> {
    let to = crate::mail::mailbox(&row.email)?;
    let link = format!("{}/structures/confirmer?jeton={token}", state.public_url);
    let until = crate::time::french_date(
        &crate::time::iso_from_unix(row.created_at + CONFIRM_DAYS * 86_400)[..10],
    );
    let text = format!(
        "Bonjour {name},\n\n\
         Vous avez proposé des informations sur « {establishment} » (SIRET {siret}) pour sa \
         fiche sur l'atlas de l'économie sociale et solidaire du Pas-de-Calais.\n\n\
         Pour les confirmer, ouvrez le lien ci-dessous puis cliquez sur « Confirmer ces \
         informations » (lien valable jusqu'au {until}) :\n\n\
         {link}\n\n\
         Une fois confirmées, elles seront vérifiées avant d'être publiées avec la mention \
         « déclaré par la structure ». Vos nom et adresse électronique ne sont jamais \
         publiés.\n\n\
         Si vous n'êtes pas à l'origine de cet envoi, ignorez ce message : rien ne sera \
         publié.\n\n\
         -- \nAtlas de l'ESS du Pas-de-Calais\n",
        name = row.name,
        siret = row.siret,
    );
    state
        .mailer
        .message(&to, "Confirmez les informations sur votre structure", &text)
}

#[cfg(test)]
mod tests {
    use super::is_web_address;

    #[test]
    fn only_http_and_https_addresses_with_a_host_are_websites() {
        for ok in [
            "https://emmaus-arras.example",
            "http://www.asso.fr/contact?x=1",
            "HTTPS://Asso.Example/",
        ] {
            assert!(is_web_address(ok), "{ok}");
        }
        for refused in [
            "javascript:alert(1)",
            "ftp://asso.fr",
            "https://",
            "https://localhost",
            "www.asso.fr",
            "https://asso.fr/\"onmouseover=x",
            "https://asso .fr",
            "data:text/html,<b>x</b>",
        ] {
            assert!(!is_web_address(refused), "{refused}");
        }
    }
}
