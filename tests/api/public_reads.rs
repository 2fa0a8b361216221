//! Public reads that stay fast (issue 13, defect 8): comment counts kept by the writes that
//! change them (intake, hiding, dispositions) and filled in for older comments; the record paged;
//! the public kept from taking the connections signed-in work needs.

use std::time::Duration;

use actix_web::test;
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use juece::db::comments::{count_live, counts};
use juece::db::counters;
use juece::public_reads::PublicReads;
use serde_json::{json, Value};

use super::*;

fn until_comments(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::CommentsReceived { .. }
        }
    )
}

/// The kept counts, and that they are what counting every comment gives.
fn kept(t: &TestApp, id: &str) -> juece::db::comments::CommentCounts {
    let mut conn = t.state.db.read.get().unwrap();
    let stored = counters::stored(&mut conn, id)
        .unwrap()
        .expect("counts kept");
    assert_eq!(stored, count_live(&mut conn, id).unwrap(), "kept = counted");
    stored
}

fn forget_counts(t: &TestApp, id: &str) {
    use juece::db::schema::comment_counts;
    let mut conn = t.state.db.write.get().unwrap();
    diesel::delete(comment_counts::table.filter(comment_counts::decision_id.eq(id)))
        .execute(&mut *conn)
        .unwrap();
}

/// The ids of a decision's comments, in order of receipt (up to 500), as its handlers see them.
async fn comment_ids<S, B>(app: &S, token: &str, id: &str) -> Vec<String>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let (_, page) = send(
        app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/comments?limit=500"))
            .insert_header(bearer(token)),
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// Record each fact on the decision through `/commands`, each accepted.
async fn record_all<S, B, const N: usize>(app: &S, token: &str, id: &str, facts: [Value; N])
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let (_, d) = send(
        app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(token)),
    )
    .await;
    let mut version = d["version"].as_i64().unwrap();
    for fact in facts {
        let (s, b) = send(
            app,
            test::TestRequest::post()
                .uri(&format!("/api/v1/decisions/{id}/commands"))
                .insert_header(bearer(token))
                .set_json(json!({ "expected_version": version, "command": { "command": "record", "fact": fact } })),
        )
        .await;
        assert_eq!(s, 200, "{b}");
        version = b["version"].as_i64().unwrap();
    }
}

#[actix_web::test]
async fn comment_counts_are_kept_by_intake_and_handling_and_filled_in_for_older_comments() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let submit = |body: &str| {
        test::TestRequest::post()
            .uri(&format!("/api/v1/public/decisions/{id}/comments"))
            .set_json(json!({ "body": body }))
    };
    for body in ["一", "二", "三", "四"] {
        assert_eq!(send(&app, submit(body)).await.0, 201);
    }
    let c = kept(&t, &id);
    assert_eq!((c.received, c.open, c.hidden), (4, 4, 0));
    let consultation = |id: &str| {
        test::TestRequest::get().uri(&format!("/api/v1/public/decisions/{id}/consultation"))
    };
    let (_, v) = send(&app, consultation(&id)).await;
    assert_eq!(v["comments"]["received"], 4);
    assert_eq!(v["comments"]["open"], 4);

    // Comments received before the counts were kept: counted once by the intake, then kept.
    forget_counts(&t, &id);
    {
        let mut conn = t.state.db.read.get().unwrap();
        assert!(counters::stored(&mut conn, &id).unwrap().is_none());
        assert_eq!(counts(&mut conn, &id).unwrap().received, 4, "counted live");
    }
    assert_eq!(send(&app, submit("五")).await.0, 201);
    assert_eq!(kept(&t, &id).received, 5);

    // Hiding one, disposing one, and two as a group: each moves in the counts.
    let ids = comment_ids(&app, &tokens.unit, &id).await;
    record_all(
        &app,
        &tokens.unit,
        &id,
        [
        json!({ "type": "comment_hidden", "comment_id": ids[0], "reason": "广告" }),
        json!({ "type": "comment_disposed", "comment_id": ids[1], "disposition": "adopted", "reason": "已吸收" }),
        json!({ "type": "comments_disposed", "comment_ids": [ids[2], ids[3]], "disposition": "partly_adopted", "reason": "部分吸收" }),
        ],
    )
    .await;
    let c = kept(&t, &id);
    assert_eq!(
        (
            c.received,
            c.hidden,
            c.adopted,
            c.partly_adopted,
            c.not_adopted,
            c.open
        ),
        (5, 1, 1, 2, 0, 1)
    );
    let (_, v) = send(&app, consultation(&id)).await;
    assert_eq!(v["comments"]["hidden"], 1);
    assert_eq!(v["comments"]["partly_adopted"], 2);
    assert_eq!(v["comments"]["open"], 1);

    // `juece migrate` / `serve` fill in the counts of decisions that have none; once.
    forget_counts(&t, &id);
    let mut conn = t.state.db.write.get().unwrap();
    assert_eq!(counters::backfill(&mut conn).unwrap(), 1);
    assert_eq!(counters::backfill(&mut conn).unwrap(), 0);
    drop(conn);
    let c = kept(&t, &id);
    assert_eq!((c.received, c.hidden, c.partly_adopted), (5, 1, 2));
}

