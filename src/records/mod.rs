//! Plain records shared by the layers that read files, store them and compute on them:
//! the rows and cells an edition is made of, and the report every import ends with.
//! `import/` and `demo/` make them, `db/` writes and reads them, `indicators/` computes
//! on them.
//!
//! Why a layer of its own: `db/`, `import/` and `demo/` are siblings (crate docs), so
//! the types they exchange cannot live in any of them, nor in `indicators/` above
//! them, without the database depending on a file reader or on the figures. Here they
//! depend on nothing but the foundations (`ess`, `geography`).
//!
//! Owns data and what belongs to the data itself (a report's codes and their French
//! labels, its stored form; a line's amount to the cent; a cell's sum); no I/O, no
//! SQL, no file format, no rule: reading files stays in `import`, the secret
//! statistique in `indicators`, SQL in `db`.
//!
//! - [`report`]: the import report ([`ImportReport`]), stored with the edition;
//! - [`sirene`]: an edition's registry as the SIRENE import reads it;
//! - [`observatory`]: the observatory's aggregates of an edition;
//! - [`cells`]: the commune-level cells the indicators are built from;
//! - [`subsidies`]: subsidy lines, their matches to the registry, demo beneficiaries.

pub mod cells;
/// The demonstration's co-construction, written by `db::demo` (data only: here so that
/// `db` need not use `demo`).
pub mod demo_coconstruction;
pub mod observatory;
pub mod report;
pub mod sirene;
pub mod subsidies;

pub use report::ImportReport;
