//! Demo data (`seeds/demo/demo.json`): organs, one user per role, and decisions walked through
//! the engine to different stages. Every step goes through [`crate::db::store::append`] with the
//! demo user whose role the step needs, so the demo record is as real as any.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use crate::api::access::{self, Parties, Party};
use crate::api::auth::hash_password;
use crate::db::comments::{self, NewComment};
use crate::db::rows::{Organ, User};
use crate::db::store::{self, Actor, NewDecision};
use crate::db::DbConn;
use crate::procedure::script;
use crate::procedure::state::{Attributes, Category, Command};
use crate::procedure::Fact;
use crate::procedure::{Calendar, PackSet};

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
    if !store::all_organs(conn)
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Ok(false);
    }
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let demo: DemoFile =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let at = store::stored_time(now);
    // Organs refer to each other: insert them unlinked, then link.
    for o in &demo.organs {
        store::insert_organ(
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
        store::link_organ(conn, &o.id, o.parent.as_deref(), o.legality_unit.as_deref())
            .map_err(|e| format!("organ {}: {e}", o.name))?;
    }
    let mut users = Vec::new();
    for u in &demo.users {
        let id = store::new_id();
        store::insert_user(
            conn,
            &User {
                id: id.clone(),
                username: u.username.clone(),
                display_name: u.display_name.clone(),
                password_hash: hash_password(&u.password)?,
                created_at: at,
            },
        )
        .map_err(|e| format!("user {}: {e}", u.username))?;
        for (organ, role) in &u.roles {
            store::grant(conn, &id, organ, role)
                .map_err(|e| format!("role of {}: {e}", u.username))?;
            users.push((id.clone(), organ.clone(), role.clone()));
        }
    }
    // The registry (专家库): the scripted walks choose experts e1, e2, e3.
    if let Some((staff, _, _)) = users.iter().find(|(_, _, r)| r == "organ_staff") {
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
            store::insert_expert(conn, &expert, &e.fields)
                .map_err(|err| format!("expert {}: {err}", e.name))?;
        }
    }
    for d in &demo.decisions {
        let organ = store::organ(conn, &d.organ)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("demo decision: no organ {}", d.organ))?;
        let pack_id = organ.pack_id.clone().unwrap_or_else(|| "national".into());
        let start = now - Duration::days(d.days_ago);
        let pack = packs
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
        let actor_for = |command: &Command| -> Result<Actor, String> {
            for (role, party) in access::required(command) {
                let organ_id = match party {
                    Party::DecisionOrgan => Some(parties.organ),
                    Party::LeadUnit => Some(parties.lead_unit),
                    Party::LegalityUnit => parties.legality_unit,
                };
                if let Some(u) = users
                    .iter()
                    .find(|(_, o, r)| Some(o.as_str()) == organ_id && r == role)
                {
                    return Ok(Actor {
                        user_id: u.0.clone(),
                        role: u.2.clone(),
                        organ_id: u.1.clone(),
                    });
                }
            }
            Err(format!(
                "no demo user may issue {}",
                store::command_name(command)
            ))
        };
        let mut id: Option<String> = None;
        let mut version = 0;
        for step in script::full_walk(pack, &attrs, start) {
            if step.at > now || Some(store::command_name(&step.command)) == d.stop_before {
                break;
            }
            let mut command = step.command;
            if let Command::Initiate(init) = &mut command {
                init.title = d.title.clone();
            }
            let step = script::Step {
                at: step.at,
                command,
            };
            // Comments come from the public through the intake; the script's c1, c2… are the
            // first, second… comment received.
            if let (
                Some(id),
                Command::Record {
                    fact: Fact::CommentsReceived { count, .. },
                },
            ) = (&id, &step.command)
            {
                let items: Vec<NewComment> = (0..*count)
                    .map(|n| NewComment {
                        author_name: Some(format!("市民{}", n + 1)),
                        contact: None,
                        body: DEMO_COMMENTS[n as usize % DEMO_COMMENTS.len()].to_string(),
                        address_hash: "demo".into(),
                        idempotency_key: None,
                    })
                    .collect();
                comments::receive_batch(conn, pack, cal, id, &items, step.at)
                    .map_err(|e| format!("demo comments: {e:?}"))?;
                version = store::decision(conn, id)
                    .map_err(|e| e.to_string())?
                    .map(|r| r.version)
                    .unwrap_or(version);
                continue;
            }
            let mut step = step;
            if let (
                Some(id),
                Command::Record {
                    fact:
                        Fact::CommentDisposed { comment_id, .. }
                        | Fact::CommentHidden { comment_id, .. },
                },
            ) = (&id, &mut step.command)
            {
                let n: usize = comment_id.trim_start_matches('c').parse().unwrap_or(1);
                let received =
                    comments::page(conn, id, None, 1000, false).map_err(|e| e.to_string())?;
                if let Some(c) = received.get(n.saturating_sub(1)) {
                    *comment_id = c.id.clone();
                }
            }
            let actor = actor_for(&step.command)?;
            let applied = match &id {
                None => store::create_decision(
                    conn,
                    NewDecision {
                        organ_id: &organ.id,
                        lead_unit_id: &d.lead_unit,
                        catalog_item_id: None,
                        pack,
                    },
                    cal,
                    &step.command,
                    &actor,
                    step.at,
                ),
                Some(id) => {
                    let content = match &step.command {
                        Command::Record {
                            fact: Fact::Draft { .. },
                        } => Some(script::draft_text(1)),
                        _ => None,
                    };
                    store::append(
                        conn,
                        pack,
                        cal,
                        id,
                        version,
                        &step.command,
                        &actor,
                        step.at,
                        content.as_deref(),
                    )
                }
            }
            .map_err(|e| format!("demo step {}: {e:?}", store::command_name(&step.command)))?;
            version = applied.row.version;
            id = Some(applied.row.id);
        }
    }
    Ok(true)
}
