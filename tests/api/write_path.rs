//! The one write path: dependent documents refreshed, races decided once, retries answered with
//! the first outcome, background work reported.

use std::time::{Duration, Instant};

use entity::vocab::{OpinionStatus, RectificationStatus, Verification};
use entity::{audit_log, opinion, problem, rating, rectification};
use futures_util::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::fixtures::{PASSWORD, small_city};
use crate::helpers::{Backend, TestApp, spawn_app_with};

fn q(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn search(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/api/v1/search?{query}")).await.json().await.unwrap()
}

/// Polls (never asserting on time) until `done` holds for the search answer, or 20 s pass.
async fn until(app: &TestApp, query: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let body = search(app, query).await;
        if done(&body) || Instant::now() > deadline {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn mentions(body: &Value, words: &str) -> bool {
    body["hits"].as_array().unwrap().iter().any(|h| h.to_string().contains(words))
}

async fn submit_json(app: &TestApp, title: &str) -> (i32, String) {
    let response = app
        .client
        .post(app.url("/api/v1/opinions"))
        .json(&json!({ "type": "complaint", "title": title, "content": format!("{title}，已经持续一周。") }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "the JSON API takes `type` as well as `kind`");
    let code = response.json::<Value>().await.unwrap()["tracking_code"].as_str().unwrap().to_string();
    let id = opinion::Entity::find().filter(opinion::Column::Title.eq(title)).one(&app.db).await.unwrap().unwrap().id;
    (id, code)
}

/// An app that trusts `X-Forwarded-For`, so parallel requests can come from many addresses
/// (the per-address limits would otherwise answer 429, which is not what these tests are about).
async fn spawn(backend: Backend) -> TestApp {
    spawn_app_with(backend, |c| c.trust_proxy = true).await
}

/// Posts a form with the client's CSRF token, as if from `ip`.
async fn post_from(app: &TestApp, ip: &str, path: &str, fields: &[(&str, &str)]) -> u16 {
    let token = app.csrf().await;
    let mut all = fields.to_vec();
    all.push(("csrf_token", &token));
    app.client.post(app.url(path)).header("x-forwarded-for", ip).form(&all).send().await.unwrap().status().as_u16()
}

macro_rules! on_both {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = spawn(Backend::Sqlite).await;
                $body
            }
            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $app = spawn(Backend::Postgres).await;
                $body
            }
        }
    };
}

on_both! {
    async fn a_hidden_opinion_leaves_the_problem_that_carried_its_words(app) {
        small_city(app.ctx()).await;
        let (id, _) = submit_json(&app, "卫星路井盖连续三天异响").await;
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        assert_eq!(office.post_form(&format!("/office/opinions/{id}/link"), &[("problem", "WT-2026-0001")]).await.status(), 303);
        let linked = until(&app, &format!("q={}&type=problem", q("卫星路井盖连续三天异响")), |b| mentions(b, "异响")).await;
        assert!(mentions(&linked, "异响"), "the problem's document carries the linked opinion's words: {linked}");

        assert_eq!(office.post_form(&format!("/office/opinions/{id}/hide"), &[("reason", "含侮辱性内容"), ("confirmed", "1")]).await.status(), 303);
        let citizen = app.another_client();
        let gone = until(&citizen, &format!("q={}", q("卫星路井盖连续三天异响")), |b| !mentions(b, "异响")).await;
        assert!(!mentions(&gone, "异响"), "neither the opinion nor the problem shows the hidden words: {gone}");
    }
}

on_both! {
    async fn a_verified_rectification_moves_its_problem_to_the_new_status(app) {
        let city = small_city(app.ctx()).await;
        let unit = app.another_client();
        unit.login("unita", PASSWORD).await;
        assert_eq!(unit.post_form(&format!("/unit/rectifications/{}/report", city.rect_a), &[("note", "已完成"), ("confirmed", "1")]).await.status(), 303);
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        let verified = office.post_form(&format!("/office/rectifications/{}/verify", city.rect_a), &[("decision", "pass")]).await;
        assert_eq!(verified.status(), 303);
        let found = until(&app, "q=&type=problem&status=rectified", |b| b["total"] == 1).await;
        assert_eq!(found["hits"][0]["code"], "WT-2026-0001", "the problem's status facet follows its rectification: {found}");
    }
}

