//! SQL for the public consultations (issue 20): a territory's draft orientations and
//! actions opened to the public's contributions for a period, and the contributions
//! with their moderation. Every change is recorded in the append-only history
//! (`changes`, see `portraits.rs`) in the transaction that makes it; the history's
//! copy of a contribution never holds its e-mail, its client address nor (since the
//! e-mail confirmation) its author's name ([`ContributionRow::for_history`]).
//!
//! A contribution is received `a_confirmer`, with the SHA-256 of a single-use token
//! e-mailed to its author; following the link makes it `en_attente` (of
//! moderation). Retention and erasure on request anonymise contributions: name,
//! e-mail and client address emptied, the text kept.

use serde::Serialize;

use super::portraits::{Actor, json_text, record_change};
use super::{Db, DbError, Field, Result, Tx};

/// A consultation as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsultationRow {
    pub id: i64,
    #[schema(example = "ARR")]
    pub territory: String,
    #[schema(example = 2023)]
    pub edition: i64,
    /// `AAAA-MM-JJ`, both days included.
    pub starts_on: String,
    pub ends_on: String,
    pub introduction: String,
    /// `ouverte` or `close`.
    pub status: String,
    pub created_at: String,
    pub closed_at: Option<String>,
}

/// What opening a consultation sets.
#[derive(Debug, Clone)]
pub struct NewConsultation<'a> {
    pub territory: &'a str,
    pub edition: i64,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub introduction: &'a str,
}

/// A contribution as stored. Its e-mail and client address are read by the staff's
/// export only: they are never serialised (so never in the history nor in an answer
/// built from this row).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContributionRow {
    pub id: i64,
    pub consultation_id: i64,
    /// `commentaire`, `proposition` or `participation`.
    pub kind: String,
    pub orientation_id: Option<i64>,
    pub action_id: Option<i64>,
    pub body: String,
    pub name: String,
    pub organisation: String,
    pub role: String,
    #[serde(skip_serializing)]
    pub email: String,
    pub siret: Option<String>,
    /// INSEE code of the commune of the establishment recognised by its SIRET.
    pub commune: Option<String>,
    pub consent_at: String,
    #[serde(skip_serializing)]
    pub ip: String,
    /// `a_confirmer` (e-mail link not followed yet), `en_attente` (of moderation),
    /// `acceptee`, `refusee` or `spam`.
    pub status: String,
    pub reason: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub moderated_at: Option<String>,
    pub moderated_by: Option<String>,
    /// When its author followed the e-mailed link.
    pub confirmed_at: Option<String>,
    /// When its author's name, e-mail and address were erased.
    pub anonymised_at: Option<String>,
}

/// The name a contribution shows once anonymised.
pub const ANONYMISED_NAME: &str = "Contributeur anonymisé";

impl ContributionRow {
    /// The copy kept in the append-only history: without the author's name (nor,
    /// as always, the e-mail and address), so that anonymisation leaves no name
    /// behind in new entries.
    #[must_use]
    pub fn for_history(&self) -> Self {
        Self {
            name: String::new(),
            ..self.clone()
        }
    }
}

/// What following a confirmation link found: for a contribution, or (`R`) an
/// organisation's declaration, which shares the confirmation (`declarations.rs`).
#[derive(Debug, Clone)]
pub enum Confirmation<R = ContributionRow> {
    /// The contribution (now, or still, awaiting confirmation).
    Valid(Box<R>),
    /// The link was already used (or the contribution was moderated meanwhile).
    Used,
    /// Past its expiry.
    Expired,
    /// No contribution has this token.
    Unknown,
}

/// A contribution to record (the caller has checked it).
#[derive(Debug, Clone)]
pub struct NewContribution<'a> {
    pub consultation_id: i64,
    pub kind: &'a str,
    pub orientation_id: Option<i64>,
    pub action_id: Option<i64>,
    pub body: &'a str,
    pub name: &'a str,
    pub organisation: &'a str,
    pub role: &'a str,
    pub email: &'a str,
    pub siret: Option<&'a str>,
    pub commune: Option<&'a str>,
    pub ip: &'a str,
    /// SHA-256 (hex) of the confirmation token e-mailed to its author.
    pub confirm_token: &'a str,
    /// Unix seconds.
    pub confirm_expires_at: i64,
}

/// Why a contribution was not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// This address sent the limit within the window; the oldest of them, Unix seconds.
    Address { oldest: i64 },
}

