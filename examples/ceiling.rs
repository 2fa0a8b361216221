//! The ceilings `bench/perf.sh` measures juece against, in the same run on the same cores: a
//! minimal actix-web 4 server with the settings `juece serve` uses (`HttpServer::new`, default
//! workers — one per core — unless `--workers N`), and nothing else.
//!
//! - `GET /const`: a constant JSON body of about the size of a decision view (~2 KB), built once.
//! - `POST /insert`: parse a small JSON body (`{"body": "…", "name": "…"}`), then in `web::block`
//!   one diesel insert of one row into `ceiling_comments` — the columns and indexes of juece's
//!   `comments` table — on ONE writer connection (SQLite: WAL, `synchronous = NORMAL`, the
//!   pragmas of `juece::db::Manager`), or on a pool of 16 (juece's PostgreSQL default) with a
//!   `postgres://` URL. A request costs parsing, a thread hop and one insert: no rate limit, no
//!   event chain, no counts — what juece adds to that is what its share says.
//!
//! `cargo run --release --example ceiling -- 127.0.0.1:18190 sqlite:///tmp/ceiling.sqlite [--workers N]`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::{web, App, HttpResponse, HttpServer};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use serde::Deserialize;
use sha2::{Digest, Sha256};

diesel::table! {
    ceiling_comments (id) {
        id -> Text,
        decision_id -> Text,
        batch_seq -> BigInt,
        author_name -> Nullable<Text>,
        body -> Text,
        address_hash -> Text,
        idempotency_key -> Nullable<Text>,
        received_at -> Timestamp,
        hash -> Text,
        organ_id -> Nullable<Text>,
    }
}

