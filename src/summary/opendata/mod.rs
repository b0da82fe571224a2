//! The open data set of an edition (« données ouvertes »): the published indicator
//! tables per level as CSV, the geography as GeoJSON, a Frictionless Data Package
//! (`datapackage.json`) describing every file and column, and a README in French.
//!
//! Same figures as the API: every cell is read through [`crate::indicators::value`]
//! with [`crate::indicators::Audience::Public`] on the edition's audited cube (the cube cache serves a
//! cube only once it passes the secret statistique audit), for exactly the tables
//! `/api/indicators` publishes: every level × indicator × category (the ESS as a
//! whole, one family, one NAF section or one size class; one breakdown at a time). A
//! masked cell is written **empty** with `statut` = `secret`, never its value.
//!
//! Owns the content of the files (`tables`: the CSV tables and their schemas;
//! `package`: `datapackage.json` and the README) and the zip of the set; no HTTP
//! (`api::opendata`), no file system (`cli`), no SQL.

mod package;
mod tables;

use std::io::Write as _;

use super::{Context, Result, SummaryError};
use crate::db::Edition;
use crate::tiles::geojson::build_layers;

pub use tables::{LEVELS, STATUS_PUBLISHED, STATUS_SECRET, STATUS_UNAVAILABLE};

/// One file of the set.
#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The open data set of one edition.
#[derive(Debug, Clone)]
pub struct OpenData {
    pub edition: i64,
    pub demo: bool,
    pub files: Vec<File>,
}

impl OpenData {
    /// The file named `name`, if the set has one.
    #[must_use]
    pub fn file(&self, name: &str) -> Option<&File> {
        self.files.iter().find(|f| f.name == name)
    }
}

/// The name of the zip holding the whole set of `edition`.
#[must_use]
pub fn zip_name(edition: i64) -> String {
    format!("donnees-ess-{edition}.zip")
}

/// What each file of a set is, in French, in the set's order (for the download page
/// and the README): `(name, description)`.
#[must_use]
pub fn file_descriptions() -> Vec<(String, String)> {
    let mut out = Vec::new();
    out.push((
        "README.md".to_owned(),
        "Présentation du jeu de données, sources, licences, secret statistique".to_owned(),
    ));
    out.push((
        "datapackage.json".to_owned(),
        "Description des fichiers et de leurs colonnes (Frictionless Data Package)".to_owned(),
    ));
    for level in LEVELS {
        out.push((
            level.file_name(),
            format!("Indicateurs publiés, {} (CSV)", level.plural),
        ));
    }
    out.push((
        tables::CATALOGUE_FILE.to_owned(),
        "Les indicateurs : libellé, unité, définition, méthode, source (CSV)".to_owned(),
    ));
    out.push((
        tables::CATEGORIES_FILE.to_owned(),
        "Les catégories : familles, secteurs d'activité, tailles (CSV)".to_owned(),
    ));
    for (file, what) in package::GEOJSON_FILES {
        out.push((
            (*file).to_owned(),
            format!("Contours des {what} (GeoJSON, WGS84)"),
        ));
    }
    out
}

/// Builds the open data set of `edition`: public figures only.
pub async fn build(ctx: &Context, edition: &Edition) -> Result<OpenData> {
    let g = &ctx.geography;
    let cube = ctx.cubes.get(&ctx.db, g, edition).await?;
    let g2 = std::sync::Arc::clone(g);
    let edition2 = edition.clone();
    // CPU-bound: hundreds of thousands of cells and the GeoJSON layers.
    let (mut files, layers) = tokio::task::spawn_blocking(move || {
        let files = tables::build_tables(&g2, &cube, &edition2)?;
        Ok::<_, SummaryError>((files, build_layers(&g2)))
    })
    .await
    .map_err(|e| SummaryError::Render {
        format: "données ouvertes",
        message: e.to_string(),
    })??;
    for (name, _) in package::GEOJSON_FILES {
        let body = match *name {
            "communes.geojson" => &layers.communes,
            "epci.geojson" => &layers.epci,
            _ => &layers.territories,
        };
        files.push(File {
            name: (*name).to_owned(),
            media_type: media_type(name),
            bytes: body.raw().to_vec(),
        });
    }
    let datapackage = package::datapackage(g, edition, &files);
    let readme = package::readme(g, edition);
    files.insert(
        0,
        File {
            name: "datapackage.json".to_owned(),
            media_type: media_type("datapackage.json"),
            bytes: datapackage,
        },
    );
    files.insert(
        0,
        File {
            name: "README.md".to_owned(),
            media_type: media_type("README.md"),
            bytes: readme.into_bytes(),
        },
    );
    Ok(OpenData {
        edition: edition.year,
        demo: edition.demo,
        files,
    })
}

/// The whole set in one zip (deflate), files at its root.
pub fn zip(set: &OpenData) -> Result<Vec<u8>> {
    let error = |e: &dyn std::fmt::Display| SummaryError::Render {
        format: "ZIP",
        message: e.to_string(),
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for file in &set.files {
        zip.start_file(file.name.as_str(), options)
            .map_err(|e| error(&e))?;
        zip.write_all(&file.bytes).map_err(|e| error(&e))?;
    }
    Ok(zip.finish().map_err(|e| error(&e))?.into_inner())
}

/// The file `name` of a zipped set, `None` when the zip has no such file.
pub fn unzip_file(zip: &[u8], name: &str) -> Result<Option<Vec<u8>>> {
    let error = |e: &dyn std::fmt::Display| SummaryError::Render {
        format: "ZIP",
        message: e.to_string(),
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(|e| error(&e))?;
    let Ok(mut file) = archive.by_name(name) else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0));
    std::io::Read::read_to_end(&mut file, &mut out).map_err(|e| error(&e))?;
    Ok(Some(out))
}

/// The media type a file of the set is served with, from its name.
#[must_use]
pub fn media_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("csv") => "text/csv; charset=utf-8",
        Some("geojson") => "application/geo+json",
        Some("json") => "application/json",
        Some("md") => "text/markdown; charset=utf-8",
        Some("zip") => "application/zip",
        _ => "application/octet-stream",
    }
}
