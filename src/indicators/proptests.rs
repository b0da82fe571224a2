//! Property tests of the secret statistique over random registries on a small
//! synthetic geography: no published figure lets a reader recompute a masked one,
//! directly or by subtracting published parts from a published total.
//!
//! The equations a reader knows are rebuilt here from the geography and the
//! categories, independently of the ones the cube lists.

use geo::{MultiPolygon, polygon};
use proptest::prelude::*;

use super::catalogue::find;
use super::cube::{add_subsidies, build_cube, evolution_masks};
use super::secret::primary;
use super::{Audience, Masks, value};
use crate::ess::Family;
use crate::ess::category::{Category, SECTIONS};
use crate::ess::size::SizeClass;
use crate::geography::{
    CommuneRecord, EpciRecord, Geography, GeographyRecords, Level, OutlineRecord,
};
use crate::records::cells::{CellStats, EconomyRow, RegistryCell, SubsidyCell};
use crate::spatial::boundaries::DepartmentInput;

/// Eight square communes, four EPCI of two communes, two territories of two EPCI.
fn geography() -> Geography {
    let square = |i: usize| -> MultiPolygon<f64> {
        let x = i as f64;
        MultiPolygon::new(vec![
            polygon![(x: x, y: 0.0), (x: x + 1.0, y: 0.0), (x: x + 1.0, y: 1.0), (x: x, y: 1.0)],
        ])
    };
    let outline = |code: String, geometry: MultiPolygon<f64>| OutlineRecord {
        code: code.clone(),
        name: code,
        geometry,
        area_km2: 1.0,
    };
    let communes = (0..8)
        .map(|i| CommuneRecord {
            outline: outline(format!("9900{i}"), square(i)),
            population: 1_000 * (i as u64 + 1),
            epci: format!("20000000{}", i / 2),
            territory: format!("T{}", i / 4),
        })
        .collect();
    let epci = (0..4)
        .map(|e| EpciRecord {
            outline: outline(format!("20000000{e}"), square(2 * e)),
            short_name: format!("EPCI {e}"),
            kind: "CC".into(),
        })
        .collect();
    let territories = (0..2)
        .map(|t| outline(format!("T{t}"), square(4 * t)))
        .collect();
    Geography::assemble(GeographyRecords {
        department: DepartmentInput {
            code: "99".into(),
            name: "Test".into(),
            attribution: String::new(),
        },
        territories,
        epci,
        communes,
        fingerprint: String::new(),
    })
    .unwrap()
}

const BANDS: [&str; 6] = ["NN", "01", "02", "11", "21", "41"];

fn registry() -> impl Strategy<Value = Vec<RegistryCell>> {
    prop::collection::vec(
        (
            0usize..8,
            0usize..5,
            prop::sample::select(vec!["Q", "P", "S", "R", ""]),
            0usize..6,
            1u64..5,
            prop::bool::weighted(0.2),
        ),
        0..40,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(commune, family, section, band, n, protected)| {
                let jobs = crate::ess::size::estimated_jobs(BANDS[band]);
                RegistryCell {
                    code_insee: format!("9900{commune}"),
                    family: Family::ALL[family],
                    naf_section: (!section.is_empty()).then(|| section.to_owned()),
                    size_band: Some(BANDS[band].to_owned()),
                    protected,
                    stats: CellStats {
                        establishments: n,
                        employers: if jobs > 0.0 { n } else { 0 },
                        jobs: jobs * n as f64,
                        max_jobs: jobs,
                    },
                }
            })
            .collect()
    })
}

/// Random whole-economy rows (ESS or not): commune, band, count, protected.
fn economy() -> impl Strategy<Value = Vec<EconomyRow>> {
    prop::collection::vec(
        (0usize..8, 0usize..6, 1u64..8, prop::bool::weighted(0.2)),
        0..30,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(commune, band, n, protected)| {
                let jobs = crate::ess::size::estimated_jobs(BANDS[band]);
                EconomyRow {
                    code_insee: format!("9900{commune}"),
                    size_band: BANDS[band].to_owned(),
                    protected,
                    establishments: n,
                    employers: if jobs > 0.0 { n } else { 0 },
                    jobs: jobs * n as f64,
                }
            })
            .collect()
    })
}

/// A published cell: zone level, position in the level, category.
type Cell = (Level, usize, Category);

