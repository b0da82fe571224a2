//! SQL for portraits and their workflow steps, orientations, actions, and the
//! append-only history (`changes`) every mutation writes in its own transaction.
//!
//! Nothing is overwritten without a trace: each mutation stores the entity before and
//! after it in `changes`; deleting an orientation or action only sets `deleted_at`.
//! Who may do what, and which workflow steps are valid, is decided by callers
//! (`portraits`, `api`); here, "published only" is the one visibility rule: an
//! orientation or action is public when its territory's portrait for its edition
//! is published.

use serde::{Deserialize, Serialize};

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

/// What a caller may set on an orientation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrientationFields {
    /// Territory code, or the département's code for a département-wide orientation.
    pub territory: String,
    pub edition: i64,
    pub period_start: i64,
    pub period_end: i64,
    pub title: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrientationRow {
    pub id: i64,
    #[serde(flatten)]
    pub fields: OrientationFields,
    pub created_at: String,
    pub updated_at: String,
}

/// Planned and actual budget of one year, euros.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetLine {
    pub year: i64,
    #[serde(default)]
    pub planned: Option<f64>,
    #[serde(default)]
    pub actual: Option<f64>,
}

fn default_status() -> String {
    "a_venir".to_owned()
}

/// What a caller may set on an action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionFields {
    pub orientation_id: i64,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// SIREN of the EPCI concerned.
    #[serde(default)]
    pub epci: Vec<String>,
    #[serde(default)]
    pub pilot: String,
    #[serde(default)]
    pub partners: Vec<String>,
    #[serde(default)]
    pub budgets: Vec<BudgetLine>,
    /// `a_venir`, `en_cours`, `realise`, `en_pause` or `abandonne`.
    #[serde(default = "default_status")]
    pub status: String,
    /// The plan's opération phare.
    #[serde(default)]
    pub flagship: bool,
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub end_date: Option<String>,
    /// Ids of linked indicators (see the indicator catalogue).
    #[serde(default)]
    pub indicators: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionRow {
    pub id: i64,
    /// Territory and edition of the action's orientation.
    pub territory: String,
    pub edition: i64,
    pub orientation_title: String,
    #[serde(flatten)]
    pub fields: ActionFields,
    pub created_at: String,
    pub updated_at: String,
}

/// Filter of orientation and action lists; `None` is "any".
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    pub territory: Option<String>,
    pub edition: Option<i64>,
    pub orientation: Option<i64>,
    pub epci: Option<String>,
    /// Only what belongs to a published portrait (the public's view).
    pub published_only: bool,
}

/// One entry of the history.
#[derive(Debug, Clone, Serialize)]
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

const PUBLISHED: &str = "EXISTS (SELECT 1 FROM portraits p WHERE p.territory = o.territory \
                         AND p.edition = o.edition AND p.status = 'publie')";

fn json_text<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| DbError::Corrupt(format!("not serialisable: {e}")))
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| DbError::Corrupt(format!("{what}: {e}")))
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

fn orientation_from_row(row: &impl Field) -> Result<OrientationRow> {
    Ok(OrientationRow {
        id: row.field("id")?,
        fields: OrientationFields {
            territory: row.field("territory")?,
            edition: row.field("edition")?,
            period_start: row.field("period_start")?,
            period_end: row.field("period_end")?,
            title: row.field("title")?,
            description: row.field("description")?,
        },
        created_at: row.field("created_at")?,
        updated_at: row.field("updated_at")?,
    })
}

fn action_from_row(row: &impl Field) -> Result<ActionRow> {
    Ok(ActionRow {
        id: row.field("id")?,
        territory: row.field("territory")?,
        edition: row.field("edition")?,
        orientation_title: row.field("orientation_title")?,
        fields: ActionFields {
            orientation_id: row.field("orientation_id")?,
            title: row.field("title")?,
            description: row.field("description")?,
            epci: parse_json(&row.field::<String>("epci")?, "action epci")?,
            pilot: row.field("pilot")?,
            partners: parse_json(&row.field::<String>("partners")?, "action partners")?,
            budgets: parse_json(&row.field::<String>("budgets")?, "action budgets")?,
            status: row.field("status")?,
            flagship: row.field("flagship")?,
            start_date: row.field("start_date")?,
            end_date: row.field("end_date")?,
            indicators: parse_json(&row.field::<String>("indicators")?, "action indicators")?,
        },
        created_at: row.field("created_at")?,
        updated_at: row.field("updated_at")?,
    })
}

