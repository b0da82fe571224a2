//! The command line: `serve` (the default), `locate`, imports, editions, subsidies,
//! demo data, exports, staff accounts (`user`), backups and restores.
//!
//! Every option can also come from an `ESS_ATLAS_*` environment variable, so that a
//! service manager configures the server without a command line.

pub mod audit;
mod backups;
mod editions;
mod exports;
mod imports;
mod locate;
mod serve;
mod users;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{DEFAULT_DATABASE_URL, DEFAULT_LISTEN};

#[derive(Debug, Parser)]
#[command(
    name = "ess-atlas",
    version,
    about = "Map server for the social and solidarity economy (ESS) of a French département",
    long_about = "Map server for the social and solidarity economy (ESS) of a French département.\n\n\
        Without a command, runs `serve`: the map at http://127.0.0.1:8080 on a SQLite \
        file under data/, built from the reference geography in geodata/."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database URL (sqlx): `sqlite://FILE?mode=rwc` (the file is created if missing)
    /// or `postgres://USER:PASSWORD@HOST:PORT/NAME` (created if the role may).
    #[arg(long, global = true, env = "ESS_ATLAS_DATABASE", default_value = DEFAULT_DATABASE_URL)]
    pub database: String,
    /// Directory of the reference geography: departement.json, communes.geojson,
    /// epci.csv, territoires.csv.
    #[arg(
        long,
        global = true,
        env = "ESS_ATLAS_GEODATA",
        default_value = "geodata"
    )]
    pub geodata: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (map, API, layers).
    Serve(Box<ServeArgs>),
    /// Assign points to communes, EPCI and territories.
    ///
    /// Reads a CSV with columns id,lon,lat (WGS84) and writes id,commune,epci,territory,
    /// streaming; points outside the département get empty zones. Prints a summary line
    /// `join_s=… matched=… polygons=… points=…` (on stdout when --out is a file, else on
    /// stderr).
    Locate(LocateArgs),
    /// Import data files into an edition.
    #[command(subcommand)]
    Import(ImportCommand),
    /// List, create or delete editions, and read their import reports.
    #[command(subcommand)]
    Edition(EditionCommand),
    /// Read the subsidies of an edition: import report, unmatched beneficiaries.
    #[command(subcommand)]
    Subventions(SubsidyCommand),
    /// Write synthetic demonstration files in the SIRENE stock format.
    Demo(DemoArgs),
    /// Export data for static hosting.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Manage staff accounts. Passwords are read from the environment variable
    /// `ESS_ATLAS_PASSWORD` when it is set, else from the first line of standard input
    /// (never from the command line, which other users can see).
    #[command(subcommand)]
    User(UserCommand),
    /// Personal data of public consultations and of organisations' declarations:
    /// retention and erasure on request.
    #[command(subcommand)]
    Consultations(ConsultationsCommand),
    /// Audit an edition's public figures: `audit secret --edition Y [--json]`.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Write a consistent copy of the SQLite database to a file, while the server
    /// runs (PostgreSQL: `pg_dump`, see README).
    Backup {
        /// The backup file to write; refused if it exists, unless --overwrite.
        #[arg(long)]
        out: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        overwrite: bool,
    },
    /// Copy every table (sessions excluded) of one database into another, empty one,
    /// on either backend, checking rows and a digest per table on both sides.
    /// `--database` is not used.
    MigrateData {
        /// The source database URL (`sqlite://…` or `postgres://…`).
        #[arg(long)]
        from: String,
        /// The target database URL: a new or empty database.
        #[arg(long)]
        to: String,
    },
    /// Replace the SQLite database with a backup, in one step, keeping the old file
    /// beside it. Refused while a server or a command has the database open.
    Restore {
        /// The backup (a file written by `backup`).
        #[arg(long)]
        from: PathBuf,
        /// Replace the database even if it is in use (then restart its servers at once).
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write the vector tiles of every layer over the département to one `PMTiles` v3
    /// archive (a CDN or static storage can then serve the map's layers).
    Tiles {
        /// The archive to write (`.pmtiles`).
        #[arg(long)]
        out: PathBuf,
        /// Edition of the organisations layer (default: the latest).
        #[arg(long)]
        edition: Option<i64>,
        #[arg(long, default_value_t = 5)]
        min_zoom: u8,
        #[arg(long, default_value_t = 14)]
        max_zoom: u8,
    },
    /// Write the open data set of an edition into a directory: the published indicator
    /// tables per level (CSV, under the secret statistique of the public API), the
    /// outlines (GeoJSON), `datapackage.json` (Frictionless) and a README.
    Opendata {
        /// Edition (year) of the figures.
        #[arg(long)]
        edition: i64,
        /// The directory to write (created if missing; the set's files are replaced).
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the departmental compendium (« recueil ») of an edition to one PDF: cover,
    /// contents, département synthesis and the published territory portraits; to an
    /// editable OpenDocument text (named styles) when --out ends in `.odt`.
    Recueil {
        /// Edition of the figures and portraits.
        #[arg(long)]
        edition: i64,
        /// The PDF (or `.odt`) to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        publisher: PublisherArgs,
    },
}

/// The publisher printed on the compendium, as `serve` prints it on the fiches (the
/// same options and environment variables).
#[derive(Debug, Args)]
pub struct PublisherArgs {
    /// Publisher's name.
    #[arg(long, env = "ESS_ATLAS_PUBLISHER_NAME", default_value = crate::config::DEFAULT_PUBLISHER_NAME)]
    pub publisher_name: String,
    /// A contact line; none by default.
    #[arg(long, env = "ESS_ATLAS_PUBLISHER_CONTACT", default_value = "")]
    pub publisher_contact: String,
    /// A logo, PNG or JPEG (2 MB at most).
    #[arg(long, env = "ESS_ATLAS_PUBLISHER_LOGO")]
    pub publisher_logo: Option<PathBuf>,
}

impl PublisherArgs {
    /// The publisher these options describe; an unreadable logo is an error.
    pub fn load(&self) -> anyhow::Result<crate::summary::publisher::Publisher> {
        Ok(crate::summary::publisher::Publisher::load(
            &self.publisher_name,
            &self.publisher_contact,
            self.publisher_logo.as_deref(),
        )?)
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Add {
        #[arg(long)]
        username: String,
        /// `admin`, `charge_de_mission`, `referent`, `lecteur` or `partenaire`.
        #[arg(long)]
        role: String,
        /// Name shown in the interface (default: the user name).
        #[arg(long)]
        name: Option<String>,
        /// A territory a referent may edit, or a partner propose for (repeat for
        /// several).
        #[arg(long = "territory")]
        territories: Vec<String>,
        /// A partner's organisation (« CRESS Hauts-de-France »), credited for its
        /// accepted proposals; required for `partenaire`.
        #[arg(long)]
        organisation: Option<String>,
    },
    /// List the accounts.
    List,
    /// Disable an account and end its sessions.
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Re-enable a disabled account.
    Enable {
        #[arg(long)]
        username: String,
    },
    /// Change an account's role (and a referent's or partner's territories, a
    /// partner's organisation); ends its sessions.
    SetRole {
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long = "territory")]
        territories: Vec<String>,
        /// Required for `partenaire`.
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Set a new password and end the account's sessions.
    ResetPassword {
        #[arg(long)]
        username: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import INSEE SIRENE stock files (CSV, or ZIP holding one CSV) into an edition,
    /// replacing its registry atomically. Prints the import report.
    Sirene(SireneArgs),
    /// Import the regional observatory's aggregates (our CSV format, see README) into
    /// an existing edition; they take precedence over SIRENE estimates.
    Observatoire {
        #[arg(long)]
        edition: i64,
        /// The observatory CSV file.
        file: PathBuf,
        /// Import even if the edition shrinks by more than 20 % or too many rows are
        /// rejected (exit code 4 otherwise; README, « Imports et codes de sortie »).
        #[arg(long)]
        accept_drop: bool,
    },
    /// Import the Département's subsidies (SCDL subventions CSV) into an existing
    /// edition, matching beneficiaries to its registry; replaces the edition's
    /// subsidies atomically. Prints the report and the unmatched beneficiaries.
    Subventions {
        #[arg(long)]
        edition: i64,
        /// The SCDL file (`,` or `;`, UTF-8 or Latin-1; CSV or ZIP).
        file: PathBuf,
        /// Import even if the edition shrinks by more than 20 % or too many rows are
        /// rejected (exit code 4 otherwise; README, « Imports et codes de sortie »).
        #[arg(long)]
        accept_drop: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SubsidyCommand {
    /// Print the last subsidies import report of an edition with lines and euros per
    /// status (`ess`, `non_ess`, `unmatched`) and match method.
    Report {
        #[arg(long)]
        year: i64,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List the beneficiaries not counted as ESS: unmatched ones and matched non-ESS
    /// ones, with line, identifiers, amount and reason.
    Unmatched {
        #[arg(long)]
        year: i64,
    },
}

#[derive(Debug, Args)]
pub struct SireneArgs {
    /// Edition (year) to fill; created if missing.
    #[arg(long)]
    pub edition: i64,
    /// Establishments active at this date (AAAA-MM-JJ) are kept. Default: the
    /// edition's, else 31 December of the year (today for the current year).
    #[arg(long)]
    pub reference_date: Option<String>,
    /// StockUniteLegale file.
    #[arg(long)]
    pub unites_legales: PathBuf,
    /// StockEtablissement file.
    #[arg(long)]
    pub etablissements: PathBuf,
    /// Optional GeolocalisationEtablissement file (`;`-separated).
    #[arg(long)]
    pub geolocalisation: Option<PathBuf>,
    /// Mark the edition as synthetic demonstration data.
    #[arg(long)]
    pub demo: bool,
    /// Print the full report as JSON instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Import even if the edition shrinks by more than 20 % or too many rows are
    /// rejected (exit code 4 otherwise; README, « Imports et codes de sortie »).
    #[arg(long)]
    pub accept_drop: bool,
}

#[derive(Debug, Subcommand)]
pub enum EditionCommand {
    /// List the editions.
    List,
    /// Create an empty edition.
    Create {
        #[arg(long)]
        year: i64,
        /// AAAA-MM-JJ.
        #[arg(long)]
        reference_date: String,
        #[arg(long, default_value = "")]
        sources: String,
    },
    /// Delete an edition with its registry and reports. Refused (exit code 1, the
    /// message names them) while staff wrote portraits, orientations or actions for it.
    Delete {
        #[arg(long)]
        year: i64,
    },
    /// Print the import reports of an edition (JSON).
    Report {
        #[arg(long)]
        year: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConsultationsCommand {
    /// Erase the names, e-mails and client addresses of the contributions of
    /// consultations closed more than --days days ago (the text is kept, signed
    /// « Contributeur anonymisé »), and of the organisations' declarations received
    /// more than --days days ago that no longer await moderation (the declared
    /// information is kept). `serve` runs it daily.
    Purge {
        #[arg(long, default_value_t = crate::config::DEFAULT_RETENTION_DAYS, value_parser = clap::value_parser!(i64).range(0..))]
        days: i64,
    },
    /// Erase, on request, the name, e-mail and client address of every contribution
    /// and organisation's declaration sent with this e-mail address (the text is
    /// kept, anonymised).
    Erase {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the generator: the same seed writes the same files.
    #[arg(long, default_value_t = 62)]
    pub seed: u64,
    /// Multiplies the organisations of every kind: 1 is the Pas-de-Calais calibration;
    /// about 100 gives France-scale volumes (some 1.5 M ESS establishments) on the
    /// national geography of `scripts/france-geodata.py`.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub scale: u32,
    /// Output directory (one sub-directory per edition).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ESS_ATLAS_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: String,
    /// Directory of the web front end.
    #[arg(long, env = "ESS_ATLAS_WEB_DIR", default_value = "web")]
    pub web_dir: PathBuf,
    /// Start empty: do not generate and import the demonstration data when the
    /// database has no edition.
    #[arg(long, env = "ESS_ATLAS_NO_DEMO")]
    pub no_demo: bool,
    /// Directory for the generated demonstration files.
    #[arg(long, env = "ESS_ATLAS_DEMO_DIR", default_value = "data/demo")]
    pub demo_dir: PathBuf,
    /// Bound of the in-memory tile cache, in MiB.
    #[arg(long, env = "ESS_ATLAS_TILE_CACHE_MB", default_value_t = crate::config::DEFAULT_TILE_CACHE_MB)]
    pub tile_cache_mb: u64,
    /// Always mark the session cookie Secure (behind HTTPS). Without it, the flag is
    /// set when the request came through a proxy with `X-Forwarded-Proto: https`.
    #[arg(long, env = "ESS_ATLAS_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// The server is reached only through a reverse proxy or load balancer that
    /// appends the client's address to `X-Forwarded-For`: login throttling then
    /// counts per client, not per proxy. Never set it when clients can connect
    /// directly (they could pick the address they are counted under).
    #[arg(long, env = "ESS_ATLAS_BEHIND_PROXY")]
    pub behind_proxy: bool,
    /// Write a backup of the (SQLite) database into this directory every
    /// --backup-every, as `ess-atlas-AAAAMMJJTHHMMSSZ.db`.
    #[arg(long, env = "ESS_ATLAS_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Period of the scheduled backups: `24h`, `6h`, `30m`, `7d`…
    #[arg(long, env = "ESS_ATLAS_BACKUP_EVERY", default_value = "24h", value_parser = crate::config::parse_period)]
    pub backup_every: std::time::Duration,
    /// Who may show the embeddable map (`/embed`) in a frame: the source list of its
    /// `Content-Security-Policy: frame-ancestors` (`*` any site; `'self'
    /// https://www.partenaire.fr`; `'none'`). Other pages are not affected.
    #[arg(long, env = "ESS_ATLAS_EMBED_FRAME_ANCESTORS", default_value = crate::config::DEFAULT_EMBED_FRAME_ANCESTORS)]
    pub embed_frame_ancestors: String,
    /// Requests to the public API per minute and per client address (a burst of this
    /// many, then refilled evenly); answered 429 with `Retry-After` beyond. Tiles are
    /// not counted, staff are not limited. 0: no limit.
    #[arg(long, env = "ESS_ATLAS_RATE_LIMIT_API", default_value_t = crate::config::DEFAULT_RATE_LIMIT_API)]
    pub rate_limit_api: u32,
    /// Documents (fiches PDF/ODT/XLSX/CSV/HTML, compendium, open data files, exports)
    /// per minute and per client address; 0: no limit.
    #[arg(long, env = "ESS_ATLAS_RATE_LIMIT_DOCUMENTS", default_value_t = crate::config::DEFAULT_RATE_LIMIT_DOCUMENTS)]
    pub rate_limit_documents: u32,
    /// Publisher printed on the fiches (PDF and HTML), with their production date.
    #[arg(long, env = "ESS_ATLAS_PUBLISHER_NAME", default_value = crate::config::DEFAULT_PUBLISHER_NAME)]
    pub publisher_name: String,
    /// A contact line printed on the fiches, e.g. « Direction du développement ESS —
    /// ess@pasdecalais.example ». None by default.
    #[arg(long, env = "ESS_ATLAS_PUBLISHER_CONTACT", default_value = "")]
    pub publisher_contact: String,
    /// A logo printed in the fiches' header: a PNG or JPEG file (2 MB at most), read at
    /// start-up (the server refuses to start on anything else).
    #[arg(long, env = "ESS_ATLAS_PUBLISHER_LOGO")]
    pub publisher_logo: Option<PathBuf>,
    /// Scheduled backups kept in --backup-dir (the oldest are deleted).
    #[arg(long, env = "ESS_ATLAS_BACKUP_KEEP", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..))]
    pub backup_keep: u32,
    /// The address the public reaches the atlas at (`https://atlas.departement.fr`),
    /// used in the links of e-mails. Default: `http://` and the address listened on.
    #[arg(long, env = "ESS_ATLAS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Send e-mail through this SMTP server: `smtps://user:pass@host:465` (TLS) or
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS). Without it, messages are
    /// written to --outbox-dir.
    #[arg(long, env = "ESS_ATLAS_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of the atlas's e-mails.
    #[arg(long, env = "ESS_ATLAS_MAIL_FROM", default_value = crate::config::DEFAULT_MAIL_FROM)]
    pub mail_from: String,
    /// Where e-mails are written, one `.eml` file each, when no SMTP server is set.
    #[arg(long, env = "ESS_ATLAS_OUTBOX_DIR", default_value = "data/outbox")]
    pub outbox_dir: PathBuf,
    /// Addresses told when a consultation contribution awaits moderation
    /// (comma-separated).
    #[arg(long, env = "ESS_ATLAS_MODERATORS_EMAIL", value_delimiter = ',')]
    pub moderators_email: Vec<String>,
    /// Days after a consultation's closing when its contributors' names, e-mails and
    /// addresses are erased (daily task; see `consultations purge`).
    #[arg(long, env = "ESS_ATLAS_RETENTION_DAYS", default_value_t = crate::config::DEFAULT_RETENTION_DAYS, value_parser = clap::value_parser!(i64).range(0..))]
    pub retention_days: i64,
    /// A directory on the server holding SIRENE stock files (StockEtablissement,
    /// StockUniteLegale, CSV or ZIP): chargés de mission pick them in `/espace` and
    /// start their import there. Only the directory's own `.csv` and `.zip` files are
    /// offered; without it, SIRENE files are imported with `ess-atlas import sirene`.
    #[arg(long, env = "ESS_ATLAS_IMPORT_DIR")]
    pub import_dir: Option<PathBuf>,
}

/// Parses `serve`'s options alone (defaults and environment), for a bare `ess-atlas`.
#[derive(Debug, Parser)]
struct DefaultServe {
    #[command(flatten)]
    args: ServeArgs,
}

#[derive(Debug, Args)]
pub struct LocateArgs {
    /// CSV of points: id,lon,lat with a header line.
    #[arg(long)]
    pub points: PathBuf,
    /// Output CSV (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Use these polygons instead of the geodata: a `code<TAB>WKT` file (EPSG:4326).
    /// EPCI and territory columns are then left empty.
    #[arg(long)]
    pub polygons: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            // No command: `serve` with its defaults and environment variables.
            None => serve::serve(&self.global, DefaultServe::parse_from(["ess-atlas"]).args).await,
            Some(Command::Serve(args)) => serve::serve(&self.global, *args).await,
            Some(Command::Locate(args)) => locate::locate(&self.global, &args).await,
            Some(Command::Import(ImportCommand::Sirene(args))) => {
                imports::import_sirene(&self.global, args).await
            }
            Some(Command::Import(ImportCommand::Observatoire {
                edition,
                file,
                accept_drop,
            })) => imports::import_observatory(&self.global, edition, file, accept_drop).await,
            Some(Command::Import(ImportCommand::Subventions {
                edition,
                file,
                accept_drop,
            })) => imports::import_subsidies(&self.global, edition, file, accept_drop).await,
            Some(Command::Subventions(command)) => imports::subsidies(&self.global, command).await,
            Some(Command::Audit(c)) => c.run(&self.global.database, &self.global.geodata).await,
            Some(Command::Edition(command)) => editions::edition(&self.global, command).await,
            Some(Command::Demo(args)) => editions::demo(&self.global, &args).await,
            Some(Command::Export(ExportCommand::Tiles {
                out,
                edition,
                min_zoom,
                max_zoom,
            })) => exports::export_tiles(&self.global, &out, edition, (min_zoom, max_zoom)).await,
            Some(Command::Export(ExportCommand::Opendata { edition, out })) => {
                exports::export_opendata(&self.global, edition, &out).await
            }
            Some(Command::Export(ExportCommand::Recueil {
                edition,
                out,
                publisher,
            })) => exports::export_recueil(&self.global, edition, &out, &publisher).await,
            Some(Command::User(command)) => users::user(&self.global, command).await,
            Some(Command::Consultations(command)) => {
                let db = crate::db::Db::connect(&self.global.database).await?;
                // Organisations' declarations share the contributions' personal data
                // rules (api::declarations): the same commands cover them.
                let (what, contributions, declarations) = match command {
                    ConsultationsCommand::Purge { days } => {
                        let cutoff = crate::time::unix_now() - days * 86_400;
                        (
                            "past retention",
                            db.purge_contributions(&crate::time::iso_from_unix(cutoff))
                                .await?,
                            db.purge_declarations(cutoff).await?,
                        )
                    }
                    ConsultationsCommand::Erase { email } => (
                        "this address",
                        db.erase_contributor(&email).await?,
                        db.erase_declarant(&email).await?,
                    ),
                };
                println!(
                    "anonymised={} ({what}: {contributions} contribution(s), {declarations} \
                     declaration(s))",
                    contributions + declarations
                );
                Ok(())
            }
            Some(Command::Backup { out, overwrite }) => {
                backups::backup(&self.global, &out, overwrite).await
            }
            Some(Command::MigrateData { from, to }) => backups::migrate_data(&from, &to).await,
            Some(Command::Restore { from, force }) => {
                backups::restore(&self.global, &from, force).await
            }
        }
    }
}
