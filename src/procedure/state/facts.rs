//! Facts: the evidence recorded for a stage, one variant per kind of record.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::terms::*;

/// A fact recorded as evidence of a stage. Each belongs to one stage, which must be in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fact {
    // ---- drafting (第十二、十三条)
    /// A draft version (拟订决策草案).
    Draft {
        /// The content hash.
        hash: DraftHash,
        /// Laws, regulations, rules and policies the draft rests on (第十二条第二款).
        legal_basis: Vec<String>,
        /// Alternative options where views diverge (第十二条第四款).
        #[serde(default)]
        options: Vec<String>,
    },
    /// Consultation with an affected department or lower government (第十三条).
    DepartmentConsultation {
        /// Which unit.
        department: String,
        /// Whether agreement was reached.
        agreed: bool,
        /// Where not: the points in dispute as reported to the organ.
        #[serde(default)]
        disagreement_reported: Option<String>,
    },
    /// The fair-competition review of a draft touching market entities (第二十九条第（一）项;
    /// 《公平竞争审查条例》第十四条、第十六条、第十二条).
    FairCompetitionReview {
        /// The draft reviewed.
        draft: DraftHash,
        /// Who reviewed (the drafting unit's 初审, or the unit that gave the conclusion).
        reviewer: String,
        /// Whether the draft passes.
        passes: bool,
        /// The conclusion.
        conclusion: String,
        /// The market-regulation department that reviewed together with the drafting unit
        /// (《公平竞争审查条例》第十四条: measures a government issues).
        #[serde(default)]
        market_regulator: Option<String>,
        /// The operators, industry associations and chambers of commerce heard on the effect on
        /// competition (《公平竞争审查条例》第十六条).
        #[serde(default)]
        stakeholders_heard: Vec<String>,
        /// Where the draft does not pass: the exception of 第十二条 it is issued under.
        #[serde(default)]
        exception: Option<CompetitionException>,
    },
    // ---- public participation (第十四、十五、十八条)
    /// A public comment period opened on a draft; it starts at the server's clock.
    CommentPeriodOpened {
        /// The draft published.
        draft: DraftHash,
        /// Length in days.
        days: u32,
        /// The notice text.
        notice: String,
        /// Channels (政府网站、政务新媒体、报刊…).
        channels: Vec<String>,
        /// Reason for a period shorter than the minimum, published in the notice (第十五条).
        #[serde(default)]
        shortening_reason: Option<String>,
    },
    /// Public comments came in: a batch of the intake, anchored in the record by the digest of
    /// the comments' own hashes (the comments themselves live in the store's comment table).
    CommentsReceived {
        /// How many.
        count: u32,
        /// SHA-256 over the batch's comment hashes, in order.
        digest: String,
    },
    /// A comment hidden by moderation (never deleted).
    CommentHidden {
        /// Its id.
        comment_id: String,
        /// Why.
        reason: String,
    },
    /// A comment's disposition (第十八条).
    CommentDisposed {
        /// Its id.
        comment_id: String,
        /// 采纳 / 部分采纳 / 不予采纳.
        disposition: Disposition,
        /// The reason.
        reason: String,
    },
    /// One disposition for a group of similar comments (第十八条: 归纳整理、研究论证): each comment
    /// of the group counts as disposed.
    CommentsDisposed {
        /// The ids of the comments in the group.
        comment_ids: Vec<String>,
        /// 采纳 / 部分采纳 / 不予采纳.
        disposition: Disposition,
        /// What the group says, and the reason for the disposition.
        reason: String,
    },
    /// Another participation activity with its minutes (第十四条第二款).
    ParticipationActivity {
        /// What kind.
        kind: ActivityKind,
        /// When it took place.
        held_on: NaiveDate,
        /// Minutes / summary.
        minutes: String,
    },
    /// The report of how the public's views were adopted (第十八条, 第二十九条第（二）项).
    ParticipationReport {
        /// The report.
        summary: String,
    },
    // ---- group consultation (第十四条第三款)
    /// Consultation with people's organisations, social organisations, representatives.
    GroupConsultation {
        /// The groups affected.
        groups: Vec<String>,
        /// Organisations and representatives heard.
        representatives: Vec<String>,
        /// When.
        held_on: NaiveDate,
        /// Minutes.
        minutes: String,
    },
    // ---- hearing (第十六、十七条)
    /// The hearing notice: draft and explanation published, time and place, selection method.
    HearingNotice {
        /// The date of the hearing.
        hearing_on: NaiveDate,
        /// Where.
        place: String,
        /// How participants are selected (published in advance).
        selection_method: String,
        /// The draft published with the notice (第十六条第二款: 提前公布决策草案及其说明等材料).
        #[serde(default)]
        draft: Option<DraftHash>,
        /// The explanation of the draft published with it.
        #[serde(default)]
        explanation: Option<String>,
    },
    /// The participant list, published in advance.
    HearingParticipants {
        /// Who.
        participants: Vec<HearingParticipant>,
        /// The seed of a random selection, so anyone can reproduce it.
        #[serde(default)]
        selection_seed: Option<String>,
    },
    /// Materials delivered to one participant.
    HearingMaterialsDelivered {
        /// To whom.
        participant: String,
        /// On which date.
        delivered_on: NaiveDate,
    },
    /// The hearing took place.
    HearingHeld {
        /// When.
        held_on: NaiveDate,
        /// Whether it was public (第十七条: 公开举行).
        public: bool,
        /// What the hearing went through (第十七条第（一）项、第（二）项). Hearings recorded before
        /// this field existed have none.
        #[serde(default)]
        proceedings: Option<HearingProceedings>,
        /// The participants present (read where a pack sets a quorum).
        #[serde(default)]
        present: Vec<String>,
    },
    /// A participant confirmed and signed the record (第十七条(三)).
    HearingRecordSigned {
        /// Who.
        participant: String,
    },
    /// The hearing report.
    HearingReport {
        /// The report.
        summary: String,
    },
    // ---- expert review (第十九至二十一条)
    /// An expert or professional body chosen, with a conflict-of-interest declaration.
    ExpertSelected {
        /// Id in the expert database.
        expert_id: String,
        /// Name.
        name: String,
        /// Field of expertise.
        field: String,
        /// Organisation (a professional body that gives the opinion, or the expert's employer).
        #[serde(default)]
        organisation: Option<String>,
        /// Declared direct interest in the matter (第二十条 bars them).
        direct_interest: bool,
        /// The declaration text.
        declaration: String,
        /// 第二十一条 "可以": an expert from outside the registries (a 专业机构, another
        /// province's expert…), recorded as such with the reason; the record then carries the
        /// name, organisation and field as given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outside_registry: Option<String>,
    },
    /// A written opinion (第十九条第二款: signed or sealed).
    ExpertOpinion {
        /// Whose.
        expert_id: String,
        /// On which draft.
        draft: DraftHash,
        /// Signed (署名) or sealed (盖章).
        signed: bool,
        /// The opinion.
        summary: String,
    },
    /// A 论证会 (第二十条: 论证会、书面咨询、委托咨询论证等方式): the experts who attended and
    /// the minutes of their views. An attending expert needs no written opinion of their own.
    ExpertMeeting {
        /// When it was held.
        held_on: NaiveDate,
        /// The selected experts (ids) who attended.
        attendees: Vec<String>,
        /// The minutes, with each expert's view.
        minutes: String,
    },
    /// How the experts' opinions were adopted (第二十九条第（三）项).
    ExpertReport {
        /// The report.
        summary: String,
    },
    // ---- risk assessment (第二十二至二十四条)
    /// A risk assessment report (第二十三条第二款).
    RiskReport {
        /// The draft assessed.
        draft: DraftHash,
        /// The unit that assessed.
        assessor: String,
        /// 风险点
        risk_points: Vec<String>,
        /// 风险防范措施
        mitigation: Vec<String>,
        /// 处置预案
        contingency_plan: String,
        /// Level.
        level: RiskLevel,
        /// Whether the risk is controllable (第二十四条).
        controllable: bool,
        /// Measures taken since an earlier uncontrollable finding.
        #[serde(default)]
        measures_taken: Option<String>,
        /// The departments heard (第二十三条第二款: 应当听取有关部门的意见).
        #[serde(default)]
        departments_heard: Vec<String>,
        /// A commissioned third party (专业机构、社会组织) that carried it out (第二十三条第三款).
        #[serde(default)]
        third_party: Option<String>,
    },
    // ---- legality review (第二十五至二十八条)
    /// The package sent for legality review (第二十六条).
    LegalitySubmission {
        /// The draft.
        draft: DraftHash,
        /// Legal basis.
        legal_basis: Vec<String>,
        /// Account of the procedures performed (履行决策法定程序的说明).
        procedures_account: String,
        /// The date the review is due, at least the pack's working days away unless a reason
        /// for less is stated.
        due_on: NaiveDate,
        /// Why the review gets less than the pack's working days (第二十六条第二款: 一般不少于).
        #[serde(default)]
        shortening_reason: Option<String>,
    },
    /// The reviewer returned the package or asked for more (第二十六条第一款).
    LegalityReturned {
        /// Why.
        reason: String,
    },
    /// A legal counsel's or public lawyer's opinion (第二十八条).
    LegalCounselOpinion {
        /// Who.
        by: String,
        /// Counsel or public lawyer.
        role: CounselRole,
        /// On which draft.
        draft: DraftHash,
        /// The opinion.
        summary: String,
    },
    /// The legality review opinion, bound to a draft.
    LegalityOpinion {
        /// On which draft.
        draft: DraftHash,
        /// The conclusion.
        outcome: LegalityOutcome,
        /// Reasons.
        reasons: String,
        /// The legal risks stated (exploratory reform, 第二十五条第二款).
        #[serde(default)]
        legal_risks: Option<String>,
        /// The findings on authority, procedure and content (第二十七条). Opinions recorded
        /// before this field existed have none.
        #[serde(default)]
        findings: Option<LegalityFindings>,
        /// Where the outcome is 修改后合法: the revision the opinion asks for (第二十八条).
        #[serde(default)]
        revision_required: Option<String>,
    },
    // ---- collective decision (第二十九、三十条)
    /// A meeting convened on a draft.
    MeetingConvened {
        /// 常务会议 or 全体会议.
        kind: MeetingKind,
        /// The date, as stated.
        held_on: NaiveDate,
        /// The draft on the table.
        draft: DraftHash,
        /// Members present.
        members: Vec<Member>,
        /// Attending without vote (列席).
        #[serde(default)]
        observers: Vec<Observer>,
    },
    /// A member's statement, in order.
    MeetingStatement {
        /// The member's id.
        member: String,
        /// The position.
        position: Position,
        /// As stated.
        text: String,
    },
    /// The organ's own finding on the risk, recorded at the meeting (第二十四条: 决策机关认为风险
    /// 可控的，可以作出决策). It prevails over the assessor's finding for this meeting.
    RiskFinding {
        /// Whether the organ finds the risk controllable.
        controllable: bool,
        /// Its reasons.
        reasons: String,
        /// The measures that make the risk controllable (needed where the assessor found it
        /// uncontrollable).
        #[serde(default)]
        measures: Vec<String>,
    },
    /// The head's decision.
    HeadDecision {
        /// The outcome.
        outcome: MeetingOutcome,
        /// The reason stated at the meeting when it departs from the majority.
        #[serde(default)]
        deviation_reason: Option<String>,
    },
    // ---- reports before issuance (第三十一条, 第八条)
    /// The report to the party committee at the same level (第三十一条: 出台前请示报告).
    PartyReport {
        /// When it was submitted.
        submitted_on: NaiveDate,
        /// The reply, where it came with the record of the report; otherwise `party_reply`.
        #[serde(default)]
        reply: Option<String>,
    },
    /// The party committee's reply, recorded when it comes.
    PartyReply {
        /// When it came.
        replied_on: NaiveDate,
        /// The reply.
        reply: String,
    },
    /// The report to the people's congress standing committee (第八条).
    NpcReport {
        /// When it was submitted.
        submitted_on: NaiveDate,
        /// The reply, where it came with the record of the report; otherwise `npc_reply`.
        #[serde(default)]
        reply: Option<String>,
    },
    /// The standing committee's reply, recorded when it comes.
    NpcReply {
        /// When it came.
        replied_on: NaiveDate,
        /// The reply.
        reply: String,
    },
    // ---- publication (第三十二条)
    /// Publication of the decision.
    Publication {
        /// Gazette, website, newspaper…
        channels: Vec<String>,
        /// When.
        published_on: NaiveDate,
        /// The hash of the published text.
        text_hash: DraftHash,
        /// How public and expert opinions were adopted.
        #[serde(default)]
        opinions_explanation: Option<String>,
    },
    // ---- archiving (第三十三条)
    /// The dossier filed and sealed.
    ArchiveSealed {
        /// The record's chain hash at sealing.
        seal: String,
    },
    // ---- execution (第三十四、三十五条)
    /// The execution unit, its targets and deadline.
    ExecutionAssigned {
        /// Which unit.
        unit: String,
        /// Targets (required only where the pack says so: `execution_targets_required`).
        #[serde(default)]
        targets: Vec<String>,
        /// Deadline.
        deadline: NaiveDate,
        /// Targets with a due date each (执行目标、执行时限), where the decision sets them; in a
        /// pack with `execution_targets_required` a milestone counts as a target.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        milestones: Vec<Milestone>,
    },
    /// A progress report; problems and objective changes are reported here (第三十五条).
    ExecutionReport {
        /// Progress.
        summary: String,
        /// Problems found, if any.
        #[serde(default)]
        problems: Option<String>,
        /// The milestone reported on, if the report is about one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        milestone: Option<MilestoneReport>,
    },
    /// Views from the public on the decision or its execution (第三十五条第二款).
    PublicFeedback {
        /// The view.
        summary: String,
    },
    // ---- post-decision evaluation (第三十六条)
    /// The organ commissions an evaluation.
    EvaluationCommissioned {
        /// The evaluating unit.
        evaluator: String,
        /// Why.
        grounds: Vec<EvaluationGround>,
    },
    /// The evaluation report.
    EvaluationReport {
        /// Findings.
        summary: String,
        /// Whether the public's views were heard.
        public_heard: bool,
        /// Deputies, members, organisations that took part.
        #[serde(default)]
        participants: Vec<String>,
    },
    // ---- accountability (第三十八至四十一条)
    /// An accountability finding on the decision, for inspectors: who decided it, on which
    /// article, who is responsible, and the members exempted by their recorded dissent
    /// (第三十八条第三款).
    AccountabilityRecord {
        /// The article it rests on.
        ground: AccountabilityGround,
        /// Who made the finding (上一级行政机关, 决策机关…).
        decided_by: String,
        /// What was found and what is ordered (责令改正, 通报批评, 取消评估资格…).
        findings: String,
        /// The persons or bodies held responsible.
        #[serde(default)]
        responsible: Vec<String>,
        /// Meeting members exempted because they dissented on the record (第三十八条第三款).
        #[serde(default)]
        exempted: Vec<String>,
    },
    // ---- change, suspension, stop (第三十七条)
    /// The head suspends execution first, in an emergency.
    Suspended {
        /// Which situation of 第三十五条.
        ground: SuspensionGround,
        /// Why it is urgent.
        reason: String,
    },
    /// Execution resumes by the organ's decision.
    Resumed {
        /// The organ's decision.
        reason: String,
    },
    /// The organ stops the decision, by collective decision.
    Stopped {
        /// The meeting that decided it.
        meeting: String,
        /// Why.
        reason: String,
    },
    /// A major adjustment, handled as a new decision.
    Changed {
        /// The new decision, linked.
        new_decision: String,
        /// The hearing held on the adjustment, where the pack requires one.
        #[serde(default)]
        hearing: Option<String>,
        /// How the post-decision evaluation's result was taken into account, where there was
        /// one (第三十六条第四款: 决策后评估结果应当作为调整重大行政决策的重要依据).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evaluation_considered: Option<String>,
    },
}

/// A target of execution with its due date (执行目标、执行时限).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// What is to be achieved; names the milestone in reports.
    pub title: String,
    /// The day it is due (China time).
    pub due_on: NaiveDate,
}

/// What a report says of one milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneReport {
    /// The milestone's title, as assigned.
    pub title: String,
    /// Done, or a problem that affects it (the report's `problems` says which).
    pub outcome: MilestoneOutcome,
}

/// The outcome a report gives a milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneOutcome {
    /// 已完成
    Done,
    /// 存在问题
    Problem,
}
