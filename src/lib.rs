//! ess-atlas: a map server for the social and solidarity economy (ESS) of a French
//! département.
//!
//! Start-up ([`build_app`]): open the database, bring the geography cache up to date
//! with `geodata/` (dissolving EPCI and territory outlines only when the files
//! changed), assemble the in-memory [`geography::Geography`] with its point index,
//! prepare the GeoJSON layers, bind the listener. Then [`App::serve`].

#![forbid(unsafe_code)]

pub mod api;
pub mod cli;
pub mod config;
pub mod csv_lines;
pub mod db;
pub mod demo;
pub mod ess;
pub mod geography;
pub mod layers;
pub mod spatial;
pub mod state;
pub mod telemetry;

use std::net::SocketAddr;
use std::path::Path;
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
    router: axum::Router,
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
        axum::serve(self.listener, self.router)
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

/// Builds the application from its configuration; see the crate docs for the steps.
pub async fn build_app(cfg: Config) -> anyhow::Result<App> {
    let db = Db::connect(&cfg.database_url)
        .await
        .with_context(|| format!("cannot open database {}", cfg.database_url))?;
    let geography = Arc::new(load_geography(&db, &cfg.geodata_dir).await?);
    let layers = {
        let g = Arc::clone(&geography);
        Arc::new(tokio::task::spawn_blocking(move || layers::build_layers(&g)).await?)
    };
    let state = AppState {
        db: db.clone(),
        geography: Arc::clone(&geography),
        layers,
    };
    let router = api::build_router(state, &cfg.web_dir);
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
