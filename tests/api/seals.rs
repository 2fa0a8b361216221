//! Seals (issue 13, defect 5): a full rewrite of a chain — every hash after the edit recomputed,
//! the decision's head moved to match — walks clean, but the seals made before it name the edited
//! event; the seals cannot be rewritten to match without the key kept outside the database; and
//! anyone can read them, without the decisions they cover.

use std::process::Command as Process;

use diesel::RunQueryDsl;
use ed25519_dalek::{Signature, SigningKey, Verifier};
use juece::audit::{self, seal};
use juece::procedure::state::Command;

use super::*;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

/// A decision walked to its legality review, its events sealed with [`key`].
async fn sealed_decision(t: &TestApp) -> (String, i64) {
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(
        &app,
        &t.state,
        &tokens,
        |c| matches!(c, Command::StartStage { stage } if stage.as_str() == "legality_review"),
    )
    .await;
    let mut conn = t.state.db.write.get().unwrap();
    let n = seal::seal(&mut conn, &key(), t.state.clock.now().naive_utc()).unwrap();
    assert!(n >= usize::try_from(version).unwrap(), "{n} events sealed");
    assert_eq!(
        seal::seal(&mut conn, &key(), t.state.clock.now().naive_utc()).unwrap(),
        0,
        "nothing new, no seal"
    );
    (id, version)
}

#[actix_web::test]
async fn each_seal_takes_the_events_recorded_since_the_last_one() {
    let t = TestApp::new();
    let (id, _) = sealed_decision(&t).await;
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    // Another decision's events.
    walk_until(
        &app,
        &t.state,
        &tokens,
        |c| matches!(c, Command::StartStage { stage } if stage.as_str() == "expert_review"),
    )
    .await;
    let mut conn = t.state.db.write.get().unwrap();
    let n = seal::seal(&mut conn, &key(), t.state.clock.now().naive_utc()).unwrap();
    let page = juece::db::seals::all(&mut conn).unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(i64::try_from(n).unwrap(), page[1].event_count);
    assert!(n > 0);
    assert!(
        !page[1].events.contains(&format!("\"{id}\"")),
        "the first decision's events are in the first seal only: {}",
        page[1].events
    );
    drop(conn);
    assert!(findings(&t).is_empty(), "{:?}", findings(&t));
}

fn findings(t: &TestApp) -> Vec<audit::Finding> {
    let mut conn = t.state.db.read.get().unwrap();
    audit::verify_with(&mut conn, Some(&key().verifying_key()))
        .unwrap()
        .findings
}

/// Rewrite the chain from `seq` on: change the event's role, recompute every hash after it,
/// and move the decision's head — what someone with write access to the database could do.
fn rewrite_from(t: &TestApp, id: &str, seq: i64) {
    let mut conn = t.state.db.write.get().unwrap();
    let rows = juece::db::decisions::events_of(&mut conn, id).unwrap();
    let mut prev = rows[usize::try_from(seq).unwrap() - 2].hash.clone();
    for mut e in rows.into_iter().filter(|e| e.seq >= seq) {
        if e.seq == seq {
            e.actor_role = "head".into();
        }
        e.prev_hash = prev.clone();
        e.hash = juece::chain::event_hash(&e);
        diesel::sql_query(format!(
            "UPDATE events SET actor_role = '{}', prev_hash = '{}', hash = '{}' WHERE decision_id = '{id}' AND seq = {}",
            e.actor_role, e.prev_hash, e.hash, e.seq
        ))
        .execute(&mut *conn)
        .unwrap();
        prev = e.hash.clone();
    }
    diesel::sql_query(format!(
        "UPDATE decisions SET head_hash = '{prev}' WHERE id = '{id}'"
    ))
    .execute(&mut *conn)
    .unwrap();
}

#[actix_web::test]
async fn a_sealed_record_verifies_and_a_full_rewrite_is_named_at_the_edited_event() {
    let t = TestApp::new();
    let (id, version) = sealed_decision(&t).await;
    assert!(findings(&t).is_empty(), "{:?}", findings(&t));

    rewrite_from(&t, &id, 5);
    let f = findings(&t);
    // The walk finds nothing (the chain is consistent); the seal names event 5, not the head.
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0].decision_id.as_str(), f[0].seq, f[0].kind),
        (id.as_str(), 5, "edited")
    );
    assert!(f[0].detail.contains("since seal 1"), "{}", f[0].detail);
    assert!(
        f[0].detail
            .contains(&format!("{} later sealed event(s)", version - 5)),
        "{}",
        f[0].detail
    );
}

#[actix_web::test]
async fn a_truncated_chain_is_named_at_the_first_event_gone() {
    let t = TestApp::new();
    let (id, version) = sealed_decision(&t).await;
    let mut conn = t.state.db.write.get().unwrap();
    let rows = juece::db::decisions::events_of(&mut conn, &id).unwrap();
    let keep = &rows[usize::try_from(version).unwrap() - 3];
    for q in [
        format!(
            "DELETE FROM events WHERE decision_id = '{id}' AND seq > {}",
            keep.seq
        ),
        format!(
            "UPDATE decisions SET version = {}, head_hash = '{}' WHERE id = '{id}'",
            keep.seq, keep.hash
        ),
    ] {
        diesel::sql_query(q).execute(&mut *conn).unwrap();
    }
    drop(conn);
    let f = findings(&t);
    assert!(
        f.iter()
            .any(|x| x.decision_id == id && x.seq == keep.seq + 1 && x.kind == "deleted"),
        "{f:?}"
    );
}

