//! A decision's state, the commands that change it and the events they produce.
//!
//! State is a fold over events: [`Decision::apply`] is the only way it changes, so the store can
//! rebuild any decision from its event chain and the record is the truth.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A stage id as written in packs, e.g. `legality_review`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StageId(pub String);

impl StageId {
    /// A stage id from a string.
    pub fn new(s: &str) -> Self {
        StageId(s.to_string())
    }
    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The stage ids the engine has rules for. A pack may only use these.
pub mod stage {
    /// 决策启动
    pub const INITIATION: &str = "initiation";
    /// 拟定决策草案
    pub const DRAFTING: &str = "drafting";
    /// 公众参与
    pub const PUBLIC_PARTICIPATION: &str = "public_participation";
    /// 与特定群体沟通协商
    pub const GROUP_CONSULTATION: &str = "group_consultation";
    /// 听证
    pub const HEARING: &str = "hearing";
    /// 专家论证
    pub const EXPERT_REVIEW: &str = "expert_review";
    /// 风险评估
    pub const RISK_ASSESSMENT: &str = "risk_assessment";
    /// 公平竞争审查 (as a stage of its own, where a pack makes it one)
    pub const FAIR_COMPETITION_REVIEW: &str = "fair_competition_review";
    /// 合法性审查
    pub const LEGALITY_REVIEW: &str = "legality_review";
    /// 集体讨论决定
    pub const COLLECTIVE_DECISION: &str = "collective_decision";
    /// 向同级党委请示报告
    pub const PARTY_REPORT: &str = "party_report";
    /// 向本级人大常委会报告
    pub const NPC_REPORT: &str = "npc_report";
    /// 决策公布
    pub const PUBLICATION: &str = "publication";
    /// 归档
    pub const ARCHIVING: &str = "archiving";
    /// 决策执行
    pub const EXECUTION: &str = "execution";
    /// 决策后评估
    pub const POST_EVALUATION: &str = "post_evaluation";
    /// 决策调整（变更、中止、停止）
    pub const ADJUSTMENT: &str = "adjustment";

    /// Every stage id the engine knows.
    pub const ALL: [&str; 17] = [
        INITIATION,
        DRAFTING,
        PUBLIC_PARTICIPATION,
        GROUP_CONSULTATION,
        HEARING,
        EXPERT_REVIEW,
        RISK_ASSESSMENT,
        FAIR_COMPETITION_REVIEW,
        LEGALITY_REVIEW,
        COLLECTIVE_DECISION,
        PARTY_REPORT,
        NPC_REPORT,
        PUBLICATION,
        ARCHIVING,
        EXECUTION,
        POST_EVALUATION,
        ADJUSTMENT,
    ];
}

/// The hash of a draft version's content (SHA-256, hex). Opinions bind to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DraftHash(pub String);

impl DraftHash {
    /// The hash of `content`.
    pub fn of(content: &str) -> Self {
        DraftHash(hex::encode(Sha256::digest(content.as_bytes())))
    }
}

impl fmt::Display for DraftHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kinds of decision matter of 第三条. The last three are out of scope (第三条第二款) and are
/// listed so that the engine can refuse them with the article rather than a parse error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 第三条第一款(一) 重大公共政策和措施
    PublicPolicy,
    /// 第三条第一款(二) 经济和社会发展等方面的重要规划
    Plan,
    /// 第三条第一款(三) 开发利用、保护重要自然资源和文化资源
    Resources,
    /// 第三条第一款(四) 重大公共建设项目
    ConstructionProject,
    /// 第三条第一款(五) 其他重大事项
    OtherMajor,
    /// 宏观调控决策 — out of scope
    MacroControl,
    /// 政府立法决策 — out of scope
    Legislation,
    /// 突发事件应急处置决策 — out of scope
    EmergencyResponse,
}

impl Category {
    /// The five in-scope categories of 第三条第一款.
    pub const IN_SCOPE: [Category; 5] = [
        Category::PublicPolicy,
        Category::Plan,
        Category::Resources,
        Category::ConstructionProject,
        Category::OtherMajor,
    ];

