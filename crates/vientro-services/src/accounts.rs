//! Accounts: users, logins with throttling, browser sessions and API tokens.
//!
//! Passwords are hashed with Argon2 (PHC strings, on a blocking thread so a login does not stall other
//! requests); session and API tokens are 256-bit random values whose SHA-256 digest alone is stored. A user
//! becomes a [`CurrentUser`], which carries the [`Principal`] every access decision is made for. This module
//! must not know about cookies or HTTP headers; the web face carries the tokens.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use vientro_domain::ValidationError;
use vientro_domain::access::{Principal, Role};
use vientro_domain::admin_units::ProvinceCode;
use vientro_domain::ids::OrganisationId;
use vientro_store::accounts::{self, NewUser, UserRow};
use vientro_store::audit::{self, AuditEntry};
use vientro_store::{StoreError, now};

use crate::{Actor, ServiceError, Services};

/// How long a browser session lives without a new login.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
/// The window failed logins are counted in.
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
/// Failed logins for one user name within the window before further attempts are refused.
pub const MAX_FAILURES_PER_NAME: i64 = 5;
/// Failed logins from one client within the window before further attempts are refused.
pub const MAX_FAILURES_PER_CLIENT: i64 = 30;

/// A user as the faces see them: who, in which role and scope, and the session's form token if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    /// User id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Province (provincial roles).
    pub province: Option<ProvinceCode>,
    /// Organisation (NGO reporters).
    pub organisation: Option<OrganisationId>,
    /// The token every state-changing form of this browser session must carry (None for API tokens).
    pub csrf_token: Option<String>,
}

impl CurrentUser {
    /// The principal access decisions are made for.
    pub fn principal(&self) -> Principal {
        Principal::User { role: self.role, province: self.province.clone(), organisation: self.organisation }
    }

    /// The actor written into audit rows: the login name.
    pub fn actor(&self) -> Actor {
        Actor::named(self.username.clone())
    }

    fn from_row(row: UserRow, csrf_token: Option<String>) -> Result<Self, ServiceError> {
        let role = Role::parse(&row.role)?;
        let province = row.province_code.as_deref().map(ProvinceCode::parse).transpose()?;
        Ok(Self {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            role,
            province,
            organisation: row.organisation_id.map(OrganisationId),
            csrf_token,
        })
    }
}

/// A user to create.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct UserInput {
    /// Login name (letters, digits, `.`, `-`, `_`; stored lower-case).
    pub username: String,
    /// Display name (default: the login name).
    pub display_name: Option<String>,
    /// Password (at least 4 characters; demo users use `demo`).
    pub password: String,
    /// Role code.
    pub role: String,
    /// Province code or name, for provincial roles.
    pub province: Option<String>,
    /// Organisation id, for NGO reporters.
    pub organisation: Option<i64>,
}

/// A fresh login: the user and the session token the browser keeps.
#[derive(Debug, Clone)]
pub struct Login {
    /// The user, with the new session's form token.
    pub user: CurrentUser,
    /// The session token (goes into the cookie; only its digest is stored).
    pub session_token: String,
}

/// 256 random bits as 64 hex characters.
pub fn random_token() -> Result<String, ServiceError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServiceError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// The stored digest of a session or API token.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn parse_username(raw: &str) -> Result<String, ValidationError> {
    let name = raw.trim().to_lowercase();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(name)
    } else {
        Err(ValidationError::new(
            "username",
            "error-username-invalid",
            "a user name is 1 to 64 letters, digits, '.', '-' or '_'",
        ))
    }
}

async fn hash_password(password: String) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("password hashing failed: {e}")))
}

async fn password_matches(password: String, hash: String) -> Result<bool, ServiceError> {
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("password check failed: {e}")))
}

// A real hash of a throwaway password, checked when the user name is unknown so that a wrong name and a
// wrong password take the same time.
static DECOY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password_auth::generate_hash("not a password of anyone"));

