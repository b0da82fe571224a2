//! Run-time configuration of the server: one struct, filled by the command line
//! (which also reads `ESS_ATLAS_*` environment variables, see [`crate::cli`]).

use std::path::{Path, PathBuf};

/// Default database: a SQLite file under `data/`, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/ess-atlas.db?mode=rwc";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on, `host:port`; port 0 picks a free port.
    pub listen: String,
    /// sqlx URL of the database.
    pub database_url: String,
    /// Directory holding the reference geography (see [`crate::spatial::boundaries`]).
    pub geodata_dir: PathBuf,
    /// Directory of the web front end (`index.html`, `js/`, `node_modules/`).
    pub web_dir: PathBuf,
    /// On a database without any edition, generate the demonstration data and
    /// import it through the SIRENE importer before serving.
    pub demo: bool,
    /// Where the demonstration files are written (kept for inspection).
    pub demo_dir: PathBuf,
    /// Bound of the in-memory tile cache, in MiB.
    pub tile_cache_mb: u64,
    /// Always mark the session cookie `Secure` (it is also set on requests that
    /// arrived over HTTPS through a proxy, `X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
    /// Every request comes through a reverse proxy (a load balancer) that appends the
    /// client's address to `X-Forwarded-For`: login throttling reads it there.
    pub behind_proxy: bool,
    /// How often the server re-reads the editions, to notice imports made by another
    /// process (the CLI) or another instance on the same database.
    pub editions_poll: std::time::Duration,
    /// Rows in one CSV or GeoJSON export of the organisations; a longer answer stops
    /// there and says so (`X-Truncated`, a `Link` to the rest).
    pub export_limit: i64,
    /// Bound of the cache of rendered fiches, in MiB.
    pub document_cache_mb: u64,
}

/// Default of [`Config::editions_poll`].
pub const DEFAULT_EDITIONS_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Default of [`Config::export_limit`]: more than the département holds, bounded so
/// that a request cannot ask for an unbounded body.
pub const DEFAULT_EXPORT_LIMIT: i64 = 200_000;

/// Default of [`Config::document_cache_mb`]: a few hundred fiches.
pub const DEFAULT_DOCUMENT_CACHE_MB: u64 = 64;

/// Default bound of the tile cache: the département's tiles z0–14 fit in a tenth.
pub const DEFAULT_TILE_CACHE_MB: u64 = 256;

impl Config {
    /// A configuration for tests: a database file in `dir`, a free port on loopback,
    /// and the repository's geodata and web directories.
    #[must_use]
    pub fn for_tests(dir: &Path) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        Self {
            listen: "127.0.0.1:0".into(),
            database_url: format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
            geodata_dir: root.join("geodata"),
            web_dir: root.join("web"),
            demo: false,
            demo_dir: dir.join("demo"),
            tile_cache_mb: DEFAULT_TILE_CACHE_MB,
            secure_cookies: false,
            behind_proxy: false,
            editions_poll: DEFAULT_EDITIONS_POLL,
            export_limit: DEFAULT_EXPORT_LIMIT,
            document_cache_mb: DEFAULT_DOCUMENT_CACHE_MB,
        }
    }
}
