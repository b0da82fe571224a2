//! SQL for partners' proposals (issue 20, « comptes partenaires »): text a partner
//! (CRESS, APES, another network) proposes for a territory's portrait sections, new
//! orientations and actions, comments on them; and their decision by the territory's
//! referent or a chargé de mission.
//!
//! Accepting merges the proposal in the transaction that records the decision: the
//! portrait's sections, or a new orientation or action, each written and recorded in
//! the append-only history (`changes`) as any staff write, and the proposal keeps what
//! its acceptance created, so that the partner's organisation stays credited
//! ([`Db::partner_credits`]). Who may propose or decide, and what the merged text is,
//! are the callers' (`api::proposals`); here, the one visibility rule of the plans
//! applies: a credit is public once its portrait is published.

use serde::Serialize;

use super::plans::{create_action_in, create_orientation_in};
use super::portraits::{Actor, portrait_in, record_change, write_sections_in};
use super::{ActionFields, Db, DbError, Field, OrientationFields, Result, Tx};

/// A proposal as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProposalRow {
    pub id: i64,
    #[schema(example = "ARR")]
    pub territory: String,
    #[schema(example = 2023)]
    pub edition: i64,
    /// `section`, `orientation`, `action` or `commentaire`.
    pub kind: String,
    /// For a `section`: `jeux_acteurs`, `dynamiques_projets` or `libre`.
    pub section: Option<String>,
    /// The orientation a new action goes to, or a comment concerns.
    pub orientation_id: Option<i64>,
    /// The action a comment concerns.
    pub action_id: Option<i64>,
    pub title: String,
    pub body: String,
    /// The partner's organisation when it proposed.
    pub organisation: String,
    pub author_id: i64,
    /// The author's user name.
    pub author: String,
    /// `en_attente`, `acceptee` or `refusee`.
    pub status: String,
    pub reason: Option<String>,
    /// The text merged on acceptance (edited by the moderator, or the proposal's).
    pub final_title: Option<String>,
    pub final_body: Option<String>,
    pub result_orientation_id: Option<i64>,
    pub result_action_id: Option<i64>,
    pub created_at: String,
    pub decided_at: Option<String>,
    /// The user name of who decided.
    pub decided_by: Option<String>,
}

impl ProposalRow {
    /// Was the text edited by the moderator before it was accepted?
    #[must_use]
    pub fn edited(&self) -> bool {
        self.final_title.as_ref().is_some_and(|t| *t != self.title)
            || self.final_body.as_ref().is_some_and(|b| *b != self.body)
    }
}

/// A proposal to record (the caller has checked it).
#[derive(Debug, Clone)]
pub struct NewProposal<'a> {
    pub territory: &'a str,
    pub edition: i64,
    pub kind: &'a str,
    pub section: Option<&'a str>,
    pub orientation_id: Option<i64>,
    pub action_id: Option<i64>,
    pub title: &'a str,
    pub body: &'a str,
    pub organisation: &'a str,
}

/// Which proposals to list; `None` is "any".
#[derive(Debug, Clone, Default)]
pub struct ProposalFilter {
    pub territory: Option<String>,
    pub edition: Option<i64>,
    pub status: Option<String>,
    /// Only those of this author (a partner sees its own).
    pub author_id: Option<i64>,
}

/// What accepting a proposal merges, prepared by the caller.
#[derive(Debug, Clone)]
pub enum Merge {
    /// The portrait's sections as the caller read them (`None`: no portrait yet) and
    /// with the proposal merged. Refused ([`Decided::Stale`]) when the portrait changed
    /// in between, or ([`Decided::NotDraft`]) is no longer a draft.
    Sections {
        before: Option<serde_json::Value>,
        after: serde_json::Value,
    },
    /// A new orientation.
    Orientation(OrientationFields),
    /// A new action.
    Action(ActionFields),
    /// A comment: nothing is merged, it is shown under what it concerns.
    Comment,
}

/// A decision on a pending proposal.
#[derive(Debug, Clone)]
pub enum Decision<'a> {
    /// Accepted, with the text merged (the moderator's edit, or the proposal's own).
    Accept {
        title: &'a str,
        body: &'a str,
        merge: Box<Merge>,
    },
    Decline {
        reason: &'a str,
    },
}

/// The outcome of [`Db::decide_proposal`].
#[derive(Debug, Clone)]
pub enum Decided {
    Done(Box<ProposalRow>),
    /// No such proposal.
    Unknown,
    /// Already decided: its status.
    NotPending(String),
    /// The portrait is no longer a draft: its status.
    NotDraft(String),
    /// The portrait's sections changed since the caller read them.
    Stale,
}

/// An accepted proposal as it is credited: what it is attached to, the text merged
/// and the partner's organisation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartnerCredit {
    pub id: i64,
    pub territory: String,
    pub edition: i64,
    pub kind: String,
    pub section: Option<String>,
    /// The orientation it created, or a new action's orientation, or the one a
    /// comment concerns.
    pub orientation_id: Option<i64>,
    /// The action it created, or the one a comment concerns.
    pub action_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub organisation: String,
    /// `AAAA-MM-JJ`.
    pub accepted_on: String,
}

