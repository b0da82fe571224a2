//! The organisations layer: establishments as points, aggregated at low zooms.
//!
//! Only public establishments with a location are here (BRIEF rule 5: a protected
//! establishment is never placed, not even inside an aggregate, since a cluster of one
//! would place it). Below [`INDIVIDUAL_FROM_ZOOM`], and at any zoom where a tile would
//! carry more than [`MAX_POINTS`] establishments, points are aggregated on a grid
//! aligned with the tile (cells of [`CELL`] units, so at most 1 024 aggregates per
//! tile): an aggregate sits at the mean position of its members and carries `count`,
//! `employers` and one count per family; a cell holding a single establishment sends
//! the establishment itself. The grid is global at each zoom, so an establishment is in
//! exactly one feature of one tile.

use std::collections::HashMap;

use super::mvt::{LayerBuilder, Value};
use super::topology::world;
use super::{EXTENT, TileId};
use crate::ess::perimeter::Family;

/// From this zoom on, establishments are sent one by one (when a tile holds few enough).
pub const INDIVIDUAL_FROM_ZOOM: u8 = 13;
/// The most establishments one tile sends individually.
pub const MAX_POINTS: usize = 4000;
/// Aggregation grid, in tile units (a tile is 4 096 units wide).
pub const CELL: i64 = 128;

/// A point in tile coordinates and the index of its establishment.
type Located = ([i64; 2], u32);

/// An aggregation cell being filled.
#[derive(Default)]
struct Cell {
    count: i64,
    sum: [i64; 2],
    employers: i64,
    families: [i64; Family::ALL.len()],
    first: u32,
    first_at: [i64; 2],
}

/// One public, located establishment.
#[derive(Debug, Clone)]
pub struct OrgPoint {
    pub siret: String,
    pub name: String,
    pub family: Family,
    pub naf: Option<String>,
    pub employer: bool,
    pub approximate: bool,
    pub lon: f64,
    pub lat: f64,
}

/// An edition's points, indexed for tile queries.
pub struct PointSet {
    /// Sorted by `world.0`.
    points: Vec<(f64, f64, u32)>,
    records: Vec<OrgPoint>,
}

