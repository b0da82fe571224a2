//! Step 3 of the SIRENE import (see the module docs of [`super`]): the optional
//! geolocation file (`;`-separated), better coordinates by SIRET.

use std::collections::HashMap;

use super::establishments::Candidate;
use super::reading::{Progress, next_record, value};
use crate::ess::identifiers::Siret;
use crate::import::Result;
use crate::import::progress::{Step, Watch};
use crate::import::source::CsvSource;
use crate::records::report::{FileReport, ImportReport};
use crate::spatial::projection::lambert93_to_lonlat;

/// Step 3: see the module docs.
pub(super) fn read_geolocation(
    source: &mut CsvSource<'_>,
    candidates: &mut [Candidate],
    report: &mut ImportReport,
    progress: &Watch,
) -> Result<()> {
    let siret_c = source.column("siret")?;
    let (x_c, y_c) = (source.optional_column("x"), source.optional_column("y"));
    let epsg_c = source.optional_column("epsg");
    let (lon_c, lat_c) = (
        source.optional_column("x_longitude"),
        source.optional_column("y_latitude"),
    );
    let index: HashMap<Siret, usize> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (c.siret, i))
        .collect();
    let mut file = FileReport::new(&source.name);
    let bar = Progress::new(progress, Step::Geolocalisation, source);
    let mut record = csv::StringRecord::new();
    loop {
        match next_record(source, &mut record, &mut file, report, &bar)? {
            Some(true) => {}
            Some(false) => continue,
            None => break,
        }
        let siret = record.get(siret_c).unwrap_or_default().trim();
        let Some(&i) = Siret::parse(siret).and_then(|s| index.get(&s)) else {
            file.exclude("not_in_scope");
            continue;
        };
        let parse = |c: Option<usize>| {
            value(&record, c).and_then(|v| v.replace(',', ".").parse::<f64>().ok())
        };
        let lonlat = match (parse(lon_c), parse(lat_c)) {
            (Some(lon), Some(lat))
                if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) =>
            {
                Some((lon, lat))
            }
            _ => match (parse(x_c), parse(y_c), value(&record, epsg_c)) {
                (Some(x), Some(y), Some("2154") | None) => lambert93_to_lonlat(x, y),
                _ => None,
            },
        };
        if let Some(p) = lonlat {
            candidates[i].lonlat = Some(p);
            file.rows_kept += 1;
        } else {
            file.exclude("no_usable_coordinates");
        }
    }
    report.files.push(file);
    Ok(())
}
