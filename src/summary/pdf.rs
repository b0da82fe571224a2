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
//! from the system, so every machine renders the same document.

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

/// One document to compile: a template and its data.
struct Job {
    library: LazyHash<Library>,
    main: FileId,
    source: Source,
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
    let json = serde_json::to_string(data).map_err(|e| SummaryError::Render {
        format: "PDF",
        message: e.to_string(),
    })?;
    let mut inputs = Dict::new();
    inputs.insert(Str::from("data"), Value::Str(Str::from(json)));
    let path = VirtualPath::new("main.typ").map_err(|e| SummaryError::Render {
        format: "PDF",
        message: format!("{e:?}"),
    })?;
    let main = RootedPath::new(VirtualRoot::Project, path).intern();
    let job = Job {
        library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
        main,
        source: Source::new(main, template.to_owned()),
    };
    let document: PagedDocument = typst::compile(&job).output.map_err(|d| render_error(&d))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|d| render_error(&d))
}
