//! Organisations, users, passwords and bearer tokens. Passwords are argon2-hashed; tokens are
//! random, shown once, stored only as a SHA-256 hash, and compared in constant time.

use std::collections::BTreeSet;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::Row;
use subtle::ConstantTimeEq;

use crate::domain::actor::{Actor, OrgKind, Role};

use super::{Store, StoreError, db_time, parse_db_time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub org: Organisation,
    pub display_name: String,
    pub roles: BTreeSet<Role>,
    pub protective_intervener: bool,
    pub disabled: bool,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            user: self.id.clone(),
            org: self.org.id.clone(),
            org_kind: self.org.kind,
            roles: self.roles.clone(),
            protective_intervener: self.protective_intervener,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub org_id: String,
    pub display_name: String,
    pub roles: BTreeSet<Role>,
    pub protective_intervener: bool,
    pub password: Option<String>,
}

/// argon2id with the crate's recommended parameters and a random salt.
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("cannot hash the password: {e}")))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_hex(len: usize) -> Result<String, StoreError> {
    let mut bytes = vec![0_u8; len];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Corrupt(format!("no randomness available: {e}")))?;
    Ok(hex(&bytes))
}

fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn org_kind_name(kind: OrgKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn parse_org_kind(text: &str) -> Result<OrgKind, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|_| StoreError::Corrupt(format!("unknown organisation kind {text:?}")))
}

/// A real argon2id hash, with the parameters [`hash_password`] uses, of a password no account
/// has. A login for an unknown name, or for an account without a usable password, is
/// verified against it, so that every login costs one full verification and none answers
/// sooner than a wrong password does. A constant, so that it cannot fail to exist.
const STAND_IN_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$Ym3C0hkhNtYDcqv509mMFA$66g919RBunl9p2r1H47S2URqT1mdzraSrrZDnBfm/zc";

