//! The server: assemble the application from its configuration ([`build_app`]), start
//! its background tasks (`tasks.rs`) and serve until a shutdown signal.
//!
//! Start-up: open the database, bring the geography cache up to date with `geodata/`
//! (dissolving EPCI and territory outlines only when the files changed), assemble the
//! in-memory [`Geography`] with its point index, prepare the GeoJSON layers, bind the
//! listener. Then [`App::serve`]. Owns the lifecycle only: routes are `api/`'s.

mod parse_errors;
mod tasks;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::api::{self, AppState};
use crate::config::Config;
use crate::db::Db;
use crate::geography::Geography;
use crate::operations::{load_demo, load_geography};
use crate::tiles;

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
        // No Nagle delay: responses are small and written whole. hyper's own error
        // answers become JSON (`parse_errors`).
        let listener = parse_errors::JsonParseErrors(self.listener);
        let listener = axum::serve::ListenerExt::tap_io(listener, |io| {
            if let Err(e) = io.get_ref().set_nodelay(true) {
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

/// The directory of `--import-dir`, which must exist.
fn import_dir(cfg: &Config) -> anyhow::Result<Option<crate::import::import_dir::ImportDir>> {
    cfg.import_dir
        .as_deref()
        .map(crate::import::import_dir::ImportDir::open)
        .transpose()
        .context("--import-dir")
}

/// Builds the application from its configuration; see the crate docs for the steps.
pub async fn build_app(cfg: Config) -> anyhow::Result<App> {
    let db = Db::connect_waiting(&cfg.database_url, crate::db::SERVER_BUSY_TIMEOUT)
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
        Arc::new(tokio::task::spawn_blocking(move || tiles::geojson::build_layers(&g)).await?)
    };
    let tiles = {
        let g = Arc::clone(&geography);
        let bytes = cfg.tile_cache_mb.saturating_mul(1024 * 1024);
        Arc::new(tokio::task::spawn_blocking(move || tiles::TileService::new(&g, bytes)).await?)
    };
    tiles.refresh(&db).await?;
    tasks::spawn_editions_notifications(db.clone());
    tasks::spawn_editions_watch(
        Arc::clone(&tiles),
        db.clone(),
        geography.fingerprint.clone(),
        cfg.editions_poll,
    );
    tasks::spawn_retention(db.clone(), cfg.retention_days);
    if let Some(schedule) = cfg.backups.clone() {
        anyhow::ensure!(
            !db.is_postgres(),
            "--backup-dir backs up a SQLite database: for PostgreSQL, schedule pg_dump \
             (README, « Sauvegarde, restauration et changement de base »)"
        );
        tasks::spawn_backups(db.clone(), schedule);
    }
    let embed_frame_ancestors = axum::http::HeaderValue::from_str(
        &crate::config::frame_ancestors_policy(&cfg.embed_frame_ancestors)
            .map_err(anyhow::Error::msg)?,
    )
    .context("--embed-frame-ancestors")?;
    let publisher = crate::summary::publisher::Publisher::load(
        &cfg.publisher_name,
        &cfg.publisher_contact,
        cfg.publisher_logo.as_deref(),
    )?;
    let listener = TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.listen))?;
    let public_url = match &cfg.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{}", listener.local_addr()?),
    };
    let mailer = Arc::new(crate::mail::Mailer::new(&cfg.mail).context("e-mail configuration")?);
    tracing::info!(?mailer, %public_url, "e-mail");
    let state = AppState {
        db: db.clone(),
        geography: Arc::clone(&geography),
        layers,
        cubes: Arc::default(),
        tiles,
        secure_cookies: cfg.secure_cookies,
        behind_proxy: cfg.behind_proxy,
        hashing: Arc::new(tokio::sync::Semaphore::new(AppState::hashing_permits())),
        export_limit: cfg.export_limit.max(1),
        answers: Arc::default(),
        documents: Arc::new(crate::summary::cache::DocumentCache::new(
            usize::try_from(cfg.document_cache_mb.saturating_mul(1024 * 1024))
                .unwrap_or(usize::MAX),
            AppState::hashing_permits(),
            cfg.document_render_wait,
        )),
        embed_frame_ancestors,
        rate_limits: Arc::new(api::ratelimit::RateLimits::new(
            cfg.rate_limit_api,
            cfg.rate_limit_documents,
        )),
        publisher: Arc::new(publisher),
        mailer,
        public_url: public_url.into(),
        moderators: cfg.mail.moderators.clone().into(),
        sirene: Arc::new(api::sirene_imports::SireneImports::new(import_dir(&cfg)?)),
    };
    tasks::spawn_warm_up(
        Arc::clone(&state.cubes),
        Arc::clone(&state.tiles),
        db.clone(),
        Arc::clone(&geography),
    );
    let tiles = Arc::clone(&state.tiles);
    let router = api::tiles::FastTiles::new(tiles, api::build_router(state, &cfg.web_dir));
    Ok(App {
        listener,
        router,
        db,
        geography,
    })
}
