//! `user add | passwd | disable`.

use std::io::{BufRead, IsTerminal};

use super::{CliError, ctx};
use crate::accounts::{self, NewUser};
use crate::cli::UserAction;
use crate::config::Config;
use crate::domain::clock::Clock;
use crate::service::Actor;

pub async fn user(config: &Config, clock: &Clock, action: UserAction) -> Result<(), CliError> {
    let db = crate::startup::open_database(config).await?;
    let secrets = crate::startup::secrets(config)?;
    let actor = Actor::system("cli");
    let ctx = ctx(&db, clock, &secrets);
    match action {
        UserAction::Add { username, role, unit, name } => {
            let password = read_password()?;
            let input = NewUser {
                username: &username,
                display_name: name.as_deref().unwrap_or(&username),
                role: &role,
                unit_code: unit.as_deref(),
                password: &password,
            };
            let created = accounts::create_user(ctx, &actor, input).await?;
            println!("已创建账号 {}（{}）", created.username, created.role.label());
        }
        UserAction::Passwd { username } => {
            let user = find(&db, &username).await?;
            let password = read_password()?;
            accounts::set_password(ctx, &actor, user.id, &password).await?;
            println!("已为 {} 设置新密码", user.username);
        }
        UserAction::Disable { username } => {
            let user = find(&db, &username).await?;
            accounts::set_active(ctx, &actor, user.id, false).await?;
            println!("已停用账号 {}", user.username);
        }
    }
    Ok(())
}

async fn find(db: &sea_orm::DatabaseConnection, username: &str) -> Result<entity::user::Model, CliError> {
    accounts::find_by_username(db, username).await?.ok_or_else(|| CliError::Refused(format!("没有账号 {username}")))
}

/// Prompts twice on a terminal; otherwise takes the first line of standard input.
fn read_password() -> Result<String, CliError> {
    let unreadable = |e: std::io::Error| CliError::Refused(format!("无法读取密码：{e}"));
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("密码：").map_err(unreadable)?;
        let second = rpassword::prompt_password("再输入一次：").map_err(unreadable)?;
        if first != second {
            return Err(CliError::Refused("两次输入的密码不一致".into()));
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(unreadable)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
