//! Importers of the files the product reads (SIRENE stock files, the observatory's
//! aggregates, the Département's SCDL subsidies), and the report every import ends
//! with.
//!
//! Import errors are data, not failures: a bad row is counted, kept in the report with
//! its file, line, field and reason, and skipped. Only a structural problem aborts
//! (a file missing or unreadable, a required column absent, a file damaged as
//! [`source`] describes, duplicated identifiers), before anything is written; an
//! import whose result is implausible against the edition it replaces is refused
//! ([`plausibility`]). Every message staff read is French ([`french`] writes its
//! numbers and quotes); report codes (`not_ess`, …) stay stable identifiers with a
//! French label ([`crate::records::report::exclusion_label`]). Writing an edition happens in one transaction ([`crate::db`]),
//! so readers see the previous edition or the new one, never a mix.

pub mod beneficiaries;
pub mod french;
pub mod import_dir;
pub mod observatory;
pub mod plausibility;
pub mod progress;
#[cfg(test)]
mod proptests;
pub mod report;
pub mod sirene;
pub mod source;
pub mod subsidies;

pub use report::ImportReport;

use std::path::PathBuf;

/// Why an import stopped before writing anything; its text names the file, the line
/// where the problem starts and what to do, in French.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "{} : impossible de lire le fichier ; vérifiez son chemin et ses droits d’accès",
        path.display()
    )]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} : {message}", path.display())]
    Archive { path: PathBuf, message: String },
    #[error(
        "{} : colonne «\u{a0}{column}\u{a0}» absente de l’en-tête (ligne 1) : est-ce le bon \
         fichier ?",
        path.display()
    )]
    MissingColumn { path: PathBuf, column: &'static str },
    #[error(
        "{}, ligne {line} : le fichier est illisible à partir de cette ligne ({message}) ; \
         vérifiez qu’il est bien un CSV en UTF-8, ou téléchargez-le de nouveau",
        path.display()
    )]
    Unreadable {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// The file is damaged or not the expected one: nothing of it is trusted.
    #[error("{}, ligne {line} : {message}", path.display())]
    Structural {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// The same identifier on several lines.
    #[error(
        "{} : {what} figure sur plusieurs lignes ({}) : le fichier est endommagé ou \
         assemble plusieurs extraits ; rien n’a été importé",
        path.display(),
        lines.join(" ; ")
    )]
    Duplicates {
        path: PathBuf,
        /// `"le même SIRET"`.
        what: &'static str,
        /// `"SIRET … aux lignes 12 et 40"`, the first few.
        lines: Vec<String>,
    },
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = ImportError> = std::result::Result<T, E>;
