//! The Département's subsidies as records: a line of an SCDL file as read
//! ([`SubsidyLine`]), an establishment of the registry as matching needs it
//! ([`RegistryEntry`]), a line with its match as the edition stores it
//! ([`MatchedLine`]), and an ESS establishment a demonstration file may name
//! ([`Beneficiary`]).
//!
//! Plain data: reading SCDL files and matching lines to the registry are the
//! importer's ([`crate::import::subsidies`], [`crate::import::beneficiaries`]); writing
//! the demonstration file is the demo's ([`crate::demo::scdl`]).

use serde::Serialize;

use crate::ess::Family;

/// The beneficiary's SIRENE number, as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BeneficiaryId {
    Siret(String),
    /// A SIREN only (9 digits): matched to the unit's siège.
    Siren(String),
}

impl BeneficiaryId {
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            BeneficiaryId::Siret(s) | BeneficiaryId::Siren(s) => s,
        }
    }

    #[must_use]
    pub fn siren(&self) -> &str {
        let s = self.as_str();
        s.get(..9).unwrap_or(s)
    }
}

/// One imported row of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct SubsidyLine {
    /// Line in the file as an editor shows it (header = 1).
    pub line: u64,
    pub attribuant_name: Option<String>,
    pub attribuant_id: Option<String>,
    pub beneficiary_name: String,
    pub beneficiary_id: Option<BeneficiaryId>,
    pub rna: Option<String>,
    /// `AAAA-MM-JJ`.
    pub convention_date: Option<String>,
    pub decision_reference: Option<String>,
    pub object: Option<String>,
    pub nature: Option<String>,
    /// `montant`, euros.
    pub amount: f64,
    /// `pourcentageSubvention`, in ]0, 1].
    pub share: f64,
}

impl SubsidyLine {
    /// What the beneficiary receives: amount × share, rounded to the cent.
    #[must_use]
    pub fn granted(&self) -> f64 {
        cents(self.amount * self.share)
    }
}

/// Rounds euros to the cent.
#[must_use]
pub fn cents(euros: f64) -> f64 {
    // `+ 0.0` turns the -0.0 of an empty sum into 0.
    (euros * 100.0).round() / 100.0 + 0.0
}

/// An establishment of the edition, ESS or not, as matching needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryEntry {
    pub siret: String,
    pub siren: String,
    pub rna: Option<String>,
    pub siege: bool,
    pub jobs: f64,
    pub code_insee: String,
    /// `None` for a non-ESS establishment.
    pub family: Option<Family>,
    pub naf_section: Option<String>,
    pub size_band: Option<String>,
}

/// How a line was matched to the registry (`import::beneficiaries`' rules 1 to 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum MatchMethod {
    Siret,
    SirenSiege,
    SirenEstablishment,
    Rna,
}

impl MatchMethod {
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            MatchMethod::Siret => "siret",
            MatchMethod::SirenSiege => "siren_siege",
            MatchMethod::SirenEstablishment => "siren_establishment",
            MatchMethod::Rna => "rna",
        }
    }
}

/// Whether a line counts for the ESS, goes outside it, or matched nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ess,
    NonEss,
    Unmatched,
}

impl Status {
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Status::Ess => "ess",
            Status::NonEss => "non_ess",
            Status::Unmatched => "unmatched",
        }
    }
}

/// A line of the file with its match, as the edition stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchedLine {
    pub line: SubsidyLine,
    pub status: Status,
    pub method: Option<MatchMethod>,
    pub entry: Option<RegistryEntry>,
    pub note: Option<String>,
}

/// An ESS establishment of the edition that may receive a subsidy.
#[derive(Debug, Clone, PartialEq)]
pub struct Beneficiary {
    pub siret: String,
    pub siren: String,
    pub rna: Option<String>,
    pub name: String,
    pub family: Family,
    pub naf_section: Option<String>,
    pub jobs: f64,
    pub siege: bool,
}
