//! SQL for what the documents say of the portrait's co-construction (issue 20): the
//! accepted contributions of a territory's consultations, with the organisation the
//! registry recognises by SIRET, and the CDESS's proposals for the département's plan.
//!
//! Only accepted contributions are read here, and never an author's name, e-mail or
//! client address: the fiches and the compendium name organisations, not people. A
//! SIRET is recognised only for a public establishment of the consultation's edition
//! (a protected one is never named, BRIEF rule 5).
//!
//! The CDESS's proposals are recorded by a chargé de mission; deleting one only sets
//! `deleted_at`; every change is in the append-only history (`changes`).

use serde::{Deserialize, Serialize};

use super::portraits::{Actor, record_change};
use super::{Db, DbError, Field, Result, Tx};

/// An accepted contribution as the documents use it: its consultation and the
/// organisation it speaks for.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptedContribution {
    pub consultation_id: i64,
    /// The organisation as its author typed it (may be empty).
    pub organisation: String,
    /// The establishment's name and family when the registry recognises its SIRET.
    pub registry_name: Option<String>,
    pub family: Option<String>,
}

/// A CDESS proposal as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": 3, "edition": 2023, "session_on": "2024-06-12",
    "title": "Fonds départemental d'amorçage", "body": "Un fonds pour les **jeunes** structures.",
    "orientation_id": null, "created_at": "2024-06-14T09:30:00Z", "created_by": "claire"}))]
pub struct CdessProposalRow {
    pub id: i64,
    pub edition: i64,
    /// `AAAA-MM-JJ`: the CDESS session that adopted it.
    pub session_on: String,
    pub title: String,
    pub body: String,
    /// The département's orientation it concerns.
    pub orientation_id: Option<i64>,
    pub created_at: String,
    /// Who recorded it.
    pub created_by: Option<String>,
}

/// What recording a CDESS proposal sets (the caller has checked it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewCdessProposal {
    pub edition: i64,
    pub session_on: String,
    pub title: String,
    pub body: String,
    pub orientation_id: Option<i64>,
}

const CDESS_SELECT: &str = "SELECT c.id, c.edition, c.session_on, c.title, c.body, \
     c.orientation_id, c.created_at, u.username AS created_by FROM cdess_proposals c \
     LEFT JOIN users u ON u.id = c.created_by";

fn cdess_from_row(row: &impl Field) -> Result<CdessProposalRow> {
    Ok(CdessProposalRow {
        id: row.field("id")?,
        edition: row.field("edition")?,
        session_on: row.field("session_on")?,
        title: row.field("title")?,
        body: row.field("body")?,
        orientation_id: row.field("orientation_id")?,
        created_at: row.field("created_at")?,
        created_by: row.field("created_by")?,
    })
}

async fn cdess_in(tx: &mut Tx, id: i64) -> Result<Option<CdessProposalRow>> {
    on_tx!(tx, t => sqlx::query(&format!(
        "{CDESS_SELECT} WHERE c.id = $1 AND c.deleted_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(&mut **t)
    .await?
    .as_ref()
    .map(cdess_from_row)
    .transpose())
}

/// Records a CDESS proposal inside `tx` (the demonstration data write theirs in the
/// start-up's transaction).
pub(super) async fn add_cdess_in(
    tx: &mut Tx,
    actor: Actor<'_>,
    p: &NewCdessProposal,
) -> Result<CdessProposalRow> {
    let id: i64 = on_tx!(tx, t => sqlx::query_scalar(
        "INSERT INTO cdess_proposals (edition, session_on, title, body, orientation_id, \
         created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(p.edition)
    .bind(&p.session_on)
    .bind(&p.title)
    .bind(&p.body)
    .bind(p.orientation_id)
    .bind(crate::time::now_utc())
    .bind(actor.user_id)
    .fetch_one(&mut **t)
    .await)?;
    let row = cdess_in(tx, id)
        .await?
        .ok_or(DbError::Vanished("cdess proposal"))?;
    record_change::<(), _>(
        tx,
        actor,
        "cdess_proposal",
        &id.to_string(),
        "create",
        None,
        Some(&row),
    )
    .await?;
    Ok(row)
}

impl Db {
    /// Accepted contributions of `territory`'s consultations of `edition`, by
    /// consultation then id; with the registry's name and family of the public
    /// establishment whose SIRET the author gave.
    pub async fn accepted_contributions(
        &self,
        territory: &str,
        edition: i64,
    ) -> Result<Vec<AcceptedContribution>> {
        on_pool!(self, p => sqlx::query(
            "SELECT c.consultation_id, c.organisation, e.name AS registry_name, \
             e.family FROM contributions c JOIN consultations k ON k.id = c.consultation_id \
             LEFT JOIN establishments e ON e.edition = k.edition AND e.siret = c.siret \
             AND NOT e.protected \
             WHERE k.territory = $1 AND k.edition = $2 AND c.status = 'acceptee' \
             ORDER BY c.consultation_id, c.id",
        )
        .bind(territory)
        .bind(edition)
        .fetch_all(p)
        .await?
        .iter()
        .map(|row| {
            Ok(AcceptedContribution {
                consultation_id: row.field("consultation_id")?,
                organisation: row.field("organisation")?,
                registry_name: row.field("registry_name")?,
                family: row.field("family")?,
            })
        })
        .collect())
    }

    /// The CDESS's proposals, by session then id; of one edition when given.
    pub async fn cdess_proposals(&self, edition: Option<i64>) -> Result<Vec<CdessProposalRow>> {
        on_pool!(self, p => sqlx::query(&format!(
            "{CDESS_SELECT} WHERE c.deleted_at IS NULL AND ($1 IS NULL OR c.edition = $1) \
             ORDER BY c.edition, c.session_on, c.id"
        ))
        .bind(edition)
        .fetch_all(p)
        .await?
        .iter()
        .map(cdess_from_row)
        .collect())
    }

    /// Records a CDESS proposal, in the history under `actor`.
    pub async fn add_cdess_proposal(
        &self,
        actor: Actor<'_>,
        p: &NewCdessProposal,
    ) -> Result<CdessProposalRow> {
        let mut tx = self.begin().await?;
        let row = add_cdess_in(&mut tx, actor, p).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Deletes a CDESS proposal (sets `deleted_at`); `false` when there is none.
    pub async fn delete_cdess_proposal(&self, actor: Actor<'_>, id: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let Some(before) = cdess_in(&mut tx, id).await? else {
            return Ok(false);
        };
        on_tx!(&mut tx, t => sqlx::query(
            "UPDATE cdess_proposals SET deleted_at = $1 WHERE id = $2",
        )
        .bind(crate::time::now_utc())
        .bind(id)
        .execute(&mut **t)
        .await
        .map(|_| ()))?;
        record_change::<_, ()>(
            &mut tx,
            actor,
            "cdess_proposal",
            &id.to_string(),
            "delete",
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