/// Accepted contributions of one territory (public counts).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContributionTally {
    pub territory: String,
    pub consultations: i64,
    pub accepted: i64,
}

fn consultation_from_row(row: &impl Field) -> Result<ConsultationRow> {
    Ok(ConsultationRow {
        id: row.field("id")?,
        territory: row.field("territory")?,
        edition: row.field("edition")?,
        starts_on: row.field("starts_on")?,
        ends_on: row.field("ends_on")?,
        introduction: row.field("introduction")?,
        status: row.field("status")?,
        created_at: row.field("created_at")?,
        closed_at: row.field("closed_at")?,
    })
}

fn contribution_from_row(row: &impl Field) -> Result<ContributionRow> {
    Ok(ContributionRow {
        id: row.field("id")?,
        consultation_id: row.field("consultation_id")?,
        kind: row.field("kind")?,
        orientation_id: row.field("orientation_id")?,
        action_id: row.field("action_id")?,
        body: row.field("body")?,
        name: row.field("name")?,
        organisation: row.field("organisation")?,
        role: row.field("role")?,
        email: row.field("email")?,
        siret: row.field("siret")?,
        commune: row.field("commune")?,
        consent_at: row.field("consent_at")?,
        ip: row.field("ip")?,
        status: row.field("status")?,
        reason: row.field("reason")?,
        created_at: row.field("created_at")?,
        moderated_at: row.field("moderated_at")?,
        moderated_by: row.field("moderated_by")?,
        confirmed_at: row.field("confirmed_at")?,
        anonymised_at: row.field("anonymised_at")?,
    })
}

const CONSULTATION_SELECT: &str = "SELECT id, territory, edition, starts_on, ends_on, introduction, \
     status, created_at, closed_at FROM consultations";

const CONTRIBUTION_SELECT: &str = "SELECT c.id, c.consultation_id, c.kind, c.orientation_id, \
     c.action_id, c.body, c.name, c.organisation, c.role, c.email, c.siret, c.commune, \
     c.consent_at, c.ip, c.status, c.reason, c.created_at, c.moderated_at, \
     u.username AS moderated_by, c.confirmed_at, c.anonymised_at, c.confirm_token, \
     c.confirm_expires_at FROM contributions c LEFT JOIN users u ON u.id = c.moderated_by";

