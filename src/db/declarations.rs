//! SQL for what ESS organisations declare about themselves from their card on the map
//! (issue 20): a presentation, a website, the ESUS agrément, labels, networks and
//! activities, moderated before the card shows them « déclaré par la structure ».
//! Nothing here feeds a figure: the statistics read `establishments` only.
//!
//! **A sibling of `contributions`, not a new kind of contribution.** A declaration
//! has the same personal data (name, role, e-mail, client address, consent), the same
//! states (`a_confirmer` → `en_attente` → `acceptee` / `refusee` / `spam`), the same
//! single-use e-mailed token, the same anonymisation and the same history entries as
//! a contribution, and it shares their code: [`Confirmation`], [`Throttled`],
//! [`ANONYMISED_NAME`] and the public history writer come from `consultations.rs`.
//! But it belongs to an establishment (SIRET, across editions), not to a consultation,
//! carries structured fields instead of one text, and its retention does not follow a
//! consultation's closing. Folding it into `contributions` would have made the
//! consultation nullable, the text a JSON blob for one kind, and every consultation
//! query (purge, tallies, exports) filter it out; a table of its own keeps both sets of
//! constraints in the schema.
//!
//! Retention: the name, e-mail and address of a declaration received more than the
//! retention period ago are erased unless it still awaits moderation; the declared
//! fields are kept (they are the organisation's, not the person's).

use serde::Serialize;

use super::consultations::record_public_change;
use super::portraits::{Actor, record_change};
use super::{ANONYMISED_NAME, Confirmation, Db, DbError, Field, Result, Throttled, Tx};

/// A declaration as stored. Its e-mail and client address are never serialised (so
/// never in the history nor in an answer built from this row).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeclarationRow {
    pub id: i64,
    #[schema(example = "77568420600012")]
    pub siret: String,
    /// INSEE code of the establishment's commune when it was declared.
    #[schema(example = "62041")]
    pub commune: String,
    /// Markdown.
    pub description: String,
    pub website: String,
    pub esus: bool,
    pub labels: Vec<String>,
    pub networks: Vec<String>,
    pub activities: Vec<String>,
    pub name: String,
    pub role: String,
    #[serde(skip_serializing)]
    pub email: String,
    pub consent_at: String,
    #[serde(skip_serializing)]
    pub ip: String,
    /// As a contribution's: `a_confirmer`, `en_attente`, `acceptee`, `refusee`, `spam`.
    pub status: String,
    pub reason: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub moderated_at: Option<String>,
    pub moderated_by: Option<String>,
    /// When its author followed the e-mailed link.
    pub confirmed_at: Option<String>,
    /// When its author's name (replaced), role, e-mail and address were erased.
    pub anonymised_at: Option<String>,
}

impl DeclarationRow {
    /// The copy kept in the history: without the author's name (see
    /// [`super::ContributionRow::for_history`]).
    #[must_use]
    pub fn for_history(&self) -> Self {
        Self {
            name: String::new(),
            ..self.clone()
        }
    }
}

/// What an organisation declares (the caller has checked it).
#[derive(Debug, Clone, Default)]
pub struct DeclaredFields {
    pub description: String,
    pub website: String,
    pub esus: bool,
    pub labels: Vec<String>,
    pub networks: Vec<String>,
    pub activities: Vec<String>,
}

/// A declaration to record.
#[derive(Debug, Clone)]
pub struct NewDeclaration<'a> {
    pub siret: &'a str,
    pub commune: &'a str,
    pub fields: &'a DeclaredFields,
    pub name: &'a str,
    pub role: &'a str,
    pub email: &'a str,
    pub ip: &'a str,
    /// SHA-256 (hex) of the token e-mailed to its author.
    pub confirm_token: &'a str,
    /// Unix seconds.
    pub confirm_expires_at: i64,
}

fn list(text: &str) -> Result<Vec<String>> {
    serde_json::from_str(text).map_err(|e| DbError::Stored(format!("declaration list: {e}")))
}

