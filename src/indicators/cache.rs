//! Cubes of the editions, computed on first use and kept while the edition's data is
//! unchanged.
//!
//! An import may run in another process (the CLI): the cache compares the edition's
//! `imported_at` stamp at each use and rebuilds a cube whose edition was re-imported,
//! so several server instances sharing a database stay right. One build at a time:
//! concurrent requests for a missing cube wait for it instead of computing it again.
//!
//! A cube is served only once it passes the secret statistique audit
//! ([`crate::indicators::audit`]).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Mutex;

use crate::db::{Db, DbError, Edition};
use crate::geography::Geography;
use crate::indicators::audit::{AuditReport, audit};
use crate::indicators::cube::{Cube, add_subsidies, build_cube, build_observatory};

/// A cube with the `imported_at` stamp of the data it was built from.
type Stamped = (Option<String>, Arc<Cube>);

#[derive(Default)]
pub struct CubeCache {
    cubes: Mutex<HashMap<i64, Stamped>>,
}

impl CubeCache {
    /// The cube of `edition`, rebuilt when the edition was imported again.
    pub async fn get(
        &self,
        db: &Db,
        geography: &Arc<Geography>,
        edition: &Edition,
    ) -> Result<Arc<Cube>, DbError> {
        let mut cubes = self.cubes.lock().await;
        if let Some((stamp, cube)) = cubes.get(&edition.year)
            && *stamp == edition.imported_at
        {
            return Ok(Arc::clone(cube));
        }
        let (cube, report) = build_audited(db, geography, edition.year).await?;
        if !report.passed() {
            // Never serve figures the audit rejects (a defect of the masking).
            return Err(DbError::SecretAudit {
                edition: edition.year,
                failures: report.failures.len(),
            });
        }
        let cube = Arc::new(cube);
        cubes.insert(
            edition.year,
            (edition.imported_at.clone(), Arc::clone(&cube)),
        );
        Ok(cube)
    }

    /// Computes the cubes of every edition, so that the first visitors do not wait.
    pub async fn warm(&self, db: &Db, geography: &Arc<Geography>) -> Result<(), DbError> {
        for edition in db.editions().await? {
            self.get(db, geography, &edition).await?;
        }
        Ok(())
    }
}

/// Builds the cube of edition `year` from the database and audits it (off the async
/// runtime: both are CPU-bound).
pub async fn build_audited(
    db: &Db,
    geography: &Arc<Geography>,
    year: i64,
) -> Result<(Cube, AuditReport), DbError> {
    let registry = db.registry_cells(year).await?;
    let economy = db.economy_rows(year).await?;
    let observatory = db.observatory_rows(year).await?;
    let (subsidies, any_subsidy) = db.subsidy_cells(year).await?;
    let g = Arc::clone(geography);
    tokio::task::spawn_blocking(move || {
        let mut cube = build_cube(&g, year, &registry, &economy);
        cube.observatory = build_observatory(&g, &cube, &observatory);
        add_subsidies(&g, &mut cube, &subsidies, any_subsidy);
        let report = audit(&g, &cube, &registry, &economy);
        (cube, report)
    })
    .await
    .map_err(|e| DbError::Task(format!("cube computation failed: {e}")))
}
