//! Encodes every tile over the département's bounding box, zooms 5–14, for the three
//! zone layers and an organisations layer of N seeded random points, and prints per
//! zoom and layer: tiles with features, the largest tile, and encoding times. The
//! size and cold-cost half of the tile benchmark (`benches/tiles.sh`); the HTTP half
//! runs against martin.
//!
//! `cargo run --release --example tile_sizes -- [POINTS=1000000] [GEODATA=geodata]`

use std::time::Instant;

use ess_atlas::ess::perimeter::Family;
use ess_atlas::geography::{Geography, build_records};
use ess_atlas::spatial::boundaries::load_geodata;
use ess_atlas::tiles::pmtiles::tiles_over;
use ess_atlas::tiles::points::{OrgPoint, PointSet};
use ess_atlas::tiles::{BoundaryTiles, TileId};

/// `SplitMix64`: a seeded, dependency-free generator (the points only need to be
/// reproducible).
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(1_000_000), |s| s.parse())?;
    let geodata = args.next().unwrap_or_else(|| "geodata".into());
    let g = Geography::assemble(build_records(load_geodata(std::path::Path::new(&geodata))?))
        .map_err(anyhow::Error::msg)?;
    let started = Instant::now();
    let boundaries = BoundaryTiles::new(&g);
    println!(
        "topology of {} communes: {:.1} ms",
        g.communes.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let bbox = g.department.bbox;
    let mut rng = Rng(62);
    let points: Vec<OrgPoint> = (0..n)
        .map(|i| OrgPoint {
            siret: format!("{:014}", 10_000_000_000_000u64 + i as u64),
            name: format!("Organisation synthétique {i}"),
            family: Family::ALL[i % 5],
            naf: Some("88.10A".into()),
            employer: i % 4 == 0,
            approximate: false,
            lon: bbox[0] + rng.next_f64() * (bbox[2] - bbox[0]),
            lat: bbox[1] + rng.next_f64() * (bbox[3] - bbox[1]),
        })
        .collect();
    let started = Instant::now();
    let set = PointSet::new(points);
    println!(
        "index of {n} points: {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "{:<14} {:>4} {:>6} {:>9} {:>11} {:>10} {:>10} {:>10}",
        "layer", "z", "tiles", "nonempty", "max_bytes", "p50_ms", "max_ms", "total_ms"
    );
    let mut overall_max = 0usize;
    for (index, name) in [
        (0usize, "territories"),
        (1, "epci"),
        (2, "communes"),
        (3, "organisations"),
    ] {
        for z in 5u8..=14 {
            let tiles: Vec<TileId> = tiles_over(bbox, z);
            let mut times = Vec::with_capacity(tiles.len());
            let (mut nonempty, mut max_bytes) = (0usize, 0usize);
            let zoom_start = Instant::now();
            for t in &tiles {
                let mut out = Vec::new();
                let s = Instant::now();
                if index == 3 {
                    set.encode(*t, None, &mut out);
                } else {
                    boundaries.encode(index, name, *t, &mut out);
                }
                times.push(s.elapsed().as_secs_f64() * 1e3);
                if !out.is_empty() {
                    nonempty += 1;
                    max_bytes = max_bytes.max(out.len());
                }
            }
            let total = zoom_start.elapsed().as_secs_f64() * 1e3;
            times.sort_by(f64::total_cmp);
            overall_max = overall_max.max(max_bytes);
            println!(
                "{name:<14} {z:>4} {:>6} {nonempty:>9} {max_bytes:>11} {:>10.3} {:>10.3} {total:>10.1}",
                tiles.len(),
                times[times.len() / 2],
                times[times.len() - 1],
            );
        }
    }
    println!(
        "largest tile of any layer and zoom: {overall_max} bytes ({:.1} KiB)",
        overall_max as f64 / 1024.0
    );
    Ok(())
}
