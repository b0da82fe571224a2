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

mod package;

use std::fmt::Write as _;

use super::coconstruction::Coconstruction;
use super::html::escape;
use super::publisher::Publication;
use super::recueil::Recueil;
use super::{Result, Summary, SummaryError, Table, ZoneKind};
use package::package;

/// The media type of the package (and its `mimetype` entry).
pub const MEDIA_TYPE: &str = "application/vnd.oasis.opendocument.text";

/// The named styles, `(internal name, display name)`: ODF names cannot hold spaces,
/// so they are written the way LibreOffice writes them (`_20_` for a space).
pub const STYLES: [&str; 13] = [
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
    "Éditeur ESS",
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

/// Height of the publisher's logo, cm.
const LOGO_HEIGHT_CM: f64 = 1.5;

/// The publisher's block, as on the PDF: the logo (when configured), its name, its
/// contact line, and « {made} le {date} » (« Fiche produite », « Recueil produit »).
fn publisher_block(b: &mut Body, p: &Publication, made: &str) {
    let _ = write!(
        b.xml,
        r#"<text:p text:style-name="{}">"#,
        style_name("Éditeur ESS")
    );
    if let Some(logo) = &p.image {
        let (w, h) = logo.pixel_size().unwrap_or((1, 1));
        let width = LOGO_HEIGHT_CM * f64::from(w) / f64::from(h);
        let _ = write!(
            b.xml,
            r#"<draw:frame draw:name="Logo" text:anchor-type="as-char" svg:width="{width:.2}cm" svg:height="{LOGO_HEIGHT_CM:.2}cm"><draw:image xlink:href="Pictures/{}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad" draw:mime-type="{}"/><svg:title>Logo : {}</svg:title></draw:frame><text:line-break/>"#,
            logo.format.file_name(),
            logo.format.media_type(),
            escape(&p.name),
        );
    }
    let _ = write!(b.xml, r"<text:span>{}</text:span>", text_of(&p.name));
    if !p.contact.is_empty() {
        let _ = write!(b.xml, "<text:line-break/>{}", text_of(&p.contact));
    }
    let _ = write!(
        b.xml,
        "<text:line-break/>{}</text:p>",
        text_of(&format!("{made} le {}", p.date))
    );
}

/// The sections of one zone's summary, top to bottom as the HTML fiche shows them;
/// `map` is the path of its map in the package, if drawn. Table names start with
/// `prefix` (the compendium has several zones); `publisher`: the fiche's own publisher
/// block under its title (a compendium has one, on its first page).
#[allow(clippy::too_many_lines)] // the document's sections, top to bottom
fn summary_body(
    b: &mut Body,
    s: &Summary,
    map: Option<&str>,
    prefix: &str,
    level: u8,
    publisher: bool,
) {
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
    if publisher {
        publisher_block(b, &s.publication, "Fiche produite");
    }
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

/// The « Co-construction » section, at heading `level`.
fn coconstruction(b: &mut Body, c: &Coconstruction, level: u8) {
    b.heading(level, "Intertitre ESS", "Co-construction");
    b.paragraph("Texte ESS", &c.text);
    let lines: Vec<String> = c.consultations.iter().map(|l| l.text.clone()).collect();
    b.list(&lines);
    if !c.organisations.is_empty() {
        b.paragraph(
            "Texte ESS",
            &format!(
                "Organisations contributrices : {}.",
                c.organisations
                    .iter()
                    .map(|o| o.text.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if !c.partners.is_empty() {
        b.paragraph("Texte ESS", "Propositions des partenaires retenues :");
        let lines: Vec<String> = c.partners.iter().map(|p| p.text.clone()).collect();
        b.list(&lines);
    }
}

/// A summary (« fiche ») as an ODT package.
pub fn render(s: &Summary) -> Result<Vec<u8>> {
    let mut body = Body::new();
    summary_body(&mut body, s, Some("Pictures/carte-1"), "", 1, true);
    let title = format!(
        "Fiche {} {} – édition {}",
        match s.kind {
            ZoneKind::Territory => "territoire",
            ZoneKind::Epci => "EPCI",
        },
        s.name,
        s.edition
    );
    package(&title, &s.publication, &body, &[s.map_svg.as_str()])
}

/// The departmental compendium as an ODT package: the département's synthesis, then
/// each territory's summary and published portrait, as the PDF.
pub fn render_recueil(r: &Recueil) -> Result<Vec<u8>> {
    let mut b = Body::new();
    b.heading(
        1,
        "Titre ESS",
        &format!(
            "Recueil des portraits de territoire de l'ESS – {}",
            r.department_name
        ),
    );
    b.paragraph(
        "Sous-titre ESS",
        &format!(
            "Édition {} · établissements actifs au {}{}",
            r.edition,
            r.reference_date,
            if r.demo {
                " · données de démonstration"
            } else {
                ""
            }
        ),
    );
    publisher_block(&mut b, &r.publication, "Recueil produit");
    b.heading(2, "Intertitre ESS", &r.department.title);
    b.summary_table(&r.department, "Indicateur", "");
    b.heading(2, "Intertitre ESS", &r.territories.title);
    b.summary_table(&r.territories, "Territoire", "");
    let mut maps = Vec::with_capacity(r.chapters.len());
    for (i, chapter) in r.chapters.iter().enumerate() {
        let s = &chapter.summary;
        let path = format!("Pictures/carte-{}", i + 1);
        summary_body(&mut b, s, Some(&path), &format!("{} – ", s.code), 1, false);
        b.heading(2, "Intertitre ESS", "Portrait du territoire");
        if !chapter.published {
            b.paragraph("Texte ESS", "Portrait non publié pour cette édition.");
        }
        for section in &chapter.sections {
            b.heading(3, "Sous-intertitre ESS", &section.title);
            for p in &section.paragraphs {
                b.paragraph("Texte ESS", p);
            }
        }
        maps.push(s.map_svg.as_str());
    }
    b.heading(1, "Intertitre ESS", "Propositions du CDESS");
    if r.cdess.is_empty() {
        b.paragraph(
            "Texte ESS",
            "Aucune proposition du CDESS enregistrée pour cette édition.",
        );
    }
    for c in &r.cdess {
        b.heading(
            2,
            "Sous-intertitre ESS",
            &format!("{} (séance du {})", c.title, c.session),
        );
        if !c.orientation.is_empty() {
            b.paragraph("Texte ESS", &format!("Orientation : {}", c.orientation));
        }
        for p in &c.paragraphs {
            b.paragraph("Texte ESS", p);
        }
    }
    b.heading(1, "Intertitre ESS", "Notes");
    b.paragraph("Note ESS", r.source_label);
    let notes: Vec<String> = r.notes.iter().map(|n| (*n).to_owned()).collect();
    b.list(&notes);
    package(
        &format!(
            "Recueil des portraits de territoire – édition {}",
            r.edition
        ),
        &r.publication,
        &b,
        &maps,
    )
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
        let styles = package::styles_xml();
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
