//! Indicators of the ESS per zone, and the secret statistique every public figure
//! goes through.
//!
//! [`cube`] aggregates an edition's registry into every zone × category and decides
//! the masked cells once ([`secret`]); [`catalogue`] says what each indicator is;
//! [`value`] computes one indicator of one zone from a cube, masked unless the
//! audience may see restricted figures. API, map, tables and exports all read figures
//! through [`value`], so the same figure is the same everywhere. Pure: no I/O.

pub mod audit;
pub mod cache;
pub mod catalogue;
pub mod cube;
pub mod labels;
pub mod reader;
pub mod secret;

#[cfg(test)]
mod proptests;

use serde::Serialize;

use crate::ess::category::Category;
use crate::geography::Level;
use crate::records::cells::CellStats;
use catalogue::{Formula, Indicator};
use cube::Cube;

/// Notes every figure answer carries.
pub const NOTES: [&str; 5] = [
    "Effectifs estimés à partir des tranches d'effectif SIRENE (milieu de tranche) : ce sont des ordres de grandeur.",
    "Secret statistique : une valeur est masquée (« s ») quand elle concerne moins de 3 établissements ou qu'un établissement y porte plus de 85 % des emplois, ainsi que les valeurs qui permettraient de la recalculer ou de l'approcher à moins de 10 %. Les établissements non diffusibles (qui ont demandé à ne pas figurer dans les fichiers publics de l'Insee) ne sont comptés que dans les chiffres du département : ceux des communes, EPCI et territoires portent sur les établissements diffusibles, et leur somme peut être un peu inférieure au chiffre départemental.",
    "Les sociétés commerciales de l'ESS sont présentées à part et exclues des totaux comparables aux chiffres Insee/CRESS.",
    "Toutes les éditions sont présentées sur la géographie actuelle (communes 2026, EPCI 2026, territoires du Département) pour être comparables.",
    "Subventions du Département : données publiques (publiées au format SCDL), non soumises au secret statistique ; un ratio rapporté à l'emploi de l'ESS est masqué quand l'emploi l'est.",
];

/// Who reads the figures. The public always gets masked figures; staff roles that
/// may see unmasked values (with the portraits issue) get `Restricted`, and every
/// such value is marked as restricted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Restricted,
}

/// Where a figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Computed from the SIRENE registry (jobs estimated from size bands).
    Sirene,
    /// The regional observatory's aggregates, imported for the edition.
    Observatoire,
    /// The Département's subsidies file (SCDL), matched to the registry.
    Subventions,
}

/// One published figure, under the secret statistique: the public never sees a
/// secret value (`value` is `null`, `secret` is `true`); staff see it, marked
/// `restricted: true` (absent otherwise). `source` says where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"value": 12.4, "secret": false, "source": "sirene"}))]
pub struct Figure {
    /// `None` when secret (public) or not computable (division by zero).
    pub value: Option<f64>,
    pub secret: bool,
    /// An unmasked secret value shown to an authorised audience.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub restricted: bool,
    pub source: Source,
}

impl Figure {
    fn secret(source: Source) -> Figure {
        Figure {
            value: None,
            secret: true,
            restricted: false,
            source,
        }
    }
}

/// The masks an output applies: the edition's own, or an evolution's.
#[derive(Debug, Clone, Copy)]
pub struct Masks<'a> {
    pub ess: &'a [bool],
    pub economy: &'a [bool],
}

impl<'a> Masks<'a> {
    #[must_use]
    pub fn of(cube: &'a Cube) -> Self {
        Self {
            ess: &cube.ess_masked,
            economy: &cube.economy_masked,
        }
    }
}

fn round(v: f64, decimals: u8) -> f64 {
    let f = 10f64.powi(i32::from(decimals));
    (v * f).round() / f
}

