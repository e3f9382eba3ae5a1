//! Sweeps: every word people could type, every problem page. Zero server errors, and every
//! highlighted title says exactly the stored title.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use lianxin::search::highlight::plain;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::Value;

use crate::helpers::TestApp;
use crate::on_both_databases;

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Every distinct word of `titles`, as jieba cuts them (and the titles themselves).
fn words_of<'a>(titles: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    let jieba = lianxin::search::tokenizer::build_jieba(&[]);
    let mut words = BTreeSet::new();
    for title in titles {
        for word in jieba.cut(title, true) {
            if word.word.chars().any(char::is_alphanumeric) {
                words.insert(word.word.to_string());
            }
        }
    }
    words
}

/// Waits until the index holds at least `n` documents.
async fn until_indexed(app: &TestApp, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let body: Value = app.get("/api/v1/search?q=").await.json().await.unwrap();
        if body["total"].as_u64().unwrap() >= n || Instant::now() > deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Queries every word through the search and similar APIs, 8 at a time. Returns the failures
/// (status ≥ 500, or a highlighted title that is not its title) and the number of requests.
async fn sweep_words(app: &TestApp, words: &BTreeSet<String>) -> (Vec<String>, usize) {
    let paths: Vec<String> =
        words.iter().flat_map(|w| [format!("/api/v1/search?q={}", encode(w)), format!("/api/v1/similar?text={}", encode(w))]).collect();
    let requests = paths.len();
    let failures: Vec<String> = stream::iter(paths)
        .map(|path| async move {
            let response = app.get(&path).await;
            let status = response.status();
            if status.is_server_error() {
                return vec![format!("{status} {path}")];
            }
            let body: Value = response.json().await.unwrap_or_default();
            body["hits"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|h| plain(h["title_html"].as_str().unwrap_or("")) != h["title"].as_str().unwrap_or(""))
                .map(|h| format!("{path}: {} shown as {}", h["title"], h["title_html"]))
                .collect()
        })
        .buffer_unordered(8)
        .flat_map(stream::iter)
        .collect()
        .await;
    (failures, requests)
}

on_both_databases! {
    async fn every_word_of_the_demo_city_searches_cleanly_and_every_problem_page_opens(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        let problems = entity::problem::Entity::find().all(&app.db).await.unwrap();
        let opinions = entity::opinion::Entity::find().all(&app.db).await.unwrap();
        until_indexed(&app, 2 * problems.len() as u64 + 1000).await;

        let mut failures = Vec::new();
        for p in &problems {
            let status = app.get(&format!("/problems/{}", p.code)).await.status();
            if status != 200 {
                failures.push(format!("{status} /problems/{}", p.code));
            }
        }
        let words = words_of(problems.iter().map(|p| p.title.as_str()).chain(opinions.iter().map(|o| o.title.as_str())));
        let (bad, requests) = sweep_words(&app, &words).await;
        failures.extend(bad);
        eprintln!("demo sweep: {} problem pages, {} words, {requests} search and similar requests", problems.len(), words.len());
        assert!(words.len() > 200, "the sweep covers the city's vocabulary ({} words)", words.len());
        assert!(failures.is_empty(), "{} failures, first: {:?}", failures.len(), &failures[..failures.len().min(10)]);
    }
}

on_both_databases! {
    async fn a_citizens_title_never_breaks_a_search_for_everyone(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        let before = entity::opinion::Entity::find().count(&app.db).await.unwrap();
        let response = app
            .client
            .post(app.url("/api/v1/opinions"))
            .json(&serde_json::json!({ "kind": "建议", "title": "希望尽快解决垃圾站", "content": "小区门口垃圾站夏天气味很大，希望尽快解决垃圾站问题。" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let response = app.get(&format!("/search?q={}", encode("垃圾站"))).await;
            assert_eq!(response.status(), 200);
            let html = response.text().await.unwrap();
            if html.contains("希望尽快解决<b>垃圾站</b>") || Instant::now() > deadline {
                assert!(html.contains("希望尽快解决<b>垃圾站</b>"), "the new opinion is found and highlighted whole");
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        for q in ["停车难", "公交车", "报销周期长", "（整改）"] {
            let body: Value = app.get(&format!("/api/v1/search?q={}", encode(q))).await.json().await.unwrap();
            for hit in body["hits"].as_array().unwrap() {
                assert_eq!(plain(hit["title_html"].as_str().unwrap()), hit["title"].as_str().unwrap(), "{q}");
            }
        }
        assert_eq!(entity::opinion::Entity::find().count(&app.db).await.unwrap(), before + 1);
    }
}

on_both_databases! {
    /// The shared real messages, when beside the project (CI has them): every distinct word of
    /// their titles and of the judged queries, and those queries whole, through search and similar.
    async fn every_word_of_the_shared_real_messages_searches_cleanly(app) {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/taidi2020");
        if !data.exists() {
            assert!(std::env::var("CI").is_err(), "CI provides ../shared/data/taidi2020 and it is missing");
            eprintln!("NOTE: {} is absent; the real-message sweep did not run", data.display());
            return;
        }
        let mut titles = Vec::new();
        for file in ["labeled.jsonl", "hot.jsonl", "replies.jsonl"] {
            let bytes = std::fs::read(data.join(file)).unwrap();
            for line in String::from_utf8_lossy(&bytes).lines() {
                let v: Value = serde_json::from_str(line).unwrap();
                titles.push(v["title"].as_str().unwrap_or_default().to_string());
            }
            let (rows, _) = lianxin::tabular::stream_file(&data.join(file)).unwrap();
            let mapping = lianxin::opinions::import::Mapping::new(&[]).unwrap();
            let source = file.trim_end_matches(".jsonl");
            lianxin::opinions::import::import_opinions(app.ctx(), &lianxin::service::Actor::system("import"), rows, &mapping, source, |_| {}).await.unwrap();
        }
        until_indexed(&app, 13_000).await;
        let mut words = words_of(titles.iter().map(String::as_str));
        // The judged queries too, whole and word by word: what citizens type, not only titles.
        let judged: Vec<Value> = serde_json::from_str(include_str!("../real_judgments.json")).unwrap();
        let queries: Vec<String> = judged.iter().map(|j| j["q"].as_str().unwrap().to_string()).collect();
        words.extend(words_of(queries.iter().map(String::as_str)));
        words.extend(queries);
        let (failures, requests) = sweep_words(&app, &words).await;
        eprintln!("real-message sweep: {} titles, {} words, {requests} search and similar requests", titles.len(), words.len());
        assert!(failures.is_empty(), "{} failures, first: {:?}", failures.len(), &failures[..failures.len().min(10)]);
    }
}
