//! One guard at a time: each rule of the procedure is shown accepting the lawful step and refusing
//! the unlawful one with its stable rule id and the article it comes from. States are built by
//! running the scripted full walk up to a point, then issuing the command under test.

use chrono::{NaiveDate, TimeZone, Utc};
use juece::procedure::script::{self, Step};
use juece::procedure::state::{
    stage, Attributes, Category, Command, CompetitionException, CompetitionExceptionGround,
    CounselRole, DecisionStatus, DraftHash, Fact, LegalityOutcome, MeetingOutcome, Position,
    RiskLevel, StageStatus, SuspensionGround,
};
use juece::procedure::Violation;

use crate::support::*;

fn plain() -> Attributes {
    Attributes::new(Category::Plan)
}

/// The full walk for `attrs`, without the steps matching `drop`.
fn walk_without(attrs: &Attributes, drop: impl Fn(&Command) -> bool) -> Vec<Step> {
    script::full_walk(national(), attrs, t0())
        .into_iter()
        .filter(|s| !drop(&s.command))
        .collect()
}

fn is_expert_review(c: &Command) -> bool {
    match c {
        Command::StartStage { stage: s } | Command::CompleteStage { stage: s } => {
            s.as_str() == stage::EXPERT_REVIEW
        }
        Command::Record { fact } => matches!(
            fact,
            Fact::ExpertSelected { .. } | Fact::ExpertOpinion { .. } | Fact::ExpertReport { .. }
        ),
        _ => false,
    }
}

fn is_risk_assessment(c: &Command) -> bool {
    match c {
        Command::StartStage { stage: s } | Command::CompleteStage { stage: s } => {
            s.as_str() == stage::RISK_ASSESSMENT
        }
        Command::Record { fact } => matches!(fact, Fact::RiskReport { .. }),
        _ => false,
    }
}

fn risk_report(draft_no: u32, controllable: bool, measures: Option<&str>) -> Command {
    record(Fact::RiskReport {
        draft: draft(draft_no),
        assessor: "市社会稳定风险评估中心".into(),
        risk_points: vec!["群体性投诉".into()],
        mitigation: vec!["分阶段实施".into()],
        contingency_plan: "设立处置专班".into(),
        level: if controllable {
            RiskLevel::Medium
        } else {
            RiskLevel::High
        },
        controllable,
        measures_taken: measures.map(Into::into),
        departments_heard: vec!["市公安局".into(), "市信访局".into()],
        third_party: None,
    })
}

fn new_draft(n: u32) -> Command {
    record(Fact::Draft {
        hash: draft(n),
        legal_basis: vec!["《中华人民共和国固体废物污染环境防治法》".into()],
        options: vec![],
    })
}

fn statement(member: &str, position: Position) -> Command {
    record(Fact::MeetingStatement {
        member: member.into(),
        position,
        text: "如实记录的发言".into(),
    })
}

fn head_decision(outcome: MeetingOutcome, reason: Option<&str>) -> Command {
    record(Fact::HeadDecision {
        outcome,
        deviation_reason: reason.map(Into::into),
    })
}

fn legality_opinion(draft_no: u32, outcome: LegalityOutcome, risks: Option<&str>) -> Command {
    record(Fact::LegalityOpinion {
        draft: draft(draft_no),
        outcome,
        reasons: "经审查".into(),
        legal_risks: risks.map(Into::into),
        findings: Some(juece::procedure::state::LegalityFindings::new(
            "符合法定权限",
            "已履行法定程序",
            "内容合法",
        )),
        revision_required: None,
    })
}

fn counsel(draft_no: u32) -> Command {
    record(Fact::LegalCounselOpinion {
        by: "市政府法律顾问".into(),
        role: CounselRole::LegalCounsel,
        draft: draft(draft_no),
        summary: "法律意见".into(),
    })
}

fn submission(draft_no: u32, due_on: NaiveDate) -> Command {
    record(Fact::LegalitySubmission {
        draft: draft(draft_no),
        legal_basis: vec!["《中华人民共和国固体废物污染环境防治法》".into()],
        procedures_account: "已履行法定程序".into(),
        due_on,
        shortening_reason: None,
    })
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

// ---- skipped stages (flow)

#[test]
fn the_collective_decision_is_refused_before_the_legality_review_citing_article_25() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::LEGALITY_REVIEW));
    let v = run.refused(&start(stage::COLLECTIVE_DECISION));
    assert_rule_at(
        &v,
        "flow.required_stage_skipped",
        stage::LEGALITY_REVIEW,
        "第二十五条",
    );
}

#[test]
fn the_collective_decision_may_start_once_the_legality_review_is_done() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::COLLECTIVE_DECISION));
    assert_eq!(
        run.state.status(stage::LEGALITY_REVIEW),
        StageStatus::Completed
    );
    run.ok(&start(stage::COLLECTIVE_DECISION));
}

#[test]
fn the_legality_review_is_refused_while_a_required_expert_review_is_not_done() {
    let attrs = plain().with("technical", true);
    let mut run = Run::new(national());
    run.until(
        walk_without(&attrs, is_expert_review),
        starts(stage::LEGALITY_REVIEW),
    );
    let v = run.refused(&start(stage::LEGALITY_REVIEW));
    assert_rule_at(
        &v,
        "flow.required_stage_skipped",
        stage::EXPERT_REVIEW,
        "第十九条",
    );
    assert_eq!(v.len(), 1, "only the expert review is missing: {v:#?}");
}

#[test]
fn the_legality_review_may_start_once_the_required_expert_review_is_done() {
    let attrs = plain().with("technical", true);
    let (mut run, _) = run_until(national(), &attrs, starts(stage::LEGALITY_REVIEW));
    run.ok(&start(stage::LEGALITY_REVIEW));
}

#[test]
fn an_optional_stage_left_in_progress_blocks_the_stages_after_it() {
    // Without `technical` the expert review is optional; the walk still holds one. Started and
    // not finished, it must be finished before the legality review.
    let mut run = Run::new(national());
    let steps = walk_without(&plain(), completes(stage::EXPERT_REVIEW));
    run.until(steps, starts(stage::LEGALITY_REVIEW));
    let v = run.refused(&start(stage::LEGALITY_REVIEW));
    assert_rule_at(
        &v,
        "flow.stage_in_progress",
        stage::EXPERT_REVIEW,
        "第十九条",
    );
}

#[test]
fn jumping_from_drafting_to_the_meeting_reports_every_missing_stage() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::PUBLIC_PARTICIPATION));
    let v = run.refused(&start(stage::COLLECTIVE_DECISION));
    for (s, basis) in [
        (stage::PUBLIC_PARTICIPATION, "第十四条"),
        (stage::GROUP_CONSULTATION, "第十四条第三款"),
        (stage::EXPERT_REVIEW, "第十九条"),
        (stage::RISK_ASSESSMENT, "第二十二条"),
        (stage::LEGALITY_REVIEW, "第二十五条"),
    ] {
        assert_rule_at(&v, "flow.required_stage_skipped", s, basis);
    }
    // The optional hearing was never started: it blocks nothing.
    assert!(!v.iter().any(|x| x
        .stage
        .as_ref()
        .is_some_and(|s| s.as_str() == stage::HEARING)));
}

#[test]
fn nothing_is_accepted_before_the_decision_is_initiated() {
    let mut run = Run::new(national());
    let v = run.refused(&start(stage::DRAFTING));
    assert_rule(&v, "flow.not_initiated", "第十一条");
}

// ---- public participation (第十四、十五、十八条)

fn comment_period(days: u32, notice: &str, reason: Option<&str>) -> Command {
    record(Fact::CommentPeriodOpened {
        draft: draft(1),
        days,
        notice: notice.into(),
        channels: vec!["市政府网站".into()],
        shortening_reason: reason.map(Into::into),
    })
}

fn comment_period_opened(f: &Fact) -> bool {
    matches!(f, Fact::CommentPeriodOpened { .. })
}

#[test]
fn a_comment_period_under_thirty_days_without_a_reason_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), records(comment_period_opened));
    let v = run.refused(&comment_period(15, "现将草案公开征求意见", None));
    assert_rule(&v, "participation.comment_period_too_short", "第十五条");
}

#[test]
fn a_shortened_comment_period_is_accepted_when_the_notice_states_the_reason() {
    let (mut run, _) = run_until(national(), &all_on(), records(comment_period_opened));
    run.ok(&comment_period(
        15,
        "因汛期临近、情况紧急，征求意见期限缩短为15日。现将草案公开征求意见",
        Some("汛期临近、情况紧急"),
    ));
}

#[test]
fn a_shortening_reason_that_is_not_in_the_notice_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), records(comment_period_opened));
    let v = run.refused(&comment_period(
        15,
        "现将草案公开征求意见",
        Some("汛期临近、情况紧急"),
    ));
    assert_rule(
        &v,
        "participation.shortening_reason_not_in_notice",
        "第十五条",
    );
    assert!(!v
        .iter()
        .any(|x| x.rule == "participation.comment_period_too_short"));
}

