//! The secret statistique audit of an edition: plays the determined reader on
//! everything the public gets, and says which cell it narrows too much and why.
//!
//! **Attacker model.** The reader has every public output of the edition (indicators
//! of every zone of every level, under every one-breakdown filter; profiles,
//! evolutions, fiches in every format, tile aggregates), the public organisations
//! list (every diffusible establishment with its commune, family, NAF code and size
//! band: SIRENE open data), the rules (this module, the README) and the jobs
//! estimator. He solves linear programs with non-negativity, integrality of counts and
//! the list as lower bounds ([`super::reader`]).
//!
//! **What is public, what is protected.** A diffusible establishment's band is open
//! data, so a figure the list gives in full carries no secret, whatever its size. What
//! must not leak: (a) protected establishments (BRIEF rule 5) — their existence in a
//! zone, their family, sector and size; (b) figures that carry non-public
//! information: the observatory's exact figures, and any cell that depends on
//! protected establishments. Hence the design ([`super::cube::counts_protected`]):
//! public figures count protected establishments only at the département; below it
//! they are the list's own. At the département, each cell's protected part (published
//! minus listed) is the reader's unknown: a cell where it counts 1 or 2
//! establishments or employers, or where one protected establishment holds more than
//! 85 % of the protected jobs, is **sensitive**, and must keep a protection interval
//! ([`super::reader::P_PERCENT`] % of its jobs, ±1 for counts).
//!
//! **What the audit checks**, on the figures [`super::value`] publishes (the function
//! every output reads):
//! 1. below the département, every published establishments, employers and jobs
//!    figure equals the public list's (published minus listed is 0: nothing of a
//!    protected establishment);
//! 2. at the département, every sensitive cell is protected against the reader;
//! 3. the observatory's figures (ESS and whole economy): every cell the observatory or
//!    the primary rule masks is protected against the reader of the observatory's
//!    published figures (which share no relation with the registry's: the sources do
//!    not add up);
//! 4. every derived figure (per inhabitant, shares, subsidies per job) is published
//!    only where the figures it is computed from are (else it would give them back);
//! 5. the whole economy (the denominator of the ESS's share of salaried jobs, which
//!    the share gives back): below the département it is the public establishments'
//!    own (SIRENE open data lists them all, ESS or not); at the département, its
//!    protected part is published only where it is not sensitive.
//!
//! Evolutions publish a difference only where both editions publish the cell
//! ([`super::cube::evolution_masks`]); tile aggregates and the organisations list hold
//! only diffusible establishments; subsidies to protected establishments are placed
//! like them. None of them adds a relation to the ones above.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::catalogue::{CATALOGUE, Formula, find};
use super::cube::{Cube, ObservatoryCell, ZoneSpace, categories_of, counts_protected};
use super::labels::{cell_label, zone_label};
use super::reader::{self, Cell, Interval, Link, Measure, Relation, Table, Value};
use super::secret::{Equation, MAX_DOMINANCE, MIN_ESTABLISHMENTS};
use super::{Audience, Masks, Source, value};
use crate::ess::category::{CATEGORIES, Category};
use crate::ess::size::{SizeClass, estimated_jobs};
use crate::geography::{Geography, Level};
use crate::records::cells::{CellStats, EconomyRow, RegistryCell};

/// Whether the protected part `q` of a cell must be protected: 1 or 2 protected
/// establishments or employers, or one protected establishment holding more than
/// 85 % of the protected jobs.
#[must_use]
pub fn sensitive_protected(q: &CellStats) -> bool {
    (1..MIN_ESTABLISHMENTS).contains(&q.establishments)
        || (1..MIN_ESTABLISHMENTS).contains(&q.employers)
        || (q.jobs > 0.0 && q.max_jobs > MAX_DOMINANCE * q.jobs)
}

/// Smallest and largest estimated jobs of one establishment of an employing class.
fn class_bounds(class: SizeClass) -> (f64, f64) {
    const BANDS: [&str; 14] = [
        "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53",
    ];
    let jobs: Vec<f64> = BANDS
        .iter()
        .filter(|b| SizeClass::of_band(Some(b)) == class)
        .map(|b| estimated_jobs(b))
        .collect();
    let lo = jobs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = jobs.iter().copied().fold(0.0, f64::max);
    if lo.is_finite() {
        (lo, hi)
    } else {
        (reader::MIN_JOBS_PER_EMPLOYER, reader::MAX_JOBS_PER_EMPLOYER)
    }
}

