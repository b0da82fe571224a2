//! SQL for staff accounts, sessions and failed-login records.
//!
//! Roles are stored as their names; `auth` parses them. Nothing here decides who may
//! do what.

use sqlx::Row;

use super::{Db, Result};

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

const USER_COLUMNS: &str = "id, username, display_name, role, password_hash, disabled, created_at";

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<UserRow> {
    Ok(UserRow {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: row.try_get("role")?,
        password_hash: row.try_get("password_hash")?,
        disabled: row.try_get("disabled")?,
        created_at: row.try_get("created_at")?,
        territories: Vec::new(),
    })
}

impl Db {
    async fn with_territories(&self, mut user: UserRow) -> Result<UserRow> {
        user.territories = sqlx::query_scalar(
            "SELECT territory FROM user_territories WHERE user_id = $1 ORDER BY territory",
        )
        .bind(user.id)
        .fetch_all(&self.pool)
        .await?;
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
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, role, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING RETURNING id",
        )
        .bind(username)
        .bind(display_name)
        .bind(role)
        .bind(password_hash)
        .bind(crate::now_utc())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { return Ok(None) };
        for t in territories {
            sqlx::query("INSERT INTO user_territories (user_id, territory) VALUES ($1, $2)")
                .bind(id)
                .bind(t)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Every account, by user name.
    pub async fn users(&self) -> Result<Vec<UserRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY username"
        ))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(self.with_territories(user_from_row(row)?).await?);
        }
        Ok(out)
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(self.with_territories(user_from_row(&row)?).await?)),
            None => Ok(None),
        }
    }

    /// Disables (or re-enables) an account; disabling ends its sessions. `Ok(false)`
    /// when the user is unknown.
    pub async fn set_user_disabled(&self, username: &str, disabled: bool) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2")
            .bind(disabled)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if disabled {
            end_sessions(&mut tx, username).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Changes an account's role and territories; ends its sessions so that the new
    /// rights apply at once. `Ok(false)` when the user is unknown.
    pub async fn set_user_role(
        &self,
        username: &str,
        role: &str,
        territories: &[String],
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> =
            sqlx::query_scalar("UPDATE users SET role = $1 WHERE username = $2 RETURNING id")
                .bind(role)
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(id) = id else { return Ok(false) };
        sqlx::query("DELETE FROM user_territories WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for t in territories {
            sqlx::query("INSERT INTO user_territories (user_id, territory) VALUES ($1, $2)")
                .bind(id)
                .bind(t)
                .execute(&mut *tx)
                .await?;
        }
        end_sessions(&mut tx, username).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Replaces an account's password hash and ends its sessions.
    pub async fn set_user_password(&self, username: &str, password_hash: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
            .bind(password_hash)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        end_sessions(&mut tx, username).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
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
        let mut tx = self.pool.begin().await?;
        if let Some(old) = replaces {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(now + crate::auth::session::SESSION_SECONDS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live session of `token_hash` with an enabled user, if any.
    pub async fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRow>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.password_hash, u.disabled, \
             u.created_at, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let csrf_token = row.try_get("csrf_token")?;
        let user = self.with_territories(user_from_row(&row)?).await?;
        Ok(Some(SessionRow { user, csrf_token }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Failed logins since `since` (Unix seconds) for `username` and for `ip`.
    pub async fn login_failures(
        &self,
        username: &str,
        ip: &str,
        since: i64,
    ) -> Result<LoginFailures> {
        let row = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at > $3) AS u, \
               (SELECT COUNT(*) FROM login_failures WHERE ip = $2 AND at > $3) AS i, \
               (SELECT MIN(at) FROM login_failures WHERE (username = $1 OR ip = $2) AND at > $3) AS oldest",
        )
        .bind(username)
        .bind(ip)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(LoginFailures {
            for_username: row.try_get("u")?,
            for_ip: row.try_get("i")?,
            oldest: row.try_get("oldest")?,
        })
    }

    /// Records a failed login, and forgets failures older than the throttling window.
    pub async fn record_login_failure(&self, username: &str, ip: &str, at: i64) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE at <= $1")
            .bind(at - crate::auth::session::THROTTLE_WINDOW_SECONDS)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO login_failures (username, ip, at) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(ip)
            .bind(at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets a user name's failures after a successful login.
    pub async fn clear_login_failures(&self, username: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

async fn end_sessions(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, username: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)")
        .bind(username)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
