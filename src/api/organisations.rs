//! ESS organisations (establishments) of an edition: filtered lists, one
//! establishment, CSV export for French spreadsheets, GeoJSON points.
//!
//! Protected establishments never appear here (BRIEF rule 5); the database layer
//! filters them out.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::editions::resolve_edition;
use super::error::{ApiError, Path, Query};
use super::json;
use super::zones::ZoneRef;
use crate::api::AppState;
use crate::db::{Edition, OrganisationFilter, OrganisationRow};
use crate::ess::{Family, size};
use crate::geography::{Geography, fold_for_search};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(csv_export))
        .routes(routes!(points))
        .routes(routes!(one))
}

/// Largest page of `/api/organisations`.
pub const MAX_PER_PAGE: i64 = 500;
const DEFAULT_PER_PAGE: i64 = 50;

/// Query parameters, all optional, parsed by hand for precise 400 messages.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    edition: Option<String>,
    territory: Option<String>,
    epci: Option<String>,
    commune: Option<String>,
    /// Comma-separated family ids.
    family: Option<String>,
    /// Comma-separated NAF sections (A–U).
    naf_section: Option<String>,
    /// Comma-separated size band codes.
    size: Option<String>,
    employer: Option<String>,
    q: Option<String>,
    /// `min_lon,min_lat,max_lon,max_lat`.
    bbox: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    /// CSV only: `standard` for `,` and decimal points instead of French Excel.
    format: Option<String>,
    /// Exports only: rows to skip, to continue an export that stopped at its limit.
    offset: Option<String>,
}

/// The zone and family filters of an export, for its file name: `-ARR-association`.
/// Only ASCII letters, digits and `-` (the values come from the query string).
fn filter_slug(p: &Params) -> String {
    let mut slug = String::new();
    for v in [&p.territory, &p.epci, &p.commune, &p.family] {
        if let Some(v) = nonempty(v.as_ref()) {
            slug.push('-');
            slug.extend(
                v.chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .take(40),
            );
        }
    }
    slug
}

fn nonempty(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn list_of(v: Option<&String>) -> Vec<String> {
    nonempty(v)
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_owned())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn parse_int(name: &str, v: Option<&String>) -> Result<Option<i64>, ApiError> {
    nonempty(v)
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| ApiError::BadRequest(format!("{name} {s:?} is not an integer")))
        })
        .transpose()
}

/// Commune codes of the zone filters (intersection when several are given).
fn zone_communes(g: &Geography, p: &Params) -> Result<Option<Vec<String>>, ApiError> {
    let mut sets: Vec<Vec<usize>> = Vec::new();
    if let Some(code) = nonempty(p.territory.as_ref()) {
        let t = g
            .territory(code)
            .ok_or_else(|| ApiError::NotFound("territory", code.into()))?;
        sets.push(t.communes.clone());
    }
    if let Some(siren) = nonempty(p.epci.as_ref()) {
        let e = g
            .epci_by_siren(siren)
            .ok_or_else(|| ApiError::NotFound("EPCI", siren.into()))?;
        sets.push(e.communes.clone());
    }
    if let Some(code) = nonempty(p.commune.as_ref()) {
        let c = g
            .commune_position(code)
            .ok_or_else(|| ApiError::NotFound("commune", code.into()))?;
        sets.push(vec![c]);
    }
    let Some(first) = sets.pop() else {
        return Ok(None);
    };
    let kept = first
        .into_iter()
        .filter(|c| sets.iter().all(|s| s.contains(c)))
        .map(|c| g.communes[c].zone.code.clone())
        .collect();
    Ok(Some(kept))
}

