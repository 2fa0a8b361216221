//! 听证 (第十六条、第十七条) seen from outside the engine: applications from the public while a
//! hearing notice is published (no login, size-limited, stored once per idempotency key); the
//! random draw of participants per interest group with a server-generated seed
//! ([`crate::procedure::selection`]), recorded as the `hearing_participants` fact through the
//! engine; and the public page of the hearing — notice, selection method, applicants, seed and
//! participant list — so anyone can re-run the draw.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::auth::{authenticate, Bearer};
use super::common::{engine, rfc3339, text};
use super::error::ApiError;
use super::extract::{idempotency_key, json_body};
use crate::app::AppState;
use crate::db::hearings as db;
use crate::db::rows::{HearingApplication, HearingSelection};
use crate::procedure::selection;
use crate::procedure::state::china_date;
use crate::procedure::Event;
use crate::service::hearings::{self, NewApplication};
use crate::service::personal_data::{self, REDACTED};

/// The largest application body accepted, in bytes.
pub const MAX_APPLICATION: usize = limits::SMALL_BODY;
/// The largest draw request accepted, in bytes.
pub const MAX_SELECTION: usize = limits::SELECTION_BODY;

/// Limits of an application's fields, in characters.
use super::limits::{
    self, CONTACT as MAX_CONTACT, GROUP as MAX_GROUP, NAME as MAX_NAME, TEXT as MAX_STATEMENT,
};

/// `POST /api/v1/public/decisions/{id}/hearing/applications`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationBody {
    /// The applicant's name.
    pub name: String,
    /// The applicant's contact.
    pub contact: String,
    /// The interest group applied for.
    pub interest_group: String,
    /// Why the applicant wants to take part.
    pub statement: String,
    /// Self-declared; packs that bar civil servants refuse the application.
    #[serde(default)]
    pub civil_servant: bool,
}

/// `POST /api/v1/decisions/{id}/hearing/selection`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectionBody {
    expected_version: i64,
    /// Seats per interest group.
    seats: BTreeMap<String, u32>,
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("hearing of decision {id}"))
}

/// The receipt of a hearing application.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ApplicationReceipt {
    /// The application's id (the public list and the draw name applicants by it).
    pub id: String,
    /// The decision.
    pub decision_id: String,
    /// The interest group applied for.
    pub interest_group: String,
    /// When it was received (RFC 3339).
    pub applied_at: String,
    /// Where it stands: received.
    pub status: ApplicationStatus,
    /// Whether this answers a retry with the same `Idempotency-Key` (stored once, earlier).
    pub replayed: bool,
}

/// Where an application stands once stored.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Received and stored; the draw decides who takes part.
    Received,
}

/// What an applicant and the public may see of an application (never the contact or statement).
#[derive(Serialize, schemars::JsonSchema)]
pub struct PublicApplication {
    /// The application's id.
    pub id: String,
    /// The interest group applied for.
    pub interest_group: String,
    /// When it was received (RFC 3339).
    pub applied_at: String,
}

fn public_application(a: &HearingApplication) -> PublicApplication {
    PublicApplication {
        id: a.id.clone(),
        interest_group: a.interest_group.clone(),
        applied_at: rfc3339(a.created_at),
    }
}

/// A decision as its hearing page names it.
#[derive(Serialize, schemars::JsonSchema)]
pub struct HeardDecision {
    /// The decision's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The decision organ.
    pub organ_id: String,
}

/// The published rule of the random draw.
#[derive(Serialize, schemars::JsonSchema)]
pub struct DrawMethod {
    /// In Chinese.
    pub zh: &'static str,
    /// In English.
    pub en: &'static str,
}

/// How a participant came to take part (第十六条第三款).
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChosenBy {
    /// Invited, with the reason recorded.
    Invitation,
    /// Drawn by the published draw.
    Draw,
    /// An applicant chosen without a draw.
    Application,
}

/// A hearing participant as published.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ParticipantView {
    /// Name.
    pub name: String,
    /// The interest group represented.
    pub interest_group: String,
    /// How the participant was chosen.
    pub chosen_by: ChosenBy,
    /// Why an invited participant was invited (none for the others).
    pub invitation_reason: Option<String>,
}

/// The participant list as recorded.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ParticipantsView {
    /// The participants.
    pub list: Vec<ParticipantView>,
    /// The seed of the draw that chose them, if they were drawn.
    pub selection_seed: Option<String>,
}

