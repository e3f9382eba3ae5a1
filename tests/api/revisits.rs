//! 回访: the citizens of a rectification reported done, and of an opinion closed, are asked
//! whether it is fixed, on the tracking page or by a link without login. 未解决 reopens the item
//! with the citizen's words; a verified item counts as 已整改 only once a citizen confirms it or
//! its quiet period passes with no 未解决.

use chrono::Duration;
use entity::vocab::{CitizenConfirmation, OpinionStatus, RectificationStatus};
use lianxin::domain::clock::Clock;
use lianxin::unit_of_work::Context;
use sea_orm::EntityTrait;

use crate::fixtures::PASSWORD;
use crate::helpers::TestApp;
use crate::on_both_databases;

async fn staff(app: &TestApp, username: &str) -> TestApp {
    let client = app.another_client();
    client.login(username, PASSWORD).await;
    client
}

/// Files an opinion through the API; its tracking code and its id.
async fn file(app: &TestApp, title: &str) -> (String, i32) {
    let filed: serde_json::Value = app
        .client
        .post(app.url("/api/v1/opinions"))
        .json(&serde_json::json!({ "kind": "complaint", "title": title, "content": format!("{title}，已经好几天了") }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = entity::opinion::Entity::find().all(&app.db).await.unwrap().into_iter().find(|o| o.title == title).unwrap().id;
    (filed["tracking_code"].as_str().unwrap().to_string(), id)
}

async fn rect(app: &TestApp, id: i32) -> entity::rectification::Model {
    entity::rectification::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap()
}

async fn revisit_ids(app: &TestApp, opinion_id: i32) -> Vec<i32> {
    let mut ids: Vec<i32> = entity::revisit::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.opinion_id == opinion_id && r.answered_at.is_none() && r.closed_at.is_none())
        .map(|r| r.id)
        .collect();
    ids.sort();
    ids
}

/// Two citizens linked to problem WT-2026-0001, whose unit reports it done.
async fn reported(app: &TestApp) -> (crate::fixtures::Fixture, [(String, i32); 2], TestApp) {
    let fixture = crate::fixtures::small_city(app.ctx()).await;
    let first = file(app, "甲局门前路灯不亮").await;
    let second = file(app, "甲局门前路灯坏了").await;
    let office = staff(app, "office1").await;
    for (_, id) in [&first, &second] {
        assert_eq!(office.post_form(&format!("/office/opinions/{id}/link"), &[("problem", "WT-2026-0001")]).await.status(), 303);
    }
    let unit = staff(app, "unita").await;
    let done =
        unit.post_form(&format!("/unit/rectifications/{}/report", fixture.rect_a), &[("note", "路灯已全部更换"), ("confirmed", "1")]).await;
    assert_eq!(done.status(), 303);
    (fixture, [first, second], office)
}

on_both_databases! {
    async fn a_confirmation_by_a_citizen_settles_a_verified_item_and_the_problem_page_shows_the_tally(app) {
        let (fixture, [(code, id), _], office) = reported(&app).await;
        let page = app.post_form("/track", &[("code", &code)]).await.text().await.unwrap();
        assert!(page.contains("回访：问题 WT-2026-0001 的整改结果解决了吗？"), "the question is on the tracking page");
        assert!(!page.contains("评价整改结果"), "the rating comes with the answer, not twice");

        // Verified, but nobody answered yet: still 单位报结, waiting for citizens.
        assert_eq!(office.post_form(&format!("/office/rectifications/{}/verify", fixture.rect_a), &[("decision", "pass")]).await.status(), 303);
        let after = rect(&app, fixture.rect_a).await;
        assert_eq!(after.status, RectificationStatus::Reported);
        assert_eq!(after.citizen_confirmation, Some(CitizenConfirmation::Pending));

        // A wrong answer gets a clear message and stores nothing.
        let question = revisit_ids(&app, id).await[0].to_string();
        let bad = app.post_form("/track/revisit", &[("code", &code), ("revisit", &question), ("level", "5")]).await;
        assert_eq!(bad.status(), 400);
        assert!(bad.text().await.unwrap().contains("请选择问题是否已解决"));
        assert_eq!(revisit_ids(&app, id).await.len(), 1);

        let answered = app.post_form("/track/revisit", &[("code", &code), ("revisit", &question), ("answer", "resolved"), ("level", "5"), ("comment", "灯亮了")]).await;
        assert_eq!(answered.status(), 200);
        assert!(answered.text().await.unwrap().contains("谢谢您的答复"));
        let after = rect(&app, fixture.rect_a).await;
        assert_eq!(after.status, RectificationStatus::Rectified, "verified and confirmed: 已整改");
        assert_eq!(after.citizen_confirmation, Some(CitizenConfirmation::Confirmed));
        let ratings = entity::rating::Entity::find().all(&app.db).await.unwrap();
        assert!(ratings.iter().any(|r| r.rectification_id == Some(fixture.rect_a) && r.level.score() == 5), "the rating joins the score");

        // Once only.
        let again = app.post_form("/track/revisit", &[("code", &code), ("revisit", &question), ("answer", "unresolved"), ("level", "1")]).await;
        assert_eq!(again.status(), 409);
        assert_eq!(rect(&app, fixture.rect_a).await.status, RectificationStatus::Rectified);

        let problem = app.get("/problems/WT-2026-0001").await.text().await.unwrap();
        assert!(problem.contains("回访 2 人，答复 1 人（答复率 50%）：已解决 1，部分解决 0，未解决 0"), "asked, answered, how");
        let satisfaction = app.get("/satisfaction").await.text().await.unwrap();
        assert!(satisfaction.contains("已整改 1 项：群众确认已解决 1 项，回访期满无异议 0 项（占 0%）"));
    }
}

on_both_databases! {
    async fn unresolved_by_the_link_in_a_message_reopens_the_item_with_the_citizens_words(app) {
        let (fixture, [(_, first), (other_code, second)], _office) = reported(&app).await;
        let mac = app.secrets.revisit_mac(first);
        let link = format!("/revisit/{first}/{mac}");
        let page = app.get(&link).await;
        let status = page.status();
        let page = page.text().await.unwrap();
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("甲局门前路灯不亮"));
        assert_eq!(app.get(&format!("/revisit/{first}/{}", app.secrets.revisit_mac(second))).await.status(), 404, "a link opens its own case only");
        assert_eq!(app.get(&format!("/revisit/{first}/0123456789abcdef0123456789abcdef")).await.status(), 404);

        let question = revisit_ids(&app, first).await[0].to_string();
        // The other citizen's question cannot be answered through this link.
        let theirs = revisit_ids(&app, second).await[0].to_string();
        assert_eq!(app.post_form(&link, &[("revisit", &theirs), ("answer", "resolved"), ("level", "5")]).await.status(), 404);

        let answered = app.post_form(&link, &[("revisit", &question), ("answer", "unresolved"), ("level", "1"), ("comment", "东头两盏灯还是不亮")]).await;
        assert_eq!(answered.status(), 200);
        let after = rect(&app, fixture.rect_a).await;
        assert_eq!(after.status, RectificationStatus::InProgress, "back to the unit");
        assert_eq!(after.citizen_confirmation, Some(CitizenConfirmation::Disputed));
        assert_eq!(after.reopened_count, 1);
        assert!(after.verification_reason.unwrap().contains("东头两盏灯还是不亮"), "with the citizen's words");
        assert!(revisit_ids(&app, second).await.is_empty(), "the round is over for everyone");
        let tracked = app.post_form("/track", &[("code", &other_code)]).await.text().await.unwrap();
        assert!(!tracked.contains("回访：问题"));
        let told = crate::helpers::eventually(|| async {
            app.post_form("/track", &[("code", &other_code)]).await.text().await.unwrap().contains("经群众回访反映未解决")
        }).await;
        assert!(told, "the other citizen hears it was reopened");
    }
}

