//! The command line: `serve` (the default), `locate`, imports, editions, subsidies,
//! demo data, exports and staff accounts (`user`).
//!
//! Every option can also come from an `ESS_ATLAS_*` environment variable, so that a
//! service manager configures the server without a command line.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, DEFAULT_DATABASE_URL, DEFAULT_LISTEN};
use crate::db::Db;
use crate::spatial::assign::PolygonIndex;

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
    Serve(ServeArgs),
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
    /// Audit an edition's public figures: `audit secret --edition Y [--json]`.
    #[command(subcommand)]
    Audit(crate::audit_command::AuditCommand),
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
    /// Write the departmental compendium (« recueil ») of an edition to one PDF: cover,
    /// contents, département synthesis and the published territory portraits.
    Recueil {
        /// Edition of the figures and portraits.
        #[arg(long)]
        edition: i64,
        /// The PDF to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Add {
        #[arg(long)]
        username: String,
        /// `admin`, `charge_de_mission`, `referent` or `lecteur`.
        #[arg(long)]
        role: String,
        /// Name shown in the interface (default: the user name).
        #[arg(long)]
        name: Option<String>,
        /// A territory a referent may edit (repeat for several).
        #[arg(long = "territory")]
        territories: Vec<String>,
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
    /// Change an account's role (and a referent's territories); ends its sessions.
    SetRole {
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long = "territory")]
        territories: Vec<String>,
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
    },
    /// Import the Département's subsidies (SCDL subventions CSV) into an existing
    /// edition, matching beneficiaries to its registry; replaces the edition's
    /// subsidies atomically. Prints the report and the unmatched beneficiaries.
    Subventions {
        #[arg(long)]
        edition: i64,
        /// The SCDL file (`,` or `;`, UTF-8 or Latin-1).
        file: PathBuf,
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
    /// Delete an edition with its registry and reports.
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
            None => serve(&self.global, DefaultServe::parse_from(["ess-atlas"]).args).await,
            Some(Command::Serve(args)) => serve(&self.global, args).await,
            Some(Command::Locate(args)) => locate(&self.global, &args).await,
            Some(Command::Import(ImportCommand::Sirene(args))) => {
                import_sirene(&self.global, args).await
            }
            Some(Command::Import(ImportCommand::Observatoire { edition, file })) => {
                let db = Db::connect(&self.global.database).await?;
                let geography =
                    std::sync::Arc::new(crate::load_geography(&db, &self.global.geodata).await?);
                let report = crate::import_observatory(&db, geography, edition, file).await?;
                println!("{}", report.one_line());
                for issue in &report.rejected {
                    println!(
                        "  rejected {}:{} [{}] {}",
                        issue.file, issue.line, issue.field, issue.reason
                    );
                }
                Ok(())
            }
            Some(Command::Import(ImportCommand::Subventions { edition, file })) => {
                let db = Db::connect(&self.global.database).await?;
                let report = crate::import_subsidies(&db, edition, file).await?;
                print_subsidy_report(&report);
                print_unmatched(&db, edition).await
            }
            Some(Command::Subventions(command)) => subsidies(&self.global, command).await,
            Some(Command::Audit(c)) => c.run(&self.global.database, &self.global.geodata).await,
            Some(Command::Edition(command)) => edition(&self.global, command).await,
            Some(Command::Demo(args)) => demo(&self.global, &args).await,
            Some(Command::Export(ExportCommand::Tiles {
                out,
                edition,
                min_zoom,
                max_zoom,
            })) => export_tiles(&self.global, &out, edition, (min_zoom, max_zoom)).await,
            Some(Command::Export(ExportCommand::Recueil { edition, out })) => {
                export_recueil(&self.global, edition, &out).await
            }
            Some(Command::User(command)) => user(&self.global, command).await,
        }
    }
}

