//! Opening an input file as a stream of CSV records: plain CSV or a ZIP holding the
//! CSV (INSEE publishes both), UTF-8 with or without BOM, LF or CRLF, RFC 4180
//! quoting, columns bound by header name.
//!
//! Nothing is read whole: records stream from the (decompressed) file, and every byte
//! goes through a guard (`Guard`) that bounds what any input can cost and stops a
//! damaged file before a single row of it is trusted:
//! - a record (a line, or several when a quoted field holds line breaks) longer than
//!   [`MAX_RECORD_BYTES`] aborts, naming the line where it started: either a stray
//!   quote swallowing the lines after it, or not a CSV of this kind (a 2 GiB line
//!   costs 64 KiB, not 2 GiB);
//! - a quote still open at the end of the file aborts (unbalanced quote);
//! - a file that must end with a newline (INSEE's, the observatory's) and does not
//!   aborts: it was cut (interrupted download, full disk);
//! - a ZIP entry decompressing to more than [`MAX_ENTRY_BYTES`], or to more than
//!   [`MAX_RATIO`] times its compressed size (past [`RATIO_FLOOR`]), aborts (zip bomb);
//! - a ZIP holding no CSV, or several without one named as expected, aborts and names
//!   them; a header naming a column twice aborts.
//!
//! The quote tracking follows the csv crate's reading: a quote opens a quoted field
//! only at the start of a field; `""` inside one is an escaped quote.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::french::quoted;
use super::{ImportError, Result};
use crate::csv_lines::LineNumbers;

/// Longest record read (64 KiB): a SIRENE line is under 1 KiB, an SCDL line a few.
pub const MAX_RECORD_BYTES: u64 = 64 * 1024;
/// Largest decompressed ZIP entry (64 GiB): INSEE's national establishments file is
/// under 10 GB.
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024 * 1024;
/// Largest compression ratio of a ZIP entry: CSV compresses 3 to 10 times; a zip bomb
/// a thousand times.
pub const MAX_RATIO: u64 = 100;
/// The ratio is only checked past this many decompressed bytes (64 MiB), so that a
/// small, very repetitive file is not refused.
pub const RATIO_FLOOR: u64 = 64 * 1024 * 1024;

/// How a file is read.
#[derive(Debug, Clone, Copy)]
pub struct CsvOptions<'a> {
    /// The separator, or `None` to take the most frequent of `,`, `;` and tab in the
    /// header line.
    pub delimiter: Option<u8>,
    /// Start of the expected file name (`StockEtablissement`), to pick the CSV in a ZIP
    /// holding several; `""` for none.
    pub expected_name: &'a str,
    /// The file must end with a newline (a file without one was cut).
    pub final_newline: bool,
}

/// A problem the guard found in the bytes of a file; travels inside an `io::Error`.
#[derive(Debug)]
struct GuardError {
    line: u64,
    message: String,
}

impl std::fmt::Display for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ligne {} : {}", self.line, self.message)
    }
}

impl std::error::Error for GuardError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: its end, or the first half of `""`.
    ClosingQuote,
}

/// The size bounds of a ZIP entry.
#[derive(Debug, Clone, Copy)]
struct EntryLimit {
    compressed: u64,
}

/// Counts, bounds and checks the bytes of a file; see the module docs.
struct Guard<R> {
    inner: R,
    /// `None` until the header line has been seen, when detecting.
    delimiter: Option<u8>,
    /// Separator counts on the header line, when detecting: `,`, `;`, tab.
    counts: [u64; 3],
    state: Scan,
    line: u64,
    record_start: u64,
    record_bytes: u64,
    last: Option<u8>,
    final_newline: bool,
    entry: Option<EntryLimit>,
    total: u64,
    consumed: Arc<AtomicU64>,
}

