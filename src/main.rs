use std::io::{BufRead, IsTerminal};

use clap::Parser;
use lianxin::{
    accounts::{self, NewUser},
    cli::{AuditAction, Cli, Command, ImportKind, ThemesAction, UserAction},
    config::Config,
    demo, journal, lists,
    service::{Actor, ServiceError},
    startup::{self, Application, StartupError},
};

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error("{0}")]
    Refused(String),
    #[error("数据库错误：{0}")]
    Db(#[from] sea_orm::DbErr),
}

impl From<ServiceError> for CliError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Invalid(errors) => {
                Self::Refused(errors.0.iter().map(|e| format!("{}：{}", e.field, e.message)).collect::<Vec<_>>().join("；"))
            }
            ServiceError::NotFound => Self::Refused("没有找到该账号".into()),
            ServiceError::Forbidden => Self::Refused("无权操作".into()),
            ServiceError::Refused(msg) => Self::Refused(msg),
            ServiceError::Db(err) => Self::Db(err),
        }
    }
}

#[tokio::main]
async fn main() {
    restore_default_sigpipe();
    init_tracing();
    let cli = Cli::parse();
    if let Err(err) = run(cli, Config::from_env()).await {
        eprintln!("lianxin: {err}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli, mut config: Config) -> Result<(), CliError> {
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
            app.run_until_stopped().await.map_err(|e| CliError::Refused(format!("服务异常退出：{e}")))
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
        Command::User { action } => {
            let db = startup::open_database(&config).await?;
            let actor = Actor::system("cli");
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
                    let created = accounts::create_user(&db, &actor, input).await?;
                    println!("已创建账号 {}（{}）", created.username, created.role.label());
                }
                UserAction::Passwd { username } => {
                    let user = find(&db, &username).await?;
                    let password = read_password()?;
                    accounts::set_password(&db, &actor, user.id, &password).await?;
                    println!("已为 {} 设置新密码", user.username);
                }
                UserAction::Disable { username } => {
                    let user = find(&db, &username).await?;
                    accounts::set_active(&db, &actor, user.id, false).await?;
                    println!("已停用账号 {}", user.username);
                }
            }
            Ok(())
        }
        Command::CheckDeadlines => {
            let db = startup::open_database(&config).await?;
            let marked = lists::deadlines::mark_overdue(&db, lists::catalog::today()).await?;
            println!("已检查完成时限：{marked} 项标记为逾期。");
            Ok(())
        }
        Command::Import { what: ImportKind::Problems { file } } => {
            let db = startup::open_database(&config).await?;
            let bytes = std::fs::read(&file).map_err(|e| CliError::Refused(format!("无法读取 {}：{e}", file.display())))?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let table = lianxin::tabular::read_table(&name, &bytes).map_err(CliError::Refused)?;
            let report = lists::exchange::import_problems(&db, &Actor::system("import"), table).await?;
            println!(
                "导入完成：新增 {} 项，更新 {} 项，未变化 {} 项，拒绝 {} 行。",
                report.created,
                report.updated,
                report.unchanged,
                report.rejected.len()
            );
            for rejected in &report.rejected {
                println!("  第 {} 行：{}", rejected.line, rejected.reason);
            }
            Ok(())
        }
        Command::Import { what: ImportKind::Opinions { file, source, map } } => {
            let db = startup::open_database(&config).await?;
            let bytes = std::fs::read(&file).map_err(|e| CliError::Refused(format!("无法读取 {}：{e}", file.display())))?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let source = source.unwrap_or_else(|| name.split('.').next().unwrap_or("import").chars().take(15).collect());
            let mapping = lianxin::opinions::import::Mapping::new(&map).map_err(CliError::Refused)?;
            let table = lianxin::tabular::read_table(&name, &bytes).map_err(CliError::Refused)?;
            let show_progress = std::io::stderr().is_terminal();
            let report = lianxin::opinions::import::import_opinions(&db, table, &mapping, &source, |done, total| {
                if show_progress {
                    draw_progress("导入中", done, total);
                }
            })
            .await?;
            if show_progress {
                eprintln!();
            }
            println!(
                "导入完成（来源 {source}）：新增 {} 条，已存在 {} 条，拒绝 {} 行。",
                report.created,
                report.unchanged,
                report.rejected.len()
            );
            for rejected in report.rejected.iter().take(50) {
                println!("  第 {} 行：{}", rejected.line, rejected.reason);
            }
            if report.rejected.len() > 50 {
                println!("  ……另有 {} 行被拒绝", report.rejected.len() - 50);
            }
            Ok(())
        }
        Command::Reindex => {
            let db = startup::open_database(&config).await?;
            let words: Vec<String> = Vec::new();
            let jieba = std::sync::Arc::new(lianxin::search::tokenizer::build_jieba(&words));
            let dir = config.data_dir.join("index");
            let (engine, _) = lianxin::search::SearchEngine::open(&dir, jieba)
                .map_err(|e| CliError::Refused(format!("无法打开搜索索引（服务是否正在运行？）：{e}")))?;
            let engine = std::sync::Arc::new(engine);
            let show = std::io::stderr().is_terminal();
            let n = lianxin::search::indexer::rebuild(&engine, &db, |done, total| {
                if show {
                    draw_progress("重建索引", done, total);
                }
            })
            .await
            .map_err(|e| CliError::Refused(format!("重建索引失败：{e}")))?;
            if show {
                eprintln!();
            }
            println!("搜索索引已重建：{n} 个文档。");
            Ok(())
        }
        Command::SearchEval { input, queries, verbose } => {
            let text = std::fs::read_to_string(&input).map_err(|e| CliError::Refused(format!("无法读取 {}：{e}", input.display())))?;
            let messages: Vec<lianxin::search::eval::Message> = text
                .lines()
                .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
                .map(|v| {
                    let field =
                        |k: &str| v.get(k).map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string())).unwrap_or_default();
                    lianxin::search::eval::Message { id: field("id"), text: format!("{}\n{}", field("title"), field("body")) }
                })
                .collect();
            let result = lianxin::search::eval::evaluate(messages, queries).map_err(|e| CliError::Refused(e.to_string()))?;
            if verbose {
                for q in &result.queries {
                    println!("{:<16} 相关 {:>5} 命中 {:>5} 召回 {:.3} 准确 {:.3}", q.query, q.relevant, q.hits, q.recall, q.precision);
                }
            }
            println!(
                "{} 条留言，{} 个查询：平均召回率 {:.3}，平均准确率 {:.3}",
                result.documents,
                result.queries.len(),
                result.mean_recall,
                result.mean_precision
            );
            Ok(())
        }
        Command::Classify { train, input, output } => {
            use lianxin::themes::classify::{Classifier, Example};
            let jieba = lianxin::search::tokenizer::build_jieba(&[]);
            let examples: Vec<Example> =
                read_jsonl(&train)?.into_iter().filter(|m| !m.label.is_empty()).map(|m| Example { text: m.text, label: m.label }).collect();
            if examples.is_empty() {
                return Err(CliError::Refused("训练文件里没有带 label 的留言".into()));
            }
            let model = Classifier::train(&jieba, &examples);
            let mut out = String::new();
            for m in read_jsonl(&input)? {
                if let Some(p) = model.predict(&jieba, &m.text) {
                    out.push_str(
                        &serde_json::json!({ "id": m.id, "label": p.label, "confidence": (p.confidence * 1000.0).round() / 1000.0 })
                            .to_string(),
                    );
                    out.push('\n');
                }
            }
            std::fs::write(&output, out).map_err(|e| CliError::Refused(format!("无法写入 {}：{e}", output.display())))?;
            println!("已按 {} 条训练样本分类，结果写入 {}", examples.len(), output.display());
            Ok(())
        }
        Command::ClassifyEval { data, folds } => {
            use lianxin::themes::classify::{Classifier, Example, fold_of, macro_f1};
            let folds = folds.clamp(2, 20);
            let jieba = lianxin::search::tokenizer::build_jieba(&[]);
            let messages: Vec<JsonMessage> = read_jsonl(&data)?.into_iter().filter(|m| !m.label.is_empty()).collect();
            let (mut truth, mut predicted) = (Vec::new(), Vec::new());
            for k in 0..folds {
                let (test, train): (Vec<&JsonMessage>, Vec<&JsonMessage>) = messages.iter().partition(|m| fold_of(&m.title, folds) == k);
                let examples: Vec<Example> = train.iter().map(|m| Example { text: m.text.clone(), label: m.label.clone() }).collect();
                let model = Classifier::train(&jieba, &examples);
                let mut fold_truth = Vec::new();
                let mut fold_pred = Vec::new();
                for m in test {
                    if let Some(p) = model.predict(&jieba, &m.text) {
                        fold_truth.push(m.label.clone());
                        fold_pred.push(p.label);
                    }
                }
                println!("第 {} 折：{} 条，macro-F1 {:.4}", k + 1, fold_truth.len(), macro_f1(&fold_truth, &fold_pred));
                truth.extend(fold_truth);
                predicted.extend(fold_pred);
            }
            println!("{} 条留言，{folds} 折交叉验证（按标题分折）：macro-F1 {:.4}", truth.len(), macro_f1(&truth, &predicted));
            Ok(())
        }
        Command::Cluster { input, output, themes } => {
            use lianxin::themes::cluster::{Message, Settings, mine};
            let text = std::fs::read_to_string(&input).map_err(|e| CliError::Refused(format!("无法读取 {}：{e}", input.display())))?;
            let rows: Vec<serde_json::Value> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
            let messages: Vec<Message> = rows
                .iter()
                .map(|v| {
                    let s = |k: &str| v.get(k).map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string())).unwrap_or_default();
                    let n = |k: &str| v.get(k).and_then(|x| x.as_i64().or_else(|| x.as_str().and_then(|s| s.parse().ok()))).unwrap_or(0);
                    Message {
                        id: s("id"),
                        title: s("title"),
                        body: s("body"),
                        time: lianxin::opinions::import::parse_time(&s("time")),
                        user: Some(s("user")).filter(|u| !u.is_empty()),
                        likes: n("likes"),
                        dislikes: n("dislikes"),
                    }
                })
                .collect();
            let jieba = lianxin::search::tokenizer::build_jieba(&[]);
            let show = std::io::stderr().is_terminal();
            let mined = mine(&jieba, &messages, &Settings::default(), |done, total| {
                if show {
                    draw_progress("聚类中", done, total);
                }
            });
            if show {
                eprintln!();
            }
            let mut assign = String::new();
            for (row, theme) in rows.iter().zip(&mined.assignment) {
                assign.push_str(&serde_json::json!({ "id": row.get("id"), "theme": theme }).to_string());
                assign.push('\n');
            }
            let mut lines = String::new();
            for t in &mined.themes {
                lines.push_str(
                    &serde_json::json!({
                        "theme": t.theme, "rank": t.rank, "heat": (t.heat * 100.0).round() / 100.0, "size": t.size,
                        "distinct_citizens": t.distinct_citizens, "label": t.label, "keywords": t.keywords, "place": t.place,
                    })
                    .to_string(),
                );
                lines.push('\n');
            }
            let write = |path: &std::path::Path, body: &str| {
                std::fs::write(path, body).map_err(|e| CliError::Refused(format!("无法写入 {}：{e}", path.display())))
            };
            write(&output, &assign)?;
            write(&themes, &lines)?;
            let noise = mined.assignment.iter().filter(|a| a.is_none()).count();
            println!("{} 条留言 → {} 个主题，{} 条未归入主题。热度前十：", messages.len(), mined.themes.len(), noise);
            for t in mined.themes.iter().take(10) {
                println!("  {:>2}. 热度 {:>6.1} · {:>4} 条 · {:>4} 人 · {}", t.rank, t.heat, t.size, t.distinct_citizens, t.label);
            }
            Ok(())
        }
        Command::Score { period, level, json, publish } => {
            use lianxin::score::{LEVELS, period::Period, snapshot, view};
            let period = Period::parse(&period).ok_or_else(|| CliError::Refused("统计期格式应如 2026-Q3、2026-07 或 2026".into()))?;
            if !LEVELS.iter().any(|(l, _)| *l == level) {
                return Err(CliError::Refused("层级须为 city、unit、region、category 或 theme".into()));
            }
            let db = startup::open_database(&config).await?;
            if publish {
                let (version, n) = snapshot::publish(&db, &Actor::system("cli"), &period).await?;
                eprintln!(
                    "{}",
                    if n == 0 {
                        format!("{} 已按第 {version} 版规则发布过，数字不变。", period.name())
                    } else {
                        format!("已按第 {version} 版规则发布 {}：{n} 个对象。", period.name())
                    }
                );
            }
            let (scores, version, published) = snapshot::current(&db, &period).await?;
            let (previous, _, _) = snapshot::current(&db, &period.previous()).await?;
            let rows = view(&scores, &previous, &level);
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "period": period.name(), "level": level, "settings_version": version, "published": published, "subjects": rows })
                );
            } else {
                println!("{} · 第 {version} 版规则{}", period.name(), if published { "（已发布）" } else { "（实时）" });
                for r in rows {
                    let f = |v: &serde_json::Value| v.as_f64().map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into());
                    println!(
                        "  {:<20} 综合 {:>5} · 得分 {:>5} ({}–{}) · n={:<4} · 满意率 {:>5}%",
                        r["label"].as_str().unwrap_or(""),
                        f(&r["composite"]),
                        f(&r["score"]),
                        f(&r["interval"][0]),
                        f(&r["interval"][1]),
                        r["n"],
                        f(&r["satisfied_rate"])
                    );
                }
            }
            Ok(())
        }
        Command::Themes { action: ThemesAction::Rebuild } => {
            let db = startup::open_database(&config).await?;
            let jieba = lianxin::search::tokenizer::build_jieba(&[]);
            let show = std::io::stderr().is_terminal();
            let done = lianxin::themes::store::rebuild(&db, &jieba, |done, total| {
                if show {
                    draw_progress("挖掘主题", done, total);
                }
            })
            .await?;
            if show {
                eprintln!();
            }
            println!("已从 {} 条意见中挖掘出 {} 个主题。", done.opinions, done.themes);
            Ok(())
        }
        Command::Audit { action: AuditAction::Verify } => {
            let db = startup::open_database(&config).await?;
            match journal::verify(&db).await? {
                journal::ChainCheck::Intact { entries } => {
                    println!("审计链完整：共 {entries} 条记录。");
                    Ok(())
                }
                journal::ChainCheck::Broken { id, reason } => Err(CliError::Refused(format!("审计链在第 {id} 条记录处断开：{reason}"))),
            }
        }
    }
}

