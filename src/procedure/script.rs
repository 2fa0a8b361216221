//! A scripted walk of one decision through the whole procedure of a pack, with the evidence of
//! every stage the pack allows for the attributes. Tests, benchmarks and the demo data use it;
//! it is data only — each step still goes through [`super::evaluate`].

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};

use super::pack::Pack;
use super::state::{
    china_date, stage, ActivityKind, Attributes, Category, Command, CounselRole, Disposition,
    DraftHash, EvaluationGround, Fact, HearingParticipant, HearingProceedings, Initiation,
    LegalityFindings, LegalityOutcome, MeetingKind, MeetingOutcome, Member, Milestone,
    MilestoneOutcome, MilestoneReport, Observer, Position, Proposer, RiskLevel, StageId,
};

/// One scripted step: when, and what.
#[derive(Debug, Clone)]
pub struct Step {
    /// Server time of the step.
    pub at: DateTime<Utc>,
    /// The command.
    pub command: Command,
}

/// Every flag of the national pack switched on (except `not_public` and `exploratory_reform`,
/// which would forbid or change stages), so every conditional stage is required.
pub fn all_conditions_on(category: Category) -> Attributes {
    let mut a = Attributes::new(category);
    for f in [
        "public_interest",
        "public_concern",
        "technical",
        "stability_risk",
        "market_activity",
        "specific_groups",
    ] {
        a = a.with(f, true);
    }
    a
}

/// The draft text of version `n`.
pub fn draft_text(n: u32) -> String {
    format!("关于推进城市生活垃圾分类的实施意见（征求意见稿第{n}稿）")
}

