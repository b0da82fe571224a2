//! What a cell of the figures counts ([`Category`]): the ESS total of the four families,
//! one family, one NAF section or one size class, in the one index order every table
//! of figures follows (the cube of `indicators`, the observatory's sectors in `import`).
//!
//! Owns the categories and their order only; how cells are filled, rolled up and
//! masked is the indicators' concern. Pure: no I/O.

use super::Family;
use super::size::SizeClass;

/// NAF sections A–U, then `""` for an unknown activity.
pub const SECTIONS: [&str; 22] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
    "T", "U", "",
];

/// What a cell of the cube counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// The ESS of the four families (what INSEE and the CRESS count).
    Total,
    Family(Family),
    /// NAF section of the four families' establishments (`""`: unknown).
    Sector(&'static str),
    Size(SizeClass),
}

/// Number of categories: total, 5 families, 22 sections, 5 size classes.
pub const CATEGORIES: usize = 1 + 5 + SECTIONS.len() + 5;

impl Category {
    #[must_use]
    pub fn index(self) -> usize {
        match self {
            Category::Total => 0,
            Category::Family(f) => 1 + Family::ALL.iter().position(|x| *x == f).unwrap_or(0),
            Category::Sector(s) => {
                6 + SECTIONS
                    .iter()
                    .position(|x| *x == s)
                    .unwrap_or(SECTIONS.len() - 1)
            }
            Category::Size(c) => {
                6 + SECTIONS.len() + SizeClass::ALL.iter().position(|x| *x == c).unwrap_or(0)
            }
        }
    }

    /// Every category, in index order.
    #[must_use]
    pub fn all() -> Vec<Category> {
        let mut v = vec![Category::Total];
        v.extend(Family::ALL.map(Category::Family));
        v.extend(SECTIONS.map(Category::Sector));
        v.extend(SizeClass::ALL.map(Category::Size));
        v
    }

    /// The section of a NAF section letter, if it is one.
    #[must_use]
    pub fn sector(letter: &str) -> Option<Category> {
        SECTIONS
            .iter()
            .find(|s| !s.is_empty() && **s == letter)
            .map(|s| Category::Sector(s))
    }
}