#[actix_web::test]
async fn seals_rewritten_without_the_key_are_refused() {
    let t = TestApp::new();
    let (id, _) = sealed_decision(&t).await;
    rewrite_from(&t, &id, 5);
    // The forger recomputes the seal from the rewritten events and signs it with a key of their own.
    let forger = SigningKey::from_bytes(&[9u8; 32]);
    {
        let mut conn = t.state.db.write.get().unwrap();
        diesel::sql_query("DELETE FROM seals")
            .execute(&mut *conn)
            .unwrap();
        diesel::sql_query("DELETE FROM sealed_heads")
            .execute(&mut *conn)
            .unwrap();
        seal::seal(&mut conn, &forger, t.state.clock.now().naive_utc()).unwrap();
    }
    let f = findings(&t);
    assert!(f.iter().any(|x| x.kind == "seal_key_unknown"), "{f:?}");
    // Keeping the operator's public key on the forged seal breaks its signature instead.
    sql_exec(
        &t,
        &format!(
            "UPDATE seals SET public_key = '{}'",
            hex::encode(key().verifying_key().to_bytes())
        ),
    );
    let f = findings(&t);
    assert!(
        f.iter().any(|x| x.kind == "seal_signature_invalid"),
        "{f:?}"
    );
    // An edited digest no longer follows from its events.
    sql_exec(&t, "UPDATE seals SET digest = '0000000000000000000000000000000000000000000000000000000000000000'");
    let f = findings(&t);
    assert!(f.iter().any(|x| x.kind == "seal_altered"), "{f:?}");
}

fn sql_exec(t: &TestApp, q: &str) {
    let mut conn = t.state.db.write.get().unwrap();
    diesel::sql_query(q)
        .execute(&mut *conn)
        .unwrap_or_else(|e| panic!("{q}: {e}"));
}

#[actix_web::test]
async fn anyone_reads_the_seals_and_checks_them_with_the_public_key() {
    let t = TestApp::new();
    sealed_decision(&t).await;
    let app = t.service().await;
    let (status, page) = send(
        &app,
        test::TestRequest::get().uri("/api/v1/public/digests?limit=10"),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    let s = &items[0];
    assert_eq!(s["n"], 1);
    assert_eq!(
        s["public_key"],
        hex::encode(key().verifying_key().to_bytes())
    );
    let sig =
        Signature::from_slice(&hex::decode(s["signature"].as_str().unwrap()).unwrap()).unwrap();
    key()
        .verifying_key()
        .verify(s["digest"].as_str().unwrap().as_bytes(), &sig)
        .unwrap();
    // Which decisions a seal covers is not published.
    assert!(!page.to_string().contains("events\":\"["), "{page}");
    assert!(page["next_after"].is_null());
    for bad in ["limit=0", "limit=501", "after=-1", "limit=x"] {
        let (status, body) = send(
            &app,
            test::TestRequest::get().uri(&format!("/api/v1/public/digests?{bad}")),
        )
        .await;
        assert!(status == 400 || status == 422, "{bad}: {status} {body}");
    }
}

#[actix_web::test]
async fn the_cli_seals_and_checks_against_the_operators_key_or_a_public_key() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    walk_until(
        &app,
        &t.state,
        &tokens,
        |c| matches!(c, Command::StartStage { stage } if stage.as_str() == "expert_review"),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("seal.key");
    let juece = |args: &[&str]| {
        let out = Process::new(env!("CARGO_BIN_EXE_juece"))
            .args(args)
            .args(["--database-url", &t.db.url])
            .output()
            .expect("run juece");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let key_arg = key_file.to_str().unwrap();
    let (ok, out) = juece(&["audit", "seal", "--seal-key", key_arg]);
    assert!(ok && out.contains("event(s) sealed"), "{out}");
    let text = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(text.trim().len(), 64, "a new key of 64 hex digits");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the key file is the owner's only: {mode:o}"
        );
    }
    let (ok, out) = juece(&["audit", "verify", "--seal-key", key_arg]);
    assert!(ok, "{out}");
    assert!(out.contains("1 seals checked"), "{out}");
    let public = hex::encode(
        seal::load_key(&key_file, false)
            .unwrap()
            .verifying_key()
            .to_bytes(),
    );
    assert!(juece(&["audit", "verify", "--public-key", &public]).0);
    let other = hex::encode(key().verifying_key().to_bytes());
    let (ok, out) = juece(&["audit", "verify", "--public-key", &other]);
    assert!(!ok && out.contains("seal_key_unknown"), "{out}");
    let (ok, out) = juece(&["audit", "verify", "--public-key", "xyz"]);
    assert!(!ok && out.contains("--public-key"), "{out}");
}

#[core::prelude::v1::test]
fn processes_creating_the_key_at_once_end_up_with_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seal.key");
    let keys: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| seal::load_key(&path, true).unwrap()))
            .collect();
        handles
            .into_iter()
            .map(|h| hex::encode(h.join().unwrap().verifying_key().to_bytes()))
            .collect()
    });
    assert!(keys.windows(2).all(|w| w[0] == w[1]), "{keys:?}");
    assert_eq!(
        hex::encode(
            seal::load_key(&path, false)
                .unwrap()
                .verifying_key()
                .to_bytes()
        ),
        keys[0]
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file left: {left:?}");
    assert!(seal::load_key(&dir.path().join("missing.key"), false).is_err());
}
