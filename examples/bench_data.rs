//! A large database for `bench/perf.sh` (issue 14 "Scale"), built fast through the real schema
//! (`Db::open` runs juece's migrations) on SQLite or PostgreSQL:
//!
//! 1. the demo data (`seed::load_demo`: four decisions of the demo city at four points of the
//!    procedure — adopted, before the collective decision, before the legality opinion, in an
//!    open consultation — with their comments and hearing);
//! 2. `DECISIONS` more decisions: copies of those four, spread over the city government and its
//!    two departments (organs that decide), each with its own id, title and chain: every table
//!    a decision owns (events, stages, drafts, comments, hearing applications and draw) is
//!    copied and every hash recomputed (`juece::chain`), so `juece audit verify` finds nothing;
//!    written in multi-row inserts, 1,000 decisions a transaction;
//! 3. `MEASURED` comments (default 10,000) on the demo's open consultation — the page measured at
//!    every scale, so its size does not change with the scale — then `COMMENTS` comments spread
//!    over up to 1,000 copied open consultations, through the one door
//!    (`service::comments::receive_batch`, 10,000 a batch, each batch anchored in the chain);
//! 4. a published catalog of the city for this year (100 items, through `service::catalogs`);
//! 5. the record sealed (`audit::seal_days`, then seals of 50,000 events as `audit::seal::seal`
//!    writes them, in one ordered pass), so the server's first seal does not run during the
//!    measurements.
//!
//! Prints `CONSULTATION DECISION CATALOG` (ids) on stdout, timings on stderr.
//!
//! `cargo run --release --example bench_data -- sqlite:///tmp/big.sqlite 100000 10000000 \
//!    [--measured 10000] [--seal-key FILE]`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use juece::access::Principal;
use juece::chain::{applications_digest, batch_digest, comment_hash, event_hash, GENESIS};
use juece::db::comments::{CommentRow, NewComment};
use juece::db::rows::{DecisionRow, DraftVersion, EventRow, HearingApplication};
use juece::db::rows::{HearingSelection, StageRow};
use juece::db::schema::{comments, draft_versions, events, hearing_applications};
use juece::db::schema::{decisions as decision_table, hearing_selections, stage_records};
use juece::db::{accounts, decisions, Db, DbConn};
use juece::procedure::catalog::{CatalogCommand, ItemSpec};
use juece::procedure::selection::{draw, Applicant};
use juece::procedure::state::{Attributes, Category};
use juece::service::{catalogs, comments as intake, Engine};
use sha2::{Digest, Sha256};

const GOV: &str = "00000000-0000-4000-8000-000000000001";
/// The organs that decide in the demo city, all on the national pack.
const ORGANS: [&str; 3] = [
    GOV,
    "00000000-0000-4000-8000-000000000003",
    "00000000-0000-4000-8000-000000000004",
];

/// Insert rows in chunks, as each backend writes a multi-row insert.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(1000) {
            match $conn {
                DbConn::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConn::Pg(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
    };
}

/// A decision of the demo and everything it owns, to be copied.
struct Template {
    row: DecisionRow,
    events: Vec<EventRow>,
    stages: Vec<StageRow>,
    drafts: Vec<DraftVersion>,
    comments: Vec<CommentRow>,
    applications: Vec<HearingApplication>,
    selections: Vec<HearingSelection>,
}

fn load_template(conn: &mut DbConn, row: DecisionRow) -> QueryResult<Template> {
    let id = row.id.clone();
    Ok(Template {
        events: decisions::events_of(conn, &id)?,
        stages: stage_records::table
            .filter(stage_records::decision_id.eq(&id))
            .select(StageRow::as_select())
            .load(conn)?,
        drafts: decisions::draft_versions(conn, &id)?,
        comments: comments::table
            .filter(comments::decision_id.eq(&id))
            .select(CommentRow::as_select())
            .load(conn)?,
        applications: hearing_applications::table
            .filter(hearing_applications::decision_id.eq(&id))
            .select(HearingApplication::as_select())
            .load(conn)?,
        selections: hearing_selections::table
            .filter(hearing_selections::decision_id.eq(&id))
            .select(HearingSelection::as_select())
            .load(conn)?,
        row,
    })
}

