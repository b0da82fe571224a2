//! Batch point-in-polygon: assigns a CSV of points (`id,lon,lat`, WGS84) to polygons
//! and writes `id,commune,epci,territory`, in batches of [`BATCH`] points split across
//! threads, so that memory stays bounded whatever the input's size. Also reads
//! ad-hoc polygons from a `code<TAB>WKT` file. Used by `ess-atlas locate` and its
//! benchmark (`benches/locate.sh`).
//!
//! A malformed point is counted as rejected and reported on standard error (the first
//! 20), never fatal. Errors are `anyhow`: this is a command's engine, its caller only
//! prints them.

use std::io::Write;
use std::time::Instant;

use anyhow::Context;

use super::assign::PolygonIndex;

/// What a run did.
pub struct LocateSummary {
    /// Seconds spent building the index (for ad-hoc polygons) and assigning points
    /// (index lookups and exact tests); reading the CSV is not counted.
    pub join_s: f64,
    pub matched: u64,
    pub points: u64,
    pub rejected: u64,
}

/// Points are read and assigned in batches of this many: memory stays bounded whatever
/// the size of the input, and each batch is split across the worker threads.
pub const BATCH: usize = 1 << 16;

pub fn locate_csv<'z>(
    index: &PolygonIndex,
    zones: impl Fn(usize) -> [&'z str; 3],
    points_path: &std::path::Path,
    out_path: Option<&std::path::Path>,
    threads: usize,
) -> anyhow::Result<LocateSummary> {
    let mut reader = csv::Reader::from_path(points_path)
        .with_context(|| format!("cannot read {}", points_path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: no header line", points_path.display()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
            .with_context(|| format!("{}: missing column {name:?}", points_path.display()))
    };
    let (id_col, lon_col, lat_col) = (column("id")?, column("lon")?, column("lat")?);

    let sink: Box<dyn Write> = match out_path {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut writer = csv::Writer::from_writer(std::io::BufWriter::new(sink));
    writer.write_record(["id", "commune", "epci", "territory"])?;

    let mut summary = LocateSummary {
        join_s: 0.0,
        matched: 0,
        points: 0,
        rejected: 0,
    };
    let mut record = csv::StringRecord::new();
    let mut ids: Vec<String> = Vec::with_capacity(BATCH);
    let mut points: Vec<(f64, f64)> = Vec::with_capacity(BATCH);
    let mut flush = |ids: &mut Vec<String>,
                     points: &mut Vec<(f64, f64)>,
                     summary: &mut LocateSummary|
     -> anyhow::Result<()> {
        let t = Instant::now();
        let found = index.locate_many(points, threads);
        summary.join_s += t.elapsed().as_secs_f64();
        for (id, hit) in ids.iter().zip(found) {
            let [c, e, t] = hit.map_or(["", "", ""], &zones);
            summary.matched += u64::from(hit.is_some());
            writer.write_record([id.as_str(), c, e, t])?;
        }
        ids.clear();
        points.clear();
        Ok(())
    };
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                summary.rejected += 1;
                tracing::warn!("{}: {e}", points_path.display());
                if e.is_io_error() {
                    break;
                }
                continue;
            }
        }
        summary.points += 1;
        let line = record.position().map_or(0, csv::Position::line);
        let coordinate = |col: usize, name: &str, limit: f64| -> Result<f64, String> {
            let text = record.get(col).unwrap_or_default().trim();
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && v.abs() <= limit)
                .ok_or_else(|| {
                    format!(
                        "{}: line {line}: field {name}: {text:?} is not a valid coordinate",
                        points_path.display()
                    )
                })
        };
        match (
            coordinate(lon_col, "lon", 180.0),
            coordinate(lat_col, "lat", 90.0),
        ) {
            (Ok(lon), Ok(lat)) => {
                ids.push(record.get(id_col).unwrap_or_default().to_owned());
                points.push((lon, lat));
                if points.len() == BATCH {
                    flush(&mut ids, &mut points, &mut summary)?;
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                summary.rejected += 1;
                if summary.rejected <= 20 {
                    eprintln!("{e}");
                }
            }
        }
    }
    flush(&mut ids, &mut points, &mut summary)?;
    writer.flush()?;
    Ok(summary)
}

/// Reads a `code<TAB>WKT` file of polygons (EPSG:4326), sorted by code.
pub fn load_wkt_polygons(
    path: &std::path::Path,
) -> anyhow::Result<(Vec<String>, Vec<geo::MultiPolygon<f64>>)> {
    use std::str::FromStr;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut rows: Vec<(String, geo::MultiPolygon<f64>)> = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let fail = |m: String| anyhow::anyhow!("{}: line {}: {m}", path.display(), n + 1);
        let (code, wkt) = line
            .split_once('\t')
            .ok_or_else(|| fail("expected code<TAB>WKT".into()))?;
        let geometry = wkt::Wkt::<f64>::from_str(wkt).map_err(|e| fail(e.to_string()))?;
        let geometry: geo::Geometry<f64> = geometry
            .try_into()
            .map_err(|e: wkt::conversion::Error| fail(e.to_string()))?;
        let mp = match geometry {
            geo::Geometry::Polygon(p) => geo::MultiPolygon::new(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            _ => return Err(fail("not a polygon".into())),
        };
        rows.push((code.to_owned(), mp));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(rows.into_iter().unzip())
}
