//! Word lists for names and addresses. Every organisation name the generator writes
//! ends with `(DEMO nnnnn)`, so nothing can be mistaken for a real organisation.

use super::places::{of_place, upper_ascii};
use crate::geography::Geography;

pub(super) const SURNAMES: &[&str] = &[
    "LEFEBVRE",
    "DUBOIS",
    "LEROY",
    "MARTIN",
    "BERNARD",
    "DUPONT",
    "LEGRAND",
    "DUMONT",
    "CARON",
    "FONTAINE",
    "DELATTRE",
    "LEMAIRE",
    "FRANCOIS",
    "MERCIER",
    "LECLERCQ",
    "DELANNOY",
    "LEBRUN",
    "VASSEUR",
    "DEVAUX",
    "LAMBERT",
    "PETIT",
    "ROUSSEL",
    "HENNEBERT",
    "DUHAMEL",
    "LEGRIS",
    "POIRIER",
    "CARPENTIER",
    "DEBAECKER",
    "WAROUX",
    "COUSIN",
];

pub(super) const FIRST_NAMES_F: &[&str] = &[
    "MARIE",
    "NATHALIE",
    "ISABELLE",
    "SANDRINE",
    "CELINE",
    "AURELIE",
    "JULIE",
    "CAMILLE",
    "EMMA",
    "LEA",
    "SOPHIE",
    "CHRISTINE",
];

pub(super) const FIRST_NAMES_M: &[&str] = &[
    "JEAN", "PHILIPPE", "MICHEL", "ALAIN", "PATRICK", "NICOLAS", "JULIEN", "THOMAS", "KEVIN",
    "LUCAS", "DAVID", "FRANCK",
];

pub(super) const MOTTOS: &[&str] = &[
    "HORIZON",
    "ARC EN CIEL",
    "LES TILLEULS",
    "LE PHARE",
    "OPALE",
    "LES GLYCINES",
    "L ESPOIR",
    "LE TREMPLIN",
    "LES HIRONDELLES",
    "LA PASSERELLE",
    "LES COQUELICOTS",
    "L ENVOL",
    "LE RELAIS",
    "LES PETITS LOUPS",
    "SAINT JOSEPH",
    "SAINTE MARIE",
    "NOTRE DAME",
    "JEANNE D ARC",
    "LES CHARMILLES",
    "LE BEFFROI",
];

pub(super) const SCHOOL_NAMES: &[&str] = &[
    "JEAN MOULIN",
    "VICTOR HUGO",
    "JULES FERRY",
    "PABLO PICASSO",
    "LOUIS PASTEUR",
    "ANATOLE FRANCE",
    "JEAN JAURES",
    "MARIE CURIE",
    "ALBERT CAMUS",
    "JEAN ZAY",
];

/// Regional qualifiers for head offices outside the département.
pub(super) const REGIONAL: &[&str] = &[
    "DES HAUTS DE FRANCE",
    "NORD EUROPE",
    "DU NORD PAS DE CALAIS",
    "DE FRANCE",
    "NORD ET PICARDIE",
];

pub(super) const STREET_TYPES: &[(&str, u32)] = &[
    ("RUE", 60),
    ("AV", 10),
    ("BD", 5),
    ("PL", 5),
    ("CHE", 5),
    ("RTE", 5),
    ("ALL", 3),
    ("IMP", 4),
    ("QUAI", 1),
];

pub(super) const STREET_NAMES: &[&str] = &[
    "DE LA REPUBLIQUE",
    "JEAN JAURES",
    "DU GENERAL DE GAULLE",
    "DES ECOLES",
    "DE LA GARE",
    "DU MOULIN",
    "PASTEUR",
    "VICTOR HUGO",
    "DE L EGLISE",
    "DU 8 MAI 1945",
    "DES MARTYRS",
    "ROGER SALENGRO",
    "DE LA LIBERTE",
    "DU MARECHAL FOCH",
    "DES TILLEULS",
    "DU MARAIS",
    "DES CHAMPS",
    "DE LA PAIX",
    "JULES FERRY",
    "DU CALVAIRE",
    "DES FOSSES",
    "NATIONALE",
    "DE LA MAIRIE",
    "LEON BLUM",
    "DES PRES",
];

pub(super) const COMPLEMENTS: &[&str] = &[
    "ZONE ARTISANALE",
    "RESIDENCE LES TILLEULS",
    "BATIMENT A",
    "CENTRE COMMERCIAL",
    "PARC D ACTIVITES",
    "LIEU DIT LE CHATEAU",
];

/// `DU TERNOIS`, `DE L ARTOIS`: the territory in a name.
#[must_use]
pub(super) fn territory_phrase(geo: &Geography, t: usize) -> String {
    let zone = &geo.territories[t].zone;
    match zone.code.as_str() {
        "ARR" => "DE L ARRAGEOIS".into(),
        "ART" => "DE L ARTOIS".into(),
        "AUD" => "DE L AUDOMAROIS".into(),
        "BOU" => "DU BOULONNAIS".into(),
        "CAL" => "DU CALAISIS".into(),
        "HEN" => "DU PAYS D HENIN-CARVIN".into(),
        "LEN" => "DE LENS-LIEVIN".into(),
        "MON" => "DU MONTREUILLOIS".into(),
        "TER" => "DU TERNOIS".into(),
        _ => of_place(&upper_ascii(&zone.name)),
    }
}

/// A sigle from the significant words of a name: `AIDE A DOMICILE` → `AAD`.
#[must_use]
pub(super) fn initials(stem: &str) -> String {
    const SMALL: &[&str] = &[
        "DE", "D", "DU", "DES", "LA", "LE", "LES", "L", "ET", "EN", "POUR", "AU", "AUX", "A",
    ];
    stem.split([' ', ',', '"'])
        .filter(|w| !w.is_empty() && !SMALL.contains(w))
        .filter_map(|w| w.chars().next())
        .filter(char::is_ascii_alphabetic)
        .collect()
}

/// The mark every demo name carries.
#[must_use]
pub(super) fn demo_tag(n: u32) -> String {
    format!("(DEMO {n:05})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_skip_small_words() {
        assert_eq!(initials("AIDE A DOMICILE"), "AD");
        assert_eq!(
            initials("SERVICE D AIDE ET D ACCOMPAGNEMENT A DOMICILE"),
            "SAAD"
        );
        assert_eq!(demo_tag(57), "(DEMO 00057)");
    }
}