#[test]
fn a_comment_period_of_the_full_thirty_days_needs_no_reason() {
    let (mut run, _) = run_until(national(), &all_on(), records(comment_period_opened));
    run.ok(&comment_period(30, "现将草案公开征求意见", None));
}

fn comment_disposed(f: &Fact) -> bool {
    matches!(f, Fact::CommentDisposed { .. })
}

fn dispose(id: &str) -> Command {
    record(Fact::CommentDisposed {
        comment_id: id.into(),
        disposition: juece::procedure::state::Disposition::NotAdopted,
        reason: "与上位法不符".into(),
    })
}

fn participation_report() -> Command {
    record(Fact::ParticipationReport {
        summary: "公众意见采纳情况".into(),
    })
}

#[test]
fn public_participation_cannot_close_with_a_comment_undisposed() {
    let (mut run, _) = run_until(national(), &all_on(), records(comment_disposed));
    run.ok(&dispose("c1"));
    run.ok(&participation_report());
    let v = run.refused(&complete(stage::PUBLIC_PARTICIPATION));
    assert_rule(&v, "participation.comments_undisposed", "第十八条");
    run.ok(&dispose("c2"));
    run.ok(&complete(stage::PUBLIC_PARTICIPATION));
}

fn dispose_group(ids: &[&str]) -> Command {
    record(Fact::CommentsDisposed {
        comment_ids: ids.iter().map(|s| s.to_string()).collect(),
        disposition: juece::procedure::state::Disposition::PartlyAdopted,
        reason: "均要求延长过渡期：部分采纳，过渡期延至六个月".into(),
    })
}

#[test]
fn similar_comments_may_be_disposed_of_as_a_group() {
    // 第十八条: 归纳整理、研究论证 — one disposition for a group counts for each of its comments.
    let (mut run, _) = run_until(national(), &all_on(), records(comment_disposed));
    let v = run.refused(&dispose_group(&[]));
    assert_rule(&v, "participation.group_empty", "第十八条");
    let v = run.refused(&dispose_group(&["c1", "c1"]));
    assert_rule(&v, "participation.group_duplicate", "第十八条");
    let v = run.refused(&dispose_group(&["c1", "c2", "c3"]));
    assert_rule(&v, "participation.no_open_comment", "第十八条");
    run.ok(&dispose_group(&["c1", "c2"]));
    assert_eq!(run.state.comments.open(), 0);
    run.ok(&participation_report());
    run.ok(&complete(stage::PUBLIC_PARTICIPATION));
}

#[test]
fn a_hidden_comment_needs_no_disposition() {
    let (mut run, _) = run_until(national(), &all_on(), records(comment_disposed));
    run.ok(&dispose("c1"));
    run.ok(&record(Fact::CommentHidden {
        comment_id: "c2".into(),
        reason: "含有辱骂内容".into(),
    }));
    run.ok(&participation_report());
    run.ok(&complete(stage::PUBLIC_PARTICIPATION));
}

#[test]
fn comments_are_accepted_to_the_last_day_of_the_period_and_refused_after_it() {
    // The period opened on 2026-03-02 with 30 days runs to the end of 2026-04-01 (day 30).
    let (mut run, _) = run_until(national(), &all_on(), records(comment_disposed));
    run.now = day(30);
    run.ok(&record(Fact::CommentsReceived {
        count: 1,
        digest: "d3".into(),
    }));
    run.now = day(31);
    let v = run.refused(&record(Fact::CommentsReceived {
        count: 1,
        digest: "d4".into(),
    }));
    assert_rule(&v, "participation.comment_outside_period", "第十五条");
}

#[test]
fn a_comment_cannot_be_handled_when_none_is_left() {
    let (mut run, _) = run_until(national(), &all_on(), records(comment_disposed));
    run.ok(&dispose("c1"));
    run.ok(&dispose("c2"));
    let v = run.refused(&dispose("c3"));
    assert_rule(&v, "participation.no_open_comment", "第十八条");
}

#[test]
fn public_participation_cannot_close_before_the_period_ends() {
    let (mut run, _) = run_until(national(), &all_on(), records(comment_disposed));
    run.now = day(20);
    run.ok(&dispose("c1"));
    run.ok(&dispose("c2"));
    run.ok(&participation_report());
    let v = run.refused(&complete(stage::PUBLIC_PARTICIPATION));
    assert_rule(&v, "participation.period_not_ended", "第十五条");
    run.now = day(31);
    run.ok(&complete(stage::PUBLIC_PARTICIPATION));
}

// ---- hearing (第十六、十七条)

fn hearing_held(f: &Fact) -> bool {
    matches!(f, Fact::HearingHeld { .. })
}

fn delivered_to_wang_wu(c: &Command) -> bool {
    matches!(c, Command::Record { fact: Fact::HearingMaterialsDelivered { participant, .. } } if participant == "王五")
}

/// The walk up to the hearing (day 11), with 王五's materials delivered on `delivered_day`.
fn hearing_with_late_delivery(delivered_day: i64) -> (Run<'static>, Vec<Step>) {
    let mut run = Run::new(national());
    let steps = walk_without(&all_on(), delivered_to_wang_wu);
    let rest = run.until(steps, records(hearing_held));
    let held_at = run.now;
    run.now = day(delivered_day);
    run.ok(&record(Fact::HearingMaterialsDelivered {
        participant: "王五".into(),
        delivered_on: date(delivered_day),
    }));
    run.now = held_at;
    (run, rest)
}

#[test]
fn a_hearing_is_refused_when_materials_reached_a_participant_six_days_before() {
    // The hearing is on day 11; materials on day 5 are six days ahead, one short of seven.
    let (mut run, rest) = hearing_with_late_delivery(5);
    let v = run.refused(&rest[0].command);
    assert_rule(&v, "hearing.materials_late", "第十六条");
    assert_eq!(v.len(), 1, "only 王五's delivery is late: {v:#?}");
    assert!(v[0].message_zh.contains("王五"));
}

#[test]
fn a_hearing_is_accepted_when_materials_reached_every_participant_seven_days_before() {
    let (mut run, rest) = hearing_with_late_delivery(4);
    run.ok(&rest[0].command);
}

#[test]
fn a_hearing_not_held_in_public_is_refused() {
    let (mut run, rest) = run_until(national(), &all_on(), records(hearing_held));
    let v = run.refused(&record(Fact::HearingHeld {
        held_on: date(11),
        public: false,
        proceedings: None,
        present: vec![],
    }));
    assert_rule(&v, "hearing.not_public", "第十七条");
    // 第十七条第（一）项、第（二）项: the record says how the hearing went.
    assert_rule(&v, "hearing.proceedings_missing", "第十七条第（一）项");
    run.ok(&rest[0].command);
}

#[test]
fn a_hearing_cannot_close_until_every_participant_signed_the_record() {
    let mut run = Run::new(national());
    let steps = walk_without(
        &all_on(),
        |c| matches!(c, Command::Record { fact: Fact::HearingRecordSigned { participant } } if participant == "王五"),
    );
    run.until(steps, completes(stage::HEARING));
    let v = run.refused(&complete(stage::HEARING));
    assert_rule(&v, "hearing.record_unsigned", "第十七条");
    assert!(v[0].message_en.contains("王五"));
    run.ok(&record(Fact::HearingRecordSigned {
        participant: "王五".into(),
    }));
    run.ok(&complete(stage::HEARING));
}

#[test]
fn a_hearing_announced_for_today_is_refused() {
    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::HearingNotice { .. })),
    );
    let current = run.state.current_draft().cloned();
    let notice = |on| {
        record(Fact::HearingNotice {
            hearing_on: on,
            place: "市民中心".into(),
            selection_method: "随机抽取".into(),
            draft: current.clone(),
            explanation: Some("起草说明".into()),
        })
    };
    let v = run.refused(&notice(date(1)));
    assert_rule(&v, "hearing.notice_late", "第十六条");
    run.ok(&notice(date(11)));
}

#[test]
fn a_selection_method_is_needed_only_where_participants_are_selected() {
    // 第十六条第三款: 需要遴选听证参加人的，……应当提前公布听证参加人遴选办法.
    let is_notice = records(|f| matches!(f, Fact::HearingNotice { .. }));
    let (mut run, rest) = run_until(national(), &all_on(), &is_notice);
    let mut notice = rest[0].command.clone();
    if let Command::Record {
        fact: Fact::HearingNotice {
            selection_method, ..
        },
    } = &mut notice
    {
        selection_method.clear();
    }
    run.ok(&notice);
    let rest: Vec<Step> = rest.into_iter().skip(1).collect();
    let rest = run.until(
        rest,
        records(|f| matches!(f, Fact::HearingParticipants { .. })),
    );
    let drawn = rest[0].command.clone();
    let v = run.refused(&drawn);
    assert_rule(&v, "hearing.selection_method_missing", "第十六条第三款");
    // Every applicant admitted: no selection, no method needed.
    let mut admitted = drawn;
    if let Command::Record {
        fact: Fact::HearingParticipants { selection_seed, .. },
    } = &mut admitted
    {
        *selection_seed = None;
    }
    run.ok(&admitted);
}

