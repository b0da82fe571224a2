//! The kinds of organisations the demo holds, with how many establishments of each
//! are active at the 2023 reference date, by size band.
//!
//! The counts are the calibration: they were chosen so that the 2023 edition, read
//! back with the product's rules, lands on the published orders of magnitude for the
//! Pas-de-Calais (about 3,200 employer ESS establishments and 50,000 estimated ESS
//! jobs, half of them in health and social action, 12 % of estimated salaried jobs,
//! three employer establishments in four under 10 employees). Public bodies, whose
//! sizes follow commune and territory populations, are built in `model.rs`.

use super::places::Spread;

/// Size bands an employer establishment can be drawn in, smallest first.
pub(super) const BANDS: [&str; 12] = [
    "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51",
];

/// Headcount range of each band of [`BANDS`].
pub(super) const BAND_RANGES: [(f64, f64); 12] = [
    (1.0, 2.0),
    (3.0, 5.0),
    (6.0, 9.0),
    (10.0, 19.0),
    (20.0, 49.0),
    (50.0, 99.0),
    (100.0, 199.0),
    (200.0, 249.0),
    (250.0, 499.0),
    (500.0, 999.0),
    (1000.0, 1999.0),
    (2000.0, 4999.0),
];

/// The size band of a headcount: `00` under one employee, then SIRENE's bands.
#[must_use]
pub(super) fn band_of(headcount: f64) -> &'static str {
    if headcount < 1.0 {
        return "00";
    }
    for (band, (_, max)) in BANDS.iter().zip(BAND_RANGES) {
        if headcount < max + 1.0 {
            return band;
        }
    }
    if headcount < 10_000.0 { "52" } else { "53" }
}

/// One activity of a kind of organisation: NAF code, weight, and name stems that suit
/// it.
pub(super) struct Activity {
    pub naf: &'static str,
    pub weight: u32,
    pub stems: &'static [&'static str],
}

/// What follows the stem in a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flag {
    /// Legal form of an ESS family: `O`, sometimes empty (the variable often is).
    Family,
    /// A commercial company that meets the ESS conditions: `O`.
    Commercial,
    /// Anything else: `N` or empty.
    Other,
}

/// Organisations holding several establishments.
#[derive(Debug, Clone, Copy)]
pub(super) struct Multi {
    /// Probability that a unit of this kind has several establishments.
    pub share: f64,
    pub min: i64,
    pub max: i64,
    /// Probability that such a unit's head office is outside the département (a
    /// regional bank, a national federation): one more establishment, outside.
    pub outside: f64,
    /// Word used in a secondary establishment's name (`AGENCE DE LENS`).
    pub branch: &'static str,
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

pub(super) struct Profile {
    pub id: &'static str,
    pub categories: &'static [(&'static str, u32)],
    pub activities: &'static [Activity],
    /// `None` for individual entrepreneurs (a person's name instead).
    pub qualifiers: Option<&'static [(Qualifier, u32)]>,
    pub flag: Flag,
    pub spread: Spread,
    /// Employer establishments active in 2023, by band of [`BANDS`].
    pub employers: [u32; 12],
    /// Non-employer establishments active in 2023.
    pub non_employers: u32,
    pub multi: Option<Multi>,
    pub life: Life,
    /// Share of units with restricted diffusion (`statutDiffusion… = P`).
    pub protected: f64,
}

/// Above the 1 % a year sought: small employers drifting under one employee (band
/// `00`, no estimated job) in earlier editions take some of the growth back.
const ESS_TREND: f64 = 0.0145;
const OTHER_TREND: f64 = 0.004;

const ASSOC: Life = Life {
    start: 1950,
    recent: 0.30,
    closed: 0.25,
    trend: ESS_TREND,
};
const MEDICO_SOCIAL: Life = Life {
    start: 1955,
    recent: 0.12,
    closed: 0.08,
    trend: ESS_TREND,
};
const COOP: Life = Life {
    start: 1950,
    recent: 0.15,
    closed: 0.15,
    trend: ESS_TREND,
};
const MUTUAL: Life = Life {
    start: 1960,
    recent: 0.10,
    closed: 0.25,
    trend: ESS_TREND,
};
const FOUNDATION: Life = Life {
    start: 1965,
    recent: 0.20,
    closed: 0.08,
    trend: ESS_TREND,
};
const SOCIAL_BUSINESS: Life = Life {
    start: 2005,
    recent: 0.60,
    closed: 0.20,
    trend: 0.03,
};
const INDIVIDUAL: Life = Life {
    start: 1975,
    recent: 0.50,
    closed: 0.45,
    trend: OTHER_TREND,
};
const SARL: Life = Life {
    start: 1965,
    recent: 0.25,
    closed: 0.30,
    trend: OTHER_TREND,
};
const SAS: Life = Life {
    start: 1995,
    recent: 0.50,
    closed: 0.20,
    trend: OTHER_TREND,
};
const OLD_COMPANY: Life = Life {
    start: 1950,
    recent: 0.08,
    closed: 0.15,
    trend: OTHER_TREND,
};
const PROFESSION: Life = Life {
    start: 1980,
    recent: 0.35,
    closed: 0.25,
    trend: OTHER_TREND,
};
const FARM: Life = Life {
    start: 1970,
    recent: 0.25,
    closed: 0.25,
    trend: 0.0,
};
const QUIET: Life = Life {
    start: 1970,
    recent: 0.20,
    closed: 0.10,
    trend: 0.0,
};

const EITHER: &[(Qualifier, u32)] = &[(Qualifier::Commune, 1), (Qualifier::Territory, 1)];
const COMMUNE: &[(Qualifier, u32)] = &[(Qualifier::Commune, 1)];
const TERRITORY: &[(Qualifier, u32)] = &[(Qualifier::Territory, 3), (Qualifier::Commune, 1)];
const MOTTO: &[(Qualifier, u32)] = &[(Qualifier::Motto, 3), (Qualifier::Commune, 1)];
const FIRM: &[(Qualifier, u32)] = &[
    (Qualifier::Surname, 3),
    (Qualifier::Commune, 1),
    (Qualifier::Motto, 1),
];

