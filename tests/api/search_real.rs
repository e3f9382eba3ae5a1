//! Search judged on real citizen messages: the development messages beside the project
//! (`../shared/data/taidi2020/labeled.jsonl`) imported through the import use case, and queries
//! citizens would type, each with the messages that must come back in the first 20
//! (`tests/real_judgments.json`, written by reading the messages). Recall@20 and nDCG@10 per
//! query are printed. The target, a mean recall of 0.95, is held on both databases (this commit
//! measures 0.961, nDCG@10 0.935). Messages kept from the public (举报) are not asked for: public
//! search must not show them.

use std::collections::HashMap;

use serde_json::Value;

use crate::helpers::TestApp;
use crate::on_both_databases;

fn shared_messages() -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/taidi2020/labeled.jsonl");
    if path.exists() {
        return Some(path);
    }
    assert!(std::env::var("CI").is_err(), "CI provides ../shared/data/taidi2020 and it is missing");
    eprintln!("NOTE: {} is absent; the real-message judgments were not run", path.display());
    None
}

/// Imports the messages as the office's import would; returns database id → message id of the
/// public ones, and the ids of those kept from the public (举报 names people: staff only).
async fn import(app: &TestApp, path: &std::path::Path) -> (HashMap<i32, String>, Vec<String>) {
    use sea_orm::{EntityTrait, QuerySelect};
    let (rows, _) = lianxin::tabular::stream_file(path).unwrap();
    let mapping = lianxin::opinions::import::Mapping::new(&[]).unwrap();
    let actor = lianxin::service::Actor::system("import");
    let report = lianxin::opinions::import::import_opinions(app.ctx(), &actor, rows, &mapping, "labeled", |_| {}).await.unwrap();
    assert_eq!(report.rejected_total, 0);
    let ids: Vec<(i32, Option<String>, bool)> = entity::opinion::Entity::find()
        .select_only()
        .columns([entity::opinion::Column::Id, entity::opinion::Column::ExternalId, entity::opinion::Column::Public])
        .into_tuple()
        .all(&app.db)
        .await
        .unwrap();
    let (public, private): (Vec<_>, Vec<_>) = ids
        .into_iter()
        .filter_map(|(id, ext, public)| Some((id, ext?.strip_prefix("labeled:")?.to_string(), public)))
        .partition(|(_, _, public)| *public);
    (public.into_iter().map(|(id, ext, _)| (id, ext)).collect(), private.into_iter().map(|(_, ext, _)| ext).collect())
}

/// The message ids of the first 20 hits, a folded hit standing for the opinions it folds.
async fn top_twenty(app: &TestApp, query: &str, messages: &HashMap<i32, String>) -> Vec<Vec<String>> {
    let q: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let response = app.get(&format!("/api/v1/search?q={q}&page_size=20")).await;
    assert_eq!(response.status(), 200, "{query}");
    let body: Value = response.json().await.unwrap();
    let id = |url: &str| url.strip_prefix("/opinions/").and_then(|id| id.parse::<i32>().ok()).and_then(|id| messages.get(&id).cloned());
    body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            let mut ids: Vec<String> = id(hit["url"].as_str().unwrap_or_default()).into_iter().collect();
            for same in hit["same_urls"].as_array().into_iter().flatten() {
                ids.extend(id(same.as_str().unwrap_or_default()));
            }
            ids
        })
        .collect()
}

/// Binary nDCG@10 over the hits unfolded in place: a folded hit's opinions stand where it stands.
fn ndcg_at_ten(hits: &[Vec<String>], must: &[String]) -> f64 {
    let gain = |rank: usize| 1.0 / ((rank + 2) as f64).log2();
    let dcg: f64 = hits.iter().flatten().take(10).enumerate().filter(|(_, id)| must.contains(id)).map(|(rank, _)| gain(rank)).sum();
    let ideal: f64 = (0..must.len().min(10)).map(gain).sum();
    dcg / ideal
}

on_both_databases! {
    async fn real_message_queries_keep_their_measured_recall_at_twenty(app) {
        let Some(path) = shared_messages() else { return };
        let (messages, private) = import(&app, &path).await;
        app.index_settled().await;
        let judgments: Vec<Value> = serde_json::from_str(include_str!("../real_judgments.json")).unwrap();
        assert!(judgments.len() >= 40, "at least 40 judged queries");
        let (mut recall_sum, mut ndcg_sum) = (0.0, 0.0);
        let (mut misses, mut kept_private) = (Vec::new(), 0);
        eprintln!("{:<16} {:>4} {:>9} {:>7}", "query", "must", "recall@20", "nDCG@10");
        for j in &judgments {
            let query = j["q"].as_str().unwrap();
            let mut must: Vec<String> = j["must"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect();
            // Public search cannot show what is kept from the public.
            let before = must.len();
            must.retain(|m| !private.contains(m));
            kept_private += before - must.len();
            let hits = top_twenty(&app, query, &messages).await;
            let found: Vec<&String> = must.iter().filter(|m| hits.iter().flatten().any(|h| h == *m)).collect();
            let recall = found.len() as f64 / must.len() as f64;
            let ndcg = ndcg_at_ten(&hits, &must);
            eprintln!("{query:<16} {:>4} {recall:>9.3} {ndcg:>7.3}", must.len());
            recall_sum += recall;
            ndcg_sum += ndcg;
            misses.extend(must.iter().filter(|m| !found.contains(m)).map(|m| format!("{query} → {m}")));
        }
        let n = judgments.len() as f64;
        let (recall, ndcg) = (recall_sum / n, ndcg_sum / n);
        eprintln!("{} queries: mean recall@20 {recall:.3}, mean nDCG@10 {ndcg:.3}", judgments.len());
        eprintln!("missed: {misses:#?}");
        eprintln!("{kept_private} judged messages are kept from the public (举报) and were not asked for");
        assert!(recall >= 0.95, "mean recall@20 {recall:.3} is below the target 0.95 (measured 0.961)");
        assert!(ndcg >= 0.92, "mean nDCG@10 {ndcg:.3} fell below the measured 0.935");
    }
}
