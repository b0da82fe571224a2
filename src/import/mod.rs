//! Importers of the files the product reads (SIRENE stock files, the observatory's
//! aggregates, the Département's SCDL subsidies), and the report every import ends
//! with.
//!
//! Import errors are data, not failures: a bad row is counted, kept in the report with
//! its file, line, field and reason, and skipped. Only a structural problem aborts
//! (a file missing or unreadable, a required column absent, a file damaged as
//! [`source`] describes, duplicated identifiers), before anything is written; an
//! import whose result is implausible against the edition it replaces is refused
//! ([`plausibility`]). Writing an edition happens in one transaction ([`crate::db`]),
//! so readers see the previous edition or the new one, never a mix.

pub mod beneficiaries;
pub mod observatory;
pub mod plausibility;
#[cfg(test)]
mod proptests;
pub mod report;
pub mod sirene;
pub mod source;
pub mod subsidies;

pub use report::ImportReport;

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: cannot read the file", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Archive { path: PathBuf, message: String },
    #[error("{}: missing column {column:?}: is this the right file?", path.display())]
    MissingColumn { path: PathBuf, column: &'static str },
    #[error("{}: line {line}: the file is unreadable from here: {message}", path.display())]
    Unreadable {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// The file is damaged or not the expected one: nothing of it is trusted.
    #[error("{}: line {line}: {message}", path.display())]
    Structural {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// The same identifier on several lines.
    #[error("{}: {what} appears on several lines ({}): the file is damaged or was assembled from several extracts; nothing was imported", path.display(), lines.join("; "))]
    Duplicates {
        path: PathBuf,
        what: &'static str,
        /// `"SIRET … on lines 12 and 40"`, the first few.
        lines: Vec<String>,
    },
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = ImportError> = std::result::Result<T, E>;
