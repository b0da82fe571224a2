//! SQL for portraits and their workflow steps, and the append-only history
//! (`changes`) every mutation writes in its own transaction (orientations and actions
//! are `plans.rs`', on the same history).
//!
//! Nothing is overwritten without a trace: each mutation stores the entity before and
//! after it in `changes`; deleting an orientation or action only sets `deleted_at`.
//! Who may do what, and which workflow steps are valid, is decided by callers
//! (`portraits`, `api`); here, "published only" is the one visibility rule: an
//! orientation or action is public when its territory's portrait for its edition
//! is published.

use serde::Serialize;

use super::{Db, DbError, Field, Result, Tx};

/// Who makes a change.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: i64,
    pub username: &'a str,
}

/// A portrait as stored; `sections` is the JSON of the Markdown sources.
#[derive(Debug, Clone, Serialize)]
pub struct PortraitRow {
    pub territory: String,
    pub edition: i64,
    pub status: String,
    pub sections: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: Option<String>,
}

/// One workflow step.
#[derive(Debug, Clone, Serialize)]
pub struct TransitionRow {
    pub from_status: String,
    pub to_status: String,
    pub username: String,
    pub at: String,
    pub body: Option<String>,
    pub decision_ref: Option<String>,
    pub comment: Option<String>,
}

/// One entry of the history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChangeRow {
    pub id: i64,
    pub entity: String,
    pub entity_id: String,
    pub operation: String,
    pub username: String,
    pub at: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// One workflow step to record.
#[derive(Debug, Clone, Copy)]
pub struct StepRecord<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub body: Option<&'a str>,
    pub decision_ref: Option<&'a str>,
    pub comment: Option<&'a str>,
}

/// Outcome of saving a portrait's sections.
#[derive(Debug)]
pub enum SaveOutcome {
    Saved(PortraitRow),
    /// Only a draft can be edited; this is its current status.
    NotDraft(String),
}

pub(super) const PUBLISHED: &str = "EXISTS (SELECT 1 FROM portraits p WHERE p.territory = o.territory \
                         AND p.edition = o.edition AND p.status = 'publie')";

pub(super) fn json_text<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| DbError::Serialise(format!("a history entry: {e}")))
}

pub(super) fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| DbError::Stored(format!("{what}: {e}")))
}

fn portrait_from_row(row: &impl Field) -> Result<PortraitRow> {
    Ok(PortraitRow {
        territory: row.field("territory")?,
        edition: row.field("edition")?,
        status: row.field("status")?,
        sections: parse_json(&row.field::<String>("sections")?, "portrait sections")?,
        created_at: row.field("created_at")?,
        updated_at: row.field("updated_at")?,
        updated_by: row.field("updated_by")?,
    })
}

const PORTRAIT_SELECT: &str = "SELECT p.territory, p.edition, p.status, p.sections, p.created_at, \
     p.updated_at, u.username AS updated_by FROM portraits p LEFT JOIN users u ON u.id = p.updated_by";

