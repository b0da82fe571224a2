//! SQL for staff accounts, sessions and failed-login records.
//!
//! Roles are stored as their names; `auth` parses them. Nothing here decides who may
//! do what.

use super::{Db, DbError, Field, Result, Tx};

/// A staff account as stored.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: String,
    pub territories: Vec<String>,
    /// A partner's organisation (null for staff).
    pub organisation: Option<String>,
}

/// A live session with its user.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: UserRow,
    pub csrf_token: String,
}

/// Failed logins within the throttling window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    pub for_username: i64,
    pub for_ip: i64,
    /// Time of the oldest failure counted (Unix seconds), if any.
    pub oldest: Option<i64>,
}

const USER_COLUMNS: &str =
    "id, username, display_name, role, password_hash, disabled, created_at, organisation";

fn user_from_row(row: &impl Field) -> Result<UserRow> {
    Ok(UserRow {
        id: row.field("id")?,
        username: row.field("username")?,
        display_name: row.field("display_name")?,
        role: row.field("role")?,
        password_hash: row.field("password_hash")?,
        disabled: row.field("disabled")?,
        created_at: row.field("created_at")?,
        territories: Vec::new(),
        organisation: row.field("organisation")?,
    })
}

impl Db {
    async fn with_territories(&self, mut user: UserRow) -> Result<UserRow> {
        user.territories = on_pool!(self, p => sqlx::query_scalar(
            "SELECT territory FROM user_territories WHERE user_id = $1 ORDER BY territory",
        )
        .bind(user.id)
        .fetch_all(p)
        .await)?;
        Ok(user)
    }

