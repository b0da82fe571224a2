//! The summaries and the compendium as OpenDocument Text (`.odt`), the editable format
//! the French administration's interoperability framework (RGI) recommends: a
//! communication department opens it in LibreOffice or Word, restyles it, lays it out.
//!
//! Same content as the HTML and PDF fiches, from the same [`Summary`] (the texts are
//! the pre-formatted cells: a masked figure reads « s », nothing is recomputed here).
//! What makes it editable rather than a picture of a page:
//! - every paragraph carries a **named style** defined in `styles.xml` (« Titre ESS »,
//!   « Intertitre ESS », « Texte ESS », « Tableau ESS », « Tableau ESS nombre »…):
//!   changing a style changes every paragraph of that kind;
//! - tables are real `table:table` elements (header rows repeated across pages), in
//!   the table style « Tableau ESS » with cell styles « Cellule ESS » and « Cellule
//!   en-tête ESS »;
//! - the map is the same vector drawing as the PDF's, embedded as an SVG image
//!   (`Pictures/carte-1.svg` in a `draw:frame`), followed in the same frame by a PNG
//!   of it (`Pictures/carte-1.png`, 150 dpi at print size) for readers without SVG:
//!   ODF lets a frame hold alternative images, a reader shows the first it can, as
//!   LibreOffice itself writes them. The PNG is drawn by `resvg`, which the PDF
//!   writer already builds in (`krilla-svg`), so it costs no new dependency.
//!
//! The package is written with the `zip` crate, by hand: no maintained Rust crate
//! writes ODT. The ODF 1.3 rules it follows: `mimetype` first and stored
//! (uncompressed, so `file` and other tools recognise the package by its first
//! bytes), `META-INF/manifest.xml` listing every part, then `content.xml`,
//! `styles.xml`, `meta.xml`.

use std::fmt::Write as _;
use std::io::Write as _;

use zip::write::SimpleFileOptions;

use super::html::escape;
use super::{Result, Summary, SummaryError, Table, ZoneKind};

mod parts;

use parts::coconstruction;
pub use parts::render_recueil;

/// The media type of the package (and its `mimetype` entry).
pub const MEDIA_TYPE: &str = "application/vnd.oasis.opendocument.text";

/// The named styles, `(internal name, display name)`: ODF names cannot hold spaces,
/// so they are written the way LibreOffice writes them (`_20_` for a space).
pub const STYLES: [&str; 12] = [
    "Titre ESS",
    "Sous-titre ESS",
    "Intertitre ESS",
    "Sous-intertitre ESS",
    "Texte ESS",
    "Note ESS",
    "Légende ESS",
    "Tableau ESS",
    "Tableau ESS en-tête",
    "Tableau ESS nombre",
    "Tableau ESS secret",
    "Liste ESS",
];

/// A style's internal name: spaces as `_20_`, other characters kept (`é` is allowed
/// in an XML name).
fn style_name(display: &str) -> String {
    display.replace(' ', "_20_")
}

/// One part of the document being written: `content.xml`'s body.
struct Body {
    xml: String,
    /// Numbers of value columns the tables have: each gets a column style.
    widths: std::collections::BTreeSet<usize>,
}

impl Body {
    fn new() -> Self {
        Self {
            xml: String::with_capacity(128 * 1024),
            widths: std::collections::BTreeSet::new(),
        }
    }

    /// The automatic column styles of `content.xml`: the label column wider (a
    /// label wraps less), the value columns sharing the rest.
    fn column_styles(&self) -> String {
        let mut out = format!(
            r#"<style:style style:name="Colonne_libelle" style:family="table-column"><style:table-column-properties style:column-width="{LABEL_WIDTH_CM:.2}cm"/></style:style>"#
        );
        for n in &self.widths {
            #[expect(clippy::cast_precision_loss, reason = "a handful of columns")]
            let width = (TEXT_WIDTH_CM - LABEL_WIDTH_CM) / *n as f64;
            let _ = write!(
                out,
                r#"<style:style style:name="Colonnes_{n}" style:family="table-column"><style:table-column-properties style:column-width="{width:.2}cm"/></style:style>"#
            );
        }
        out
    }

