//! `cims admin …`: organisations, users and tokens, straight on the database.

use std::collections::BTreeSet;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use crate::domain::actor::{OrgKind, Role};
use crate::store::{NewUser, Organisation, Store, StoreError};

use super::serve::{database, redact_url};

#[derive(Debug, Args)]
pub struct AdminArgs {
    /// SQLite file path or postgres:// URL (default: cims.db in the data directory).
    #[arg(long, global = true)]
    pub db: Option<String>,
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Organisations.
    #[command(
        subcommand,
        after_help = "Examples:\n  cims admin org add anglicare --name \"Anglicare Victoria\" --kind cso\n  \
        cims admin org list"
    )]
    Org(OrgCommand),
    /// Users.
    #[command(
        subcommand,
        after_help = "Examples:\n  cims admin user add carol --org anglicare --name \"Carol Osei\" \
        --role incident_delegate --password-stdin < password.txt\n  \
        cims admin user password carol < password.txt\n  cims admin user list"
    )]
    User(UserCommand),
    /// Bearer tokens.
    #[command(
        subcommand,
        after_help = "Examples:\n  cims admin token issue alice --days 30\n  \
        cims admin token revoke --user alice"
    )]
    Token(TokenCommand),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Department,
    Cso,
    CommunityService,
    Regulator,
    Police,
}

impl From<KindArg> for OrgKind {
    fn from(k: KindArg) -> OrgKind {
        match k {
            KindArg::Department => OrgKind::Department,
            KindArg::Cso => OrgKind::Cso,
            KindArg::CommunityService => OrgKind::CommunityService,
            KindArg::Regulator => OrgKind::Regulator,
            KindArg::Police => OrgKind::Police,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Add an organisation.
    #[command(
        after_help = "Example:\n  cims admin org add anglicare --name \"Anglicare Victoria\" --kind cso"
    )]
    Add {
        /// Short id, e.g. anglicare (letters, digits, - and _).
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        kind: KindArg,
    },
    /// List organisations.
    #[command(after_help = "Example:\n  cims admin org list --db postgres://cims@db.internal/cims")]
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; with --password-stdin the password is read from the first line of stdin.
    #[command(
        after_help = "Example:\n  printf '%s\\n' \"$PASSWORD\" | cims admin user add alice --org dffh \
        --name \"Alice Nguyen\" --role practitioner --pi --password-stdin\n\n\
        Roles: practitioner, supervisor, team_manager, practice_leader, principal_practitioner, \
        daom, incident_delegate, investigation_manager, investigator, reviewer, integrity_unit, \
        viewer, admin."
    )]
    Add {
        /// Username (letters, digits, ., - and _).
        id: String,
        #[arg(long)]
        org: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// A role; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The user is a protective intervener (CYFA).
        #[arg(long)]
        pi: bool,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password from the first line of stdin.
    #[command(
        after_help = "Example:\n  printf '%s\\n' \"$PASSWORD\" | cims admin user password alice"
    )]
    Password { id: String },
    /// List users.
    #[command(after_help = "Example:\n  cims admin user list")]
    List,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a token for a user and print it (shown once; only its hash is stored).
    #[command(after_help = "Example:\n  cims admin token issue alice --days 30")]
    Issue {
        user: String,
        /// Days until it expires (1 to 365).
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=365))]
        days: i64,
    },
    /// Revoke a token (the token itself or its id), or every token of --user.
    #[command(
        after_help = "Examples:\n  cims admin token revoke 42\n  cims admin token revoke --user alice"
    )]
    Revoke {
        token: Option<String>,
        #[arg(long, conflicts_with = "token")]
        user: Option<String>,
    },
}

/// Ids are short and plain so they read well in logs and URLs.
fn valid_id(id: &str, extra: &[char]) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || extra.contains(&c))
}

pub const MIN_PASSWORD: usize = 10;

fn read_password(input: &mut dyn BufRead) -> Result<String, String> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.chars().count() < MIN_PASSWORD {
        return Err(format!(
            "the password must be at least {MIN_PASSWORD} characters"
        ));
    }
    Ok(password)
}

