//! Indicators per zone and zone profiles, every figure masked by the secret
//! statistique ([`crate::indicators`]).
//!
//! This file answers `/api/indicators` and the catalogue and holds the query's
//! parsing, shared with `profile` (`/api/zones/{level}/{code}/profile`);
//! `answers` keeps public answers prepared once (gzip, ETag) per query and data
//! stamp, and marks staff answers private.

mod answers;
mod profile;

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::editions::resolve_edition;
use super::error::{ApiError, Query};
use super::json;
use crate::api::AppState;
use crate::ess::Family;
use crate::ess::category::{Category, SECTIONS};
use crate::ess::size::SizeClass;
use crate::geography::{Geography, Level, Zone};
use crate::indicators::catalogue::{CATALOGUE, find};
use crate::indicators::cube::{Cube, evolution_masks};
use crate::indicators::labels;
use crate::indicators::{Figure, Masks, evolution, value};
use answers::{Kept, audience_of, cube_for, kept_answer, respond};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(catalogue))
        .routes(routes!(indicators))
        .merge(profile::router())
}

pub use crate::indicators::NOTES;

/// Sources the figures of an edition come from (each figure says its own).
fn category_json(c: Category) -> serde_json::Value {
    let (id, label) = labels::category(c);
    serde_json::json!({"dimension": labels::dimension(c), "id": id, "label": label})
}

/// The indicators, families, sectors, size classes and levels.
#[utoipa::path(get, path = "/api/indicators/catalogue", tag = "indicateurs",
    responses((status = 200, description = "Le catalogue des indicateurs et des catégories", body = super::schemas::CatalogueAnswer)))]
async fn catalogue() -> Result<Response, ApiError> {
    let sectors: Vec<_> = SECTIONS
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| serde_json::json!({"id": s, "label": labels::section_label(s)}))
        .collect();
    json(&serde_json::json!({
        "items": CATALOGUE,
        "modes": [
            {"id": "value", "label": "Valeur"},
            {"id": "evolution_absolute", "label": "Évolution entre deux éditions (écart)"},
            {"id": "evolution_percent", "label": "Évolution entre deux éditions (%)"},
        ],
        "families": Family::ALL.iter().map(|f| serde_json::json!({
            "id": f.id(), "label": f.label(), "in_totals": f.in_statistical_totals()
        })).collect::<Vec<_>>(),
        "sectors": sectors,
        "size_classes": SizeClass::ALL.iter().map(|c| serde_json::json!({"id": c.id(), "label": c.label()})).collect::<Vec<_>>(),
        "levels": ["commune", "epci", "territory", "department"],
        "notes": NOTES,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    level: Option<String>,
    indicator: Option<String>,
    edition: Option<String>,
    compare_edition: Option<String>,
    family: Option<String>,
    sector: Option<String>,
    size: Option<String>,
    /// `compact`: the items as rows of a table (see [`compact_items`]).
    form: Option<String>,
}

fn nonempty(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn parse_year(name: &str, v: Option<&String>) -> Result<Option<i64>, ApiError> {
    nonempty(v)
        .map(|s| {
            s.parse()
                .map_err(|_| ApiError::BadRequest(format!("{name} {s:?} is not a year")))
        })
        .transpose()
}

pub fn parse_level(s: &str) -> Result<Level, ApiError> {
    match s {
        "commune" => Ok(Level::Commune),
        "epci" => Ok(Level::Epci),
        "territory" => Ok(Level::Territory),
        "department" => Ok(Level::Department),
        other => Err(ApiError::BadRequest(format!(
            "level {other:?} must be commune, epci, territory or department"
        ))),
    }
}

/// The category of the filters: at most one breakdown at a time, so that every
/// published table is one the secret statistique was computed for.
fn parse_category(
    family: Option<&String>,
    sector: Option<&String>,
    size: Option<&String>,
) -> Result<Category, ApiError> {
    let given = [family, sector, size]
        .iter()
        .filter(|v| nonempty(v.as_ref().copied()).is_some())
        .count();
    if given > 1 {
        return Err(ApiError::BadRequest(
            "give one of family, sector or size at a time (the secret statistique is computed per breakdown)".into(),
        ));
    }
    if let Some(f) = nonempty(family) {
        return Family::from_id(f)
            .map(Category::Family)
            .ok_or_else(|| ApiError::BadRequest(format!("unknown family {f:?}")));
    }
    if let Some(s) = nonempty(sector) {
        return Category::sector(&s.to_uppercase()).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "unknown sector {s:?}: expected a NAF section A to U"
            ))
        });
    }
    if let Some(z) = nonempty(size) {
        return SizeClass::from_id(z).map(Category::Size).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "unknown size class {z:?}: expected 0, 1-9, 10-49, 50-249 or 250+"
            ))
        });
    }
    Ok(Category::Total)
}

