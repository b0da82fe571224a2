//! `/api/zones/{level}/{code}/profile`: one zone's key figures beside its parent's
//! and the département's, its breakdowns by family, sector and size, and its series
//! across editions, each edition on its own masks.

#[allow(unused_imports)]
use crate::api::openapi::ErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde::Deserialize;

use super::answers::{Kept, audience_of, cube_for, kept_answer, respond};
use super::{NOTES, category_json, parent_of, parse_category, parse_level, parse_year};
use crate::api::AppState;
use crate::api::editions::resolve_edition;
use crate::api::error::{ApiError, Path, Query};
use crate::ess::Family;
use crate::ess::category::{Category, SECTIONS};
use crate::ess::size::SizeClass;
use crate::geography::{Geography, Level};
use crate::indicators::catalogue::{CATALOGUE, Indicator, find};
use crate::indicators::cube::Cube;
use crate::indicators::labels;
use crate::indicators::{Audience, Masks, value};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(profile))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileParams {
    edition: Option<String>,
    /// One of these narrows the key figures and the series to a category.
    family: Option<String>,
    sector: Option<String>,
    size: Option<String>,
}

/// Whether an indicator applies to `category` (some need one, `Total` is not one).
fn applies(indicator: &Indicator, category: Category) -> bool {
    !indicator.needs_category || category != Category::Total
}

/// Key figures of `category` (the whole ESS by default): every indicator that applies.
fn key_figures(
    g: &Geography,
    cube: &Cube,
    zone: usize,
    population: u64,
    parent: Option<(usize, &str, &str, u64)>,
    category: Category,
    audience: Audience,
) -> Vec<serde_json::Value> {
    let masks = Masks::of(cube);
    let dept = cube.space.index(Level::Department, 0);
    CATALOGUE
        .iter()
        .filter(|i| applies(i, category))
        .map(|i: &Indicator| {
            serde_json::json!({
                "indicator": i.id,
                "label": i.label,
                "unit": i.unit,
                "estimate": i.estimate,
                "zone": value(i, cube, masks, zone, category, population, audience),
                "parent": parent.map(|(pz, code, name, pop)| serde_json::json!({
                    "code": code, "name": name,
                    "figure": value(i, cube, masks, pz, category, pop, audience),
                })),
                "department": value(i, cube, masks, dept, category, g.department.population, audience),
            })
        })
        .collect()
}

fn breakdown(
    cube: &Cube,
    zone: usize,
    population: u64,
    categories: &[Category],
    audience: Audience,
) -> Vec<serde_json::Value> {
    let masks = Masks::of(cube);
    let ids = [
        "ess_establishments",
        "ess_employers",
        "ess_jobs",
        "share_of_ess_jobs",
        "ess_subsidies",
    ];
    categories
        .iter()
        .map(|&c| {
            let mut row = category_json(c);
            for id in ids {
                if let Some(i) = find(id) {
                    row[id] =
                        serde_json::json!(value(i, cube, masks, zone, c, population, audience));
                }
            }
            row
        })
        .collect()
}

/// The key figures and series of one zone.
#[utoipa::path(get, path = "/api/zones/{level}/{code}/profile", tag = "indicateurs",
    params(("level" = String, Path, description = "Niveau : `commune`, `epci`, `territory` ou `department`", example = "territory"),
        ("code" = String, Path, description = "Code de la zone", example = "ARR"),
        ("edition" = Option<i32>, Query, description = "Année de l'édition (la dernière par défaut)", example = 2023),
        ("family" = Option<String>, Query, description = "Famille de l'ESS (une catégorie à la fois)", example = "association"),
        ("sector" = Option<String>, Query, description = "Secteur d'activité", example = "action_sociale"),
        ("size" = Option<String>, Query, description = "Tranche d'effectif", example = "10-49")),
    responses((status = 200, description = "Les chiffres clés et les séries de la zone (figures sous secret statistique)", body = crate::api::schemas::ProfileAnswer),
        (status = 304, description = "Inchangée depuis l'ETag envoyé (If-None-Match)"),
        (status = 400, description = "Paramètre invalide", body = ErrorBody),
        (status = 404, description = "Zone ou édition inconnues", body = ErrorBody)))]
