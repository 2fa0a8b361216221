//! The application's shared state: what every handler and page can reach. The routes are in
//! `server.rs`; this module knows no HTTP.

use std::sync::Arc;

use crate::clock::Clock;
use crate::db::Db;
use crate::intake::Intake;
use crate::procedure::{Calendar, PackSet};
use crate::public_reads::PublicReads;
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
        }
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