/// The steps from initiation to an adopted, published, archived decision in execution, with a
/// post-decision evaluation, starting at `t0`. Stages the pack lacks or forbids are left out.
pub fn full_walk(pack: &Pack, attrs: &Attributes, t0: DateTime<Utc>) -> Vec<Step> {
    let mut w = Walk {
        pack,
        attrs,
        t0,
        steps: Vec::new(),
        day: 0,
    };
    let draft = DraftHash::of(&draft_text(1));
    let today = |w: &Walk| w.date();
    w.push(Command::Initiate(Initiation {
        title: "关于推进城市生活垃圾分类的实施意见".into(),
        attributes: attrs.clone(),
        proposer: Proposer::Department {
            name: "市城市管理局".into(),
            problem: "生活垃圾分类覆盖率低".into(),
            reasons_and_basis: "《固体废物污染环境防治法》第四十三条".into(),
            preliminary_plan: "分区域推行四分类".into(),
            necessity_and_feasibility: "试点街道分类准确率达85%".into(),
        },
        started_by: "市人民政府常务会议".into(),
        started_on: today(&w),
        lead_unit: "市城市管理局".into(),
        co_units: vec!["市生态环境局".into()],
        catalog_item: Some("2026-07".into()),
        lead_unit_designation: None,
        organ_kind: None,
        departments_concerned: vec!["市财政局".into()],
    }));
    w.start(stage::DRAFTING);
    w.record(Fact::Draft {
        hash: draft.clone(),
        legal_basis: vec!["《中华人民共和国固体废物污染环境防治法》".into()],
        options: vec![],
    });
    w.record(Fact::DepartmentConsultation {
        department: "市财政局".into(),
        agreed: true,
        disagreement_reported: None,
    });
    let fair_stage = pack.has(stage::FAIR_COMPETITION_REVIEW);
    let review = Fact::FairCompetitionReview {
        draft: draft.clone(),
        reviewer: "市市场监督管理局".into(),
        passes: true,
        conclusion: "未发现排除、限制竞争的内容".into(),
        market_regulator: Some("市市场监督管理局".into()),
        stakeholders_heard: vec!["市再生资源行业协会".into()],
        exception: None,
    };
    if !fair_stage {
        w.record(review.clone());
    }
    w.complete(stage::DRAFTING);

    let participation = w.allowed(stage::PUBLIC_PARTICIPATION);
    if participation {
        w.start(stage::PUBLIC_PARTICIPATION);
        let days = pack.parameters.comment_period_days.value;
        w.record(Fact::CommentPeriodOpened {
            draft: draft.clone(),
            days,
            notice: "现将草案公开征求意见".into(),
            channels: vec!["市政府网站".into(), "政务新媒体".into()],
            shortening_reason: None,
        });
    }
    if w.allowed(stage::GROUP_CONSULTATION) {
        w.start(stage::GROUP_CONSULTATION);
    }
    let hearing = w.allowed(stage::HEARING);
    if hearing {
        w.start(stage::HEARING);
    }
    if w.allowed(stage::EXPERT_REVIEW) {
        w.start(stage::EXPERT_REVIEW);
    }
    if w.allowed(stage::RISK_ASSESSMENT) {
        w.start(stage::RISK_ASSESSMENT);
    }

    w.advance(1);
    let hearing_day = 1
        + pack
            .parameters
            .hearing_notice_days
            .value
            .max(pack.parameters.hearing_materials_days.value)
        + 3;
    let participants = ["张三", "李四", "王五"];
    if participation {
        // Two public comments, c1 and c2 (the public intake batches them like this).
        w.record(Fact::CommentsReceived {
            count: 2,
            digest: DraftHash::of("c1 c2").0,
        });
        w.record(Fact::ParticipationActivity {
            kind: ActivityKind::Symposium,
            held_on: w.date(),
            minutes: "社区居民座谈会纪要".into(),
        });
    }
    if w.allowed(stage::GROUP_CONSULTATION) {
        w.record(Fact::GroupConsultation {
            groups: vec!["环卫工人".into()],
            representatives: vec!["市总工会".into()],
            held_on: w.date(),
            minutes: "沟通协商纪要".into(),
        });
        w.complete(stage::GROUP_CONSULTATION);
    }
    if hearing {
        let on = w.date_at(hearing_day);
        w.record(Fact::HearingNotice {
            hearing_on: on,
            place: "市民中心听证室".into(),
            selection_method: "按利益群体分组随机抽取".into(),
            draft: Some(draft.clone()),
            explanation: Some("关于决策草案的起草说明".into()),
        });
        w.record(Fact::HearingParticipants {
            participants: participants
                .iter()
                .map(|n| HearingParticipant {
                    name: (*n).into(),
                    interest_group: "居民".into(),
                    civil_servant: false,
                    invitation_reason: None,
                })
                .collect(),
            selection_seed: Some("seed-2026".into()),
        });
        for p in participants {
            w.record(Fact::HearingMaterialsDelivered {
                participant: p.into(),
                delivered_on: w.date(),
            });
        }
    }
    if w.allowed(stage::EXPERT_REVIEW) {
        let n = pack.parameters.expert_minimum.value.max(3);
        let n = if pack.parameters.expert_odd_number.value && n % 2 == 0 {
            n + 1
        } else {
            n
        };
        for i in 1..=n {
            w.record(Fact::ExpertSelected {
                expert_id: format!("e{i}"),
                name: format!("专家{i}"),
                field: "环境工程".into(),
                organisation: Some(format!("研究院{i}")),
                direct_interest: false,
                declaration: "与本决策事项无直接利害关系".into(),
                outside_registry: None,
            });
        }
        for i in 1..=n {
            w.record(Fact::ExpertOpinion {
                expert_id: format!("e{i}"),
                draft: draft.clone(),
                signed: true,
                summary: "方案可行".into(),
            });
        }
        w.record(Fact::ExpertReport {
            summary: "专家意见均已研究采纳".into(),
        });
        w.complete(stage::EXPERT_REVIEW);
    }
    if w.allowed(stage::RISK_ASSESSMENT) {
        w.record(Fact::RiskReport {
            draft: draft.clone(),
            assessor: "市社会稳定风险评估中心".into(),
            risk_points: vec!["收费调整引发投诉".into()],
            mitigation: vec!["分阶段实施".into()],
            contingency_plan: "设立投诉快速处置专班".into(),
            level: RiskLevel::Low,
            controllable: true,
            measures_taken: None,
            departments_heard: vec!["市公安局".into(), "市信访局".into()],
            third_party: None,
        });
        w.complete(stage::RISK_ASSESSMENT);
    }
    if hearing {
        w.advance_to(hearing_day);
        w.record(Fact::HearingHeld {
            held_on: w.date(),
            public: true,
            proceedings: Some(HearingProceedings {
                presentation: "市城市管理局介绍草案、依据和有关情况".into(),
                statements_and_debate: "参加人陈述意见，就收费标准询问、质证和辩论".into(),
            }),
            present: participants.iter().map(|p| p.to_string()).collect(),
        });
        for p in participants {
            w.record(Fact::HearingRecordSigned {
                participant: p.into(),
            });
        }
        w.record(Fact::HearingReport {
            summary: "听证报告".into(),
        });
        w.complete(stage::HEARING);
    }
    if participation {
        w.advance_to(pack.parameters.comment_period_days.value + 1);
        for c in ["c1", "c2"] {
            w.record(Fact::CommentDisposed {
                comment_id: c.into(),
                disposition: Disposition::PartlyAdopted,
                reason: "合理部分已吸收".into(),
            });
        }
        w.record(Fact::ParticipationReport {
            summary: "公众意见采纳情况".into(),
        });
        w.complete(stage::PUBLIC_PARTICIPATION);
    }
    if fair_stage && w.allowed(stage::FAIR_COMPETITION_REVIEW) {
        w.start(stage::FAIR_COMPETITION_REVIEW);
        w.record(review);
        w.complete(stage::FAIR_COMPETITION_REVIEW);
    }

    w.advance(1);
    w.start(stage::LEGALITY_REVIEW);
    // 7 working days can span a week-long holiday: give the reviewer a generous month.
    let due = w.date().checked_add_days(Days::new(30)).unwrap_or(w.date());
    w.record(Fact::LegalitySubmission {
        draft: draft.clone(),
        legal_basis: vec!["《中华人民共和国固体废物污染环境防治法》".into()],
        procedures_account: "已履行公众参与、专家论证、风险评估等程序".into(),
        due_on: due,
        shortening_reason: None,
    });
    w.advance(7);
    w.record(Fact::LegalCounselOpinion {
        by: "市政府法律顾问".into(),
        role: CounselRole::LegalCounsel,
        draft: draft.clone(),
        summary: "无法律障碍".into(),
    });
    w.record(Fact::LegalityOpinion {
        draft: draft.clone(),
        outcome: LegalityOutcome::Lawful,
        reasons: "符合法定权限和程序".into(),
        legal_risks: None,
        findings: Some(LegalityFindings {
            subject: Some("市人民政府为决策主体".into()),
            legal_basis: Some("依据充分".into()),
            ..LegalityFindings::new("符合法定权限", "已履行法定程序", "内容合法")
        }),
        revision_required: None,
    });
    w.complete(stage::LEGALITY_REVIEW);

    w.advance(3);
    w.start(stage::COLLECTIVE_DECISION);
    let members = [
        ("m1", "副市长甲", false),
        ("m2", "副市长乙", false),
        ("m3", "秘书长", false),
        ("h", "市长", true),
    ];
    w.record(Fact::MeetingConvened {
        kind: MeetingKind::ExecutiveMeeting,
        held_on: w.date(),
        draft: draft.clone(),
        members: members
            .iter()
            .map(|(id, name, head)| Member {
                id: (*id).into(),
                name: (*name).into(),
                head: *head,
            })
            .collect(),
        observers: vec![Observer {
            organ: "市司法局".into(),
            role: "legality_review_unit".into(),
            statement: Some("草案合法".into()),
        }],
    });
    for (id, _, _) in members {
        w.record(Fact::MeetingStatement {
            member: id.into(),
            position: Position::Support,
            text: "同意".into(),
        });
    }
    w.record(Fact::HeadDecision {
        outcome: MeetingOutcome::Adopted,
        deviation_reason: None,
    });

    w.advance(2);
    w.start(stage::PARTY_REPORT);
    w.record(Fact::PartyReport {
        submitted_on: w.date(),
        reply: None,
    });
    w.record(Fact::PartyReply {
        replied_on: w.date(),
        reply: "同意".into(),
    });
    w.complete(stage::PARTY_REPORT);
    if w.allowed(stage::NPC_REPORT) {
        w.start(stage::NPC_REPORT);
        w.record(Fact::NpcReport {
            submitted_on: w.date(),
            reply: None,
        });
        w.complete(stage::NPC_REPORT);
    }
    if w.allowed(stage::PUBLICATION) {
        w.advance(1);
        w.start(stage::PUBLICATION);
        w.record(Fact::Publication {
            channels: vec!["市政府公报".into(), "市政府网站".into()],
            published_on: w.date(),
            text_hash: draft.clone(),
            opinions_explanation: Some("公众意见和专家论证意见采纳情况说明".into()),
        });
        w.complete(stage::PUBLICATION);
    }
    w.start(stage::ARCHIVING);
    w.record(Fact::ArchiveSealed {
        seal: "0".repeat(64),
    });
    w.complete(stage::ARCHIVING);
    w.start(stage::EXECUTION);
    w.record(Fact::ExecutionAssigned {
        unit: "市城市管理局".into(),
        targets: vec!["年底前分类覆盖率达到90%".into()],
        deadline: w.date_at(w.day + 365),
        milestones: vec![Milestone {
            title: "第一季度完成试点".into(),
            due_on: w.date_at(w.day + 120),
        }],
    });
    w.advance(90);
    w.record(Fact::ExecutionReport {
        summary: "第一季度执行情况".into(),
        problems: None,
        milestone: Some(MilestoneReport {
            title: "第一季度完成试点".into(),
            outcome: MilestoneOutcome::Done,
        }),
    });
    w.record(Fact::PublicFeedback {
        summary: "建议增加投放点".into(),
    });
    w.start(stage::POST_EVALUATION);
    w.record(Fact::EvaluationCommissioned {
        evaluator: "第三方评估机构".into(),
        grounds: vec![EvaluationGround::OrganDeemsNecessary],
    });
    w.advance(30);
    w.record(Fact::EvaluationReport {
        summary: "基本达到预期".into(),
        public_heard: true,
        participants: vec!["人大代表".into()],
    });
    w.complete(stage::POST_EVALUATION);
    w.steps
}

