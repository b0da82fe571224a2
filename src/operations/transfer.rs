//! Moving an atlas between databases (`ess-atlas migrate-data`): SQLite to
//! PostgreSQL when a Département outgrows one file, or back. Both databases are
//! opened (and so brought to this version's migrations), then `db`'s copy runs in
//! one transaction on the target and checks every table's rows and digest.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::db::{Db, TableDigest};

/// A copy done: per table, rows and digests on both sides (all matching).
#[derive(Debug)]
pub struct MigrateDone {
    pub tables: Vec<TableDigest>,
    pub elapsed: Duration,
}

/// Copies every table of `from` (sessions excluded) into the empty database `to`;
/// `copied(table, rows, index, count)` follows the progress, table by table.
pub async fn migrate_data(
    from: &str,
    to: &str,
    copied: impl FnMut(&str, u64, usize, usize) + Send,
) -> anyhow::Result<MigrateDone> {
    let started = Instant::now();
    if from == to {
        bail!("--from and --to name the same database");
    }
    let source = Db::connect(from)
        .await
        .with_context(|| format!("cannot open the source database {from}"))?;
    let target = Db::connect(to)
        .await
        .with_context(|| format!("cannot open the target database {to}"))?;
    let tables = target
        .copy_from(&source, copied)
        .await
        .context("nothing was copied")?;
    target.close().await;
    source.close().await;
    Ok(MigrateDone {
        tables,
        elapsed: started.elapsed(),
    })
}