/// The id of copy `n` of a row: the template's first 24 characters (unique among its rows, so
/// a copy's rows sort as the template's do — a hearing draw re-run picks the same) and `n`.
fn copy_id(old: &str, n: u64) -> String {
    format!("{}{:012x}", &old[..24.min(old.len())], n)
}

/// The id of copy `n` of a template's `i`-th comment. A comment's id is a UUID version 7 (time
/// first): comments received within one millisecond share their first 24 characters, so
/// [`copy_id`] would give two of them one id. This keeps the time (the first 18 characters), then
/// the comment's place among the template's and the copy's number: unique, and sorted as received.
fn comment_copy_id(old: &str, i: usize, n: u64) -> String {
    format!("{}-{i:04x}-{n:012x}", &old[..18.min(old.len())])
}

/// Every text a copy changes: old ids and digests to new ones.
#[derive(Clone)]
struct Rewrite(Vec<(String, String)>);

impl Rewrite {
    fn apply(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (old, new) in &self.0 {
            if out.contains(old.as_str()) {
                out = out.replace(old.as_str(), new);
            }
        }
        out
    }
}

/// The rows of copy `n` of `t` for `organ`.
#[derive(Default)]
struct Copies {
    decisions: Vec<DecisionRow>,
    events: Vec<EventRow>,
    stages: Vec<StageRow>,
    drafts: Vec<DraftVersion>,
    comments: Vec<CommentRow>,
    applications: Vec<HearingApplication>,
    selections: Vec<HearingSelection>,
}

fn copy(t: &Template, n: u64, organ: &str, out: &mut Copies) {
    let id = copy_id(&t.row.id, n);
    let mut rewrite = vec![(t.row.id.clone(), id.clone())];
    // Comments: new ids and hashes; each batch's digest recomputed.
    let mut comments: Vec<CommentRow> = t
        .comments
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut c = c.clone();
            rewrite.push((c.id.clone(), comment_copy_id(&c.id, i, n)));
            c.id = comment_copy_id(&c.id, i, n);
            c.decision_id = id.clone();
            c.organ_id = Some(organ.to_string());
            c.hash = comment_hash(&c);
            c
        })
        .collect();
    let mut batches: HashMap<i64, (Vec<CommentRow>, Vec<CommentRow>)> = HashMap::new();
    for (old, new) in t.comments.iter().zip(&comments) {
        let b = batches.entry(old.batch_seq).or_default();
        b.0.push(old.clone());
        b.1.push(new.clone());
    }
    for (old, new) in batches.values() {
        rewrite.push((batch_digest(old), batch_digest(new)));
    }
    // Hearing applications: new ids; each round's digest recomputed.
    let applications: Vec<HearingApplication> = t
        .applications
        .iter()
        .map(|a| {
            let mut a = a.clone();
            rewrite.push((a.id.clone(), copy_id(&a.id, n)));
            a.id = copy_id(&a.id, n);
            a.decision_id = id.clone();
            a
        })
        .collect();
    let mut rounds: HashMap<i32, (Vec<HearingApplication>, Vec<HearingApplication>)> =
        HashMap::new();
    for (old, new) in t.applications.iter().zip(&applications) {
        let r = rounds.entry(old.round).or_default();
        r.0.push(old.clone());
        r.1.push(new.clone());
    }
    for (old, new) in rounds.values() {
        rewrite.push((applications_digest(old), applications_digest(new)));
    }
    // A draw's order depends on the ids (sha256(seed + id)): a seed that draws the copies in the
    // template's order, so the recorded participants stay true.
    let mut selections = Vec::new();
    for s in &t.selections {
        let seed = redraw_seed(s, rounds.get(&s.round), n);
        rewrite.push((s.seed.clone(), seed.clone()));
        selections.push(HearingSelection {
            decision_id: id.clone(),
            seed,
            chosen: Rewrite(rewrite.clone()).apply(&s.chosen),
            ..s.clone()
        });
    }
    let rewrite = Rewrite(rewrite);
    // The chain, rewritten and hashed again.
    let mut prev = GENESIS.to_string();
    for e in &t.events {
        let mut e = e.clone();
        e.decision_id = id.clone();
        e.payload = rewrite.apply(&e.payload);
        e.prev_hash = prev;
        e.hash = event_hash(&e);
        prev = e.hash.clone();
        out.events.push(e);
    }
    let mut row = t.row.clone();
    row.id = id.clone();
    row.organ_id = organ.to_string();
    // Outside the catalog: an item leads to one decision (the service refuses a second link), so
    // a copy may not share its template's item — copies that did made each of the demo's items
    // lead to a thousand decisions, and the catalog's export grow with the database.
    row.catalog_item_id = None;
    row.title = format!("{}（基准副本{n}）", t.row.title);
    row.state = rewrite.apply(&row.state);
    row.head_hash = prev;
    // Spread over time (a second apart), so that lists page through them.
    row.created_at -= chrono::Duration::seconds(i64::try_from(n).unwrap_or(0));
    out.decisions.push(row);
    out.stages.extend(t.stages.iter().map(|s| StageRow {
        decision_id: id.clone(),
        organ_id: Some(organ.to_string()),
        ..s.clone()
    }));
    out.drafts.extend(t.drafts.iter().map(|d| DraftVersion {
        decision_id: id.clone(),
        ..d.clone()
    }));
    for c in &mut comments {
        c.disposition_reason = c.disposition_reason.as_deref().map(|r| rewrite.apply(r));
    }
    out.comments.extend(comments);
    out.applications.extend(applications);
    out.selections.extend(selections);
}