async fn serve(global: &GlobalArgs, args: ServeArgs) -> anyhow::Result<()> {
    let cfg = Config {
        listen: args.listen,
        database_url: global.database.clone(),
        geodata_dir: global.geodata.clone(),
        web_dir: args.web_dir,
        demo: !args.no_demo,
        demo_dir: args.demo_dir,
        tile_cache_mb: args.tile_cache_mb,
        secure_cookies: args.secure_cookies,
        behind_proxy: args.behind_proxy,
        editions_poll: crate::config::DEFAULT_EDITIONS_POLL,
    };
    let started = Instant::now();
    let app = crate::build_app(cfg).await?;
    tracing::info!(
        startup_ms = started.elapsed().as_millis(),
        "ess-atlas ready: http://{}",
        app.local_addr()?
    );
    app.serve().await
}

async fn import_sirene(global: &GlobalArgs, args: SireneArgs) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    let geography = std::sync::Arc::new(crate::load_geography(&db, &global.geodata).await?);
    let files = crate::import::sirene::SireneFiles {
        unites_legales: args.unites_legales,
        etablissements: args.etablissements,
        geolocalisation: args.geolocalisation,
    };
    let report = crate::import_sirene(
        &db,
        geography,
        args.edition,
        args.reference_date,
        files,
        args.demo,
        true,
    )
    .await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", report.one_line());
        for issue in report.rejected.iter().take(20) {
            println!(
                "  rejected {}:{} [{}] {}",
                issue.file, issue.line, issue.field, issue.reason
            );
        }
        if report.rejected.len() > 20 {
            println!("  … see `ess-atlas edition report --year {}`", args.edition);
        }
    }
    Ok(())
}

async fn edition(global: &GlobalArgs, command: EditionCommand) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    match command {
        EditionCommand::List => {
            let editions = db.editions().await?;
            if editions.is_empty() {
                println!("no edition");
            }
            for e in editions {
                let count = db.establishment_count(e.year).await?;
                println!(
                    "{}\treference {}\t{} ESS establishments\trule {}\t{}{}",
                    e.year,
                    e.reference_date,
                    count,
                    e.perimeter_rule_version,
                    e.sources,
                    if e.demo {
                        "\t(données de démonstration)"
                    } else {
                        ""
                    }
                );
            }
        }
        EditionCommand::Create {
            year,
            reference_date,
            sources,
        } => {
            anyhow::ensure!(
                crate::import::sirene::is_iso_date(&reference_date),
                "reference date {reference_date:?} is not a date AAAA-MM-JJ"
            );
            anyhow::ensure!(
                db.create_edition(year, &reference_date, &sources).await?,
                "edition {year} exists already"
            );
            println!("edition {year} created");
        }
        EditionCommand::Delete { year } => {
            anyhow::ensure!(db.delete_edition(year).await?, "no edition {year}");
            println!("edition {year} deleted");
        }
        EditionCommand::Report { year } => {
            anyhow::ensure!(db.edition(year).await?.is_some(), "no edition {year}");
            println!(
                "{}",
                serde_json::to_string_pretty(&db.import_reports(year).await?)?
            );
        }
    }
    Ok(())
}

fn print_subsidy_report(report: &crate::import::ImportReport) {
    println!("{}", report.one_line());
    for key in [
        "lines_by_status",
        "granted_by_status",
        "lines_by_method",
        "granted_total",
        "ess_total",
        "ess_commercial_total",
    ] {
        if let Some(v) = report.summary.get(key) {
            println!("  {key}: {v}");
        }
    }
    for issue in &report.rejected {
        println!(
            "  rejected {}:{} [{}] {}",
            issue.file, issue.line, issue.field, issue.reason
        );
    }
    for issue in &report.warnings {
        println!(
            "  warning {}:{} [{}] {}",
            issue.file, issue.line, issue.field, issue.reason
        );
    }
}

async fn print_unmatched(db: &Db, year: i64) -> anyhow::Result<()> {
    let lines = db.subsidy_lines(year, &["unmatched", "non_ess"]).await?;
    println!("{} beneficiaries not counted as ESS:", lines.len());
    for l in lines {
        println!(
            "  line {}\t{}\t{}\t{}\t{:.2} €\t{}\t{}",
            l.line,
            l.status,
            l.beneficiary_name,
            l.beneficiary_id.or(l.rna).unwrap_or_default(),
            l.granted,
            l.match_method.unwrap_or_default(),
            l.note.unwrap_or_default()
        );
    }
    Ok(())
}

