use clap::Parser;
use lianxin::{cli::{Cli, Command}, config::Config, demo, startup::{self, Application, StartupError}};

#[tokio::main]
async fn main() {
    init_tracing();
    let cli = Cli::parse();
    if let Err(err) = run(cli, Config::from_env()).await {
        eprintln!("lianxin: {err}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli, mut config: Config) -> Result<(), StartupError> {
    match cli.command {
        Command::Serve { bind, demo } => {
            if let Some(bind) = bind {
                config.bind = bind;
            }
            let db = startup::open_database(&config).await?;
            if demo {
                seed_demo(&db, config.demo_seed).await?;
                demo::print_logins();
            }
            let app = Application::build(config.clone(), db).await?;
            let host = config.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
            println!("连心桥已启动：http://{host}:{}", app.port());
            app.run_until_stopped().await.map_err(|e| StartupError::Bind {
                addr: config.bind.clone(),
                reason: e.to_string(),
            })
        }
        Command::Migrate => {
            startup::open_database(&config).await?;
            println!("数据库已迁移到最新版本。");
            Ok(())
        }
        Command::SeedDemo => {
            let db = startup::open_database(&config).await?;
            seed_demo(&db, config.demo_seed).await?;
            demo::print_logins();
            Ok(())
        }
    }
}

async fn seed_demo(db: &sea_orm::DatabaseConnection, seed: u64) -> Result<(), StartupError> {
    match demo::seed_if_empty(db, seed, chrono::Utc::now()).await {
        Ok(Some(summary)) => println!("演示数据已生成：{summary}"),
        Ok(None) => println!("数据库已有数据，跳过演示数据生成。"),
        Err(err) => return Err(StartupError::Demo(err.to_string())),
    }
    Ok(())
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LIANXIN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
