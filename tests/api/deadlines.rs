//! Deadlines (issue 12): due soon and overdue on the right working day around a holiday, listed
//! for those who may read the decision, and each reminder written to the outbox once.

use std::sync::Arc;

use actix_web::test;
use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc, Weekday};
use juece::procedure::reminders::{standing, Standing};
use juece::procedure::Calendar;
use juece::service::{deadlines, Engine};
use serde_json::{json, Value};

use super::*;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 10:00 China time on `d`.
fn morning(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap())
}

#[core::prelude::v1::test]
fn a_deadline_after_national_day_is_due_soon_before_the_holiday_not_three_calendar_days_before() {
    // 国庆节 2026: 10-01 to 10-07 off (国办发明电〔2025〕7号). A deadline on Friday 10-09 leaves
    // three working days after Tuesday 09-29 (09-30, 10-08, 10-09): due soon ten calendar days
    // ahead; on Monday 09-28 four remain: upcoming.
    let cal = crate::support::calendar();
    let due = ymd(2026, 10, 9);
    assert_eq!(standing(cal, ymd(2026, 9, 28), due), Standing::Upcoming);
    assert_eq!(standing(cal, ymd(2026, 9, 29), due), Standing::DueSoon);
    assert_eq!(standing(cal, ymd(2026, 10, 6), due), Standing::DueSoon);
    assert_eq!(standing(cal, due, due), Standing::DueSoon);
    assert_eq!(standing(cal, ymd(2026, 10, 10), due), Standing::Overdue);
}

/// A test calendar (not an official notice) with a holiday on the six days before `due`, and
/// the three days before it and `due` itself working days (made so where they fall on a
/// weekend), for every year the days touch.
fn calendar_with_holiday_before(due: NaiveDate) -> Calendar {
    let day = |n: u64| due.checked_sub_days(Days::new(n)).unwrap();
    let holidays: Vec<NaiveDate> = (1..=6).map(day).collect();
    let working: Vec<NaiveDate> = [7, 8, 9, 0].into_iter().map(day).collect();
    let mut years: Vec<i32> = (0..=12).map(|n| day(n).year()).collect();
    years.push(due.year() + 1);
    years.sort();
    years.dedup();
    let mut cal = Calendar::default();
    for y in years {
        let hol: Vec<Value> = holidays
            .iter()
            .filter(|d| d.year() == y)
            .map(|d| json!({ "name": "测试假期", "from": d, "to": d }))
            .collect();
        let make_up: Vec<Value> = working
            .iter()
            .filter(|d| d.year() == y && matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            .map(|d| json!({ "name": "测试调休", "date": d }))
            .collect();
        let file = json!({
            "year": y,
            "source": { "title": "测试用日历（非官方通知）", "document_number": null, "published": null },
            "holidays": hol,
            "make_up_workdays": make_up,
        });
        cal.add_year_json(&file.to_string()).unwrap();
    }
    cal
}

fn until_comments(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::CommentsReceived { .. }
        }
    )
}

