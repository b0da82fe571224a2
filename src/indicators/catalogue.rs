//! The indicator catalogue: one place that the API, the map, the panels, the tables
//! and the exports read for labels, units, definitions, sources and methods.

use serde::Serialize;

/// How a value is obtained from a cube cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Formula {
    Establishments,
    Employers,
    Jobs,
    JobsPer1000Inhabitants,
    EstablishmentsPer10000Inhabitants,
    /// Jobs of the category / all salaried jobs of the zone (same source).
    ShareOfSalariedJobs,
    /// Jobs of the category / ESS jobs of the zone (needs a category).
    ShareOfEssJobs,
    /// The Département's subsidies to the category's ESS establishments, euros.
    Subsidies,
    /// Subsidies / ESS jobs (takes the jobs figure's secret).
    SubsidiesPerJob,
    /// Subsidies / population.
    SubsidiesPerInhabitant,
    /// Subsidies of the zone / subsidies of the département (same category).
    ShareOfDepartmentSubsidies,
    /// ESS jobs of the zone / ESS jobs of the département (same category).
    ShareOfDepartmentJobs,
    /// Share of the département's subsidies / share of its ESS jobs × 100.
    SubsidiesToJobsIndex,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Indicator {
    pub id: &'static str,
    pub label: &'static str,
    /// Group of the indicator in pickers: « Emploi », « Établissements » or
    /// « Subventions du Département ».
    pub group: &'static str,
    /// French unit as shown beside a value (`%`, `établissements`, …).
    pub unit: &'static str,
    pub definition: &'static str,
    pub source: &'static str,
    pub method: &'static str,
    /// Derived from SIRENE size bands: shown as « effectif estimé ».
    pub estimate: bool,
    /// Sums over sub-zones give the zone's value: a stock (a count of establishments
    /// or jobs, euros), which the web map draws as proportional circles by default;
    /// the others are ratios, drawn as choropleths (issue 19, item 6).
    pub additive: bool,
    /// Requires a category filter (family, sector or size class).
    pub needs_category: bool,
    /// Decimals of published values. Estimated jobs are multiples of 0.5 (band
    /// midpoints), so one decimal keeps them exact and additive across zones.
    pub decimals: u8,
    #[serde(skip)]
    pub formula: Formula,
}

const SIRENE_SOURCE: &str = "Insee, répertoire SIRENE (stock des établissements et unités légales) ; \
    périmètre ESS selon la catégorie juridique et l'activité (règle versionnée de l'édition)";
const JOBS_METHOD: &str = "Effectif estimé : chaque établissement compte le milieu de sa tranche d'effectif \
    SIRENE (1 ou 2 salariés → 1,5 ; 20 à 49 → 34,5 ; 10 000 et plus → 10 000) ; sans salarié → 0. \
    Les données de l'observatoire régional, quand elles sont importées, les remplacent.";
const SCOPE: &str = "Établissements actifs à la date de référence de l'édition, des associations, coopératives, \
    mutuelles et fondations ; les sociétés commerciales de l'ESS sont comptées à part (hors totaux \
    comparables aux chiffres Insee/CRESS).";

const SUBSIDY_SOURCE: &str = "Département du Pas-de-Calais, subventions attribuées (données ouvertes au format \
    SCDL), rapprochées du répertoire SIRENE par SIRET, SIREN ou numéro RNA";
const SUBSIDY_METHOD: &str = "Montant × pourcentageSubvention de chaque ligne du fichier, attribué à \
    l'établissement rapproché : par SIRET ; sinon par SIREN, au siège s'il est dans le département, sinon \
    au plus grand établissement du bénéficiaire dans le département ; sinon par numéro RNA. Les \
    bénéficiaires non rapprochés ou hors ESS sont listés pour le service, et non comptés. Les montants \
    sont des données publiques : ils ne sont pas soumis au secret statistique ; un ratio qui utilise \
    l'emploi est masqué quand l'emploi l'est.";
const SUBSIDY_GROUP: &str = "Subventions du Département";