// ---- expert review (第十九、二十条)

fn expert(id: &str, name: &str, interest: bool) -> Command {
    record(Fact::ExpertSelected {
        expert_id: id.into(),
        name: name.into(),
        field: "环境工程".into(),
        organisation: None,
        direct_interest: interest,
        declaration: "利害关系声明".into(),
        outside_registry: None,
    })
}

#[test]
fn an_expert_with_a_direct_interest_is_refused() {
    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::ExpertSelected { .. })),
    );
    let v = run.refused(&expert("e9", "赵六", true));
    assert_rule(&v, "expert_review.direct_interest", "第二十条");
    run.ok(&expert("e9", "赵六", false));
}

#[test]
fn an_unsigned_expert_opinion_is_refused() {
    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::ExpertOpinion { .. })),
    );
    let opinion = |signed| {
        record(Fact::ExpertOpinion {
            expert_id: "e1".into(),
            draft: draft(1),
            signed,
            summary: "方案可行".into(),
        })
    };
    let v = run.refused(&opinion(false));
    assert_rule(&v, "expert_review.opinion_unsigned", "第十九条");
    run.ok(&opinion(true));
}

#[test]
fn the_expert_review_cannot_close_while_a_selected_expert_has_given_no_opinion() {
    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::ExpertOpinion { .. })),
    );
    run.ok(&record(Fact::ExpertReport {
        summary: "采纳情况".into(),
    }));
    let v = run.refused(&complete(stage::EXPERT_REVIEW));
    assert_rule(&v, "expert_review.opinion_missing", "第十九条");
    assert_eq!(v.len(), 3, "three experts, three missing opinions: {v:#?}");
}

fn expert_meeting(attendees: &[&str], minutes: &str) -> Command {
    record(Fact::ExpertMeeting {
        held_on: date(0),
        attendees: attendees.iter().map(|s| s.to_string()).collect(),
        minutes: minutes.into(),
    })
}

#[test]
fn experts_heard_at_a_minuted_expert_meeting_need_no_signed_written_opinion() {
    // 第二十条: 论证会、书面咨询、委托咨询论证等方式; only a written opinion is signed (第十九条第二款).
    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::ExpertOpinion { .. })),
    );
    let ids: Vec<String> = run
        .state
        .all_facts()
        .filter_map(|f| match f {
            Fact::ExpertSelected { expert_id, .. } => Some(expert_id.clone()),
            _ => None,
        })
        .collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let v = run.refused(&expert_meeting(&ids, " "));
    assert_rule(&v, "expert_review.minutes_missing", "第二十条");
    let v = run.refused(&expert_meeting(&["e99"], "纪要"));
    assert_rule(&v, "expert_review.unknown_expert", "第二十条");
    run.ok(&expert_meeting(&ids, "论证会纪要：各专家意见如下……"));
    run.ok(&record(Fact::ExpertReport {
        summary: "采纳情况".into(),
    }));
    run.ok(&complete(stage::EXPERT_REVIEW));
}

// ---- risk assessment (第二十二至二十四条)

fn risk_reported(f: &Fact) -> bool {
    matches!(f, Fact::RiskReport { .. })
}

#[test]
fn an_uncontrollable_assessment_completes_the_stage_and_leaves_the_judgement_to_the_organ() {
    // 第二十四条: the report is 重要依据; 决策机关认为 — the organ judges, at the meeting.
    let (mut run, _) = run_until(national(), &all_on(), records(risk_reported));
    run.ok(&risk_report(1, false, None));
    run.ok(&complete(stage::RISK_ASSESSMENT));
}

/// The full walk with the assessment finding the risk uncontrollable.
fn walk_with_uncontrollable_risk() -> Vec<Step> {
    script::full_walk(national(), &all_on(), t0())
        .into_iter()
        .map(|mut s| {
            if let Command::Record {
                fact: Fact::RiskReport { .. },
            } = s.command
            {
                s.command = risk_report(1, false, None);
            }
            s
        })
        .collect()
}

fn risk_finding(controllable: bool, reasons: &str, measures: &[&str]) -> Command {
    record(Fact::RiskFinding {
        controllable,
        reasons: reasons.into(),
        measures: measures.iter().map(|m| m.to_string()).collect(),
    })
}

fn is_head_decision(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::HeadDecision { .. }
        }
    )
}

#[test]
fn the_meeting_may_find_an_assessed_uncontrollable_risk_controllable_with_reasons_and_measures() {
    let mut run = Run::new(national());
    let rest = run.until(walk_with_uncontrollable_risk(), is_head_decision);
    let v = run.refused(&rest[0].command);
    assert_rule(&v, "collective_decision.risk_uncontrollable", "第二十四条");
    for bad in [
        risk_finding(true, " ", &["分阶段实施"]),
        risk_finding(true, "已设处置专班", &[]),
    ] {
        let v = run.refused(&bad);
        assert_rule(
            &v,
            "collective_decision.risk_finding_incomplete",
            "第二十四条",
        );
    }
    run.ok(&risk_finding(
        true,
        "评估报告所列风险点已有对应措施，处置专班已组建",
        &["分阶段实施", "设立处置专班"],
    ));
    run.ok(&rest[0].command);
    assert_eq!(run.state.status, DecisionStatus::Adopted);
}

#[test]
fn the_organ_finding_a_risk_uncontrollable_keeps_it_from_adopting() {
    // The organ may also disagree with a controllable assessment.
    let (mut run, rest) = run_until(national(), &all_on(), is_head_decision);
    run.ok(&risk_finding(false, "群体性投诉风险被低估", &[]));
    let v = run.refused(&rest[0].command);
    assert_rule(&v, "collective_decision.risk_uncontrollable", "第二十四条");
}

#[test]
fn reassessing_the_same_draft_as_controllable_without_measures_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), records(risk_reported));
    run.ok(&risk_report(1, false, None));
    let v = run.refused(&risk_report(1, true, None));
    assert_rule(
        &v,
        "risk_assessment.reassessment_without_adjustment",
        "第二十四条",
    );
    run.ok(&risk_report(1, true, Some("增设分类投放点，延长过渡期")));
    run.ok(&complete(stage::RISK_ASSESSMENT));
}

#[test]
fn reassessing_an_adjusted_draft_as_controllable_is_accepted() {
    let (mut run, _) = run_until(national(), &all_on(), records(risk_reported));
    run.ok(&risk_report(1, false, None));
    run.ok(&new_draft(2));
    run.ok(&risk_report(2, true, None));
    run.ok(&complete(stage::RISK_ASSESSMENT));
}

#[test]
fn a_market_matter_whose_draft_is_adjusted_after_an_uncontrollable_risk_can_go_on_to_review() {
    // 第二十四条 asks for the draft to be adjusted; the adjusted draft of a market matter needs its
    // own fair-competition review (第二十九条), which the national pack keeps with the draft.
    let (mut run, rest) = run_until(national(), &all_on(), records(risk_reported));
    run.ok(&risk_report(1, false, None));
    run.ok(&new_draft(2));
    run.ok(&risk_report(2, true, None));
    run.ok(&complete(stage::RISK_ASSESSMENT));
    let review = |n| {
        record(Fact::FairCompetitionReview {
            draft: draft(n),
            reviewer: "市市场监督管理局".into(),
            passes: true,
            conclusion: "未发现排除、限制竞争的内容".into(),
            market_regulator: Some("市市场监督管理局".into()),
            stakeholders_heard: vec!["市再生资源行业协会".into()],
            exception: None,
        })
    };
    run.ok(&review(2));
    let rest: Vec<Step> = rest
        .into_iter()
        .filter(|s| !is_risk_assessment(&s.command))
        .collect();
    run.until(rest, records(legality_submitted));
    let due = juece::procedure::state::china_date(run.now) + chrono::Duration::days(30);
    run.ok(&submission(2, due));
    // The review is part of the draft, not a way to touch the record after the decision.
    let mut adopted = adopted_run(&all_on());
    let v = adopted.refused(&review(1));
    assert_rule(&v, "flow.stage_not_in_progress", "第十二条");
}

#[test]
fn an_uncontrollable_risk_keeps_the_draft_from_adoption_even_when_the_stage_is_waived() {
    // The stage is closed by a waiver after an uncontrollable finding: the meeting still sees it.
    let steps: Vec<Step> = walk_with_uncontrollable_risk()
        .into_iter()
        .map(|mut s| {
            if completes(stage::RISK_ASSESSMENT)(&s.command) {
                s.command = Command::WaiveStage {
                    stage: juece::procedure::state::StageId::new(stage::RISK_ASSESSMENT),
                    reference: "《垃圾处理设施项目社会稳定风险评估报告》（市稳评〔2025〕3号）"
                        .into(),
                };
            }
            s
        })
        .collect();
    let mut run = Run::new(national());
    let rest = run.until(steps, is_head_decision);
    let v = run.refused(&rest[0].command);
    assert_rule(&v, "collective_decision.risk_uncontrollable", "第二十四条");
}

