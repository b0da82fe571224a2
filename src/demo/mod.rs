//! Synthetic demonstration data in the real SIRENE stock format: the two INSEE files
//! (`StockUniteLegale_utf8.csv`, `StockEtablissement_utf8.csv`) for four editions of
//! the portrait, 2014, 2017, 2020 and 2023, built on whatever geography the server
//! runs with.
//!
//! Owns the generation only; importing the files is the importer's job, and nothing
//! here knows about the database. The files are what an importer meets in real life:
//! exact INSEE headers, the 2014 and 2017 files without the trailing NAF 2025 column
//! (34 and 53 columns), CRLF line endings in 2017, a UTF-8 byte order mark in 2020,
//! `[ND]` in the fields of partially diffusible units, closed establishments, ceased
//! units, establishments outside the département, and a few defective rows listed in
//! [`DemoFiles::defects`] with their line numbers.
//!
//! Every organisation is invented and its name carries `(DEMO nnnnn)`. The economy is
//! scaled to the département's salaried employment rather than to its number of
//! establishments: every employer is there, but only part of the very numerous
//! non-employer companies and sole traders, to keep each edition under 25 MB.
//! Postcodes are real for the main towns and borrowed from the nearest of them
//! elsewhere; the EPCI units carry the geography's real SIREN.
//!
//! Calibration of the 2023 edition, read back with the product's rules (see the
//! tests): 14,555 active ESS establishments (associations 86 %, coopératives 8.7 %,
//! mutuelles 4.2 %, fondations 1.0 %) of which 3,206 employers, three in four under 10
//! employees; 49,592 estimated ESS jobs, half in health and social action, 11.8 % of
//! the 419,000 estimated salaried jobs; plus 45 establishments of ESS commercial
//! companies. The 2023 ESS figures are exact for any seed (the size bands are dealt
//! from fixed counts, `data/counts.csv`); ESS jobs grow about 1 % a year from 2014.
//!
//! Deterministic: the same geography and seed give byte-identical files. Random draws
//! come from the module's own `SplitMix64` (see `rng.rs`), never from a crate.
//!
//! Steps: `model` builds the population with its whole history, then `rows` writes
//! each edition as seen at its reference date.
//!
//! Files: the calibration is data, `data/*.csv` (kinds of organisations, their counts
//! by size band, activities, lives), typed and checked by `profiles/`; `model.rs`
//! holds the population's records and the order of the steps, `private.rs` and
//! `public.rs` build the private economy and the public bodies; `places.rs`,
//! `names.rs`, `ids.rs`, `calendar.rs` and `rng.rs` are the generator's tools;
//! `rows.rs` writes the INSEE files and `scdl.rs` the subsidies file; `tests/` reads
//! the files back. `coconstruction` (in `records/demo_coconstruction.rs`) holds the demo's consultations, partners' and
//! CDESS's proposals as data (`db::demo` writes them).

mod calendar;
pub use crate::records::demo_coconstruction as coconstruction;
mod ids;
mod model;
mod names;
mod places;
mod private;
mod profiles;
mod public;
mod rng;
mod rows;
pub mod scdl;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::Context;

pub use rows::{ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS};

use crate::geography::Geography;
use calendar::Day;
use rows::Layout;

/// File name of the legal units stock, as INSEE publishes it.
pub const UNITES_LEGALES_FILE: &str = "StockUniteLegale_utf8.csv";
/// File name of the establishments stock, as INSEE publishes it.
pub const ETABLISSEMENTS_FILE: &str = "StockEtablissement_utf8.csv";

/// The seed the demo is meant to be generated with (any seed gives the same
/// calibration; this one gives the files the documentation describes).
pub const DEFAULT_SEED: u64 = 62;

/// One edition of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoEdition {
    pub year: u16,
    /// `AAAA-MM-JJ`.
    pub reference_date: &'static str,
}

/// The four demo editions, three years apart as the portrait's refresh requires.
pub const DEMO_EDITIONS: [DemoEdition; 4] = [
    DemoEdition {
        year: 2014,
        reference_date: "2014-12-31",
    },
    DemoEdition {
        year: 2017,
        reference_date: "2017-12-31",
    },
    DemoEdition {
        year: 2020,
        reference_date: "2020-12-31",
    },
    DemoEdition {
        year: 2023,
        reference_date: "2023-12-31",
    },
];

/// Which of the two files a defect is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoFile {
    UnitesLegales,
    Etablissements,
}

