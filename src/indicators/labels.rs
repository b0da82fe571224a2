//! The French labels of the figures' dimensions and sources, one home for the API,
//! the documents and the map: what a category, a NAF section or a cube's source is
//! called wherever it is shown; and how the secret statistique's audit names a cell
//! in its reports (`commune 62041 × association`).

use super::cube::{Cube, ZoneSpace};
use crate::ess::category::{CATEGORIES, Category};
use crate::geography::{Geography, Level};

/// The sources an edition's cube was built from, as the API lists them.
#[must_use]
pub fn sources(cube: &Cube) -> Vec<&'static str> {
    if has_observatory(cube) {
        vec!["observatoire", "sirene"]
    } else {
        vec!["sirene"]
    }
}

fn has_observatory(cube: &Cube) -> bool {
    !(cube.observatory.ess.is_empty() && cube.observatory.economy.is_empty())
}

/// The public source label of an edition's cube.
#[must_use]
pub fn source_label(cube: &Cube) -> &'static str {
    if has_observatory(cube) {
        "Observatoire régional de l'ESS (CRESS) pour les effectifs et établissements employeurs \
         qu'il couvre ; ailleurs, estimation à partir du répertoire SIRENE (Insee)"
    } else {
        "Estimation à partir du répertoire SIRENE (Insee)"
    }
}

/// Label of a case with no NAF section.
const NO_SECTION: &str = "Activité non renseignée";

/// The short label of NAF section `letter` (« Santé humaine et action sociale »).
#[must_use]
pub fn section_label(letter: &str) -> &'static str {
    crate::ess::reference::TABLES
        .sections
        .iter()
        .find(|s| s.section == letter)
        .map_or(NO_SECTION, |s| s.libelle_court.as_str())
}

/// NAF section `letter` with its letter, as tables show it (« Q – Santé humaine … »).
#[must_use]
pub fn section_title(letter: &str) -> String {
    match section_label(letter) {
        NO_SECTION => NO_SECTION.to_owned(),
        label => format!("{letter} – {label}"),
    }
}

/// The dimension of a category: `total`, `family`, `sector` or `size`.
#[must_use]
pub fn dimension(c: Category) -> &'static str {
    match c {
        Category::Total => "total",
        Category::Family(_) => "family",
        Category::Sector(_) => "sector",
        Category::Size(_) => "size",
    }
}

/// A category's identifier and label (sectors by their short label).
#[must_use]
pub fn category(c: Category) -> (&'static str, &'static str) {
    match c {
        Category::Total => ("ess", "ESS (4 familles)"),
        Category::Family(f) => (f.id(), f.label()),
        Category::Sector(s) => (s, section_label(s)),
        Category::Size(z) => (z.id(), z.label()),
    }
}

/// `commune 62041 × association`, for reports.
#[must_use]
pub fn zone_label(g: &Geography, space: ZoneSpace, zone: usize) -> String {
    match space.level_of(zone) {
        Level::Commune => format!("commune {}", g.communes[zone].zone.code),
        Level::Epci => format!("EPCI {}", g.epci[zone - space.communes].zone.code),
        Level::Territory => format!(
            "territoire {}",
            g.territories[zone - space.communes - space.epci].zone.code
        ),
        Level::Department => format!("département {}", g.department.code),
    }
}

fn category_label(category: Category) -> String {
    match category {
        Category::Total => "ESS".into(),
        Category::Family(f) => f.id().into(),
        Category::Sector("") => "section inconnue".into(),
        Category::Sector(s) => format!("section {s}"),
        Category::Size(c) => format!("taille {}", c.id()),
    }
}

/// Label of a cube cell.
#[must_use]
pub fn cell_label(g: &Geography, space: ZoneSpace, cell: usize) -> String {
    let category = Category::all()[cell % CATEGORIES];
    format!(
        "{} × {}",
        zone_label(g, space, cell / CATEGORIES),
        category_label(category)
    )
}