#[test]
fn a_risk_reassessed_during_the_meeting_stage_must_be_finished_and_reviewed_before_the_meeting() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::MeetingConvened { .. })),
    );
    run.ok(&start(stage::RISK_ASSESSMENT));
    run.ok(&risk_report(1, false, None));
    // The reopened assessment must be finished, and then reviewed again, before the meeting.
    let v = run.refused(&rest[0].command);
    assert_rule_at(
        &v,
        "flow.required_stage_skipped",
        stage::RISK_ASSESSMENT,
        "第二十二条",
    );
    run.ok(&complete(stage::RISK_ASSESSMENT));
    let v = run.refused(&rest[0].command);
    assert_rule_at(
        &v,
        "collective_decision.review_predates_procedure",
        stage::RISK_ASSESSMENT,
        "第二十七条",
    );
}

#[test]
fn a_risk_assessment_waiver_needs_the_assessment_that_covers_it() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::RISK_ASSESSMENT));
    let waive = |reference: &str| Command::WaiveStage {
        stage: juece::procedure::state::StageId::new(stage::RISK_ASSESSMENT),
        reference: reference.into(),
    };
    let v = run.refused(&waive("  "));
    assert_rule(&v, "risk_assessment.waiver_reference_missing", "第二十二条");
    run.ok(&waive(
        "《垃圾处理设施项目社会稳定风险评估报告》（市稳评〔2025〕3号）",
    ));
    assert_eq!(
        run.state.status(stage::RISK_ASSESSMENT),
        StageStatus::Waived
    );
}

#[test]
fn only_the_risk_assessment_may_be_waived() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::EXPERT_REVIEW));
    let v = run.refused(&Command::WaiveStage {
        stage: juece::procedure::state::StageId::new(stage::EXPERT_REVIEW),
        reference: "已有论证".into(),
    });
    assert_rule(&v, "flow.not_waivable", "第十九条");
}

// ---- legality review (第二十五至二十八条)

fn legality_submitted(f: &Fact) -> bool {
    matches!(f, Fact::LegalitySubmission { .. })
}

fn legality_opinion_given(f: &Fact) -> bool {
    matches!(f, Fact::LegalityOpinion { .. })
}

/// A matter lawfully not public has no participation or hearing: its walk, started on
/// 2026-02-10, reaches the legality review on Thursday 2026-02-12, just before Spring Festival.
fn submission_before_spring_festival() -> Run<'static> {
    let attrs = plain().with("not_public", true);
    let t = Utc.with_ymd_and_hms(2026, 2, 10, 1, 0, 0).unwrap();
    let mut run = Run::new(national());
    run.until(
        script::full_walk(national(), &attrs, t),
        records(legality_submitted),
    );
    assert_eq!(
        juece::procedure::state::china_date(run.now),
        ymd(2026, 2, 12)
    );
    run
}

#[test]
fn legality_review_is_refused_with_fewer_than_seven_working_days() {
    // From Thursday 2026-02-12 (not counted): Fri 13 (1), Sat 14 make-up day (2), 15–23 Spring
    // Festival, Tue 24 (3) … Fri 27 (6), Sat 28 make-up day (7). A due date of the 27th gives six.
    // Counting weekends only would have allowed the 23rd.
    let mut run = submission_before_spring_festival();
    for due in [ymd(2026, 2, 23), ymd(2026, 2, 27)] {
        let v = run.refused(&submission(1, due));
        assert_rule(&v, "legality_review.review_time_too_short", "第二十六条");
        assert!(v[0].message_en.contains("2026-02-28"), "{v:#?}");
    }
}

#[test]
fn a_legality_review_under_seven_working_days_is_accepted_with_a_stated_reason() {
    // 第二十六条第二款: 一般不少于7个工作日 — a shorter review is lawful when the reason is given.
    let mut run = submission_before_spring_festival();
    let short = |reason: Option<&str>| {
        record(Fact::LegalitySubmission {
            draft: draft(1),
            legal_basis: vec!["《中华人民共和国固体废物污染环境防治法》".into()],
            procedures_account: "已履行法定程序".into(),
            due_on: ymd(2026, 2, 24),
            shortening_reason: reason.map(Into::into),
        })
    };
    for blank in [None, Some("  ")] {
        let v = run.refused(&short(blank));
        assert_rule(
            &v,
            "legality_review.review_time_too_short",
            "第二十六条第二款",
        );
    }
    run.ok(&short(Some("汛期前须出台，经市政府同意缩短审查时间")));
    assert!(run.state.all_facts().any(|f| matches!(
        f,
        Fact::LegalitySubmission { shortening_reason: Some(r), .. } if r.contains("汛期")
    )));
}

#[test]
fn legality_review_is_accepted_with_seven_working_days_across_spring_festival() {
    let mut run = submission_before_spring_festival();
    run.ok(&submission(1, ymd(2026, 2, 28)));
}

#[test]
fn a_legality_opinion_on_a_draft_other_than_the_one_submitted_is_refused() {
    let (mut run, rest) = run_until(national(), &all_on(), records(legality_opinion_given));
    let v = run.refused(&record(Fact::LegalityOpinion {
        draft: DraftHash::of("另一份草案"),
        outcome: LegalityOutcome::Lawful,
        reasons: "合法".into(),
        legal_risks: None,
        findings: Some(juece::procedure::state::LegalityFindings::new(
            "符合法定权限",
            "已履行法定程序",
            "内容合法",
        )),
        revision_required: None,
    }));
    assert_rule(&v, "legality_review.opinion_on_other_draft", "第二十五条");
    run.ok(&rest[0].command);
}

fn opinion_with(
    outcome: LegalityOutcome,
    findings: Option<juece::procedure::state::LegalityFindings>,
    revision: Option<&str>,
) -> Command {
    record(Fact::LegalityOpinion {
        draft: draft(1),
        outcome,
        reasons: "经审查".into(),
        legal_risks: None,
        findings,
        revision_required: revision.map(Into::into),
    })
}

fn findings(a: &str, p: &str, c: &str) -> Option<juece::procedure::state::LegalityFindings> {
    Some(juece::procedure::state::LegalityFindings::new(a, p, c))
}

#[test]
fn a_legality_opinion_must_state_its_findings_on_authority_procedure_and_content() {
    // 第二十七条: 合法性审查的内容包括 (一)法定权限 (二)法定程序 (三)内容.
    let (mut run, _) = run_until(national(), &plain(), records(legality_opinion_given));
    let v = run.refused(&opinion_with(LegalityOutcome::Lawful, None, None));
    assert_rule(&v, "legality_review.opinion_incomplete", "第二十七条");
    let v = run.refused(&opinion_with(
        LegalityOutcome::Lawful,
        findings("符合", " ", "合法"),
        None,
    ));
    assert_rule(&v, "legality_review.opinion_incomplete", "第二十七条");
    assert!(v[0].message_zh.contains("法定程序"), "{v:#?}");
    run.ok(&opinion_with(
        LegalityOutcome::Lawful,
        findings("符合法定权限", "已履行法定程序", "内容合法"),
        None,
    ));
}

#[test]
fn a_draft_lawful_after_revision_goes_to_the_meeting_only_once_revised() {
    // 第二十八条: 决策承办单位根据合法性审查意见进行必要的调整或者补充.
    let (mut run, rest) = run_until(national(), &plain(), records(legality_opinion_given));
    let ok = findings("符合法定权限", "已履行法定程序", "第五条须修改");
    let v = run.refused(&opinion_with(
        LegalityOutcome::LawfulAfterRevision,
        ok.clone(),
        None,
    ));
    assert_rule(&v, "legality_review.revision_unspecified", "第二十八条");
    run.ok(&opinion_with(
        LegalityOutcome::LawfulAfterRevision,
        ok,
        Some("删除第五条中的收费标准"),
    ));
    let rest: Vec<Step> = rest.into_iter().skip(1).collect();
    run.until(rest, starts(stage::COLLECTIVE_DECISION));
    let v = run.refused(&start(stage::COLLECTIVE_DECISION));
    assert_rule(&v, "collective_decision.revision_missing", "第二十八条");
    run.ok(&new_draft(2));
    run.ok(&start(stage::COLLECTIVE_DECISION));
}

#[test]
fn a_legality_opinion_without_a_legal_counsel_opinion_is_refused() {
    let mut run = Run::new(national());
    let steps = walk_without(
        &all_on(),
        records(|f| matches!(f, Fact::LegalCounselOpinion { .. })),
    );
    let rest = run.until(steps, records(legality_opinion_given));
    let v = run.refused(&rest[0].command);
    assert_rule(&v, "legality_review.counsel_opinion_missing", "第二十八条");
    run.ok(&counsel(1));
    run.ok(&rest[0].command);
}

