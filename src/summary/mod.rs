//! Territory and EPCI summaries (« fiches ») and the departmental compendium
//! (« recueil »): the one data model every document format renders.
//!
//! [`build`] reads a zone's figures through the same indicator functions and masks
//! as the public API ([`crate::indicators::value`], [`Audience::Public`]: a document
//! never carries an unmasked figure), the published orientations and actions
//! concerning it, and draws its map. The renderers ([`html`], [`csv`], [`xlsx`],
//! [`pdf`], [`odt`]) only format a [`Summary`]; they compute nothing. HTTP lives in
//! `api::summaries`, the command line in `cli`.

pub mod cache;
pub mod coconstruction;
pub mod csv;
pub mod embed;
pub mod format;
mod grants;
pub mod html;
pub mod map;
pub mod odt;
pub mod opendata;
pub mod pdf;
mod plan;
pub mod publisher;
pub mod recueil;
pub mod xlsx;

use grants::grants;
pub use grants::{Beneficiary, Grants, LISTED_BENEFICIARIES};
use plan::plan_items;

use serde::Serialize;

use crate::db::Db;
use crate::db::{DbError, Edition};
use crate::ess::Family;
use crate::ess::category::{Category, SECTIONS};
use crate::ess::size::SizeClass;
use crate::geography::{Geography, Level, Zone};
use crate::indicators::cache::CubeCache;
use crate::indicators::catalogue::{CATALOGUE, Indicator, find};
use crate::indicators::cube::Cube;
use crate::indicators::labels;
use crate::indicators::{Audience, Figure, Masks, value};
use format::{MISSING, SECRET, fr_value};

#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    #[error("{0} not found")]
    UnknownZone(String),
    #[error("edition {0} not found")]
    UnknownEdition(i64),
    #[error("no edition imported yet")]
    NoEdition,
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("cannot render the {format} document: {message}")]
    Render {
        format: &'static str,
        message: String,
    },
}

pub type Result<T, E = SummaryError> = std::result::Result<T, E>;

/// What building a summary reads: the database, the geography, the indicator cubes.
/// The server passes its own (shared cubes); the command line builds one.
#[derive(Clone)]
pub struct Context {
    pub db: Db,
    pub geography: std::sync::Arc<Geography>,
    pub cubes: std::sync::Arc<CubeCache>,
    /// Who publishes the documents (the compendium prints it; the fiches get it from
    /// their caller, with the day they are made).
    pub publisher: std::sync::Arc<publisher::Publisher>,
}

/// The two kinds of zone that have a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneKind {
    Territory,
    Epci,
}

impl ZoneKind {
    /// The word used in file names and URLs: `territoire`, `epci`.
    #[must_use]
    pub fn slug(self) -> &'static str {
        match self {
            Self::Territory => "territoire",
            Self::Epci => "epci",
        }
    }
}

/// One cell of a table: the figure, and how a French reader sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// `None` when masked or not computable.
    pub value: Option<f64>,
    pub secret: bool,
    /// `12 345`, `3,4 %`, « s » when masked, `–` when not computable.
    pub text: String,
    pub unit: &'static str,
    pub decimals: u8,
}

impl Cell {
    fn of(figure: Figure, indicator: &Indicator) -> Self {
        debug_assert!(!figure.restricted, "documents are public");
        let text = if figure.secret {
            SECRET.to_owned()
        } else {
            figure.value.map_or_else(
                || MISSING.to_owned(),
                // An estimated count (jobs from size bands, whose midpoints end in
                // ,5) is read in whole units: a half job is not a figure (issue 19).
                // Rounded half away from zero, as the web map's Intl formats do.
                |v| {
                    if indicator.estimate && indicator.additive {
                        fr_value(v.round(), 0, indicator.unit)
                    } else {
                        fr_value(v, indicator.decimals, indicator.unit)
                    }
                },
            )
        };
        Self {
            value: if figure.secret { None } else { figure.value },
            secret: figure.secret,
            text,
            unit: indicator.unit,
            decimals: indicator.decimals,
        }
    }
}

/// An indicator's row: its cells, one per column of the table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Indicator id, or category id for breakdowns.
    pub id: String,
    pub label: String,
    pub unit: &'static str,
    pub decimals: u8,
    pub cells: Vec<Cell>,
}

/// A table: column headers and rows.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub id: &'static str,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

/// An action of the plan that concerns the zone.
#[derive(Debug, Clone, Serialize)]
pub struct ActionItem {
    pub title: String,
    pub status: &'static str,
    pub pilot: String,
    pub flagship: bool,
    pub period: String,
    pub budget: String,
}

