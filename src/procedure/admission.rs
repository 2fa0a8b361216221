//! Admission: the rules that judge a command against what the store holds — the expert registry
//! (第二十一条), another decision (第三十七条), the public comments (第十八条), the hearing
//! applications and draw (第十六条第三款), the organ's catalog and units (第三条第三款、第十一条) —
//! and the values only the server may supply (registry data, the draw's seed).
//!
//! The service asks [`needs`] what a command refers to, loads exactly that into a [`Context`],
//! and calls [`crate::procedure::judge`], which runs [`admit`] and then the stage rules. Every
//! route (a dedicated endpoint, `/commands`, the CLI, the demo loader) goes through it, so a fact
//! gets the same checks whichever way it arrives. Pure, like the rest of the engine: the context
//! is data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::state::{
    stage, Command, Decision, DecisionStatus, Fact, HearingParticipant, Initiation, MeetingKind,
    OrganKind, StageId,
};
use super::violation::{law, Violation};

/// What a command refers to that the store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// An expert of the registry, by id.
    pub expert: Option<String>,
    /// Another decision, by id.
    pub decision: Option<String>,
    /// Public comments of this decision, by id.
    pub comments: Vec<String>,
    /// The current hearing round's applications and draw.
    pub hearing: bool,
}

/// What `command` refers to.
pub fn needs(command: &Command) -> Needs {
    let mut n = Needs::default();
    match command {
        Command::Record { fact } => match fact {
            Fact::ExpertSelected {
                expert_id,
                outside_registry: None,
                ..
            } => n.expert = Some(expert_id.clone()),
            Fact::Changed { new_decision, .. } => n.decision = Some(new_decision.clone()),
            Fact::CommentHidden { comment_id, .. } | Fact::CommentDisposed { comment_id, .. } => {
                n.comments.push(comment_id.clone())
            }
            Fact::CommentsDisposed { comment_ids, .. } => n.comments.extend(comment_ids.clone()),
            Fact::HearingParticipants { .. } => n.hearing = true,
            _ => {}
        },
        Command::Supersede { by } => n.decision = Some(by.clone()),
        _ => {}
    }
    n
}

/// An expert as the registry holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryEntry {
    /// Registry id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Organisation.
    pub organisation: Option<String>,
    /// Fields of expertise.
    pub fields: Vec<String>,
    /// Still in service.
    pub active: bool,
    /// Whether the registry is the decision organ's own or a superior organ's (第二十一条第三款).
    pub reachable: bool,
}

/// Another decision as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedDecision {
    /// Its id.
    pub id: String,
    /// Whether it belongs to the same decision organ.
    pub same_organ: bool,
    /// Where it stands.
    pub status: DecisionStatus,
}

/// A public comment as the store holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentState {
    /// Hidden by moderation.
    pub hidden: bool,
    /// Disposed of.
    pub disposed: bool,
}

/// One application to the current hearing round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingApplicant {
    /// Name.
    pub name: String,
    /// Interest group.
    pub interest_group: String,
}

/// The current hearing round as the store holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingRound {
    /// Who applied.
    pub applicants: Vec<HearingApplicant>,
    /// The draw, if one was made: its seed and the list it produced.
    pub draw: Option<(String, Vec<HearingParticipant>)>,
}

/// The lead undertaking unit named at initiation, as the store holds it (第十一条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitStanding {
    /// Its name in the organ register.
    pub name: String,
    /// A department or lower government of the decision organ (its parent is the organ).
    pub subordinate: bool,
    /// The decision organ itself.
    pub is_decision_organ: bool,
    /// A party committee (not an administrative unit).
    pub party_committee: bool,
}

/// A catalog item named at initiation, as the store holds it (第三条第三款).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogStanding {
    /// Its id.
    pub id: String,
    /// In the decision organ's catalog.
    pub same_organ: bool,
    /// Published (经同级党委同意后向社会公布).
    pub published: bool,
    /// Already led to a decision.
    pub taken: bool,
}

/// What an initiation refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitiationContext {
    /// The lead undertaking unit.
    pub lead_unit: UnitStanding,
    /// Where the decision organ designated a unit that is not its own department: the
    /// designation (document or minutes), recorded with the initiation.
    pub designation: Option<String>,
    /// The catalog item named, if any; `None` inside when the id names nothing.
    pub catalog_item: Option<Option<CatalogStanding>>,
    /// The deciding organ's kind; `None` for an organ that makes no major administrative
    /// decisions (a party committee, a legality review unit…).
    pub organ_kind: Option<OrganKind>,
    /// The deciding organ's name.
    pub organ_name: String,
}

