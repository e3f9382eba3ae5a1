//! The command line's commands, one module each; `main` only parses and dispatches here.

mod analysis;
mod data;
mod serve;
mod users;

use std::io::IsTerminal;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::domain::clock::Clock;
use crate::service::ServiceError;
use crate::startup::StartupError;
use crate::unit_of_work::Context;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error("{0}")]
    Refused(String),
    #[error("数据库错误：{0}")]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
}

impl From<ServiceError> for CliError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Invalid(errors) => {
                Self::Refused(errors.0.iter().map(|e| format!("{}：{}", e.field, e.message)).collect::<Vec<_>>().join("；"))
            }
            ServiceError::NotFound => Self::Refused("没有找到该账号".into()),
            ServiceError::Forbidden => Self::Refused("无权操作".into()),
            ServiceError::Refused(msg) | ServiceError::Conflict(msg) => Self::Refused(msg),
            ServiceError::Db(err) => Self::Db(err),
        }
    }
}

pub async fn run(cli: Cli, config: Config) -> Result<(), CliError> {
    let clock = Clock::system();
    match cli.command {
        Command::Serve { bind, demo } => serve::serve(config, clock, bind, demo).await,
        Command::Migrate => serve::migrate(&config).await,
        Command::SeedDemo { opinions } => serve::seed_demo_command(&config, &clock, opinions).await,
        Command::User { action } => users::user(&config, &clock, action).await,
        Command::CheckDeadlines => data::check_deadlines(&config, &clock).await,
        Command::Import { what } => data::import(&config, &clock, what).await,
        Command::Reindex => data::reindex(&config).await,
        Command::Audit { action } => data::audit(&config, &clock, action).await,
        Command::Backup { file } => data::backup(&config, &clock, &file).await,
        Command::Restore { file, force } => data::restore(&config, &file, force).await,
        Command::SearchEval { input, queries, verbose } => analysis::search_eval(&config, &input, queries, verbose).await,
        Command::DiscoverWords { input, show } => analysis::discover_words(&config, input.as_deref(), show).await,
        Command::Classify { train, input, output } => analysis::classify(&config, &train, &input, &output).await,
        Command::ClassifyEval { data, folds } => analysis::classify_eval(&config, &data, folds).await,
        Command::ReplyCheck { input, output } => analysis::reply_check(&input, &output),
        Command::Cluster { input, output, themes } => analysis::cluster(&config, &input, &output, &themes).await,
        Command::Score { period, level, json, publish } => analysis::score(&config, &clock, period, &level, json, publish).await,
        Command::Themes { action } => analysis::themes(&config, &clock, action).await,
        Command::GenCorpus { n, seed, output } => analysis::gen_corpus(&clock, n, seed, &output),
    }
}

fn ctx<'a>(db: &'a sea_orm::DatabaseConnection, clock: &'a Clock, secrets: &'a crate::secrets::Secrets) -> Context<'a> {
    Context { db, clock, secrets }
}

/// The vocabulary's jieba for this data directory's database: every command tokenises as the
/// server does.
async fn jieba(config: &Config) -> Result<jieba_rs::Jieba, CliError> {
    let db = crate::startup::open_database(config).await?;
    Ok(crate::search::vocabulary::jieba(&db).await?)
}

/// A progress bar on one terminal line (`导入中 [#####     ] 500/1000`), only on a terminal.
fn progress(label: &'static str) -> impl FnMut(usize, usize) + Send + 'static {
    let show = std::io::stderr().is_terminal();
    move |done, total| {
        if show {
            const WIDTH: usize = 30;
            let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH).min(WIDTH);
            eprint!("\r{label} [{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(WIDTH - filled));
            if done >= total {
                eprintln!();
            }
        }
    }
}

fn write_file(path: &std::path::Path, body: &str) -> Result<(), CliError> {
    std::fs::write(path, body).map_err(|e| CliError::Refused(format!("无法写入 {}：{e}", path.display())))
}

/// `lianxin score | head` should end quietly when `head` stops reading, as command-line
/// tools do, instead of panicking on the closed pipe (Rust ignores SIGPIPE by default).
pub fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: SIG_DFL is a valid disposition; changing it touches no memory Rust manages.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Every file and directory the process creates is the owner's alone (the database, its WAL,
/// the secret, evidence, backups): mode 0600 / 0700, whatever the inherited umask.
pub fn private_files() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-creation mask; it touches no memory.
    unsafe {
        libc::umask(0o077);
    }
}

pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LIANXIN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
