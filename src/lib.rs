//! ess-atlas: a map server for the social and solidarity economy (ESS) of a French
//! département.
//!
//! Start-up ([`build_app`]): open the database, bring the geography cache up to date
//! with `geodata/` (dissolving EPCI and territory outlines only when the files
//! changed), assemble the in-memory [`geography::Geography`] with its point index,
//! prepare the GeoJSON layers, bind the listener. Then [`App::serve`].

#![forbid(unsafe_code)]

pub mod api;
pub mod audit_command;
pub mod auth;
pub mod cli;
pub mod config;
pub mod csv_lines;
pub mod db;
pub mod demo;
pub mod ess;
pub mod geography;
pub mod import;
pub mod indicators;
pub mod indicators_cache;
pub mod layers;
pub mod portraits;
pub mod spatial;
pub mod state;
pub mod summary;
pub mod telemetry;
pub mod tiles;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use config::Config;
use db::Db;
use geography::Geography;
use state::AppState;

/// A started application: listener bound, state ready, not yet serving.
pub struct App {
    listener: TcpListener,
    router: api::tiles::FastTiles,
    db: Db,
    geography: Arc<Geography>,
}

impl App {
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    #[must_use]
    pub fn db(&self) -> &Db {
        &self.db
    }

    #[must_use]
    pub fn geography(&self) -> &Arc<Geography> {
        &self.geography
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn serve(self) -> anyhow::Result<()> {
        // The client address feeds login throttling.
        let service =
            axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
                SocketAddr,
            >(self.router);
        // No Nagle delay: responses are small and written whole.
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!("cannot set TCP_NODELAY: {e}");
            }
        });
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("server failed")
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// Opens the database and brings the geography up to date with `geodata_dir`.
///
/// The files are hashed first; when the hash equals the cached one the geography is
/// read from the database, otherwise the files are validated, outlines dissolved and
/// the cache replaced in one transaction. Bad files stop here with a message naming
/// the file and the line or feature, and the database keeps its previous state.
pub async fn load_geography(db: &Db, geodata_dir: &Path) -> anyhow::Result<Geography> {
    let started = std::time::Instant::now();
    let dir = geodata_dir.to_owned();
    let fingerprint = tokio::task::spawn_blocking(move || spatial::boundaries::fingerprint(&dir))
        .await?
        .context("cannot read the geodata")?;
    let cached = db.geodata_fingerprint().await?;
    let records = if cached.as_deref() == Some(fingerprint.as_str()) {
        let records = db
            .load_geography()
            .await?
            .context("geography cache vanished during start-up")?;
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis(),
            "geography loaded from the database cache"
        );
        records
    } else {
        let dir = geodata_dir.to_owned();
        let records = tokio::task::spawn_blocking(move || {
            spatial::boundaries::load_geodata(&dir).map(geography::build_records)
        })
        .await?
        .context("invalid geodata, nothing was changed")?;
        db.store_geography(&records)
            .await
            .context("cannot store the geography")?;
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis(),
            communes = records.communes.len(),
            epci = records.epci.len(),
            territories = records.territories.len(),
            "geography built from {}",
            geodata_dir.display()
        );
        records
    };
    tokio::task::spawn_blocking(move || Geography::assemble(records))
        .await?
        .map_err(|e| anyhow::anyhow!("inconsistent geography: {e}"))
}

/// Imports SIRENE stock files into edition `year`, replacing its registry atomically.
///
/// `reference_date` defaults to the edition's own, else 31 December of `year` (or
/// today, for the current year). Structural problems abort before anything is written.
pub async fn import_sirene(
    db: &Db,
    geography: Arc<Geography>,
    year: i64,
    reference_date: Option<String>,
    files: import::sirene::SireneFiles,
    demo: bool,
    progress: bool,
) -> anyhow::Result<import::ImportReport> {
    let reference_date = match reference_date {
        Some(d) => d,
        None => match db.edition(year).await? {
            Some(e) => e.reference_date,
            None => default_reference_date(year),
        },
    };
    let mut sources = format!(
        "INSEE SIRENE: {}, {}",
        file_label(&files.unites_legales),
        file_label(&files.etablissements)
    );
    if let Some(g) = &files.geolocalisation {
        sources.push_str(", ");
        sources.push_str(&file_label(g));
    }
    let date = reference_date.clone();
    let data = tokio::task::spawn_blocking(move || {
        import::sirene::read_sirene(&geography, year, &date, &files, progress)
    })
    .await?
    .context("SIRENE import aborted, nothing was changed")?;
    db.replace_registry(year, &reference_date, &sources, demo, &data)
        .await
        .context("cannot write the edition")?;
    if !db.subsidy_tallies(year).await?.is_empty() {
        // Subsidies keep the match made against the previous registry.
        tracing::warn!(
            "edition {year} has subsidies matched against its previous registry: \
             import its subsidies file again (ess-atlas import subventions)"
        );
    }
    Ok(data.report)
}

