//! Dissolves commune outlines into the outline of a group (EPCI, territory).
//!
//! Neighbouring communes share every vertex in the shipped geodata, so the union is
//! exact; any sliver the boolean operation still produces (below 1 m²) is
//! dropped so that a group made of one piece dissolves to one polygon.

use geo::{Area, MultiPolygon, unary_union};

use super::projection::area_km2;

/// Parts smaller than this (1 m²) are numerical artefacts of the union, not land.
const MIN_PART_KM2: f64 = 1e-6;

/// Union of `parts` (WGS84 lon/lat), with slivers removed.
#[must_use]
pub fn dissolve<'a>(parts: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> MultiPolygon<f64> {
    let union = unary_union(parts);
    MultiPolygon::new(
        union
            .0
            .into_iter()
            .filter(|p| {
                p.unsigned_area() > 0.0
                    && area_km2(&MultiPolygon::new(vec![p.clone()])) > MIN_PART_KM2
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, polygon};

    #[test]
    fn two_squares_sharing_an_edge_dissolve_into_one_rectangle() {
        let a = MultiPolygon::new(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)],
        ]);
        let b = MultiPolygon::new(vec![
            polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)],
        ]);
        let union = dissolve([&a, &b]);
        assert_eq!(union.0.len(), 1);
        assert!((union.unsigned_area() - 2.0).abs() < 1e-9);
    }

    #[test]
    fn separate_squares_stay_two_parts() {
        let a = MultiPolygon::new(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)],
        ]);
        let b = MultiPolygon::new(vec![
            polygon![(x: 3.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 1.0), (x: 3.0, y: 1.0)],
        ]);
        assert_eq!(dissolve([&a, &b]).0.len(), 2);
    }
}