pub static CATALOGUE: [Indicator; 13] = [
    Indicator {
        id: "ess_establishments",
        label: "Établissements de l'ESS",
        group: "Établissements",
        unit: "établissements",
        definition: SCOPE,
        source: SIRENE_SOURCE,
        method: "Dénombrement des établissements (SIRET).",
        estimate: false,
        additive: true,
        needs_category: false,
        decimals: 0,
        formula: Formula::Establishments,
    },
    Indicator {
        id: "ess_employers",
        label: "Établissements employeurs de l'ESS",
        group: "Établissements",
        unit: "établissements",
        definition: "Établissements de l'ESS dont la tranche d'effectif est d'au moins 1 salarié.",
        source: SIRENE_SOURCE,
        method: "Tranche d'effectif SIRENE « 01 » ou plus.",
        estimate: false,
        additive: true,
        needs_category: false,
        decimals: 0,
        formula: Formula::Employers,
    },
    Indicator {
        id: "ess_jobs",
        label: "Effectif salarié estimé de l'ESS",
        group: "Emploi",
        unit: "emplois estimés",
        definition: "Salariés des établissements de l'ESS de la zone.",
        source: SIRENE_SOURCE,
        method: JOBS_METHOD,
        estimate: true,
        additive: true,
        needs_category: false,
        decimals: 1,
        formula: Formula::Jobs,
    },
    Indicator {
        id: "ess_jobs_per_1000",
        label: "Emplois de l'ESS pour 1 000 habitants",
        group: "Emploi",
        unit: "pour 1 000 hab.",
        definition: "Effectif salarié estimé de l'ESS rapporté à la population municipale.",
        source: "Effectif : Insee, SIRENE (estimation) ; population : Insee, populations légales 2023",
        method: JOBS_METHOD,
        estimate: true,
        additive: false,
        needs_category: false,
        decimals: 1,
        formula: Formula::JobsPer1000Inhabitants,
    },
    Indicator {
        id: "ess_establishments_per_10000",
        label: "Établissements de l'ESS pour 10 000 habitants",
        group: "Établissements",
        unit: "pour 10 000 hab.",
        definition: "Établissements de l'ESS rapportés à la population municipale.",
        source: "Établissements : Insee, SIRENE ; population : Insee, populations légales 2023",
        method: "Dénombrement des établissements (SIRET).",
        estimate: false,
        additive: false,
        needs_category: false,
        decimals: 1,
        formula: Formula::EstablishmentsPer10000Inhabitants,
    },
    Indicator {
        id: "ess_share_jobs",
        label: "Part de l'ESS dans l'emploi salarié",
        group: "Emploi",
        unit: "%",
        definition: "Effectif salarié de l'ESS / effectif salarié de tous les établissements de la zone.",
        source: "Numérateur et dénominateur : Insee, SIRENE, tous les établissements actifs de la zone, estimés de la même façon",
        method: JOBS_METHOD,
        estimate: true,
        additive: false,
        needs_category: false,
        decimals: 1,
        formula: Formula::ShareOfSalariedJobs,
    },
    Indicator {
        id: "share_of_ess_jobs",
        label: "Part dans les emplois de l'ESS",
        group: "Emploi",
        unit: "%",
        definition: "Effectif salarié de la famille, du secteur ou de la taille choisis / effectif salarié de l'ESS de la zone.",
        source: SIRENE_SOURCE,
        method: JOBS_METHOD,
        estimate: true,
        additive: false,
        needs_category: true,
        decimals: 1,
        formula: Formula::ShareOfEssJobs,
    },
    Indicator {
        id: "ess_subsidies",
        label: "Subventions du Département aux organisations de l'ESS",
        group: SUBSIDY_GROUP,
        unit: "€",
        definition: "Subventions attribuées par le Département aux établissements de l'ESS de la zone \
            (4 familles ; celles des sociétés commerciales de l'ESS sont dans leur famille seulement).",
        source: SUBSIDY_SOURCE,
        method: SUBSIDY_METHOD,
        estimate: false,
        additive: true,
        needs_category: false,
        // To the cent, so that zones add up exactly to the file's total.
        decimals: 2,
        formula: Formula::Subsidies,
    },
    Indicator {
        id: "ess_subsidies_per_job",
        label: "Subventions du Département par emploi de l'ESS",
        group: SUBSIDY_GROUP,
        unit: "€ par emploi",
        definition: "Subventions du Département aux établissements de l'ESS / effectif salarié de l'ESS de la zone.",
        source: SUBSIDY_SOURCE,
        method: SUBSIDY_METHOD,
        estimate: true,
        additive: false,
        needs_category: false,
        decimals: 0,
        formula: Formula::SubsidiesPerJob,
    },
    Indicator {
        id: "ess_subsidies_per_inhabitant",
        label: "Subventions du Département à l'ESS par habitant",
        group: SUBSIDY_GROUP,
        unit: "€ par hab.",
        definition: "Subventions du Département aux établissements de l'ESS / population municipale.",
        source: SUBSIDY_SOURCE,
        method: SUBSIDY_METHOD,
        estimate: false,
        additive: false,
        needs_category: false,
        decimals: 2,
        formula: Formula::SubsidiesPerInhabitant,
    },
    Indicator {
        id: "share_of_department_ess_subsidies",
        label: "Part des subventions du Département à l'ESS",
        group: SUBSIDY_GROUP,
        unit: "%",
        definition: "Subventions du Département à l'ESS de la zone / subventions du Département à l'ESS du département.",
        source: SUBSIDY_SOURCE,
        method: SUBSIDY_METHOD,
        estimate: false,
        additive: false,
        needs_category: false,
        decimals: 1,
        formula: Formula::ShareOfDepartmentSubsidies,
    },
    Indicator {
        id: "share_of_department_ess_jobs",
        label: "Part des emplois de l'ESS du département",
        group: SUBSIDY_GROUP,
        unit: "%",
        definition: "Effectif salarié de l'ESS de la zone / effectif salarié de l'ESS du département : le poids \
            de la zone, à comparer à sa part des subventions.",
        source: SIRENE_SOURCE,
        method: JOBS_METHOD,
        estimate: true,
        additive: false,
        needs_category: false,
        decimals: 1,
        formula: Formula::ShareOfDepartmentJobs,
    },
    Indicator {
        id: "subsidies_to_jobs_index",
        label: "Subventions rapportées au poids dans l'emploi de l'ESS (indice)",
        group: SUBSIDY_GROUP,
        unit: "indice (100 = à son poids)",
        definition: "Part de la zone dans les subventions du Département à l'ESS / sa part dans les emplois \
            de l'ESS du département × 100 : au-dessus de 100, la zone reçoit plus que son poids.",
        source: SUBSIDY_SOURCE,
        method: SUBSIDY_METHOD,
        estimate: true,
        additive: false,
        needs_category: false,
        decimals: 0,
        formula: Formula::SubsidiesToJobsIndex,
    },
];

/// The indicator with this id.
#[must_use]
pub fn find(id: &str) -> Option<&'static Indicator> {
    CATALOGUE.iter().find(|i| i.id == id)
}

#[cfg(test)]
mod tests {
    use super::CATALOGUE;

    /// The web map draws the additive indicators as proportional circles (web/js/circles.js):
    /// they must be the counts, never a share, a rate or an index.
    #[test]
    fn the_additive_indicators_are_the_counts() {
        let additive: Vec<&str> = CATALOGUE
            .iter()
            .filter(|i| i.additive)
            .map(|i| i.id)
            .collect();
        assert_eq!(
            additive,
            [
                "ess_establishments",
                "ess_employers",
                "ess_jobs",
                "ess_subsidies"
            ]
        );
        for i in CATALOGUE.iter().filter(|i| i.additive) {
            assert!(
                !i.unit.contains('%') && !i.unit.contains("pour ") && !i.unit.contains(" par "),
                "{} is additive but its unit {:?} is a ratio's",
                i.id,
                i.unit
            );
        }
    }
}
