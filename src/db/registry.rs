//! SQL for editions, the ESS registry (establishments, and the non-ESS ones kept for
//! matching subsidies), the economy's aggregates and import reports.

use serde::Serialize;
use sqlx::Row;

use super::{Db, DbError, Result};
use crate::ess::PERIMETER_RULE_VERSION;
use crate::import::ImportReport;
use crate::import::sirene::SireneEdition;

/// An edition (vintage) of the portrait.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Edition {
    pub year: i64,
    /// `AAAA-MM-JJ`: establishments active at this date.
    pub reference_date: String,
    /// Files and vintages the edition was built from.
    pub sources: String,
    pub perimeter_rule_version: String,
    pub created_at: String,
    pub imported_at: Option<String>,
    /// Synthetic demonstration data.
    pub demo: bool,
}

/// Stores an import's report and stamps the edition as re-imported (so that cubes
/// built before it are rebuilt), inside the import's transaction. Returns the
/// report's id.
pub(super) async fn record_import(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    year: i64,
    report: &ImportReport,
) -> Result<i64> {
    let text = serde_json::to_string(report)
        .map_err(|e| DbError::Corrupt(format!("report not serialisable: {e}")))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO import_reports (edition, kind, finished_at, report) \
         VALUES ($1, $2, datetime('now'), $3) RETURNING id",
    )
    .bind(year)
    .bind(&report.kind)
    .bind(text)
    .fetch_one(&mut **tx)
    .await?;
    // Millisecond stamp: two imports in the same second still differ.
    sqlx::query(
        "UPDATE editions SET imported_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE year = $1",
    )
    .bind(year)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// An import report as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredReport {
    pub id: i64,
    pub finished_at: String,
    pub report: ImportReport,
}

const EDITION_COLUMNS: &str =
    "year, reference_date, sources, perimeter_rule_version, created_at, imported_at, demo";

impl Db {
    pub async fn editions(&self) -> Result<Vec<Edition>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {EDITION_COLUMNS} FROM editions ORDER BY year"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn edition(&self, year: i64) -> Result<Option<Edition>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {EDITION_COLUMNS} FROM editions WHERE year = $1"
        ))
        .bind(year)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Creates an empty edition; `Ok(false)` if it exists already.
    pub async fn create_edition(
        &self,
        year: i64,
        reference_date: &str,
        sources: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO editions (year, reference_date, sources, perimeter_rule_version, created_at) \
             VALUES ($1, $2, $3, $4, datetime('now')) ON CONFLICT (year) DO NOTHING",
        )
        .bind(year)
        .bind(reference_date)
        .bind(sources)
        .bind(PERIMETER_RULE_VERSION)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes an edition with its registry and reports; `Ok(false)` if unknown.
    pub async fn delete_edition(&self, year: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM editions WHERE year = $1")
            .bind(year)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces the registry of edition `year` in one transaction, creating the
    /// edition if needed: readers see the old registry or the new one, and an
    /// interrupted import leaves the old one.
    pub async fn replace_registry(
        &self,
        year: i64,
        reference_date: &str,
        sources: &str,
        demo: bool,
        data: &SireneEdition,
    ) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO editions (year, reference_date, sources, perimeter_rule_version, created_at, demo) \
             VALUES ($1, $2, $3, $4, datetime('now'), $5) \
             ON CONFLICT (year) DO UPDATE SET reference_date = excluded.reference_date, \
             sources = excluded.sources, perimeter_rule_version = excluded.perimeter_rule_version, \
             demo = excluded.demo",
        )
        .bind(year)
        .bind(reference_date)
        .bind(sources)
        .bind(PERIMETER_RULE_VERSION)
        .bind(demo)
        .execute(&mut *tx)
        .await?;
        for table in ["establishments", "economy_cells", "other_establishments"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE edition = $1"))
                .bind(year)
                .execute(&mut *tx)
                .await?;
        }
        for r in &data.establishments {
            sqlx::query(
                "INSERT INTO establishments (edition, siret, siren, name, enseigne, family, \
                 categorie_juridique, naf, naf_section, ess_group, size_band, jobs_estimate, employer, \
                 siege, creation_date, code_insee, rna, diffusion, protected, address, lon, lat, \
                 location_approximate, search_key) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
                 $18, $19, $20, $21, $22, $23, $24)",
            )
            .bind(year)
            .bind(&r.siret)
            .bind(&r.siren)
            .bind(&r.name)
            .bind(&r.enseigne)
            .bind(r.family.id())
            .bind(&r.categorie_juridique)
            .bind(&r.naf)
            .bind(&r.naf_section)
            .bind(&r.ess_group)
            .bind(&r.size_band)
            .bind(r.jobs_estimate)
            .bind(r.employer)
            .bind(r.siege)
            .bind(&r.creation_date)
            .bind(&r.code_insee)
            .bind(&r.rna)
            .bind(&r.diffusion)
            .bind(r.protected)
            .bind(&r.address)
            .bind(r.lon)
            .bind(r.lat)
            .bind(r.location_approximate)
            .bind(&r.search_key)
            .execute(&mut *tx)
            .await?;
        }
        for ((commune, section, band), cell) in &data.economy {
            sqlx::query(
                "INSERT INTO economy_cells (edition, code_insee, naf_section, size_band, \
                 establishments, employers, jobs_estimate) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(year)
            .bind(commune)
            .bind(section)
            .bind(band)
            .bind(cell.establishments as i64)
            .bind(cell.employers as i64)
            .bind(cell.jobs_estimate)
            .execute(&mut *tx)
            .await?;
        }
        // Many rows, few columns: batched, so that a département's ~100,000 non-ESS
        // establishments cost one statement per 500.
        for chunk in data.others.chunks(500) {
            let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO other_establishments (edition, siret, siren, rna, siege, code_insee, reason) ",
            );
            insert.push_values(chunk, |mut b, r| {
                b.push_bind(year)
                    .push_bind(&r.siret)
                    .push_bind(&r.siren)
                    .push_bind(&r.rna)
                    .push_bind(r.siege)
                    .push_bind(&r.code_insee)
                    .push_bind(r.reason);
            });
            insert.build().execute(&mut *tx).await?;
        }
        let id = record_import(&mut tx, year, &data.report).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Import reports of an edition, newest first.
    pub async fn import_reports(&self, year: i64) -> Result<Vec<StoredReport>> {
        sqlx::query("SELECT id, finished_at, report FROM import_reports WHERE edition = $1 ORDER BY id DESC")
            .bind(year)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let text: String = row.try_get("report")?;
                Ok(StoredReport {
                    id: row.try_get("id")?,
                    finished_at: row.try_get("finished_at")?,
                    report: serde_json::from_str(&text)
                        .map_err(|e| DbError::Corrupt(format!("import report: {e}")))?,
                })
            })
            .collect()
    }

    /// Number of ESS establishments stored for an edition.
    pub async fn establishment_count(&self, year: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM establishments WHERE edition = $1")
                .bind(year)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
