//! The application's shared state and the one route table, used by `juece serve` and by tests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App};
use chrono::{DateTime, Duration, Utc};

use crate::api;
use crate::db::Db;
use crate::procedure::{Calendar, PackSet};

/// The server's clock: the only clock for procedural facts. In simulation mode (trainers,
/// tests) it can be moved forward through the API, and every response says so.
#[derive(Debug, Default)]
pub struct Clock {
    simulated: bool,
    offset_seconds: AtomicI64,
}

impl Clock {
    /// The real clock.
    pub fn real() -> Self {
        Clock::default()
    }
    /// A clock that can be moved forward.
    pub fn simulated() -> Self {
        Clock {
            simulated: true,
            offset_seconds: AtomicI64::new(0),
        }
    }
    /// Whether it is simulated.
    pub fn is_simulated(&self) -> bool {
        self.simulated
    }
    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_seconds.load(Ordering::SeqCst))
    }
    /// Move forward (simulation only); returns the new time.
    pub fn advance(&self, seconds: i64) -> Option<DateTime<Utc>> {
        if !self.simulated || seconds < 0 {
            return None;
        }
        self.offset_seconds.fetch_add(seconds, Ordering::SeqCst);
        Some(self.now())
    }
}

/// Failed sign-ins per username, to slow down guessing.
#[derive(Debug, Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl SignInLimiter {
    /// Attempts allowed in a window.
    pub const MAX_FAILURES: u32 = 10;
    /// The window.
    pub const WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

    /// Whether `username` may try now.
    pub fn allowed(&self, username: &str) -> bool {
        let Ok(map) = self.failures.lock() else {
            return true;
        };
        match map.get(username) {
            Some((n, since)) => *n < Self::MAX_FAILURES || since.elapsed() > Self::WINDOW,
            None => true,
        }
    }
    /// Record a failure.
    pub fn failed(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            let e = map
                .entry(username.to_string())
                .or_insert((0, Instant::now()));
            if e.1.elapsed() > Self::WINDOW {
                *e = (0, Instant::now());
            }
            e.0 += 1;
        }
    }
    /// Forget failures after a success.
    pub fn succeeded(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(username);
        }
    }
}

/// At most `max` hits per key in a window: the public comment form's limit per address.
#[derive(Debug)]
pub struct Throttle {
    max: u32,
    window: std::time::Duration,
    hits: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    /// `max` hits per `window`.
    pub fn new(max: u32, window: std::time::Duration) -> Self {
        Throttle {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Count a hit; false when the key is over its limit.
    pub fn hit(&self, key: &str) -> bool {
        let Ok(mut map) = self.hits.lock() else {
            return true;
        };
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, (_, since)| since.elapsed() <= window);
        }
        let e = map.entry(key.to_string()).or_insert((0, Instant::now()));
        if e.1.elapsed() > self.window {
            *e = (0, Instant::now());
        }
        e.0 += 1;
        e.0 <= self.max
    }
}

/// Public comments accepted per address per minute, by default.
pub const COMMENTS_PER_MINUTE: u32 = 20;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The jurisdiction packs.
    pub packs: Arc<PackSet>,
    /// The holiday calendar.
    pub calendar: Arc<Calendar>,
    /// The clock.
    pub clock: Arc<Clock>,
    /// Sign-in throttling.
    pub sign_in: Arc<SignInLimiter>,
    /// The public comment intake.
    pub intake: Arc<crate::intake::Intake>,
    /// Public comments per address.
    pub comment_throttle: Arc<Throttle>,
    /// Whether client addresses come from a load balancer's forwarding headers.
    pub trust_proxy: bool,
}

impl AppState {
    /// The state for a database, packs, calendar and clock; starts the comment intake.
    pub fn new(db: Db, packs: PackSet, calendar: Calendar, clock: Clock) -> AppState {
        let packs = Arc::new(packs);
        let calendar = Arc::new(calendar);
        let clock = Arc::new(clock);
        let intake = crate::intake::Intake::start(db.clone(), clock.clone());
        AppState {
            db,
            packs,
            calendar,
            clock,
            sign_in: Arc::new(SignInLimiter::default()),
            intake: Arc::new(intake),
            comment_throttle: Arc::new(Throttle::new(
                COMMENTS_PER_MINUTE,
                std::time::Duration::from_secs(60),
            )),
            trust_proxy: false,
        }
    }

    /// Take client addresses from the load balancer's forwarding headers.
    pub fn with_trusted_proxy(mut self, trust: bool) -> AppState {
        self.trust_proxy = trust;
        self
    }

    /// The same state with another limit of public comments per address per minute.
    pub fn with_comment_limit(mut self, per_minute: u32) -> AppState {
        self.comment_throttle = Arc::new(Throttle::new(
            per_minute,
            std::time::Duration::from_secs(60),
        ));
        self
    }
}

/// The largest JSON body accepted.
pub const MAX_BODY: usize = 1024 * 1024;

/// The header that announces a simulated clock.
pub const SIMULATED_CLOCK_HEADER: &str = "x-juece-simulated-clock";

/// Routes, extractor configuration and error handlers: the one `configure`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(MAX_BODY)
            .error_handler(api::error::json_error),
    )
    .app_data(web::PathConfig::default().error_handler(api::error::path_error))
    .app_data(web::QueryConfig::default().error_handler(api::error::query_error));
    api::register(cfg);
    cfg.default_service(web::to(api::no_route));
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
        .configure(configure)
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
