//! Reference tables compiled into the binary from `reference/*.csv`.
//!
//! Parsed once on first use. The files are ours and checked by tests, so a parse
//! failure is a build defect: it panics with the file name, at start-up.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

pub const CATEGORIES_CSV: &str = include_str!("../../reference/categories-juridiques-ess.csv");
pub const NAF_DIVISIONS_CSV: &str = include_str!("../../reference/naf-divisions.csv");
pub const NAF_SECTIONS_CSV: &str = include_str!("../../reference/naf-sections.csv");
pub const SIZE_BANDS_CSV: &str = include_str!("../../reference/tranches-effectifs.csv");

/// One catégorie juridique.
#[derive(Debug, Clone, Deserialize)]
pub struct LegalCategory {
    pub code: String,
    pub libelle: String,
    /// `association`, `cooperative`, `mutuelle`, `fondation` or `none`.
    pub famille_ess: String,
    pub source: String,
}

impl LegalCategory {
    /// The assignment is provisional (`a_verifier` in the table): it is applied as is,
    /// and the rule version records it.
    #[must_use]
    pub fn to_verify(&self) -> bool {
        self.source.contains("a_verifier")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct NafDivision {
    pub division: String,
    pub libelle: String,
    pub section: String,
    /// Grouping used by ESS observatories ("Action sociale sans hébergement", …).
    pub regroupement_ess_propose: String,
    pub exclusion_perimetre_ess: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NafSection {
    pub section: String,
    pub libelle_officiel: String,
    pub libelle_court: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SizeBand {
    pub code: String,
    pub libelle: String,
    pub effectif_min: Option<u32>,
    pub effectif_max: Option<u32>,
}

fn parse<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Vec<T> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .unwrap_or_else(|e| panic!("reference table {name} is malformed: {e}"))
}

pub struct Tables {
    pub categories: HashMap<String, LegalCategory>,
    pub divisions: HashMap<String, NafDivision>,
    pub sections: Vec<NafSection>,
    pub size_bands: Vec<SizeBand>,
}

pub static TABLES: LazyLock<Tables> = LazyLock::new(|| Tables {
    categories: parse::<LegalCategory>("categories-juridiques-ess.csv", CATEGORIES_CSV)
        .into_iter()
        .map(|c| (c.code.clone(), c))
        .collect(),
    divisions: parse::<NafDivision>("naf-divisions.csv", NAF_DIVISIONS_CSV)
        .into_iter()
        .map(|d| (d.division.clone(), d))
        .collect(),
    sections: parse("naf-sections.csv", NAF_SECTIONS_CSV),
    size_bands: parse("tranches-effectifs.csv", SIZE_BANDS_CSV),
});

/// The NAF division (`"88"`) of a code written `88.10A` or `8810A`.
#[must_use]
pub fn naf_division(naf: &str) -> Option<&str> {
    let d = naf.get(..2)?;
    d.bytes().all(|b| b.is_ascii_digit()).then_some(d)
}

/// Division facts for a NAF code, when the division is known.
#[must_use]
pub fn division_of(naf: &str) -> Option<&'static NafDivision> {
    TABLES.divisions.get(naf_division(naf)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_tables_parse_and_hold_what_the_rules_need() {
        assert_eq!(TABLES.categories["9220"].famille_ess, "association");
        assert_eq!(TABLES.categories["5458"].famille_ess, "cooperative");
        assert_eq!(TABLES.categories["9300"].famille_ess, "fondation");
        assert_eq!(TABLES.categories["8210"].famille_ess, "mutuelle");
        assert!(TABLES.categories["6595"].to_verify());
        assert_eq!(division_of("88.10A").unwrap().section, "Q");
        assert_eq!(division_of("8810A").unwrap().section, "Q");
        assert!(division_of("XX").is_none());
        assert_eq!(TABLES.sections.len(), 21);
        assert_eq!(TABLES.size_bands.len(), 16);
    }
}