async fn build_filter(
    state: &AppState,
    p: &Params,
) -> Result<(Edition, OrganisationFilter), ApiError> {
    let edition = resolve_edition(state, parse_int("edition", p.edition.as_ref())?).await?;
    let families = list_of(p.family.as_ref());
    if let Some(bad) = families.iter().find(|f| Family::from_id(f).is_none()) {
        return Err(ApiError::BadRequest(format!(
            "unknown family {bad:?}: expected one of association, cooperative, mutuelle, fondation, societe_commerciale_ess"
        )));
    }
    let naf_sections: Vec<String> = list_of(p.naf_section.as_ref())
        .into_iter()
        .map(|s| s.to_uppercase())
        .collect();
    if let Some(bad) = naf_sections.iter().find(|s| {
        !crate::ess::reference::TABLES
            .sections
            .iter()
            .any(|x| &x.section == *s)
    }) {
        return Err(ApiError::BadRequest(format!(
            "unknown NAF section {bad:?}: expected A to U"
        )));
    }
    let size_bands = list_of(p.size.as_ref());
    if let Some(bad) = size_bands.iter().find(|b| !size::is_known(b)) {
        return Err(ApiError::BadRequest(format!("unknown size band {bad:?}")));
    }
    let employer = match nonempty(p.employer.as_ref()) {
        None => None,
        Some("true" | "1" | "oui") => Some(true),
        Some("false" | "0" | "non") => Some(false),
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "employer {other:?} must be true or false"
            )));
        }
    };
    let bbox = match nonempty(p.bbox.as_ref()) {
        None => None,
        Some(text) => {
            let v: Vec<f64> = text
                .split(',')
                .map(|x| x.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| ApiError::BadRequest(format!("bbox {text:?} must be 4 numbers")))?;
            match v.as_slice() {
                &[a, b, c, d] if [a, b, c, d].iter().all(|x| x.is_finite()) && a <= c && b <= d => {
                    Some([a, b, c, d])
                }
                _ => {
                    return Err(ApiError::BadRequest(format!(
                        "bbox {text:?} must be min_lon,min_lat,max_lon,max_lat"
                    )));
                }
            }
        }
    };
    let text = nonempty(p.q.as_ref())
        .map(fold_for_search)
        .filter(|t| !t.is_empty());
    let filter = OrganisationFilter {
        edition: edition.year,
        communes: zone_communes(&state.geography, p)?,
        families,
        naf_sections,
        size_bands,
        employer,
        text,
        bbox,
    };
    Ok((edition, filter))
}

/// One establishment as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Organisation<'a> {
    #[serde(flatten)]
    row: &'a OrganisationRow,
    family_label: &'static str,
    size_label: Option<&'static str>,
    /// « 20 à 49 sal. », « Sans salarié »: for lists.
    size_short_label: Option<String>,
    commune: Option<ZoneRef<'a>>,
    epci: Option<ZoneRef<'a>>,
    territory: Option<ZoneRef<'a>>,
}