    /// Whether 第三条第二款 excludes it from the regulation.
    pub fn out_of_scope(self) -> bool {
        !Self::IN_SCOPE.contains(&self)
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Category::PublicPolicy => "重大公共政策和措施",
            Category::Plan => "重要规划",
            Category::Resources => "重要自然资源和文化资源开发利用、保护",
            Category::ConstructionProject => "重大公共建设项目",
            Category::OtherMajor => "其他重大事项",
            Category::MacroControl => "宏观调控决策",
            Category::Legislation => "政府立法决策",
            Category::EmergencyResponse => "突发事件应急处置决策",
        }
    }
}

/// The attributes that switch conditional stages: the category and named flags
/// (`public_interest`, `technical`, … as the pack declares them). Unset flags are false.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributes {
    /// The 第三条 category.
    pub category: Category,
    /// Named flags, as declared by the pack.
    #[serde(flatten)]
    pub flags: BTreeMap<String, bool>,
}

impl Attributes {
    /// Attributes of `category` with no flag set.
    pub fn new(category: Category) -> Self {
        Attributes {
            category,
            flags: BTreeMap::new(),
        }
    }
    /// Whether the flag is set.
    pub fn get(&self, name: &str) -> bool {
        self.flags.get(name).copied().unwrap_or(false)
    }
    /// The same attributes with `name` set to `value`.
    pub fn with(mut self, name: &str, value: bool) -> Self {
        self.flags.insert(name.to_string(), value);
        self
    }
}

/// Where a stage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    /// Not yet entered.
    #[default]
    NotStarted,
    /// Entered, evidence being gathered.
    InProgress,
    /// Completed with its evidence.
    Completed,
    /// Not performed, lawfully (e.g. a risk already assessed under other rules, 第二十二条第二款).
    Waived,
}

impl StageStatus {
    /// Completed or lawfully waived.
    pub fn done(self) -> bool {
        matches!(self, StageStatus::Completed | StageStatus::Waived)
    }
}

/// One stage's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StageRecord {
    /// Where it stands.
    pub status: StageStatus,
    /// How many times it was entered (repeatable stages count rounds).
    pub rounds: u32,
    /// When it was last entered.
    pub started_at: Option<DateTime<Utc>>,
    /// When it was last completed or waived.
    pub completed_at: Option<DateTime<Utc>>,
}

/// Who proposed the matter (第十条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The catalog item the decision implements, where there is one.
    #[serde(default)]
    pub catalog_item: Option<String>,
}

/// A comment's disposition (第十八条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// 采纳
    Adopted,
    /// 部分采纳
    PartlyAdopted,
    /// 不予采纳
    NotAdopted,
}

/// Other ways of hearing views (第十四条第二款).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// 座谈会
    Symposium,
    /// 实地走访
    FieldVisit,
    /// 书面征求意见
    WrittenSolicitation,
    /// 问卷调查
    Questionnaire,
    /// 民意调查
    Poll,
    /// 专家访谈 (第十五条第二款)
    ExpertInterview,
}

/// A hearing participant (第十六条第三款).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingParticipant {
    /// Name.
    pub name: String,
    /// The interest group represented.
    pub interest_group: String,
    /// Whether the participant is a civil servant (some packs bar them).
    #[serde(default)]
    pub civil_servant: bool,
}

/// A legal counsel's role (第二十八条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CounselRole {
    /// 法律顾问
    LegalCounsel,
    /// 公职律师
    PublicLawyer,
}

/// The legality review's conclusion (第二十八条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalityOutcome {
    /// 合法
    Lawful,
    /// 修改后合法
    LawfulAfterRevision,
    /// 不合法
    Unlawful,
    /// 国家尚无明确规定，明示法律风险 (第二十五条第二款, exploratory reform only)
    LegalRiskStated,
}

/// The kind of meeting (第三十条第一款). Circulated papers are not a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// 常务会议
    ExecutiveMeeting,
    /// 全体会议
    PlenaryMeeting,
}

/// A meeting member (会议组成人员).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Stable id (user id or staff number).
    pub id: String,
    /// Name.
    pub name: String,
    /// The head of the organ (行政首长).
    #[serde(default)]
    pub head: bool,
}