impl PointSet {
    #[must_use]
    pub fn new(records: Vec<OrgPoint>) -> Self {
        let mut points: Vec<(f64, f64, u32)> = records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let w = world([r.lon, r.lat], 1.0);
                (w[0], w[1], i as u32)
            })
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        Self { points, records }
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.records.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Establishments of `family` (all when `None`) inside tile `t`, with their tile
    /// coordinates.
    fn in_tile(&self, t: TileId, family: Option<Family>) -> Vec<Located> {
        let n = f64::from(1u32 << t.z);
        let (x0, x1) = (f64::from(t.x) / n, f64::from(t.x + 1) / n);
        let (y0, y1) = (f64::from(t.y) / n, f64::from(t.y + 1) / n);
        let start = self.points.partition_point(|p| p.0 < x0);
        let scale = f64::from(EXTENT) * n;
        let mut out = Vec::new();
        for &(x, y, i) in &self.points[start..] {
            if x >= x1 {
                break;
            }
            if y < y0 || y >= y1 {
                continue;
            }
            if family.is_some_and(|f| self.records[i as usize].family != f) {
                continue;
            }
            let px = (x * scale - f64::from(t.x) * f64::from(EXTENT)).floor() as i64;
            let py = (y * scale - f64::from(t.y) * f64::from(EXTENT)).floor() as i64;
            out.push(([px.clamp(0, 4095), py.clamp(0, 4095)], i));
        }
        out
    }

    /// Encodes the `organisations` layer of tile `t`.
    pub fn encode(&self, t: TileId, family: Option<Family>, out: &mut Vec<u8>) {
        let mut inside = self.in_tile(t, family);
        if inside.is_empty() {
            return;
        }
        let mut layer = LayerBuilder::new("organisations", EXTENT);
        let individual = t.z >= INDIVIDUAL_FROM_ZOOM && inside.len() <= MAX_POINTS;
        if individual {
            // Stable order: by SIRET.
            inside.sort_by(|a, b| {
                self.records[a.1 as usize]
                    .siret
                    .cmp(&self.records[b.1 as usize].siret)
            });
            for (p, i) in inside {
                layer.add_point(&self.properties(i), p);
            }
        } else {
            // One pass, no per-cell allocation: counts and coordinate sums per cell.
            let mut cells: HashMap<(i64, i64), Cell> = HashMap::new();
            for (p, i) in inside {
                let r = &self.records[i as usize];
                let cell = cells.entry((p[0] / CELL, p[1] / CELL)).or_insert(Cell {
                    first: i,
                    first_at: p,
                    ..Cell::default()
                });
                cell.count += 1;
                cell.sum[0] += p[0];
                cell.sum[1] += p[1];
                cell.employers += i64::from(r.employer);
                cell.families[r.family as usize] += 1;
            }
            let mut cells: Vec<_> = cells.into_iter().collect();
            cells.sort_unstable_by_key(|(k, _)| *k);
            for (_, c) in cells {
                if c.count == 1 {
                    layer.add_point(&self.properties(c.first), c.first_at);
                    continue;
                }
                let mut props = vec![
                    ("count", Value::Int(c.count)),
                    ("employers", Value::Int(c.employers)),
                ];
                for f in Family::ALL {
                    let n = c.families[f as usize];
                    if n > 0 {
                        props.push((f.id(), Value::Int(n)));
                    }
                }
                layer.add_point(&props, [c.sum[0] / c.count, c.sum[1] / c.count]);
            }
        }
        layer.finish(out);
    }

    fn properties(&self, i: u32) -> Vec<(&'static str, Value)> {
        let r = &self.records[i as usize];
        let mut props = vec![
            ("siret", Value::Str(r.siret.clone())),
            ("name", Value::Str(r.name.clone())),
            ("family", Value::Str(r.family.id().to_owned())),
            ("employer", Value::Bool(r.employer)),
            ("approximate", Value::Bool(r.approximate)),
        ];
        if let Some(naf) = &r.naf {
            props.push(("naf", Value::Str(naf.clone())));
        }
        props
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geozero::mvt::{Message, Tile};

    fn point(i: usize, lon: f64, lat: f64) -> OrgPoint {
        OrgPoint {
            siret: format!("{i:014}"),
            name: format!("Association {i}"),
            family: if i.is_multiple_of(10) {
                Family::Cooperative
            } else {
                Family::Association
            },
            naf: None,
            employer: i.is_multiple_of(3),
            approximate: false,
            lon,
            lat,
        }
    }

    fn decode(out: &[u8]) -> Tile {
        Tile::decode(out).expect("valid tile")
    }

    fn count_of(tile: &Tile) -> i64 {
        let l = &tile.layers[0];
        l.features
            .iter()
            .map(|f| {
                let count_key = l.keys.iter().position(|k| k == "count");
                f.tags
                    .chunks(2)
                    .find(|kv| Some(kv[0] as usize) == count_key)
                    .and_then(|kv| l.values[kv[1] as usize].sint_value)
                    .unwrap_or(1)
            })
            .sum()
    }

    #[test]
    fn every_establishment_is_counted_once_at_every_zoom() {
        // 2 000 points on a 0.2° square around Arras.
        let points: Vec<OrgPoint> = (0..2000)
            .map(|i| {
                point(
                    i,
                    2.7 + (i % 50) as f64 * 0.004,
                    50.2 + (i / 50) as f64 * 0.005,
                )
            })
            .collect();
        let set = PointSet::new(points);
        for z in [6u8, 9, 12, 14] {
            let scale = f64::from(1u32 << z);
            let a = world([2.7, 50.4], scale);
            let b = world([2.9, 50.2], scale);
            let mut total = 0;
            for x in (a[0] as u32)..=(b[0] as u32) {
                for y in (a[1] as u32)..=(b[1] as u32) {
                    let mut out = Vec::new();
                    set.encode(TileId { z, x, y }, None, &mut out);
                    if !out.is_empty() {
                        total += count_of(&decode(&out));
                    }
                }
            }
            assert_eq!(total, 2000, "zoom {z}");
        }
    }

    #[test]
    fn a_family_filter_keeps_only_that_family() {
        let points: Vec<OrgPoint> = (0..100).map(|i| point(i, 2.78, 50.29)).collect();
        let set = PointSet::new(points);
        let mut out = Vec::new();
        set.encode(
            TileId {
                z: 14,
                x: 8318,
                y: 5535,
            },
            Some(Family::Cooperative),
            &mut out,
        );
        let tile = decode(&out);
        assert_eq!(tile.layers[0].features.len(), 10);
    }

    #[test]
    fn a_dense_tile_is_aggregated_even_at_high_zoom() {
        let points: Vec<OrgPoint> = (0..=MAX_POINTS)
            .map(|i| {
                point(
                    i,
                    2.78 + (i % 70) as f64 * 1e-5,
                    50.29 + (i / 70) as f64 * 1e-5,
                )
            })
            .collect();
        let set = PointSet::new(points);
        let mut out = Vec::new();
        set.encode(
            TileId {
                z: 14,
                x: 8318,
                y: 5535,
            },
            None,
            &mut out,
        );
        let tile = decode(&out);
        assert!(tile.layers[0].features.len() <= 1024);
        assert_eq!(count_of(&tile), (MAX_POINTS + 1) as i64);
    }
}
