//! Signed-in users kept in memory (issue 14, reads): a request's token is looked up in the
//! database once, then answered from here until the session expires, at most [`TTL`] later, or
//! is revoked.
//!
//! Revocation reaches every process through the database: a sign-out and a role granted write a
//! row to `revocations` in their own transaction (`db::accounts`), and each process reads the new
//! rows at most [`POLL`] after its last look, on the next request, and forgets those sessions. A
//! sign-out is forgotten at once by the process that took it. The cache holds at most
//! [`CAPACITY`] sessions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, Utc};

use super::ServiceError;
use crate::access::Principal;
use crate::db::{accounts, stored_time, Db};

/// The most sessions kept.
pub const CAPACITY: usize = 10_000;
/// The longest a session is answered from memory without reading it again.
pub const TTL: Duration = Duration::from_secs(60);
/// How often each process reads the revocations (on a request, not in the background).
pub const POLL: Duration = Duration::from_secs(1);

struct Entry {
    principal: Arc<Principal>,
    expires_at: NaiveDateTime,
    cached: Instant,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// The last revocation read; `None` until the first look.
    cursor: Option<i64>,
    polled: Option<Instant>,
    /// Bumped by every forgetting: a lookup that began before one does not keep its result.
    generation: u64,
}

/// The signed-in users of one database, kept by one process.
pub struct Sessions {
    inner: Mutex<Inner>,
    poll: Duration,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions::with_poll(POLL)
    }
}

impl Sessions {
    /// A cache that reads the revocations every `poll` (zero: on every request).
    pub fn with_poll(poll: Duration) -> Sessions {
        Sessions {
            inner: Mutex::new(Inner::default()),
            poll,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves nothing half-written that matters: a cache.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The user of a live session with their roles: from memory, or from the database.
    pub fn authenticate(
        &self,
        db: &Db,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Principal, ServiceError> {
        self.catch_up(db)?;
        let at = stored_time(now);
        let generation = {
            let mut inner = self.lock();
            match inner.entries.get(token_hash) {
                Some(e) if e.expires_at > at && e.cached.elapsed() < TTL => {
                    return Ok(Principal::clone(&e.principal));
                }
                Some(_) => {
                    inner.entries.remove(token_hash);
                }
                None => {}
            }
            inner.generation
        };
        let found = accounts::session_with_roles(&mut *db.read.get()?, token_hash, at)?;
        let Some((user, roles, expires_at)) = found else {
            return Err(ServiceError::Unauthorized(
                "the token is unknown or expired / 登录已失效，请重新登录".into(),
            ));
        };
        let principal = Principal { user, roles };
        let mut inner = self.lock();
        if inner.generation == generation {
            if inner.entries.len() >= CAPACITY {
                let keep = |e: &Entry| e.expires_at > at && e.cached.elapsed() < TTL;
                inner.entries.retain(|_, e| keep(e));
                if inner.entries.len() >= CAPACITY {
                    inner.entries.clear();
                }
            }
            inner.entries.insert(
                token_hash.to_string(),
                Entry {
                    principal: Arc::new(principal.clone()),
                    expires_at,
                    cached: Instant::now(),
                },
            );
        }
        Ok(principal)
    }

    /// The user of a live session from memory alone, or `None` if the session is not kept or the
    /// revocations are due to be read (then [`Sessions::authenticate`] answers, on the database).
    pub fn kept(&self, token_hash: &str, now: DateTime<Utc>) -> Option<Arc<Principal>> {
        let inner = self.lock();
        if inner.cursor.is_none() || inner.polled.is_none_or(|p| p.elapsed() >= self.poll) {
            return None;
        }
        let at = stored_time(now);
        inner
            .entries
            .get(token_hash)
            .filter(|e| e.expires_at > at && e.cached.elapsed() < TTL)
            .map(|e| e.principal.clone())
    }

    /// Forget a session at once (this process's sign-out).
    pub fn forget(&self, token_hash: &str) {
        let mut inner = self.lock();
        inner.entries.remove(token_hash);
        inner.generation += 1;
    }

    /// Read the revocations recorded since the last look, if it is time, and forget what they
    /// name.
    fn catch_up(&self, db: &Db) -> Result<(), ServiceError> {
        let cursor = {
            let inner = self.lock();
            match (inner.cursor, inner.polled) {
                (Some(_), Some(p)) if p.elapsed() < self.poll => return Ok(()),
                (c, _) => c,
            }
        };
        let mut conn = db.read.get()?;
        let Some(after) = cursor else {
            // The first look: nothing is cached yet, so only where to start matters.
            let last = accounts::last_revocation(&mut conn)?;
            let mut inner = self.lock();
            inner.cursor = Some(inner.cursor.map_or(last, |c| c.max(last)));
            inner.polled = Some(Instant::now());
            return Ok(());
        };
        let new = accounts::revocations_after(&mut conn, after)?;
        drop(conn);
        let mut inner = self.lock();
        inner.polled = Some(Instant::now());
        let Some(&(last, _, _)) = new.last() else {
            return Ok(());
        };
        for (_, token, user) in &new {
            if let Some(t) = token {
                inner.entries.remove(t);
            }
            if let Some(u) = user {
                inner.entries.retain(|_, e| &e.principal.user.id != u);
            }
        }
        inner.generation += 1;
        inner.cursor = Some(inner.cursor.map_or(last, |c| c.max(last)));
        Ok(())
    }
}
