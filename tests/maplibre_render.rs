//! Renders a communes vector tile from our server with maplibre-rs (the `maplibre`
//! crate), headless, and looks for the style's fill colour in the PNG it writes.
//!
//! Why this check exists: the interactive map uses MapLibre GL JS, but our tiles are
//! meant for every MapLibre renderer. maplibre-rs is a proof of concept that cannot be
//! the web renderer (see its own README), and a strict reader: it panics on rings wound
//! against the MVT spec and reads nothing but the layer name and the geometry. If it
//! draws the tile that `GET /tiles/communes/{z}/{x}/{y}.mvt` answers where the communes
//! are, quadrant by quadrant, the tile is plain MVT 2.1 that any renderer reads.
//!
//! Built only with the `maplibre-check` feature (needs Debian's `protobuf-compiler` to
//! build, `mesa-vulkan-drivers` and `libvulkan1` to run, and `WGPU_BACKEND=vulkan`);
//! `.ci/run` installs them and runs this test. Workarounds for maplibre 0.0.3:
//! - the style is built in Rust: a style read from JSON renders blank (the layers'
//!   `index` is not deserialised, and index 0 is never drawn: see [`style`]); the fill
//!   layer names its tile layer with the crate's own `source_layer` key;
//! - only fill colours are drawn: there is no background layer, the frame is cleared to
//!   white, so white is the "background" looked for (the sea, in this tile);
//! - the renderer writes `frame_0.png` into the working directory, so it runs in a
//!   temporary one (`MAPLIBRE_CHECK_PNG=path` keeps a copy);
//! - `process_tile` loads the tile as 0/0/0, so the 512 px frame shows exactly our tile;
//! - an `XDG_RUNTIME_DIR` error is printed on stderr when the renderer starts: harmless.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use ess_atlas::config::Config;
use ess_atlas::geography::Geography;
use geo::{Area, BooleanOps, Intersects, MapCoords, MultiPolygon, Rect};
use geozero::mvt::{Message, Tile, tile};
use maplibre::{
    headless::{HeadlessPlugin, create_headless_renderer, map::HeadlessMap},
    platform::run_multithreaded,
    plugin::Plugin,
    render::RenderPlugin,
    style::{
        Style,
        layer::{FillPaint, LayerPaint, StyleLayer},
    },
    vector::{DefaultVectorTransferables, VectorPlugin},
};

/// The tile: z10 over Boulogne-sur-Mer, the sea to the west, communes to the east.
const Z: u32 = 10;
const X: u32 = 516;
const Y: u32 = 344;
/// Name of the layer inside the tile, and of the style's fill layer.
const LAYER: &str = "communes";
const EXTENT: u32 = 4096;
/// The fill colour of the `communes` layer: nowhere else in the frame.
const FILL: [u8; 3] = [200, 30, 120];
/// maplibre-rs clears the frame to white before drawing the layers.
const BACKGROUND: [u8; 3] = [255, 255, 255];
/// Side of the square frame, in pixels.
const FRAME: u32 = 512;

#[test]
fn communes_tile_renders_in_maplibre_rs() {
    let (geography, tile) = serve_tile();
    check_tile(&tile);

    let started = Instant::now();
    let png = render_in_temp_dir(tile);
    let render_time = started.elapsed();
    let stats = PixelStats::of_png(&png);
    let expected = expected_coverage(&geography);

    println!(
        "maplibre-rs rendered tile {Z}/{X}/{Y} in {render_time:.1?}: {} px; fill {} px \
         ({:.1} %, expected {:.1} % from the geodata), background {} px ({:.1} %), \
         other {} px ({:.1} %)",
        stats.total,
        stats.fill,
        100.0 * stats.share(stats.fill),
        100.0 * expected.iter().sum::<f64>() / 4.0,
        stats.background,
        100.0 * stats.share(stats.background),
        stats.other,
        100.0 * stats.share(stats.other),
    );
    for (quadrant, (&got, &want)) in ["NW", "NE", "SW", "SE"]
        .iter()
        .zip(stats.quadrant_fill_shares().iter().zip(expected.iter()))
    {
        println!(
            "  {quadrant}: fill {:.1} %, expected {:.1} %",
            100.0 * got,
            100.0 * want
        );
    }

    assert!(
        stats.share(stats.fill) > 0.25,
        "the communes fill colour covers too little of the frame: {stats:?}"
    );
    assert!(
        stats.share(stats.background) > 0.05,
        "the background (the sea) is missing from the frame: {stats:?}"
    );
    assert!(
        stats.share(stats.other) < 0.02,
        "colours that are neither the fill nor the background: {stats:?}"
    );
    // Where the communes are, quadrant by quadrant: catches a flipped or shifted tile.
    for (got, want) in stats.quadrant_fill_shares().iter().zip(expected.iter()) {
        assert!(
            (got - want).abs() < 0.03,
            "fill share per quadrant {:?} differs from the geodata's {expected:?}",
            stats.quadrant_fill_shares()
        );
    }
}