impl Store {
    pub async fn create_organisation(&self, org: &Organisation) -> Result<(), StoreError> {
        let turn = self.writes.turn().await;
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&org.id)
        .bind(&org.name)
        .bind(org_kind_name(org.kind))
        .bind(db_time(Utc::now()))
        .execute(turn.pool())
        .await?;
        Ok(())
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows = sqlx::query("SELECT id, name, kind FROM organisations ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                Ok(Organisation {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    kind: parse_org_kind(&kind)?,
                })
            })
            .collect()
    }

    pub async fn create_user(&self, user: &NewUser) -> Result<(), StoreError> {
        let roles =
            serde_json::to_string(&user.roles).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let hash = match &user.password {
            Some(p) => Some(hash_password(p)?),
            None => None,
        };
        let turn = self.writes.turn().await;
        sqlx::query(
            "INSERT INTO users (id, org_id, display_name, roles, protective_intervener, \
             password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
        )
        .bind(&user.id)
        .bind(&user.org_id)
        .bind(&user.display_name)
        .bind(roles)
        .bind(i64::from(user.protective_intervener))
        .bind(hash)
        .bind(db_time(Utc::now()))
        .execute(turn.pool())
        .await?;
        Ok(())
    }

    pub async fn set_password(&self, user: &str, password: &str) -> Result<bool, StoreError> {
        let hash = hash_password(password)?;
        let turn = self.writes.turn().await;
        let result = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user)
            .bind(hash)
            .execute(turn.pool())
            .await?;
        Ok(result.rows_affected() == 1)
    }

    pub async fn user(&self, id: &str) -> Result<Option<User>, StoreError> {
        Ok(self.user_with_hash(id).await?.map(|(user, _)| user))
    }

    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM users ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let mut users = Vec::with_capacity(ids.len());
        for (id,) in ids {
            if let Some(user) = self.user(&id).await? {
                users.push(user);
            }
        }
        Ok(users)
    }

    async fn user_with_hash(&self, id: &str) -> Result<Option<(User, Option<String>)>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.display_name, u.roles, u.protective_intervener, u.password_hash, \
             u.disabled, o.id AS org_id, o.name AS org_name, o.kind AS org_kind \
             FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let roles: String = row.try_get("roles")?;
        let kind: String = row.try_get("org_kind")?;
        let pi: i64 = row.try_get("protective_intervener")?;
        let disabled: i64 = row.try_get("disabled")?;
        let user = User {
            id: row.try_get("id")?,
            display_name: row.try_get("display_name")?,
            roles: serde_json::from_str(&roles).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            protective_intervener: pi != 0,
            disabled: disabled != 0,
            org: Organisation {
                id: row.try_get("org_id")?,
                name: row.try_get("org_name")?,
                kind: parse_org_kind(&kind)?,
            },
        };
        Ok(Some((user, row.try_get("password_hash")?)))
    }

    /// The user, if the name and password match and the account is enabled. Unknown names
    /// cost the same argon2 verification as wrong passwords (see [`STAND_IN_HASH`]).
    pub async fn verify_password(
        &self,
        id: &str,
        password: &str,
    ) -> Result<Option<User>, StoreError> {
        let found = self.user_with_hash(id).await?;
        let stored = match &found {
            Some((_, Some(hash))) => Some(hash.clone()),
            _ => None,
        };
        let verified = tokio::task::spawn_blocking({
            let password = password.to_string();
            move || {
                let real = stored.as_deref().and_then(|h| PasswordHash::new(h).ok());
                let checked_real = real.is_some();
                let matches = real
                    .or_else(|| PasswordHash::new(STAND_IN_HASH).ok())
                    .is_some_and(|h| {
                        Argon2::default()
                            .verify_password(password.as_bytes(), &h)
                            .is_ok()
                    });
                checked_real && matches
            }
        })
        .await
        .unwrap_or(false);
        match found {
            Some((user, Some(_))) if verified && !user.disabled => Ok(Some(user)),
            _ => Ok(None),
        }
    }

    /// A new bearer token for the user: `cims_<id>_<secret>`, shown once.
    pub async fn issue_token(
        &self,
        user: &str,
        ttl: Duration,
    ) -> Result<(String, DateTime<Utc>), StoreError> {
        let id = random_hex(8)?;
        let secret = random_hex(32)?;
        let now = Utc::now();
        let expires = now + ttl;
        let turn = self.writes.turn().await;
        sqlx::query(
            "INSERT INTO tokens (id, user_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(user)
        .bind(secret_hash(&secret))
        .bind(db_time(now))
        .bind(db_time(expires))
        .execute(turn.pool())
        .await?;
        Ok((format!("cims_{id}_{secret}"), expires))
    }

    /// Revoke one token (by the token itself or its id), effective at once.
    pub async fn revoke_token(&self, token_or_id: &str) -> Result<bool, StoreError> {
        let id = parse_token(token_or_id).map_or(token_or_id, |(id, _)| id);
        let turn = self.writes.turn().await;
        let result =
            sqlx::query("UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id)
                .bind(db_time(Utc::now()))
                .execute(turn.pool())
                .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Revoke every token of a user.
    pub async fn revoke_user_tokens(&self, user: &str) -> Result<u64, StoreError> {
        let turn = self.writes.turn().await;
        let result = sqlx::query(
            "UPDATE tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(user)
        .bind(db_time(Utc::now()))
        .execute(turn.pool())
        .await?;
        Ok(result.rows_affected())
    }

    /// The user a bearer token belongs to, if it is valid now.
    pub async fn authenticate(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let Some((id, secret)) = parse_token(token) else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT user_id, secret_hash, expires_at, revoked_at FROM tokens WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let stored: String = row.try_get("secret_hash")?;
        let matches: bool = stored
            .as_bytes()
            .ct_eq(secret_hash(secret).as_bytes())
            .into();
        let revoked: Option<String> = row.try_get("revoked_at")?;
        let expires: String = row.try_get("expires_at")?;
        if !matches || revoked.is_some() || parse_db_time(&expires)? <= now {
            return Ok(None);
        }
        let user_id: String = row.try_get("user_id")?;
        Ok(self.user(&user_id).await?.filter(|u| !u.disabled))
    }
}

/// `cims_<id>_<secret>` → (id, secret).
fn parse_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix("cims_")?;
    let (id, secret) = rest.split_once('_')?;
    let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(id) && hex(secret) && id.len() == 16 && secret.len() == 64).then_some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stand-in costs what a real hash costs: same algorithm, version and parameters.
    #[test]
    fn the_stand_in_hash_has_the_parameters_of_a_new_hash() {
        let fresh = hash_password("any password at all").expect("hash");
        let fresh = PasswordHash::new(&fresh).expect("a PHC string");
        let stand_in = PasswordHash::new(STAND_IN_HASH).expect("a PHC string");
        assert_eq!(stand_in.algorithm, fresh.algorithm);
        assert_eq!(stand_in.version, fresh.version);
        assert_eq!(stand_in.params.to_string(), fresh.params.to_string());
    }
}