fn organisation<'a>(g: &'a Geography, row: &'a OrganisationRow) -> Organisation<'a> {
    let commune = g.commune(&row.code_insee);
    Organisation {
        family_label: Family::from_id(&row.family).map_or("", Family::label),
        size_label: row.size_band.as_deref().and_then(size::label),
        size_short_label: row.size_band.as_deref().and_then(size::short_label),
        commune: commune.map(|c| (&c.zone).into()),
        epci: commune.map(|c| (&g.epci[c.epci].zone).into()),
        territory: commune.map(|c| (&g.territories[c.territory].zone).into()),
        row,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct OrganisationPage<'a> {
    edition: i64,
    demo: bool,
    total: i64,
    page: i64,
    per_page: i64,
    items: Vec<Organisation<'a>>,
}

/// The ESS organisations (establishments) of an edition, filtered and paged.
#[utoipa::path(get, path = "/api/organisations", tag = "organisations",
    params(("edition" = Option<i32>, Query, description = "Année de l'édition (la dernière par défaut)", example = 2023),
        ("territory" = Option<String>, Query, description = "Code du territoire", example = "ARR"),
        ("epci" = Option<String>, Query, description = "SIREN de l'EPCI", example = "200033579"),
        ("commune" = Option<String>, Query, description = "Code INSEE de la commune", example = "62041"),
        ("family" = Option<String>, Query, description = "Familles de l'ESS, séparées par des virgules", example = "association,cooperative"),
        ("naf_section" = Option<String>, Query, description = "Sections NAF (A à U), séparées par des virgules", example = "Q,S"),
        ("size" = Option<String>, Query, description = "Tranches d'effectif, séparées par des virgules", example = "10-19"),
        ("employer" = Option<bool>, Query, description = "Employeurs seulement (true) ou non employeurs (false)"),
        ("q" = Option<String>, Query, description = "Nom, SIRET ou SIREN", example = "Emmaüs"),
        ("bbox" = Option<String>, Query, description = "Emprise `min_lon,min_lat,max_lon,max_lat` (WGS84)", example = "2.7,50.25,2.85,50.32"),
        ("page" = Option<u32>, Query, description = "Page (à partir de 1)", minimum = 1, example = 1),
        ("per_page" = Option<u32>, Query, description = "Établissements par page (défaut 50)", minimum = 1, maximum = 500, example = 50)),
    responses((status = 200, description = "Une page d'établissements", body = OrganisationPage,
        example = json!({"edition": 2023, "demo": true, "total": 1, "page": 1, "per_page": 50, "items": [{"siret": "77568420600012", "name": "Association Emmaüs Arras", "family": "association", "family_label": "Association", "commune": {"level": "commune", "code": "62041", "name": "Arras"}}]})),
        (status = 400, description = "Paramètre invalide", body = ErrorBody),
        (status = 404, description = "Édition ou zone inconnue", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let (edition, filter) = build_filter(&state, &p).await?;
    if nonempty(p.offset.as_ref()).is_some() {
        return Err(ApiError::BadRequest(
            "offset applies to the exports; the list takes page and per_page".into(),
        ));
    }
    let page = parse_int("page", p.page.as_ref())?.unwrap_or(1);
    let per_page = parse_int("per_page", p.per_page.as_ref())?.unwrap_or(DEFAULT_PER_PAGE);
    if page < 1 {
        return Err(ApiError::BadRequest("page must be 1 or more".into()));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(ApiError::BadRequest(format!(
            "per_page must be between 1 and {MAX_PER_PAGE}"
        )));
    }
    let offset = (page - 1).saturating_mul(per_page);
    let (total, rows) = state
        .db
        .organisations_page(&filter, offset, per_page)
        .await?;
    let g = &state.geography;
    json(&OrganisationPage {
        edition: edition.year,
        demo: edition.demo,
        total,
        page,
        per_page,
        items: rows.iter().map(|r| organisation(g, r)).collect(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditionParam {
    edition: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct OneOrganisation<'a> {
    edition: i64,
    demo: bool,
    #[serde(flatten)]
    organisation: Organisation<'a>,
}

/// One establishment by its SIRET.
#[utoipa::path(get, path = "/api/organisations/{siret}", tag = "organisations",
    params(("siret" = String, Path, description = "SIRET (14 chiffres)", example = "77568420600012"),
        ("edition" = Option<i32>, Query, description = "Année de l'édition (la dernière par défaut)", example = 2023)),
    responses((status = 200, description = "L'établissement", body = OneOrganisation),
        (status = 400, description = "Paramètre invalide", body = ErrorBody),
        (status = 404, description = "Établissement ou édition inconnus", body = ErrorBody)))]
async fn one(
    State(state): State<AppState>,
    Path(siret): Path<String>,
    Query(p): Query<EditionParam>,
) -> Result<Response, ApiError> {
    if !(siret.len() == 14 && siret.bytes().all(|b| b.is_ascii_digit())) {
        return Err(ApiError::BadRequest(format!(
            "SIRET {siret:?} must be 14 digits"
        )));
    }
    let edition = resolve_edition(&state, parse_int("edition", p.edition.as_ref())?).await?;
    let row = state
        .db
        .organisation(edition.year, &siret)
        .await?
        .ok_or_else(|| ApiError::NotFound("organisation", siret.clone()))?;
    json(&OneOrganisation {
        edition: edition.year,
        demo: edition.demo,
        organisation: organisation(&state.geography, &row),
    })
}

/// The rows of one export answer: at most the export limit from `offset`, and whether
/// more remain.
struct ExportRows {
    rows: Vec<OrganisationRow>,
    /// The same request for the rows after these, when the limit stopped the answer.
    next: Option<String>,
}

impl ExportRows {
    /// Reads one more row than the limit: that row says whether the export is cut,
    /// without counting the whole selection.
    async fn read(
        state: &AppState,
        filter: &OrganisationFilter,
        p: &Params,
        path: &str,
        query: Option<&str>,
    ) -> Result<Self, ApiError> {
        let offset = parse_int("offset", p.offset.as_ref())?.unwrap_or(0);
        if offset < 0 {
            return Err(ApiError::BadRequest("offset must be 0 or more".into()));
        }
        let limit = state.export_limit;
        let mut rows = state
            .db
            .organisations(filter, offset, limit.saturating_add(1))
            .await?;
        let cut = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
        let next = cut.then(|| {
            rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            let mut kept: Vec<&str> = query
                .unwrap_or_default()
                .split('&')
                .filter(|pair| !pair.is_empty() && !pair.starts_with("offset="))
                .collect();
            let next_offset = format!("offset={}", offset.saturating_add(limit));
            kept.push(&next_offset);
            format!("{path}?{}", kept.join("&"))
        });
        Ok(Self { rows, next })
    }

    /// `X-Truncated`, `X-Export-Limit` and `Link: <…>; rel="next"` on a cut export.
    fn mark(&self, limit: i64, response: &mut Response) {
        let Some(next) = &self.next else { return };
        let headers = response.headers_mut();
        headers.insert("x-truncated", HeaderValue::from_static("true"));
        headers.insert("x-export-limit", HeaderValue::from(limit));
        if let Ok(link) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\"")) {
            headers.insert(header::LINK, link);
        }
    }
}

/// French decimal comma, as French Excel expects.
fn french_number(v: f64) -> String {
    v.to_string().replace('.', ",")
}

#[allow(clippy::too_many_lines)] // the CSV's columns are listed in one place, header and row side by side
/// The same selection as a CSV file (French Excel by default).
#[utoipa::path(get, path = "/api/organisations.csv", tag = "organisations",
    params(("edition" = Option<i32>, Query, description = "Année de l'édition (la dernière par défaut)", example = 2023),
        ("territory" = Option<String>, Query, description = "Code du territoire", example = "ARR"),
        ("epci" = Option<String>, Query, description = "SIREN de l'EPCI", example = "200033579"),
        ("commune" = Option<String>, Query, description = "Code INSEE de la commune", example = "62041"),
        ("family" = Option<String>, Query, description = "Familles de l'ESS, séparées par des virgules", example = "association,cooperative"),
        ("naf_section" = Option<String>, Query, description = "Sections NAF (A à U), séparées par des virgules", example = "Q,S"),
        ("size" = Option<String>, Query, description = "Tranches d'effectif, séparées par des virgules", example = "10-19"),
        ("employer" = Option<bool>, Query, description = "Employeurs seulement (true) ou non employeurs (false)"),
        ("q" = Option<String>, Query, description = "Nom, SIRET ou SIREN", example = "Emmaüs"),
        ("bbox" = Option<String>, Query, description = "Emprise `min_lon,min_lat,max_lon,max_lat` (WGS84)", example = "2.7,50.25,2.85,50.32"),
        ("format" = Option<String>, Query, description = "`standard` : virgule et point décimal au lieu du format Excel français"),
        ("offset" = Option<u32>, Query, description = "Lignes à sauter, pour reprendre un export arrêté à sa limite", minimum = 0)),
    responses((status = 200, description = "Le fichier CSV", content_type = "text/csv", body = String),
        (status = 400, description = "Paramètre invalide", body = ErrorBody),
        (status = 404, description = "Édition ou zone inconnue", body = ErrorBody)))]
