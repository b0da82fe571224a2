//! The one place that turns errors into HTTP statuses.
//!
//! Client errors answer `{"error": "<kind>", "message": "<what went wrong>"}` with a
//! 4xx status; internal errors answer 500 with a body that reveals nothing, and are
//! logged with their cause.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub enum ApiError {
    /// What was looked for and its key: `("commune", "75056")`.
    NotFound(&'static str, String),
    BadRequest(String),
    /// No session, or a wrong login: the message says what to do.
    Unauthorized(String),
    /// Signed in, but not allowed (role, territory, CSRF token, origin).
    Forbidden(String),
    /// The request contradicts the current state (a workflow step, a portrait that
    /// is no longer a draft).
    Conflict(String),
    /// Too many failed logins; retry after this many seconds.
    TooManyRequests {
        message: String,
        retry_after: i64,
    },
    /// The route exists, not with this method (405).
    MethodNotAllowed,
    /// The request body is larger than the route accepts (413).
    PayloadTooLarge,
    /// An uploaded file larger than its route accepts (413), with what to do instead.
    FileTooLarge(String),
    /// The request is well-formed but what it carries cannot be used (422): a damaged
    /// file (`import_aborted`), an import the plausibility checks refuse
    /// (`import_refused`). The message is the importer's French sentence.
    Unprocessable {
        kind: &'static str,
        message: String,
    },
    /// The request's URI is longer than the server reads (414).
    UriTooLong,
    /// The request's headers are larger than the server reads (431).
    HeadersTooLarge,
    /// The database is busy with another writer beyond the wait we allow: retry
    /// after this many seconds (503).
    Busy {
        retry_after: i64,
    },
    /// Too many documents are being rendered: retry after this many seconds (503).
    Overloaded {
        retry_after: i64,
    },
    Internal(anyhow::Error),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(..) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy { .. } | Self::Overloaded { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge | Self::FileTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::UriTooLong => StatusCode::URI_TOO_LONG,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl ApiError {
    /// Status, kind, message and `Retry-After` seconds of the answer.
    #[must_use]
    pub fn into_parts(self) -> (StatusCode, &'static str, String, Option<i64>) {
        let status = self.status();
        let mut retry = None;
        let (kind, message) = match self {
            Self::NotFound(what, key) => ("not_found", format!("{what} {key} not found")),
            Self::BadRequest(message) => ("bad_request", message),
            Self::Unauthorized(message) => ("unauthorized", message),
            Self::Forbidden(message) => ("forbidden", message),
            Self::Conflict(message) => ("conflict", message),
            Self::TooManyRequests {
                message,
                retry_after,
            } => {
                retry = Some(retry_after.max(1));
                ("too_many_requests", message)
            }
            Self::MethodNotAllowed => (
                "method_not_allowed",
                "cette adresse n'accepte pas cette méthode (voir l'en-tête Allow)".to_owned(),
            ),
            Self::PayloadTooLarge => (
                "payload_too_large",
                "le contenu envoyé est trop volumineux".to_owned(),
            ),
            Self::FileTooLarge(message) => ("payload_too_large", message),
            Self::Unprocessable { kind, message } => (kind, message),
            Self::UriTooLong => (
                "uri_too_long",
                "L'adresse demandée est trop longue (au plus 65 534 caractères) : \
                 réduisez le nombre de filtres ou de paramètres."
                    .to_owned(),
            ),
            Self::HeadersTooLarge => (
                "headers_too_large",
                "Les en-têtes de la requête sont trop volumineux (cookies ou \
                 en-têtes ajoutés) : allégez-les puis réessayez."
                    .to_owned(),
            ),
            Self::Busy { retry_after } => {
                retry = Some(retry_after.max(1));
                (
                    "busy",
                    "La base de données est occupée (une importation est peut-être en \
                     cours) : réessayez dans quelques secondes, rien n'a été enregistré."
                        .to_owned(),
                )
            }
            Self::Overloaded { retry_after } => {
                retry = Some(retry_after.max(1));
                (
                    "overloaded",
                    "Trop de documents sont en cours de préparation : réessayez dans \
                     quelques secondes."
                        .to_owned(),
                )
            }
            Self::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                ("internal", "internal error".to_owned())
            }
        };
        (status, kind, message, retry)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, message, retry) = self.into_parts();
        let mut response = (
            status,
            axum::Json(json!({"error": kind, "message": message})),
        )
            .into_response();
        if let Some(seconds) = retry {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::PayloadTooLarge;
        }
        Self::BadRequest(rejection.body_text())
    }
}

impl From<crate::portraits::InvalidInput> for ApiError {
    fn from(error: crate::portraits::InvalidInput) -> Self {
        Self::BadRequest(error.0)
    }
}

impl From<crate::portraits::workflow::TransitionError> for ApiError {
    fn from(error: crate::portraits::workflow::TransitionError) -> Self {
        use crate::portraits::workflow::TransitionError as E;
        match error {
            E::Forbidden(message) => Self::Forbidden(message),
            E::Invalid { .. } => Self::Conflict(error.to_string()),
            E::UnknownStatus(_) | E::MissingDecision(_) => Self::BadRequest(error.to_string()),
        }
    }
}

impl From<crate::summary::SummaryError> for ApiError {
    fn from(error: crate::summary::SummaryError) -> Self {
        use crate::summary::SummaryError as E;
        match error {
            E::UnknownZone(what) => Self::NotFound("zone", what),
            E::UnknownEdition(year) => Self::NotFound("edition", year.to_string()),
            E::NoEdition => Self::NotFound("edition", "(none imported yet)".into()),
            E::Db(e) => e.into(),
            E::Render { .. } => Self::Internal(error.into()),
        }
    }
}

/// Seconds a client is asked to wait when the database is busy.
pub const BUSY_RETRY_AFTER: i64 = 2;

impl From<crate::db::DbError> for ApiError {
    fn from(error: crate::db::DbError) -> Self {
        if error.is_busy() {
            tracing::warn!("database busy: {error}");
            return Self::Busy {
                retry_after: BUSY_RETRY_AFTER,
            };
        }
        Self::Internal(error.into())
    }
}

/// `Query` whose rejection answers in our JSON error shape.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// `Path` whose rejection answers in our JSON error shape.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// `Json` whose rejection answers in our JSON error shape.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::extract::Json), rejection(ApiError))]
pub struct Json<T>(pub T);
