//! `serve`, `migrate`, `seed-demo`.

use super::{CliError, ctx};
use crate::config::Config;
use crate::domain::clock::Clock;
use crate::startup::{self, Application, StartupError};

pub async fn serve(mut config: Config, clock: Clock, bind: Option<String>, demo: bool) -> Result<(), CliError> {
    if let Some(bind) = bind {
        // Links in feeds and pages follow the address given, unless a public one is configured.
        if std::env::var_os("LIANXIN_PUBLIC_URL").is_none()
            && let Ok(url) = url::Url::parse(&format!("http://{bind}"))
        {
            config.public_url = url;
        }
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

pub async fn seed_demo_command(config: &Config, clock: &Clock, opinions: Option<usize>) -> Result<(), CliError> {
    let db = startup::open_database(config).await?;
    let secrets = startup::secrets(config)?;
    seed_demo(&db, clock, &secrets, config.demo_seed).await?;
    if let Some(extra) = opinions.and_then(|n| n.checked_sub(crate::demo::OPINIONS)).filter(|n| *n > 0) {
        grow_demo(&db, clock, &secrets, config.demo_seed, extra).await?;
    }
    crate::demo::print_logins();
    Ok(())
}

/// Adds `extra` generated opinions to the demo city through the import path (batches of one
/// unit of work each, so memory stays flat; running it again adds nothing twice).
async fn grow_demo(
    db: &sea_orm::DatabaseConnection,
    clock: &Clock,
    secrets: &crate::secrets::Secrets,
    seed: u64,
    extra: usize,
) -> Result<(), CliError> {
    let rows = crate::demo::corpus::Corpus::new(extra, seed, clock.now()).enumerate().map(|(i, message)| {
        let object = match serde_json::to_value(message) {
            Ok(serde_json::Value::Object(object)) => object,
            _ => serde_json::Map::new(),
        };
        Ok(crate::tabular::ImportRow { line: i + 1, cells: crate::jsonl::cells(object) })
    });
    let mapping = crate::opinions::import::Mapping::new(&[]).map_err(CliError::Refused)?;
    let mut bar = super::progress("生成意见");
    let actor = crate::service::Actor::system("demo");
    let report =
        crate::opinions::import::import_opinions(ctx(db, clock, secrets), &actor, rows, &mapping, "demo-scale", |read| bar(read, extra))
            .await?;
    println!("已加入 {} 条生成的群众意见（已存在 {} 条）。", report.created, report.unchanged);
    Ok(())
}

/// Seeds the demo city into an empty database and mines its themes.
async fn seed_demo(db: &sea_orm::DatabaseConnection, clock: &Clock, secrets: &crate::secrets::Secrets, seed: u64) -> Result<(), CliError> {
    match crate::demo::seed_if_empty(ctx(db, clock, secrets), seed).await {
        Ok(Some(summary)) => {
            println!("演示数据已生成：{summary}");
            let jieba = std::sync::Arc::new(crate::search::vocabulary::jieba(db).await?);
            let actor = crate::service::Actor::system("demo");
            let themes = crate::themes::mining::rebuild(ctx(db, clock, secrets), &actor, jieba, |_, _| {}).await?;
            println!("热点主题：{} 个", themes.themes);
        }
        Ok(None) => println!("数据库已有数据，跳过演示数据生成。"),
        Err(err) => return Err(StartupError::Demo(err.to_string()).into()),
    }
    Ok(())
}
