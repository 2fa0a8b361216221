//! The staff console: sign-in (a session cookie holding the same session token as the API's
//! bearer tokens), the dashboard of the user's organs' decisions, and a decision's page with its
//! stage graph, drafts and diff, record, and the forms of the commands the user may give now.
//! Every page checks role and organ through the same service and access functions as the API.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::dashboard::status_zh;
use super::render::{self, html, page, see_other, zh, Chrome, PageError};
use super::security::{self, field};
use super::session::{session, Session};
use super::{diff, forms, graph, handling};
use crate::access;
use crate::api::auth::SignInOutcome;
use crate::api::common::engine;
use crate::api::decisions::view;
use crate::app::AppState;
use crate::db::decisions as db;
use crate::procedure::rules::flow::fact_stage;
use crate::procedure::state::{stage, Command, Disposition, DraftHash, Fact, StageId, StageStatus};
use crate::procedure::Violation;
use crate::service::accounts::{self, token_hash};
use crate::service::commands::Order;
use crate::service::decisions::{self as service, pack_of, parse_state};
use crate::service::ServiceError;

/// The largest console form, in bytes (a draft of the largest size, URL-encoded).
const CONSOLE_FORM_BYTES: usize = 3 * crate::api::limits::DRAFT_BYTES + 64 * 1024;

/// `GET /console` — to the dashboard.
pub async fn to_dashboard() -> HttpResponse {
    see_other("/console/")
}

fn sign_in_page(
    state: &AppState,
    req: &HttpRequest,
    error: Option<&str>,
    username: &str,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (token, cookie) = security::public_token(state, req);
    let body = page(
        "sign_in",
        "工作人员登录",
        &Chrome {
            console: true,
            ..Chrome::default()
        },
        &json!({ "csrf": token, "error": error, "username": username }),
    )?;
    let mut res = render::builder(status);
    if let Some(c) = cookie {
        res.cookie(c);
    }
    Ok(res.body(body))
}

/// `GET /console/sign-in`
pub async fn sign_in_form(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    sign_in_page(&state, &req, None, "", StatusCode::OK)
}

