//! PDF documents, typeset by Typst used as a library.
//!
//! Why Typst: it lays out tables that break across pages, repeats their headers,
//! places an SVG map as vector graphics, and takes the page design out of Rust into
//! a template (`templates/*.typ`, compiled in with `include_str!`); its PDF writer
//! (krilla) embeds and subsets the fonts, and text reads back with `pdftotext`.
//! krilla alone would mean hand-writing the layout; printpdf has no table layout.
//! The cost is compile time (measured in the README), and one PDF takes a few
//! milliseconds in release.
//!
//! Data go in through `sys.inputs.data` as JSON, so the template never sees Rust
//! types and cannot compute a figure: it prints the pre-formatted texts. Fonts are
//! the ones `typst-assets` ships (Libertinus Serif), loaded once; nothing is read
//! from the system, so every machine renders the same document. The only other files a
//! template may read are the ones given with the data (the publisher's logo).

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, Str, Value};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use super::{Result, SummaryError};

/// The summary (fiche) template.
pub const FICHE_TEMPLATE: &str = include_str!("../../templates/fiche.typ");
/// The compendium (recueil) template.
pub const RECUEIL_TEMPLATE: &str = include_str!("../../templates/recueil.typ");

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// One document to compile: a template, its data and the files it may read.
struct Job {
    library: LazyHash<Library>,
    main: FileId,
    source: Source,
    files: Vec<(FileId, Bytes)>,
}

impl World for Job {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main {
            Ok(Bytes::from_string(self.source.text().to_owned()))
        } else if let Some((_, bytes)) = self.files.iter().find(|(f, _)| *f == id) {
            Ok(bytes.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // Documents carry their edition, not the day they were made.
        None
    }
}

fn render_error(diagnostics: &[SourceDiagnostic]) -> SummaryError {
    SummaryError::Render {
        format: "PDF",
        message: diagnostics
            .iter()
            .map(|d| d.message.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Compiles `template` with `data` (serialised to JSON as `sys.inputs.data`).
pub fn render<T: serde::Serialize>(template: &str, data: &T) -> Result<Vec<u8>> {
    render_with(template, data, &[])
}

/// [`render`], the template also reading `files` (`(name, bytes)`: the publisher's
/// logo as `logo.png`).
pub fn render_with<T: serde::Serialize>(
    template: &str,
    data: &T,
    files: &[(&str, std::sync::Arc<[u8]>)],
) -> Result<Vec<u8>> {
    let document = compile(template, data, files, 0)?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|d| render_error(&d))
}

/// The id of the template's file `name` (beside `main.typ`).
fn file_id(name: &str) -> Result<FileId> {
    let path = VirtualPath::new(name).map_err(|e| SummaryError::Render {
        format: "PDF",
        message: format!("{e:?}"),
    })?;
    Ok(RootedPath::new(VirtualRoot::Project, path).intern())
}

/// Tightness levels a fiche may be set at (`sys.inputs.tight`, see `fiche.typ`).
const TIGHT_LEVELS: u8 = 2;

/// A fiche, its template also reading `files` (`(name, bytes)`: the publisher's logo
/// as `logo.png`). The template ends with the label `<fiche-end>`; no near-empty
/// last page: when its text ends in the top half of a last page's first column, it
/// is set again tighter (smaller print in the methods, closer spacing), up to
/// two levels, and the first setting with fewer pages is kept.
pub fn render_fiche<T: serde::Serialize>(
    data: &T,
    files: &[(&str, std::sync::Arc<[u8]>)],
) -> Result<Vec<u8>> {
    let mut document = compile(FICHE_TEMPLATE, data, files, 0)?;
    if near_empty_last_page(&document) {
        for level in 1..=TIGHT_LEVELS {
            let tighter = compile(FICHE_TEMPLATE, data, files, level)?;
            if tighter.pages().len() < document.pages().len() {
                document = tighter;
                break;
            }
        }
    }
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|d| render_error(&d))
}

/// Whether `document` ends in the top half of its last page's left half (less than
/// half a page of text, a quarter when the page is set in two columns).
fn near_empty_last_page(document: &PagedDocument) -> bool {
    use typst::introspection::Introspector as _;
    let pages = document.pages();
    let (Some(last), true) = (pages.last(), pages.len() > 1) else {
        return false;
    };
    let Some(label) = typst::foundations::Label::new(typst::utils::PicoStr::intern("fiche-end"))
    else {
        return false;
    };
    let introspector = document.introspector();
    let Some(position) = introspector
        .query_label(label)
        .ok()
        .and_then(typst::foundations::Content::location)
        .and_then(|l| introspector.position(l))
    else {
        return false;
    };
    let size = last.frame.size();
    position.page.get() == pages.len()
        && position.point.x.to_pt() < size.x.to_pt() / 2.0
        && position.point.y.to_pt() < size.y.to_pt() / 2.0
}

/// Lays out `template` with `data`, `files` and the tightness `tight`.
fn compile<T: serde::Serialize>(
    template: &str,
    data: &T,
    files: &[(&str, std::sync::Arc<[u8]>)],
    tight: u8,
) -> Result<PagedDocument> {
    let json = serde_json::to_string(data).map_err(|e| SummaryError::Render {
        format: "PDF",
        message: e.to_string(),
    })?;
    let mut inputs = Dict::new();
    inputs.insert(Str::from("data"), Value::Str(Str::from(json)));
    inputs.insert(Str::from("tight"), Value::Str(Str::from(tight.to_string())));
    let main = file_id("main.typ")?;
    let files = files
        .iter()
        .map(|(name, bytes)| Ok((file_id(name)?, Bytes::new(bytes.to_vec()))))
        .collect::<Result<Vec<_>>>()?;
    let job = Job {
        library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
        main,
        source: Source::new(main, template.to_owned()),
        files,
    };
    typst::compile(&job).output.map_err(|d| render_error(&d))
}
