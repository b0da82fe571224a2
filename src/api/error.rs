//! The one place that turns errors into HTTP statuses.
//!
//! Client errors answer `{"error": "<kind>", "message": "<what went wrong>"}` with a
//! 4xx status; internal errors answer 500 with a body that reveals nothing, and are
//! logged with their cause.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub enum ApiError {
    /// What was looked for and its key: `("commune", "75056")`.
    NotFound(&'static str, String),
    BadRequest(String),
    Internal(anyhow::Error),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(..) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (kind, message) = match self {
            Self::NotFound(what, key) => ("not_found", format!("{what} {key} not found")),
            Self::BadRequest(message) => ("bad_request", message),
            Self::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                ("internal", "internal error".to_owned())
            }
        };
        (status, Json(json!({"error": kind, "message": message}))).into_response()
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

impl From<crate::db::DbError> for ApiError {
    fn from(error: crate::db::DbError) -> Self {
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