pub fn run(
    args: AdminArgs,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitCode> {
    let Some(db) = database(args.db.as_deref(), err)? else {
        return Ok(ExitCode::FAILURE);
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let result = runtime.block_on(async {
        let store = Store::open(&db)
            .await
            .map_err(|e| format!("cannot open the database {}: {e}", redact_url(&db)))?;
        let outcome = execute(&store, args.command, input, out).await;
        store.close().await;
        outcome
    });
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(message) => {
            writeln!(err, "cims admin: {message}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

fn db_error(e: StoreError) -> String {
    match e {
        StoreError::Database(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            "it already exists".to_string()
        }
        StoreError::Database(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => {
            "the organisation does not exist".to_string()
        }
        e => e.to_string(),
    }
}

async fn execute(
    store: &Store,
    command: AdminCommand,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), String> {
    let write = |e: io::Error| format!("cannot write output: {e}");
    match command {
        AdminCommand::Org(OrgCommand::Add { id, name, kind }) => {
            if !valid_id(&id, &[]) {
                return Err(format!(
                    "organisation id {id:?}: use letters, digits, - and _"
                ));
            }
            if name.trim().is_empty() {
                return Err("--name must not be empty".into());
            }
            let org = Organisation {
                id: id.clone(),
                name: name.trim().to_string(),
                kind: kind.into(),
            };
            store
                .create_organisation(&org)
                .await
                .map_err(|e| format!("organisation {id}: {}", db_error(e)))?;
            writeln!(out, "added organisation {id}").map_err(write)
        }
        AdminCommand::Org(OrgCommand::List) => {
            for org in store.organisations().await.map_err(db_error)? {
                let kind = serde_json::to_value(org.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                writeln!(out, "{}\t{}\t{}", org.id, kind, org.name).map_err(write)?;
            }
            Ok(())
        }
        AdminCommand::User(UserCommand::Add {
            id,
            org,
            name,
            roles,
            pi,
            password_stdin,
        }) => {
            if !valid_id(&id, &['.']) {
                return Err(format!("username {id:?}: use letters, digits, ., - and _"));
            }
            let roles = roles
                .iter()
                .map(|r| Role::parse(r).ok_or_else(|| format!("unknown role {r:?}")))
                .collect::<Result<BTreeSet<_>, _>>()?;
            let password = if password_stdin {
                Some(read_password(input)?)
            } else {
                None
            };
            let user = NewUser {
                id: id.clone(),
                org_id: org,
                display_name: name.trim().to_string(),
                roles,
                protective_intervener: pi,
                password,
            };
            store
                .create_user(&user)
                .await
                .map_err(|e| format!("user {id}: {}", db_error(e)))?;
            writeln!(out, "added user {id}").map_err(write)
        }
        AdminCommand::User(UserCommand::Password { id }) => {
            let password = read_password(input)?;
            if store.set_password(&id, &password).await.map_err(db_error)? {
                writeln!(out, "password set for {id}").map_err(write)
            } else {
                Err(format!("no user {id:?}"))
            }
        }
        AdminCommand::User(UserCommand::List) => {
            for user in store.users().await.map_err(db_error)? {
                let roles: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}{}",
                    user.id,
                    user.org.id,
                    roles.join(","),
                    if user.protective_intervener {
                        "PI"
                    } else {
                        "-"
                    },
                    if user.disabled { "\tdisabled" } else { "" }
                )
                .map_err(write)?;
            }
            Ok(())
        }
        AdminCommand::Token(TokenCommand::Issue { user, days }) => {
            if store.user(&user).await.map_err(db_error)?.is_none() {
                return Err(format!("no user {user:?}"));
            }
            let (token, expires) = store
                .issue_token(&user, chrono::Duration::days(days))
                .await
                .map_err(db_error)?;
            writeln!(out, "{token}").map_err(write)?;
            writeln!(out, "expires {}", expires.to_rfc3339()).map_err(write)
        }
        AdminCommand::Token(TokenCommand::Revoke { token, user }) => match (token, user) {
            (Some(token), None) => {
                if store.revoke_token(&token).await.map_err(db_error)? {
                    writeln!(out, "revoked").map_err(write)
                } else {
                    Err("no such active token".into())
                }
            }
            (None, Some(user)) => {
                let n = store.revoke_user_tokens(&user).await.map_err(db_error)?;
                writeln!(out, "revoked {n} token(s) of {user}").map_err(write)
            }
            _ => Err("give a token or --user USERNAME".into()),
        },
    }
}