    fn paragraph(&mut self, style: &str, text: &str) {
        let _ = write!(
            self.xml,
            r#"<text:p text:style-name="{}">{}</text:p>"#,
            style_name(style),
            text_of(text)
        );
    }

    fn heading(&mut self, level: u8, style: &str, text: &str) {
        let _ = write!(
            self.xml,
            r#"<text:h text:style-name="{}" text:outline-level="{level}">{}</text:h>"#,
            style_name(style),
            text_of(text)
        );
    }

    fn list(&mut self, items: &[String]) {
        if items.is_empty() {
            return;
        }
        self.xml.push_str("<text:list>");
        for item in items {
            let _ = write!(
                self.xml,
                r#"<text:list-item><text:p text:style-name="{}">{}</text:p></text:list-item>"#,
                style_name("Liste ESS"),
                text_of(item)
            );
        }
        self.xml.push_str("</text:list>");
    }

    /// A table: the header row (`first_header` over the labels), then one row per
    /// line; `numeric` cells right-aligned, masked ones in « Tableau ESS secret ».
    fn table(&mut self, name: &str, first_header: &str, columns: &[String], rows: &[Line<'_>]) {
        let n = columns.len().max(1);
        self.widths.insert(n);
        let _ = write!(
            self.xml,
            r#"<table:table table:name="{}" table:style-name="{}"><table:table-column table:style-name="Colonne_libelle"/><table:table-column table:style-name="Colonnes_{n}" table:number-columns-repeated="{n}"/><table:table-header-rows><table:table-row>"#,
            escape(name),
            style_name("Tableau ESS"),
        );
        for header in std::iter::once(first_header).chain(columns.iter().map(String::as_str)) {
            self.cell("Cellule en-tête ESS", "Tableau ESS en-tête", header);
        }
        self.xml
            .push_str("</table:table-row></table:table-header-rows>");
        for row in rows {
            self.xml.push_str("<table:table-row>");
            self.cell("Cellule ESS", "Tableau ESS", &row.label);
            for (text, secret) in &row.cells {
                let style = if *secret {
                    "Tableau ESS secret"
                } else if row.numeric {
                    "Tableau ESS nombre"
                } else {
                    "Tableau ESS"
                };
                self.cell("Cellule ESS", style, text);
            }
            self.xml.push_str("</table:table-row>");
        }
        self.xml.push_str("</table:table>");
    }

    fn cell(&mut self, cell_style: &str, paragraph_style: &str, text: &str) {
        let _ = write!(
            self.xml,
            r#"<table:table-cell table:style-name="{}" office:value-type="string"><text:p text:style-name="{}">{}</text:p></table:table-cell>"#,
            style_name(cell_style),
            style_name(paragraph_style),
            text_of(text)
        );
    }

    /// A summary's table, as the HTML fiche shows it.
    fn summary_table(&mut self, t: &Table, first_header: &str, prefix: &str) {
        let rows: Vec<Line<'_>> = t
            .rows
            .iter()
            .map(|r| Line {
                label: if ["", "%", "€", "établissements", "habitants"].contains(&r.unit) {
                    r.label.clone()
                } else {
                    format!("{} ({})", r.label, r.unit)
                },
                cells: r
                    .cells
                    .iter()
                    .map(|c| (c.text.as_str(), c.secret))
                    .collect(),
                numeric: true,
            })
            .collect();
        self.table(
            &format!("{prefix}{}", t.title),
            first_header,
            &t.columns,
            &rows,
        );
    }
}

/// One row of a table: its label and its cells' texts, masked or not.
struct Line<'a> {
    label: String,
    cells: Vec<(&'a str, bool)>,
    numeric: bool,
}

/// Text for a paragraph: escaped, runs of spaces kept (`text:s`), tabs and line breaks
/// as ODF elements.
fn text_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut spaces = 0usize;
    let flush = |out: &mut String, spaces: &mut usize| {
        match *spaces {
            0 => {}
            1 => out.push(' '),
            n => {
                let _ = write!(out, r#" <text:s text:c="{}"/>"#, n - 1);
            }
        }
        *spaces = 0;
    };
    for c in text.chars() {
        match c {
            ' ' => spaces += 1,
            '\n' => {
                flush(&mut out, &mut spaces);
                out.push_str("<text:line-break/>");
            }
            '\t' => {
                flush(&mut out, &mut spaces);
                out.push_str("<text:tab/>");
            }
            c if c.is_control() => {}
            c => {
                flush(&mut out, &mut spaces);
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '"' => out.push_str("&quot;"),
                    _ => out.push(c),
                }
            }
        }
    }
    flush(&mut out, &mut spaces);
    out
}