/// A published orientation with the actions of it that concern the zone.
#[derive(Debug, Clone, Serialize)]
pub struct OrientationItem {
    pub title: String,
    pub period: String,
    pub description: String,
    pub actions: Vec<ActionItem>,
}

/// What an indicator means and where it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Method {
    pub label: &'static str,
    pub definition: &'static str,
    pub method: &'static str,
    pub source: &'static str,
}

/// Everything a document of one zone shows.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub kind: ZoneKind,
    /// « Territoire » or « EPCI » (or the EPCI's legal kind: CA, CC, CU).
    pub kind_label: String,
    pub code: String,
    pub name: String,
    pub population: String,
    pub area: String,
    pub parent_name: Option<String>,
    pub department_name: String,
    pub edition: i64,
    pub reference_date: String,
    pub demo: bool,
    pub source_label: &'static str,
    /// Key figures: zone, (parent territory,) département.
    pub key_figures: Table,
    /// By family, sector and size band (zone only).
    pub breakdowns: Vec<Table>,
    /// Main indicators across editions.
    pub evolution: Table,
    /// The EPCI of a territory, or the communes of an EPCI, with their main figures.
    pub parts: Table,
    pub orientations: Vec<OrientationItem>,
    /// How the territory's portrait was co-constructed (an EPCI's: its territory's).
    pub coconstruction: coconstruction::Coconstruction,
    pub subsidies_available: bool,
    /// Beneficiaries of the Département's subsidies in the zone.
    pub grants: Grants,
    /// The zone in its surroundings, SVG.
    pub map_svg: String,
    pub map_legend: Vec<(String, String)>,
    /// The length of the map's scale bar (« 5 km »).
    pub map_scale: String,
    pub methods: Vec<Method>,
    pub notes: Vec<&'static str>,
    /// The URL path of the HTML page, for the documents' footers.
    pub path: String,
    /// Who publishes the document (the default publisher until the server sets its
    /// own, [`publisher::Publisher::publication`]) and the day it was made.
    pub publication: publisher::Publication,
}

impl Summary {
    /// `fiche-epci-200033579-2023`: the file name without extension.
    #[must_use]
    pub fn file_stem(&self) -> String {
        format!("fiche-{}-{}-{}", self.kind.slug(), self.code, self.edition)
    }
}

/// Indicators of the breakdown tables, in column order.
pub const BREAKDOWN_INDICATORS: [&str; 4] = [
    "ess_establishments",
    "ess_employers",
    "ess_jobs",
    "share_of_ess_jobs",
];

/// Short headers of [`BREAKDOWN_INDICATORS`]: the breakdown tables are narrow (the
/// indicators' full labels are in the key figures and the methods).
const BREAKDOWN_COLUMNS: [&str; 4] = [
    "Établissements",
    "Employeurs",
    "Salariés (estim.)",
    "Part des emplois ESS",
];

/// Indicators followed across editions.
const EVOLUTION_INDICATORS: [&str; 5] = [
    "ess_establishments",
    "ess_employers",
    "ess_jobs",
    "ess_share_jobs",
    "ess_subsidies",
];

/// Indicators of the parts table (EPCI of a territory, communes of an EPCI).
const PART_INDICATORS: [&str; 3] = ["ess_establishments", "ess_jobs", "ess_share_jobs"];

/// Notes of every document, the API's.
#[must_use]
pub fn notes() -> Vec<&'static str> {
    crate::indicators::NOTES.to_vec()
}

fn category_label(c: Category) -> (String, String) {
    match c {
        Category::Sector(s) => (s.into(), labels::section_title(s)),
        other => {
            let (id, label) = labels::category(other);
            (id.into(), label.into())
        }
    }
}

fn indicator(id: &str) -> &'static Indicator {
    find(id).unwrap_or(&CATALOGUE[0])
}

/// A zone of the cube: its index, name and population.
struct At<'a> {
    index: usize,
    zone: Option<&'a Zone>,
    name: &'a str,
    population: u64,
}

impl<'a> At<'a> {
    /// The zone at `position` of `level`.
    fn zone(cube: &Cube, level: Level, position: usize, zone: &'a Zone) -> Self {
        Self {
            index: cube.space.index(level, position),
            zone: Some(zone),
            name: &zone.name,
            population: zone.population,
        }
    }

    /// The whole département.
    fn department(cube: &Cube, g: &'a Geography) -> Self {
        Self {
            index: cube.space.index(Level::Department, 0),
            zone: None,
            name: &g.department.name,
            population: g.department.population,
        }
    }
}