pub(super) async fn record_change<B: Serialize, A: Serialize>(
    tx: &mut Tx,
    actor: Actor<'_>,
    entity: &str,
    entity_id: &str,
    operation: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    let before = before.map(json_text).transpose()?;
    let after = after.map(json_text).transpose()?;
    on_tx!(tx, t => sqlx::query(
        "INSERT INTO changes (entity, entity_id, operation, user_id, username, at, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entity)
    .bind(entity_id)
    .bind(operation)
    .bind(actor.user_id)
    .bind(actor.username)
    .bind(crate::time::now_utc())
    .bind(before)
    .bind(after)
    .execute(&mut **t)
    .await.map(|_| ()))?;
    Ok(())
}

/// History entries that change no document (SQL condition on `changes`): a public
/// contribution received, confirmed or anonymised (only accepted ones are shown, by
/// organisation, never by name), a partner's proposal received (only accepted ones
/// are credited). Left out of [`Db::last_change`], so that the public's writes do not
/// empty the fiches' cache; their moderation and decision do count.
const UNSEEN_CHANGES: &str = "(entity = 'contribution' \
     AND operation IN ('create', 'confirm', 'anonymise')) \
     OR (entity = 'proposition' AND operation = 'create')";

impl Db {
    /// The newest entry of the history that may change a document, 0 when there is
    /// none. Every write of a portrait, a workflow step (publication included), an
    /// orientation or an action, a moderation or a decision adds one, so the number
    /// changes whenever what a fiche shows of the plans and their co-construction
    /// does; the public's contributions do not (`UNSEEN_CHANGES`).
    pub async fn last_change(&self) -> Result<i64> {
        // Newest first along the primary key, the first entry that may change a
        // document: both backends stop at it.
        let id: Option<i64> = on_pool!(self, p => sqlx::query_scalar(&format!(
            "SELECT CAST(id AS BIGINT) FROM changes WHERE NOT ({UNSEEN_CHANGES}) \
             ORDER BY id DESC LIMIT 1"
        ))
        .fetch_optional(p)
        .await)?;
        Ok(id.unwrap_or(0))
    }
}

/// History key of a portrait.
#[must_use]
pub fn portrait_key(territory: &str, edition: i64) -> String {
    format!("{territory}/{edition}")
}

pub(super) async fn portrait_in(
    tx: &mut Tx,
    territory: &str,
    edition: i64,
) -> Result<Option<PortraitRow>> {
    on_tx!(tx, t => sqlx::query(&format!(
        "{PORTRAIT_SELECT} WHERE p.territory = $1 AND p.edition = $2"
    ))
    .bind(territory)
    .bind(edition)
    .fetch_optional(&mut **t)
    .await?
    .as_ref()
    .map(portrait_from_row)
    .transpose())
}

/// Creates the draft portrait, or replaces the sections of the draft `before` (read in
/// `tx` by the caller, who checked it is a draft), recording the change.
pub(super) async fn write_sections_in(
    tx: &mut Tx,
    actor: Actor<'_>,
    territory: &str,
    edition: i64,
    sections: &serde_json::Value,
    before: Option<&PortraitRow>,
) -> Result<PortraitRow> {
    let now = crate::time::now_utc();
    on_tx!(tx, t => sqlx::query(
            "INSERT INTO portraits (territory, edition, status, sections, created_at, updated_at, updated_by) \
             VALUES ($1, $2, 'brouillon', $3, $4, $4, $5) \
             ON CONFLICT (territory, edition) DO UPDATE SET sections = excluded.sections, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(territory)
        .bind(edition)
        .bind(json_text(sections)?)
        .bind(&now)
        .bind(actor.user_id)
        .execute(&mut **t)
        .await.map(|_| ()))?;
    let after = portrait_in(tx, territory, edition)
        .await?
        .ok_or_else(|| DbError::Vanished("portrait"))?;
    let operation = if before.is_some() { "update" } else { "create" };
    record_change(
        tx,
        actor,
        "portrait",
        &portrait_key(territory, edition),
        operation,
        before.as_ref().map(|p| &p.sections),
        Some(&after.sections),
    )
    .await?;
    Ok(after)
}

/// What staff and partners wrote for an edition: the portraits (by territory), the
/// orientations and their actions, soft-deleted ones included (the history names
/// them), its consultations, partners' and the CDESS's proposals. An edition holding any of it is
/// not deleted: they would be orphaned with their history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditionWork {
    pub year: i64,
    /// Territory codes of the edition's portraits, in order.
    pub portraits: Vec<String>,
    pub orientations: i64,
    pub actions: i64,
    pub consultations: i64,
    pub proposals: i64,
}

impl EditionWork {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.portraits.is_empty()
            && self.orientations == 0
            && self.actions == 0
            && self.consultations == 0
            && self.proposals == 0
    }
}

