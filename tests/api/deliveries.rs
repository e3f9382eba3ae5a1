//! Messages to citizens by email and SMS: a real SMTP conversation with a server on loopback
//! (run in the test), an HTTP stub for the SMS gateway, an outage of the mail server that delays
//! but loses nothing, and one-click unsubscribe.

use std::sync::Arc;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::fixtures::PASSWORD;
use crate::helpers::{Backend, TestApp};
use crate::mail::{SmtpServer, sms_gateway, until};

async fn messages_reach_citizens_through_an_outage_and_stop_when_they_unsubscribe(backend: Backend) {
    let mail = SmtpServer::start(0, Arc::default()).await;
    let (sms_url, texts) = sms_gateway().await;
    let smtp_url = format!("smtp://127.0.0.1:{}", mail.port);
    let app: TestApp = crate::helpers::spawn_app_with(backend, |c| {
        c.smtp_url = Some(smtp_url.clone());
        c.sms_url = Some(sms_url.clone());
        c.mail_from = "连心桥 <noreply@lianxin.test>".into();
        c.retry_seconds = 1;
    })
    .await;
    let fixture = crate::fixtures::small_city(app.ctx()).await;
    let filed: serde_json::Value = app
        .client
        .post(app.url("/api/v1/opinions"))
        .json(&serde_json::json!({ "kind": "complaint", "title": "甲局门前积水", "content": "雨后积水没过脚踝",
            "email": "citizen@example.com", "phone": "13800138000", "consent_contact": true }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = filed["tracking_code"].as_str().unwrap().to_string();
    let opinion =
        entity::opinion::Entity::find().filter(entity::opinion::Column::Title.eq("甲局门前积水")).one(&app.db).await.unwrap().unwrap();
    let office = app.another_client();
    office.login("office1", PASSWORD).await;
    assert_eq!(office.post_form(&format!("/office/opinions/{}/link", opinion.id), &[("problem", "WT-2026-0001")]).await.status(), 303);

    let inbox = mail.inbox.clone();
    until("the first email", || inbox.lock().unwrap().iter().any(|m| m.contains("已列入问题清单"))).await;
    until("the first SMS", || texts.lock().unwrap().iter().any(|t| t.contains("已列入问题清单"))).await;
    let first = inbox.lock().unwrap().iter().find(|m| m.contains("已列入问题清单")).cloned().unwrap();
    assert!(first.contains("To: citizen@example.com") && first.contains("Message-ID: <delivery-"), "{first}");
    assert!(first.contains("List-Unsubscribe: <http") && !first.contains(&code), "an unsubscribe link, never the tracking code");
    let sms: serde_json::Value =
        serde_json::from_str(texts.lock().unwrap().iter().find(|t| t.contains("已列入问题清单")).unwrap()).unwrap();
    assert_eq!(sms["phone"], "13800138000");

    // The mail server goes down; progress is posted; the email waits and is retried.
    let (port, inbox) = mail.stop();
    let unit = app.another_client();
    unit.login("unita", PASSWORD).await;
    let posted = unit
        .post_multipart(&format!("/unit/rectifications/{}/progress", fixture.rect_a), &[("text", "排水管道已疏通"), ("percent", "50")], &[])
        .await;
    assert_eq!(posted.status(), 303);
    let db = app.db.clone();
    let failing = crate::helpers::eventually(|| async {
        entity::delivery::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .iter()
            .any(|d| d.channel == "email" && d.state == "pending" && d.last_error.is_some())
    })
    .await;
    assert!(failing, "the email failed and waits for a retry");
    until("the SMS of the progress", || texts.lock().unwrap().iter().any(|t| t.contains("当前进度 50%"))).await;

    // Back up: it arrives, once.
    let mail = SmtpServer::start(port, inbox.clone()).await;
    until("the delayed email", || inbox.lock().unwrap().iter().any(|m| m.contains("当前进度 50%"))).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(inbox.lock().unwrap().iter().filter(|m| m.contains("当前进度 50%")).count(), 1, "sent once");
    let rows = entity::delivery::Entity::find().filter(entity::delivery::Column::OpinionId.eq(opinion.id)).all(&app.db).await.unwrap();
    assert!(rows.iter().all(|d| d.state == "sent"), "{rows:?}");
    assert_eq!(rows.len(), 4, "two messages, two channels each");

    // Unsubscribe from the link in the email: no more messages, the tracking page still tells.
    let link = regex::Regex::new(r"(/notify/unsubscribe/\d+/[0-9a-f]{32})").unwrap().captures(&first).unwrap()[1].to_string();
    assert!(app.get(&link).await.text().await.unwrap().contains("确认退订"));
    assert_eq!(app.get(&format!("/notify/unsubscribe/{}/{}", opinion.id, "0".repeat(32))).await.status(), 404);
    let done = app.post_form(&link, &[]).await.text().await.unwrap();
    assert!(done.contains("已退订"));
    unit.post_multipart(&format!("/unit/rectifications/{}/progress", fixture.rect_a), &[("text", "路面已修复"), ("percent", "90")], &[])
        .await;
    let told = crate::helpers::eventually(|| async {
        app.post_form("/track", &[("code", &code)]).await.text().await.unwrap().contains("当前进度 90%")
    })
    .await;
    assert!(told, "the tracking page still tells");
    let newest = entity::notification::Entity::find().all(&app.db).await.unwrap().into_iter().map(|n| n.id).max().unwrap();
    let queued = crate::helpers::eventually(|| async {
        lianxin::jobs::marks::read(&db, "deliver").await.unwrap().is_some_and(|m| m.last_event_id >= i64::from(newest))
    })
    .await;
    assert!(queued, "the deliver job has read the newest message");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(!inbox.lock().unwrap().iter().any(|m| m.contains("当前进度 90%")), "no email after unsubscribing");
    assert!(!texts.lock().unwrap().iter().any(|t| t.contains("当前进度 90%")), "no SMS either");
    drop(mail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_reach_citizens_through_an_outage_and_stop_when_they_unsubscribe_sqlite() {
    messages_reach_citizens_through_an_outage_and_stop_when_they_unsubscribe(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_reach_citizens_through_an_outage_and_stop_when_they_unsubscribe_postgres() {
    messages_reach_citizens_through_an_outage_and_stop_when_they_unsubscribe(Backend::Postgres).await;
}