/// The observatory's value of `indicator` for `zone` × `category`, when the edition's
/// observatory data cover it: `(value, secret)`.
fn from_observatory(
    formula: Formula,
    cube: &Cube,
    zone: usize,
    category: Category,
    population: u64,
) -> Option<(Option<f64>, bool)> {
    let obs = &cube.observatory;
    let cell = obs.ess.get(&cube.cell(zone, category));
    let per = |v: f64, n: f64| (population > 0).then(|| v / population as f64 * n);
    match formula {
        // The observatory counts employers only: all establishments come from SIRENE.
        // Subsidy figures are computed in `from_subsidies`, from the jobs figure.
        Formula::Establishments
        | Formula::EstablishmentsPer10000Inhabitants
        | Formula::Subsidies
        | Formula::SubsidiesPerJob
        | Formula::SubsidiesPerInhabitant
        | Formula::ShareOfDepartmentSubsidies
        | Formula::ShareOfDepartmentJobs
        | Formula::SubsidiesToJobsIndex => None,
        Formula::Employers => cell.map(|c| (c.establishments.map(|v| v as f64), c.masked)),
        Formula::Jobs => cell.map(|c| (c.jobs, c.masked)),
        Formula::JobsPer1000Inhabitants => {
            cell.map(|c| (c.jobs.and_then(|j| per(j, 1_000.0)), c.masked))
        }
        Formula::ShareOfSalariedJobs => {
            let (c, all) = (cell?, obs.economy.get(&zone)?);
            let ratio = c
                .jobs
                .zip(all.jobs)
                .and_then(|(j, a)| (a > 0.0).then(|| j / a * 100.0));
            Some((ratio, c.masked || all.masked))
        }
        Formula::ShareOfEssJobs => {
            let (c, all) = (cell?, obs.ess.get(&cube.cell(zone, Category::Total))?);
            let ratio = c
                .jobs
                .zip(all.jobs)
                .and_then(|(j, a)| (a > 0.0).then(|| j / a * 100.0));
            Some((ratio, c.masked || all.masked))
        }
    }
}

/// The figures built on the Département's subsidies, and the zone's share of the
/// département's ESS jobs they are compared with.
///
/// Secret statistique: subsidy amounts are public data (the Département publishes
/// every subsidy with its beneficiary, by law), so amounts, amounts per inhabitant and
/// shares of the département's subsidies are never masked. A ratio that uses ESS jobs
/// takes the jobs figure's secret: published beside the public amount, it would give
/// the masked jobs back.
fn from_subsidies(
    formula: Formula,
    cube: &Cube,
    masks: Masks<'_>,
    zone: usize,
    category: Category,
    population: u64,
    audience: Audience,
) -> Option<(Option<f64>, bool, Source)> {
    let dept = cube.space.index(Level::Department, 0);
    let sums = match audience {
        Audience::Public => &cube.subsidies_published,
        Audience::Restricted => &cube.subsidies,
    };
    let subsidies = |z: usize| {
        cube.has_subsidies
            .then(|| sums.get(cube.cell(z, category)).copied())
            .flatten()
    };
    let jobs = |z: usize| {
        raw_formula(
            Formula::Jobs,
            cube,
            masks,
            z,
            category,
            population,
            audience,
        )
    };
    let ratio =
        |a: Option<f64>, b: Option<f64>| a.zip(b).and_then(|(a, b)| (b > 0.0).then(|| a / b));
    let public = Source::Subventions;
    Some(match formula {
        Formula::Subsidies => (subsidies(zone), false, public),
        Formula::SubsidiesPerInhabitant => (
            ratio(
                subsidies(zone),
                (population > 0).then_some(population as f64),
            ),
            false,
            public,
        ),
        Formula::ShareOfDepartmentSubsidies => (
            ratio(subsidies(zone), subsidies(dept)).map(|r| r * 100.0),
            false,
            public,
        ),
        Formula::SubsidiesPerJob => {
            let (j, secret, source) = jobs(zone);
            (ratio(subsidies(zone), j), secret, source)
        }
        Formula::ShareOfDepartmentJobs => {
            let ((j, s1, source), (d, s2, _)) = (jobs(zone), jobs(dept));
            (ratio(j, d).map(|r| r * 100.0), s1 || s2, source)
        }
        Formula::SubsidiesToJobsIndex => {
            let ((j, s1, source), (d, s2, _)) = (jobs(zone), jobs(dept));
            let share_of_subsidies = ratio(subsidies(zone), subsidies(dept));
            (
                ratio(share_of_subsidies, ratio(j, d)).map(|r| r * 100.0),
                s1 || s2,
                source,
            )
        }
        _ => return None,
    })
}

/// Unrounded value of `indicator` for `zone` × `category`, whether it is secret, and
/// its source: the observatory's where it covers the figure, else the registry's.
fn raw(
    indicator: &Indicator,
    cube: &Cube,
    masks: Masks<'_>,
    zone: usize,
    category: Category,
    population: u64,
    audience: Audience,
) -> (Option<f64>, bool, Source) {
    raw_formula(
        indicator.formula,
        cube,
        masks,
        zone,
        category,
        population,
        audience,
    )
}

/// The registry's figures an audience reads: the published ones (protected
/// establishments only where [`cube::counts_protected`]) or staff's exact ones.
fn stats_for(cube: &Cube, audience: Audience) -> &[CellStats] {
    match audience {
        Audience::Public => &cube.ess_published,
        Audience::Restricted => &cube.ess,
    }
}

