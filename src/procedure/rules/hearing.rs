//! 听证 (第十六条、第十七条): the draft, time and place published in advance, and the selection
//! method where participants are selected; the participant list published in advance; materials delivered at least the pack's
//! days before; held in public; the record confirmed and signed by every participant.

use chrono::NaiveDate;

use super::{required_text, Ctx, Violation};
use crate::procedure::state::{stage, Fact, HearingParticipant};
use crate::procedure::violation::law;

struct Hearing<'a> {
    date: Option<NaiveDate>,
    /// The selection method the notice published (blank where no selection was announced).
    method: Option<&'a str>,
    participants: Option<&'a [HearingParticipant]>,
    delivered: Vec<(&'a str, NaiveDate)>,
    held: Option<NaiveDate>,
    signed: Vec<&'a str>,
}

fn hearing<'a>(ctx: &'a Ctx) -> Hearing<'a> {
    let mut h = Hearing {
        date: None,
        method: None,
        participants: None,
        delivered: Vec::new(),
        held: None,
        signed: Vec::new(),
    };
    for d in ctx.state.round_facts(stage::HEARING) {
        match &d.fact {
            Fact::HearingNotice {
                hearing_on,
                selection_method,
                ..
            } => {
                h.date = Some(*hearing_on);
                h.method = Some(selection_method);
            }
            Fact::HearingParticipants { participants, .. } => h.participants = Some(participants),
            Fact::HearingMaterialsDelivered {
                participant,
                delivered_on,
            } => h.delivered.push((participant, *delivered_on)),
            Fact::HearingHeld { held_on, .. } => h.held = Some(*held_on),
            Fact::HearingRecordSigned { participant } => h.signed.push(participant),
            _ => {}
        }
    }
    h
}