/// Imports the observatory's aggregates into an existing edition, atomically.
pub async fn import_observatory(
    db: &Db,
    geography: Arc<Geography>,
    year: i64,
    file: PathBuf,
) -> anyhow::Result<import::ImportReport> {
    anyhow::ensure!(
        db.edition(year).await?.is_some(),
        "no edition {year}: create it (ess-atlas edition create) or import its SIRENE files first"
    );
    let data = tokio::task::spawn_blocking(move || {
        import::observatory::read_observatory(&geography, year, &file)
    })
    .await?
    .context("observatory import aborted, nothing was changed")?;
    anyhow::ensure!(
        db.replace_observatory(year, &data).await?,
        "edition {year} was deleted during the import"
    );
    Ok(data.report)
}

/// Imports the Département's SCDL subsidies file into an existing edition: reads it,
/// matches every beneficiary to the edition's registry (SIRET, SIREN, RNA) and
/// replaces the edition's subsidies atomically.
pub async fn import_subsidies(
    db: &Db,
    year: i64,
    file: PathBuf,
) -> anyhow::Result<import::ImportReport> {
    anyhow::ensure!(
        db.edition(year).await?.is_some(),
        "no edition {year}: import its SIRENE files first (ess-atlas import sirene)"
    );
    let entries = db.beneficiary_entries(year).await?;
    let (lines, report) = tokio::task::spawn_blocking(move || {
        let read = import::subsidies::read_subsidies(year, &file)?;
        let index = import::beneficiaries::BeneficiaryIndex::new(entries);
        let mut report = read.report;
        if index.is_empty() {
            report.warn(
                &read.name,
                0,
                "",
                format!("edition {year} has no establishment: every beneficiary is unmatched"),
            );
        }
        let lines = import::beneficiaries::match_lines(&index, read.lines);
        import::beneficiaries::summarise(&mut report, &lines);
        Ok::<_, import::ImportError>((lines, report))
    })
    .await?
    .context("subsidies import aborted, nothing was changed")?;
    anyhow::ensure!(
        db.replace_subsidies(year, &lines, &report).await?,
        "edition {year} was deleted during the import"
    );
    Ok(report)
}

fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// 31 December of `year`, or today when that is in the future.
#[must_use]
pub fn default_reference_date(year: i64) -> String {
    let today = today();
    let end = format!("{year:04}-12-31");
    if end > today { today } else { end }
}

/// Today's date, `AAAA-MM-JJ`, in UTC.
#[must_use]
pub fn today() -> String {
    now_utc()[..10].to_owned()
}

/// Seconds since the Unix epoch (0 if the clock is before it).
#[must_use]
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The current time as ISO 8601 in UTC, `AAAA-MM-JJTHH:MM:SSZ`.
#[must_use]
pub fn now_utc() -> String {
    iso_from_unix(unix_now())
}

/// `secs` since the Unix epoch as ISO 8601 in UTC (civil-from-days, Howard Hinnant's
/// algorithm: no date crate needed for one conversion).
#[must_use]
pub fn iso_from_unix(secs: i64) -> String {
    let z = secs.div_euclid(86_400) + 719_468;
    let rem = secs.rem_euclid(86_400);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Seed of the demonstration data written on first start.
pub const DEMO_SEED: u64 = 62;

/// Generates the demonstration files in `dir` and imports every edition through the
/// SIRENE importer, as staff would import INSEE's files, then each edition's
/// demonstration subsidies file through the subsidies importer.
pub async fn load_demo(db: &Db, geography: &Arc<Geography>, dir: &Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let g = Arc::clone(geography);
    let out = dir.to_owned();
    let editions = tokio::task::spawn_blocking(move || demo::write_demo(&g, DEMO_SEED, 1, &out))
        .await?
        .context("cannot write the demonstration files")?;
    for e in editions {
        let files = import::sirene::SireneFiles {
            unites_legales: e.unites_legales,
            etablissements: e.etablissements,
            geolocalisation: None,
        };
        let report = import_sirene(
            db,
            Arc::clone(geography),
            i64::from(e.year),
            Some(e.reference_date),
            files,
            true,
            false,
        )
        .await
        .with_context(|| format!("cannot import the demonstration edition {}", e.year))?;
        tracing::info!("{} (données de démonstration)", report.one_line());
    }
    load_demo_subsidies(db, geography, dir).await?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis(),
        "demonstration data generated and imported"
    );
    Ok(())
}