fn proposal_from_row(row: &impl Field) -> Result<ProposalRow> {
    Ok(ProposalRow {
        id: row.field("id")?,
        territory: row.field("territory")?,
        edition: row.field("edition")?,
        kind: row.field("kind")?,
        section: row.field("section")?,
        orientation_id: row.field("orientation_id")?,
        action_id: row.field("action_id")?,
        title: row.field("title")?,
        body: row.field("body")?,
        organisation: row.field("organisation")?,
        author_id: row.field("author_id")?,
        author: row.field("author")?,
        status: row.field("status")?,
        reason: row.field("reason")?,
        final_title: row.field("final_title")?,
        final_body: row.field("final_body")?,
        result_orientation_id: row.field("result_orientation_id")?,
        result_action_id: row.field("result_action_id")?,
        created_at: row.field("created_at")?,
        decided_at: row.field("decided_at")?,
        decided_by: row.field("decided_by")?,
    })
}

const PROPOSAL_SELECT: &str = "SELECT p.id, p.territory, p.edition, p.kind, p.section, \
     p.orientation_id, p.action_id, p.title, p.body, p.organisation, p.author_id, \
     a.username AS author, p.status, p.reason, p.final_title, p.final_body, \
     p.result_orientation_id, p.result_action_id, p.created_at, p.decided_at, \
     d.username AS decided_by FROM partner_proposals p JOIN users a ON a.id = p.author_id \
     LEFT JOIN users d ON d.id = p.decided_by";

