//! Public traffic may not starve staff (issue 13, defect 8): 16 anonymous clients reading the
//! portal held every pooled connection, and a clerk's `GET /api/v1/me` waited 453 ms at the
//! median. Requests of the public — the portal's pages and `/api/v1/public/…` — pass a gate
//! that lets at most half the readers' connections be theirs at once; the rest are always left
//! for signed-in work. A public request waits its turn without holding a thread or a
//! connection, and after a bounded wait is answered 503 with `Retry-After`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The gate in front of public requests.
#[derive(Debug)]
pub struct PublicReads {
    gate: Arc<Semaphore>,
    permits: u32,
    wait: Duration,
}

/// How long a public request waits for its turn before it is answered 503.
pub const WAIT: Duration = Duration::from_secs(5);

impl PublicReads {
    /// At most `permits` public requests at once (at least one), each waiting at most `wait`.
    pub fn new(permits: u32, wait: Duration) -> PublicReads {
        let permits = permits.max(1);
        PublicReads {
            gate: Arc::new(Semaphore::new(permits as usize)),
            permits,
            wait,
        }
    }

    /// The gate for a process whose readers hold `readers` connections: half of them for the
    /// public (at least one), so that the other half always serves signed-in users.
    pub fn for_readers(readers: u32) -> PublicReads {
        PublicReads::new(readers / 2, WAIT)
    }

    /// How many public requests may be served at once.
    pub fn permits(&self) -> u32 {
        self.permits
    }

    /// Wait for a turn; `None` when none came within the wait.
    pub async fn enter(&self) -> Option<OwnedSemaphorePermit> {
        let turn = self.gate.clone().acquire_owned();
        match actix_web::rt::time::timeout(self.wait, turn).await {
            Ok(Ok(permit)) => Some(permit),
            _ => None,
        }
    }

    /// Every turn at once, if free (a test holds them to show who still gets through).
    pub fn hold_all(&self) -> Option<OwnedSemaphorePermit> {
        self.gate.clone().try_acquire_many_owned(self.permits).ok()
    }
}

/// Whether a request path is the public's: the portal's pages (not the console, not the
/// stylesheet) and the public API.
pub fn is_public_path(path: &str) -> bool {
    if path.starts_with("/api/v1/public/") {
        return true;
    }
    let api = path == "/api" || path.starts_with("/api/");
    let console = path == "/console" || path.starts_with("/console/");
    !api && !console && !path.starts_with("/static/")
}
