//! The server's clock: the only clock for procedural facts. The engine never reads a clock; the
//! service passes it `now` from here.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

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