async fn csv_export(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let (edition, filter) = build_filter(&state, &p).await?;
    let standard = match nonempty(p.format.as_ref()) {
        None | Some("excel") => false,
        Some("standard") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "format {other:?} must be excel or standard"
            )));
        }
    };
    let export = ExportRows::read(
        &state,
        &filter,
        &p,
        "/api/organisations.csv",
        query.as_deref(),
    )
    .await?;
    let rows = &export.rows;
    let g = &state.geography;
    let mut out = Vec::with_capacity(rows.len() * 200 + 512);
    if !standard {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(if standard { b',' } else { b';' })
        .from_writer(out);
    let number = |v: f64| {
        if standard {
            v.to_string()
        } else {
            french_number(v)
        }
    };
    // French Excel reads a 14-digit SIRET as a number (`4,20409E+13`): in its format,
    // identifiers are written as text formulas, `="42040900000012"`.
    let identifier = |v: &str| {
        if standard || v.is_empty() {
            v.to_owned()
        } else {
            format!("=\"{v}\"")
        }
    };
    let source = if edition.demo {
        "données de démonstration"
    } else {
        "Insee, SIRENE"
    };
    let write = |w: &mut csv::Writer<Vec<u8>>| -> Result<(), csv::Error> {
        w.write_record([
            "siret",
            "siren",
            "nom",
            "enseigne",
            "famille",
            "catégorie juridique",
            "libellé catégorie juridique",
            "NAF",
            "section NAF",
            "regroupement ESS",
            "tranche d'effectifs",
            "effectif estimé",
            "employeur",
            "siège",
            "date de création",
            "code commune",
            "commune",
            "EPCI",
            "territoire",
            "RNA",
            "adresse",
            "longitude",
            "latitude",
            "localisation approximative",
            "édition",
            "source",
        ])?;
        for r in rows {
            let o = organisation(g, r);
            let yes_no = |b: bool| if b { "oui" } else { "non" };
            w.write_record([
                &*identifier(r.siret.as_str()),
                &*identifier(&r.siren),
                &r.name,
                r.enseigne.as_deref().unwrap_or_default(),
                o.family_label,
                &r.categorie_juridique,
                crate::ess::reference::TABLES
                    .categories
                    .get(&r.categorie_juridique)
                    .map_or("", |c| c.libelle.as_str()),
                r.naf.as_deref().unwrap_or_default(),
                r.naf_section.as_deref().unwrap_or_default(),
                r.ess_group.as_deref().unwrap_or_default(),
                o.size_label.unwrap_or_default(),
                &number(r.jobs_estimate),
                yes_no(r.employer),
                yes_no(r.siege),
                r.creation_date.as_deref().unwrap_or_default(),
                &r.code_insee,
                o.commune.as_ref().map_or("", |z| z.name),
                o.epci.as_ref().map_or("", |z| z.name),
                o.territory.as_ref().map_or("", |z| z.name),
                r.rna.as_deref().unwrap_or_default(),
                r.address.as_deref().unwrap_or_default(),
                &r.lon.map(number).unwrap_or_default(),
                &r.lat.map(number).unwrap_or_default(),
                yes_no(r.location_approximate),
                &edition.year.to_string(),
                source,
            ])?;
        }
        Ok(())
    };
    write(&mut w).map_err(|e| ApiError::Internal(e.into()))?;
    let body = w
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    let filename = format!(
        "organisations-ess-{}{}{}.csv",
        edition.year,
        filter_slug(&p),
        if edition.demo { "-demonstration" } else { "" }
    );
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response();
    export.mark(state.export_limit, &mut response);
    Ok(response)
}

