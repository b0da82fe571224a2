//! Loading the demonstration data: the synthetic registry written in INSEE's SIRENE
//! format by `demo/`, imported through the real importers, then each edition's
//! demonstration subsidies file, then its co-construction (`demo::coconstruction`).
//! Labelled « données de démonstration » wherever shown.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

use crate::db::Db;
use crate::demo;
use crate::geography::Geography;
use crate::import;

use super::imports::{import_sirene, import_subsidies};

/// Seed of the demonstration data written on first start.
pub const DEMO_SEED: u64 = 62;

/// Generates the demonstration files in `dir` and imports every edition through the
/// SIRENE importer, as staff would import INSEE's files, then each edition's
/// demonstration subsidies file through the subsidies importer.
pub async fn load_demo(db: &Db, geography: &Arc<Geography>, dir: &Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let g = Arc::clone(geography);
    let out = dir.to_owned();
    let editions = tokio::task::spawn_blocking(move || demo::write_demo(&g, DEMO_SEED, 1, &out))
        .await?
        .context("cannot write the demonstration files")?;
    for e in editions {
        let files = import::sirene::SireneFiles {
            unites_legales: e.unites_legales,
            etablissements: e.etablissements,
            geolocalisation: None,
        };
        let report = import_sirene(
            db,
            Arc::clone(geography),
            i64::from(e.year),
            Some(e.reference_date),
            files,
            true,
            false,
        )
        .await
        .with_context(|| format!("cannot import the demonstration edition {}", e.year))?;
        tracing::info!("{} (données de démonstration)", report.one_line());
    }
    load_demo_subsidies(db, geography, dir).await?;
    // Its co-construction (consultations, partners', CDESS's proposals) reads the
    // registry just imported; written, like the rest, under the caller's start-up
    // lock, so a second instance starting together waits and then finds it.
    db.load_demo_coconstruction()
        .await
        .context("cannot write the demonstration's co-construction")?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis(),
        "demonstration data generated and imported"
    );
    Ok(())
}

/// Writes the demonstration SCDL subsidies file of every demo edition, drawn from its
/// imported registry, and imports it through the subsidies importer.
async fn load_demo_subsidies(db: &Db, geography: &Geography, dir: &Path) -> anyhow::Result<()> {
    let public_body = geography
        .epci
        .first()
        .map(|e| (e.zone.code.clone(), e.zone.name.clone()))
        .context("the geography has no EPCI")?;
    for edition in demo::DEMO_EDITIONS {
        let year = i64::from(edition.year);
        let candidates = db.demo_beneficiaries(year).await?;
        let folder = dir.join(edition.year.to_string());
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        let path = folder.join(format!("subventions-{}.csv", edition.year));
        let (file, body) = (path.clone(), public_body.clone());
        tokio::task::spawn_blocking(move || {
            demo::scdl::write_subsidies(
                &file,
                edition.year,
                DEMO_SEED,
                &candidates,
                (&body.0, &body.1),
            )
        })
        .await?
        .with_context(|| format!("cannot write the {} demonstration subsidies", edition.year))?;
        let report = import_subsidies(db, year, path).await.with_context(|| {
            format!("cannot import the {} demonstration subsidies", edition.year)
        })?;
        tracing::info!("{} (données de démonstration)", report.one_line());
    }
    Ok(())
}