/// The public page of a hearing.
#[derive(Serialize, schemars::JsonSchema)]
pub struct PublicHearing {
    /// The decision heard.
    pub decision: HeardDecision,
    /// The hearing round (the times the hearing stage was entered).
    pub round: i32,
    /// The announced date.
    pub hearing_on: NaiveDate,
    /// The announced place.
    pub place: String,
    /// The announced selection method.
    pub selection_method: String,
    /// The draft published with the notice (第十六条第二款).
    pub draft: Option<PublishedDraft>,
    /// The explanation of the draft published with it.
    pub explanation: Option<String>,
    /// The rule of the random draw, so anyone can re-run it.
    pub random_selection_method: DrawMethod,
    /// Whether applications are taken now.
    pub applications_open: bool,
    /// The round's applicants (id and group only).
    pub applicants: Vec<PublicApplication>,
    /// The draw, once made.
    pub selection: Option<SelectionView>,
    /// The participant list, once recorded.
    pub participants: Option<ParticipantsView>,
}

/// A draft as published with a notice.
#[derive(Serialize, schemars::JsonSchema)]
pub struct PublishedDraft {
    /// Its version number.
    pub number: i32,
    /// SHA-256 of its text.
    pub hash: String,
    /// The text.
    pub content: String,
}

/// An applicant chosen by the draw.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ChosenView {
    /// The application's id.
    pub applicant_id: String,
    /// The applicant's name.
    pub name: String,
    /// The interest group.
    pub interest_group: String,
    /// The draw key: lowercase hex SHA-256 of seed + `\n` + applicant id (ascending wins).
    pub key: String,
}

/// A recorded draw as published: seed, seats, and the chosen applicants in order.
#[derive(Serialize, schemars::JsonSchema)]
pub struct SelectionView {
    /// The seed the server generated at the draw.
    pub seed: String,
    /// Seats per interest group.
    pub seats: BTreeMap<String, u32>,
    /// When it was drawn (RFC 3339).
    pub drawn_at: String,
    /// The sequence number of the record's event that holds the participant list.
    pub event_seq: i64,
    /// The chosen applicants, group by group, in draw order.
    pub chosen: Vec<ChosenView>,
}

/// A draw just made (`POST …/hearing/selection`).
#[derive(Serialize, schemars::JsonSchema)]
pub struct DrawView {
    /// The draw.
    #[serde(flatten)]
    pub selection: SelectionView,
    /// The decision.
    pub decision_id: String,
    /// The decision's version after it.
    pub version: i64,
    /// The hearing round.
    pub round: i32,
    /// The events the engine appended (`hearing_participants`).
    pub events: Vec<Event>,
}

/// A hearing application as those who may read the decision see it; the contact is redacted
/// for those it is not shown to.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ApplicationView {
    /// The application's id.
    pub id: String,
    /// The hearing round.
    pub round: i32,
    /// The applicant's name.
    pub name: String,
    /// The applicant's contact, or `（已隐去 / redacted）`.
    pub contact: String,
    /// Whether the contact is redacted for the caller.
    pub contact_redacted: bool,
    /// The interest group applied for.
    pub interest_group: String,
    /// The applicant's statement.
    pub statement: String,
    /// Self-declared civil servant.
    pub civil_servant: bool,
    /// When it was received (RFC 3339).
    pub applied_at: String,
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
    let (stored, new) = receive_application(&state, &req, id.into_inner(), key, body).await?;
    let mut res = if new {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(res.json(ApplicationReceipt {
        id: stored.id,
        decision_id: stored.decision_id,
        interest_group: stored.interest_group,
        applied_at: rfc3339(stored.created_at),
        status: ApplicationStatus::Received,
        replayed: !new,
    }))
}

/// A hearing application through the checks every form shares (sizes, rate per address) into
/// the service: the API's application route and the portal's form alike. Returns the stored
/// application and whether it is new.
pub async fn receive_application(
    state: &AppState,
    req: &HttpRequest,
    id: String,
    key: String,
    body: ApplicationBody,
) -> Result<(HearingApplication, bool), ApiError> {
    // The same per-address limit as the comment form: only the address's hash is kept.
    let address_hash = super::common::sender_hash(state, req, "hearing");
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
    let st = state.clone();
    let new = NewApplication {
        name,
        contact,
        interest_group,
        statement,
        civil_servant: body.civil_servant,
        key,
        request_hash,
    };
    web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.write.get()?;
        Ok(hearings::apply(
            &mut conn,
            &engine(&st),
            &id,
            new,
            st.clock.now(),
        )?)
    })
    .await?
}

