//! Backups and restores of a SQLite database, and the server's scheduled backups.
//!
//! **Backup** ([`backup`]): `VACUUM INTO` a hidden file beside the target (one
//! consistent snapshot, taken while the server reads and writes), synced to disk,
//! checked as a restore would check it, then given its name — by a hard link, which
//! fails rather than overwrite a file that appeared meanwhile, or by a rename when
//! overwriting was asked. A failure leaves no partial file under the target's name.
//!
//! **Restore** ([`restore`]): the file must pass [`db::inspect_sqlite_file`] (an
//! ess-atlas database at a migration level this version knows; an older level is
//! brought up to date by the next start). The database it replaces must not be in
//! use: restore takes its in-use lock exclusively (see `db/maintenance.rs`), unless
//! forced. The new file is copied beside the old one, synced, and renamed over it in
//! one step: until then the old database is untouched, after it the new one is
//! complete. The old database is kept beside it (`….before-restore-AAAAMMJJTHHMMSSZ`).
//!
//! PostgreSQL has its own tools (`pg_dump`, `pg_restore`): README, « Sauvegarde,
//! restauration et changement de base ».

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::db::{self, Db, FileCheck};

/// A backup written.
#[derive(Debug)]
pub struct BackupDone {
    pub path: PathBuf,
    pub bytes: u64,
    pub check: FileCheck,
    pub elapsed: Duration,
}

/// A restore done.
#[derive(Debug)]
pub struct RestoreDone {
    pub target: PathBuf,
    /// Where the replaced database was kept, if there was one.
    pub previous: Option<PathBuf>,
    pub check: FileCheck,
    pub elapsed: Duration,
}

/// `AAAAMMJJTHHMMSSZ`, now (UTC): sorts as time does, and is a file name anywhere.
fn compact_stamp() -> String {
    crate::time::now_utc()
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect()
}

/// A hidden name beside `path`, for a file being written.
fn partial_beside(path: &Path, what: &str) -> PathBuf {
    let name = path.file_name().map_or_else(
        || "ess-atlas.db".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    path.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

fn sync_file(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path)?.sync_all()
}

/// Syncs the directory of `path`, so that a rename in it survives a power cut.
fn sync_dir_of(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
}

/// Writes a consistent copy of the SQLite database `db` to `out`; refuses an
/// existing `out` unless `overwrite`.
pub async fn backup(db: &Db, out: &Path, overwrite: bool) -> anyhow::Result<BackupDone> {
    let started = Instant::now();
    if db.is_postgres() {
        bail!(
            "this is a PostgreSQL database: back it up with pg_dump (README, « Sauvegarde, \
             restauration et changement de base »)"
        );
    }
    if out.exists() && !overwrite {
        bail!(
            "{} exists: choose another file, or pass --overwrite to replace it",
            out.display()
        );
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the directory of {}", out.display()))?;
    }
    let partial = partial_beside(out, "partial");
    let _ = std::fs::remove_file(&partial);
    let written = async {
        db.vacuum_into(&partial).await?;
        sync_file(&partial).context("cannot sync the backup to disk")?;
        let check = db::inspect_sqlite_file(&partial).await?;
        if overwrite {
            std::fs::rename(&partial, out)
        } else {
            std::fs::hard_link(&partial, out).and_then(|()| std::fs::remove_file(&partial))
        }
        .with_context(|| format!("cannot name the backup {}", out.display()))?;
        sync_dir_of(out);
        anyhow::Ok(check)
    }
    .await;
    let check = match written {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context(format!("backup to {} failed", out.display())));
        }
    };
    Ok(BackupDone {
        path: out.to_owned(),
        bytes: std::fs::metadata(out).map_or(0, |m| m.len()),
        check,
        elapsed: started.elapsed(),
    })
}