/// A day's counts on a decision: (organ, day, decision, received, adopted).
type Day = (String, String, String, i64, i64);

/// The organs' day counts as kept, and as counted here from every comment: its organ, its
/// received time moved to China's (UTC+8), its decision, its disposition.
fn days(t: &TestApp) -> (Vec<Day>, Vec<Day>) {
    use juece::db::schema::{comment_days, comments};
    let mut conn = t.state.db.read.get().unwrap();
    let kept: Vec<Day> = comment_days::table
        .order((
            comment_days::organ_id,
            comment_days::day,
            comment_days::decision_id,
        ))
        .load(&mut *conn)
        .unwrap();
    type Row = (
        Option<String>,
        chrono::NaiveDateTime,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = comments::table
        .select((
            comments::organ_id,
            comments::received_at,
            comments::decision_id,
            comments::disposition,
        ))
        .load(&mut *conn)
        .unwrap();
    let mut counted: std::collections::BTreeMap<(String, String, String), (i64, i64)> =
        Default::default();
    for (organ, at, decision, disposition) in rows {
        let day = (at + chrono::Duration::hours(8))
            .format("%Y-%m-%d")
            .to_string();
        let c = counted.entry((organ.unwrap(), day, decision)).or_default();
        c.0 += 1;
        if matches!(disposition.as_deref(), Some("adopted" | "partly_adopted")) {
            c.1 += 1;
        }
    }
    let counted = counted
        .into_iter()
        .map(|((o, d, x), (r, a))| (o, d, x, r, a))
        .collect();
    (kept, counted)
}

/// The kept day counts, checked against every comment.
fn kept_days(t: &TestApp) -> Vec<Day> {
    let (kept, counted) = days(t);
    assert_eq!(kept, counted, "kept day counts = counted");
    kept
}

#[actix_web::test]
async fn comment_days_are_kept_by_intake_and_handling_on_the_china_calendar() {
    use juece::db::comments::{get, insert_many};
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    // Five received through the intake (the procedure's state counts them as open).
    for body in ["一", "二", "三", "四", "五"] {
        let (s, b) = send(
            &app,
            test::TestRequest::post()
                .uri(&format!("/api/v1/public/decisions/{id}/comments"))
                .set_json(json!({ "body": body })),
        )
        .await;
        assert_eq!(s, 201, "{b}");
    }
    let before = kept_days(&t);
    let received: i64 = before.iter().map(|d| d.3).sum();
    assert!(received >= 5, "{before:?}");

    // Two comments on either side of midnight, China time, at the turn of the year: written
    // through the store's insert, as the intake writes them.
    let ids = comment_ids(&app, &tokens.unit, &id).await;
    let template = {
        let mut conn = t.state.db.read.get().unwrap();
        get(&mut conn, &id, &ids[0]).unwrap().unwrap()
    };
    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap();
    let turn = [
        ("2026-12-31 15:59:59.999999", "2026-12-31"),
        ("2026-12-31 16:00:00", "2027-01-01"),
    ];
    let rows: Vec<_> = turn
        .iter()
        .enumerate()
        .map(|(i, (utc, _))| juece::db::comments::CommentRow {
            id: format!("{}-turn{i}", template.id),
            idempotency_key: None,
            received_at: at(utc),
            ..template.clone()
        })
        .collect();
    {
        let mut conn = t.state.db.write.get().unwrap();
        insert_many(&mut conn, &rows).unwrap();
    }
    let kept = kept_days(&t);
    for (_, day) in turn {
        assert!(
            kept.iter()
                .any(|d| d.0 == GOV && d.1 == day && d.2 == id && d.3 == 1),
            "{day}: {kept:?}"
        );
    }
    {
        let mut conn = t.state.db.read.get().unwrap();
        let mut figures = |from: &str, until: &str| {
            juece::db::catalogs::comment_figures(&mut conn, GOV, from, until).unwrap()
        };
        assert_eq!(figures("2027-01-01", "2028-01-01"), (1, 0));
        assert_eq!(figures("2026-01-01", "2027-01-01").0, received + 1);
        assert_eq!(figures("2026-01-01", "2026-01-01"), (0, 0));
    }

    // Handled through the engine: adopted, partly adopted as a group (one across the turn of
    // the year), not adopted, and one hidden (received, never adopted).
    record_all(
        &app,
        &tokens.unit,
        &id,
        [
        json!({ "type": "comment_disposed", "comment_id": ids[0], "disposition": "adopted", "reason": "已吸收" }),
        json!({ "type": "comments_disposed", "comment_ids": [ids[1], rows[1].id], "disposition": "partly_adopted", "reason": "部分吸收" }),
        json!({ "type": "comment_disposed", "comment_id": ids[2], "disposition": "not_adopted", "reason": "不符合实际" }),
        json!({ "type": "comment_hidden", "comment_id": ids[3], "reason": "广告" }),
        ],
    )
    .await;
    let kept = kept_days(&t);
    let adopted: i64 = kept.iter().map(|d| d.4).sum();
    assert_eq!(adopted, 3, "{kept:?}");
    assert!(
        kept.iter().any(|d| d.1 == "2027-01-01" && d.4 == 1),
        "{kept:?}"
    );

    // Counted again from the comments (`recount_days`, and the migration that made the table):
    // the same rows.
    let mut conn = t.state.db.write.get().unwrap();
    counters::recount_days(&mut conn).unwrap();
    drop(conn);
    assert_eq!(kept_days(&t), kept);
    let mut conn = t.state.db.write.get().unwrap();
    let up = match &*conn {
        juece::db::DbConn::Sqlite(_) => {
            include_str!("../../migrations/sqlite/2026-11-30-000001_comment_days/up.sql")
        }
        juece::db::DbConn::Pg(_) => {
            include_str!("../../migrations/postgres/2026-11-30-000001_comment_days/up.sql")
        }
    };
    diesel::sql_query("DROP TABLE comment_days")
        .execute(&mut *conn)
        .unwrap();
    diesel::connection::SimpleConnection::batch_execute(&mut *conn, up).unwrap();
    drop(conn);
    assert_eq!(kept_days(&t), kept);
}

#[actix_web::test]
async fn the_record_is_read_a_page_at_a_time_with_a_cursor() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    assert!(version > 4, "a record of several events");
    let get = |q: &str| {
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/events{q}"))
            .insert_header(bearer(&tokens.inspector))
    };
    let mut seqs = Vec::new();
    let mut hashes: Vec<String> = Vec::new();
    let mut q = "?limit=2".to_string();
    loop {
        let (s, page) = send(&app, get(&q)).await;
        assert_eq!(s, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        for e in items {
            if let Some(prev) = hashes.last() {
                assert_eq!(&e["prev_hash"], prev, "the chain runs across pages");
            }
            hashes.push(e["hash"].as_str().unwrap().to_string());
            seqs.push(e["seq"].as_i64().unwrap());
        }
        match page["next"].as_str() {
            Some(n) => q = format!("?limit=2&after_seq={n}"),
            None => break,
        }
    }
    assert_eq!(seqs, (1..=version).collect::<Vec<_>>());
    // The default page holds this short record whole; past its end, nothing.
    let (_, all) = send(&app, get("")).await;
    assert_eq!(all["items"].as_array().unwrap().len() as i64, version);
    assert!(all["next"].is_null());
    let (_, after) = send(&app, get(&format!("?after_seq={version}"))).await;
    assert!(after["items"].as_array().unwrap().is_empty());
    // Bounds: 400 naming the parameter.
    for bad in ["?limit=0", "?limit=1001", "?after_seq=-1", "?limit=x"] {
        let (s, b) = send(&app, get(bad)).await;
        assert_eq!(s, 400, "{bad}: {b}");
    }
    let (s, _) = send(&app, get("?limit=1000")).await;
    assert_eq!(s, 200);
    // Another organ's staff: not theirs.
    let (s, _) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/events"))
            .insert_header(bearer(&tokens.outsider)),
    )
    .await;
    assert_eq!(s, 404);
    // The console's record: a page, with the link to the next.
    let session = crate::pages::sign_in(&app, "staff").await;
    let page = crate::pages::get(
        &app,
        &format!("/console/decisions/{id}?events_after={}", version - 1),
        &session,
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("记录开头"));
    assert!(!page.body.contains(r#"id="events-next""#));
}

#[actix_web::test]
async fn the_public_cannot_take_the_connections_signed_in_work_needs() {
    // By default half the readers' connections may serve the public at once, never all.
    assert_eq!(PublicReads::for_readers(8).permits(), 4);
    assert_eq!(PublicReads::for_readers(1).permits(), 1);
    let defaults = TestApp::new();
    assert!(defaults.state.public_reads.permits() < defaults.state.db.read.max_size());

    let mut t = TestApp::new();
    t.state = t
        .state
        .clone()
        .with_public_reads(PublicReads::new(2, Duration::from_millis(100)));
    let app = t.service().await;
    let staff = token(&app, "staff").await;
    let session = crate::pages::sign_in(&app, "staff").await;
    // The public holds every turn it may have (as 2 slow anonymous readers would).
    let held = t.state.public_reads.hold_all().expect("the turns are free");
    let me = || {
        test::TestRequest::get()
            .uri("/api/v1/me")
            .insert_header(bearer(&staff))
    };
    let (s, _) = send(&app, me()).await;
    assert_eq!(s, 200, "staff get through");
    let dashboard = crate::pages::get(&app, "/console/", &session).await;
    assert_eq!(dashboard.status, 200, "{}", dashboard.body);
    // Another public request waits its turn, then is told to come back.
    let public = || test::TestRequest::get().uri("/api/v1/public/catalogs");
    let (s, b) = send(&app, public()).await;
    assert_eq!(s, 503, "{b}");
    assert!(b["detail"].is_string());
    let portal = crate::pages::get(&app, "/", "").await;
    assert_eq!(portal.status, 503);
    assert_eq!(portal.headers.get("retry-after").unwrap(), "1");
    assert!(portal.body.contains("访问人数较多"), "{}", portal.body);
    // The stylesheet is not the public's database work.
    assert_eq!(
        crate::pages::get(&app, "/static/site.css", "").await.status,
        200
    );
    drop(held);
    let (s, _) = send(&app, public()).await;
    assert_eq!(s, 200);
    assert_eq!(crate::pages::get(&app, "/", "").await.status, 200);
}
