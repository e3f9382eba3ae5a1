//! The binary as an operator meets it: bad start-up input and the README's demo command.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn lianxin(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lianxin"));
    cmd.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).env("LIANXIN_DATA_DIR", data_dir).env("LIANXIN_LOG", "warn");
    cmd
}

/// One clear line on stderr, a non-zero exit, and no panic or backtrace.
fn assert_clean_failure(output: std::process::Output, expect: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "exit status: {stderr}");
    assert!(stderr.contains(expect), "stderr should mention {expect:?}: {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}

#[test]
fn a_bad_database_url_gives_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = lianxin(dir.path()).env("DATABASE_URL", "mysql://nobody@localhost/x").arg("migrate").output().unwrap();
    assert_clean_failure(output, "DATABASE_URL");

    let output = lianxin(dir.path()).env("DATABASE_URL", "postgres://nobody:secret@127.0.0.1:1/none").arg("migrate").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(!stderr.contains("secret"), "the password is never printed: {stderr}");
    assert_clean_failure(output, "无法连接数据库");
}

#[test]
fn an_unwritable_data_directory_gives_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let output = lianxin(&file.join("data")).arg("migrate").output().unwrap();
    assert_clean_failure(output, "数据目录");
}

#[test]
fn a_port_in_use_gives_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = lianxin(dir.path()).args(["serve", "--bind", &addr]).output().unwrap();
    assert_clean_failure(output, "端口已被占用");
}

#[test]
fn migrate_twice_is_harmless() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let output = lianxin(dir.path()).arg("migrate").output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    assert!(dir.path().join("lianxin.db").exists());
}

/// The README's first command: the portal comes up with the demo city and prints the logins.
#[test]
fn serve_demo_starts_the_portal_with_the_demo_city() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = lianxin(dir.path())
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    let url = loop {
        assert!(Instant::now() < deadline, "the portal did not start: {printed}");
        let line = lines.next().expect("the server prints its address").unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(url) = line.strip_prefix("连心桥已启动：") {
            break url.to_string();
        }
    };
    assert!(printed.contains("60 项问题") && printed.contains("2000 条群众意见"), "{printed}");
    for login in ["admin", "jixiaoban", "xuanchuanbu", "sthjj"] {
        assert!(printed.contains(login), "demo login {login} printed: {printed}");
    }
    let health = http_get(&format!("{url}/healthz"));
    child.kill().ok();
    child.wait().ok();
    assert!(health.contains(r#""status":"ok""#) && health.contains(r#""db":"sqlite""#), "{health}");
}

/// A tiny blocking GET, so this test needs no async runtime.
fn http_get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap();
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn with_stdin(mut cmd: Command, input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn accounts_are_managed_from_the_command_line_and_the_audit_chain_checks_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut add = lianxin(dir.path());
    add.args(["user", "add", "--username", "clerk", "--role", "office", "--name", "绩效办值班员"]);
    let output = with_stdin(add, "a-long-password-1\n");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("已创建账号 clerk"));

    let mut again = lianxin(dir.path());
    again.args(["user", "add", "--username", "clerk", "--role", "office"]);
    assert_clean_failure(with_stdin(again, "a-long-password-1\n"), "用户名已被使用");

    let mut unitless = lianxin(dir.path());
    unitless.args(["user", "add", "--username", "unitless", "--role", "unit"]);
    assert_clean_failure(with_stdin(unitless, "a-long-password-1\n"), "所属单位");

    let mut short = lianxin(dir.path());
    short.args(["user", "passwd", "--username", "clerk"]);
    assert_clean_failure(with_stdin(short, "short\n"), "密码至少 12 位");

    let disable = lianxin(dir.path()).args(["user", "disable", "--username", "clerk"]).output().unwrap();
    assert!(disable.status.success());

    let verify = lianxin(dir.path()).args(["audit", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    assert!(String::from_utf8_lossy(&verify.stdout).contains("审计链完整：共 2 条记录"));

    // Edit the trail behind the application's back.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        use sea_orm::ConnectionTrait;
        let url = format!("sqlite://{}?mode=rw", dir.path().join("lianxin.db").display());
        let db = sea_orm::Database::connect(&url).await.unwrap();
        db.execute_unprepared("UPDATE audit_log SET action = 'user.enable' WHERE id = 2").await.unwrap();
    });
    assert_clean_failure(lianxin(dir.path()).args(["audit", "verify"]).output().unwrap(), "第 2 条记录处断开");
}