async fn profile(
    State(state): State<AppState>,
    viewer: crate::api::session::Viewer,
    Path((level, code)): Path<(String, String)>,
    uri: Uri,
    request: HeaderMap,
    Query(p): Query<ProfileParams>,
) -> Result<Response, ApiError> {
    let audience = audience_of(&viewer);
    let key = match kept_answer(&state, audience, &uri, &request).await? {
        Kept::Answer(response) => return Ok(response),
        Kept::Key(key) => key,
    };
    let level = parse_level(&level)?;
    let g = &state.geography;
    let (position, zone_name, population) = match level {
        Level::Commune => g
            .commune_position(&code)
            .map(|i| (i, &g.communes[i].zone.name, g.communes[i].zone.population)),
        Level::Epci => g
            .epci
            .binary_search_by(|e| e.zone.code.as_str().cmp(&code))
            .ok()
            .map(|i| (i, &g.epci[i].zone.name, g.epci[i].zone.population)),
        Level::Territory => g
            .territories
            .binary_search_by(|t| t.zone.code.as_str().cmp(&code))
            .ok()
            .map(|i| {
                (
                    i,
                    &g.territories[i].zone.name,
                    g.territories[i].zone.population,
                )
            }),
        Level::Department => {
            (code == g.department.code).then_some((0, &g.department.name, g.department.population))
        }
    }
    .ok_or_else(|| {
        ApiError::NotFound("zone", format!("{code} at level {level:?}").to_lowercase())
    })?;
    let category = parse_category(p.family.as_ref(), p.sector.as_ref(), p.size.as_ref())?;
    let edition = resolve_edition(&state, parse_year("edition", p.edition.as_ref())?).await?;
    let cube = cube_for(&state, &edition).await?;
    let zone = cube.space.index(level, position);
    let parent = parent_of(g, &cube, level, &code);

    let families: Vec<Category> = Family::ALL.map(Category::Family).to_vec();
    let sectors: Vec<Category> = SECTIONS.map(Category::Sector).to_vec();
    let sizes: Vec<Category> = SizeClass::ALL.map(Category::Size).to_vec();

    // The series across editions, each on its own masks.
    let mut series = Vec::new();
    for e in state.db.editions().await? {
        let c = cube_for(&state, &e).await?;
        let masks = Masks::of(&c);
        let mut figures = serde_json::Map::new();
        for i in CATALOGUE.iter().filter(|i| applies(i, category)) {
            let figure = value(i, &c, masks, zone, category, population, audience);
            figures.insert(i.id.into(), serde_json::json!(figure));
        }
        series.push(serde_json::json!({"edition": e.year, "demo": e.demo, "figures": figures}));
    }

    respond(
        &state,
        audience,
        key,
        &request,
        &serde_json::json!({
            "zone": {"level": level, "code": code, "name": zone_name, "population": population},
            "parent": parent.map(|(_, code, name, _)| serde_json::json!({"code": code, "name": name})),
            "edition": edition.year,
            "reference_date": edition.reference_date,
            "demo": edition.demo,
            "sources": labels::sources(&cube),
            "source_label": labels::source_label(&cube),
            "category": category_json(category),
            "key_figures": key_figures(g, &cube, zone, population, parent, category, audience),
            "breakdowns": {
                "family": breakdown(&cube, zone, population, &families, audience),
                "sector": breakdown(&cube, zone, population, &sectors, audience),
                "size": breakdown(&cube, zone, population, &sizes, audience),
            },
            "series": series,
            "notes": NOTES,
        }),
    )
}