/// The equations a reader knows, as (total, parts) of (zone, category) pairs.
fn reader_equations(g: &Geography) -> Vec<(Cell, Vec<Cell>)> {
    let mut eqs = Vec::new();
    let zones: Vec<(Level, usize)> = (0..g.communes.len())
        .map(|i| (Level::Commune, i))
        .chain((0..g.epci.len()).map(|i| (Level::Epci, i)))
        .chain((0..g.territories.len()).map(|i| (Level::Territory, i)))
        .chain(std::iter::once((Level::Department, 0)))
        .collect();
    let families: Vec<Category> = [
        Family::Association,
        Family::Cooperative,
        Family::Mutuelle,
        Family::Fondation,
    ]
    .map(Category::Family)
    .to_vec();
    let sectors: Vec<Category> = SECTIONS.map(Category::Sector).to_vec();
    let sizes: Vec<Category> = SizeClass::ALL.map(Category::Size).to_vec();
    for &(level, i) in &zones {
        for dim in [&families, &sectors, &sizes] {
            eqs.push((
                (level, i, Category::Total),
                dim.iter().map(|&c| (level, i, c)).collect(),
            ));
        }
    }
    for c in Category::all() {
        for (e, epci) in g.epci.iter().enumerate() {
            eqs.push((
                (Level::Epci, e, c),
                epci.communes
                    .iter()
                    .map(|&k| (Level::Commune, k, c))
                    .collect(),
            ));
        }
        for (t, territory) in g.territories.iter().enumerate() {
            eqs.push((
                (Level::Territory, t, c),
                territory
                    .epci
                    .iter()
                    .map(|&k| (Level::Epci, k, c))
                    .collect(),
            ));
        }
        eqs.push((
            (Level::Department, 0, c),
            (0..g.territories.len())
                .map(|k| (Level::Territory, k, c))
                .collect(),
        ));
    }
    eqs
}

