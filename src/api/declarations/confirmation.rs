//! The pages the author of a declaration opens from the e-mail
//! (`/structures/confirmer`): the consultations' pages and their rules (the link's
//! page changes nothing, its button confirms; same-origin POST; used, expired and
//! unknown links), under the declarations' own words.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use crate::api::AppState;
use crate::api::consultations::{ConfirmationPages, tell_moderators, token_hash};
use crate::api::error::ApiError;
use crate::api::session::same_origin;
use crate::db::Confirmation;
use crate::summary::html::escape;

/// The pages of a declaration's confirmation.
const PAGES: ConfirmationPages = ConfirmationPages {
    kicker: "Fiche d'une structure de l'ESS",
    used: "Ce lien de confirmation a déjà servi : les informations sont confirmées (ou \
           ont déjà été traitées). Il n'y a rien d'autre à faire.",
    expired: "Ce lien de confirmation n'est plus valable (il l'était 7 jours). Envoyez à \
              nouveau les informations depuis la fiche de la structure sur la carte.",
    unknown: "Ce lien de confirmation ne correspond à aucune déclaration. Vérifiez qu'il a \
              été copié en entier depuis le courriel.",
};

/// The confirmation pages (not under `/api`: a person opens them from an e-mail).
pub fn declaration_confirmation_routes() -> axum::Router<AppState> {
    axum::Router::new().route(
        "/structures/confirmer",
        axum::routing::get(confirmation_page).post(confirm),
    )
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    jeton: String,
}

/// The establishment's name, for the pages and the moderators' notice.
async fn establishment_name(state: &AppState, siret: &str) -> Result<String, ApiError> {
    Ok(state
        .db
        .public_establishment(siret)
        .await?
        .map_or_else(|| siret.to_owned(), |(_, _, name)| name))
}

/// `GET /structures/confirmer?jeton=`: what the link designates, and the button.
async fn confirmation_page(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<TokenForm>,
) -> Result<Response, ApiError> {
    if q.jeton.trim().is_empty() {
        return Ok(PAGES.missing_token());
    }
    let found = state
        .db
        .declaration_confirmation(&token_hash(&q.jeton), crate::time::unix_now())
        .await?;
    let Confirmation::Valid(row) = found else {
        return Ok(PAGES.refusal(&found));
    };
    let name = establishment_name(&state, &row.siret).await?;
    Ok(PAGES.page(
        StatusCode::OK,
        "a-confirmer",
        "Confirmer les informations sur votre structure",
        &format!(
            "<p>Informations proposées pour la fiche de « {name} » (SIRET {siret}) ; \
             elles seront publiées avec la mention « déclaré par la structure » après \
             vérification.</p>\n      \
             <form method=\"post\" action=\"/structures/confirmer\">\n        \
             <input type=\"hidden\" name=\"jeton\" value=\"{token}\">\n        \
             <button class=\"btn btn--primary\" type=\"submit\">Confirmer ces informations</button>\n      \
             </form>\n      \
             <p class=\"muted\">Rien n'est confirmé tant que vous n'avez pas cliqué.</p>",
            name = escape(&name),
            siret = escape(&row.siret),
            token = escape(q.jeton.trim()),
        ),
    ))
}

/// `POST /structures/confirmer` (form field `jeton`): confirms, once, and tells the
/// moderators.
async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<TokenForm>,
) -> Result<Response, ApiError> {
    if !same_origin(&headers) {
        return Ok(PAGES.cross_origin());
    }
    if f.jeton.trim().is_empty() {
        return Ok(PAGES.missing_token());
    }
    let found = state
        .db
        .confirm_declaration(&token_hash(&f.jeton), crate::time::unix_now())
        .await?;
    let Confirmation::Valid(row) = found else {
        return Ok(PAGES.refusal(&found));
    };
    let name = establishment_name(&state, &row.siret).await?;
    tell_moderators(
        &state,
        &format!("Déclaration d'une structure à modérer — {name}"),
        &format!(
            "Des informations déclarées par une structure, confirmées par leur auteur, \
             attendent votre modération.\n\n\
             Structure : {name} (SIRET {siret})\n\
             Déclarant : {who}\n\n\
             Pour les accepter, les refuser ou les marquer comme indésirables : {url}/espace\n",
            siret = row.siret,
            who = row.name,
            url = state.public_url,
        ),
    );
    Ok(PAGES.page(
        StatusCode::OK,
        "confirmee",
        "Informations confirmées",
        &format!(
            "<p>Merci : les informations sur « {name} » sont confirmées. Elles seront \
             publiées sur sa fiche après vérification.</p>\n      \
             <p><a class=\"btn btn--primary\" href=\"/\">Retour à la carte</a></p>",
            name = escape(&name),
        ),
    ))
}
