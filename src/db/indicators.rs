//! SQL feeding the indicators: commune-level aggregates of an edition's registry and
//! of the whole economy.

use super::{Db, DbError, Field, Result};
use crate::ess::Family;
use crate::geography::Level;
use crate::records::cells::{CellStats, EconomyRow, RegistryCell};
use crate::records::observatory::{ObservatoryEdition, ObservatoryRow};

impl Db {
    /// The registry of an edition grouped by commune, family, NAF section and size
    /// band, with each group's largest establishment (for the dominance rule).
    pub async fn registry_cells(&self, edition: i64) -> Result<Vec<RegistryCell>> {
        on_pool!(self, p => sqlx::query(
            "SELECT code_insee, family, naf_section, size_band, protected, COUNT(*) AS n, \
                    COUNT(*) FILTER (WHERE employer) AS employers, SUM(jobs_estimate) AS jobs, \
                    MAX(jobs_estimate) AS max_jobs \
             FROM establishments WHERE edition = $1 \
             GROUP BY code_insee, family, naf_section, size_band, protected \
             ORDER BY code_insee, family, naf_section, size_band, protected",
        )
        .bind(edition)
        .fetch_all(p)
        .await?
        .iter()
        .map(|r| {
            let family: String = r.field("family")?;
            let n: i64 = r.field("n")?;
            let employers: i64 = r.field("employers")?;
            Ok(RegistryCell {
                code_insee: r.field("code_insee")?,
                family: Family::from_id(&family)
                    .ok_or_else(|| DbError::Stored(format!("unknown family {family:?}")))?,
                naf_section: r.field("naf_section")?,
                size_band: r.field("size_band")?,
                protected: r.field("protected")?,
                stats: CellStats {
                    establishments: n.unsigned_abs(),
                    employers: employers.unsigned_abs(),
                    jobs: r.field("jobs")?,
                    max_jobs: r.field("max_jobs")?,
                },
            })
        })
        .collect())
    }

    /// The whole economy of an edition per commune and size band.
    pub async fn economy_rows(&self, edition: i64) -> Result<Vec<EconomyRow>> {
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back.
        on_pool!(self, p => sqlx::query(
            "SELECT code_insee, size_band, protected, CAST(SUM(establishments) AS BIGINT) AS n, \
                    CAST(SUM(employers) AS BIGINT) AS employers, SUM(jobs_estimate) AS jobs \
             FROM economy_cells WHERE edition = $1 GROUP BY code_insee, size_band, protected \
             ORDER BY code_insee, size_band, protected",
        )
        .bind(edition)
        .fetch_all(p)
        .await?
        .iter()
        .map(|r| {
            let n: i64 = r.field("n")?;
            let employers: i64 = r.field("employers")?;
            Ok(EconomyRow {
                code_insee: r.field("code_insee")?,
                size_band: r.field("size_band")?,
                protected: r.field("protected")?,
                establishments: n.unsigned_abs(),
                employers: employers.unsigned_abs(),
                jobs: r.field("jobs")?,
            })
        })
        .collect())
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
        let mut tx = self.begin().await?;
        let exists: Option<i64> = on_tx!(&mut tx, t => sqlx::query_scalar(
            "SELECT year FROM editions WHERE year = $1"
        )
        .bind(year)
        .fetch_optional(&mut **t)
        .await)?;
        if exists.is_none() {
            return Ok(false);
        }
        on_tx!(&mut tx, t => sqlx::query("DELETE FROM observatory_cells WHERE edition = $1")
            .bind(year)
            .execute(&mut **t)
            .await.map(|_| ()))?;
        for r in &data.rows {
            on_tx!(&mut tx, t => sqlx::query(
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
            .execute(&mut **t)
            .await.map(|_| ()))?;
        }
        super::registry::record_import(&mut tx, year, &data.report).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The observatory aggregates of an edition (empty when it has none).
    pub async fn observatory_rows(&self, year: i64) -> Result<Vec<ObservatoryRow>> {
        on_pool!(self, p => sqlx::query(
            "SELECT level, code, family, sector, establishments, jobs, fte, payroll, masked \
             FROM observatory_cells WHERE edition = $1 ORDER BY level, code, family, sector",
        )
        .bind(year)
        .fetch_all(p)
        .await?
        .iter()
        .map(|r| {
            let level: String = r.field("level")?;
            let level = match level.as_str() {
                "commune" => Level::Commune,
                "epci" => Level::Epci,
                "territory" => Level::Territory,
                "department" => Level::Department,
                other => return Err(DbError::Stored(format!("observatory level {other:?}"))),
            };
            let establishments: Option<i64> = r.field("establishments")?;
            Ok(ObservatoryRow {
                level,
                code: r.field("code")?,
                family: r.field("family")?,
                sector: r.field("sector")?,
                establishments: establishments.map(i64::unsigned_abs),
                jobs: r.field("jobs")?,
                fte: r.field("fte")?,
                payroll: r.field("payroll")?,
                masked: r.field("masked")?,
            })
        })
        .collect())
    }
}