async fn comment_deadline<S, B>(app: &S, token: &str, query: &str) -> Option<Value>
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let (status, body) = send(
        app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/deadlines{query}"))
            .insert_header(bearer(token)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .find(|d| d["deadline"] == "comment_period")
        .cloned()
}

fn outbox_kinds(t: &TestApp) -> Vec<(String, String)> {
    let mut conn = t.state.db.read.get().unwrap();
    let mut v: Vec<(String, String)> = juece::db::outbox::entries_of(&mut conn, GOV, 1000)
        .unwrap()
        .into_iter()
        .chain(juece::db::outbox::entries_of(&mut conn, DEPT, 1000).unwrap())
        .filter(|e| e.kind.starts_with("deadline_"))
        .map(|e| (e.kind, e.organ_id))
        .collect();
    v.sort();
    v
}

#[actix_web::test]
async fn the_comment_period_is_due_soon_and_overdue_on_the_right_working_day_around_a_holiday() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    // The comment period's last day, as the record knows it.
    let d = comment_deadline(&app, &tokens.unit, "?due_before=2100-01-01")
        .await
        .expect("the open comment period is a deadline");
    assert_eq!(d["decision_id"], id.as_str());
    assert_eq!(d["owner"], "lead_unit");
    assert_eq!(d["owner_organ_id"], DEPT);
    assert_eq!(d["role"], "undertaking");
    assert!(d["basis"].as_str().unwrap().contains("第十五条"), "{d}");
    let due = NaiveDate::parse_from_str(d["due_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    // The same database and clock, served with a calendar that has a holiday before that day.
    let cal = calendar_with_holiday_before(due);
    let state = AppState {
        calendar: Arc::new(cal),
        ..t.state.clone()
    };
    let app = test::init_service(juece::server::app(state.clone())).await;
    let scan = |now| {
        let mut conn = state.db.write.get().unwrap();
        let engine = Engine {
            packs: &state.packs,
            calendar: &state.calendar,
        };
        deadlines::scan(&mut conn, &engine, now).unwrap()
    };
    let day = |n: u64| due.checked_sub_days(Days::new(n)).unwrap();

    // Ten days before: four working days left (D-9, D-8, D-7 and D): not yet due.
    clock_to(&state, morning(day(10)));
    assert_eq!(comment_deadline(&app, &tokens.unit, "").await, None);
    assert_eq!(scan(state.clock.now()), 0);
    assert!(outbox_kinds(&t).is_empty());

    // Nine days before: the six-day holiday leaves three working days: due soon.
    clock_to(&state, morning(day(9)));
    let d = comment_deadline(&app, &tokens.unit, "")
        .await
        .expect("due soon");
    assert_eq!(d["standing"], "due_soon");
    assert_eq!(d["working_days_left"], 3);
    // Told once to the decision organ and to the lead unit that must act.
    assert_eq!(scan(state.clock.now()), 2);
    assert_eq!(scan(state.clock.now()), 0, "a reminder is written once");
    assert_eq!(
        outbox_kinds(&t),
        vec![
            ("deadline_due".to_string(), GOV.to_string()),
            ("deadline_due".to_string(), DEPT.to_string()),
        ]
    );

    // The last day itself: still due, not overdue.
    clock_to(&state, morning(due));
    let d = comment_deadline(&app, &tokens.unit, "").await.expect("due");
    assert_eq!(d["standing"], "due_soon");
    assert_eq!(scan(state.clock.now()), 0);

    // The day after: overdue, written once.
    clock_to(&state, morning(due.succ_opt().unwrap()));
    let d = comment_deadline(&app, &tokens.unit, "")
        .await
        .expect("overdue");
    assert_eq!(d["standing"], "overdue");
    assert_eq!(d["working_days_left"], 0);
    assert_eq!(scan(state.clock.now()), 2);
    assert_eq!(scan(state.clock.now()), 0);
    assert_eq!(outbox_kinds(&t).len(), 4);

    // Filtered by the organ that must act; another government's staff see nothing of it.
    assert!(
        comment_deadline(&app, &tokens.staff, &format!("?organ={DEPT}"))
            .await
            .is_some()
    );
    assert_eq!(
        comment_deadline(&app, &tokens.staff, &format!("?organ={SFJ}")).await,
        None
    );
    assert_eq!(comment_deadline(&app, &tokens.outsider, "").await, None);
}

#[actix_web::test]
async fn a_bad_due_before_or_an_unknown_organ_is_refused_naming_it() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (status, body) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/deadlines?due_before=2026-13-01")
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("due_before"),
        "{body}"
    );
    let (status, _) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/deadlines?organ=nope")
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(&app, test::TestRequest::get().uri("/api/v1/deadlines")).await;
    assert_eq!(status, 401);
}

#[actix_web::test]
async fn the_hearing_materials_deadline_is_done_once_every_participant_has_them() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let delivered = |c: &Command| {
        matches!(
            c,
            Command::Record {
                fact: Fact::HearingMaterialsDelivered { .. }
            }
        )
    };
    let (mut id, mut version, rest) = walk_until(&app, &t.state, &tokens, delivered).await;
    let materials = |app, token| async move {
        let (_, body) = send(
            app,
            test::TestRequest::get()
                .uri("/api/v1/deadlines?due_before=2100-01-01")
                .insert_header(bearer(token)),
        )
        .await;
        body.as_array()
            .unwrap()
            .iter()
            .find(|d| d["deadline"] == "hearing_materials")
            .cloned()
    };
    let open = materials(&app, &tokens.unit)
        .await
        .expect("materials are due");
    assert_eq!(open["owner"], "lead_unit");
    assert!(
        open["basis"].as_str().unwrap().contains("第十六条"),
        "{open}"
    );
    // Every delivery recorded (the hearing not yet held): no longer open.
    for s in rest.iter().take_while(|s| delivered(&s.command)) {
        let (status, body) = step(&app, &t.state, &tokens, &mut id, &mut version, s).await;
        assert!(status < 300, "{body}");
    }
    assert_eq!(materials(&app, &tokens.unit).await, None);
}