async fn subsidies(global: &GlobalArgs, command: SubsidyCommand) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    let year = match command {
        SubsidyCommand::Report { year, .. } | SubsidyCommand::Unmatched { year } => year,
    };
    anyhow::ensure!(db.edition(year).await?.is_some(), "no edition {year}");
    match command {
        SubsidyCommand::Report { json, .. } => {
            let report = db
                .import_reports(year)
                .await?
                .into_iter()
                .find(|r| r.report.kind == "subventions")
                .with_context(|| format!("edition {year} has no subsidies import"))?;
            let tallies = db.subsidy_tallies(year).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "report": report, "tallies": tallies,
                    }))?
                );
            } else {
                println!("imported {}", report.finished_at);
                print_subsidy_report(&report.report);
                for t in tallies {
                    println!(
                        "  {}\t{}\t{} lines\t{:.2} €",
                        t.status,
                        t.match_method.unwrap_or_default(),
                        t.lines,
                        t.granted
                    );
                }
            }
            Ok(())
        }
        SubsidyCommand::Unmatched { .. } => print_unmatched(&db, year).await,
    }
}

async fn demo(global: &GlobalArgs, args: &DemoArgs) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    let geography = crate::load_geography(&db, &global.geodata).await?;
    let out = args.out.clone();
    let (seed, scale) = (args.seed, args.scale);
    let files =
        tokio::task::spawn_blocking(move || crate::demo::write_demo(&geography, seed, scale, &out))
            .await??;
    for f in files {
        println!(
            "{}: {} and {}",
            f.year,
            f.unites_legales.display(),
            f.etablissements.display()
        );
    }
    Ok(())
}

/// Shortest password `user add` and `user reset-password` accept.
const MIN_PASSWORD_CHARS: usize = 10;