/// Width of the text block, cm (A4, 2 cm margins).
const TEXT_WIDTH_CM: f64 = 17.0;

/// Width of a table's label column, cm.
const LABEL_WIDTH_CM: f64 = 6.0;

/// Pixels per SVG unit of the map's PNG: the drawing is 520 units wide and printed
/// 17 cm wide, so twice is about 150 dpi.
const PNG_SCALE: f32 = 2.0;

/// The map drawn as a PNG, for readers that do not read SVG.
fn png_of(svg: &str) -> Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let fail = |message: String| SummaryError::Render {
        format: "ODT",
        message: format!("map PNG: {message}"),
    };
    let tree =
        usvg::Tree::from_str(svg, &usvg::Options::default()).map_err(|e| fail(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(PNG_SCALE)
        .ok_or_else(|| fail("empty drawing".into()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| fail("empty drawing".into()))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| fail(e.to_string()))
}

/// The `viewBox` width and height of an SVG drawing.
fn svg_size(svg: &str) -> Option<(f64, f64)> {
    let start = svg.find("viewBox=\"")? + "viewBox=\"".len();
    let end = start + svg[start..].find('"')?;
    let numbers: Vec<f64> = svg[start..end]
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    match numbers.as_slice() {
        [_, _, w, h] if *w > 0.0 && *h > 0.0 => Some((*w, *h)),
        _ => None,
    }
}

/// The sections of one zone's summary, top to bottom as the HTML fiche shows them;
/// `map` is the path of its map in the package, if drawn. Table names start with
/// `prefix` (the compendium has several zones).
#[allow(clippy::too_many_lines)] // the document's sections, top to bottom
fn summary_body(b: &mut Body, s: &Summary, map: Option<&str>, prefix: &str, level: u8) {
    b.heading(level, "Titre ESS", &s.name);
    b.paragraph(
        "Sous-titre ESS",
        &format!(
            "{} · {} · édition {}",
            s.kind_label, s.department_name, s.edition
        ),
    );
    b.paragraph(
        "Texte ESS",
        &format!(
            "{}{} habitants · {} · établissements actifs au {}{}",
            s.parent_name
                .as_ref()
                .map(|p| format!("Territoire {p} · "))
                .unwrap_or_default(),
            s.population,
            s.area,
            s.reference_date,
            if s.demo {
                " · données de démonstration"
            } else {
                ""
            }
        ),
    );
    b.heading(level + 1, "Intertitre ESS", "Chiffres clés");
    b.summary_table(&s.key_figures, "Indicateur", prefix);
    b.heading(level + 1, "Intertitre ESS", "Situation");
    if let (Some(path), Some((w, h))) = (map, svg_size(&s.map_svg)) {
        let height = TEXT_WIDTH_CM * h / w;
        let _ = write!(
            b.xml,
            r#"<text:p text:style-name="{}"><draw:frame draw:name="Carte {}" text:anchor-type="as-char" svg:width="{TEXT_WIDTH_CM:.2}cm" svg:height="{height:.2}cm"><draw:image xlink:href="{path}.svg" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad" draw:mime-type="image/svg+xml"/><draw:image xlink:href="{path}.png" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad" draw:mime-type="image/png"/><svg:title>Carte de situation : {}</svg:title></draw:frame></text:p>"#,
            style_name("Légende ESS"),
            escape(&s.name),
            escape(&s.name),
        );
    }
    b.paragraph("Légende ESS", &format!("Zone : {}", s.name));
    let legend: Vec<String> = s
        .map_legend
        .iter()
        .map(|(_, label)| label.clone())
        .collect();
    if !legend.is_empty() {
        b.paragraph("Légende ESS", &format!("Points : {}", legend.join(" · ")));
    }
    b.heading(level + 1, "Intertitre ESS", "Répartitions");
    for (t, header) in [
        (&s.breakdowns[0], "Catégorie"),
        (&s.breakdowns[2], "Catégorie"),
        (&s.breakdowns[1], "Secteur"),
    ] {
        b.heading(level + 2, "Sous-intertitre ESS", &t.title);
        b.summary_table(t, header, prefix);
    }
    b.heading(level + 1, "Intertitre ESS", "Évolution entre éditions");
    b.summary_table(&s.evolution, "Indicateur", prefix);
    b.heading(level + 1, "Intertitre ESS", &s.parts.title);
    b.summary_table(&s.parts, "Zone", prefix);

    b.heading(
        level + 1,
        "Intertitre ESS",
        "Subventions du Département à l'ESS",
    );
    let g = &s.grants;
    if !s.subsidies_available {
        b.paragraph("Texte ESS", "Pas encore publiées pour cette édition.");
    } else if g.count == 0 {
        b.paragraph(
            "Texte ESS",
            "Aucune subvention à une structure de l'ESS de la zone dans le fichier de cette édition.",
        );
    } else {
        b.paragraph(
            "Texte ESS",
            &format!(
                "{} à {} bénéficiaire{} de l'ESS{}.",
                g.total_text,
                g.count,
                if g.count > 1 { "s" } else { "" },
                if g.others > 0 {
                    format!(" ; les {} premiers ci-dessous", g.beneficiaries.len())
                } else {
                    String::new()
                }
            ),
        );
        let mut rows: Vec<Line<'_>> = g
            .beneficiaries
            .iter()
            .map(|ben| Line {
                label: ben.name.clone(),
                cells: vec![
                    (ben.commune.as_str(), false),
                    (ben.family.as_str(), false),
                    (ben.objects.as_str(), false),
                    (ben.granted_text.as_str(), false),
                ],
                numeric: false,
            })
            .collect();
        let others = format!("Autres bénéficiaires ({})", g.others);
        if g.others > 0 {
            rows.push(Line {
                label: others,
                cells: vec![
                    ("", false),
                    ("", false),
                    ("", false),
                    (&g.others_text, false),
                ],
                numeric: false,
            });
        }
        b.table(
            &format!("{prefix}Bénéficiaires"),
            "Bénéficiaire",
            &["Commune", "Famille", "Objet", "Montant"].map(str::to_owned),
            &rows,
        );
    }

    b.heading(level + 1, "Intertitre ESS", "Orientations et actions");
    if s.orientations.is_empty() {
        b.paragraph(
            "Texte ESS",
            "Aucune orientation publiée pour cette édition.",
        );
    }
    for o in &s.orientations {
        b.heading(
            level + 2,
            "Sous-intertitre ESS",
            &format!("{} ({})", o.title, o.period),
        );
        if !o.description.is_empty() {
            b.paragraph("Texte ESS", &o.description);
        }
        let items: Vec<String> = o
            .actions
            .iter()
            .map(|a| {
                format!(
                    "{}{} — {}{}{}",
                    if a.flagship { "★ " } else { "" },
                    a.title,
                    a.status,
                    if a.pilot.is_empty() {
                        String::new()
                    } else {
                        format!(" · pilote : {}", a.pilot)
                    },
                    if a.budget.is_empty() {
                        String::new()
                    } else {
                        format!(" · {}", a.budget)
                    }
                )
            })
            .collect();
        b.list(&items);
    }
    coconstruction(b, &s.coconstruction, level + 1);
    b.heading(
        level + 1,
        "Intertitre ESS",
        "Sources, méthodes et secret statistique",
    );
    b.paragraph("Note ESS", s.source_label);
    let mut notes: Vec<String> = Vec::new();
    if !s.subsidies_available {
        notes.push("Subventions du Département : pas encore publiées pour cette édition.".into());
    }
    notes.extend(s.notes.iter().map(|n| (*n).to_owned()));
    b.list(&notes);
    for m in &s.methods {
        b.paragraph(
            "Note ESS",
            &format!(
                "{} : {} {} Source : {}",
                m.label, m.definition, m.method, m.source
            ),
        );
    }
}

/// A summary (« fiche ») as an ODT package.
pub fn render(s: &Summary) -> Result<Vec<u8>> {
    let mut body = Body::new();
    summary_body(&mut body, s, Some("Pictures/carte-1"), "", 1);
    let title = format!(
        "Fiche {} {} – édition {}",
        match s.kind {
            ZoneKind::Territory => "territoire",
            ZoneKind::Epci => "EPCI",
        },
        s.name,
        s.edition
    );
    package(&title, &body, &[s.map_svg.as_str()])
}

const NAMESPACES: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.3""#;

/// The named styles: what a communication department restyles.
fn styles_xml() -> String {
    let paragraph = |name: &str, parent: Option<&str>, props: &str, text: &str| {
        format!(
            r#"<style:style style:name="{}" style:display-name="{name}" style:family="paragraph"{}><style:paragraph-properties {props}/><style:text-properties {text}/></style:style>"#,
            style_name(name),
            parent
                .map(|p| format!(r#" style:parent-style-name="{}""#, style_name(p)))
                .unwrap_or_default(),
        )
    };
    let sans = r#"style:font-name="Liberation Sans" fo:font-family="'Liberation Sans'" style:font-family-generic="swiss""#;
    let mut styles = String::new();
    styles.push_str(&paragraph(
        "Texte ESS",
        None,
        r#"fo:margin-top="0cm" fo:margin-bottom="0.2cm""#,
        &format!(r#"{sans} fo:font-size="10pt" fo:language="fr" fo:country="FR""#),
    ));
    for (name, props, text) in [
        (
            "Titre ESS",
            r#"fo:margin-top="0cm" fo:margin-bottom="0.2cm" fo:break-before="page" fo:keep-with-next="always""#,
            r##"fo:font-size="22pt" fo:font-weight="bold" fo:color="#1f4e79""##,
        ),
        (
            "Sous-titre ESS",
            r#"fo:margin-bottom="0.3cm""#,
            r##"fo:font-size="12pt" fo:color="#555555""##,
        ),
        (
            "Intertitre ESS",
            r#"fo:margin-top="0.5cm" fo:margin-bottom="0.2cm" fo:keep-with-next="always""#,
            r##"fo:font-size="14pt" fo:font-weight="bold" fo:color="#1f4e79""##,
        ),
        (
            "Sous-intertitre ESS",
            r#"fo:margin-top="0.3cm" fo:margin-bottom="0.15cm" fo:keep-with-next="always""#,
            r#"fo:font-size="11pt" fo:font-weight="bold""#,
        ),
        (
            "Note ESS",
            r#"fo:margin-bottom="0.15cm""#,
            r##"fo:font-size="8.5pt" fo:color="#444444""##,
        ),
        (
            "Légende ESS",
            r#"fo:margin-bottom="0.1cm""#,
            r#"fo:font-size="9pt" fo:font-style="italic""#,
        ),
        ("Liste ESS", r#"fo:margin-bottom="0.1cm""#, ""),
        ("Tableau ESS", r#"fo:margin="0cm""#, r#"fo:font-size="9pt""#),
        (
            "Tableau ESS en-tête",
            r#"fo:margin="0cm" fo:text-align="center""#,
            r#"fo:font-size="9pt" fo:font-weight="bold""#,
        ),
        (
            "Tableau ESS nombre",
            r#"fo:margin="0cm" fo:text-align="end""#,
            r#"fo:font-size="9pt""#,
        ),
        (
            "Tableau ESS secret",
            r#"fo:margin="0cm" fo:text-align="end""#,
            r##"fo:font-size="9pt" fo:font-style="italic" fo:color="#8a5a00""##,
        ),
    ] {
        let parent = if name.starts_with("Tableau ESS ") {
            "Tableau ESS"
        } else {
            "Texte ESS"
        };
        styles.push_str(&paragraph(name, Some(parent), props, text));
    }
    let _ = write!(
        styles,
        r##"<style:style style:name="{}" style:display-name="Tableau ESS" style:family="table"><style:table-properties style:width="{TEXT_WIDTH_CM:.2}cm" table:align="margins" fo:margin-bottom="0.3cm"/></style:style><style:style style:name="{}" style:display-name="Cellule ESS" style:family="table-cell"><style:table-cell-properties fo:padding="0.05cm" fo:border-bottom="0.5pt solid #b9b9b2"/></style:style><style:style style:name="{}" style:display-name="Cellule en-tête ESS" style:family="table-cell"><style:table-cell-properties fo:padding="0.05cm" fo:background-color="#e8eef4" fo:border-bottom="0.75pt solid #1f4e79"/></style:style>"##,
        style_name("Tableau ESS"),
        style_name("Cellule ESS"),
        style_name("Cellule en-tête ESS"),
    );
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-styles {NAMESPACES}><office:font-face-decls><style:font-face style:name="Liberation Sans" svg:font-family="'Liberation Sans'" style:font-family-generic="swiss"/></office:font-face-decls><office:styles>{styles}</office:styles><office:automatic-styles><style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" style:print-orientation="portrait" fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="2cm" fo:margin-right="2cm"/></style:page-layout></office:automatic-styles><office:master-styles><style:master-page style:name="Standard" style:page-layout-name="A4"/></office:master-styles></office:document-styles>"#
    )
}

fn content_xml(body: &Body) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {NAMESPACES}><office:font-face-decls><style:font-face style:name="Liberation Sans" svg:font-family="'Liberation Sans'" style:font-family-generic="swiss"/></office:font-face-decls><office:automatic-styles>{}</office:automatic-styles><office:body><office:text>{}</office:text></office:body></office:document-content>"#,
        body.column_styles(),
        body.xml
    )
}

fn meta_xml(title: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-meta {NAMESPACES}><office:meta><meta:generator>ess-atlas/{}</meta:generator><dc:title>{}</dc:title><dc:language>fr-FR</dc:language></office:meta></office:document-meta>"#,
        env!("CARGO_PKG_VERSION"),
        escape(title)
    )
}

fn manifest_xml(maps: usize) -> String {
    let mut pictures = String::new();
    for i in 1..=maps {
        let _ = write!(
            pictures,
            r#"<manifest:file-entry manifest:full-path="Pictures/carte-{i}.svg" manifest:media-type="image/svg+xml"/><manifest:file-entry manifest:full-path="Pictures/carte-{i}.png" manifest:media-type="image/png"/>"#
        );
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="{MEDIA_TYPE}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>{pictures}</manifest:manifest>"#
    )
}

fn package(title: &str, body: &Body, maps: &[&str]) -> Result<Vec<u8>> {
    let fail = |e: &dyn std::fmt::Display| SummaryError::Render {
        format: "ODT",
        message: e.to_string(),
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(64 * 1024)));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut parts: Vec<(String, Vec<u8>, SimpleFileOptions)> = vec![
        ("mimetype".into(), MEDIA_TYPE.as_bytes().to_vec(), stored),
        (
            "META-INF/manifest.xml".into(),
            manifest_xml(maps.len()).into_bytes(),
            deflated,
        ),
        (
            "content.xml".into(),
            content_xml(body).into_bytes(),
            deflated,
        ),
        ("styles.xml".into(), styles_xml().into_bytes(), deflated),
        ("meta.xml".into(), meta_xml(title).into_bytes(), deflated),
    ];
    for (i, svg) in maps.iter().enumerate() {
        parts.push((
            format!("Pictures/carte-{}.svg", i + 1),
            svg.as_bytes().to_vec(),
            deflated,
        ));
        // A PNG is compressed already.
        parts.push((
            format!("Pictures/carte-{}.png", i + 1),
            png_of(svg)?,
            stored,
        ));
    }
    for (name, bytes, options) in parts {
        zip.start_file(name, options).map_err(|e| fail(&e))?;
        zip.write_all(&bytes).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_spaces_and_markup_survive() {
        assert_eq!(text_of("a  b"), r#"a <text:s text:c="1"/>b"#);
        assert_eq!(text_of("<x> & y"), "&lt;x&gt; &amp; y");
        assert_eq!(text_of("12\u{a0}345"), "12\u{a0}345");
    }

    #[test]
    fn every_named_style_is_defined() {
        let styles = styles_xml();
        for name in STYLES {
            assert!(
                styles.contains(&format!(
                    r#"style:name="{}" style:display-name="{name}""#,
                    style_name(name)
                )),
                "{name}"
            );
        }
    }

    #[test]
    fn svg_size_reads_the_view_box() {
        assert_eq!(
            svg_size(r#"<svg viewBox="0 0 520 300" width="520">"#),
            Some((520.0, 300.0))
        );
        assert_eq!(svg_size("<svg>"), None);
    }
}