#[test]
fn an_unlawful_opinion_sends_the_decision_back_to_drafting_and_keeps_it_from_the_meeting() {
    let (mut run, _) = run_until(national(), &all_on(), records(legality_opinion_given));
    run.ok(&legality_opinion(1, LegalityOutcome::Unlawful, None));
    assert_eq!(run.state.status(stage::DRAFTING), StageStatus::InProgress);
    assert_eq!(
        run.state.status(stage::LEGALITY_REVIEW),
        StageStatus::NotStarted
    );
    let v = run.refused(&start(stage::COLLECTIVE_DECISION));
    assert_rule_at(
        &v,
        "flow.required_stage_skipped",
        stage::LEGALITY_REVIEW,
        "第二十五条",
    );
    assert_rule_at(
        &v,
        "flow.required_stage_skipped",
        stage::DRAFTING,
        "第十二条",
    );
    let v = run.refused(&complete(stage::LEGALITY_REVIEW));
    assert_rule(&v, "flow.stage_not_in_progress", "第二十五条");
}

#[test]
fn a_draft_found_unlawful_while_the_meeting_stage_is_open_cannot_be_tabled() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::MeetingConvened { .. })),
    );
    run.ok(&start(stage::LEGALITY_REVIEW));
    run.ok(&submission(1, ymd(2026, 5, 29)));
    run.ok(&counsel(1));
    run.ok(&legality_opinion(1, LegalityOutcome::Unlawful, None));
    let v = run.refused(&rest[0].command);
    assert_rule(&v, "collective_decision.unlawful_draft", "第二十五条");
}

#[test]
fn a_legal_risk_statement_is_refused_for_a_matter_that_is_not_exploratory_reform() {
    let (mut run, _) = run_until(national(), &all_on(), records(legality_opinion_given));
    let v = run.refused(&legality_opinion(
        1,
        LegalityOutcome::LegalRiskStated,
        Some("国家尚无明确规定，存在被认定越权的风险"),
    ));
    assert_rule(
        &v,
        "legality_review.legal_risk_not_exploratory",
        "第二十五条",
    );
}

#[test]
fn an_exploratory_reform_may_go_to_the_meeting_with_its_legal_risk_stated() {
    let attrs = all_on().with("exploratory_reform", true);
    let (mut run, _) = run_until(national(), &attrs, records(legality_opinion_given));
    let v = run.refused(&legality_opinion(1, LegalityOutcome::LegalRiskStated, None));
    assert_rule(&v, "legality_review.legal_risks_missing", "第二十五条");
    run.ok(&legality_opinion(
        1,
        LegalityOutcome::LegalRiskStated,
        Some("国家尚无明确规定，存在被认定越权的风险"),
    ));
    run.ok(&complete(stage::LEGALITY_REVIEW));
    run.ok(&start(stage::COLLECTIVE_DECISION));
}

#[test]
fn a_legal_risk_statement_does_not_carry_a_matter_that_is_no_longer_exploratory_reform() {
    let attrs = all_on().with("exploratory_reform", true);
    let (mut run, _) = run_until(national(), &attrs, records(legality_opinion_given));
    run.ok(&legality_opinion(
        1,
        LegalityOutcome::LegalRiskStated,
        Some("国家尚无明确规定，存在被认定越权的风险"),
    ));
    run.ok(&complete(stage::LEGALITY_REVIEW));
    run.ok(&Command::ChangeAttributes {
        attributes: all_on(),
        reason: "国家已出台明确规定，不再属于探索性改革事项".into(),
    });
    let v = run.refused(&start(stage::COLLECTIVE_DECISION));
    assert_rule(
        &v,
        "collective_decision.legal_risk_not_exploratory",
        "第二十五条",
    );
}

// ---- collective decision (第二十五条第二款, 第二十九、三十条)

#[test]
fn a_meeting_on_a_draft_changed_after_the_legality_review_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::COLLECTIVE_DECISION));
    run.ok(&new_draft(2));
    let v = run.refused(&start(stage::COLLECTIVE_DECISION));
    assert_rule(&v, "collective_decision.draft_not_reviewed", "第二十五条");
}

#[test]
fn adopting_after_the_draft_changed_during_the_meeting_stage_is_refused() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::HeadDecision { .. })),
    );
    run.ok(&new_draft(2));
    let v = run.refused(&rest[0].command);
    assert_rule(&v, "collective_decision.not_current_draft", "第二十九条");
}

fn first_statement(f: &Fact) -> bool {
    matches!(f, Fact::MeetingStatement { .. })
}

#[test]
fn a_member_speaking_after_the_head_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), records(first_statement));
    run.ok(&statement("m1", Position::Support));
    run.ok(&statement("m2", Position::Support));
    run.ok(&statement("h", Position::Support));
    let v = run.refused(&statement("m3", Position::Support));
    assert_rule(&v, "collective_decision.head_not_last", "第三十条");
}

#[test]
fn a_member_may_speak_more_than_once_and_the_latest_position_counts() {
    // 第三十条第二款: 充分发表意见 — no limit on how often. m1 and m2 first oppose, then support:
    // the head adopting is no departure from the majority.
    let (mut run, _) = run_until(national(), &all_on(), records(first_statement));
    run.ok(&statement("m1", Position::Oppose));
    run.ok(&statement("m2", Position::Oppose));
    run.ok(&statement("m3", Position::Support));
    run.ok(&statement("m1", Position::Support));
    run.ok(&statement("m2", Position::Support));
    run.ok(&statement("h", Position::Support));
    run.ok(&head_decision(MeetingOutcome::Adopted, None));
    assert_eq!(run.state.status, DecisionStatus::Adopted);
}

#[test]
fn a_member_who_changes_to_opposition_makes_adoption_a_departure_needing_a_reason() {
    let (mut run, _) = run_until(national(), &all_on(), records(first_statement));
    run.ok(&statement("m1", Position::Support));
    run.ok(&statement("m2", Position::Support));
    run.ok(&statement("m3", Position::Oppose));
    run.ok(&statement("m1", Position::Oppose));
    run.ok(&statement("m2", Position::Oppose));
    run.ok(&statement("h", Position::Support));
    let v = run.refused(&head_decision(MeetingOutcome::Adopted, None));
    assert_rule(
        &v,
        "collective_decision.deviation_without_reason",
        "第三十条第二款",
    );
}

#[test]
fn the_head_deciding_without_having_spoken_last_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), records(first_statement));
    for m in ["m1", "m2", "m3"] {
        run.ok(&statement(m, Position::Support));
    }
    let v = run.refused(&head_decision(MeetingOutcome::Adopted, None));
    assert_rule(&v, "collective_decision.head_not_last", "第三十条");
    run.ok(&statement("h", Position::Support));
    run.ok(&head_decision(MeetingOutcome::Adopted, None));
    assert_eq!(run.state.status, DecisionStatus::Adopted);
}

#[test]
fn a_decision_before_every_member_is_heard_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), records(first_statement));
    run.ok(&statement("m1", Position::Support));
    run.ok(&statement("m2", Position::Support));
    run.ok(&statement("h", Position::Support));
    let v = run.refused(&head_decision(MeetingOutcome::Adopted, None));
    assert_rule(&v, "collective_decision.member_not_heard", "第三十条");
    assert!(v[0].message_zh.contains("秘书长"));
}

fn majority_opposed(run: &mut Run) {
    run.ok(&statement("m1", Position::Oppose));
    run.ok(&statement("m2", Position::Oppose));
    run.ok(&statement("m3", Position::Support));
    run.ok(&statement("h", Position::Support));
}

#[test]
fn the_head_departing_from_the_majority_without_a_reason_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), records(first_statement));
    majority_opposed(&mut run);
    let v = run.refused(&head_decision(MeetingOutcome::Adopted, None));
    assert_rule(
        &v,
        "collective_decision.deviation_without_reason",
        "第三十条",
    );
    let v = run.refused(&head_decision(MeetingOutcome::Adopted, Some(" ")));
    assert_rule(
        &v,
        "collective_decision.deviation_without_reason",
        "第三十条",
    );
}

#[test]
fn the_head_departing_from_the_majority_with_a_stated_reason_is_accepted() {
    let (mut run, _) = run_until(national(), &all_on(), records(first_statement));
    majority_opposed(&mut run);
    run.ok(&head_decision(
        MeetingOutcome::Adopted,
        Some("上级督办事项，须在年内完成"),
    ));
    assert_eq!(run.state.status, DecisionStatus::Adopted);
    assert_eq!(
        run.state.status(stage::COLLECTIVE_DECISION),
        StageStatus::Completed
    );
}

// ---- attributes

