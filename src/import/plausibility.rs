//! Plausibility of an import against the edition it replaces: a file can be
//! well-formed and still be the wrong one, or a part of the right one (a units file
//! cut at a line boundary, an extract of one EPCI). An import that would shrink an
//! edition by more than [`MAX_DROP`], or that rejected more than its kind's share of
//! rows, is refused with the figures, unless staff say they expect it
//! ([`Mode::AcceptDrop`], `--accept-drop` on the command line).
//!
//! Thresholds (README, « Imports et codes de sortie »):
//! - rows read or rows kept, per file, falling by more than 20 % compared with the
//!   report of the import being replaced (same edition, same kind);
//! - rejected rows above 1 % of the rows read (SIRENE: INSEE's files are
//!   machine-written) or 10 % (observatory, subsidies: written by people);
//! - the two rules above only from [`MIN_ROWS`] rows (of the previous import, or read):
//!   below, a few rows more or less are not a signal;
//! - SIRENE: more than 1 % of the establishments whose unit is missing from the units
//!   file (the units file is cut or from another date), whatever the previous edition.

use super::french::{count as fr, percent as fr_percent};
use super::report::kind_label;
use crate::records::ImportReport;

/// Largest accepted fall of rows read or kept, as a share of the previous import's.
pub const MAX_DROP: f64 = 0.20;
/// Largest share of rejected rows for SIRENE files.
pub const MAX_REJECTED_SIRENE: f64 = 0.01;
/// Largest share of rejected rows for files written by people.
pub const MAX_REJECTED_OTHER: f64 = 0.10;
/// Fewer rows than this are too few for the drop and rejection shares to mean anything.
pub const MIN_ROWS: u64 = 20;
/// Largest share of establishments whose unit is not in the units file.
pub const MAX_UNIT_NOT_FOUND: f64 = 0.01;

/// Whether the checks apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Check,
    /// Staff expect the edition to shrink or the rejections: import anyway (the report
    /// says so).
    AcceptDrop,
}

/// An import refused as implausible; nothing was changed.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} de l’édition {edition} refusé, rien n’a été modifié : {}. Vérifiez le fichier ; \
     si ce changement est attendu, relancez l’import avec --accept-drop",
    kind_label(kind),
    reasons.join(" ; ")
)]
pub struct Refusal {
    pub kind: String,
    pub edition: i64,
    pub reasons: Vec<String>,
}

