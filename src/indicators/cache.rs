//! Cubes of the editions, computed on first use and kept while the edition's data is
//! unchanged.
//!
//! An import may run in another process (the CLI): the cache compares the edition's
//! `imported_at` stamp at each use and rebuilds a cube whose edition was re-imported,
//! so several server instances sharing a database stay right. One build at a time:
//! concurrent requests for a missing cube wait for it instead of computing it again.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Mutex;

use crate::db::{Db, DbError, Edition};
use crate::geography::Geography;
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
        let registry = db.registry_cells(edition.year).await?;
        let economy = db.economy_rows(edition.year).await?;
        let observatory = db.observatory_rows(edition.year).await?;
        let (subsidies, any_subsidy) = db.subsidy_cells(edition.year).await?;
        let g = Arc::clone(geography);
        let year = edition.year;
        let cube = Arc::new(
            tokio::task::spawn_blocking(move || {
                let mut cube = build_cube(&g, year, &registry, &economy);
                cube.observatory = build_observatory(&g, &cube, &observatory);
                add_subsidies(&g, &mut cube, &subsidies, any_subsidy);
                cube
            })
            .await
            .map_err(|e| DbError::Task(format!("cube computation failed: {e}")))?,
        );
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
