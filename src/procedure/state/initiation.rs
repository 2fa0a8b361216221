//! The initiation of a decision (第十、十一条): who proposed it, who starts it and who undertakes
//! it, and the kind of organ that decides (第二条、第四十二条).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::terms::Attributes;

/// Who proposed the matter (第十条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Proposer {
    /// 决策机关领导人员 (第十条(一)): handed to a unit for study.
    Leader {
        /// Who.
        name: String,
        /// The unit that studied it.
        studied_by: String,
    },
    /// 所属部门或者下一级人民政府 (第十条(二)): must argue the problem, reasons and basis, the
    /// preliminary plan, necessity and feasibility.
    Department {
        /// Which department or government.
        name: String,
        /// 拟解决的主要问题
        problem: String,
        /// 建议理由和依据
        reasons_and_basis: String,
        /// 解决问题的初步方案
        preliminary_plan: String,
        /// 必要性、可行性
        necessity_and_feasibility: String,
    },
    /// 人大代表、政协委员、公民、法人或者其他组织 (第十条(三)): handed to a unit for study.
    Public {
        /// Who (deputy, member, citizen, organisation).
        name: String,
        /// Through which channel (建议, 提案, 书面建议).
        channel: String,
        /// The unit that studied it.
        studied_by: String,
    },
}

/// The initiation of a decision (第十、十一条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Initiation {
    /// The matter's title.
    pub title: String,
    /// Its attributes.
    pub attributes: Attributes,
    /// Who proposed it.
    pub proposer: Proposer,
    /// The organ's decision to start the procedure: by whom, on which date.
    pub started_by: String,
    /// The date the organ decided to start.
    pub started_on: NaiveDate,
    /// The lead undertaking unit (牵头承办单位).
    pub lead_unit: String,
    /// Co-undertaking units.
    #[serde(default)]
    pub co_units: Vec<String>,
    /// The catalog item the decision implements, where there is one (set by the server from a
    /// real item of the organ's published catalog).
    #[serde(default)]
    pub catalog_item: Option<String>,
    /// Where the lead unit is not a department of the decision organ: the organ's designation
    /// of it (document or minutes), as given at initiation (第十一条).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_unit_designation: Option<String>,
    /// The kind of the deciding organ, from the organ register (set by the server): a
    /// government applies the regulation, a department or township government 参照 it (第四十二条).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organ_kind: Option<OrganKind>,
    /// The departments and lower governments whose duties the matter touches or that are closely
    /// concerned (第十三条): each is consulted during drafting.
    #[serde(default)]
    pub departments_concerned: Vec<String>,
}

/// What kind of organ decides (第二条, 第四十二条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganKind {
    /// 县级以上地方人民政府 (第二条: the regulation applies).
    Government,
    /// 县级以上人民政府部门 (第四十二条: 参照执行).
    Department,
    /// 乡级人民政府 (第四十二条: 参照执行).
    Township,
}

impl OrganKind {
    /// The name as stored and written in packs.
    pub fn name(self) -> &'static str {
        match self {
            OrganKind::Government => "government",
            OrganKind::Department => "department",
            OrganKind::Township => "township",
        }
    }

    /// The kind of a stored organ's `kind` column, for the kinds that decide.
    pub fn of_stored(kind: &str) -> Option<OrganKind> {
        match kind {
            "decision_organ" | "government" => Some(OrganKind::Government),
            "department" => Some(OrganKind::Department),
            "township" => Some(OrganKind::Township),
            _ => None,
        }
    }
}
