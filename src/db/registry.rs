//! SQL for editions, the ESS registry (establishments, and the non-ESS ones kept for
//! matching subsidies), the economy's aggregates and import reports.

use super::{Db, DbError, Field, Result, Tx};
use crate::ess::PERIMETER_RULE_VERSION;
use crate::records::ImportReport;
use crate::records::sirene::SireneEdition;
use serde::Serialize;

/// An edition (vintage) of the portrait.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(example = json!({"year": 2023, "reference_date": "2023-12-31", "sources": "INSEE SIRENE: StockUniteLegale_utf8.csv, StockEtablissement_utf8.csv", "perimeter_rule_version": "ess-perimetre-2026.1", "created_at": "2024-02-12 09:30:00", "imported_at": "2024-02-12T09:41:07.512Z", "demo": false, "subsidies_matched_at": null}))]
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
    /// When the edition's subsidies were last matched against its registry (their
    /// import, or a SIRENE re-import that matched them again), `AAAA-MM-JJ HH:MM:SS`
    /// UTC; `None` without subsidies.
    pub subsidies_matched_at: Option<String>,
}

/// Stores an import's report and stamps the edition as re-imported (so that cubes
/// built before it are rebuilt), inside the import's transaction. Returns the
/// report's id.
pub(super) async fn record_import(tx: &mut Tx, year: i64, report: &ImportReport) -> Result<i64> {
    let text = serde_json::to_string(report)
        .map_err(|e| DbError::Serialise(format!("an import report: {e}")))?;
    let id: i64 = on_tx!(tx, t => sqlx::query_scalar(
        "INSERT INTO import_reports (edition, kind, finished_at, report) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(year)
    .bind(&report.kind)
    .bind(super::sql_now())
    .bind(&text)
    .fetch_one(&mut **t)
    .await)?;
    on_tx!(tx, t => sqlx::query("UPDATE editions SET imported_at = $1 WHERE year = $2")
        .bind(super::stamp_now())
        .bind(year)
        .execute(&mut **t)
        .await.map(|_| ()))?;
    Ok(id)
}

/// An import report as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredReport {
    pub id: i64,
    pub finished_at: String,
    pub report: ImportReport,
}

const ESTABLISHMENT_COLUMNS: &str = "edition, siret, siren, name, enseigne, family, \
     categorie_juridique, naf, naf_section, ess_group, size_band, jobs_estimate, employer, siege, \
     creation_date, code_insee, rna, diffusion, protected, address, lon, lat, location_approximate, \
     search_key";

/// SQLite: the tables an import stages its rows in, on its own connection, before
/// the write transaction (see [`stage_sqlite`]).
const STAGED_TABLES: [&str; 3] = ["establishments", "economy_cells", "other_establishments"];

static ESTABLISHMENT_STAGE_ONE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let placeholders: Vec<String> = (1..=24).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO temp.stage_establishments ({ESTABLISHMENT_COLUMNS}) VALUES ({})",
        placeholders.join(", ")
    )
});

/// Binds the 23 fields of an establishment after its edition, in the column order of
/// [`ESTABLISHMENT_COLUMNS`].
macro_rules! bind_establishment {
    ($q:expr, $r:expr) => {
        $q.bind(&$r.siret)
            .bind(&$r.siren)
            .bind(&$r.name)
            .bind(&$r.enseigne)
            .bind($r.family.id())
            .bind(&$r.categorie_juridique)
            .bind(&$r.naf)
            .bind(&$r.naf_section)
            .bind(&$r.ess_group)
            .bind(&$r.size_band)
            .bind($r.jobs_estimate)
            .bind($r.employer)
            .bind($r.siege)
            .bind(&$r.creation_date)
            .bind(&$r.code_insee)
            .bind(&$r.rna)
            .bind(&$r.diffusion)
            .bind($r.protected)
            .bind(&$r.address)
            .bind($r.lon)
            .bind($r.lat)
            .bind($r.location_approximate)
            .bind(&$r.search_key)
    };
}

