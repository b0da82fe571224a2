//! The secret statistique (BRIEF rule 6): which cells of a published table are masked.
//!
//! A table is a set of cells and of additive equations `total = part₁ + … + partₙ`
//! that readers know (a zone is the sum of its sub-zones; a zone's ESS total is the
//! sum of its families, sectors or size classes).
//!
//! 1. **Primary secrecy**: a cell is masked when it counts 1 or 2 establishments, or
//!    when one establishment holds more than 85 % of its jobs. A cell that counts no
//!    establishment is published: an absence reveals no organisation.
//! 2. **Secondary secrecy**: while some equation has exactly one masked cell (which
//!    could then be recomputed as total minus the published parts), mask one more cell
//!    of that equation: the published part with the fewest establishments (then the
//!    fewest jobs, then the lowest index); the total when no part is left. Masking only
//!    grows, so this ends; at the end no equation has exactly one masked cell.
//!
//! Pure and deterministic. The same pattern masks every variable of a cell
//! (establishments, employers, jobs, and ratios built on them).

use crate::records::cells::CellStats;

/// Fewest establishments a published non-empty cell counts.
pub const MIN_ESTABLISHMENTS: u64 = 3;
/// Largest share of a cell's jobs one establishment may hold.
pub const MAX_DOMINANCE: f64 = 0.85;

/// Primary rule for one cell.
#[must_use]
pub fn primary(cell: &CellStats) -> bool {
    (1..MIN_ESTABLISHMENTS).contains(&cell.establishments)
        || (cell.jobs > 0.0 && cell.max_jobs > MAX_DOMINANCE * cell.jobs)
}

/// `cells[total] = Σ cells[parts]`, an equation readers can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equation {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// The masked cells: primary secrecy of `cells`, plus `already` (cells masked for
/// another reason, e.g. in the other edition of an evolution), plus the secondary
/// cells that the equations require.
#[must_use]
pub fn suppress(
    cells: &[CellStats],
    equations: &[Equation],
    already: Option<&[bool]>,
) -> Vec<bool> {
    let mut masked: Vec<bool> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| primary(c) || already.is_some_and(|a| a.get(i).copied().unwrap_or(false)))
        .collect();
    loop {
        let mut changed = false;
        for eq in equations {
            let masked_count =
                usize::from(masked[eq.total]) + eq.parts.iter().filter(|&&p| masked[p]).count();
            if masked_count != 1 {
                continue;
            }
            let complement = eq
                .parts
                .iter()
                .copied()
                .filter(|&p| !masked[p])
                .min_by(|&a, &b| {
                    let (ca, cb) = (&cells[a], &cells[b]);
                    ca.establishments
                        .cmp(&cb.establishments)
                        .then(ca.jobs.total_cmp(&cb.jobs))
                        .then(a.cmp(&b))
                })
                .unwrap_or(eq.total);
            masked[complement] = true;
            changed = true;
        }
        if !changed {
            return masked;
        }
    }
}

/// Whether some equation lets a reader recompute a masked cell (for tests and
/// assertions): exactly one masked cell in it.
#[must_use]
pub fn leaks(masked: &[bool], equations: &[Equation]) -> Option<usize> {
    equations.iter().position(|eq| {
        usize::from(masked[eq.total]) + eq.parts.iter().filter(|&&p| masked[p]).count() == 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(establishments: u64, jobs: f64, max_jobs: f64) -> CellStats {
        CellStats {
            establishments,
            employers: establishments,
            jobs,
            max_jobs,
        }
    }

    #[test]
    fn small_and_dominated_cells_are_masked_but_empty_ones_are_not() {
        assert!(primary(&cell(1, 10.0, 10.0)));
        assert!(primary(&cell(2, 0.0, 0.0)));
        assert!(!primary(&cell(3, 30.0, 10.0)));
        // One of five holds 90 % of the jobs.
        assert!(primary(&cell(5, 100.0, 90.0)));
        assert!(!primary(&cell(5, 100.0, 85.0)));
        assert!(!primary(&cell(0, 0.0, 0.0)));
    }

    #[test]
    fn a_lone_masked_part_drags_the_smallest_other_part_with_it() {
        // total = a + b + c, a is primary-secret.
        let cells = [
            cell(20, 200.0, 20.0),
            cell(2, 5.0, 3.0),
            cell(8, 90.0, 20.0),
            cell(10, 105.0, 20.0),
        ];
        let eq = [Equation {
            total: 0,
            parts: vec![1, 2, 3],
        }];
        let masked = suppress(&cells, &eq, None);
        assert_eq!(masked, [false, true, true, false]);
        assert_eq!(leaks(&masked, &eq), None);
    }

    #[test]
    fn a_masked_total_with_no_part_left_masks_a_part() {
        let cells = [cell(2, 5.0, 3.0), cell(2, 5.0, 3.0)];
        let eq = [Equation {
            total: 0,
            parts: vec![1],
        }];
        // Both primary: nothing to add.
        assert_eq!(suppress(&cells, &eq, None), [true, true]);
        let cells = [cell(1, 5.0, 5.0), cell(0, 0.0, 0.0), cell(1, 5.0, 5.0)];
        let eq = [Equation {
            total: 0,
            parts: vec![1, 2],
        }];
        let masked = suppress(&cells, &eq, None);
        assert_eq!(leaks(&masked, &eq), None);
    }
}