/// An attendee without a vote (列席).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observer {
    /// Organ or unit.
    pub organ: String,
    /// Its role, e.g. `legality_review_unit`.
    pub role: String,
    /// The view it stated, if any.
    #[serde(default)]
    pub statement: Option<String>,
}

/// A member's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// 同意
    Support,
    /// 不同意
    Oppose,
    /// 弃权 / 无明确意见
    Abstain,
}

/// The head's decision (第三十条第一款).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingOutcome {
    /// 通过
    Adopted,
    /// 不予通过
    NotAdopted,
    /// 暂缓决定
    Deferred,
    /// 退回修改
    ReturnedForRevision,
}

/// Risk level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// 低
    Low,
    /// 中
    Medium,
    /// 高
    High,
}

/// Grounds for post-decision evaluation (第三十六条第一款).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationGround {
    /// (一) 明显未达到预期效果
    ShortOfExpectedEffect,
    /// (二) 公民、法人或者其他组织提出较多意见
    ManyObjections,
    /// (三) 决策机关认为有必要
    OrganDeemsNecessary,
}

/// Situations of 第三十五条第一款 that allow the head to suspend first (第三十七条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionGround {
    /// 决策存在问题
    DecisionProblem,
    /// 客观情况发生重大变化
    MajorChange,
    /// 不可抗力
    ForceMajeure,
}

/// A fact recorded as evidence of a stage. Each belongs to one stage, which must be in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
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
    /// The fair-competition review of a draft touching market entities (第二十九条第一款(一)).
    FairCompetitionReview {
        /// The draft reviewed.
        draft: DraftHash,
        /// Who reviewed.
        reviewer: String,
        /// Whether the draft passes.
        passes: bool,
        /// The conclusion.
        conclusion: String,
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
    /// Another participation activity with its minutes (第十四条第二款).
    ParticipationActivity {
        /// What kind.
        kind: ActivityKind,
        /// When it took place.
        held_on: NaiveDate,
        /// Minutes / summary.
        minutes: String,
    },
    /// The report of how the public's views were adopted (第十八条, 第二十九条第一款(二)).
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
    /// How the experts' opinions were adopted (第二十九条第一款(三)).
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
        /// The date the review is due, at least the pack's working days away.
        due_on: NaiveDate,
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
    /// The head's decision.
    HeadDecision {
        /// The outcome.
        outcome: MeetingOutcome,
        /// The reason stated at the meeting when it departs from the majority.
        #[serde(default)]
        deviation_reason: Option<String>,
    },
    // ---- reports before issuance (第三十一条, 第八条)
    /// The report to the party committee at the same level, and its reply.
    PartyReport {
        /// When it was submitted.
        submitted_on: NaiveDate,
        /// The reply.
        reply: String,
    },
    /// The report to the people's congress standing committee, and its reply.
    NpcReport {
        /// When it was submitted.
        submitted_on: NaiveDate,
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
        /// Targets.
        targets: Vec<String>,
        /// Deadline.
        deadline: NaiveDate,
    },
    /// A progress report; problems and objective changes are reported here (第三十五条).
    ExecutionReport {
        /// Progress.
        summary: String,
        /// Problems found, if any.
        #[serde(default)]
        problems: Option<String>,
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
    },
}

/// A command: what a user asks the engine to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Start the decision (第十、十一条).
    Initiate(Initiation),
    /// Change the attributes, with a reason.
    ChangeAttributes {
        /// The new attributes.
        attributes: Attributes,
        /// Why.
        reason: String,
    },
    /// Enter a stage.
    StartStage {
        /// Which.
        stage: StageId,
    },
    /// Complete a stage with its evidence.
    CompleteStage {
        /// Which.
        stage: StageId,
    },
    /// Waive a stage where the law allows it, citing what covers it.
    WaiveStage {
        /// Which.
        stage: StageId,
        /// The existing assessment or rule that covers it.
        reference: String,
    },
    /// Record a fact.
    Record {
        /// The fact.
        fact: Fact,
    },
}