on_both! {
    async fn renaming_a_unit_refreshes_its_items(app) {
        small_city(app.ctx()).await;
        let admin = app.another_client();
        admin.login("admin1", PASSWORD).await;
        let unit_a = entity::unit::Entity::find().filter(entity::unit::Column::Code.eq("UA")).one(&app.db).await.unwrap().unwrap();
        let renamed = admin
            .post_form(&format!("/admin/units/{}", unit_a.id), &[("code", "UZ"), ("name", "丙局"), ("kind", "department"), ("region", ""), ("active", "on")])
            .await;
        assert_eq!(renamed.status(), 303);
        let moved = until(&app, "q=&unit=UZ", |b| b["total"] == 2).await;
        assert_eq!(moved["total"], 2, "the problem and its rectification carry the new code: {moved}");
        assert_eq!(search(&app, "q=&unit=UA").await["total"], 0);
        let by_name = until(&app, &format!("q={}", q("丙局")), |b| b["total"].as_u64() >= Some(1)).await;
        assert_eq!(by_name["hits"][0]["code"], "WT-2026-0001", "the new name finds the unit's problem");
    }
}

on_both! {
    async fn twenty_ratings_of_one_case_count_once(app) {
        small_city(app.ctx()).await;
        let (id, code) = submit_json(&app, "路口信号灯配时不合理").await;
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        office.post_form(&format!("/office/opinions/{id}/route"), &[("unit", "UA"), ("note", "")]).await;
        let unit = app.another_client();
        unit.login("unita", PASSWORD).await;
        unit.post_form(&format!("/unit/opinions/{id}/answer"), &[("reply", "已于11月30日调整配时方案"), ("outcome", "closed"), ("reason", "已电话告知详情")]).await;
        let statuses = join_all((0..20).map(|i| {
            let (app, code) = (&app, &code);
            async move {
                let ip = format!("10.0.1.{i}");
                post_from(app, &ip, "/track/rate", &[("code", code), ("what", "handling"), ("level", "5")]).await
            }
        }))
        .await;
        let stored = rating::Entity::find().filter(rating::Column::OpinionId.eq(id)).count(&app.db).await.unwrap();
        assert_eq!(stored, 1, "one rating, whatever the race: {statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "the others are told, never a 500: {statuses:?}");
    }
}

on_both! {
    async fn a_pass_and_a_fail_of_one_item_cannot_both_land(app) {
        let city = small_city(app.ctx()).await;
        let unit = app.another_client();
        unit.login("unita", PASSWORD).await;
        unit.post_form(&format!("/unit/rectifications/{}/report", city.rect_a), &[("note", "已完成"), ("confirmed", "1")]).await;
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        let path = format!("/office/rectifications/{}/verify", city.rect_a);
        let statuses = join_all((0..20).map(|i| {
            let (office, path) = (&office, &path);
            async move {
                let fields: &[(&str, &str)] = if i % 2 == 0 { &[("decision", "pass")] } else { &[("decision", "fail"), ("reason", "复查未通过")] };
                office.post_form(path, fields).await.status().as_u16()
            }
        }))
        .await;
        let rect = rectification::Entity::find_by_id(city.rect_a).one(&app.db).await.unwrap().unwrap();
        let outcomes = audit_log::Entity::find().filter(audit_log::Column::Action.starts_with("rectification.verify")).count(&app.db).await.unwrap();
        assert_eq!(outcomes, 1, "one verification outcome: {statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == 303 || *s == 409), "{statuses:?}");
        let consistent = matches!((rect.status, rect.verification), (RectificationStatus::Rectified, Some(Verification::Passed)) | (RectificationStatus::InProgress, Some(Verification::Failed)));
        assert!(consistent, "{:?} {:?}", rect.status, rect.verification);
    }
}

on_both! {
    async fn concurrent_failed_logins_all_count(app) {
        small_city(app.ctx()).await;
        // One first visit, as a browser makes, so the four share one visitor binding.
        app.csrf().await;
        // Four, below the delay: each failure must be counted, none lost to a race.
        let statuses = join_all((0..4).map(|i| {
            let app = &app;
            async move { post_from(app, &format!("10.0.2.{i}"), "/login", &[("username", "office1"), ("password", "wrong-password-here")]).await }
        }))
        .await;
        assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
        let counted = entity::login_throttle::Entity::find_by_id(app.secrets.login_key("office1")).one(&app.db).await.unwrap().unwrap();
        assert_eq!(counted.failures, 4);
    }
}

on_both! {
    async fn a_resent_form_files_one_opinion_and_the_success_page_can_be_refreshed(app) {
        let form = app.get("/opinions/new").await.text().await.unwrap();
        let token = regex::Regex::new(r#"name="submission_token" value="([0-9a-f]{32})""#).unwrap().captures(&form).unwrap()[1].to_string();
        let fields = [("kind", "help"), ("title", "楼道灯坏了"), ("content", "三单元楼道灯坏了两周"), ("submission_token", token.as_str())];
        let codes = join_all((0..20).map(|i| {
            let (app, fields) = (&app, &fields);
            async move {
                let status = post_from(app, &format!("10.0.3.{i}"), "/opinions/new", fields).await;
                assert_eq!(status, 303);
                let page = app.get("/opinions/submitted").await.text().await.unwrap();
                regex::Regex::new(r#"class="tracking-code"[^>]*>([A-Z0-9-]{14})<"#).unwrap().captures(&page).unwrap()[1].to_string()
            }
        }))
        .await;
        assert_eq!(opinion::Entity::find().count(&app.db).await.unwrap(), 1, "twenty sends of one form file one opinion");
        assert!(codes.iter().all(|c| *c == codes[0]), "every send gets the first code: {codes:?}");
        for _ in 0..3 {
            let again = app.get("/opinions/submitted").await;
            assert_eq!(again.headers()["cache-control"], "no-store");
            assert!(again.text().await.unwrap().contains(&codes[0]), "refreshing shows the same code");
        }
        assert_eq!(opinion::Entity::find().count(&app.db).await.unwrap(), 1, "refreshing files nothing");
        assert_eq!(app.another_client().get("/opinions/submitted").await.status(), 303, "without the receipt there is no code to show");
    }
}

on_both! {
    async fn submissions_arriving_together_are_each_stored_and_answered_with_their_own_code(app) {
        let responses = join_all((0..48).map(|i| {
            let app = &app;
            async move {
                let response = app
                    .client
                    .post(app.url("/api/v1/opinions"))
                    .header("x-forwarded-for", format!("10.0.5.{i}"))
                    .json(&json!({ "kind": "help", "title": format!("路灯不亮第{i}处"), "content": "晚上出行不安全，请尽快维修。" }))
                    .send()
                    .await
                    .unwrap();
                (i, response.status().as_u16(), response.json::<Value>().await.unwrap()["tracking_code"].as_str().unwrap_or_default().to_string())
            }
        }))
        .await;
        assert!(responses.iter().all(|(_, status, _)| *status == 201), "{responses:?}");
        let codes: std::collections::HashSet<&str> = responses.iter().map(|(_, _, code)| code.as_str()).collect();
        assert_eq!(codes.len(), 48, "every citizen has a code of their own");
        assert_eq!(opinion::Entity::find().count(&app.db).await.unwrap(), 48);
        for (i, _, code) in &responses {
            let tracked = app.client.get(app.url(&format!("/api/v1/opinions/{code}"))).header("x-forwarded-for", format!("10.0.6.{i}"));
            let tracked: Value = tracked.send().await.unwrap().json().await.unwrap();
            assert_eq!(tracked["title"], format!("路灯不亮第{i}处"), "the code follows its own opinion");
        }
        let audited = audit_log::Entity::find().filter(audit_log::Column::Action.eq("opinion.submit")).count(&app.db).await.unwrap();
        assert_eq!(audited, 48, "one audit entry per opinion, whatever group it was filed in");
    }
}

on_both! {
    async fn the_json_api_honours_idempotency_keys(app) {
        let body = json!({ "kind": "suggestion", "title": "建议增设公交站", "content": "新小区附近没有公交站" });
        let responses = join_all((0..20).map(|i| {
            let (app, body) = (&app, &body);
            async move {
                let response = app
                    .client
                    .post(app.url("/api/v1/opinions"))
                    .header("x-forwarded-for", format!("10.0.4.{i}"))
                    .header("Idempotency-Key", "client-7f3a9c21-retry")
                    .json(body)
                    .send()
                    .await
                    .unwrap();
                let replayed = response.headers().contains_key("idempotent-replayed");
                (response.status().as_u16(), replayed, response.json::<Value>().await.unwrap()["tracking_code"].clone())
            }
        }))
        .await;
        assert!(responses.iter().all(|(s, _, code)| *s == 201 && *code == responses[0].2), "{responses:?}");
        assert_eq!(responses.iter().filter(|(_, replayed, _)| !replayed).count(), 1, "one did the work, the rest replayed");
        assert_eq!(opinion::Entity::find().count(&app.db).await.unwrap(), 1);
        let other = app.client.post(app.url("/api/v1/opinions")).header("Idempotency-Key", "client-7f3a9c21-retry").json(&json!({ "kind": "suggestion", "title": "另一件事", "content": "不同的内容" })).send().await.unwrap();
        assert_eq!(other.status(), 409, "the same key with another request is refused");
        let bad = app.client.post(app.url("/api/v1/opinions")).header("Idempotency-Key", "x").json(&body).send().await.unwrap();
        assert_eq!(bad.status(), 400);
        assert_eq!(bad.json::<Value>().await.unwrap()["error"]["code"], "bad_request");
    }
}

on_both! {
    async fn a_problem_made_from_an_opinion_is_made_once_and_whole(app) {
        small_city(app.ctx()).await;
        let (id, _) = submit_json(&app, "滨河路夜市占道经营").await;
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        let form = office.get(&format!("/office/problems/new?from_opinion={id}")).await.text().await.unwrap();
        let token = regex::Regex::new(r#"name="form_token" value="([0-9a-f]{32})""#).unwrap().captures(&form).unwrap()[1].to_string();
        let id_text = id.to_string();
        let fields = [
            ("title", "滨河路夜市占道经营"), ("description", "夜市摊点占用人行道"), ("category", "城乡建设"), ("region", "城关区"),
            ("source", "opinion"), ("lead_unit", "UA"), ("cooperating", ""), ("responsible_post", "分管副局长"),
            ("deadline", "2027-03-31"), ("kind", "deadline"), ("measures", "划定摊区"), ("plan", "分三步"), ("target", "人行道畅通"),
            ("from_opinion", id_text.as_str()), ("form_token", token.as_str()),
        ];
        let statuses = join_all((0..20).map(|_| office.post_form("/office/problems", &fields))).await;
        assert!(statuses.iter().all(|r| r.status() == 303), "{:?}", statuses.iter().map(|r| r.status()).collect::<Vec<_>>());
        let made = problem::Entity::find().filter(problem::Column::Title.eq("滨河路夜市占道经营")).all(&app.db).await.unwrap();
        assert_eq!(made.len(), 1, "a resent form makes no twin");
        let linked = opinion::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(linked.problem_id, Some(made[0].id), "created and linked together");
        assert_eq!(linked.status, OpinionStatus::Received);
    }
}

on_both! {
    async fn healthz_reports_jobs_and_index_lag_and_fails_when_indexing_does(app) {
        let healthy = app.get("/healthz").await;
        assert_eq!(healthy.status(), 200);
        let body: Value = healthy.json().await.unwrap();
        assert_eq!(body["index"]["events_behind"], 0, "{body}");
        for job in ["index", "routing", "purge"] {
            assert!(body["jobs"][job]["state"].is_string(), "{job} is on the board: {body}");
        }
        // Pull the index out from under the server: every indexing run fails from now on.
        std::fs::remove_dir_all(app.data_dir().join("index")).unwrap();
        submit_json(&app, "健康检查用的意见").await;
        let deadline = Instant::now() + Duration::from_secs(30);
        let (status, body) = loop {
            let response = app.get("/healthz").await;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            if status == 503 || Instant::now() > deadline {
                break (status, body);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["failing"], json!(["index"]), "{body}");
        assert!(body["jobs"]["index"]["last_error"].is_string());
        assert!(body["index"]["events_behind"].as_u64().unwrap() >= 1);
    }
}
