//! Through the HTTP API, on SQLite (a fresh file per test) and — when `TEST_DATABASE_URL` points
//! at a PostgreSQL server — on a fresh PostgreSQL database per test.

mod audit;
mod audit_hearings;
mod authz;
mod bad_input;
pub mod catalogs;
mod cli;
mod comments;
mod deadlines;
mod decisions;
mod dossier;
mod execution;
mod experts;
mod group_commit;
mod hearings;
mod one_door;
mod public_reads;
mod read_caches;
mod report;
mod robustness;
mod seals;
mod stages;
mod storage;
mod webhooks;

use std::sync::OnceLock;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test;
use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection, RunQueryDsl};
use juece::access::{self, Party};
use juece::app::AppState;
use juece::clock::Clock;
use juece::db::rows::{Organ, User};
use juece::db::{accounts, new_id, registry, stored_time, Db};
use juece::procedure::script::{self, Step};
use juece::procedure::state::{Command, Fact};
use serde_json::{json, Value};

use crate::support::{calendar, packs};

pub const GOV: &str = "10000000-0000-4000-8000-000000000001";
pub const SFJ: &str = "10000000-0000-4000-8000-000000000002";
pub const DEPT: &str = "10000000-0000-4000-8000-000000000003";
pub const OTHER_GOV: &str = "10000000-0000-4000-8000-000000000009";

/// A database for one test, dropped with it.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn new() -> TestDb {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(base) if !base.is_empty() => {
                let name = format!("juece_t_{}", uuid::Uuid::new_v4().simple());
                let mut admin =
                    PgConnection::establish(&base).expect("TEST_DATABASE_URL reachable");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create database");
                let url = match base.rfind('/') {
                    Some(i) => format!("{}/{name}", &base[..i]),
                    None => panic!("TEST_DATABASE_URL must end in /DBNAME"),
                };
                TestDb {
                    url,
                    _dir: None,
                    pg: Some((base, name)),
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join("juece.sqlite").display());
                TestDb {
                    url,
                    _dir: Some(dir),
                    pg: None,
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, name)) = &self.pg {
            if let Ok(mut admin) = PgConnection::establish(base) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}

fn password_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| juece::service::accounts::hash_password("secret").unwrap())
}

/// The app over a fresh database with a city government, its legality unit, a department,
/// another government, and one user per role.
pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
}

impl TestApp {
    pub fn new() -> TestApp {
        let db = TestDb::new();
        let database = Db::open(&db.url).expect("database opens");
        {
            let mut conn = database.write.get().unwrap();
            let at = stored_time(Utc::now());
            for (id, name, kind) in [
                (GOV, "测试市人民政府", "decision_organ"),
                (SFJ, "测试市司法局", "legality_review_unit"),
                (DEPT, "测试市城市管理局", "department"),
                (OTHER_GOV, "另一市人民政府", "decision_organ"),
            ] {
                accounts::insert_organ(
                    &mut conn,
                    &Organ {
                        id: id.into(),
                        name: name.into(),
                        kind: kind.into(),
                        parent_id: None,
                        legality_unit_id: None,
                        pack_id: Some("national".into()),
                        created_at: at,
                    },
                )
                .unwrap();
            }
            accounts::link_organ(&mut conn, GOV, None, Some(SFJ)).unwrap();
            // The legality unit and the department belong to the city government.
            accounts::link_organ(&mut conn, SFJ, Some(GOV), None).unwrap();
            accounts::link_organ(&mut conn, DEPT, Some(GOV), None).unwrap();
            for (username, organ, role) in [
                ("staff", GOV, "organ_staff"),
                ("mayor", GOV, "head"),
                ("reviewer", SFJ, "legality_reviewer"),
                ("unit", DEPT, "undertaking"),
                ("inspector", GOV, "inspector"),
                ("outsider", OTHER_GOV, "organ_staff"),
            ] {
                let id = new_id();
                accounts::insert_user(
                    &mut conn,
                    &User {
                        id: id.clone(),
                        username: username.into(),
                        display_name: username.into(),
                        password_hash: password_hash().into(),
                        created_at: at,
                    },
                )
                .unwrap();
                accounts::grant(&mut conn, &id, organ, role).unwrap();
            }
            // The scripted walk chooses experts e1, e2, e3: the city's registry has them.
            let staff = accounts::user_by_username(&mut conn, "staff")
                .unwrap()
                .unwrap();
            for n in 1..=5 {
                registry::insert_expert(
                    &mut conn,
                    &juece::db::rows::Expert {
                        id: format!("e{n}"),
                        organ_id: GOV.into(),
                        name: format!("专家{n}"),
                        organisation: Some(format!("研究院{n}")),
                        fields: "[\"环境工程\"]".into(),
                        active: true,
                        idempotency_key: None,
                        created_by: staff.id.clone(),
                        created_at: at,
                        deactivated_at: None,
                        deactivation_reason: None,
                    },
                    &["环境工程".to_string()],
                )
                .unwrap();
            }
        }
        let state = AppState::new(
            database,
            packs().clone(),
            calendar().clone(),
            Clock::simulated(),
        )
        .with_comment_limit(10_000);
        TestApp { db, state }
    }

