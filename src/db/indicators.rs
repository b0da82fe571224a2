//! SQL feeding the indicators: commune-level aggregates of an edition's registry and
//! of the whole economy.

use sqlx::Row;

use super::{Db, DbError, Result};
use crate::ess::Family;
use crate::geography::Level;
use crate::import::observatory::{ObservatoryEdition, ObservatoryRow};
use crate::indicators::cube::{EconomyRow, RegistryCell};
use crate::indicators::secret::CellStats;

impl Db {
    /// The registry of an edition grouped by commune, family, NAF section and size
    /// band, with each group's largest establishment (for the dominance rule).
    pub async fn registry_cells(&self, edition: i64) -> Result<Vec<RegistryCell>> {
        sqlx::query(
            "SELECT code_insee, family, naf_section, size_band, COUNT(*) AS n, \
                    SUM(employer) AS employers, SUM(jobs_estimate) AS jobs, MAX(jobs_estimate) AS max_jobs \
             FROM establishments WHERE edition = $1 \
             GROUP BY code_insee, family, naf_section, size_band",
        )
        .bind(edition)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let family: String = r.try_get("family")?;
            let n: i64 = r.try_get("n")?;
            let employers: i64 = r.try_get("employers")?;
            Ok(RegistryCell {
                code_insee: r.try_get("code_insee")?,
                family: Family::from_id(&family)
                    .ok_or_else(|| DbError::Corrupt(format!("unknown family {family:?}")))?,
                naf_section: r.try_get("naf_section")?,
                size_band: r.try_get("size_band")?,
                stats: CellStats {
                    establishments: n.unsigned_abs(),
                    employers: employers.unsigned_abs(),
                    jobs: r.try_get("jobs")?,
                    max_jobs: r.try_get("max_jobs")?,
                },
            })
        })
        .collect()
    }

    /// The whole economy of an edition per commune and size band.
    pub async fn economy_rows(&self, edition: i64) -> Result<Vec<EconomyRow>> {
        sqlx::query(
            "SELECT code_insee, size_band, SUM(establishments) AS n, SUM(employers) AS employers, \
                    SUM(jobs_estimate) AS jobs \
             FROM economy_cells WHERE edition = $1 GROUP BY code_insee, size_band",
        )
        .bind(edition)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let n: i64 = r.try_get("n")?;
            let employers: i64 = r.try_get("employers")?;
            Ok(EconomyRow {
                code_insee: r.try_get("code_insee")?,
                size_band: r.try_get("size_band")?,
                establishments: n.unsigned_abs(),
                employers: employers.unsigned_abs(),
                jobs: r.try_get("jobs")?,
            })
        })
        .collect()
    }
}

fn level_id(level: Level) -> &'static str {
    match level {
        Level::Commune => "commune",
        Level::Epci => "epci",
        Level::Territory => "territory",
        Level::Department => "department",
    }
}

impl Db {
    /// Replaces the observatory aggregates of an existing edition in one transaction,
    /// with its report. `Ok(false)` when the edition does not exist.
    pub async fn replace_observatory(&self, year: i64, data: &ObservatoryEdition) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT year FROM editions WHERE year = $1")
            .bind(year)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(false);
        }
        sqlx::query("DELETE FROM observatory_cells WHERE edition = $1")
            .bind(year)
            .execute(&mut *tx)
            .await?;
        for r in &data.rows {
            sqlx::query(
                "INSERT INTO observatory_cells (edition, level, code, family, sector, establishments, \
                 jobs, fte, payroll, masked) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(year)
            .bind(level_id(r.level))
            .bind(&r.code)
            .bind(&r.family)
            .bind(&r.sector)
            .bind(r.establishments.map(|v| v as i64))
            .bind(r.jobs)
            .bind(r.fte)
            .bind(r.payroll)
            .bind(r.masked)
            .execute(&mut *tx)
            .await?;
        }
        super::registry::record_import(&mut tx, year, &data.report).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The observatory aggregates of an edition (empty when it has none).
    pub async fn observatory_rows(&self, year: i64) -> Result<Vec<ObservatoryRow>> {
        sqlx::query(
            "SELECT level, code, family, sector, establishments, jobs, fte, payroll, masked \
             FROM observatory_cells WHERE edition = $1",
        )
        .bind(year)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let level: String = r.try_get("level")?;
            let level = match level.as_str() {
                "commune" => Level::Commune,
                "epci" => Level::Epci,
                "territory" => Level::Territory,
                "department" => Level::Department,
                other => return Err(DbError::Corrupt(format!("observatory level {other:?}"))),
            };
            let establishments: Option<i64> = r.try_get("establishments")?;
            Ok(ObservatoryRow {
                level,
                code: r.try_get("code")?,
                family: r.try_get("family")?,
                sector: r.try_get("sector")?,
                establishments: establishments.map(i64::unsigned_abs),
                jobs: r.try_get("jobs")?,
                fte: r.try_get("fte")?,
                payroll: r.try_get("payroll")?,
                masked: r.try_get("masked")?,
            })
        })
        .collect()
    }
}
