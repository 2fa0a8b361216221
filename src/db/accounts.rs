//! Organs, users, their roles per organ, and sign-in sessions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rows::*;
use super::schema::*;
use super::DbConn;

/// Insert an organ.
pub fn insert_organ(conn: &mut DbConn, organ: &Organ) -> QueryResult<()> {
    diesel::insert_into(organs::table)
        .values(organ)
        .execute(conn)
        .map(|_| ())
}

/// Set an organ's parent and legality review unit.
pub fn link_organ(
    conn: &mut DbConn,
    id: &str,
    parent: Option<&str>,
    legality_unit: Option<&str>,
) -> QueryResult<()> {
    diesel::update(organs::table.find(id))
        .set((
            organs::parent_id.eq(parent),
            organs::legality_unit_id.eq(legality_unit),
        ))
        .execute(conn)
        .map(|_| ())
}

/// An organ by id.
pub fn organ(conn: &mut DbConn, id: &str) -> QueryResult<Option<Organ>> {
    organs::table
        .find(id)
        .select(Organ::as_select())
        .first(conn)
        .optional()
}

/// Every organ.
pub fn all_organs(conn: &mut DbConn) -> QueryResult<Vec<Organ>> {
    organs::table
        .order(organs::name.asc())
        .select(Organ::as_select())
        .load(conn)
}

/// Insert a user.
pub fn insert_user(conn: &mut DbConn, user: &User) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)
        .map(|_| ())
}

/// Grant a role in an organ; every process forgets the user's cached sessions (their roles
/// changed).
pub fn grant(conn: &mut DbConn, user_id: &str, organ_id: &str, role: &str) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::insert_into(user_roles::table)
            .values(UserRole {
                user_id: user_id.into(),
                organ_id: organ_id.into(),
                role: role.into(),
            })
            .execute(conn)?;
        revoke(conn, None, Some(user_id))
    })
}

/// Take a role in an organ from a user; every process forgets the user's cached sessions, so
/// the next request is answered with the roles left (within the second the processes take to
/// read revocations). Returns whether the user held the role.
pub fn revoke_role(
    conn: &mut DbConn,
    user_id: &str,
    organ_id: &str,
    role: &str,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let removed = diesel::delete(
            user_roles::table
                .filter(user_roles::user_id.eq(user_id))
                .filter(user_roles::organ_id.eq(organ_id))
                .filter(user_roles::role.eq(role)),
        )
        .execute(conn)?;
        if removed > 0 {
            revoke(conn, None, Some(user_id))?;
        }
        Ok(removed > 0)
    })
}

/// Every user with their roles, by username.
pub fn users_with_roles(conn: &mut DbConn) -> QueryResult<Vec<(User, Vec<UserRole>)>> {
    let users: Vec<User> = users::table
        .order(users::username)
        .select(User::as_select())
        .load(conn)?;
    let mut roles: std::collections::HashMap<String, Vec<UserRole>> = Default::default();
    for r in user_roles::table
        .order((user_roles::organ_id, user_roles::role))
        .select(UserRole::as_select())
        .load::<UserRole>(conn)?
    {
        roles.entry(r.user_id.clone()).or_default().push(r);
    }
    Ok(users
        .into_iter()
        .map(|u| {
            let mine = roles.remove(&u.id).unwrap_or_default();
            (u, mine)
        })
        .collect())
}

/// A user by username.
pub fn user_by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// A user's roles.
pub fn roles_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<UserRole>> {
    user_roles::table
        .filter(user_roles::user_id.eq(user_id))
        .select(UserRole::as_select())
        .load(conn)
}

/// Store a session.
pub fn insert_session(conn: &mut DbConn, session: &Session) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)
        .map(|_| ())
}

/// The user of a live session with their roles, in one query.
pub fn session_with_roles(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(User, Vec<UserRole>, NaiveDateTime)>> {
    let rows: Vec<(User, NaiveDateTime, Option<UserRole>)> = sessions::table
        .inner_join(users::table.left_join(user_roles::table))
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::expires_at.gt(now))
        .select((
            User::as_select(),
            sessions::expires_at,
            Option::<UserRole>::as_select(),
        ))
        .load(conn)?;
    let mut rows = rows.into_iter();
    let Some((user, expires_at, first)) = rows.next() else {
        return Ok(None);
    };
    let roles = first
        .into_iter()
        .chain(rows.filter_map(|(_, _, r)| r))
        .collect();
    Ok(Some((user, roles, expires_at)))
}

/// Forget sessions that have expired.
pub fn delete_expired_sessions(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}

/// End a session; every process forgets it.
pub fn delete_session(conn: &mut DbConn, token_hash: &str) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::delete(sessions::table.find(token_hash)).execute(conn)?;
        revoke(conn, Some(token_hash), None)
    })
}

/// Record that a session (or every session of a user) ended or changed, for the processes'
/// caches of signed-in users (`service::sessions`).
fn revoke(conn: &mut DbConn, token_hash: Option<&str>, user_id: Option<&str>) -> QueryResult<()> {
    diesel::insert_into(revocations::table)
        .values((
            revocations::token_hash.eq(token_hash),
            revocations::user_id.eq(user_id),
            revocations::at.eq(super::stored_time(chrono::Utc::now())),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A revocation: its number, the session's token hash or the user.
pub type Revocation = (i64, Option<String>, Option<String>);

/// The revocations after number `after`, in order (at most 10,000).
pub fn revocations_after(conn: &mut DbConn, after: i64) -> QueryResult<Vec<Revocation>> {
    revocations::table
        .filter(revocations::id.gt(after))
        .order(revocations::id)
        .select((
            revocations::id,
            revocations::token_hash,
            revocations::user_id,
        ))
        .limit(10_000)
        .load(conn)
}

/// The number of the last revocation (0: none).
pub fn last_revocation(conn: &mut DbConn) -> QueryResult<i64> {
    revocations::table
        .select(diesel::dsl::max(revocations::id))
        .first::<Option<i64>>(conn)
        .map(|m| m.unwrap_or(0))
}

/// Forget revocations recorded before `before` (every process has read them long since).
pub fn prune_revocations(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(revocations::table.filter(revocations::at.lt(before))).execute(conn)
}

/// An organ and its parents, nearest first (at most 32 levels; a cycle ends the walk).
pub fn organ_and_parents(conn: &mut DbConn, organ_id: &str) -> QueryResult<Vec<String>> {
    let mut chain: Vec<String> = Vec::new();
    let mut next = Some(organ_id.to_string());
    while let Some(id) = next.take() {
        if chain.contains(&id) || chain.len() >= 32 {
            break;
        }
        let parent = organs::table
            .find(&id)
            .select(organs::parent_id)
            .first::<Option<String>>(conn)
            .optional()?;
        match parent {
            None => break,
            Some(p) => {
                chain.push(id);
                next = p;
            }
        }
    }
    Ok(chain)
}
