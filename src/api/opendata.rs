//! The public download page of the open data sets (`/donnees`) and their files
//! (`/donnees/{edition}/{file}`: each file of the set, or the whole set as one zip).
//!
//! A set is built by [`crate::summary::opendata`] (public figures, whoever asks) on
//! first request and kept in the documents' cache under the data stamp, like the
//! fiches: a new import or edition builds it again.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::fmt::Write as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Path};
use crate::api::AppState;
use crate::summary::cache::{DocumentCache, Rendered};
use crate::summary::html::escape;
use crate::summary::opendata::{self, file_descriptions, zip_name};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(page))
        .routes(routes!(file))
}

/// A file of an edition's open data set, or the whole set as a ZIP.
#[utoipa::path(get, path = "/donnees/{edition}/{file}", tag = "documents",
    params(("edition" = String, Path, description = "Année de l'édition", example = "2023"),
        ("file" = String, Path, description = "Nom du fichier (voir /donnees)", example = "indicateurs-epci.csv")),
    responses((status = 200, description = "Le fichier (CSV, GeoJSON, JSON, README ou ZIP)", content(("text/csv"), (super::schemas::FeatureCollection = "application/geo+json"), (super::schemas::DataPackage = "application/json"), ("text/markdown"), ("application/zip"))),
        (status = 404, description = "Édition ou fichier inconnus", body = ErrorBody)))]
async fn file(
    State(state): State<AppState>,
    Path((edition, name)): Path<(String, String)>,
    request: HeaderMap,
) -> Result<Response, ApiError> {
    let year: i64 = edition
        .trim()
        .parse()
        .map_err(|_| ApiError::NotFound("edition", edition.clone()))?;
    let edition = state
        .db
        .edition(year)
        .await?
        .ok_or_else(|| ApiError::NotFound("edition", year.to_string()))?;
    let zip = zip_name(year);
    let media_type = if name == zip {
        "application/zip"
    } else if file_descriptions().iter().any(|(f, _)| *f == name) {
        opendata::media_type(&name)
    } else {
        return Err(ApiError::NotFound("file", name));
    };
    // The set is kept zipped (the communes' table is tens of MB, its zip a few);
    // a file alone is read out of it.
    let stamp = DocumentCache::stamp(&state.db).await?;
    let key = format!("opendata/{year}/{zip}");
    let (zipped, hit) = if let Some(doc) = state.documents.get(&stamp, &key) {
        (doc, true)
    } else {
        let _permit = state
            .documents
            .render_permit()
            .await
            .ok_or(ApiError::Overloaded { retry_after: 5 })?;
        if let Some(doc) = state.documents.get(&stamp, &key) {
            (doc, true)
        } else {
            let set = opendata::build(&(&state).into(), &edition).await?;
            let bytes = tokio::task::spawn_blocking(move || opendata::zip(&set))
                .await
                .map_err(|e| ApiError::Internal(e.into()))??;
            let doc = Rendered::new(
                bytes,
                "application/zip",
                Some(format!("attachment; filename=\"{zip}\"")),
            );
            (state.documents.insert(&stamp, key, doc), false)
        }
    };
    if name == zip {
        return Ok(super::summaries::answer(&zipped, hit, &request));
    }
    let wanted = name.clone();
    let bytes = tokio::task::spawn_blocking(move || opendata::unzip_file(&zipped.body, &wanted))
        .await
        .map_err(|e| ApiError::Internal(e.into()))??
        .ok_or_else(|| ApiError::NotFound("file", name.clone()))?;
    let doc = Rendered::new(
        bytes,
        media_type,
        Some(format!("attachment; filename=\"{name}\"")),
    );
    Ok(super::summaries::answer(&doc, hit, &request))
}

/// `/donnees`: every edition's set, newest first.
/// The open data download page (HTML).
#[utoipa::path(get, path = "/donnees", tag = "documents",
    responses((status = 200, description = "La page des données ouvertes", content_type = "text/html", body = String)))]
async fn page(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut editions = state.db.editions().await?;
    editions.sort_by_key(|e| std::cmp::Reverse(e.year));
    let g = &state.geography;
    let mut sections = String::new();
    for e in &editions {
        let year = e.year;
        let mut files = String::new();
        for (name, what) in file_descriptions() {
            let _ = writeln!(
                files,
                "<li><a href=\"/donnees/{year}/{n}\" download data-testid=\"opendata-file\">{n}</a> — {w}</li>",
                n = escape(&name),
                w = escape(&what)
            );
        }
        let _ = write!(
            sections,
            r#"    <section class="page-card" id="edition-{year}" data-testid="opendata-edition" data-edition="{year}">
      <h2>Édition {year}</h2>
      <p class="muted">Établissements actifs au {date}.</p>
      {demo}
      <p><a class="btn btn--primary" href="/donnees/{year}/{zip}" download data-testid="opendata-zip">Tout télécharger (ZIP)</a></p>
      <ul>
{files}      </ul>
    </section>
"#,
            date = escape(&crate::time::french_date(&e.reference_date)),
            demo = if e.demo {
                r#"<p class="demo-badge" data-testid="opendata-demo">Données de démonstration : chiffres fictifs, à ne pas réutiliser</p>"#
            } else {
                ""
            },
            zip = zip_name(year),
        );
    }
    if editions.is_empty() {
        sections.push_str(
            "    <section class=\"page-card\"><p>Aucune édition n'est encore publiée.</p></section>\n",
        );
    }
    let body = format!(
        r#"<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Données ouvertes — Atlas de l'ESS</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/css/app.css">
  <link rel="stylesheet" href="/css/pages.css">
</head>
<body class="page">
  <header class="page-top">
    <a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span><span class="brand-title">Atlas de l'ESS</span></a>
    <nav><a href="/">Voir la carte</a></nav>
  </header>
  <main class="page-main" data-testid="opendata-page">
    <section class="page-card">
      <p class="page-kind">Données ouvertes</p>
      <h1 class="page-title">Les indicateurs de l'ESS en fichiers</h1>
      <p>Pour chaque édition : les indicateurs publiés de l'économie sociale et solidaire
      ({department}) par commune, EPCI, territoire et pour le département, en CSV (UTF-8,
      séparateur virgule, dates ISO), les contours des zones en GeoJSON, la description des
      fichiers et de chaque colonne (<code>datapackage.json</code>, norme Frictionless Data
      Package) et un README. Ce sont les valeurs de la carte et de l'API publique, sous le
      même secret statistique : une valeur masquée (« s ») est vide, avec le statut
      <code>secret</code>.</p>
      <p>Licence Ouverte / Open Licence 2.0 (Etalab) : réutilisation libre, en mentionnant
      la source.</p>
      <p class="muted">{attribution}</p>
    </section>
{sections}  </main>
</body>
</html>
"#,
        department = escape(&g.department.name),
        attribution = escape(&g.department.attribution),
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}
