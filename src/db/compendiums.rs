//! Compendium generations (« recueils ») started by staff: their progress and, once
//! done, their PDF. Shared by every server instance on the database.

use super::{Db, Result};

/// A generation as stored, without its PDF.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CompendiumJobRow {
    pub id: String,
    pub edition: i64,
    pub status: String,
    pub done: i64,
    pub total: i64,
    pub error: Option<String>,
    pub started_at: String,
    pub updated_at: String,
}

/// How many generations are kept: starting one forgets the older ones.
const KEEP: i64 = 8;

impl Db {
    /// Records a new running generation and forgets all but the last 8.
    pub async fn insert_compendium_job(
        &self,
        id: &str,
        edition: i64,
        total: i64,
        started_by: &str,
        now: &str,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO compendium_jobs \
                 (id, edition, status, done, total, started_by, started_at, updated_at) \
                 VALUES ($1, $2, 'running', 0, $3, $4, $5, $5)",
            )
            .bind(id)
            .bind(edition)
            .bind(total)
            .bind(started_by)
            .bind(now)
            .execute(p)
            .await?;
            sqlx::query(
                "DELETE FROM compendium_jobs WHERE id NOT IN \
                 (SELECT id FROM compendium_jobs ORDER BY started_at DESC, id LIMIT $1)",
            )
            .bind(KEEP)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Progress of a running generation.
    pub async fn compendium_progress(
        &self,
        id: &str,
        done: i64,
        total: i64,
        now: &str,
    ) -> Result<()> {
        on_pool!(self, p => sqlx::query(
            "UPDATE compendium_jobs SET done = $2, total = $3, updated_at = $4 \
             WHERE id = $1 AND status = 'running'",
        )
        .bind(id)
        .bind(done)
        .bind(total)
        .bind(now)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The end of a generation: its PDF, or why it failed.
    pub async fn compendium_finished(
        &self,
        id: &str,
        outcome: std::result::Result<&[u8], &str>,
        now: &str,
    ) -> Result<()> {
        let (status, pdf, error) = match outcome {
            Ok(pdf) => ("done", Some(pdf), None),
            Err(e) => ("failed", None, Some(e)),
        };
        on_pool!(self, p => sqlx::query(
            "UPDATE compendium_jobs SET status = $2, done = CASE WHEN $2 = 'done' THEN total ELSE done END, \
             pdf = $3, error = $4, updated_at = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(pdf)
        .bind(error)
        .bind(now)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// A generation, without its PDF.
    pub async fn compendium_job(&self, id: &str) -> Result<Option<CompendiumJobRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, edition, status, done, total, error, started_at, updated_at \
             FROM compendium_jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await)?)
    }

    /// The PDF of a finished generation.
    pub async fn compendium_pdf(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let pdf: Option<Option<Vec<u8>>> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT pdf FROM compendium_jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await)?;
        Ok(pdf.flatten())
    }
}