impl std::fmt::Display for EditionWork {
    /// French, for the staff who asked to delete the edition.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn count(n: i64, word: &str) -> String {
            format!("{n} {word}{}", if n > 1 { "s" } else { "" })
        }
        let mut parts = Vec::new();
        if !self.portraits.is_empty() {
            parts.push(format!(
                "{} ({})",
                count(self.portraits.len() as i64, "portrait"),
                self.portraits.join(", ")
            ));
        }
        if self.orientations > 0 {
            parts.push(count(self.orientations, "orientation"));
        }
        if self.actions > 0 {
            parts.push(count(self.actions, "action"));
        }
        if self.consultations > 0 {
            parts.push(count(self.consultations, "consultation"));
        }
        if self.proposals > 0 {
            parts.push(format!(
                "{} (partenaires, CDESS)",
                count(self.proposals, "proposition")
            ));
        }
        write!(
            f,
            "l'édition {} n'est pas supprimée : elle porte le travail rédigé par l'équipe, {}, \
             que la suppression laisserait orphelin avec son historique. Pour remplacer ses \
             données, importez à nouveau ses fichiers : le travail rédigé est conservé",
            self.year,
            parts.join(", ")
        )
    }
}

/// [`EditionWork`] of `year`, read inside `tx`.
pub(super) async fn edition_work_in(tx: &mut Tx, year: i64) -> Result<EditionWork> {
    let portraits: Vec<String> = on_tx!(tx, t => sqlx::query_scalar(
        "SELECT territory FROM portraits WHERE edition = $1 ORDER BY territory",
    )
    .bind(year)
    .fetch_all(&mut **t)
    .await)?;
    let orientations: i64 = on_tx!(tx, t => sqlx::query_scalar(
        "SELECT COUNT(*) FROM orientations WHERE edition = $1",
    )
    .bind(year)
    .fetch_one(&mut **t)
    .await)?;
    let actions: i64 = on_tx!(tx, t => sqlx::query_scalar(
        "SELECT COUNT(*) FROM actions a JOIN orientations o ON o.id = a.orientation_id \
         WHERE o.edition = $1",
    )
    .bind(year)
    .fetch_one(&mut **t)
    .await)?;
    let consultations: i64 = on_tx!(tx, t => sqlx::query_scalar(
        "SELECT COUNT(*) FROM consultations WHERE edition = $1",
    )
    .bind(year)
    .fetch_one(&mut **t)
    .await)?;
    let proposals: i64 = on_tx!(tx, t => sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM partner_proposals WHERE edition = $1) \
         + (SELECT COUNT(*) FROM cdess_proposals WHERE edition = $1 AND deleted_at IS NULL)",
    )
    .bind(year)
    .fetch_one(&mut **t)
    .await)?;
    Ok(EditionWork {
        year,
        portraits,
        orientations,
        actions,
        consultations,
        proposals,
    })
}

impl Db {
    pub async fn portrait(&self, territory: &str, edition: i64) -> Result<Option<PortraitRow>> {
        let mut tx = self.begin_read().await?;
        portrait_in(&mut tx, territory, edition).await
    }

    /// Portraits, newest edition first.
    pub async fn portraits(
        &self,
        territory: Option<&str>,
        edition: Option<i64>,
        published_only: bool,
    ) -> Result<Vec<PortraitRow>> {
        on_pool!(self, p => sqlx::query(&format!(
            "{PORTRAIT_SELECT} WHERE ($1 IS NULL OR p.territory = $1) AND ($2 IS NULL OR p.edition = $2) \
             AND (NOT $3 OR p.status = 'publie') ORDER BY p.edition DESC, p.territory"
        ))
        .bind(territory)
        .bind(edition)
        .bind(published_only)
        .fetch_all(p)
        .await?
            .iter()
            .map(portrait_from_row)
            .collect())
    }

    /// Creates the portrait as a draft, or replaces the sections of a draft.
    pub async fn save_portrait(
        &self,
        actor: Actor<'_>,
        territory: &str,
        edition: i64,
        sections: &serde_json::Value,
    ) -> Result<SaveOutcome> {
        let mut tx = self.begin().await?;
        let before = portrait_in(&mut tx, territory, edition).await?;
        if let Some(b) = &before
            && b.status != "brouillon"
        {
            return Ok(SaveOutcome::NotDraft(b.status.clone()));
        }
        let after = write_sections_in(
            &mut tx,
            actor,
            territory,
            edition,
            sections,
            before.as_ref(),
        )
        .await?;
        tx.commit().await?;
        Ok(SaveOutcome::Saved(after))
    }

