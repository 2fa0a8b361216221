//! Demo data (`seeds/demo/demo.json`): organs, one user per role, and decisions walked through
//! the engine to different stages. Every step goes through the service — the same door as the
//! API — as the demo user whose role the step needs: comments through the intake, hearing
//! participants through applications and the published draw, experts from the registry. So the
//! demo record is as real as any.

use std::path::Path;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Deserialize;

use crate::access::{self, Parties, Principal};
use crate::db::comments::{self, NewComment};
use crate::db::rows::{Organ, User, UserRole};
use crate::db::{accounts, decisions, new_id, registry, stored_time, DbConn};
use crate::procedure::catalog::{CatalogCommand, ItemSpec};
use crate::procedure::script;
use crate::procedure::state::{china_date, Attributes, Category, Command};
use crate::procedure::Fact;
use crate::procedure::{Calendar, PackSet};
use crate::service::accounts::hash_password;
use crate::service::catalogs;
use crate::service::decisions::{self as service, NewDecision};
use crate::service::hearings::{self, NewApplication};
use crate::service::Engine;

/// What the demo public says.
const DEMO_COMMENTS: [&str; 3] = [
    "建议在老旧小区增设分类投放点，并配备督导员。",
    "希望明确对拒不分类行为的处罚标准和执法主体。",
    "建议对厨余垃圾处理设施的选址进行公示并听取周边居民意见。",
];

#[derive(Deserialize)]
struct DemoFile {
    organs: Vec<DemoOrgan>,
    users: Vec<DemoUser>,
    #[serde(default)]
    experts: Vec<DemoExpert>,
    decisions: Vec<DemoDecision>,
}

#[derive(Deserialize)]
struct DemoOrgan {
    id: String,
    name: String,
    kind: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    legality_unit: Option<String>,
    #[serde(default)]
    pack: Option<String>,
}

#[derive(Deserialize)]
struct DemoExpert {
    id: String,
    organ: String,
    name: String,
    organisation: String,
    fields: Vec<String>,
}

#[derive(Deserialize)]
struct DemoUser {
    username: String,
    display_name: String,
    password: String,
    roles: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct DemoDecision {
    title: String,
    organ: String,
    lead_unit: String,
    flags: Vec<String>,
    category: Category,
    stop_before: Option<String>,
    days_ago: i64,
}

/// Load the demo into an empty database. Returns false (and does nothing) when organs exist.
pub fn load_demo(
    conn: &mut DbConn,
    file: &Path,
    packs: &PackSet,
    cal: &Calendar,
    now: DateTime<Utc>,
) -> Result<bool, String> {
    if !accounts::all_organs(conn)
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Ok(false);
    }
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let demo: DemoFile =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let at = stored_time(now);
    // Organs refer to each other: insert them unlinked, then link.
    for o in &demo.organs {
        accounts::insert_organ(
            conn,
            &Organ {
                id: o.id.clone(),
                name: o.name.clone(),
                kind: o.kind.clone(),
                parent_id: None,
                legality_unit_id: None,
                pack_id: o.pack.clone(),
                created_at: at,
            },
        )
        .map_err(|e| format!("organ {}: {e}", o.name))?;
    }
    for o in &demo.organs {
        accounts::link_organ(conn, &o.id, o.parent.as_deref(), o.legality_unit.as_deref())
            .map_err(|e| format!("organ {}: {e}", o.name))?;
    }
    // Each demo user as the service sees them: the user with their roles.
    let mut users: Vec<Principal> = Vec::new();
    for u in &demo.users {
        let id = new_id();
        let user = User {
            id: id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            password_hash: hash_password(&u.password)?,
            created_at: at,
        };
        accounts::insert_user(conn, &user).map_err(|e| format!("user {}: {e}", u.username))?;
        let mut roles = Vec::new();
        for (organ, role) in &u.roles {
            accounts::grant(conn, &id, organ, role)
                .map_err(|e| format!("role of {}: {e}", u.username))?;
            roles.push(UserRole {
                user_id: id.clone(),
                organ_id: organ.clone(),
                role: role.clone(),
            });
        }
        users.push(Principal { user, roles });
    }
    // The registry (专家库): the scripted walks choose experts e1, e2, e3.
    let staff = users
        .iter()
        .find(|p| p.has_anywhere(access::role::ORGAN_STAFF))
        .map(|p| p.user.id.clone());
    if let Some(staff) = staff {
        for e in &demo.experts {
            let expert = crate::db::rows::Expert {
                id: e.id.clone(),
                organ_id: e.organ.clone(),
                name: e.name.clone(),
                organisation: Some(e.organisation.clone()),
                fields: serde_json::to_string(&e.fields).unwrap_or_default(),
                active: true,
                idempotency_key: None,
                created_by: staff.clone(),
                created_at: at,
                deactivated_at: None,
                deactivation_reason: None,
            };
            registry::insert_expert(conn, &expert, &e.fields)
                .map_err(|err| format!("expert {}: {err}", e.name))?;
        }
    }
    let engine = Engine {
        packs,
        calendar: cal,
    };
    let items = catalog(conn, &engine, &users, &demo.decisions, now)?;
    for d in &demo.decisions {
        walk(conn, &engine, &users, d, items.get(&d.title).cloned(), now)?;
    }
    adjust_catalog(conn, &engine, &users, &items, now)?;
    Ok(true)
}