on_both_databases! {
    async fn with_no_answer_a_verified_item_is_settled_when_the_quiet_period_passes(app) {
        let (fixture, _, office) = reported(&app).await;
        assert_eq!(office.post_form(&format!("/office/rectifications/{}/verify", fixture.rect_a), &[("decision", "pass")]).await.status(), 303);
        let early = Clock::fixed(app.clock.now() + Duration::days(14));
        assert_eq!(lianxin::opinions::revisits::settle_quiet(Context { db: &app.db, clock: &early, secrets: &app.secrets }).await.unwrap(), 0);
        assert_eq!(rect(&app, fixture.rect_a).await.status, RectificationStatus::Reported, "not before the quiet period (15 days) ends");
        let late = Clock::fixed(app.clock.now() + Duration::days(16));
        assert_eq!(lianxin::opinions::revisits::settle_quiet(Context { db: &app.db, clock: &late, secrets: &app.secrets }).await.unwrap(), 1);
        let after = rect(&app, fixture.rect_a).await;
        assert_eq!(after.status, RectificationStatus::Rectified);
        assert_eq!(after.citizen_confirmation, Some(CitizenConfirmation::Lapsed));
        let problem = app.get("/problems/WT-2026-0001").await.text().await.unwrap();
        assert!(problem.contains("期满无异议") && problem.contains("回访 2 人，答复 0 人（答复率 0%）"));
        let satisfaction = app.get("/satisfaction").await.text().await.unwrap();
        assert!(satisfaction.contains("回访期满无异议 1 项（占 100%）"));

        // An item with nobody to ask counts at once.
        let unit = staff(&app, "unitb").await;
        assert_eq!(unit.post_form(&format!("/unit/rectifications/{}/report", fixture.rect_b), &[("note", "已完成"), ("confirmed", "1")]).await.status(), 303);
        assert_eq!(office.post_form(&format!("/office/rectifications/{}/verify", fixture.rect_b), &[("decision", "pass")]).await.status(), 303);
        assert_eq!(rect(&app, fixture.rect_b).await.status, RectificationStatus::Rectified);
    }
}

