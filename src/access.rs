//! Who may do what: each command needs a role at one of the decision's organs — the decision
//! organ (决策机关), the lead undertaking unit (承办单位) or the organ's legality review unit
//! (负责合法性审查的部门). Checked on every command; recorded on every event. The policy only:
//! no HTTP, no database — the service asks it, every route alike.

use serde::Serialize;

use crate::db::rows::{User, UserRole};
use crate::procedure::state::{stage, Command, Fact};

/// A signed-in user with their roles per organ.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user.
    pub user: User,
    /// Their roles, each at one organ.
    pub roles: Vec<UserRole>,
}

impl Principal {
    /// The user's roles as one sorted text (`organ:role,…`): what a page kept for them is keyed by.
    pub fn roles_key(&self) -> String {
        let mut roles: Vec<String> = self
            .roles
            .iter()
            .map(|r| format!("{}:{}", r.organ_id, r.role))
            .collect();
        roles.sort();
        roles.join(",")
    }

    /// Whether the user has `role` at `organ_id`.
    pub fn has(&self, role: &str, organ_id: &str) -> bool {
        self.roles
            .iter()
            .any(|r| r.role == role && r.organ_id == organ_id)
    }

    /// Whether the user has `role` at any organ.
    pub fn has_anywhere(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r.role == role)
    }

    /// The organs the user has a role at.
    pub fn organs(&self) -> Vec<String> {
        let mut v: Vec<String> = self.roles.iter().map(|r| r.organ_id.clone()).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Who acts: the user, in which role, for which organ. Recorded on every event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Actor {
    /// User id.
    pub user_id: String,
    /// Role.
    pub role: String,
    /// Organ id.
    pub organ_id: String,
}

impl Actor {
    /// The server itself, for what follows from another record (e.g. a decision superseded when
    /// the new decision of its adjustment is adopted).
    pub fn system() -> Actor {
        Actor {
            user_id: "system".into(),
            role: "system".into(),
            organ_id: String::new(),
        }
    }

    /// The public, for comments received through the intake.
    pub fn public() -> Actor {
        Actor {
            user_id: "public".into(),
            role: "public".into(),
            organ_id: String::new(),
        }
    }
}

/// Why a user may not do something: the role it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub String);

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
const INSPECTOR_ONLY: &[(&str, Party)] = &[(INSPECTOR, DecisionOrgan)];
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
                // The meeting's record, including its own finding on the risk (第二十四条).
                MeetingConvened { .. } | MeetingStatement { .. } | RiskFinding { .. } => STAFF,
                // 第三十八至四十一条: the finding of those who hold the organ to account.
                AccountabilityRecord { .. } => INSPECTOR_ONLY,
                HeadDecision { .. } | Suspended { .. } => HEAD_ONLY,
                PartyReport { .. }
                | PartyReply { .. }
                | NpcReport { .. }
                | NpcReply { .. }
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
        // Only the server gives it, when the new decision is adopted.
        Command::Supersede { .. } => &[],
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

/// The actor for `command`, or what role it needs.
pub fn actor(auth: &Principal, parties: &Parties, command: &Command) -> Result<Actor, Denied> {
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
    if wanted.is_empty() {
        return Err(Denied(
            "this step is taken by the server, not by a user / 此操作由系统执行".into(),
        ));
    }
    Err(Denied(format!(
        "this step needs the role {} / 无权进行此操作",
        wanted.join(" or ")
    )))
}

/// Whether the user may read the decision: any role at one of its organs.
pub fn can_read(auth: &Principal, parties: &Parties) -> bool {
    auth.roles.iter().any(|r| {
        r.organ_id == parties.organ
            || r.organ_id == parties.lead_unit
            || Some(r.organ_id.as_str()) == parties.legality_unit
    })
}

/// Whether the user handles the personal data of a decision's public (commenters' and hearing
/// applicants' contacts): the undertaking unit, which handles the comments and applications,
/// and the decision organ's staff. Others see them redacted.
pub fn handles_personal_data(auth: &Principal, parties: &Parties) -> bool {
    auth.has(ORGAN_STAFF, parties.organ) || auth.has(UNDERTAKING, parties.lead_unit)
}

/// Who may draft, consent, publish and adjust an organ's catalog: its staff (第三条第三款: the
/// decision organ fixes its catalog).
pub fn catalog_writer(auth: &Principal, organ_id: &str) -> Result<Actor, Denied> {
    if auth.has(ORGAN_STAFF, organ_id) {
        Ok(Actor {
            user_id: auth.user.id.clone(),
            role: ORGAN_STAFF.into(),
            organ_id: organ_id.into(),
        })
    } else {
        Err(Denied(format!(
            "the catalog is kept by the organ's staff (role {ORGAN_STAFF}) / 决策事项目录由决策机关工作人员编制"
        )))
    }
}

/// Who may read an organ's catalog as it is being drafted, its coverage and its report figures:
/// anyone with a role at the organ (its staff, head, undertaking units' staff granted there,
/// inspectors) and the reviewers of its legality review unit.
pub fn can_read_catalog(auth: &Principal, organ_id: &str, legality_unit: Option<&str>) -> bool {
    auth.roles.iter().any(|r| {
        r.organ_id == organ_id
            || (r.role == LEGALITY_REVIEWER && Some(r.organ_id.as_str()) == legality_unit)
    })
}
