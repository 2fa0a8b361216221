//! Who may do what: each command needs a role at one of the decision's organs — the decision
//! organ (决策机关), the lead undertaking unit (承办单位) or the organ's legality review unit
//! (负责合法性审查的部门). Checked on every command; recorded on every event.

use super::auth::Auth;
use super::error::ApiError;
use crate::db::rows::DecisionRow;
use crate::db::store::Actor;
use crate::procedure::state::{stage, Command, Fact};

/// Which of the decision's organs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// 决策机关
    DecisionOrgan,
    /// 决策承办单位 (lead)
    LeadUnit,
    /// 负责合法性审查的部门
    LegalityUnit,
}

/// Roles.
pub mod role {
    /// 决策机关工作人员: initiation, meeting record, reports, publication, archive, adjustment.
    pub const ORGAN_STAFF: &str = "organ_staff";
    /// 决策承办单位经办人: drafting and the evidence-gathering stages.
    pub const UNDERTAKING: &str = "undertaking";
    /// 合法性审查人员: return, counsel opinion, legality opinion.
    pub const LEGALITY_REVIEWER: &str = "legality_reviewer";
    /// 行政首长: the decision; emergency suspension.
    pub const HEAD: &str = "head";
    /// 督察、审计: reads everything of its organ.
    pub const INSPECTOR: &str = "inspector";
    /// Every role.
    pub const ALL: [&str; 5] = [ORGAN_STAFF, UNDERTAKING, LEGALITY_REVIEWER, HEAD, INSPECTOR];
}

use role::*;
use Party::*;

const STAFF: &[(&str, Party)] = &[(ORGAN_STAFF, DecisionOrgan)];
const UNIT: &[(&str, Party)] = &[(UNDERTAKING, LeadUnit)];
const REVIEWER: &[(&str, Party)] = &[(LEGALITY_REVIEWER, LegalityUnit)];
const HEAD_ONLY: &[(&str, Party)] = &[(HEAD, DecisionOrgan)];
const STAFF_OR_UNIT: &[(&str, Party)] = &[(ORGAN_STAFF, DecisionOrgan), (UNDERTAKING, LeadUnit)];

fn stage_roles(id: &str, completing: bool) -> &'static [(&'static str, Party)] {
    match id {
        stage::DRAFTING
        | stage::PUBLIC_PARTICIPATION
        | stage::GROUP_CONSULTATION
        | stage::HEARING
        | stage::EXPERT_REVIEW
        | stage::RISK_ASSESSMENT
        | stage::FAIR_COMPETITION_REVIEW => UNIT,
        stage::LEGALITY_REVIEW if completing => REVIEWER,
        stage::LEGALITY_REVIEW => UNIT,
        stage::EXECUTION => STAFF_OR_UNIT,
        _ => STAFF,
    }
}

/// The roles (at which organ) that may issue `command`; any one suffices.
pub fn required(command: &Command) -> &'static [(&'static str, Party)] {
    match command {
        Command::Initiate(_) => STAFF,
        Command::ChangeAttributes { .. } => STAFF_OR_UNIT,
        Command::StartStage { stage } | Command::WaiveStage { stage, .. } => {
            stage_roles(stage.as_str(), false)
        }
        Command::CompleteStage { stage } => stage_roles(stage.as_str(), true),
        Command::Record { fact } => {
            use Fact::*;
            match fact {
                LegalityReturned { .. } | LegalCounselOpinion { .. } | LegalityOpinion { .. } => {
                    REVIEWER
                }
                MeetingConvened { .. } | MeetingStatement { .. } => STAFF,
                HeadDecision { .. } | Suspended { .. } => HEAD_ONLY,
                PartyReport { .. }
                | NpcReport { .. }
                | Publication { .. }
                | ArchiveSealed { .. }
                | ExecutionAssigned { .. }
                | EvaluationCommissioned { .. }
                | EvaluationReport { .. }
                | Resumed { .. }
                | Stopped { .. }
                | Changed { .. } => STAFF,
                ExecutionReport { .. } | PublicFeedback { .. } => STAFF_OR_UNIT,
                _ => UNIT,
            }
        }
    }
}

/// The organ ids a decision involves.
pub struct Parties<'a> {
    /// 决策机关
    pub organ: &'a str,
    /// 承办单位
    pub lead_unit: &'a str,
    /// 合法性审查部门
    pub legality_unit: Option<&'a str>,
}

impl Parties<'_> {
    fn of(&self, p: Party) -> Option<&str> {
        match p {
            DecisionOrgan => Some(self.organ),
            LeadUnit => Some(self.lead_unit),
            LegalityUnit => self.legality_unit,
        }
    }
}

/// The actor for `command`, or 403 naming the role it needs.
pub fn actor(auth: &Auth, parties: &Parties, command: &Command) -> Result<Actor, ApiError> {
    let needs = required(command);
    for (role, party) in needs {
        if let Some(organ) = parties.of(*party) {
            if auth.has(role, organ) {
                return Ok(Actor {
                    user_id: auth.user.id.clone(),
                    role: (*role).to_string(),
                    organ_id: organ.to_string(),
                });
            }
        }
    }
    let wanted: Vec<String> = needs
        .iter()
        .map(|(role, party)| {
            format!(
                "{role} of the {}",
                match party {
                    DecisionOrgan => "decision organ",
                    LeadUnit => "lead undertaking unit",
                    LegalityUnit => "legality review unit",
                }
            )
        })
        .collect();
    Err(ApiError::Forbidden(format!(
        "this step needs the role {} / 无权进行此操作",
        wanted.join(" or ")
    )))
}

/// Whether the user may read the decision: any role at one of its organs.
pub fn can_read(auth: &Auth, row: &DecisionRow, legality_unit: Option<&str>) -> bool {
    auth.roles.iter().any(|r| {
        r.organ_id == row.organ_id
            || r.organ_id == row.lead_unit_id
            || Some(r.organ_id.as_str()) == legality_unit
    })
}