    /// Creates an account; `Ok(None)` when the user name is taken.
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        role: &str,
        password_hash: &str,
        territories: &[String],
    ) -> Result<Option<i64>> {
        let mut tx = self.begin().await?;
        let id: Option<i64> = on_tx!(&mut tx, t => sqlx::query_scalar(
            "INSERT INTO users (username, display_name, role, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING RETURNING id",
        )
        .bind(username)
        .bind(display_name)
        .bind(role)
        .bind(password_hash)
        .bind(crate::time::now_utc())
        .fetch_optional(&mut **t)
        .await)?;
        let Some(id) = id else { return Ok(None) };
        for territory in territories {
            on_tx!(&mut tx, t => sqlx::query("INSERT INTO user_territories (user_id, territory) VALUES ($1, $2)")
                .bind(id)
                .bind(territory)
                .execute(&mut **t)
                .await.map(|_| ()))?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Every account, by user name.
    pub async fn users(&self) -> Result<Vec<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        let users = on_pool!(self, p => sqlx::query(&sql)
            .fetch_all(p)
            .await?
            .iter()
            .map(user_from_row)
            .collect::<Result<Vec<_>>>())?;
        let mut out = Vec::with_capacity(users.len());
        for user in users {
            out.push(self.with_territories(user).await?);
        }
        Ok(out)
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        let user = on_pool!(self, p => sqlx::query(&sql)
            .bind(username)
            .fetch_optional(p)
            .await?
            .as_ref()
            .map(user_from_row)
            .transpose())?;
        match user {
            Some(user) => Ok(Some(self.with_territories(user).await?)),
            None => Ok(None),
        }
    }

    /// Disables (or re-enables) an account; disabling ends its sessions. `Ok(false)`
    /// when the user is unknown.
    pub async fn set_user_disabled(&self, username: &str, disabled: bool) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = on_tx!(&mut tx, t => sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2")
            .bind(disabled)
            .bind(username)
            .execute(&mut **t)
            .await.map(|d| d.rows_affected()))?;
        if disabled {
            end_sessions(&mut tx, username).await?;
        }
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Changes an account's role and territories; ends its sessions so that the new
    /// rights apply at once. `Ok(false)` when the user is unknown.
    pub async fn set_user_role(
        &self,
        username: &str,
        role: &str,
        territories: &[String],
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let id: Option<i64> = on_tx!(&mut tx, t => sqlx::query_scalar("UPDATE users SET role = $1 WHERE username = $2 RETURNING id")
                .bind(role)
                .bind(username)
                .fetch_optional(&mut **t)
                .await)?;
        let Some(id) = id else { return Ok(false) };
        on_tx!(&mut tx, t => sqlx::query("DELETE FROM user_territories WHERE user_id = $1")
            .bind(id)
            .execute(&mut **t)
            .await.map(|_| ()))?;
        for territory in territories {
            on_tx!(&mut tx, t => sqlx::query("INSERT INTO user_territories (user_id, territory) VALUES ($1, $2)")
                .bind(id)
                .bind(territory)
                .execute(&mut **t)
                .await.map(|_| ()))?;
        }
        end_sessions(&mut tx, username).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Sets (or clears) the organisation a partner account speaks for. `Ok(false)`
    /// when the user is unknown.
    pub async fn set_user_organisation(
        &self,
        username: &str,
        organisation: Option<&str>,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = on_tx!(&mut tx, t => sqlx::query("UPDATE users SET organisation = $1 WHERE username = $2")
            .bind(organisation)
            .bind(username)
            .execute(&mut **t)
            .await.map(|d| d.rows_affected()))?;
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Replaces an account's password hash and ends its sessions.
    pub async fn set_user_password(&self, username: &str, password_hash: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = on_tx!(&mut tx, t => sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
            .bind(password_hash)
            .bind(username)
            .execute(&mut **t)
            .await.map(|d| d.rows_affected()))?;
        end_sessions(&mut tx, username).await?;
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Opens a session; the session presented before login (if any) is deleted in the
    /// same transaction, so that a token known before login never works after it.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        now: i64,
        replaces: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        if let Some(old) = replaces {
            on_tx!(&mut tx, t => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(old)
                .execute(&mut **t)
                .await.map(|_| ()))?;
        }
        on_tx!(&mut tx, t => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut **t)
            .await.map(|_| ()))?;
        on_tx!(&mut tx, t => sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(now + crate::auth::session::SESSION_SECONDS)
        .execute(&mut **t)
        .await.map(|_| ()))?;
        tx.commit().await?;
        Ok(())
    }

    /// The live session of `token_hash` with an enabled user, if any.
    pub async fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRow>> {
        let row = on_pool!(self, p => sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.password_hash, u.disabled, \
             u.created_at, u.organisation, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(p)
        .await?
        .map(|row| Ok::<_, DbError>((user_from_row(&row)?, row.field::<String>("csrf_token")?)))
        .transpose())?;
        let Some((user, csrf_token)) = row else {
            return Ok(None);
        };
        let user = self.with_territories(user).await?;
        Ok(Some(SessionRow { user, csrf_token }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        on_pool!(self, p => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(p)
            .await.map(|_| ()))?;
        Ok(())
    }

    /// Counts a login attempt *before* its password is checked, atomically: in one
    /// write transaction, forgets failures older than `since`, counts the recent
    /// ones for the user name and the address, and, when both are under their
    /// limits, records this attempt as a failure (a successful login then clears
    /// the user name's). So N concurrent attempts cannot all pass the limit: each
    /// sees the ones before it. `Err(failures)` when a limit is reached.
    pub async fn claim_login_attempt(
        &self,
        username: &str,
        ip: &str,
        now: i64,
        since: i64,
        limits: (i64, i64),
    ) -> Result<std::result::Result<(), LoginFailures>> {
        let mut tx = self.begin().await?;
        if tx.is_postgres() {
            // Serialises the attempts as SQLite's BEGIN IMMEDIATE does.
            on_tx!(&mut tx, t => sqlx::query("LOCK TABLE login_failures IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut **t)
                .await.map(|_| ()))?;
        }
        on_tx!(&mut tx, t => sqlx::query("DELETE FROM login_failures WHERE at <= $1")
            .bind(since)
            .execute(&mut **t)
            .await.map(|_| ()))?;
        let failures = on_tx!(&mut tx, t => sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM login_failures WHERE username = $1) AS u, \
               (SELECT COUNT(*) FROM login_failures WHERE ip = $2) AS i, \
               (SELECT MIN(at) FROM login_failures WHERE username = $1 OR ip = $2) AS oldest",
        )
        .bind(username)
        .bind(ip)
        .fetch_one(&mut **t)
        .await
        .map_err(DbError::from)
        .and_then(|row| {
            Ok(LoginFailures {
                for_username: row.field("u")?,
                for_ip: row.field("i")?,
                oldest: row.field("oldest")?,
            })
        }))?;
        if failures.for_username >= limits.0 || failures.for_ip >= limits.1 {
            tx.commit().await?;
            return Ok(Err(failures));
        }
        on_tx!(&mut tx, t => sqlx::query("INSERT INTO login_failures (username, ip, at) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(ip)
            .bind(now)
            .execute(&mut **t)
            .await.map(|_| ()))?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Records a failed login, and forgets failures older than the throttling window.
    pub async fn record_login_failure(&self, username: &str, ip: &str, at: i64) -> Result<()> {
        on_pool!(self, p => sqlx::query("DELETE FROM login_failures WHERE at <= $1")
            .bind(at - crate::auth::session::THROTTLE_WINDOW_SECONDS)
            .execute(p)
            .await.map(|_| ()))?;
        on_pool!(self, p => sqlx::query("INSERT INTO login_failures (username, ip, at) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(ip)
            .bind(at)
            .execute(p)
            .await.map(|_| ()))?;
        Ok(())
    }

    /// Forgets a user name's failures after a successful login.
    pub async fn clear_login_failures(&self, username: &str) -> Result<()> {
        on_pool!(self, p => sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username)
            .execute(p)
            .await.map(|_| ()))?;
        Ok(())
    }
}

async fn end_sessions(tx: &mut Tx, username: &str) -> Result<()> {
    on_tx!(tx, t => sqlx::query("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)")
        .bind(username)
        .execute(&mut **t)
        .await.map(|_| ()))?;
    Ok(())
}
