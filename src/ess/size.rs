//! SIRENE size bands (`trancheEffectifs…`) and the one jobs estimator of the product.
//!
//! SIRENE gives bands, not headcounts. **Estimator** (used for every « effectif
//! estimé » figure): an establishment counts the midpoint of its band,
//! `(min + max) / 2` (band `01`, 1–2 employees → 1.5; `12`, 20–49 → 34.5); the open
//! band `53` (10,000 and more) counts its lower bound, 10,000; `NN` (non-employer),
//! `00` (no employee at year end) and a missing or masked band count 0. The
//! midpoint is unbiased when headcounts are spread evenly inside a band; real
//! distributions are skewed toward the lower bound, so the estimate tends to be high
//! for the largest bands, and observatory figures take precedence when imported.
//!
//! An establishment is an **employer** when its band is `01` or above (BRIEF §4.3).
//!
//! Breakdowns group the bands into five size classes ([`SizeClass`]).

use serde::Serialize;

use super::reference::TABLES;

/// Estimated jobs for a size band code, per the estimator above.
#[must_use]
pub fn estimated_jobs(band: &str) -> f64 {
    let Some(b) = TABLES.size_bands.iter().find(|b| b.code == band) else {
        return 0.0;
    };
    match (b.effectif_min, b.effectif_max) {
        (Some(min), Some(max)) => f64::from(min + max) / 2.0,
        (Some(min), None) => f64::from(min),
        _ => 0.0,
    }
}

/// Whether a size band means the establishment employs people (band `01` or above).
#[must_use]
pub fn is_employer(band: &str) -> bool {
    TABLES
        .size_bands
        .iter()
        .find(|b| b.code == band)
        .and_then(|b| b.effectif_min)
        .is_some_and(|min| min >= 1)
}

/// French label of a size band, or `None` for an unknown code.
#[must_use]
pub fn label(band: &str) -> Option<&'static str> {
    TABLES
        .size_bands
        .iter()
        .find(|b| b.code == band)
        .map(|b| b.libelle.as_str())
}

/// Short French label for lists: « Sans salarié », « 1 à 2 sal. », « 10 000 sal. et + ».
#[must_use]
pub fn short_label(band: &str) -> Option<String> {
    let b = TABLES.size_bands.iter().find(|b| b.code == band)?;
    Some(match (b.effectif_min, b.effectif_max) {
        (Some(min), Some(max)) if min >= 1 => {
            format!("{} à {} sal.", group_thousands(min), group_thousands(max))
        }
        (Some(min), None) => format!("{} sal. et +", group_thousands(min)),
        _ => "Sans salarié".to_owned(),
    })
}

/// `10000` → `10 000` (narrow no-break space, as French typography wants).
fn group_thousands(n: u32) -> String {
    if n < 1_000 {
        n.to_string()
    } else {
        format!("{}\u{202f}{:03}", n / 1_000, n % 1_000)
    }
}

/// Whether `band` is a code of the SIRENE nomenclature.
#[must_use]
pub fn is_known(band: &str) -> bool {
    TABLES.size_bands.iter().any(|b| b.code == band)
}

/// Size classes of the breakdowns: SIRENE bands grouped so that cells stay readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SizeClass {
    #[serde(rename = "0")]
    NonEmployer,
    #[serde(rename = "1-9")]
    From1To9,
    #[serde(rename = "10-49")]
    From10To49,
    #[serde(rename = "50-249")]
    From50To249,
    #[serde(rename = "250+")]
    From250,
}

impl SizeClass {
    pub const ALL: [SizeClass; 5] = [
        SizeClass::NonEmployer,
        SizeClass::From1To9,
        SizeClass::From10To49,
        SizeClass::From50To249,
        SizeClass::From250,
    ];

    #[must_use]
    pub fn of_band(band: Option<&str>) -> Self {
        match band.unwrap_or_default() {
            "01" | "02" | "03" => SizeClass::From1To9,
            "11" | "12" => SizeClass::From10To49,
            "21" | "22" | "31" => SizeClass::From50To249,
            "32" | "41" | "42" | "51" | "52" | "53" => SizeClass::From250,
            _ => SizeClass::NonEmployer,
        }
    }

    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            SizeClass::NonEmployer => "0",
            SizeClass::From1To9 => "1-9",
            SizeClass::From10To49 => "10-49",
            SizeClass::From50To249 => "50-249",
            SizeClass::From250 => "250+",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            SizeClass::NonEmployer => "Sans salarié",
            SizeClass::From1To9 => "1 à 9 salariés",
            SizeClass::From10To49 => "10 à 49 salariés",
            SizeClass::From50To249 => "50 à 249 salariés",
            SizeClass::From250 => "250 salariés et plus",
        }
    }

    #[must_use]
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimator_takes_band_midpoints() {
        assert!((estimated_jobs("01") - 1.5).abs() < f64::EPSILON);
        assert!((estimated_jobs("12") - 34.5).abs() < f64::EPSILON);
        assert!((estimated_jobs("53") - 10_000.0).abs() < f64::EPSILON);
        assert!(estimated_jobs("NN").abs() < f64::EPSILON);
        assert!(estimated_jobs("00").abs() < f64::EPSILON);
        assert!(estimated_jobs("").abs() < f64::EPSILON);
        assert!(estimated_jobs("[ND]").abs() < f64::EPSILON);
    }

    #[test]
    fn short_labels_read_well_in_lists() {
        assert_eq!(short_label("NN").as_deref(), Some("Sans salarié"));
        assert_eq!(short_label("00").as_deref(), Some("Sans salarié"));
        assert_eq!(short_label("12").as_deref(), Some("20 à 49 sal."));
        assert_eq!(
            short_label("53").as_deref(),
            Some("10\u{202f}000 sal. et +")
        );
        assert_eq!(short_label("zz"), None);
    }

    #[test]
    fn employers_are_band_01_and_above() {
        assert!(!is_employer("NN"));
        assert!(!is_employer("00"));
        assert!(is_employer("01"));
        assert!(is_employer("53"));
        assert!(!is_employer("zz"));
    }
}