#[actix_web::test]
async fn a_zhejiang_catalog_is_due_soon_before_31_march_overdue_after_and_done_once_published() {
    use super::catalogs::{published, zhejiang_organ, ZJ};
    let t = TestApp::new();
    zhejiang_organ(&t);
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let next = t.state.clock.now().year() + 1;
    let catalog_item = |b: &Value| {
        b.as_array()
            .unwrap()
            .iter()
            .find(|d| d["deadline"] == "catalog_publication")
            .cloned()
    };
    let get = |q: &str| {
        test::TestRequest::get()
            .uri(&format!("/api/v1/deadlines{q}"))
            .insert_header(bearer(&tokens.staff))
    };
    let scan = || {
        let mut conn = t.state.db.write.get().unwrap();
        let engine = Engine {
            packs: &t.state.packs,
            calendar: &t.state.calendar,
        };
        deadlines::scan(&mut conn, &engine, t.state.clock.now()).unwrap();
        juece::db::outbox::entries_of(&mut conn, ZJ, 1000)
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect::<Vec<_>>()
    };
    // Thursday 25 March: four working days remain — upcoming, listed only when asked by day.
    clock_to(&t.state, morning(ymd(next, 3, 25)));
    let (s, b) = send(&app, get("")).await;
    assert_eq!(s, 200, "{b}");
    assert!(catalog_item(&b).is_none(), "{b}");
    let (_, b) = send(&app, get(&format!("?due_before={next}-03-31"))).await;
    let d = catalog_item(&b).unwrap_or_else(|| panic!("{b}"));
    assert_eq!(d["standing"], "upcoming");
    assert!(d["decision_id"].is_null(), "{d}");
    assert_eq!(d["owner_organ_id"], ZJ);
    assert_eq!(d["role"], "organ_staff");
    assert!(d["basis"].as_str().unwrap().contains("五、（十五）"), "{d}");
    assert!(scan().is_empty(), "no reminder while upcoming");
    // Friday 26 March: three remain (Monday to Wednesday 31 March) — due soon, told once.
    clock_to(&t.state, morning(ymd(next, 3, 26)));
    let (_, b) = send(&app, get("")).await;
    assert_eq!(catalog_item(&b).unwrap()["standing"], "due_soon", "{b}");
    assert_eq!(scan(), ["deadline_due"]);
    assert_eq!(scan(), ["deadline_due"], "a reminder is written once");
    // 1 April: overdue.
    clock_to(&t.state, morning(ymd(next, 4, 1)));
    let (_, b) = send(&app, get(&format!("?organ={ZJ}"))).await;
    assert_eq!(catalog_item(&b).unwrap()["standing"], "overdue", "{b}");
    let mut kinds = scan();
    kinds.sort();
    assert_eq!(kinds, ["deadline_due", "deadline_overdue"]);
    // Published (late): nothing due any more.
    published(&app, &t, &tokens.staff, ZJ, next, &["某县城乡供水一体化"]).await;
    let (_, b) = send(&app, get("")).await;
    assert!(catalog_item(&b).is_none(), "{b}");
    // Another organ's staff are not told of it.
    let (_, b) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/deadlines?due_before={next}-12-31"))
            .insert_header(bearer(&tokens.outsider)),
    )
    .await;
    assert!(catalog_item(&b).is_none(), "{b}");
}

#[actix_web::test]
async fn the_scan_reads_open_decisions_a_page_at_a_time_each_once() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    for _ in 0..3 {
        walk_until(&app, &t.state, &tokens, until_comments).await;
    }
    let mut conn = t.state.db.read.get().unwrap();
    let ids = |rows: Vec<juece::db::rows::DecisionRow>| -> Vec<String> {
        rows.into_iter().map(|r| r.id).collect()
    };
    let all = ids(juece::db::decisions::open_decisions(&mut conn, None, 1000).unwrap());
    assert_eq!(all.len(), 3);
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page =
            ids(juece::db::decisions::open_decisions(&mut conn, after.as_deref(), 2).unwrap());
        assert!(page.len() <= 2);
        let Some(last) = page.last().cloned() else {
            break;
        };
        paged.extend(page);
        after = Some(last);
    }
    assert_eq!(paged, all, "every open decision once, in order");
    // Ninety days on, every comment period is overdue: the scan over pages tells of each.
    let engine = Engine {
        packs: &t.state.packs,
        calendar: &t.state.calendar,
    };
    let later = t.state.clock.advance(90 * 86_400).unwrap();
    let told: std::collections::BTreeSet<String> = deadlines::reminders(&mut conn, &engine, later)
        .unwrap()
        .into_iter()
        .filter_map(|r| r.decision_id)
        .collect();
    assert_eq!(told.into_iter().collect::<Vec<_>>(), all);
}
