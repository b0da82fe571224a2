//! The import report: what was read, kept, excluded (by reason) and rejected (with
//! file, line, field and reason). Made by the importers, stored with the edition by the
//! database layer, readable by CLI and API.
//!
//! Its text is French, for staff; its codes (`kind`, the exclusion reasons) are stable
//! identifiers that scripts and the API rely on, each with a French label
//! ([`exclusion_label`], [`crate::import::report::kind_label`]). Serialised, a report
//! carries those labels beside the codes (`rows_excluded_labels`) and each row issue its
//! whole sentence (`message`); both are derived, recomputed whenever a report is written
//! out. The report in words for terminals and logs (`one_line`, …) is the importers'
//! ([`crate::import::report`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

/// The French label of an exclusion reason code (`rows_excluded`), for staff.
#[must_use]
pub fn exclusion_label(code: &str) -> &'static str {
    match code {
        "outside_departement" => "hors du département",
        "closed" => "fermé à la date de référence",
        "created_after_reference_date" => "créé après la date de référence",
        "not_ess" => "unité légale hors ESS",
        "excluded_activity_public_administration" => {
            "activité exclue du périmètre : administration publique (NAF 84)"
        }
        "excluded_activity_organisation" => {
            "activité exclue du périmètre : organisation patronale, syndicale, religieuse \
             ou politique (NAF 94.11Z, 94.20Z, 94.91Z, 94.92Z)"
        }
        "unit_not_found" => "unité légale absente du fichier des unités",
        "no_establishment_in_scope" => "aucun établissement retenu dans le département",
        "not_in_scope" => "établissement non retenu dans l’édition",
        "no_usable_coordinates" => "coordonnées inutilisables",
        _ => "autre motif",
    }
}

/// Rejected rows and warnings are kept in full up to this many; all are counted.
pub const MAX_DETAILED: usize = 100;

/// One problem on one row.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RowIssue {
    pub file: String,
    /// Line in the file as an editor shows it (header = 1); 0 for the whole file.
    pub line: u64,
    /// Column name, or `""` when the whole row is at fault.
    pub field: String,
    /// What was found and what to do, in French.
    pub reason: String,
}

impl RowIssue {
    /// The issue as staff read it:
    /// `f.csv, ligne 9, colonne « dateConvention » : « 2023-02-30 » est une date impossible…`.
    #[must_use]
    pub fn message(&self) -> String {
        let line = if self.line > 0 {
            format!(", ligne {}", self.line)
        } else {
            String::new()
        };
        let field = if self.field.is_empty() {
            String::new()
        } else {
            format!(", colonne «\u{a0}{}\u{a0}»", self.field)
        };
        let out = format!("{}{line}{field}", self.file);
        format!("{out} : {}", self.reason)
    }
}

impl Serialize for RowIssue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            file: &'a str,
            line: u64,
            field: &'a str,
            reason: &'a str,
            message: String,
        }
        Out {
            file: &self.file,
            line: self.line,
            field: &self.field,
            reason: &self.reason,
            message: self.message(),
        }
        .serialize(serializer)
    }
}

/// Counts for one input file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
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

impl Serialize for FileReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            file: &'a str,
            rows_read: u64,
            rows_kept: u64,
            rows_excluded: &'a BTreeMap<String, u64>,
            /// The French label of each code of `rows_excluded`.
            rows_excluded_labels: BTreeMap<&'a str, &'static str>,
            rows_rejected: u64,
        }
        Out {
            file: &self.file,
            rows_read: self.rows_read,
            rows_kept: self.rows_kept,
            rows_excluded: &self.rows_excluded,
            rows_excluded_labels: self
                .rows_excluded
                .keys()
                .map(|code| (code.as_str(), exclusion_label(code)))
                .collect(),
            rows_rejected: self.rows_rejected,
        }
        .serialize(serializer)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub kind: String,
    pub edition: i64,
    /// Per file: `file`, `rows_read`, `rows_kept`, `rows_excluded` (by reason),
    /// `rows_excluded_labels`, `rows_rejected`.
    #[schema(value_type = Vec<Object>)]
    pub files: Vec<FileReport>,
    /// First [`MAX_DETAILED`] rejected rows (`file`, `line`, `field`, `reason`).
    #[schema(value_type = Vec<Object>)]
    pub rejected: Vec<RowIssue>,
    /// Rows kept but worth a look (unknown catégorie juridique, point far from its
    /// commune, …): first [`MAX_DETAILED`].
    #[schema(value_type = Vec<Object>)]
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_serialised_report_keeps_its_codes_and_adds_their_french_labels() {
        let mut report = ImportReport::new("sirene", 2023);
        let mut file = FileReport::new("StockEtablissement_utf8.csv");
        file.rows_read = 3;
        file.exclude("not_ess");
        file.exclude("outside_departement");
        report.reject(&mut file, 4, "siret", "SIRET «\u{a0}12\u{a0}» : …".into());
        report.files.push(file);
        let json = serde_json::to_value(&report).unwrap();
        let f = &json["files"][0];
        assert_eq!(f["rows_excluded"]["not_ess"], 1);
        assert_eq!(
            f["rows_excluded_labels"]["not_ess"],
            "unité légale hors ESS"
        );
        assert_eq!(
            f["rows_excluded_labels"]["outside_departement"],
            "hors du département"
        );
        let issue = &json["rejected"][0];
        assert_eq!(
            (issue["line"].as_u64(), issue["field"].as_str()),
            (Some(4), Some("siret"))
        );
        assert_eq!(
            issue["message"],
            "StockEtablissement_utf8.csv, ligne 4, colonne «\u{a0}siret\u{a0}» : SIRET \
             «\u{a0}12\u{a0}» : …"
        );
        // The derived fields are ignored when a stored report is read back.
        let back: ImportReport = serde_json::from_value(json).unwrap();
        assert_eq!(back, report);
    }

    #[test]
    fn every_code_the_importers_use_has_a_label() {
        for code in [
            "outside_departement",
            "closed",
            "created_after_reference_date",
            "not_ess",
            "excluded_activity_public_administration",
            "excluded_activity_organisation",
            "unit_not_found",
            "no_establishment_in_scope",
            "not_in_scope",
            "no_usable_coordinates",
        ] {
            assert_ne!(exclusion_label(code), exclusion_label("?"), "{code}");
        }
    }
}
