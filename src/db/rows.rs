//! Row types: one struct per table, read and inserted as is (no JSON shaping here).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::*;

/// An organ (决策机关, department, legality review unit, party committee…).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organs)]
pub struct Organ {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub legality_unit_id: Option<String>,
    pub pack_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A user.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub created_at: NaiveDateTime,
}

/// A user's role in an organ.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_roles)]
pub struct UserRole {
    pub user_id: String,
    pub organ_id: String,
    pub role: String,
}

/// A bearer token (stored hashed).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// A catalog item (年度重大行政决策事项目录的一项).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = catalog_items)]
pub struct CatalogItem {
    pub id: String,
    pub organ_id: String,
    pub year: i32,
    pub title: String,
    pub undertaking_unit: String,
    pub category: String,
    pub procedures: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub catalog_id: Option<String>,
    pub number: i32,
}

/// A catalog (年度重大行政决策事项目录): pinned pack, current state (JSON snapshot of the fold over
/// its events), version.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = catalogs)]
pub struct CatalogRow {
    pub id: String,
    pub organ_id: String,
    pub year: i32,
    pub pack_id: String,
    pub pack_version: String,
    pub status: String,
    pub revision: i32,
    pub first_published_on: Option<String>,
    pub state: String,
    pub version: i64,
    pub head_hash: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A decision as a list shows it: without its state and attributes (issue 14: a list page
/// read every decision's whole snapshot).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = decisions)]
pub struct DecisionHead {
    pub id: String,
    pub organ_id: String,
    pub lead_unit_id: String,
    pub title: String,
    pub pack_id: String,
    pub pack_version: String,
    pub status: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A decision: pinned pack, current state (JSON snapshot of the fold over its events), version.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = decisions)]
pub struct DecisionRow {
    pub id: String,
    pub organ_id: String,
    pub lead_unit_id: String,
    pub catalog_item_id: Option<String>,
    pub title: String,
    pub pack_id: String,
    pub pack_version: String,
    pub status: String,
    pub attributes: String,
    pub state: String,
    pub version: i64,
    pub head_hash: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The day it was adopted (`YYYY-MM-DD`, China time).
    pub adopted_on: Option<String>,
    /// Of the report's four procedures, those its pack requires (`,id,id,`; none: not computed).
    pub procedures_required: Option<String>,
    /// Of the report's four procedures, those completed (`,id,id,`).
    pub procedures_completed: Option<String>,
}

/// A draft version's content.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = draft_versions)]
pub struct DraftVersion {
    pub decision_id: String,
    pub number: i32,
    pub hash: String,
    pub content: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// A draft version without its content, for listings.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = draft_versions)]
pub struct DraftMeta {
    pub number: i32,
    pub hash: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// A stage's record, for listings.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stage_records)]
pub struct StageRow {
    pub decision_id: String,
    pub stage: String,
    pub status: String,
    pub rounds: i32,
    pub started_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
    /// The day it is due by (`YYYY-MM-DD`), where the record sets one.
    pub due_on: Option<String>,
    /// The day (China time) it was completed or waived.
    pub done_on: Option<String>,
    /// The decision's organ (for the report's indexes; a decision's organ never changes).
    pub organ_id: Option<String>,
}

/// One link of a decision's event chain.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub decision_id: String,
    pub seq: i64,
    pub actor_user_id: String,
    pub actor_role: String,
    pub actor_organ_id: String,
    pub command: String,
    pub payload: String,
    pub draft_hash: Option<String>,
    pub at: NaiveDateTime,
    pub prev_hash: String,
    pub hash: String,
}

/// The digest of every chain's head at the end of a day.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = daily_digests)]
pub struct DailyDigest {
    pub day: String,
    pub heads: String,
    pub prev_digest: String,
    pub digest: String,
    pub created_at: NaiveDateTime,
}

/// An application from the public to take part in a hearing (第十六条第三款).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = hearing_applications)]
pub struct HearingApplication {
    pub id: String,
    pub decision_id: String,
    pub round: i32,
    pub idempotency_key: String,
    pub request_hash: String,
    pub name: String,
    pub contact: String,
    pub interest_group: String,
    pub statement: String,
    pub civil_servant: bool,
    pub created_at: NaiveDateTime,
}

/// The draw of a hearing round: seed, seats (JSON object), chosen application ids (JSON array).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hearing_selections)]
pub struct HearingSelection {
    pub decision_id: String,
    pub round: i32,
    pub seed: String,
    pub seats: String,
    pub chosen: String,
    pub event_seq: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// An expert of an organ's registry (专家库, 第二十一条); `fields` is a JSON array.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = experts)]
pub struct Expert {
    pub id: String,
    pub organ_id: String,
    pub name: String,
    pub organisation: Option<String>,
    pub fields: String,
    pub active: bool,
    pub idempotency_key: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub deactivated_at: Option<NaiveDateTime>,
    pub deactivation_reason: Option<String>,
}

/// One field of expertise of an expert, for search.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = expert_fields)]
pub struct ExpertField {
    pub expert_id: String,
    pub field: String,
}

/// A read of the public's personal data (contacts), as recorded.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = personal_data_reads)]
pub struct PersonalDataRead {
    pub id: String,
    pub user_id: String,
    pub decision_id: String,
    pub what: String,
    pub records: i64,
    pub at: NaiveDateTime,
}