/// Starts the server in-process on the shipped geodata, on a free port, and returns
/// its geography and the tile under test as it answers it over HTTP.
fn serve_tile() -> (Arc<Geography>, Vec<u8>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        ess_atlas::telemetry::init(std::io::sink);
        let app = ess_atlas::build_app(Config::for_tests(dir.path()))
            .await
            .expect("app starts");
        let url = format!(
            "http://{}/tiles/{LAYER}/{Z}/{X}/{Y}.mvt",
            app.local_addr().expect("server address")
        );
        let geography = app.geography().clone();
        tokio::spawn(app.serve());
        let response = reqwest::get(&url).await.expect("tile request sent");
        assert_eq!(response.status().as_u16(), 200, "GET {url}");
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/vnd.mapbox-vector-tile"),
            "GET {url}: content type"
        );
        let tile = response.bytes().await.expect("tile body").to_vec();
        (geography, tile)
    })
}

/// Decodes the tile as a strict reader would, before maplibre-rs sees it, so that a
/// malformed tile fails here with a message rather than as a panic inside the renderer.
fn check_tile(bytes: &[u8]) {
    let tile = Tile::decode(bytes).expect("the tile decodes as MVT");
    let layer = tile
        .layers
        .iter()
        .find(|layer| layer.name == LAYER)
        .unwrap_or_else(|| panic!("no `{LAYER}` layer in the tile"));
    assert_eq!(layer.version, 2, "MVT version");
    assert_eq!(layer.extent, Some(EXTENT), "tile extent");
    assert!(!layer.features.is_empty(), "the `{LAYER}` layer is empty");
    assert!(
        layer
            .features
            .iter()
            .all(|f| f.r#type() == tile::GeomType::Polygon),
        "every commune is a polygon"
    );
    for key in ["code", "name"] {
        assert!(layer.keys.iter().any(|k| k == key), "no `{key}` property");
    }
}

/// Renders `tile` headless in a temporary working directory and returns the PNG's bytes.
fn render_in_temp_dir(tile: Vec<u8>) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let previous = std::env::current_dir().expect("current directory");
    std::env::set_current_dir(dir.path()).expect("enter the temporary directory");
    run_multithreaded(async move {
        let (kernel, renderer) = create_headless_renderer(FRAME, None).await;
        let plugins: Vec<Box<dyn Plugin<_>>> = vec![
            Box::new(RenderPlugin),
            Box::new(VectorPlugin::<DefaultVectorTransferables>::default()),
            Box::new(HeadlessPlugin::new(true)),
        ];
        let mut map =
            HeadlessMap::new(style(), renderer, kernel, plugins).expect("headless map builds");
        let layers = map.process_tile(tile.into_boxed_slice(), &[LAYER]).await;
        assert!(!layers.is_empty(), "maplibre-rs found no `{LAYER}` layer");
        map.render_tile(layers);
    });
    std::env::set_current_dir(previous).expect("leave the temporary directory");
    let frame: PathBuf = dir.path().join("frame_0.png");
    let png = std::fs::read(&frame).unwrap_or_else(|e| panic!("{}: {e}", frame.display()));
    // To look at the frame: MAPLIBRE_CHECK_PNG=/tmp/tile.png cargo test …
    if let Some(keep) = std::env::var_os("MAPLIBRE_CHECK_PNG") {
        std::fs::write(&keep, &png).expect("copy of the frame written");
    }
    png
}

