//! Sessions over HTTP: login, logout, the current session, and the extractors
//! handlers use to know who is asking ([`Viewer`]), to require the Département's staff
//! ([`Staff`]) or any signed-in account, partners included ([`Account`]).
//!
//! A partner's session (role `partenaire`) is the public's to every route but its own
//! (`api::proposals`), the session and logout: [`Viewer`] reads it as no session and
//! [`Staff`] refuses it (403). A route opens to partners only by taking [`Account`].
//!
//! Security choices, in one place:
//! - the session token lives in a cookie `HttpOnly; SameSite=Strict; Path=/`, plus
//!   `Secure` when the request came over HTTPS (`X-Forwarded-Proto: https`) or the
//!   server is configured so; the database stores only its SHA-256;
//! - login always issues a new token and deletes the one presented (no fixation);
//! - every mutation under a session needs the session's CSRF token in
//!   `X-CSRF-Token` (from `GET /api/session`), and a cross-origin `Origin` (or
//!   `Sec-Fetch-Site`) is refused, login included;
//! - after 5 failed logins for one user name (or 30 from one address) within 15
//!   minutes, logins answer 429 with `Retry-After` until the window has passed.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use std::net::SocketAddr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{COOKIE, HOST, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, Json};
use crate::api::AppState;
use crate::auth::session::{
    COOKIE_NAME, MAX_FAILURES_PER_IP, MAX_FAILURES_PER_USER, SESSION_SECONDS,
    THROTTLE_WINDOW_SECONDS, new_token, token_hash, tokens_equal,
};
use crate::auth::{Role, StaffUser, password};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(current))
        .routes(routes!(login))
        .routes(routes!(logout))
}

/// Who is asking: a member of the Département's staff, or the public (`None`), which a
/// partner's session reads as.
pub struct Viewer(pub Option<StaffUser>);

impl Viewer {
    #[must_use]
    pub fn is_staff(&self) -> bool {
        self.0.is_some()
    }
}

/// A signed-in member of the Département's staff (a partner gets 403). On POST, PUT,
/// PATCH and DELETE it also checks the origin and the CSRF token: a handler that takes
/// `Staff` is protected.
pub struct Staff(pub StaffUser);

/// Any signed-in account, partners included, with the same origin and CSRF checks as
/// [`Staff`]: the handler decides what each role may do.
pub struct Account(pub StaffUser);

/// Any signed-in account or none, partners included (the session's own route).
pub(super) struct AnyViewer(pub(super) Option<StaffUser>);

/// The session token sent by the browser, if any.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

async fn session_user(parts: &Parts, state: &AppState) -> Result<Option<StaffUser>, ApiError> {
    let Some(token) = session_cookie(&parts.headers) else {
        return Ok(None);
    };
    let Some(row) = state
        .db
        .session(&token_hash(&token), crate::time::unix_now())
        .await?
    else {
        return Ok(None);
    };
    // An unknown role in the database (edited by hand) gives no rights.
    let Ok(role) = row.user.role.parse::<Role>() else {
        return Ok(None);
    };
    Ok(Some(StaffUser {
        id: row.user.id,
        username: row.user.username,
        display_name: row.user.display_name,
        role,
        territories: row.user.territories,
        organisation: row.user.organisation,
        csrf: row.csrf_token,
    }))
}

/// Does the request come from our own pages? Requests without `Origin` nor
/// `Sec-Fetch-Site` (programs, not browsers) pass: the CSRF token still applies.
pub(super) fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.to_str().ok().and_then(|o| {
        o.strip_prefix("https://")
            .or_else(|| o.strip_prefix("http://"))
    });
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

fn is_mutation(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Self(
            session_user(parts, state)
                .await?
                .filter(|u| !u.is_partner()),
        ))
    }
}

impl FromRequestParts<AppState> for AnyViewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Self(session_user(parts, state).await?))
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Account(user) = Account::from_request_parts(parts, state).await?;
        if user.is_partner() {
            return Err(ApiError::Forbidden(
                "un compte partenaire ne donne pas accès à cette fonction : il sert à \
                 proposer des textes pour ses territoires (espace « Mes propositions »)"
                    .into(),
            ));
        }
        Ok(Self(user))
    }
}