/// Zones of a level with their index in the cube's zone space and population.
fn zones_of<'a>(g: &'a Geography, cube: &Cube, level: Level) -> Vec<(usize, &'a Zone)> {
    match level {
        Level::Commune => g
            .communes
            .iter()
            .enumerate()
            .map(|(i, c)| (cube.space.index(level, i), &c.zone))
            .collect(),
        Level::Epci => g
            .epci
            .iter()
            .enumerate()
            .map(|(i, e)| (cube.space.index(level, i), &e.zone))
            .collect(),
        Level::Territory => g
            .territories
            .iter()
            .enumerate()
            .map(|(i, t)| (cube.space.index(level, i), &t.zone))
            .collect(),
        Level::Department => Vec::new(),
    }
}

/// The parent zone (index, code, name, population) of a zone, if any.
fn parent_of<'a>(
    g: &'a Geography,
    cube: &Cube,
    level: Level,
    code: &str,
) -> Option<(usize, &'a str, &'a str, u64)> {
    match level {
        Level::Commune => {
            let c = g.commune(code)?;
            let e = &g.epci[c.epci];
            Some((
                cube.space.index(Level::Epci, c.epci),
                &e.zone.code,
                &e.zone.name,
                e.zone.population,
            ))
        }
        Level::Epci => {
            let e = g.epci_by_siren(code)?;
            let t = &g.territories[e.territory];
            Some((
                cube.space.index(Level::Territory, e.territory),
                &t.zone.code,
                &t.zone.name,
                t.zone.population,
            ))
        }
        Level::Territory => Some((
            cube.space.index(Level::Department, 0),
            &g.department.code,
            &g.department.name,
            g.department.population,
        )),
        Level::Department => None,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct ZoneFigure<'a> {
    code: &'a str,
    name: &'a str,
    population: u64,
    #[serde(flatten)]
    figure: Figure,
    #[serde(skip_serializing_if = "Option::is_none")]
    evolution: Option<EvolutionFigures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<ParentFigure<'a>>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct EvolutionFigures {
    absolute: Figure,
    percent: Figure,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ParentFigure<'a> {
    code: &'a str,
    name: &'a str,
    #[serde(flatten)]
    figure: Figure,
}

/// `form=compact`: the items as a table, for levels with many zones (France has
/// ~35,000 communes: as objects, 7 MB of JSON, mostly repeated keys and each
/// commune's EPCI figure repeated for every commune). Each row is `columns` in
/// order — `secret` and `restricted` as 0/1, `parent` the parent's code in
/// `parents` (its name and figure, once) — and `source` is given once when every
/// figure has the same. Same figures, same masks as the full form.
fn compact_items(items: &[ZoneFigure<'_>], with_evolution: bool) -> serde_json::Value {
    use serde_json::{Value, json};
    let flag = |b: bool| Value::from(u8::from(b));
    let uniform_source = items
        .first()
        .map(|f| f.figure.source)
        .filter(|s| items.iter().all(|f| f.figure.source == *s));
    let mut columns = vec![
        "code",
        "name",
        "population",
        "value",
        "secret",
        "restricted",
        "parent",
    ];
    if uniform_source.is_none() {
        columns.push("source");
    }
    if with_evolution {
        columns.extend([
            "evolution_absolute",
            "evolution_absolute_secret",
            "evolution_percent",
            "evolution_percent_secret",
        ]);
    }
    let mut parents = serde_json::Map::new();
    let rows: Vec<Value> = items
        .iter()
        .map(|f| {
            let mut row = vec![
                json!(f.code),
                json!(f.name),
                json!(f.population),
                json!(f.figure.value),
                flag(f.figure.secret),
                flag(f.figure.restricted),
                f.parent.as_ref().map_or(Value::Null, |p| {
                    parents
                        .entry(p.code.to_owned())
                        .or_insert_with(|| json!({"name": p.name, "figure": p.figure}));
                    json!(p.code)
                }),
            ];
            if uniform_source.is_none() {
                row.push(json!(f.figure.source));
            }
            if with_evolution {
                let (absolute, percent) = f
                    .evolution
                    .as_ref()
                    .map_or((None, None), |e| (Some(e.absolute), Some(e.percent)));
                for figure in [absolute, percent] {
                    row.push(json!(figure.and_then(|g| g.value)));
                    row.push(flag(figure.is_some_and(|g| g.secret)));
                }
            }
            Value::Array(row)
        })
        .collect();
    json!({
        "columns": columns,
        "rows": rows,
        "parents": parents,
        "source": uniform_source,
    })
}

#[allow(clippy::too_many_lines)] // one answer: parameters, figures of every zone, evolution, the JSON
/// One indicator for every zone of a level, under the secret statistique.
///
/// Each item carries a figure (`value`, `secret`, `restricted`, `source`, see the
/// `Figure` schema): for the public a secret figure has `value: null`; staff see it
/// with `restricted: true`.
#[utoipa::path(get, path = "/api/indicators", tag = "indicateurs",
    params(("level" = String, Query, description = "Niveau : `commune`, `epci`, `territory` ou `department`", example = "epci"),
        ("indicator" = String, Query, description = "Identifiant de l'indicateur (voir le catalogue)", example = "ess_share_jobs"),
        ("edition" = Option<i32>, Query, description = "Année de l'édition (la dernière par défaut)", example = 2023),
        ("compare_edition" = Option<i32>, Query, description = "Édition de comparaison : ajoute l'évolution", example = 2017),
        ("family" = Option<String>, Query, description = "Famille de l'ESS (une catégorie à la fois)", example = "association"),
        ("sector" = Option<String>, Query, description = "Secteur d'activité", example = "action_sociale"),
        ("size" = Option<String>, Query, description = "Tranche d'effectif", example = "10-49"),
        ("form" = Option<String>, Query, description = "`compact` : les lignes d'un tableau au lieu d'objets")),
    responses((status = 200, description = "Les valeurs par zone", body = super::schemas::IndicatorsAnswer,
        example = json!({"indicator": "ess_share_jobs", "level": "epci", "edition": 2023, "demo": true, "items": [{"code": "200033579", "name": "Communauté urbaine d'Arras", "population": 108_000, "value": 12.4, "secret": false, "source": "sirene"}, {"code": "246200364", "name": "CC des Campagnes de l'Artois", "population": 32_000, "value": null, "secret": true, "source": "sirene"}]})),
        (status = 304, description = "Inchangée depuis l'ETag envoyé (If-None-Match)"),
        (status = 400, description = "Paramètre absent ou invalide", body = ErrorBody),
        (status = 404, description = "Indicateur ou édition inconnus", body = ErrorBody)))]