on_both_databases! {
    async fn a_closed_opinion_answered_unresolved_goes_back_to_the_office(app) {
        crate::fixtures::small_city(app.ctx()).await;
        let (code, id) = file(&app, "小区门口积水").await;
        let office = staff(&app, "office1").await;
        assert_eq!(office.post_form(&format!("/office/opinions/{id}/route"), &[("unit", "UA"), ("note", "")]).await.status(), 303);
        let unit = staff(&app, "unita").await;
        let reply = "已于12月3日由市政维修队疏通排水管，积水已排除。如仍有积水，请拨打甲局市政科电话反映。";
        assert_eq!(unit.post_form(&format!("/unit/opinions/{id}/answer"), &[("reply", reply), ("outcome", "closed")]).await.status(), 303);
        let page = app.post_form("/track", &[("code", &code)]).await.text().await.unwrap();
        assert!(page.contains("回访：您的意见办理结果解决了吗？"));
        assert!(!page.contains("评价办理情况"), "asked once, with the rating");
        let question = revisit_ids(&app, id).await[0].to_string();
        let answered = app.post_form("/track/revisit", &[("code", &code), ("revisit", &question), ("answer", "unresolved"), ("level", "2"), ("comment", "下雨还是积水")]).await;
        assert_eq!(answered.status(), 200);
        let o = entity::opinion::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(o.status, OpinionStatus::Received, "back in the office's queue");
        assert_eq!(o.reopened_count, 1);
        let office_page = office.get(&format!("/office/opinions/{id}")).await.text().await.unwrap();
        assert!(office_page.contains("下雨还是积水"), "the office reads the citizen's words");
        let tracked = app.post_form("/track", &[("code", &code)]).await.text().await.unwrap();
        assert!(tracked.contains("群众回访反映问题未解决"));
    }
}
