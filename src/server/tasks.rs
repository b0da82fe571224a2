//! The server's background tasks, each named and started once by
//! [`super::build_app`]. They log their failures and keep going: a failed refresh is
//! retried at the next tick, a failed warm-up leaves the work to the first request.

use std::sync::Arc;
use std::time::Duration;

use crate::db::Db;
use crate::geography::Geography;
use crate::indicators::cache::CubeCache;
use crate::tiles::TileService;

/// Watches the editions every `period`. Imports may run in another process or
/// instance: notice them (the organisations tiles are dropped). Instances sharing a
/// database must also share the geodata (each serves the geography it started
/// with): say so when another one started with other files.
pub(super) fn spawn_editions_watch(
    tiles: Arc<TileService>,
    db: Db,
    fingerprint: String,
    period: Duration,
) {
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

/// PostgreSQL: hears the editions' notifications, so that the stamp keying the kept
/// public answers is read once per change rather than once per request
/// ([`Db::follow_editions`]; nothing to do on SQLite).
pub(super) fn spawn_editions_notifications(db: Db) {
    if db.is_postgres() {
        tokio::spawn(async move { db.follow_editions().await });
    }
}

/// Computes the indicator cubes of every edition, then loads the latest edition's
/// organisations layer, so that the first requests after start do not wait for them.
pub(super) fn spawn_warm_up(
    cubes: Arc<CubeCache>,
    tiles: Arc<TileService>,
    db: Db,
    geography: Arc<Geography>,
) {
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        if let Err(e) = cubes.warm(&db, &geography).await {
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

/// Writes a backup of the (SQLite) database into `schedule.dir` every
/// `schedule.every`, keeping the `schedule.keep` newest (`operations::scheduled_backup`).
pub(super) fn spawn_backups(db: Db, schedule: crate::config::BackupSchedule) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(schedule.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick is immediate: the first backup comes one period after start.
        tick.tick().await;
        loop {
            tick.tick().await;
            match crate::operations::scheduled_backup(&db, &schedule.dir, schedule.keep).await {
                Ok(done) => tracing::info!(
                    path = %done.path.display(),
                    bytes = done.bytes,
                    elapsed_ms = done.elapsed.as_millis(),
                    "scheduled backup written"
                ),
                Err(e) => tracing::error!("scheduled backup failed: {e:#}"),
            }
        }
    });
}

/// Once a day (the first run one minute after start), anonymises the contributions of
/// consultations closed more than `days` days ago and the organisations' declarations
/// received more than `days` days ago, not awaiting moderation (`consultations purge`).
pub(super) fn spawn_retention(db: Db, days: i64) {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_mins(1)).await;
        let mut tick = tokio::time::interval(Duration::from_hours(24));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let cutoff = crate::time::unix_now() - days * 86_400;
            match db
                .purge_contributions(&crate::time::iso_from_unix(cutoff))
                .await
            {
                Ok(n) => tracing::info!(anonymised = n, "consultation retention applied"),
                Err(e) => tracing::error!("consultation retention failed: {e}"),
            }
            match db.purge_declarations(cutoff).await {
                Ok(n) => tracing::info!(anonymised = n, "declaration retention applied"),
                Err(e) => tracing::error!("declaration retention failed: {e}"),
            }
        }
    });
}