#[test]
fn problems_are_imported_and_deadlines_checked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = lianxin(dir.path()).arg("seed-demo").output().unwrap();
    assert!(seeded.status.success());
    let file = dir.path().join("问题清单.csv");
    std::fs::write(
        &file,
        "问题标题,问题描述,问题类别,区域,问题来源,牵头单位,责任岗位,完成时限,整改类型,整改措施,整改计划,整改目标\n\
         老旧管网漏水,管网老化,城乡建设,城关区,督查发现,SWUJ,分管副局长,2020-01-31,限期整改,更换管网,分段施工,不再漏水\n\
         ,,,,,,,,,,,\n\
         缺少字段的行,描述,不存在的类别,城关区,督查发现,SWUJ,局长,2026-12-31,限期整改,措施,计划,目标\n",
    )
    .unwrap();
    let output = lianxin(dir.path()).args(["import", "problems"]).arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("新增 1 项") && stdout.contains("拒绝 1 行"), "{stdout}");
    assert!(stdout.contains("第 4 行：问题类别"), "blank lines are skipped, line numbers are the file's: {stdout}");

    let check = lianxin(dir.path()).arg("check-deadlines").output().unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(stdout.contains("1 项标记为逾期"), "the imported item is past its deadline: {stdout}");

    let missing = lianxin(dir.path()).args(["import", "problems", "/no/such/file.csv"]).output().unwrap();
    assert_clean_failure(missing, "无法读取");
}

/// The shared real messages (development data beside the project) import cleanly and
/// idempotently. CI provides them, so there they must be present; elsewhere the test says
/// loudly that it had nothing to read.
#[test]
fn the_shared_real_messages_import_cleanly() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/taidi2020");
    if !data.exists() {
        assert!(std::env::var("CI").is_err(), "CI provides ../shared/data/taidi2020 and it is missing");
        eprintln!("NOTE: {} is absent; the real-message import was not exercised", data.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (file, rows) in [("labeled.jsonl", 6824), ("hot.jsonl", 4326), ("replies.jsonl", 2816)] {
        let output = lianxin(dir.path()).args(["import", "opinions"]).arg(data.join(file)).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{file}: {}", String::from_utf8_lossy(&output.stderr));
        assert!(stdout.contains(&format!("新增 {rows} 条，已存在 0 条，拒绝 0 行")), "{file}: {stdout}");
    }
    let again = lianxin(dir.path()).args(["import", "opinions"]).arg(data.join("hot.jsonl")).output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("新增 0 条，已存在 4326 条"));
    let bad_map = lianxin(dir.path()).args(["import", "opinions", "--map", "nosuch=列"]).arg(data.join("hot.jsonl")).output().unwrap();
    assert_clean_failure(bad_map, "未知字段");
}

#[test]
fn reindex_rebuilds_the_search_index_from_the_database() {
    let dir = tempfile::tempdir().unwrap();
    assert!(lianxin(dir.path()).arg("seed-demo").output().unwrap().status.success());
    let output = lianxin(dir.path()).arg("reindex").output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("搜索索引已重建：2123 个文档"));
    assert!(dir.path().join("index/meta.json").exists());
}

/// Offline analysis: the real hot issues of the shared messages come out whole, near the top.
#[test]
fn the_cluster_command_finds_the_real_hot_issues() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/taidi2020/hot.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let input = if data.exists() {
        data
    } else {
        assert!(std::env::var("CI").is_err(), "CI provides ../shared/data/taidi2020 and it is missing");
        eprintln!("NOTE: shared data absent; clustering a made-up file instead");
        let file = dir.path().join("made-up.jsonl");
        let lines: Vec<String> = (0..40)
            .map(|i| {
                let (title, user) =
                    if i % 2 == 0 { ("丽发新城搅拌站噪音扰民", i) } else { ("伊景园滨河苑捆绑销售车位", i) };
                serde_json::json!({ "id": i.to_string(), "title": title, "body": format!("{title}，第{i}次反映"), "user": format!("u{user}") })
                    .to_string()
            })
            .collect();
        std::fs::write(&file, lines.join("\n")).unwrap();
        file
    };
    let (assign, themes) = (dir.path().join("assign.jsonl"), dir.path().join("themes.jsonl"));
    let output = lianxin(dir.path())
        .arg("cluster")
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&assign)
        .arg("--themes")
        .arg(&themes)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rows: Vec<serde_json::Value> =
        std::fs::read_to_string(&input).unwrap().lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let assigned: Vec<serde_json::Value> =
        std::fs::read_to_string(&assign).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(assigned.len(), rows.len(), "one line per message");
    let ranked: Vec<serde_json::Value> =
        std::fs::read_to_string(&themes).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for field in ["theme", "rank", "heat", "size", "label", "keywords"] {
        assert!(!ranked[0][field].is_null(), "{field}");
    }
    assert!(ranked.windows(2).all(|w| w[0]["heat"].as_f64() >= w[1]["heat"].as_f64()), "sorted by heat");
    // Each issue: one theme holds at least 80% of the messages whose title names it, in the top ten.
    for key in ["丽发", "伊景园"] {
        let ids: Vec<&serde_json::Value> =
            rows.iter().filter(|r| r["title"].as_str().unwrap_or("").contains(key)).map(|r| &r["id"]).collect();
        let mut counts: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
        for a in &assigned {
            if ids.contains(&&a["id"])
                && let Some(t) = a["theme"].as_i64()
            {
                *counts.entry(t).or_default() += 1;
            }
        }
        let (theme, n) = counts.into_iter().max_by_key(|(_, n)| *n).expect("the issue is in a theme");
        assert!(n * 10 >= ids.len() * 8, "{key}: {n} of {} in theme {theme}", ids.len());
        assert!(theme <= 10, "{key} is in the top ten by heat (theme {theme})");
    }
}