/// `POST /console/sign-in` — the accounts service checks the password and opens a session, the
/// same as `POST /api/v1/session`, with the same throttle.
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let form = security::public_form(payload, 8 * 1024, &req).await?;
    let username = field(&form, "username")
        .unwrap_or_default()
        .trim()
        .to_string();
    let password = field(&form, "password").unwrap_or_default().to_string();
    if username.is_empty() || password.is_empty() || username.len() > 200 || password.len() > 1000 {
        return sign_in_page(
            &state,
            &req,
            Some("请输入用户名和密码。"),
            &username,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    // The same attempt as the API's: throttled per address and username, checked off the writer.
    match crate::api::auth::attempt(&state, &req, &username, password).await? {
        SignInOutcome::Signed(token, _, _) => {
            let mut res = see_other("/console/");
            res.add_cookie(&security::session_cookie(&state, &req, token))
                .map_err(|e| PageError::Internal(e.to_string()))?;
            Ok(res)
        }
        SignInOutcome::Throttled(_) => sign_in_page(
            &state,
            &req,
            Some("登录失败次数过多，请 15 分钟后再试。"),
            &username,
            StatusCode::TOO_MANY_REQUESTS,
        ),
        SignInOutcome::Wrong => sign_in_page(
            &state,
            &req,
            Some("用户名或密码错误。"),
            &username,
            StatusCode::UNAUTHORIZED,
        ),
    }
}

/// `POST /console/sign-out`
pub async fn sign_out(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    security::console_form(payload, 8 * 1024, &s.token).await?;
    let st = state.clone();
    let hash = token_hash(&s.token);
    web::block(move || -> Result<(), PageError> {
        let mut conn = st.db.write.get()?;
        Ok(accounts::sign_out(&mut conn, &st.sessions, &hash)?)
    })
    .await??;
    let mut res = see_other("/console/sign-in");
    res.add_cookie(&security::session_removal(&state, &req))
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(res)
}

/// What a command form brought back to show on the decision page.
#[derive(Default)]
struct Flash {
    violations: Vec<Violation>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct DiffQuery {
    #[serde(default)]
    from: Option<i32>,
    #[serde(default)]
    to: Option<i32>,
    /// The record from after this event (a page of [`EVENTS_PAGE`]).
    #[serde(default)]
    events_after: Option<i64>,
}

/// Events of the record per page (the API's default page).
const EVENTS_PAGE: i64 = crate::api::decisions::EVENTS_PAGE;

/// The decision page again, with what is wrong with the form sent (422).
async fn form_refused(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    s: &Session,
    id: String,
    message: String,
) -> Result<HttpResponse, PageError> {
    let flash = Flash {
        error: Some(zh(&message, render::INVALID)),
        ..Flash::default()
    };
    decision_page(state, req, s, id, flash, StatusCode::UNPROCESSABLE_ENTITY).await
}

async fn decision_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    s: &Session,
    id: String,
    flash: Flash,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let q = web::Query::<DiffQuery>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let cq = web::Query::<handling::CommentQuery>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let st = state.clone();
    let principal = s.principal.clone();
    let query = req.query_string().to_string();
    let (key, data) = web::block(move || -> Result<(Option<String>, std::sync::Arc<Value>), PageError> {
        let mut conn = st.db.read.get()?;
        // Kept by all it shows (issue 11): the decision's version and the day, the user's roles
        // (the forms offered), the query (diff, pages), the expert registry's last change and
        // the hearing applications (neither is an event of the decision).
        let version = crate::service::listing::readable_version(&mut conn, &principal, &id)?;
        let key = format!(
            "decision|{id}|{version}|{}|{}|{}|{query}|{:?}|{}",
            crate::procedure::state::china_date(st.clock.now()),
            principal.user.id,
            principal.roles_key(),
            crate::db::registry::stamp(&mut conn)?,
            crate::db::hearings::applications_count(&mut conn, &id)?
        );
        if let Some(data) = st.caches.decision_pages.get(&key) {
            return Ok((Some(key), data));
        }
        let r = service::readable(&mut conn, &principal, &id)?;
        let row = &r.row;
        let drafts = db::drafts_of(&mut conn, &row.id)?;
        let adjusts = service::adjusted_by(&mut conn, &row.id)?;
        let after = q.events_after.unwrap_or(0).max(0);
        let events = db::events_page(&mut conn, &row.id, after, EVENTS_PAGE)?;
        let events_next = events
            .last()
            .filter(|_| events.len() == EVENTS_PAGE as usize)
            .map(|e| e.seq);
        let pack = pack_of(&engine(&st), row)?;
        let d = parse_state(row)?;
        let now = st.clock.now();
        let v = view(pack, &st.calendar, row, &d, &drafts, &adjusts, now);
        let svg = graph::svg(pack, &d, &v.next);
        // The diff: the two numbers asked for, else the last two versions.
        let last = drafts.last().map(|x| x.number);
        let to = q.to.or(last);
        let from = q.from.or(to.map(|t| t - 1)).filter(|f| *f >= 1);
        let diff = match (from, to) {
            (Some(f), Some(t)) => {
                let a = db::draft(&mut conn, &row.id, f)?;
                let b = db::draft(&mut conn, &row.id, t)?;
                match (a, b) {
                    (Some(a), Some(b)) => Some(json!({ "from": f, "to": t,
                        "lines": diff::lines(&a.content, &b.content) })),
                    _ => None,
                }
            }
            _ => None,
        };
        let current = match last {
            Some(n) => db::draft(&mut conn, &row.id, n)?.map(|x| x.content),
            None => None,
        };
        let parties = r.parties();
        let may = |c: &Command| access::actor(&principal, &parties, c).is_ok();
        let steps: Vec<Value> = v
            .next
            .iter()
            .filter_map(|n| {
                let stage = StageId::new(n.stage.as_str());
                let c = if n.action == "start" {
                    Command::StartStage { stage }
                } else {
                    Command::CompleteStage { stage }
                };
                may(&c).then(|| {
                    json!({ "stage": n.stage, "action": n.action,
                        "label": format!("{}{}", if n.action == "start" { "开始：" } else { "完成：" },
                            pack.stage(n.stage.as_str()).map(|x| x.name.zh.clone()).unwrap_or_default()),
                        "blocked_by": n.blocked_by, "required": n.required })
                })
            })
            .collect();
        let open = |f: &Fact| match fact_stage(pack, f) {
            Some(stage) => d.status(stage) == StageStatus::InProgress,
            None => true,
        };
        let fact_forms: Vec<Value> = forms::fact_forms()
            .iter()
            .filter_map(|(form, sample)| {
                let fact = sample.as_ref()?;
                if matches!(fact, Fact::Draft { .. } | Fact::CommentsReceived { .. }) {
                    return None;
                }
                let c = Command::Record { fact: fact.clone() };
                (open(fact) && may(&c)).then(|| json!(form))
            })
            .collect();
        // Comment handling (第十八条): the comments not yet handled, each with its own form and
        // a group form; both give the same facts as the generated forms.
        let dispose = Command::Record {
            fact: Fact::CommentDisposed {
                comment_id: String::new(),
                disposition: Disposition::Adopted,
                reason: String::new(),
            },
        };
        let handling =
            may(&dispose) && d.status(stage::PUBLIC_PARTICIPATION) == StageStatus::InProgress;
        let comments = if handling {
            Some(handling::list(&mut conn, &row.id, &cq)?)
        } else {
            None
        };
        let draw = draw_panel(&mut conn, row, &d, &may)?;
        // The registries usable for this decision (its organ's and those above it), as the
        // API's `GET /api/v1/experts?decision_id=` lists them, while experts are chosen.
        let choosing = d.status(stage::EXPERT_REVIEW) == StageStatus::InProgress;
        let experts: Vec<Value> = if choosing {
            let registries = crate::db::accounts::organ_and_parents(&mut conn, &row.organ_id)?;
            crate::db::registry::search_experts(&mut conn, &registries, None, true, None, 200)?
                .into_iter()
                .map(|e| {
                    let fields: Vec<String> = serde_json::from_str(&e.fields).unwrap_or_default();
                    json!({ "id": e.id, "name": e.name, "organisation": e.organisation,
                        "fields": fields.join("、") })
                })
                .collect()
        } else {
            Vec::new()
        };
        let draft_sample = Command::Record {
            fact: Fact::Draft {
                hash: DraftHash::of(""),
                legal_basis: Vec::new(),
                options: Vec::new(),
            },
        };
        let may_draft = may(&draft_sample) && d.status("drafting") == StageStatus::InProgress;
        let events: Vec<Value> = events
            .iter()
            .map(|e| {
                json!({ "seq": e.seq, "at": crate::api::common::rfc3339(e.at), "command": e.command,
                    "role": e.actor_role, "hash": e.hash, "prev_hash": e.prev_hash })
            })
            .collect();
        let legend: Vec<Value> = ["done", "in_progress", "required", "blocked", "not_required", "waived"]
            .iter()
            .map(|c| json!({ "class": c, "name": graph::class_zh(c) }))
            .collect();
        let execution = d
            .adopted()
            .then(|| super::timeline::execution_panel(pack, &st.calendar, &d, now));
        let data = json!({
            "execution": execution,
            "view": v, "svg": svg, "legend": legend, "diff": diff, "current": current,
            "steps": steps, "fact_forms": fact_forms,
            "comments": comments, "draw": draw,
            "experts": experts, "may_draft": may_draft, "events": events,
            "events_next": events_next, "events_paged": after > 0, "id": row.id,
            "status_zh": status_zh(&row.status),
        });
        if row.version != version {
            return Ok((None, std::sync::Arc::new(data)));
        }
        Ok((Some(key.clone()), st.caches.decision_pages.put(key, data)))
    })
    .await??;
    let token = security::console_token(&s.token);
    // The page as first rendered, with the CSRF token written in (a form sent back with what
    // was wrong is rendered each time).
    let plain = flash.violations.is_empty() && flash.error.is_none() && status == StatusCode::OK;
    let key = key.filter(|_| plain);
    if let Some(kept) = key.as_ref().and_then(|k| state.caches.pages.get(k)) {
        return Ok(html(status, render::fill(&kept, &[("csrf", &token)])));
    }
    let csrf = match key {
        Some(_) => render::hole("csrf"),
        None => token.clone(),
    };
    let mut data = Value::clone(&data);
    let title = data["view"]["title"].as_str().unwrap_or("决策").to_string();
    data["csrf"] = json!(csrf);
    data["violations"] = json!(flash.violations);
    data["error"] = json!(flash.error);
    let mut chrome = s.chrome();
    chrome.csrf = Some(csrf);
    let body = page("decision", &title, &chrome, &data)?;
    Ok(html(
        status,
        match key {
            Some(k) => render::fill(&state.caches.pages.put(k, body), &[("csrf", &token)]),
            None => body,
        },
    ))
}

/// `GET /console/decisions/{id}`
pub async fn decision(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    decision_page(
        &state,
        &req,
        &s,
        id.into_inner(),
        Flash::default(),
        StatusCode::OK,
    )
    .await
}

/// The hearing draw (第十六条第三款), when the user may record the participants and the round's
/// applications wait for it: the applicants counted per interest group (no contacts here).
fn draw_panel(
    conn: &mut crate::db::DbConn,
    row: &crate::db::rows::DecisionRow,
    d: &crate::procedure::Decision,
    may: &dyn Fn(&Command) -> bool,
) -> Result<Option<Value>, PageError> {
    let probe = Command::Record {
        fact: Fact::HearingParticipants {
            participants: Vec::new(),
            selection_seed: None,
        },
    };
    let Some(round) = crate::procedure::selection::round(d).filter(|r| r.in_progress) else {
        return Ok(None);
    };
    if !may(&probe)
        || crate::db::hearings::hearing_selection(conn, &row.id, round.number)?.is_some()
    {
        return Ok(None);
    }
    let mut groups: std::collections::BTreeMap<String, u32> = std::collections::BTreeMap::new();
    for a in crate::db::hearings::hearing_applications_of(conn, &row.id, round.number)? {
        *groups.entry(a.interest_group).or_insert(0) += 1;
    }
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(g, n)| json!({ "group": g, "applicants": n }))
        .collect();
    Ok(Some(json!({ "round": round.number, "groups": groups })))
}