/// What staff read first in a stored report, in French: per file, rows read, kept,
/// excluded (with the reasons' labels) and rejected.
#[must_use]
pub fn verdict(report: &ImportReport) -> String {
    let files: Vec<String> = report
        .files
        .iter()
        .map(|f| {
            let excluded = if f.excluded_total() == 0 {
                String::new()
            } else {
                format!(" (hors champ : {})", f.excluded_in_words())
            };
            format!("{}{excluded}", f.counts_in_words())
        })
        .collect();
    format!(
        "Édition {} remplacée par cet import. {}.",
        report.edition,
        files.join(" ; ")
    )
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The reasons to refuse `new`, compared with `previous` (the report of the import it
/// replaces, if any). Empty when plausible.
#[must_use]
pub fn concerns(previous: Option<&ImportReport>, new: &ImportReport) -> Vec<String> {
    let mut reasons = Vec::new();
    let max_rejected = if new.kind == "sirene" {
        MAX_REJECTED_SIRENE
    } else {
        MAX_REJECTED_OTHER
    };
    for f in &new.files {
        let rejected = share(f.rows_rejected, f.rows_read);
        if f.rows_read >= MIN_ROWS && rejected > max_rejected {
            reasons.push(format!(
                "{} : {} lignes rejetées sur {} ({}, plus de {})",
                f.file,
                fr(f.rows_rejected),
                fr(f.rows_read),
                fr_percent(rejected),
                fr_percent(max_rejected)
            ));
        }
    }
    if new.kind == "sirene"
        && let Some(et) = new.files.first()
    {
        let missing = et.rows_excluded.get("unit_not_found").copied().unwrap_or(0);
        let joined = et.rows_kept + et.excluded_total();
        if joined >= MIN_ROWS && share(missing, joined) > MAX_UNIT_NOT_FOUND {
            reasons.push(format!(
                "{} établissements du département n’ont pas leur unité légale dans le \
                 fichier des unités (plus de {}) : ce fichier est coupé ou d’une autre date",
                fr(missing),
                fr_percent(MAX_UNIT_NOT_FOUND)
            ));
        }
    }
    if let Some(previous) = previous {
        for (i, f) in new.files.iter().enumerate() {
            let Some(p) = previous.files.get(i) else {
                continue;
            };
            for (what, before, now) in [
                ("lignes lues", p.rows_read, f.rows_read),
                ("lignes conservées", p.rows_kept, f.rows_kept),
            ] {
                if before >= MIN_ROWS && (now as f64) < before as f64 * (1.0 - MAX_DROP) {
                    reasons.push(format!(
                        "{} : {} {what} contre {} dans l’import remplacé (une baisse de plus \
                         de {})",
                        f.file,
                        fr(now),
                        fr(before),
                        fr_percent(MAX_DROP)
                    ));
                }
            }
        }
    }
    reasons
}

/// Refuses `new` when [`concerns`] finds any, unless `mode` accepts them. An accepted
/// report gets its French [`verdict`] in its summary (`verdict`), and with
/// [`Mode::AcceptDrop`] the concerns staff accepted (`accepted_despite`).
pub fn check(
    previous: Option<&ImportReport>,
    new: &mut ImportReport,
    mode: Mode,
) -> Result<(), Refusal> {
    let reasons = concerns(previous, new);
    if reasons.is_empty() || mode == Mode::AcceptDrop {
        new.summary
            .insert("verdict".into(), serde_json::json!(verdict(new)));
        if !reasons.is_empty() {
            new.summary.insert(
                "accepted_despite".into(),
                serde_json::json!(
                    reasons
                        .iter()
                        .map(|r| format!("Importé malgré l’avertissement : {r}"))
                        .collect::<Vec<_>>()
                ),
            );
        }
        return Ok(());
    }
    Err(Refusal {
        kind: new.kind.clone(),
        edition: new.edition,
        reasons,
    })
}

/// Exit code of a structural abort (the file is damaged or not the expected one).
pub const EXIT_STRUCTURAL: u8 = 3;
/// Exit code of a plausibility refusal ([`Refusal`]).
pub const EXIT_IMPLAUSIBLE: u8 = 4;

/// The process exit code for an error: [`EXIT_STRUCTURAL`] when a file was refused,
/// [`EXIT_IMPLAUSIBLE`] for a [`Refusal`], 1 for anything else (database, usage).
#[must_use]
pub fn exit_code(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if cause.is::<Refusal>() {
            return EXIT_IMPLAUSIBLE;
        }
        if cause.is::<super::ImportError>() {
            return EXIT_STRUCTURAL;
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::report::FileReport;

    fn report(kind: &str, read: u64, kept: u64, rejected: u64) -> ImportReport {
        let mut r = ImportReport::new(kind, 2023);
        let mut f = FileReport::new("f.csv");
        f.rows_read = read;
        f.rows_kept = kept;
        f.rows_rejected = rejected;
        f.rows_excluded
            .insert("outside_departement".into(), read - kept - rejected);
        r.files.push(f);
        r
    }

    #[test]
    fn a_fall_of_more_than_a_fifth_is_refused_and_less_is_not() {
        let before = report("observatoire", 1000, 1000, 0);
        assert!(concerns(Some(&before), &report("observatoire", 801, 801, 0)).is_empty());
        let reasons = concerns(Some(&before), &report("observatoire", 799, 799, 0));
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(
            reasons[0].contains("799 lignes lues contre 1\u{a0}000"),
            "{reasons:?}"
        );
        // Below MIN_ROWS, a few rows more or less say nothing.
        let small = report("observatoire", 10, 10, 0);
        assert!(concerns(Some(&small), &report("observatoire", 5, 5, 0)).is_empty());
    }

    #[test]
    fn rejected_shares_depend_on_who_writes_the_file() {
        assert!(concerns(None, &report("sirene", 1000, 989, 11))[0].contains("1,1\u{a0}%"));
        assert!(concerns(None, &report("sirene", 1000, 990, 10)).is_empty());
        assert!(concerns(None, &report("subventions", 1000, 910, 90)).is_empty());
        assert_eq!(
            concerns(None, &report("subventions", 1000, 890, 110)).len(),
            1
        );
    }

    #[test]
    fn a_refusal_can_be_overridden_and_the_report_says_so_in_french() {
        let before = report("observatoire", 1000, 1000, 0);
        let mut new = report("observatoire", 500, 500, 0);
        assert!(check(Some(&before), &mut new, Mode::Check).is_err());
        assert!(!new.summary.contains_key("verdict"));
        check(Some(&before), &mut new, Mode::AcceptDrop).unwrap();
        assert_eq!(
            new.summary["verdict"],
            "Édition 2023 remplacée par cet import. f.csv : 500 lignes lues, 500 conservées, \
             0 hors champ, 0 rejetée."
        );
        assert_eq!(new.summary["accepted_despite"].as_array().unwrap().len(), 2);
        let mut excluded = report("sirene", 30, 20, 1);
        excluded.files[0]
            .rows_excluded
            .insert("outside_departement".into(), 8);
        excluded.files[0].exclude("not_ess");
        assert!(
            verdict(&excluded).contains(
                "30 lignes lues, 20 conservées, 9 hors champ, 1 rejetée (hors champ : unité \
                 légale hors ESS (1), hors du département (8))"
            ),
            "{}",
            verdict(&excluded)
        );
    }

    #[test]
    fn exit_codes_follow_the_kind_of_failure() {
        let refusal = anyhow::Error::new(Refusal {
            kind: "sirene".into(),
            edition: 2023,
            reasons: vec![],
        })
        .context("wrapped");
        assert_eq!(exit_code(&refusal), EXIT_IMPLAUSIBLE);
        let structural = anyhow::Error::new(crate::import::ImportError::Invalid("x".into()))
            .context("SIRENE import aborted");
        assert_eq!(exit_code(&structural), EXIT_STRUCTURAL);
        assert_eq!(exit_code(&anyhow::anyhow!("database is locked")), 1);
    }
}
