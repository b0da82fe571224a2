//! `/embed`: the embeddable map of one zone ([`crate::summary::embed`]), for a
//! partner's iframe.
//!
//! Framing: this page (and its error pages) answer `Content-Security-Policy:
//! frame-ancestors …` with the configured sources (`--embed-frame-ancestors`, default
//! `*`: the data are public); other pages keep their own policy. An unknown zone,
//! indicator or edition answers a French page with 404, a bad filter 400, always as
//! HTML (an iframe shows whatever it gets).

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::AppState;
use crate::ess::Family;
use crate::ess::category::Category;
use crate::ess::size::SizeClass;
use crate::indicators::catalogue::find;
use crate::summary::embed::{parse_zone, render};
use crate::summary::html::escape;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(embed))
}

/// The query of `/embed`. Unknown parameters are ignored: a partner's CMS may add its
/// own (tracking, cache busting).
#[derive(Debug, Default, Deserialize)]
struct EmbedParams {
    zone: Option<String>,
    indicator: Option<String>,
    edition: Option<String>,
    family: Option<String>,
    sector: Option<String>,
    size: Option<String>,
}

/// An answer that is not the map: status, title, explanation (French).
type Refusal = (StatusCode, &'static str, String);

fn given(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn category(p: &EmbedParams) -> Result<Category, Refusal> {
    let bad = |text: String| (StatusCode::BAD_REQUEST, "Lien incorrect", text);
    let filters = [&p.family, &p.sector, &p.size]
        .iter()
        .filter(|v| given(v.as_ref()).is_some())
        .count();
    if filters > 1 {
        return Err(bad(
            "Donnez une seule catégorie à la fois : famille, secteur ou taille.".into(),
        ));
    }
    if let Some(f) = given(p.family.as_ref()) {
        return Family::from_id(f)
            .map(Category::Family)
            .ok_or_else(|| bad(format!("Famille inconnue : « {f} ».")));
    }
    if let Some(s) = given(p.sector.as_ref()) {
        return Category::sector(&s.to_uppercase()).ok_or_else(|| {
            bad(format!(
                "Secteur inconnu : « {s} » (une section NAF de A à U)."
            ))
        });
    }
    if let Some(z) = given(p.size.as_ref()) {
        return SizeClass::from_id(z)
            .map(Category::Size)
            .ok_or_else(|| bad(format!("Taille inconnue : « {z} ».")));
    }
    Ok(Category::Total)
}

async fn page(state: &AppState, p: &EmbedParams) -> Result<String, Refusal> {
    let not_found = |title: &'static str, text: String| (StatusCode::NOT_FOUND, title, text);
    // Without a zone, the whole département.
    let zone_text = given(p.zone.as_ref()).map_or_else(
        || format!("departement/{}", state.geography.department.code),
        str::to_owned,
    );
    let zone = parse_zone(&state.geography, &zone_text).ok_or_else(|| {
        not_found(
            "Zone inconnue",
            format!(
                "La zone « {zone_text} » n'existe pas dans l'atlas. Écrivez-la niveau/code : \
                 epci/200033579 (SIREN), territoire/ARR, commune/62041 ou departement/{}.",
                state.geography.department.code
            ),
        )
    })?;
    let id = given(p.indicator.as_ref()).unwrap_or("ess_share_jobs");
    let indicator = find(id).ok_or_else(|| {
        not_found(
            "Indicateur inconnu",
            format!("L'indicateur « {id} » n'existe pas (la liste : /api/indicators/catalogue)."),
        )
    })?;
    let category = category(p)?;
    if indicator.needs_category && category == Category::Total {
        return Err((
            StatusCode::BAD_REQUEST,
            "Lien incorrect",
            format!(
                "L'indicateur « {} » se lit pour une famille, un secteur ou une taille : ajoutez-en une.",
                indicator.label
            ),
        ));
    }
    let year = match given(p.edition.as_ref()) {
        None => None,
        Some(y) => Some(y.parse::<i64>().map_err(|_| {
            not_found(
                "Édition inconnue",
                format!("« {y} » n'est pas une édition."),
            )
        })?),
    };
    let internal = |e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, "embed failed");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Erreur du serveur",
            "La carte n'a pas pu être dessinée. Réessayez plus tard.".to_owned(),
        )
    };
    let edition = state
        .db
        .edition_or_latest(year)
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(|| {
            not_found(
                "Édition inconnue",
                year.map_or_else(
                    || "Aucune édition n'est encore publiée.".to_owned(),
                    |y| format!("L'édition {y} n'existe pas."),
                ),
            )
        })?;
    render(&state.into(), zone, indicator, category, &edition)
        .await
        .map_err(|e| internal(&e))
}

/// The French page of a refusal, in the embed's style.
fn refusal_page((status, title, text): Refusal) -> Response {
    let body = format!(
        r#"<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>{title} — Atlas de l'ESS</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/css/embed.css">
</head>
<body class="embed">
  <main class="embed-error" data-testid="embed-error" data-status="{code}">
    <h1 class="embed-title">{title}</h1>
    <p>{text}</p>
    <p class="embed-link"><a href="/" target="_blank" rel="noopener">Ouvrir l'atlas de l'ESS</a></p>
  </main>
</body>
</html>
"#,
        title = escape(title),
        text = escape(&text),
        code = status.as_u16(),
    );
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The embeddable map of one zone (HTML, for an iframe).
#[utoipa::path(get, path = "/embed", tag = "documents",
    params(("zone" = String, Query, description = "`niveau/code` de la zone", example = "epci/200033579"),
        ("indicator" = Option<String>, Query, description = "Indicateur", example = "ess_share_jobs"),
        ("edition" = Option<i32>, Query, description = "Année de l'édition", example = 2023),
        ("family" = Option<String>, Query, description = "Famille de l'ESS"),
        ("sector" = Option<String>, Query, description = "Secteur"),
        ("size" = Option<String>, Query, description = "Tranche d'effectif")),
    responses((status = 200, description = "La carte intégrable", content_type = "text/html", body = String),
        (status = 400, description = "Paramètre invalide (page HTML en français)", content_type = "text/html", body = String),
        (status = 404, description = "Zone ou édition inconnue (page HTML en français)", content_type = "text/html", body = String)))]
async fn embed(
    State(state): State<AppState>,
    query: Result<Query<EmbedParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    // An unreadable query reads as an empty one: the page then says what is missing.
    let p = query.map(|Query(p)| p).unwrap_or_default();
    let mut response = match page(&state, &p).await {
        Ok(html) => {
            let mut r = html.into_response();
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, no-cache"),
            );
            r
        }
        Err(refusal) => refusal_page(refusal),
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        state.embed_frame_ancestors.clone(),
    );
    response
}