/// The new password: `ESS_ATLAS_PASSWORD`, else the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    let password = if let Ok(p) = std::env::var("ESS_ATLAS_PASSWORD") {
        p
    } else {
        {
            eprintln!("Mot de passe (une ligne sur l'entrée standard) :");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    anyhow::ensure!(
        password.chars().count() >= MIN_PASSWORD_CHARS,
        "the password must have at least {MIN_PASSWORD_CHARS} characters"
    );
    Ok(password)
}

/// Checks a role and its territories against the geography.
async fn check_role(
    global: &GlobalArgs,
    db: &Db,
    role: &str,
    territories: &[String],
) -> anyhow::Result<()> {
    let role: crate::auth::Role = role.parse()?;
    let geography = crate::load_geography(db, &global.geodata).await?;
    for t in territories {
        anyhow::ensure!(
            crate::portraits::is_plan_scope(&geography, t),
            "unknown territory {t:?} (codes: {})",
            geography
                .territories
                .iter()
                .map(|t| t.zone.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    anyhow::ensure!(
        role != crate::auth::Role::Referent || !territories.is_empty(),
        "a referent needs at least one --territory"
    );
    Ok(())
}

async fn hash_password(password: String) -> anyhow::Result<String> {
    Ok(tokio::task::spawn_blocking(move || {
        crate::auth::password::hash(&password, crate::auth::password::Cost::Standard)
    })
    .await??)
}

async fn user(global: &GlobalArgs, command: UserCommand) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    match command {
        UserCommand::Add {
            username,
            role,
            name,
            territories,
        } => {
            let username = username.trim().to_owned();
            anyhow::ensure!(
                !username.is_empty() && username.len() <= 100,
                "the user name must have 1 to 100 characters"
            );
            check_role(global, &db, &role, &territories).await?;
            let hash = hash_password(read_password()?).await?;
            let name = name.unwrap_or_else(|| username.clone());
            anyhow::ensure!(
                db.create_user(&username, &name, &role, &hash, &territories)
                    .await?
                    .is_some(),
                "user {username:?} exists already"
            );
            println!("user {username} created ({role})");
        }
        UserCommand::List => {
            for u in db.users().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.username,
                    u.role,
                    u.territories.join(","),
                    if u.disabled { "désactivé" } else { "actif" },
                    u.display_name
                );
            }
        }
        UserCommand::Disable { username } => {
            anyhow::ensure!(
                db.set_user_disabled(&username, true).await?,
                "no user {username:?}"
            );
            println!("user {username} disabled");
        }
        UserCommand::Enable { username } => {
            anyhow::ensure!(
                db.set_user_disabled(&username, false).await?,
                "no user {username:?}"
            );
            println!("user {username} enabled");
        }
        UserCommand::SetRole {
            username,
            role,
            territories,
        } => {
            check_role(global, &db, &role, &territories).await?;
            anyhow::ensure!(
                db.set_user_role(&username, &role, &territories).await?,
                "no user {username:?}"
            );
            println!("user {username} is now {role}");
        }
        UserCommand::ResetPassword { username } => {
            anyhow::ensure!(
                db.user_by_name(&username).await?.is_some(),
                "no user {username:?}"
            );
            let hash = hash_password(read_password()?).await?;
            db.set_user_password(&username, &hash).await?;
            println!("password of {username} changed");
        }
    }
    Ok(())
}

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

async fn locate(global: &GlobalArgs, args: &LocateArgs) -> anyhow::Result<()> {
    // Building the index counts in join_s, as the reference commands' do.
    let mut index_s = 0.0;
    let polygons = if let Some(path) = &args.polygons {
        let path = path.clone();
        let (polygons, seconds) = tokio::task::spawn_blocking(move || {
            let (codes, polygons) = load_wkt_polygons(&path)?;
            let t = Instant::now();
            let index = PolygonIndex::new(polygons);
            anyhow::Ok((Polygons::Wkt(codes, index), t.elapsed().as_secs_f64()))
        })
        .await??;
        index_s = seconds;
        polygons
    } else {
        let db = Db::connect(&global.database).await?;
        Polygons::Geography(crate::load_geography(&db, &global.geodata).await?)
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let points_path = args.points.clone();
    let out_path = args.out.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut summary = run_locate(&polygons, &points_path, out_path.as_deref(), threads)?;
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

struct LocateSummary {
    /// Seconds spent building the index (for ad-hoc polygons) and assigning points
    /// (index lookups and exact tests); reading the CSV is not counted.
    join_s: f64,
    matched: u64,
    points: u64,
    rejected: u64,
}

/// Points are read and assigned in batches of this many: memory stays bounded whatever
/// the size of the input, and each batch is split across the worker threads.
const BATCH: usize = 1 << 16;

fn run_locate(
    polygons: &Polygons,
    points_path: &std::path::Path,
    out_path: Option<&std::path::Path>,
    threads: usize,
) -> anyhow::Result<LocateSummary> {
    let mut reader = csv::Reader::from_path(points_path)
        .with_context(|| format!("cannot read {}", points_path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: no header line", points_path.display()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
            .with_context(|| format!("{}: missing column {name:?}", points_path.display()))
    };
    let (id_col, lon_col, lat_col) = (column("id")?, column("lon")?, column("lat")?);

    let sink: Box<dyn Write> = match out_path {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut writer = csv::Writer::from_writer(std::io::BufWriter::new(sink));
    writer.write_record(["id", "commune", "epci", "territory"])?;

    let mut summary = LocateSummary {
        join_s: 0.0,
        matched: 0,
        points: 0,
        rejected: 0,
    };
    let mut record = csv::StringRecord::new();
    let mut ids: Vec<String> = Vec::with_capacity(BATCH);
    let mut points: Vec<(f64, f64)> = Vec::with_capacity(BATCH);
    let mut flush = |ids: &mut Vec<String>,
                     points: &mut Vec<(f64, f64)>,
                     summary: &mut LocateSummary|
     -> anyhow::Result<()> {
        let t = Instant::now();
        let found = polygons.index().locate_many(points, threads);
        summary.join_s += t.elapsed().as_secs_f64();
        for (id, hit) in ids.iter().zip(found) {
            let [c, e, t] = hit.map_or(["", "", ""], |i| polygons.zones(i));
            summary.matched += u64::from(hit.is_some());
            writer.write_record([id.as_str(), c, e, t])?;
        }
        ids.clear();
        points.clear();
        Ok(())
    };
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                summary.rejected += 1;
                tracing::warn!("{}: {e}", points_path.display());
                if e.is_io_error() {
                    break;
                }
                continue;
            }
        }
        summary.points += 1;
        let line = record.position().map_or(0, csv::Position::line);
        let coordinate = |col: usize, name: &str, limit: f64| -> Result<f64, String> {
            let text = record.get(col).unwrap_or_default().trim();
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && v.abs() <= limit)
                .ok_or_else(|| {
                    format!(
                        "{}: line {line}: field {name}: {text:?} is not a valid coordinate",
                        points_path.display()
                    )
                })
        };
        match (
            coordinate(lon_col, "lon", 180.0),
            coordinate(lat_col, "lat", 90.0),
        ) {
            (Ok(lon), Ok(lat)) => {
                ids.push(record.get(id_col).unwrap_or_default().to_owned());
                points.push((lon, lat));
                if points.len() == BATCH {
                    flush(&mut ids, &mut points, &mut summary)?;
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                summary.rejected += 1;
                if summary.rejected <= 20 {
                    eprintln!("{e}");
                }
            }
        }
    }
    flush(&mut ids, &mut points, &mut summary)?;
    writer.flush()?;
    Ok(summary)
}

/// Reads a `code<TAB>WKT` file of polygons (EPSG:4326), sorted by code.
fn load_wkt_polygons(
    path: &std::path::Path,
) -> anyhow::Result<(Vec<String>, Vec<geo::MultiPolygon<f64>>)> {
    use std::str::FromStr;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut rows: Vec<(String, geo::MultiPolygon<f64>)> = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let fail = |m: String| anyhow::anyhow!("{}: line {}: {m}", path.display(), n + 1);
        let (code, wkt) = line
            .split_once('\t')
            .ok_or_else(|| fail("expected code<TAB>WKT".into()))?;
        let geometry = wkt::Wkt::<f64>::from_str(wkt).map_err(|e| fail(e.to_string()))?;
        let geometry: geo::Geometry<f64> = geometry
            .try_into()
            .map_err(|e: wkt::conversion::Error| fail(e.to_string()))?;
        let mp = match geometry {
            geo::Geometry::Polygon(p) => geo::MultiPolygon::new(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            _ => return Err(fail("not a polygon".into())),
        };
        rows.push((code.to_owned(), mp));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(rows.into_iter().unzip())
}

async fn export_tiles(
    global: &GlobalArgs,
    out: &std::path::Path,
    edition: Option<i64>,
    zooms: (u8, u8),
) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = Db::connect(&global.database).await?;
    let geography = crate::load_geography(&db, &global.geodata).await?;
    let service = crate::tiles::TileService::new(&geography, 0);
    let summary =
        crate::tiles::pmtiles::export(&service, &db, &geography, edition, zooms, out).await?;
    println!(
        "{}: {} tiles (zooms {}–{}), {} empty left out, {} bytes before compression, largest {} bytes, {:.1} s",
        out.display(),
        summary.tiles,
        zooms.0,
        zooms.1,
        summary.empty,
        summary.bytes,
        summary.largest,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn export_recueil(
    global: &GlobalArgs,
    year: i64,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = Db::connect(&global.database).await?;
    let geography = std::sync::Arc::new(crate::load_geography(&db, &global.geodata).await?);
    let ctx = crate::summary::Context {
        db,
        geography,
        cubes: std::sync::Arc::default(),
    };
    let edition = crate::summary::resolve_edition(&ctx, Some(year))
        .await
        .with_context(|| format!("edition {year}: import it first (ess-atlas import sirene)"))?;
    let progress = |done: usize, total: usize| eprintln!("recueil {year}: {done}/{total}");
    let pdf = crate::summary::recueil::render(&ctx, &edition, &progress).await?;
    std::fs::write(out, &pdf).with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "{}: compendium of edition {year}, {} bytes, {:.1} s",
        out.display(),
        pdf.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
