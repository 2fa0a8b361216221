//! Every deadline the record of a decision knows, with the party and role that must act, its
//! legal basis and its due day, and where a day stands against it in the working-day calendar:
//! upcoming, due soon (within [`DUE_SOON_WORKING_DAYS`] working days) or overdue. Pure: the
//! service decides who may see which and writes the reminders.

use chrono::{Days, NaiveDate};

use super::calendar::Calendar;
use super::catalog::Standing as CatalogStanding;
use super::deadlines::stage_due_dates;
use super::pack::Pack;
use super::state::{china_date, stage, Decision, Fact};

/// A deadline is due soon from this many working days before its due day (the due day counted,
/// today not): so a holiday between today and the due day brings the reminder earlier.
pub const DUE_SOON_WORKING_DAYS: u32 = 3;

/// Who must act: which of the decision's organs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// 决策机关
    DecisionOrgan,
    /// 决策承办单位
    LeadUnit,
    /// 负责合法性审查的部门
    LegalityUnit,
}

impl Owner {
    /// Its stored name.
    pub fn name(self) -> &'static str {
        match self {
            Owner::DecisionOrgan => "decision_organ",
            Owner::LeadUnit => "lead_unit",
            Owner::LegalityUnit => "legality_unit",
        }
    }
}

/// One deadline of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// What is due: `comment_period`, `hearing_materials`, `legality_review`, `archiving`,
    /// `execution`, `catalog_publication` (an organ's, not a decision's).
    pub key: &'static str,
    /// The stage it belongs to.
    pub stage: &'static str,
    /// The last day.
    pub due_on: NaiveDate,
    /// The organ that must act.
    pub owner: Owner,
    /// The role there that must act.
    pub role: &'static str,
    /// The legal basis.
    pub basis: String,
    /// 中文说明.
    pub what_zh: &'static str,
    /// Whether what was due has been done.
    pub done: bool,
}

/// Where a day stands against a due day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// More than [`DUE_SOON_WORKING_DAYS`] working days away.
    Upcoming,
    /// Within them, the due day included.
    DueSoon,
    /// The due day has passed.
    Overdue,
}

impl Standing {
    /// Its name in the API.
    pub fn name(self) -> &'static str {
        match self {
            Standing::Upcoming => "upcoming",
            Standing::DueSoon => "due_soon",
            Standing::Overdue => "overdue",
        }
    }
}

/// Where `today` stands against `due_on`, counted in the calendar's working days.
pub fn standing(calendar: &Calendar, today: NaiveDate, due_on: NaiveDate) -> Standing {
    if today > due_on {
        return Standing::Overdue;
    }
    let (left, _) = calendar.working_days_between(today, due_on);
    if left <= DUE_SOON_WORKING_DAYS {
        Standing::DueSoon
    } else {
        Standing::Upcoming
    }
}

/// Every deadline the decision's record knows, done or not.
pub fn deadlines(pack: &Pack, state: &Decision) -> Vec<Deadline> {
    let done = |s: &str| state.status(s).done();
    let p = &pack.parameters;
    let mut out = Vec::new();
    let mut comment_end = None;
    let mut hearing_on = None;
    let mut execution = None;
    for d in &state.facts {
        match &d.fact {
            Fact::CommentPeriodOpened { days, .. } => {
                comment_end = china_date(d.at).checked_add_days(Days::new(u64::from(*days)));
            }
            Fact::HearingNotice { hearing_on: on, .. } => hearing_on = Some(*on),
            Fact::ExecutionAssigned { deadline, .. } => execution = Some(*deadline),
            _ => {}
        }
    }
    if let Some(due_on) = comment_end {
        // 第十五条: the period ends; the undertaking unit then handles every comment (第十八条).
        out.push(Deadline {
            key: "comment_period",
            stage: stage::PUBLIC_PARTICIPATION,
            due_on,
            owner: Owner::LeadUnit,
            role: "undertaking",
            basis: p.comment_period_days.basis.clone(),
            what_zh: "征求意见期限届满",
            done: done(stage::PUBLIC_PARTICIPATION),
        });
    }
    if let Some(on) = hearing_on {
        // Done when the hearing is held, or when every participant of the latest list has had
        // the materials delivered.
        let mut participants: Vec<&str> = Vec::new();
        let mut delivered: Vec<&str> = Vec::new();
        let mut held = false;
        for d in &state.facts {
            match &d.fact {
                Fact::HearingParticipants {
                    participants: p, ..
                } => {
                    participants = p.iter().map(|x| x.name.as_str()).collect();
                }
                Fact::HearingMaterialsDelivered { participant, .. } => {
                    delivered.push(participant.as_str());
                }
                Fact::HearingHeld { .. } => held = true,
                _ => {}
            }
        }
        let held = held
            || (!participants.is_empty() && participants.iter().all(|p| delivered.contains(p)));
        if let Some(due_on) =
            on.checked_sub_days(Days::new(u64::from(p.hearing_materials_days.value)))
        {
            out.push(Deadline {
                key: "hearing_materials",
                stage: stage::HEARING,
                due_on,
                owner: Owner::LeadUnit,
                role: "undertaking",
                basis: p.hearing_materials_days.basis.clone(),
                what_zh: "听证材料送达听证参加人",
                done: held || done(stage::HEARING),
            });
        }
    }
    for (s, due_on) in stage_due_dates(pack, state) {
        let (key, owner, role, basis, what_zh) = if s == stage::LEGALITY_REVIEW {
            (
                "legality_review",
                Owner::LegalityUnit,
                "legality_reviewer",
                p.legality_review_working_days.basis.clone(),
                "提出合法性审查意见",
            )
        } else {
            (
                "archiving",
                Owner::DecisionOrgan,
                "organ_staff",
                p.archive_within_days.basis.clone(),
                "决策档案归档",
            )
        };
        out.push(Deadline {
            key,
            stage: s,
            due_on,
            owner,
            role,
            basis,
            what_zh,
            done: done(s),
        });
    }
    if let Some(due_on) = execution {
        out.push(Deadline {
            key: "execution",
            stage: stage::EXECUTION,
            due_on,
            owner: Owner::DecisionOrgan,
            role: "organ_staff",
            basis: "《重大行政决策程序暂行条例》第三十四条".into(),
            what_zh: "决策执行期限",
            done: done(stage::EXECUTION),
        });
    }
    out
}

/// The publication deadline of an organ's annual catalog, where its pack sets one (浙江: by 31
/// March, seed 003 五、（十五）); done once the year's catalog is published.
pub fn catalog_deadline(standing: &CatalogStanding, published: bool) -> Option<Deadline> {
    let due_on = standing.deadline?;
    Some(Deadline {
        key: "catalog_publication",
        stage: "catalog",
        due_on,
        owner: Owner::DecisionOrgan,
        role: "organ_staff",
        basis: standing.basis.join("；"),
        what_zh: "公布年度重大行政决策事项目录",
        done: published,
    })
}
