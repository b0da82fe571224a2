//! Bringing the database's geography cache up to date with `geodata/` at start-up and
//! before commands that need the geography.

use std::path::Path;

use anyhow::Context;

use crate::db::Db;
use crate::geography::{self, Geography};
use crate::spatial;

/// Opens the database and brings the geography up to date with `geodata_dir`.
///
/// The files are hashed first; when the hash equals the cached one the geography is
/// read from the database, otherwise the files are validated, outlines dissolved and
/// the cache replaced in one transaction. Bad files stop here with a message naming
/// the file and the line or feature, and the database keeps its previous state.
pub async fn load_geography(db: &Db, geodata_dir: &Path) -> anyhow::Result<Geography> {
    let started = std::time::Instant::now();
    let dir = geodata_dir.to_owned();
    let fingerprint = tokio::task::spawn_blocking(move || spatial::boundaries::fingerprint(&dir))
        .await?
        .context("cannot read the geodata")?;
    let cached = db.geodata_fingerprint().await?;
    let records = if cached.as_deref() == Some(fingerprint.as_str()) {
        let records = db
            .load_geography()
            .await?
            .context("geography cache vanished during start-up")?;
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis(),
            "geography loaded from the database cache"
        );
        records
    } else {
        let dir = geodata_dir.to_owned();
        let records = tokio::task::spawn_blocking(move || {
            spatial::boundaries::load_geodata(&dir).map(geography::build_records)
        })
        .await?
        .context("invalid geodata, nothing was changed")?;
        db.store_geography(&records)
            .await
            .context("cannot store the geography")?;
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis(),
            communes = records.communes.len(),
            epci = records.epci.len(),
            territories = records.territories.len(),
            "geography built from {}",
            geodata_dir.display()
        );
        records
    };
    tokio::task::spawn_blocking(move || Geography::assemble(records))
        .await?
        .map_err(|e| anyhow::anyhow!("inconsistent geography: {e}"))
}
