//! `ess-atlas user …`: staff and partner accounts. The rules an account must follow are
//! `auth::accounts`'; this file reads the password and talks to the database.

use anyhow::Context;

use super::{GlobalArgs, UserCommand};
use crate::auth::accounts;
use crate::db::Db;

/// The new password: `ESS_ATLAS_PASSWORD`, else the first line of standard input.
pub(super) fn read_password() -> anyhow::Result<String> {
    let password = if let Ok(p) = std::env::var("ESS_ATLAS_PASSWORD") {
        p
    } else {
        {
            eprintln!("Mot de passe (une ligne sur l'entrée standard) :");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    accounts::check_password(&password)?;
    Ok(password)
}

/// Checks a role and its territories against the geography.
pub(super) async fn check_role(
    global: &GlobalArgs,
    db: &Db,
    role: &str,
    territories: &[String],
) -> anyhow::Result<()> {
    let role: crate::auth::Role = role.parse()?;
    let geography = crate::operations::load_geography(db, &global.geodata).await?;
    accounts::check_scope(
        role,
        territories,
        |t| crate::portraits::is_plan_scope(&geography, t),
        || {
            geography
                .territories
                .iter()
                .map(|t| t.zone.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        },
    )?;
    Ok(())
}

pub(super) async fn hash_password(password: String) -> anyhow::Result<String> {
    Ok(tokio::task::spawn_blocking(move || {
        crate::auth::password::hash(&password, crate::auth::password::Cost::Standard)
    })
    .await??)
}

pub(super) async fn user(global: &GlobalArgs, command: UserCommand) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    match command {
        UserCommand::Add {
            username,
            role,
            name,
            territories,
            organisation,
        } => {
            let username = accounts::username(&username)?;
            check_role(global, &db, &role, &territories).await?;
            let organisation = accounts::organisation(role.parse()?, organisation.as_deref())?;
            let hash = hash_password(read_password()?).await?;
            let name = name.unwrap_or_else(|| username.clone());
            anyhow::ensure!(
                db.create_user(&username, &name, &role, &hash, &territories)
                    .await?
                    .is_some(),
                "user {username:?} exists already"
            );
            if organisation.is_some() {
                db.set_user_organisation(&username, organisation.as_deref())
                    .await?;
            }
            println!("user {username} created ({role})");
        }
        UserCommand::List => {
            for u in db.users().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}{}",
                    u.username,
                    u.role,
                    u.territories.join(","),
                    if u.disabled { "désactivé" } else { "actif" },
                    u.display_name,
                    u.organisation
                        .map(|o| format!(" ({o})"))
                        .unwrap_or_default()
                );
            }
        }
        UserCommand::Disable { username } => {
            anyhow::ensure!(
                db.set_user_disabled(&username, true).await?,
                "no user {username:?}"
            );
            println!("user {username} disabled");
        }
        UserCommand::Enable { username } => {
            anyhow::ensure!(
                db.set_user_disabled(&username, false).await?,
                "no user {username:?}"
            );
            println!("user {username} enabled");
        }
        UserCommand::SetRole {
            username,
            role,
            territories,
            organisation,
        } => {
            check_role(global, &db, &role, &territories).await?;
            let organisation = accounts::organisation(role.parse()?, organisation.as_deref())?;
            // The organisation first: changing the role ends the sessions, so no
            // session sees the new role with the old organisation.
            anyhow::ensure!(
                db.set_user_organisation(&username, organisation.as_deref())
                    .await?,
                "no user {username:?}"
            );
            anyhow::ensure!(
                db.set_user_role(&username, &role, &territories).await?,
                "no user {username:?}"
            );
            println!("user {username} is now {role}");
        }
        UserCommand::ResetPassword { username } => {
            anyhow::ensure!(
                db.user_by_name(&username).await?.is_some(),
                "no user {username:?}"
            );
            let hash = hash_password(read_password()?).await?;
            db.set_user_password(&username, &hash).await?;
            println!("password of {username} changed");
        }
    }
    Ok(())
}
