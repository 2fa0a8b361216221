//! Errors of the HTTP side, as `application/problem+json` (RFC 9457).
//!
//! Policy: handlers return [`ApiError`]; the service returns
//! `service::ServiceError` and `db` returns `QueryResult`, converted here
//! in one place. A procedure refusal
//! is 409 with `violations`; a stale version is 409 with the current version; bad input is
//! 400/413/422 naming what is wrong; unknown is 404; no right is 401/403. Nothing a client can
//! send yields a 500.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::procedure::Violation;
use crate::service::ServiceError;

/// An error answered to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed request (400).
    #[error("{0}")]
    BadRequest(String),
    /// Well-formed but invalid content (422).
    #[error("{0}")]
    Unprocessable(String),
    /// Body too large (413).
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    /// No valid credentials (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Not allowed (403).
    #[error("{0}")]
    Forbidden(String),
    /// Unknown (404).
    #[error("{0} not found")]
    NotFound(String),
    /// The engine refused (409).
    #[error("the procedure refuses the command")]
    Refused(Vec<Violation>),
    /// Stale version (409).
    #[error("the decision or catalog is at version {actual}, not {expected}; reload and retry")]
    Stale {
        /// What the client expected.
        expected: i64,
        /// Where it is.
        actual: i64,
    },
    /// The thing exists already (409).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts (429).
    #[error("{0}")]
    TooManyRequests(String),
    /// The database is unavailable (503).
    #[error("the database is unavailable")]
    Unavailable(String),
    /// A fault of ours (500), logged, never shown in detail.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// The problem's title in Chinese (what a page shows when the detail has no Chinese).
    pub fn title_zh(&self) -> &'static str {
        self.kind().1
    }

    fn kind(&self) -> (&'static str, &'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => ("bad-request", "请求格式错误", "Bad request"),
            ApiError::Unprocessable(_) => ("invalid", "请求内容无效", "Invalid request"),
            ApiError::TooLarge(_) => ("too-large", "请求过大", "Payload too large"),
            ApiError::Unauthorized(_) => ("unauthorized", "未登录或登录已失效", "Unauthorized"),
            ApiError::Forbidden(_) => ("forbidden", "无权进行此操作", "Forbidden"),
            ApiError::NotFound(_) => ("not-found", "未找到", "Not found"),
            ApiError::Refused(_) => (
                "procedure-violation",
                "违反法定程序，操作被拒绝",
                "Refused by the procedure",
            ),
            ApiError::Stale { .. } => (
                "stale",
                "决策或目录已被他人更新，请刷新后重试",
                "Stale version",
            ),
            ApiError::Conflict(_) => ("conflict", "已存在，不能重复创建", "Already exists"),
            ApiError::TooManyRequests(_) => (
                "rate-limited",
                "尝试次数过多，请稍后再试",
                "Too many requests",
            ),
            ApiError::Unavailable(_) => ("unavailable", "服务暂不可用", "Service unavailable"),
            ApiError::Internal(_) => ("internal", "服务器内部错误", "Internal error"),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Refused(_) | ApiError::Stale { .. } | ApiError::Conflict(_) => {
                StatusCode::CONFLICT
            }
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (kind, title_zh, title) = self.kind();
        let status = self.status_code();
        if let ApiError::Internal(detail) | ApiError::Unavailable(detail) = self {
            tracing::error!(%detail, "request failed");
        }
        let mut body = json!({
            "type": format!("/problems/{kind}"),
            "title": title,
            "title_zh": title_zh,
            "status": status.as_u16(),
            "detail": self.to_string(),
        });
        match self {
            ApiError::Refused(v) => body["violations"] = json!(v),
            ApiError::Stale { expected, actual } => {
                body["expected_version"] = json!(expected);
                body["current_version"] = json!(actual);
            }
            _ => {}
        }
        HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "application/problem+json"))
            .body(body.to_string())
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound(what) => ApiError::NotFound(what),
            ServiceError::Stale { expected, actual } => ApiError::Stale { expected, actual },
            ServiceError::Refused(v) => ApiError::Refused(v),
            ServiceError::Invalid(m) => ApiError::Unprocessable(m),
            ServiceError::Conflict(m) => ApiError::Conflict(m),
            ServiceError::Forbidden(m) => ApiError::Forbidden(m),
            ServiceError::Unauthorized(m) => ApiError::Unauthorized(m),
            ServiceError::Unavailable(m) => ApiError::Unavailable(m),
            ServiceError::Db(e) => e.into(),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        from_db(&e)
    }
}

/// A storage error as the client should see it: data the database cannot store is the
/// request's fault (422, naming the column or constraint when the database does); a storage
/// that cannot write now (disk full, read-only, locked, another writer, connection lost) is
/// 503, to be retried; only what is left (a query we built wrong) is 500.
pub fn from_db(e: &diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind as Kind, Error};
    match e {
        Error::NotFound => ApiError::NotFound("record".into()),
        Error::DatabaseError(kind, info) => {
            let what = info
                .column_name()
                .or(info.constraint_name())
                .or(info.table_name())
                .unwrap_or("a field");
            let bad_data = matches!(
                kind,
                Kind::UniqueViolation
                    | Kind::ForeignKeyViolation
                    | Kind::NotNullViolation
                    | Kind::CheckViolation
            ) || is_bad_data(info.message());
            if bad_data {
                ApiError::Unprocessable(format!(
                    "{what}: the value cannot be stored ({}) / 该值无法保存",
                    info.message()
                ))
            } else {
                ApiError::Unavailable(format!("storage: {}", info.message()))
            }
        }
        other => ApiError::Internal(other.to_string()),
    }
}

/// Messages (PostgreSQL, SQLite) that blame the value, not the storage.
fn is_bad_data(message: &str) -> bool {
    const BAD: [&str; 8] = [
        "invalid byte sequence",
        "character not in repertoire",
        "out of range",
        "value too long",
        "invalid input syntax",
        "datatype mismatch",
        "string or blob too big",
        "null value in column",
    ];
    let m = message.to_ascii_lowercase();
    BAD.iter().any(|b| m.contains(b))
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        ApiError::Unavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// Path errors (e.g. an id that is not a UUID) as 404: no such resource.
pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::NotFound(format!("resource ({err})")).into()
}

/// Query-string errors as 400.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::BadRequest(format!("invalid query: {err}")).into()
}
