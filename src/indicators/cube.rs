//! The cube of one edition: every zone (communes, EPCI, territories, département) ×
//! every category (ESS total, each family, each NAF section, each size class), with
//! the statistics the indicators and the secret statistique need, and the masked
//! pattern every public output applies.
//!
//! Steps: fold the registry's commune-level cells into categories; roll communes up
//! to EPCI, territories and the département (following the current mapping); list the
//! additive equations readers know; run [`super::secret::suppress`]. The whole
//! economy (ESS or not, the denominator of employment shares) gets its own zone-level
//! table and pattern. The Département's subsidies to the ESS are placed and rolled up
//! the same way ([`add_subsidies`]). Pure: the rows come from the database layer.

use std::collections::HashMap;

use super::secret::{Equation, suppress};
use crate::ess::Family;
use crate::ess::category::{CATEGORIES, Category, SECTIONS};
use crate::ess::size::{SizeClass, estimated_jobs};
use crate::geography::{Geography, Level};
use crate::records::cells::{CellStats, EconomyRow, RegistryCell, SubsidyCell};
use crate::records::observatory::ObservatoryRow;

/// Positions of zones of every level in one index space: communes, then EPCI, then
/// territories, then the département.
#[derive(Debug, Clone, Copy)]
pub struct ZoneSpace {
    pub communes: usize,
    pub epci: usize,
    pub territories: usize,
}

impl ZoneSpace {
    #[must_use]
    pub fn of(g: &Geography) -> Self {
        Self {
            communes: g.communes.len(),
            epci: g.epci.len(),
            territories: g.territories.len(),
        }
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.communes + self.epci + self.territories + 1
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The level of the zone at `index`.
    #[must_use]
    pub fn level_of(&self, index: usize) -> Level {
        if index < self.communes {
            Level::Commune
        } else if index < self.communes + self.epci {
            Level::Epci
        } else if index < self.communes + self.epci + self.territories {
            Level::Territory
        } else {
            Level::Department
        }
    }

    /// Index of the zone at `position` in its level's list (0 for the département).
    #[must_use]
    pub fn index(&self, level: Level, position: usize) -> usize {
        match level {
            Level::Commune => position,
            Level::Epci => self.communes + position,
            Level::Territory => self.communes + self.epci + position,
            Level::Department => self.communes + self.epci + self.territories,
        }
    }
}

/// A figure of the observatory, where it has one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObservatoryCell {
    pub establishments: Option<u64>,
    pub jobs: Option<f64>,
    /// Masked by the observatory, by our primary rule, or by secondary masking.
    pub masked: bool,
}

/// The observatory's figures of an edition, keyed like the cube: ESS cells by cube
/// cell index (total, families, sectors), the whole economy by zone index.
#[derive(Debug, Clone, Default)]
pub struct Observatory {
    pub ess: HashMap<usize, ObservatoryCell>,
    pub economy: HashMap<usize, ObservatoryCell>,
}

/// Masks `cells` (a sparse table keyed by the indices the `equations` use): cells the
/// observatory masked, cells failing the primary rule, then secondary masking on the
/// equations whose every cell the table holds (other equations mix sources, which do
/// not add up, so a reader cannot subtract across them).
fn mask_sparse(cells: &mut HashMap<usize, ObservatoryCell>, equations: &[Equation]) {
    let keys: Vec<usize> = {
        let mut k: Vec<usize> = cells.keys().copied().collect();
        k.sort_unstable();
        k
    };
    let position: HashMap<usize, usize> = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let stats: Vec<CellStats> = keys
        .iter()
        .map(|k| {
            let c = &cells[k];
            CellStats {
                establishments: c.establishments.unwrap_or(0),
                employers: c.establishments.unwrap_or(0),
                jobs: c.jobs.unwrap_or(0.0),
                max_jobs: 0.0,
            }
        })
        .collect();
    let given: Vec<bool> = keys.iter().map(|k| cells[k].masked).collect();
    let local: Vec<Equation> = equations
        .iter()
        .filter_map(|eq| {
            Some(Equation {
                total: *position.get(&eq.total)?,
                parts: eq
                    .parts
                    .iter()
                    .map(|p| position.get(p).copied())
                    .collect::<Option<Vec<_>>>()?,
            })
        })
        .collect();
    let masked = suppress(&stats, &local, Some(&given));
    for (k, m) in keys.iter().zip(masked) {
        if let Some(c) = cells.get_mut(k) {
            c.masked = m;
        }
    }
}