fn is_participant(h: &Hearing, name: &str) -> bool {
    h.participants
        .is_some_and(|ps| ps.iter().any(|p| p.name == name))
}

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    let h = hearing(ctx);
    let notice = &ctx.pack.parameters.hearing_notice_days;
    let lead = |date: NaiveDate| (date - ctx.today).num_days();
    match fact {
        // 第十六条第三款: 需要遴选听证参加人的 — the selection method is published only where
        // participants are selected; a notice may leave it blank (every applicant admitted), and a
        // selection by draw is then refused at the participant list.
        Fact::HearingNotice {
            hearing_on,
            place,
            draft,
            explanation,
            ..
        } => {
            // 第十六条第二款: "应当提前公布决策草案及其说明等材料" — the notice publishes the draft
            // under discussion (the current one) and its explanation.
            if draft.is_none() || draft.as_ref() != ctx.state.current_draft() {
                out.push(Violation::new(
                    "hearing.draft_not_published",
                    law("第十六条第二款"),
                    "听证公告须公布当前的决策草案",
                    "the hearing notice must publish the current draft",
                ));
            }
            required_text(
                explanation.as_deref().unwrap_or(""),
                "hearing.explanation_not_published",
                law("第十六条第二款"),
                "随听证公告公布的决策草案说明",
                "the explanation of the draft published with the notice",
                out,
            );
            required_text(
                place,
                "hearing.place_missing",
                law("第十六条第二款"),
                "听证地点",
                "the place",
                out,
            );
            if lead(*hearing_on) < i64::from(notice.value) {
                out.push(Violation::new(
                    "hearing.notice_late",
                    notice.basis.clone(),
                    format!("听证会须至少提前{}日公布，{hearing_on}召开的听证会今天才公布", notice.value),
                    format!("a hearing must be announced at least {} day(s) ahead; the one on {hearing_on} is announced today", notice.value),
                ));
            }
        }
        Fact::HearingParticipants {
            participants,
            selection_seed,
        } => {
            let Some(date) = h.date else {
                out.push(no_notice());
                return;
            };
            if selection_seed.is_some() && h.method.is_none_or(|m| m.trim().is_empty()) {
                out.push(Violation::new(
                    "hearing.selection_method_missing",
                    law("第十六条第三款"),
                    "需要遴选听证参加人的，应当提前公布听证参加人遴选办法；听证公告未公布遴选办法",
                    "participants are selected, so the selection method must have been published in advance; the notice published none",
                ));
            }
            if participants.is_empty() {
                out.push(Violation::new(
                    "hearing.no_participants",
                    law("第十六条第三款"),
                    "听证参加人名单为空",
                    "the participant list is empty",
                ));
            }
            if lead(date) < i64::from(notice.value) {
                out.push(Violation::new(
                    "hearing.participants_late",
                    law("第十六条第三款"),
                    format!("听证参加人名单应当提前向社会公布（至少{}日）", notice.value),
                    format!(
                        "the participant list must be published in advance (at least {} day(s))",
                        notice.value
                    ),
                ));
            }
            let bar = &ctx.pack.parameters.hearing_bars_civil_servants;
            if bar.value {
                for p in participants.iter().filter(|p| p.civil_servant) {
                    out.push(Violation::new(
                        "hearing.civil_servant_participant",
                        bar.basis.clone(),
                        format!("{}是公务员，不得作为听证参加人", p.name),
                        format!(
                            "{} is a civil servant and may not be a hearing participant",
                            p.name
                        ),
                    ));
                }
            }
        }
        Fact::HearingMaterialsDelivered {
            participant,
            delivered_on,
        } => {
            if !is_participant(&h, participant) {
                out.push(not_participant(participant));
            }
            ctx.not_future("材料送达", "delivery", *delivered_on, out);
        }
        Fact::HearingHeld {
            held_on,
            public,
            proceedings,
            present,
        } => {
            // 第十七条: the draft presented, then statements, questioning, cross-examination and
            // debate — the record says how each went.
            let blank = |t: &str| t.trim().is_empty();
            let incomplete = match proceedings {
                None => true,
                Some(p) => blank(&p.presentation) || blank(&p.statements_and_debate),
            };
            if incomplete {
                out.push(Violation::new(
                    "hearing.proceedings_missing",
                    law("第十七条第（一）项、第（二）项"),
                    "听证记录须载明决策承办单位介绍草案、依据和有关情况，以及听证参加人陈述意见、询问、质证和辩论的情况",
                    "the record must state how the draft was presented and how participants stated views, questioned, cross-examined and debated",
                ));
            }
            let Some(participants) = h.participants else {
                out.push(Violation::new(
                    "hearing.participants_unpublished",
                    law("第十六条第三款"),
                    "听证参加人名单尚未公布",
                    "the participant list has not been published",
                ));
                return;
            };
            if h.date.is_none() {
                out.push(no_notice());
            }
            ctx.not_future("听证会", "hearing", *held_on, out);
            let quorum = &ctx.pack.parameters.hearing_quorum_two_thirds;
            if quorum.value {
                let here = participants
                    .iter()
                    .filter(|p| present.iter().any(|x| x == &p.name))
                    .count();
                if here * 3 < participants.len() * 2 {
                    out.push(Violation::new(
                        "hearing.quorum_not_met",
                        quorum.basis.clone(),
                        format!("听证会应当在有2/3以上听证代表出席时方可举行；出席{here}人，应出席{}人，应当延期举行", participants.len()),
                        format!("a hearing needs two thirds of the participants present; {here} of {} are", participants.len()),
                    ));
                }
            }
            if let Some(announced) = h.date {
                if *held_on < announced {
                    out.push(Violation::new(
                        "hearing.held_before_announced_date",
                        law("第十六条第二款"),
                        format!("听证会不得早于公布的时间（{announced}）举行"),
                        format!(
                            "the hearing may not be held before the announced date ({announced})"
                        ),
                    ));
                }
            }
            if !public {
                out.push(Violation::new(
                    "hearing.not_public",
                    law("第十七条"),
                    "听证会应当公开举行",
                    "a hearing must be held in public",
                ));
            }
            let days = &ctx.pack.parameters.hearing_materials_days;
            for p in participants {
                let on_time = h.delivered.iter().any(|(who, on)| {
                    *who == p.name && (*held_on - *on).num_days() >= i64::from(days.value)
                });
                if !on_time {
                    out.push(Violation::new(
                        "hearing.materials_late",
                        days.basis.clone(),
                        format!("听证会材料未于召开{}日前送达{}", days.value, p.name),
                        format!("the hearing materials did not reach {} at least {} days before the hearing", p.name, days.value),
                    ));
                }
            }
        }
        Fact::HearingRecordSigned { participant } => {
            if h.held.is_none() {
                out.push(Violation::new(
                    "hearing.not_held",
                    law("第十七条"),
                    "听证会尚未举行",
                    "the hearing has not been held",
                ));
            }
            if !is_participant(&h, participant) {
                out.push(not_participant(participant));
            }
        }
        Fact::HearingReport { summary } => {
            required_text(
                summary,
                "hearing.report_missing",
                law("第十八条"),
                "听证报告",
                "the hearing report",
                out,
            );
        }
        _ => {}
    }
}

fn no_notice() -> Violation {
    Violation::new(
        "hearing.no_notice",
        law("第十六条第二款"),
        "听证会公告尚未发布",
        "the hearing has not been announced",
    )
}

fn not_participant(name: &str) -> Violation {
    Violation::new(
        "hearing.unknown_participant",
        law("第十六条第三款"),
        format!("{name}不在已公布的听证参加人名单中"),
        format!("{name} is not on the published participant list"),
    )
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    let h = hearing(ctx);
    if h.held.is_none() {
        out.push(Violation::new(
            "hearing.not_held",
            law("第十七条"),
            "听证会尚未举行",
            "the hearing has not been held",
        ));
        return;
    }
    for p in h.participants.unwrap_or_default() {
        if !h.signed.contains(&p.name.as_str()) {
            out.push(Violation::new(
                "hearing.record_unsigned",
                law("第十七条第（三）项"),
                format!("听证参加人{}尚未确认听证会记录并签字", p.name),
                format!(
                    "participant {} has not confirmed and signed the record",
                    p.name
                ),
            ));
        }
    }
}
