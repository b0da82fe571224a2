//! The determined reader of the secret statistique, as linear programs: what a reader
//! who combines every published figure of a table can learn of each masked cell.
//!
//! **Model.** A table is a set of cells, each with up to three measures
//! (establishments, employers, jobs), and relations `total = Σ parts` that hold for
//! every measure. Each cell's *secret part* is what the reader does not know: for the
//! registry, the cell's value minus what the public organisations list gives (the list
//! is a lower bound of every cell, so the secret part is ≥ 0); for the observatory's
//! exact figures, the whole value. The reader knows:
//! - the published cells' values;
//! - the relations, non-negativity, and that counts are integers;
//! - the estimator (for registry cells): employers ≤ establishments; an employer counts
//!   1.5 to 10 000 estimated jobs; in a size class, every establishment is an
//!   employer (or none is, for « sans salarié ») and its jobs lie between the class's
//!   smallest and largest band midpoints.
//!
//! For a masked cell, the reader's **feasible interval** is the min and max of its
//! secret part over all values satisfying the above (two linear programs). A **sensitive** cell is protected when, for each measure whose secret
//! part `v` is positive, the interval reaches `v − 1` and `v + 1` for counts, and
//! `v × (1 − p)` and `v × (1 + p)` for jobs, with `p` = [`P_PERCENT`] % (the
//! protection interval of τ-ARGUS). A secret part the product does not know itself (a
//! figure the observatory masked) must have an interval at least that wide somewhere
//! (`max ≥ min + 2` for counts, `max ≥ min × (1 + p) / (1 − p)` and `max > min` for
//! jobs).
//!
//! [`protect`] repairs a pattern deterministically: it masks every sensitive cell, then,
//! while some sensitive cell is not protected, masks one more published cell among the
//! relations that pin it: of those whose secret part can absorb the margin the failing
//! cell needs, the cheapest (smallest published jobs, then smallest secret part, then
//! lowest index); else the one with the largest secret part. Masking
//! only grows and a cell with more masked neighbours only gets a wider interval, so
//! this ends, and ends protected unless a relation has nothing left to mask.
//!
//! **Integrality.** Counts are integers: the min and max of a count are the relaxed
//! program's rounded inward (`⌈min⌉`, `⌊max⌋`), the audit τ-ARGUS runs. When every
//! relation is a sum (counts alone), the relaxation's vertices are integral and this
//! is exact; the estimator's per-employer bounds on jobs can in principle let an
//! integer program narrow a count further than its relaxation (a limit, written down
//! here on purpose: the branch and bound of the solver below ran out of memory on
//! some random registries, so it is not used).
//!
//! **Solver**: [`microlp`], a pure-Rust simplex. It was chosen because the programs
//! are small (the masked cells of one connected group of relations, a few hundred
//! variables at most) and must build everywhere the product builds: no native library
//! (CBC, `HiGHS`) to install. `clarabel` is an interior-point conic solver (its optima
//! are approximate, and a vertex is what pins a cell), and `good_lp` would only wrap
//! microlp here.

use std::collections::HashMap;

use microlp::{ComparisonOp, OptimizationDirection, Problem, SolveOutcome, Variable};
use serde::Serialize;

/// The protection interval, in % of the secret value, each side (jobs).
pub const P_PERCENT: f64 = 10.0;

const P: f64 = P_PERCENT / 100.0;
/// Tolerance of comparisons with solver results.
const EPS: f64 = 1e-6;
/// Bound of the programs' variables, at most (branch and bound needs finite ones).
const MAX_CAP: f64 = 1e9;
/// Largest estimated jobs of one establishment (band `53`).
pub const MAX_JOBS_PER_EMPLOYER: f64 = 10_000.0;
/// Smallest estimated jobs of one employer (band `01`).
pub const MIN_JOBS_PER_EMPLOYER: f64 = 1.5;

/// What a cell counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Establishments,
    Employers,
    Jobs,
}

impl Measure {
    pub const ALL: [Measure; 3] = [Measure::Establishments, Measure::Employers, Measure::Jobs];

    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }

    #[must_use]
    pub fn is_count(self) -> bool {
        self != Measure::Jobs
    }

    /// French name, for reports.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Measure::Establishments => "établissements",
            Measure::Employers => "employeurs",
            Measure::Jobs => "effectif",
        }
    }
}

