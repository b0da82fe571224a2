//! `ess-atlas export …`: `PMTiles` archives of the vector tiles, the compendium PDF,
//! the open data set of an edition.

use std::time::Instant;

use anyhow::Context;

use super::GlobalArgs;
use crate::db::Db;

pub(super) async fn export_tiles(
    global: &GlobalArgs,
    out: &std::path::Path,
    edition: Option<i64>,
    zooms: (u8, u8),
) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = Db::connect(&global.database).await?;
    let geography = crate::operations::load_geography(&db, &global.geodata).await?;
    let service = crate::tiles::TileService::new(&geography, 0);
    let summary =
        crate::tiles::pmtiles::export(&service, &db, &geography, edition, zooms, out).await?;
    println!(
        "{}: {} tiles (zooms {}–{}), {} empty left out, {} bytes before compression, largest {} bytes, {:.1} s",
        out.display(),
        summary.tiles,
        zooms.0,
        zooms.1,
        summary.empty,
        summary.bytes,
        summary.largest,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub(super) async fn export_recueil(
    global: &GlobalArgs,
    year: i64,
    out: &std::path::Path,
    publisher: &super::PublisherArgs,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = Db::connect(&global.database).await?;
    let geography =
        std::sync::Arc::new(crate::operations::load_geography(&db, &global.geodata).await?);
    let ctx = crate::summary::Context {
        db,
        geography,
        cubes: std::sync::Arc::default(),
        publisher: std::sync::Arc::new(publisher.load()?),
    };
    let edition = crate::summary::resolve_edition(&ctx, Some(year))
        .await
        .with_context(|| format!("edition {year}: import it first (ess-atlas import sirene)"))?;
    let progress = |done: usize, total: usize| eprintln!("recueil {year}: {done}/{total}");
    // `--out recueil.odt` writes the editable OpenDocument text, anything else the PDF.
    let pdf = if out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("odt"))
    {
        let data = crate::summary::recueil::build(&ctx, &edition, &progress).await?;
        tokio::task::spawn_blocking(move || crate::summary::odt::render_recueil(&data)).await??
    } else {
        crate::summary::recueil::render(&ctx, &edition, &progress).await?
    };
    std::fs::write(out, &pdf).with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "{}: compendium of edition {year}, {} bytes, {:.1} s",
        out.display(),
        pdf.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub(super) async fn export_opendata(
    global: &GlobalArgs,
    year: i64,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = Db::connect(&global.database).await?;
    let Some(edition) = db.edition(year).await? else {
        let known: Vec<String> = db
            .editions()
            .await?
            .iter()
            .map(|e| e.year.to_string())
            .collect();
        anyhow::bail!(
            "édition {year} inconnue : {} (ess-atlas edition list) ; rien n'a été écrit",
            if known.is_empty() {
                "la base n'a aucune édition, importez-en une d'abord (ess-atlas import sirene)"
                    .to_owned()
            } else {
                format!("les éditions sont {}", known.join(", "))
            }
        );
    };
    let geography =
        std::sync::Arc::new(crate::operations::load_geography(&db, &global.geodata).await?);
    let ctx = crate::summary::Context {
        db,
        geography,
        cubes: std::sync::Arc::default(),
        publisher: std::sync::Arc::default(),
    };
    let set = crate::summary::opendata::build(&ctx, &edition).await?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut bytes = 0;
    for file in &set.files {
        let path = out.join(&file.name);
        std::fs::write(&path, &file.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        bytes += file.bytes.len();
    }
    println!(
        "{}: données ouvertes de l'édition {year}{}, {} fichiers, {bytes} octets, {:.1} s",
        out.display(),
        if set.demo {
            " (données de démonstration)"
        } else {
            ""
        },
        set.files.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