/// `POST /console/decisions/{id}/hearing/draw` — the draw with a seed the server generates,
/// through `service::hearings::draw` as `POST /api/v1/decisions/{id}/hearing/selection`.
pub async fn draw(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let form = security::console_form(payload, 64 * 1024, &s.token).await?;
    let id = id.into_inner();
    let mut seats = std::collections::BTreeMap::new();
    let mut error = None;
    for (k, v) in &form {
        let Some(group) = k.strip_prefix("seats.") else {
            continue;
        };
        match v.trim().parse::<u32>() {
            Ok(0) | Err(_) if v.trim().is_empty() || v.trim() == "0" => {}
            Ok(n) if (1..=1000).contains(&n) => {
                seats.insert(group.to_string(), n);
            }
            _ => {
                error = Some(format!(
                    "seats.{group}: 名额应为 1 至 1000 / between 1 and 1000"
                ))
            }
        }
    }
    if seats.is_empty() && error.is_none() {
        error =
            Some("seats: 请至少为一个利益群体填写名额 / give at least one group's seats".into());
    }
    let expected = expected_version(&form);
    let (expected, error) = match (expected, error) {
        (Ok(e), None) => (e, None),
        (Err(m), _) | (_, Some(m)) => (0, Some(m)),
    };
    if let Some(m) = error {
        return form_refused(&state, &req, &s, id, m).await;
    }
    let st = state.clone();
    let principal = s.principal.clone();
    let did = id.clone();
    let result = web::block(move || {
        let mut conn = st.db.write.get()?;
        crate::service::hearings::draw(
            &mut conn,
            &engine(&st),
            &principal,
            &did,
            expected,
            &seats,
            st.clock.now(),
        )
    })
    .await?;
    answer(&state, &req, &s, id, result.map(|_| ())).await
}

