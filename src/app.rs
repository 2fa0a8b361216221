//! The application's shared state: what every handler and page can reach. The routes are in
//! `server.rs`; this module knows no HTTP.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::cache::{Bounded, DecisionKey, HomeKey, Latest, VersionKey};
use crate::clock::Clock;
use crate::db::changes::Changes;
use crate::db::Db;
use crate::intake::Intake;
use crate::procedure::{Calendar, PackSet};
use crate::public_reads::PublicReads;
use crate::service::listing::Heads;
use crate::service::report::{Report, ReportKey};
use crate::service::sessions::Sessions;
use crate::throttle::{SignInLimiter, Throttle, COMMENTS_PER_MINUTE};
use crate::writer::Writer;

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
    pub intake: Arc<Intake>,
    /// The command writer: staff commands, written in batches.
    pub writer: Arc<Writer>,
    /// Public comments per address.
    pub comment_throttle: Arc<Throttle>,
    /// How many proxies of ours stand in front of the server (0: clients reach it directly):
    /// the client's address is the right-most `X-Forwarded-For` hop none of them added.
    pub trusted_proxies: usize,
    /// The gate of the public's requests: at most half the readers' connections are theirs.
    pub public_reads: Arc<PublicReads>,
    /// The signed-in users this process keeps in memory.
    pub sessions: Arc<Sessions>,
    /// What this process keeps of views that depend only on a version and a day.
    pub caches: Arc<Caches>,
    /// Whether anything was committed since a kept head was read (`db::changes`).
    pub changes: Arc<Changes>,
}

impl AppState {
    /// The state for a database, packs, calendar and clock; starts the comment intake and the
    /// command writer.
    pub fn new(db: Db, packs: PackSet, calendar: Calendar, clock: Clock) -> AppState {
        let packs = Arc::new(packs);
        let calendar = Arc::new(calendar);
        let clock = Arc::new(clock);
        let intake = Intake::start(db.clone(), clock.clone());
        let writer = Writer::start(db.clone(), clock.clone());
        let public_reads = Arc::new(PublicReads::for_readers(db.read.max_size()));
        let changes = Changes::watch(&db);
        AppState {
            db,
            packs,
            calendar,
            clock,
            sign_in: Arc::new(SignInLimiter::default()),
            intake: Arc::new(intake),
            writer: Arc::new(writer),
            comment_throttle: Arc::new(Throttle::new(
                COMMENTS_PER_MINUTE,
                std::time::Duration::from_secs(60),
            )),
            trusted_proxies: 0,
            public_reads,
            sessions: Arc::new(Sessions::default()),
            caches: Arc::new(Caches::default()),
            changes: Arc::new(changes),
        }
    }

    /// The same state with another watcher of the database's changes (`juece serve
    /// --change-poll-ms`).
    pub fn with_changes(mut self, changes: Changes) -> AppState {
        self.changes = Arc::new(changes);
        self
    }

    /// The same state with another gate for the public's requests.
    pub fn with_public_reads(mut self, gate: PublicReads) -> AppState {
        self.public_reads = Arc::new(gate);
        self
    }

    /// Take client addresses from one load balancer's forwarding header (or not).
    pub fn with_trusted_proxy(self, trust: bool) -> AppState {
        self.with_trusted_proxies(usize::from(trust))
    }

    /// Take client addresses from the forwarding header written by `n` proxies of ours.
    pub fn with_trusted_proxies(mut self, n: usize) -> AppState {
        self.trusted_proxies = n;
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

/// The caches of one process.
pub struct Caches {
    /// What reading a decision depends on besides its state, with the database's change stamp
    /// (`service::listing::head`).
    pub heads: Heads,
    /// The API's view of a decision, serialised (`GET /api/v1/decisions/{id}`).
    pub decision_views: Bounded<DecisionKey, Vec<u8>>,
    /// A decision's row on the console's dashboard, by decision, version and day.
    pub dashboard_rows: Bounded<VersionKey, Value>,
    /// The portal's home page data, by day and the last change of any decision and catalog;
    /// for a minute at most (an organ added to the register is not in the key).
    pub home: Bounded<HomeKey, Value>,
    /// The portal's home page as rendered, by the change stamp read before it was made, the day
    /// and the minute: answered without the database while nothing was committed.
    pub home_page: Latest<(chrono::NaiveDate, i64), Arc<String>>,
    /// A consultation page's data, by decision, version and day (a batch of comments is an
    /// event: it moves the version).
    pub consultations: Bounded<VersionKey, Value>,
    /// The public API's consultation view, serialised, by decision, version and day.
    pub consultation_views: Bounded<VersionKey, Vec<u8>>,
    /// A console decision page's data, by decision, version, day, user and roles, query and
    /// the expert registry's last change.
    pub decision_pages: Bounded<String, Value>,
    /// Pages as rendered, with holes for the CSRF token and a form's key
    /// (`pages::render::hole`), by the key of the data they show.
    pub pages: Bounded<String, String>,
    /// An organ's annual report figures (`service::report::report_kept`).
    pub reports: Bounded<ReportKey, Report>,
    /// The report as the API's JSON, serialised (`service::report::report_json_kept`): for an
    /// organ with 100,000 decisions it is megabytes, serialised again on every request before.
    pub report_views: Bounded<ReportKey, Vec<u8>>,
    /// The report's workbook.
    pub report_workbooks: Bounded<ReportKey, Vec<u8>>,
}

impl Default for Caches {
    /// Together at most about 156 MB (issue 14: peak memory under 256 clients below 200 MB).
    fn default() -> Self {
        let day = Duration::from_secs(24 * 3600);
        const MB: usize = 1 << 20;
        Caches {
            heads: Bounded::new(20_000, 8 * MB, day),
            decision_views: Bounded::new(4096, 16 * MB, day),
            dashboard_rows: Bounded::new(20_000, 16 * MB, day),
            home: Bounded::new(16, 4 * MB, Duration::from_secs(60)),
            home_page: Latest::default(),
            consultations: Bounded::new(1024, 16 * MB, day),
            consultation_views: Bounded::new(1024, 8 * MB, day),
            decision_pages: Bounded::new(2048, 24 * MB, day),
            pages: Bounded::new(4096, 24 * MB, day),
            reports: Bounded::new(256, 16 * MB, day),
            report_views: Bounded::new(256, 16 * MB, day),
            report_workbooks: Bounded::new(64, 8 * MB, day),
        }
    }
}
