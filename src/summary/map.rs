//! The summary's map, drawn server-side as SVG: the zone highlighted among its
//! neighbours, with the public located establishments as dots coloured by family, the
//! names of the largest communes in view, a scale bar and a north arrow.
//!
//! Steps: take the zone's bounding box with a margin (and a sensible aspect ratio),
//! project WGS84 to Web Mercator pixels, simplify every ring in pixel space
//! (Ramer–Douglas–Peucker, half a pixel), draw neighbours grey, the zone coloured,
//! then the dots, the place names (most populous first, none over another) and the
//! scale. Protected establishments are never given to this module (the database query
//! leaves them out). Pure: no I/O.

use std::collections::HashSet;
use std::fmt::Write as _;

use geo::{LineString, Simplify};

use super::ZoneKind;
use crate::db::PointRow;
use crate::ess::Family;
use crate::ess::palette::{family_colour, family_colour_of};
use crate::geography::{Commune, Geography, Zone};

/// Width of the drawing, SVG units (points in the PDF).
const WIDTH: f64 = 520.0;

/// Sides of the cells in which one dot per family is drawn, SVG units (a dot's radius
/// is 1.5), tried in turn (see [`dots`]).
const DOT_CELLS: [f64; 5] = [1.0, 2.0, 3.0, 4.5, 6.0];

/// Most dots on one map (a few hundred kilobytes of PDF).
const MAX_DOTS: usize = 8_000;

/// Most place names on one map.
const MAX_PLACE_NAMES: usize = 8;

/// Font size of the place names, SVG units (the map is printed about 90 mm wide:
/// 14 units read as 6.5 pt).
const PLACE_FONT: f64 = 14.0;

/// The Earth's radius of Web Mercator, metres.
const EARTH_RADIUS: f64 = 6_378_137.0;

// Only the establishments are drawn as `<circle>` (the tests count them).

/// The rendered map, its legend `(colour, label)`, the place names drawn and the
/// scale bar's length (« 5 km »).
pub struct Rendered {
    pub svg: String,
    pub legend: Vec<(String, String)>,
    pub places: Vec<String>,
    pub scale: String,
}

/// The longest round distance (1, 2 or 5 × 10^n metres) drawn in at most `max_units`
/// at `metres_per_unit`: its metres and its text (« 500 m », « 20 km »).
#[must_use]
pub fn scale_bar(metres_per_unit: f64, max_units: f64) -> (f64, String) {
    let max = (metres_per_unit * max_units).max(1.0);
    let pow = 10f64.powf(max.log10().floor());
    let step = [5.0, 2.0, 1.0]
        .into_iter()
        .find(|s| s * pow <= max)
        .unwrap_or(1.0);
    let metres = step * pow;
    let text = if metres >= 1000.0 {
        format!("{}\u{a0}km", super::format::fr_number(metres / 1000.0, 0))
    } else {
        format!("{metres:.0}\u{a0}m")
    };
    (metres, text)
}

/// XML text content.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The WGS84 box shown around `zone`: its box with a 12 % margin.
#[must_use]
pub fn view_bbox(zone: &Zone) -> [f64; 4] {
    let [x0, y0, x1, y1] = zone.bbox;
    let (mx, my) = ((x1 - x0) * 0.12, (y1 - y0) * 0.12);
    [x0 - mx, y0 - my, x1 + mx, y1 + my]
}

