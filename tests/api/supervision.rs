//! 督办: overdue, reopened and bounced work on the office's board; a notice reaches the unit's
//! inbox, 提级督办 first, and counts per unit; the unit's inbox filters 待办/已办/全部; the
//! thresholds are versioned office settings.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};

use crate::fixtures::PASSWORD;
use crate::helpers::TestApp;
use crate::on_both_databases;

async fn staff(app: &TestApp, username: &str) -> TestApp {
    let client = app.another_client();
    client.login(username, PASSWORD).await;
    client
}

async fn file(app: &TestApp, title: &str) -> i32 {
    app.client
        .post(app.url("/api/v1/opinions"))
        .json(&serde_json::json!({ "kind": "complaint", "title": title, "content": format!("{title}，请尽快处理") }))
        .send()
        .await
        .unwrap();
    entity::opinion::Entity::find().all(&app.db).await.unwrap().into_iter().find(|o| o.title == title).unwrap().id
}

on_both_databases! {
    async fn stalled_work_is_supervised_and_the_unit_sees_it_first(app) {
        crate::fixtures::small_city(app.ctx()).await;
        let office = staff(&app, "office1").await;
        let route = |id: i32, unit: &'static str| {
            let office = &office;
            async move { office.post_form(&format!("/office/opinions/{id}/route"), &[("unit", unit), ("note", "")]).await.status() }
        };
        // Bounced: 甲局 → 乙局 → 甲局 counts three units tried.
        let bounced = file(&app, "路边违章停车无人管").await;
        for unit in ["UA", "UB", "UA"] {
            assert_eq!(route(bounced, unit).await, 303);
        }
        // Overdue: routed, then its due date passes.
        let late = file(&app, "小区垃圾三天没人清运").await;
        assert_eq!(route(late, "UA").await, 303);
        let mut model = entity::opinion::Entity::find_by_id(late).one(&app.db).await.unwrap().unwrap().into_active_model();
        model.due_date = Set(Some(app.clock.today() - Duration::days(4)));
        model.update(&app.db).await.unwrap();

        let board = office.get("/office/supervision").await.text().await.unwrap();
        assert!(board.contains("小区垃圾三天没人清运") && board.contains("已超 4 天"), "overdue on the board");
        assert!(board.contains("路边违章停车无人管") && board.contains("已先后转办 3 个单位"), "bounced on the board");

        let bad = office.post_form("/office/supervision", &[("subject", "opinion"), ("id", &late.to_string()), ("reason", "nonsense"), ("note", "")]).await;
        assert_eq!(bad.status(), 400);
        assert!(bad.text().await.unwrap().contains("请选择督办原因"));
        let issued = office.post_form("/office/supervision", &[("subject", "opinion"), ("id", &late.to_string()), ("reason", "overdue"), ("note", "请于3个工作日内办结")]).await;
        assert_eq!(issued.status(), 303);
        assert_eq!(office.post_form("/office/supervision", &[("subject", "opinion"), ("id", &bounced.to_string()), ("reason", "bounced"), ("note", "请甲局牵头办理")]).await.status(), 303);
        let notices = entity::supervision::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(notices.len(), 2);
        let late_notice = notices.iter().find(|n| n.subject_id == late).unwrap().id;
        assert_eq!(office.post_form(&format!("/office/supervision/{late_notice}/escalate"), &[]).await.status(), 303);
        assert_eq!(office.post_form(&format!("/office/supervision/{late_notice}/escalate"), &[]).await.status(), 409, "once");
        assert!(office.get("/office/supervision").await.text().await.unwrap().contains("已提级督办"));

        let unit = staff(&app, "unita").await;
        let inbox = unit.get("/unit/opinions").await.text().await.unwrap();
        let escalated = inbox.find("提级督办").expect("the unit sees the escalated notice");
        let plain = inbox.find("请甲局牵头办理").expect("and the other notice");
        assert!(escalated < plain, "提级督办 first");
        // 待办 lists the overdue case before the one due later.
        let todo = &inbox[inbox.find("共 ").unwrap()..];
        assert!(todo.find("小区垃圾三天没人清运").unwrap() < todo.find("路边违章停车无人管").unwrap(), "overdue first");
        assert!(inbox.contains("超期"));
        let listed = |page: String| page[page.find("共 ").unwrap()..].contains("小区垃圾三天没人清运");
        assert!(!listed(unit.get("/unit/opinions?view=done").await.text().await.unwrap()), "not among 已办");
        assert!(listed(unit.get("/unit/opinions?view=all").await.text().await.unwrap()));
        assert!(!staff(&app, "unitb").await.get("/unit/opinions").await.text().await.unwrap().contains("请于3个工作日内办结"), "another unit's notices stay its own");

        let scores = office.get("/office/scores").await.text().await.unwrap();
        assert!(scores.contains(r#"<th scope="row">甲局</th><td>2</td><td>1</td>"#), "counted per unit on the score page");
    }
}

on_both_databases! {
    async fn the_rules_are_versioned_office_settings_and_a_bad_value_is_explained(app) {
        crate::fixtures::small_city(app.ctx()).await;
        let office = staff(&app, "office1").await;
        let bad = office.post_form("/office/settings/follow-through", &[("quiet_days", "0"), ("supervise_reopened", "3"), ("supervise_units", "3"), ("digest_hour", ""), ("vague_words", "尽快 近期")]).await;
        assert_eq!(bad.status(), 400);
        let bad = bad.text().await.unwrap();
        assert!(bad.contains("须为 1 到 90 天") && bad.contains("须为 0 到 23 点"), "a blank hour is not midnight");
        let saved = office.post_form("/office/settings/follow-through", &[("quiet_days", "20"), ("supervise_reopened", "2"), ("supervise_units", "4"), ("digest_hour", "7"), ("vague_words", "尽快，近期 研究研究")]).await;
        assert_eq!(saved.status(), 303);
        let (rules, version) = lianxin::settings::current::<lianxin::settings::FollowThrough>(&app.db).await.unwrap();
        assert_eq!((rules.quiet_days, rules.supervise_reopened, rules.supervise_units, version), (20, 2, 4, 1));
        assert_eq!(rules.vague_words, ["尽快", "近期", "研究研究"]);
        assert_eq!(rules.digest_hour, 7);
        assert!(app.get("/opinions/new").await.text().await.unwrap().contains("每天汇总一次（7 点左右发送）"), "the form names the hour");
        assert!(office.get("/office/supervision").await.text().await.unwrap().contains("重办 2 次及以上"));
    }
}