fn public_cell(cube: &Cube, ind: &Indicator, at: &At<'_>, category: Category) -> Cell {
    let masks = Masks::of(cube);
    Cell::of(
        value(
            ind,
            cube,
            masks,
            at.index,
            category,
            at.population,
            Audience::Public,
        ),
        ind,
    )
}

/// The zone `code` of `kind`, resolved in the geography.
fn locate<'a>(g: &'a Geography, kind: ZoneKind, code: &str) -> Result<(usize, &'a Zone)> {
    match kind {
        ZoneKind::Territory => g
            .territories
            .binary_search_by(|t| t.zone.code.as_str().cmp(code))
            .ok()
            .map(|i| (i, &g.territories[i].zone)),
        ZoneKind::Epci => g
            .epci
            .binary_search_by(|e| e.zone.code.as_str().cmp(code))
            .ok()
            .map(|i| (i, &g.epci[i].zone)),
    }
    .ok_or_else(|| {
        SummaryError::UnknownZone(match kind {
            ZoneKind::Territory => format!("territory {code}"),
            ZoneKind::Epci => format!("EPCI {code}"),
        })
    })
}

/// The edition asked for, or the latest.
pub async fn resolve_edition(state: &Context, year: Option<i64>) -> Result<Edition> {
    state
        .db
        .edition_or_latest(year)
        .await?
        .ok_or(year.map_or(SummaryError::NoEdition, SummaryError::UnknownEdition))
}

