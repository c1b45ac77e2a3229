//! Users, browser sessions, API tokens and login attempts.
//!
//! Stores only digests of secrets: the services layer hashes passwords (Argon2) and tokens (SHA-256) before
//! they reach this module, and this module never sees a password or a token in clear. It must not decide who
//! may log in or what a role may do.

use chrono::{DateTime, Utc};

use crate::db::{Exec, ExecExt, Scalar, Stmt};
use crate::error::StoreError;

/// A user as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Name shown in pages and the audit log.
    pub display_name: String,
    /// Argon2 PHC string.
    #[serde(skip)]
    pub password_hash: String,
    /// Role code.
    pub role: String,
    /// Province a provincial role works in.
    pub province_code: Option<String>,
    /// Organisation an NGO reporter works for.
    pub organisation_id: Option<i64>,
    /// May log in.
    pub active: bool,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
}

const USER_COLUMNS: &str =
    "id, username, display_name, password_hash, role, province_code, organisation_id, active, version, created_at";

/// A user to insert.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Login name (already normalised).
    pub username: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Argon2 PHC string.
    pub password_hash: &'a str,
    /// Role code.
    pub role: &'a str,
    /// Province.
    pub province_code: Option<&'a str>,
    /// Organisation.
    pub organisation_id: Option<i64>,
}

/// Inserts a user and returns its id.
pub async fn insert_user(ex: &mut impl Exec, user: &NewUser<'_>, now: DateTime<Utc>) -> Result<i64, StoreError> {
    ex.insert_returning_id(
        Stmt::new(
            "INSERT INTO app_user (username, display_name, password_hash, role, province_code, organisation_id, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(user.username)
        .bind(user.display_name)
        .bind(user.password_hash)
        .bind(user.role)
        .bind(user.province_code)
        .bind(user.organisation_id)
        .bind(now),
    )
    .await
    .map_err(|e| e.on_constraint())
}

/// Finds a user by login name.
pub async fn user_by_username(ex: &mut impl Exec, username: &str) -> Result<Option<UserRow>, StoreError> {
    ex.fetch_optional(Stmt::new(format!("SELECT {USER_COLUMNS} FROM app_user WHERE username = $1")).bind(username))
        .await
}

/// Reads a user.
pub async fn user(ex: &mut impl Exec, id: i64) -> Result<UserRow, StoreError> {
    ex.fetch_one(Stmt::new(format!("SELECT {USER_COLUMNS} FROM app_user WHERE id = $1")).bind(id), "user").await
}

/// Every user, by login name.
pub async fn users(ex: &mut impl Exec) -> Result<Vec<UserRow>, StoreError> {
    ex.fetch_all(Stmt::new(format!("SELECT {USER_COLUMNS} FROM app_user ORDER BY username"))).await
}

/// Replaces a user's password hash.
pub async fn set_password_hash(ex: &mut impl Exec, id: i64, hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    ex.execute(
        Stmt::new("UPDATE app_user SET password_hash = $2, version = version + 1, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(hash)
            .bind(now),
    )
    .await?;
    Ok(())
}

/// Opens a session under the digest of its token.
pub async fn insert_session(
    ex: &mut impl Exec,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    ex.insert_returning_id(
        Stmt::new(
            "INSERT INTO user_session (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at),
    )
    .await
}

/// A live session with its user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// Session id.
    pub session_id: i64,
    /// The token the forms of this session must carry.
    pub csrf_token: String,
    /// The user id.
    pub user_id: i64,
}

/// The live (not ended, not expired) session with this token digest, of an active user.
pub async fn live_session(
    ex: &mut impl Exec,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionRow>, StoreError> {
    ex.fetch_optional(
        Stmt::new(
            "SELECT s.id AS session_id, s.csrf_token, s.user_id FROM user_session s JOIN app_user u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2 AND u.active",
        )
        .bind(token_hash)
        .bind(now),
    )
    .await
}

/// Ends one session.
pub async fn end_session(ex: &mut impl Exec, token_hash: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
    ex.execute(
        Stmt::new("UPDATE user_session SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL")
            .bind(token_hash)
            .bind(now),
    )
    .await
}

/// Ends every session of a user; returns how many were live.
pub async fn end_all_sessions(ex: &mut impl Exec, user_id: i64, now: DateTime<Utc>) -> Result<u64, StoreError> {
    ex.execute(
        Stmt::new("UPDATE user_session SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL")
            .bind(user_id)
            .bind(now),
    )
    .await
}

/// Stores an API token's digest.
pub async fn insert_token(
    ex: &mut impl Exec,
    token_hash: &str,
    user_id: i64,
    label: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    ex.insert_returning_id(
        Stmt::new(
            "INSERT INTO api_token (token_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(label)
        .bind(now),
    )
    .await
}

/// The active user a live API token belongs to.
pub async fn token_user(ex: &mut impl Exec, token_hash: &str) -> Result<Option<i64>, StoreError> {
    let row: Option<Scalar> = ex
        .fetch_optional(
            Stmt::new(
                "SELECT t.user_id FROM api_token t JOIN app_user u ON u.id = t.user_id \
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active",
            )
            .bind(token_hash),
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// Records a login attempt.
pub async fn record_attempt(
    ex: &mut impl Exec,
    username: &str,
    client: &str,
    succeeded: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ex.execute(
        Stmt::new("INSERT INTO login_attempt (username, client, succeeded, attempted_at) VALUES ($1, $2, $3, $4)")
            .bind(username)
            .bind(client)
            .bind(succeeded)
            .bind(now),
    )
    .await?;
    Ok(())
}

/// Failed attempts since `since` for this name and, separately, from this client.
pub async fn recent_failures(
    ex: &mut impl Exec,
    username: &str,
    client: &str,
    since: DateTime<Utc>,
) -> Result<(i64, i64), StoreError> {
    let by_name: Scalar = ex
        .fetch_one(
            Stmt::new("SELECT COUNT(*) FROM login_attempt WHERE username = $1 AND attempted_at > $2 AND NOT succeeded")
                .bind(username)
                .bind(since),
            "count",
        )
        .await?;
    let by_client: Scalar = ex
        .fetch_one(
            Stmt::new("SELECT COUNT(*) FROM login_attempt WHERE client = $1 AND attempted_at > $2 AND NOT succeeded")
                .bind(client)
                .bind(since),
            "count",
        )
        .await?;
    Ok((by_name.0, by_client.0))
}
