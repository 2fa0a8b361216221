//! Deadlines (issue 12): the open deadlines of the decisions the caller may read — due soon
//! (within three working days) and overdue, or all due by a day — each with the organ and role
//! that must act and its legal basis.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::auth::{authenticate, Bearer};
use super::common::engine;
use super::error::ApiError;
use crate::app::AppState;
use crate::service::deadlines::{self as service, Filter, Item};

/// `GET /api/v1/deadlines`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Query {
    /// Only the deadlines this organ must act on.
    #[serde(default)]
    pub organ: Option<String>,
    /// Every open deadline due on or before this day (YYYY-MM-DD); default: those due soon or
    /// overdue.
    #[serde(default)]
    pub due_before: Option<String>,
}

/// One open deadline.
#[derive(Serialize, schemars::JsonSchema)]
pub struct DeadlineView {
    /// The decision (none: the owner organ's annual catalog).
    pub decision_id: Option<String>,
    /// Its title (or the catalog's).
    pub title: String,
    /// What is due: comment_period, hearing_materials, legality_review, archiving, execution,
    /// catalog_publication.
    pub deadline: String,
    /// 中文说明.
    pub what_zh: String,
    /// The stage it belongs to.
    pub stage: String,
    /// The last day (YYYY-MM-DD, China time).
    pub due_on: String,
    /// due_soon, overdue or upcoming.
    pub standing: String,
    /// Working days left after today up to the due day (0 when overdue).
    pub working_days_left: u32,
    /// Which of the decision's organs must act: decision_organ, lead_unit, legality_unit.
    pub owner: String,
    /// That organ.
    pub owner_organ_id: String,
    /// Its name.
    pub owner_organ_name: String,
    /// The role there that must act.
    pub role: String,
    /// The legal basis.
    pub basis: String,
}

/// The API's view of a deadline.
pub fn view(i: Item) -> DeadlineView {
    DeadlineView {
        decision_id: i.decision_id,
        title: i.title,
        deadline: i.deadline.key.into(),
        what_zh: i.deadline.what_zh.into(),
        stage: i.deadline.stage.into(),
        due_on: i.deadline.due_on.to_string(),
        standing: i.standing.name().into(),
        working_days_left: i.working_days_left,
        owner: i.deadline.owner.name().into(),
        owner_organ_id: i.owner_organ_id,
        owner_organ_name: i.owner_organ_name,
        role: i.deadline.role.into(),
        basis: i.deadline.basis,
    }
}

/// The filter of a query (400 naming a bad day).
pub fn filter(organ: Option<String>, due_before: Option<&str>) -> Result<Filter, ApiError> {
    let due_before = match due_before.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            ApiError::BadRequest(format!(
                "due_before: \"{s}\" is not a day (YYYY-MM-DD) / 日期格式应为 YYYY-MM-DD"
            ))
        })?),
    };
    Ok(Filter {
        organ: organ.filter(|o| !o.trim().is_empty()),
        due_before,
    })
}

/// `GET /api/v1/deadlines?organ=&due_before=`
pub async fn list(
    state: web::Data<AppState>,
    bearer: Bearer,
    q: web::Query<Query>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let f = filter(q.organ, q.due_before.as_deref())?;
    let st = state.clone();
    let items = web::block(move || -> Result<Vec<Item>, ApiError> {
        let mut conn = st.db.read.get()?;
        let auth = authenticate(&st, &bearer)?;
        Ok(service::list(
            &mut conn,
            &engine(&st),
            &auth,
            &f,
            st.clock.now(),
        )?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(items.into_iter().map(view).collect::<Vec<_>>()))
}
