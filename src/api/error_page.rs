//! The French HTML page a browser gets for an error on a page URL (an unknown page,
//! a fiche link with an unknown zone or a bad edition), instead of its own empty
//! error page or the API's JSON. The API (`/api/…`) and clients that do not ask for
//! HTML keep the JSON of [`super::error`]; the status code is the same either way.
//!
//! Only the status decides the text: the JSON message is written for developers (and
//! in English), so it is not shown. The path is shown, escaped.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::summary::html::escape;

/// Whether an error on `path` for a request with these headers answers HTML: a page
/// URL (not the API) asked for by a browser (`Accept` names `text/html`).
pub(super) fn wants_html(path: &str, headers: &HeaderMap) -> bool {
    let api = path == "/api" || path.starts_with("/api/");
    !api && headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/html"))
}

fn texts(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        404 => (
            "Page introuvable",
            "Cette adresse ne correspond à aucune page ni à aucun document de l'atlas. \
             Un territoire s'écrit par son code (par exemple /territoires/ARR), un EPCI par \
             son numéro SIREN (par exemple /epci/200033579).",
        ),
        400 => (
            "Lien incorrect",
            "Cette adresse contient un paramètre que l'atlas ne sait pas lire (par exemple \
             une édition qui n'est pas une année). Vérifiez le lien ou repartez de la carte.",
        ),
        405 => (
            "Action impossible à cette adresse",
            "Cette adresse ne s'utilise pas de cette façon.",
        ),
        413 => (
            "Contenu trop volumineux",
            "Le contenu envoyé dépasse la taille acceptée.",
        ),
        503 | 429 => (
            "Serveur occupé",
            "Le serveur est momentanément occupé. Réessayez dans quelques secondes.",
        ),
        s if s >= 500 => (
            "Erreur du serveur",
            "Le serveur n'a pas pu répondre. Réessayez plus tard ; si le problème \
             persiste, signalez-le à la mission ESS du Département.",
        ),
        _ => (
            "Demande refusée",
            "Le serveur n'a pas accepté cette demande.",
        ),
    }
}

/// The page for `status` at `path`, keeping the original answer's `Allow` and
/// `Retry-After`.
pub(super) fn render(status: StatusCode, path: &str, original: &HeaderMap) -> Response {
    let (title, text) = texts(status);
    let body = format!(
        r#"<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>{title} — Atlas de l'ESS</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/css/app.css">
  <link rel="stylesheet" href="/css/pages.css">
</head>
<body class="page">
  <header class="page-top">
    <a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span><span class="brand-title">Atlas de l'ESS</span></a>
  </header>
  <main class="page-main" data-testid="error-page" data-status="{code}">
    <section class="page-card">
      <p class="page-kind">Erreur {code}</p>
      <h1 class="page-title">{title}</h1>
      <p>{text}</p>
      <p class="muted">Adresse demandée : <code>{path}</code></p>
      <p><a class="btn btn--primary" href="/">Retour à la carte</a></p>
    </section>
  </main>
</body>
</html>
"#,
        code = status.as_u16(),
        path = escape(path),
    );
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = original.get(&name) {
            headers.insert(name, value.clone());
        }
    }
    response
}
