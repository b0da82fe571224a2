//! Schemas, for the OpenAPI document only, of the answers that handlers assemble as
//! JSON values rather than as one serialised struct: the indicators, the zone profile
//! and the catalogue (their keys come from several tables and from the query, and the
//! kept public answers are these values), the imports' reports, a SIRENE import's
//! job. Each struct here mirrors, field by field,
//! the `json!` of its handler; `tests/api/openapi.rs` and schemathesis check the
//! answers against them. Types that are served as they are derive `ToSchema` where
//! they are defined.

#![allow(dead_code, reason = "schemas of the document, never built")]

use std::collections::BTreeMap;

use utoipa::ToSchema;

use crate::geography::Level;
use crate::indicators::catalogue::Indicator;
use crate::indicators::{Figure, Source};

/// A breakdown category (`dimension` `total`, `family`, `sector` or `size`).
#[derive(ToSchema)]
#[schema(example = json!({"dimension": "family", "id": "association", "label": "Associations"}))]
pub struct CategoryRef {
    dimension: String,
    /// `ess` for the whole ESS, else the family, NAF section or size class.
    id: String,
    label: String,
}

/// `form=compact`: the items of `/api/indicators` as rows of a table.
#[derive(ToSchema)]
pub struct CompactTable {
    /// The names of the rows' cells: `code`, `name`, `population`, `value`, `secret`,
    /// `restricted`, `parent`, then `source` when the figures' sources differ, then the
    /// evolution's four columns with `compare_edition`.
    columns: Vec<String>,
    rows: Vec<Vec<serde_json::Value>>,
    /// The parents' figures, by code.
    parents: BTreeMap<String, CompactParent>,
    /// The source of every figure when they share one, else `null`.
    source: Option<Source>,
}

#[derive(ToSchema)]
pub struct CompactParent {
    name: String,
    figure: Figure,
}

/// `/api/indicators`: one indicator at one level, every figure under the secret
/// statistique.
#[derive(ToSchema)]
pub struct IndicatorsAnswer {
    indicator: Indicator,
    level: Level,
    #[schema(example = 2023)]
    edition: i64,
    /// `AAAA-MM-JJ`.
    reference_date: String,
    compare_edition: Option<i64>,
    category: CategoryRef,
    sources: Vec<String>,
    source_label: String,
    demo: bool,
    department: super::indicators::ZoneFigure<'static>,
    /// `full` (`items`) or `compact` (`compact`).
    form: String,
    notes: Vec<String>,
    /// The zones, with `form=full` (the default).
    #[schema(required = false)]
    items: Vec<super::indicators::ZoneFigure<'static>>,
    /// The zones as a table, with `form=compact`.
    #[schema(required = false)]
    compact: CompactTable,
}

#[derive(ToSchema)]
pub struct ProfileZone {
    level: Level,
    #[schema(example = "ARR")]
    code: String,
    #[schema(example = "Arrageois")]
    name: String,
    population: u64,
}

#[derive(ToSchema)]
pub struct ParentRef {
    code: String,
    name: String,
}

#[derive(ToSchema)]
pub struct KeyParentFigure {
    code: String,
    name: String,
    figure: Figure,
}

/// One indicator of the zone beside its parent and the département.
#[derive(ToSchema)]
pub struct KeyFigure {
    #[schema(example = "ess_share_jobs")]
    indicator: String,
    label: String,
    unit: String,
    estimate: bool,
    zone: Figure,
    parent: Option<KeyParentFigure>,
    department: Figure,
}

/// One category of a breakdown with its figures.
#[derive(ToSchema)]
pub struct BreakdownRow {
    dimension: String,
    id: String,
    label: String,
    ess_establishments: Figure,
    ess_employers: Figure,
    ess_jobs: Figure,
    share_of_ess_jobs: Figure,
    ess_subsidies: Figure,
}

#[derive(ToSchema)]
pub struct Breakdowns {
    family: Vec<BreakdownRow>,
    sector: Vec<BreakdownRow>,
    size: Vec<BreakdownRow>,
}