    /// Moves a portrait from `from` to `to`, recording the step and the change.
    /// `Ok(false)` when the portrait is no longer at `from` (a concurrent step).
    pub async fn transition_portrait(
        &self,
        actor: Actor<'_>,
        territory: &str,
        edition: i64,
        step: StepRecord<'_>,
    ) -> Result<bool> {
        let StepRecord {
            from,
            to,
            body,
            decision_ref,
            comment,
        } = step;
        let mut tx = self.begin().await?;
        let now = crate::time::now_utc();
        let done = on_tx!(&mut tx, t => sqlx::query(
            "UPDATE portraits SET status = $1, updated_at = $2, updated_by = $3 \
             WHERE territory = $4 AND edition = $5 AND status = $6",
        )
        .bind(to)
        .bind(&now)
        .bind(actor.user_id)
        .bind(territory)
        .bind(edition)
        .bind(from)
        .execute(&mut **t)
        .await.map(|d| d.rows_affected()))?;
        if done != 1 {
            return Ok(false);
        }
        on_tx!(&mut tx, t => sqlx::query(
            "INSERT INTO portrait_transitions (territory, edition, from_status, to_status, user_id, at, \
             body, decision_ref, comment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(territory)
        .bind(edition)
        .bind(from)
        .bind(to)
        .bind(actor.user_id)
        .bind(&now)
        .bind(body)
        .bind(decision_ref)
        .bind(comment)
        .execute(&mut **t)
        .await.map(|_| ()))?;
        let step = serde_json::json!({
            "status": to, "body": body, "decision_ref": decision_ref, "comment": comment,
        });
        record_change(
            &mut tx,
            actor,
            "portrait",
            &portrait_key(territory, edition),
            "transition",
            Some(&serde_json::json!({ "status": from })),
            Some(&step),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Workflow steps of a portrait, oldest first.
    pub async fn portrait_transitions(
        &self,
        territory: &str,
        edition: i64,
    ) -> Result<Vec<TransitionRow>> {
        on_pool!(self, p => sqlx::query(
            "SELECT t.from_status, t.to_status, u.username, t.at, t.body, t.decision_ref, t.comment \
             FROM portrait_transitions t JOIN users u ON u.id = t.user_id \
             WHERE t.territory = $1 AND t.edition = $2 ORDER BY t.id",
        )
        .bind(territory)
        .bind(edition)
        .fetch_all(p)
        .await?
        .iter()
            .map(|r| {
                Ok(TransitionRow {
                    from_status: r.field("from_status")?,
                    to_status: r.field("to_status")?,
                    username: r.field("username")?,
                    at: r.field("at")?,
                    body: r.field("body")?,
                    decision_ref: r.field("decision_ref")?,
                    comment: r.field("comment")?,
                })
            })
            .collect::<Result<Vec<_>>>())
    }

    /// History of one entity (`portrait` with `ARR/2023`, `orientation` or `action`
    /// with its id), oldest first; every entity when `entity_id` is `None`.
    pub async fn changes(
        &self,
        entity: Option<&str>,
        entity_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ChangeRow>> {
        let mut out = on_pool!(self, p => sqlx::query(
            "SELECT id, entity, entity_id, operation, username, at, before, after FROM changes \
             WHERE ($1 IS NULL OR entity = $1) AND ($2 IS NULL OR entity_id = $2) \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(entity)
        .bind(entity_id)
        .bind(limit)
        .fetch_all(p)
        .await?
        .iter()
            .map(|r| {
                let json = |col: &str| -> Result<Option<serde_json::Value>> {
                    r.field::<Option<String>>(col)?
                        .map(|t| parse_json(&t, "change"))
                        .transpose()
                };
                Ok(ChangeRow {
                    id: r.field("id")?,
                    entity: r.field("entity")?,
                    entity_id: r.field("entity_id")?,
                    operation: r.field("operation")?,
                    username: r.field("username")?,
                    at: r.field("at")?,
                    before: json("before")?,
                    after: json("after")?,
                })
            })
            .collect::<Result<Vec<_>>>())?;
        out.reverse();
        Ok(out)
    }
}