/// Places the observatory rows in the cube's index space and masks them.
#[must_use]
pub fn build_observatory(g: &Geography, cube: &Cube, rows: &[ObservatoryRow]) -> Observatory {
    let space = cube.space;
    let zone_of = |row: &ObservatoryRow| -> Option<usize> {
        let position = match row.level {
            Level::Commune => g.commune_position(&row.code)?,
            Level::Epci => g
                .epci
                .binary_search_by(|e| e.zone.code.as_str().cmp(&row.code))
                .ok()?,
            Level::Territory => g
                .territories
                .binary_search_by(|t| t.zone.code.as_str().cmp(&row.code))
                .ok()?,
            Level::Department => 0,
        };
        Some(space.index(row.level, position))
    };
    let mut obs = Observatory::default();
    for row in rows {
        let Some(zone) = zone_of(row) else { continue };
        let cell = ObservatoryCell {
            establishments: row.establishments,
            jobs: row.jobs,
            masked: row.masked,
        };
        let category = match (row.family.as_str(), row.sector.as_str()) {
            ("economy", _) => {
                obs.economy.insert(zone, cell);
                continue;
            }
            ("ess", "") => Category::Total,
            ("ess", s) => match Category::sector(s) {
                Some(c) => c,
                None => continue,
            },
            (f, "") => match Family::from_id(f) {
                Some(f) => Category::Family(f),
                None => continue,
            },
            _ => continue,
        };
        obs.ess.insert(cube.cell(zone, category), cell);
    }
    mask_sparse(&mut obs.ess, &cube.ess_equations);
    mask_sparse(&mut obs.economy, &cube.economy_equations);
    // Then protection intervals against the reader of the observatory's figures.
    let space = cube.space;
    super::audit::protect_observatory(&mut obs.ess, &cube.ess_equations, |c| {
        super::labels::cell_label(g, space, c)
    });
    super::audit::protect_observatory(&mut obs.economy, &cube.economy_equations, |z| {
        super::labels::zone_label(g, space, z)
    });
    obs
}

/// One edition's cube with its masked patterns.
#[derive(Debug, Clone)]
pub struct Cube {
    pub edition: i64,
    pub space: ZoneSpace,
    /// `zone * CATEGORIES + category.index()`: exact figures, protected
    /// establishments included everywhere (staff's restricted view).
    pub ess: Vec<CellStats>,
    /// What the public is shown: protected establishments counted only at the
    /// levels of [`counts_protected`], so that below them every figure is the public
    /// list's and reveals nothing of them.
    pub ess_published: Vec<CellStats>,
    /// The public pattern: protection of protected establishments at the counting
    /// levels ([`super::audit`]), then the primary and secondary rules.
    pub ess_masked: Vec<bool>,
    pub ess_equations: Vec<Equation>,
    /// One cell per zone: every active establishment, ESS or not (staff's view).
    pub economy: Vec<CellStats>,
    /// What the public is shown: protected establishments counted only at the levels
    /// of [`counts_protected`], as for the ESS (SIRENE open data lists every public
    /// establishment, so anything more below them would reveal a protected one).
    pub economy_published: Vec<CellStats>,
    /// Primary and secondary rules on `economy_published`; the département's figure
    /// is masked too when its protected part is sensitive.
    pub economy_masked: Vec<bool>,
    pub economy_equations: Vec<Equation>,
    /// The observatory's figures, which take precedence where present.
    pub observatory: Observatory,
    /// The Département's subsidies to ESS establishments, euros, indexed like `ess`.
    /// Public data: no mask of their own (see [`super::value`]).
    pub subsidies: Vec<f64>,
    /// The same as published: subsidies to protected establishments placed only at
    /// the levels of [`counts_protected`] (the SCDL file names the beneficiary, the
    /// figure would place it).
    pub subsidies_published: Vec<f64>,
    /// Whether the edition has a subsidies file (else subsidy figures are `None`).
    pub has_subsidies: bool,
}

impl Cube {
    #[must_use]
    pub fn cell(&self, zone: usize, category: Category) -> usize {
        zone * CATEGORIES + category.index()
    }
}