/// `GET /api/v1/public/decisions/{id}/hearing` — no login: the notice, how participants are
/// chosen, the applicants (id and group only), and after the draw its seed, seats and list.
pub async fn public(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let st = state.clone();
    let body = web::block(move || -> Result<PublicHearing, ApiError> {
        let mut conn = st.db.read.get()?;
        public_view(&mut conn, &id, st.clock.now())
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}

/// The public page of a hearing, as the API answers it and the portal shows it.
pub fn public_view(
    conn: &mut crate::db::DbConn,
    id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PublicHearing, ApiError> {
    let (row, r) = hearings::public_round(conn, id)?.ok_or_else(|| not_found(id))?;
    let applications = db::hearing_applications_of(conn, &row.id, r.number)?;
    let draw = db::hearing_selection(conn, &row.id, r.number)?;
    let today = china_date(now);
    let open = selection::applications_closed(&r, today).is_none();
    let draw = draw
        .map(|s| selection_view(&s, &applications))
        .transpose()?;
    let number = r.draft.as_ref().and_then(|h| {
        crate::db::decisions::drafts_of(conn, &row.id)
            .ok()?
            .into_iter()
            .find(|d| d.hash == h.0)
            .map(|d| d.number)
    });
    let draft = match number {
        Some(n) => crate::db::decisions::draft(conn, &row.id, n)?.map(|d| PublishedDraft {
            number: d.number,
            hash: d.hash,
            content: d.content,
        }),
        None => None,
    };
    Ok(PublicHearing {
        draft,
        explanation: r.explanation.clone(),
        decision: HeardDecision {
            id: row.id,
            title: row.title,
            organ_id: row.organ_id,
        },
        round: r.number,
        hearing_on: r.hearing_on,
        place: r.place,
        selection_method: r.selection_method,
        random_selection_method: DrawMethod {
            zh: selection::METHOD_ZH,
            en: selection::METHOD_EN,
        },
        applications_open: open,
        applicants: applications.iter().map(public_application).collect(),
        selection: draw,
        participants: r.participants.map(|(ps, seed)| ParticipantsView {
            // How each came to take part: by the published draw, as an applicant chosen
            // without one, or invited with the reason recorded (第十六条第三款).
            list: ps
                .into_iter()
                .map(|p| ParticipantView {
                    chosen_by: match (&p.invitation_reason, &seed) {
                        (Some(_), _) => ChosenBy::Invitation,
                        (None, Some(_)) => ChosenBy::Draw,
                        (None, None) => ChosenBy::Application,
                    },
                    name: p.name,
                    interest_group: p.interest_group,
                    invitation_reason: p.invitation_reason,
                })
                .collect(),
            selection_seed: seed,
        }),
    })
}

/// A recorded draw as published: seed, seats, and the chosen applicants in order.
fn selection_view(
    s: &HearingSelection,
    applications: &[HearingApplication],
) -> Result<SelectionView, ApiError> {
    let seats: BTreeMap<String, u32> = serde_json::from_str(&s.seats)
        .map_err(|e| ApiError::Internal(format!("stored seats unreadable: {e}")))?;
    let chosen: Vec<String> = serde_json::from_str(&s.chosen)
        .map_err(|e| ApiError::Internal(format!("stored draw unreadable: {e}")))?;
    let chosen = chosen
        .iter()
        .filter_map(|cid| applications.iter().find(|a| &a.id == cid))
        .map(|a| ChosenView {
            applicant_id: a.id.clone(),
            name: a.name.clone(),
            interest_group: a.interest_group.clone(),
            key: selection::key(&s.seed, &a.id),
        })
        .collect();
    Ok(SelectionView {
        seed: s.seed.clone(),
        seats,
        drawn_at: rfc3339(s.created_at),
        event_seq: s.event_seq,
        chosen,
    })
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
    let out = web::block(move || -> Result<DrawView, ApiError> {
        let auth = authenticate(&st, &bearer)?;
        let mut conn = st.db.write.get()?;
        let d = hearings::draw(
            &mut conn,
            &engine(&st),
            &auth,
            &id,
            body.expected_version,
            &body.seats,
            st.clock.now(),
        )?;
        Ok(DrawView {
            selection: selection_view(&d.selection, &d.applications)?,
            decision_id: d.applied.row.id,
            version: d.applied.row.version,
            round: d.round,
            events: d.applied.events,
        })
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
    let items = web::block(move || -> Result<Vec<ApplicationView>, ApiError> {
        let auth = authenticate(&st, &bearer)?;
        let mut conn = st.db.write.get()?;
        let (applications, shown) =
            personal_data::hearing_applications(&mut conn, &auth, &id, st.clock.now())?;
        Ok(applications
            .iter()
            .map(|a| ApplicationView {
                id: a.id.clone(),
                round: a.round,
                name: a.name.clone(),
                contact: if shown {
                    a.contact.clone()
                } else {
                    REDACTED.to_string()
                },
                contact_redacted: !shown,
                interest_group: a.interest_group.clone(),
                statement: a.statement.clone(),
                civil_servant: a.civil_servant,
                applied_at: rfc3339(a.created_at),
            })
            .collect())
    })
    .await??;
    Ok(HttpResponse::Ok().json(items))
}