impl<R: Read> Guard<R> {
    fn new(inner: R, options: &CsvOptions<'_>, entry: Option<EntryLimit>) -> Self {
        Self {
            inner,
            delimiter: options.delimiter,
            counts: [0; 3],
            state: Scan::FieldStart,
            line: 1,
            record_start: 1,
            record_bytes: 0,
            last: None,
            final_newline: options.final_newline,
            entry,
            total: 0,
            consumed: Arc::new(AtomicU64::new(0)),
        }
    }

    fn fail(line: u64, message: String) -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            GuardError { line, message },
        )
    }

    fn end_record(&mut self) {
        self.state = Scan::FieldStart;
        self.record_bytes = 0;
        self.record_start = self.line;
    }

    fn scan(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        for &b in bytes {
            if b == b'\n' {
                self.line += 1;
            }
            let Some(d) = self.delimiter else {
                // Header line of a file whose separator is detected.
                match b {
                    b',' => self.counts[0] += 1,
                    b';' => self.counts[1] += 1,
                    b'\t' => self.counts[2] += 1,
                    b'\n' => {
                        let [c, s, t] = self.counts;
                        self.delimiter = Some(if s > c && s >= t {
                            b';'
                        } else if t > c && t > s {
                            b'\t'
                        } else {
                            b','
                        });
                        self.end_record();
                        continue;
                    }
                    _ => {}
                }
                self.record_bytes += 1;
                self.check_length()?;
                continue;
            };
            self.state = match (self.state, b) {
                (Scan::Quoted, b'"') => Scan::ClosingQuote,
                (Scan::Quoted, _) | (Scan::ClosingQuote | Scan::FieldStart, b'"') => Scan::Quoted,
                (_, b'\n' | b'\r') => {
                    self.end_record();
                    continue;
                }
                (_, x) if x == d => Scan::FieldStart,
                _ => Scan::Unquoted,
            };
            self.record_bytes += 1;
            self.check_length()?;
        }
        Ok(())
    }

    fn check_length(&self) -> std::io::Result<()> {
        if self.record_bytes <= MAX_RECORD_BYTES {
            return Ok(());
        }
        let kib = MAX_RECORD_BYTES / 1024;
        Err(Self::fail(
            self.record_start,
            if self.state == Scan::Quoted {
                format!(
                    "un champ entre guillemets ouvert sur cette ligne se poursuit sur plus \
                     de {kib} Kio, par-dessus les lignes suivantes : un guillemet (\") isolé \
                     ou jamais refermé ; corrigez cette ligne ou téléchargez de nouveau le \
                     fichier"
                )
            } else {
                format!(
                    "la ligne dépasse {kib} Kio : ce n’est pas un fichier CSV du type \
                     attendu, ou il est endommagé ; téléchargez-le de nouveau"
                )
            },
        ))
    }

    fn at_end(&self) -> std::io::Result<()> {
        if self.state == Scan::Quoted {
            return Err(Self::fail(
                self.record_start,
                "un guillemet (\") ouvert sur cette ligne n’est jamais refermé : \
                 corrigez-la ou téléchargez de nouveau le fichier"
                    .into(),
            ));
        }
        if self.final_newline && self.last.is_some_and(|b| b != b'\n' && b != b'\r') {
            return Err(Self::fail(
                self.line,
                "la dernière ligne ne se termine pas par un saut de ligne : le fichier \
                 semble coupé (téléchargement interrompu ou disque plein) ; \
                 téléchargez-le de nouveau"
                    .into(),
            ));
        }
        Ok(())
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.at_end()?;
            return Ok(0);
        }
        self.total += n as u64;
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
        if let Some(entry) = self.entry {
            if self.total > MAX_ENTRY_BYTES {
                return Err(Self::fail(
                    self.line,
                    format!(
                        "le fichier de l’archive dépasse {} Gio une fois décompressé : refusé",
                        MAX_ENTRY_BYTES >> 30
                    ),
                ));
            }
            if self.total > RATIO_FLOOR && self.total / entry.compressed.max(1) > MAX_RATIO {
                return Err(Self::fail(
                    self.line,
                    format!(
                        "le fichier de l’archive, décompressé, dépasse {MAX_RATIO} fois sa \
                         taille compressée : ce n’est pas un fichier de données (bombe de \
                         décompression ?) ; refusé"
                    ),
                ));
            }
        }
        self.scan(&buf[..n])?;
        self.last = Some(buf[n - 1]);
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

    /// The import error for a CSV error: a structural abort when the guard stopped the
    /// file, else an unreadable file at the record's line.
    #[must_use]
    pub fn error(&self, e: &csv::Error) -> ImportError {
        if let csv::ErrorKind::Io(io) = e.kind()
            && let Some(g) = io.get_ref().and_then(|g| g.downcast_ref::<GuardError>())
        {
            return ImportError::Structural {
                path: self.path.clone(),
                line: g.line,
                message: g.message.clone(),
            };
        }
        ImportError::Unreadable {
            path: self.path.clone(),
            line: self.lines.line(e.position()),
            message: e.to_string(),
        }
    }

    /// A row the CSV reader could not decode (invalid UTF-8), as a rejection: the
    /// column at fault (its header name, or `""`) and the reason, in French.
    #[must_use]
    pub fn row_error(&self, e: &csv::Error) -> (String, String) {
        if let csv::ErrorKind::Utf8 { err, .. } = e.kind() {
            let field = self.headers.get(err.field()).unwrap_or_default().to_owned();
            return (
                field,
                format!(
                    "valeur illisible : pas du texte UTF-8 (colonne n° {}) ; enregistrez le \
                     fichier en UTF-8",
                    err.field() + 1
                ),
            );
        }
        (String::new(), format!("ligne illisible ({e})"))
    }

    /// The abort for a file with a header and no row.
    #[must_use]
    pub fn no_rows(&self) -> ImportError {
        ImportError::Structural {
            path: self.path.clone(),
            line: 2,
            message: "le fichier n’a qu’un en-tête, sans aucune ligne de données : il est \
                      vide ou a été coupé ; téléchargez-le de nouveau"
                .into(),
        }
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

/// The CSV entry of an archive: the only `.csv`, else the only one whose name starts
/// with `expected`; anything else is an error naming the entries.
fn pick_entry(names: &[String], expected: &str, path: &Path) -> Result<usize> {
    let csvs: Vec<usize> = (0..names.len())
        .filter(|&i| names[i].to_ascii_lowercase().ends_with(".csv"))
        .collect();
    let archive_error = |message: String| ImportError::Archive {
        path: path.to_owned(),
        message,
    };
    match csvs[..] {
        [] if names.is_empty() => Err(archive_error(
            "l’archive est vide : elle ne contient aucun fichier .csv".into(),
        )),
        [] => Err(archive_error(format!(
            "l’archive ne contient aucun fichier .csv (elle contient : {}) ; est-ce la \
             bonne archive ?",
            names.join(", ")
        ))),
        [one] => Ok(one),
        _ => {
            let base = |n: &str| {
                n.rsplit('/')
                    .next()
                    .unwrap_or(n)
                    .to_ascii_lowercase()
                    .starts_with(&expected.to_ascii_lowercase())
            };
            let named: Vec<usize> = csvs
                .iter()
                .copied()
                .filter(|&i| !expected.is_empty() && base(&names[i]))
                .collect();
            if let [one] = named[..] {
                return Ok(one);
            }
            let listed: Vec<&str> = csvs.iter().map(|&i| names[i].as_str()).collect();
            Err(archive_error(format!(
                "l’archive contient plusieurs fichiers CSV ({}) : extrayez le bon et \
                 importez-le seul",
                listed.join(", ")
            )))
        }
    }
}

/// Opens `path` (CSV, or ZIP holding the CSV) and calls `f` with the source.
///
/// The closure form keeps a ZIP archive alive while its entry is read.
pub fn with_csv<T>(
    path: &Path,
    options: &CsvOptions<'_>,
    f: impl FnOnce(&mut CsvSource<'_>) -> Result<T>,
) -> Result<T> {
    let read_error = |source| ImportError::Read {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(read_error)?;
    let is_zip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if is_zip {
        let mut archive =
            zip::ZipArchive::new(BufReader::new(file)).map_err(|e| ImportError::Archive {
                path: path.to_owned(),
                message: format!(
                    "ce n’est pas une archive ZIP lisible ({e}) : téléchargez-la de nouveau"
                ),
            })?;
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.name_for_index(i).unwrap_or_default().to_owned())
            .collect();
        let index = pick_entry(&names, options.expected_name, path)?;
        let entry = archive.by_index(index).map_err(|e| ImportError::Archive {
            path: path.to_owned(),
            message: format!("impossible de lire le fichier CSV de l’archive ({e})"),
        })?;
        let name = entry.name().to_owned();
        let total = Some(entry.size());
        let limit = EntryLimit {
            compressed: entry.compressed_size(),
        };
        let guard = Guard::new(entry, options, Some(limit));
        with_reader(path, name, guard, total, f)
    } else {
        let total = file.metadata().ok().map(|m| m.len());
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        with_reader(path, name, Guard::new(file, options, None), total, f)
    }
}

/// Reads CSV from bytes already in memory (tests, small inputs), guarded the same way.
pub fn with_bytes<T>(
    name: &str,
    bytes: &[u8],
    options: &CsvOptions<'_>,
    f: impl FnOnce(&mut CsvSource<'_>) -> Result<T>,
) -> Result<T> {
    let guard = Guard::new(bytes, options, None);
    with_reader(
        Path::new(name),
        name.to_owned(),
        guard,
        Some(bytes.len() as u64),
        f,
    )
}

fn with_reader<'a, R: Read + 'a, T>(
    path: &Path,
    name: String,
    guard: Guard<R>,
    total: Option<u64>,
    f: impl FnOnce(&mut CsvSource<'_>) -> Result<T>,
) -> Result<T> {
    let consumed = Arc::clone(&guard.consumed);
    let structural =
        |e: std::io::Error| match e.get_ref().and_then(|g| g.downcast_ref::<GuardError>()) {
            Some(g) => ImportError::Structural {
                path: path.to_owned(),
                line: g.line,
                message: g.message.clone(),
            },
            None => ImportError::Read {
                path: path.to_owned(),
                source: e,
            },
        };
    // When the separator is detected, read until the guard has seen the header line
    // (at most MAX_RECORD_BYTES), then hand those bytes back in front of the rest.
    let mut guard = guard;
    let mut head = Vec::new();
    let mut chunk = [0u8; 8192];
    while guard.delimiter.is_none() {
        let n = guard.read(&mut chunk).map_err(structural)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..n]);
    }
    let delimiter = guard.delimiter.unwrap_or(b',');
    let buffered = BufReader::with_capacity(1 << 20, std::io::Cursor::new(head).chain(guard));
    let buffered = skip_bom(buffered).map_err(structural)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        // Row lengths are checked by the importer, which reports them with the line.
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(Box::new(buffered) as Box<dyn Read + 'a>);
    let headers = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            let io = match e.into_kind() {
                csv::ErrorKind::Io(io) => io,
                other => std::io::Error::other(format!("{other:?}")),
            };
            return Err(match structural(io) {
                ImportError::Read { source, .. } => ImportError::Unreadable {
                    path: path.to_owned(),
                    line: 1,
                    message: source.to_string(),
                },
                s => s,
            });
        }
    };
    let headers: csv::StringRecord = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    check_header(path, &headers)?;
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

/// A header naming a column twice cannot be bound by name.
fn check_header(path: &Path, headers: &csv::StringRecord) -> Result<()> {
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        if let Some(j) = headers.iter().skip(i + 1).position(|o| o == h) {
            return Err(ImportError::Structural {
                path: path.to_owned(),
                line: 1,
                message: format!(
                    "l’en-tête nomme la colonne {} deux fois (colonnes {} et {}) : le \
                     fichier a été modifié ou n’est pas celui attendu",
                    quoted(h),
                    i + 1,
                    i + j + 2
                ),
            });
        }
    }
    Ok(())
}