/// The zone's figures in one edition, each on that edition's masks.
#[derive(ToSchema)]
pub struct SeriesEntry {
    edition: i64,
    demo: bool,
    /// By indicator.
    figures: BTreeMap<String, Figure>,
}

/// `/api/zones/{level}/{code}/profile`.
#[derive(ToSchema)]
pub struct ProfileAnswer {
    zone: ProfileZone,
    parent: Option<ParentRef>,
    #[schema(example = 2023)]
    edition: i64,
    reference_date: String,
    demo: bool,
    sources: Vec<String>,
    source_label: String,
    category: CategoryRef,
    key_figures: Vec<KeyFigure>,
    breakdowns: Breakdowns,
    series: Vec<SeriesEntry>,
    notes: Vec<String>,
}

#[derive(ToSchema)]
pub struct IdLabel {
    id: String,
    label: String,
}

#[derive(ToSchema)]
pub struct CatalogueFamily {
    id: String,
    label: String,
    /// Whether it counts in totals compared with INSEE/CRESS figures.
    in_totals: bool,
}

/// `/api/indicators/catalogue`.
#[derive(ToSchema)]
pub struct CatalogueAnswer {
    items: Vec<Indicator>,
    modes: Vec<IdLabel>,
    families: Vec<CatalogueFamily>,
    sectors: Vec<IdLabel>,
    size_classes: Vec<IdLabel>,
    levels: Vec<Level>,
    notes: Vec<String>,
}

/// `/api/openapi.json`: an OpenAPI 3.1 document.
#[derive(ToSchema)]
pub struct OpenApiDocument {
    #[schema(example = "3.1.0")]
    openapi: String,
    #[schema(value_type = Object)]
    info: serde_json::Value,
    #[schema(value_type = Object)]
    paths: serde_json::Value,
    #[schema(value_type = Object)]
    components: serde_json::Value,
}

/// `/api/recueils/{id}`: a compendium's generation, with its links once done.
#[derive(serde::Serialize, ToSchema)]
pub struct RecueilStatus {
    #[serde(flatten)]
    status: crate::summary::recueil::JobStatus,
    /// Once `done`: the PDF.
    #[schema(required = false)]
    download: String,
    /// Once `done`: the OpenDocument Text.
    #[schema(required = false)]
    download_odt: String,
}

/// `/tiles/{file}`: a TileJSON 3.0.0 document.
#[derive(ToSchema)]
pub struct TileJson {
    #[schema(example = "3.0.0")]
    tilejson: String,
    name: String,
    description: String,
    attribution: String,
    scheme: String,
    tiles: Vec<String>,
    minzoom: u8,
    maxzoom: u8,
    /// `[min_lon, min_lat, max_lon, max_lat]` (WGS84).
    bounds: [f64; 4],
    /// `[lon, lat, zoom]`.
    center: Vec<f64>,
    /// `id`, `description`, `minzoom`, `maxzoom`, `fields`.
    vector_layers: Vec<serde_json::Value>,
}

/// `/style.json`: a MapLibre style, version 8.
#[derive(ToSchema)]
pub struct MapStyle {
    #[schema(example = 8)]
    version: u8,
    name: String,
    #[schema(value_type = Object)]
    metadata: serde_json::Value,
    /// `[lon, lat]`.
    center: [f64; 2],
    zoom: f64,
    /// By name, each `{"type": "vector", "url": …}`.
    #[schema(value_type = Object)]
    sources: serde_json::Value,
    layers: Vec<serde_json::Value>,
}

/// `/donnees/{edition}/datapackage.json`: a Frictionless Data Package.
#[derive(ToSchema)]
pub struct DataPackage {
    #[schema(example = "data-package")]
    profile: String,
    #[schema(example = "ess-62-2023")]
    name: String,
    title: String,
    description: String,
    keywords: Vec<String>,
    licenses: Vec<serde_json::Value>,
    sources: Vec<serde_json::Value>,
    contributors: Vec<serde_json::Value>,
    #[schema(example = 2023)]
    edition: i64,
    date_reference: String,
    donnees_de_demonstration: bool,
    attribution: String,
    /// Each with its `path`, `format`, and the `schema` of its columns.
    resources: Vec<serde_json::Value>,
    /// When the edition was imported (ISO 8601).
    #[schema(required = false)]
    created: String,
}

