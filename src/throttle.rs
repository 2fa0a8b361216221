//! Limits kept in memory per process: sign-in attempts per address and per username, hits per
//! key (the public forms' limit per address), and which address a request comes from behind a
//! configured number of trusted proxies.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed sign-ins per address and per username, to slow down guessing. A slot is taken
/// *before* the password is checked, under one lock, so concurrent attempts cannot overrun the
/// limit: of 60 parallel wrong passwords, only the limit's worth are ever checked.
///
/// The address limit is the lower one and is checked first: one address cannot lock a known
/// user out (that takes [`SignInLimiter::PER_USERNAME`] failures, i.e. at least
/// `PER_USERNAME / PER_ADDRESS` different addresses, within [`SignInLimiter::WINDOW`]); the
/// lockout of a username lasts at most one window after its last counted failure window began.
///
/// Guessers spread over many addresses are stopped only per username; what they cost is CPU (an
/// argon2 check is ~17 ms of one core). [`SignInLimiter::checks`] lets only half the cores
/// check passwords at once, so the other half keeps serving everyone else.
#[derive(Debug)]
pub struct SignInLimiter {
    by_address: Mutex<HashMap<String, (u32, Instant)>>,
    by_username: Mutex<HashMap<String, (u32, Instant)>>,
    /// Password checks allowed at once.
    pub checks: tokio::sync::Semaphore,
}

impl Default for SignInLimiter {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        SignInLimiter {
            by_address: Mutex::default(),
            by_username: Mutex::default(),
            checks: tokio::sync::Semaphore::new((cores / 2).max(1)),
        }
    }
}

/// Why a sign-in may not even be tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefusal {
    /// Too many failures from this address.
    Address,
    /// Too many failures for this username.
    Username,
}

/// Keep a map from growing without bound: forget windows that ended.
fn forget_old(map: &mut HashMap<String, (u32, Instant)>, window: Duration) {
    if map.len() > 100_000 {
        map.retain(|_, (_, since)| since.elapsed() <= window);
    }
}

/// Take one slot of `key` under `max`; false when the window's slots are used.
fn take(map: &mut HashMap<String, (u32, Instant)>, key: &str, max: u32, window: Duration) -> bool {
    forget_old(map, window);
    let e = map.entry(key.to_string()).or_insert((0, Instant::now()));
    if e.1.elapsed() > window {
        *e = (0, Instant::now());
    }
    if e.0 >= max {
        return false;
    }
    e.0 += 1;
    true
}

/// Give back one slot of `key` (the attempt succeeded).
fn give_back(map: &mut HashMap<String, (u32, Instant)>, key: &str) {
    if let Some(e) = map.get_mut(key) {
        e.0 = e.0.saturating_sub(1);
    }
}

impl SignInLimiter {
    /// Failed attempts allowed per address in a window.
    pub const PER_ADDRESS: u32 = 10;
    /// Failed attempts allowed per username in a window (from all addresses together).
    pub const PER_USERNAME: u32 = 50;
    /// The window.
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    /// Take a slot for an attempt from `address` at `username`, counted as a failure until
    /// [`SignInLimiter::succeeded`] gives it back. Both slots or none.
    pub fn begin(&self, address: &str, username: &str) -> Result<(), SignInRefusal> {
        // The address map is always locked first, the username map second: no deadlock.
        let (Ok(mut by_address), Ok(mut by_username)) =
            (self.by_address.lock(), self.by_username.lock())
        else {
            return Ok(());
        };
        if !take(&mut by_address, address, Self::PER_ADDRESS, Self::WINDOW) {
            return Err(SignInRefusal::Address);
        }
        if !take(&mut by_username, username, Self::PER_USERNAME, Self::WINDOW) {
            give_back(&mut by_address, address);
            return Err(SignInRefusal::Username);
        }
        Ok(())
    }

    /// The attempt succeeded: its slots are given back and the username's failures forgotten.
    pub fn succeeded(&self, address: &str, username: &str) {
        if let (Ok(mut by_address), Ok(mut by_username)) =
            (self.by_address.lock(), self.by_username.lock())
        {
            give_back(&mut by_address, address);
            by_username.remove(username);
        }
    }

    /// The attempt did not happen (the storage failed): its slots are given back.
    pub fn abandoned(&self, address: &str, username: &str) {
        if let (Ok(mut by_address), Ok(mut by_username)) =
            (self.by_address.lock(), self.by_username.lock())
        {
            give_back(&mut by_address, address);
            give_back(&mut by_username, username);
        }
    }
}

/// At most `max` hits per key in a window: the public comment form's limit per address.
#[derive(Debug)]
pub struct Throttle {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    /// `max` hits per `window`.
    pub fn new(max: u32, window: Duration) -> Self {
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
        forget_old(&mut map, self.window);
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

/// The client's address behind `trusted` proxies: the right-most hop of `X-Forwarded-For` that
/// no trusted proxy added. Each proxy appends the address it received the request from, so the
/// last `trusted - 1` entries were written by our own proxies and the one before them by the
/// first of them, about the client; anything further left was written by the client itself and
/// proves nothing. With fewer entries than that, the left-most one (the nearest we have).
/// Without forwarding entries (or `trusted == 0`), the peer.
pub fn client_address(peer: &str, forwarded_for: &[&str], trusted: usize) -> String {
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    if trusted == 0 || hops.is_empty() {
        return peer.to_string();
    }
    let index = hops.len().saturating_sub(trusted);
    hops[index].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        // Client forges "1.1.1.1"; our one proxy appends the real client 9.9.9.9.
        assert_eq!(
            client_address("10.0.0.1", &["1.1.1.1, 9.9.9.9"], 1),
            "9.9.9.9"
        );
        // Two proxies: the second appended the first's address.
        assert_eq!(
            client_address("10.0.0.2", &["1.1.1.1, 9.9.9.9, 10.0.0.1"], 2),
            "9.9.9.9"
        );
        assert_eq!(client_address("10.0.0.1", &[], 1), "10.0.0.1");
        assert_eq!(client_address("10.0.0.1", &["9.9.9.9"], 0), "10.0.0.1");
        assert_eq!(client_address("10.0.0.1", &["9.9.9.9"], 3), "9.9.9.9");
    }

    #[test]
    fn sign_in_slots_are_taken_before_checking() {
        let l = SignInLimiter::default();
        let granted = (0..60).filter(|_| l.begin("a", "u").is_ok()).count();
        assert_eq!(granted, SignInLimiter::PER_ADDRESS as usize);
        // Another address may still try the same user; the user's own limit is higher.
        assert!(l.begin("b", "u").is_ok());
        assert_eq!(l.begin("a", "v"), Err(SignInRefusal::Address));
    }
}
