//! Zones of the geography as JSON: département metadata, territories, EPCI, communes,
//! and which zones hold a point (`/api/locate`).
//!
//! Everything is answered from the in-memory [`Geography`]; no database access.

use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Path, Query};
use super::json;
use super::openapi::ErrorBody;
use crate::api::AppState;
use crate::geography::{Commune, Epci, Geography, Level, Territory, Zone};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(meta))
        .routes(routes!(list_territories))
        .routes(routes!(territory))
        .routes(routes!(list_epci))
        .routes(routes!(epci))
        .routes(routes!(list_communes))
        .routes(routes!(commune))
        .routes(routes!(locate))
}

/// `{"items": [...]}`: room for metadata beside the list later.
#[derive(Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// A zone named by its level and code.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"level": "commune", "code": "62041", "name": "Arras"}))]
pub struct ZoneRef<'a> {
    pub level: Level,
    pub code: &'a str,
    pub name: &'a str,
}

/// A zone inside another (an EPCI of a territory, a commune of an EPCI).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"code": "62041", "name": "Arras", "population": 41_000}))]
pub struct Member<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub population: u64,
}

/// What every zone answers, at every level.
#[derive(Serialize, ToSchema)]
pub struct ZoneSummary<'a> {
    pub level: Level,
    pub code: &'a str,
    pub name: &'a str,
    pub population: u64,
    /// Measured on EPSG:3035 (equal-area), 2 decimals.
    pub area_km2: f64,
    /// `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox: [f64; 4],
    pub label_point: [f64; 2],
}

fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

impl<'a> From<&'a Zone> for ZoneSummary<'a> {
    fn from(z: &'a Zone) -> Self {
        Self {
            level: z.level,
            code: &z.code,
            name: &z.name,
            population: z.population,
            area_km2: round(z.area_km2, 2),
            bbox: z.bbox.map(|v| round(v, 6)),
            label_point: z.label_point.map(|v| round(v, 6)),
        }
    }
}

impl<'a> From<&'a Zone> for ZoneRef<'a> {
    fn from(z: &'a Zone) -> Self {
        Self {
            level: z.level,
            code: &z.code,
            name: &z.name,
        }
    }
}

impl<'a> From<&'a Zone> for Member<'a> {
    fn from(z: &'a Zone) -> Self {
        Self {
            code: &z.code,
            name: &z.name,
            population: z.population,
        }
    }
}

fn department_ref(g: &Geography) -> ZoneRef<'_> {
    ZoneRef {
        level: Level::Department,
        code: &g.department.code,
        name: &g.department.name,
    }
}

#[derive(Serialize, ToSchema)]
struct DepartmentMeta<'a> {
    code: &'a str,
    name: &'a str,
    population: u64,
    area_km2: f64,
    bbox: [f64; 4],
}

#[derive(Serialize, ToSchema)]
struct Counts {
    territories: usize,
    epci: usize,
    communes: usize,
}

#[derive(Serialize, ToSchema)]
struct Meta<'a> {
    department: DepartmentMeta<'a>,
    attribution: &'a str,
    /// Whether the organisations shown (latest edition) are synthetic demonstration data.
    demo: bool,
    /// Years of the imported editions, oldest first.
    editions: Vec<i64>,
    counts: Counts,
}

/// The département, its counts and the imported editions.
#[utoipa::path(get, path = "/api/meta", tag = "zones",
    responses((status = 200, description = "Le département, ses effectifs et les éditions importées", body = Meta,
        example = json!({"department": {"code": "62", "name": "Pas-de-Calais", "population": 1_449_000, "area_km2": 6671.4, "bbox": [1.55, 50.02, 3.19, 51.01]}, "attribution": "IGN Admin Express", "demo": true, "editions": [2014, 2017, 2020, 2023], "counts": {"territories": 9, "epci": 20, "communes": 890}}))))]
