//! Load generator for a running `juece serve --demo`: N clients, each with its own decision,
//! send commands (a command round trip: HTTP → engine → transaction → response) and then read
//! decisions, for a fixed time each. Prints p50/p90/p99 latencies and throughput.
//!
//! `cargo run --release --example load -- http://127.0.0.1:18181 32 10`
//! (URL, clients, seconds per phase). `bench/load.sh` starts a server and runs it on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(name: &str, mut lat: Vec<Duration>, errors: usize, elapsed: Duration) {
    lat.sort();
    println!(
        "{name:<22} {:>8} requests  {:>9.0} req/s  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  errors {errors}",
        lat.len(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.50),
        percentile(&lat, 0.90),
        percentile(&lat, 0.99),
    );
}

/// The `version` of a command's answer. Read whole, then parsed for that field alone: ureq's
/// `into_json` parses from the socket a byte at a time, which made this generator use more of the
/// machine's two cores than the server it measures (53 % of all CPU time in `perf record -a`).
fn version_of(res: ureq::Response) -> Option<i64> {
    #[derive(serde::Deserialize)]
    struct Answer {
        version: i64,
    }
    let body = res.into_string().ok()?;
    serde_json::from_str::<Answer>(&body)
        .ok()
        .map(|a| a.version)
}

fn token(agent: &ureq::Agent, base: &str, user: &str, password: &str) -> String {
    let v: Value = agent
        .post(&format!("{base}/api/v1/session"))
        .send_json(json!({ "username": user, "password": password }))
        .expect("sign in (is `juece serve --demo` running?)")
        .into_json()
        .unwrap();
    v["token"].as_str().unwrap().to_string()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:18181".into());
    let clients: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(32);
    let seconds: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    let agent = ureq::AgentBuilder::new().build();
    let staff = token(&agent, &base, "staff", "demo-staff");
    let gov = "00000000-0000-4000-8000-000000000001";
    let dept = "00000000-0000-4000-8000-000000000003";
    let initiation = json!({
        "title": "压测决策事项",
        "attributes": { "category": "public_policy", "public_interest": true },
        "proposer": { "kind": "leader", "name": "副市长", "studied_by": "市政府研究室" },
        "started_by": "市政府常务会议",
        "started_on": chrono::Utc::now().date_naive(),
        "lead_unit": "示范市城市管理局"
    });
    let mut decisions = Vec::new();
    for _ in 0..clients {
        let v: Value = agent
            .post(&format!("{base}/api/v1/decisions"))
            .set("authorization", &format!("Bearer {staff}"))
            .send_json(json!({ "organ_id": gov, "lead_unit_id": dept, "initiation": initiation }))
            .expect("create decision")
            .into_json()
            .unwrap();
        decisions.push((
            v["id"].as_str().unwrap().to_string(),
            v["version"].as_i64().unwrap(),
            v["attributes"].clone(),
        ));
    }

    // Phase 1: command round trips, each client on its own decision.
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let results: Vec<(Vec<Duration>, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = decisions
            .iter()
            .map(|(id, version, attrs)| {
                let (base, staff) = (base.clone(), staff.clone());
                s.spawn(move || {
                    let agent = ureq::AgentBuilder::new().build();
                    let mut version = *version;
                    let (mut lat, mut errors) = (Vec::new(), 0);
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        let r = agent
                            .post(&format!("{base}/api/v1/decisions/{id}/commands"))
                            .set("authorization", &format!("Bearer {staff}"))
                            .send_json(json!({ "expected_version": version, "command": {
                                "command": "change_attributes", "attributes": attrs, "reason": "load test" } }));
                        match r {
                            Ok(res) => {
                                version = version_of(res).unwrap_or(version + 1);
                                lat.push(t.elapsed());
                            }
                            Err(_) => errors += 1,
                        }
                    }
                    (lat, errors)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = start.elapsed();
    let errors = results.iter().map(|r| r.1).sum();
    report(
        "command round trip",
        results.into_iter().flat_map(|r| r.0).collect(),
        errors,
        elapsed,
    );

    // Phase 2: reading decisions.
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let results: Vec<(Vec<Duration>, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = decisions
            .iter()
            .map(|(id, _, _)| {
                let (base, staff) = (base.clone(), staff.clone());
                s.spawn(move || {
                    let agent = ureq::AgentBuilder::new().build();
                    let (mut lat, mut errors) = (Vec::new(), 0);
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        match agent
                            .get(&format!("{base}/api/v1/decisions/{id}"))
                            .set("authorization", &format!("Bearer {staff}"))
                            .call()
                        {
                            Ok(res) => {
                                let _ = res.into_string();
                                lat.push(t.elapsed());
                            }
                            Err(_) => errors += 1,
                        }
                    }
                    (lat, errors)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = start.elapsed();
    let errors = results.iter().map(|r| r.1).sum();
    report(
        "read decision",
        results.into_iter().flat_map(|r| r.0).collect(),
        errors,
        elapsed,
    );
    comments(&agent, &base, &staff, clients, seconds);
}

/// Phase 3: public comment intake on the demo decision whose consultation is open.
fn comments(agent: &ureq::Agent, base: &str, staff: &str, clients: usize, seconds: u64) {
    let list: Value = agent
        .get(&format!("{base}/api/v1/decisions?limit=200"))
        .set("authorization", &format!("Bearer {staff}"))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    let open = list["items"].as_array().unwrap().iter().find_map(|d| {
        let id = d["id"].as_str()?;
        let c: Value = agent
            .get(&format!("{base}/api/v1/public/decisions/{id}/consultation"))
            .call()
            .ok()?
            .into_json()
            .ok()?;
        (c["period"]["open"] == true).then(|| {
            (
                id.to_string(),
                c["comments"]["received"].as_u64().unwrap_or(0),
            )
        })
    });
    let Some((consultation, before)) = open else {
        println!("public comment intake: no open consultation in the demo data; skipped");
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let results: Vec<(Vec<Duration>, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|client| {
                let consultation = consultation.clone();
                s.spawn(move || {
                    let agent = ureq::AgentBuilder::new().build();
                    let (mut lat, mut errors) = (Vec::new(), 0);
                    let mut n = 0u64;
                    while Instant::now() < deadline {
                        n += 1;
                        let t = Instant::now();
                        let r = agent
                            .post(&format!(
                                "{base}/api/v1/public/decisions/{consultation}/comments"
                            ))
                            .send_json(json!({
                                "body": format!("压测意见 {client}-{n}：建议增加公共停车位"),
                                "idempotency_key": format!("load-{client}-{n}"),
                            }));
                        match r {
                            Ok(_) => lat.push(t.elapsed()),
                            Err(_) => errors += 1,
                        }
                    }
                    (lat, errors)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = start.elapsed();
    let errors = results.iter().map(|r| r.1).sum();
    let acknowledged: usize = results.iter().map(|r| r.0.len()).sum();
    report(
        "public comment intake",
        results.into_iter().flat_map(|r| r.0).collect(),
        errors,
        elapsed,
    );
    let c: Value = agent
        .get(&format!(
            "{base}/api/v1/public/decisions/{consultation}/consultation"
        ))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    let stored = c["comments"]["received"].as_u64().unwrap_or(0) - before;
    let verdict = if stored as usize == acknowledged {
        "every acknowledged comment stored"
    } else {
        "MISMATCH"
    };
    println!("  acknowledged {acknowledged}, stored {stored}: {verdict}");
}
