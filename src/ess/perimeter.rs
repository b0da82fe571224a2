//! The ESS perimeter rule (BRIEF §4.1), applied to a legal unit.
//!
//! 1. The catégorie juridique gives the family (`reference/categories-juridiques-ess.csv`);
//!    rows marked `a_verifier` are applied as classified.
//! 2. A unit whose main activity is excluded is not ESS, whatever its family: public
//!    administration (NAF division 84), and employer, trade-union, religious and
//!    political organisations (94.11Z, 94.20Z, 94.91Z, 94.92Z).
//! 3. A unit outside the four families whose `economieSocialeSolidaireUniteLegale` is
//!    `O` is an ESS commercial company (`societe_commerciale_ess`): shown and filterable,
//!    but left out of totals compared with INSEE/CRESS figures.
//!
//! The rule carries a version stored with each edition: change it whenever the rule or
//! the reference tables change, so that an edition says which rule built it.

use serde::{Deserialize, Serialize};

use super::reference::{TABLES, naf_division};

/// Version of the rule and of the tables it reads.
pub const PERIMETER_RULE_VERSION: &str = "ess-perimetre-2026.1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Association,
    Cooperative,
    Mutuelle,
    Fondation,
    SocieteCommercialeEss,
}

impl Family {
    pub const ALL: [Family; 5] = [
        Family::Association,
        Family::Cooperative,
        Family::Mutuelle,
        Family::Fondation,
        Family::SocieteCommercialeEss,
    ];

    /// Identifier used in the API, the database and URLs.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Family::Association => "association",
            Family::Cooperative => "cooperative",
            Family::Mutuelle => "mutuelle",
            Family::Fondation => "fondation",
            Family::SocieteCommercialeEss => "societe_commerciale_ess",
        }
    }

    #[must_use]
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.id() == id)
    }

    /// French label, plural, as the UI shows it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Family::Association => "Associations",
            Family::Cooperative => "Coopératives",
            Family::Mutuelle => "Mutuelles",
            Family::Fondation => "Fondations",
            Family::SocieteCommercialeEss => "Sociétés commerciales de l'ESS",
        }
    }

    /// French label, singular (« Association »), for one organisation.
    #[must_use]
    pub fn singular(self) -> &'static str {
        match self {
            Family::Association => "Association",
            Family::Cooperative => "Coopérative",
            Family::Mutuelle => "Mutuelle",
            Family::Fondation => "Fondation",
            Family::SocieteCommercialeEss => "Société commerciale de l'ESS",
        }
    }

    /// Whether the family counts in totals compared with INSEE/CRESS figures (the four
    /// historical families do; ESS commercial companies do not).
    #[must_use]
    pub fn in_statistical_totals(self) -> bool {
        self != Family::SocieteCommercialeEss
    }
}

/// Why a unit of an ESS family is nevertheless out of the perimeter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// NAF division 84.
    PublicAdministration,
    /// 94.11Z, 94.20Z, 94.91Z, 94.92Z.
    ExcludedOrganisation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classification {
    Ess(Family),
    /// Of an ESS family (or flagged ESS) but with an excluded activity.
    Excluded(Exclusion),
    NotEss,
}

/// Result of [`classify`], with what a report needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classified {
    pub classification: Classification,
    /// The catégorie juridique is not in the reference table.
    pub unknown_category: bool,
}

/// NAF codes of organisations excluded from the perimeter (BRIEF §4.1).
const EXCLUDED_NAF: [&str; 4] = ["94.11Z", "94.20Z", "94.91Z", "94.92Z"];

fn normalise_naf(naf: &str) -> String {
    // `9411Z` and `94.11Z` both occur; compare in the dotted form.
    let naf = naf.trim();
    if naf.len() == 5 && !naf.contains('.') {
        format!("{}.{}", &naf[..2], &naf[2..])
    } else {
        naf.to_owned()
    }
}