struct Walk<'a> {
    pack: &'a Pack,
    attrs: &'a Attributes,
    t0: DateTime<Utc>,
    steps: Vec<Step>,
    day: u32,
}

impl Walk<'_> {
    fn at(&self) -> DateTime<Utc> {
        self.t0 + Duration::days(i64::from(self.day)) + Duration::seconds(self.steps.len() as i64)
    }
    fn date(&self) -> NaiveDate {
        china_date(self.t0 + Duration::days(i64::from(self.day)))
    }
    fn date_at(&self, day: u32) -> NaiveDate {
        china_date(self.t0 + Duration::days(i64::from(day)))
    }
    fn advance(&mut self, days: u32) {
        self.day += days;
    }
    fn advance_to(&mut self, day: u32) {
        self.day = self.day.max(day);
    }
    fn allowed(&self, id: &str) -> bool {
        self.pack
            .stage(id)
            .is_some_and(|s| s.allowed.eval(self.attrs))
    }
    fn push(&mut self, command: Command) {
        let at = self.at();
        self.steps.push(Step { at, command });
    }
    fn start(&mut self, id: &str) {
        self.push(Command::StartStage {
            stage: StageId::new(id),
        });
    }
    fn complete(&mut self, id: &str) {
        self.push(Command::CompleteStage {
            stage: StageId::new(id),
        });
    }
    fn record(&mut self, fact: Fact) {
        self.push(Command::Record { fact });
    }
}
