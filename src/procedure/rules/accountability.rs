//! 法律责任 (第三十八至四十一条): an accountability finding recorded on the decision for inspectors,
//! citing its article; a meeting member is exempted only for a dissent on the record
//! (第三十八条第三款: 有关人员对严重失误的决策表示不同意见的，按照规定减免责任).

use super::{required_text, Ctx, Violation};
use crate::procedure::state::{AccountabilityGround, Fact, Member, Position};
use crate::procedure::violation::law;

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    let Fact::AccountabilityRecord {
        ground,
        decided_by,
        findings,
        exempted,
        ..
    } = fact
    else {
        return;
    };
    let basis = || law(ground.article());
    required_text(
        decided_by,
        "accountability.decided_by_missing",
        basis(),
        "作出认定的机关",
        "the organ that made the finding",
        out,
    );
    required_text(
        findings,
        "accountability.findings_missing",
        basis(),
        "认定的事实和处理",
        "the facts found and what is ordered",
        out,
    );
    if exempted.is_empty() {
        return;
    }
    if *ground != AccountabilityGround::SeriousError {
        out.push(Violation::new(
            "accountability.exemption_not_applicable",
            law("第三十八条第三款"),
            "因表示不同意见减免责任，只适用于决策严重失误的责任追究",
            "exemption for a recorded dissent applies only to a seriously mistaken decision",
        ));
    }
    for who in exempted {
        if !dissented(ctx, who) {
            out.push(Violation::new(
                "accountability.exemption_without_dissent",
                law("第三十八条第三款"),
                format!("{who}在集体讨论中未有记录在案的不同意见，不得据此减免责任"),
                format!("{who} has no dissent on the record of the collective discussion"),
            ));
        }
    }
}

/// Whether `who` (a member's id or name) opposed the draft at one of the decision's meetings.
fn dissented(ctx: &Ctx, who: &str) -> bool {
    ctx.state.meetings.iter().any(|m| {
        let members: &[Member] = match &m.convened {
            Fact::MeetingConvened { members, .. } => members,
            _ => &[],
        };
        let ids: Vec<&str> = members
            .iter()
            .filter(|x| x.id == who || x.name == who)
            .map(|x| x.id.as_str())
            .collect();
        m.statements
            .iter()
            .any(|(id, p)| *p == Position::Oppose && ids.contains(&id.as_str()))
    })
}