async fn meta(State(state): State<AppState>) -> Result<Response, ApiError> {
    let editions = state.db.editions().await?;
    let g = &state.geography;
    let d = &g.department;
    json(&Meta {
        department: DepartmentMeta {
            code: &d.code,
            name: &d.name,
            population: d.population,
            area_km2: round(d.area_km2, 1),
            bbox: d.bbox.map(|v| round(v, 6)),
        },
        attribution: &d.attribution,
        demo: editions.last().is_some_and(|e| e.demo),
        editions: editions.iter().map(|e| e.year).collect(),
        counts: Counts {
            territories: g.territories.len(),
            epci: g.epci.len(),
            communes: g.communes.len(),
        },
    })
}

#[derive(Serialize, ToSchema)]
struct TerritoryItem<'a> {
    #[serde(flatten)]
    zone: ZoneSummary<'a>,
    commune_count: usize,
    epci_count: usize,
}

#[derive(Serialize, ToSchema)]
struct TerritoryDetail<'a> {
    #[serde(flatten)]
    item: TerritoryItem<'a>,
    epci: Vec<Member<'a>>,
    communes: Vec<Member<'a>>,
    parents: Vec<ZoneRef<'a>>,
}

fn territory_item(t: &Territory) -> TerritoryItem<'_> {
    TerritoryItem {
        zone: (&t.zone).into(),
        commune_count: t.communes.len(),
        epci_count: t.epci.len(),
    }
}

/// The Département's 9 territories.
#[utoipa::path(get, path = "/api/territories", tag = "zones",
    responses((status = 200, description = "Les territoires (`items`)", body = Items<TerritoryItem>,
        example = json!({"items": [{"level": "territory", "code": "ARR", "name": "Arrageois", "population": 170_000, "area_km2": 1146.2, "bbox": [2.4, 50.1, 3.2, 50.45], "label_point": [2.78, 50.29], "commune_count": 222, "epci_count": 3}]}))))]
async fn list_territories(State(state): State<AppState>) -> Result<Response, ApiError> {
    let items: Vec<_> = state
        .geography
        .territories
        .iter()
        .map(territory_item)
        .collect();
    json(&Items { items })
}

/// One territory, its EPCI and communes.
#[utoipa::path(get, path = "/api/territories/{code}", tag = "zones",
    params(("code" = String, Path, description = "Code du territoire", example = "ARR")),
    responses((status = 200, description = "Le territoire, ses EPCI, communes et parents", body = TerritoryDetail),
        (status = 404, description = "Territoire inconnu", body = ErrorBody)))]
async fn territory(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let g = &state.geography;
    // Codes are written in capitals (`ARR`); a link typed in lower case finds it too.
    let t = g
        .territory(&code)
        .or_else(|| g.territory(&code.trim().to_uppercase()))
        .ok_or_else(|| ApiError::NotFound("territory", code.clone()))?;
    json(&TerritoryDetail {
        item: territory_item(t),
        epci: t.epci.iter().map(|&e| (&g.epci[e].zone).into()).collect(),
        communes: t
            .communes
            .iter()
            .map(|&c| (&g.communes[c].zone).into())
            .collect(),
        parents: vec![department_ref(g)],
    })
}

#[derive(Serialize, ToSchema)]
struct EpciItem<'a> {
    #[serde(flatten)]
    zone: ZoneSummary<'a>,
    short_name: &'a str,
    /// `CA`, `CC`, `CU` or `ME`.
    kind: &'a str,
    commune_count: usize,
    territory: ZoneRef<'a>,
}

#[derive(Serialize, ToSchema)]
struct EpciDetail<'a> {
    #[serde(flatten)]
    item: EpciItem<'a>,
    communes: Vec<Member<'a>>,
    parents: Vec<ZoneRef<'a>>,
}

fn epci_item<'a>(g: &'a Geography, e: &'a Epci) -> EpciItem<'a> {
    EpciItem {
        zone: (&e.zone).into(),
        short_name: &e.short_name,
        kind: &e.kind,
        commune_count: e.communes.len(),
        territory: (&g.territories[e.territory].zone).into(),
    }
}

/// The 20 EPCI of the département.
#[utoipa::path(get, path = "/api/epci", tag = "zones",
    responses((status = 200, description = "Les EPCI (`items`)", body = Items<EpciItem>,
        example = json!({"items": [{"level": "epci", "code": "200033579", "name": "Communauté urbaine d'Arras", "short_name": "CU d'Arras", "kind": "CU", "population": 108_000, "commune_count": 46}]}))))]
