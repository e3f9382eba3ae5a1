//! New words: discovery over the stored opinions proposes a name jieba breaks, the office
//! accepts it on its page, and the index is rebuilt with the new vocabulary.

use serde_json::Value;

use crate::fixtures::PASSWORD;
use crate::helpers::{TestApp, eventually};
use crate::on_both_databases;

/// Messages where an estate name jieba does not know recurs among varied everyday ones.
fn messages() -> String {
    let after = ["小区门口积水", "停车位不够", "电梯经常停运", "物业不作为", "路灯坏了", "垃圾清运不及时", "夜间施工扰民", "健身器材损坏"];
    let others = [
        "人民路公交站台破损严重",
        "菜市场周边占道经营",
        "学校门口交通拥堵",
        "老旧小区加装电梯审批慢",
        "化工园区异味扰民",
        "自来水水质不稳定",
        "澜庭湾公厕太少",
        "澜庭湾绿化维护不到位",
        "医院挂号排队时间长",
        "澜庭湾井盖松动",
    ];
    let mut lines = Vec::new();
    for (i, a) in after.iter().enumerate() {
        for round in 0..2 {
            lines.push(serde_json::json!({"id": format!("w{i}-{round}"), "title": format!("丽发新城{a}"), "body": format!("我们是丽发新城的业主，{a}，希望尽快解决。")}));
        }
    }
    for (i, o) in others.iter().enumerate() {
        for round in 0..8 {
            lines.push(
                serde_json::json!({"id": format!("o{i}-{round}"), "title": o, "body": format!("{o}，群众意见很大，请有关部门处理。")}),
            );
        }
    }
    lines.iter().map(Value::to_string).collect::<Vec<_>>().join("\n")
}

async fn office(app: &TestApp) -> TestApp {
    let user =
        lianxin::accounts::NewUser { username: "office7", display_name: "绩效办", role: "office", unit_code: None, password: PASSWORD };
    lianxin::accounts::create_user(app.ctx(), &lianxin::service::Actor::system("test"), user).await.unwrap();
    let office = app.another_client();
    office.login("office7", PASSWORD).await;
    office
}

fn version(page: &str) -> String {
    page.split("当前词典版本 <span class=\"code\">").nth(1).and_then(|s| s.split('<').next()).unwrap_or_default().to_string()
}

/// In how many documents the server's index holds `word` as one term (title or body), read from
/// its index directory beside the server (readers do not lock it).
fn indexed_whole(app: &TestApp, word: &str) -> u64 {
    let index = tantivy::Index::open_in_dir(app.data_dir().join("index")).unwrap();
    let searcher = index.reader().unwrap().searcher();
    let schema = index.schema();
    ["title", "body"]
        .into_iter()
        .map(|f| searcher.doc_freq(&tantivy::Term::from_field_text(schema.get_field(f).unwrap(), word)).unwrap())
        .sum()
}