async fn consultation_in(tx: &mut Tx, id: i64) -> Result<Option<ConsultationRow>> {
    on_tx!(tx, t => sqlx::query(&format!("{CONSULTATION_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **t)
        .await?
        .as_ref()
        .map(consultation_from_row)
        .transpose())
}

async fn contribution_in(tx: &mut Tx, id: i64) -> Result<Option<ContributionRow>> {
    on_tx!(tx, t => sqlx::query(&format!("{CONTRIBUTION_SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(&mut **t)
        .await?
        .as_ref()
        .map(contribution_from_row)
        .transpose())
}

/// Records a change made by the public (no account) or by a command (`username`):
/// `user_id` is null.
pub(super) async fn record_public_change<A: Serialize>(
    tx: &mut Tx,
    entity: &str,
    entity_id: &str,
    operation: &str,
    username: &str,
    before: Option<&A>,
    after: &A,
) -> Result<()> {
    let before = before.map(json_text).transpose()?;
    let after = json_text(after)?;
    on_tx!(tx, t => sqlx::query(
        "INSERT INTO changes (entity, entity_id, operation, user_id, username, at, before, after) \
         VALUES ($1, $2, $3, NULL, $4, $5, $6, $7)",
    )
    .bind(entity)
    .bind(entity_id)
    .bind(operation)
    .bind(username)
    .bind(crate::time::now_utc())
    .bind(before)
    .bind(after)
    .execute(&mut **t)
    .await.map(|_| ()))?;
    Ok(())
}

async fn confirmation_in(tx: &mut Tx, token: &str, now: i64) -> Result<Confirmation> {
    let found: Option<(ContributionRow, Option<i64>)> = on_tx!(tx, t => sqlx::query(
        &format!("{CONTRIBUTION_SELECT} WHERE c.confirm_token = $1"))
        .bind(token)
        .fetch_optional(&mut **t)
        .await?
        .as_ref()
        .map(|row| Ok::<_, DbError>((contribution_from_row(row)?, row.field("confirm_expires_at")?)))
        .transpose())?;
    let Some((contribution, expires)) = found else {
        return Ok(Confirmation::Unknown);
    };
    Ok(
        if contribution.status != "a_confirmer" || contribution.confirmed_at.is_some() {
            Confirmation::Used
        } else if expires.is_none_or(|e| e < now) {
            Confirmation::Expired
        } else {
            Confirmation::Valid(Box::new(contribution))
        },
    )
}

impl Db {
    /// Consultations, newest first; of one territory when given.
    pub async fn consultations(&self, territory: Option<&str>) -> Result<Vec<ConsultationRow>> {
        on_pool!(self, p => sqlx::query(&format!(
            "{CONSULTATION_SELECT} WHERE ($1 IS NULL OR territory = $1) ORDER BY id DESC"
        ))
        .bind(territory)
        .fetch_all(p)
        .await?
        .iter()
        .map(consultation_from_row)
        .collect())
    }

    pub async fn consultation(&self, id: i64) -> Result<Option<ConsultationRow>> {
        on_pool!(self, p => sqlx::query(&format!("{CONSULTATION_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(p)
            .await?
            .as_ref()
            .map(consultation_from_row)
            .transpose())
    }

    /// Opens a consultation; `Ok(None)` when one is already open for the same
    /// territory and edition.
    pub async fn open_consultation(
        &self,
        actor: Actor<'_>,
        c: &NewConsultation<'_>,
    ) -> Result<Option<ConsultationRow>> {
        let mut tx = self.begin().await?;
        if tx.is_postgres() {
            // Two openings at once must not both see "none open".
            on_tx!(&mut tx, t => sqlx::query("LOCK TABLE consultations IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut **t)
                .await.map(|_| ()))?;
        }
        let open: i64 = on_tx!(&mut tx, t => sqlx::query_scalar(
            "SELECT COUNT(*) FROM consultations WHERE territory = $1 AND edition = $2 \
             AND status = 'ouverte'",
        )
        .bind(c.territory)
        .bind(c.edition)
        .fetch_one(&mut **t)
        .await)?;
        if open > 0 {
            return Ok(None);
        }
        let id: i64 = on_tx!(&mut tx, t => sqlx::query_scalar(
            "INSERT INTO consultations (territory, edition, starts_on, ends_on, introduction, status, \
             created_at, created_by) VALUES ($1, $2, $3, $4, $5, 'ouverte', $6, $7) RETURNING id",
        )
        .bind(c.territory)
        .bind(c.edition)
        .bind(c.starts_on)
        .bind(c.ends_on)
        .bind(c.introduction)
        .bind(crate::time::now_utc())
        .bind(actor.user_id)
        .fetch_one(&mut **t)
        .await)?;
        let row = consultation_in(&mut tx, id)
            .await?
            .ok_or(DbError::Vanished("consultation"))?;
        record_change::<(), _>(
            &mut tx,
            actor,
            "consultation",
            &id.to_string(),
            "create",
            None,
            Some(&row),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(row))
    }

    /// Closes a consultation; `Ok(None)` when it does not exist. Closing a closed one
    /// changes nothing.
    pub async fn close_consultation(
        &self,
        actor: Actor<'_>,
        id: i64,
    ) -> Result<Option<ConsultationRow>> {
        let mut tx = self.begin().await?;
        let Some(before) = consultation_in(&mut tx, id).await? else {
            return Ok(None);
        };
        if before.status == "close" {
            return Ok(Some(before));
        }
        on_tx!(&mut tx, t => sqlx::query(
            "UPDATE consultations SET status = 'close', closed_at = $1 WHERE id = $2",
        )
        .bind(crate::time::now_utc())
        .bind(id)
        .execute(&mut **t)
        .await.map(|_| ()))?;
        let after = consultation_in(&mut tx, id)
            .await?
            .ok_or(DbError::Vanished("consultation"))?;
        record_change(
            &mut tx,
            actor,
            "consultation",
            &id.to_string(),
            "close",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(after))
    }

    /// Records a public contribution (`a_confirmer`) unless `ip` already sent
    /// `limit` within the window that starts after `since`: counted and inserted in
    /// one write transaction, so concurrent submissions cannot all pass the limit.
    pub async fn add_contribution(
        &self,
        c: &NewContribution<'_>,
        now: i64,
        since: i64,
        limit: i64,
    ) -> Result<std::result::Result<ContributionRow, Throttled>> {
        let mut tx = self.begin().await?;
        if tx.is_postgres() {
            on_tx!(&mut tx, t => sqlx::query("LOCK TABLE contributions IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut **t)
                .await.map(|_| ()))?;
        }
        let (count, oldest): (i64, Option<i64>) = on_tx!(&mut tx, t => sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM contributions WHERE ip = $1 AND created_at > $2",
        )
        .bind(c.ip)
        .bind(since)
        .fetch_one(&mut **t)
        .await)?;
        if count >= limit {
            return Ok(Err(Throttled::Address {
                oldest: oldest.unwrap_or(now),
            }));
        }
        let id: i64 = on_tx!(&mut tx, t => sqlx::query_scalar(
            "INSERT INTO contributions (consultation_id, kind, orientation_id, action_id, body, name, \
             organisation, role, email, siret, commune, consent_at, ip, status, created_at, \
             confirm_token, confirm_expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'a_confirmer', $14, \
             $15, $16) RETURNING id",
        )
        .bind(c.consultation_id)
        .bind(c.kind)
        .bind(c.orientation_id)
        .bind(c.action_id)
        .bind(c.body)
        .bind(c.name)
        .bind(c.organisation)
        .bind(c.role)
        .bind(c.email)
        .bind(c.siret)
        .bind(c.commune)
        .bind(crate::time::now_utc())
        .bind(c.ip)
        .bind(now)
        .bind(c.confirm_token)
        .bind(c.confirm_expires_at)
        .fetch_one(&mut **t)
        .await)?;
        let row = contribution_in(&mut tx, id)
            .await?
            .ok_or(DbError::Vanished("contribution"))?;
        record_public_change(
            &mut tx,
            "contribution",
            &id.to_string(),
            "create",
            "public",
            None,
            &row.for_history(),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(row))
    }

    /// Contributions of a consultation, oldest first; of one status when given.
    pub async fn contributions(
        &self,
        consultation: i64,
        status: Option<&str>,
    ) -> Result<Vec<ContributionRow>> {
        on_pool!(self, p => sqlx::query(&format!(
            "{CONTRIBUTION_SELECT} WHERE c.consultation_id = $1 AND ($2 IS NULL OR c.status = $2) \
             ORDER BY c.id"
        ))
        .bind(consultation)
        .bind(status)
        .fetch_all(p)
        .await?
        .iter()
        .map(contribution_from_row)
        .collect())
    }

    pub async fn contribution(&self, id: i64) -> Result<Option<ContributionRow>> {
        on_pool!(self, p => sqlx::query(&format!("{CONTRIBUTION_SELECT} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(p)
            .await?
            .as_ref()
            .map(contribution_from_row)
            .transpose())
    }

    /// Sets a contribution's moderation (`acceptee`, `refusee` or `spam`, with a
    /// reason); `Ok(None)` when it does not exist.
    pub async fn moderate_contribution(
        &self,
        actor: Actor<'_>,
        id: i64,
        status: &str,
        reason: Option<&str>,
    ) -> Result<Option<ContributionRow>> {
        let mut tx = self.begin().await?;
        let Some(before) = contribution_in(&mut tx, id).await? else {
            return Ok(None);
        };
        on_tx!(&mut tx, t => sqlx::query(
            "UPDATE contributions SET status = $1, reason = $2, moderated_at = $3, moderated_by = $4 \
             WHERE id = $5",
        )
        .bind(status)
        .bind(reason)
        .bind(crate::time::now_utc())
        .bind(actor.user_id)
        .bind(id)
        .execute(&mut **t)
        .await.map(|_| ()))?;
        let after = contribution_in(&mut tx, id)
            .await?
            .ok_or(DbError::Vanished("contribution"))?;
        record_change(
            &mut tx,
            actor,
            "contribution",
            &id.to_string(),
            "moderate",
            Some(&before.for_history()),
            Some(&after.for_history()),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(after))
    }

    /// What the confirmation token whose SHA-256 is `token` designates at `now`
    /// (Unix seconds), without changing anything (the page before the button).
    pub async fn confirmation(&self, token: &str, now: i64) -> Result<Confirmation> {
        let mut tx = self.begin().await?;
        // Read only: the transaction is dropped, so rolled back.
        confirmation_in(&mut tx, token, now).await
    }

    /// Confirms the contribution of the token whose SHA-256 is `token`, once: it
    /// becomes `en_attente` (of moderation); the history records it.
    pub async fn confirm_contribution(&self, token: &str, now: i64) -> Result<Confirmation> {
        let mut tx = self.begin().await?;
        let Confirmation::Valid(before) = confirmation_in(&mut tx, token, now).await? else {
            return confirmation_in(&mut tx, token, now).await;
        };
        // Conditional: of two clicks at once, one confirms, the other finds it used.
        let done = on_tx!(&mut tx, t => sqlx::query(
            "UPDATE contributions SET status = 'en_attente', confirmed_at = $1 \
             WHERE id = $2 AND status = 'a_confirmer' AND confirmed_at IS NULL",
        )
        .bind(crate::time::now_utc())
        .bind(before.id)
        .execute(&mut **t)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Ok(Confirmation::Used);
        }
        let after = contribution_in(&mut tx, before.id)
            .await?
            .ok_or(DbError::Vanished("contribution"))?;
        record_public_change(
            &mut tx,
            "contribution",
            &after.id.to_string(),
            "confirm",
            "public",
            Some(&before.for_history()),
            &after.for_history(),
        )
        .await?;
        tx.commit().await?;
        Ok(Confirmation::Valid(Box::new(after)))
    }

    /// Anonymises the contributions of consultations closed before `closed_before`
    /// (`AAAA-MM-JJTHH:MM:SSZ`), not yet anonymised: the retention period. Returns
    /// how many.
    pub async fn purge_contributions(&self, closed_before: &str) -> Result<u64> {
        let ids: Vec<i64> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT c.id FROM contributions c JOIN consultations k ON k.id = c.consultation_id \
             WHERE k.status = 'close' AND k.closed_at < $1 AND c.anonymised_at IS NULL \
             ORDER BY c.id",
        )
        .bind(closed_before)
        .fetch_all(p)
        .await)?;
        self.anonymise(&ids, "retention").await
    }

    /// Anonymises every contribution sent with `email` (compared without case): the
    /// erasure on request. Returns how many.
    pub async fn erase_contributor(&self, email: &str) -> Result<u64> {
        let ids: Vec<i64> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM contributions WHERE LOWER(email) = LOWER($1) \
             AND anonymised_at IS NULL ORDER BY id",
        )
        .bind(email.trim())
        .fetch_all(p)
        .await)?;
        self.anonymise(&ids, "effacement").await
    }

    /// Empties the name, e-mail, client address and confirmation token of `ids`
    /// (name [`ANONYMISED_NAME`]; the text, organisation and role kept), each recorded
    /// in the history under `username`, in one transaction.
    async fn anonymise(&self, ids: &[i64], username: &str) -> Result<u64> {
        let mut tx = self.begin().await?;
        for &id in ids {
            let Some(before) = contribution_in(&mut tx, id).await? else {
                continue;
            };
            on_tx!(&mut tx, t => sqlx::query(
                "UPDATE contributions SET name = $1, email = '', ip = '', confirm_token = NULL, \
                 anonymised_at = $2 WHERE id = $3",
            )
            .bind(ANONYMISED_NAME)
            .bind(crate::time::now_utc())
            .bind(id)
            .execute(&mut **t)
            .await
            .map(|_| ()))?;
            let after = contribution_in(&mut tx, id)
                .await?
                .ok_or(DbError::Vanished("contribution"))?;
            record_public_change(
                &mut tx,
                "contribution",
                &id.to_string(),
                "anonymise",
                username,
                Some(&before.for_history()),
                &after.for_history(),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ids.len() as u64)
    }

    /// Accepted contributions per territory, over all its consultations.
    pub async fn contribution_tallies(&self) -> Result<Vec<ContributionTally>> {
        on_pool!(self, p => sqlx::query(
            "SELECT k.territory, COUNT(DISTINCT k.id) AS consultations, \
             COUNT(c.id) AS accepted FROM consultations k \
             LEFT JOIN contributions c ON c.consultation_id = k.id AND c.status = 'acceptee' \
             GROUP BY k.territory ORDER BY k.territory",
        )
        .fetch_all(p)
        .await?
        .iter()
        .map(|row| {
            Ok(ContributionTally {
                territory: row.field("territory")?,
                consultations: row.field("consultations")?,
                accepted: row.field("accepted")?,
            })
        })
        .collect())
    }

    /// The commune (INSEE code) and name of the public establishment `siret` in
    /// `edition`'s registry; protected establishments are never recognised (they are
    /// not named anywhere).
    pub async fn establishment_commune(
        &self,
        edition: i64,
        siret: &str,
    ) -> Result<Option<(String, String)>> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT code_insee, name FROM establishments WHERE edition = $1 AND siret = $2 \
             AND NOT protected",
        )
        .bind(edition)
        .bind(siret)
        .fetch_optional(p)
        .await
        .map_err(DbError::from))
    }
}