/// Applies the perimeter rule to a legal unit.
///
/// `naf` is the unit's main activity (`activitePrincipaleUniteLegale`), `ess_flag` its
/// `economieSocialeSolidaireUniteLegale` (`Some(true)` for `O`).
///
/// ```
/// use ess_atlas::ess::{classify, Classification, Family};
/// assert_eq!(classify("9220", "88.10A", None).classification, Classification::Ess(Family::Association));
/// // A trade union registered as an association is out of the perimeter.
/// assert!(matches!(classify("9220", "94.20Z", Some(true)).classification, Classification::Excluded(_)));
/// // An SAS flagged ESS is an ESS commercial company.
/// assert_eq!(classify("5710", "62.01Z", Some(true)).classification, Classification::Ess(Family::SocieteCommercialeEss));
/// ```
#[must_use]
pub fn classify(categorie_juridique: &str, naf: &str, ess_flag: Option<bool>) -> Classified {
    let category = TABLES.categories.get(categorie_juridique.trim());
    let family = match category.map(|c| c.famille_ess.as_str()) {
        Some("association") => Some(Family::Association),
        Some("cooperative") => Some(Family::Cooperative),
        Some("mutuelle") => Some(Family::Mutuelle),
        Some("fondation") => Some(Family::Fondation),
        _ if ess_flag == Some(true) => Some(Family::SocieteCommercialeEss),
        _ => None,
    };
    let classification = match family {
        None => Classification::NotEss,
        Some(family) => {
            let naf = normalise_naf(naf);
            if naf_division(&naf) == Some("84") {
                Classification::Excluded(Exclusion::PublicAdministration)
            } else if EXCLUDED_NAF.contains(&naf.as_str()) {
                Classification::Excluded(Exclusion::ExcludedOrganisation)
            } else {
                Classification::Ess(family)
            }
        }
    };
    Classified {
        classification,
        unknown_category: category.is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_families_come_from_the_legal_category() {
        assert_eq!(
            classify("9220", "88.10A", None).classification,
            Classification::Ess(Family::Association)
        );
        assert_eq!(
            classify("5458", "43.21A", Some(true)).classification,
            Classification::Ess(Family::Cooperative)
        );
        assert_eq!(
            classify("8210", "65.12Z", None).classification,
            Classification::Ess(Family::Mutuelle)
        );
        assert_eq!(
            classify("9300", "88.99B", None).classification,
            Classification::Ess(Family::Fondation)
        );
    }

    #[test]
    fn excluded_activities_leave_the_perimeter_in_both_naf_spellings() {
        for naf in ["94.11Z", "9420Z", "94.91Z", "94.92Z"] {
            assert_eq!(
                classify("9220", naf, None).classification,
                Classification::Excluded(Exclusion::ExcludedOrganisation),
                "{naf}"
            );
        }
        assert_eq!(
            classify("9220", "84.11Z", None).classification,
            Classification::Excluded(Exclusion::PublicAdministration)
        );
        // 94.12Z and 94.99Z stay in.
        assert_eq!(
            classify("9220", "94.99Z", None).classification,
            Classification::Ess(Family::Association)
        );
    }

    #[test]
    fn commercial_companies_need_the_ess_flag() {
        assert_eq!(
            classify("5710", "62.01Z", None).classification,
            Classification::NotEss
        );
        assert_eq!(
            classify("5710", "62.01Z", Some(false)).classification,
            Classification::NotEss
        );
        assert_eq!(
            classify("5710", "62.01Z", Some(true)).classification,
            Classification::Ess(Family::SocieteCommercialeEss)
        );
        assert!(!Family::SocieteCommercialeEss.in_statistical_totals());
    }

    #[test]
    fn an_unknown_category_is_reported_and_classified_by_the_flag() {
        let c = classify("9999", "88.10A", None);
        assert!(c.unknown_category);
        assert_eq!(c.classification, Classification::NotEss);
        let c = classify("9999", "88.10A", Some(true));
        assert_eq!(
            c.classification,
            Classification::Ess(Family::SocieteCommercialeEss)
        );
        assert!(!classify("9220", "88.10A", None).unknown_category);
    }

    #[test]
    fn family_ids_round_trip() {
        for f in Family::ALL {
            assert_eq!(Family::from_id(f.id()), Some(f));
        }
    }
}
