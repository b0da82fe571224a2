//! Unit tests of the tile service.

use super::*;

/// `n` × `n` small squares tiling `[2.0, 50.0] – [3.0, 51.0]`.
fn grid(n: usize) -> Vec<[f64; 4]> {
    let step = 1.0 / n as f64;
    (0..n * n)
        .map(|i| {
            let (x, y) = ((i % n) as f64, (i / n) as f64);
            let (w, s) = (2.0 + x * step, 50.0 + y * step);
            [w, s, w + step * 0.9, s + step * 0.9]
        })
        .collect()
}

#[test]
fn a_layer_too_crowded_for_low_zooms_starts_where_tiles_hold_the_limit() {
    // A département's communes fit in one tile: drawn from zoom 0.
    assert_eq!(min_zoom(&grid(30), 1_000), 0);
    // 10,000 features in a 1° square: too many for one tile until the square spans
    // several tiles, and then no tile holds more than the limit.
    let many = grid(100);
    let z = min_zoom(&many, 1_000);
    assert!(z > 0, "{z}");
    let per_tile = |z: u8| {
        let mut counts: HashMap<(u32, u32), usize> = HashMap::new();
        for b in &many {
            for t in pmtiles::tiles_over(*b, z) {
                *counts.entry((t.x, t.y)).or_default() += 1;
            }
        }
        counts.into_values().max().unwrap_or(0)
    };
    assert!(per_tile(z) <= 1_000, "z{z}: {}", per_tile(z));
    assert!(per_tile(z - 1) > 1_000, "z{} would have done", z - 1);
}

#[test]
fn tile_addresses_are_validated() {
    assert!(TileId::new(0, 0, 0).is_ok());
    assert!(TileId::new(22, (1 << 22) - 1, 0).is_ok());
    assert!(TileId::new(23, 0, 0).is_err());
    assert!(TileId::new(3, 8, 0).is_err());
    assert!(TileId::new(3, 0, 8).is_err());
}

#[test]
fn bounds_follow_the_xyz_scheme() {
    let [w, s, e, n] = TileId { z: 1, x: 1, y: 0 }.bounds();
    assert!((w - 0.0).abs() < 1e-9 && (e - 180.0).abs() < 1e-9);
    assert!(s.abs() < 1e-9 && (n - 85.051_128_78).abs() < 1e-6);
}
