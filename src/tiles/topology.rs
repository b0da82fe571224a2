//! Shared-boundary topology of the polygon layers and its simplification per zoom.
//!
//! Communes tile the département: two neighbours share their boundary vertex for
//! vertex, and EPCI and territory outlines run along the same vertices (checked on the
//! shipped geodata: every outline edge is a commune edge once coordinates are snapped
//! to the source's 1e-6° grid). Simplifying each polygon on its own would open gaps
//! and overlaps between neighbours, so the rings are cut into *arcs* between junctions
//! (vertices with other than two neighbours), each arc is simplified once per zoom, and
//! every ring is rebuilt from its simplified arcs: neighbours keep one common boundary
//! at every zoom, as `TopoJSON` and mapshaper do. Written by hand because no maintained
//! crate does topology-preserving simplification on `geo` types.
//!
//! Coordinates per zoom are integers in *world tile units*: the Web Mercator square at
//! zoom `z` is `EXTENT · 2^z` units wide, so that a tile's local coordinates are the
//! world coordinates minus the tile's origin, with no rounding at tile edges.

use std::collections::HashMap;

use geo::MultiPolygon;

/// One polygon of a feature: its exterior ring first, then its holes (ring indices).
pub type PolygonRings = Vec<u32>;

/// The rings of one feature, as indices into [`Topology`]'s rings.
#[derive(Debug, Clone, Default)]
pub struct FeatureRings {
    pub polygons: Vec<PolygonRings>,
    /// `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox: [f64; 4],
}

/// Rings decomposed into shared arcs.
#[derive(Debug)]
pub struct Topology {
    /// lon/lat of each distinct vertex, snapped to 1e-6°.
    vertices: Vec<[f64; 2]>,
    /// Vertex ids of each arc, in its canonical direction.
    arcs: Vec<Vec<u32>>,
    /// Arcs of each ring, with whether the ring walks the arc backwards.
    rings: Vec<Vec<(u32, bool)>>,
    /// Per input layer, per feature.
    pub layers: Vec<Vec<FeatureRings>>,
}

/// The rings of every layer at one zoom, in world tile units.
#[derive(Debug)]
pub struct ZoomRings {
    /// Open rings (the closing point is implied), possibly empty when the ring
    /// collapsed at this zoom.
    pub rings: Vec<Vec<[i64; 2]>>,
}

fn snap(c: geo::Coord<f64>) -> (i64, i64) {
    ((c.x * 1e6).round() as i64, (c.y * 1e6).round() as i64)
}

impl Topology {
    /// Builds the topology of `layers` (each a list of feature geometries in WGS84).
    #[must_use]
    #[allow(clippy::too_many_lines)] // the topology's steps (arcs, junctions, simplification), in order
    pub fn build(layers: &[Vec<&MultiPolygon<f64>>]) -> Self {
        let mut ids: HashMap<(i64, i64), u32> = HashMap::new();
        let mut vertices: Vec<[f64; 2]> = Vec::new();
        let mut raw_rings: Vec<Vec<u32>> = Vec::new();
        let mut out_layers = Vec::with_capacity(layers.len());
        for layer in layers {
            let mut features = Vec::with_capacity(layer.len());
            for geometry in layer {
                let mut feature = FeatureRings {
                    polygons: Vec::new(),
                    bbox: [f64::MAX, f64::MAX, f64::MIN, f64::MIN],
                };
                for polygon in &geometry.0 {
                    let mut rings = Vec::new();
                    let all = std::iter::once(polygon.exterior()).chain(polygon.interiors());
                    for (k, ring) in all.enumerate() {
                        let mut seq: Vec<u32> = Vec::with_capacity(ring.0.len());
                        for c in &ring.0 {
                            feature.bbox[0] = feature.bbox[0].min(c.x);
                            feature.bbox[1] = feature.bbox[1].min(c.y);
                            feature.bbox[2] = feature.bbox[2].max(c.x);
                            feature.bbox[3] = feature.bbox[3].max(c.y);
                            let key = snap(*c);
                            let id = *ids.entry(key).or_insert_with(|| {
                                vertices.push([key.0 as f64 / 1e6, key.1 as f64 / 1e6]);
                                (vertices.len() - 1) as u32
                            });
                            if seq.last() != Some(&id) {
                                seq.push(id);
                            }
                        }
                        while seq.len() > 1 && seq.first() == seq.last() {
                            seq.pop();
                        }
                        if seq.len() < 3 {
                            if k == 0 {
                                // A polygon whose exterior collapsed is dropped with its holes.
                                break;
                            }
                            continue;
                        }
                        rings.push(raw_rings.len() as u32);
                        raw_rings.push(seq);
                    }
                    if !rings.is_empty() {
                        feature.polygons.push(rings);
                    }
                }
                features.push(feature);
            }
            out_layers.push(features);
        }

        // Junctions: vertices with other than two distinct neighbours over all rings.
        let mut neighbours: Vec<Vec<u32>> = vec![Vec::new(); vertices.len()];
        for ring in &raw_rings {
            for i in 0..ring.len() {
                let a = ring[i];
                let b = ring[(i + 1) % ring.len()];
                if !neighbours[a as usize].contains(&b) {
                    neighbours[a as usize].push(b);
                }
                if !neighbours[b as usize].contains(&a) {
                    neighbours[b as usize].push(a);
                }
            }
        }
        let is_node: Vec<bool> = neighbours.iter().map(|n| n.len() != 2).collect();

        let mut arc_ids: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut arcs: Vec<Vec<u32>> = Vec::new();
        let mut rings = Vec::with_capacity(raw_rings.len());
        for ring in &raw_rings {
            let n = ring.len();
            let parts = match (0..n).find(|&i| is_node[ring[i] as usize]) {
                None => {
                    // A ring without junction (an island, an enclave): one closed arc,
                    // started at its smallest vertex so both sides agree.
                    let start = (0..n).min_by_key(|&i| ring[i]).unwrap_or(0);
                    let mut seq: Vec<u32> = (0..=n).map(|k| ring[(start + k) % n]).collect();
                    // Same direction for both users of the arc: smallest second vertex.
                    let backwards = seq[1] > seq[n - 1];
                    if backwards {
                        seq.reverse();
                    }
                    let (id, _) = intern(&mut arc_ids, &mut arcs, seq, false);
                    vec![(id, backwards)]
                }
                Some(first) => {
                    let mut parts = Vec::new();
                    let mut seq = vec![ring[first]];
                    for k in 1..=n {
                        let v = ring[(first + k) % n];
                        seq.push(v);
                        if is_node[v as usize] {
                            parts.push(intern(
                                &mut arc_ids,
                                &mut arcs,
                                std::mem::replace(&mut seq, vec![v]),
                                true,
                            ));
                        }
                    }
                    parts
                }
            };
            rings.push(parts);
        }
        Self {
            vertices,
            arcs,
            rings,
            layers: out_layers,
        }
    }