impl FromRequestParts<AppState> for Account {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = session_user(parts, state).await?.ok_or_else(|| {
            ApiError::Unauthorized("connexion requise : identifiez-vous sur /connexion".into())
        })?;
        if is_mutation(&parts.method) {
            if !same_origin(&parts.headers) {
                return Err(ApiError::Forbidden(
                    "requête refusée : elle ne vient pas d'une page de l'atlas".into(),
                ));
            }
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !tokens_equal(sent, &user.csrf) {
                return Err(ApiError::Forbidden(
                    "jeton anti-CSRF manquant ou invalide : rechargez la page".into(),
                ));
            }
        }
        Ok(Self(user))
    }
}

/// The client's address (for throttling); `unknown` without connection info.
///
/// Behind a proxy (`behind_proxy`), every connection comes from the proxy: the client
/// is the last address of `X-Forwarded-For`, the one the proxy itself appended
/// (earlier entries come from the client and prove nothing).
pub(super) struct ClientIp(pub(super) String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            client_addr(&parts.headers, &parts.extensions, state.behind_proxy)
                .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
        ))
    }
}

/// The client's address as [`ClientIp`] reads it: the last `X-Forwarded-For` entry
/// behind a proxy, else the connection's; `None` without connection info.
pub(super) fn client_addr(
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    behind_proxy: bool,
) -> Option<std::net::IpAddr> {
    if behind_proxy && let Some(ip) = forwarded_client(headers) {
        return Some(ip);
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The last address of the last `X-Forwarded-For` header, if it is one.
fn forwarded_client(headers: &HeaderMap) -> Option<std::net::IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()?
        .to_str()
        .ok()?
        .rsplit(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

#[derive(Serialize, utoipa::ToSchema)]
struct SessionInfo<'a> {
    authenticated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<UserInfo<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    csrf: Option<&'a str>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct UserInfo<'a> {
    username: &'a str,
    display_name: &'a str,
    role: Role,
    role_label: &'static str,
    /// Territories a referent may edit or a partner propose for (empty for the other
    /// roles).
    territories: &'a [String],
    /// A partner's organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    organisation: Option<&'a str>,
    /// A partner's account: it proposes, and sees nothing else of the staff space.
    is_partner: bool,
    can_record_decisions: bool,
    /// May upload the subsidies and observatory files (`/api/editions/{year}/imports`).
    can_import: bool,
}

fn session_info(user: Option<&StaffUser>) -> SessionInfo<'_> {
    SessionInfo {
        authenticated: user.is_some(),
        user: user.map(|u| UserInfo {
            username: &u.username,
            display_name: &u.display_name,
            role: u.role,
            role_label: u.role.label(),
            territories: &u.territories,
            organisation: u.organisation.as_deref(),
            is_partner: u.is_partner(),
            can_record_decisions: u.can_record_decisions(),
            can_import: u.can_import(),
        }),
        csrf: user.map(|u| u.csrf.as_str()),
    }
}

/// `GET /api/session`: the signed-in user and the CSRF token, or
/// `{"authenticated": false}` for the public.
#[utoipa::path(get, path = "/api/session", tag = "session",
    responses((status = 200, description = "La session en cours et son jeton anti-CSRF, ou `{\"authenticated\": false}`", body = SessionInfo,
        example = json!({"authenticated": true, "user": {"username": "rita", "display_name": "Rita, MDD de l'Arrageois", "role": "referent", "role_label": "référente", "territories": ["ARR"], "can_record_decisions": false, "can_import": false}, "csrf": "3f9a…"}))))]
