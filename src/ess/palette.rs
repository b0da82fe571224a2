//! The colours of the ESS families and of the territories, in one place for every output:
//! the tiles' MapLibre style (`tiles::style`), the summaries' maps (`summary::map`) and the
//! web map, which reads them from `/api/palettes` instead of keeping copies.
//!
//! Families use the Okabe–Ito palette (distinguishable with every common colour-vision
//! deficiency, and in grey print). Territories get soft fills, given in the order of their
//! codes, so that a territory keeps its colour on the map, in its legend and in the style.
//! Pure: no I/O.

use serde::Serialize;

use super::Family;

/// Colour of an organisation whose family is unknown to this build.
pub const UNKNOWN_FAMILY_COLOUR: &str = "#6b7785";

/// Fills of the territories, the i-th territory in code order taking the i-th colour
/// (cycling past nine).
pub const TERRITORY_PALETTE: [&str; 9] = [
    "#f2d9b3", // sand
    "#cfe3c6", // soft green
    "#d9d2ea", // lavender
    "#f3cdc4", // brick pink
    "#c5e0dc", // mint
    "#ece3b0", // straw
    "#e5cfe0", // mauve
    "#d6dcb8", // pale olive
    "#f0dcc9", // peach
];

/// Fill of a zone outside every territory.
pub const NO_TERRITORY_COLOUR: &str = "#ecefe8";

/// Colour of the family's dots (Okabe–Ito).
#[must_use]
pub fn family_colour(f: Family) -> &'static str {
    match f {
        Family::Association => "#0072B2",
        Family::Cooperative => "#E69F00",
        Family::Mutuelle => "#009E73",
        Family::Fondation => "#CC79A7",
        Family::SocieteCommercialeEss => "#D55E00",
    }
}

/// Colour of the family with identifier `id` (as in the API and the database), or
/// [`UNKNOWN_FAMILY_COLOUR`].
#[must_use]
pub fn family_colour_of(id: &str) -> &'static str {
    Family::from_id(id).map_or(UNKNOWN_FAMILY_COLOUR, family_colour)
}

/// The family's French label where room is short (the web map's filter chips).
#[must_use]
pub fn family_short_label(f: Family) -> &'static str {
    match f {
        Family::SocieteCommercialeEss => "Sociétés commerciales ESS",
        _ => f.label(),
    }
}

/// Colour of the territory at `position` among the territories sorted by code.
#[must_use]
pub fn territory_colour(position: usize) -> &'static str {
    TERRITORY_PALETTE[position % TERRITORY_PALETTE.len()]
}

/// One family as the web map shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FamilyEntry {
    pub id: &'static str,
    pub label: &'static str,
    pub short_label: &'static str,
    pub singular: &'static str,
    pub colour: &'static str,
    /// Whether it counts in totals compared with INSEE/CRESS figures.
    pub in_statistical_totals: bool,
}

/// One territory's fill.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TerritoryEntry {
    pub code: String,
    pub colour: &'static str,
}

/// Every palette, as `/api/palettes` serves it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Palettes {
    /// In the order of the legend.
    pub families: Vec<FamilyEntry>,
    pub unknown_family: &'static str,
    /// In code order.
    pub territories: Vec<TerritoryEntry>,
    pub no_territory: &'static str,
}

/// The palettes for the territories with `codes` (sorted here, so any order will do).
#[must_use]
pub fn palettes<'a>(codes: impl IntoIterator<Item = &'a str>) -> Palettes {
    let mut codes: Vec<&str> = codes.into_iter().collect();
    codes.sort_unstable();
    Palettes {
        families: Family::ALL
            .into_iter()
            .map(|f| FamilyEntry {
                id: f.id(),
                label: f.label(),
                short_label: family_short_label(f),
                singular: f.singular(),
                colour: family_colour(f),
                in_statistical_totals: f.in_statistical_totals(),
            })
            .collect(),
        unknown_family: UNKNOWN_FAMILY_COLOUR,
        territories: codes
            .into_iter()
            .enumerate()
            .map(|(i, code)| TerritoryEntry {
                code: code.to_owned(),
                colour: territory_colour(i),
            })
            .collect(),
        no_territory: NO_TERRITORY_COLOUR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_has_its_own_colour() {
        let mut colours: Vec<&str> = Family::ALL.into_iter().map(family_colour).collect();
        colours.push(UNKNOWN_FAMILY_COLOUR);
        colours.sort_unstable();
        colours.dedup();
        assert_eq!(colours.len(), Family::ALL.len() + 1);
        assert_eq!(family_colour_of("fondation"), "#CC79A7");
        assert_eq!(family_colour_of("nope"), UNKNOWN_FAMILY_COLOUR);
    }

    #[test]
    fn territories_are_coloured_in_code_order_whatever_the_input_order() {
        let p = palettes(["TER", "ARR", "BOU"]);
        let got: Vec<(&str, &str)> = p
            .territories
            .iter()
            .map(|t| (t.code.as_str(), t.colour))
            .collect();
        assert_eq!(
            got,
            [
                ("ARR", TERRITORY_PALETTE[0]),
                ("BOU", TERRITORY_PALETTE[1]),
                ("TER", TERRITORY_PALETTE[2])
            ]
        );
        assert_eq!(territory_colour(9), TERRITORY_PALETTE[0]);
    }
}