/// Builds the cube of an edition. Rows of communes the geography does not know are
/// ignored (the registry only holds communes of the geography).
#[must_use]
#[allow(clippy::too_many_lines)] // every breakdown of the cube filled in one pass over the registry cells
pub fn build_cube(
    g: &Geography,
    edition: i64,
    registry: &[RegistryCell],
    economy: &[EconomyRow],
) -> Cube {
    let space = ZoneSpace::of(g);
    let mut public = vec![CellStats::default(); space.len() * CATEGORIES];
    let mut protected = vec![CellStats::default(); space.len() * CATEGORIES];
    let mut eco = vec![CellStats::default(); space.len()];
    let mut eco_protected = vec![CellStats::default(); space.len()];

    for row in registry {
        let Some(c) = g.commune_position(&row.code_insee) else {
            continue;
        };
        let categories = categories_of(
            row.family,
            row.naf_section.as_deref(),
            row.size_band.as_deref(),
        );
        let target = if row.protected {
            &mut protected
        } else {
            &mut public
        };
        for cat in categories {
            target[c * CATEGORIES + cat.index()].add(&row.stats);
        }
    }
    for row in economy {
        let Some(c) = g.commune_position(&row.code_insee) else {
            continue;
        };
        let largest = if row.establishments > 0 {
            estimated_jobs(&row.size_band)
        } else {
            0.0
        };
        let stats = CellStats {
            establishments: row.establishments,
            employers: row.employers,
            jobs: row.jobs,
            max_jobs: largest,
        };
        if row.protected {
            eco_protected[c].add(&stats);
        } else {
            eco[c].add(&stats);
        }
    }

    // Roll communes up: each commune into its EPCI, territory and the département.
    let dept = space.index(Level::Department, 0);
    roll_up(g, space, &mut public);
    roll_up(g, space, &mut protected);
    for (c, commune) in g.communes.iter().enumerate() {
        let parents = [
            space.index(Level::Epci, commune.epci),
            space.index(Level::Territory, commune.territory),
            dept,
        ];
        for p in parents {
            let (from, hidden) = (eco[c], eco_protected[c]);
            eco[p].add(&from);
            eco_protected[p].add(&hidden);
        }
    }
    let economy_published = eco.clone();
    for (z, hidden) in eco_protected.iter().enumerate() {
        eco[z].add(hidden);
    }
    let economy_published: Vec<CellStats> = (0..space.len())
        .map(|z| {
            if counts_protected(space.level_of(z)) {
                eco[z]
            } else {
                economy_published[z]
            }
        })
        .collect();
    let ess: Vec<CellStats> = public
        .iter()
        .zip(&protected)
        .map(|(a, b)| {
            let mut x = *a;
            x.add(b);
            x
        })
        .collect();
    let ess_published: Vec<CellStats> = (0..ess.len())
        .map(|i| {
            if counts_protected(space.level_of(i / CATEGORIES)) {
                ess[i]
            } else {
                public[i]
            }
        })
        .collect();
    drop(public);

    // The equations readers know.
    let hierarchy: Vec<(usize, Vec<usize>)> = g
        .epci
        .iter()
        .enumerate()
        .map(|(e, x)| (space.index(Level::Epci, e), x.communes.clone()))
        .chain(g.territories.iter().enumerate().map(|(t, x)| {
            (
                space.index(Level::Territory, t),
                x.epci
                    .iter()
                    .map(|&e| space.index(Level::Epci, e))
                    .collect(),
            )
        }))
        .chain(std::iter::once((
            dept,
            (0..g.territories.len())
                .map(|t| space.index(Level::Territory, t))
                .collect(),
        )))
        .collect();
    let mut ess_equations = Vec::new();
    let families_in_totals: Vec<Category> = Family::ALL
        .into_iter()
        .filter(|f| f.in_statistical_totals())
        .map(Category::Family)
        .collect();
    let sections: Vec<Category> = SECTIONS.map(Category::Sector).to_vec();
    let sizes: Vec<Category> = SizeClass::ALL.map(Category::Size).to_vec();
    for z in 0..space.len() {
        for dimension in [&families_in_totals, &sections, &sizes] {
            ess_equations.push(Equation {
                total: z * CATEGORIES,
                parts: dimension
                    .iter()
                    .map(|c| z * CATEGORIES + c.index())
                    .collect(),
            });
        }
    }
    let mut economy_equations = Vec::new();
    for (parent, children) in &hierarchy {
        for k in 0..CATEGORIES {
            ess_equations.push(Equation {
                total: parent * CATEGORIES + k,
                parts: children.iter().map(|c| c * CATEGORIES + k).collect(),
            });
        }
        economy_equations.push(Equation {
            total: *parent,
            parts: children.clone(),
        });
    }

    // Protected establishments first (their part of each cell at the counting levels
    // is the reader's unknown), then the primary and secondary rules on what is shown.
    let (mut table, cells) = super::audit::protected_table(
        g,
        space,
        &ess_equations,
        &protected,
        |_| [true; 3],
        |c| ess_published[c].jobs,
    );
    super::reader::protect(&mut table);
    let mut already = vec![false; ess.len()];
    for (t, &c) in cells.iter().enumerate() {
        already[c] = !table.cells[t].published.iter().any(|p| *p);
    }
    let ess_masked = suppress(&ess_published, &ess_equations, Some(&already));
    // Published minus the territories' (public) figures is the protected part: masked
    // where it would say too much of one establishment, like the ESS cells.
    let hidden: Vec<bool> = (0..space.len())
        .map(|z| {
            counts_protected(space.level_of(z))
                && super::audit::sensitive_protected(&eco_protected[z])
        })
        .collect();
    let economy_masked = suppress(&economy_published, &economy_equations, Some(&hidden));
    Cube {
        edition,
        space,
        ess,
        ess_published,
        ess_masked,
        ess_equations,
        economy: eco,
        economy_published,
        economy_masked,
        economy_equations,
        observatory: Observatory::default(),
        subsidies: Vec::new(),
        subsidies_published: Vec::new(),
        has_subsidies: false,
    }
}