fn mercator(lon: f64, lat: f64) -> (f64, f64) {
    let x = lon.to_radians();
    let y = (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
        .tan()
        .ln();
    (x, y)
}

/// From WGS84 to SVG units, for one view.
struct Frame {
    x0: f64,
    y1: f64,
    scale: f64,
    height: f64,
}

impl Frame {
    fn new(bbox: [f64; 4]) -> Self {
        let (mut x0, mut y0) = mercator(bbox[0], bbox[1]);
        let (mut x1, mut y1) = mercator(bbox[2], bbox[3]);
        // Keep the drawing between landscape 3:2 and portrait 4:5.
        let (w, h) = (x1 - x0, y1 - y0);
        if h < w / 1.5 {
            let grow = (w / 1.5 - h) / 2.0;
            y0 -= grow;
            y1 += grow;
        } else if h > w * 1.25 {
            let grow = (h / 1.25 - w) / 2.0;
            x0 -= grow;
            x1 += grow;
        }
        let scale = WIDTH / (x1 - x0).max(f64::EPSILON);
        Self {
            x0,
            y1,
            scale,
            height: (y1 - y0) * scale,
        }
    }

    fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = mercator(lon, lat);
        ((x - self.x0) * self.scale, (self.y1 - y) * self.scale)
    }

    fn contains(&self, (x, y): (f64, f64), margin: f64) -> bool {
        x >= -margin && x <= WIDTH + margin && y >= -margin && y <= self.height + margin
    }

    /// Ground metres per SVG unit at the middle of the view.
    fn metres_per_unit(&self) -> f64 {
        let y_mid = self.y1 - self.height / self.scale / 2.0;
        let lat = 2.0 * y_mid.exp().atan() - std::f64::consts::FRAC_PI_2;
        EARTH_RADIUS * lat.cos() / self.scale
    }
}

/// The place names to draw: the most populous communes whose label point is in view,
/// those of the zone (`in_zone`) first,
/// at most [`MAX_PLACE_NAMES`], none over another nor over the `keep_out` boxes (the
/// scale bar, the north arrow):
/// `(x, y, name, right)`, the name's dot at `(x, y)`, the name right of it when `right`.
fn places<'g>(
    frame: &Frame,
    g: &'g Geography,
    keep_out: &[[f64; 4]],
    in_zone: impl Fn(&Commune) -> bool,
) -> Vec<(f64, f64, &'g str, bool)> {
    let mut communes: Vec<(bool, &Zone)> =
        g.communes.iter().map(|c| (in_zone(c), &c.zone)).collect();
    communes.sort_by(|(a_in, a), (b_in, b)| {
        b_in.cmp(a_in)
            .then(b.population.cmp(&a.population))
            .then(a.code.cmp(&b.code))
    });
    let communes = communes.into_iter().map(|(_, z)| z);
    let mut boxes: Vec<[f64; 4]> = keep_out.to_vec();
    let mut out = Vec::new();
    for z in communes {
        if out.len() == MAX_PLACE_NAMES {
            break;
        }
        let (x, y) = frame.project(z.label_point[0], z.label_point[1]);
        // The name is set right of its dot (left of it near the right edge).
        let w = z.name.chars().count() as f64 * PLACE_FONT * 0.5 + 4.0;
        let right = x + 5.0 + w <= WIDTH - 2.0;
        let (x0, x1) = if right {
            (x - 3.0, x + 5.0 + w)
        } else {
            (x - 5.0 - w, x + 3.0)
        };
        let b = [x0, y - PLACE_FONT * 0.8, x1, y + PLACE_FONT * 0.45];
        let inside =
            b[0] >= 2.0 && b[2] <= WIDTH - 2.0 && b[1] >= 2.0 && b[3] <= frame.height - 2.0;
        let clear = boxes
            .iter()
            .all(|o| b[2] < o[0] || b[0] > o[2] || b[3] < o[1] || b[1] > o[3]);
        if inside && clear {
            boxes.push(b);
            out.push((x, y, z.name.as_str(), right));
        }
    }
    out
}

/// SVG path data of `zone`'s outline in `frame`, simplified; empty when outside.
fn path(frame: &Frame, zone: &Zone) -> String {
    let [a, b, c, d] = zone.bbox;
    let (p0, p1) = (frame.project(a, b), frame.project(c, d));
    if p1.0 < 0.0 || p0.0 > WIDTH || p0.1 < 0.0 || p1.1 > frame.height {
        return String::new();
    }
    let mut out = String::new();
    for polygon in &zone.geometry {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            let projected: LineString<f64> = ring
                .coords()
                .map(|c| {
                    let (x, y) = frame.project(c.x, c.y);
                    geo::coord! { x: x, y: y }
                })
                .collect();
            let simple = projected.simplify(0.5);
            if simple.0.len() < 4 {
                continue;
            }
            for (i, c) in simple.coords().enumerate() {
                let _ = write!(
                    out,
                    "{}{:.1} {:.1}",
                    if i == 0 { "M" } else { "L" },
                    c.x,
                    c.y
                );
            }
            out.push('Z');
        }
    }
    out
}