async fn current(viewer: AnyViewer) -> Result<Response, ApiError> {
    let mut response = super::json(&session_info(viewer.0.as_ref()))?;
    response
        .headers_mut()
        .insert("cache-control", HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct LoginForm {
    username: String,
    password: String,
}

fn cookie(state: &AppState, headers: &HeaderMap, value: &str, max_age: i64) -> HeaderValue {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let secure = if state.secure_cookies || https {
        "; Secure"
    } else {
        ""
    };
    let text = format!(
        "{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    );
    // The token is hex and the attributes ASCII: always a valid header value.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// How long a login waits for a free password check before it is told to retry.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// `POST /api/login` `{username, password}`.
#[utoipa::path(post, path = "/api/login", tag = "session",
    request_body(content = LoginForm, example = json!({"username": "rita", "password": "••••••••"})),
    responses((status = 200, description = "Connecté : pose le cookie de session", body = SessionInfo),
        (status = 400, description = "Identifiant ou mot de passe absents", body = ErrorBody),
        (status = 401, description = "Identifiant ou mot de passe incorrects", body = ErrorBody),
        (status = 403, description = "Requête venue d'une autre origine", body = ErrorBody),
        (status = 429, description = "Trop d'échecs : réessayer après Retry-After secondes", body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Json(form): Json<LoginForm>,
) -> Result<Response, ApiError> {
    if !same_origin(&headers) {
        return Err(ApiError::Forbidden(
            "requête refusée : elle ne vient pas d'une page de l'atlas".into(),
        ));
    }
    let username = form.username.trim().to_owned();
    if username.is_empty() || username.len() > 100 || form.password.len() > 1024 {
        return Err(ApiError::BadRequest(
            "identifiant et mot de passe sont attendus".into(),
        ));
    }
    let now = crate::time::unix_now();
    // The attempt counts before the password is checked (see `claim_login_attempt`).
    if let Err(failures) = state
        .db
        .claim_login_attempt(
            &username,
            &ip,
            now,
            now - THROTTLE_WINDOW_SECONDS,
            (MAX_FAILURES_PER_USER, MAX_FAILURES_PER_IP),
        )
        .await?
    {
        let retry_after = failures.oldest.unwrap_or(now) + THROTTLE_WINDOW_SECONDS - now;
        return Err(ApiError::TooManyRequests {
            message: format!(
                "trop de tentatives de connexion échouées : réessayez dans {} minute(s)",
                (retry_after + 59) / 60
            ),
            retry_after,
        });
    }
    let user = state.db.user_by_name(&username).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let pw = form.password;
    // Hashing costs ~10 MB and tens of milliseconds: a few at a time, as many as
    // cores; a burst waits its turn briefly, then is told to retry.
    let Ok(Ok(_permit)) = tokio::time::timeout(
        HASHING_WAIT,
        std::sync::Arc::clone(&state.hashing).acquire_owned(),
    )
    .await
    else {
        return Err(ApiError::Busy {
            retry_after: super::error::BUSY_RETRY_AFTER,
        });
    };
    let ok = tokio::task::spawn_blocking(move || {
        if let Some(hash) = stored {
            password::verify(&pw, &hash)
        } else {
            password::verify_dummy(&pw);
            false
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => {
            return Err(ApiError::Unauthorized(
                "identifiant ou mot de passe incorrect".into(),
            ));
        }
    };
    state.db.clear_login_failures(&username).await?;
    let token = new_token().map_err(|e| ApiError::Internal(e.into()))?;
    let csrf = new_token().map_err(|e| ApiError::Internal(e.into()))?;
    let previous = session_cookie(&headers).map(|t| token_hash(&t));
    state
        .db
        .create_session(
            &token_hash(&token),
            user.id,
            &csrf,
            now,
            previous.as_deref(),
        )
        .await?;
    tracing::info!(user = user.username, "login");
    let role = user.role.parse::<Role>().unwrap_or(Role::Lecteur);
    let staff = StaffUser {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        role,
        territories: user.territories,
        organisation: user.organisation,
        csrf,
    };
    let mut response = super::json(&session_info(Some(&staff)))?;
    let h = response.headers_mut();
    h.insert(
        SET_COOKIE,
        cookie(&state, &headers, &token, SESSION_SECONDS),
    );
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /api/logout`: ends the session (CSRF token required).
#[utoipa::path(post, path = "/api/logout", tag = "session", security(("session" = [])),
    responses((status = 204, description = "Déconnecté : efface le cookie"),
        (status = 401, description = "Connexion requise", body = ErrorBody),
        (status = 403, description = "Jeton anti-CSRF ou origine invalide", body = ErrorBody)))]
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Account(_): Account,
) -> Result<Response, ApiError> {
    if let Some(token) = session_cookie(&headers) {
        state.db.delete_session(&token_hash(&token)).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, cookie(&state, &headers, "", 0))],
    )
        .into_response())
}