async fn proposal_in(tx: &mut Tx, id: i64) -> Result<Option<ProposalRow>> {
    on_tx!(tx, t => sqlx::query(&format!("{PROPOSAL_SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(&mut **t)
        .await?
        .as_ref()
        .map(proposal_from_row)
        .transpose())
}

/// Merges an accepted proposal inside `tx`: `Ok(Err(outcome))` when it cannot be;
/// else the orientation and action it created.
async fn merge_in(
    tx: &mut Tx,
    actor: Actor<'_>,
    p: &ProposalRow,
    merge: &Merge,
) -> Result<std::result::Result<(Option<i64>, Option<i64>), Decided>> {
    Ok(Ok(match merge {
        Merge::Sections { before, after } => {
            let current = portrait_in(tx, &p.territory, p.edition).await?;
            if let Some(c) = &current
                && c.status != "brouillon"
            {
                return Ok(Err(Decided::NotDraft(c.status.clone())));
            }
            if current.as_ref().map(|c| &c.sections) != before.as_ref() {
                return Ok(Err(Decided::Stale));
            }
            write_sections_in(tx, actor, &p.territory, p.edition, after, current.as_ref()).await?;
            (None, None)
        }
        Merge::Orientation(f) => (Some(create_orientation_in(tx, actor, f).await?.id), None),
        Merge::Action(f) => (None, Some(create_action_in(tx, actor, f).await?.id)),
        Merge::Comment => (None, None),
    }))
}

impl Db {
    /// Records a partner's proposal (`en_attente`), in the history under its author.
    pub async fn add_proposal(&self, actor: Actor<'_>, p: &NewProposal<'_>) -> Result<ProposalRow> {
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, t => sqlx::query_scalar(
            "INSERT INTO partner_proposals (territory, edition, kind, section, orientation_id, \
             action_id, title, body, organisation, author_id, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'en_attente', $11) RETURNING id",
        )
        .bind(p.territory)
        .bind(p.edition)
        .bind(p.kind)
        .bind(p.section)
        .bind(p.orientation_id)
        .bind(p.action_id)
        .bind(p.title)
        .bind(p.body)
        .bind(p.organisation)
        .bind(actor.user_id)
        .bind(crate::time::now_utc())
        .fetch_one(&mut **t)
        .await)?;
        let row = proposal_in(&mut tx, id)
            .await?
            .ok_or(DbError::Vanished("proposal"))?;
        record_change::<(), _>(
            &mut tx,
            actor,
            "proposition",
            &id.to_string(),
            "create",
            None,
            Some(&row),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn proposal(&self, id: i64) -> Result<Option<ProposalRow>> {
        on_pool!(self, p => sqlx::query(&format!("{PROPOSAL_SELECT} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(p)
            .await?
            .as_ref()
            .map(proposal_from_row)
            .transpose())
    }

    /// Proposals matching `filter`, newest first.
    pub async fn proposals(&self, filter: &ProposalFilter) -> Result<Vec<ProposalRow>> {
        on_pool!(self, p => sqlx::query(&format!(
            "{PROPOSAL_SELECT} WHERE ($1 IS NULL OR p.territory = $1) \
             AND ($2 IS NULL OR p.edition = $2) AND ($3 IS NULL OR p.status = $3) \
             AND ($4 IS NULL OR p.author_id = $4) ORDER BY p.id DESC"
        ))
        .bind(filter.territory.as_deref())
        .bind(filter.edition)
        .bind(filter.status.as_deref())
        .bind(filter.author_id)
        .fetch_all(p)
        .await?
        .iter()
        .map(proposal_from_row)
        .collect())
    }

    /// Decides a pending proposal: declines it with its reason, or accepts it and
    /// merges it (see [`Merge`]), all in one transaction recorded in the history.
    pub async fn decide_proposal(
        &self,
        actor: Actor<'_>,
        id: i64,
        decision: &Decision<'_>,
    ) -> Result<Decided> {
        let mut tx = self.begin().await?;
        let Some(before) = proposal_in(&mut tx, id).await? else {
            return Ok(Decided::Unknown);
        };
        if before.status != "en_attente" {
            return Ok(Decided::NotPending(before.status));
        }
        let now = crate::time::now_utc();
        let operation = match decision {
            Decision::Decline { reason } => {
                on_tx!(&mut tx, t => sqlx::query(
                    "UPDATE partner_proposals SET status = 'refusee', reason = $1, decided_at = $2, \
                     decided_by = $3 WHERE id = $4",
                )
                .bind(*reason)
                .bind(&now)
                .bind(actor.user_id)
                .bind(id)
                .execute(&mut **t)
                .await
                .map(|_| ()))?;
                "decline"
            }
            Decision::Accept { title, body, merge } => {
                let (orientation, action) = match merge_in(&mut tx, actor, &before, merge).await? {
                    Ok(created) => created,
                    Err(outcome) => return Ok(outcome),
                };
                on_tx!(&mut tx, t => sqlx::query(
                    "UPDATE partner_proposals SET status = 'acceptee', final_title = $1, \
                     final_body = $2, result_orientation_id = $3, result_action_id = $4, \
                     decided_at = $5, decided_by = $6 WHERE id = $7",
                )
                .bind(*title)
                .bind(*body)
                .bind(orientation)
                .bind(action)
                .bind(&now)
                .bind(actor.user_id)
                .bind(id)
                .execute(&mut **t)
                .await
                .map(|_| ()))?;
                "accept"
            }
        };
        let after = proposal_in(&mut tx, id)
            .await?
            .ok_or(DbError::Vanished("proposal"))?;
        record_change(
            &mut tx,
            actor,
            "proposition",
            &id.to_string(),
            operation,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(Decided::Done(Box::new(after)))
    }

    /// Accepted partner proposals with the organisation each is credited to, oldest
    /// first: of one territory and edition when given, only those of a published
    /// portrait when `published_only` (the public's view). A credit attached to an
    /// orientation or action since deleted is left out. The fiches and the compendium
    /// read the partners' credits here.
    pub async fn partner_credits(
        &self,
        territory: Option<&str>,
        edition: Option<i64>,
        published_only: bool,
    ) -> Result<Vec<PartnerCredit>> {
        on_pool!(self, p => sqlx::query(
            "SELECT p.id, p.territory, p.edition, p.kind, p.section, \
             COALESCE(p.result_orientation_id, p.orientation_id) AS orientation_id, \
             COALESCE(p.result_action_id, p.action_id) AS action_id, \
             COALESCE(p.final_title, p.title) AS title, COALESCE(p.final_body, p.body) AS body, \
             p.organisation, p.decided_at FROM partner_proposals p \
             WHERE p.status = 'acceptee' AND ($1 IS NULL OR p.territory = $1) \
             AND ($2 IS NULL OR p.edition = $2) \
             AND (NOT $3 OR EXISTS (SELECT 1 FROM portraits x WHERE x.territory = p.territory \
                  AND x.edition = p.edition AND x.status = 'publie')) \
             AND NOT EXISTS (SELECT 1 FROM orientations o \
                  WHERE o.id = COALESCE(p.result_orientation_id, p.orientation_id) \
                  AND o.deleted_at IS NOT NULL) \
             AND NOT EXISTS (SELECT 1 FROM actions a \
                  WHERE a.id = COALESCE(p.result_action_id, p.action_id) \
                  AND a.deleted_at IS NOT NULL) \
             ORDER BY p.territory, p.edition, p.id",
        )
        .bind(territory)
        .bind(edition)
        .bind(published_only)
        .fetch_all(p)
        .await?
        .iter()
        .map(|row| {
            let decided: Option<String> = row.field("decided_at")?;
            Ok(PartnerCredit {
                id: row.field("id")?,
                territory: row.field("territory")?,
                edition: row.field("edition")?,
                kind: row.field("kind")?,
                section: row.field("section")?,
                orientation_id: row.field("orientation_id")?,
                action_id: row.field("action_id")?,
                title: row.field("title")?,
                body: row.field("body")?,
                organisation: row.field("organisation")?,
                accepted_on: decided.map(|d| d.chars().take(10).collect()).unwrap_or_default(),
            })
        })
        .collect())
    }
}