/// An orientation as served (its fields, id and dates).
#[derive(serde::Serialize, ToSchema)]
pub struct OrientationAnswer {
    id: i64,
    /// Territory code, or the département's code (`62`).
    #[schema(example = "ARR")]
    territory: String,
    #[schema(example = 2023)]
    edition: i64,
    period_start: i64,
    period_end: i64,
    title: String,
    description: String,
    created_at: String,
    updated_at: String,
}

/// An action as served (its fields, its orientation's territory and edition).
#[derive(serde::Serialize, ToSchema)]
pub struct ActionAnswer {
    id: i64,
    territory: String,
    edition: i64,
    orientation_title: String,
    orientation_id: i64,
    title: String,
    description: String,
    /// SIREN of the EPCI concerned.
    epci: Vec<String>,
    pilot: String,
    partners: Vec<String>,
    budgets: Vec<crate::db::BudgetLine>,
    /// `a_venir`, `en_cours`, `realise`, `en_pause` or `abandonne`.
    status: String,
    flagship: bool,
    start_date: Option<String>,
    end_date: Option<String>,
    indicators: Vec<String>,
    created_at: String,
    updated_at: String,
}

/// An action with its status in French (lists and plans).
#[derive(serde::Serialize, ToSchema)]
pub struct ActionViewAnswer {
    #[serde(flatten)]
    action: ActionAnswer,
    #[schema(example = "en cours")]
    status_label: String,
}

/// An orientation with its actions.
#[derive(serde::Serialize, ToSchema)]
pub struct OrientationWithActionsAnswer {
    #[serde(flatten)]
    orientation: OrientationAnswer,
    actions: Vec<ActionViewAnswer>,
}

/// Why the plausibility checks refuse an import.
#[derive(ToSchema)]
pub struct ImportRefusal {
    message: String,
    reasons: Vec<String>,
}

/// `POST /api/editions/{year}/imports/{kind}/preview`: the dry run's report.
#[derive(ToSchema)]
pub struct ImportPreview {
    /// Always `true`.
    dry_run: bool,
    /// `subventions` or `observatoire`.
    kind: String,
    kind_label: String,
    #[schema(example = 2023)]
    edition: i64,
    file: String,
    bytes: u64,
    /// To give back to the import itself (`?sha256=`).
    sha256: String,
    report: crate::records::report::ImportReport,
    /// `null` when the file passes the plausibility checks.
    refusal: Option<ImportRefusal>,
    /// The first lines not counted as ESS (subsidies).
    not_counted: Vec<super::imports::NotCounted<'static>>,
    not_counted_total: u64,
    not_counted_granted: f64,
}

/// `POST /api/editions/{year}/imports/{kind}`: the import's report.
#[derive(ToSchema)]
pub struct ImportDone {
    /// Always `true`.
    imported: bool,
    kind: String,
    kind_label: String,
    edition: i64,
    file: String,
    bytes: u64,
    sha256: String,
    report: crate::records::report::ImportReport,
}

/// `GET /api/editions/{year}/subsidies/report`.
#[derive(ToSchema)]
pub struct SubsidiesReport {
    #[schema(example = 2023)]
    edition: i64,
    demo: bool,
    report: crate::db::StoredReport,
    /// Lines and euros per status and match method.
    tallies: Vec<crate::db::SubsidyTally>,
}

/// A subsidy line not counted as ESS, with its status in French and the reason.
#[derive(serde::Serialize, ToSchema)]
pub struct UnmatchedLine {
    #[serde(flatten)]
    line: crate::db::SubsidyRecord,
    status_label: String,
    reason: String,
}

/// `GET /api/editions/{year}/subsidies/unmatched`.
#[derive(ToSchema)]
pub struct UnmatchedAnswer {
    #[schema(example = 2023)]
    edition: i64,
    demo: bool,
    count: u64,
    /// Euros granted on these lines.
    granted: f64,
    items: Vec<UnmatchedLine>,
}