fn declaration_from_row(row: &impl Field) -> Result<DeclarationRow> {
    Ok(DeclarationRow {
        id: row.field("id")?,
        siret: row.field("siret")?,
        commune: row.field("commune")?,
        description: row.field("description")?,
        website: row.field("website")?,
        esus: row.field("esus")?,
        labels: list(&row.field::<String>("labels")?)?,
        networks: list(&row.field::<String>("networks")?)?,
        activities: list(&row.field::<String>("activities")?)?,
        name: row.field("name")?,
        role: row.field("role")?,
        email: row.field("email")?,
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

const SELECT: &str = "SELECT d.id, d.siret, d.commune, d.description, d.website, d.esus, \
     d.labels, d.networks, d.activities, d.name, d.role, d.email, d.consent_at, d.ip, d.status, \
     d.reason, d.created_at, d.moderated_at, u.username AS moderated_by, d.confirmed_at, \
     d.anonymised_at, d.confirm_expires_at FROM declarations d \
     LEFT JOIN users u ON u.id = d.moderated_by";

fn json_list(items: &[String]) -> Result<String> {
    serde_json::to_string(items).map_err(|e| DbError::Serialise(format!("declaration list: {e}")))
}

async fn declaration_in(tx: &mut Tx, id: i64) -> Result<Option<DeclarationRow>> {
    on_tx!(tx, t => sqlx::query(&format!("{SELECT} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(&mut **t)
        .await?
        .as_ref()
        .map(declaration_from_row)
        .transpose())
}

async fn confirmation_in(
    tx: &mut Tx,
    token: &str,
    now: i64,
) -> Result<Confirmation<DeclarationRow>> {
    let found: Option<(DeclarationRow, Option<i64>)> = on_tx!(tx, t => sqlx::query(
        &format!("{SELECT} WHERE d.confirm_token = $1"))
        .bind(token)
        .fetch_optional(&mut **t)
        .await?
        .as_ref()
        .map(|row| Ok::<_, DbError>((declaration_from_row(row)?, row.field("confirm_expires_at")?)))
        .transpose())?;
    let Some((declaration, expires)) = found else {
        return Ok(Confirmation::Unknown);
    };
    Ok(
        if declaration.status != "a_confirmer" || declaration.confirmed_at.is_some() {
            Confirmation::Used
        } else if expires.is_none_or(|e| e < now) {
            Confirmation::Expired
        } else {
            Confirmation::Valid(Box::new(declaration))
        },
    )
}

impl Db {
    /// The latest edition's public establishment `siret` (across editions): its
    /// edition, commune and name. Protected establishments are never found.
    pub async fn public_establishment(&self, siret: &str) -> Result<Option<(i64, String, String)>> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT edition, code_insee, name FROM establishments WHERE siret = $1 \
             AND NOT protected ORDER BY edition DESC LIMIT 1",
        )
        .bind(siret)
        .fetch_optional(p)
        .await
        .map_err(DbError::from))
    }

    /// Records a declaration (`a_confirmer`) unless `ip` already sent `limit` within
    /// the window after `since` (counted and inserted in one write transaction, as
    /// contributions are).
    pub async fn add_declaration(
        &self,
        d: &NewDeclaration<'_>,
        now: i64,
        since: i64,
        limit: i64,
    ) -> Result<std::result::Result<DeclarationRow, Throttled>> {
        let mut tx = self.begin().await?;
        if tx.is_postgres() {
            on_tx!(&mut tx, t => sqlx::query("LOCK TABLE declarations IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut **t)
                .await.map(|_| ()))?;
        }
        let (count, oldest): (i64, Option<i64>) = on_tx!(&mut tx, t => sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM declarations WHERE ip = $1 AND created_at > $2",
        )
        .bind(d.ip)
        .bind(since)
        .fetch_one(&mut **t)
        .await)?;
        if count >= limit {
            return Ok(Err(Throttled::Address {
                oldest: oldest.unwrap_or(now),
            }));
        }
        let f = d.fields;
        let (labels, networks, activities) = (
            json_list(&f.labels)?,
            json_list(&f.networks)?,
            json_list(&f.activities)?,
        );
        let id: i64 = on_tx!(&mut tx, t => sqlx::query_scalar(
            "INSERT INTO declarations (siret, commune, description, website, esus, labels, \
             networks, activities, name, role, email, consent_at, ip, status, created_at, \
             confirm_token, confirm_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, 'a_confirmer', $14, $15, $16) RETURNING id",
        )
        .bind(d.siret)
        .bind(d.commune)
        .bind(&f.description)
        .bind(&f.website)
        .bind(f.esus)
        .bind(&labels)
        .bind(&networks)
        .bind(&activities)
        .bind(d.name)
        .bind(d.role)
        .bind(d.email)
        .bind(crate::time::now_utc())
        .bind(d.ip)
        .bind(now)
        .bind(d.confirm_token)
        .bind(d.confirm_expires_at)
        .fetch_one(&mut **t)
        .await)?;
        let row = declaration_in(&mut tx, id)
            .await?
            .ok_or(DbError::Vanished("declaration"))?;
        record_public_change(
            &mut tx,
            "declaration",
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

    /// Declarations, newest first: of one establishment and of one status when given.
    pub async fn declarations(
        &self,
        siret: Option<&str>,
        status: Option<&str>,
    ) -> Result<Vec<DeclarationRow>> {
        on_pool!(self, p => sqlx::query(&format!(
            "{SELECT} WHERE ($1 IS NULL OR d.siret = $1) AND ($2 IS NULL OR d.status = $2) \
             ORDER BY d.id DESC"
        ))
        .bind(siret)
        .bind(status)
        .fetch_all(p)
        .await?
        .iter()
        .map(declaration_from_row)
        .collect())
    }

    pub async fn declaration(&self, id: i64) -> Result<Option<DeclarationRow>> {
        on_pool!(self, p => sqlx::query(&format!("{SELECT} WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(p)
            .await?
            .as_ref()
            .map(declaration_from_row)
            .transpose())
    }

    /// Sets a declaration's moderation (`acceptee`, `refusee` or `spam`, with a
    /// reason); `Ok(None)` when it does not exist.
    pub async fn moderate_declaration(
        &self,
        actor: Actor<'_>,
        id: i64,
        status: &str,
        reason: Option<&str>,
    ) -> Result<Option<DeclarationRow>> {
        let mut tx = self.begin().await?;
        let Some(before) = declaration_in(&mut tx, id).await? else {
            return Ok(None);
        };
        on_tx!(&mut tx, t => sqlx::query(
            "UPDATE declarations SET status = $1, reason = $2, moderated_at = $3, moderated_by = $4 \
             WHERE id = $5",
        )
        .bind(status)
        .bind(reason)
        .bind(crate::time::now_utc())
        .bind(actor.user_id)
        .bind(id)
        .execute(&mut **t)
        .await.map(|_| ()))?;
        let after = declaration_in(&mut tx, id)
            .await?
            .ok_or(DbError::Vanished("declaration"))?;
        record_change(
            &mut tx,
            actor,
            "declaration",
            &id.to_string(),
            "moderate",
            Some(&before.for_history()),
            Some(&after.for_history()),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(after))
    }

    /// What the token whose SHA-256 is `token` designates at `now`, changing nothing.
    pub async fn declaration_confirmation(
        &self,
        token: &str,
        now: i64,
    ) -> Result<Confirmation<DeclarationRow>> {
        let mut tx = self.begin().await?;
        confirmation_in(&mut tx, token, now).await
    }

    /// Confirms the declaration of `token` (SHA-256), once: it becomes `en_attente`.
    pub async fn confirm_declaration(
        &self,
        token: &str,
        now: i64,
    ) -> Result<Confirmation<DeclarationRow>> {
        let mut tx = self.begin().await?;
        let Confirmation::Valid(before) = confirmation_in(&mut tx, token, now).await? else {
            return confirmation_in(&mut tx, token, now).await;
        };
        let done = on_tx!(&mut tx, t => sqlx::query(
            "UPDATE declarations SET status = 'en_attente', confirmed_at = $1 \
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
        let after = declaration_in(&mut tx, before.id)
            .await?
            .ok_or(DbError::Vanished("declaration"))?;
        record_public_change(
            &mut tx,
            "declaration",
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

    /// Anonymises the declarations received before `received_before` (Unix seconds)
    /// that no longer await moderation: the retention period. Returns how many.
    pub async fn purge_declarations(&self, received_before: i64) -> Result<u64> {
        let ids: Vec<i64> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM declarations WHERE created_at < $1 AND status <> 'en_attente' \
             AND anonymised_at IS NULL ORDER BY id",
        )
        .bind(received_before)
        .fetch_all(p)
        .await)?;
        self.anonymise_declarations(&ids, "retention").await
    }

    /// Anonymises every declaration sent with `email` (without case): the erasure on
    /// request. Returns how many.
    pub async fn erase_declarant(&self, email: &str) -> Result<u64> {
        let ids: Vec<i64> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM declarations WHERE LOWER(email) = LOWER($1) \
             AND anonymised_at IS NULL ORDER BY id",
        )
        .bind(email.trim())
        .fetch_all(p)
        .await)?;
        self.anonymise_declarations(&ids, "effacement").await
    }

    /// Empties the name, role, e-mail, client address and token of `ids` (the declared
    /// fields kept), each recorded in the history under `username`.
    async fn anonymise_declarations(&self, ids: &[i64], username: &str) -> Result<u64> {
        let mut tx = self.begin().await?;
        for &id in ids {
            let Some(before) = declaration_in(&mut tx, id).await? else {
                continue;
            };
            on_tx!(&mut tx, t => sqlx::query(
                "UPDATE declarations SET name = $1, role = '', email = '', ip = '', \
                 confirm_token = NULL, anonymised_at = $2 WHERE id = $3",
            )
            .bind(ANONYMISED_NAME)
            .bind(crate::time::now_utc())
            .bind(id)
            .execute(&mut **t)
            .await
            .map(|_| ()))?;
            let after = declaration_in(&mut tx, id)
                .await?
                .ok_or(DbError::Vanished("declaration"))?;
            record_public_change(
                &mut tx,
                "declaration",
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
}