    pub async fn service(
        &self,
    ) -> impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    > {
        test::init_service(juece::server::app(self.state.clone())).await
    }
}

/// The national walk's initiation, without a catalog link (a link names a real item).
pub fn initiation(t: &TestApp) -> Value {
    let pack = t.state.packs.latest("national").unwrap();
    let steps =
        juece::procedure::script::full_walk(pack, &crate::support::all_on(), t.state.clock.now());
    let Command::Initiate(mut init) = steps[0].command.clone() else {
        panic!("the walk starts with its initiation");
    };
    init.catalog_item = None;
    serde_json::to_value(init).unwrap()
}

/// Send a request; return status and JSON body (Null when empty).
pub async fn send<S, B>(app: &S, req: test::TestRequest) -> (u16, Value)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let req = req.to_request();
    let method = req.method().as_str().to_lowercase();
    let path = req.uri().path().to_string();
    let res = test::call_service(app, req).await;
    let status = res.status().as_u16();
    let ctype = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = test::read_body(res).await;
    if status >= 400 {
        assert_eq!(
            ctype,
            "application/problem+json",
            "error {status} is not problem+json: {}",
            String::from_utf8_lossy(&bytes)
        );
    }
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    conforms(&method, &path, status, &ctype, &body);
    (status, body)
}

pub async fn token<S, B>(app: &S, username: &str) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let (status, body) = send(
        app,
        test::TestRequest::post()
            .uri("/api/v1/session")
            .set_json(json!({"username": username, "password": "secret"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_string()
}

/// Tokens of every test user.
pub struct Tokens {
    pub staff: String,
    pub mayor: String,
    pub reviewer: String,
    pub unit: String,
    pub inspector: String,
    pub outsider: String,
}

impl Tokens {
    pub async fn get<S, B>(app: &S) -> Tokens
    where
        S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        B: MessageBody,
    {
        Tokens {
            staff: token(app, "staff").await,
            mayor: token(app, "mayor").await,
            reviewer: token(app, "reviewer").await,
            unit: token(app, "unit").await,
            inspector: token(app, "inspector").await,
            outsider: token(app, "outsider").await,
        }
    }

    /// The token of the user whose role the command needs.
    pub fn for_command(&self, command: &Command) -> &str {
        let (role, party) = access::required(command)[0];
        match (role, party) {
            ("organ_staff", Party::DecisionOrgan) => &self.staff,
            ("head", _) => &self.mayor,
            ("legality_reviewer", _) => &self.reviewer,
            ("undertaking", _) => &self.unit,
            other => panic!("no test user for {other:?}"),
        }
    }
}

pub fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

/// Move the simulated clock to `at` (if it is behind).
pub fn clock_to(state: &AppState, at: DateTime<Utc>) {
    let now = state.clock.now();
    if at > now {
        state.clock.advance((at - now).num_seconds() + 1).unwrap();
    }
}

/// Apply one scripted step through HTTP; returns (status, body). `id`/`version` track the decision.
pub async fn step<S, B>(
    app: &S,
    state: &AppState,
    tokens: &Tokens,
    id: &mut String,
    version: &mut i64,
    s: &Step,
) -> (u16, Value)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    clock_to(state, s.at);
    if let Command::Record {
        fact: Fact::CommentsReceived { count, .. },
    } = &s.command
    {
        // The public sends the comments; the intake anchors them in the record.
        for n in 0..*count {
            let (status, body) = send(app, test::TestRequest::post()
                .uri(&format!("/api/v1/public/decisions/{id}/comments"))
                .set_json(json!({ "name": format!("市民{n}"), "body": format!("意见{n}：建议增加投放点"), "idempotency_key": format!("walk-{n}") }))).await;
            if status != 201 {
                return (status, body);
            }
        }
        let (status, body) = send(
            app,
            test::TestRequest::get()
                .uri(&format!("/api/v1/decisions/{id}"))
                .insert_header(bearer(&tokens.unit)),
        )
        .await;
        *version = body["version"].as_i64().unwrap();
        return (status, body);
    }
    if let Command::Record {
        fact: Fact::HearingParticipants { participants, .. },
    } = &s.command
    {
        // The public applies, and the published draw chooses (as many seats as applicants).
        let mut seats = std::collections::BTreeMap::new();
        for (i, p) in participants.iter().enumerate() {
            let (status, body) = send(
                app,
                test::TestRequest::post()
                    .uri(&format!("/api/v1/public/decisions/{id}/hearing/applications"))
                    .insert_header(("idempotency-key", format!("walk-hearing-{i}")))
                    .set_json(json!({ "name": p.name, "contact": "13800000000", "interest_group": p.interest_group, "statement": "申请参加听证", "civil_servant": p.civil_servant })),
            )
            .await;
            if status != 201 {
                return (status, body);
            }
            *seats.entry(p.interest_group.clone()).or_insert(0) += 1;
        }
        let (status, body) = send(
            app,
            test::TestRequest::post()
                .uri(&format!("/api/v1/decisions/{id}/hearing/selection"))
                .insert_header(bearer(&tokens.unit))
                .set_json(json!({ "expected_version": version, "seats": seats })),
        )
        .await;
        if status < 300 {
            *version = body["version"].as_i64().unwrap();
        }
        return (status, body);
    }
    let mut command = real_comment_ids(app, tokens, id, s.command.clone()).await;
    if let Command::Initiate(init) = &mut command {
        // The catalog link is made from a real item (catalog_item_id), never from text.
        init.catalog_item = None;
    }
    let token = tokens.for_command(&command);
    let req = match &command {
        Command::Initiate(init) => test::TestRequest::post()
            .uri("/api/v1/decisions")
            .set_json(json!({ "organ_id": GOV, "lead_unit_id": DEPT, "initiation": init })),
        Command::Record { fact: Fact::Draft { legal_basis, options, .. } } => test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/drafts"))
            .set_json(json!({ "expected_version": version, "content": script::draft_text(1), "legal_basis": legal_basis, "options": options })),
        other => test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .set_json(json!({ "expected_version": version, "command": other })),
    };
    let (status, body) = send(app, req.insert_header(bearer(token))).await;
    if status < 300 {
        *id = body["id"].as_str().unwrap().to_string();
        *version = body["version"].as_i64().unwrap();
    }
    (status, body)
}

/// The script names its comments c1, c2…: the n-th comment received, in order.
async fn real_comment_ids<S, B>(app: &S, tokens: &Tokens, id: &str, command: Command) -> Command
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let (_, page) = send(
        app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/comments"))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    let real = |script_id: &str| -> String {
        let n: usize = script_id.trim_start_matches('c').parse().unwrap();
        page["items"][n - 1]["id"].as_str().unwrap().to_string()
    };
    match command {
        Command::Record {
            fact:
                Fact::CommentDisposed {
                    comment_id,
                    disposition,
                    reason,
                },
        } => Command::Record {
            fact: Fact::CommentDisposed {
                comment_id: real(&comment_id),
                disposition,
                reason,
            },
        },
        Command::Record {
            fact: Fact::CommentHidden { comment_id, reason },
        } => Command::Record {
            fact: Fact::CommentHidden {
                comment_id: real(&comment_id),
                reason,
            },
        },
        other => other,
    }
}

/// Walk the scripted steps until the first matching `stop` (not applied); all must succeed.
pub async fn walk_until<S, B>(
    app: &S,
    state: &AppState,
    tokens: &Tokens,
    stop: impl Fn(&Command) -> bool,
) -> (String, i64, Vec<Step>)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let pack = state.packs.latest("national").unwrap();
    let steps = script::full_walk(pack, &crate::support::all_on(), state.clock.now());
    let mut id = String::new();
    let mut version = 0;
    let mut rest = Vec::new();
    let mut stopped = false;
    for s in steps {
        if stopped || stop(&s.command) {
            stopped = true;
            rest.push(s);
            continue;
        }
        let (status, body) = step(app, state, tokens, &mut id, &mut version, &s).await;
        assert!(
            status < 300,
            "step {:?} refused: {status} {body}",
            s.command
        );
    }
    (id, version, rest)
}