    /// Number of arcs (for tests and diagnostics).
    #[must_use]
    pub fn arc_count(&self) -> usize {
        self.arcs.len()
    }

    /// Every ring at `zoom`, simplified with `tolerance` world tile units.
    #[must_use]
    pub fn at_zoom(&self, zoom: u8, tolerance: f64) -> ZoomRings {
        let scale = f64::from(super::EXTENT) * f64::from(1u32 << zoom.min(31));
        let arcs: Vec<Vec<[i64; 2]>> = self
            .arcs
            .iter()
            .map(|arc| {
                let projected: Vec<[f64; 2]> = arc
                    .iter()
                    .map(|&v| world(self.vertices[v as usize], scale))
                    .collect();
                let closed = arc.first() == arc.last();
                let keep = simplify(&projected, tolerance, if closed { 2 } else { 1 });
                let mut out: Vec<[i64; 2]> = Vec::with_capacity(keep.len());
                for (p, _) in projected.iter().zip(&keep).filter(|(_, k)| **k) {
                    let q = [p[0].round() as i64, p[1].round() as i64];
                    if out.last() != Some(&q) {
                        out.push(q);
                    }
                }
                // Keep both ends even if they round together, so rings join up.
                if out.len() == 1 {
                    out.push(out[0]);
                }
                out
            })
            .collect();
        let rings = self
            .rings
            .iter()
            .map(|parts| {
                let mut ring: Vec<[i64; 2]> = Vec::new();
                for &(arc, backwards) in parts {
                    let points = &arcs[arc as usize];
                    let walk: Box<dyn Iterator<Item = &[i64; 2]>> = if backwards {
                        Box::new(points.iter().rev())
                    } else {
                        Box::new(points.iter())
                    };
                    for p in walk {
                        if ring.last() != Some(p) {
                            ring.push(*p);
                        }
                    }
                }
                while ring.len() > 1 && ring.first() == ring.last() {
                    ring.pop();
                }
                if ring.len() < 3 || area2(&ring) == 0 {
                    ring.clear();
                }
                ring
            })
            .collect();
        ZoomRings { rings }
    }
}

/// The id of arc `seq`, stored once in its canonical direction (the smaller of the
/// sequence and its reverse when `canonical`, else as given); with whether `seq`
/// walks it backwards.
fn intern(
    arc_ids: &mut HashMap<Vec<u32>, u32>,
    arcs: &mut Vec<Vec<u32>>,
    seq: Vec<u32>,
    canonical: bool,
) -> (u32, bool) {
    let reversed: Vec<u32> = seq.iter().rev().copied().collect();
    let (key, backwards) = if canonical && reversed < seq {
        (reversed, true)
    } else {
        (seq, false)
    };
    let id = *arc_ids.entry(key.clone()).or_insert_with(|| {
        arcs.push(key);
        (arcs.len() - 1) as u32
    });
    (id, backwards)
}

/// lon/lat to world tile units at `scale` = `EXTENT · 2^z` (Web Mercator, y down).
#[must_use]
pub fn world(lonlat: [f64; 2], scale: f64) -> [f64; 2] {
    let x = (lonlat[0] + 180.0) / 360.0;
    let lat = lonlat[1].clamp(-85.051_128_78, 85.051_128_78).to_radians();
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
    [x * scale, y * scale]
}

