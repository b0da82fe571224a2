//! Clipping of polygon rings to a tile's square (with its buffer).
//!
//! Sutherland–Hodgman against the four sides, in integer tile coordinates: what
//! vector-tile encoders (geojson-vt, `ST_AsMVTGeom`) do for polygons. A concave ring
//! may come out as several lobes joined along the clip edge; those joins lie in the
//! buffer, outside the visible tile, so nothing of them shows.

/// Clips the open ring `ring` to `[min, max]²`; the result is open and may be empty.
#[must_use]
pub fn clip_ring(ring: &[[i64; 2]], min: i64, max: i64) -> Vec<[i64; 2]> {
    let mut current: Vec<[i64; 2]> = ring.to_vec();
    let mut next: Vec<[i64; 2]> = Vec::with_capacity(ring.len() + 8);
    for side in 0..4 {
        if current.is_empty() {
            break;
        }
        let inside = |p: [i64; 2]| match side {
            0 => p[0] >= min,
            1 => p[0] <= max,
            2 => p[1] >= min,
            _ => p[1] <= max,
        };
        let cut = |a: [i64; 2], b: [i64; 2]| -> [i64; 2] {
            let (axis, edge) = match side {
                0 => (0, min),
                1 => (0, max),
                2 => (1, min),
                _ => (1, max),
            };
            let other = 1 - axis;
            let t = (edge - a[axis]) as f64 / (b[axis] - a[axis]) as f64;
            let v = a[other] as f64 + t * (b[other] - a[other]) as f64;
            let mut p = [0; 2];
            p[axis] = edge;
            p[other] = v.round() as i64;
            p
        };
        next.clear();
        let n = current.len();
        for i in 0..n {
            let a = current[(i + n - 1) % n];
            let b = current[i];
            match (inside(a), inside(b)) {
                (true, true) => next.push(b),
                (true, false) => next.push(cut(a, b)),
                (false, true) => {
                    next.push(cut(a, b));
                    next.push(b);
                }
                (false, false) => {}
            }
        }
        next.dedup();
        while next.len() > 1 && next.first() == next.last() {
            next.pop();
        }
        std::mem::swap(&mut current, &mut next);
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiles::topology::area2;

    #[test]
    fn a_ring_inside_is_unchanged() {
        let ring = vec![[10, 10], [20, 10], [20, 20], [10, 20]];
        assert_eq!(clip_ring(&ring, 0, 100), ring);
    }

    #[test]
    fn a_ring_across_an_edge_is_cut_on_it() {
        let ring = vec![[-50, 10], [50, 10], [50, 30], [-50, 30]];
        let out = clip_ring(&ring, 0, 100);
        assert!(out.iter().all(|p| p[0] >= 0));
        assert_eq!(area2(&out).abs(), 2 * 50 * 20);
    }

    #[test]
    fn a_ring_around_the_tile_becomes_the_tile() {
        let ring = vec![[-500, -500], [500, -500], [500, 500], [-500, 500]];
        let out = clip_ring(&ring, -8, 108);
        assert_eq!(area2(&out).abs(), 2 * 116 * 116);
        // Orientation is preserved.
        assert_eq!(area2(&out).signum(), area2(&ring).signum());
    }

    #[test]
    fn a_ring_outside_vanishes() {
        let ring = vec![[200, 200], [300, 200], [300, 300]];
        assert!(clip_ring(&ring, 0, 100).is_empty());
    }
}