on_both_databases! {
    async fn a_discovered_word_accepted_by_the_office_enters_the_vocabulary_and_the_index(app) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("messages.jsonl");
        std::fs::write(&file, messages()).unwrap();
        let (rows, _) = lianxin::tabular::stream_file(&file).unwrap();
        let mapping = lianxin::opinions::import::Mapping::new(&[]).unwrap();
        lianxin::opinions::import::import_opinions(app.ctx(), &lianxin::service::Actor::system("import"), rows, &mapping, "test", |_| {}).await.unwrap();
        app.index_settled().await;

        // 丽发 is a fragment: before the word is known, jieba cuts 丽/发/新城; search finds it as written.
        let fragment = "/api/v1/search?q=%E4%B8%BD%E5%8F%91&page_size=50";
        let cut: Value = app.get(fragment).await.json().await.unwrap();
        assert_eq!(cut["total"], 16);
        assert_eq!(indexed_whole(&app, "丽发新城"), 0, "before it is known, jieba never keeps the name whole");
        let office = office(&app).await;
        let before = office.get("/office/words").await.text().await.unwrap();
        assert!(before.contains("暂无待审核的词语"), "nothing proposed yet");
        let first_version = version(&before);
        assert_eq!(first_version.len(), 16, "the page names the vocabulary version");

        assert_eq!(office.post_form("/office/words/discover", &[]).await.status(), 303);
        assert!(eventually(|| async { office.get("/office/words").await.text().await.unwrap().contains("value=\"丽发新城\"") }).await, "the estate name is proposed");
        let page = office.get("/office/words").await.text().await.unwrap();
        assert!(!page.contains("value=\"丽发新\"") && !page.contains("value=\"发新城\""), "no fragments of it");
        let id = page.split("value=\"丽发新城\"").next().unwrap().rsplit("action=\"/office/words/").next().unwrap().split('"').next().unwrap().to_string();

        // A unit's staff cannot decide; a malformed edit is refused in Chinese.
        let bad = office.post_form(&format!("/office/words/{id}"), &[("action", "accept"), ("word", "丽 发")]).await;
        assert_eq!(bad.status(), 400);
        assert!(bad.text().await.unwrap().contains("词语只能由汉字、字母和数字组成"));
        assert_eq!(app.another_client().post_form(&format!("/office/words/{id}"), &[("action", "accept")]).await.status().as_u16() / 100, 3, "anonymous: to the login page");

        assert_eq!(office.post_form(&format!("/office/words/{id}"), &[("action", "accept"), ("word", "丽发新城")]).await.status(), 303);
        let vocabulary = lianxin::search::vocabulary::current(&app.db).await.unwrap();
        assert!(vocabulary.words.contains(&"丽发新城".to_string()));
        assert_ne!(vocabulary.version, first_version);
        assert!(
            eventually(|| async { version(&office.get("/office/words").await.text().await.unwrap()) == vocabulary.version }).await,
            "every server's index is rebuilt with the new vocabulary"
        );
        let found: Value = app.get("/api/v1/search?q=%E4%B8%BD%E5%8F%91%E6%96%B0%E5%9F%8E&page_size=50").await.json().await.unwrap();
        assert_eq!(found["total"], 16, "the rebuilt index finds every message naming it");
        assert!(indexed_whole(&app, "丽发新城") > 0, "the index was cut again: 丽发新城 is one word of it now");
        let cut: Value = app.get(fragment).await.json().await.unwrap();
        assert_eq!(cut["total"], 16, "a part of a name is still found as written, whatever the cut");

        // The office rejects a proposal: it leaves the list, the vocabulary stays, and a later run keeps the decision.
        let page = office.get("/office/words").await.text().await.unwrap();
        let rejected = page.split("value=\"澜庭湾\"").next().unwrap().rsplit("action=\"/office/words/").next().unwrap().split('"').next().unwrap().to_string();
        assert_eq!(office.post_form(&format!("/office/words/{rejected}"), &[("action", "reject")]).await.status(), 303);
        let page = office.get("/office/words").await.text().await.unwrap();
        assert!(!page.contains("value=\"澜庭湾\""), "a rejected word leaves the list");
        assert_eq!(version(&page), vocabulary.version, "rejecting a proposal changes no vocabulary");
        let renamed = office.post_form(&format!("/office/words/{rejected}"), &[("action", "accept"), ("word", "丽发新城")]).await;
        assert_eq!(renamed.status(), 409, "a correction to a word already there is refused");
        assert!(renamed.text().await.unwrap().contains("已在词表中"));
        assert_eq!(office.post_form("/office/words/discover", &[]).await.status(), 303);
        assert!(eventually(|| async { !office.get("/office/words").await.text().await.unwrap().contains("已排队") }).await, "the run is answered");
        assert!(!office.get("/office/words").await.text().await.unwrap().contains("value=\"澜庭湾\""), "decisions outlive runs");

        // The office adds a word itself; a word already there is a conflict, not a duplicate.
        assert_eq!(office.post_form("/office/words", &[("word", "五矿万境")]).await.status(), 303);
        assert_eq!(office.post_form("/office/words", &[("word", "五矿万境")]).await.status(), 409);
        let page = office.get("/office/words").await.text().await.unwrap();
        assert!(page.contains("<span class=\"code\">五矿万境</span>") && page.contains("<span class=\"code\">丽发新城</span>"));
    }
}