const PORTRAIT_SELECT: &str = "SELECT p.territory, p.edition, p.status, p.sections, p.created_at, \
     p.updated_at, u.username AS updated_by FROM portraits p LEFT JOIN users u ON u.id = p.updated_by";

const ORIENTATION_SELECT: &str = "SELECT o.id, o.territory, o.edition, o.period_start, o.period_end, \
     o.title, o.description, o.created_at, o.updated_at FROM orientations o \
     WHERE o.deleted_at IS NULL";

const ACTION_SELECT: &str = "SELECT a.id, o.territory, o.edition, o.title AS orientation_title, \
     a.orientation_id, a.title, a.description, a.epci, a.pilot, a.partners, a.budgets, a.status, \
     a.flagship, a.start_date, a.end_date, a.indicators, a.created_at, a.updated_at \
     FROM actions a JOIN orientations o ON o.id = a.orientation_id \
     WHERE a.deleted_at IS NULL AND o.deleted_at IS NULL";

async fn record_change<B: Serialize, A: Serialize>(
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
    .bind(crate::now_utc())
    .bind(before)
    .bind(after)
    .execute(&mut **t)
    .await.map(|_| ()))?;
    Ok(())
}

/// History key of a portrait.
#[must_use]
pub fn portrait_key(territory: &str, edition: i64) -> String {
    format!("{territory}/{edition}")
}