const fn act(naf: &'static str, weight: u32, stems: &'static [&'static str]) -> Activity {
    Activity { naf, weight, stems }
}

const fn multi(share: f64, min: i64, max: i64, outside: f64, branch: &'static str) -> Multi {
    Multi {
        share,
        min,
        max,
        outside,
        branch,
    }
}

/// Associations, coopératives, mutuelles and fondations, then ESS commercial companies.
pub(super) const ESS_PROFILES: &[Profile] = &[
    Profile {
        id: "aide_domicile",
        categories: &[("9220", 90), ("9230", 10)],
        activities: &[act(
            "88.10A",
            1,
            &[
                "AIDE A DOMICILE",
                "ASSOCIATION D AIDE A DOMICILE",
                "SERVICE D AIDE ET D ACCOMPAGNEMENT A DOMICILE",
                "AIDE AUX FAMILLES ET AUX PERSONNES AGEES",
            ],
        )],
        qualifiers: Some(TERRITORY),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [40, 28, 30, 16, 20, 10, 8, 3, 1, 0, 0, 0],
        non_employers: 20,
        multi: Some(multi(0.3, 2, 8, 0.1, "ANTENNE")),
        life: MEDICO_SOCIAL,
        protected: 0.0,
    },
    Profile {
        id: "esat",
        categories: &[("9220", 80), ("9230", 20)],
        activities: &[act(
            "88.10C",
            1,
            &[
                "ETABLISSEMENT ET SERVICE D AIDE PAR LE TRAVAIL",
                "ESAT LES ATELIERS",
                "ATELIERS PROTEGES",
            ],
        )],
        qualifiers: Some(EITHER),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [0, 0, 0, 4, 16, 11, 4, 1, 0, 0, 0, 0],
        non_employers: 0,
        multi: Some(multi(0.2, 2, 4, 0.2, "ESAT")),
        life: MEDICO_SOCIAL,
        protected: 0.0,
    },
    Profile {
        id: "handicap_hebergement",
        categories: &[("9220", 75), ("9230", 25)],
        activities: &[
            act("87.20A", 3, &["FOYER DE VIE", "FOYER D HEBERGEMENT"]),
            act(
                "87.10C",
                2,
                &["MAISON D ACCUEIL SPECIALISEE", "FOYER D ACCUEIL MEDICALISE"],
            ),
            act("87.30B", 1, &["FOYER POUR ADULTES HANDICAPES"]),
        ],
        qualifiers: Some(MOTTO),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [0, 4, 8, 10, 20, 15, 7, 2, 1, 0, 0, 0],
        non_employers: 2,
        multi: Some(multi(0.3, 2, 6, 0.25, "ETABLISSEMENT")),
        life: MEDICO_SOCIAL,
        protected: 0.0,
    },
    Profile {
        id: "ehpad_associatif",
        categories: &[("9220", 80), ("9230", 10), ("9240", 10)],
        activities: &[
            act(
                "87.10A",
                3,
                &["EHPAD", "RESIDENCE MEDICALISEE", "MAISON DE RETRAITE"],
            ),
            act("87.30A", 1, &["RESIDENCE AUTONOMIE", "FOYER LOGEMENT"]),
        ],
        qualifiers: Some(MOTTO),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [0, 0, 2, 5, 12, 12, 6, 1, 0, 0, 0, 0],
        non_employers: 0,
        multi: Some(multi(0.15, 2, 3, 0.3, "RESIDENCE")),
        life: MEDICO_SOCIAL,
        protected: 0.0,
    },
    Profile {
        id: "hebergement_social",
        categories: &[("9220", 1)],
        activities: &[
            act(
                "87.90A",
                1,
                &["MAISON D ENFANTS A CARACTERE SOCIAL", "FOYER DE L ENFANCE"],
            ),
            act(
                "87.90B",
                1,
                &[
                    "CENTRE D HEBERGEMENT ET DE REINSERTION SOCIALE",
                    "ACCUEIL ET HEBERGEMENT D URGENCE",
                ],
            ),
        ],
        qualifiers: Some(MOTTO),
        flag: Flag::Family,
        spread: Spread::Urban,
        employers: [4, 5, 12, 9, 14, 7, 2, 0, 0, 0, 0, 0],
        non_employers: 5,
        multi: Some(multi(0.2, 2, 4, 0.0, "SITE")),
        life: MEDICO_SOCIAL,
        protected: 0.0,
    },
    Profile {
        id: "creches",
        categories: &[("9220", 1)],
        activities: &[act(
            "88.91A",
            1,
            &[
                "CRECHE PARENTALE",
                "MULTI ACCUEIL",
                "MAISON DE LA PETITE ENFANCE",
                "HALTE GARDERIE",
            ],
        )],
        qualifiers: Some(MOTTO),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [0, 14, 25, 22, 8, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 5,
        multi: None,
        life: ASSOC,
        protected: 0.0,
    },
    Profile {
        id: "enfance_handicap",
        categories: &[("9220", 85), ("9230", 15)],
        activities: &[
            act(
                "88.91B",
                2,
                &[
                    "INSTITUT MEDICO EDUCATIF",
                    "SERVICE D EDUCATION SPECIALE ET DE SOINS A DOMICILE",
                    "CENTRE D ACTION MEDICO SOCIALE PRECOCE",
                ],
            ),
            act(
                "88.99A",
                1,
                &[
                    "PREVENTION SPECIALISEE",
                    "SERVICE EDUCATIF EN MILIEU OUVERT",
                ],
            ),
        ],
        qualifiers: Some(EITHER),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [0, 4, 10, 10, 14, 7, 1, 0, 0, 0, 0, 0],
        non_employers: 0,
        multi: Some(multi(0.25, 2, 5, 0.2, "SERVICE")),
        life: MEDICO_SOCIAL,
        protected: 0.0,
    },
    Profile {
        id: "action_sociale",
        categories: &[("9220", 96), ("9210", 2), ("9230", 2)],
        activities: &[act(
            "88.99B",
            1,
            &[
                "CENTRE SOCIAL",
                "EPICERIE SOLIDAIRE",
                "ASSOCIATION D ENTRAIDE",
                "SOLIDARITE, ENTRAIDE ET PARTAGE",
                "MAISON DES FAMILLES",
                "LOGEMENT DES JEUNES",
                "BANQUE ALIMENTAIRE",
            ],
        )],
        qualifiers: Some(EITHER),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [120, 65, 38, 18, 14, 3, 0, 0, 0, 0, 0, 0],
        non_employers: 900,
        multi: None,
        life: ASSOC,
        protected: 0.01,
    },
    Profile {
        id: "cliniques_associatives",
        categories: &[("9220", 60), ("9230", 40)],
        activities: &[act(
            "86.10Z",
            1,
            &[
                "CENTRE HOSPITALIER PRIVE",
                "CENTRE DE REEDUCATION FONCTIONNELLE",
                "CENTRE DE SOINS DE SUITE ET DE READAPTATION",
                "HOPITAL PRIVE A BUT NON LUCRATIF",
            ],
        )],
        qualifiers: Some(EITHER),
        flag: Flag::Family,
        spread: Spread::Urban,
        employers: [0, 0, 0, 0, 0, 2, 4, 2, 3, 1, 0, 0],
        non_employers: 0,
        multi: None,
        life: MEDICO_SOCIAL,
        protected: 0.0,
    },
    Profile {
        id: "sante_associative",
        categories: &[("9220", 1)],
        activities: &[
            act("86.90D", 2, &["SERVICE DE SOINS INFIRMIERS A DOMICILE"]),
            act("86.21Z", 1, &["CENTRE DE SANTE", "MAISON DE SANTE"]),
            act("86.90F", 1, &["RESEAU DE SANTE", "CENTRE DE PREVENTION"]),
        ],
        qualifiers: Some(EITHER),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [15, 14, 12, 6, 4, 1, 0, 0, 0, 0, 0, 0],
        non_employers: 60,
        multi: None,
        life: ASSOC,
        protected: 0.0,
    },
    Profile {
        id: "accueil_de_jour",
        categories: &[("9220", 1)],
        activities: &[act(
            "88.10B",
            1,
            &[
                "ACCUEIL DE JOUR",
                "CENTRE D ACCUEIL DE JOUR ALZHEIMER",
                "SERVICE D ACCOMPAGNEMENT A LA VIE SOCIALE",
            ],
        )],
        qualifiers: Some(EITHER),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [8, 10, 8, 4, 2, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 20,
        multi: None,
        life: ASSOC,
        protected: 0.0,
    },
    Profile {
        id: "enseignement_prive",
        categories: &[("9220", 1)],
        activities: &[
            act(
                "85.20Z",
                3,
                &["ORGANISME DE GESTION DE L ECOLE", "ECOLE PRIVEE"],
            ),
            act("85.31Z", 3, &["COLLEGE PRIVE", "LYCEE PRIVE"]),
            act("85.32Z", 1, &["LYCEE PROFESSIONNEL PRIVE"]),
            act("85.10Z", 1, &["ECOLE MATERNELLE PRIVEE"]),
        ],
        qualifiers: Some(MOTTO),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [10, 10, 22, 30, 54, 19, 12, 1, 2, 0, 0, 0],
        non_employers: 20,
        multi: None,
        life: MEDICO_SOCIAL,
        protected: 0.0,
    },
    Profile {
        id: "formation",
        categories: &[("9220", 1)],
        activities: &[
            act(
                "85.59A",
                2,
                &[
                    "ORGANISME DE FORMATION",
                    "CENTRE DE FORMATION PROFESSIONNELLE",
                    "INSTITUT DE FORMATION",
                ],
            ),
            act(
                "85.59B",
                1,
                &["ATELIERS SOCIO LINGUISTIQUES", "SOUTIEN SCOLAIRE"],
            ),
        ],
        qualifiers: Some(EITHER),
        flag: Flag::Family,
        spread: Spread::Urban,
        employers: [45, 22, 15, 7, 4, 3, 2, 0, 0, 0, 0, 0],
        non_employers: 150,
        multi: Some(multi(0.1, 2, 4, 0.1, "CENTRE")),
        life: ASSOC,
        protected: 0.0,
    },
    Profile {
        id: "enseignement_culturel_sportif",
        categories: &[("9220", 1)],
        activities: &[
            act("85.52Z", 2, &["ECOLE DE MUSIQUE", "ECOLE DE DANSE"]),
            act(
                "85.51Z",
                1,
                &["ECOLE DE VOILE", "ECOLE DE NATATION", "ECOLE D EQUITATION"],
            ),
        ],
        qualifiers: Some(COMMUNE),
        flag: Flag::Family,
        spread: Spread::Local,
        employers: [50, 21, 10, 3, 0, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 300,
        multi: None,
        life: ASSOC,
        protected: 0.0,
    },
    Profile {
        id: "sport",
        categories: &[("9220", 99), ("9210", 1)],
        activities: &[
            act(
                "93.12Z",
                10,
                &[
                    "UNION SPORTIVE",
                    "ETOILE SPORTIVE",
                    "FOOTBALL CLUB",
                    "HANDBALL CLUB",
                    "JUDO CLUB",
                    "TENNIS CLUB",
                    "CLUB CYCLISTE",
                    "BASKET CLUB",
                    "ATHLETIC CLUB",
                    "AMICALE LAIQUE, SECTION SPORTIVE",
                ],
            ),
            act("93.11Z", 1, &["GESTION DU STADE", "PISCINE ASSOCIATIVE"]),
            act("93.13Z", 1, &["CLUB DE REMISE EN FORME"]),
        ],
        qualifiers: Some(COMMUNE),
        flag: Flag::Family,
        spread: Spread::Local,
        employers: [370, 95, 28, 5, 3, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 2900,
        multi: None,
        life: ASSOC,
        protected: 0.01,
    },
    Profile {
        id: "loisirs",
        categories: &[("9220", 97), ("9210", 3)],
        activities: &[act(
            "93.29Z",
            1,
            &[
                "COMITE DES FETES",
                "ASSOCIATION DE LOISIRS",
                "CLUB DES AINES",
                "AMICALE DES ANCIENS",
            ],
        )],
        qualifiers: Some(COMMUNE),
        flag: Flag::Family,
        spread: Spread::Local,
        employers: [40, 15, 6, 2, 0, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 1300,
        multi: None,
        life: ASSOC,
        protected: 0.01,
    },
    Profile {
        id: "culture",
        categories: &[("9220", 1)],
        activities: &[
            act(
                "90.01Z",
                4,
                &[
                    "COMPAGNIE THEATRALE",
                    "HARMONIE MUNICIPALE",
                    "CHORALE",
                    "COMPAGNIE \"LES TRETEAUX\"",
                ],
            ),
            act("90.04Z", 1, &["SALLE DE SPECTACLE", "SCENE CONVENTIONNEE"]),
            act("91.02Z", 1, &["MUSEE", "MAISON DU PATRIMOINE"]),
            act("91.03Z", 1, &["SOCIETE HISTORIQUE", "AMIS DU PATRIMOINE"]),
            act("59.14Z", 1, &["CINEMA ASSOCIATIF"]),
            act("90.02Z", 1, &["FESTIVAL", "ORGANISATION DE SPECTACLES"]),
        ],
        qualifiers: Some(COMMUNE),
        flag: Flag::Family,
        spread: Spread::Local,
        employers: [80, 30, 15, 6, 5, 3, 0, 0, 0, 0, 0, 0],
        non_employers: 1450,
        multi: None,
        life: ASSOC,
        protected: 0.01,
    },
    Profile {
        id: "associations_diverses",
        categories: &[("9220", 97), ("9210", 3)],
        activities: &[act(
            "94.99Z",
            1,
            &[
                "ASSOCIATION DES PARENTS D ELEVES",
                "AMICALE",
                "ASSOCIATION DE QUARTIER",
                "COMITE DE JUMELAGE",
                "ASSOCIATION DE DEFENSE DE L ENVIRONNEMENT",
                "FAMILLES RURALES, ASSOCIATION",
                "UNION DES ANCIENS COMBATTANTS",
                "MAISON DES ASSOCIATIONS",
            ],
        )],
        qualifiers: Some(COMMUNE),
        flag: Flag::Family,
        spread: Spread::Local,
        employers: [320, 100, 38, 10, 6, 2, 1, 0, 0, 0, 0, 0],
        non_employers: 2500,
        multi: None,
        life: ASSOC,
        protected: 0.01,
    },
    Profile {
        id: "organisations_professionnelles",
        categories: &[("9220", 1)],
        activities: &[act(
            "94.12Z",
            1,
            &[
                "GROUPEMENT DES ARTISANS",
                "UNION DES COMMERCANTS",
                "ASSOCIATION DES PROFESSIONNELS DE SANTE",
            ],
        )],
        qualifiers: Some(EITHER),
        flag: Flag::Family,
        spread: Spread::Urban,
        employers: [20, 10, 5, 3, 1, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 150,
        multi: None,
        life: ASSOC,
        protected: 0.0,
    },
    Profile {
        id: "gestion_conseil",
        categories: &[("9220", 1)],
        activities: &[
            act(
                "69.20Z",
                2,
                &[
                    "CENTRE DE GESTION AGREE",
                    "ASSOCIATION DE GESTION ET DE COMPTABILITE",
                ],
            ),
            act(
                "70.22Z",
                1,
                &["AGENCE DE DEVELOPPEMENT", "BOUTIQUE DE GESTION"],
            ),
        ],
        qualifiers: Some(TERRITORY),
        flag: Flag::Family,
        spread: Spread::Urban,
        employers: [4, 6, 8, 6, 12, 9, 3, 0, 0, 0, 0, 0],
        non_employers: 10,
        multi: Some(multi(0.3, 2, 5, 0.2, "AGENCE")),
        life: MEDICO_SOCIAL,
        protected: 0.0,
    },
    Profile {
        id: "environnement",
        categories: &[("9220", 1)],
        activities: &[act(
            "91.04Z",
            1,
            &[
                "CONSERVATOIRE D ESPACES NATURELS",
                "MAISON DE LA NATURE",
                "RESERVE NATURELLE",
            ],
        )],
        qualifiers: Some(EITHER),
        flag: Flag::Family,
        spread: Spread::Rural,
        employers: [12, 8, 6, 3, 2, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 60,
        multi: None,
        life: ASSOC,
        protected: 0.0,
    },
    Profile {
        id: "tourisme_social",
        categories: &[("9220", 1)],
        activities: &[
            act("55.20Z", 2, &["VILLAGE VACANCES", "CENTRE DE VACANCES"]),
            act("55.30Z", 1, &["CAMPING ASSOCIATIF"]),
            act("55.90Z", 1, &["FOYER DE JEUNES TRAVAILLEURS"]),
        ],
        qualifiers: Some(MOTTO),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [4, 6, 6, 4, 5, 3, 0, 0, 0, 0, 0, 0],
        non_employers: 30,
        multi: None,
        life: ASSOC,
        protected: 0.0,
    },
    Profile {
        id: "insertion",
        categories: &[("9220", 60), ("9221", 40)],
        activities: &[
            act(
                "81.30Z",
                2,
                &["CHANTIER D INSERTION ESPACES VERTS", "JARDINS SOLIDAIRES"],
            ),
            act("38.32Z", 1, &["RESSOURCERIE", "RECYCLERIE"]),
            act("81.21Z", 1, &["INSERTION PAR LE NETTOYAGE"]),
        ],
        qualifiers: Some(EITHER),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [10, 12, 20, 16, 20, 7, 3, 0, 0, 0, 0, 0],
        non_employers: 15,
        multi: Some(multi(0.2, 2, 4, 0.0, "CHANTIER")),
        life: ASSOC,
        protected: 0.0,
    },
    Profile {
        id: "association_intermediaire",
        categories: &[("9222", 1)],
        activities: &[act(
            "78.30Z",
            1,
            &["ASSOCIATION INTERMEDIAIRE", "SERVICE EMPLOI SOLIDARITE"],
        )],
        qualifiers: Some(TERRITORY),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [0, 0, 2, 5, 10, 6, 1, 0, 0, 0, 0, 0],
        non_employers: 0,
        multi: None,
        life: MEDICO_SOCIAL,
        protected: 0.0,
    },
    Profile {
        id: "groupement_employeurs",
        categories: &[("9223", 1)],
        activities: &[act(
            "78.30Z",
            1,
            &[
                "GROUPEMENT D EMPLOYEURS AGRICOLES",
                "GROUPEMENT D EMPLOYEURS SPORT ET ANIMATION",
            ],
        )],
        qualifiers: Some(TERRITORY),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [10, 6, 5, 2, 0, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 5,
        multi: None,
        life: ASSOC,
        protected: 0.0,
    },
    Profile {
        id: "banques_cooperatives",
        categories: &[("6596", 40), ("5192", 25), ("5196", 20), ("6595", 15)],
        activities: &[act(
            "64.19Z",
            1,
            &[
                "BANQUE COOPERATIVE",
                "CAISSE DE CREDIT COOPERATIF",
                "CAISSE D EPARGNE COOPERATIVE",
            ],
        )],
        qualifiers: Some(TERRITORY),
        flag: Flag::Family,
        spread: Spread::Urban,
        employers: [10, 55, 80, 14, 3, 1, 1, 0, 1, 1, 0, 0],
        non_employers: 0,
        multi: Some(multi(0.9, 6, 30, 0.8, "AGENCE")),
        life: COOP,
        protected: 0.0,
    },
    Profile {
        id: "caisses_locales",
        categories: &[("6596", 60), ("6595", 40)],
        activities: &[act(
            "64.19Z",
            1,
            &[
                "CAISSE LOCALE DE CREDIT AGRICOLE",
                "CAISSE LOCALE DE CREDIT MUTUEL",
            ],
        )],
        qualifiers: Some(COMMUNE),
        flag: Flag::Family,
        spread: Spread::Local,
        employers: [0; 12],
        non_employers: 520,
        multi: None,
        life: COOP,
        protected: 0.0,
    },
    Profile {
        id: "cooperatives_agricoles",
        categories: &[("6317", 80), ("6318", 10), ("5432", 5), ("6532", 5)],
        activities: &[
            act(
                "01.61Z",
                2,
                &["COOPERATIVE AGRICOLE", "UNION DE COOPERATIVES AGRICOLES"],
            ),
            act("46.21Z", 2, &["COOPERATIVE DE CEREALES", "SILO COOPERATIF"]),
            act("10.81Z", 1, &["SUCRERIE COOPERATIVE"]),
            act("46.31Z", 1, &["COOPERATIVE MARAICHERE"]),
        ],
        qualifiers: Some(TERRITORY),
        flag: Flag::Family,
        spread: Spread::Rural,
        employers: [12, 12, 10, 6, 6, 4, 3, 0, 0, 0, 0, 0],
        non_employers: 60,
        multi: Some(multi(0.3, 2, 6, 0.2, "SITE")),
        life: COOP,
        protected: 0.0,
    },
    Profile {
        id: "cuma",
        categories: &[("6316", 1)],
        activities: &[act(
            "01.61Z",
            1,
            &["CUMA", "COOPERATIVE D UTILISATION DE MATERIEL AGRICOLE"],
        )],
        qualifiers: Some(COMMUNE),
        flag: Flag::Family,
        spread: Spread::Rural,
        employers: [18, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 280,
        multi: None,
        life: COOP,
        protected: 0.0,
    },
    Profile {
        id: "scop",
        categories: &[("5458", 60), ("5558", 20), ("5560", 10), ("5460", 10)],
        activities: &[
            act("43.21A", 2, &["SCOP ELECTRICITE"]),
            act("43.22A", 2, &["SCOP PLOMBERIE CHAUFFAGE"]),
            act("41.20A", 2, &["SCOP BATIMENT"]),
            act("71.12B", 1, &["SCOP BUREAU D ETUDES"]),
            act("62.01Z", 1, &["SCOP INFORMATIQUE"]),
            act("18.12Z", 1, &["SCOP IMPRIMERIE"]),
            act("56.10A", 1, &["SCOP RESTAURANT"]),
        ],
        qualifiers: Some(MOTTO),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [22, 16, 12, 6, 5, 2, 0, 0, 0, 0, 0, 0],
        non_employers: 35,
        multi: None,
        life: COOP,
        protected: 0.0,
    },
    Profile {
        id: "cooperatives_hlm",
        categories: &[("5547", 60), ("5647", 40)],
        activities: &[act(
            "68.20A",
            1,
            &[
                "SOCIETE COOPERATIVE D HLM",
                "COOPERATIVE D ACCESSION A LA PROPRIETE",
            ],
        )],
        qualifiers: Some(TERRITORY),
        flag: Flag::Family,
        spread: Spread::Urban,
        employers: [0, 0, 3, 3, 2, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 2,
        multi: None,
        life: COOP,
        protected: 0.0,
    },
    Profile {
        id: "cooperatives_commerce",
        categories: &[("5451", 30), ("5552", 30), ("5453", 40)],
        activities: &[
            act("47.11C", 1, &["COOPERATIVE DE CONSOMMATEURS"]),
            act("46.90Z", 1, &["COOPERATIVE D ARTISANS"]),
            act("47.52A", 1, &["COOPERATIVE DE COMMERCANTS"]),
        ],
        qualifiers: Some(EITHER),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [8, 6, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 40,
        multi: None,
        life: COOP,
        protected: 0.0,
    },
    Profile {
        id: "mutuelles_assurance",
        categories: &[("6411", 40), ("8210", 45), ("8290", 15)],
        activities: &[
            act(
                "65.12Z",
                4,
                &[
                    "MUTUELLE D ASSURANCE",
                    "ASSURANCE MUTUELLE",
                    "MUTUELLE SANTE",
                    "MUTUELLE DES AGENTS TERRITORIAUX",
                ],
            ),
            act("65.11Z", 1, &["MUTUELLE DE PREVOYANCE"]),
        ],
        qualifiers: Some(TERRITORY),
        flag: Flag::Family,
        spread: Spread::Urban,
        employers: [50, 45, 25, 7, 4, 2, 1, 0, 1, 0, 0, 0],
        non_employers: 0,
        multi: Some(multi(0.7, 3, 15, 0.85, "AGENCE")),
        life: MUTUAL,
        protected: 0.0,
    },
    Profile {
        id: "caisses_mutuelles_agricoles",
        categories: &[("8250", 1)],
        activities: &[act(
            "65.12Z",
            1,
            &["CAISSE LOCALE D ASSURANCE MUTUELLE AGRICOLE"],
        )],
        qualifiers: Some(COMMUNE),
        flag: Flag::Family,
        spread: Spread::Rural,
        employers: [0; 12],
        non_employers: 420,
        multi: None,
        life: MUTUAL,
        protected: 0.0,
    },
    Profile {
        id: "mutuelles_sante",
        categories: &[("8290", 70), ("8210", 30)],
        activities: &[
            act("86.23Z", 5, &["CENTRE DENTAIRE MUTUALISTE"]),
            act("86.21Z", 2, &["CENTRE DE SANTE MUTUALISTE"]),
            act("47.78A", 2, &["OPTIQUE MUTUALISTE"]),
            act("47.74Z", 1, &["CENTRE D AUDITION MUTUALISTE"]),
        ],
        qualifiers: Some(COMMUNE),
        flag: Flag::Family,
        spread: Spread::Urban,
        employers: [6, 15, 15, 8, 4, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 10,
        multi: Some(multi(0.5, 2, 6, 0.3, "CENTRE")),
        life: MUTUAL,
        protected: 0.0,
    },
    Profile {
        id: "cliniques_mutualistes",
        categories: &[("8290", 1)],
        activities: &[act(
            "86.10Z",
            1,
            &["HOPITAL PRIVE MUTUALISTE", "POLYCLINIQUE MUTUALISTE"],
        )],
        qualifiers: Some(COMMUNE),
        flag: Flag::Family,
        spread: Spread::Urban,
        employers: [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0],
        non_employers: 0,
        multi: None,
        life: MEDICO_SOCIAL,
        protected: 0.0,
    },
    Profile {
        id: "fondations_sociales",
        categories: &[("9300", 1)],
        activities: &[
            act("87.10A", 2, &["EHPAD DE LA FONDATION"]),
            act("88.99B", 1, &["FONDATION POUR L INSERTION"]),
            act("87.90A", 1, &["FONDATION D AIDE A L ENFANCE"]),
            act("86.10Z", 1, &["CENTRE DE READAPTATION DE LA FONDATION"]),
        ],
        qualifiers: Some(MOTTO),
        flag: Flag::Family,
        spread: Spread::Population,
        employers: [6, 6, 6, 5, 7, 7, 3, 1, 1, 0, 0, 0],
        non_employers: 25,
        multi: Some(multi(0.3, 2, 5, 0.4, "ETABLISSEMENT")),
        life: FOUNDATION,
        protected: 0.0,
    },
    Profile {
        id: "fondations_autres",
        categories: &[("9300", 1)],
        activities: &[
            act("85.59A", 2, &["FONDATION POUR LA FORMATION"]),
            act("94.99Z", 1, &["FONDATION DU PATRIMOINE LOCAL"]),
            act("72.19Z", 1, &["FONDATION POUR LA RECHERCHE"]),
        ],
        qualifiers: Some(EITHER),
        flag: Flag::Family,
        spread: Spread::Urban,
        employers: [6, 4, 4, 3, 3, 2, 1, 0, 0, 0, 0, 0],
        non_employers: 55,
        multi: None,
        life: FOUNDATION,
        protected: 0.0,
    },
    Profile {
        id: "entreprises_ess",
        categories: &[("5710", 70), ("5499", 30)],
        activities: &[
            act("81.21Z", 2, &["ENTREPRISE D INSERTION"]),
            act("38.32Z", 2, &["RECYCLERIE SOLIDAIRE"]),
            act("56.10A", 1, &["RESTAURANT SOLIDAIRE"]),
            act("62.01Z", 1, &["NUMERIQUE SOLIDAIRE"]),
            act("35.11Z", 1, &["ENERGIE CITOYENNE"]),
        ],
        qualifiers: Some(MOTTO),
        flag: Flag::Commercial,
        spread: Spread::Population,
        employers: [8, 8, 6, 5, 3, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 15,
        multi: None,
        life: SOCIAL_BUSINESS,
        protected: 0.0,
    },
];

/// The rest of the private economy; public bodies are built in `model.rs`.
pub(super) const OTHER_PROFILES: &[Profile] = &[
    Profile {
        id: "entrepreneurs_individuels",
        categories: &[("1000", 1)],
        activities: &[
            act("10.71C", 3, &["BOULANGERIE PATISSERIE"]),
            act("43.32A", 3, &["MENUISERIE"]),
            act("43.34Z", 3, &["PEINTURE DECORATION"]),
            act("43.22A", 3, &["PLOMBERIE"]),
            act("45.20A", 3, &["GARAGE"]),
            act("96.02A", 4, &["SALON DE COIFFURE"]),
            act("56.10A", 3, &["RESTAURANT"]),
            act("56.30Z", 3, &["CAFE"]),
            act("49.32Z", 2, &["TAXI"]),
            act("86.21Z", 3, &["CABINET MEDICAL"]),
            act("86.90D", 3, &["CABINET INFIRMIER"]),
            act("86.90E", 2, &["CABINET DE KINESITHERAPIE"]),
            act("47.76Z", 1, &["FLEURISTE"]),
            act("01.11Z", 3, &["EXPLOITATION AGRICOLE"]),
            act("47.81Z", 2, &["MARCHAND AMBULANT"]),
            act("62.02A", 2, &["CONSEIL INFORMATIQUE"]),
            act("81.21Z", 2, &["NETTOYAGE"]),
            act("96.04Z", 2, &["INSTITUT DE BEAUTE"]),
            act("68.31Z", 1, &["AGENCE IMMOBILIERE"]),
            act("85.59B", 1, &["COURS PARTICULIERS"]),
            act("90.03A", 1, &["ATELIER D ARTISTE"]),
        ],
        qualifiers: None,
        flag: Flag::Other,
        spread: Spread::Population,
        employers: [4200, 1400, 400, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 7000,
        multi: None,
        life: INDIVIDUAL,
        protected: 0.12,
    },
    Profile {
        id: "sarl",
        categories: &[("5499", 1)],
        activities: &[
            act("56.10A", 4, &["RESTAURANT"]),
            act("43.21A", 3, &["ELECTRICITE GENERALE"]),
            act("43.22A", 3, &["CHAUFFAGE SANITAIRE"]),
            act("43.99C", 3, &["MACONNERIE"]),
            act("45.20A", 3, &["GARAGE"]),
            act("47.73Z", 2, &["PHARMACIE"]),
            act("41.20A", 2, &["CONSTRUCTION"]),
            act("49.41A", 3, &["TRANSPORTS"]),
            act("10.71C", 2, &["BOULANGERIE"]),
            act("69.20Z", 1, &["CABINET D EXPERTISE COMPTABLE"]),
            act("71.12B", 1, &["BUREAU D ETUDES"]),
            act("68.31Z", 1, &["AGENCE IMMOBILIERE"]),
            act("55.10Z", 1, &["HOTEL"]),
            act("86.90A", 1, &["AMBULANCES"]),
            act("47.71Z", 2, &["BOUTIQUE DE MODE"]),
            act("25.62B", 1, &["MECANIQUE DE PRECISION"]),
            act("81.21Z", 1, &["NETTOYAGE INDUSTRIEL"]),
        ],
        qualifiers: Some(FIRM),
        flag: Flag::Other,
        spread: Spread::Population,
        employers: [3000, 2500, 1500, 1000, 400, 80, 20, 0, 0, 0, 0, 0],
        non_employers: 2000,
        multi: Some(multi(0.03, 2, 4, 0.0, "ETABLISSEMENT")),
        life: SARL,
        protected: 0.0,
    },
    Profile {
        id: "sas",
        categories: &[("5710", 1)],
        activities: &[
            act("10.13A", 1, &["CHARCUTERIE INDUSTRIELLE"]),
            act("10.85Z", 1, &["PLATS CUISINES"]),
            act("22.22Z", 1, &["EMBALLAGES PLASTIQUES"]),
            act("25.11Z", 1, &["CONSTRUCTION METALLIQUE"]),
            act("29.32Z", 1, &["EQUIPEMENTS AUTOMOBILES"]),
            act("23.61Z", 1, &["PREFABRIQUES BETON"]),
            act("46.90Z", 2, &["COMMERCE DE GROS"]),
            act("47.11D", 2, &["SUPERMARCHE"]),
            act("47.11F", 1, &["HYPERMARCHE"]),
            act("49.41A", 2, &["TRANSPORTS ROUTIERS"]),
            act("52.10B", 2, &["ENTREPOT LOGISTIQUE"]),
            act("62.01Z", 2, &["SERVICES NUMERIQUES"]),
            act("70.22Z", 2, &["CONSEIL"]),
            act("78.20Z", 1, &["TRAVAIL TEMPORAIRE"]),
            act("80.10Z", 1, &["SECURITE PRIVEE"]),
            act("81.21Z", 1, &["PROPRETE"]),
            act("86.10Z", 1, &["CLINIQUE PRIVEE"]),
            act("87.10A", 1, &["RESIDENCE SENIORS"]),
            act("88.10A", 1, &["SERVICES A LA PERSONNE"]),
            act("56.10C", 2, &["RESTAURATION RAPIDE"]),
            act("45.11Z", 1, &["CONCESSION AUTOMOBILE"]),
            act("43.21A", 2, &["ELECTRICITE INDUSTRIELLE"]),
            act("41.20A", 2, &["BATIMENT"]),
        ],
        qualifiers: Some(FIRM),
        flag: Flag::Other,
        spread: Spread::Population,
        employers: [2300, 1600, 1200, 1400, 1000, 330, 160, 20, 40, 12, 4, 0],
        non_employers: 2500,
        multi: Some(multi(0.04, 2, 12, 0.4, "SITE")),
        life: SAS,
        protected: 0.0,
    },
    Profile {
        id: "sa",
        categories: &[("5599", 75), ("5699", 25)],
        activities: &[
            act("64.19Z", 3, &["BANQUE"]),
            act("65.12Z", 2, &["COMPAGNIE D ASSURANCE"]),
            act("47.11F", 2, &["HYPERMARCHE"]),
            act("35.14Z", 1, &["ENERGIE"]),
            act("24.10Z", 1, &["ACIERIE"]),
            act("29.10Z", 1, &["CONSTRUCTION AUTOMOBILE"]),
            act("20.14Z", 1, &["CHIMIE"]),
            act("17.12Z", 1, &["PAPETERIE"]),
            act("10.81Z", 1, &["SUCRERIE"]),
            act("61.10Z", 1, &["TELECOMMUNICATIONS"]),
            act("42.11Z", 1, &["TRAVAUX ROUTIERS"]),
        ],
        qualifiers: Some(FIRM),
        flag: Flag::Other,
        spread: Spread::Urban,
        employers: [0, 60, 120, 180, 170, 95, 60, 10, 20, 5, 0, 0],
        non_employers: 0,
        multi: Some(multi(0.3, 3, 15, 0.7, "ETABLISSEMENT")),
        life: OLD_COMPANY,
        protected: 0.0,
    },
    Profile {
        id: "sa_hlm",
        categories: &[("5546", 1)],
        activities: &[act("68.20A", 1, &["SOCIETE ANONYME D HLM"])],
        qualifiers: Some(TERRITORY),
        flag: Flag::Other,
        spread: Spread::Urban,
        employers: [0, 0, 0, 4, 4, 2, 0, 0, 0, 0, 0, 0],
        non_employers: 0,
        multi: Some(multi(0.8, 3, 8, 0.3, "AGENCE")),
        life: OLD_COMPANY,
        protected: 0.0,
    },
    Profile {
        id: "professions_liberales",
        categories: &[("5485", 50), ("5785", 25), ("6571", 10), ("6585", 15)],
        activities: &[
            act("47.73Z", 3, &["PHARMACIE"]),
            act("86.21Z", 2, &["CABINET MEDICAL"]),
            act("86.23Z", 2, &["CABINET DENTAIRE"]),
            act("69.10Z", 1, &["CABINET D AVOCATS"]),
            act("69.20Z", 1, &["EXPERTISE COMPTABLE"]),
            act("75.00Z", 1, &["CLINIQUE VETERINAIRE"]),
            act("71.11Z", 1, &["ARCHITECTES"]),
            act("86.90B", 1, &["LABORATOIRE D ANALYSES"]),
        ],
        qualifiers: Some(FIRM),
        flag: Flag::Other,
        spread: Spread::Population,
        employers: [500, 550, 250, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 800,
        multi: None,
        life: PROFESSION,
        protected: 0.0,
    },
    Profile {
        id: "exploitations_agricoles",
        categories: &[("6598", 50), ("6533", 30), ("6597", 20)],
        activities: &[
            act("01.11Z", 4, &["EXPLOITATION AGRICOLE", "FERME"]),
            act("01.13Z", 1, &["MARAICHAGE"]),
            act("01.41Z", 2, &["ELEVAGE LAITIER"]),
            act("01.50Z", 2, &["POLYCULTURE ELEVAGE"]),
        ],
        qualifiers: Some(FIRM),
        flag: Flag::Other,
        spread: Spread::Rural,
        employers: [600, 150, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 1800,
        multi: None,
        life: FARM,
        protected: 0.0,
    },
    Profile {
        id: "sci",
        categories: &[("6540", 1)],
        activities: &[act("68.20B", 1, &["SCI"])],
        qualifiers: Some(FIRM),
        flag: Flag::Other,
        spread: Spread::Population,
        employers: [0; 12],
        non_employers: 1800,
        multi: None,
        life: QUIET,
        protected: 0.0,
    },
    Profile {
        id: "coproprietes",
        categories: &[("9110", 1)],
        activities: &[act(
            "81.10Z",
            1,
            &["SYNDICAT DES COPROPRIETAIRES DE LA RESIDENCE"],
        )],
        qualifiers: Some(MOTTO),
        flag: Flag::Other,
        spread: Spread::Urban,
        employers: [0; 12],
        non_employers: 400,
        multi: None,
        life: QUIET,
        protected: 0.0,
    },
    Profile {
        id: "comites_sociaux",
        categories: &[("8310", 1)],
        activities: &[act("94.99Z", 1, &["COMITE SOCIAL ET ECONOMIQUE"])],
        qualifiers: Some(FIRM),
        flag: Flag::Other,
        spread: Spread::Urban,
        employers: [120, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 200,
        multi: None,
        life: QUIET,
        protected: 0.0,
    },
    Profile {
        id: "syndicats",
        categories: &[("8410", 1)],
        activities: &[act(
            "94.20Z",
            1,
            &["UNION LOCALE DES SYNDICATS", "SYNDICAT DES SALARIES"],
        )],
        qualifiers: Some(TERRITORY),
        flag: Flag::Other,
        spread: Spread::Urban,
        employers: [30, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 150,
        multi: None,
        life: QUIET,
        protected: 0.0,
    },
    Profile {
        // Associations by legal form, out of the perimeter by activity (BRIEF §4.1).
        id: "associations_hors_champ",
        categories: &[("9220", 1)],
        activities: &[
            act(
                "94.91Z",
                4,
                &["ASSOCIATION CULTUELLE", "ASSOCIATION PAROISSIALE"],
            ),
            act("94.92Z", 1, &["SECTION LOCALE DU PARTI"]),
            act("94.20Z", 1, &["SYNDICAT AGRICOLE"]),
            act("94.11Z", 1, &["UNION PATRONALE"]),
        ],
        qualifiers: Some(COMMUNE),
        flag: Flag::Family,
        spread: Spread::Local,
        employers: [20, 8, 3, 2, 0, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 500,
        multi: None,
        life: QUIET,
        protected: 0.0,
    },
    Profile {
        id: "gie",
        categories: &[("6220", 1)],
        activities: &[
            act("82.99Z", 1, &["GIE DE MOYENS"]),
            act("70.10Z", 1, &["GIE DE GESTION"]),
        ],
        qualifiers: Some(FIRM),
        flag: Flag::Other,
        spread: Spread::Urban,
        employers: [5, 5, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 10,
        multi: None,
        life: QUIET,
        protected: 0.0,
    },
    Profile {
        id: "institutions_prevoyance",
        categories: &[("8510", 1)],
        activities: &[act("65.11Z", 1, &["INSTITUTION DE PREVOYANCE"])],
        qualifiers: Some(TERRITORY),
        flag: Flag::Other,
        spread: Spread::Urban,
        employers: [0, 0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0],
        non_employers: 0,
        multi: Some(multi(0.5, 2, 2, 0.9, "AGENCE")),
        life: OLD_COMPANY,
        protected: 0.0,
    },
];
