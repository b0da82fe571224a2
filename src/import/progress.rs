//! Where a SIRENE import says how far it got: on the terminal (the command line's
//! bar), to a shared [`ImportProgress`] that someone else reads (the browser polling a
//! job started from `/espace`), or nowhere (tests, the demonstration data).
//!
//! The reader updates the shared progress on every record with relaxed atomic stores
//! (a few nanoseconds against the microseconds a CSV record costs), so that a watcher
//! sees rows read and bytes consumed as they are, also on small or slow files. The
//! file name and its size change only when a file starts, under a mutex.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// Where the progress of an import goes.
#[derive(Debug, Clone, Default)]
pub enum Watch {
    /// Nowhere.
    #[default]
    None,
    /// A bar on standard error, when it is a terminal (the command line).
    Terminal,
    /// A shared [`ImportProgress`], read by another task.
    Shared(std::sync::Arc<ImportProgress>),
}

impl Watch {
    /// The shared progress, if any.
    #[must_use]
    pub fn shared(&self) -> Option<&ImportProgress> {
        match self {
            Self::Shared(p) => Some(p),
            _ => None,
        }
    }
}

/// The steps of a SIRENE import, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Not started yet.
    Waiting,
    Etablissements,
    UnitesLegales,
    Geolocalisation,
    /// Checks and the database transaction.
    Writing,
}

impl Step {
    /// French label, as staff read it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Waiting => "en attente",
            Self::Etablissements => "lecture des établissements",
            Self::UnitesLegales => "lecture des unités légales",
            Self::Geolocalisation => "lecture de la géolocalisation",
            Self::Writing => "contrôles et écriture dans la base de données",
        }
    }
}

#[derive(Debug)]
struct Current {
    step: Step,
    file: String,
    /// Bytes of the file as read (uncompressed for a ZIP entry); `None` when unknown
    /// (a pipe).
    bytes_total: Option<u64>,
}

/// Progress of one import, shared between the reading thread and its watchers.
#[derive(Debug)]
pub struct ImportProgress {
    current: Mutex<Current>,
    rows_read: AtomicU64,
    bytes_read: AtomicU64,
}

impl Default for ImportProgress {
    fn default() -> Self {
        Self {
            current: Mutex::new(Current {
                step: Step::Waiting,
                file: String::new(),
                bytes_total: None,
            }),
            rows_read: AtomicU64::new(0),
            bytes_read: AtomicU64::new(0),
        }
    }
}

/// What a watcher reads: the step, its file, rows and bytes read so far.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ProgressSnapshot {
    pub step: Step,
    #[schema(example = "lecture des établissements")]
    pub step_label: &'static str,
    /// The file being read (its name in a ZIP for an archive), empty between files.
    pub file: String,
    pub rows_read: u64,
    pub bytes_read: u64,
    pub bytes_total: Option<u64>,
    /// `bytes_read / bytes_total`, between 0 and 1, when the size is known.
    pub fraction: Option<f64>,
}

impl ImportProgress {
    /// A file starts: its step, name and size; counters back to zero.
    pub fn start_file(&self, step: Step, file: &str, bytes_total: Option<u64>) {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        current.step = step;
        file.clone_into(&mut current.file);
        current.bytes_total = bytes_total.filter(|&n| n > 0);
        self.rows_read.store(0, Ordering::Relaxed);
        self.bytes_read.store(0, Ordering::Relaxed);
    }

    /// Rows read and bytes consumed in the current file.
    pub fn update(&self, rows_read: u64, bytes_read: u64) {
        self.rows_read.store(rows_read, Ordering::Relaxed);
        self.bytes_read.store(bytes_read, Ordering::Relaxed);
    }

    /// The files are read: the checks and the write remain.
    pub fn writing(&self) {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        current.step = Step::Writing;
        current.file.clear();
        current.bytes_total = None;
    }

    #[must_use]
    pub fn snapshot(&self) -> ProgressSnapshot {
        let current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bytes_read = self.bytes_read.load(Ordering::Relaxed);
        #[expect(clippy::cast_precision_loss, reason = "a fraction for a progress bar")]
        let fraction = current
            .bytes_total
            .map(|total| (bytes_read as f64 / total as f64).clamp(0.0, 1.0));
        ProgressSnapshot {
            step: current.step,
            step_label: current.step.label(),
            file: current.file.clone(),
            rows_read: self.rows_read.load(Ordering::Relaxed),
            bytes_read,
            bytes_total: current.bytes_total,
            fraction,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watcher_reads_the_file_its_rows_and_its_share() {
        let p = ImportProgress::default();
        assert_eq!(p.snapshot().step, Step::Waiting);
        p.start_file(
            Step::Etablissements,
            "StockEtablissement_utf8.csv",
            Some(1000),
        );
        p.update(12, 250);
        let s = p.snapshot();
        assert_eq!(
            (s.file.as_str(), s.rows_read, s.fraction),
            ("StockEtablissement_utf8.csv", 12, Some(0.25))
        );
        // A pipe has no size: rows only.
        p.start_file(Step::UnitesLegales, "StockUniteLegale.csv", Some(0));
        assert_eq!(p.snapshot().fraction, None);
        assert_eq!(p.snapshot().rows_read, 0);
        p.writing();
        assert_eq!(p.snapshot().step_label, Step::Writing.label());
    }
}