/// Writes the demonstration SCDL subsidies file of every demo edition, drawn from its
/// imported registry, and imports it through the subsidies importer.
async fn load_demo_subsidies(db: &Db, geography: &Geography, dir: &Path) -> anyhow::Result<()> {
    let public_body = geography
        .epci
        .first()
        .map(|e| (e.zone.code.clone(), e.zone.name.clone()))
        .context("the geography has no EPCI")?;
    for edition in demo::DEMO_EDITIONS {
        let year = i64::from(edition.year);
        let candidates = db.demo_beneficiaries(year).await?;
        let folder = dir.join(edition.year.to_string());
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        let path = folder.join(format!("subventions-{}.csv", edition.year));
        let (file, body) = (path.clone(), public_body.clone());
        tokio::task::spawn_blocking(move || {
            demo::scdl::write_subsidies(
                &file,
                edition.year,
                DEMO_SEED,
                &candidates,
                (&body.0, &body.1),
            )
        })
        .await?
        .with_context(|| format!("cannot write the {} demonstration subsidies", edition.year))?;
        let report = import_subsidies(db, year, path).await.with_context(|| {
            format!("cannot import the {} demonstration subsidies", edition.year)
        })?;
        tracing::info!("{} (données de démonstration)", report.one_line());
    }
    Ok(())
}

/// Builds the application from its configuration; see the crate docs for the steps.
pub async fn build_app(cfg: Config) -> anyhow::Result<App> {
    let db = Db::connect(&cfg.database_url)
        .await
        .with_context(|| format!("cannot open database {}", cfg.database_url))?;
    // Instances starting together on one database take turns here: the first one
    // stores the geography and, on an empty database, the demonstration data; the
    // next ones find them.
    let startup = db.startup_lock().await?;
    let geography = Arc::new(load_geography(&db, &cfg.geodata_dir).await?);
    if cfg.demo && db.editions().await?.is_empty() {
        load_demo(&db, &geography, &cfg.demo_dir).await?;
    }
    startup.release().await?;
    let layers = {
        let g = Arc::clone(&geography);
        Arc::new(tokio::task::spawn_blocking(move || layers::build_layers(&g)).await?)
    };
    let tiles = {
        let g = Arc::clone(&geography);
        let bytes = cfg.tile_cache_mb.saturating_mul(1024 * 1024);
        Arc::new(tokio::task::spawn_blocking(move || tiles::TileService::new(&g, bytes)).await?)
    };
    tiles.refresh(&db).await?;
    {
        // Imports may run in another process or instance: notice them within
        // `editions_poll`. Instances sharing a database must also share the geodata
        // (each serves the geography it started with): say so when another one
        // started with other files.
        let (tiles, db) = (Arc::clone(&tiles), db.clone());
        let fingerprint = geography.fingerprint.clone();
        let period = cfg.editions_poll;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut warned = false;
            loop {
                tick.tick().await;
                match tiles.refresh(&db).await {
                    Ok(true) => tracing::info!("editions changed: organisations tiles dropped"),
                    Ok(false) => {}
                    Err(e) => tracing::warn!("cannot check the editions for tile updates: {e}"),
                }
                if let Ok(Some(stored)) = db.geodata_fingerprint().await {
                    let differs = stored != fingerprint;
                    if differs && !warned {
                        tracing::warn!(
                            "another instance stored different geodata in the database: \
                             this one still serves the geography it started with; deploy the \
                             same geodata/ everywhere and restart"
                        );
                    }
                    warned = differs;
                }
            }
        });
    }
    let state = AppState {
        db: db.clone(),
        geography: Arc::clone(&geography),
        layers,
        cubes: Arc::default(),
        tiles,
        secure_cookies: cfg.secure_cookies,
        behind_proxy: cfg.behind_proxy,
    };
    {
        let (cubes, tiles, db, g) = (
            Arc::clone(&state.cubes),
            Arc::clone(&state.tiles),
            db.clone(),
            Arc::clone(&geography),
        );
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            if let Err(e) = cubes.warm(&db, &g).await {
                tracing::warn!("cannot precompute the indicator cubes: {e}");
            }
            if let Err(e) = tiles.warm(&db).await {
                tracing::warn!("cannot preload the organisations layer: {e}");
            }
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis(),
                "indicator cubes and organisations layer ready"
            );
        });
    }
    let tiles = std::sync::Arc::clone(&state.tiles);
    let router = api::tiles::FastTiles::new(tiles, api::build_router(state, &cfg.web_dir));
    let listener = TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.listen))?;
    Ok(App {
        listener,
        router,
        db,
        geography,
    })
}
