//! SQL for the action plans: orientations and their actions. Every change is recorded
//! in the append-only history (`changes`, see `portraits.rs`) in the transaction that
//! makes it; deleting only sets `deleted_at`. An orientation or action is public when
//! its territory's portrait for its edition is published.

use serde::{Deserialize, Serialize};

use super::portraits::{Actor, PUBLISHED, json_text, parse_json, record_change};
use super::{Db, DbError, Field, Result, Tx};

/// What a caller may set on an orientation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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

const ORIENTATION_SELECT: &str = "SELECT o.id, o.territory, o.edition, o.period_start, o.period_end, \
     o.title, o.description, o.created_at, o.updated_at FROM orientations o \
     WHERE o.deleted_at IS NULL";

const ACTION_SELECT: &str = "SELECT a.id, o.territory, o.edition, o.title AS orientation_title, \
     a.orientation_id, a.title, a.description, a.epci, a.pilot, a.partners, a.budgets, a.status, \
     a.flagship, a.start_date, a.end_date, a.indicators, a.created_at, a.updated_at \
     FROM actions a JOIN orientations o ON o.id = a.orientation_id \
     WHERE a.deleted_at IS NULL AND o.deleted_at IS NULL";

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

/// An orientation or an action: a plan row whose every change is recorded in the
/// append-only history, in the transaction that makes it. The history keeps each
/// row's own serialisation (its field order), so `before`/`after` are the typed rows.
trait Audited: Serialize + Sized {
    /// The history's `entity`.
    const ENTITY: &'static str;
    /// The table, soft-deleted through its `deleted_at` column.
    const TABLE: &'static str;
    /// The row `id` inside `tx` (deleted rows excluded).
    async fn load_in(tx: &mut Tx, id: i64) -> Result<Option<Self>>;
}

impl Audited for OrientationRow {
    const ENTITY: &'static str = "orientation";
    const TABLE: &'static str = "orientations";
    async fn load_in(tx: &mut Tx, id: i64) -> Result<Option<Self>> {
        orientation_in(tx, id).await
    }
}

impl Audited for ActionRow {
    const ENTITY: &'static str = "action";
    const TABLE: &'static str = "actions";
    async fn load_in(tx: &mut Tx, id: i64) -> Result<Option<Self>> {
        action_in(tx, id).await
    }
}

/// After an INSERT or UPDATE of row `id` in `tx`: reads the row back, records the
/// change (`before` is `None` for a creation) and commits.
async fn commit_change<T: Audited>(
    mut tx: Tx,
    actor: Actor<'_>,
    id: i64,
    before: Option<&T>,
) -> Result<T> {
    let after = record_in(&mut tx, actor, id, before).await?;
    tx.commit().await?;
    Ok(after)
}

/// [`commit_change`] without the commit: the caller's transaction goes on.
async fn record_in<T: Audited>(
    tx: &mut Tx,
    actor: Actor<'_>,
    id: i64,
    before: Option<&T>,
) -> Result<T> {
    let after = T::load_in(tx, id)
        .await?
        .ok_or(DbError::Vanished(T::ENTITY))?;
    let operation = if before.is_some() { "update" } else { "create" };
    record_change(
        tx,
        actor,
        T::ENTITY,
        &id.to_string(),
        operation,
        before,
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Creates an orientation inside `tx`, recorded in the history (for a partner's
/// accepted proposal, merged in the transaction that accepts it).
pub(super) async fn create_orientation_in(
    tx: &mut Tx,
    actor: Actor<'_>,
    f: &OrientationFields,
) -> Result<OrientationRow> {
    let id = insert_orientation(tx, f).await?;
    record_in(tx, actor, id, None).await
}

/// Creates an action inside `tx`, recorded in the history.
pub(super) async fn create_action_in(
    tx: &mut Tx,
    actor: Actor<'_>,
    f: &ActionFields,
) -> Result<ActionRow> {
    let id = insert_action(tx, f).await?;
    record_in(tx, actor, id, None).await
}

async fn insert_orientation(tx: &mut Tx, f: &OrientationFields) -> Result<i64> {
    let now = crate::time::now_utc();
    Ok(on_tx!(tx, t => sqlx::query_scalar(
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
    .await)?)
}

async fn insert_action(tx: &mut Tx, f: &ActionFields) -> Result<i64> {
    let now = crate::time::now_utc();
    Ok(on_tx!(tx, t => sqlx::query_scalar(
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
    .await)?)
}

impl Db {
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
        let id = insert_orientation(&mut tx, f).await?;
        commit_change(tx, actor, id, None).await
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
        .bind(crate::time::now_utc())
        .bind(id)
        .execute(&mut **t)
        .await.map(|_| ()))?;
        Ok(Some(commit_change(tx, actor, id, Some(&before)).await?))
    }

    /// Marks an orientation deleted (its actions disappear with it); `Ok(false)` when
    /// it does not exist.
    pub async fn delete_orientation(&self, actor: Actor<'_>, id: i64) -> Result<bool> {
        self.soft_delete::<OrientationRow>(actor, id).await
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
        let id = insert_action(&mut tx, f).await?;
        commit_change(tx, actor, id, None).await
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
        .bind(crate::time::now_utc())
        .bind(id)
        .execute(&mut **t)
        .await.map(|_| ()))?;
        Ok(Some(commit_change(tx, actor, id, Some(&before)).await?))
    }

    /// Marks an action deleted; `Ok(false)` when it does not exist.
    pub async fn delete_action(&self, actor: Actor<'_>, id: i64) -> Result<bool> {
        self.soft_delete::<ActionRow>(actor, id).await
    }

    /// Marks row `id` of `T` deleted and records it; `Ok(false)` when it does not exist.
    async fn soft_delete<T: Audited>(&self, actor: Actor<'_>, id: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let Some(before) = T::load_in(&mut tx, id).await? else {
            return Ok(false);
        };
        let sql = format!("UPDATE {} SET deleted_at = $1 WHERE id = $2", T::TABLE);
        on_tx!(&mut tx, t => sqlx::query(&sql)
            .bind(crate::time::now_utc())
            .bind(id)
            .execute(&mut **t)
            .await.map(|_| ()))?;
        record_change::<_, ()>(
            &mut tx,
            actor,
            T::ENTITY,
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
