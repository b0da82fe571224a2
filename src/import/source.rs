//! Opening an input file as a stream of CSV records: plain CSV or a ZIP holding one
//! CSV (INSEE publishes both), UTF-8 with or without BOM, LF or CRLF, RFC 4180
//! quoting, columns bound by header name.
//!
//! Nothing is read whole: records stream from the (decompressed) file. The number of
//! bytes consumed is tracked so that a caller can show progress.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{ImportError, Result};
use crate::csv_lines::LineNumbers;

/// Counts the bytes that go through it.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A CSV file being read.
pub struct CsvSource<'a> {
    pub path: PathBuf,
    /// File name for reports (`StockEtablissement_utf8.csv`).
    pub name: String,
    pub reader: csv::Reader<Box<dyn Read + 'a>>,
    pub headers: csv::StringRecord,
    pub lines: LineNumbers,
    /// Bytes consumed so far, and the total when known (uncompressed size).
    pub consumed: Arc<AtomicU64>,
    pub total: Option<u64>,
}

impl CsvSource<'_> {
    /// Position of a required column.
    pub fn column(&self, name: &'static str) -> Result<usize> {
        self.optional_column(name)
            .ok_or_else(|| ImportError::MissingColumn {
                path: self.path.clone(),
                column: name,
            })
    }

    #[must_use]
    pub fn optional_column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }
}

/// Skips a UTF-8 byte-order mark at the start of `reader`.
fn skip_bom<R: BufRead>(mut reader: R) -> std::io::Result<R> {
    let buf = reader.fill_buf()?;
    if buf.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(reader)
}

/// Opens `path` (CSV, or ZIP holding one `.csv`) and calls `f` with the source.
///
/// The closure form keeps a ZIP archive alive while its entry is read.
pub fn with_csv<T>(
    path: &Path,
    delimiter: u8,
    f: impl FnOnce(&mut CsvSource<'_>) -> Result<T>,
) -> Result<T> {
    let read_error = |source| ImportError::Read {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(read_error)?;
    let consumed = Arc::new(AtomicU64::new(0));
    let is_zip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if is_zip {
        let mut archive =
            zip::ZipArchive::new(BufReader::new(file)).map_err(|e| ImportError::Archive {
                path: path.to_owned(),
                message: format!("not a readable ZIP archive: {e}"),
            })?;
        let index = (0..archive.len())
            .find(|&i| {
                archive
                    .name_for_index(i)
                    .is_some_and(|n| n.to_ascii_lowercase().ends_with(".csv"))
            })
            .ok_or_else(|| ImportError::Archive {
                path: path.to_owned(),
                message: "the archive holds no .csv file".into(),
            })?;
        let entry = archive.by_index(index).map_err(|e| ImportError::Archive {
            path: path.to_owned(),
            message: format!("cannot read the CSV inside: {e}"),
        })?;
        let name = entry.name().to_owned();
        let total = Some(entry.size());
        let counting = Counting {
            inner: entry,
            count: Arc::clone(&consumed),
        };
        let reader = skip_bom(BufReader::with_capacity(1 << 20, counting)).map_err(read_error)?;
        run(path, name, Box::new(reader), delimiter, consumed, total, f)
    } else {
        let total = file.metadata().ok().map(|m| m.len());
        let counting = Counting {
            inner: file,
            count: Arc::clone(&consumed),
        };
        let reader = skip_bom(BufReader::with_capacity(1 << 20, counting)).map_err(read_error)?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        run(path, name, Box::new(reader), delimiter, consumed, total, f)
    }
}

fn run<'a, T>(
    path: &Path,
    name: String,
    input: Box<dyn Read + 'a>,
    delimiter: u8,
    consumed: Arc<AtomicU64>,
    total: Option<u64>,
    f: impl FnOnce(&mut CsvSource<'_>) -> Result<T>,
) -> Result<T> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        // Row lengths are checked by the importer, which reports them with the line.
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| ImportError::Unreadable {
            path: path.to_owned(),
            line: 1,
            message: e.to_string(),
        })?
        .clone();
    let headers: csv::StringRecord = headers.iter().map(str::trim).collect();
    let lines = LineNumbers::after_headers(&reader);
    let mut source = CsvSource {
        path: path.to_owned(),
        name,
        reader,
        headers,
        lines,
        consumed,
        total,
    };
    f(&mut source)
}
