//! Search: judged queries over the demo city, hostile input, freshness, privacy, several servers.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::Value;

use crate::fixtures::{PASSWORD, small_city};
use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

async fn search(app: &TestApp, query: &str) -> Value {
    let url = format!("/api/v1/search?{}", query);
    let response = app.get(&url).await;
    assert_eq!(response.status(), 200, "{url}");
    response.json().await.unwrap()
}

fn q(text: &str) -> String {
    format!("q={}", url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>())
}

/// Waits (polling, never asserting on time) until a hit titled `title` comes back for `query`.
async fn until_titled(app: &TestApp, query: &str, title: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let body = search(app, query).await;
        let found = body["hits"].as_array().unwrap().iter().any(|h| h["title"] == title);
        if found || Instant::now() > deadline {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (polling, never asserting on time) until `query` has at least `n` hits.
async fn until_found(app: &TestApp, query: &str, n: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let body = search(app, query).await;
        if body["total"].as_u64().unwrap() >= n || Instant::now() > deadline {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

on_both_databases! {
    async fn judged_queries_over_the_demo_city_reach_recall_at_ten_of_ninety_percent(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        use entity::vocab::{OpinionStatus, ReportStatus};
        use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
        let public = 2 * 60
            + entity::report::Entity::find().filter(entity::report::Column::Status.eq(ReportStatus::Published)).count(&app.db).await.unwrap()
            + entity::opinion::Entity::find()
                .filter(entity::opinion::Column::Status.is_not_in([OpinionStatus::Hidden, OpinionStatus::Withdrawn, OpinionStatus::Merged]))
                .filter(entity::opinion::Column::Public.eq(true))
                .count(&app.db)
                .await
                .unwrap();
        let all = until_found(&app, "q=", public).await;
        assert_eq!(all["total"].as_u64().unwrap(), public, "every public problem, rectification, report and opinion is indexed, nothing else (举报 are not public)");
        let judgments: Vec<Value> = serde_json::from_str(include_str!("../search_judgments.json")).unwrap();
        assert!(judgments.len() >= 30);
        let (mut wanted, mut found) = (0, 0);
        let mut misses = Vec::new();
        for j in &judgments {
            let body = search(&app, &q(j["q"].as_str().unwrap())).await;
            let titles: Vec<&str> = body["hits"].as_array().unwrap().iter().map(|h| h["title"].as_str().unwrap()).collect();
            for must in j["must"].as_array().unwrap() {
                wanted += 1;
                let must = must.as_str().unwrap();
                if titles.iter().any(|t| t.trim_end_matches("（整改）") == must) {
                    found += 1;
                } else {
                    misses.push(format!("{} → {must}", j["q"]));
                }
            }
        }
        let recall = found as f64 / wanted as f64;
        eprintln!("judged queries: recall@10 = {recall:.3} ({found}/{wanted}); missed: {misses:?}");
        assert!(recall >= 0.9, "recall@10 = {recall:.3}; missed: {misses:?}");
    }
}

on_both_databases! {
    async fn hostile_and_empty_queries_get_a_clean_answer(app) {
        small_city(app.ctx()).await;
        let long = "长".repeat(5000);
        for text in ["", "   ", "，。！？", "AND (", "\"", "*", ":", "title:x OR", "a\u{0000}b", "😀😀", "\u{202E}反向", &long, "WT-2026-0001", "SELECT * FROM users;--"] {
            let body = search(&app, &q(text)).await;
            assert!(body["total"].is_u64(), "{text:?}");
            let page = app.get(&format!("/search?{}", q(text))).await;
            assert_eq!(page.status(), 200, "{text:?}");
            assert!(!page.text().await.unwrap().contains("<script"), "{text:?}");
        }
        for junk in ["type=x&page=-1", "from=notadate&to=2026-13-45", "sort=%00&page=99999999999", "unit=%E2%80%AE"] {
            assert_eq!(app.get(&format!("/api/v1/search?{junk}")).await.status(), 200, "{junk}");
        }
    }
}

on_both_databases! {
    async fn similar_opinions_are_public_opinions_only(app) {
        for (kind, title) in [("complaint", "河滨路夜市油烟扰民"), ("report", "举报河滨路夜市油烟"), ("complaint", "河滨路夜市油烟太大")] {
            let body = serde_json::json!({ "kind": kind, "title": title, "content": format!("{title}，每天晚上都有。") });
            assert_eq!(app.client.post(app.url("/api/v1/opinions")).json(&body).send().await.unwrap().status(), 201);
        }
        app.index_settled().await;
        let similar: Value = app.get(&format!("/api/v1/similar?text={}", q("河滨路夜市油烟"))).await.json().await.unwrap();
        let titles: Vec<&str> = similar["opinions"].as_array().unwrap().iter().filter_map(|o| o["title"].as_str()).collect();
        assert_eq!(titles.len(), 2, "both public opinions: {titles:?}");
        assert!(!titles.iter().any(|t| t.contains("举报")), "a report is not public, so never a similar opinion: {titles:?}");
    }
}

on_both_databases! {
    async fn staff_writes_become_searchable_and_private_things_never_do(app) {
        small_city(app.ctx()).await;
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        let deadline = (Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
        office.post_form("/office/problems", &[
            ("title", "幸福路井盖缺失"), ("description", "幸福路 3 号门口井盖缺失"), ("category", "城乡建设"), ("region", "城关区"),
            ("source", "inspection"), ("lead_unit", "UA"), ("cooperating", ""), ("responsible_post", "科长"), ("deadline", &deadline),
            ("kind", "immediate"), ("measures", "补装井盖"), ("plan", "当日完成"), ("target", "井盖齐全"),
        ]).await;
        let started = Instant::now();
        let body = until_titled(&app, &q("幸福路井盖"), "幸福路井盖缺失").await;
        eprintln!("write → searchable in {:?}", started.elapsed());
        assert_eq!(body["hits"][0]["title"], "幸福路井盖缺失");
        assert!(body["hits"][0]["title_html"].as_str().unwrap().contains("<b>"), "highlighted");

        let created = app.client.post(app.url("/api/v1/opinions")).json(&serde_json::json!({
            "kind": "complaint", "title": "隔壁装修噪音", "content": "请联系13712345678，装修从早上七点开始", "name": "赵六", "phone": "13712345678"
        })).send().await.unwrap();
        assert_eq!(created.status(), 201);
        let found = until_titled(&app, &q("装修噪音"), "隔壁装修噪音").await;
        assert_eq!(found["total"], 1);
        for secret in ["13712345678", "赵六"] {
            assert_eq!(search(&app, &q(secret)).await["total"], 0, "{secret} is not in the index");
        }
        assert!(!found.to_string().contains("13712345678"));

        let opinion = entity::opinion::Entity::find().all(&app.db).await.unwrap().into_iter().find(|o| o.title == "隔壁装修噪音").unwrap();
        office.post_form(&format!("/office/opinions/{}/hide", opinion.id), &[("reason", "测试屏蔽"), ("confirmed", "1")]).await;
        let deadline = Instant::now() + Duration::from_secs(20);
        while search(&app, &q("装修噪音")).await["total"] != 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(search(&app, &q("装修噪音")).await["total"], 0, "hidden opinions leave the index");
    }
}

on_both_databases! {
    async fn drafts_are_found_by_staff_only(app) {
        small_city(app.ctx()).await;
        let publicity = app.another_client();
        publicity.login("publicity1", PASSWORD).await;
        publicity.post_form("/publicity/reports", &[("title", "内部草稿报道"), ("summary", "尚未发布"), ("body_md", "草稿正文")]).await;
        let staff = until_found(&publicity, &q("内部草稿报道"), 1).await;
        assert_eq!(staff["total"], 1);
        assert_eq!(search(&app, &q("内部草稿报道")).await["total"], 0, "the public does not see drafts");
    }
}

use sea_orm::EntityTrait;

/// Two servers on one PostgreSQL, each with its own index: a write through one is found through the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_postgres_and_keep_their_own_indexes_current() {
    let first = crate::helpers::spawn_app(Backend::Postgres).await;
    small_city(first.ctx()).await;
    let second = crate::helpers::spawn_beside(&first).await;
    first.login("office1", PASSWORD).await;
    let deadline = (Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    let created = first
        .post_form(
            "/office/problems",
            &[
                ("title", "双服务器同步测试路段积水"),
                ("description", "积水"),
                ("category", "城乡建设"),
                ("region", "城关区"),
                ("source", "inspection"),
                ("lead_unit", "UA"),
                ("cooperating", ""),
                ("responsible_post", "科长"),
                ("deadline", &deadline),
                ("kind", "immediate"),
                ("measures", "排水"),
                ("plan", "当日"),
                ("target", "无积水"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let started = Instant::now();
    let body = until_titled(&second, &q("双服务器同步测试"), "双服务器同步测试路段积水").await;
    assert_eq!(body["hits"][0]["title"], "双服务器同步测试路段积水", "the second server's index follows the shared change log");
    eprintln!("written via one server, found via the other in {:?}", started.elapsed());
}

#[test]
fn a_corrupt_index_or_one_of_another_vocabulary_is_rebuilt_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let jieba = std::sync::Arc::new(lianxin::search::tokenizer::build_jieba(&[]));
    std::fs::write(dir.path().join("meta.json"), "{ not json").unwrap();
    let (engine, fresh) = lianxin::search::SearchEngine::open(dir.path(), jieba.clone(), "v1").expect("a corrupt index is replaced");
    assert!(fresh, "the caller is told to fill it");
    engine.set_applied(0).unwrap();
    drop(engine);
    let (engine, fresh) = lianxin::search::SearchEngine::open(dir.path(), jieba.clone(), "v1").unwrap();
    assert!(!fresh, "a healthy index is kept");
    assert_eq!(engine.vocabulary(), "v1");
    drop(engine);
    let (engine, fresh) = lianxin::search::SearchEngine::open(dir.path(), jieba, "v2").unwrap();
    assert!(fresh, "an index cut with another vocabulary is rebuilt");
    assert_eq!(engine.vocabulary(), "v2");
}

on_both_databases! {
    async fn the_api_pages_by_page_size_and_a_page_past_the_last_is_empty_with_the_true_count(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        app.index_settled().await;
        let first = search(&app, &format!("{}&page_size=3", q("小区"))).await;
        let total = first["total"].as_u64().unwrap();
        assert!(total > 6, "enough hits to page: {total}");
        assert_eq!(first["hits"].as_array().unwrap().len(), 3);
        assert_eq!(first["page_size"], 3);
        // Opinions of one title fold into one hit, so there are at most as many pages as documents fill.
        let pages = first["pages"].as_u64().unwrap();
        assert!((1..=total.div_ceil(3)).contains(&pages), "{pages} pages for {total}");
        let second = search(&app, &format!("{}&page_size=3&page=2", q("小区"))).await;
        let keys = |v: &Value| v["hits"].as_array().unwrap().iter().map(|h| h["key"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        assert!(keys(&first).iter().all(|k| !keys(&second).contains(k)), "page 2 follows page 1");
        let wide = search(&app, &format!("{}&page_size=50", q("小区"))).await;
        let hits = wide["hits"].as_array().unwrap();
        if wide["pages"] == 1 {
            let documents: u64 = hits.iter().map(|h| 1 + h["same"].as_u64().unwrap()).sum();
            assert_eq!(documents, total, "one page: every document shown or folded into a hit, once");
        } else {
            assert_eq!(hits.len(), 50, "a full page after folding");
        }
        let opinion_titles: Vec<&str> = hits.iter().filter(|h| h["doc_type"] == "opinion").map(|h| h["title"].as_str().unwrap()).collect();
        let distinct: std::collections::HashSet<&&str> = opinion_titles.iter().collect();
        assert_eq!(distinct.len(), opinion_titles.len(), "no opinion title twice on a page");
        let folded = hits.iter().find(|h| h["same"].as_u64().unwrap() > 0).expect("the demo city's repeated titles fold");
        assert!(!folded["same_urls"].as_array().unwrap().is_empty() && folded["same_urls"][0].as_str().unwrap().starts_with("/opinions/"));

        let beyond = search(&app, &format!("{}&page_size=3&page={}", q("小区"), total.div_ceil(3) + 5)).await;
        assert!(beyond["hits"].as_array().unwrap().is_empty());
        assert_eq!(beyond["total"].as_u64().unwrap(), total, "the true count");
        assert_eq!(beyond["pages"], first["pages"]);

        // Paging reaches 1,000 hits deep, whatever the page size.
        let deep = search(&app, &format!("{}&page_size=1&page=1001", q("小区"))).await;
        assert_eq!(deep["max_page"], 1000);
        assert!(deep["hits"].as_array().unwrap().is_empty());
        assert_eq!(deep["total"].as_u64().unwrap(), total);
        assert_eq!(search(&app, &format!("{}&page_size=50", q("小区"))).await["max_page"], 20);

        for bad in ["0", "51", "abc", "-1"] {
            let response = app.get(&format!("/api/v1/search?{}&page_size={bad}", q("小区"))).await;
            assert_eq!(response.status(), 400, "page_size={bad}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "bad_request");
            assert!(body["error"]["message"].as_str().unwrap().contains("page_size"), "{body}");
        }
    }
}

on_both_databases! {
    async fn the_search_page_says_one_thing_when_nothing_or_only_part_matches(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        app.index_settled().await;
        let nothing = app.get(&format!("/search?{}", q("zzzqqq乌龙茶叶蛋糕"))).await.text().await.unwrap();
        assert!(nothing.contains("没有找到相关内容"), "{nothing}");
        assert!(!nothing.contains("以下为包含部分词语的结果"), "no result is one message, not two");
        assert!(!nothing.contains("第 1 / 1 页"), "no pager over nothing");

        let partial = app.get(&format!("/search?{}", q("小区 zzzqqq"))).await.text().await.unwrap();
        assert!(partial.contains("以下为包含部分词语的结果") && !partial.contains("没有找到相关内容"), "{partial}");

        let page = search(&app, &q("小区")).await["pages"].as_u64().unwrap();
        let beyond = app.get(&format!("/search?{}&page={}", q("小区"), page + 10)).await.text().await.unwrap();
        assert!(beyond.contains(&format!("第 {} 页没有结果：共 {page} 页", page + 10)), "{beyond}");
        assert!(!beyond.contains(&format!("第 {} / {page} 页", page + 10)), "never 第 99 / 11 页");
    }
}

on_both_databases! {
    async fn a_document_that_fails_to_index_is_set_aside_and_the_follower_goes_on(app) {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
        small_city(app.ctx()).await;
        let post = |title: &'static str| {
            let body = serde_json::json!({ "kind": "help", "title": title, "content": "晚上出行不安全，请尽快维修。", "region": "城关区" });
            app.client.post(app.url("/api/v1/opinions")).json(&body).send()
        };
        assert_eq!(post("北门桥下积水甲").await.unwrap().status(), 201);
        app.index_settled().await;
        let broken = entity::opinion::Entity::find().one(&app.db).await.unwrap().unwrap();
        // A row no code path writes (a status the code does not know), then a change to it.
        let touch = |id: i32| entity::event::ActiveModel {
            topic: Set("document".into()),
            entity_type: Set("opinion".into()),
            entity_id: Set(id),
            citizens: Set("[]".into()),
            data_json: Set(None),
            created_at: Set(Utc::now()),
            ..Default::default()
        };
        app.db.execute_unprepared(&format!("UPDATE opinions SET status = 'bogus' WHERE id = {}", broken.id)).await.unwrap();
        touch(broken.id).insert(&app.db).await.unwrap();

        assert_eq!(post("南门路灯不亮乙").await.unwrap().status(), 201);
        let found = until_titled(&app, &q("南门路灯不亮乙"), "南门路灯不亮乙").await;
        assert!(found["hits"].as_array().unwrap().iter().any(|h| h["title"] == "南门路灯不亮乙"), "the follower went on: {found}");
        let health: Value = app.get("/healthz").await.json().await.unwrap();
        assert_eq!(health["index"]["failed_documents"], 1, "{health}");
        let meanwhile = search(&app, &q("北门桥下积水甲")).await;
        assert!(meanwhile["hits"].as_array().unwrap().iter().all(|h| h["title"] != "北门桥下积水甲"), "a record set aside is out of the index: {meanwhile}");

        // Repaired, its next change indexes it and takes it off the list.
        app.db.execute_unprepared(&format!("UPDATE opinions SET status = 'received' WHERE id = {}", broken.id)).await.unwrap();
        touch(broken.id).insert(&app.db).await.unwrap();
        let cleared = crate::helpers::eventually(|| async {
            let health: Value = app.get("/healthz").await.json().await.unwrap();
            health["index"]["failed_documents"] == 0
        })
        .await;
        assert!(cleared, "the repaired document leaves the list");
        let back = until_titled(&app, &q("北门桥下积水甲"), "北门桥下积水甲").await;
        assert!(back["hits"].as_array().unwrap().iter().any(|h| h["title"] == "北门桥下积水甲"), "and is found again");
    }
}

on_both_databases! {
    async fn a_compound_is_matched_whole_or_by_all_its_parts_never_by_one(app) {
        small_city(app.ctx()).await;
        for title in ["楼下餐饮油烟扰民", "工地夜间噪音扰民", "广场舞噪音很大，严重扰民"] {
            let body = serde_json::json!({ "kind": "complaint", "title": title, "content": "请有关部门尽快处理。", "region": "城关区" });
            assert_eq!(app.client.post(app.url("/api/v1/opinions")).json(&body).send().await.unwrap().status(), 201);
        }
        app.index_settled().await;
        let found = search(&app, &q("噪音扰民")).await;
        let titles: Vec<&str> = found["hits"].as_array().unwrap().iter().filter_map(|h| h["title"].as_str()).collect();
        assert!(titles.contains(&"工地夜间噪音扰民"), "the compound itself: {titles:?}");
        assert!(titles.contains(&"广场舞噪音很大，严重扰民"), "every part of it: {titles:?}");
        assert!(!titles.contains(&"楼下餐饮油烟扰民"), "one part alone is not enough: {titles:?}");
        assert_eq!(found["partial"], false);
    }
}

/// Opinions with these titles, imported as the office imports messages (many citizens at once,
/// which the public form's rate limit would turn away).
async fn opinions_titled(app: &TestApp, titles: &[&str]) {
    let lines: Vec<String> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({ "id": i, "title": t, "body": "请有关部门尽快处理。" }).to_string())
        .collect();
    let file = app.data_dir().join("titled.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let (rows, _) = lianxin::tabular::stream_file(&file).unwrap();
    let mapping = lianxin::opinions::import::Mapping::new(&[]).unwrap();
    let actor = lianxin::service::Actor::system("import");
    let report = lianxin::opinions::import::import_opinions(app.ctx(), &actor, rows, &mapping, "titled", |_| {}).await.unwrap();
    assert_eq!(report.rejected_total, 0);
    app.index_settled().await;
}

fn titles_of(found: &Value) -> Vec<String> {
    found["hits"].as_array().unwrap().iter().filter_map(|h| h["title"].as_str().map(str::to_string)).collect()
}

on_both_databases! {
    /// jieba cuts 上岭桥 whole in a query but 区上/岭/桥 or 上/岭/桥 inside sentences: the name is
    /// found as written, and only as written.
    async fn a_name_jieba_cuts_unevenly_is_found_as_written(app) {
        small_city(app.ctx()).await;
        opinions_titled(&app, &["K2区上岭桥扬长养猪场臭气熏天", "我是上岭桥镇堰井村下杨组的村民", "上岭村的桥坏了没人修"]).await;
        let titles = titles_of(&search(&app, &q("上岭桥")).await);
        assert!(titles.contains(&"K2区上岭桥扬长养猪场臭气熏天".to_string()), "{titles:?}");
        assert!(titles.contains(&"我是上岭桥镇堰井村下杨组的村民".to_string()), "{titles:?}");
        assert!(!titles.contains(&"上岭村的桥坏了没人修".to_string()), "its characters apart are not the name: {titles:?}");
    }
}

on_both_databases! {
    /// A long phrasing: what holds every word comes first, then what holds all words but one,
    /// then the rest, whatever their scores (a rare word alone outscores two common ones); a
    /// word jieba guessed from two halves (摊吵, written nowhere) does not empty the first tier.
    async fn hits_holding_more_of_the_words_come_first(app) {
        small_city(app.ctx()).await;
        let (two, one) = ("夜宵店噪音扰民", "半夜三更有人敲锣打鼓");
        let mut titles = vec!["夜宵摊每天吵到半夜", two, one];
        // Common words weigh little: many messages hold them.
        titles.extend(["夜宵摊噪音大", "夜宵摊扰民", "小区夜宵摊噪音", "夜宵噪音", "夜宵摊噪音扰民", "街边夜宵噪音", "夜宵店扰民", "夜宵噪声"]);
        titles.extend(["夜宵摊的噪音", "夜宵噪音太大", "夜宵摊扰民严重", "楼下夜宵噪音", "夜宵档噪音", "夜宵街噪音", "夜宵扰民问题", "夜宵摊噪声"]);
        opinions_titled(&app, &titles).await;
        let found = search(&app, &format!("{}&page_size=20", q("夜宵摊吵到半夜"))).await;
        let titles = titles_of(&found);
        assert_eq!(found["exact"], 1, "{found}");
        assert_eq!(titles.first().map(String::as_str), Some("夜宵摊每天吵到半夜"), "{titles:?}");
        let at = |t: &str| titles.iter().position(|x| x == t).unwrap_or_else(|| panic!("{t} missing: {titles:?}"));
        let score = |t: &str| found["hits"][at(t)]["score"].as_f64().unwrap();
        assert!(at(two) < at(one), "two words before one: {titles:?}");
        assert!(score(one) > score(two), "the tier, not the score, orders them: {} vs {}", score(one), score(two));
    }
}

on_both_databases! {
    /// A problem holding the words leads the opinions holding them, even when they score higher:
    /// it answers for them all.
    async fn problems_lead_the_opinions_they_answer_for(app) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        small_city(app.ctx()).await;
        let lead = entity::unit::Entity::find().filter(entity::unit::Column::Code.eq("UA")).one(&app.db).await.unwrap().unwrap().id;
        let long = "城关区多处工地存在夜间施工现象，涉及多个片区，责任单位正在逐一核查施工许可、夜间施工证明和降噪措施，并安排专人巡查。";
        crate::fixtures::problem_titled(app.ctx(), "WT-2026-0100", "城关区工地治理", long, lead).await;
        opinions_titled(&app, &["夜间施工夜间施工", "又是夜间施工", "夜间施工吵得睡不着", "工地夜间施工扰民"]).await;
        let found = search(&app, &q("夜间施工")).await;
        let hits = found["hits"].as_array().unwrap();
        assert_eq!(hits[0]["doc_type"], "problem", "{found}");
        let best_opinion = hits.iter().filter(|h| h["doc_type"] == "opinion").map(|h| h["score"].as_f64().unwrap()).fold(0.0, f64::max);
        assert!(best_opinion > hits[0]["score"].as_f64().unwrap(), "the problem leads by its tier, not its score: {found}");
    }
}