/// The secret part of one measure of one cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// The table does not have this measure for this cell.
    Absent,
    /// Not known to the product either (a figure the observatory masked).
    Unknown,
    Known(f64),
}

/// What the estimator tells the reader about the measures of one cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Link {
    /// No cross-measure knowledge (observatory figures).
    None,
    /// Employers ≤ establishments; jobs within 1.5 and 10 000 per employer.
    Any,
    /// A size class with employees: establishments = employers and jobs within
    /// `[lo, hi]` per employer.
    Employing { lo: f64, hi: f64 },
    /// The « sans salarié » class: no employer, no job.
    NonEmployer,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub label: String,
    pub values: [Value; 3],
    /// Published, per measure (a measure may come from another source).
    pub published: [bool; 3],
    pub sensitive: bool,
    pub link: Link,
    /// What masking this cell costs readers (its published jobs): secondary masking
    /// picks the cheapest cell that protects.
    pub cost: f64,
}

impl Cell {
    fn masked(&self, m: Measure) -> bool {
        !self.published[m.index()] && self.values[m.index()] != Value::Absent
    }

    fn any_masked(&self) -> bool {
        Measure::ALL.into_iter().any(|m| self.masked(m))
    }

    fn mask(&mut self) {
        self.published = [false; 3];
    }
}

/// `cells[total] = Σ cells[parts]`, for every measure all its cells have.
#[derive(Debug, Clone)]
pub struct Relation {
    pub label: String,
    pub total: usize,
    pub parts: Vec<usize>,
}

impl Relation {
    fn cells(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.total).chain(self.parts.iter().copied())
    }
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub cells: Vec<Cell>,
    pub relations: Vec<Relation>,
}

/// The reader's feasible interval of a secret part (`max` may be infinite).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub min: f64,
    #[serde(serialize_with = "serialize_bound")]
    pub max: f64,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "the signature serde's serialize_with requires"
)]
fn serialize_bound<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else {
        s.serialize_none()
    }
}

/// A sensitive cell the reader narrows too much.
#[derive(Debug, Clone)]
pub struct Failure {
    pub cell: usize,
    pub measure: Measure,
    pub value: Option<f64>,
    pub interval: Interval,
    /// The relations that pin it (empty when the cell itself is published).
    pub relations: Vec<usize>,
}

/// Whether `interval` protects a secret part `value` of `measure`.
#[must_use]
pub fn protects(measure: Measure, value: Value, interval: Interval) -> bool {
    match value {
        Value::Absent => true,
        Value::Known(v) if v <= EPS => true,
        Value::Known(v) => {
            let (low, high) = if measure.is_count() {
                (v - 1.0, v + 1.0)
            } else {
                (v * (1.0 - P), v * (1.0 + P))
            };
            interval.min <= low + EPS && interval.max >= high - EPS
        }
        Value::Unknown => {
            if measure.is_count() {
                interval.max >= interval.min + 2.0 - EPS
            } else {
                interval.max > interval.min + EPS
                    && interval.max >= interval.min * (1.0 + P) / (1.0 - P) - EPS
            }
        }
    }
}

