//! The import report in words, for terminals, logs and the plausibility verdicts: the
//! name of each import kind ([`kind_label`]), each file's counts and exclusions, and
//! one line for the whole report, in French with French numbers ([`super::french`]).
//!
//! The report itself — what was read, kept, excluded and rejected, its codes and their
//! labels, its stored form — is a plain record, [`crate::records::report`], so that the
//! database stores it without knowing the importers.

use super::french::{count, counted};
// The report's path for the API tests and scripts (`import::report::FileReport`).
use crate::records::report::exclusion_label;
pub use crate::records::report::{FileReport, ImportReport};

/// The French name of an import kind (`sirene`, `observatoire`, `subventions`).
#[must_use]
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "sirene" => "import SIRENE",
        "observatoire" => "import de l’observatoire",
        "subventions" => "import des subventions",
        _ => "import",
    }
}

impl FileReport {
    /// The counts as staff read them: `f.csv : 20 lignes lues, 18 conservées, 1 hors
    /// champ, 1 rejetée`.
    #[must_use]
    pub fn counts_in_words(&self) -> String {
        format!(
            "{} : {}, {}, {} hors champ, {}",
            self.file,
            counted(self.rows_read, "ligne lue", "lignes lues"),
            counted(self.rows_kept, "conservée", "conservées"),
            count(self.excluded_total()),
            counted(self.rows_rejected, "rejetée", "rejetées"),
        )
    }

    /// The exclusions as staff read them: `hors du département (12), unité légale hors
    /// ESS (3)`.
    #[must_use]
    pub fn excluded_in_words(&self) -> String {
        self.rows_excluded
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(code, n)| format!("{} ({})", exclusion_label(code), count(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl ImportReport {
    /// One line for logs and terminals, in French.
    #[must_use]
    pub fn one_line(&self) -> String {
        let files: Vec<String> = self.files.iter().map(FileReport::counts_in_words).collect();
        let seconds = format!("{:.1}", self.seconds).replace('.', ",");
        format!(
            "{} de l’édition {} en {seconds} s — {} ; {}",
            kind_label(&self.kind),
            self.edition,
            files.join(" ; "),
            counted(self.warnings_total, "avertissement", "avertissements")
        )
    }
}