/// What the estimator says of a cell of `category`.
fn link_of(category: Category) -> Link {
    match category {
        Category::Size(SizeClass::NonEmployer) => Link::NonEmployer,
        Category::Size(class) => {
            let (lo, hi) = class_bounds(class);
            Link::Employing { lo, hi }
        }
        _ => Link::Any,
    }
}

/// The relations of `equations` whose every cell is in `position` (cube cell → table
/// cell), relabelled for the table.
fn relations_within(
    equations: &[Equation],
    position: &HashMap<usize, usize>,
    label: impl Fn(usize) -> String,
) -> Vec<Relation> {
    equations
        .iter()
        .filter_map(|eq| {
            let total = *position.get(&eq.total)?;
            let parts = eq
                .parts
                .iter()
                .map(|p| position.get(p).copied())
                .collect::<Option<Vec<_>>>()?;
            let names: Vec<String> = eq.parts.iter().map(|&p| label(p)).collect();
            Some(Relation {
                label: format!("{} = {}", label(eq.total), names.join(" + ")),
                total,
                parts,
            })
        })
        .collect()
}

/// Check 5 of the module docs: the whole economy's published figures against its
/// rows, aggregated here again.
fn audit_economy(g: &Geography, cube: &Cube, economy: &[EconomyRow]) -> Vec<AuditFailure> {
    let space = cube.space;
    let mut public = vec![CellStats::default(); space.len()];
    let mut protected = vec![CellStats::default(); space.len()];
    for row in economy {
        let Some(c) = g.commune_position(&row.code_insee) else {
            continue;
        };
        let target = if row.protected {
            &mut protected
        } else {
            &mut public
        };
        let stats = CellStats {
            establishments: row.establishments,
            employers: row.employers,
            jobs: row.jobs,
            max_jobs: if row.establishments > 0 {
                estimated_jobs(&row.size_band)
            } else {
                0.0
            },
        };
        for z in [
            c,
            space.index(Level::Epci, g.communes[c].epci),
            space.index(Level::Territory, g.communes[c].territory),
            space.index(Level::Department, 0),
        ] {
            target[z].add(&stats);
        }
    }
    let mut failures = Vec::new();
    for z in 0..space.len() {
        if cube.economy_masked[z] {
            continue;
        }
        let published = cube.economy_published[z].jobs;
        let reason = if counts_protected(space.level_of(z)) {
            sensitive_protected(&protected[z]).then(|| {
                format!(
                    "publié {published} : la part des établissements protégés ({} établissements) est identifiable",
                    protected[z].establishments
                )
            })
        } else {
            let listed = public[z].jobs;
            ((published - listed).abs() > 0.01).then(|| {
                format!(
                    "publié {published} − établissements publics {listed} = {} : révèle des établissements protégés",
                    published - listed
                )
            })
        };
        if let Some(reason) = reason {
            failures.push(AuditFailure {
                table: "economie",
                cell: format!("{} × économie", zone_label(g, space, z)),
                measure: Some(Measure::Jobs),
                value: None,
                interval: None,
                reason,
                relations: Vec::new(),
            });
        }
    }
    failures
}

/// The reader's table of protected parts: every cell of the levels that count
/// protected establishments, with `protected` (rolled-up protected establishments,
/// indexed like the cube) as secret parts and `published` saying which measures the
/// public gets. Returns the table and each table cell's cube index.
pub(crate) fn protected_table(
    g: &Geography,
    space: ZoneSpace,
    equations: &[Equation],
    protected: &[CellStats],
    published: impl Fn(usize) -> [bool; 3],
    cost: impl Fn(usize) -> f64,
) -> (Table, Vec<usize>) {
    let cells: Vec<usize> = (0..space.len())
        .filter(|&z| counts_protected(space.level_of(z)))
        .flat_map(|z| (0..CATEGORIES).map(move |k| z * CATEGORIES + k))
        .collect();
    let position: HashMap<usize, usize> = cells.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let categories = Category::all();
    let table_cells = cells
        .iter()
        .map(|&c| {
            let q = &protected[c];
            Cell {
                label: cell_label(g, space, c),
                values: [
                    Value::Known(q.establishments as f64),
                    Value::Known(q.employers as f64),
                    Value::Known(q.jobs),
                ],
                published: published(c),
                sensitive: sensitive_protected(q),
                link: link_of(categories[c % CATEGORIES]),
                cost: cost(c),
            }
        })
        .collect();
    let relations = relations_within(equations, &position, |c| cell_label(g, space, c));
    (
        Table {
            cells: table_cells,
            relations,
        },
        cells,
    )
}