/// Whether public figures of zones of `level` count protected establishments (BRIEF
/// rule 5). Only the département's: it holds enough of them that their total says
/// nothing of any one, and its breakdown cells where too few fall together are
/// protected by [`super::reader`]. Below it, every public figure is the public list's,
/// so no zone, family, sector or size class reveals one; staff see exact figures.
#[must_use]
pub fn counts_protected(level: Level) -> bool {
    level == Level::Department
}

/// Adds every commune's cells into its EPCI, territory and the département.
fn roll_up(g: &Geography, space: ZoneSpace, cells: &mut [CellStats]) {
    let dept = space.index(Level::Department, 0);
    for (c, commune) in g.communes.iter().enumerate() {
        for p in [
            space.index(Level::Epci, commune.epci),
            space.index(Level::Territory, commune.territory),
            dept,
        ] {
            for k in 0..CATEGORIES {
                let from = cells[c * CATEGORIES + k];
                cells[p * CATEGORIES + k].add(&from);
            }
        }
    }
}

/// The categories a registry row of `family`, `naf_section` and `size_band` counts in:
/// its family, and for the four families the ESS total, its section and size class.
pub(crate) fn categories_of(
    family: Family,
    naf_section: Option<&str>,
    size_band: Option<&str>,
) -> Vec<Category> {
    let mut categories = vec![Category::Family(family)];
    if family.in_statistical_totals() {
        let section = naf_section
            .and_then(Category::sector)
            .unwrap_or(Category::Sector(""));
        categories.extend([
            Category::Total,
            section,
            Category::Size(SizeClass::of_band(size_band)),
        ]);
    }
    categories
}

/// Adds the edition's subsidies to `cube`, placed and rolled up like the registry.
/// `any` says whether the edition has a subsidies file at all.
pub fn add_subsidies(g: &Geography, cube: &mut Cube, cells: &[SubsidyCell], any: bool) {
    let space = cube.space;
    let mut public = vec![0.0; space.len() * CATEGORIES];
    let mut protected = vec![0.0; space.len() * CATEGORIES];
    for row in cells {
        let Some(c) = g.commune_position(&row.code_insee) else {
            continue;
        };
        let target = if row.protected {
            &mut protected
        } else {
            &mut public
        };
        for cat in categories_of(
            row.family,
            row.naf_section.as_deref(),
            row.size_band.as_deref(),
        ) {
            target[c * CATEGORIES + cat.index()] += row.granted;
        }
    }
    let dept = space.index(Level::Department, 0);
    for sums in [&mut public, &mut protected] {
        for (c, commune) in g.communes.iter().enumerate() {
            for p in [
                space.index(Level::Epci, commune.epci),
                space.index(Level::Territory, commune.territory),
                dept,
            ] {
                for k in 0..CATEGORIES {
                    sums[p * CATEGORIES + k] += sums[c * CATEGORIES + k];
                }
            }
        }
    }
    cube.subsidies = public.iter().zip(&protected).map(|(a, b)| a + b).collect();
    cube.subsidies_published = (0..public.len())
        .map(|i| {
            if counts_protected(space.level_of(i / CATEGORIES)) {
                cube.subsidies[i]
            } else {
                public[i]
            }
        })
        .collect();
    cube.has_subsidies = any;
}

/// The masked pattern of an evolution between `from` and `to`: a cell is masked when
/// it is masked in either edition (else a published difference and a published value
/// would give the masked one), then secondary secrecy on the differences.
#[must_use]
pub fn evolution_masks(from: &Cube, to: &Cube) -> (Vec<bool>, Vec<bool>) {
    let union =
        |a: &[bool], b: &[bool]| -> Vec<bool> { a.iter().zip(b).map(|(x, y)| *x || *y).collect() };
    let ess = suppress(
        &to.ess_published,
        &to.ess_equations,
        Some(&union(&from.ess_masked, &to.ess_masked)),
    );
    let economy = suppress(
        &to.economy_published,
        &to.economy_equations,
        Some(&union(&from.economy_masked, &to.economy_masked)),
    );
    (ess, economy)
}
