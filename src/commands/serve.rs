//! `serve`, `migrate`, `seed-demo`.

use super::{CliError, ctx};
use crate::config::Config;
use crate::domain::clock::Clock;
use crate::startup::{self, Application, StartupError};

pub async fn serve(mut config: Config, clock: Clock, bind: Option<String>, demo: bool) -> Result<(), CliError> {
    if let Some(bind) = bind {
        config.bind = bind;
    }
    let db = startup::open_database(&config).await?;
    if demo {
        seed_demo(&db, &clock, &startup::secrets(&config)?, config.demo_seed).await?;
        crate::demo::print_logins();
    }
    let app = Application::build(config.clone(), db, clock).await?;
    let host = config.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
    println!("连心桥已启动：http://{host}:{}", app.port());
    app.run_until_stopped().await.map_err(|e| CliError::Refused(format!("服务异常退出：{e}")))
}

pub async fn migrate(config: &Config) -> Result<(), CliError> {
    startup::open_database(config).await?;
    println!("数据库已迁移到最新版本。");
    Ok(())
}

pub async fn seed_demo_command(config: &Config, clock: &Clock) -> Result<(), CliError> {
    let db = startup::open_database(config).await?;
    seed_demo(&db, clock, &startup::secrets(config)?, config.demo_seed).await?;
    crate::demo::print_logins();
    Ok(())
}

/// Seeds the demo city into an empty database and mines its themes.
async fn seed_demo(db: &sea_orm::DatabaseConnection, clock: &Clock, secrets: &crate::secrets::Secrets, seed: u64) -> Result<(), CliError> {
    match crate::demo::seed_if_empty(ctx(db, clock, secrets), seed).await {
        Ok(Some(summary)) => {
            println!("演示数据已生成：{summary}");
            let jieba = std::sync::Arc::new(crate::search::vocabulary::jieba(db).await?);
            let actor = crate::service::Actor::system("demo");
            let themes = crate::themes::store::rebuild(ctx(db, clock, secrets), &actor, jieba, |_, _| {}).await?;
            println!("热点主题：{} 个", themes.themes);
        }
        Ok(None) => println!("数据库已有数据，跳过演示数据生成。"),
        Err(err) => return Err(StartupError::Demo(err.to_string()).into()),
    }
    Ok(())
}