/// What happened, at the server's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Server time.
    pub at: DateTime<Utc>,
    /// What.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The kinds of event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// The decision was started.
    Initiated(Initiation),
    /// Attributes changed.
    AttributesChanged {
        /// New attributes.
        attributes: Attributes,
        /// Why.
        reason: String,
    },
    /// A stage was entered.
    StageStarted {
        /// Which.
        stage: StageId,
    },
    /// A stage was completed.
    StageCompleted {
        /// Which.
        stage: StageId,
    },
    /// A stage was waived.
    StageWaived {
        /// Which.
        stage: StageId,
        /// What covers it.
        reference: String,
    },
    /// A stage sent the decision back along a declared return edge.
    StageReturned {
        /// From.
        from: StageId,
        /// To.
        to: StageId,
    },
    /// A fact was recorded.
    Recorded {
        /// The fact.
        fact: Fact,
    },
}

/// Where the decision as a whole stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    /// Not initiated.
    #[default]
    New,
    /// In the pre-decision procedure.
    InProcedure,
    /// Adopted at the meeting.
    Adopted,
    /// Not adopted: closed.
    NotAdopted,
    /// Execution suspended by the head (第三十七条).
    Suspended,
    /// Stopped by the organ.
    Stopped,
    /// Superseded by a new decision (major adjustment).
    Superseded,
}

/// A dated fact, as kept in the state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dated<T> {
    /// Server time of recording.
    pub at: DateTime<Utc>,
    /// The fact.
    pub fact: T,
}

/// The public comments as the engine sees them: counts, not the comments (which may run to tens
/// of thousands and live in the store). The store checks each hidden or disposed comment exists
/// and was not handled before; the engine checks that every comment is handled before the
/// participation closes (第十八条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CommentTally {
    /// Received.
    pub received: u64,
    /// Hidden by moderation (abusive, unlawful content), with a reason.
    pub hidden: u64,
    /// Given a disposition (采纳 / 部分采纳 / 不予采纳).
    pub disposed: u64,
}

impl CommentTally {
    /// Comments neither hidden nor disposed.
    pub fn open(&self) -> u64 {
        self.received.saturating_sub(self.hidden + self.disposed)
    }
}

/// A meeting and its statements in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// The meeting as convened.
    pub convened: Fact,
    /// The statements, in the order made.
    pub statements: Vec<(String, Position)>,
    /// The head's decision, once made.
    pub outcome: Option<(MeetingOutcome, Option<String>)>,
}

/// A decision's whole state, a fold over its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Decision {
    /// Where it stands.
    pub status: DecisionStatus,
    /// The initiation record.
    pub initiation: Option<Initiation>,
    /// Current attributes (None before initiation).
    pub attributes: Option<Attributes>,
    /// Each stage's record.
    pub stages: BTreeMap<StageId, StageRecord>,
    /// Every fact, in order, with its time.
    pub facts: Vec<Dated<Fact>>,
    /// Draft versions in order (hashes).
    pub drafts: Vec<DraftHash>,
    /// The public comments, counted.
    pub comments: CommentTally,
    /// Meetings in order.
    pub meetings: Vec<Meeting>,
    /// Facts recorded since each stage was last entered begin at this index of `facts`.
    pub round_start: BTreeMap<StageId, usize>,
}

impl Decision {
    /// The record of a stage (default: not started).
    pub fn stage(&self, id: &str) -> StageRecord {
        self.stages
            .get(&StageId::new(id))
            .cloned()
            .unwrap_or_default()
    }

    /// The status of a stage.
    pub fn status(&self, id: &str) -> StageStatus {
        self.stages
            .get(&StageId::new(id))
            .map(|r| r.status)
            .unwrap_or_default()
    }

    /// The latest draft version.
    pub fn current_draft(&self) -> Option<&DraftHash> {
        self.drafts.last()
    }

