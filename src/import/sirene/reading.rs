//! Reading helpers shared by the steps of the SIRENE import: values, progress, the
//! next record, the width check.

use std::io::IsTerminal;
use std::sync::atomic::Ordering;

use crate::import::Result;
use crate::import::progress::{ImportProgress, Step, Watch};
use crate::import::source::CsvSource;
use crate::records::report::{FileReport, ImportReport};

/// The literal INSEE writes in place of a value that is not diffusible.
const MASKED: &str = "[ND]";

/// A value, or `None` when empty or masked.
pub(super) fn value(record: &csv::StringRecord, column: Option<usize>) -> Option<&str> {
    let v = record.get(column?)?.trim();
    (!v.is_empty() && v != MASKED).then_some(v)
}

/// Progress of the file being read: a bar on a terminal, and the shared progress a
/// watcher reads ([`crate::import::progress`]); nothing otherwise (the caller logs one
/// summary line).
pub(super) struct Progress<'w> {
    bar: Option<indicatif::ProgressBar>,
    shared: Option<&'w ImportProgress>,
}

impl<'w> Progress<'w> {
    pub(super) fn new(watch: &'w Watch, step: Step, source: &CsvSource<'_>) -> Self {
        let shared = watch.shared();
        if let Some(p) = shared {
            p.start_file(step, &source.name, source.total);
        }
        if !matches!(watch, Watch::Terminal) || !std::io::stderr().is_terminal() {
            return Self { bar: None, shared };
        }
        let bar = indicatif::ProgressBar::new(source.total.unwrap_or(0));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:30} [{bar:40}] {bytes}/{total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(source.name.clone());
        Self {
            bar: Some(bar),
            shared,
        }
    }

    fn tick(&self, source: &CsvSource<'_>, rows_read: u64) {
        if let Some(p) = self.shared {
            p.update(rows_read, source.consumed.load(Ordering::Relaxed));
        }
        if let Some(bar) = &self.bar
            && rows_read.is_multiple_of(65_536)
        {
            bar.set_position(source.consumed.load(Ordering::Relaxed));
        }
    }
}

impl Drop for Progress<'_> {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Reads the next record into `record`, counting it: `Some(true)` for a record to
/// process, `Some(false)` for an unreadable row (rejected and reported), `None` at the
/// end. An I/O error aborts the import.
pub(super) fn next_record(
    source: &mut CsvSource<'_>,
    record: &mut csv::StringRecord,
    file: &mut FileReport,
    report: &mut ImportReport,
    bar: &Progress<'_>,
) -> Result<Option<bool>> {
    match source.reader.read_record(record) {
        Ok(false) => Ok(None),
        Ok(true) => {
            file.rows_read += 1;
            bar.tick(source, file.rows_read);
            Ok(Some(true))
        }
        Err(e) => {
            let line = source.lines.line(e.position());
            if e.is_io_error() {
                return Err(source.error(&e));
            }
            // Invalid UTF-8 in a row: reject it and go on.
            file.rows_read += 1;
            bar.tick(source, file.rows_read);
            let (field, reason) = source.row_error(&e);
            report.reject(file, line, &field, reason);
            Ok(Some(false))
        }
    }
}

/// Rejects a row whose field count differs from the header's (a truncated or
/// malformed line); `true` when the row is whole.
pub(super) fn has_width(
    record: &csv::StringRecord,
    width: usize,
    line: u64,
    file: &mut FileReport,
    report: &mut ImportReport,
) -> bool {
    if record.len() == width {
        return true;
    }
    report.reject(
        file,
        line,
        "",
        format!(
            "{} champs alors que l’en-tête en a {width} : ligne coupée ou mal formée",
            record.len()
        ),
    );
    false
}