async fn list_epci(State(state): State<AppState>) -> Result<Response, ApiError> {
    let g = &state.geography;
    let items: Vec<_> = g.epci.iter().map(|e| epci_item(g, e)).collect();
    json(&Items { items })
}

/// One EPCI and its communes.
#[utoipa::path(get, path = "/api/epci/{siren}", tag = "zones",
    params(("siren" = String, Path, description = "SIREN de l'EPCI (9 chiffres)", example = "200033579")),
    responses((status = 200, description = "L'EPCI, ses communes et parents", body = EpciDetail),
        (status = 404, description = "EPCI inconnu", body = ErrorBody)))]
async fn epci(
    State(state): State<AppState>,
    Path(siren): Path<String>,
) -> Result<Response, ApiError> {
    let g = &state.geography;
    // A SIREN copied with its spaces (`200 033 579`) finds the EPCI too.
    let e = g
        .epci_by_siren(&siren)
        .or_else(|| g.epci_by_siren(&siren.split_whitespace().collect::<String>()))
        .ok_or_else(|| ApiError::NotFound("EPCI", siren.clone()))?;
    json(&EpciDetail {
        item: epci_item(g, e),
        communes: e
            .communes
            .iter()
            .map(|&c| (&g.communes[c].zone).into())
            .collect(),
        parents: vec![(&g.territories[e.territory].zone).into(), department_ref(g)],
    })
}

#[derive(Serialize, ToSchema)]
struct CommuneItem<'a> {
    #[serde(flatten)]
    zone: ZoneSummary<'a>,
    epci: ZoneRef<'a>,
    territory: ZoneRef<'a>,
}

#[derive(Serialize, ToSchema)]
struct CommuneDetail<'a> {
    #[serde(flatten)]
    item: CommuneItem<'a>,
    parents: Vec<ZoneRef<'a>>,
}

fn commune_item<'a>(g: &'a Geography, c: &'a Commune) -> CommuneItem<'a> {
    CommuneItem {
        zone: (&c.zone).into(),
        epci: (&g.epci[c.epci].zone).into(),
        territory: (&g.territories[c.territory].zone).into(),
    }
}

/// Upper bound of `limit` on `/api/communes`.
const MAX_COMMUNES: usize = 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommuneFilter {
    territory: Option<String>,
    epci: Option<String>,
    /// Name or code; see [`Geography::search_communes`].
    q: Option<String>,
    limit: Option<usize>,
}

/// The communes, filtered by territory, EPCI or name.
#[utoipa::path(get, path = "/api/communes", tag = "zones",
    params(
        ("territory" = Option<String>, Query, description = "Code du territoire", example = "ARR"),
        ("epci" = Option<String>, Query, description = "SIREN de l'EPCI", example = "200033579"),
        ("q" = Option<String>, Query, description = "Nom ou code INSEE (début)", example = "Arras"),
        ("limit" = Option<u32>, Query, description = "Nombre maximal de communes (défaut 1000)", minimum = 1, maximum = 1000)),
    responses((status = 200, description = "Les communes (`items`)", body = Items<CommuneItem>,
        example = json!({"items": [{"level": "commune", "code": "62041", "name": "Arras", "population": 41_000, "epci": {"level": "epci", "code": "200033579", "name": "Communauté urbaine d'Arras"}, "territory": {"level": "territory", "code": "ARR", "name": "Arrageois"}}]})),
        (status = 400, description = "Paramètre invalide (limit hors de 1..=1000, paramètre inconnu)", body = ErrorBody),
        (status = 404, description = "Territoire ou EPCI inconnu", body = ErrorBody)))]