#[test]
fn an_attribute_change_that_drops_a_started_stage_is_refused() {
    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::ExpertSelected { .. })),
    );
    let v = run.refused(&Command::ChangeAttributes {
        attributes: all_on().with("technical", false),
        reason: "重新认定".into(),
    });
    assert_rule_at(
        &v,
        "attributes.drops_started_stage",
        stage::EXPERT_REVIEW,
        "第十九条",
    );
    // Making the matter not public would forbid the participation and hearing under way.
    let v = run.refused(&Command::ChangeAttributes {
        attributes: all_on().with("not_public", true),
        reason: "经审查属于依法不予公开的事项".into(),
    });
    assert_rule_at(
        &v,
        "attributes.drops_started_stage",
        stage::PUBLIC_PARTICIPATION,
        "第十四条",
    );
    assert_rule_at(
        &v,
        "attributes.drops_started_stage",
        stage::HEARING,
        "第十六条",
    );
}

#[test]
fn an_attribute_change_that_only_adds_stages_is_accepted_and_the_stage_becomes_required() {
    let mut run = Run::new(national());
    let steps = walk_without(&plain(), is_expert_review);
    let rest = run.until(steps, starts(stage::LEGALITY_REVIEW));
    run.ok(&Command::ChangeAttributes {
        attributes: plain().with("technical", true),
        reason: "草案涉及垃圾焚烧技术标准".into(),
    });
    let v = run.refused(&rest[0].command);
    assert_rule_at(
        &v,
        "flow.required_stage_skipped",
        stage::EXPERT_REVIEW,
        "第十九条",
    );
}

#[test]
fn an_attribute_change_needs_a_reason() {
    let (mut run, _) = run_until(national(), &plain(), starts(stage::DRAFTING));
    let v = run.refused(&Command::ChangeAttributes {
        attributes: plain().with("technical", true),
        reason: String::new(),
    });
    assert_rule(&v, "attributes.reason_missing", "第三十三条");
}

#[test]
fn a_stage_added_by_an_attribute_change_at_the_meeting_must_be_done_before_adoption() {
    // The decision goes to the meeting with no expert review (optional then). The members find
    // the matter technical: the expert review becomes required and must be done before adopting.
    let mut run = Run::new(national());
    let steps = walk_without(&plain(), is_expert_review);
    let rest = run.until(steps, records(|f| matches!(f, Fact::HeadDecision { .. })));
    run.ok(&Command::ChangeAttributes {
        attributes: plain().with("technical", true),
        reason: "会议认为专业性较强，须组织专家论证".into(),
    });
    let v = run.refused(&rest[0].command);
    assert_rule_at(
        &v,
        "flow.required_stage_skipped",
        stage::EXPERT_REVIEW,
        "第十九条",
    );
    run.ok(&start(stage::EXPERT_REVIEW));
    run.ok(&expert("e1", "专家1", false));
    run.ok(&record(Fact::ExpertOpinion {
        expert_id: "e1".into(),
        draft: draft(1),
        signed: true,
        summary: "可行".into(),
    }));
    run.ok(&record(Fact::ExpertReport {
        summary: "已采纳".into(),
    }));
    run.ok(&complete(stage::EXPERT_REVIEW));
    // The legality opinion predates the expert review: the draft is reviewed again (第二十七条).
    let v = run.refused(&rest[0].command);
    assert_rule_at(
        &v,
        "collective_decision.review_predates_procedure",
        stage::EXPERT_REVIEW,
        "第二十七条",
    );
    run.ok(&start(stage::LEGALITY_REVIEW));
    run.ok(&submission(1, ymd(2026, 5, 29)));
    run.ok(&counsel(1));
    run.ok(&legality_opinion(1, LegalityOutcome::Lawful, None));
    run.ok(&complete(stage::LEGALITY_REVIEW));
    run.ok(&rest[0].command);
    assert_eq!(run.state.status, DecisionStatus::Adopted);
}

#[test]
fn adopting_while_a_reopened_legality_review_is_unfinished_is_refused() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::HeadDecision { .. })),
    );
    run.ok(&start(stage::LEGALITY_REVIEW));
    run.ok(&submission(1, ymd(2026, 5, 29)));
    let v = run.refused(&rest[0].command);
    assert_rule_at(
        &v,
        "flow.required_stage_skipped",
        stage::LEGALITY_REVIEW,
        "第二十五条",
    );
}

// ---- scope (第三条)

#[test]
fn out_of_scope_categories_are_refused_at_initiation() {
    let steps = script::full_walk(national(), &all_on(), t0());
    let Command::Initiate(init) = &steps[0].command else {
        panic!("the walk starts with the initiation");
    };
    for category in [
        Category::MacroControl,
        Category::Legislation,
        Category::EmergencyResponse,
    ] {
        let mut bad = init.clone();
        bad.attributes.category = category;
        let mut run = Run::new(national());
        let v = run.refused(&Command::Initiate(bad));
        assert_rule(&v, "scope.out_of_scope_category", "第三条");
        assert!(v[0].message_zh.contains(category.zh()));
    }
    for category in Category::IN_SCOPE {
        let mut good = init.clone();
        good.attributes.category = category;
        Run::new(national()).ok(&Command::Initiate(good));
    }
}

#[test]
fn changing_to_a_matter_whose_procedure_another_statute_sets_is_refused() {
    let (mut run, _) = run_until(national(), &plain(), starts(stage::PUBLIC_PARTICIPATION));
    let v = run.refused(&Command::ChangeAttributes {
        attributes: plain().with("other_statute_procedure", true),
        reason: "经核实属于城乡规划法规定程序的事项".into(),
    });
    assert_rule(&v, "scope.excluded_matter", "第三条第二款");
}

#[test]
fn a_matter_the_peoples_congress_decides_is_not_decided_by_the_government() {
    // 第八条第一款: 属于本级人民代表大会及其常务委员会讨论决定的重大事项范围的，按照有关规定办理.
    let steps = script::full_walk(national(), &plain(), t0());
    let mut init = match &steps[0].command {
        Command::Initiate(init) => init.clone(),
        other => panic!("{other:?}"),
    };
    init.attributes = init.attributes.with("npc_decides", true);
    let v = Run::new(national()).refused(&Command::Initiate(init));
    assert_rule(&v, "scope.excluded_matter", "第八条第一款");
    Run::new(national()).ok(&steps[0].command);
}

#[test]
fn changing_to_an_out_of_scope_category_is_refused() {
    let (mut run, _) = run_until(national(), &plain(), starts(stage::DRAFTING));
    let v = run.refused(&Command::ChangeAttributes {
        attributes: Attributes::new(Category::Legislation),
        reason: "改为立法项目".into(),
    });
    assert_rule(&v, "scope.out_of_scope_category", "第三条");
}

// ---- post-decision evaluation (第三十六条)

#[test]
fn the_unit_that_assessed_the_risk_may_not_evaluate_the_decision() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::EvaluationCommissioned { .. })),
    );
    let commission = |evaluator: &str| {
        record(Fact::EvaluationCommissioned {
            evaluator: evaluator.into(),
            grounds: vec![juece::procedure::state::EvaluationGround::ManyObjections],
        })
    };
    // The script's risk assessor, and the organisation of one of its experts.
    for unit in ["市社会稳定风险评估中心", "研究院2"] {
        let v = run.refused(&commission(unit));
        assert_rule(&v, "post_evaluation.evaluator_conflict", "第三十六条");
    }
    run.ok(&rest[0].command);
}

// ---- change, suspension, stop (第三十七条)

fn adopted_run(attrs: &Attributes) -> Run<'static> {
    let (run, _) = run_until(national(), attrs, starts(stage::PARTY_REPORT));
    assert_eq!(run.state.status, DecisionStatus::Adopted);
    run
}

fn full_run() -> Run<'static> {
    let mut run = Run::new(national());
    run.steps(&script::full_walk(national(), &all_on(), t0()));
    run
}

#[test]
fn a_new_draft_after_adoption_is_refused() {
    let mut run = adopted_run(&all_on());
    let v = run.refused(&new_draft(2));
    assert_rule(&v, "adjustment.outside_procedure", "第三十七条");
}

#[test]
fn an_adopted_decision_cannot_be_reopened_by_a_new_meeting_or_review() {
    let mut run = adopted_run(&all_on());
    for s in [
        stage::COLLECTIVE_DECISION,
        stage::LEGALITY_REVIEW,
        stage::RISK_ASSESSMENT,
        stage::EXPERT_REVIEW,
    ] {
        let v = run.refused(&start(s));
        assert_rule(&v, "adjustment.outside_procedure", "第三十七条");
    }
}

#[test]
fn a_risk_assessment_cannot_be_waived_after_adoption() {
    let mut run = Run::new(national());
    let steps = walk_without(&plain(), is_risk_assessment);
    run.until(steps, starts(stage::PARTY_REPORT));
    assert_eq!(run.state.status, DecisionStatus::Adopted);
    let v = run.refused(&Command::WaiveStage {
        stage: juece::procedure::state::StageId::new(stage::RISK_ASSESSMENT),
        reference: "《既有评估报告》".into(),
    });
    assert_rule(&v, "adjustment.outside_procedure", "第三十七条");
}

