//! Accounts: argon2 passwords, bearer tokens stored hashed, sessions, and the [`Principal`](crate::access::Principal) a
//! token stands for. Sessions are security, not procedure: they follow the wall clock, never a
//! simulated one.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::ServiceError;
use crate::db::rows::{Session, User, UserRole};
use crate::db::{accounts, stored_time, Db, DbConn};

/// How long a token lives.
pub const TOKEN_HOURS: i64 = 12;

/// An argon2 hash of `password`.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to check against when the user does not exist, so that timing does not reveal names.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("juece-no-such-user").unwrap_or_default())
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `password` may be set: at least [`MIN_PASSWORD_CHARS`] characters that are not all
/// whitespace (ten spaces are no password). Checked by every route that sets one.
pub fn check_new_password(password: &str) -> Result<(), ServiceError> {
    if password.trim().is_empty() {
        return Err(ServiceError::Invalid(
            "password: blank or only whitespace / 密码不能为空或全为空白".into(),
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServiceError::Invalid(format!(
            "password: at least {MIN_PASSWORD_CHARS} characters / 密码至少{MIN_PASSWORD_CHARS}个字符"
        )));
    }
    Ok(())
}

/// The shortest password that may be set.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// A new session for a user whose password is right: the token (shown once) with the user and
/// their roles. `None` when the username or password is wrong.
///
/// The argon2 check (~17 ms) holds no connection, transaction or lock: the hash is read on a
/// read connection that is returned first, and only a right password reaches the writer (on
/// SQLite, the one write connection every other write waits for).
pub fn sign_in(
    db: &Db,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Option<(String, User, Vec<UserRole>)>, ServiceError> {
    let user = {
        let mut conn = db.read.get()?;
        accounts::user_by_username(&mut conn, username)?
    };
    let Some(user) = user else {
        let _ = verify_password(password, dummy_hash());
        return Ok(None);
    };
    if !verify_password(password, &user.password_hash) {
        return Ok(None);
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let mut conn = db.write.get()?;
    accounts::insert_session(
        &mut conn,
        &Session {
            token_hash: token_hash(&token),
            user_id: user.id.clone(),
            created_at: stored_time(now),
            expires_at: stored_time(now + Duration::hours(TOKEN_HOURS)),
        },
    )?;
    // Expired tokens are of no use to anyone: drop them while we are here.
    accounts::delete_expired_sessions(&mut conn, stored_time(now))?;
    // Every process reads revocations within seconds; a day old, they are of no use.
    accounts::prune_revocations(&mut conn, stored_time(now - Duration::days(1)))?;
    drop(conn);
    let mut conn = db.read.get()?;
    let roles = accounts::roles_of(&mut conn, &user.id)?;
    Ok(Some((token, user, roles)))
}

/// End the session of a token.
pub fn sign_out(
    conn: &mut DbConn,
    sessions: &super::sessions::Sessions,
    token_hash: &str,
) -> Result<(), ServiceError> {
    accounts::delete_session(conn, token_hash)?;
    sessions.forget(token_hash);
    Ok(())
}
