//! 听证 (第十六条、第十七条) seen from outside the engine: applications from the public while a
//! hearing notice is published (no login, size-limited, stored once per idempotency key); the
//! random draw of participants per interest group with a server-generated seed
//! ([`crate::procedure::selection`]), recorded as the `hearing_participants` fact through the
//! engine; and the public page of the hearing — notice, selection method, applicants, seed and
//! participant list — so anyone can re-run the draw.

use std::collections::BTreeMap;

use actix_web::http::header::{HeaderMap, CONTENT_TYPE};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use diesel::Connection;
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::auth::{authenticate, Bearer};
use super::common::{actor_on, pack_of, parse_state, readable_decision, rfc3339, text};
use super::error::ApiError;
use crate::app::AppState;
use crate::db::rows::{DecisionRow, HearingApplication, HearingSelection};
use crate::db::store::{self, StoreError};
use crate::db::DbConn;
use crate::procedure::selection::{self, Applicant};
use crate::procedure::state::{
    china_date, stage, Command, Decision, Fact, HearingParticipant, StageId, StageStatus,
};
use crate::procedure::violation::law;
use crate::procedure::Violation;

/// The largest application body accepted, in bytes.
pub const MAX_APPLICATION: usize = 16 * 1024;
/// The largest draw request accepted, in bytes.
pub const MAX_SELECTION: usize = 64 * 1024;
/// The header that makes a retried request count once.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Limits of an application's fields, in characters.
const MAX_NAME: usize = 100;
const MAX_CONTACT: usize = 200;
const MAX_GROUP: usize = 100;
const MAX_STATEMENT: usize = 5000;
const MAX_KEY: usize = 200;

/// `POST /api/v1/public/decisions/{id}/hearing/applications`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationBody {
    name: String,
    contact: String,
    interest_group: String,
    statement: String,
    /// Self-declared; packs that bar civil servants refuse the application.
    #[serde(default)]
    civil_servant: bool,
}

/// `POST /api/v1/decisions/{id}/hearing/selection`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectionBody {
    expected_version: i64,
    /// Seats per interest group.
    seats: BTreeMap<String, u32>,
}

/// Read a JSON body of at most `limit` bytes: 413 over it, 400 malformed, 422 wrong fields.
pub async fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    payload: web::Payload,
    limit: usize,
) -> Result<T, ApiError> {
    let json_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !json_type {
        return Err(ApiError::BadRequest(
            "the body must be JSON (Content-Type: application/json)".into(),
        ));
    }
    let bytes = payload
        .to_bytes_limited(limit)
        .await
        .map_err(|_| ApiError::TooLarge(limit))?
        .map_err(|e| ApiError::BadRequest(format!("cannot read the body: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        if e.is_data() {
            let field = culprit::<T>(&bytes).map_or_else(String::new, |f| format!("{f}: "));
            ApiError::Unprocessable(format!("{field}invalid field: {e}"))
        } else {
            ApiError::BadRequest(format!("malformed JSON: {e}"))
        }
    })
}

/// The top-level member whose value `T` cannot take: the one whose removal leaves the body
/// merely missing it. serde's type errors give a position, not a name.
fn culprit<T: DeserializeOwned>(bytes: &[u8]) -> Option<String> {
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(bytes) else {
        return None;
    };
    obj.keys().find_map(|k| {
        let mut without = obj.clone();
        without.remove(k);
        match serde_json::from_value::<T>(Value::Object(without)) {
            Ok(_) => Some(k.clone()),
            Err(e) if e.to_string().starts_with(&format!("missing field `{k}`")) => Some(k.clone()),
            Err(_) => None,
        }
    })
}

/// The `Idempotency-Key` header: `Ok(None)` when absent, 400 when unusable.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= MAX_KEY && k.chars().all(|c| c.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "Idempotency-Key: 1 to {MAX_KEY} visible ASCII characters"
            ))
        })?;
    Ok(Some(key.to_string()))
}

/// The hearing of the current round as the record shows it.
struct Round {
    number: i32,
    in_progress: bool,
    hearing_on: NaiveDate,
    place: String,
    selection_method: String,
    participants: Option<(Vec<HearingParticipant>, Option<String>)>,
}

/// The current hearing round, if its notice is published.
fn round(decision: &Decision) -> Option<Round> {
    let rec = decision.stage(stage::HEARING);
    let mut out: Option<Round> = None;
    for d in decision.round_facts(stage::HEARING) {
        match &d.fact {
            Fact::HearingNotice {
                hearing_on,
                place,
                selection_method,
            } => {
                out = Some(Round {
                    number: i32::try_from(rec.rounds).unwrap_or(i32::MAX),
                    in_progress: rec.status == StageStatus::InProgress,
                    hearing_on: *hearing_on,
                    place: place.clone(),
                    selection_method: selection_method.clone(),
                    participants: None,
                })
            }
            Fact::HearingParticipants {
                participants,
                selection_seed,
            } => {
                if let Some(r) = out.as_mut() {
                    r.participants = Some((participants.clone(), selection_seed.clone()));
                }
            }
            _ => {}
        }
    }
    out
}