/// Groups of masked cells that relations connect (published cells are constants).
fn components(table: &Table) -> Vec<Vec<usize>> {
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let n = table.cells.len();
    let mut parent: Vec<usize> = (0..n).collect();
    for r in &table.relations {
        let mut first = None;
        for c in r.cells() {
            if !table.cells[c].any_masked() {
                continue;
            }
            match first {
                None => first = Some(c),
                Some(f) => {
                    let (a, b) = (find(&mut parent, f), find(&mut parent, c));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for c in 0..n {
        if table.cells[c].any_masked() {
            let root = find(&mut parent, c);
            groups.entry(root).or_default().push(c);
        }
    }
    let mut v: Vec<Vec<usize>> = groups.into_values().collect();
    v.sort_unstable();
    v
}

/// The relations each cell is in (as total or part), by cell.
fn relations_by_cell(table: &Table) -> Vec<Vec<usize>> {
    let mut by_cell = vec![Vec::new(); table.cells.len()];
    for (i, r) in table.relations.iter().enumerate() {
        for c in r.cells() {
            if by_cell[c].last() != Some(&i) {
                by_cell[c].push(i);
            }
        }
    }
    by_cell
}

/// The relations that involve a cell of `group`, in order, from [`relations_by_cell`]
/// (a scan of every relation per group made the audit quadratic in the table's size).
fn relations_of(by_cell: &[Vec<usize>], group: &[usize]) -> Vec<usize> {
    let mut relations: Vec<usize> = group
        .iter()
        .flat_map(|&c| by_cell[c].iter().copied())
        .collect();
    relations.sort_unstable();
    relations.dedup();
    relations
}

/// The cap of every variable of `table`'s programs (see [`Program::cap`]).
fn cap_of(table: &Table) -> f64 {
    let sum: f64 = table
        .cells
        .iter()
        .flat_map(|c| c.values.iter())
        .map(|v| match v {
            Value::Known(x) => x.abs(),
            _ => 0.0,
        })
        .sum();
    (2.0 * sum + 10.0).min(MAX_CAP).ceil()
}

/// The reader's program over one group: variables of its masked measures.
struct Program<'a> {
    table: &'a Table,
    group: &'a [usize],
    relations: Vec<usize>,
    /// Upper bound of every variable: twice the sum of every known value of the
    /// table, so above any value the protection asks for. Bounding the reader's
    /// unknowns only narrows his intervals: a pattern protected under the cap is
    /// protected without it, and a maximum at the cap counts as unbounded.
    cap: f64,
}

#[cfg(test)]
impl<'a> Program<'a> {
    fn new(table: &'a Table, group: &'a [usize]) -> Self {
        Self {
            table,
            group,
            relations: relations_of(&relations_by_cell(table), group),
            cap: cap_of(table),
        }
    }
}

impl Program<'_> {
    /// Min or max of the secret part of `target`'s `measure`; `f64::INFINITY` when
    /// unbounded, `None` when the solver fails (treated as not protected).
    #[allow(clippy::too_many_lines)] // one linear program: its variables and constraints built where they are solved
    fn optimum(&self, target: usize, measure: Measure, maximise: bool) -> Option<f64> {
        let mut problem = Problem::new(if maximise {
            OptimizationDirection::Maximize
        } else {
            OptimizationDirection::Minimize
        });
        let mut vars: HashMap<(usize, Measure), Variable> = HashMap::new();
        for &c in self.group {
            for m in Measure::ALL {
                if !self.table.cells[c].masked(m) {
                    continue;
                }
                let objective = if c == target && m == measure {
                    1.0
                } else {
                    0.0
                };
                // Counts are integers: the program is relaxed and its bounds rounded
                // inward (see the module docs).
                let var = problem.add_var(objective, (0.0, self.cap));
                vars.insert((c, m), var);
            }
        }
        for &r in &self.relations {
            let relation = &self.table.relations[r];
            for m in Measure::ALL {
                let cells: Vec<(usize, f64)> = std::iter::once((relation.total, -1.0))
                    .chain(relation.parts.iter().map(|&p| (p, 1.0)))
                    .collect();
                if cells
                    .iter()
                    .any(|&(c, _)| self.table.cells[c].values[m.index()] == Value::Absent)
                {
                    continue;
                }
                let mut expr = Vec::new();
                let mut rhs = 0.0;
                let mut usable = true;
                for (c, sign) in cells {
                    if let Some(&v) = vars.get(&(c, m)) {
                        expr.push((v, sign));
                    } else {
                        match self.table.cells[c].values[m.index()] {
                            Value::Known(x) => rhs -= sign * x,
                            // A masked cell of another group cannot be here; an
                            // unknown published value cannot be used.
                            _ => usable = false,
                        }
                    }
                }
                if usable && !expr.is_empty() {
                    problem.add_constraint(expr.as_slice(), ComparisonOp::Eq, rhs);
                }
            }
        }
        for &c in self.group {
            let cell = &self.table.cells[c];
            let var = |m: Measure| vars.get(&(c, m)).copied();
            let known = |m: Measure| match cell.values[m.index()] {
                Value::Known(x) if cell.published[m.index()] => Some(x),
                _ => None,
            };
            // Each side as a variable or a published constant.
            let mut le = |a: (Option<Variable>, Option<f64>, f64),
                          b: (Option<Variable>, Option<f64>, f64),
                          op: ComparisonOp| {
                // a.2 × a ≤/= b.2 × b
                let mut expr = Vec::new();
                let mut rhs = 0.0;
                match a {
                    (Some(v), _, k) => expr.push((v, k)),
                    (None, Some(x), k) => rhs -= k * x,
                    _ => return,
                }
                match b {
                    (Some(v), _, k) => expr.push((v, -k)),
                    (None, Some(x), k) => rhs += k * x,
                    _ => return,
                }
                if expr.is_empty() {
                    return;
                }
                problem.add_constraint(expr.as_slice(), op, rhs);
            };
            let n = (var(Measure::Establishments), known(Measure::Establishments));
            let e = (var(Measure::Employers), known(Measure::Employers));
            let j = (var(Measure::Jobs), known(Measure::Jobs));
            match cell.link {
                Link::None => {}
                Link::Any => {
                    le((e.0, e.1, 1.0), (n.0, n.1, 1.0), ComparisonOp::Le);
                    le(
                        (e.0, e.1, MIN_JOBS_PER_EMPLOYER),
                        (j.0, j.1, 1.0),
                        ComparisonOp::Le,
                    );
                    le(
                        (j.0, j.1, 1.0),
                        (e.0, e.1, MAX_JOBS_PER_EMPLOYER),
                        ComparisonOp::Le,
                    );
                }
                Link::Employing { lo, hi } => {
                    le((e.0, e.1, 1.0), (n.0, n.1, 1.0), ComparisonOp::Eq);
                    le((e.0, e.1, lo), (j.0, j.1, 1.0), ComparisonOp::Le);
                    le((j.0, j.1, 1.0), (e.0, e.1, hi), ComparisonOp::Le);
                }
                Link::NonEmployer => {
                    for v in [e.0, j.0].into_iter().flatten() {
                        problem.add_constraint([(v, 1.0)], ComparisonOp::Eq, 0.0);
                    }
                }
            }
        }
        match problem.solve() {
            Ok(SolveOutcome::Solution(solution)) => {
                let x = solution.objective();
                // At the cap: as good as unbounded.
                Some(if x >= self.cap - 0.5 {
                    f64::INFINITY
                } else if measure.is_count() && maximise {
                    (x + EPS).floor()
                } else if measure.is_count() {
                    (x - EPS).ceil()
                } else {
                    x
                })
            }
            Err(microlp::Error::Unbounded) if maximise => Some(f64::INFINITY),
            Ok(SolveOutcome::Interrupted(_)) | Err(_) => None,
        }
    }
}

/// Every sensitive cell the reader narrows too much, in cell order.
#[must_use]
pub fn check(table: &Table) -> Vec<Failure> {
    check_groups(table, &mut GroupFailures::new())
}

/// The failures of each group of masked cells, keyed by the group's cells and what
/// each publishes. A group's programs depend on nothing else: the published cells of
/// its relations are constants until masked, and a masked one joins the group (so
/// changes the key); the cap depends on values, which masking does not change. So
/// [`protect`], which masks one cell at a time, solves again only the group that
/// changed rather than every program of the table at each step.
type GroupFailures = HashMap<Vec<(usize, [bool; 3])>, Vec<Failure>>;

/// [`check`], reusing and filling `known` (see [`GroupFailures`]).
fn check_groups(table: &Table, known: &mut GroupFailures) -> Vec<Failure> {
    let mut failures = Vec::new();
    // Published sensitive cells: the reader reads them.
    for (c, cell) in table.cells.iter().enumerate() {
        if !cell.sensitive {
            continue;
        }
        for m in Measure::ALL {
            if cell.published[m.index()]
                && let Value::Known(v) = cell.values[m.index()]
            {
                let interval = Interval { min: v, max: v };
                if !protects(m, cell.values[m.index()], interval) {
                    failures.push(Failure {
                        cell: c,
                        measure: m,
                        value: Some(v),
                        interval,
                        relations: Vec::new(),
                    });
                }
            }
        }
    }
    let by_cell = relations_by_cell(table);
    let cap = cap_of(table);
    for group in components(table) {
        if !group.iter().any(|&c| table.cells[c].sensitive) {
            continue;
        }
        let key: Vec<(usize, [bool; 3])> = group
            .iter()
            .map(|&c| (c, table.cells[c].published))
            .collect();
        let group_failures = known.entry(key).or_insert_with(|| {
            let program = Program {
                table,
                group: &group,
                relations: relations_of(&by_cell, &group),
                cap,
            };
            program.failures()
        });
        failures.extend(group_failures.iter().cloned());
    }
    failures.sort_by_key(|f| (f.cell, f.measure.index()));
    failures
}

impl Program<'_> {
    /// The sensitive cells of the group the reader narrows too much.
    fn failures(&self) -> Vec<Failure> {
        let mut failures = Vec::new();
        for &c in self.group {
            let cell = &self.table.cells[c];
            if !cell.sensitive {
                continue;
            }
            for m in Measure::ALL {
                if !cell.masked(m) {
                    continue;
                }
                let value = cell.values[m.index()];
                if matches!(value, Value::Known(v) if v <= EPS) {
                    continue;
                }
                let min = self.optimum(c, m, false);
                let max = self.optimum(c, m, true);
                let interval = Interval {
                    min: min.unwrap_or(f64::NAN),
                    max: max.unwrap_or(f64::NAN),
                };
                if min.is_none() || max.is_none() || !protects(m, value, interval) {
                    failures.push(Failure {
                        cell: c,
                        measure: m,
                        value: match value {
                            Value::Known(v) => Some(v),
                            _ => None,
                        },
                        interval,
                        relations: self.relations.clone(),
                    });
                }
            }
        }
        failures
    }
}

/// The margin a failing measure needs from a partner cell.
fn margin(f: &Failure) -> f64 {
    match (f.measure.is_count(), f.value) {
        (false, Some(v)) => v * P,
        _ => 1.0,
    }
}

/// Masks every sensitive cell, then repairs until every sensitive cell is protected
/// (see the module docs). Returns the cells it masked.
pub fn protect(table: &mut Table) -> Vec<usize> {
    protect_reusing(table, true)
}

/// [`protect`]; `reuse`: keep each group's failures from one repair to the next (the
/// tests compare with solving every group again at each step).
fn protect_reusing(table: &mut Table, reuse: bool) -> Vec<usize> {
    let mut added = Vec::new();
    for (c, cell) in table.cells.iter_mut().enumerate() {
        if cell.sensitive && cell.published.iter().any(|p| *p) {
            cell.mask();
            added.push(c);
        }
    }
    let mut known = GroupFailures::new();
    loop {
        if !reuse {
            known.clear();
        }
        let failures = check_groups(table, &mut known);
        let Some(f) = failures.first() else {
            return added;
        };
        let m = f.measure.index();
        let need = margin(f);
        let candidates: Vec<(usize, f64)> = {
            let mut seen = std::collections::BTreeSet::new();
            let relations: Vec<usize> = if f.relations.is_empty() {
                table
                    .relations
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.cells().any(|c| c == f.cell))
                    .map(|(i, _)| i)
                    .collect()
            } else {
                f.relations.clone()
            };
            for r in relations {
                for c in table.relations[r].cells() {
                    if table.cells[c].published.iter().any(|p| *p) {
                        seen.insert(c);
                    }
                }
            }
            seen.into_iter()
                .map(|c| {
                    let v = match table.cells[c].values[m] {
                        Value::Known(x) => x,
                        _ => 0.0,
                    };
                    (c, v)
                })
                .collect()
        };
        let cost = |c: usize| table.cells[c].cost;
        let choice = candidates
            .iter()
            .filter(|(_, v)| *v >= need - EPS)
            .min_by(|a, b| {
                cost(a.0)
                    .total_cmp(&cost(b.0))
                    .then(a.1.total_cmp(&b.1))
                    .then(a.0.cmp(&b.0))
            })
            .or_else(|| {
                candidates
                    .iter()
                    .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            });
        let Some(&(c, _)) = choice else {
            // Nothing left to mask around it: the audit reports it.
            return added;
        };
        table.cells[c].mask();
        added.push(c);
    }
}

#[cfg(test)]
mod tests;
