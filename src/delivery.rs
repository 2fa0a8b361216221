//! The webhook delivery worker (issue 12): claims due deliveries from the outbox with a lease,
//! POSTs each entry signed with its endpoint's secret, and records the attempt — delivered, or
//! retried later with exponential backoff until the attempts run out. Each delivery of a batch
//! runs on its own thread with a time limit, so a slow receiver does not hold up the others.
//!
//! The signature (docs/WEBHOOKS.md): header `X-Juece-Signature: t=<unix>,v1=<hex>` where
//! `<hex>` is HMAC-SHA256 of `"<t>.<body>"` keyed by the endpoint's secret.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::outbox::{self, Attempt, Delivery, OutboxEntry, Webhook};
use crate::db::{stored_time, Db};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-Juece-Signature";
/// The replay window a receiver should enforce on `t`, in seconds.
pub const REPLAY_WINDOW_SECONDS: i64 = 300;

/// The header value for `body` sent at unix time `t`.
pub fn sign(secret: &str, t: i64, body: &str) -> String {
    format!("t={t},v1={}", hex::encode(mac(secret, t, body)))
}

fn mac(secret: &str, t: i64, body: &str) -> Vec<u8> {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut m) => {
            m.update(format!("{t}.").as_bytes());
            m.update(body.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Check a signature header as a receiver does: the MAC over `"<t>.<body>"` (compared in
/// constant time) and `t` within [`REPLAY_WINDOW_SECONDS`] of `now`.
pub fn verify(secret: &str, header: &str, body: &str, now: i64) -> Result<(), &'static str> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return Err("malformed signature header");
    };
    if (now - t).abs() > REPLAY_WINDOW_SECONDS {
        return Err("timestamp outside the replay window");
    }
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return Err("bad key");
    };
    m.update(format!("{t}.").as_bytes());
    m.update(body.as_bytes());
    m.verify_slice(&v1).map_err(|_| "signature mismatch")
}

/// How a worker works.
#[derive(Debug, Clone)]
pub struct Worker {
    /// Its name in `leased_by`.
    pub id: String,
    /// Each request's time limit.
    pub timeout: Duration,
    /// How long a claim holds (longer than a request may take).
    pub lease: Duration,
    /// Attempts before a delivery is marked failed.
    pub max_attempts: i32,
    /// The first retry's wait; each further one doubles it (capped at an hour).
    pub base_backoff: Duration,
    /// Deliveries claimed at once.
    pub batch: i64,
    /// Whether a receiver on this machine's loopback may be sent to (`juece serve
    /// --webhook-allow-loopback`: a relay beside the server; tests). Off, a staff member
    /// cannot point the server at its own local services.
    pub allow_loopback: bool,
}

impl Worker {
    /// The server's worker: 5 s per request, a 60 s lease, 10 attempts from 30 s apart.
    pub fn new() -> Worker {
        Worker {
            id: format!("worker-{}", uuid::Uuid::new_v4().simple()),
            timeout: Duration::from_secs(5),
            lease: Duration::from_secs(60),
            max_attempts: 10,
            base_backoff: Duration::from_secs(30),
            batch: 16,
            allow_loopback: false,
        }
    }

    /// The wait after the `n`th failed attempt (1-based).
    pub fn backoff(&self, n: i32) -> chrono::Duration {
        let factor = 2u32.saturating_pow(u32::try_from(n.max(1) - 1).unwrap_or(0));
        let wait = self
            .base_backoff
            .saturating_mul(factor)
            .min(Duration::from_secs(3600));
        chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1))
    }
}

impl Default for Worker {
    fn default() -> Self {
        Worker::new()
    }
}