/// The reader's table of the observatory's figures (`cells`, keyed like the cube's
/// cells or zones), with `published` per key. Secret parts are the whole figures.
fn observatory_table(
    cells: &HashMap<usize, ObservatoryCell>,
    equations: &[Equation],
    label: impl Fn(usize) -> String,
    published: impl Fn(usize, &ObservatoryCell) -> bool,
) -> (Table, Vec<usize>) {
    let mut keys: Vec<usize> = cells.keys().copied().collect();
    keys.sort_unstable();
    let position: HashMap<usize, usize> = keys.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let table_cells = keys
        .iter()
        .map(|k| {
            let c = &cells[k];
            let n = c
                .establishments
                .map_or(Value::Unknown, |v| Value::Known(v as f64));
            let j = c.jobs.map_or(Value::Unknown, Value::Known);
            let p = published(*k, c);
            Cell {
                label: label(*k),
                values: [n, Value::Absent, j],
                published: [p; 3],
                sensitive: c
                    .establishments
                    .is_none_or(|n| (1..MIN_ESTABLISHMENTS).contains(&n))
                    || c.jobs.is_none(),
                link: Link::None,
                cost: c.jobs.unwrap_or(0.0),
            }
        })
        .collect();
    let relations = relations_within(equations, &position, &label);
    (
        Table {
            cells: table_cells,
            relations,
        },
        keys,
    )
}

/// Extends the observatory's masks (after the primary and secondary rules) until the
/// reader of its published figures cannot narrow a masked one too much.
pub(crate) fn protect_observatory(
    cells: &mut HashMap<usize, ObservatoryCell>,
    equations: &[Equation],
    label: impl Fn(usize) -> String,
) {
    let (mut table, keys) = observatory_table(cells, equations, label, |_, c| !c.masked);
    reader::protect(&mut table);
    for (t, k) in keys.iter().enumerate() {
        if !table.cells[t].published[0]
            && let Some(c) = cells.get_mut(k)
        {
            c.masked = true;
        }
    }
}

/// One cell the reader narrows too much, or a figure that should not be published.
#[derive(Debug, Clone, Serialize)]
pub struct AuditFailure {
    /// `registre`, `liste`, `observatoire`, `observatoire_economie` or `derive`.
    pub table: &'static str,
    pub cell: String,
    pub measure: Option<Measure>,
    /// The secret part (the protected part for registry cells).
    pub value: Option<f64>,
    /// The reader's interval of the secret part (`max: null` when unbounded).
    pub interval: Option<Interval>,
    pub reason: String,
    /// The published relations that pin it.
    pub relations: Vec<String>,
}

/// Masked cells of one level (non-empty cells of the registry's public table).
#[derive(Debug, Clone, Default, Serialize)]
pub struct LevelCount {
    pub cells: usize,
    pub masked: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub edition: i64,
    pub p_percent: f64,
    /// Zone × category cells read, per level (non-empty ones), and how many are masked.
    pub levels: BTreeMap<&'static str, LevelCount>,
    /// Protected establishments of the edition (counted at the département only).
    pub protected_establishments: u64,
    /// Sensitive cells the reader was played against (registry and observatory).
    pub sensitive_cells: usize,
    /// Share of the département's ESS jobs (exact, staff's) that commune figures
    /// publish (the ESS total of every commune whose figure is not masked), in %.
    pub commune_jobs_published_percent: f64,
    pub failures: Vec<AuditFailure>,
}

impl AuditReport {
    #[must_use]
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// A report for a terminal, in French.
    #[must_use]
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Audit du secret statistique, édition {} (p = {} %)",
            self.edition, self.p_percent
        );
        for (level, c) in &self.levels {
            let _ = writeln!(
                s,
                "  {level:<12} {:>7} cellules non vides, {:>6} masquées",
                c.cells, c.masked
            );
        }
        let _ = writeln!(
            s,
            "  établissements protégés : {} ; cellules sensibles éprouvées : {} ; emplois de l'ESS publiés au niveau communal : {:.1} %",
            self.protected_establishments,
            self.sensitive_cells,
            self.commune_jobs_published_percent
        );
        if self.failures.is_empty() {
            let _ = writeln!(s, "Aucune cellule n'est révélée : audit réussi.");
        }
        for f in &self.failures {
            let _ = writeln!(
                s,
                "ÉCHEC [{}] {}{} : {}",
                f.table,
                f.cell,
                f.measure
                    .map(|m| format!(", {}", m.label()))
                    .unwrap_or_default(),
                f.reason
            );
            for r in &f.relations {
                let _ = writeln!(s, "    relation : {r}");
            }
        }
        s
    }
}

