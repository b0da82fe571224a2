//! An edition of the ESS registry as the SIRENE importer reads it and the database
//! writes it in one transaction: the ESS establishments, the département's other
//! establishments (kept compactly, to recognise subsidies that go outside the ESS) and
//! the whole economy's aggregates, with the import's report.
//!
//! Plain data: reading INSEE's files, the perimeter rule and locating establishments
//! are the importer's ([`crate::import::sirene`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::ImportReport;
use crate::ess::Family;
use crate::ess::identifiers::Siret;

/// One ESS establishment as the edition keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct EstablishmentRow {
    pub siret: String,
    pub siren: String,
    pub name: String,
    pub enseigne: Option<String>,
    pub family: Family,
    pub categorie_juridique: String,
    pub naf: Option<String>,
    pub naf_section: Option<String>,
    pub ess_group: Option<String>,
    pub size_band: Option<String>,
    pub jobs_estimate: f64,
    pub employer: bool,
    pub siege: bool,
    pub creation_date: Option<String>,
    pub code_insee: String,
    pub rna: Option<String>,
    /// `O` when both unit and establishment are diffusible, else their status.
    pub diffusion: String,
    pub protected: bool,
    pub address: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub location_approximate: bool,
    pub search_key: String,
}

/// Every active establishment of the geography, aggregated (ESS or not).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EconomyCell {
    pub establishments: u64,
    pub employers: u64,
    pub jobs_estimate: f64,
}

/// A cell of the economy's aggregates; empty strings for unknown.
///
/// `protected`: the establishment or its unit is not public (statutDiffusion not
/// `O`). SIRENE open data lists every public establishment, ESS or not, so a reader
/// who subtracts it from a published total finds the protected ones: public figures
/// count them only where the ESS figures do
/// ([`crate::indicators::cube::counts_protected`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EconomyKey {
    pub code_insee: String,
    pub naf_section: String,
    pub size_band: String,
    pub protected: bool,
}

/// An active establishment of the geography whose unit is not ESS: kept (compactly:
/// a national file has ~23 million) only so that a subsidy to it is recognised as
/// going outside the ESS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherEstablishmentRow {
    pub siret: Siret,
    pub rna: Option<Box<str>>,
    pub siege: bool,
    /// Shared by every row of the commune.
    pub code_insee: Arc<str>,
    /// `not_ess`, `excluded_activity_public_administration`, …
    pub reason: &'static str,
}

/// What the SIRENE import gives an edition, for the database to write at once.
pub struct SireneEdition {
    pub establishments: Vec<EstablishmentRow>,
    /// Non-ESS establishments of the geography (for matching subsidies).
    pub others: Vec<OtherEstablishmentRow>,
    pub economy: BTreeMap<EconomyKey, EconomyCell>,
    pub report: ImportReport,
}
