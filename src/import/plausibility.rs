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

use super::ImportReport;

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
    "{kind} import of edition {edition} refused, nothing was changed: {}. If this is \
     expected, run the import again with --accept-drop",
    reasons.join("; ")
)]
pub struct Refusal {
    pub kind: String,
    pub edition: i64,
    pub reasons: Vec<String>,
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
                "{}: {} of {} rows rejected ({:.1} %, more than {:.0} %)",
                f.file,
                f.rows_rejected,
                f.rows_read,
                rejected * 100.0,
                max_rejected * 100.0
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
                "{missing} establishments of the département have no unit in the units file \
                 (more than {:.0} %): the units file is cut or from another date",
                MAX_UNIT_NOT_FOUND * 100.0
            ));
        }
    }
    if let Some(previous) = previous {
        for (i, f) in new.files.iter().enumerate() {
            let Some(p) = previous.files.get(i) else {
                continue;
            };
            for (what, before, now) in [
                ("rows read", p.rows_read, f.rows_read),
                ("rows kept", p.rows_kept, f.rows_kept),
            ] {
                if before >= MIN_ROWS && (now as f64) < before as f64 * (1.0 - MAX_DROP) {
                    reasons.push(format!(
                        "{}: {now} {what} where the import it replaces had {before} \
                         (a fall of more than {:.0} %)",
                        f.file,
                        MAX_DROP * 100.0
                    ));
                }
            }
        }
    }
    reasons
}

/// Refuses `new` when [`concerns`] finds any, unless `mode` accepts them; with
/// [`Mode::AcceptDrop`] the concerns are kept in the report's summary.
pub fn check(
    previous: Option<&ImportReport>,
    new: &mut ImportReport,
    mode: Mode,
) -> Result<(), Refusal> {
    let reasons = concerns(previous, new);
    if reasons.is_empty() {
        return Ok(());
    }
    if mode == Mode::AcceptDrop {
        new.summary
            .insert("accepted_despite".into(), serde_json::json!(reasons));
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