async fn indicators(
    State(state): State<AppState>,
    viewer: super::session::Viewer,
    uri: Uri,
    request: HeaderMap,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let audience = audience_of(&viewer);
    let key = match kept_answer(&state, audience, &uri, &request).await? {
        Kept::Answer(response) => return Ok(response),
        Kept::Key(key) => key,
    };
    let level = parse_level(nonempty(p.level.as_ref()).unwrap_or("territory"))?;
    let compact = match nonempty(p.form.as_ref()) {
        None | Some("full") => false,
        Some("compact") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "form {other:?} must be full or compact"
            )));
        }
    };
    let id = nonempty(p.indicator.as_ref()).unwrap_or("ess_share_jobs");
    let indicator = find(id).ok_or_else(|| ApiError::NotFound("indicator", id.to_owned()))?;
    let category = parse_category(p.family.as_ref(), p.sector.as_ref(), p.size.as_ref())?;
    if indicator.needs_category && category == Category::Total {
        return Err(ApiError::BadRequest(format!(
            "indicator {id} needs a family, sector or size filter"
        )));
    }
    let edition = resolve_edition(&state, parse_year("edition", p.edition.as_ref())?).await?;
    let cube = cube_for(&state, &edition).await?;
    let compare = match parse_year("compare_edition", p.compare_edition.as_ref())? {
        Some(year) => {
            let other = resolve_edition(&state, Some(year)).await?;
            Some((other.year, cube_for(&state, &other).await?))
        }
        None => None,
    };
    let evo_masks = compare
        .as_ref()
        .map(|(_, from)| evolution_masks(from, &cube));
    let g = &state.geography;
    let masks = Masks::of(&cube);
    let figure_of = |zone: usize, population: u64| {
        value(
            indicator, &cube, masks, zone, category, population, audience,
        )
    };
    let evolution_of = |zone: usize, population: u64| {
        compare
            .as_ref()
            .zip(evo_masks.as_ref())
            .map(|((_, from), (ess, economy))| {
                let (absolute, percent) = evolution(
                    indicator,
                    from,
                    &cube,
                    Masks { ess, economy },
                    zone,
                    category,
                    population,
                    audience,
                );
                EvolutionFigures { absolute, percent }
            })
    };
    let dept_zone = cube.space.index(Level::Department, 0);
    let department_figure = || ZoneFigure {
        code: &g.department.code,
        name: &g.department.name,
        population: g.department.population,
        figure: figure_of(dept_zone, g.department.population),
        evolution: evolution_of(dept_zone, g.department.population),
        parent: None,
    };
    let department = department_figure();
    let items: Vec<ZoneFigure<'_>> = if level == Level::Department {
        vec![department_figure()]
    } else {
        zones_of(g, &cube, level)
            .into_iter()
            .map(|(zone, z)| ZoneFigure {
                code: &z.code,
                name: &z.name,
                population: z.population,
                figure: figure_of(zone, z.population),
                evolution: evolution_of(zone, z.population),
                parent: parent_of(g, &cube, level, &z.code).map(|(pz, code, name, pop)| {
                    ParentFigure {
                        code,
                        name,
                        figure: figure_of(pz, pop),
                    }
                }),
            })
            .collect()
    };
    let mut answer = serde_json::json!({
        "indicator": indicator,
        "level": level,
        "edition": edition.year,
        "reference_date": edition.reference_date,
        "compare_edition": compare.as_ref().map(|(y, _)| y),
        "category": category_json(category),
        "sources": labels::sources(&cube),
        "source_label": labels::source_label(&cube),
        "demo": edition.demo,
        "department": department,
        "form": if compact { "compact" } else { "full" },
        "notes": NOTES,
    });
    if compact {
        answer["compact"] = compact_items(&items, compare.is_some());
    } else {
        answer["items"] = serde_json::json!(items);
    }
    respond(&state, audience, key, &request, &answer)
}