/// One fill layer for the communes, built in Rust (a JSON style renders blank).
fn style() -> Style {
    let [r, g, b] = FILL;
    let fill = format!("rgb({r}, {g}, {b})");
    Style {
        layers: vec![StyleLayer {
            // The layer's depth: the depth buffer is cleared to 0 and the test is
            // "greater", so a layer at index 0 is never drawn.
            index: 1,
            id: LAYER.to_owned(),
            paint: Some(LayerPaint::Fill(FillPaint {
                fill_color: Some(fill.parse().expect("CSS colour")),
            })),
            source_layer: Some(LAYER.to_owned()),
            ..StyleLayer::default()
        }],
        ..Style::default()
    }
}

#[derive(Debug, Default)]
struct PixelStats {
    total: usize,
    fill: usize,
    background: usize,
    other: usize,
    /// Fill pixels per quadrant: NW, NE, SW, SE.
    quadrant_fill: [usize; 4],
}

impl PixelStats {
    fn of_png(png_bytes: &[u8]) -> Self {
        let decoder = png::Decoder::new(png_bytes);
        let mut reader = decoder.read_info().expect("PNG header");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("PNG frame");
        assert_eq!(info.color_type, png::ColorType::Rgba, "PNG colour type");
        assert_eq!(info.bit_depth, png::BitDepth::Eight, "PNG bit depth");
        assert_eq!((info.width, info.height), (FRAME, FRAME), "PNG size");
        let close = |px: &[u8], c: [u8; 3]| px.iter().zip(c).all(|(&a, b)| a.abs_diff(b) <= 2);
        let mut stats = Self::default();
        let half = (FRAME / 2) as usize;
        for (i, px) in buf[..info.buffer_size()].chunks_exact(4).enumerate() {
            let (row, col) = (i / FRAME as usize, i % FRAME as usize);
            stats.total += 1;
            if close(px, FILL) {
                stats.fill += 1;
                stats.quadrant_fill[usize::from(row >= half) * 2 + usize::from(col >= half)] += 1;
            } else if close(px, BACKGROUND) {
                stats.background += 1;
            } else {
                stats.other += 1;
            }
        }
        stats
    }

    fn share(&self, count: usize) -> f64 {
        count as f64 / self.total as f64
    }

    fn quadrant_fill_shares(&self) -> [f64; 4] {
        self.quadrant_fill.map(|n| 4.0 * self.share(n))
    }
}

/// Web Mercator metres from longitude and latitude.
fn mercator(lon: f64, lat: f64) -> (f64, f64) {
    const R: f64 = 6_378_137.0;
    let y = (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
        .tan()
        .ln();
    (R * lon.to_radians(), R * y)
}

/// The tile's bounds in Web Mercator metres.
fn tile_bounds() -> Rect<f64> {
    const HALF_WORLD: f64 = 20_037_508.342_789_244;
    let size = 2.0 * HALF_WORLD / f64::from(1u32 << Z);
    let left = -HALF_WORLD + f64::from(X) * size;
    let top = HALF_WORLD - f64::from(Y) * size;
    Rect::new((left, top - size), (left + size, top))
}

/// The outlines of the server's communes, in Web Mercator.
fn communes_in_mercator(geography: &Geography) -> Vec<MultiPolygon<f64>> {
    geography
        .communes
        .iter()
        .map(|c| c.zone.geometry.map_coords(|p| mercator(p.x, p.y).into()))
        .collect()
}

/// The share of each quadrant of the tile (NW, NE, SW, SE) that the communes cover,
/// from the unsimplified outlines the server loaded.
fn expected_coverage(geography: &Geography) -> [f64; 4] {
    let bounds = tile_bounds();
    let (min, max, c) = (bounds.min(), bounds.max(), bounds.center());
    let quadrants = [
        Rect::new((min.x, c.y), (c.x, max.y)),
        Rect::new((c.x, c.y), (max.x, max.y)),
        Rect::new((min.x, min.y), (c.x, c.y)),
        Rect::new((c.x, min.y), (max.x, c.y)),
    ];
    let communes = communes_in_mercator(geography);
    quadrants.map(|q| {
        let covered: f64 = communes
            .iter()
            .filter(|shape| shape.intersects(&q))
            .map(|shape| shape.intersection(&q.to_polygon()).unsigned_area())
            .sum();
        covered / q.unsigned_area()
    })
}