/// A seed under which the copies of a round's applications are drawn as the template's were.
fn redraw_seed(
    s: &HearingSelection,
    round: Option<&(Vec<HearingApplication>, Vec<HearingApplication>)>,
    n: u64,
) -> String {
    let Some((old, new)) = round else {
        return s.seed.clone();
    };
    let seats: std::collections::BTreeMap<String, u32> =
        serde_json::from_str(&s.seats).unwrap_or_default();
    let chosen: Vec<String> = serde_json::from_str(&s.chosen).unwrap_or_default();
    let wanted: Vec<String> = chosen
        .iter()
        .filter_map(|c| {
            old.iter()
                .position(|a| &a.id == c)
                .map(|i| new[i].id.clone())
        })
        .collect();
    let applicants: Vec<Applicant> = new
        .iter()
        .map(|a| Applicant {
            id: a.id.clone(),
            interest_group: a.interest_group.clone(),
        })
        .collect();
    for attempt in 0..100_000u32 {
        let seed = hex::encode(Sha256::digest(format!("{}/{n}/{attempt}", s.seed)));
        let drawn: Vec<String> = draw(&applicants, &seats, &seed)
            .into_iter()
            .map(|c| c.id)
            .collect();
        if drawn == wanted {
            return seed;
        }
    }
    s.seed.clone()
}

