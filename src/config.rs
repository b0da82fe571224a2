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
    /// How long a fiche request waits for a free render (as many run at once as
    /// cores) before answering 503 with `Retry-After`.
    pub document_render_wait: std::time::Duration,
    /// Scheduled backups of a SQLite database, if asked.
    pub backups: Option<BackupSchedule>,
    /// Who may show the embeddable map (`/embed`) in a frame: the sources of its
    /// `Content-Security-Policy: frame-ancestors` (`*`: any site, the data are public;
    /// `'self' https://www.partenaire.fr` to narrow it; `'none'` to forbid).
    pub embed_frame_ancestors: String,
    /// Requests to the public API per minute and per client address (a burst of this
    /// many, then refilled evenly); 0: no limit. Tiles are not counted, staff are not
    /// limited (see [`crate::api::ratelimit`]).
    pub rate_limit_api: u32,
    /// Documents (fiches, compendium, open data files, exports) per minute and per
    /// client address; 0: no limit.
    pub rate_limit_documents: u32,
    /// Publisher of the fiches: its name, e.g. « Département du Pas-de-Calais ».
    pub publisher_name: String,
    /// A contact line printed on the fiches (« Direction … — ess@… »); empty: none.
    pub publisher_contact: String,
    /// A logo (PNG or JPEG) printed in the fiches' header.
    pub publisher_logo: Option<PathBuf>,
    /// The address the public reaches the atlas at (`https://atlas.departement.fr`),
    /// for the links of e-mails; default: `http://` and the address listened on.
    pub public_url: Option<String>,
    /// Outgoing e-mail.
    pub mail: MailConfig,
    /// The directory where the operator puts the SIRENE stock files that staff may
    /// import from `/espace` ([`crate::import::import_dir`]); `None`: the command line
    /// only.
    pub import_dir: Option<PathBuf>,
    /// Contributions of consultations closed longer ago than this are anonymised by
    /// the daily task (the privacy notice says one year).
    pub retention_days: i64,
}

/// Outgoing e-mail (`crate::mail`): SMTP when `smtp_url` is set, else `.eml` files
/// in `outbox_dir`.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtps://user:pass@host:465` or `smtp://user:pass@host:587?tls=required`.
    pub smtp_url: Option<String>,
    /// The sender, `Atlas de l'ESS <atlas@departement.fr>`.
    pub from: String,
    pub outbox_dir: PathBuf,
    /// Addresses told when a contribution awaits moderation (accounts carry no
    /// e-mail address).
    pub moderators: Vec<String>,
}

/// Default sender of the atlas's e-mails.
pub const DEFAULT_MAIL_FROM: &str = "Atlas de l'ESS <atlas@departement.example>";

/// Default retention of contributors' names and e-mails after a consultation's
/// closing, days.
pub const DEFAULT_RETENTION_DAYS: i64 = 365;

/// The server's scheduled backups (`serve --backup-dir DIR --backup-every 24h
/// --backup-keep 7`): one every `every` into `dir`, the `keep` newest kept.
#[derive(Debug, Clone)]
pub struct BackupSchedule {
    pub dir: PathBuf,
    pub every: std::time::Duration,
    pub keep: usize,
}

/// Reads a period such as `24h`, `30m`, `7d` or `90s` (a whole number and a unit).
pub fn parse_period(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a period such as 24h, 30m, 7d or 90s"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "{text:?}: the unit is s, m, h or d (24h, 30m, 7d, 90s)"
            ));
        }
    };
    if n == 0 {
        return Err("a period of zero".into());
    }
    Ok(std::time::Duration::from_secs(n.saturating_mul(seconds)))
}

/// Default of [`Config::editions_poll`].
pub const DEFAULT_EDITIONS_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Default of [`Config::export_limit`]: more than the département holds, bounded so
/// that a request cannot ask for an unbounded body.
pub const DEFAULT_EXPORT_LIMIT: i64 = 200_000;

/// Default of [`Config::document_cache_mb`]: a few hundred fiches.
pub const DEFAULT_DOCUMENT_CACHE_MB: u64 = 64;

/// Default of [`Config::document_render_wait`].
pub const DEFAULT_DOCUMENT_RENDER_WAIT: std::time::Duration = std::time::Duration::from_secs(15);
/// Default of [`Config::publisher_name`].
pub const DEFAULT_PUBLISHER_NAME: &str = "Département du Pas-de-Calais";

/// Default of [`Config::embed_frame_ancestors`]: any site may embed the map.
pub const DEFAULT_EMBED_FRAME_ANCESTORS: &str = "*";

/// The `Content-Security-Policy` value of the embeddable map for `sources` (a
/// `frame-ancestors` source list); an error names what is wrong.
pub fn frame_ancestors_policy(sources: &str) -> Result<String, String> {
    let sources = sources.trim();
    if sources.is_empty() {
        return Err("--embed-frame-ancestors is empty: give `*`, `'none'` or origins".into());
    }
    if let Some(c) = sources
        .chars()
        .find(|c| matches!(c, ';' | ',') || c.is_control() || !c.is_ascii())
    {
        return Err(format!(
            "--embed-frame-ancestors {sources:?}: {c:?} is not allowed in a frame-ancestors \
             source list (separate sources with spaces)"
        ));
    }
    Ok(format!("frame-ancestors {sources}"))
}

/// Default of [`Config::rate_limit_api`]: 20 requests a second sustained, and a
/// minute's worth at once; a map session (which asks the API a few times per click,
/// and for its tiles, not counted) stays far below.
pub const DEFAULT_RATE_LIMIT_API: u32 = 1200;

/// Default of [`Config::rate_limit_documents`]: one document a second sustained,
/// sixty at once (a user downloading every fiche of a territory's EPCI).
pub const DEFAULT_RATE_LIMIT_DOCUMENTS: u32 = 60;

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
            document_render_wait: DEFAULT_DOCUMENT_RENDER_WAIT,
            backups: None,
            embed_frame_ancestors: DEFAULT_EMBED_FRAME_ANCESTORS.into(),
            // Tests fire many requests from 127.0.0.1: the rate limit tests set their
            // own budgets.
            rate_limit_api: 0,
            rate_limit_documents: 0,
            publisher_name: DEFAULT_PUBLISHER_NAME.into(),
            publisher_contact: String::new(),
            publisher_logo: None,
            public_url: None,
            mail: MailConfig {
                smtp_url: None,
                from: DEFAULT_MAIL_FROM.into(),
                outbox_dir: dir.join("outbox"),
                moderators: vec!["moderation@departement.example".into()],
            },
            retention_days: DEFAULT_RETENTION_DAYS,
            import_dir: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_a_number_and_a_unit() {
        assert_eq!(parse_period("24h"), Ok(std::time::Duration::from_hours(24)));
        assert_eq!(parse_period("7d"), Ok(std::time::Duration::from_hours(168)));
        assert_eq!(parse_period("30m"), Ok(std::time::Duration::from_mins(30)));
        assert_eq!(parse_period("90s"), Ok(std::time::Duration::from_secs(90)));
        for bad in ["", "h", "24", "24 h", "1w", "0h", "-1h"] {
            assert!(parse_period(bad).is_err(), "{bad:?}");
        }
    }
}