/// Why applications are not taken now, if they are not (第十六条第三款: the list is chosen from
/// those who applied while the notice stood, before it is published).
fn closed(r: &Round, today: NaiveDate) -> Option<Violation> {
    let reason = if !r.in_progress {
        Some(("听证环节不在进行中", "the hearing stage is not in progress"))
    } else if r.participants.is_some() {
        Some((
            "听证参加人名单已经确定",
            "the participant list has already been chosen",
        ))
    } else if today >= r.hearing_on {
        Some(("听证会日期已到", "the day of the hearing has come"))
    } else {
        None
    };
    reason.map(|(zh, en)| {
        Violation::new(
            "hearing.applications_closed",
            law("第十六条第三款"),
            format!("听证报名已截止：{zh}"),
            format!("applications are closed: {en}"),
        )
    })
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("hearing of decision {id}"))
}

/// A decision with a published hearing notice (404 otherwise: a decision without one is not
/// public business).
fn public_hearing(conn: &mut DbConn, id: &str) -> Result<(DecisionRow, Decision, Round), ApiError> {
    let row = store::decision(conn, id)?.ok_or_else(|| not_found(id))?;
    let decision = parse_state(&row)?;
    let r = round(&decision).ok_or_else(|| not_found(id))?;
    Ok((row, decision, r))
}

/// What an applicant and the public may see of an application (never the contact or statement).
fn public_application(a: &HearingApplication) -> Value {
    json!({ "id": a.id, "interest_group": a.interest_group, "applied_at": rfc3339(a.created_at) })
}

/// `POST /api/v1/public/decisions/{id}/hearing/applications` — no login.
pub async fn apply(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(req.headers())?.ok_or_else(|| {
        ApiError::BadRequest(
            "Idempotency-Key: required, so that a retried application is stored once".into(),
        )
    })?;
    let body: ApplicationBody = json_body(req.headers(), payload, MAX_APPLICATION).await?;
    // The same per-address limit as the comment form: only the address's hash is kept.
    let address_hash = super::common::sender_hash(&state, &req, "hearing");
    if !state.comment_throttle.hit(&address_hash) {
        return Err(ApiError::TooManyRequests(
            "too many applications from this address; try again in a minute / 提交过于频繁，请稍后再试".into(),
        ));
    }
    let name = text("name", &body.name, MAX_NAME)?;
    let contact = text("contact", &body.contact, MAX_CONTACT)?;
    let interest_group = text("interest_group", &body.interest_group, MAX_GROUP)?;
    let statement = text("statement", &body.statement, MAX_STATEMENT)?;
    let request_hash = hex::encode(Sha256::digest(
        json!([name, contact, interest_group, statement, body.civil_servant])
            .to_string()
            .as_bytes(),
    ));
    let id = id.into_inner();
    let st = state.clone();
    let (stored, new) = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.write.get()?;
        let same_key = |a: &HearingApplication| {
            if a.request_hash == request_hash {
                Ok(a.clone())
            } else {
                Err(ApiError::Unprocessable(
                    "Idempotency-Key: already used for a different application".into(),
                ))
            }
        };
        if let Some(existing) = store::hearing_application_by_key(&mut conn, &id, &key)? {
            return Ok((same_key(&existing)?, false));
        }
        let (row, _, r) = public_hearing(&mut conn, &id)?;
        let now = st.clock.now();
        if let Some(v) = closed(&r, china_date(now)) {
            return Err(ApiError::Refused(vec![v.at(&StageId::new(stage::HEARING))]));
        }
        let pack = pack_of(&st, &row)?;
        let bar = &pack.parameters.hearing_bars_civil_servants;
        if bar.value && body.civil_servant {
            return Err(ApiError::Refused(vec![Violation::new(
                "hearing.civil_servant_applicant",
                bar.basis.clone(),
                "依本决策适用的规定，公务员不得作为听证参加人（civil_servant）",
                "under this decision's rules a civil servant may not be a hearing participant (civil_servant)",
            )
            .at(&StageId::new(stage::HEARING))]));
        }
        let application = HearingApplication {
            id: store::new_id(),
            decision_id: row.id.clone(),
            round: r.number,
            idempotency_key: key,
            request_hash: request_hash.clone(),
            name,
            contact,
            interest_group,
            statement,
            civil_servant: body.civil_servant,
            created_at: store::stored_time(now),
        };
        let (stored, new) = store::insert_hearing_application(&mut conn, &application)?;
        Ok((same_key(&stored)?, new))
    })
    .await??;
    let mut res = if new {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(res.json(json!({
        "id": stored.id,
        "decision_id": stored.decision_id,
        "interest_group": stored.interest_group,
        "applied_at": rfc3339(stored.created_at),
        "status": "received",
        "replayed": !new,
    })))
}