/// One pass: claim what is due at `now`, send it, record each attempt. Returns how many were
/// attempted.
pub fn run_once(db: &Db, worker: &Worker, now: DateTime<Utc>) -> Result<usize, String> {
    let at = stored_time(now);
    let lease = chrono::Duration::from_std(worker.lease).unwrap_or(chrono::Duration::minutes(1));
    let batch = {
        let mut conn = db.write.get().map_err(|e| e.to_string())?;
        let ids = outbox::claim(&mut conn, &worker.id, at, at + lease, worker.batch)
            .map_err(|e| e.to_string())?;
        if ids.is_empty() {
            return Ok(0);
        }
        outbox::claimed(&mut conn, &ids).map_err(|e| e.to_string())?
    };
    let agent = ureq::AgentBuilder::new()
        .timeout(worker.timeout)
        .redirects(0)
        .resolver(Guard {
            allow_loopback: worker.allow_loopback,
        })
        .user_agent(concat!("juece/", env!("CARGO_PKG_VERSION")))
        .build();
    let results: Vec<(String, Attempt)> = std::thread::scope(|s| {
        let handles: Vec<_> = batch
            .iter()
            .map(|(d, e, h)| {
                let agent = &agent;
                s.spawn(move || (d.id.clone(), attempt(agent, worker, d, e, h, at)))
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut conn = db.write.get().map_err(|e| e.to_string())?;
    for (id, a) in &results {
        outbox::record_attempt(&mut conn, id, &worker.id, a).map_err(|e| e.to_string())?;
    }
    Ok(results.len())
}

/// Send one delivery and say how it ended.
fn attempt(
    agent: &ureq::Agent,
    worker: &Worker,
    d: &Delivery,
    e: &OutboxEntry,
    h: &Webhook,
    at: NaiveDateTime,
) -> Attempt {
    if h.deleted_at.is_some() {
        return Attempt {
            status: "cancelled",
            http_status: None,
            error: Some("the endpoint was deleted".into()),
            next_attempt_at: at,
            at,
        };
    }
    let t = Utc::now().timestamp();
    let sent = agent
        .post(&h.url)
        .set("content-type", "application/json")
        .set("x-juece-event", &e.kind)
        .set("x-juece-delivery", &d.id)
        .set(SIGNATURE_HEADER, &sign(&h.secret, t, &e.payload))
        .send_string(&e.payload);
    let (http_status, error) = match sent {
        Ok(r) => (Some(i32::from(r.status())), None),
        Err(ureq::Error::Status(code, _)) => (
            Some(i32::from(code)),
            Some(format!("the receiver answered {code}")),
        ),
        Err(other) => (None, Some(truncate(&other.to_string()))),
    };
    let tries = d.attempts + 1;
    let status = match (&error, tries >= worker.max_attempts) {
        (None, _) => "delivered",
        (Some(_), false) => "pending",
        (Some(_), true) => "failed",
    };
    Attempt {
        status,
        http_status,
        error,
        next_attempt_at: if status == "pending" {
            at + worker.backoff(tries)
        } else {
            at
        },
        at,
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(500).collect()
}

/// Why a webhook may not be sent to `ip`, if it may not: an address of this machine or of its
/// link — loopback (unless `allow_loopback`), link-local (where cloud metadata services
/// answer), unspecified, "this network", broadcast, multicast, reserved. Private networks
/// (10/8, 172.16/12, 192.168/16, fc00::/7) are allowed: offices run their systems on them.
pub fn refused(ip: IpAddr, allow_loopback: bool) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_loopback() {
                (!allow_loopback).then_some("loopback / 本机回环地址")
            } else if a == 169 && b == 254 {
                Some("link-local / 链路本地地址")
            } else if a == 0 {
                Some("unspecified / 未指定地址")
            } else if v4.is_broadcast() || v4.is_multicast() || a >= 240 {
                Some("broadcast, multicast or reserved / 广播、组播或保留地址")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return refused(IpAddr::V4(v4), allow_loopback);
            }
            if v6.is_loopback() {
                (!allow_loopback).then_some("loopback / 本机回环地址")
            } else if v6.segments()[0] & 0xffc0 == 0xfe80 {
                Some("link-local / 链路本地地址")
            } else if v6.is_unspecified() {
                Some("unspecified / 未指定地址")
            } else if v6.is_multicast() {
                Some("broadcast, multicast or reserved / 广播、组播或保留地址")
            } else {
                None
            }
        }
    }
}

/// The resolver of the delivery worker's requests: the receiver's host resolved as usual, less
/// the addresses a webhook may not be sent to ([`refused`]); connecting only to what it returns,
/// a name that resolves elsewhere at sending time than at registration is caught as well.
struct Guard {
    allow_loopback: bool,
}

impl ureq::Resolver for Guard {
    fn resolve(&self, netloc: &str) -> std::io::Result<Vec<SocketAddr>> {
        use std::net::ToSocketAddrs;
        let mut allowed = Vec::new();
        let mut first_refused = None;
        for a in netloc.to_socket_addrs()? {
            match refused(a.ip(), self.allow_loopback) {
                None => allowed.push(a),
                Some(why) => {
                    first_refused.get_or_insert((a.ip(), why));
                }
            }
        }
        match (allowed.is_empty(), first_refused) {
            (true, Some((ip, why))) => Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("{netloc} resolves to {ip}, {why}: a webhook is not sent there / 不向该地址投递"),
            )),
            _ => Ok(allowed),
        }
    }
}

/// Run the worker in the background of `juece serve`: a pass every two seconds, on the
/// server's clock.
pub fn spawn(db: Db, clock: std::sync::Arc<crate::clock::Clock>, allow_loopback: bool) {
    let worker = Worker {
        allow_loopback,
        ..Worker::new()
    };
    let spawned = std::thread::Builder::new()
        .name("webhook-delivery".into())
        .spawn(move || loop {
            match run_once(&db, &worker, clock.now()) {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!("webhook delivery: {e}"),
            }
            std::thread::sleep(Duration::from_secs(2));
        });
    if let Err(e) = spawned {
        tracing::error!("the webhook delivery worker could not start: {e}");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::refused;

    #[test]
    fn the_addresses_a_webhook_is_not_sent_to() {
        let no = |a: &str, loopback: bool| refused(a.parse().unwrap(), loopback);
        for a in [
            "169.254.169.254",
            "169.254.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.251",
            "240.0.0.1",
            "fe80::1",
            "febf::1",
            "::",
            "ff02::1",
            "::ffff:169.254.169.254",
            "::ffff:0.0.0.0",
        ] {
            assert!(no(a, true).is_some(), "{a}");
        }
        for a in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            assert!(no(a, false).unwrap().contains("loopback"), "{a}");
            assert!(no(a, true).is_none(), "{a} with the loopback allowed");
        }
        for a in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.10",
            "100.64.0.1",
            "8.8.8.8",
            "fd00::1",
            "2001:db8::1",
            "fec0::1",
        ] {
            assert!(no(a, false).is_none(), "{a}");
        }
    }
}