/// Builds the summary of zone `code` for `edition`, public figures only.
#[allow(clippy::too_many_lines)] // the summary's sections, top to bottom, as every format shows them
pub async fn build(
    state: &Context,
    kind: ZoneKind,
    code: &str,
    edition: &Edition,
) -> Result<Summary> {
    let g = &state.geography;
    let (position, zone) = locate(g, kind, code)?;
    let cube = state.cubes.get(&state.db, g, edition).await?;
    let level = match kind {
        ZoneKind::Territory => Level::Territory,
        ZoneKind::Epci => Level::Epci,
    };
    let here = At::zone(&cube, level, position, zone);
    let department = At::department(&cube, g);
    let (territory_position, kind_label) = match kind {
        ZoneKind::Territory => (position, "Territoire".to_owned()),
        ZoneKind::Epci => (g.epci[position].territory, g.epci[position].kind.clone()),
    };
    let parent = (kind == ZoneKind::Epci).then(|| {
        At::zone(
            &cube,
            Level::Territory,
            territory_position,
            &g.territories[territory_position].zone,
        )
    });
    let mut columns: Vec<&At<'_>> = vec![&here];
    columns.extend(parent.as_ref());
    columns.push(&department);

    let key_figures = Table {
        id: "chiffres_cles",
        title: "Chiffres clés".into(),
        columns: columns.iter().map(|a| a.name.to_owned()).collect(),
        rows: CATALOGUE
            .iter()
            .filter(|i| !i.needs_category)
            .map(|i| Row {
                id: i.id.into(),
                label: i.label.into(),
                unit: i.unit,
                decimals: i.decimals,
                cells: columns
                    .iter()
                    .map(|at| public_cell(&cube, i, at, Category::Total))
                    .collect(),
            })
            .collect(),
    };

    let breakdown = |id: &'static str, title: &str, categories: Vec<Category>| Table {
        id,
        title: title.into(),
        columns: BREAKDOWN_COLUMNS.iter().map(|&c| c.to_owned()).collect(),
        rows: categories
            .into_iter()
            .map(|c| {
                let (cid, label) = category_label(c);
                Row {
                    id: cid,
                    label,
                    unit: "",
                    decimals: 0,
                    cells: BREAKDOWN_INDICATORS
                        .iter()
                        .map(|i| public_cell(&cube, indicator(i), &here, c))
                        .collect(),
                }
            })
            .collect(),
    };
    let breakdowns = vec![
        breakdown(
            "familles",
            "Par famille",
            Family::ALL.map(Category::Family).to_vec(),
        ),
        breakdown(
            "secteurs",
            "Par secteur d'activité (section NAF)",
            SECTIONS
                .iter()
                .filter(|s| !s.is_empty())
                .map(|&s| Category::Sector(s))
                .collect(),
        ),
        breakdown(
            "tailles",
            "Par taille d'établissement (salariés)",
            SizeClass::ALL.map(Category::Size).to_vec(),
        ),
    ];

    // Across editions, each edition on its own masks.
    let editions = state.db.editions().await?;
    let mut cubes = Vec::with_capacity(editions.len());
    for e in &editions {
        cubes.push(state.cubes.get(&state.db, g, e).await?);
    }
    let evolution = Table {
        id: "evolution",
        title: "Évolution entre éditions".into(),
        columns: editions.iter().map(|e| e.year.to_string()).collect(),
        rows: EVOLUTION_INDICATORS
            .iter()
            .map(|id| {
                let i = indicator(id);
                Row {
                    id: i.id.into(),
                    label: i.label.into(),
                    unit: i.unit,
                    decimals: i.decimals,
                    cells: cubes
                        .iter()
                        .map(|c| public_cell(c, i, &here, Category::Total))
                        .collect(),
                }
            })
            .collect(),
    };

    let part_zones: Vec<At<'_>> = match kind {
        ZoneKind::Territory => g.territories[position]
            .epci
            .iter()
            .map(|&e| At::zone(&cube, Level::Epci, e, &g.epci[e].zone))
            .collect(),
        ZoneKind::Epci => g.epci[position]
            .communes
            .iter()
            .map(|&c| At::zone(&cube, Level::Commune, c, &g.communes[c].zone))
            .collect(),
    };
    let parts = Table {
        id: match kind {
            ZoneKind::Territory => "epci",
            ZoneKind::Epci => "communes",
        },
        title: match kind {
            ZoneKind::Territory => "Les EPCI du territoire".into(),
            ZoneKind::Epci => "Les communes de l'EPCI".into(),
        },
        columns: std::iter::once("Population".to_owned())
            .chain(
                PART_INDICATORS
                    .iter()
                    .map(|i| indicator(i).label.to_owned()),
            )
            .collect(),
        rows: part_zones
            .iter()
            .map(|at| Row {
                id: at.zone.map_or_else(String::new, |z| z.code.clone()),
                label: at.name.to_owned(),
                unit: "",
                decimals: 0,
                cells: std::iter::once(Cell {
                    value: Some(at.population as f64),
                    secret: false,
                    text: format::fr_number(at.population as f64, 0),
                    unit: "habitants",
                    decimals: 0,
                })
                .chain(
                    PART_INDICATORS
                        .iter()
                        .map(|i| public_cell(&cube, indicator(i), at, Category::Total)),
                )
                .collect(),
            })
            .collect(),
    };

    let orientations = plan_items(state, kind, code, territory_position, edition.year).await?;
    let territory_zone = &g.territories[territory_position].zone;
    let coconstruction = coconstruction::build(
        &state.db,
        &territory_zone.code,
        &territory_zone.name,
        edition.year,
    )
    .await?;
    let subsidies_available = !state.db.subsidy_tallies(edition.year).await?.is_empty();
    let grants = grants(g, state.db.ess_grants(edition.year).await?, |c| {
        let commune = &g.communes[c];
        match kind {
            ZoneKind::Territory => commune.territory == position,
            ZoneKind::Epci => commune.epci == position,
        }
    });

    let points = state
        .db
        .organisation_points_in(edition.year, map::view_bbox(zone))
        .await?;
    let rendered = map::render(g, kind, position, &points);

    Ok(Summary {
        kind,
        kind_label,
        code: zone.code.clone(),
        name: zone.name.clone(),
        population: format::fr_number(zone.population as f64, 0),
        area: format!("{}\u{a0}km²", format::fr_number(zone.area_km2, 0)),
        parent_name: parent.as_ref().map(|p| p.name.to_owned()),
        department_name: g.department.name.clone(),
        edition: edition.year,
        reference_date: format::fr_date(&edition.reference_date),
        demo: edition.demo,
        source_label: labels::source_label(&cube),
        key_figures,
        breakdowns,
        evolution,
        parts,
        orientations,
        coconstruction,
        subsidies_available,
        grants,
        map_svg: rendered.svg,
        map_legend: rendered.legend,
        map_scale: rendered.scale,
        methods: CATALOGUE
            .iter()
            .filter(|i| !i.needs_category)
            .map(|i| Method {
                label: i.label,
                definition: i.definition,
                method: i.method,
                source: i.source,
            })
            .collect(),
        notes: notes(),
        path: match kind {
            ZoneKind::Territory => format!("/territoires/{code}/fiche?edition={}", edition.year),
            ZoneKind::Epci => format!("/epci/{code}/fiche?edition={}", edition.year),
        },
        publication: publisher::Publisher::default().publication(&crate::time::today()),
    })
}
