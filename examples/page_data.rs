//! Data for the pages' benchmark (`bench/pages.sh`, issue 11 "Performance"): the demo data, then
//! `COMMENTS` public comments on the demo's open consultation and `DECISIONS` more decisions of
//! the demo city, all through the one door (`service::comments::receive_batch` in batches of
//! 1,000, each anchored in the decision's chain; `service::decisions::create`), so the database
//! verifies clean. Prints the consultation's and a decision's id.
//!
//! `cargo run --release --example page_data -- sqlite:///tmp/pages.sqlite 1000 100000`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use juece::access::Principal;
use juece::db::comments::{CommentCounts, NewComment};
use juece::db::{accounts, decisions, Db};
use juece::service::decisions::NewDecision;
use juece::service::{comments, Engine};
use serde_json::json;

const GOV: &str = "00000000-0000-4000-8000-000000000001";
const DEPT: &str = "00000000-0000-4000-8000-000000000003";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "sqlite:///tmp/pages.sqlite".into());
    let n_decisions: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let n_comments: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let packs = juece::files::load_packs(Path::new("workflows")).expect("packs");
    let calendar = juece::files::load_calendar(Path::new("seeds/holidays")).expect("calendar");
    let engine = Engine {
        packs: &packs,
        calendar: &calendar,
    };
    let db = Db::open_cli(&url).expect("database");
    let mut conn = db.write.get().unwrap();
    let now = chrono::Utc::now();
    let demo = Path::new("seeds/demo/demo.json");
    assert!(
        juece::seed::load_demo(&mut conn, demo, &packs, &calendar, now).unwrap(),
        "give an empty database"
    );

    // The demo's open consultation.
    let staff_user = accounts::user_by_username(&mut conn, "staff")
        .unwrap()
        .unwrap();
    let staff = Principal {
        roles: accounts::roles_of(&mut conn, &staff_user.id).unwrap(),
        user: staff_user,
    };
    let rows = decisions::list_decisions(&mut conn, &[GOV.to_string()], None, 200).unwrap();
    let consultation = rows
        .iter()
        .find(|r| {
            juece::api::comments::consultation_view(&mut conn, &r.id, now)
                .ok()
                .and_then(|v| v.period)
                .is_some_and(|p| p.open)
        })
        .map(|r| r.id.clone())
        .expect("the demo has an open consultation");
    let some_decision = rows[0].id.clone();

    // Comments, 1,000 a batch (as the intake batches them), each from its own address.
    let mut sent = 0;
    while sent < n_comments {
        let batch: Vec<NewComment> = (sent..n_comments.min(sent + 1000))
            .map(|i| NewComment {
                author_name: Some(format!("市民{i}")),
                contact: None,
                body: format!("第{i}条意见：建议在老旧小区增设分类投放点，并延长投放时间。"),
                address_hash: format!("{:064x}", i),
                idempotency_key: None,
            })
            .collect();
        let receipts =
            comments::receive_batch(&mut conn, &engine, &consultation, &batch, now).unwrap();
        assert!(receipts.iter().all(Result::is_ok));
        sent += batch.len();
    }

    // More decisions of the city, started by its staff.
    let initiation = json!({
        "title": "基准测试决策事项",
        "attributes": { "category": "public_policy", "public_interest": true },
        "proposer": { "kind": "leader", "name": "副市长", "studied_by": "市政府研究室" },
        "started_by": "市政府常务会议",
        "started_on": now.date_naive(),
        "lead_unit": "示范市城市管理局"
    });
    for i in 0..n_decisions {
        let mut init = initiation.clone();
        init["title"] = json!(format!("基准测试决策事项{i}"));
        let new = NewDecision {
            organ_id: GOV.into(),
            lead_unit_id: DEPT.into(),
            lead_unit_designation: None,
            catalog_item_id: None,
            pack: None,
            initiation: serde_json::from_value(init).unwrap(),
        };
        juece::service::decisions::create(&mut conn, &engine, &staff, new, now).unwrap();
    }
    // What the consultation page's counts cost: counted over every comment (as every view did
    // before the counts were kept) and read from the kept row.
    drop(conn);
    let mut conn = db.read.get().unwrap();
    type Count = fn(&mut juece::db::DbConn, &str) -> diesel::QueryResult<CommentCounts>;
    let time = |conn: &mut juece::db::DbConn, f: Count| {
        let start = std::time::Instant::now();
        for _ in 0..20 {
            f(conn, &consultation).unwrap();
        }
        start.elapsed().as_secs_f64() * 1000.0 / 20.0
    };
    let live = time(&mut conn, juece::db::comments::count_live);
    let kept = time(&mut conn, juece::db::comments::counts);
    eprintln!(
        "counts of {n_comments} comments: counted {live:.2} ms, kept {kept:.3} ms (mean of 20)"
    );
    println!("{consultation} {some_decision}");
}
