//! Writing the ODT package: `mimetype` first and stored, the manifest listing every
//! part, `content.xml`, the named styles of `styles.xml`, `meta.xml` (title, the
//! publisher as author), and the pictures (maps, the publisher's logo). See the
//! parent module for why each rule.

use std::fmt::Write as _;
use std::io::Write as _;

use zip::write::SimpleFileOptions;

use super::{Body, MEDIA_TYPE, TEXT_WIDTH_CM, png_of, style_name};
use crate::summary::html::escape;
use crate::summary::publisher::{Logo, Publication};
use crate::summary::{Result, SummaryError};

const NAMESPACES: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.3""#;

/// The named styles: what a communication department restyles.
pub(super) fn styles_xml() -> String {
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
        (
            "Éditeur ESS",
            r#"fo:margin-bottom="0.3cm""#,
            r##"fo:font-size="9pt" fo:color="#444444""##,
        ),
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

fn meta_xml(title: &str, author: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-meta {NAMESPACES}><office:meta><meta:generator>ess-atlas/{}</meta:generator><dc:title>{}</dc:title><meta:initial-creator>{author}</meta:initial-creator><dc:creator>{author}</dc:creator><dc:language>fr-FR</dc:language></office:meta></office:document-meta>"#,
        env!("CARGO_PKG_VERSION"),
        escape(title),
        author = escape(author),
    )
}

fn manifest_xml(maps: usize, logo: Option<&Logo>) -> String {
    let mut pictures = String::new();
    for i in 1..=maps {
        let _ = write!(
            pictures,
            r#"<manifest:file-entry manifest:full-path="Pictures/carte-{i}.svg" manifest:media-type="image/svg+xml"/><manifest:file-entry manifest:full-path="Pictures/carte-{i}.png" manifest:media-type="image/png"/>"#
        );
    }
    if let Some(logo) = logo {
        let _ = write!(
            pictures,
            r#"<manifest:file-entry manifest:full-path="Pictures/{}" manifest:media-type="{}"/>"#,
            logo.format.file_name(),
            logo.format.media_type()
        );
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="{MEDIA_TYPE}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>{pictures}</manifest:manifest>"#
    )
}

/// The package of `body` titled `title`, by `publication`'s publisher, with the
/// `maps` (SVG drawings) and the publisher's logo.
pub(super) fn package(
    title: &str,
    publication: &Publication,
    body: &Body,
    maps: &[&str],
) -> Result<Vec<u8>> {
    let logo = publication.image.as_ref();
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
            manifest_xml(maps.len(), logo).into_bytes(),
            deflated,
        ),
        (
            "content.xml".into(),
            content_xml(body).into_bytes(),
            deflated,
        ),
        ("styles.xml".into(), styles_xml().into_bytes(), deflated),
        (
            "meta.xml".into(),
            meta_xml(title, &publication.name).into_bytes(),
            deflated,
        ),
    ];
    if let Some(logo) = logo {
        parts.push((
            format!("Pictures/{}", logo.format.file_name()),
            logo.bytes.to_vec(),
            stored,
        ));
    }
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