async fn portrait_in(tx: &mut Tx, territory: &str, edition: i64) -> Result<Option<PortraitRow>> {
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

async fn orientation_in(tx: &mut Tx, id: i64) -> Result<Option<OrientationRow>> {
    on_tx!(tx, t => sqlx::query(&format!("{ORIENTATION_SELECT} AND o.id = $1"))
        .bind(id)
        .fetch_optional(&mut **t)
        .await?
        .as_ref()
        .map(orientation_from_row)
        .transpose())
}

async fn action_in(tx: &mut Tx, id: i64) -> Result<Option<ActionRow>> {
    on_tx!(tx, t => sqlx::query(&format!("{ACTION_SELECT} AND a.id = $1"))
        .bind(id)
        .fetch_optional(&mut **t)
        .await?
        .as_ref()
        .map(action_from_row)
        .transpose())
}

impl Db {
    pub async fn portrait(&self, territory: &str, edition: i64) -> Result<Option<PortraitRow>> {
        let mut tx = self.begin().await?;
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
        let now = crate::now_utc();
        on_tx!(&mut tx, t => sqlx::query(
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
        let after = portrait_in(&mut tx, territory, edition)
            .await?
            .ok_or_else(|| DbError::Corrupt("portrait vanished".into()))?;
        let operation = if before.is_some() { "update" } else { "create" };
        record_change(
            &mut tx,
            actor,
            "portrait",
            &portrait_key(territory, edition),
            operation,
            before.as_ref().map(|p| &p.sections),
            Some(&after.sections),
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
        let now = crate::now_utc();
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

    /// Orientations matching `filter`, by territory, edition, period and id.
    pub async fn orientations(&self, filter: &PlanFilter) -> Result<Vec<OrientationRow>> {
        on_pool!(self, p => sqlx::query(&format!(
            "{ORIENTATION_SELECT} AND ($1 IS NULL OR o.territory = $1) AND ($2 IS NULL OR o.edition = $2) \
             AND (NOT $3 OR {PUBLISHED}) ORDER BY o.territory, o.edition, o.period_start, o.id"
        ))
        .bind(filter.territory.as_deref())
        .bind(filter.edition)
        .bind(filter.published_only)
        .fetch_all(p)
        .await?
            .iter()
            .map(orientation_from_row)
            .collect())
    }

    pub async fn orientation(
        &self,
        id: i64,
        published_only: bool,
    ) -> Result<Option<OrientationRow>> {
        on_pool!(self, p => sqlx::query(&format!(
            "{ORIENTATION_SELECT} AND o.id = $1 AND (NOT $2 OR {PUBLISHED})"
        ))
        .bind(id)
        .bind(published_only)
        .fetch_optional(p)
        .await?
        .as_ref()
        .map(orientation_from_row)
        .transpose())
    }

    pub async fn create_orientation(
        &self,
        actor: Actor<'_>,
        f: &OrientationFields,
    ) -> Result<OrientationRow> {
        let mut tx = self.begin().await?;
        let now = crate::now_utc();
        let id: i64 = on_tx!(&mut tx, t => sqlx::query_scalar(
            "INSERT INTO orientations (territory, edition, period_start, period_end, title, description, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&f.territory)
        .bind(f.edition)
        .bind(f.period_start)
        .bind(f.period_end)
        .bind(&f.title)
        .bind(&f.description)
        .bind(&now)
        .fetch_one(&mut **t)
        .await)?;
        let after = orientation_in(&mut tx, id)
            .await?
            .ok_or_else(|| DbError::Corrupt("orientation vanished".into()))?;
        record_change::<(), _>(
            &mut tx,
            actor,
            "orientation",
            &id.to_string(),
            "create",
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Replaces an orientation's fields; `Ok(None)` when it does not exist.
    pub async fn update_orientation(
        &self,
        actor: Actor<'_>,
        id: i64,
        f: &OrientationFields,
    ) -> Result<Option<OrientationRow>> {
        let mut tx = self.begin().await?;
        let Some(before) = orientation_in(&mut tx, id).await? else {
            return Ok(None);
        };
        on_tx!(&mut tx, t => sqlx::query(
            "UPDATE orientations SET territory = $1, edition = $2, period_start = $3, period_end = $4, \
             title = $5, description = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&f.territory)
        .bind(f.edition)
        .bind(f.period_start)
        .bind(f.period_end)
        .bind(&f.title)
        .bind(&f.description)
        .bind(crate::now_utc())
        .bind(id)
        .execute(&mut **t)
        .await.map(|_| ()))?;
        let after = orientation_in(&mut tx, id)
            .await?
            .ok_or_else(|| DbError::Corrupt("orientation vanished".into()))?;
        record_change(
            &mut tx,
            actor,
            "orientation",
            &id.to_string(),
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(after))
    }

    /// Marks an orientation deleted (its actions disappear with it); `Ok(false)` when
    /// it does not exist.
    pub async fn delete_orientation(&self, actor: Actor<'_>, id: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let Some(before) = orientation_in(&mut tx, id).await? else {
            return Ok(false);
        };
        on_tx!(&mut tx, t => sqlx::query("UPDATE orientations SET deleted_at = $1 WHERE id = $2")
            .bind(crate::now_utc())
            .bind(id)
            .execute(&mut **t)
            .await.map(|_| ()))?;
        record_change::<_, ()>(
            &mut tx,
            actor,
            "orientation",
            &id.to_string(),
            "delete",
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Actions matching `filter`: flagship first, then by id.
    pub async fn actions(&self, filter: &PlanFilter) -> Result<Vec<ActionRow>> {
        // `epci` is a JSON array of SIREN, read with each dialect's JSON functions.
        let concerns = if self.is_postgres() {
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(CAST(a.epci AS jsonb)) AS e(value) \
             WHERE e.value = $4)"
        } else {
            "EXISTS (SELECT 1 FROM json_each(a.epci) WHERE json_each.value = $4)"
        };
        on_pool!(self, p => sqlx::query(&format!(
            "{ACTION_SELECT} AND ($1 IS NULL OR o.territory = $1) AND ($2 IS NULL OR o.edition = $2) \
             AND ($3 IS NULL OR a.orientation_id = $3) AND ($4 IS NULL OR {concerns}) \
             AND (NOT $5 OR {PUBLISHED}) ORDER BY o.territory, o.edition, a.orientation_id, a.flagship DESC, a.id"
        ))
        .bind(filter.territory.as_deref())
        .bind(filter.edition)
        .bind(filter.orientation)
        .bind(filter.epci.as_deref())
        .bind(filter.published_only)
        .fetch_all(p)
        .await?
            .iter()
            .map(action_from_row)
            .collect())
    }

    pub async fn action(&self, id: i64, published_only: bool) -> Result<Option<ActionRow>> {
        on_pool!(self, p => sqlx::query(&format!(
            "{ACTION_SELECT} AND a.id = $1 AND (NOT $2 OR {PUBLISHED})"
        ))
        .bind(id)
        .bind(published_only)
        .fetch_optional(p)
        .await?
        .as_ref()
        .map(action_from_row)
        .transpose())
    }

    pub async fn create_action(&self, actor: Actor<'_>, f: &ActionFields) -> Result<ActionRow> {
        let mut tx = self.begin().await?;
        let now = crate::now_utc();
        let id: i64 = on_tx!(&mut tx, t => sqlx::query_scalar(
            "INSERT INTO actions (orientation_id, title, description, epci, pilot, partners, budgets, \
             status, flagship, start_date, end_date, indicators, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
        )
        .bind(f.orientation_id)
        .bind(&f.title)
        .bind(&f.description)
        .bind(json_text(&f.epci)?)
        .bind(&f.pilot)
        .bind(json_text(&f.partners)?)
        .bind(json_text(&f.budgets)?)
        .bind(&f.status)
        .bind(f.flagship)
        .bind(f.start_date.as_deref())
        .bind(f.end_date.as_deref())
        .bind(json_text(&f.indicators)?)
        .bind(&now)
        .fetch_one(&mut **t)
        .await)?;
        let after = action_in(&mut tx, id)
            .await?
            .ok_or_else(|| DbError::Corrupt("action vanished".into()))?;
        record_change::<(), _>(
            &mut tx,
            actor,
            "action",
            &id.to_string(),
            "create",
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Replaces an action's fields; `Ok(None)` when it does not exist.
    pub async fn update_action(
        &self,
        actor: Actor<'_>,
        id: i64,
        f: &ActionFields,
    ) -> Result<Option<ActionRow>> {
        let mut tx = self.begin().await?;
        let Some(before) = action_in(&mut tx, id).await? else {
            return Ok(None);
        };
        on_tx!(&mut tx, t => sqlx::query(
            "UPDATE actions SET orientation_id = $1, title = $2, description = $3, epci = $4, pilot = $5, \
             partners = $6, budgets = $7, status = $8, flagship = $9, start_date = $10, end_date = $11, \
             indicators = $12, updated_at = $13 WHERE id = $14",
        )
        .bind(f.orientation_id)
        .bind(&f.title)
        .bind(&f.description)
        .bind(json_text(&f.epci)?)
        .bind(&f.pilot)
        .bind(json_text(&f.partners)?)
        .bind(json_text(&f.budgets)?)
        .bind(&f.status)
        .bind(f.flagship)
        .bind(f.start_date.as_deref())
        .bind(f.end_date.as_deref())
        .bind(json_text(&f.indicators)?)
        .bind(crate::now_utc())
        .bind(id)
        .execute(&mut **t)
        .await.map(|_| ()))?;
        let after = action_in(&mut tx, id)
            .await?
            .ok_or_else(|| DbError::Corrupt("action vanished".into()))?;
        record_change(
            &mut tx,
            actor,
            "action",
            &id.to_string(),
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(after))
    }

    /// Marks an action deleted; `Ok(false)` when it does not exist.
    pub async fn delete_action(&self, actor: Actor<'_>, id: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let Some(before) = action_in(&mut tx, id).await? else {
            return Ok(false);
        };
        on_tx!(&mut tx, t => sqlx::query("UPDATE actions SET deleted_at = $1 WHERE id = $2")
            .bind(crate::now_utc())
            .bind(id)
            .execute(&mut **t)
            .await.map(|_| ()))?;
        record_change::<_, ()>(
            &mut tx,
            actor,
            "action",
            &id.to_string(),
            "delete",
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
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