/// Points of the public establishments matching the filters, for the web map's
/// clustered layer (until vector tiles carry them). Beside `features`, `truncated`
/// says whether the export limit cut the answer and `next` gives the request for the
/// rest (also in the headers, as for the CSV).
/// The same selection as GeoJSON points.
#[utoipa::path(get, path = "/api/organisations.geojson", tag = "organisations",
    params(("edition" = Option<i32>, Query, description = "Année de l'édition (la dernière par défaut)", example = 2023),
        ("territory" = Option<String>, Query, description = "Code du territoire", example = "ARR"),
        ("epci" = Option<String>, Query, description = "SIREN de l'EPCI", example = "200033579"),
        ("commune" = Option<String>, Query, description = "Code INSEE de la commune", example = "62041"),
        ("family" = Option<String>, Query, description = "Familles de l'ESS, séparées par des virgules", example = "association,cooperative"),
        ("naf_section" = Option<String>, Query, description = "Sections NAF (A à U), séparées par des virgules", example = "Q,S"),
        ("size" = Option<String>, Query, description = "Tranches d'effectif, séparées par des virgules", example = "10-19"),
        ("employer" = Option<bool>, Query, description = "Employeurs seulement (true) ou non employeurs (false)"),
        ("q" = Option<String>, Query, description = "Nom, SIRET ou SIREN", example = "Emmaüs"),
        ("bbox" = Option<String>, Query, description = "Emprise `min_lon,min_lat,max_lon,max_lat` (WGS84)", example = "2.7,50.25,2.85,50.32"),
        ("offset" = Option<u32>, Query, description = "Points à sauter, pour reprendre un export arrêté à sa limite", minimum = 0)),
    responses((status = 200, description = "Les établissements géolocalisés (FeatureCollection)", content_type = "application/geo+json", body = super::schemas::FeatureCollection),
        (status = 400, description = "Paramètre invalide", body = ErrorBody),
        (status = 404, description = "Édition ou zone inconnue", body = ErrorBody)))]
async fn points(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let (_, filter) = build_filter(&state, &p).await?;
    let export = ExportRows::read(
        &state,
        &filter,
        &p,
        "/api/organisations.geojson",
        query.as_deref(),
    )
    .await?;
    let features: Vec<serde_json::Value> = export
        .rows
        .iter()
        .filter_map(|r| {
            let (lon, lat) = (r.lon?, r.lat?);
            Some(serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [
                    (lon * 1e6).round() / 1e6, (lat * 1e6).round() / 1e6
                ]},
                "properties": {
                    "siret": r.siret, "name": r.name, "family": r.family,
                    "employer": r.employer, "approximate": r.location_approximate,
                },
            }))
        })
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({
        "type": "FeatureCollection",
        "features": features,
        "truncated": export.next.is_some(),
        "next": export.next,
    }))
    .map_err(|e| ApiError::Internal(e.into()))?;
    let mut response = ([(header::CONTENT_TYPE, "application/geo+json")], body).into_response();
    export.mark(state.export_limit, &mut response);
    Ok(response)
}