/// Every response of the suite against the served OpenAPI document: its status is documented
/// for the route, and a JSON body the document types validates against its schema. So the
/// document cannot drift from what the server answers.
fn conforms(method: &str, path: &str, status: u16, ctype: &str, body: &Value) {
    static SPEC: OnceLock<Value> = OnceLock::new();
    let spec = SPEC.get_or_init(juece::api::openapi::spec);
    let Some(template) = juece::api::ROUTES.iter().find_map(|(m, t, _, _)| {
        let segs: Vec<&str> = t.split('/').collect();
        let got: Vec<&str> = path.split('/').collect();
        let same = *m == method
            && segs.len() == got.len()
            && segs
                .iter()
                .zip(&got)
                .all(|(s, g)| s.starts_with('{') || s == g);
        same.then_some(*t)
    }) else {
        return; // an unknown route: the 404 of no route, checked elsewhere
    };
    let op = &spec["paths"][template][method];
    let documented = &op["responses"][status.to_string()];
    assert!(
        !documented.is_null(),
        "{method} {template} answered {status}, which the OpenAPI document does not list: {body}"
    );
    let media = ctype.split(';').next().unwrap_or("").trim();
    let schema = &documented["content"][media]["schema"];
    if schema.is_null() || !(media.ends_with("json")) {
        return;
    }
    let mut root = schema.clone();
    root["components"] = spec["components"].clone();
    let validator = jsonschema::validator_for(&root).expect("the document's schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {template} {status}: the body breaks the documented schema: {errors:?}\n{body}"
    );
}