#[test]
fn settings_that_do_not_parse_stop_the_start_with_their_name() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value) in [
        ("LIANXIN_COOKIE_SECURE", "ture"),
        ("LIANXIN_SESSION_IDLE_MINUTES", "abc"),
        ("LIANXIN_SESSION_MAX_HOURS", "-3"),
        ("LIANXIN_LIMIT_LOGIN", "many"),
    ] {
        let output = lianxin(dir.path()).env(name, value).arg("migrate").output().unwrap();
        assert_clean_failure(output, name);
    }
}

#[cfg(unix)]
#[test]
fn data_files_are_the_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(lianxin(&data).arg("seed-demo").output().unwrap().status.success());
    for file in ["lianxin.db", "secret.key", "audit.checkpoint"] {
        let mode = std::fs::metadata(data.join(file)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file} is {mode:o}");
    }
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the data directory is {mode:o}");
}

#[test]
fn an_audit_anchor_printed_today_catches_a_truncation_tomorrow() {
    let dir = tempfile::tempdir().unwrap();
    assert!(lianxin(dir.path()).arg("seed-demo").output().unwrap().status.success());
    let printed = lianxin(dir.path()).args(["audit", "checkpoint"]).output().unwrap();
    assert!(printed.status.success());
    let anchor = String::from_utf8_lossy(&printed.stdout).trim().to_string();
    let ok = lianxin(dir.path()).args(["audit", "verify", "--anchor", &anchor]).output().unwrap();
    assert!(ok.status.success() && String::from_utf8_lossy(&ok.stdout).contains("锚点一致"), "{}", String::from_utf8_lossy(&ok.stdout));
    // Someone with the database but not the data directory deletes the newest entry and the file.
    let db = dir.path().join("lianxin.db");
    let sql = std::process::Command::new("python3")
        .args(["-c", &format!("import sqlite3; c = sqlite3.connect('{}'); c.execute('DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)'); c.commit()", db.display())])
        .status()
        .unwrap();
    assert!(sql.success());
    std::fs::remove_file(dir.path().join("audit.checkpoint")).unwrap();
    let caught = lianxin(dir.path()).args(["audit", "verify", "--anchor", &anchor]).output().unwrap();
    assert!(!caught.status.success());
    assert!(String::from_utf8_lossy(&caught.stderr).contains("截断"), "{}", String::from_utf8_lossy(&caught.stderr));
    // An anchor made up by whoever deleted the entry, naming the new head, is not signed.
    let (head, _) = anchor.split_once(':').unwrap();
    let forged = anchor.replacen(head, &(head.parse::<i64>().unwrap() - 1).to_string(), 1);
    let refused = lianxin(dir.path()).args(["audit", "verify", "--anchor", &forged]).output().unwrap();
    assert!(
        !refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("签名不对"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn reply_check_writes_one_line_per_reply_with_findings_and_a_score() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("replies.jsonl");
    let output = dir.path().join("checked.jsonl");
    let lines = [
        serde_json::json!({ "id": "1", "title": "幸福小区路灯不亮", "body": "幸福小区东门路灯坏了一个月", "reply": "您好，我局将尽快安排人员处理幸福小区路灯问题。" }),
        serde_json::json!({ "id": 2, "title": "幸福小区路灯不亮", "body": "路灯坏了", "time": "2026-01-05 09:00:00", "reply_time": "2026-03-02 10:00:00",
            "reply": "经我局市政科工作人员现场核实，幸福小区东门3盏路灯线路老化，已于1月8日更换线路并修复。根据《城市照明管理规定》，路灯由我局负责维护，如再有损坏请拨打市政热线反映。" }),
        serde_json::json!({ "id": "3", "title": "没有答复" }),
    ];
    std::fs::write(&input, lines.iter().map(|l| l.to_string() + "\n").collect::<String>() + "not json\n").unwrap();
    let out = lianxin(dir.path()).args(["reply-check", "--input"]).arg(&input).arg("--output").arg(&output).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let checked: Vec<serde_json::Value> =
        std::fs::read_to_string(&output).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(checked.len(), 2, "one line per reply; a line without a reply or not JSON is skipped");
    let codes = |v: &serde_json::Value| {
        v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(checked[0]["id"], "1");
    assert!(codes(&checked[0]).contains(&"vague_time".to_string()) && checked[0]["score"].as_u64().unwrap() < 80, "{:?}", checked[0]);
    assert_eq!(checked[1]["id"], "2");
    assert_eq!(codes(&checked[1]), ["late"], "concrete, but late");
    assert_eq!(checked[1]["score"], 90);
    assert!(String::from_utf8_lossy(&out.stdout).contains("检查 2 条答复"));
    assert!(!dir.path().join("lianxin.db").exists() && !std::path::Path::new("data").exists(), "an offline check opens no database");
}
