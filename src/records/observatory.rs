//! The regional observatory's aggregates of an edition (CRESS "volet 1"), as the
//! importer reads them from its file and the database stores and gives them back: one
//! row per zone, family (or the whole economy) and sector, exact figures or masked.
//!
//! Plain data: the file format and its checks are the importer's
//! ([`crate::import::observatory`]); placing and masking the figures, the indicators'.

use super::ImportReport;
use crate::geography::Level;

/// One aggregate of the observatory.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservatoryRow {
    pub level: Level,
    pub code: String,
    /// `ess`, a family id, or `economy`.
    pub family: String,
    /// NAF section, or `""` for all sectors.
    pub sector: String,
    pub establishments: Option<u64>,
    pub jobs: Option<f64>,
    pub fte: Option<f64>,
    pub payroll: Option<f64>,
    pub masked: bool,
}

/// The observatory rows of an edition, with the report of reading them.
pub struct ObservatoryEdition {
    pub rows: Vec<ObservatoryRow>,
    pub report: ImportReport,
}
