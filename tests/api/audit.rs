//! The record is tamper-evident: editing, deleting or swapping event rows directly in the
//! database is found by `juece audit verify`, naming the decision and the sequence number.

use std::process::Command as Process;

use diesel::RunQueryDsl;
use juece::procedure::state::Command;

use super::*;

async fn decision_with_events(t: &TestApp) -> (String, i64) {
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(
        &app,
        &t.state,
        &tokens,
        |c| matches!(c, Command::StartStage { stage } if stage.as_str() == "legality_review"),
    )
    .await;
    assert!(version > 10);
    (id, version)
}

fn sql(t: &TestApp, q: &str) {
    let mut conn = t.state.db.write.get().unwrap();
    diesel::sql_query(q)
        .execute(&mut *conn)
        .unwrap_or_else(|e| panic!("{q}: {e}"));
}

fn cli_verify(t: &TestApp) -> (bool, String) {
    let out = Process::new(env!("CARGO_BIN_EXE_juece"))
        .args(["audit", "verify", "--database-url", &t.db.url])
        .output()
        .expect("run juece");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn findings(t: &TestApp) -> Vec<juece::audit::Finding> {
    let mut conn = t.state.db.read.get().unwrap();
    juece::audit::verify(&mut conn).unwrap().findings
}

#[actix_web::test]
async fn an_untouched_record_verifies() {
    let t = TestApp::new();
    decision_with_events(&t).await;
    assert!(findings(&t).is_empty());
    let (ok, out) = cli_verify(&t);
    assert!(ok, "{out}");
    assert!(out.contains("0 finding(s)"), "{out}");
}

#[actix_web::test]
async fn an_edited_event_is_found_by_decision_and_sequence() {
    let t = TestApp::new();
    let (id, _) = decision_with_events(&t).await;
    sql(&t, &format!("UPDATE events SET actor_user_id = 'someone-else' WHERE decision_id = '{id}' AND seq = 3"));
    let f = findings(&t);
    assert!(
        f.iter()
            .any(|x| x.decision_id == id && x.seq == 3 && x.kind == "edited"),
        "{f:?}"
    );
    let (ok, out) = cli_verify(&t);
    assert!(!ok, "verify must fail: {out}");
    assert!(out.contains(&id) && out.contains("seq 3"), "{out}");
}

#[actix_web::test]
async fn a_deleted_event_is_found() {
    let t = TestApp::new();
    let (id, _) = decision_with_events(&t).await;
    sql(
        &t,
        &format!("DELETE FROM events WHERE decision_id = '{id}' AND seq = 4"),
    );
    let f = findings(&t);
    assert!(
        f.iter()
            .any(|x| x.decision_id == id && x.seq == 4 && x.kind == "deleted"),
        "{f:?}"
    );
    assert!(!cli_verify(&t).0);
}

#[actix_web::test]
async fn the_last_event_deleted_is_found() {
    let t = TestApp::new();
    let (id, version) = decision_with_events(&t).await;
    sql(
        &t,
        &format!("DELETE FROM events WHERE decision_id = '{id}' AND seq = {version}"),
    );
    let f = findings(&t);
    assert!(
        f.iter()
            .any(|x| x.decision_id == id && x.seq == version && x.kind == "deleted"),
        "{f:?}"
    );
}

#[actix_web::test]
async fn swapped_events_are_found() {
    let t = TestApp::new();
    let (id, _) = decision_with_events(&t).await;
    sql(
        &t,
        &format!("UPDATE events SET seq = -1 WHERE decision_id = '{id}' AND seq = 5"),
    );
    sql(
        &t,
        &format!("UPDATE events SET seq = 5 WHERE decision_id = '{id}' AND seq = 6"),
    );
    sql(
        &t,
        &format!("UPDATE events SET seq = 6 WHERE decision_id = '{id}' AND seq = -1"),
    );
    let f = findings(&t);
    assert!(f.iter().any(|x| x.decision_id == id && x.seq == 5), "{f:?}");
    assert!(f.iter().any(|x| x.decision_id == id && x.seq == 6), "{f:?}");
    assert!(!cli_verify(&t).0);
}

#[actix_web::test]
async fn a_rehashed_forgery_breaks_the_chain_after_it() {
    // An editor who recomputes the edited event's own hash still breaks the link to the next.
    let t = TestApp::new();
    let (id, _) = decision_with_events(&t).await;
    let mut conn = t.state.db.write.get().unwrap();
    let mut rows = juece::db::decisions::events_of(&mut conn, &id).unwrap();
    let mut forged = rows.remove(6);
    forged.actor_role = "head".into();
    forged.hash = juece::chain::event_hash(&forged);
    diesel::sql_query(format!(
        "UPDATE events SET actor_role = 'head', hash = '{}' WHERE decision_id = '{id}' AND seq = 7",
        forged.hash
    ))
    .execute(&mut *conn)
    .unwrap();
    drop(conn);
    let f = findings(&t);
    assert!(
        f.iter()
            .any(|x| x.decision_id == id && x.seq == 8 && x.kind == "reordered"),
        "{f:?}"
    );
}

#[actix_web::test]
async fn a_deleted_decision_is_found_through_the_daily_digest() {
    let t = TestApp::new();
    let (id, _) = decision_with_events(&t).await;
    // Seal the days up to two days from now.
    let now = t.state.clock.now();
    {
        let mut conn = t.state.db.write.get().unwrap();
        let today = juece::procedure::state::china_date(now + chrono::Duration::days(2));
        assert!(juece::audit::seal_days(&mut conn, today, now.naive_utc()).unwrap() > 0);
    }
    assert!(findings(&t).is_empty());
    for table in [
        "events",
        "draft_versions",
        "stage_records",
        "comments",
        "comment_counts",
        "hearing_selections",
        "hearing_applications",
        "personal_data_reads",
    ] {
        sql(
            &t,
            &format!("DELETE FROM {table} WHERE decision_id = '{id}'"),
        );
    }
    sql(&t, &format!("DELETE FROM decisions WHERE id = '{id}'"));
    let f = findings(&t);
    assert!(
        f.iter()
            .any(|x| x.decision_id == id && x.kind == "decision_deleted"),
        "{f:?}"
    );
    let (ok, out) = cli_verify(&t);
    assert!(!ok && out.contains(&id), "{out}");
}

#[actix_web::test]
async fn an_edited_snapshot_draft_or_comment_handling_is_found_against_the_events() {
    let t = TestApp::new();
    let (id, _) = decision_with_events(&t).await;
    assert!(findings(&t).is_empty(), "{:?}", findings(&t));
    // The decision shown as adopted, against its chain.
    sql(
        &t,
        &format!("UPDATE decisions SET status = 'adopted' WHERE id = '{id}'"),
    );
    // A draft's text changed (the API would serve it under the old hash).
    sql(&t, &format!("UPDATE draft_versions SET content = content || '（改）' WHERE decision_id = '{id}' AND number = 1"));
    // A comment marked adopted without any fact, and one hidden without any.
    sql(&t, &format!("UPDATE comments SET disposition = 'adopted' WHERE decision_id = '{id}' AND id = (SELECT MIN(id) FROM comments WHERE decision_id = '{id}')"));
    sql(&t, &format!("UPDATE comments SET hidden_reason = '不雅' WHERE decision_id = '{id}' AND id = (SELECT MAX(id) FROM comments WHERE decision_id = '{id}')"));
    let f = findings(&t);
    for kind in ["snapshot_altered", "draft_altered", "handling_altered"] {
        assert!(
            f.iter().any(|x| x.decision_id == id && x.kind == kind),
            "{kind}: {f:?}"
        );
    }
    assert_eq!(
        f.iter().filter(|x| x.kind == "handling_altered").count(),
        2,
        "{f:?}"
    );
    let (ok, out) = cli_verify(&t);
    assert!(!ok && out.contains("draft_altered"), "{out}");
}

#[actix_web::test]
async fn daily_digests_sealed_a_day_at_a_time_hold_every_chains_head_at_each_days_end() {
    use std::collections::BTreeMap;

    use diesel::prelude::*;
    use juece::db::schema::{daily_digests, events};
    use juece::procedure::state::china_date;

    let t = TestApp::new();
    decision_with_events(&t).await;
    // A day with no event in between: its heads are the day before's.
    t.state.clock.advance(2 * 86_400).unwrap();
    decision_with_events(&t).await;
    let now = t.state.clock.advance(86_400).unwrap();
    let mut conn = t.state.db.write.get().unwrap();
    let all: Vec<(String, i64, String, chrono::NaiveDateTime)> = events::table
        .select((events::decision_id, events::seq, events::hash, events::at))
        .load(&mut *conn)
        .unwrap();
    let first = all.iter().map(|e| e.3).min().unwrap();
    let first_day = china_date(first.and_utc());
    let last_day = china_date(now);
    // As the server does it: each day, what became whole by then.
    let mut day = first_day;
    while day <= last_day {
        day = day.succ_opt().unwrap();
        let written = juece::audit::seal_days(&mut conn, day, now.naive_utc()).unwrap();
        assert_eq!(written, 1, "one digest a day, for {day}");
        assert_eq!(
            juece::audit::seal_days(&mut conn, day, now.naive_utc()).unwrap(),
            0,
            "a second run the same day writes nothing"
        );
    }
    let digests: Vec<(String, String)> = daily_digests::table
        .order(daily_digests::day.asc())
        .select((daily_digests::day, daily_digests::heads))
        .load(&mut *conn)
        .unwrap();
    assert!(digests.len() >= 4, "{digests:?}");
    // Counted here from every event, independently.
    for (day, heads) in &digests {
        let day: chrono::NaiveDate = day.parse().unwrap();
        let mut expected: BTreeMap<String, (i64, String)> = BTreeMap::new();
        for (chain, seq, hash, at) in &all {
            if china_date(at.and_utc()) <= day {
                let head = expected.entry(chain.clone()).or_insert((0, String::new()));
                if *seq > head.0 {
                    *head = (*seq, hash.clone());
                }
            }
        }
        let stored: BTreeMap<String, (i64, String)> = serde_json::from_str(heads).unwrap();
        assert_eq!(stored, expected, "heads at the end of {day}");
    }
    let chains = |i: usize| {
        serde_json::from_str::<BTreeMap<String, (i64, String)>>(&digests[i].1)
            .unwrap()
            .len()
    };
    assert!(
        chains(digests.len() - 1) > chains(0),
        "the second decision's chain came in"
    );
    drop(conn);
    assert!(findings(&t).is_empty(), "{:?}", findings(&t));
    // A last digest edited into something unreadable: the next day is an error (the server logs
    // it), not a digest chained onto it and not a silent stop.
    let last = &digests.last().unwrap().0;
    sql(
        &t,
        &format!("UPDATE daily_digests SET heads = 'not json' WHERE day = '{last}'"),
    );
    let mut conn = t.state.db.write.get().unwrap();
    let next = day.succ_opt().unwrap();
    assert!(juece::audit::seal_days(&mut conn, next, now.naive_utc()).is_err());
    let count: i64 = daily_digests::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(count, digests.len() as i64);
}