#[test]
fn stopping_a_decision_without_a_meeting_is_refused() {
    let mut run = full_run();
    run.ok(&start(stage::ADJUSTMENT));
    let stop = |meeting: &str| {
        record(Fact::Stopped {
            meeting: meeting.into(),
            reason: "客观情况发生重大变化".into(),
        })
    };
    let v = run.refused(&stop(""));
    assert_rule(&v, "adjustment.outside_procedure", "第三十七条");
    run.ok(&stop("市政府第12次常务会议"));
    assert_eq!(run.state.status, DecisionStatus::Stopped);
    // A stopped decision is closed.
    let v = run.refused(&complete(stage::EXECUTION));
    assert_rule(&v, "flow.decision_closed", "第三十七条");
}

#[test]
fn changing_a_decision_without_a_new_decision_is_refused() {
    let mut run = full_run();
    run.ok(&start(stage::ADJUSTMENT));
    let change = |new: &str| {
        record(Fact::Changed {
            new_decision: new.into(),
            hearing: None,
            evaluation_considered: Some("后评估报告建议调整收费标准，据此提出调整方案".into()),
        })
    };
    let v = run.refused(&change(" "));
    assert_rule(&v, "adjustment.outside_procedure", "第三十七条");
    // The walk evaluated the decision (第三十六条): the adjustment says how that counted.
    let v = run.refused(&record(Fact::Changed {
        new_decision: "2027-03".into(),
        hearing: None,
        evaluation_considered: None,
    }));
    assert_rule(
        &v,
        "adjustment.evaluation_not_considered",
        "第三十六条第四款",
    );
    run.ok(&change("2027-03"));
    // 第三十七条: the original stays in force until the new decision is adopted.
    assert_eq!(run.state.status, DecisionStatus::Adopted);
    assert_eq!(run.state.adjustment_pending.as_deref(), Some("2027-03"));
    let v = run.refused(&Command::Supersede {
        by: "2027-04".into(),
    });
    assert_rule(&v, "adjustment.not_pending", "第三十七条");
    run.ok(&Command::Supersede {
        by: "2027-03".into(),
    });
    assert_eq!(run.state.status, DecisionStatus::Superseded);
    assert_eq!(run.state.adjustment_pending, None);
}

#[test]
fn the_head_may_suspend_execution_first_in_an_emergency() {
    let mut run = full_run();
    run.ok(&record(Fact::Suspended {
        ground: SuspensionGround::ForceMajeure,
        reason: "台风灾害，投放点损毁".into(),
    }));
    assert_eq!(run.state.status, DecisionStatus::Suspended);
    run.ok(&record(Fact::Resumed {
        reason: "市政府常务会议决定恢复执行".into(),
    }));
    assert_eq!(run.state.status, DecisionStatus::Adopted);
}

#[test]
fn a_decision_not_yet_adopted_cannot_be_suspended() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::COLLECTIVE_DECISION));
    let v = run.refused(&record(Fact::Suspended {
        ground: SuspensionGround::MajorChange,
        reason: "情况紧急".into(),
    }));
    assert_rule(&v, "adjustment.not_in_execution", "第三十七条");
}

// ---- reports, publication, archiving (第三十一至三十三条)

#[test]
fn publication_before_the_party_report_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::PARTY_REPORT));
    let v = run.refused(&start(stage::PUBLICATION));
    assert_rule_at(
        &v,
        "flow.required_stage_skipped",
        stage::PARTY_REPORT,
        "第三十一条",
    );
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::PUBLICATION));
    run.ok(&start(stage::PUBLICATION));
}

fn party_report() -> Command {
    record(Fact::PartyReport {
        submitted_on: date(0),
        reply: None,
    })
}

fn party_reply(text: &str) -> Command {
    record(Fact::PartyReply {
        replied_on: date(0),
        reply: text.into(),
    })
}

#[test]
fn the_party_committee_may_be_reported_to_before_the_meeting() {
    // 第三十一条: 出台前 — before issuance, not necessarily after the meeting.
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::COLLECTIVE_DECISION));
    run.ok(&start(stage::PARTY_REPORT));
    run.ok(&party_report());
    run.ok(&complete(stage::PARTY_REPORT));
    run.ok(&start(stage::COLLECTIVE_DECISION));
    // Publication still waits for the meeting.
    let v = run.refused(&start(stage::PUBLICATION));
    assert_rule_at(
        &v,
        "flow.required_stage_skipped",
        stage::COLLECTIVE_DECISION,
        "第三十条",
    );
}

#[test]
fn a_party_report_completes_without_a_reply_and_the_reply_is_recorded_when_it_comes() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::PARTY_REPORT));
    run.ok(&start(stage::PARTY_REPORT));
    let v = run.refused(&party_reply("同意"));
    assert_rule(&v, "report.reply_without_report", "第三十一条");
    run.ok(&party_report());
    run.ok(&complete(stage::PARTY_REPORT));
    let v = run.refused(&party_reply(" "));
    assert_rule(&v, "report.reply_missing", "第三十一条");
    run.ok(&party_reply("原则同意"));
}

fn publication(explanation: Option<&str>) -> Command {
    record(Fact::Publication {
        channels: vec!["市政府公报".into()],
        published_on: date(45),
        text_hash: draft(1),
        opinions_explanation: explanation.map(Into::into),
    })
}

#[test]
fn publishing_a_matter_of_public_concern_without_the_explanation_is_refused() {
    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::Publication { .. })),
    );
    let v = run.refused(&publication(None));
    assert_rule(&v, "publication.explanation_missing", "第三十二条");
    run.ok(&publication(Some("公众意见和专家论证意见采纳情况说明")));
}

#[test]
fn publishing_an_ordinary_matter_needs_no_explanation() {
    let (mut run, _) = run_until(
        national(),
        &plain(),
        records(|f| matches!(f, Fact::Publication { .. })),
    );
    run.ok(&publication(None));
}

#[test]
fn the_explanation_at_publication_follows_public_concern_not_vital_interest() {
    // 第三十二条 names 社会公众普遍关心 (public_concern); 切身利益 (public_interest) is 第十六条's
    // trigger for a hearing, not a ground for the explanation.
    let at_publication = |a: &Attributes| {
        run_until(
            national(),
            a,
            records(|f| matches!(f, Fact::Publication { .. })),
        )
        .0
    };
    let mut run = at_publication(&plain().with("public_interest", true));
    run.ok(&publication(None));
    let mut run = at_publication(&plain().with("public_concern", true));
    let v = run.refused(&publication(None));
    assert_rule(&v, "publication.explanation_missing", "第三十二条");
    run.ok(&publication(Some("公众意见采纳情况说明")));
}

#[test]
fn archiving_before_publication_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::PUBLICATION));
    let v = run.refused(&start(stage::ARCHIVING));
    assert_rule_at(
        &v,
        "flow.required_stage_skipped",
        stage::PUBLICATION,
        "第三十二条",
    );
}

#[test]
fn archiving_cannot_complete_without_the_sealed_dossier() {
    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::ArchiveSealed { .. })),
    );
    let v = run.refused(&complete(stage::ARCHIVING));
    assert_rule(&v, "archiving.not_sealed", "第三十三条");
}

#[test]
fn sealing_the_dossier_while_a_stage_before_it_is_reopened_is_refused() {
    // In the national pack nothing before archiving can reopen once it starts; a pack that lets
    // a publication be re-issued can, and the dossier must then wait for it.
    let mut v = national_json();
    stage_json(&mut v, stage::PUBLICATION)["repeatable"] = serde_json::json!(true);
    let pack = pack_from(&v);
    let mut run = Run::new(&pack);
    let steps = script::full_walk(&pack, &all_on(), t0());
    let rest = run.until(steps, records(|f| matches!(f, Fact::ArchiveSealed { .. })));
    run.ok(&start(stage::PUBLICATION));
    let v = run.refused(&rest[0].command);
    assert_rule_at(
        &v,
        "archiving.incomplete_dossier",
        stage::PUBLICATION,
        "第三十三条",
    );
    run.ok(&publication(Some("采纳情况说明")));
    run.ok(&complete(stage::PUBLICATION));
    run.ok(&rest[0].command);
}

// ---- all violations, and nothing changed

#[test]
fn every_violation_of_a_command_is_reported_not_just_the_first() {
    let (mut run, _) = run_until(national(), &all_on(), records(comment_period_opened));
    let v = run.refused(&record(Fact::CommentPeriodOpened {
        draft: draft(1),
        days: 10,
        notice: " ".into(),
        channels: vec![],
        shortening_reason: None,
    }));
    let rules: Vec<&str> = v.iter().map(|x| x.rule.as_str()).collect();
    for r in [
        "participation.notice_missing",
        "participation.no_channel",
        "participation.comment_period_too_short",
    ] {
        assert!(rules.contains(&r), "{r} missing from {rules:?}");
    }

    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::ExpertSelected { .. })),
    );
    let v = run.refused(&record(Fact::ExpertSelected {
        expert_id: "e9".into(),
        name: "赵六".into(),
        field: "".into(),
        organisation: None,
        direct_interest: true,
        declaration: "".into(),
        outside_registry: None,
    }));
    assert_rule(&v, "expert_review.direct_interest", "第二十条");
    assert_rule(&v, "expert_review.declaration_missing", "第二十条");
    assert_rule(&v, "expert_review.field_missing", "第二十条");
}