async fn list_communes(
    State(state): State<AppState>,
    Query(filter): Query<CommuneFilter>,
) -> Result<Response, ApiError> {
    let g = &state.geography;
    let territory = match filter.territory.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(
            g.territories
                .binary_search_by(|t| t.zone.code.as_str().cmp(code))
                .map_err(|_| ApiError::NotFound("territory", code.to_owned()))?,
        ),
        None => None,
    };
    let epci = match filter.epci.as_deref().filter(|s| !s.is_empty()) {
        Some(siren) => Some(
            g.epci
                .binary_search_by(|e| e.zone.code.as_str().cmp(siren))
                .map_err(|_| ApiError::NotFound("EPCI", siren.to_owned()))?,
        ),
        None => None,
    };
    let limit = filter.limit.unwrap_or(MAX_COMMUNES);
    if limit == 0 || limit > MAX_COMMUNES {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_COMMUNES}"
        )));
    }
    let items: Vec<_> = g
        .search_communes(filter.q.as_deref().unwrap_or(""))
        .into_iter()
        .map(|i| &g.communes[i])
        .filter(|c| territory.is_none_or(|t| c.territory == t))
        .filter(|c| epci.is_none_or(|e| c.epci == e))
        .take(limit)
        .map(|c| commune_item(g, c))
        .collect();
    json(&Items { items })
}

/// One commune and its parents.
#[utoipa::path(get, path = "/api/communes/{code}", tag = "zones",
    params(("code" = String, Path, description = "Code INSEE de la commune", example = "62041")),
    responses((status = 200, description = "La commune et ses parents (EPCI, territoire, département)", body = CommuneDetail),
        (status = 404, description = "Commune inconnue", body = ErrorBody)))]
async fn commune(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let g = &state.geography;
    let c = g
        .commune(&code)
        .ok_or_else(|| ApiError::NotFound("commune", code.clone()))?;
    json(&CommuneDetail {
        item: commune_item(g, c),
        parents: vec![
            (&g.epci[c.epci].zone).into(),
            (&g.territories[c.territory].zone).into(),
            department_ref(g),
        ],
    })
}

#[derive(Deserialize)]
struct LocateParams {
    lon: Option<String>,
    lat: Option<String>,
}

/// Parses a coordinate given as text, with a message naming the parameter.
fn parse_coordinate(name: &str, value: Option<&str>, limit: f64) -> Result<f64, ApiError> {
    let text = value.ok_or_else(|| ApiError::BadRequest(format!("missing parameter {name}")))?;
    let v: f64 = text
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| ApiError::BadRequest(format!("{name} {text:?} is not a number")))?;
    if !(-limit..=limit).contains(&v) {
        return Err(ApiError::BadRequest(format!(
            "{name} {v} is out of range [-{limit}, {limit}]"
        )));
    }
    Ok(v)
}

#[derive(Serialize, ToSchema)]
struct Located<'a> {
    lon: f64,
    lat: f64,
    commune: ZoneRef<'a>,
    epci: ZoneRef<'a>,
    territory: ZoneRef<'a>,
}

/// The commune, EPCI and territory at a point.
#[utoipa::path(get, path = "/api/locate", tag = "zones",
    params(
        ("lon" = f64, Query, description = "Longitude WGS84", minimum = -180, maximum = 180, example = 2.78),
        ("lat" = f64, Query, description = "Latitude WGS84", minimum = -90, maximum = 90, example = 50.29)),
    responses((status = 200, description = "Les zones qui contiennent le point", body = Located,
        example = json!({"lon": 2.78, "lat": 50.29, "commune": {"level": "commune", "code": "62041", "name": "Arras"}, "epci": {"level": "epci", "code": "200033579", "name": "Communauté urbaine d'Arras"}, "territory": {"level": "territory", "code": "ARR", "name": "Arrageois"}})),
        (status = 400, description = "Coordonnée absente, non numérique ou hors limites", body = ErrorBody),
        (status = 404, description = "Point hors du département", body = ErrorBody)))]
async fn locate(
    State(state): State<AppState>,
    Query(params): Query<LocateParams>,
) -> Result<Response, ApiError> {
    let lon = parse_coordinate("lon", params.lon.as_deref(), 180.0)?;
    let lat = parse_coordinate("lat", params.lat.as_deref(), 90.0)?;
    let g = &state.geography;
    let at = g.locate(lon, lat).ok_or_else(|| {
        ApiError::NotFound(
            "commune of the département at",
            format!("lon={lon}, lat={lat}"),
        )
    })?;
    json(&Located {
        lon,
        lat,
        commune: (&g.communes[at.commune].zone).into(),
        epci: (&g.epci[at.epci].zone).into(),
        territory: (&g.territories[at.territory].zone).into(),
    })
}
