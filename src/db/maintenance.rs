//! SQL and file locks for operations on the database as a whole: a consistent copy
//! of a live SQLite database (`VACUUM INTO`), the checks a file must pass before it
//! replaces one, and the lock that tells whether a database is in use.
//!
//! **In use.** Every [`Db`] opened on a SQLite file holds a *shared* lock on a file
//! beside it (`ess-atlas.db-in-use`) for as long as it lives: the server for its
//! lifetime, a command for its run. Restoring takes the same lock *exclusively*
//! ([`try_lock_unused`]), so it cannot replace a file a server or a command has
//! open. The locks are the operating system's (`flock`): a process that dies
//! releases them, so no stale lock is ever left behind.
//!
//! What a restore or a backup does with files (copies, renames) is `operations`'.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

use super::{Db, DbError, Pool, Result};

/// The in-use lock file of the SQLite database `file`.
#[must_use]
pub fn in_use_lock_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push("-in-use");
    PathBuf::from(name)
}

/// The file a SQLite URL names; `None` for PostgreSQL and `:memory:`.
pub fn sqlite_path(url: &str) -> Result<Option<PathBuf>> {
    if super::is_postgres_url(url) {
        return Ok(None);
    }
    let options = SqliteConnectOptions::from_str(url).map_err(|source| DbError::Url {
        url: url.to_owned(),
        source,
    })?;
    let file = options.get_filename();
    Ok((file != Path::new(":memory:")).then(|| file.to_owned()))
}

fn open_lock_file(file: &Path) -> Result<std::fs::File> {
    let path = in_use_lock_path(file);
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| DbError::Directory {
            path: path.display().to_string(),
            source,
        })
}

/// Takes the shared in-use lock of the SQLite database `file`, waiting while a
/// restore replaces it.
pub(super) async fn hold_in_use_lock(file: PathBuf) -> Result<std::fs::File> {
    tokio::task::spawn_blocking(move || {
        let lock = open_lock_file(&file)?;
        lock.lock_shared().map_err(|source| DbError::Directory {
            path: in_use_lock_path(&file).display().to_string(),
            source,
        })?;
        Ok(lock)
    })
    .await
    .map_err(|e| DbError::Task(format!("in-use lock: {e}")))?
}

/// The exclusive in-use lock of the SQLite database `file`, held until the returned
/// file is dropped; `None` when a server or a command has the database open.
pub fn try_lock_unused(file: &Path) -> Result<Option<std::fs::File>> {
    let lock = open_lock_file(file)?;
    match lock.try_lock() {
        Ok(()) => Ok(Some(lock)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(source)) => Err(DbError::Directory {
            path: in_use_lock_path(file).display().to_string(),
            source,
        }),
    }
}

/// What [`inspect_sqlite_file`] found in a SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// The last migration applied to the file.
    pub level: i64,
    /// The last migration this version knows: the server brings a file at an
    /// older level up to it when it opens it.
    pub current: i64,
    /// Editions the file holds.
    pub editions: i64,
    /// Staff accounts it holds.
    pub users: i64,
}

/// Checks that `path` is an ess-atlas SQLite database this version can open: a
/// SQLite file that passes `PRAGMA quick_check`, with ess-atlas's migrations, each
/// one known to this version with the same checksum, all applied successfully. The
/// file is opened read-only and immutable (no lock, no journal): it must not be in
/// use (a backup, not a live database).
pub async fn inspect_sqlite_file(path: &Path) -> Result<FileCheck> {
    let not_atlas = |reason: String| DbError::NotAnAtlas {
        path: path.display().to_string(),
        reason,
    };
    if !path.is_file() {
        return Err(not_atlas("no such file".into()));
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true)
        .connect()
        .await
        .map_err(|e| not_atlas(format!("not a SQLite database ({e})")))?;
    let check: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| not_atlas(format!("not a SQLite database ({e})")))?;
    if check != ["ok"] {
        return Err(not_atlas(format!("damaged: {}", check.join("; "))));
    }
    let applied: Vec<(i64, Vec<u8>, bool)> =
        sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .map_err(|_| not_atlas("it has no ess-atlas migrations".into()))?;
    let migrator = sqlx::migrate!("migrations/sqlite");
    let current = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    for (version, checksum, success) in &applied {
        let Some(known) = migrator.iter().find(|m| m.version == *version) else {
            return Err(not_atlas(format!(
                "migration {version} is unknown to this version (last known: {current}): \
                 it was made by a newer ess-atlas"
            )));
        };
        if known.checksum.as_ref() != checksum.as_slice() {
            return Err(not_atlas(format!(
                "migration {version} differs from this version's"
            )));
        }
        if !success {
            return Err(not_atlas(format!("migration {version} did not complete")));
        }
    }
    let Some(level) = applied.last().map(|(v, _, _)| *v) else {
        return Err(not_atlas("it has no ess-atlas migrations".into()));
    };
    let editions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM editions")
        .fetch_one(&mut conn)
        .await?;
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&mut conn)
        .await
        .unwrap_or(0);
    Ok(FileCheck {
        level,
        current,
        editions,
        users,
    })
}

/// Makes the SQLite database `path` self-contained before its file is moved: its
/// write-ahead log checkpointed into it and removed (journal mode `DELETE`). The
/// caller holds the exclusive in-use lock.
pub async fn settle_sqlite_file(path: &Path) -> Result<()> {
    // Switching out of WAL fails at once, without the busy handler, while another
    // connection is open; a closed pool's connections may still be closing in their
    // threads for a moment (sqlx closes them in the background): retry a while.
    let started = std::time::Instant::now();
    loop {
        match settle_once(path).await {
            Err(e) if e.is_busy() && started.elapsed() < super::COMMAND_BUSY_TIMEOUT => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            done => return done,
        }
    }
}

async fn settle_once(path: &Path) -> Result<()> {
    let mut conn = SqliteConnectOptions::new().filename(path).connect().await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    sqlx::query("PRAGMA journal_mode = DELETE")
        .execute(&mut conn)
        .await?;
    sqlx::Connection::close(conn).await?;
    Ok(())
}

impl Db {
    /// Closes the pool's connections, then releases the in-use lock (when this was
    /// the last handle): dropping a [`Db`] closes its connections later, in the
    /// background.
    pub async fn close(self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }

    /// Writes a consistent copy of this SQLite database to `target`, a file that
    /// must not exist, while others go on reading and writing (`VACUUM INTO` reads
    /// one snapshot; the copy is compacted). PostgreSQL: `pg_dump` (README).
    pub async fn vacuum_into(&self, target: &Path) -> Result<()> {
        let Pool::Sqlite(p) = &self.pool else {
            return Err(DbError::Unsupported(
                "a backup of a PostgreSQL database is made with pg_dump (README, « Sauvegarde, \
                 restauration et changement de base »)"
                    .into(),
            ));
        };
        let target = target.to_str().ok_or_else(|| {
            DbError::Unsupported(format!("a path that is not UTF-8: {}", target.display()))
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(p)
            .await?;
        Ok(())
    }
}