#[test]
fn a_refused_command_changes_nothing_and_the_walk_goes_on_as_before() {
    let pack = national();
    let steps = script::full_walk(pack, &all_on(), t0());
    let mut clean = Run::new(pack);
    clean.steps(&steps);
    // The same walk with a refused command before every step after the initiation: a draft whose
    // hash is not a SHA-256 (Run::refused checks that each refusal leaves the state as it was).
    let mut noisy = Run::new(pack);
    for (i, s) in steps.iter().enumerate() {
        if i > 0 {
            noisy.now = s.at;
            noisy.refused(&record(Fact::Draft {
                hash: DraftHash("草案第二稿".into()),
                legal_basis: vec![],
                options: vec![],
            }));
        }
        noisy.steps(std::slice::from_ref(s));
    }
    assert_eq!(noisy.state, clean.state);
}

// ---- fair-competition review (第二十九条第（一）项; 《公平竞争审查条例》)

fn fair_reviewed(f: &Fact) -> bool {
    matches!(f, Fact::FairCompetitionReview { .. })
}

fn fair_review(
    passes: bool,
    regulator: Option<&str>,
    heard: &[&str],
    exception: Option<CompetitionException>,
) -> Command {
    record(Fact::FairCompetitionReview {
        draft: draft(1),
        reviewer: "市城市管理局".into(),
        passes,
        conclusion: "经评估对公平竞争的影响".into(),
        market_regulator: regulator.map(Into::into),
        stakeholders_heard: heard.iter().map(|s| s.to_string()).collect(),
        exception,
    })
}

fn exception(reason: &str, period: &str) -> Option<CompetitionException> {
    Some(CompetitionException {
        ground: CompetitionExceptionGround::PublicInterest,
        reason: reason.into(),
        period_or_end: period.into(),
    })
}

#[test]
fn a_fair_competition_review_without_the_market_regulator_or_the_operators_heard_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), records(fair_reviewed));
    let v = run.refused(&fair_review(true, None, &[], None));
    assert_rule(
        &v,
        "fair_competition.market_regulator_missing",
        "《公平竞争审查条例》第十四条",
    );
    assert_rule(
        &v,
        "fair_competition.stakeholders_not_heard",
        "《公平竞争审查条例》第十六条",
    );
    run.ok(&fair_review(
        true,
        Some("市市场监督管理局"),
        &["市再生资源行业协会", "本地回收企业代表"],
        None,
    ));
}

/// A market matter whose review of draft 1 is `review`, run up to its legality submission.
fn submission_after_review(review: Command) -> (Run<'static>, Vec<Violation>) {
    let (mut run, rest) = run_until(national(), &all_on(), records(fair_reviewed));
    run.ok(&review);
    let rest: Vec<Step> = rest
        .into_iter()
        .filter(|s| !records(fair_reviewed)(&s.command))
        .collect();
    let rest = run.until(rest, records(legality_submitted));
    let v = run.try_(&rest[0].command).err().unwrap_or_default();
    (run, v)
}

#[test]
fn a_failing_fair_competition_review_keeps_the_draft_from_the_legality_review_citing_article_18() {
    let (_, v) = submission_after_review(fair_review(
        false,
        Some("市市场监督管理局"),
        &["市再生资源行业协会"],
        None,
    ));
    assert_rule(
        &v,
        "legality_review.fair_competition_missing",
        "《公平竞争审查条例》第十八条、第十二条",
    );
    assert_rule(
        &v,
        "legality_review.fair_competition_missing",
        "第二十九条第（一）项",
    );
}

#[test]
fn a_failing_fair_competition_review_may_go_on_under_an_exception_of_article_12_with_its_reason() {
    let (run, v) = submission_after_review(fair_review(
        false,
        Some("市市场监督管理局"),
        &["市再生资源行业协会"],
        exception(
            "为实现节约能源、保护环境的社会公共利益；特许经营以外的方式无法保证收运连续，无对竞争影响更小的替代方案",
            "实施期限三年，期满评估",
        ),
    ));
    assert!(v.is_empty(), "{v:#?}");
    assert_eq!(
        run.state.status(stage::LEGALITY_REVIEW),
        StageStatus::InProgress
    );
}

#[test]
fn an_exception_of_article_12_without_its_reason_or_period_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), records(fair_reviewed));
    let v = run.refused(&fair_review(
        false,
        Some("市市场监督管理局"),
        &["市再生资源行业协会"],
        exception("", ""),
    ));
    assert_rule(
        &v,
        "fair_competition.exception_incomplete",
        "《公平竞争审查条例》第十二条、第十七条第二款",
    );
}

// ---- 第十三条, 第二十三条第二款, 第三十六条第三款

#[test]
fn every_department_the_matter_concerns_is_consulted_before_drafting_closes() {
    let steps: Vec<Step> = script::full_walk(national(), &plain(), t0())
        .into_iter()
        .map(|mut s| {
            if let Command::Initiate(init) = &mut s.command {
                init.departments_concerned.push("市自然资源局".into());
            }
            s
        })
        .collect();
    let mut run = Run::new(national());
    run.until(steps, completes(stage::DRAFTING));
    let v = run.refused(&complete(stage::DRAFTING));
    assert_rule(&v, "drafting.department_not_consulted", "第十三条");
    assert!(v[0].message_zh.contains("市自然资源局"), "{v:#?}");
    run.ok(&record(Fact::DepartmentConsultation {
        department: "市自然资源局".into(),
        agreed: true,
        disagreement_reported: None,
    }));
    run.ok(&complete(stage::DRAFTING));
}

#[test]
fn a_risk_report_must_name_the_departments_heard() {
    let (mut run, _) = run_until(national(), &all_on(), records(risk_reported));
    let mut report = risk_report(1, true, None);
    if let Command::Record {
        fact:
            Fact::RiskReport {
                departments_heard,
                third_party,
                ..
            },
    } = &mut report
    {
        departments_heard.clear();
        *third_party = Some("某社会稳定风险评估事务所".into());
    }
    let v = run.refused(&report);
    assert_rule(
        &v,
        "risk_assessment.departments_not_heard",
        "第二十三条第二款",
    );
    run.ok(&risk_report(1, true, None));
}

#[test]
fn a_post_evaluation_names_the_deputies_and_organisations_that_took_part() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::EvaluationReport { .. })),
    );
    let v = run.refused(&record(Fact::EvaluationReport {
        summary: "基本达到预期".into(),
        public_heard: true,
        participants: vec![],
    }));
    assert_rule(
        &v,
        "post_evaluation.participants_missing",
        "第三十六条第三款",
    );
    run.ok(&rest[0].command);
}

// ---- accountability (第三十八至四十一条)

fn accountability(
    ground: juece::procedure::state::AccountabilityGround,
    findings: &str,
    exempted: &[&str],
) -> Command {
    record(Fact::AccountabilityRecord {
        ground,
        decided_by: "省人民政府".into(),
        findings: findings.into(),
        responsible: vec!["市长".into()],
        exempted: exempted.iter().map(|s| s.to_string()).collect(),
    })
}

#[test]
fn only_a_member_who_dissented_on_the_record_is_exempted_for_a_seriously_mistaken_decision() {
    use juece::procedure::state::AccountabilityGround::{OrganViolation, SeriousError};
    let (mut run, _) = run_until(national(), &all_on(), records(first_statement));
    majority_opposed(&mut run);
    run.ok(&head_decision(
        MeetingOutcome::Adopted,
        Some("上级督办事项，须在年内完成"),
    ));
    let v = run.refused(&accountability(SeriousError, " ", &[]));
    assert_rule(&v, "accountability.findings_missing", "第三十八条第二款");
    // m3 supported the draft: no exemption.
    let v = run.refused(&accountability(
        SeriousError,
        "决策严重失误，倒查责任",
        &["m3"],
    ));
    assert_rule(
        &v,
        "accountability.exemption_without_dissent",
        "第三十八条第三款",
    );
    let v = run.refused(&accountability(OrganViolation, "责令改正", &["m1"]));
    assert_rule(
        &v,
        "accountability.exemption_not_applicable",
        "第三十八条第三款",
    );
    run.ok(&accountability(
        SeriousError,
        "决策严重失误，倒查责任，终身追究",
        &["m1", "副市长乙"],
    ));
    run.ok(&accountability(
        OrganViolation,
        "上一级行政机关责令改正",
        &[],
    ));
}