/// The table and the indexes of juece's `comments` (migrations/*/…_comments, …_report_indexes).
const DDL: &str = "
CREATE TABLE IF NOT EXISTS ceiling_comments (
  id TEXT PRIMARY KEY NOT NULL, decision_id TEXT NOT NULL, batch_seq BIGINT NOT NULL,
  author_name TEXT, body TEXT NOT NULL, address_hash TEXT NOT NULL, idempotency_key TEXT,
  received_at TIMESTAMP NOT NULL, hash TEXT NOT NULL, organ_id TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS ceiling_idem ON ceiling_comments (decision_id, idempotency_key);
CREATE INDEX IF NOT EXISTS ceiling_keyset ON ceiling_comments (decision_id, received_at, id);
CREATE INDEX IF NOT EXISTS ceiling_batch ON ceiling_comments (decision_id, batch_seq);
CREATE INDEX IF NOT EXISTS ceiling_organ ON ceiling_comments (organ_id, received_at);";

#[derive(Insertable)]
#[diesel(table_name = ceiling_comments)]
struct Row {
    id: String,
    decision_id: String,
    batch_seq: i64,
    author_name: Option<String>,
    body: String,
    address_hash: String,
    idempotency_key: Option<String>,
    received_at: chrono::NaiveDateTime,
    hash: String,
    organ_id: Option<String>,
}

#[derive(Deserialize)]
struct Form {
    body: String,
    name: Option<String>,
    idempotency_key: Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct SqlitePragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, c: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        c.batch_execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

#[derive(Clone)]
enum Store {
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    Pg(Pool<ConnectionManager<PgConnection>>),
}

impl Store {
    fn insert(&self, row: &Row) -> Result<usize, String> {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        match self {
            Store::Sqlite(p) => diesel::insert_into(ceiling_comments::table)
                .values(row)
                .execute(&mut p.get().map_err(|x| e(&x))?)
                .map_err(|x| e(&x)),
            Store::Pg(p) => diesel::insert_into(ceiling_comments::table)
                .values(row)
                .execute(&mut p.get().map_err(|x| e(&x))?)
                .map_err(|x| e(&x)),
        }
    }
}

/// A JSON body shaped like a decision view (id, attributes, stages with dates, next steps with
/// their rule and basis), about 2 KB.
fn constant_body() -> web::Bytes {
    let stages: Vec<serde_json::Value> = [
        "initiation",
        "public_participation",
        "expert_review",
        "risk_assessment",
        "legality_review",
        "collective_decision",
        "publication",
    ]
    .iter()
    .map(|s| {
        serde_json::json!({ "stage": s, "status": "done", "required": true, "rounds": 1,
            "started_at": "2026-11-01T02:00:00Z", "completed_at": "2026-11-05T02:00:00Z",
            "due_on": "2026-11-20" })
    })
    .collect();
    let v = serde_json::json!({
        "id": "00000000-0000-4000-8000-00000000abcd",
        "title": "关于推进城市生活垃圾分类的实施意见",
        "organ_id": "00000000-0000-4000-8000-000000000001",
        "pack": { "id": "national", "version": "2019.1" },
        "status": "in_procedure", "version": 17,
        "attributes": { "category": "public_policy", "public_interest": true, "technical": true },
        "stages": stages,
        "next": [{ "command": "start_stage", "stage": "collective_decision", "allowed": false,
            "rule": "flow.required_stage_skipped",
            "basis": "《重大行政决策程序暂行条例》第二十五条、第二十六条、第二十七条、第二十八条",
            "message_zh": "“合法性审查”是本决策的法定必经环节，尚未完成，不得进入“集体讨论决定”",
            "message_en": "legality_review is a required stage for this decision and is not done" }],
    });
    web::Bytes::from(v.to_string())
}

async fn constant(body: web::Data<web::Bytes>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.get_ref().clone())
}

async fn insert(store: web::Data<Store>, form: web::Json<Form>) -> HttpResponse {
    let form = form.into_inner();
    let store = store.get_ref().clone();
    let done = web::block(move || {
        let received_at = chrono::Utc::now().naive_utc();
        let hash = hex::encode(Sha256::digest(form.body.as_bytes()));
        let row = Row {
            id: uuid::Uuid::new_v4().to_string(),
            decision_id: "00000000-0000-4000-8000-00000000abcd".into(),
            batch_seq: 1,
            author_name: form.name,
            body: form.body,
            address_hash: hash.clone(),
            idempotency_key: form.idempotency_key,
            received_at,
            hash,
            organ_id: Some("00000000-0000-4000-8000-000000000001".into()),
        };
        store.insert(&row).map(|_| row.id)
    })
    .await;
    match done {
        Ok(Ok(id)) => HttpResponse::Created().json(serde_json::json!({ "id": id })),
        Ok(Err(e)) => HttpResponse::InternalServerError().body(e),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let bind = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:18190".into());
    let url = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "sqlite:///tmp/ceiling.sqlite".into());
    let workers: Option<usize> = args
        .iter()
        .position(|a| a == "--workers")
        .and_then(|i| args.get(i + 1))
        .and_then(|w| w.parse().ok());
    let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let pool = Pool::builder()
            .max_size(16)
            .build(ConnectionManager::<PgConnection>::new(&url))
            .expect("PostgreSQL pool");
        pool.get()
            .expect("a PostgreSQL connection")
            .batch_execute(DDL)
            .expect("create table");
        Store::Pg(pool)
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(&url);
        let pool = Pool::builder()
            .max_size(1)
            .connection_customizer(Box::new(SqlitePragmas))
            .build(ConnectionManager::<SqliteConnection>::new(path))
            .expect("SQLite writer");
        pool.get()
            .expect("the SQLite writer")
            .batch_execute(DDL)
            .expect("create table");
        Store::Sqlite(pool)
    };
    let body = web::Data::new(constant_body());
    let store = web::Data::new(store);
    eprintln!(
        "ceiling on http://{bind}: GET /const ({} bytes), POST /insert",
        body.len()
    );
    actix_web::rt::System::new().block_on(async move {
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(body.clone())
                .app_data(store.clone())
                .route("/const", web::get().to(constant))
                .route("/insert", web::post().to(insert))
        });
        if let Some(w) = workers {
            server = server.workers(w);
        }
        server.bind(&bind)?.run().await
    })
}