/// What the store holds that a command refers to (only what [`needs`] asked for).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Experts found, by id.
    pub experts: BTreeMap<String, RegistryEntry>,
    /// Other decisions found, by id.
    pub decisions: BTreeMap<String, LinkedDecision>,
    /// Comments of this decision found, by id.
    pub comments: BTreeMap<String, CommentState>,
    /// The hearing round, when asked for.
    pub hearing: Option<HearingRound>,
    /// For an initiation: the lead unit and catalog item.
    pub initiation: Option<InitiationContext>,
    /// The hash of the decision's last event: the seal of its archive (第三十三条).
    pub chain_head: String,
}

fn at(v: Violation, id: &str) -> Violation {
    v.at(&StageId::new(id))
}

/// Judge `command` against `ctx`: the command as it will be recorded (with the values only the
/// server may supply filled in), and every rule it breaks (empty: admitted).
pub fn admit(ctx: &Context, state: &Decision, command: Command) -> (Command, Vec<Violation>) {
    let mut out = Vec::new();
    let command = match command {
        Command::Record { fact } => Command::Record {
            fact: admit_fact(ctx, state, fact, &mut out),
        },
        Command::Initiate(init) => Command::Initiate(admit_initiation(ctx, init, &mut out)),
        Command::Supersede { by } => {
            match ctx.decisions.get(&by) {
                Some(d) if d.status == DecisionStatus::Adopted => {}
                _ => out.push(at(
                    Violation::new(
                        "adjustment.new_decision_not_adopted",
                        law("第三十七条"),
                        "调整后的新决策尚未依法作出，原决策继续有效",
                        "the new decision has not been adopted; the original stays in force",
                    ),
                    stage::ADJUSTMENT,
                )),
            }
            Command::Supersede { by }
        }
        other => other,
    };
    (command, out)
}

/// A comment named by a handling fact is this decision's, visible and not yet disposed (第十八条).
fn comment_standing(ctx: &Context, comment_id: &str, out: &mut Vec<Violation>) {
    let basis = law("第十八条");
    match ctx.comments.get(comment_id) {
        None => out.push(at(
            Violation::new(
                "participation.comment_unknown",
                basis,
                format!("本决策没有编号为 {comment_id} 的公众意见"),
                format!("this decision has no comment {comment_id}"),
            ),
            stage::PUBLIC_PARTICIPATION,
        )),
        Some(c) if c.hidden => out.push(at(
            Violation::new(
                "participation.comment_hidden",
                basis,
                format!("意见 {comment_id} 已依法屏蔽"),
                format!("comment {comment_id} is hidden"),
            ),
            stage::PUBLIC_PARTICIPATION,
        )),
        Some(c) if c.disposed => out.push(at(
            Violation::new(
                "participation.comment_already_disposed",
                basis,
                format!("意见 {comment_id} 已有处理结果"),
                format!("comment {comment_id} already has a disposition"),
            ),
            stage::PUBLIC_PARTICIPATION,
        )),
        Some(_) => {}
    }
}

fn admit_initiation(ctx: &Context, mut init: Initiation, out: &mut Vec<Violation>) -> Initiation {
    let Some(ic) = &ctx.initiation else {
        out.push(Violation::new(
            "initiation.lead_unit_ineligible",
            law("第十一条"),
            "未指明决策承办单位",
            "no undertaking unit is named",
        ));
        return init;
    };
    let u = &ic.lead_unit;
    let designated = ic
        .designation
        .as_deref()
        .is_some_and(|d| !d.trim().is_empty());
    if u.is_decision_organ || u.party_committee || !(u.subordinate || designated) {
        out.push(Violation::new(
            "initiation.lead_unit_ineligible",
            law("第十一条"),
            format!("“{}”不能承办本决策：承办单位应为决策机关所属部门或下一级人民政府，或由决策机关指定（须载明指定文件）", u.name),
            format!("{} cannot undertake this decision: the undertaking unit is a department or lower government of the decision organ, or a unit the organ designates (with the designation recorded)", u.name),
        ));
    }
    match ic.organ_kind {
        Some(kind) => init.organ_kind = Some(kind),
        None => out.push(Violation::new(
            "initiation.not_a_deciding_organ",
            law("第二条、第四十二条"),
            format!("“{}”不是作出重大行政决策的机关：本条例适用于县级以上地方人民政府，县级以上人民政府部门和乡级人民政府参照执行", ic.organ_name),
            format!("{} does not make major administrative decisions: the regulation applies to local governments at county level and above, and by reference to their departments and to township governments", ic.organ_name),
        )),
    }
    init.lead_unit = u.name.clone();
    init.lead_unit_designation = ic.designation.clone().filter(|d| !d.trim().is_empty());
    // The catalog link is the server's: a real item of the organ's published catalog, or none.
    match &ic.catalog_item {
        None => {
            if init
                .catalog_item
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty())
            {
                out.push(Violation::new(
                    "initiation.catalog_item_unknown",
                    law("第三条第三款"),
                    "决策事项目录的关联须指向本机关已公布目录中的事项（catalog_item_id），不接受自由文本",
                    "a catalog link names an item of the organ's published catalog (catalog_item_id), not free text",
                ));
            }
            init.catalog_item = None;
        }
        Some(item) => {
            let problem = match item {
                None => Some(("目录中没有该事项", "no such catalog item")),
                Some(i) if !i.same_organ => Some((
                    "该事项不属于本决策机关的目录",
                    "the item is in another organ's catalog",
                )),
                Some(i) if !i.published => Some((
                    "该目录尚未经同级党委同意并公布",
                    "the catalog is not consented and published",
                )),
                Some(i) if i.taken => Some((
                    "该目录事项已关联另一项决策",
                    "the item already led to another decision",
                )),
                Some(_) => None,
            };
            if let Some((zh, en)) = problem {
                out.push(Violation::new(
                    "initiation.catalog_item_unknown",
                    law("第三条第三款"),
                    format!("不能关联该决策事项目录事项：{zh}"),
                    format!("the catalog item cannot be linked: {en}"),
                ));
            }
            init.catalog_item = item.as_ref().map(|i| i.id.clone());
        }
    }
    init
}