/// Replaces the SQLite database of `database_url` with the backup `from`; refuses
/// while the database is in use unless `force`.
pub async fn restore(database_url: &str, from: &Path, force: bool) -> anyhow::Result<RestoreDone> {
    let started = Instant::now();
    let Some(target) = db::sqlite_path(database_url)? else {
        bail!(
            "restore writes a SQLite database: for PostgreSQL, use pg_restore for a pg_dump \
             file, or `ess-atlas migrate-data --from sqlite://BACKUP --to {}` for a SQLite \
             backup (README, « Sauvegarde, restauration et changement de base »)",
            if db::is_postgres_url(database_url) {
                "postgres://…"
            } else {
                database_url
            }
        );
    };
    let mut wal = from.as_os_str().to_owned();
    wal.push("-wal");
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        bail!(
            "{} has a write-ahead log beside it: it is a live database, not a backup; make a \
             backup of it with `ess-atlas --database sqlite://{} backup --out FILE`",
            from.display(),
            from.display()
        );
    }
    let check = db::inspect_sqlite_file(from).await?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the directory of {}", target.display()))?;
    }
    let lock = db::try_lock_unused(&target)?;
    if lock.is_none() {
        if !force {
            bail!(
                "{} is in use by a running ess-atlas (a server or a command): stop it, then \
                 restore; --force replaces it anyway, and every server on it must then be \
                 restarted at once",
                target.display()
            );
        }
        tracing::warn!(
            "{} is in use: replacing it anyway (--force); restart its servers now",
            target.display()
        );
    }
    let partial = partial_beside(&target, "restoring");
    let copied = (|| {
        std::fs::copy(from, &partial)?;
        sync_file(&partial)
    })();
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(anyhow::Error::new(e).context(format!(
            "cannot copy {} beside {}",
            from.display(),
            target.display()
        )));
    }
    let mut previous = None;
    if target.exists() {
        // The old database's log goes into it first: the log must not outlive its
        // file and be replayed onto the restored one.
        if let Err(e) = db::settle_sqlite_file(&target).await {
            if lock.is_some() {
                let _ = std::fs::remove_file(&partial);
                return Err(anyhow::Error::new(e)
                    .context(format!("cannot checkpoint {}", target.display())));
            }
            tracing::warn!("cannot checkpoint {} (in use): {e}", target.display());
        }
        let kept = PathBuf::from(format!(
            "{}.before-restore-{}",
            target.display(),
            compact_stamp()
        ));
        if let Err(e) = std::fs::hard_link(&target, &kept) {
            let _ = std::fs::remove_file(&partial);
            return Err(anyhow::Error::new(e).context(format!(
                "cannot keep the current database as {}",
                kept.display()
            )));
        }
        previous = Some(kept);
    }
    if let Err(e) = std::fs::rename(&partial, &target) {
        let _ = std::fs::remove_file(&partial);
        return Err(anyhow::Error::new(e).context(format!("cannot replace {}", target.display())));
    }
    sync_dir_of(&target);
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    drop(lock);
    Ok(RestoreDone {
        target,
        previous,
        check,
        elapsed: started.elapsed(),
    })
}

/// Prefix and suffix of the scheduled backups' names.
const SCHEDULED_PREFIX: &str = "ess-atlas-";
const SCHEDULED_SUFFIX: &str = ".db";

/// Of the file names in a backup directory, the scheduled backups to delete so that
/// the `keep` newest remain (their names sort as their times). Other files are
/// never touched.
#[must_use]
pub fn backups_to_prune(names: &[String], keep: usize) -> Vec<String> {
    let mut ours: Vec<&String> = names
        .iter()
        .filter(|n| {
            n.starts_with(SCHEDULED_PREFIX)
                && n.ends_with(SCHEDULED_SUFFIX)
                && n[SCHEDULED_PREFIX.len()..n.len() - SCHEDULED_SUFFIX.len()]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == 'T' || c == 'Z')
        })
        .collect();
    ours.sort();
    let extra = ours.len().saturating_sub(keep);
    ours.into_iter().take(extra).cloned().collect()
}

/// One scheduled backup: `dir/ess-atlas-AAAAMMJJTHHMMSSZ.db`, then the oldest
/// scheduled backups beyond the `keep` newest are deleted.
pub async fn scheduled_backup(db: &Db, dir: &Path, keep: usize) -> anyhow::Result<BackupDone> {
    let out = dir.join(format!(
        "{SCHEDULED_PREFIX}{}{SCHEDULED_SUFFIX}",
        compact_stamp()
    ));
    let done = backup(db, &out, false).await?;
    let names: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    for name in backups_to_prune(&names, keep.max(1)) {
        std::fs::remove_file(dir.join(&name))
            .with_context(|| format!("cannot delete the old backup {name}"))?;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_keeps_the_newest_scheduled_backups_and_nothing_else_is_touched() {
        let names: Vec<String> = [
            "ess-atlas-20261203T020000Z.db",
            "ess-atlas-20261201T020000Z.db",
            "notes.txt",
            "ess-atlas-manual.db",
            "ess-atlas-20261202T020000Z.db",
            ".ess-atlas-20261204T020000Z.db.partial-12",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            backups_to_prune(&names, 2),
            ["ess-atlas-20261201T020000Z.db"]
        );
        assert_eq!(backups_to_prune(&names, 3), Vec::<String>::new());
        assert_eq!(backups_to_prune(&names, 1).len(), 2);
    }
}