/// `GET /api/v1/public/decisions/{id}/hearing` — no login: the notice, how participants are
/// chosen, the applicants (id and group only), and after the draw its seed, seats and list.
pub async fn public(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let st = state.clone();
    let body = web::block(move || -> Result<Value, ApiError> {
        let mut conn = st.db.read.get()?;
        let (row, _, r) = public_hearing(&mut conn, &id)?;
        let applications = store::hearing_applications_of(&mut conn, &row.id, r.number)?;
        let draw = store::hearing_selection(&mut conn, &row.id, r.number)?;
        let today = china_date(st.clock.now());
        let open = closed(&r, today).is_none();
        let draw = match draw {
            None => Value::Null,
            Some(s) => selection_view(&s, &applications)?,
        };
        Ok(json!({
            "decision": { "id": row.id, "title": row.title, "organ_id": row.organ_id },
            "round": r.number,
            "hearing_on": r.hearing_on,
            "place": r.place,
            "selection_method": r.selection_method,
            "random_selection_method": { "zh": selection::METHOD_ZH, "en": selection::METHOD_EN },
            "applications_open": open,
            "applicants": applications.iter().map(public_application).collect::<Vec<_>>(),
            "selection": draw,
            "participants": r.participants.as_ref().map(|(ps, seed)| json!({
                "list": ps.iter().map(|p| json!({ "name": p.name, "interest_group": p.interest_group })).collect::<Vec<_>>(),
                "selection_seed": seed,
            })),
        }))
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}

/// A recorded draw as published: seed, seats, and the chosen applicants in order.
fn selection_view(
    s: &HearingSelection,
    applications: &[HearingApplication],
) -> Result<Value, ApiError> {
    let seats: Value = serde_json::from_str(&s.seats)
        .map_err(|e| ApiError::Internal(format!("stored seats unreadable: {e}")))?;
    let chosen: Vec<String> = serde_json::from_str(&s.chosen)
        .map_err(|e| ApiError::Internal(format!("stored draw unreadable: {e}")))?;
    let list: Vec<Value> = chosen
        .iter()
        .filter_map(|cid| applications.iter().find(|a| &a.id == cid))
        .map(|a| {
            json!({
                "applicant_id": a.id,
                "name": a.name,
                "interest_group": a.interest_group,
                "key": selection::key(&s.seed, &a.id),
            })
        })
        .collect();
    Ok(json!({
        "seed": s.seed,
        "seats": seats,
        "drawn_at": rfc3339(s.created_at),
        "event_seq": s.event_seq,
        "chosen": list,
    }))
}

/// Participant names as the record shows them; a name chosen twice is told apart by the start
/// of its application id, since later facts (materials, signatures) name participants.
fn participant_names(chosen: &[&HearingApplication]) -> Vec<String> {
    chosen
        .iter()
        .map(|a| {
            let twins = chosen.iter().filter(|b| b.name == a.name).count();
            if twins > 1 {
                format!("{}（{}）", a.name, a.id.get(..8).unwrap_or(&a.id))
            } else {
                a.name.clone()
            }
        })
        .collect()
}

/// `POST /api/v1/decisions/{id}/hearing/selection` — the undertaking unit draws the participants
/// with a server-generated seed; the list goes through the engine as `hearing_participants`.
pub async fn select(
    state: web::Data<AppState>,
    bearer: Bearer,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: SelectionBody = json_body(req.headers(), payload, MAX_SELECTION).await?;
    if body.seats.is_empty() {
        return Err(ApiError::Unprocessable(
            "seats: give the number of seats of at least one interest group".into(),
        ));
    }
    for (group, n) in &body.seats {
        if !(1..=1000).contains(n) {
            return Err(ApiError::Unprocessable(format!(
                "seats.{group}: between 1 and 1000"
            )));
        }
    }
    let id = id.into_inner();
    let st = state.clone();
    let out = web::block(move || -> Result<Value, ApiError> {
        let mut conn = st.db.write.get()?;
        let auth = authenticate(&mut conn, &bearer)?;
        let (row, legality_unit) = readable_decision(&mut conn, &auth, &id)?;
        let probe = Command::Record {
            fact: Fact::HearingParticipants {
                participants: Vec::new(),
                selection_seed: None,
            },
        };
        let actor = actor_on(&auth, &row, legality_unit.as_deref(), &probe)?;
        let decision = parse_state(&row)?;
        let r = round(&decision).ok_or_else(|| {
            ApiError::Refused(vec![Violation::new(
                "hearing.no_notice",
                law("第十六条第二款"),
                "听证会公告尚未发布",
                "the hearing has not been announced",
            )
            .at(&StageId::new(stage::HEARING))])
        })?;
        if r.participants.is_some()
            || store::hearing_selection(&mut conn, &row.id, r.number)?.is_some()
        {
            // One draw per round: drawing again until a list pleases would defeat the method.
            return Err(ApiError::Refused(vec![Violation::new(
                "hearing.selection_already_made",
                law("第十六条第三款"),
                "本轮听证参加人已经选定，不得重新抽取",
                "the participants of this round are already chosen; the draw may not be repeated",
            )
            .at(&StageId::new(stage::HEARING))]));
        }
        let applications = store::hearing_applications_of(&mut conn, &row.id, r.number)?;
        for group in body.seats.keys() {
            if !applications.iter().any(|a| &a.interest_group == group) {
                return Err(ApiError::Unprocessable(format!(
                    "seats.{group}: nobody applied for this interest group"
                )));
            }
        }
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let seed = hex::encode(bytes);
        let applicants: Vec<Applicant> = applications
            .iter()
            .map(|a| Applicant {
                id: a.id.clone(),
                interest_group: a.interest_group.clone(),
            })
            .collect();
        let drawn = selection::draw(&applicants, &body.seats, &seed);
        let chosen: Vec<&HearingApplication> = drawn
            .iter()
            .filter_map(|c| applications.iter().find(|a| a.id == c.id))
            .collect();
        let participants: Vec<HearingParticipant> = participant_names(&chosen)
            .into_iter()
            .zip(&chosen)
            .map(|(name, a)| HearingParticipant {
                name,
                interest_group: a.interest_group.clone(),
                civil_servant: a.civil_servant,
            })
            .collect();
        let command = Command::Record {
            fact: Fact::HearingParticipants {
                participants,
                selection_seed: Some(seed.clone()),
            },
        };
        let pack = pack_of(&st, &row)?;
        let now = st.clock.now();
        let seats =
            serde_json::to_string(&body.seats).map_err(|e| ApiError::Internal(e.to_string()))?;
        let chosen_ids = serde_json::to_string(&drawn.iter().map(|c| &c.id).collect::<Vec<_>>())
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let applied = conn.transaction(|conn| -> Result<_, StoreError> {
            let applied = store::append(
                conn,
                pack,
                &st.calendar,
                &row.id,
                body.expected_version,
                &command,
                &actor,
                now,
                None,
            )?;
            store::insert_hearing_selection(
                conn,
                &HearingSelection {
                    decision_id: row.id.clone(),
                    round: r.number,
                    seed: seed.clone(),
                    seats,
                    chosen: chosen_ids,
                    event_seq: applied.row.version,
                    created_by: auth.user.id.clone(),
                    created_at: store::stored_time(now),
                },
            )?;
            Ok(applied)
        })?;
        let selection = store::hearing_selection(&mut conn, &row.id, r.number)?
            .ok_or_else(|| ApiError::Internal("the draw just stored is gone".into()))?;
        let mut view = selection_view(&selection, &applications)?;
        view["decision_id"] = json!(row.id);
        view["version"] = json!(applied.row.version);
        view["round"] = json!(r.number);
        view["events"] = json!(applied.events);
        Ok(view)
    })
    .await??;
    Ok(HttpResponse::Created().json(out))
}

/// `GET /api/v1/decisions/{id}/hearing/applications` — every application of the current round
/// with contact and statement, for those who may read the decision (to deliver materials).
pub async fn applications(
    state: web::Data<AppState>,
    bearer: Bearer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let st = state.clone();
    let items = web::block(move || -> Result<Vec<Value>, ApiError> {
        let mut conn = st.db.read.get()?;
        let auth = authenticate(&mut conn, &bearer)?;
        let (row, _) = readable_decision(&mut conn, &auth, &id)?;
        let decision = parse_state(&row)?;
        let Some(r) = round(&decision) else {
            return Ok(Vec::new());
        };
        Ok(
            store::hearing_applications_of(&mut conn, &row.id, r.number)?
                .iter()
                .map(|a| {
                    json!({
                        "id": a.id, "round": a.round, "name": a.name, "contact": a.contact,
                        "interest_group": a.interest_group, "statement": a.statement,
                        "civil_servant": a.civil_servant, "applied_at": rfc3339(a.created_at),
                    })
                })
                .collect(),
        )
    })
    .await??;
    Ok(HttpResponse::Ok().json(items))
}
