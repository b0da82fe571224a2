//! The cells the indicators are built from, as the database aggregates an edition's
//! registry: ESS establishments and the whole economy per commune (and family, NAF
//! section, size band), the Département's subsidies placed the same way, and the
//! statistics of a cell ([`CellStats`]) the secret statistique reads.
//!
//! Plain data: rolling cells up to EPCI, territories and the département, and masking
//! them, is the indicators' work ([`crate::indicators::cube`]).

use crate::ess::Family;

/// What the rules need to know of a cell.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CellStats {
    pub establishments: u64,
    pub employers: u64,
    /// Estimated (or observed) jobs.
    pub jobs: f64,
    /// Jobs of the largest establishment of the cell.
    pub max_jobs: f64,
}

impl CellStats {
    pub fn add(&mut self, other: &CellStats) {
        self.establishments += other.establishments;
        self.employers += other.employers;
        self.jobs += other.jobs;
        self.max_jobs = self.max_jobs.max(other.max_jobs);
    }
}

/// A commune-level aggregate of the ESS registry (one family, section and band).
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryCell {
    pub code_insee: String,
    pub family: Family,
    pub naf_section: Option<String>,
    pub size_band: Option<String>,
    /// Establishments whose diffusion is restricted (BRIEF rule 5): never listed, and
    /// counted in public figures only at the levels of
    /// [`crate::indicators::cube::counts_protected`].
    pub protected: bool,
    pub stats: CellStats,
}

/// The Département's subsidies to ESS establishments of one commune, family, section
/// and band (matched lines only), euros.
#[derive(Debug, Clone, PartialEq)]
pub struct SubsidyCell {
    pub code_insee: String,
    pub family: Family,
    pub naf_section: Option<String>,
    pub size_band: Option<String>,
    /// Granted to protected establishments (placed like them: see
    /// [`crate::indicators::cube::counts_protected`]).
    pub protected: bool,
    pub granted: f64,
}

/// A commune-level aggregate of the whole economy (from `economy_cells`).
#[derive(Debug, Clone, PartialEq)]
pub struct EconomyRow {
    pub code_insee: String,
    pub size_band: String,
    /// Protected establishments (ESS or not), placed like the ESS's own: see
    /// [`crate::indicators::cube::counts_protected`].
    pub protected: bool,
    pub establishments: u64,
    pub employers: u64,
    pub jobs: f64,
}