fn admit_fact(ctx: &Context, state: &Decision, fact: Fact, out: &mut Vec<Violation>) -> Fact {
    match fact {
        // 第二十一条 "可以": an expert from outside the registries, recorded as such. The record
        // then names them as given, and must name them.
        Fact::ExpertSelected {
            ref name,
            ref organisation,
            outside_registry: Some(ref reason),
            ..
        } => {
            let missing = [
                (
                    reason.as_str(),
                    "不使用专家库的理由",
                    "the reason for an expert outside the registry",
                ),
                (name.as_str(), "专家姓名", "the expert's name"),
                (
                    organisation.as_deref().unwrap_or(""),
                    "专家所在单位",
                    "the expert's organisation",
                ),
            ];
            for (value, zh, en) in missing {
                if value.trim().is_empty() {
                    out.push(at(
                        Violation::new(
                            "expert_review.outside_expert_incomplete",
                            law("第二十一条"),
                            format!("库外专家须载明{zh}"),
                            format!("an expert outside the registry is recorded with {en}"),
                        ),
                        stage::EXPERT_REVIEW,
                    ));
                }
            }
            fact
        }
        Fact::ExpertSelected {
            expert_id,
            name,
            field,
            organisation,
            direct_interest,
            declaration,
            outside_registry: None,
        } => {
            let basis = law("第二十一条");
            let Some(e) = ctx.experts.get(&expert_id).filter(|e| e.reachable) else {
                out.push(at(
                    Violation::new(
                        "expert_review.not_in_registry",
                        law("第二十一条第三款"),
                        format!("{expert_id} 不是决策机关或其上级行政机关专家库中的专家"),
                        format!("{expert_id} is not an expert of the registry of the decision organ or of its superior organs"),
                    ),
                    stage::EXPERT_REVIEW,
                ));
                return Fact::ExpertSelected {
                    expert_id,
                    name,
                    field,
                    organisation,
                    direct_interest,
                    declaration,
                    outside_registry: None,
                };
            };
            if !e.active {
                out.push(at(
                    Violation::new(
                        "expert_review.expert_withdrawn",
                        basis.clone(),
                        format!("专家“{}”已退出专家库", e.name),
                        format!("expert {} has been withdrawn from the registry", e.name),
                    ),
                    stage::EXPERT_REVIEW,
                ));
            }
            // The record carries the registry's values: a client may omit them, not change them.
            let mismatch = |sent: &str, held: &str| !sent.trim().is_empty() && sent.trim() != held;
            let held_org = e.organisation.clone().unwrap_or_default();
            let sent_org = organisation.clone().unwrap_or_default();
            let field_ok = field.trim().is_empty() || e.fields.iter().any(|f| f == field.trim());
            if mismatch(&name, &e.name) || mismatch(&sent_org, &held_org) || !field_ok {
                out.push(at(
                    Violation::new(
                        "expert_review.registry_mismatch",
                        basis,
                        format!("专家的姓名、单位和专业领域以专家库登记为准（{}，{}，{}）", e.name, held_org, e.fields.join("、")),
                        format!("an expert's name, organisation and field are the registry's ({}, {}, {})", e.name, held_org, e.fields.join(", ")),
                    ),
                    stage::EXPERT_REVIEW,
                ));
            }
            Fact::ExpertSelected {
                expert_id,
                name: e.name.clone(),
                field: if field.trim().is_empty() {
                    e.fields.join("、")
                } else {
                    field.trim().to_string()
                },
                organisation: e.organisation.clone(),
                direct_interest,
                declaration,
                outside_registry: None,
            }
        }
        Fact::Changed {
            ref new_decision, ..
        } => {
            let ok = ctx
                .decisions
                .get(new_decision)
                .is_some_and(|d| d.same_organ && d.status != DecisionStatus::New);
            if !ok {
                out.push(at(
                    Violation::new(
                        "adjustment.new_decision_unknown",
                        law("第三十七条"),
                        format!("{new_decision} 不是本决策机关已启动的另一项决策；重大调整应当作为新决策依法履行相关法定程序"),
                        format!("{new_decision} is not another started decision of this organ; a major adjustment goes through the procedure as a new decision"),
                    ),
                    stage::ADJUSTMENT,
                ));
            }
            fact
        }
        Fact::CommentHidden { ref comment_id, .. }
        | Fact::CommentDisposed { ref comment_id, .. } => {
            comment_standing(ctx, comment_id, out);
            fact
        }
        // A disposition for a group of similar comments: each one is there and unhandled.
        Fact::CommentsDisposed {
            ref comment_ids, ..
        } => {
            for id in comment_ids {
                comment_standing(ctx, id, out);
            }
            fact
        }
        Fact::HearingParticipants {
            participants,
            selection_seed,
        } => {
            let basis = law("第十六条第三款");
            let round = ctx.hearing.clone().unwrap_or_default();
            match &round.draw {
                // A draw was made: the list is the draw's, and so is the seed.
                Some((seed, drawn)) => {
                    if &participants != drawn || selection_seed.as_ref().is_some_and(|s| s != seed)
                    {
                        out.push(at(
                            Violation::new(
                                "hearing.participants_not_drawn",
                                basis,
                                "听证参加人名单须与公开遴选（抽取）的结果一致",
                                "the participant list must be the one the published draw produced",
                            ),
                            stage::HEARING,
                        ));
                    }
                    Fact::HearingParticipants {
                        participants,
                        selection_seed: Some(seed.clone()),
                    }
                }
                None => {
                    if selection_seed.is_some() {
                        out.push(at(
                            Violation::new(
                                "hearing.seed_without_draw",
                                basis.clone(),
                                "本轮未进行抽取，不得填写抽取种子；随机遴选须通过系统公开抽取",
                                "no draw was made in this round: a seed cannot be given; a random selection is made through the published draw",
                            ),
                            stage::HEARING,
                        ));
                    }
                    // Without a draw (e.g. invitation per interest group), each participant
                    // applied, or the record says why they were invited.
                    let strays: Vec<&str> = participants
                        .iter()
                        .filter(|p| {
                            p.invitation_reason
                                .as_deref()
                                .is_none_or(|r| r.trim().is_empty())
                        })
                        .filter(|p| {
                            !round
                                .applicants
                                .iter()
                                .any(|a| a.name == p.name && a.interest_group == p.interest_group)
                        })
                        .map(|p| p.name.as_str())
                        .collect();
                    if !strays.is_empty() {
                        out.push(at(
                            Violation::new(
                                "hearing.participant_not_applicant",
                                basis,
                                format!("听证参加人须从报名人员中公平公开遴选，或载明邀请理由：{}", strays.join("、")),
                                format!("each participant applied, or the record states why they were invited: {}", strays.join(", ")),
                            ),
                            stage::HEARING,
                        ));
                    }
                    Fact::HearingParticipants {
                        participants,
                        selection_seed: None,
                    }
                }
            }
        }
        // 第三十三条: the dossier is sealed with the record's chain hash at sealing time, which
        // only the server knows; whatever the client sent is replaced.
        Fact::ArchiveSealed { .. } => Fact::ArchiveSealed {
            seal: ctx.chain_head.clone(),
        },
        Fact::MeetingConvened { ref kind, .. } => {
            if let MeetingKind::Other(k) = kind {
                out.push(at(
                    Violation::new(
                        "collective_decision.not_a_meeting",
                        law("第三十条第一款"),
                        format!("决策草案应当经决策机关常务会议或者全体会议讨论，“{k}”不是其中之一"),
                        format!("the draft is discussed at the organ's executive or plenary meeting; \"{k}\" is neither"),
                    ),
                    stage::COLLECTIVE_DECISION,
                ));
            }
            fact
        }
        Fact::ParticipationReport { .. } if state.comments.open() > 0 => {
            out.push(at(
                Violation::new(
                    "participation.comments_undisposed",
                    law("第十八条"),
                    format!(
                        "尚有{}条公众意见未处理，不能形成采纳情况报告",
                        state.comments.open()
                    ),
                    format!(
                        "{} comments have no disposition yet; the adoption report cannot be made",
                        state.comments.open()
                    ),
                ),
                stage::PUBLIC_PARTICIPATION,
            ));
            fact
        }
        other => other,
    }
}