fn failure_of(table_name: &'static str, table: &Table, f: &reader::Failure) -> AuditFailure {
    let reason = format!(
        "valeur secrète {}, intervalle du lecteur [{}, {}]",
        f.value
            .map_or_else(|| "inconnue".to_owned(), |v| format!("{v}")),
        f.interval.min,
        if f.interval.max.is_finite() {
            format!("{}", f.interval.max)
        } else {
            "∞".to_owned()
        }
    ) + if f.relations.is_empty() {
        " : la cellule est publiée"
    } else {
        ""
    };
    AuditFailure {
        table: table_name,
        cell: table.cells[f.cell].label.clone(),
        measure: Some(f.measure),
        value: f.value,
        interval: Some(f.interval),
        reason,
        relations: f
            .relations
            .iter()
            .map(|&r| table.relations[r].label.clone())
            .collect(),
    }
}

/// Audits the public figures of `cube`, built from `registry` (the edition's rows,
/// protected ones included: the audit knows what it checks).
#[must_use]
#[allow(clippy::too_many_lines)] // the reader's checks, in the order the README describes them
pub fn audit(
    g: &Geography,
    cube: &Cube,
    registry: &[RegistryCell],
    economy: &[EconomyRow],
) -> AuditReport {
    let space = cube.space;
    let n = space.len() * CATEGORIES;
    // The list and the protected establishments, aggregated here again.
    let mut listed = vec![CellStats::default(); n];
    let mut protected = vec![CellStats::default(); n];
    let mut protected_establishments = 0;
    for row in registry {
        let Some(c) = g.commune_position(&row.code_insee) else {
            continue;
        };
        let target = if row.protected {
            protected_establishments += row.stats.establishments;
            &mut protected
        } else {
            &mut listed
        };
        for cat in categories_of(
            row.family,
            row.naf_section.as_deref(),
            row.size_band.as_deref(),
        ) {
            let zones = [
                c,
                space.index(Level::Epci, g.communes[c].epci),
                space.index(Level::Territory, g.communes[c].territory),
                space.index(Level::Department, 0),
            ];
            for z in zones {
                target[z * CATEGORIES + cat.index()].add(&row.stats);
            }
        }
    }

    let categories = Category::all();
    let masks = Masks::of(cube);
    let base = [
        (Measure::Establishments, find("ess_establishments")),
        (Measure::Employers, find("ess_employers")),
        (Measure::Jobs, find("ess_jobs")),
    ];
    let mut failures = Vec::new();
    let mut published = vec![[false; 3]; n];
    let mut levels: BTreeMap<&'static str, LevelCount> = BTreeMap::new();
    let level_name = |l: Level| match l {
        Level::Commune => "communes",
        Level::Epci => "epci",
        Level::Territory => "territoires",
        Level::Department => "departement",
    };
    let mut commune_jobs = 0.0;
    for z in 0..space.len() {
        let level = space.level_of(z);
        for (k, &category) in categories.iter().enumerate() {
            let c = z * CATEGORIES + k;
            let mut any_secret = false;
            for (m, indicator) in base {
                let Some(indicator) = indicator else { continue };
                let f = value(indicator, cube, masks, z, category, 0, Audience::Public);
                any_secret |= f.secret;
                if level == Level::Commune && category == Category::Total && m == Measure::Jobs {
                    commune_jobs += f.value.unwrap_or(0.0);
                }
                if f.secret || f.source != Source::Sirene {
                    continue;
                }
                published[c][m.index()] = true;
                let Some(v) = f.value else { continue };
                let list = match m {
                    Measure::Establishments => listed[c].establishments as f64,
                    Measure::Employers => listed[c].employers as f64,
                    Measure::Jobs => listed[c].jobs,
                };
                if !counts_protected(level) && (v - list).abs() > 0.01 {
                    failures.push(AuditFailure {
                        table: "liste",
                        cell: cell_label(g, space, c),
                        measure: Some(m),
                        value: Some(v - list),
                        interval: None,
                        reason: format!(
                            "publié {v} − liste {list} = {} : révèle des établissements protégés",
                            v - list
                        ),
                        relations: Vec::new(),
                    });
                }
            }
            let exact = &cube.ess[c];
            if exact.establishments > 0 {
                let count = levels.entry(level_name(level)).or_default();
                count.cells += 1;
                count.masked += usize::from(any_secret);
            }
        }
    }

    // The département's protected parts.
    let (table, _) = protected_table(
        g,
        space,
        &cube.ess_equations,
        &protected,
        |c| published[c],
        |_| 0.0,
    );
    let mut sensitive_cells = table.cells.iter().filter(|c| c.sensitive).count();
    failures.extend(
        reader::check(&table)
            .iter()
            .map(|f| failure_of("registre", &table, f)),
    );

    // The observatory's figures.
    let jobs = find("ess_jobs");
    let (table, _) = observatory_table(
        &cube.observatory.ess,
        &cube.ess_equations,
        |c| cell_label(g, space, c),
        |c, _| {
            jobs.is_some_and(|i| {
                let f = value(
                    i,
                    cube,
                    masks,
                    c / CATEGORIES,
                    categories[c % CATEGORIES],
                    0,
                    Audience::Public,
                );
                !f.secret && f.source == Source::Observatoire
            })
        },
    );
    sensitive_cells += table.cells.iter().filter(|c| c.sensitive).count();
    failures.extend(
        reader::check(&table)
            .iter()
            .map(|f| failure_of("observatoire", &table, f)),
    );
    let (table, _) = observatory_table(
        &cube.observatory.economy,
        &cube.economy_equations,
        |z| format!("{} × économie", zone_label(g, space, z)),
        |_, c| !c.masked,
    );
    sensitive_cells += table.cells.iter().filter(|c| c.sensitive).count();
    failures.extend(
        reader::check(&table)
            .iter()
            .map(|f| failure_of("observatoire_economie", &table, f)),
    );

    // Derived figures: published only where what they are computed from is.
    let dept = space.index(Level::Department, 0);
    for z in 0..space.len() {
        for (k, &category) in categories.iter().enumerate() {
            // What a derived figure is computed from has its source: the
            // observatory's jobs figure, or the registry's cell.
            let jobs_of = |zone: usize, cat: Category, from: Source| {
                if from == Source::Observatoire {
                    jobs.is_some_and(|i| {
                        let f = value(i, cube, masks, zone, cat, 0, Audience::Public);
                        !f.secret && f.source == Source::Observatoire
                    })
                } else {
                    !cube.ess_masked[cube.cell(zone, cat)]
                }
            };
            let jobs_shown = |zone: usize, cat: Category| {
                jobs.is_some_and(|i| !value(i, cube, masks, zone, cat, 0, Audience::Public).secret)
            };
            for indicator in &CATALOGUE {
                // Population 1: only the secret flag and the source matter here.
                let f = value(indicator, cube, masks, z, category, 1, Audience::Public);
                if f.secret {
                    continue;
                }
                let from = f.source;
                let needs: Vec<bool> = match indicator.formula {
                    Formula::JobsPer1000Inhabitants | Formula::ShareOfSalariedJobs => {
                        vec![jobs_of(z, category, from)]
                    }
                    // Built on the zone's published jobs figure, whatever its source.
                    Formula::SubsidiesPerJob => vec![jobs_shown(z, category)],
                    Formula::EstablishmentsPer10000Inhabitants => {
                        vec![published[z * CATEGORIES + k][0]]
                    }
                    Formula::ShareOfEssJobs => vec![
                        jobs_of(z, category, from),
                        jobs_of(z, Category::Total, from),
                    ],
                    Formula::ShareOfDepartmentJobs | Formula::SubsidiesToJobsIndex => {
                        vec![jobs_shown(z, category), jobs_shown(dept, category)]
                    }
                    _ => continue,
                };
                if !needs.iter().all(|p| *p) {
                    failures.push(AuditFailure {
                        table: "derive",
                        cell: cell_label(g, space, z * CATEGORIES + k),
                        measure: None,
                        value: None,
                        interval: None,
                        reason: format!(
                            "« {} » est publié alors qu'une valeur dont il est calculé est masquée",
                            indicator.id
                        ),
                        relations: Vec::new(),
                    });
                }
            }
        }
    }

    failures.extend(audit_economy(g, cube, economy));

    let dept_jobs = cube.ess[cube.cell(dept, Category::Total)].jobs;
    AuditReport {
        edition: cube.edition,
        p_percent: reader::P_PERCENT,
        levels,
        protected_establishments,
        sensitive_cells,
        commune_jobs_published_percent: if dept_jobs > 0.0 {
            commune_jobs / dept_jobs * 100.0
        } else {
            100.0
        },
        failures,
    }
}
