//! SQL feeding the indicators: commune-level aggregates of an edition's registry and
//! of the whole economy.

use sqlx::Row;

use super::{Db, DbError, Result};
use crate::ess::Family;
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
