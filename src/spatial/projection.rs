//! Coordinate reference systems the product meets, and conversions between them.
//!
//! - WGS84 longitude/latitude in degrees (`lon`, `lat`): GeoJSON, the API, the web map.
//! - Lambert-93 (EPSG:2154), metres (`x`, `y`): the coordinates of SIRENE establishments.
//! - ETRS89-LAEA Europe (EPSG:3035), metres: the equal-area plane used for every area
//!   figure. Lambert-93 is conformal, not equal-area, and would overstate the
//!   département by 0.3 % (6,715.9 km² instead of 6,695.5 km²).
//!
//! Conversions go through `proj4rs` (pure Rust; the `proj` crate needs a newer libproj
//! than Debian 12 ships). This module does no I/O.

use std::sync::LazyLock;

use geo::{Area, MapCoords, MultiPolygon};
use proj4rs::proj::Proj;

/// EPSG:4326, longitude/latitude on WGS84.
static WGS84: LazyLock<Proj> = LazyLock::new(|| {
    Proj::from_proj_string("+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs")
        .expect("static WGS84 definition parses")
});

/// EPSG:3035, Lambert azimuthal equal-area on ETRS89 (GRS80 ellipsoid).
static LAEA_EUROPE: LazyLock<Proj> = LazyLock::new(|| {
    Proj::from_proj_string(
        "+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +units=m +no_defs",
    )
    .expect("static EPSG:3035 definition parses")
});

/// EPSG:2154, Lambert-93 (RGF93 on GRS80; RGF93 and WGS84 agree within a metre, so no
/// datum shift is applied, as PROJ does for this pair).
static LAMBERT_93: LazyLock<Proj> = LazyLock::new(|| {
    Proj::from_proj_string(
        "+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 \
         +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    )
    .expect("static EPSG:2154 definition parses")
});

/// Lambert-93 metres to WGS84 degrees `(lon, lat)`; `None` when not representable.
#[must_use]
pub fn lambert93_to_lonlat(x: f64, y: f64) -> Option<(f64, f64)> {
    if !(x.is_finite() && y.is_finite()) {
        return None;
    }
    let mut p = (x, y, 0.0);
    proj4rs::transform::transform(&LAMBERT_93, &WGS84, &mut p).ok()?;
    let (lon, lat) = (p.0.to_degrees(), p.1.to_degrees());
    (lon.is_finite() && lat.is_finite()).then_some((lon, lat))
}

/// WGS84 degrees to Lambert-93 metres `(x, y)`; `None` when not representable.
#[must_use]
pub fn lonlat_to_lambert93(lon: f64, lat: f64) -> Option<(f64, f64)> {
    let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
    proj4rs::transform::transform(&WGS84, &LAMBERT_93, &mut p).ok()?;
    (p.0.is_finite() && p.1.is_finite()).then_some((p.0, p.1))
}

/// Projects one WGS84 coordinate (degrees) onto EPSG:3035 (metres).
///
/// Returns `None` for coordinates the projection cannot represent (non-finite input).
#[must_use]
pub fn lonlat_to_laea(lon: f64, lat: f64) -> Option<(f64, f64)> {
    let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
    proj4rs::transform::transform(&WGS84, &LAEA_EUROPE, &mut p).ok()?;
    (p.0.is_finite() && p.1.is_finite()).then_some((p.0, p.1))
}

/// Area in km² of a WGS84 multipolygon, measured on the equal-area EPSG:3035 plane.
///
/// Holes are subtracted. Coordinates that fail to project count as the origin, which
/// cannot happen for the finite lon/lat values the geodata loader accepts.
#[must_use]
pub fn area_km2(geometry: &MultiPolygon<f64>) -> f64 {
    let projected = geometry.map_coords(|c| {
        let (x, y) = lonlat_to_laea(c.x, c.y).unwrap_or((0.0, 0.0));
        geo::coord! { x: x, y: y }
    });
    projected.unsigned_area() / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn laea_matches_the_epsg_3035_reference_point() {
        // EPSG:3035 false origin: (10°E, 52°N) maps to (4 321 000, 3 210 000).
        let (x, y) = lonlat_to_laea(10.0, 52.0).unwrap();
        assert!((x - 4_321_000.0).abs() < 1e-3, "{x}");
        assert!((y - 3_210_000.0).abs() < 1e-3, "{y}");
    }

    #[test]
    fn lambert_93_matches_the_sirene_geolocation_sample() {
        // shared/reference/sirene-sample-format.md §3: x;y and the file's own lat/lon.
        for (x, y, lat, lon) in [
            (684_512.3, 7_022_045.8, 50.296_077, 2.782_918),
            (687_842.0, 7_036_590.6, 50.426_73, 2.829_147),
            (620_104.7, 7_095_231.9, 50.947_917, 1.865_492),
        ] {
            let (got_lon, got_lat) = lambert93_to_lonlat(x, y).unwrap();
            // 1e-5° is about a metre.
            assert!(
                (got_lon - lon).abs() < 1e-5 && (got_lat - lat).abs() < 1e-5,
                "{got_lon},{got_lat}"
            );
            let (bx, by) = lonlat_to_lambert93(got_lon, got_lat).unwrap();
            assert!((bx - x).abs() < 1e-3 && (by - y).abs() < 1e-3);
        }
        // The projection's own origin.
        let (lon, lat) = lambert93_to_lonlat(700_000.0, 6_600_000.0).unwrap();
        assert!((lon - 3.0).abs() < 1e-9 && (lat - 46.5).abs() < 1e-9);
    }

    #[test]
    fn a_hundredth_of_a_degree_square_near_arras_has_the_expected_area() {
        // At 50.3°N one degree of latitude is ~111.2 km and one of longitude ~71.2 km,
        // so a 0.01° square is ~0.792 km².
        let square = MultiPolygon::new(vec![polygon![
            (x: 2.77, y: 50.29), (x: 2.78, y: 50.29), (x: 2.78, y: 50.30), (x: 2.77, y: 50.30)
        ]]);
        let a = area_km2(&square);
        assert!((a - 0.792).abs() < 0.005, "{a}");
    }
}
