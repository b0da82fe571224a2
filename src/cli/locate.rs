//! `ess-atlas locate`: assigns a CSV of points to communes (with their EPCI and
//! territory) or to ad-hoc WKT polygons, in batches; the work is `spatial::batch`'s.

use std::time::Instant;

use super::{GlobalArgs, LocateArgs};
use crate::db::Db;
use crate::spatial::assign::PolygonIndex;

/// The polygons `locate` assigns points to.
enum Polygons {
    /// The product's geography: communes with their EPCI and territory.
    Geography(crate::geography::Geography),
    /// Ad-hoc polygons with their codes, in index order.
    Wkt(Vec<String>, PolygonIndex),
}

impl Polygons {
    fn index(&self) -> &PolygonIndex {
        match self {
            Self::Geography(g) => g.index(),
            Self::Wkt(_, index) => index,
        }
    }

    /// Commune, EPCI and territory codes of polygon `i`.
    fn zones(&self, i: usize) -> [&str; 3] {
        match self {
            Self::Geography(g) => {
                let c = &g.communes[i];
                [
                    c.zone.code.as_str(),
                    g.epci[c.epci].zone.code.as_str(),
                    g.territories[c.territory].zone.code.as_str(),
                ]
            }
            Self::Wkt(codes, _) => [codes[i].as_str(), "", ""],
        }
    }
}

pub(super) async fn locate(global: &GlobalArgs, args: &LocateArgs) -> anyhow::Result<()> {
    // Building the index counts in join_s, as the reference commands' do.
    let mut index_s = 0.0;
    let polygons = if let Some(path) = &args.polygons {
        let path = path.clone();
        let (polygons, seconds) = tokio::task::spawn_blocking(move || {
            let (codes, polygons) = crate::spatial::batch::load_wkt_polygons(&path)?;
            let t = Instant::now();
            let index = PolygonIndex::new(polygons);
            anyhow::Ok((Polygons::Wkt(codes, index), t.elapsed().as_secs_f64()))
        })
        .await??;
        index_s = seconds;
        polygons
    } else {
        let db = Db::connect(&global.database).await?;
        Polygons::Geography(crate::operations::load_geography(&db, &global.geodata).await?)
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let points_path = args.points.clone();
    let out_path = args.out.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut summary = crate::spatial::batch::locate_csv(
            polygons.index(),
            |i| polygons.zones(i),
            &points_path,
            out_path.as_deref(),
            threads,
        )?;
        summary.join_s += index_s;
        let line = format!(
            "join_s={:.6} matched={} polygons={} points={} rejected={}",
            summary.join_s,
            summary.matched,
            polygons.index().len(),
            summary.points,
            summary.rejected
        );
        if out_path.is_some() {
            println!("{line}");
        } else {
            eprintln!("{line}");
        }
        Ok(())
    })
    .await?
}
