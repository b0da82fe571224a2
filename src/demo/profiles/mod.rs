//! The demo's calibration: the kinds of organisations it holds, with how many
//! establishments of each are active at the 2023 reference date, by size band.
//!
//! Owns the typed form of the tables (here) and their loading (`load.rs`) only; what
//! the generator does with them is in `private.rs` (and `public.rs` for public bodies,
//! whose sizes follow commune and territory populations). The tables are data, in
//! `src/demo/data/*.csv`, each explaining its columns in its leading `#` lines:
//!
//! - `profiles.csv`: the kinds of organisations, in generation order (categories
//!   juridiques, names, ESS flag, spread, life, restricted diffusion);
//! - `counts.csv`: the calibration proper, establishments active in 2023 by size
//!   band; its band columns are codes of `reference/tranches-effectifs.csv`, whose
//!   headcount ranges the demo draws from (the reference is not repeated here);
//! - `activities.csv`: NAF codes, weights and name stems of each kind;
//! - `multi.csv`: kinds whose units hold several establishments;
//! - `lives.csv`: births, deaths and jobs trends, public bodies' included;
//! - `qualifiers.csv`: what follows the stem in a name, by set.
//!
//! The counts were chosen so that the 2023 edition, read back with the product's
//! rules, lands on the published orders of magnitude for the Pas-de-Calais (see the
//! module docs of `demo`).
//!
//! The tables are compiled in and parsed once, on first use, by [`calibration`]. They
//! are ours and checked by tests, so a malformed table is a build defect: it panics
//! with the file, the line and what is wrong (see `load.rs` for what is checked).

mod load;
#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use serde::Deserialize;

use super::places::Spread;
use load::parse;

/// One activity of a kind of organisation: NAF code, weight, and name stems that suit
/// it.
#[derive(Debug)]
pub(super) struct Activity {
    pub naf: String,
    pub weight: u32,
    pub stems: Vec<String>,
}

/// What follows the stem in a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Qualifier {
    /// `… D ARRAS`
    Commune,
    /// `… DU TERNOIS`
    Territory,
    /// `… LEFEBVRE`
    Surname,
    /// `… LES TILLEULS`, then the commune
    Motto,
}

/// How `economieSocialeSolidaireUniteLegale` is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Flag {
    /// Legal form of an ESS family: `O`, sometimes empty (the variable often is).
    Family,
    /// A commercial company that meets the ESS conditions: `O`.
    Commercial,
    /// Anything else: `N` or empty.
    Other,
}

/// Organisations holding several establishments.
#[derive(Debug, Clone)]
pub(super) struct Multi {
    /// Probability that a unit of this kind has several establishments.
    pub share: f64,
    pub min: i64,
    pub max: i64,
    /// Probability that such a unit's head office is outside the département (a
    /// regional bank, a national federation): one more establishment, outside.
    pub outside: f64,
    /// Word used in a secondary establishment's name (`AGENCE DE LENS`).
    pub branch: String,
}

/// Births and deaths around the 2023 stock.
#[derive(Debug, Clone, Copy)]
pub(super) struct Life {
    /// Earliest creation year.
    pub start: i32,
    /// Share of the establishments active in 2023 that were created after 2014
    /// (halved for employers, which are steadier).
    pub recent: f64,
    /// Establishments closed between 2011 and 2023, as a share of the active ones
    /// (halved for employers).
    pub closed: f64,
    /// Yearly growth of the kind's estimated jobs between editions.
    pub trend: f64,
}

/// One kind of organisation.
#[derive(Debug)]
pub(super) struct Profile {
    pub id: String,
    /// Catégories juridiques with their weights.
    pub categories: Vec<(String, u32)>,
    /// At least one.
    pub activities: Vec<Activity>,
    /// `None` for individual entrepreneurs (a person's name instead).
    pub qualifiers: Option<Vec<(Qualifier, u32)>>,
    pub flag: Flag,
    pub spread: Spread,
    /// Employer establishments active in 2023, by band of [`Calibration::bands`].
    pub employers: Vec<u32>,
    /// Non-employer establishments active in 2023.
    pub non_employers: u32,
    pub multi: Option<Multi>,
    pub life: Life,
    /// Share of units with restricted diffusion (`statutDiffusion… = P`).
    pub protected: f64,
}

/// A size band an employer can be drawn in: code and headcount range, from
/// `reference/tranches-effectifs.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Band {
    pub code: &'static str,
    pub min: f64,
    pub max: f64,
}

/// The tables, parsed and checked.
#[derive(Debug)]
pub(super) struct Calibration {
    /// In generation order: ESS families, ESS commercial companies, the rest of the
    /// private economy.
    pub profiles: Vec<Profile>,
    /// The bands employers are drawn in (`counts.csv`'s columns), smallest first.
    pub bands: Vec<Band>,
    /// Public bodies' life (`lives.csv`'s `public` row).
    pub public: Life,
    /// Every band of the reference with an upper bound, in order, as (the first
    /// headcount above it, code); then the open band, for larger headcounts.
    limits: Vec<(f64, &'static str)>,
    open_band: &'static str,
}

/// The texts of the six tables.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tables<'a> {
    pub profiles: &'a str,
    pub counts: &'a str,
    pub activities: &'a str,
    pub multi: &'a str,
    pub lives: &'a str,
    pub qualifiers: &'a str,
}

/// The tables compiled into the binary.
pub(super) const EMBEDDED: Tables<'static> = Tables {
    profiles: include_str!("../data/profiles.csv"),
    counts: include_str!("../data/counts.csv"),
    activities: include_str!("../data/activities.csv"),
    multi: include_str!("../data/multi.csv"),
    lives: include_str!("../data/lives.csv"),
    qualifiers: include_str!("../data/qualifiers.csv"),
};

static CALIBRATION: LazyLock<Calibration> =
    LazyLock::new(|| parse(&EMBEDDED).unwrap_or_else(|e| panic!("{e}")));

/// The embedded calibration, parsed on first use (panics on a malformed table).
#[must_use]
pub(super) fn calibration() -> &'static Calibration {
    &CALIBRATION
}

/// The size band of a headcount: `00` under one employee, then SIRENE's bands, as
/// `reference/tranches-effectifs.csv` bounds them.
#[must_use]
pub(super) fn band_of(headcount: f64) -> &'static str {
    let c = calibration();
    c.limits
        .iter()
        .find(|(below, _)| headcount < *below)
        .map_or(c.open_band, |&(_, code)| code)
}