impl Services {
    /// Creates a user. Provincial roles must name their province, NGO reporters their organisation.
    pub async fn add_user(&self, actor: &Actor, input: &UserInput) -> Result<i64, ServiceError> {
        let mut errors = vientro_domain::ValidationErrors::new();
        let username = errors.collect(parse_username(&input.username));
        let role = errors.collect(Role::parse(&input.role));
        let province = match input.province.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => errors.collect(
                vientro_domain::admin_units::AdminUnits::embedded()
                    .parse_province_in(p, vientro_domain::admin_units::UnitSet::From2025),
            ),
            None => None,
        };
        if input.password.chars().count() < 4 {
            errors.push(ValidationError::new(
                "password",
                "error-password-short",
                "a password has at least 4 characters",
            ));
        }
        let organisation = input.organisation.map(OrganisationId);
        if let Some(role) = role {
            errors.collect(Principal::user(role, province.clone(), organisation));
        }
        let (Some(username), Some(role)) = (username, role) else { return Err(errors.into()) };
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let hash = hash_password(input.password.clone()).await?;
        let display = input.display_name.clone().filter(|d| !d.trim().is_empty()).unwrap_or_else(|| username.clone());
        let mut tx = self.db.begin().await?;
        if let Some(o) = organisation {
            vientro_store::organisations::get(&mut tx, o).await.map_err(|e| match e {
                StoreError::NotFound(_) => ServiceError::from(ValidationError::new(
                    "organisation",
                    "error-organisation-unknown",
                    format!("there is no organisation {o}"),
                )),
                other => other.into(),
            })?;
        }
        let user = NewUser {
            username: &username,
            display_name: &display,
            password_hash: &hash,
            role: role.as_str(),
            province_code: province.as_ref().map(ProvinceCode::as_str),
            organisation_id: organisation.map(|o| o.0),
        };
        let id = accounts::insert_user(&mut tx, &user, now()).await?;
        let after = serde_json::json!({ "username": username, "display_name": display, "role": role.as_str(),
            "province": province.as_ref().map(ProvinceCode::as_str), "organisation": organisation.map(|o| o.0) });
        crate::organisations::audit_create(&mut tx, actor, "user", id, Some(after)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every user (for administrators).
    pub async fn users(&self, who: &CurrentUser) -> Result<Vec<UserRow>, ServiceError> {
        require_admin(who)?;
        let mut db = self.db.clone();
        Ok(accounts::users(&mut db).await?)
    }

    /// Checks a user name and password and opens a new session (a fresh token at every login, so a session
    /// token planted before login is worthless). `client` identifies where the attempt came from, for
    /// throttling.
    pub async fn login(&self, username: &str, password: &str, client: &str) -> Result<Login, ServiceError> {
        let username = username.trim().to_lowercase();
        let now = now();
        let since = now - Duration::minutes(THROTTLE_WINDOW_MINUTES);
        let mut db = self.db.clone();
        let (by_name, by_client) = accounts::recent_failures(&mut db, &username, client, since).await?;
        if by_name >= MAX_FAILURES_PER_NAME || by_client >= MAX_FAILURES_PER_CLIENT {
            return Err(ServiceError::Throttled { minutes: THROTTLE_WINDOW_MINUTES });
        }
        let row = accounts::user_by_username(&mut db, &username).await?.filter(|u| u.active);
        let hash = row.as_ref().map_or_else(|| DECOY_HASH.clone(), |u| u.password_hash.clone());
        let matches = password_matches(password.to_owned(), hash).await? && row.is_some();
        let mut tx = self.db.begin().await?;
        accounts::record_attempt(&mut tx, &username, client, matches, now).await?;
        let Some(row) = row.filter(|_| matches) else {
            tx.commit().await?;
            return Err(ServiceError::Unauthenticated("the user name or the password is wrong".to_owned()));
        };
        let token = random_token()?;
        let csrf = random_token()?;
        accounts::insert_session(&mut tx, &token_digest(&token), row.id, &csrf, now, now + SESSION_LIFETIME).await?;
        audit_session(&mut tx, &row.username, "login", row.id, now).await?;
        tx.commit().await?;
        Ok(Login { user: CurrentUser::from_row(row, Some(csrf))?, session_token: token })
    }

    /// The user of a live session token, if any.
    pub async fn session_user(&self, token: &str) -> Result<Option<CurrentUser>, ServiceError> {
        let mut db = self.db.clone();
        let Some(session) = accounts::live_session(&mut db, &token_digest(token), now()).await? else {
            return Ok(None);
        };
        let row = accounts::user(&mut db, session.user_id).await?;
        Ok(Some(CurrentUser::from_row(row, Some(session.csrf_token))?))
    }

    /// Ends one session.
    pub async fn logout(&self, token: &str) -> Result<(), ServiceError> {
        let mut db = self.db.clone();
        accounts::end_session(&mut db, &token_digest(token), now()).await?;
        Ok(())
    }

    /// Ends every session of the user, on every device; returns how many were open.
    pub async fn logout_everywhere(&self, who: &CurrentUser) -> Result<u64, ServiceError> {
        let now = now();
        let mut tx = self.db.begin().await?;
        let ended = accounts::end_all_sessions(&mut tx, who.id, now).await?;
        audit_session(&mut tx, &who.username, "logout_everywhere", who.id, now).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Creates an API token for a user and returns it; it is shown once and only its digest is kept.
    pub async fn create_token(&self, actor: &Actor, username: &str, label: &str) -> Result<String, ServiceError> {
        let mut tx = self.db.begin().await?;
        let user = accounts::user_by_username(&mut tx, &username.trim().to_lowercase()).await?.ok_or_else(|| {
            ValidationError::new("user", "error-user-unknown", format!("there is no user '{username}'"))
        })?;
        let token = random_token()?;
        let id = accounts::insert_token(&mut tx, &token_digest(&token), user.id, label, now()).await?;
        crate::organisations::audit_create(
            &mut tx,
            actor,
            "api_token",
            id,
            Some(serde_json::json!({ "user": user.username, "label": label })),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The user of a live API token, if any.
    pub async fn token_user(&self, token: &str) -> Result<Option<CurrentUser>, ServiceError> {
        let mut db = self.db.clone();
        let Some(user_id) = accounts::token_user(&mut db, &token_digest(token)).await? else { return Ok(None) };
        let row = accounts::user(&mut db, user_id).await?;
        Ok(Some(CurrentUser::from_row(row, None)?))
    }
}

/// Refuses anyone but an administrator.
pub fn require_admin(who: &CurrentUser) -> Result<(), ServiceError> {
    if who.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("only administrators manage users".into()))
    }
}

async fn audit_session(
    tx: &mut vientro_store::Tx,
    username: &str,
    action: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    audit::append(
        tx,
        &AuditEntry { actor: username, action, entity: "user", entity_id: Some(user_id), before: None, after: None },
        now,
    )
    .await?;
    Ok(())
}