/// The demo city's catalog for the year its first decision starts in: one item per demo
/// decision of the city, the party committee's consent, publication before the first decision
/// starts. Returns the items by title.
fn catalog(
    conn: &mut DbConn,
    engine: &Engine,
    users: &[Principal],
    decisions: &[DemoDecision],
    now: DateTime<Utc>,
) -> Result<BTreeMap<String, String>, String> {
    let Some(first) = decisions.iter().map(|d| d.days_ago).max() else {
        return Ok(BTreeMap::new());
    };
    let organ = &decisions[0].organ;
    let staff = users
        .iter()
        .find(|p| p.has(access::role::ORGAN_STAFF, organ))
        .ok_or("no demo user keeps the city's catalog")?;
    let start = now - Duration::days(first);
    let year = china_date(start).year();
    // Published in January of that year, or the day before the first decision if that is earlier.
    let january = china_date(start)
        .with_month(1)
        .and_then(|d| d.with_day(10))
        .and_then(|d| d.and_hms_opt(2, 0, 0))
        .map(|t| t.and_utc())
        .unwrap_or(start);
    let at = january.min(start - Duration::days(1));
    let opened = catalogs::open(conn, engine, staff, organ, year, at)
        .map_err(|e| format!("demo catalog: {e:?}"))?;
    let id = opened.row.id.clone();
    let mut version = opened.row.version;
    let give = |conn: &mut DbConn, cmd: CatalogCommand, version: &mut i64| {
        catalogs::command(conn, engine, staff, &id, *version, cmd, at)
            .inspect(|l| *version = l.row.version)
            .map_err(|e| format!("demo catalog: {e:?}"))
    };
    for d in decisions.iter().filter(|d| &d.organ == organ) {
        let unit = accounts::organ(conn, &d.lead_unit)
            .map_err(|e| e.to_string())?
            .map_or_else(|| d.lead_unit.clone(), |o| o.name);
        let mut attributes = Attributes::new(d.category);
        for f in &d.flags {
            attributes = attributes.with(f, true);
        }
        give(
            conn,
            CatalogCommand::AddItem {
                item: ItemSpec {
                    title: d.title.clone(),
                    undertaking_unit: unit,
                    attributes,
                    procedures: Vec::new(),
                    planned_by: NaiveDate::from_ymd_opt(year, 12, 31),
                    note: None,
                },
                reason: None,
            },
            &mut version,
        )?;
    }
    give(
        conn,
        CatalogCommand::RecordConsent {
            body: "中共示范市委员会".into(),
            consented_on: china_date(at),
            document_number: format!("示委办〔{year}〕3号"),
        },
        &mut version,
    )?;
    let published = give(conn, CatalogCommand::Publish {}, &mut version)?;
    Ok(published
        .catalog
        .items
        .values()
        .map(|i| (i.current.spec.title.clone(), i.id.clone()))
        .collect())
}

