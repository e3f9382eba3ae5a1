//! Analysis commands: search evaluation, the routing classifier, theme mining, scores.

use std::path::Path;

use super::{CliError, ctx, jieba, progress, write_file};
use crate::cli::ThemesAction;
use crate::config::Config;
use crate::domain::clock::Clock;
use crate::jsonl::{self, Message};
use crate::service::Actor;

fn messages(path: &Path) -> Result<Vec<Message>, CliError> {
    jsonl::messages(path).map_err(CliError::Refused)
}

pub async fn search_eval(config: &Config, input: &Path, queries: usize, verbose: bool) -> Result<(), CliError> {
    let jieba = std::sync::Arc::new(jieba(config).await?);
    let messages = messages(input)?.into_iter().map(|m| crate::search::eval::Message { text: m.text(), id: m.id }).collect();
    let result = crate::search::eval::evaluate(jieba, messages, queries).map_err(|e| CliError::Refused(e.to_string()))?;
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

pub async fn discover_words(config: &Config, input: Option<&Path>, show: usize) -> Result<(), CliError> {
    let jieba = jieba(config).await?;
    let Some(input) = input else { return Err(CliError::Refused("请用 --input 指定留言文件".into())) };
    let texts: Vec<String> = messages(input)?.into_iter().map(|m| m.text()).collect();
    let found = crate::search::discovery::discover(&jieba, texts.iter().map(String::as_str), &Default::default());
    for c in found.iter().take(show) {
        println!("{}\t{}\t凝固度 {:.2}\t自由度 {:.2}", c.word, c.frequency, c.cohesion, c.freedom);
    }
    println!("{} 条留言：发现 {} 个新词候选", texts.len(), found.len());
    Ok(())
}

pub async fn classify(config: &Config, train: &Path, input: &Path, output: &Path) -> Result<(), CliError> {
    use crate::themes::classify::{Classifier, Example};
    let jieba = jieba(config).await?;
    let examples: Vec<Example> =
        messages(train)?.into_iter().filter(|m| !m.label.is_empty()).map(|m| Example { text: m.text(), label: m.label }).collect();
    if examples.is_empty() {
        return Err(CliError::Refused("训练文件里没有带 label 的留言".into()));
    }
    let model = Classifier::train(&jieba, &examples);
    let mut out = String::new();
    for m in messages(input)? {
        if let Some(p) = model.predict(&jieba, &m.text()) {
            let line = serde_json::json!({ "id": m.id, "label": p.label, "confidence": (p.confidence * 1000.0).round() / 1000.0 });
            out.push_str(&line.to_string());
            out.push('\n');
        }
    }
    write_file(output, &out)?;
    println!("已按 {} 条训练样本分类，结果写入 {}", examples.len(), output.display());
    Ok(())
}

pub async fn classify_eval(config: &Config, data: &Path, folds: usize) -> Result<(), CliError> {
    use crate::themes::classify::{Classifier, Example, fold_of, macro_f1};
    let folds = folds.clamp(2, 20);
    let jieba = jieba(config).await?;
    let messages: Vec<Message> = messages(data)?.into_iter().filter(|m| !m.label.is_empty()).collect();
    let (mut truth, mut predicted) = (Vec::new(), Vec::new());
    for k in 0..folds {
        let (test, train): (Vec<&Message>, Vec<&Message>) = messages.iter().partition(|m| fold_of(&m.title, folds) == k);
        let examples: Vec<Example> = train.iter().map(|m| Example { text: m.text(), label: m.label.clone() }).collect();
        let model = Classifier::train(&jieba, &examples);
        let (mut fold_truth, mut fold_pred) = (Vec::new(), Vec::new());
        for m in test {
            if let Some(p) = model.predict(&jieba, &m.text()) {
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

pub async fn cluster(config: &Config, input: &Path, output: &Path, themes: &Path) -> Result<(), CliError> {
    use crate::search::vocabulary::{self, Vocabulary};
    use crate::themes::cluster::{Settings, mine};
    let rows = messages(input)?;
    // The file's own names (estates, roads) enter the vocabulary for this analysis, as the
    // office would accept them from discovery: a place cut into fragments is not one place.
    let db = crate::startup::open_database(config).await?;
    let base = vocabulary::current(&db).await?;
    let texts: Vec<String> = rows.iter().map(|m| m.text()).collect();
    let learned = crate::search::discovery::discover(&base.jieba().await?, texts.iter().map(String::as_str), &Default::default());
    let jieba = Vocabulary::of(base.words.into_iter().chain(learned.iter().map(|c| c.word.clone())).collect()).jieba().await?;
    let messages: Vec<crate::themes::cluster::Message> = rows
        .iter()
        .map(|m| crate::themes::cluster::Message {
            id: m.id.clone(),
            title: m.title.clone(),
            body: m.body.clone(),
            time: crate::opinions::import::parse_time(&m.time),
            user: Some(m.user.clone()).filter(|u| !u.is_empty()),
            likes: m.likes,
            dislikes: m.dislikes,
        })
        .collect();
    let mined = mine(&jieba, &messages, &Settings::default(), progress("聚类中"));
    let mut assign = String::new();
    for (row, theme) in rows.iter().zip(&mined.assignment) {
        assign.push_str(&serde_json::json!({ "id": row.id, "theme": theme }).to_string());
        assign.push('\n');
    }
    let mut lines = String::new();
    for t in &mined.themes {
        let line = serde_json::json!({
            "theme": t.theme, "rank": t.rank, "heat": (t.heat * 100.0).round() / 100.0, "size": t.size,
            "distinct_citizens": t.distinct_citizens, "label": t.label, "keywords": t.keywords, "place": t.place,
        });
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    write_file(output, &assign)?;
    write_file(themes, &lines)?;
    let noise = mined.assignment.iter().filter(|a| a.is_none()).count();
    println!(
        "{} 条留言（从中发现 {} 个新词）→ {} 个主题，{} 条未归入主题。热度前十：",
        messages.len(),
        learned.len(),
        mined.themes.len(),
        noise
    );
    for t in mined.themes.iter().take(10) {
        println!("  {:>2}. 热度 {:>6.1} · {:>4} 条 · {:>4} 人 · {}", t.rank, t.heat, t.size, t.distinct_citizens, t.label);
    }
    Ok(())
}

pub async fn score(config: &Config, clock: &Clock, period: Option<String>, level: &str, json: bool, publish: bool) -> Result<(), CliError> {
    use crate::score::{LEVELS, period::Period, snapshot, view};
    let period = match period {
        Some(p) => Period::parse(&p).ok_or_else(|| CliError::Refused("统计期格式应如 2026-Q3、2026-07 或 2026".into()))?,
        None => Period::quarter_of(clock.today()),
    };
    if !LEVELS.iter().any(|(l, _)| *l == level) {
        return Err(CliError::Refused("层级须为 city、unit、region、category 或 theme".into()));
    }
    let db = crate::startup::open_database(config).await?;
    let secrets = crate::startup::secrets(config)?;
    if publish {
        let (version, n) = snapshot::publish(ctx(&db, clock, &secrets), &Actor::system("cli"), &period).await?;
        eprintln!(
            "{}",
            if n == 0 {
                format!("{} 已按第 {version} 版规则发布过，数字不变。", period.name())
            } else {
                format!("已按第 {version} 版规则发布 {}：{n} 个对象。", period.name())
            }
        );
    }
    // The command counts afresh (it needs no server): published numbers if they exist.
    let (settings, version) = crate::settings::current::<crate::score::formula::ScoreSettings>(&db).await?;
    let stored = snapshot::load(&db, &period, version).await?;
    let published = !stored.is_empty();
    let scores = if published { stored } else { crate::score::compute(&db, &period, &settings, clock.today()).await? };
    let previous = crate::score::compute(&db, &period.previous(), &settings, clock.today()).await?;
    let rows = view(&scores, &previous, level, settings.min_ratings);
    if json {
        let out = serde_json::json!({ "period": period.name(), "level": level, "settings_version": version, "published": published, "subjects": rows });
        println!("{out}");
        return Ok(());
    }
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
    Ok(())
}

pub async fn themes(config: &Config, clock: &Clock, action: ThemesAction) -> Result<(), CliError> {
    match action {
        ThemesAction::Rebuild => {
            let db = crate::startup::open_database(config).await?;
            let secrets = crate::startup::secrets(config)?;
            let jieba = std::sync::Arc::new(crate::search::vocabulary::jieba(&db).await?);
            let done =
                crate::themes::mining::rebuild(ctx(&db, clock, &secrets), &Actor::system("cli"), jieba, progress("挖掘主题")).await?;
            println!("已从 {} 条意见中挖掘出 {} 个主题。", done.opinions, done.themes);
            Ok(())
        }
    }
}

pub fn gen_corpus(clock: &Clock, n: usize, seed: u64, output: &Path) -> Result<(), CliError> {
    use std::io::Write;
    let fail = |e: std::io::Error| CliError::Refused(format!("无法写入 {}：{e}", output.display()));
    let mut out = std::io::BufWriter::new(std::fs::File::create(output).map_err(fail)?);
    let mut bar = progress("生成中");
    for (i, message) in crate::demo::corpus::Corpus::new(n, seed, clock.now()).enumerate() {
        serde_json::to_writer(&mut out, &message).map_err(|e| CliError::Refused(e.to_string()))?;
        out.write_all(b"\n").map_err(fail)?;
        if (i + 1) % 10_000 == 0 {
            bar(i + 1, n);
        }
    }
    out.flush().map_err(fail)?;
    bar(n, n);
    println!("已生成 {n} 条意见（种子 {seed}）：{}", output.display());
    Ok(())
}

/// Checks every reply of a JSON Lines file; prints how many had each finding.
pub fn reply_check(input: &Path, output: &Path) -> Result<(), CliError> {
    use crate::opinions::reply_check::{DEFAULT_VAGUE_WORDS, Exchange, check};
    let text = std::fs::read_to_string(input).map_err(|e| CliError::Refused(format!("无法读取 {}：{e}", input.display())))?;
    // The shipped dictionary: an offline check needs no database.
    let jieba = crate::search::tokenizer::build_jieba(&[]);
    let words: Vec<String> = DEFAULT_VAGUE_WORDS.iter().map(|w| w.to_string()).collect();
    let field = |v: &serde_json::Value, key: &str| match &v[key] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let date = |s: &str| crate::opinions::import::parse_time(s).map(crate::domain::time::today);
    let (mut lines, mut counts, mut checked, mut skipped, mut total) =
        (String::new(), std::collections::BTreeMap::new(), 0usize, 0usize, 0u64);
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            eprintln!("第 {} 行不是有效的 JSON，已跳过", n + 1);
            skipped += 1;
            continue;
        };
        let reply = field(&v, "reply");
        if reply.trim().is_empty() {
            skipped += 1;
            continue;
        }
        let (title, body) = (field(&v, "title"), field(&v, "body"));
        let x = Exchange {
            title: &title,
            body: &body,
            reply: &reply,
            filed: date(&field(&v, "time")),
            replied: date(&field(&v, "reply_time")),
        };
        let report = check(&jieba, &words, &x);
        for f in &report.findings {
            *counts.entry(f.code).or_insert(0usize) += 1;
        }
        checked += 1;
        total += u64::from(report.score);
        lines.push_str(&serde_json::json!({ "id": field(&v, "id"), "findings": report.findings, "score": report.score }).to_string());
        lines.push('\n');
    }
    write_file(output, &lines)?;
    println!("检查 {checked} 条答复（跳过 {skipped} 行），平均得分 {}。", total.checked_div(checked as u64).unwrap_or(0));
    for (code, n) in &counts {
        println!("  {code:<12} {n:>5} 条（{}%）", n * 100 / checked.max(1));
    }
    Ok(())
}