/// After a command: the decision page (post/redirect/get), or the page with the engine's
/// refusal or what was wrong.
async fn answer(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    s: &Session,
    id: String,
    result: Result<(), ServiceError>,
) -> Result<HttpResponse, PageError> {
    let (flash, status) = match result {
        Ok(()) => return Ok(see_other(&format!("/console/decisions/{id}"))),
        Err(ServiceError::Refused(v)) => (
            Flash {
                violations: v,
                ..Flash::default()
            },
            StatusCode::CONFLICT,
        ),
        Err(ServiceError::Stale { actual, .. }) => (
            Flash {
                error: Some(format!(
                    "决策已被他人更新（现为第 {actual} 版），请核对后重新提交。"
                )),
                ..Flash::default()
            },
            StatusCode::CONFLICT,
        ),
        Err(ServiceError::Invalid(m)) => (
            Flash {
                error: Some(zh(&m, render::INVALID)),
                ..Flash::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(ServiceError::Forbidden(m)) => (
            Flash {
                error: Some(zh(&m, render::FORBIDDEN)),
                ..Flash::default()
            },
            StatusCode::FORBIDDEN,
        ),
        Err(other) => return Err(other.into()),
    };
    decision_page(state, req, s, id, flash, status).await
}

/// Give `command` through the one door, as `POST /api/v1/decisions/{id}/commands` does; the
/// result is the decision page (post/redirect/get), or the page with the engine's refusal.
async fn give(
    state: web::Data<AppState>,
    req: HttpRequest,
    s: Session,
    id: String,
    expected: Result<i64, String>,
    command: Result<Command, String>,
    content: Option<String>,
) -> Result<HttpResponse, PageError> {
    let (expected, command) = match (expected, command) {
        (Ok(e), Ok(c)) => (e, c),
        (Err(m), _) | (_, Err(m)) => return form_refused(&state, &req, &s, id, m).await,
    };
    let result = state
        .writer
        .submit(Order {
            who: s.principal.clone(),
            decision_id: id.clone(),
            expected_version: expected,
            command,
            draft_content: content,
            packs: state.packs.clone(),
            calendar: state.calendar.clone(),
        })
        .await;
    answer(&state, &req, &s, id, result.map(|_| ())).await
}

fn expected_version(form: &[(String, String)]) -> Result<i64, String> {
    field(form, "expected_version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| "expected_version: 缺少版本号 / missing".to_string())
}

/// `POST /console/decisions/{id}/commands` — a stage step or a fact, from its generated form.
pub async fn command(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let form = security::console_form(payload, CONSOLE_FORM_BYTES, &s.token).await?;
    let stage = || StageId::new(field(&form, "stage").unwrap_or_default());
    let command = match field(&form, "kind") {
        Some("start") => Ok(Command::StartStage { stage: stage() }),
        Some("complete") => Ok(Command::CompleteStage { stage: stage() }),
        Some("fact") => match field(&form, "fact_type") {
            Some("draft") | Some("comments_received") | None => {
                Err("fact_type: 此类事实不能在此记录 / not recorded here".to_string())
            }
            Some(kind) => forms::command(kind, &form),
        },
        _ => Err("kind: 未知的操作 / unknown command".to_string()),
    };
    let expected = expected_version(&form);
    give(state, req, s, id.into_inner(), expected, command, None).await
}

/// `POST /console/decisions/{id}/drafts` — a new draft version with its text, as
/// `POST /api/v1/decisions/{id}/drafts` records it.
pub async fn draft(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let form = security::console_form(payload, CONSOLE_FORM_BYTES, &s.token).await?;
    let content = field(&form, "content")
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let lines = |k: &str| -> Vec<String> {
        field(&form, k)
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let command = if content.trim().is_empty() {
        Err("content: 草案内容不能为空 / the draft is empty".to_string())
    } else if content.len() > crate::api::limits::DRAFT_BYTES {
        Err("content: 草案过大 / too large".to_string())
    } else {
        Ok(Command::Record {
            fact: Fact::Draft {
                hash: DraftHash::of(&content),
                legal_basis: lines("legal_basis"),
                options: lines("options"),
            },
        })
    };
    let expected = expected_version(&form);
    give(
        state,
        req,
        s,
        id.into_inner(),
        expected,
        command,
        Some(content),
    )
    .await
}
