//! `ess-atlas backup`, `ess-atlas restore` and `ess-atlas migrate-data` (SQLite; PostgreSQL has `pg_dump` and
//! `pg_restore`, README).

use std::path::Path;

use super::GlobalArgs;
use crate::db::Db;

pub(super) async fn backup(global: &GlobalArgs, out: &Path, overwrite: bool) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    let done = crate::operations::backup(&db, out, overwrite).await?;
    println!(
        "backup written: {} ({:.1} MB, migration {}, {} editions, {} accounts) in {:.1} s",
        done.path.display(),
        done.bytes as f64 / 1e6,
        done.check.level,
        done.check.editions,
        done.check.users,
        done.elapsed.as_secs_f64()
    );
    Ok(())
}

pub(super) async fn restore(global: &GlobalArgs, from: &Path, force: bool) -> anyhow::Result<()> {
    let done = crate::operations::restore(&global.database, from, force).await?;
    println!(
        "restored {} from {} (migration {} of {}, {} editions, {} accounts) in {:.1} s",
        done.target.display(),
        from.display(),
        done.check.level,
        done.check.current,
        done.check.editions,
        done.check.users,
        done.elapsed.as_secs_f64()
    );
    if let Some(previous) = done.previous {
        println!("the replaced database is kept as {}", previous.display());
    }
    if done.check.level < done.check.current {
        println!(
            "the next start brings it to migration {}",
            done.check.current
        );
    }
    Ok(())
}

pub(super) async fn migrate_data(from: &str, to: &str) -> anyhow::Result<()> {
    // Progress on stderr, table by table (the national registry takes minutes); the
    // table of checks on stdout.
    let started = std::time::Instant::now();
    let done = crate::operations::migrate_data(from, to, |table, rows, index, count| {
        eprintln!(
            "[{index}/{count}] {table}: {rows} rows copied ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
    })
    .await?;
    println!(
        "{:<22} {:>10} {:>10}  {:<16} {:<16}  check",
        "table", "source", "target", "source digest", "target digest"
    );
    for t in &done.tables {
        println!(
            "{:<22} {:>10} {:>10}  {:<16} {:<16}  {}",
            t.table,
            t.source_rows,
            t.target_rows,
            &t.source_digest[..16],
            &t.target_digest[..16],
            if t.matches() { "ok" } else { "DIFFERS" }
        );
    }
    let rows: u64 = done.tables.iter().map(|t| t.source_rows).sum();
    println!(
        "{} tables, {rows} rows copied and checked in {:.1} s (sessions are not copied: \
         staff sign in again)",
        done.tables.len(),
        done.elapsed.as_secs_f64()
    );
    Ok(())
}
