//! The database: connection, migrations, and every SQL statement of the product.
//!
//! Callers see typed functions on [`Db`], never SQL, so that the PostgreSQL backend
//! can follow behind the same functions. SQLite is the embedded default: the file is
//! created on first start, WAL mode lets readers go on while an import writes.

mod accounts;
mod geography;
mod indicators;
mod organisations;
mod portraits;
mod registry;
mod subsidies;

pub use accounts::{LoginFailures, SessionRow, UserRow};
pub use organisations::{OrganisationFilter, OrganisationRow, PointRow};
pub use portraits::{
    ActionFields, ActionRow, Actor, BudgetLine, ChangeRow, OrientationFields, OrientationRow,
    PlanFilter, PortraitRow, SaveOutcome, StepRecord, TransitionRow, portrait_key,
};
pub use registry::{Edition, StoredReport};
pub use subsidies::{EssGrant, SubsidyRecord, SubsidyTally};

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

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
    #[error("corrupt geography cache: {0}")]
    Corrupt(String),
}

pub type Result<T, E = DbError> = std::result::Result<T, E>;

/// A handle on the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
}

impl Db {
    /// Opens (creating if needed) the database at `url` and applies migrations.
    ///
    /// Only `sqlite:` URLs are supported so far; the file's directory is created.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|source| DbError::Url {
                url: url.to_owned(),
                source,
            })?
            .create_if_missing(true)
            .foreign_keys(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(std::time::Duration::from_secs(10));
        let file = options.get_filename();
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
            && file != Path::new(":memory:")
        {
            std::fs::create_dir_all(dir).map_err(|source| DbError::Directory {
                path: file.display().to_string(),
                source,
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }

    #[must_use]
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}
