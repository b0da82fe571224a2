//! Assigns points to communes by point-in-polygon.
//!
//! An R-tree over the communes' bounding boxes, built once, narrows a point to a few
//! candidates; an exact test then decides. Lookups never touch the database and the
//! index is shared read-only (`Arc`) by every request.
//!
//! Boundary rule: a point on an edge shared by two communes (or on a vertex shared by
//! more) belongs to exactly one of them, the one with the lowest INSEE code. Points on
//! the outer boundary of the département belong to the commune whose edge it is.
//! The exact test is an even-odd ray crossing over the rings (holes included), which
//! is what makes a million lookups take a fraction of a second; a point within
//! [`EDGE_EPSILON`] of an edge is decided by geo's robust `Intersects` instead, which
//! includes the boundary. Candidates are tried in code order.

use geo::{Intersects, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// Distance (in degrees, ~0.1 mm) under which a point counts as on an edge and is
/// left to the robust predicate.
pub const EDGE_EPSILON: f64 = 1e-9;

/// The rings of a multipolygon as flat closed coordinate lists, for the fast test.
struct PreparedRings(Vec<Vec<[f64; 2]>>);

impl PreparedRings {
    fn new(mp: &MultiPolygon<f64>) -> Self {
        Self(
            mp.0.iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .map(|ring| ring.coords().map(|c| [c.x, c.y]).collect())
                .collect(),
        )
    }

    /// `Some(inside)` by even-odd crossing, or `None` when the point is within
    /// [`EDGE_EPSILON`] of an edge.
    fn contains(&self, x: f64, y: f64) -> Option<bool> {
        let mut inside = false;
        for ring in &self.0 {
            for w in ring.windows(2) {
                let ([ax, ay], [bx, by]) = (w[0], w[1]);
                // Near the edge's bounding box: check the distance to the edge.
                if x >= ax.min(bx) - EDGE_EPSILON
                    && x <= ax.max(bx) + EDGE_EPSILON
                    && y >= ay.min(by) - EDGE_EPSILON
                    && y <= ay.max(by) + EDGE_EPSILON
                {
                    let (dx, dy) = (bx - ax, by - ay);
                    let cross = dx * (y - ay) - dy * (x - ax);
                    if cross.abs() <= EDGE_EPSILON * dx.hypot(dy).max(EDGE_EPSILON) {
                        return None;
                    }
                }
                if (ay > y) != (by > y) && x < ax + (y - ay) * (bx - ax) / (by - ay) {
                    inside = !inside;
                }
            }
        }
        Some(inside)
    }
}

/// Index of polygons by position in the slice given to [`PolygonIndex::new`].
///
/// Callers pass polygons sorted by code, so the lowest position is the lowest code.
pub struct PolygonIndex {
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
    polygons: Vec<MultiPolygon<f64>>,
    prepared: Vec<PreparedRings>,
}

impl PolygonIndex {
    /// Builds the index. `polygons` are WGS84 lon/lat, in tie-break order.
    #[must_use]
    pub fn new(polygons: Vec<MultiPolygon<f64>>) -> Self {
        use geo::BoundingRect;
        let entries = polygons
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let r = p.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_aabb(AABB::from_corners(
                        [r.min().x, r.min().y],
                        [r.max().x, r.max().y],
                    )),
                    i as u32,
                ))
            })
            .collect();
        Self {
            tree: RTree::bulk_load(entries),
            prepared: polygons.iter().map(PreparedRings::new).collect(),
            polygons,
        }
    }

    /// Position of the polygon holding `(lon, lat)`, lowest position on a shared edge.
    #[must_use]
    pub fn locate(&self, lon: f64, lat: f64) -> Option<usize> {
        // Candidates in code order, so that the first hit is the lowest code (a point
        // on a shared edge, or in an overlap of invalid input).
        let mut candidates = [0u32; 32];
        let mut n = 0;
        let mut overflow = Vec::new();
        for entry in self.tree.locate_all_at_point(&[lon, lat]) {
            if n < candidates.len() {
                candidates[n] = entry.data;
                n += 1;
            } else {
                overflow.push(entry.data);
            }
        }
        let sorted: &mut [u32] = if overflow.is_empty() {
            &mut candidates[..n]
        } else {
            overflow.extend_from_slice(&candidates[..n]);
            &mut overflow
        };
        sorted.sort_unstable();
        sorted
            .iter()
            .find(|&&i| {
                self.prepared[i as usize]
                    .contains(lon, lat)
                    .unwrap_or_else(|| self.polygons[i as usize].intersects(&Point::new(lon, lat)))
            })
            .map(|&i| i as usize)
    }

    /// Locates many points, split across `threads` worker threads.
    #[must_use]
    pub fn locate_many(&self, points: &[(f64, f64)], threads: usize) -> Vec<Option<usize>> {
        let threads = threads.max(1);
        let chunk = points.len().div_ceil(threads).max(1);
        let mut out = vec![None; points.len()];
        std::thread::scope(|scope| {
            for (pts, res) in points.chunks(chunk).zip(out.chunks_mut(chunk)) {
                scope.spawn(move || {
                    for (p, r) in pts.iter().zip(res.iter_mut()) {
                        *r = self.locate(p.0, p.1);
                    }
                });
            }
        });
        out
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.polygons.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.polygons.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon![
            (x: x0, y: y0), (x: x0 + size, y: y0), (x: x0 + size, y: y0 + size), (x: x0, y: y0 + size)
        ]])
    }

    /// Three squares: 0 at [0,1]², 1 at [1,2]×[0,1] sharing an edge with 0, and 2 at
    /// [0,3]×[2,5] with a hole [1,2]×[3,4].
    fn fixture() -> PolygonIndex {
        let holed = MultiPolygon::new(vec![geo::Polygon::new(
            geo::LineString::from(vec![
                (0.0, 2.0),
                (3.0, 2.0),
                (3.0, 5.0),
                (0.0, 5.0),
                (0.0, 2.0),
            ]),
            vec![geo::LineString::from(vec![
                (1.0, 3.0),
                (2.0, 3.0),
                (2.0, 4.0),
                (1.0, 4.0),
                (1.0, 3.0),
            ])],
        )]);
        PolygonIndex::new(vec![square(0.0, 0.0, 1.0), square(1.0, 0.0, 1.0), holed])
    }

    #[test]
    fn point_on_shared_edge_goes_to_the_lowest_code() {
        let index = fixture();
        assert_eq!(index.locate(1.0, 0.5), Some(0));
        // Shared corner too.
        assert_eq!(index.locate(1.0, 1.0), Some(0));
    }

    #[test]
    fn interior_points_go_to_their_polygon() {
        let index = fixture();
        assert_eq!(index.locate(0.5, 0.5), Some(0));
        assert_eq!(index.locate(1.5, 0.5), Some(1));
        assert_eq!(index.locate(0.5, 2.5), Some(2));
    }

    #[test]
    fn a_point_in_a_hole_is_nowhere() {
        assert_eq!(fixture().locate(1.5, 3.5), None);
    }

    #[test]
    fn a_point_outside_every_polygon_is_nowhere() {
        assert_eq!(fixture().locate(10.0, 10.0), None);
        assert_eq!(fixture().locate(1.5, 1.5), None);
    }

    #[test]
    fn locate_many_agrees_with_locate() {
        let index = fixture();
        let pts: Vec<(f64, f64)> = (0..200)
            .map(|i| (f64::from(i % 20) * 0.17, f64::from(i / 20) * 0.53))
            .collect();
        let many = index.locate_many(&pts, 3);
        for (p, r) in pts.iter().zip(many) {
            assert_eq!(index.locate(p.0, p.1), r);
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_test_agrees_with_the_robust_predicate(
            x in -1.0f64..4.0,
            y in -1.0f64..6.0,
            snap in 0u8..4,
        ) {
            // Snap some points onto the grid of vertices and edges, where tests are hard.
            let (x, y) = match snap {
                0 => (x.round(), y),
                1 => (x, y.round()),
                2 => (x.round(), y.round()),
                _ => (x, y),
            };
            let index = fixture();
            for (p, prepared) in index.polygons.iter().zip(&index.prepared) {
                let robust = p.intersects(&Point::new(x, y));
                if let Some(fast) = prepared.contains(x, y) {
                    proptest::prop_assert_eq!(fast, robust, "({}, {})", x, y);
                }
            }
        }

        #[test]
        fn every_point_goes_to_at_most_one_polygon_that_contains_it(x in -1.0f64..4.0, y in -1.0f64..6.0) {
            let index = fixture();
            if let Some(i) = index.locate(x, y) {
                proptest::prop_assert!(index.polygons[i].intersects(&Point::new(x, y)));
                // No lower-positioned polygon also holds it.
                for j in 0..i {
                    proptest::prop_assert!(!index.polygons[j].intersects(&Point::new(x, y)));
                }
            } else {
                for p in &index.polygons {
                    proptest::prop_assert!(!p.intersects(&Point::new(x, y)));
                }
            }
        }
    }
}