/// A message from a JSON Lines file: `id`, `title`, `body`, optional `label`.
struct JsonMessage {
    id: serde_json::Value,
    title: String,
    text: String,
    label: String,
}

fn read_jsonl(path: &std::path::Path) -> Result<Vec<JsonMessage>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::Refused(format!("无法读取 {}：{e}", path.display())))?;
    Ok(text
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .map(|v| {
            let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
            let title = field("title");
            JsonMessage {
                id: v.get("id").cloned().unwrap_or(serde_json::Value::Null),
                text: format!("{title}\n{}", field("body")),
                title,
                label: field("label"),
            }
        })
        .collect())
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

async fn seed_demo(db: &sea_orm::DatabaseConnection, seed: u64) -> Result<(), CliError> {
    match demo::seed_if_empty(db, seed, chrono::Utc::now()).await {
        Ok(Some(summary)) => {
            println!("演示数据已生成：{summary}");
            let jieba = lianxin::search::tokenizer::build_jieba(&[]);
            let themes = lianxin::themes::store::rebuild(db, &jieba, |_, _| {}).await?;
            println!("热点主题：{} 个", themes.themes);
        }
        Ok(None) => println!("数据库已有数据，跳过演示数据生成。"),
        Err(err) => return Err(StartupError::Demo(err.to_string()).into()),
    }
    Ok(())
}

/// `lianxin score | head` should end quietly when `head` stops reading, as command-line
/// tools do, instead of panicking on the closed pipe (Rust ignores SIGPIPE by default).
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: SIG_DFL is a valid disposition; changing it touches no memory Rust manages.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// A progress bar on one terminal line: `导入中 [#####     ] 500/1000`.
fn draw_progress(label: &str, done: usize, total: usize) {
    const WIDTH: usize = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH).min(WIDTH);
    eprint!("\r{label} [{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(WIDTH - filled));
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LIANXIN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
