//! Commands on the portal's own data: deadlines, imports, the search index, the audit trail.

use super::{CliError, ctx, progress};
use crate::cli::{AuditAction, ImportKind};
use crate::config::Config;
use crate::domain::clock::Clock;
use crate::service::Actor;
use crate::startup;

pub async fn check_deadlines(config: &Config, clock: &Clock) -> Result<(), CliError> {
    let db = startup::open_database(config).await?;
    let secrets = crate::startup::secrets(config)?;
    let marked = crate::lists::deadlines::mark_overdue(ctx(&db, clock, &secrets), clock.today()).await?;
    println!("已检查完成时限：{marked} 项标记为逾期。");
    Ok(())
}

fn read(file: &std::path::Path) -> Result<(String, Vec<u8>), CliError> {
    let bytes = std::fs::read(file).map_err(|e| CliError::Refused(format!("无法读取 {}：{e}", file.display())))?;
    Ok((file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), bytes))
}

pub async fn import(config: &Config, clock: &Clock, what: ImportKind) -> Result<(), CliError> {
    let db = startup::open_database(config).await?;
    let secrets = crate::startup::secrets(config)?;
    match what {
        ImportKind::Problems { file } => {
            let (name, bytes) = read(&file)?;
            let table = crate::tabular::read_table(&name, &bytes).map_err(CliError::Refused)?;
            let report = crate::lists::exchange::import_problems(ctx(&db, clock, &secrets), &Actor::system("import"), table).await?;
            println!(
                "导入完成：新增 {} 项，更新 {} 项，未变化 {} 项，拒绝 {} 行。",
                report.created, report.updated, report.unchanged, report.rejected_total
            );
            for rejected in &report.rejected {
                println!("  第 {} 行：{}", rejected.line, rejected.reason);
            }
        }
        ImportKind::Opinions { file, source, map } => {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let source = source.unwrap_or_else(|| name.split('.').next().unwrap_or("import").chars().take(15).collect());
            let mapping = crate::opinions::import::Mapping::new(&map).map_err(CliError::Refused)?;
            let (rows, total) = crate::tabular::stream_file(&file).map_err(CliError::Refused)?;
            let actor = Actor::system("import");
            let mut bar = progress("导入中");
            let report = crate::opinions::import::import_opinions(ctx(&db, clock, &secrets), &actor, rows, &mapping, &source, |read| {
                bar(read, total)
            })
            .await?;
            bar(total, total);
            println!(
                "导入完成（来源 {source}）：新增 {} 条，已存在 {} 条，拒绝 {} 行。",
                report.created, report.unchanged, report.rejected_total
            );
            for rejected in report.rejected.iter().take(50) {
                println!("  第 {} 行：{}", rejected.line, rejected.reason);
            }
            if report.rejected_total > 50 {
                println!("  ……另有 {} 行被拒绝", report.rejected_total - 50);
            }
        }
    }
    Ok(())
}

pub async fn reindex(config: &Config) -> Result<(), CliError> {
    let db = startup::open_database(config).await?;
    let vocabulary = crate::search::vocabulary::current(&db).await?;
    let jieba = std::sync::Arc::new(vocabulary.jieba().await?);
    let dir = config.data_dir.join("index");
    let (engine, _) = crate::search::SearchEngine::open(&dir, jieba, &vocabulary.version)
        .map_err(|e| CliError::Refused(format!("无法打开搜索索引（服务是否正在运行？）：{e}")))?;
    let engine = std::sync::Arc::new(engine);
    let n = crate::search::indexer::rebuild(&engine, &db, progress("重建索引"))
        .await
        .map_err(|e| CliError::Refused(format!("重建索引失败：{e}")))?;
    println!("搜索索引已重建：{n} 个文档。");
    Ok(())
}

pub async fn audit(config: &Config, clock: &Clock, action: AuditAction) -> Result<(), CliError> {
    use sea_orm::{EntityTrait, QueryOrder};
    let db = startup::open_database(config).await?;
    let secrets = crate::startup::secrets(config)?;
    match action {
        AuditAction::Verify { anchor } => {
            let extra = match anchor.as_deref().map(crate::journal::Checkpoint::parse) {
                Some(None) => return Err(CliError::Refused("锚点格式不对：应为 audit checkpoint 打印的那一行".into())),
                Some(Some(anchor)) => Some(anchor),
                None => None,
            };
            let anchors: Vec<_> = crate::journal::read_checkpoint(&secrets).into_iter().chain(extra).collect();
            match crate::journal::verify(&db, &secrets, &anchors).await? {
                crate::journal::ChainCheck::Intact { entries, anchored_at } => {
                    let anchored = anchored_at.map(|id| format!("，与第 {id} 条处的锚点一致")).unwrap_or_default();
                    println!("审计链完整：共 {entries} 条记录{anchored}。");
                    Ok(())
                }
                crate::journal::ChainCheck::Broken { id, reason } => {
                    Err(CliError::Refused(format!("审计链在第 {id} 条记录处断开：{reason}")))
                }
                crate::journal::ChainCheck::Truncated { anchored_id, found_entries } => Err(CliError::Refused(format!(
                    "审计链被截断：锚点记录到第 {anchored_id} 条，现在只找到 {found_entries} 条完整记录（末尾的记录被删除）"
                ))),
                crate::journal::ChainCheck::ForgedAnchor => Err(CliError::Refused("锚点的签名不对：不是本服务器签发的".into())),
            }
        }
        AuditAction::Checkpoint => {
            let head = entity::audit_log::Entity::find().order_by_desc(entity::audit_log::Column::Id).one(&db).await?;
            let Some(head) = head else { return Err(CliError::Refused("审计链还是空的".into())) };
            let checkpoint = crate::journal::Checkpoint::new(&secrets, head.id, &head.hash, clock.now());
            crate::journal::write_checkpoint(&secrets, head.id, &head.hash, clock.now())
                .map_err(|e| CliError::Refused(format!("无法写入锚点文件：{e}")))?;
            println!("{}", checkpoint.line());
            eprintln!("请把上面这一行另行保存（纸面或邮件）；日后用 lianxin audit verify --anchor '这一行' 核对。");
            Ok(())
        }
    }
}

pub async fn backup(config: &Config, clock: &Clock, file: &std::path::Path) -> Result<(), CliError> {
    let db = startup::open_database(config).await?;
    let manifest = crate::backup::backup(&db, &config.data_dir, file, clock.now()).await?;
    println!(
        "已备份到 {}：{} 条意见、{} 项问题、{} 份证明材料，审计链 {} 条（末条 {}）。",
        file.display(),
        manifest.counts.get("opinions").unwrap_or(&0),
        manifest.counts.get("problems").unwrap_or(&0),
        manifest.evidence_files,
        manifest.audit_entries,
        &manifest.audit_head[..12]
    );
    Ok(())
}

pub async fn restore(config: &Config, file: &std::path::Path, force: bool) -> Result<(), CliError> {
    // A restore writes the data directory's own database file; a server configured elsewhere
    // would not read it.
    let own_file = Config { database_url: None, ..config.clone() }.database_url();
    if config.database_url() != own_file {
        return Err(crate::backup::BackupError::NotSqlite.into());
    }
    let secrets = crate::startup::secrets(config)?;
    let manifest = crate::backup::restore(file, &config.data_dir, &secrets, force).await?;
    println!(
        "已从 {} 恢复（{} 的备份，审计链 {} 条已核验）；搜索索引将在下次启动时重建。",
        file.display(),
        manifest.created_at,
        manifest.audit_entries
    );
    Ok(())
}
