//! Tests of the reader's linear programs on small hand-made tables.

use super::*;

fn cell(label: &str, n: f64, published: bool, sensitive: bool) -> Cell {
    Cell {
        label: label.into(),
        values: [Value::Known(n), Value::Absent, Value::Absent],
        published: [published; 3],
        sensitive,
        link: Link::None,
        cost: n,
    }
}

fn table(cells: Vec<Cell>) -> Table {
    let parts = (1..cells.len()).collect();
    Table {
        cells,
        relations: vec![Relation {
            label: "total".into(),
            total: 0,
            parts,
        }],
    }
}

#[test]
fn a_published_relation_pins_its_one_masked_cell() {
    // A published total and published parts leave one value for the masked one.
    let t = table(vec![
        cell("t", 3.0, true, false),
        cell("a", 1.0, false, true),
        cell("b", 1.0, true, false),
        cell("c", 1.0, true, false),
    ]);
    let failures = check(&t);
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].interval, Interval { min: 1.0, max: 1.0 });
    assert_eq!(failures[0].relations, vec![0]);
}

#[test]
fn protection_needs_a_partner_that_can_absorb_one_more() {
    // a (1) masked with d (0): a ∈ [0, 1], not protected upward; with e (4): a ∈ [0, 5].
    let mut t = table(vec![
        cell("t", 10.0, true, false),
        cell("a", 1.0, true, true),
        cell("d", 0.0, true, false),
        cell("e", 4.0, true, false),
        cell("f", 5.0, true, false),
    ]);
    let added = protect(&mut t);
    assert_eq!(added, vec![1, 3], "the smallest part that can absorb 1");
    assert!(check(&t).is_empty());
    let a = Program::new(&t, &[1, 3]);
    assert_eq!(a.relations, vec![0]);
    assert_eq!(a.optimum(1, Measure::Establishments, true), Some(5.0));
    assert_eq!(a.optimum(1, Measure::Establishments, false), Some(0.0));
}

#[test]
fn jobs_need_ten_percent_each_side_and_the_estimator_bounds_them() {
    // A masked size-class cell of one employer (74.5 jobs, class 50-249) whose
    // partner is a non-employer cell: the estimator pins the jobs within the
    // class's bounds only.
    let sized = |label: &str, n: f64, e: f64, j: f64, link: Link, sensitive| Cell {
        label: label.into(),
        values: [Value::Known(n), Value::Known(e), Value::Known(j)],
        published: [true; 3],
        sensitive,
        link,
        cost: 0.0,
    };
    let mut t = Table {
        cells: vec![
            sized("t", 2.0, 1.0, 74.5, Link::Any, false),
            sized("0", 1.0, 0.0, 0.0, Link::NonEmployer, false),
            sized(
                "50-249",
                1.0,
                1.0,
                74.5,
                Link::Employing {
                    lo: 74.5,
                    hi: 224.5,
                },
                true,
            ),
        ],
        relations: vec![Relation {
            label: "sizes".into(),
            total: 0,
            parts: vec![1, 2],
        }],
    };
    protect(&mut t);
    // Masking the two parts leaves the total published: 2 establishments, 1
    // employer, 74.5 jobs pin the employing cell. Only the total can hide it.
    assert!(!t.cells[0].published[0], "the total is masked too");
    assert!(check(&t).is_empty());
}

#[test]
fn an_unknown_value_needs_a_wide_interval() {
    let i = |min, max| Interval { min, max };
    assert!(!protects(Measure::Jobs, Value::Unknown, i(10.0, 10.0)));
    assert!(!protects(Measure::Jobs, Value::Unknown, i(100.0, 110.0)));
    assert!(protects(Measure::Jobs, Value::Unknown, i(100.0, 130.0)));
    assert!(!protects(
        Measure::Establishments,
        Value::Unknown,
        i(3.0, 4.0)
    ));
    assert!(protects(
        Measure::Establishments,
        Value::Unknown,
        i(3.0, 5.0)
    ));
    assert!(protects(Measure::Jobs, Value::Known(100.0), i(90.0, 110.0)));
    assert!(!protects(Measure::Jobs, Value::Known(100.0), i(91.0, 1e9)));
    assert!(protects(Measure::Employers, Value::Known(0.0), i(0.0, 0.0)));
}

/// A two-level table (a total, its parts, each part's sub-parts) of consistent counts
/// and jobs, with some sensitive cells and some measures published elsewhere.
fn two_level_table() -> impl proptest::strategy::Strategy<Value = Table> {
    use proptest::prelude::*;
    let leaf = (
        0u32..6,
        0u32..200,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    );
    proptest::collection::vec(proptest::collection::vec(leaf, 1..5), 1..5).prop_map(|groups| {
        let mut cells = vec![];
        let mut relations = vec![];
        let blank = |label: String| Cell {
            label,
            values: [Value::Known(0.0), Value::Absent, Value::Known(0.0)],
            published: [true; 3],
            sensitive: false,
            link: Link::None,
            cost: 0.0,
        };
        cells.push(blank("total".into()));
        let mut top = vec![];
        for (g, leaves) in groups.iter().enumerate() {
            let part = cells.len();
            cells.push(blank(format!("part {g}")));
            top.push(part);
            let mut subs = vec![];
            for (l, &(n, jobs, sensitive, jobs_published, cheap)) in leaves.iter().enumerate() {
                let (n, jobs) = (f64::from(n), f64::from(jobs));
                subs.push(cells.len());
                cells.push(Cell {
                    label: format!("leaf {g}.{l}"),
                    values: [Value::Known(n), Value::Absent, Value::Known(jobs)],
                    published: [true, false, jobs_published],
                    sensitive,
                    link: Link::None,
                    cost: if cheap { 0.0 } else { jobs },
                });
                for (c, (m, x)) in [
                    (part, (0, n)),
                    (part, (2, jobs)),
                    (0, (0, n)),
                    (0, (2, jobs)),
                ] {
                    if let Value::Known(v) = &mut cells[c].values[m] {
                        *v += x;
                    }
                }
            }
            relations.push(Relation {
                label: format!("part {g}"),
                total: part,
                parts: subs,
            });
        }
        relations.push(Relation {
            label: "total".into(),
            total: 0,
            parts: top,
        });
        Table { cells, relations }
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Keeping each group's failures between repairs changes nothing: the same cells
    /// masked, in the same order, as solving every group again at each step.
    #[test]
    fn reusing_group_failures_masks_the_same_cells(table in two_level_table()) {
        let (mut reused, mut solved) = (table.clone(), table);
        let added = protect_reusing(&mut reused, true);
        proptest::prop_assert_eq!(&added, &protect_reusing(&mut solved, false));
        let published = |t: &Table| t.cells.iter().map(|c| c.published).collect::<Vec<_>>();
        proptest::prop_assert_eq!(published(&reused), published(&solved));
        proptest::prop_assert_eq!(check(&reused).len(), check(&solved).len());
    }
}