/// `PATCH /api/orientations/{id}`: the fields to change, among those of the creation.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrientationPatch {
    #[schema(required = false, example = "ARR")]
    territory: String,
    #[schema(required = false, example = 2023)]
    edition: i64,
    #[schema(required = false)]
    period_start: i64,
    #[schema(required = false)]
    period_end: i64,
    #[schema(required = false)]
    title: String,
    #[schema(required = false)]
    description: String,
}

/// `PATCH /api/actions/{id}`: the fields to change, among those of the creation.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionPatch {
    #[schema(required = false)]
    orientation_id: i64,
    #[schema(required = false)]
    title: String,
    #[schema(required = false)]
    description: String,
    /// SIREN of the EPCI concerned.
    #[schema(required = false, example = json!(["200033579"]))]
    epci: Vec<String>,
    #[schema(required = false)]
    pilot: String,
    #[schema(required = false)]
    partners: Vec<String>,
    #[schema(required = false)]
    budgets: Vec<crate::db::BudgetLine>,
    /// `a_venir`, `en_cours`, `realise`, `en_pause` or `abandonne`.
    #[schema(required = false, example = "en_cours")]
    status: String,
    #[schema(required = false)]
    flagship: bool,
    #[schema(required = false)]
    start_date: Option<String>,
    #[schema(required = false)]
    end_date: Option<String>,
    #[schema(required = false)]
    indicators: Vec<String>,
}

/// A GeoJSON `FeatureCollection` (WGS84).
#[derive(serde::Serialize, ToSchema)]
pub struct FeatureCollection {
    /// `FeatureCollection`.
    #[serde(rename = "type")]
    kind: String,
    /// Each a `Feature` with its `geometry` and `properties`.
    features: Vec<serde_json::Value>,
}

/// The files of a SIRENE import from the server's import directory, by role.
#[derive(ToSchema)]
pub struct SireneJobFiles {
    #[schema(example = "StockEtablissement_utf8.zip")]
    etablissements: String,
    #[schema(example = "StockUniteLegale_utf8.zip")]
    unites_legales: String,
    /// When one was chosen.
    #[schema(
        required = false,
        example = "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.zip"
    )]
    geolocalisation: String,
}

/// Where a SIRENE import is.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SireneJobState {
    Running,
    Done,
    Failed,
}

/// A SIRENE import started from `/espace` (`sirene_imports::job_status`): its request,
/// its progress, then its report or why it failed.
#[derive(ToSchema)]
pub struct SireneJob {
    #[schema(example = "9f2c41d07ab35e68")]
    id: String,
    #[schema(example = 2023)]
    edition: i64,
    files: SireneJobFiles,
    /// The user who started it.
    #[schema(example = "claire")]
    started_by: String,
    /// `AAAA-MM-JJTHH:MM:SSZ`.
    started_at: String,
    progress: crate::import::progress::ProgressSnapshot,
    #[schema(example = "/api/imports/sirene/9f2c41d07ab35e68")]
    status_url: String,
    state: SireneJobState,
    /// Once `done` or `failed`: `AAAA-MM-JJTHH:MM:SSZ`.
    #[schema(required = false)]
    finished_at: String,
    /// Once `done`: the import's report.
    #[schema(required = false)]
    report: crate::records::report::ImportReport,
    /// Once `failed`: why, in French (nothing was changed).
    #[schema(required = false)]
    error: super::openapi::ErrorBody,
}

/// `GET /api/imports/sirene`: the import directory's files and the running or last
/// import.
#[derive(ToSchema)]
pub struct SireneImports {
    /// Whether the server has an import directory (`serve --import-dir`).
    configured: bool,
    /// The directory's importable files (none when not configured).
    files: Vec<crate::import::import_dir::ServerFile>,
    /// The running import, or the last one since the server started; `null` before
    /// the first.
    #[schema(required = true)]
    job: Option<SireneJob>,
}