/// The drawing of `zones` in the view `bbox` (WGS84): its width and height (SVG
/// units) and each zone's simplified path data (empty when outside the view).
#[must_use]
pub fn zone_paths(bbox: [f64; 4], zones: &[&Zone]) -> (f64, f64, Vec<String>) {
    let frame = Frame::new(bbox);
    let paths = zones.iter().map(|z| path(&frame, z)).collect();
    (WIDTH, frame.height, paths)
}

/// The dots to draw: one per family and cell of the drawing, the cells growing until
/// at most [`MAX_DOTS`] remain. A dense city (Paris holds 100,000 organisations) would
/// otherwise weigh megabytes of dots drawn on one another; where a larger cell is
/// needed, the dots stand on a regular grid and still show where the density is.
fn dots<'p>(frame: &Frame, points: &'p [PointRow]) -> Vec<(f64, f64, &'p str)> {
    let inside: Vec<(f64, f64, &str)> = points
        .iter()
        .map(|p| {
            let (x, y) = frame.project(p.lon, p.lat);
            (x, y, p.family.as_str())
        })
        .filter(|&(x, y, _)| frame.contains((x, y), 2.0))
        .collect();
    let mut kept = Vec::new();
    for cell in DOT_CELLS {
        let mut drawn: HashSet<(i32, i32, &str)> = HashSet::new();
        kept = inside
            .iter()
            .copied()
            .filter(|&(x, y, family)| {
                drawn.insert(((x / cell).floor() as i32, (y / cell).floor() as i32, family))
            })
            .collect();
        if kept.len() <= MAX_DOTS {
            break;
        }
    }
    kept
}

/// Draws over the map the place names (the zone's communes first, `in_zone`), the
/// scale bar and the north arrow: the names drawn and the scale's text.
fn overlay(
    svg: &mut String,
    frame: &Frame,
    g: &Geography,
    in_zone: impl Fn(&Commune) -> bool,
) -> (Vec<String>, String) {
    // The scale bar, bottom left, and its box (kept free of place names).
    let h = frame.height;
    let (metres, scale) = scale_bar(frame.metres_per_unit(), WIDTH / 5.0);
    let bar = metres / frame.metres_per_unit();
    let box_w = bar + 18.0 + scale.chars().count() as f64 * 7.5 + 8.0;
    let keep_out = [
        [0.0, h - 34.0, box_w + 8.0, h],
        [WIDTH - 40.0, 0.0, WIDTH, 44.0],
    ];
    let placed = places(frame, g, &keep_out, in_zone);
    for &(x, y, name, right) in &placed {
        let (tx, anchor) = if right {
            (x + 5.0, "start")
        } else {
            (x - 5.0, "end")
        };
        let name = xml(name);
        let _ = write!(
            svg,
            r##"<rect x="{sx:.1}" y="{sy:.1}" width="5" height="5" fill="#2b2b2b" stroke="#ffffff" stroke-width="0.9"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="{anchor}" font-family="Libertinus Serif" font-size="{PLACE_FONT}" fill="none" stroke="#ffffff" stroke-width="3.6" stroke-linejoin="round">{name}</text><text x="{tx:.1}" y="{ty:.1}" text-anchor="{anchor}" font-family="Libertinus Serif" font-size="{PLACE_FONT}" fill="#1d1d1b">{name}</text>"##,
            ty = y + PLACE_FONT * 0.3,
            sx = x - 2.5,
            sy = y - 2.5,
        );
    }
    let (bx, by) = (10.0, h - 13.0);
    let _ = write!(
        svg,
        r##"<rect x="4" y="{ry:.1}" width="{box_w:.1}" height="26" fill="#ffffff" fill-opacity="0.85"/><rect x="{bx}" y="{by:.1}" width="{bar:.1}" height="3.5" fill="#1d1d1b"/><rect x="{bx}" y="{ty:.1}" width="1.4" height="9" fill="#1d1d1b"/><rect x="{ex:.1}" y="{ty:.1}" width="1.4" height="9" fill="#1d1d1b"/><text x="{lx:.1}" y="{ly:.1}" font-family="Libertinus Serif" font-size="13" fill="#1d1d1b">{scale}</text>"##,
        ry = h - 30.0,
        ty = by - 5.5,
        ex = bx + bar - 1.4,
        lx = bx + bar + 7.0,
        ly = by + 4.5,
    );
    // North arrow, top right (north is up).
    let nx = WIDTH - 20.0;
    let _ = write!(
        svg,
        r##"<rect x="{bx0:.1}" y="5" width="32" height="36" rx="6" fill="#ffffff" fill-opacity="0.85"/><path d="M{nx:.1} 8 L{r:.1} 28 L{nx:.1} 23 L{l:.1} 28 Z" fill="#1d1d1b"/><text x="{nx:.1}" y="39" text-anchor="middle" font-family="Libertinus Serif" font-size="11" font-weight="bold" fill="#1d1d1b">N</text>"##,
        r = nx + 7.0,
        l = nx - 7.0,
        bx0 = nx - 16.0,
    );
    (placed.iter().map(|p| p.2.to_owned()).collect(), scale)
}

