//! Limits kept in memory per process: failed sign-ins per username, and hits per key (the
//! public forms' limit per address).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

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
