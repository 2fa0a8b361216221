//! `juece admin`: organs, users and roles from the command line.

use std::process::ExitCode;

use super::*;

pub(super) fn run(command: Admin) -> Result<ExitCode, String> {
    use crate::db::{accounts, new_id, rows, stored_time};
    let now = stored_time(chrono::Utc::now());
    match command {
        Admin::OrganAdd {
            data,
            name,
            kind,
            parent,
            legality_unit,
            pack,
        } => {
            let db = Db::open_cli(&data.database_url)?;
            let mut conn = db.write.get().map_err(|e| e.to_string())?;
            if name.trim().is_empty() {
                return Err("--name is empty".into());
            }
            // The kind decides whether the organ may decide (第二条、第四十二条): a misspelt kind
            // would leave a government unable to start a decision.
            const KINDS: [&str; 6] = [
                "decision_organ",
                "department",
                "township",
                "legality_review_unit",
                "party_committee",
                "other",
            ];
            if !KINDS.contains(&kind.as_str()) {
                return Err(format!(
                    "--kind: \"{kind}\" is not one of {}",
                    KINDS.join(", ")
                ));
            }
            for (what, id) in [("--parent", &parent), ("--legality-unit", &legality_unit)] {
                if let Some(id) = id {
                    if accounts::organ(&mut conn, id)
                        .map_err(|e| e.to_string())?
                        .is_none()
                    {
                        return Err(format!("{what}: no organ {id}"));
                    }
                }
            }
            if let Some(p) = &pack {
                let packs = crate::files::load_packs(&data.workflows).map_err(|_| {
                    "the packs do not load; run `juece workflows check`".to_string()
                })?;
                if packs.latest(p).is_none() {
                    return Err(format!(
                        "--pack: no pack {p} in {}",
                        data.workflows.display()
                    ));
                }
            }
            let id = new_id();
            accounts::insert_organ(
                &mut conn,
                &rows::Organ {
                    id: id.clone(),
                    name,
                    kind,
                    parent_id: parent,
                    legality_unit_id: legality_unit,
                    pack_id: pack,
                    created_at: now,
                },
            )
            .map_err(|e| e.to_string())?;
            println!("{id}");
        }
        Admin::Organs { data } => {
            let db = Db::open_cli(&data.database_url)?;
            let mut conn = db.read.get().map_err(|e| e.to_string())?;
            for o in accounts::all_organs(&mut conn).map_err(|e| e.to_string())? {
                println!(
                    "{}  {:<22} {}  legality unit: {}",
                    o.id,
                    o.kind,
                    o.name,
                    o.legality_unit_id.unwrap_or_else(|| "-".into())
                );
            }
        }
        Admin::UserAdd {
            data,
            username,
            display_name,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .map_err(|e| e.to_string())?;
            let password = password.trim_end_matches(['\r', '\n']);
            crate::service::accounts::check_new_password(password)
                .map_err(|e| format!("{e} (the first line of standard input)"))?;
            let db = Db::open_cli(&data.database_url)?;
            let mut conn = db.write.get().map_err(|e| e.to_string())?;
            if accounts::user_by_username(&mut conn, &username)
                .map_err(|e| e.to_string())?
                .is_some()
            {
                return Err(format!("user {username} exists"));
            }
            let hash = crate::service::accounts::hash_password(password)?;
            let id = new_id();
            accounts::insert_user(
                &mut conn,
                &rows::User {
                    id: id.clone(),
                    username,
                    display_name,
                    password_hash: hash,
                    created_at: now,
                },
            )
            .map_err(|e| e.to_string())?;
            println!("{id}");
        }
        Admin::Grant {
            data,
            username,
            organ,
            role: r,
        } => {
            let db = Db::open_cli(&data.database_url)?;
            let mut conn = db.write.get().map_err(|e| e.to_string())?;
            let user = user_for_role(&mut conn, &username, &r)?;
            if accounts::organ(&mut conn, &organ)
                .map_err(|e| e.to_string())?
                .is_none()
            {
                return Err(format!("no organ {organ}"));
            }
            let roles = accounts::roles_of(&mut conn, &user.id).map_err(|e| e.to_string())?;
            if !roles.iter().any(|x| x.organ_id == organ && x.role == r) {
                accounts::grant(&mut conn, &user.id, &organ, &r).map_err(|e| e.to_string())?;
            }
            println!("{username} is {r} of {organ}");
        }
        Admin::Revoke {
            data,
            username,
            organ,
            role: r,
        } => {
            let db = Db::open_cli(&data.database_url)?;
            let mut conn = db.write.get().map_err(|e| e.to_string())?;
            let user = user_for_role(&mut conn, &username, &r)?;
            if !accounts::revoke_role(&mut conn, &user.id, &organ, &r).map_err(|e| e.to_string())? {
                return Err(format!(
                    "{username} is not {r} of {organ} (juece admin users lists the roles)"
                ));
            }
            println!("{username} is no longer {r} of {organ}");
        }
        Admin::Users { data } => {
            let db = Db::open_cli(&data.database_url)?;
            let mut conn = db.read.get().map_err(|e| e.to_string())?;
            for (u, roles) in accounts::users_with_roles(&mut conn).map_err(|e| e.to_string())? {
                let roles: Vec<String> = roles
                    .iter()
                    .map(|r| format!("{}:{}", r.organ_id, r.role))
                    .collect();
                let roles = if roles.is_empty() {
                    "-".to_string()
                } else {
                    roles.join(" ")
                };
                println!("{}  {}  {}", u.username, u.display_name, roles);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The user a role is given to or taken from, with the role checked against the roles there are.
fn user_for_role(
    conn: &mut crate::db::DbConn,
    username: &str,
    r: &str,
) -> Result<crate::db::rows::User, String> {
    use crate::access::role;
    if !role::ALL.contains(&r) {
        return Err(format!("--role must be one of {}", role::ALL.join(", ")));
    }
    crate::db::accounts::user_by_username(conn, username)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no user {username}"))
}