fn raw_formula(
    formula: Formula,
    cube: &Cube,
    masks: Masks<'_>,
    zone: usize,
    category: Category,
    population: u64,
    audience: Audience,
) -> (Option<f64>, bool, Source) {
    if let Some(figure) = from_subsidies(formula, cube, masks, zone, category, population, audience)
    {
        return figure;
    }
    let stats = stats_for(cube, audience);
    if let Some((v, secret)) = from_observatory(formula, cube, zone, category, population) {
        return (v, secret, Source::Observatoire);
    }
    let cell = cube.cell(zone, category);
    let s = &stats[cell];
    let mut secret = masks.ess[cell];
    let per = |v: f64, n: f64| (population > 0).then(|| v / population as f64 * n);
    let value = match formula {
        Formula::Establishments => Some(s.establishments as f64),
        Formula::Employers => Some(s.employers as f64),
        Formula::Jobs => Some(s.jobs),
        Formula::JobsPer1000Inhabitants => per(s.jobs, 1_000.0),
        Formula::EstablishmentsPer10000Inhabitants => per(s.establishments as f64, 10_000.0),
        Formula::ShareOfSalariedJobs => {
            secret |= masks.economy[zone];
            let all = match audience {
                Audience::Public => cube.economy_published[zone].jobs,
                Audience::Restricted => cube.economy[zone].jobs,
            };
            (all > 0.0).then(|| s.jobs / all * 100.0)
        }
        Formula::ShareOfEssJobs => {
            let total = cube.cell(zone, Category::Total);
            secret |= masks.ess[total];
            let all = stats[total].jobs;
            (all > 0.0).then(|| s.jobs / all * 100.0)
        }
        // Answered by `from_subsidies`.
        Formula::Subsidies
        | Formula::SubsidiesPerJob
        | Formula::SubsidiesPerInhabitant
        | Formula::ShareOfDepartmentSubsidies
        | Formula::ShareOfDepartmentJobs
        | Formula::SubsidiesToJobsIndex => None,
    };
    (value, secret, Source::Sirene)
}

/// The figure of `indicator` for one zone (index in the cube's zone space).
#[must_use]
pub fn value(
    indicator: &Indicator,
    cube: &Cube,
    masks: Masks<'_>,
    zone: usize,
    category: Category,
    population: u64,
    audience: Audience,
) -> Figure {
    let (v, secret, source) = raw(indicator, cube, masks, zone, category, population, audience);
    match (secret, audience) {
        (true, Audience::Public) => Figure::secret(source),
        (secret, _) => {
            let value = v.map(|x| round(x, indicator.decimals));
            // Staff's exact figure differs from the public one where protected
            // establishments are not counted publicly: restricted too.
            let differs = audience == Audience::Restricted
                && !secret
                && value
                    != raw(
                        indicator,
                        cube,
                        masks,
                        zone,
                        category,
                        population,
                        Audience::Public,
                    )
                    .0
                    .map(|x| round(x, indicator.decimals));
            Figure {
                value,
                secret,
                restricted: secret || differs,
                source,
            }
        }
    }
}

/// Evolution of `indicator` between two cubes: absolute difference and percentage.
/// `masks` must be the evolution masks ([`cube::evolution_masks`]).
#[must_use]
#[expect(
    clippy::too_many_arguments,
    reason = "the same coordinates as `value`, plus the second cube"
)]
pub fn evolution(
    indicator: &Indicator,
    from: &Cube,
    to: &Cube,
    masks: Masks<'_>,
    zone: usize,
    category: Category,
    population: u64,
    audience: Audience,
) -> (Figure, Figure) {
    let (a, secret_a, source_a) = raw(indicator, from, masks, zone, category, population, audience);
    let (b, secret_b, source) = raw(indicator, to, masks, zone, category, population, audience);
    // A cell masked in the evolution pattern is secret in both terms; for the
    // observatory's figures, a cell masked in either edition is.
    let secret = secret_b || (source_a == Source::Observatoire && secret_a);
    // Figures from different sources are not compared.
    let (diff, pct) = match (a, b) {
        (Some(a), Some(b)) if source_a == source => {
            (Some(b - a), (a != 0.0).then(|| (b - a) / a * 100.0))
        }
        _ => (None, None),
    };
    let figure = |v: Option<f64>, decimals: u8| match (secret, audience) {
        (true, Audience::Public) => Figure::secret(source),
        (secret, _) => Figure {
            value: v.map(|x| round(x, decimals)),
            secret,
            restricted: secret,
            source,
        },
    };
    (figure(diff, indicator.decimals.max(1)), figure(pct, 1))
}