/// Draws zone `position` of `kind` among its neighbours with `points`.
#[must_use]
pub fn render(g: &Geography, kind: ZoneKind, position: usize, points: &[PointRow]) -> Rendered {
    let zone = match kind {
        ZoneKind::Territory => &g.territories[position].zone,
        ZoneKind::Epci => &g.epci[position].zone,
    };
    let frame = Frame::new(view_bbox(zone));
    let mut svg = String::with_capacity(64 * 1024);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0} {h:.0}" width="{WIDTH:.0}" height="{h:.0}" font-family="sans-serif"><defs><clipPath id="v"><rect width="{WIDTH:.0}" height="{h:.0}"/></clipPath></defs><rect width="{WIDTH:.0}" height="{h:.0}" fill="#dce9f2"/><g clip-path="url(#v)">"##,
        h = frame.height
    );
    // The département's EPCI in grey, the territories' borders above them.
    for e in &g.epci {
        let d = path(&frame, &e.zone);
        if !d.is_empty() {
            let _ = write!(
                svg,
                r##"<path d="{d}" fill="#eeeeea" stroke="#b9b9b2" stroke-width="0.6"/>"##
            );
        }
    }
    let highlighted = path(&frame, zone);
    let _ = write!(
        svg,
        r##"<path d="{highlighted}" fill="#fff6dc" stroke="none"/>"##
    );
    for t in &g.territories {
        let d = path(&frame, &t.zone);
        if !d.is_empty() {
            let _ = write!(
                svg,
                r##"<path d="{d}" fill="none" stroke="#8a8a82" stroke-width="1.1"/>"##
            );
        }
    }
    let mut families = Vec::new();
    for (x, y, family) in dots(&frame, points) {
        if !families.contains(&family) {
            families.push(family);
        }
        let _ = write!(
            svg,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="1.5" fill="{}" fill-opacity="0.8"/>"#,
            family_colour_of(family)
        );
    }
    let _ = write!(
        svg,
        r##"<path d="{highlighted}" fill="none" stroke="#c0392b" stroke-width="2.2"/></g>"##
    );
    let h = frame.height;
    let (places, scale) = overlay(&mut svg, &frame, g, |c| match kind {
        ZoneKind::Territory => c.territory == position,
        ZoneKind::Epci => c.epci == position,
    });
    let _ = write!(
        svg,
        r##"<rect width="{WIDTH:.0}" height="{h:.0}" fill="none" stroke="#8a8a82" stroke-width="0.8"/></svg>"##
    );
    let legend = Family::ALL
        .iter()
        .filter(|f| families.contains(&f.id()))
        .map(|&f| (family_colour(f).to_owned(), f.label().to_owned()))
        .collect();
    Rendered {
        svg,
        legend,
        places,
        scale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_keeps_a_readable_aspect_ratio() {
        // A very flat box is drawn at least 2:3 high.
        let f = Frame::new([2.0, 50.0, 3.0, 50.01]);
        assert!(f.height >= WIDTH / 1.5 - 1.0, "{}", f.height);
        let f = Frame::new([2.0, 50.0, 2.01, 51.0]);
        assert!(f.height <= WIDTH * 1.25 + 1.0, "{}", f.height);
    }

    #[test]
    fn dots_on_one_another_are_drawn_once_per_family() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
        let input = crate::spatial::boundaries::load_geodata(&dir).expect("geodata loads");
        let g = Geography::assemble(crate::geography::build_records(input)).expect("geography");
        let arras = g
            .communes
            .iter()
            .find(|c| c.zone.code == "62041")
            .expect("Arras");
        let [lon, lat] = [
            f64::midpoint(arras.zone.bbox[0], arras.zone.bbox[2]),
            f64::midpoint(arras.zone.bbox[1], arras.zone.bbox[3]),
        ];
        let point = |family: &str, dlon: f64| PointRow {
            siret: String::new(),
            name: String::new(),
            family: family.to_owned(),
            naf: None,
            employer: false,
            location_approximate: false,
            lon: lon + dlon,
            lat,
        };
        // 1,000 associations on one spot, one coopérative there too, one association
        // 0.05° east (a few kilometres: another cell).
        let mut points: Vec<PointRow> = (0..1000).map(|_| point("association", 0.0)).collect();
        points.push(point("cooperative", 0.0));
        points.push(point("association", 0.05));
        let r = render(&g, ZoneKind::Epci, arras.epci, &points);
        assert_eq!(r.svg.matches("<circle").count(), 3);
        assert_eq!(r.legend.len(), 2);

        // 40,000 distinct spots over the EPCI: at most MAX_DOTS dots, still spread
        // over the whole zone.
        let [a, b, c, d] = g.epci[arras.epci].zone.bbox;
        let many: Vec<PointRow> = (0..40_000)
            .map(|i| {
                let (u, v) = (f64::from(i % 200) / 200.0, f64::from(i / 200) / 200.0);
                let mut p = point("association", 0.0);
                (p.lon, p.lat) = (a + (c - a) * u, b + (d - b) * v);
                p
            })
            .collect();
        let r = render(&g, ZoneKind::Epci, arras.epci, &many);
        let n = r.svg.matches("<circle").count();
        assert!((1_000..=MAX_DOTS).contains(&n), "{n} dots");
    }

    #[test]
    fn the_scale_bar_is_a_round_distance_that_fits() {
        assert_eq!(scale_bar(100.0, 110.0), (10_000.0, "10\u{a0}km".to_owned()));
        assert_eq!(scale_bar(100.0, 99.0), (5_000.0, "5\u{a0}km".to_owned()));
        assert_eq!(scale_bar(2.0, 120.0), (200.0, "200\u{a0}m".to_owned()));
        // At 50.5° N, one degree of longitude is about 71 km on the ground.
        let f = Frame::new([2.0, 50.0, 3.0, 51.0]);
        let (x0, _) = f.project(2.0, 50.5);
        let (x1, _) = f.project(3.0, 50.5);
        let km = (x1 - x0) * f.metres_per_unit() / 1000.0;
        assert!((70.0..72.5).contains(&km), "{km}");
    }

    #[test]
    fn the_largest_communes_are_named_without_overlaps() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
        let input = crate::spatial::boundaries::load_geodata(&dir).expect("geodata loads");
        let g = Geography::assemble(crate::geography::build_records(input)).expect("geography");
        let arras = g
            .epci
            .iter()
            .position(|e| e.zone.code == "200033579")
            .expect("CU d'Arras");
        let r = render(&g, ZoneKind::Epci, arras, &[]);
        assert!(r.places.iter().any(|p| p == "Arras"), "{:?}", r.places);
        assert!(
            (3..=MAX_PLACE_NAMES).contains(&r.places.len()),
            "{:?}",
            r.places
        );
        assert!(r.svg.contains(">Arras</text>"));
        assert!(
            r.svg.contains(&format!(">{}</text>", r.scale)),
            "{}",
            r.scale
        );
        assert!(r.scale.ends_with("km"), "{}", r.scale);
    }

    #[test]
    fn north_is_up_and_west_is_left() {
        let f = Frame::new([2.0, 50.0, 3.0, 51.0]);
        let (x0, y0) = f.project(2.0, 50.0);
        let (x1, y1) = f.project(3.0, 51.0);
        assert!(x0 < x1 && y0 > y1);
        assert!(f.contains((x0, y0), 1.0) && f.contains((x1, y1), 1.0));
    }
}