/// SQLite: writes an edition's rows into TEMP tables of `conn` (`stage_<table>`,
/// shaped like the real ones), in a transaction that touches only the connection's
/// temporary database: it takes no lock on the atlas's file, so staff keep writing
/// while the thousands of rows go in one by one. The registry's write transaction
/// then copies them with one `INSERT … SELECT` per table, inside SQLite, which is
/// what keeps the write lock short (issue 18).
async fn stage_sqlite(
    conn: &mut sqlx::SqliteConnection,
    year: i64,
    data: &SireneEdition,
) -> Result<()> {
    use sqlx::Connection;
    for table in STAGED_TABLES {
        // Left by an import that failed on this connection: start clean.
        sqlx::query(&format!("DROP TABLE IF EXISTS temp.stage_{table}"))
            .execute(&mut *conn)
            .await?;
        sqlx::query(&format!(
            "CREATE TEMP TABLE stage_{table} AS SELECT * FROM main.{table} WHERE 0"
        ))
        .execute(&mut *conn)
        .await?;
    }
    let mut t = conn.begin().await?;
    // One prepared statement per row: the fastest way into SQLite.
    for r in &data.establishments {
        let q = sqlx::query(&ESTABLISHMENT_STAGE_ONE).bind(year);
        bind_establishment!(q, r).execute(&mut *t).await?;
    }
    for (key, cell) in &data.economy {
        sqlx::query(
            "INSERT INTO temp.stage_economy_cells (edition, code_insee, naf_section, size_band, \
             protected, establishments, employers, jobs_estimate) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(year)
        .bind(&key.code_insee)
        .bind(&key.naf_section)
        .bind(&key.size_band)
        .bind(key.protected)
        .bind(cell.establishments as i64)
        .bind(cell.employers as i64)
        .bind(cell.jobs_estimate)
        .execute(&mut *t)
        .await?;
    }
    // Many rows, few columns: batched, so that a département's ~100,000 non-ESS
    // establishments cost one statement per 500.
    for chunk in data.others.chunks(500) {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO temp.stage_other_establishments \
             (edition, siret, siren, rna, siege, code_insee, reason) ",
        );
        insert.push_values(chunk, |mut b, r| {
            b.push_bind(year)
                .push_bind(r.siret.as_str())
                .push_bind(r.siret.siren())
                .push_bind(r.rna.as_deref())
                .push_bind(r.siege)
                .push_bind(&*r.code_insee)
                .push_bind(r.reason);
        });
        insert.build().execute(&mut *t).await?;
    }
    t.commit().await?;
    Ok(())
}

const EDITION_COLUMNS: &str = "year, reference_date, sources, perimeter_rule_version, created_at, imported_at, demo, \
     (SELECT MAX(r.finished_at) FROM import_reports r \
      WHERE r.edition = editions.year AND r.kind = 'subventions') AS subsidies_matched_at";

impl Db {
    pub async fn editions(&self) -> Result<Vec<Edition>> {
        let sql = format!("SELECT {EDITION_COLUMNS} FROM editions ORDER BY year");
        Ok(on_pool!(self, p => sqlx::query_as(&sql).fetch_all(p).await)?)
    }

    /// Edition `year`, or the latest one when `year` is `None`: what every reader of
    /// an edition (API, documents, command line) resolves a request's edition with.
    pub async fn edition_or_latest(&self, year: Option<i64>) -> Result<Option<Edition>> {
        match year {
            Some(y) => self.edition(y).await,
            None => Ok(self.editions().await?.pop()),
        }
    }

