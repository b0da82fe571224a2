//! The database: connection, migrations, and every SQL statement of the product.
//!
//! Callers see typed functions on [`Db`], never SQL. Two backends sit behind them:
//! SQLite, the embedded default (the file is created on first start, WAL mode lets
//! readers go on while an import writes), and PostgreSQL, for a deployment that
//! outgrows one file or runs several server instances (`--database postgres://…`).
//!
//! Each backend has its own migrations (`migrations/sqlite`, `migrations/postgres`,
//! same numbering) and a concrete sqlx pool: a statement is written once when the
//! two dialects agree (`$1` placeholders, `ON CONFLICT`, `RETURNING`, `NOT flag`,
//! `COUNT(*) FILTER`, `NULLS FIRST` all read the same on both) and the function body
//! is expanded for each pool by `on_pool!` / `on_tx!`, so every row is decoded
//! with the backend's own types. Where the dialects differ (JSON arrays, bulk
//! inserts), the function matches on the backend. Flags are `INTEGER` 0/1 on SQLite
//! and `BOOLEAN` on PostgreSQL, integers `BIGINT`, reals `DOUBLE PRECISION`; times
//! are written by the server (not by SQL functions), so both backends store the same
//! text.

/// Runs `$body` with `$p` bound to the concrete pool of `$db` (a [`Db`]): the body is
/// compiled once per backend.
macro_rules! on_pool {
    ($db:expr, $p:ident => $body:expr) => {
        match &$db.pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$t` bound to the concrete `&mut Transaction` inside `$tx` (a
/// `&mut Tx`); use `&mut **$t` as the executor.
macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite($t, _) => $body,
            $crate::db::Tx::Postgres($t, _) => $body,
        }
    };
}

mod accounts;
mod coconstruction;
mod compendiums;
mod consultations;
mod copy;
mod declarations;
mod demo;
mod geography;
mod indicators;
mod maintenance;
mod organisations;
mod plans;
mod portraits;
mod proposals;
mod registry;
mod stamp;
mod subsidies;
mod transfer;

pub use accounts::{LoginFailures, SessionRow, UserRow};
pub use coconstruction::{AcceptedContribution, CdessProposalRow, NewCdessProposal};
pub use compendiums::CompendiumJobRow;
pub use consultations::{
    ANONYMISED_NAME, Confirmation, ConsultationRow, ContributionRow, ContributionTally,
    NewConsultation, NewContribution, Throttled,
};
pub use declarations::{DeclarationRow, DeclaredFields, NewDeclaration};
pub use maintenance::{
    FileCheck, in_use_lock_path, inspect_sqlite_file, settle_sqlite_file, sqlite_path,
    try_lock_unused,
};
pub use organisations::{OrganisationFilter, OrganisationRow, PointRow};
pub use plans::{
    ActionFields, ActionRow, BudgetLine, OrientationFields, OrientationRow, PlanFilter,
};
pub use portraits::{
    Actor, ChangeRow, EditionWork, PortraitRow, SaveOutcome, StepRecord, TransitionRow,
    portrait_key,
};
pub use proposals::{
    Decided, Decision, Merge, NewProposal, PartnerCredit, ProposalFilter, ProposalRow,
};
pub use registry::{Edition, StoredReport};
pub use subsidies::{EssGrant, Rematch, SubsidyRecord, SubsidyTally};
pub use transfer::{COPIED_TABLES, NOT_COPIED, TableDigest};

use std::path::Path;
use std::str::FromStr;

use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
};
use sqlx::{Decode, Postgres, Row, Sqlite, Type};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("invalid database URL {url:?}")]
    Url {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot create the directory of database {path}")]
    Directory {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    /// The stored geography cache cannot be read back (start-up rebuilds it when the
    /// geodata files change).
    #[error("corrupt geography cache: {0}")]
    Geography(String),
    /// A stored value the code cannot read back: an unknown family code, a malformed
    /// report or history entry. Points at a database changed outside ess-atlas.
    #[error("unreadable stored data: {0}")]
    Stored(String),
    /// A value that cannot be written (serialising a report or a history entry).
    #[error("cannot serialise {0}")]
    Serialise(String),
    /// A row read back inside the transaction that wrote it is gone.
    #[error("{0} vanished during the transaction")]
    Vanished(&'static str),
    /// Other writers of this process held the database longer than the busy
    /// timeout.
    #[error("the database is busy with other writers")]
    Busy,
    /// An edition's figures failed the secret statistique audit: they are never
    /// served (a defect of the masking, to report).
    #[error(
        "the secret statistique audit of edition {edition} failed on {failures} cells: \
         run `ess-atlas audit secret --edition {edition}`"
    )]
    SecretAudit { edition: i64, failures: usize },
    /// Deleting an edition that staff wrote portraits, orientations or actions for
    /// (the message, in French, names them).
    #[error("{0}")]
    EditionHasWork(EditionWork),
    /// A SQLite file that is not an ess-atlas database this version can open (the
    /// reason says why).
    #[error("{path} is not a usable ess-atlas database: {reason}")]
    NotAnAtlas { path: String, reason: String },
    /// An operation the backend does not offer (the message says what to use).
    #[error("{0}")]
    Unsupported(String),
    /// Work handed to a blocking thread failed (a panic there, or a cancelled task).
    #[error("{0}")]
    Task(String),
}

pub type Result<T, E = DbError> = std::result::Result<T, E>;

impl DbError {
    /// The database is busy with another writer (SQLite's write lock still held
    /// after the busy timeout, e.g. during an import's swap; PostgreSQL: a lock
    /// timeout or a serialisation failure). Retrying later is the answer.
    #[must_use]
    pub fn is_busy(&self) -> bool {
        if matches!(self, Self::Busy) {
            return true;
        }
        let Self::Sqlx(sqlx::Error::Database(e)) = self else {
            return false;
        };
        // SQLite: SQLITE_BUSY (5) and its extended codes (517 BUSY_SNAPSHOT, 261
        // BUSY_RECOVERY), SQLITE_LOCKED (6). PostgreSQL: lock_not_available,
        // serialization_failure, deadlock_detected.
        matches!(
            e.code().as_deref(),
            Some("5" | "6" | "261" | "517" | "55P03" | "40001" | "40P01")
        )
    }
}

/// The connection pool of one backend. Only tests look inside (to check what is
/// stored, e.g. that session tokens are hashed); the product goes through [`Db`].
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on either backend. A SQLite write transaction holds this
/// process's write gate until it ends (see [`Db::begin`]).
pub(crate) enum Tx {
    Sqlite(
        sqlx::Transaction<'static, Sqlite>,
        Option<tokio::sync::OwnedMutexGuard<()>>,
    ),
    /// With the editions' kept stamp, dropped when a write transaction commits
    /// (none for a read transaction).
    Postgres(
        sqlx::Transaction<'static, Postgres>,
        Option<std::sync::Arc<stamp::KeptStamp>>,
    ),
}

impl Tx {
    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t, _gate) => t.commit().await?,
            Tx::Postgres(t, kept) => {
                let committed = t.commit().await;
                // Even when the answer is lost: the commit may have happened.
                if let Some(kept) = kept {
                    kept.changed();
                }
                committed?;
            }
        }
        Ok(())
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self, Tx::Postgres(..))
    }
}

/// A value both backends decode (the types our columns hold).
pub(crate) trait Value:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

impl<T> Value for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

/// Reading a column by name from a row of either backend, for row mappers shared by
/// both.
pub(crate) trait Field {
    fn field<T: Value>(&self, column: &str) -> Result<T>;
}

impl Field for SqliteRow {
    fn field<T: Value>(&self, column: &str) -> Result<T> {
        Ok(self.try_get(column)?)
    }
}

impl Field for PgRow {
    fn field<T: Value>(&self, column: &str) -> Result<T> {
        Ok(self.try_get(column)?)
    }
}

/// The current time as SQLite's `datetime('now')` writes it, `AAAA-MM-JJ HH:MM:SS`
/// (UTC): the format of `created_at`, `finished_at` and `loaded_at` columns.
pub(crate) fn sql_now() -> String {
    let iso = crate::time::now_utc();
    format!("{} {}", &iso[..10], &iso[11..19])
}

/// The current time to the millisecond, `AAAA-MM-JJTHH:MM:SS.mmmZ`: an edition's
/// `imported_at`, compared by the caches to notice imports (two imports within one
/// second still differ).
pub(crate) fn stamp_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let iso = crate::time::iso_from_unix(now.as_secs() as i64);
    format!("{}.{:03}Z", &iso[..19], now.subsec_millis())
}

/// Advisory lock key of [`Db::startup_lock`] ("essatlas" in ASCII).
const STARTUP_LOCK_KEY: i64 = 0x6573_7361_746c_6173;

/// The start-up lock, held until [`StartupLock::release`] or drop.
#[derive(Debug)]
pub enum StartupLock {
    Postgres(Option<sqlx::pool::PoolConnection<Postgres>>),
    Sqlite(std::fs::File),
    None,
}

impl StartupLock {
    /// Releases the lock.
    pub async fn release(mut self) -> Result<()> {
        if let StartupLock::Postgres(conn) = &mut self
            && let Some(mut conn) = conn.take()
        {
            let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(STARTUP_LOCK_KEY)
                .execute(&mut *conn)
                .await;
            if unlocked.is_err() {
                // Closing the connection releases the lock.
                drop(conn.detach());
            }
            unlocked?;
        }
        Ok(())
    }
}

impl Drop for StartupLock {
    fn drop(&mut self) {
        // Not released (an error on the way): the connection must not go back to the
        // pool still holding the lock. Closing it releases the lock.
        if let StartupLock::Postgres(conn) = self
            && let Some(conn) = conn.take()
        {
            drop(conn.detach());
        }
    }
}

/// A handle on the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    /// SQLite: the file locked by [`Db::startup_lock`] (none for `:memory:`).
    lock_file: Option<std::path::PathBuf>,
    /// SQLite: a shared lock on the database's in-use file, held as long as a clone
    /// of this handle lives (the server, a command): `restore` replaces the file only
    /// when it can take that lock exclusively ([`maintenance`]).
    _in_use: Option<std::sync::Arc<std::fs::File>>,
    /// SQLite has one writer at a time: this process's writers queue here, in
    /// order, instead of polling the file lock (which, under load, starved some of
    /// them past the busy timeout). The file lock then only arbitrates between
    /// processes (an import from the command line, another instance).
    write_gate: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// PostgreSQL: the editions' stamp, kept while their notifications are heard
    /// ([`stamp`]).
    kept_stamp: Option<std::sync::Arc<stamp::KeptStamp>>,
}

/// The connection options of a `postgres://` URL, with the atlas's TLS policy.
///
/// Managed PostgreSQL services require TLS, and libpq's `sslmode=require` encrypts
/// without checking whom it talks to: a man in the middle gets the staff's
/// passwords. So TLS, once asked for (`sslmode=require`, in the URL or `PGSSLMODE`),
/// is `verify-full`: the certificate must chain to the CA file given by
/// `sslrootcert=` (or `PGSSLROOTCERT`), or to the public web authorities when none
/// is given, and name the host of the URL. `verify-ca` (an explicit choice: the
/// chain only) is kept; `disable`, `allow` and `prefer` (the default, for a server on
/// the same machine) are unchanged.
pub fn postgres_options(url: &str) -> Result<sqlx::postgres::PgConnectOptions> {
    use sqlx::postgres::PgSslMode;
    let options =
        sqlx::postgres::PgConnectOptions::from_str(url).map_err(|source| DbError::Url {
            url: url.to_owned(),
            source,
        })?;
    Ok(match options.get_ssl_mode() {
        PgSslMode::Require => options.ssl_mode(PgSslMode::VerifyFull),
        _ => options,
    })
}

/// Creates the database `options` names when it does not exist, through the
/// server's `postgres` maintenance database on the same connection options (TLS
/// included: sqlx's own helper would reparse the URL without the atlas's policy).
async fn create_postgres_database_if_missing(
    options: &sqlx::postgres::PgConnectOptions,
) -> Result<()> {
    use sqlx::ConnectOptions;
    let Some(name) = options.get_database().map(str::to_owned) else {
        return Ok(());
    };
    let mut maintenance = options.clone().database("postgres").connect().await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut maintenance)
            .await?;
    if !exists {
        let quoted = name.replace('"', "\"\"");
        sqlx::query(&format!("CREATE DATABASE \"{quoted}\""))
            .execute(&mut maintenance)
            .await?;
    }
    Ok(())
}

/// Whether `url` names a PostgreSQL database.
#[must_use]
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// How long opening a SQLite file is tried again while another process opens it.
const OPEN_RETRY: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a command (an import, a user change) waits for SQLite's write lock.
pub const COMMAND_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a writer of this process waits its turn behind the others (staff
/// edits are milliseconds each: only a stuck writer makes anyone wait this long).
pub const WRITE_QUEUE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a request of the server waits for SQLite's file lock held by another
/// process (an import from the command line) before it answers 503 with
/// `Retry-After`: a staff member gets an answer within two seconds.
pub const SERVER_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(1500);

impl Db {
    /// Opens the database at `url` and applies migrations: a `sqlite:` URL (the file
    /// and its directory are created) or a `postgres://` one (the database is
    /// created when missing and the role may create it).
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_waiting(url, COMMAND_BUSY_TIMEOUT).await
    }

    /// [`Self::connect`], where a SQLite write waits at most `busy_timeout` for
    /// another writer (the server answers 503 past it; commands wait longer).
    pub async fn connect_waiting(url: &str, busy_timeout: std::time::Duration) -> Result<Self> {
        if is_postgres_url(url) {
            Self::connect_postgres(url).await
        } else {
            Self::connect_sqlite(url, busy_timeout).await
        }
    }

    async fn connect_sqlite(url: &str, busy_timeout: std::time::Duration) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|source| DbError::Url {
                url: url.to_owned(),
                source,
            })?
            .create_if_missing(true)
            .foreign_keys(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(busy_timeout);
        let file = options.get_filename();
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
            && file != Path::new(":memory:")
        {
            std::fs::create_dir_all(dir).map_err(|source| DbError::Directory {
                path: file.display().to_string(),
                source,
            })?;
        }
        let lock_file = (file != Path::new(":memory:")).then(|| {
            let mut name = file.as_os_str().to_owned();
            name.push("-startup-lock");
            std::path::PathBuf::from(name)
        });
        let in_use = match &lock_file {
            Some(_) => Some(std::sync::Arc::new(
                maintenance::hold_in_use_lock(file.to_owned()).await?,
            )),
            None => None,
        };
        // Processes opening one new file at once: the first connection switches it to
        // WAL, and SQLite answers the others SQLITE_BUSY at once, without its busy
        // wait (two instances starting on an empty file, a command beside them). The
        // opening is tried again for a while; the file's state is SQLite's to keep.
        let deadline = std::time::Instant::now() + OPEN_RETRY;
        let pool = loop {
            let opened = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .before_acquire(|conn, meta| Box::pin(ping_if_idle(conn, meta)))
                .connect_with(options.clone())
                .await
                .map_err(DbError::from);
            match opened {
                Err(e) if e.is_busy() && std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                opened => break opened?,
            }
        };
        let db = Self {
            _in_use: in_use,
            lock_file,
            pool: Pool::Sqlite(pool.clone()),
            write_gate: std::sync::Arc::default(),
            kept_stamp: None,
        };
        // sqlx does not serialise SQLite migrations: two processes starting on a new
        // file would both create the tables.
        let lock = db.startup_lock().await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        lock.release().await?;
        Ok(db)
    }

    async fn connect_postgres(url: &str) -> Result<Self> {
        let options = postgres_options(url)?;
        // Like SQLite's `mode=rwc`: a missing database is created. A role without
        // CREATEDB gets the connection error below instead.
        if let Err(e) = create_postgres_database_if_missing(&options).await {
            tracing::debug!("cannot create the database: {e}");
        }
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| Box::pin(ping_if_idle(conn, meta)))
            .connect_with(options)
            .await?;
        // Several instances may start together: sqlx serialises migrations with an
        // advisory lock on PostgreSQL.
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(Self {
            lock_file: None,
            _in_use: None,
            pool: Pool::Postgres(pool),
            write_gate: std::sync::Arc::default(),
            kept_stamp: Some(std::sync::Arc::default()),
        })
    }

    /// The pool, for tests that check what is stored.
    #[must_use]
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Whether this is a PostgreSQL database.
    #[must_use]
    pub fn is_postgres(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    /// Waits for, then holds, the database-wide start-up lock: instances (or a server
    /// and the CLI) starting together on one database bring the shared state up to
    /// date one after the other, so that an empty database gets the demonstration
    /// data once. PostgreSQL: an advisory lock on a connection of its own; SQLite: an
    /// exclusive lock on a file beside the database. Either is released by
    /// [`StartupLock::release`], or when the process ends.
    pub async fn startup_lock(&self) -> Result<StartupLock> {
        match &self.pool {
            Pool::Postgres(p) => {
                let mut conn = p.acquire().await?;
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(STARTUP_LOCK_KEY)
                    .execute(&mut *conn)
                    .await?;
                Ok(StartupLock::Postgres(Some(conn)))
            }
            Pool::Sqlite(_) => {
                let Some(path) = self.lock_file.clone() else {
                    return Ok(StartupLock::None);
                };
                let file = tokio::task::spawn_blocking(move || {
                    let file = std::fs::OpenOptions::new()
                        .create(true)
                        .truncate(false)
                        .write(true)
                        .open(&path)
                        .map_err(|source| DbError::Directory {
                            path: path.display().to_string(),
                            source,
                        })?;
                    file.lock().map_err(|source| DbError::Directory {
                        path: path.display().to_string(),
                        source,
                    })?;
                    Ok::<_, DbError>(file)
                })
                .await
                .map_err(|e| DbError::Task(format!("start-up lock: {e}")))??;
                Ok(StartupLock::Sqlite(file))
            }
        }
    }

    /// A write transaction. On SQLite it takes the write lock when it starts
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes later
    /// fails at once with `SQLITE_BUSY` when another writer committed in between (a
    /// read transaction cannot be upgraded in WAL mode), and the busy timeout never
    /// helps; an immediate one waits its turn, at most the busy timeout.
    pub(crate) async fn begin(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => {
                let gate = tokio::time::timeout(
                    WRITE_QUEUE_TIMEOUT,
                    std::sync::Arc::clone(&self.write_gate).lock_owned(),
                )
                .await
                .map_err(|_| DbError::Busy)?;
                Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?, Some(gate))
            }
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?, self.kept_stamp.clone()),
        })
    }

    /// [`Self::begin`] on a SQLite connection the caller prepared (TEMP tables of
    /// its own, see `registry::stage_sqlite`): the same write gate and `BEGIN
    /// IMMEDIATE`.
    pub(crate) async fn begin_on(&self, conn: sqlx::pool::PoolConnection<Sqlite>) -> Result<Tx> {
        let gate = tokio::time::timeout(
            WRITE_QUEUE_TIMEOUT,
            std::sync::Arc::clone(&self.write_gate).lock_owned(),
        )
        .await
        .map_err(|_| DbError::Busy)?;
        // `Transaction::begin` is how `Pool::begin_with` starts a transaction on a
        // connection it acquired; it is public but hidden from sqlx's docs (the
        // version is pinned).
        let t = sqlx::Transaction::begin(conn, Some("BEGIN IMMEDIATE".into())).await?;
        Ok(Tx::Sqlite(t, Some(gate)))
    }

    /// A read-only transaction: one snapshot for several reads (SQLite: deferred,
    /// takes no write lock; PostgreSQL: `REPEATABLE READ, READ ONLY`).
    pub(crate) async fn begin_read(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?, None),
            Pool::Postgres(p) => Tx::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?,
                None,
            ),
        })
    }
}

/// How long a pooled connection may sit idle before it is checked on acquire.
const PING_AFTER_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// sqlx checks every connection it hands out by default (`test_before_acquire`): one
/// more round trip per query; on PostgreSQL, a cached public answer's only query is
/// the editions stamp, so the check doubled its trips. A connection in steady use
/// was used a moment ago and needs no check; one idle for a while (the server may
/// have restarted, a proxy may have cut it) is checked as before and replaced if
/// dead.
async fn ping_if_idle<C: sqlx::Connection>(
    conn: &mut C,
    meta: sqlx::pool::PoolConnectionMetadata,
) -> std::result::Result<bool, sqlx::Error> {
    if meta.idle_for >= PING_AFTER_IDLE {
        conn.ping().await?;
    }
    Ok(true)
}