fn population(g: &Geography, level: Level, i: usize) -> u64 {
    match level {
        Level::Commune => g.communes[i].zone.population,
        Level::Epci => g.epci[i].zone.population,
        Level::Territory => g.territories[i].zone.population,
        Level::Department => g.department.population,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_public_figure_reveals_a_masked_cell(rows in registry()) {
        let g = geography();
        let cube = build_cube(&g, 2023, &rows, &[]);
        let masks = Masks::of(&cube);
        let indicator = find("ess_jobs").unwrap();
        let published = |(level, i, c): Cell| {
            let zone = cube.space.index(level, i);
            value(indicator, &cube, masks, zone, c, population(&g, level, i), Audience::Public).value
        };
        // Primary cells are never published.
        for (level, n) in [(Level::Commune, 8), (Level::Epci, 4), (Level::Territory, 2), (Level::Department, 1)] {
            for i in 0..n {
                for c in Category::all() {
                    let stats = cube.ess_published[cube.cell(cube.space.index(level, i), c)];
                    if primary(&stats) {
                        prop_assert!(published((level, i, c)).is_none(), "{level:?} {i} {c:?} is primary-secret");
                    }
                }
            }
        }
        // No equation leaves exactly one unknown.
        for (total, parts) in reader_equations(&g) {
            let unknown = usize::from(published(total).is_none())
                + parts.iter().filter(|p| published(**p).is_none()).count();
            prop_assert_ne!(unknown, 1, "{:?} = Σ {:?} reveals its one masked cell", total, parts);
        }
    }

    #[test]
    fn no_evolution_reveals_a_masked_cell_of_either_edition(a in registry(), b in registry()) {
        let g = geography();
        let from = build_cube(&g, 2020, &a, &[]);
        let to = build_cube(&g, 2023, &b, &[]);
        let (ess, economy) = evolution_masks(&from, &to);
        let masks = Masks { ess: &ess, economy: &economy };
        let indicator = find("ess_establishments").unwrap();
        let delta = |(level, i, c): Cell| {
            let zone = to.space.index(level, i);
            super::evolution(indicator, &from, &to, masks, zone, c, population(&g, level, i), Audience::Public).0.value
        };
        for (total, parts) in reader_equations(&g) {
            for cell in std::iter::once(total).chain(parts.iter().copied()) {
                let idx = to.cell(to.space.index(cell.0, cell.1), cell.2);
                if from.ess_masked[idx] || to.ess_masked[idx] {
                    // Else the published value of one edition and the difference give the other.
                    prop_assert!(delta(cell).is_none());
                }
            }
            let unknown = usize::from(delta(total).is_none()) + parts.iter().filter(|p| delta(**p).is_none()).count();
            prop_assert_ne!(unknown, 1);
        }
    }

    #[test]
    fn additive_figures_add_up_over_sub_zones(rows in registry()) {
        let g = geography();
        let cube = build_cube(&g, 2023, &rows, &[]);
        let masks = Masks::of(&cube);
        for id in ["ess_establishments", "ess_employers", "ess_jobs"] {
            let indicator = find(id).unwrap();
            let v = |level: Level, i: usize| {
                value(indicator, &cube, masks, cube.space.index(level, i), Category::Total, 0, Audience::Restricted).value.unwrap()
            };
            for (e, epci) in g.epci.iter().enumerate() {
                let sum: f64 = epci.communes.iter().map(|&c| v(Level::Commune, c)).sum();
                prop_assert!((v(Level::Epci, e) - sum).abs() < 1e-6);
            }
            let sum: f64 = (0..g.territories.len()).map(|t| v(Level::Territory, t)).sum();
            prop_assert!((v(Level::Department, 0) - sum).abs() < 1e-6);
        }
    }

    #[test]
    fn subsidies_add_up_and_their_ratios_to_jobs_keep_the_jobs_secret(
        rows in registry(),
        grants in prop::collection::vec((0usize..8, 0usize..5, 1u32..100_000), 0..20),
    ) {
        let g = geography();
        let mut cube = build_cube(&g, 2023, &rows, &[]);
        let cells: Vec<SubsidyCell> = grants
            .iter()
            .map(|&(commune, family, cents)| SubsidyCell {
                code_insee: format!("9900{commune}"),
                family: Family::ALL[family],
                naf_section: Some("Q".into()),
                size_band: Some("01".into()),
                protected: false,
                granted: f64::from(cents) / 100.0,
            })
            .collect();
        add_subsidies(&g, &mut cube, &cells, true);
        let masks = Masks::of(&cube);
        let figure = |id: &str, (level, i, c): Cell| {
            let zone = cube.space.index(level, i);
            value(find(id).unwrap(), &cube, masks, zone, c, population(&g, level, i), Audience::Public)
        };
        // The four families' total is what the territories add up to.
        let expected: f64 = cells
            .iter()
            .filter(|c| c.family.in_statistical_totals())
            .map(|c| c.granted)
            .sum();
        let territories: f64 = (0..g.territories.len())
            .map(|t| figure("ess_subsidies", (Level::Territory, t, Category::Total)).value.unwrap())
            .sum();
        prop_assert!((territories - expected).abs() < 0.01);
        for level_n in [(Level::Commune, 8), (Level::Epci, 4), (Level::Territory, 2)] {
            for i in 0..level_n.1 {
                for c in Category::all() {
                    let cell = (level_n.0, i, c);
                    // Public amounts: never masked.
                    prop_assert!(!figure("ess_subsidies", cell).secret);
                    let jobs_secret = figure("ess_jobs", cell).secret;
                    for id in ["ess_subsidies_per_job", "share_of_department_ess_jobs", "subsidies_to_jobs_index"] {
                        if jobs_secret {
                            prop_assert!(figure(id, cell).secret && figure(id, cell).value.is_none(), "{id} {cell:?}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn observatory_figures_get_primary_and_secondary_masking() {
    use crate::records::observatory::ObservatoryRow;
    let g = geography();
    let mut cube = build_cube(&g, 2023, &[], &[]);
    let row = |family: &str, establishments: u64, jobs: f64| ObservatoryRow {
        level: Level::Department,
        code: "99".into(),
        family: family.into(),
        sector: String::new(),
        establishments: Some(establishments),
        jobs: Some(jobs),
        fte: None,
        payroll: None,
        masked: false,
    };
    let rows = [
        row("ess", 100, 1_000.0),
        row("association", 80, 700.0),
        row("cooperative", 12, 200.0),
        row("mutuelle", 6, 90.0),
        // Two foundations: secret, and the smallest other family goes with them.
        row("fondation", 2, 10.0),
    ];
    cube.observatory = super::cube::build_observatory(&g, &cube, &rows);
    let masks = Masks::of(&cube);
    let dept = cube.space.index(Level::Department, 0);
    let jobs = find("ess_jobs").unwrap();
    let figure = |c: Category| value(jobs, &cube, masks, dept, c, 0, Audience::Public);
    assert_eq!(figure(Category::Total).value, Some(1_000.0));
    assert!(figure(Category::Family(Family::Fondation)).secret);
    assert!(figure(Category::Family(Family::Mutuelle)).secret);
    assert_eq!(
        figure(Category::Family(Family::Association)).value,
        Some(700.0)
    );
    assert_eq!(
        figure(Category::Family(Family::Cooperative)).source,
        super::Source::Observatoire
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The cube's pattern passes the audit (the reader's linear programs), and no
    /// public figure below the département counts a protected establishment.
    #[test]
    fn the_audit_passes_on_random_registries(rows in registry(), economy in economy()) {
        let g = geography();
        let cube = build_cube(&g, 2023, &rows, &economy);
        let report = super::audit::audit(&g, &cube, &rows, &economy);
        prop_assert!(report.passed(), "{}", report.to_text());
        let public: Vec<RegistryCell> = rows.iter().filter(|r| !r.protected).cloned().collect();
        let listed = build_cube(&g, 2023, &public, &[]);
        for z in 0..cube.space.communes + cube.space.epci + cube.space.territories {
            for c in Category::all() {
                let i = cube.cell(z, c);
                prop_assert_eq!(cube.ess_published[i], listed.ess[i], "zone {} {:?}", z, c);
            }
            // The share of salaried jobs gives the whole economy back: the public's.
            let open_data: f64 = economy
                .iter()
                .filter(|r| !r.protected && g.commune_position(&r.code_insee).is_some_and(|c| {
                    let commune = &g.communes[c];
                    z == c
                        || z == cube.space.index(Level::Epci, commune.epci)
                        || z == cube.space.index(Level::Territory, commune.territory)
                }))
                .map(|r| r.jobs)
                .sum();
            prop_assert!((cube.economy_published[z].jobs - open_data).abs() < 1e-6, "zone {}", z);
        }
    }
}

/// The audit is not vacuous: it finds a protected establishment that a pattern
/// leaves published, or pinned by the published relations, or counted below the
/// département.
#[test]
fn the_audit_finds_what_a_careless_pattern_reveals() {
    let g = geography();
    let row = |commune: usize, section: &str, band: &str, protected: bool, n: u64| {
        let jobs = crate::ess::size::estimated_jobs(band);
        RegistryCell {
            code_insee: format!("9900{commune}"),
            family: Family::Association,
            naf_section: Some(section.to_owned()),
            size_band: Some(band.to_owned()),
            protected,
            stats: CellStats {
                establishments: n,
                employers: if jobs > 0.0 { n } else { 0 },
                jobs: jobs * n as f64,
                max_jobs: jobs,
            },
        }
    };
    // One protected association of 10 to 19 employees among public ones; three
    // protected non-employers.
    let rows = vec![
        row(0, "R", "11", true, 1),
        row(0, "R", "NN", false, 6),
        row(1, "S", "01", false, 5),
        row(2, "Q", "02", false, 4),
        row(3, "R", "NN", true, 3),
        row(5, "Q", "12", false, 3),
    ];
    let mut cube = build_cube(&g, 2023, &rows, &[]);
    let report = super::audit::audit(&g, &cube, &rows, &[]);
    assert!(report.passed(), "{}", report.to_text());
    assert!(report.sensitive_cells > 0);
    let sized = cube.cell(
        cube.space.index(Level::Department, 0),
        Category::Size(SizeClass::From10To49),
    );
    assert!(cube.ess_masked[sized], "the protected one's size class");

    // Published: read as it is.
    let masked = cube.ess_masked.clone();
    cube.ess_masked.iter_mut().for_each(|m| *m = false);
    let report = super::audit::audit(&g, &cube, &rows, &[]);
    assert!(
        report.failures.iter().any(|f| f.table == "registre"
            && f.cell.ends_with("taille 10-49")
            && f.relations.is_empty()),
        "{}",
        report.to_text()
    );
    // Masked alone: the département's total = Σ size classes pins it.
    cube.ess_masked[sized] = true;
    let report = super::audit::audit(&g, &cube, &rows, &[]);
    let pinned = report
        .failures
        .iter()
        .find(|f| f.table == "registre" && f.cell.ends_with("taille 10-49"))
        .expect("pinned");
    assert!(
        pinned.relations.iter().any(|r| r.contains("taille 1-9")),
        "{pinned:?}"
    );

    // Counted below the département: published − listed gives it away.
    cube.ess_masked = masked;
    cube.ess_published.clone_from(&cube.ess);
    let report = super::audit::audit(&g, &cube, &rows, &[]);
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.table == "liste" && f.cell == "commune 99000 × ESS"),
        "{}",
        report.to_text()
    );
}