fn write(conn: &mut DbConn, c: &Copies) -> QueryResult<()> {
    conn.transaction(|conn| {
        insert_rows!(conn, decision_table::table, c.decisions);
        insert_rows!(conn, events::table, c.events);
        insert_rows!(conn, stage_records::table, c.stages);
        insert_rows!(conn, draft_versions::table, c.drafts);
        insert_rows!(conn, comments::table, c.comments);
        insert_rows!(conn, hearing_applications::table, c.applications);
        insert_rows!(conn, hearing_selections::table, c.selections);
        Ok(())
    })
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "sqlite:///tmp/bench.sqlite".into());
    let n_decisions: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let n_comments: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let measured: usize = arg(&args, "--measured").unwrap_or(10_000);
    let seal_key: String = arg(&args, "--seal-key").unwrap_or_else(|| "juece-seal.key".into());
    let packs = juece::files::load_packs(Path::new("workflows")).expect("packs");
    let calendar = juece::files::load_calendar(Path::new("seeds/holidays")).expect("calendar");
    let engine = Engine {
        packs: &packs,
        calendar: &calendar,
    };
    let started = Instant::now();
    let db = Db::open_cli(&url).expect("database");
    let mut conn = db.write.get().unwrap();
    if let DbConn::Sqlite(c) = &mut *conn {
        // The generator's own connection: a 1 GB page cache for the indexes it grows.
        diesel::connection::SimpleConnection::batch_execute(c, "PRAGMA cache_size = -1000000;")
            .unwrap();
    }
    let now = chrono::Utc::now();
    let demo = Path::new("seeds/demo/demo.json");
    assert!(
        juece::seed::load_demo(&mut conn, demo, &packs, &calendar, now).unwrap(),
        "give an empty database"
    );
    let staff_user = accounts::user_by_username(&mut conn, "staff")
        .unwrap()
        .unwrap();
    let staff = Principal {
        roles: accounts::roles_of(&mut conn, &staff_user.id).unwrap(),
        user: staff_user,
    };
    let rows = decisions::list_decisions(&mut conn, &[GOV.to_string()], None, 200).unwrap();
    let is_open = |conn: &mut DbConn, id: &str| {
        juece::api::comments::consultation_view(conn, id, now)
            .ok()
            .and_then(|v| v.period)
            .is_some_and(|p| p.open)
    };
    let consultation = rows
        .iter()
        .find(|r| is_open(&mut conn, &r.id))
        .map(|r| r.id.clone())
        .expect("the demo has an open consultation");
    let adopted = rows
        .iter()
        .find(|r| r.status == "adopted")
        .unwrap_or(&rows[0])
        .id
        .clone();
    let templates: Vec<Template> = rows
        .into_iter()
        .map(|r| load_template(&mut conn, r).unwrap())
        .collect();
    eprintln!("demo loaded in {:.1} s", started.elapsed().as_secs_f64());

    // Copies, 1,000 decisions a transaction.
    let t = Instant::now();
    let mut open_copies = Vec::new();
    let mut n = 0u64;
    while n < n_decisions {
        let mut c = Copies::default();
        for _ in 0..1000.min(n_decisions - n) {
            n += 1;
            let template = &templates[(n % templates.len() as u64) as usize];
            let organ = ORGANS[(n / templates.len() as u64 % ORGANS.len() as u64) as usize];
            copy(template, n, organ, &mut c);
            if template.row.id == consultation && open_copies.len() < 1000 {
                open_copies.push(copy_id(&consultation, n));
            }
        }
        write(&mut conn, &c).unwrap();
    }
    // Their comment counts, kept as the intake keeps them.
    let counted = juece::db::counters::backfill(&mut conn).unwrap();
    juece::db::counters::recount_days(&mut conn).unwrap();
    eprintln!(
        "{n_decisions} decisions copied in {:.1} s ({counted} counts kept)",
        t.elapsed().as_secs_f64()
    );

    // Comments: the measured consultation's, then the rest spread over the open copies.
    let t = Instant::now();
    let receive = |conn: &mut DbConn, decision: &str, from: usize, count: usize| {
        let batch: Vec<NewComment> = (from..from + count)
            .map(|i| NewComment {
                author_name: (i % 3 == 0).then(|| format!("市民{i}")),
                contact: (i % 5 == 0).then(|| format!("138{:08}", i % 100_000_000)),
                body: format!("第{i}条意见：建议在老旧小区增设分类投放点，并延长投放时间。"),
                address_hash: format!("{:064x}", i),
                idempotency_key: None,
            })
            .collect();
        let receipts = intake::receive_batch(conn, &engine, decision, &batch, now).unwrap();
        assert!(receipts.iter().all(Result::is_ok));
    };
    let mut sent = 0;
    while sent < measured {
        let count = 10_000.min(measured - sent);
        receive(&mut conn, &consultation, sent, count);
        sent += count;
    }
    let mut sent = 0;
    let mut k = 0;
    while sent < n_comments {
        let target = open_copies.get(k % open_copies.len().max(1)).cloned();
        let Some(target) = target else {
            eprintln!("no open consultation copied (give at least 4 decisions): no comments");
            break;
        };
        let count = 10_000.min(n_comments - sent);
        receive(&mut conn, &target, measured + sent, count);
        sent += count;
        k += 1;
        if k % 100 == 0 {
            eprintln!(
                "  {sent} comments, {:.0} a second",
                sent as f64 / t.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!(
        "{} comments received in {:.1} s ({} consultations)",
        measured + n_comments,
        t.elapsed().as_secs_f64(),
        open_copies.len().min(k).max(1)
    );

    // The city's catalog for this year: 100 items, consent, published.
    let t = Instant::now();
    let year = now
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .year();
    // The demo's catalog of the year, adjusted (a reason each item) and published again; or a
    // new one.
    let existing: Option<String> = juece::db::schema::catalogs::table
        .filter(juece::db::schema::catalogs::organ_id.eq(GOV))
        .filter(juece::db::schema::catalogs::year.eq(year))
        .select(juece::db::schema::catalogs::id)
        .first(&mut *conn)
        .optional()
        .unwrap();
    let loaded = match &existing {
        Some(id) => catalogs::load(&mut conn, id).unwrap(),
        None => catalogs::open(&mut conn, &engine, &staff, GOV, year, now).unwrap(),
    };
    let reason = existing
        .as_ref()
        .map(|_| "基准测试：年度中增补事项".to_string());
    let catalog = loaded.row.id.clone();
    let mut version = loaded.row.version;
    let mut give = |conn: &mut DbConn, cmd| {
        let l = catalogs::command(conn, &engine, &staff, &catalog, version, cmd, now).unwrap();
        version = l.row.version;
    };
    for i in 0..100 {
        let attributes = Attributes::new(Category::PublicPolicy)
            .with("technical", i % 2 == 0)
            .with("stability_risk", i % 3 == 0);
        give(
            &mut conn,
            CatalogCommand::AddItem {
                item: ItemSpec {
                    title: format!("第{i}项 关于推进某领域改革的实施意见"),
                    undertaking_unit: "示范市发展和改革委员会".into(),
                    attributes,
                    procedures: Vec::new(),
                    planned_by: NaiveDate::from_ymd_opt(year, 12, 31),
                    note: None,
                },
                reason: reason.clone(),
            },
        );
    }
    if existing.is_none() {
        give(
            &mut conn,
            CatalogCommand::RecordConsent {
                body: "中共示范市委员会".into(),
                consented_on: now.date_naive(),
                document_number: format!("示委〔{year}〕1号"),
            },
        );
    }
    give(&mut conn, CatalogCommand::Publish {});
    eprintln!(
        "catalog of 100 items published in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // The record sealed, as the server would in its first minutes.
    let t = Instant::now();
    let key = juece::audit::seal::load_key(Path::new(&seal_key), true).unwrap();
    let stamp = juece::db::stored_time(now);
    let days = juece::audit::seal_days(&mut conn, juece::procedure::state::china_date(now), stamp)
        .unwrap();
    let sealed = bulk_seal(&mut conn, &key, stamp).unwrap();
    eprintln!(
        "{days} daily digests and {sealed} events sealed in {:.1} s; total {:.1} s",
        t.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    println!("{consultation} {adopted} {catalog}");
}

/// The record sealed as `audit::seal::seal` seals it — the same events text, digest chain,
/// signature and heads, 50,000 events a seal — in one pass over the events in chain order. The
/// server's function reads every event again for each seal (a join on `sealed_heads` ordered by
/// chain): minutes a seal at millions of events (docs/PERFORMANCE.md). A fresh database: no seal
/// before.
fn bulk_seal(
    conn: &mut DbConn,
    key: &ed25519_dalek::SigningKey,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    use ed25519_dalek::Signer;
    use juece::db::seals::{self, Seal};
    let (mut prev, mut n, mut total) = (GENESIS.to_string(), 1i64, 0usize);
    let mut after = String::new();
    loop {
        let mut fresh: Vec<(String, i64, String)> = events::table
            .filter(events::decision_id.gt(&after))
            .order((events::decision_id.asc(), events::seq.asc()))
            .limit(50_000)
            .select((events::decision_id, events::seq, events::hash))
            .load(conn)?;
        let Some(last) = fresh.last().map(|e| e.0.clone()) else {
            break;
        };
        // Whole chains only: the last one may go on past the limit (unless it is alone).
        if fresh.len() == 50_000 && fresh[0].0 != last {
            fresh.retain(|e| e.0 != last);
        }
        after = fresh.last().map(|e| e.0.clone()).unwrap_or(last);
        let text = serde_json::to_string(&fresh).unwrap_or_default();
        let digest = juece::chain::digest_of(&prev, &text);
        let mut heads: std::collections::BTreeMap<&str, i64> = Default::default();
        for (chain, seq, _) in &fresh {
            heads.insert(chain.as_str(), *seq);
        }
        let heads: Vec<(&str, i64)> = heads.into_iter().collect();
        let seal = Seal {
            n,
            sealed_at: now,
            events: text,
            event_count: i64::try_from(fresh.len()).unwrap_or(i64::MAX),
            prev_digest: prev.clone(),
            signature: hex::encode(key.sign(digest.as_bytes()).to_bytes()),
            digest: digest.clone(),
            public_key: hex::encode(key.verifying_key().to_bytes()),
        };
        conn.transaction(|conn| seals::insert(conn, &seal, &heads))?;
        total += fresh.len();
        prev = digest;
        n += 1;
    }
    Ok(total)
}