/// One adjustment of the demo catalog, published as its second revision: an item's planned time
/// moves, with its reason, and a new item is added.
fn adjust_catalog(
    conn: &mut DbConn,
    engine: &Engine,
    users: &[Principal],
    items: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let Some(item_id) = items.get("示范市公共停车收费管理办法") else {
        return Ok(());
    };
    let Some(row) = crate::db::catalogs::get_by_item(conn, item_id).map_err(|e| e.to_string())?
    else {
        return Ok(());
    };
    let loaded = catalogs::load(conn, &row.id).map_err(|e| format!("{e:?}"))?;
    let staff = users
        .iter()
        .find(|p| p.has(access::role::ORGAN_STAFF, &loaded.organ.id))
        .ok_or("no demo user keeps the city's catalog")?;
    let at = now - Duration::days(3);
    let Some(item) = loaded.catalog.items.get(item_id) else {
        return Ok(());
    };
    let mut spec = item.current.spec.clone();
    spec.planned_by = NaiveDate::from_ymd_opt(loaded.row.year + 1, 6, 30);
    spec.note = Some("与停车设施专项规划衔接后出台".into());
    let mut version = loaded.row.version;
    for cmd in [
        CatalogCommand::ChangeItem {
            item_id: item_id.clone(),
            item: spec,
            reason: Some("需与停车设施专项规划衔接，计划完成时间调整至次年上半年".into()),
        },
        CatalogCommand::AddItem {
            item: ItemSpec {
                title: "示范市养老服务设施布局专项规划".into(),
                undertaking_unit: "示范市发展和改革委员会".into(),
                attributes: Attributes::new(Category::Plan).with("public_interest", true),
                procedures: vec![crate::procedure::state::StageId::new("expert_review")],
                planned_by: NaiveDate::from_ymd_opt(loaded.row.year, 12, 31),
                note: None,
            },
            reason: Some("落实省级养老服务体系建设部署，年中增列".into()),
        },
        CatalogCommand::Publish {},
    ] {
        version = catalogs::command(conn, engine, staff, &row.id, version, cmd, at)
            .map_err(|e| format!("demo catalog adjustment: {e:?}"))?
            .row
            .version;
    }
    Ok(())
}

