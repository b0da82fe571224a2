//! The import report: what was read, kept, excluded (by reason) and rejected (with
//! file, line, field and reason). Stored with the edition, readable by CLI and API.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Rejected rows and warnings are kept in full up to this many; all are counted.
pub const MAX_DETAILED: usize = 100;

/// One problem on one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowIssue {
    pub file: String,
    pub line: u64,
    /// Column name, or `""` when the whole row is at fault.
    pub field: String,
    pub reason: String,
}

/// Counts for one input file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    pub file: String,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Rows the edition keeps.
    pub rows_kept: u64,
    /// Rows read but out of scope, by reason (`outside_departement`, `not_ess`, …).
    pub rows_excluded: BTreeMap<String, u64>,
    pub rows_rejected: u64,
}

impl FileReport {
    #[must_use]
    pub fn new(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            ..Self::default()
        }
    }

    #[must_use]
    pub fn excluded_total(&self) -> u64 {
        self.rows_excluded.values().sum()
    }

    pub fn exclude(&mut self, reason: &str) {
        *self.rows_excluded.entry(reason.to_owned()).or_default() += 1;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    pub kind: String,
    pub edition: i64,
    pub files: Vec<FileReport>,
    /// First [`MAX_DETAILED`] rejected rows.
    pub rejected: Vec<RowIssue>,
    /// Rows kept but worth a look (unknown catégorie juridique, point far from its
    /// commune, …): first [`MAX_DETAILED`].
    pub warnings: Vec<RowIssue>,
    pub warnings_total: u64,
    /// Free-form figures (establishments kept by family, jobs, …).
    pub summary: BTreeMap<String, serde_json::Value>,
    pub seconds: f64,
}

impl ImportReport {
    #[must_use]
    pub fn new(kind: &str, edition: i64) -> Self {
        Self {
            kind: kind.to_owned(),
            edition,
            ..Self::default()
        }
    }

    pub fn reject(&mut self, file: &mut FileReport, line: u64, field: &str, reason: String) {
        file.rows_rejected += 1;
        if self.rejected.len() < MAX_DETAILED {
            self.rejected.push(RowIssue {
                file: file.file.clone(),
                line,
                field: field.to_owned(),
                reason,
            });
        }
    }

    pub fn warn(&mut self, file: &str, line: u64, field: &str, reason: String) {
        self.warnings_total += 1;
        if self.warnings.len() < MAX_DETAILED {
            self.warnings.push(RowIssue {
                file: file.to_owned(),
                line,
                field: field.to_owned(),
                reason,
            });
        }
    }

    /// One line for logs and terminals.
    #[must_use]
    pub fn one_line(&self) -> String {
        let files: Vec<String> = self
            .files
            .iter()
            .map(|f| {
                format!(
                    "{}: {} read, {} kept, {} excluded, {} rejected",
                    f.file,
                    f.rows_read,
                    f.rows_kept,
                    f.excluded_total(),
                    f.rows_rejected
                )
            })
            .collect();
        format!(
            "{} import of edition {} in {:.1} s — {}; {} warnings",
            self.kind,
            self.edition,
            self.seconds,
            files.join("; "),
            self.warnings_total
        )
    }
}
