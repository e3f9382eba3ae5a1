//! A unit's answer is checked before it goes out: a vague promise is held with the findings, a
//! concrete one is sent, a flagged one goes out only with a reason, and the office reads each
//! check and every unit's rate.

use entity::vocab::OpinionStatus;
use sea_orm::EntityTrait;

use crate::fixtures::PASSWORD;
use crate::helpers::TestApp;
use crate::on_both_databases;

async fn routed(app: &TestApp, office: &TestApp, title: &str) -> i32 {
    let response = app
        .client
        .post(app.url("/api/v1/opinions"))
        .json(&serde_json::json!({ "kind": "complaint", "title": title, "content": format!("{title}，已经一个星期了。请问什么时候能修好？") }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let id = entity::opinion::Entity::find().all(&app.db).await.unwrap().into_iter().find(|o| o.title == title).unwrap().id;
    assert_eq!(office.post_form(&format!("/office/opinions/{id}/route"), &[("unit", "UA"), ("note", "")]).await.status(), 303);
    id
}

async fn status(app: &TestApp, id: i32) -> OpinionStatus {
    entity::opinion::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().status
}

on_both_databases! {
    async fn a_vague_reply_is_held_a_concrete_one_sent_and_a_flagged_one_needs_a_reason(app) {
        crate::fixtures::small_city(app.ctx()).await;
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        let unit = app.another_client();
        unit.login("unita", PASSWORD).await;
        let first = routed(&app, &office, "幸福小区路灯不亮").await;
        let answer = |id: i32, reply: &'static str, reason: &'static str| {
            let unit = &unit;
            async move { unit.post_form(&format!("/unit/opinions/{id}/answer"), &[("reply", reply), ("outcome", "closed"), ("reason", reason)]).await }
        };

        let vague = "您好！您反映的幸福小区路灯不亮问题已收悉，我局高度重视，将尽快安排人员维修路灯，请您耐心等待。";
        let held = answer(first, vague, "").await;
        assert_eq!(held.status(), 200);
        let page = held.text().await.unwrap();
        assert!(page.contains("答复尚未发送") && page.contains("“尽快”没有给出具体时间"), "the unit sees the findings");
        assert_eq!(status(&app, first).await, OpinionStatus::Routed, "nothing went out");
        assert!(entity::reply_check::Entity::find().all(&app.db).await.unwrap().is_empty(), "a held draft is not counted");

        let concrete = "您好！您反映的幸福小区路灯不亮问题，经我局市政科工作人员现场核实，东门3盏路灯线路老化，已于12月3日更换线路并修复。如再有损坏，请拨打市政服务热线反映。";
        assert_eq!(answer(first, concrete, "").await.status(), 303);
        assert_eq!(status(&app, first).await, OpinionStatus::Closed);

        let second = routed(&app, &office, "幸福小区路面坑洼").await;
        let over_long = "x".repeat(201);
        let refused = unit.post_form(&format!("/unit/opinions/{second}/answer"), &[("reply", vague), ("outcome", "closed"), ("reason", &over_long)]).await;
        assert_eq!(refused.status(), 400, "a reason too long is refused with a message");
        assert!(refused.text().await.unwrap().contains("发送理由"));
        assert_eq!(answer(second, "您好！您反映的幸福小区路面坑洼问题已收悉，我局将尽快安排维修路面，请您耐心等待。", "已与群众电话约定维修时间").await.status(), 303);
        assert_eq!(status(&app, second).await, OpinionStatus::Closed, "sent with a reason");

        let office_page = office.get(&format!("/office/opinions/{second}")).await.text().await.unwrap();
        assert!(office_page.contains("答复质量检查") && office_page.contains("单位坚持按原文发送，理由：已与群众电话约定维修时间"));
        let scores = office.get("/office/scores").await.text().await.unwrap();
        let row = regex::Regex::new(r"<th scope=.row.>甲局</th><td>(\d+)</td><td>(\d+)%</td><td>(\d+)</td>").unwrap();
        let caps = row.captures(&scores).expect("the unit's reply quality on the score page");
        assert_eq!((&caps[1], &caps[2], &caps[3]), ("2", "50", "1"), "two replies, one clean, one sent with a reason");
    }
}