/// A deliberately defective row, that a strict importer must reject and report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoDefect {
    pub file: DemoFile,
    /// 1-based line as an editor shows it; the header is line 1.
    pub line: u64,
    /// The row's `siret` (establishments) or `siren` (units), as written.
    pub identifier: String,
    /// The faulty column.
    pub column: &'static str,
    /// The faulty value, as written.
    pub value: String,
    /// What the import report should say about it.
    pub problem: &'static str,
}

/// The files written for one edition.
#[derive(Debug, Clone)]
pub struct DemoFiles {
    pub year: u16,
    pub reference_date: String,
    pub unites_legales: PathBuf,
    pub etablissements: PathBuf,
    /// The defective rows: the units file's, then the establishments file's, by line.
    pub defects: Vec<DemoDefect>,
}

fn layout(year: u16) -> Layout {
    Layout {
        naf25: year >= 2020,
        crlf: year == 2017,
        bom: year == 2020,
    }
}

/// Writes `{out}/{year}/StockUniteLegale_utf8.csv` and
/// `{out}/{year}/StockEtablissement_utf8.csv` for each demo edition.
///
/// `scale` multiplies the organisations of every kind (1 is the Pas-de-Calais
/// calibration the module docs describe; public bodies follow the geography's
/// communes whatever the scale): about 100 gives the volumes of all of France on
/// the national geography, some 1.5 M ESS establishments.
///
/// CPU-bound (a few seconds in a debug build, one thread per edition for the
/// writing): call it off the async runtime.
pub fn write_demo(
    geography: &Geography,
    seed: u64,
    scale: u32,
    out: &Path,
) -> anyhow::Result<Vec<DemoFiles>> {
    let population = model::build(geography, seed, scale);
    let places = places::Places::new(geography);
    let write = |edition: DemoEdition| -> anyhow::Result<DemoFiles> {
        let dir = out.join(edition.year.to_string());
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let unites_legales = dir.join(UNITES_LEGALES_FILE);
        let etablissements = dir.join(ETABLISSEMENTS_FILE);
        let create = |path: &Path| {
            File::create(path)
                .map(|f| BufWriter::with_capacity(1 << 16, f))
                .with_context(|| format!("cannot create {}", path.display()))
        };
        let defects = rows::write_edition(
            &population,
            &places,
            reference_day(edition)?,
            layout(edition.year),
            create(&unites_legales)?,
            create(&etablissements)?,
        )
        .with_context(|| {
            format!(
                "cannot write the {} demo edition in {}",
                edition.year,
                dir.display()
            )
        })?;
        Ok(DemoFiles {
            year: edition.year,
            reference_date: edition.reference_date.to_owned(),
            unites_legales,
            etablissements,
            defects,
        })
    };
    each_edition(write)
}

/// Runs `f` on every edition, one thread each (the population is shared read-only),
/// and returns the results in edition order.
fn each_edition<T: Send>(
    f: impl Fn(DemoEdition) -> anyhow::Result<T> + Sync,
) -> anyhow::Result<Vec<T>> {
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = DEMO_EDITIONS
            .into_iter()
            .map(|edition| scope.spawn(move || f(edition)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn reference_day(edition: DemoEdition) -> anyhow::Result<Day> {
    Day::parse(edition.reference_date)
        .with_context(|| format!("bad demo reference date {}", edition.reference_date))
}

/// One edition written to memory: units file, establishments file, defects.
#[cfg(test)]
pub(crate) struct Rendered {
    pub year: u16,
    pub unites_legales: Vec<u8>,
    pub etablissements: Vec<u8>,
    pub defects: Vec<DemoDefect>,
}

/// [`write_demo`] to memory, for tests.
#[cfg(test)]
pub(crate) fn render_demo(
    geography: &Geography,
    seed: u64,
    scale: u32,
) -> anyhow::Result<Vec<Rendered>> {
    let population = model::build(geography, seed, scale);
    let places = places::Places::new(geography);
    each_edition(|edition| {
        let mut unites_legales = Vec::new();
        let mut etablissements = Vec::new();
        let defects = rows::write_edition(
            &population,
            &places,
            reference_day(edition)?,
            layout(edition.year),
            &mut unites_legales,
            &mut etablissements,
        )?;
        Ok(Rendered {
            year: edition.year,
            unites_legales,
            etablissements,
            defects,
        })
    })
}
