//! Export of the tiles to one `PMTiles` v3 archive, for static storage or a CDN.
//!
//! Each tile of the archive holds every layer (`territories`, `epci`, `communes`
//! and, when an edition exists, `organisations`): the encoded layers are
//! concatenated, which is a valid multi-layer MVT. Tiles cover the département's
//! bounding box at the chosen zooms; tiles with no feature are left out, as the spec
//! requires. The archive is written by the `pmtiles` crate (stadiamaps, the writer
//! martin uses), gzip-compressed, with TileJSON-like metadata (`vector_layers`).

use std::path::Path;

use anyhow::Context;
use pmtiles::{PmTilesWriter, TileCoord, TileType};
use serde_json::json;

use super::topology::world;
use super::{TileId, TileLayer, TileService};
use crate::db::Db;
use crate::geography::Geography;

/// What an export wrote.
#[derive(Debug, Clone, Copy)]
pub struct ExportSummary {
    pub tiles: usize,
    pub empty: usize,
    pub bytes: u64,
    pub largest: usize,
}

/// Tiles intersecting `bbox` at zoom `z`, in x then y order.
#[must_use]
pub fn tiles_over(bbox: [f64; 4], z: u8) -> Vec<TileId> {
    let n = f64::from(1u32 << z);
    let max = (1u32 << z) - 1;
    let a = world([bbox[0], bbox[3]], n);
    let b = world([bbox[2], bbox[1]], n);
    let clamp = |v: f64| (v.max(0.0) as u32).min(max);
    let mut out = Vec::new();
    for x in clamp(a[0])..=clamp(b[0]) {
        for y in clamp(a[1])..=clamp(b[1]) {
            out.push(TileId { z, x, y });
        }
    }
    out
}

/// Writes zooms `min_zoom..=max_zoom` over the département to `out`; the
/// organisations layer is `edition`'s (`None`: the latest; no layer without editions).
pub async fn export(
    service: &TileService,
    db: &Db,
    geography: &Geography,
    edition: Option<i64>,
    (min_zoom, max_zoom): (u8, u8),
    out: &Path,
) -> anyhow::Result<ExportSummary> {
    anyhow::ensure!(
        min_zoom <= max_zoom && max_zoom <= super::MAX_ZOOM,
        "zooms must satisfy min ≤ max ≤ {}",
        super::MAX_ZOOM
    );
    let edition = match service.resolve_edition(db, edition).await {
        Ok(y) => Some(y),
        Err(super::TileError::NoEdition) => None,
        Err(e) => return Err(e.into()),
    };
    let bbox = geography.department.bbox;
    let mut layers: Vec<TileLayer> =
        vec![TileLayer::Territories, TileLayer::Epci, TileLayer::Communes];
    if edition.is_some() {
        layers.push(TileLayer::Organisations);
    }
    let vector_layers: Vec<_> = layers
        .iter()
        .map(|&l| json!({"id": l.name(), "minzoom": min_zoom.max(service.min_zoom(l)), "maxzoom": max_zoom, "fields": {}}))
        .collect();
    let metadata = json!({
        "name": "ess-atlas",
        "description": format!("ESS du {} ({})", geography.department.name, geography.department.code),
        "attribution": geography.department.attribution,
        "edition": edition,
        "vector_layers": vector_layers,
    });
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .min_zoom(min_zoom)
        .max_zoom(max_zoom)
        .bounds(bbox[0], bbox[1], bbox[2], bbox[3])
        .center(
            f64::midpoint(bbox[0], bbox[2]),
            f64::midpoint(bbox[1], bbox[3]),
        )
        .center_zoom(min_zoom.max(8).min(max_zoom))
        .metadata(metadata.to_string())
        .create(std::io::BufWriter::new(file))
        .context("cannot start the PMTiles archive")?;
    let mut summary = ExportSummary {
        tiles: 0,
        empty: 0,
        bytes: 0,
        largest: 0,
    };
    let mut all: Vec<TileId> = (min_zoom..=max_zoom)
        .flat_map(|z| tiles_over(bbox, z))
        .collect();
    // Increasing tile ids (Hilbert order) make the smallest directories.
    all.sort_by_key(|t| coord(*t).map_or(u64::MAX, |c| pmtiles::TileId::from(c).value()));
    let mut data = Vec::new();
    for t in all {
        data.clear();
        for &layer in &layers {
            service
                .encode_uncached(db, layer, edition.unwrap_or(0), t, &mut data)
                .await?;
        }
        if data.is_empty() {
            summary.empty += 1;
            continue;
        }
        summary.tiles += 1;
        summary.bytes += data.len() as u64;
        summary.largest = summary.largest.max(data.len());
        writer
            .add_tile(coord(t)?, &data)
            .with_context(|| format!("cannot write tile {}/{}/{}", t.z, t.x, t.y))?;
    }
    writer
        .finalize()
        .context("cannot finish the PMTiles archive")?;
    Ok(summary)
}

fn coord(t: TileId) -> anyhow::Result<TileCoord> {
    TileCoord::new(t.z, t.x, t.y).with_context(|| format!("tile {}/{}/{}", t.z, t.x, t.y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_departement_fits_one_tile_at_zoom_6() {
        let bbox = [1.55, 50.02, 3.19, 51.01];
        assert_eq!(tiles_over(bbox, 6), vec![TileId { z: 6, x: 32, y: 21 }]);
        assert!(tiles_over(bbox, 14).len() > 5000);
    }
}
