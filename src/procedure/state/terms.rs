//! The terms of the procedure: stage ids, draft hashes, the 第三条 categories, the attributes
//! that switch conditional stages, and the small enumerations facts are made of.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A stage id as written in packs, e.g. `legality_review`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
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
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
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
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    Default,
    schemars::JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema)]
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

/// A comment's disposition (第十八条).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Disposition {
    /// 采纳
    Adopted,
    /// 部分采纳
    PartlyAdopted,
    /// 不予采纳
    NotAdopted,
}

/// Other ways of hearing views (第十四条第二款).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HearingParticipant {
    /// Name.
    pub name: String,
    /// The interest group represented.
    pub interest_group: String,
    /// Whether the participant is a civil servant (some packs bar them).
    #[serde(default)]
    pub civil_servant: bool,
    /// Where participants are invited rather than drawn: why this one (第十六条第三款 asks for
    /// a fair, open selection; a participant who did not apply needs a recorded reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_reason: Option<String>,
}

/// A legal counsel's role (第二十八条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CounselRole {
    /// 法律顾问
    LegalCounsel,
    /// 公职律师
    PublicLawyer,
}

/// The legality review's conclusion (第二十八条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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

/// The kind of meeting (第三十条第一款). Any other kind (传阅, a working meeting…) is read as
/// [`MeetingKind::Other`] so that the engine refuses it with its article, not the parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingKind {
    /// 常务会议
    ExecutiveMeeting,
    /// 全体会议
    PlenaryMeeting,
    /// Anything else, as written: refused by `collective_decision.not_a_meeting`.
    Other(String),
}

impl MeetingKind {
    /// The name as written in JSON.
    pub fn as_str(&self) -> &str {
        match self {
            MeetingKind::ExecutiveMeeting => "executive_meeting",
            MeetingKind::PlenaryMeeting => "plenary_meeting",
            MeetingKind::Other(s) => s,
        }
    }
}

impl Serialize for MeetingKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl schemars::JsonSchema for MeetingKind {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MeetingKind".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // Any string is read; only these two are meetings (第三十条第一款), others are refused by
        // the engine with that article rather than by the parser.
        schemars::json_schema!({
            "type": "string",
            "description": "executive_meeting (常务会议) or plenary_meeting (全体会议); any other kind is refused with collective_decision.not_a_meeting",
            "examples": ["executive_meeting", "plenary_meeting"]
        })
    }
}

impl<'de> Deserialize<'de> for MeetingKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "executive_meeting" => MeetingKind::ExecutiveMeeting,
            "plenary_meeting" => MeetingKind::PlenaryMeeting,
            _ => MeetingKind::Other(s),
        })
    }
}

/// A meeting member (会议组成人员).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionGround {
    /// 决策存在问题
    DecisionProblem,
    /// 客观情况发生重大变化
    MajorChange,
    /// 不可抗力
    ForceMajeure,
}

/// The grounds on which a measure with an effect of excluding or restricting competition may
/// still be issued (《公平竞争审查条例》第十二条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompetitionExceptionGround {
    /// (一) 为维护国家安全和发展利益
    NationalSecurity,
    /// (二) 为促进科学技术进步、增强国家自主创新能力
    Innovation,
    /// (三) 为实现节约能源、保护环境、救灾救助等社会公共利益
    PublicInterest,
    /// (四) 法律、行政法规规定的其他情形
    OtherLaw,
}

/// A failing review's exception (《公平竞争审查条例》第十二条, explained in the conclusion as its
/// 第十七条第二款 asks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CompetitionException {
    /// Which ground of 第十二条.
    pub ground: CompetitionExceptionGround,
    /// Why the ground applies and why no alternative with a smaller effect on competition exists.
    pub reason: String,
    /// The reasonable period of implementation or the condition that ends it (实施期限或者终止条件).
    pub period_or_end: String,
}

/// What the legality opinion found on each point of 第二十七条.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LegalityFindings {
    /// (一) 决策事项是否符合法定权限.
    pub authority: String,
    /// (二) 决策草案的形成是否履行相关法定程序.
    pub procedure: String,
    /// (三) 决策草案内容是否符合有关法律、法规、规章和国家政策的规定.
    pub content: String,
    /// 决策主体 — asked where the pack sets `legality_review_five_points` (昆明).
    #[serde(default)]
    pub subject: Option<String>,
    /// 决策依据 — asked where the pack sets `legality_review_five_points` (昆明).
    #[serde(default)]
    pub legal_basis: Option<String>,
}

impl LegalityFindings {
    /// Findings on the three points.
    pub fn new(authority: &str, procedure: &str, content: &str) -> Self {
        LegalityFindings {
            authority: authority.into(),
            procedure: procedure.into(),
            content: content.into(),
            subject: None,
            legal_basis: None,
        }
    }
}

/// The article of 第五章 an accountability record rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountabilityGround {
    /// 第三十八条第一款: the organ broke the regulation — 上一级行政机关责令改正.
    OrganViolation,
    /// 第三十八条第二款: a serious error or a decision unduly delayed — 倒查责任，终身责任追究.
    SeriousError,
    /// 第三十九条: the undertaking unit or a unit doing procedural work failed its duty.
    UndertakingUnit,
    /// 第四十条: the execution unit refused, shifted or delayed execution, or hid problems.
    ExecutionUnit,
    /// 第四十一条: experts, professional bodies or social organisations broke their duties.
    Assessors,
}

impl AccountabilityGround {
    /// The article, as cited.
    pub fn article(self) -> &'static str {
        match self {
            AccountabilityGround::OrganViolation => "第三十八条第一款",
            AccountabilityGround::SeriousError => "第三十八条第二款",
            AccountabilityGround::UndertakingUnit => "第三十九条",
            AccountabilityGround::ExecutionUnit => "第四十条",
            AccountabilityGround::Assessors => "第四十一条",
        }
    }
}

/// The course of a hearing (第十七条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HearingProceedings {
    /// (一) 决策承办单位介绍决策草案、依据和有关情况.
    pub presentation: String,
    /// (二) 听证参加人陈述意见，进行询问、质证和辩论 (and any explanation given).
    pub statements_and_debate: String,
}