    /// Facts recorded in the current round of `stage` (since it was last entered).
    pub fn round_facts<'a>(&'a self, stage: &str) -> impl Iterator<Item = &'a Dated<Fact>> + 'a {
        let start = self
            .round_start
            .get(&StageId::new(stage))
            .copied()
            .unwrap_or(0);
        self.facts.iter().skip(start)
    }

    /// Every fact ever recorded, in order.
    pub fn all_facts(&self) -> impl DoubleEndedIterator<Item = &Fact> {
        self.facts.iter().map(|d| &d.fact)
    }

    /// The latest meeting.
    pub fn meeting(&self) -> Option<&Meeting> {
        self.meetings.last()
    }

    /// Whether the decision has been adopted (whatever happened after).
    pub fn adopted(&self) -> bool {
        matches!(
            self.status,
            DecisionStatus::Adopted
                | DecisionStatus::Suspended
                | DecisionStatus::Stopped
                | DecisionStatus::Superseded
        )
    }

    /// Apply one event. Events come from [`crate::procedure::evaluate`] or from the store.
    pub fn apply(&mut self, event: &Event) {
        let at = event.at;
        match &event.kind {
            EventKind::Initiated(init) => {
                self.status = DecisionStatus::InProcedure;
                self.attributes = Some(init.attributes.clone());
                self.initiation = Some(init.clone());
            }
            EventKind::AttributesChanged { attributes, .. } => {
                self.attributes = Some(attributes.clone());
            }
            EventKind::StageStarted { stage } => {
                self.round_start.insert(stage.clone(), self.facts.len());
                let rec = self.stages.entry(stage.clone()).or_default();
                rec.status = StageStatus::InProgress;
                rec.rounds += 1;
                rec.started_at = Some(at);
                rec.completed_at = None;
            }
            EventKind::StageCompleted { stage } => {
                let rec = self.stages.entry(stage.clone()).or_default();
                rec.status = StageStatus::Completed;
                rec.completed_at = Some(at);
            }
            EventKind::StageWaived { stage, .. } => {
                let rec = self.stages.entry(stage.clone()).or_default();
                rec.status = StageStatus::Waived;
                rec.completed_at = Some(at);
            }
            EventKind::StageReturned { from, to } => {
                if let Some(rec) = self.stages.get_mut(from) {
                    rec.status = StageStatus::NotStarted;
                    rec.completed_at = None;
                }
                let rec = self.stages.entry(to.clone()).or_default();
                rec.status = StageStatus::InProgress;
                rec.completed_at = None;
            }
            EventKind::Recorded { fact } => self.record(at, fact),
        }
    }

    fn record(&mut self, at: DateTime<Utc>, fact: &Fact) {
        match fact {
            Fact::Draft { hash, .. } => self.drafts.push(hash.clone()),
            // Comments are counted, not kept: a consultation can bring tens of thousands, and the
            // state is rewritten on every command. Each one stays in the event chain.
            Fact::CommentsReceived { count, .. } => {
                self.comments.received += u64::from(*count);
                return;
            }
            Fact::CommentHidden { .. } => {
                self.comments.hidden += 1;
                return;
            }
            Fact::CommentDisposed { .. } => {
                self.comments.disposed += 1;
                return;
            }
            Fact::MeetingConvened { .. } => self.meetings.push(Meeting {
                convened: fact.clone(),
                statements: Vec::new(),
                outcome: None,
            }),
            Fact::MeetingStatement {
                member, position, ..
            } => {
                if let Some(m) = self.meetings.last_mut() {
                    m.statements.push((member.clone(), *position));
                }
            }
            Fact::HeadDecision {
                outcome,
                deviation_reason,
            } => {
                if let Some(m) = self.meetings.last_mut() {
                    m.outcome = Some((*outcome, deviation_reason.clone()));
                }
                match outcome {
                    MeetingOutcome::Adopted => self.status = DecisionStatus::Adopted,
                    MeetingOutcome::NotAdopted => self.status = DecisionStatus::NotAdopted,
                    MeetingOutcome::Deferred | MeetingOutcome::ReturnedForRevision => {}
                }
            }
            Fact::Suspended { .. } => self.status = DecisionStatus::Suspended,
            Fact::Resumed { .. } => self.status = DecisionStatus::Adopted,
            Fact::Stopped { .. } => self.status = DecisionStatus::Stopped,
            Fact::Changed { .. } => self.status = DecisionStatus::Superseded,
            _ => {}
        }
        self.facts.push(Dated {
            at,
            fact: fact.clone(),
        });
    }

    /// Rebuild a decision from its events.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Decision {
        let mut d = Decision::default();
        for e in events {
            d.apply(e);
        }
        d
    }
}

/// China Standard Time (UTC+8, no daylight saving since 1991): the date of procedural facts.
pub fn china_date(t: DateTime<Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}
