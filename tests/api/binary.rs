//! The real binary: crash safety under SIGKILL, interrupted imports and reindexes, and backups
//! taken while the portal serves.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{Database, DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::helpers::{Backend, fresh_database_url};

fn lianxin(data: &Path, database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lianxin"));
    command
        .env("LIANXIN_DATA_DIR", data)
        .env("DATABASE_URL", database_url)
        .env("LIANXIN_BIND", "127.0.0.1:0")
        // Submissions come from many made-up addresses, as behind a proxy.
        .env("LIANXIN_TRUST_PROXY", "true")
        .env("LIANXIN_DEADLINE_CHECK_MINUTES", "0")
        .env("LIANXIN_LOG", "warn")
        .stdin(Stdio::null());
    command
}

/// A child process killed when dropped, so a failing test leaves no server behind.
pub(crate) struct Running(Child);

impl Running {
    pub(crate) fn kill(&mut self) -> std::io::Result<()> {
        self.0.kill()?;
        self.0.wait().map(|_| ())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` and returns it with its base URL, read from its first line of output.
fn serve(data: &Path, database_url: &str) -> (Running, String) {
    serve_with(data, database_url, &[])
}

/// Starts `serve` with more environment variables.
pub(crate) fn serve_with(data: &Path, database_url: &str, vars: &[(&str, &str)]) -> (Running, String) {
    let mut command = lianxin(data, database_url);
    command.envs(vars.iter().copied());
    let mut child = command.arg("serve").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line.trim().rsplit_once("http://").map(|(_, addr)| format!("http://{addr}")).expect("serve prints its address");
    (Running(child), base)
}

pub(crate) async fn healthy(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server at {base} did not become healthy");
}

/// Waits until the index has applied every event, then returns the public document count.
async fn indexed(client: &reqwest::Client, base: &str) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let health: Value = client.get(format!("{base}/healthz")).send().await.unwrap().json().await.unwrap();
        if health["index"]["events_behind"] == 0 || Instant::now() > deadline {
            let all: Value = client.get(format!("{base}/api/v1/search?q=")).send().await.unwrap().json().await.unwrap();
            return all["total"].as_u64().unwrap();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn connect(url: &str) -> DatabaseConnection {
    Database::connect(url).await.unwrap()
}

/// Five rounds: a burst of submissions, SIGKILL in the middle of it, a restart, then every
/// acknowledged code is tracked and every stored opinion is searchable.
async fn acknowledged_submissions_survive_sigkill(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(backend, dir.path()).await;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let mut acknowledged: Vec<String> = Vec::new();
    for round in 0..5 {
        let (mut server, base) = serve(dir.path(), &url);
        healthy(&client, &base).await;
        let acked = Arc::new(Mutex::new(Vec::new()));
        let burst: Vec<_> = (0..8)
            .map(|worker| {
                let (client, base, acked) = (client.clone(), base.clone(), acked.clone());
                tokio::spawn(async move {
                    for n in 0.. {
                        let body = json!({ "kind": "complaint", "title": format!("第{round}轮{worker}号{n}路灯不亮"), "content": "夜里路灯不亮，行人看不清路。" });
                        let sent = client.post(format!("{base}/api/v1/opinions")).header("x-forwarded-for", format!("10.{round}.{worker}.{}", n % 250)).json(&body).send().await;
                        match sent {
                            Ok(r) if r.status() == 201 => {
                                let code = r.json::<Value>().await.unwrap()["tracking_code"].as_str().unwrap().to_string();
                                acked.lock().unwrap().push(code);
                            }
                            Ok(r) => panic!("a submission was refused: {}", r.status()),
                            Err(_) => return,
                        }
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(700 + 150 * round)).await;
        server.kill().unwrap();
        for task in burst {
            task.await.unwrap();
        }
        let this_round = acked.lock().unwrap().clone();
        assert!(!this_round.is_empty(), "round {round} acknowledged something before the kill");
        acknowledged.extend(this_round.iter().cloned());

        let (mut server, base) = serve(dir.path(), &url);
        healthy(&client, &base).await;
        let mut missing = 0;
        for (i, code) in acknowledged.iter().enumerate() {
            let lookup =
                client.get(format!("{base}/api/v1/opinions/{code}")).header("x-forwarded-for", format!("10.200.{}.{}", i / 250, i % 250));
            if lookup.send().await.unwrap().status() != 200 {
                missing += 1;
            }
        }
        let db = connect(&url).await;
        let stored = entity::opinion::Entity::find().count(&db).await.unwrap();
        let searchable = indexed(&client, &base).await;
        eprintln!(
            "{backend:?} round {}: {} acknowledged this round, {} in all, {} found, {stored} stored, {searchable} searchable",
            round + 1,
            this_round.len(),
            acknowledged.len(),
            acknowledged.len() - missing
        );
        assert_eq!(missing, 0, "every acknowledged submission is stored and tracked");
        assert_eq!(searchable, stored, "after catching up, every stored opinion is searchable");
        db.close().await.ok();
        server.kill().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_submissions_survive_sigkill_on_sqlite() {
    acknowledged_submissions_survive_sigkill(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_submissions_survive_sigkill_on_postgres() {
    acknowledged_submissions_survive_sigkill(Backend::Postgres).await;
}

/// Kills `command` once `started` says it is under way; returns whether it was still running.
async fn kill_when(mut command: Command, started: impl AsyncFn() -> bool) -> bool {
    let mut child = Running(command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    let deadline = Instant::now() + Duration::from_secs(120);
    while !started().await && Instant::now() < deadline {
        if child.0.try_wait().unwrap().is_some() {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let running = child.0.try_wait().unwrap().is_none();
    child.kill().ok();
    running
}

/// An import killed half-way keeps whole batches only, and a rerun adds exactly the rest; a
/// reindex killed half-way is redone at the next start instead of leaving a thin index.
async fn interrupted_import_and_reindex_leave_nothing_half_done(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(backend, dir.path()).await;
    let file = dir.path().join("hotline.jsonl");
    const ROWS: u64 = 20_000;
    let lines: String = (0..ROWS)
        .map(|n| {
            json!({ "id": n, "title": format!("{}号楼下水道堵塞", n), "body": "下水道堵塞，污水外溢。", "time": "2026-10-01 09:00:00" })
                .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(&file, lines).unwrap();
    assert!(lianxin(dir.path(), &url).arg("migrate").status().unwrap().success());
    let db = connect(&url).await;

    let mut import = lianxin(dir.path(), &url);
    import.args(["import", "opinions"]).arg(&file);
    let killed = kill_when(import, || async { entity::opinion::Entity::find().count(&db).await.unwrap_or(0) > 0 }).await;
    let kept = entity::opinion::Entity::find().count(&db).await.unwrap();
    let received = entity::opinion_event::Entity::find().count(&db).await.unwrap();
    eprintln!("{backend:?}: import killed while running: {killed}; {kept} of {ROWS} kept");
    assert_eq!(kept % 500, 0, "only whole batches of 500 are kept ({kept})");
    assert_eq!(received, kept, "every kept opinion has its history, nothing else");
    let rerun = lianxin(dir.path(), &url).args(["import", "opinions"]).arg(&file).output().unwrap();
    let said = String::from_utf8_lossy(&rerun.stdout);
    assert!(said.contains(&format!("新增 {} 条，已存在 {kept} 条", ROWS - kept)), "{said}");
    assert_eq!(entity::opinion::Entity::find().count(&db).await.unwrap(), ROWS);

    let index = dir.path().join("index");
    let mut reindex = lianxin(dir.path(), &url);
    reindex.arg("reindex");
    let mark = index.join("events-applied");
    let killed = kill_when(reindex, || async { !mark.exists() }).await;
    eprintln!("{backend:?}: reindex killed while running: {killed}");
    let (mut server, base) = serve(dir.path(), &url);
    let client = reqwest::Client::new();
    healthy(&client, &base).await;
    assert_eq!(indexed(&client, &base).await, ROWS, "the next start rebuilds what the killed reindex left");
    server.kill().unwrap();
    let verify = lianxin(dir.path(), &url).args(["audit", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_import_and_reindex_leave_nothing_half_done_on_sqlite() {
    interrupted_import_and_reindex_leave_nothing_half_done(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_import_and_reindex_leave_nothing_half_done_on_postgres() {
    interrupted_import_and_reindex_leave_nothing_half_done(Backend::Postgres).await;
}

/// A backup taken from the live demo city while citizens keep submitting restores into an empty
/// directory with its audit chain intact, and the restored portal serves every document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_whole() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(Backend::Sqlite, dir.path()).await;
    let mut child =
        Running(lianxin(dir.path(), &url).args(["serve", "--demo"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    let mut out = BufReader::new(child.0.stdout.take().unwrap());
    let base = loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "serve --demo prints its address");
        if let Some((_, addr)) = line.trim().rsplit_once("http://") {
            break format!("http://{addr}");
        }
    };
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    healthy(&client, &base).await;
    let load = {
        let (client, base) = (client.clone(), base.clone());
        tokio::spawn(async move {
            for n in 0..150 {
                let body = json!({ "kind": "suggestion", "title": format!("备份期间的建议{n}"), "content": "建议增加公交班次。" });
                let sent = client
                    .post(format!("{base}/api/v1/opinions"))
                    .header("x-forwarded-for", format!("10.9.{}.{}", n / 250, n % 250))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(sent.status(), 201);
            }
        })
    };
    // An evidence file, stored as the portal stores them: named by its checksum.
    let photo = b"\x89PNG\r\n\x1a\n evidence bytes".to_vec();
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&photo))
    };
    std::fs::create_dir_all(dir.path().join("evidence").join(&sha[..2])).unwrap();
    std::fs::write(dir.path().join("evidence").join(&sha[..2]).join(&sha), &photo).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let archive = dir.path().join("backup.tar");
    let taken = lianxin(dir.path(), &url).arg("backup").arg(&archive).output().unwrap();
    assert!(taken.status.success(), "{}", String::from_utf8_lossy(&taken.stderr));
    load.await.unwrap();
    child.kill().unwrap();

    let target = tempfile::tempdir().unwrap();
    // The secret travels apart from backups: restoring needs the source server's key.
    let restore_without_key = {
        let other = tempfile::tempdir().unwrap();
        Command::new(env!("CARGO_BIN_EXE_lianxin"))
            .env("LIANXIN_DATA_DIR", other.path())
            .env_remove("DATABASE_URL")
            .arg("restore")
            .arg(&archive)
            .output()
            .unwrap()
    };
    assert!(
        !restore_without_key.status.success() && String::from_utf8_lossy(&restore_without_key.stderr).contains("密钥"),
        "{}",
        String::from_utf8_lossy(&restore_without_key.stderr)
    );
    std::fs::copy(dir.path().join("secret.key"), target.path().join("secret.key")).unwrap();
    let target_url = format!("sqlite://{}?mode=rwc", target.path().join("lianxin.db").display());
    let restore = |force: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lianxin"));
        command.env("LIANXIN_DATA_DIR", target.path()).env_remove("DATABASE_URL").arg("restore").arg(&archive);
        if force {
            command.arg("--force");
        }
        command.output().unwrap()
    };
    let restored = restore(false);
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
    let again = restore(false);
    assert!(
        !again.status.success() && String::from_utf8_lossy(&again.stderr).contains("--force"),
        "a portal is never overwritten silently"
    );
    assert!(restore(true).status.success());
    assert_eq!(std::fs::read(target.path().join("evidence").join(&sha[..2]).join(&sha)).unwrap(), photo, "evidence comes back");

    // A backup whose manifest does not match its contents is refused before anything is replaced.
    let tampered = dir.path().join("tampered.tar");
    {
        let mut source = tar::Archive::new(std::fs::File::open(&archive).unwrap());
        let mut out = tar::Builder::new(std::fs::File::create(&tampered).unwrap());
        for entry in source.entries().unwrap() {
            let mut entry = entry.unwrap();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            let path = entry.path().unwrap().into_owned();
            if path.to_str() == Some("manifest.json") {
                bytes = String::from_utf8(bytes).unwrap().replace("\"opinions\": 20", "\"opinions\": 19").into_bytes();
            }
            let mut header = entry.header().clone();
            header.set_size(bytes.len() as u64);
            header.set_cksum();
            out.append_data(&mut header, path, bytes.as_slice()).unwrap();
        }
        out.finish().unwrap();
    }
    let refused = Command::new(env!("CARGO_BIN_EXE_lianxin"))
        .env("LIANXIN_DATA_DIR", target.path())
        .env_remove("DATABASE_URL")
        .arg("restore")
        .arg(&tampered)
        .arg("--force")
        .output()
        .unwrap();
    assert!(
        !refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("校验失败"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let manifest: Value = {
        let mut archive = tar::Archive::new(std::fs::File::open(&archive).unwrap());
        let mut entry =
            archive.entries().unwrap().map(Result::unwrap).find(|e| e.path().unwrap().to_str() == Some("manifest.json")).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let original = connect(&url).await;
    let restored_db = connect(&target_url).await;
    let (before, after) = (
        entity::opinion::Entity::find().count(&restored_db).await.unwrap(),
        entity::opinion::Entity::find().count(&original).await.unwrap(),
    );
    eprintln!("backup under load: {before} opinions in the backup, {after} in the live database afterwards, manifest {manifest}");
    assert_eq!(manifest["counts"]["opinions"].as_u64(), Some(before), "the manifest describes what was restored");
    assert!(before >= 2000 && before <= after, "a consistent point in time between start and end of the load");
    let verify = Command::new(env!("CARGO_BIN_EXE_lianxin"))
        .env("LIANXIN_DATA_DIR", target.path())
        .env_remove("DATABASE_URL")
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));

    let mut server = Command::new(env!("CARGO_BIN_EXE_lianxin"));
    server.env("LIANXIN_DATA_DIR", target.path()).env_remove("DATABASE_URL").env("LIANXIN_BIND", "127.0.0.1:0").env("LIANXIN_LOG", "warn");
    let mut server = Running(server.arg("serve").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let restored_base = format!("http://{}", line.trim().rsplit_once("http://").unwrap().1);
    healthy(&client, &restored_base).await;
    let public = indexed(&client, &restored_base).await;
    use sea_orm::{ColumnTrait, QueryFilter};
    let expected = 2 * entity::problem::Entity::find().count(&restored_db).await.unwrap()
        + entity::report::Entity::find()
            .filter(entity::report::Column::Status.eq(entity::vocab::ReportStatus::Published))
            .count(&restored_db)
            .await
            .unwrap()
        + entity::opinion::Entity::find()
            .filter(entity::opinion::Column::Public.eq(true))
            .filter(entity::opinion::Column::Status.is_not_in([
                entity::vocab::OpinionStatus::Hidden,
                entity::vocab::OpinionStatus::Withdrawn,
                entity::vocab::OpinionStatus::Merged,
            ]))
            .count(&restored_db)
            .await
            .unwrap();
    assert_eq!(public, expected, "the index is rebuilt from the restored database");
    server.kill().unwrap();
}

async fn a_demo_city_grows_to_the_size_asked_for(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(backend, dir.path()).await;
    let seed = || lianxin(dir.path(), &url).args(["seed-demo", "--opinions", "6000"]).output().unwrap();
    let first = seed();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("已加入 4000 条生成的群众意见"));
    let db = connect(&url).await;
    assert_eq!(entity::opinion::Entity::find().count(&db).await.unwrap(), 6000);
    let again = seed();
    assert!(String::from_utf8_lossy(&again.stdout).contains("已加入 0 条生成的群众意见（已存在 4000 条）"), "nothing twice");
    assert_eq!(entity::opinion::Entity::find().count(&db).await.unwrap(), 6000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_city_grows_to_the_size_asked_for_on_sqlite() {
    a_demo_city_grows_to_the_size_asked_for(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_city_grows_to_the_size_asked_for_on_postgres() {
    a_demo_city_grows_to_the_size_asked_for(Backend::Postgres).await;
}