/// Walk one demo decision through the script up to where the demo stops it.
fn walk(
    conn: &mut DbConn,
    engine: &Engine,
    users: &[Principal],
    d: &DemoDecision,
    catalog_item_id: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let organ = accounts::organ(conn, &d.organ)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("demo decision: no organ {}", d.organ))?;
    let pack_id = organ.pack_id.clone().unwrap_or_else(|| "national".into());
    let start = now - Duration::days(d.days_ago);
    let pack = engine
        .packs
        .in_force(&pack_id, crate::procedure::state::china_date(start))
        .ok_or_else(|| format!("demo decision: no pack {pack_id}"))?;
    let mut attrs = Attributes::new(d.category);
    for f in &d.flags {
        attrs = attrs.with(f, true);
    }
    let parties = Parties {
        organ: &organ.id,
        lead_unit: &d.lead_unit,
        legality_unit: organ.legality_unit_id.as_deref(),
    };
    // The demo user who may give a command (the service checks it again).
    let who_for = |command: &Command| -> Result<&Principal, String> {
        users
            .iter()
            .find(|p| access::actor(p, &parties, command).is_ok())
            .ok_or_else(|| format!("no demo user may issue {}", command.name()))
    };
    let mut id: Option<String> = None;
    let mut version = 0;
    for step in script::full_walk(pack, &attrs, start) {
        if step.at > now || Some(step.command.name()) == d.stop_before {
            break;
        }
        let mut command = step.command;
        match (&id, &mut command) {
            (None, Command::Initiate(init)) => {
                init.title = d.title.clone();
                // The catalog link is made from a real catalog item, never from text.
                init.catalog_item = None;
            }
            // Comments come from the public through the intake; the script's c1, c2… are the
            // first, second… comment received.
            (
                Some(id),
                Command::Record {
                    fact: Fact::CommentsReceived { count, .. },
                },
            ) => {
                let items: Vec<NewComment> = (0..*count)
                    .map(|n| NewComment {
                        author_name: Some(format!("市民{}", n + 1)),
                        contact: None,
                        body: DEMO_COMMENTS[n as usize % DEMO_COMMENTS.len()].to_string(),
                        address_hash: "demo".into(),
                        idempotency_key: None,
                    })
                    .collect();
                crate::service::comments::receive_batch(conn, engine, id, &items, step.at)
                    .map_err(|e| format!("demo comments: {e}"))?;
                version = current_version(conn, id)?;
                continue;
            }
            (
                Some(id),
                Command::Record {
                    fact:
                        Fact::CommentDisposed { comment_id, .. }
                        | Fact::CommentHidden { comment_id, .. },
                },
            ) => {
                let n: usize = comment_id.trim_start_matches('c').parse().unwrap_or(1);
                let received =
                    comments::page(conn, id, None, 1000, false).map_err(|e| e.to_string())?;
                if let Some(c) = received.get(n.saturating_sub(1)) {
                    *comment_id = c.id.clone();
                }
            }
            // Participants apply, and the published draw chooses them (all of them: as many
            // seats as applicants).
            (
                Some(id),
                Command::Record {
                    fact: Fact::HearingParticipants { participants, .. },
                },
            ) => {
                let participants = participants.clone();
                let who = who_for(&Command::Record {
                    fact: Fact::HearingParticipants {
                        participants: Vec::new(),
                        selection_seed: None,
                    },
                })?;
                let mut seats = std::collections::BTreeMap::new();
                for p in participants.iter() {
                    hearings::apply(
                        conn,
                        engine,
                        id,
                        NewApplication {
                            name: p.name.clone(),
                            contact: "demo".into(),
                            interest_group: p.interest_group.clone(),
                            statement: "申请参加听证".into(),
                            civil_servant: p.civil_servant,
                            key: format!("demo-{}", p.name),
                            request_hash: format!("demo-{}", p.name),
                        },
                        step.at,
                    )
                    .map_err(|e| format!("demo hearing application: {e}"))?;
                    *seats.entry(p.interest_group.clone()).or_insert(0u32) += 1;
                }
                let drawn = hearings::draw(conn, engine, who, id, version, &seats, step.at)
                    .map_err(|e| format!("demo hearing draw: {e:?}"))?;
                version = drawn.applied.row.version;
                continue;
            }
            // An expert is chosen from the registry: the record takes the registry's name,
            // organisation and field.
            (
                _,
                Command::Record {
                    fact:
                        Fact::ExpertSelected {
                            name,
                            field,
                            organisation,
                            ..
                        },
                },
            ) => {
                name.clear();
                field.clear();
                *organisation = None;
            }
            _ => {}
        }
        let who = who_for(&command)?;
        let name = command.name();
        let applied = match &id {
            None => service::create(
                conn,
                engine,
                who,
                NewDecision {
                    organ_id: organ.id.clone(),
                    lead_unit_id: d.lead_unit.clone(),
                    lead_unit_designation: None,
                    catalog_item_id: catalog_item_id.clone(),
                    pack: None,
                    initiation: match command {
                        Command::Initiate(init) => init,
                        _ => return Err("a demo decision starts with its initiation".into()),
                    },
                },
                step.at,
            ),
            Some(id) => {
                let content = match &command {
                    Command::Record {
                        fact: Fact::Draft { .. },
                    } => Some(script::draft_text(1)),
                    _ => None,
                };
                crate::service::commands::submit(
                    conn,
                    engine,
                    who,
                    id,
                    version,
                    command,
                    content.as_deref(),
                    step.at,
                )
            }
        }
        .map_err(|e| format!("demo step {name}: {e:?}"))?;
        version = applied.row.version;
        id = Some(applied.row.id);
    }
    Ok(())
}

fn current_version(conn: &mut DbConn, id: &str) -> Result<i64, String> {
    Ok(decisions::decision(conn, id)
        .map_err(|e| e.to_string())?
        .map(|r| r.version)
        .unwrap_or_default())
}