/// Twice the signed area (shoelace) of an open ring; positive when the ring turns
/// clockwise on screen (y down), which MVT calls an exterior ring.
#[must_use]
pub fn area2(ring: &[[i64; 2]]) -> i64 {
    let n = ring.len();
    let mut sum: i128 = 0;
    for i in 0..n {
        let a = ring[i];
        let b = ring[(i + 1) % n];
        sum += i128::from(a[0]) * i128::from(b[1]) - i128::from(b[0]) * i128::from(a[1]);
    }
    sum.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Douglas–Peucker on `points`; returns which to keep. The first `forced` levels of
/// splitting keep their farthest point whatever the tolerance, so that a ring made of
/// one or two arcs never collapses to a line.
fn simplify(points: &[[f64; 2]], tolerance: f64, forced: u8) -> Vec<bool> {
    let n = points.len();
    let mut keep = vec![false; n];
    if n == 0 {
        return keep;
    }
    keep[0] = true;
    keep[n - 1] = true;
    let mut stack = vec![(0usize, n - 1, 0u8)];
    while let Some((a, b, depth)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (mut best, mut best_d) = (a, -1.0_f64);
        for (i, p) in points.iter().enumerate().take(b).skip(a + 1) {
            let d = segment_distance(*p, points[a], points[b]);
            if d > best_d {
                best = i;
                best_d = d;
            }
        }
        if best_d > tolerance || depth < forced {
            keep[best] = true;
            stack.push((a, best, depth + 1));
            stack.push((best, b, depth + 1));
        }
    }
    keep
}

fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    };
    let (qx, qy) = (a[0] + t * dx, a[1] + t * dy);
    ((p[0] - qx).powi(2) + (p[1] - qy).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    fn square(x0: f64, y0: f64, x1: f64, y1: f64, steps: usize) -> MultiPolygon<f64> {
        // A square with `steps` vertices per side, so that there is something to simplify.
        let mut pts = Vec::new();
        let side = |a: (f64, f64), b: (f64, f64), pts: &mut Vec<(f64, f64)>| {
            for i in 0..steps {
                let t = i as f64 / steps as f64;
                // A small wiggle, identical for both neighbours of a side.
                let w = if i % 2 == 1 { 1e-4 } else { 0.0 };
                pts.push((a.0 + (b.0 - a.0) * t + w, a.1 + (b.1 - a.1) * t + w));
            }
        };
        side((x0, y0), (x1, y0), &mut pts);
        side((x1, y0), (x1, y1), &mut pts);
        side((x1, y1), (x0, y1), &mut pts);
        side((x0, y1), (x0, y0), &mut pts);
        pts.push((x0, y0));
        MultiPolygon(vec![Polygon::new(LineString::from(pts), vec![])])
    }

    #[test]
    fn neighbours_share_their_simplified_boundary() {
        let a = square(2.0, 50.0, 2.1, 50.1, 20);
        let b = square(2.1, 50.0, 2.2, 50.1, 20);
        let topo = Topology::build(&[vec![&a, &b]]);
        for z in [5u8, 8, 12] {
            let rings = topo.at_zoom(z, 2.0);
            let ra = &rings.rings[0];
            let rb = &rings.rings[1];
            // Every vertex of `a` on the shared side x = 2.1 is a vertex of `b`.
            let x = world(
                [2.1, 50.0],
                f64::from(crate::tiles::EXTENT) * f64::from(1u32 << z),
            )[0]
            .round() as i64;
            let shared_a: Vec<_> = ra.iter().filter(|p| (p[0] - x).abs() <= 1).collect();
            assert!(shared_a.len() >= 2, "zoom {z}");
            for p in shared_a {
                assert!(rb.contains(p), "zoom {z}: {p:?} missing from the neighbour");
            }
        }
    }

    #[test]
    fn simplification_thins_low_zooms_and_keeps_high_zooms() {
        let a = square(2.0, 50.0, 2.1, 50.1, 50);
        let topo = Topology::build(&[vec![&a]]);
        let low = topo.at_zoom(6, 2.0).rings[0].len();
        let high = topo.at_zoom(16, 2.0).rings[0].len();
        assert!(low < 20, "z6 keeps {low} vertices");
        assert!(high >= 150, "z16 keeps {high} vertices");
    }

    #[test]
    fn a_ring_of_one_closed_arc_never_collapses() {
        // An island: no junction, one closed arc; at a low zoom it still has an area.
        let a = square(2.0, 50.0, 2.01, 50.01, 10);
        let topo = Topology::build(&[vec![&a]]);
        let ring = &topo.at_zoom(10, 2.0).rings[0];
        assert!(ring.len() >= 3);
        assert_ne!(area2(ring), 0);
    }

    #[test]
    fn mercator_matches_the_tile_scheme() {
        // Arras (2.78, 50.29) is in tile z10 x=519 y=345 (standard XYZ scheme).
        let scale = f64::from(crate::tiles::EXTENT) * 1024.0;
        let w = world([2.78, 50.29], scale);
        assert_eq!((w[0] / 4096.0) as i64, 519);
        assert_eq!((w[1] / 4096.0) as i64, 345);
    }
}
