//! The confirmation pages a contributor opens from the e-mail (HTML, not under
//! `/api`): one shows what the link designates, its button confirms.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::contribute::{consultation_title, notify_moderators, token_hash};
use super::{find, kind_label};
use crate::api::AppState;
use crate::api::error::ApiError;
use crate::api::session::same_origin;
use crate::db::Confirmation;
use crate::summary::html::escape;

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

/// The pages of a contribution's confirmation.
const PAGES: ConfirmationPages = ConfirmationPages {
    kicker: "Consultation publique",
    used: "Ce lien de confirmation a déjà servi : votre contribution est confirmée (ou a \
           déjà été traitée). Il n'y a rien d'autre à faire.",
    expired: "Ce lien de confirmation n'est plus valable (il l'était 7 jours). Si la \
              consultation est encore ouverte, envoyez à nouveau votre contribution.",
    unknown: "Ce lien de confirmation ne correspond à aucune contribution. Vérifiez qu'il a \
              été copié en entier depuis le courriel.",
};

/// The French pages of one kind of e-mail confirmation (contributions here,
/// organisations' declarations in `api::declarations`): the same states, the same
/// refusals, each kind's own words.
pub(crate) struct ConfirmationPages {
    /// What the pages are about, above their title.
    pub kicker: &'static str,
    /// The refusals' texts: link already used, expired, unknown.
    pub used: &'static str,
    pub expired: &'static str,
    pub unknown: &'static str,
}

impl ConfirmationPages {
    /// A page under this kind's kicker (see [`page_under`]).
    pub fn page(&self, status: StatusCode, state: &str, title: &str, inner: &str) -> Response {
        page_under(self.kicker, status, state, title, inner)
    }

    /// The page for a link that cannot confirm.
    pub fn refusal<R>(&self, found: &Confirmation<R>) -> Response {
        let (status, state, title, text) = match found {
            Confirmation::Used => (
                StatusCode::CONFLICT,
                "deja-utilise",
                "Lien déjà utilisé",
                self.used,
            ),
            Confirmation::Expired => (StatusCode::GONE, "expire", "Lien expiré", self.expired),
            Confirmation::Unknown | Confirmation::Valid(_) => (
                StatusCode::NOT_FOUND,
                "inconnu",
                "Lien inconnu",
                self.unknown,
            ),
        };
        self.page(
            status,
            state,
            title,
            &format!(
                "<p>{text}</p>\n      <p><a class=\"btn\" href=\"/\">Retour à la carte</a></p>"
            ),
        )
    }

    /// A link without its token.
    pub fn missing_token(&self) -> Response {
        self.page(
            StatusCode::BAD_REQUEST,
            "incomplet",
            "Lien incomplet",
            "<p>Ce lien ne contient pas de jeton de confirmation. Ouvrez le lien reçu par \
             courriel, en entier.</p>",
        )
    }

    /// A confirmation posted from another site's page (the button must be ours).
    pub fn cross_origin(&self) -> Response {
        self.page(
            StatusCode::FORBIDDEN,
            "refuse",
            "Demande refusée",
            "<p>Cette confirmation ne vient pas d'une page de l'atlas. Ouvrez le lien reçu \
             par courriel et cliquez sur le bouton.</p>",
        )
    }
}

/// A small French page; `kicker` says what it is about, `state` names what it says,
/// for tests and styles (also the organisations' declarations' pages). Its
/// referrer policy keeps the token in its URL from other sites (`same-origin`, not
/// `no-referrer`, which makes browsers send `Origin: null` with the form's POST).
fn page_under(kicker: &str, status: StatusCode, state: &str, title: &str, inner: &str) -> Response {
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
      <p class="page-kind">{kicker}</p>
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

/// `GET /consultations/confirmer?jeton=`: says what the link designates and shows the
/// button that confirms; changes nothing.
async fn confirmation_page(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<TokenForm>,
) -> Result<Response, ApiError> {
    if q.jeton.trim().is_empty() {
        return Ok(PAGES.missing_token());
    }
    let found = state
        .db
        .confirmation(&token_hash(&q.jeton), crate::time::unix_now())
        .await?;
    let Confirmation::Valid(row) = found else {
        return Ok(PAGES.refusal(&found));
    };
    let c = find(&state, &row.consultation_id.to_string()).await?;
    let excerpt: String = row.body.chars().take(400).collect();
    Ok(PAGES.page(
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
        return Ok(PAGES.cross_origin());
    }
    if f.jeton.trim().is_empty() {
        return Ok(PAGES.missing_token());
    }
    let found = state
        .db
        .confirm_contribution(&token_hash(&f.jeton), crate::time::unix_now())
        .await?;
    let Confirmation::Valid(row) = found else {
        return Ok(PAGES.refusal(&found));
    };
    let c = find(&state, &row.consultation_id.to_string()).await?;
    notify_moderators(&state, &c, &row);
    Ok(PAGES.page(
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
