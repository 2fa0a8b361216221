//! The HTTP server's one route table and middleware: the JSON API and the pages, used by
//! `juece serve` and by the tests alike.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{from_fn, DefaultHeaders, Next};
use actix_web::{web, App};

use crate::api;
use crate::app::AppState;
use crate::pages;

/// The header that announces a simulated clock.
pub const SIMULATED_CLOCK_HEADER: &str = "x-juece-simulated-clock";

/// Routes, extractor configuration and error handlers: the one `configure`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // JSON bodies are read by `api::extract::Body` (one extractor, naming the bad field).
    cfg.app_data(web::PathConfig::default().error_handler(api::error::path_error))
        .app_data(web::QueryConfig::default().error_handler(api::error::query_error));
    api::register(cfg);
    pages::register(cfg);
    cfg.default_service(web::to(no_route));
}

/// A path nothing serves: a problem+json under `/api`, an HTML page anywhere else.
async fn no_route(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    use actix_web::ResponseError;
    if pages::is_page_path(req.path()) {
        match pages::not_found(req).await {
            Ok(res) => res,
            Err(e) => e.error_response(),
        }
    } else {
        match api::no_route(req).await {
            Ok(res) => res,
            Err(e) => e.error_response(),
        }
    }
}

/// The whole application for `state`.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .wrap(from_fn(announce_simulated_clock))
        .wrap(from_fn(public_gate))
        .wrap(from_fn(refuse_nul))
        .wrap(from_fn(cors_policy))
        .wrap(DefaultHeaders::new().add(("x-content-type-options", "nosniff")))
        .configure(configure)
}

/// A NUL character (`%00`) in the path or the query names nothing that can exist — no id or text
/// may contain it, and PostgreSQL cannot even compare it: 404 for a path, 400 for a query,
/// before any handler or the database sees it.
async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    use actix_web::ResponseError;
    let has_nul = |s: &str| s.to_ascii_lowercase().contains("%00") || s.contains('\0');
    let refusal = if has_nul(req.uri().path()) {
        Some(api::error::ApiError::NotFound(
            "resource (the path contains NUL)".into(),
        ))
    } else if req.uri().query().is_some_and(has_nul) {
        Some(api::error::ApiError::BadRequest(
            "a query parameter contains the NUL character".into(),
        ))
    } else {
        None
    };
    match refusal {
        Some(e) => {
            let (req, _) = req.into_parts();
            Ok(ServiceResponse::new(req, e.error_response()).map_into_right_body())
        }
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
    }
}

/// The public's requests take a turn at the gate (`public_reads`), so that they never hold
/// every connection and signed-in work always gets one; after the wait, 503 with `Retry-After`.
async fn public_gate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    use actix_web::ResponseError;
    let gate = req
        .app_data::<web::Data<AppState>>()
        .filter(|_| crate::public_reads::is_public_path(req.path()))
        .map(|s| s.public_reads.clone());
    let Some(gate) = gate else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    match gate.enter().await {
        Some(_turn) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        None => {
            let busy = "too many public requests at once, retry shortly / 访问人数较多，请稍后再试";
            let mut res = if pages::is_page_path(req.path()) {
                pages::render::PageError::Unavailable("访问人数较多，请稍后再试。".into())
                    .error_response()
            } else {
                api::error::ApiError::Unavailable(busy.into()).error_response()
            };
            res.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                HeaderValue::from_static("1"),
            );
            let (req, _) = req.into_parts();
            Ok(ServiceResponse::new(req, res).map_into_right_body())
        }
    }
}

async fn announce_simulated_clock(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let now = req
        .app_data::<web::Data<AppState>>()
        .filter(|s| s.clock.is_simulated())
        .map(|s| s.clock.now());
    let mut res = next.call(req).await?;
    if let Some(now) = now {
        if let Ok(v) = HeaderValue::from_str(&now.to_rfc3339()) {
            res.headers_mut()
                .insert(HeaderName::from_static(SIMULATED_CLOCK_HEADER), v);
        }
    }
    Ok(res)
}

// ---- CORS policy (issue 13, defect 10) ----------------------------------------------------

/// The stated CORS policy: **no cross-origin use of the API.** The API is used by its own pages
/// and by programs (which send no `Origin` and need no CORS); a page of another origin must not
/// act with a user's token. So a preflight (`OPTIONS`, any path) is answered 204 with the
/// methods of the API in `Allow` and *no* `Access-Control-Allow-Origin`: the browser then
/// refuses the cross-origin request itself. No response ever carries that header.
async fn cors_policy(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if req.method() == actix_web::http::Method::OPTIONS {
        let (req, _) = req.into_parts();
        let res = actix_web::HttpResponse::NoContent()
            .insert_header(("allow", "GET, POST, DELETE, OPTIONS"))
            .insert_header(("vary", "Origin"))
            .finish();
        return Ok(ServiceResponse::new(req, res).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