    pub async fn edition(&self, year: i64) -> Result<Option<Edition>> {
        let sql = format!("SELECT {EDITION_COLUMNS} FROM editions WHERE year = $1");
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(year).fetch_optional(p).await)?)
    }

    /// Creates an empty edition; `Ok(false)` if it exists already.
    pub async fn create_edition(
        &self,
        year: i64,
        reference_date: &str,
        sources: &str,
    ) -> Result<bool> {
        let done = on_pool!(self, p => sqlx::query(
            "INSERT INTO editions (year, reference_date, sources, perimeter_rule_version, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (year) DO NOTHING",
        )
        .bind(year)
        .bind(reference_date)
        .bind(sources)
        .bind(PERIMETER_RULE_VERSION)
        .bind(super::sql_now())
        .execute(p)
        .await
        .map(|d| d.rows_affected()))?;
        self.editions_written();
        Ok(done == 1)
    }

    /// Deletes an edition with its registry and reports; `Ok(false)` if unknown.
    /// Refused with [`DbError::EditionHasWork`] while staff wrote portraits,
    /// orientations or actions for it (checked in the deleting transaction).
    pub async fn delete_edition(&self, year: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let work = super::portraits::edition_work_in(&mut tx, year).await?;
        if !work.is_empty() {
            return Err(DbError::EditionHasWork(work));
        }
        let done = on_tx!(&mut tx, t => sqlx::query("DELETE FROM editions WHERE year = $1")
            .bind(year)
            .execute(&mut **t)
            .await
            .map(|d| d.rows_affected()))?;
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Replaces the registry of edition `year` in one transaction, creating the
    /// edition if needed: readers see the old registry or the new one, and an
    /// interrupted import leaves the old one. With `rematch`, the edition's subsidy
    /// lines (if any) are matched again against the new registry and replaced in the
    /// same transaction, with the report it returns: no figure keeps a match made
    /// against the registry being replaced.
    #[allow(clippy::too_many_lines)] // one transaction replaces an edition, per backend: its steps read in order
    pub async fn replace_registry(
        &self,
        year: i64,
        reference_date: &str,
        sources: &str,
        demo: bool,
        data: &SireneEdition,
        rematch: Option<super::subsidies::Rematch<'_>>,
    ) -> Result<i64> {
        let started = std::time::Instant::now();
        let mut tx = match &self.pool {
            super::Pool::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                stage_sqlite(&mut conn, year, data).await?;
                self.begin_on(conn).await?
            }
            super::Pool::Postgres(_) => self.begin().await?,
        };
        // From here to the commit, other writers wait (SQLite) — what operators
        // watch when imports run during the day.
        let locked = std::time::Instant::now();
        let staged_ms = (locked - started).as_millis();
        let now = super::sql_now();
        on_tx!(&mut tx, t => sqlx::query(
            "INSERT INTO editions (year, reference_date, sources, perimeter_rule_version, created_at, demo) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (year) DO UPDATE SET reference_date = excluded.reference_date, \
             sources = excluded.sources, perimeter_rule_version = excluded.perimeter_rule_version, \
             demo = excluded.demo",
        )
        .bind(year)
        .bind(reference_date)
        .bind(sources)
        .bind(PERIMETER_RULE_VERSION)
        .bind(&now)
        .bind(demo)
        .execute(&mut **t)
        .await.map(|_| ()))?;
        for table in ["establishments", "economy_cells", "other_establishments"] {
            on_tx!(&mut tx, t => sqlx::query(&format!("DELETE FROM {table} WHERE edition = $1"))
                .bind(year)
                .execute(&mut **t)
                .await.map(|_| ()))?;
        }
        match &mut tx {
            // Staged on this connection before the transaction: copied inside SQLite.
            Tx::Sqlite(t, _) => {
                for table in STAGED_TABLES {
                    sqlx::query(&format!(
                        "INSERT INTO main.{table} SELECT * FROM temp.stage_{table}"
                    ))
                    .execute(&mut **t)
                    .await?;
                    sqlx::query(&format!("DROP TABLE temp.stage_{table}"))
                        .execute(&mut **t)
                        .await?;
                }
            }
            // A round trip per row (or per chunk) would dominate on a server: one
            // COPY stream per table.
            Tx::Postgres(t, _) => {
                super::copy::copy_rows(
                    t,
                    &format!(
                        "COPY establishments ({ESTABLISHMENT_COLUMNS}) FROM STDIN (FORMAT csv)"
                    ),
                    &data.establishments,
                    |w, r| {
                        w.int(year)
                            .text(&r.siret)
                            .text(&r.siren)
                            .text(&r.name)
                            .opt_text(r.enseigne.as_deref())
                            .text(r.family.id())
                            .text(&r.categorie_juridique)
                            .opt_text(r.naf.as_deref())
                            .opt_text(r.naf_section.as_deref())
                            .opt_text(r.ess_group.as_deref())
                            .opt_text(r.size_band.as_deref())
                            .float(r.jobs_estimate)
                            .boolean(r.employer)
                            .boolean(r.siege)
                            .opt_text(r.creation_date.as_deref())
                            .text(&r.code_insee)
                            .opt_text(r.rna.as_deref())
                            .text(&r.diffusion)
                            .boolean(r.protected)
                            .opt_text(r.address.as_deref())
                            .opt_float(r.lon)
                            .opt_float(r.lat)
                            .boolean(r.location_approximate)
                            .text(&r.search_key);
                    },
                )
                .await?;
                super::copy::copy_rows(
                    t,
                    "COPY economy_cells (edition, code_insee, naf_section, size_band, \
                     protected, establishments, employers, jobs_estimate) FROM STDIN (FORMAT csv)",
                    &data.economy,
                    |w, (key, cell)| {
                        w.int(year)
                            .text(&key.code_insee)
                            .text(&key.naf_section)
                            .text(&key.size_band)
                            .boolean(key.protected)
                            .int(cell.establishments as i64)
                            .int(cell.employers as i64)
                            .float(cell.jobs_estimate);
                    },
                )
                .await?;
                super::copy::copy_rows(
                    t,
                    "COPY other_establishments (edition, siret, siren, rna, siege, code_insee, \
                     reason) FROM STDIN (FORMAT csv)",
                    &data.others,
                    |w, r| {
                        w.int(year)
                            .text(r.siret.as_str())
                            .text(r.siret.siren())
                            .opt_text(r.rna.as_deref())
                            .boolean(r.siege)
                            .text(&r.code_insee)
                            .text(r.reason);
                    },
                )
                .await?;
            }
        }
        let id = record_import(&mut tx, year, &data.report).await?;
        if let Some(rematch) = rematch {
            let lines = super::subsidies::stored_lines(&mut tx, year).await?;
            if !lines.is_empty() {
                let (matched, report) = rematch(lines);
                super::subsidies::write_lines(&mut tx, year, &matched).await?;
                record_import(&mut tx, year, &report).await?;
            }
        }
        tx.commit().await?;
        tracing::info!(
            edition = year,
            establishments = data.establishments.len(),
            staged_ms,
            write_ms = locked.elapsed().as_millis(),
            "registry replaced"
        );
        Ok(id)
    }

    /// Import reports of an edition, newest first.
    pub async fn import_reports(&self, year: i64) -> Result<Vec<StoredReport>> {
        on_pool!(self, p => sqlx::query(
            "SELECT id, finished_at, report FROM import_reports WHERE edition = $1 ORDER BY id DESC",
        )
        .bind(year)
        .fetch_all(p)
        .await?
        .iter()
        .map(|row| {
            let text: String = row.field("report")?;
            Ok(StoredReport {
                id: row.field("id")?,
                finished_at: row.field("finished_at")?,
                report: serde_json::from_str(&text)
                    .map_err(|e| DbError::Stored(format!("import report: {e}")))?,
            })
        })
        .collect())
    }

    /// Number of ESS establishments stored for an edition.
    pub async fn establishment_count(&self, year: i64) -> Result<i64> {
        Ok(on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM establishments WHERE edition = $1"
        )
        .bind(year)
        .fetch_one(p)
        .await)?)
    }
}
