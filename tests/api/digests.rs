//! A citizen who chose 每天汇总一次 gets the day's messages in one email at the office's digest
//! hour, through a real SMTP conversation; switching back on the tracking page sends each again.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::fixtures::PASSWORD;
use crate::helpers::Backend;
use crate::mail::{SmtpServer, until};

async fn a_daily_digest_sends_the_day_in_one_message_at_the_digest_hour(backend: Backend) {
    // 10:00 in Beijing; the digest goes at 20:00 (12:00 UTC).
    let morning: DateTime<Utc> = "2026-12-01T02:00:00Z".parse().unwrap();
    let mail = SmtpServer::start(0, Arc::default()).await;
    let smtp_url = format!("smtp://127.0.0.1:{}", mail.port);
    let app = crate::helpers::spawn_app_configured(backend, Some(morning), |c| {
        c.smtp_url = Some(smtp_url.clone());
        c.retry_seconds = 1;
    })
    .await;
    let fixture = crate::fixtures::small_city(app.ctx()).await;
    let filed: serde_json::Value = app
        .client
        .post(app.url("/api/v1/opinions"))
        .json(&serde_json::json!({ "kind": "complaint", "title": "甲局门前积水", "content": "雨后积水没过脚踝",
            "email": "Digest@Example.com", "consent_contact": true, "notify": "daily" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = filed["tracking_code"].as_str().unwrap().to_string();
    let weekly = app
        .client
        .post(app.url("/api/v1/opinions"))
        .json(&serde_json::json!({ "kind": "complaint", "title": "每周一次", "content": "每周汇总", "notify": "weekly" }))
        .send()
        .await
        .unwrap();
    assert_eq!(weekly.status(), 422);
    assert!(weekly.text().await.unwrap().contains("\"notify\""), "the field is named");
    let opinion =
        entity::opinion::Entity::find().filter(entity::opinion::Column::Title.eq("甲局门前积水")).one(&app.db).await.unwrap().unwrap();
    let office = app.another_client();
    office.login("office1", PASSWORD).await;
    assert_eq!(office.post_form(&format!("/office/opinions/{}/link", opinion.id), &[("problem", "WT-2026-0001")]).await.status(), 303);
    let unit = app.another_client();
    unit.login("unita", PASSWORD).await;
    let progress = |text: &'static str, percent: &'static str| {
        let unit = &unit;
        async move {
            let path = format!("/unit/rectifications/{}/progress", fixture.rect_a);
            assert_eq!(unit.post_multipart(&path, &[("text", text), ("percent", percent)], &[]).await.status(), 303);
        }
    };
    progress("排水管道已疏通", "50").await;

    let db = app.db.clone();
    let waiting = crate::helpers::eventually(|| async {
        let rows = entity::delivery::Entity::find().filter(entity::delivery::Column::OpinionId.eq(opinion.id)).all(&db).await.unwrap();
        rows.len() == 2 && rows.iter().all(|d| d.digest && d.state == "pending")
    })
    .await;
    assert!(waiting, "both messages wait for the digest");
    let rows = entity::delivery::Entity::find().filter(entity::delivery::Column::OpinionId.eq(opinion.id)).all(&db).await.unwrap();
    let evening: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap();
    assert!(rows.iter().all(|d| d.next_attempt_at == evening), "{rows:?}");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(mail.inbox.lock().unwrap().is_empty(), "nothing before the digest hour");

    // 20:00 comes: one email with both.
    app.clock.set(evening + Duration::minutes(1));
    let inbox = mail.inbox.clone();
    until("the digest", || !inbox.lock().unwrap().is_empty()).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let sent = inbox.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "one message for the day: {sent:?}");
    assert!(sent[0].contains("To: digest@example.com"), "{}", sent[0]);
    assert!(
        sent[0].contains("今日共有 2 条新动态") && sent[0].contains("已列入问题清单") && sent[0].contains("当前进度 50%"),
        "{}",
        sent[0]
    );
    assert!(sent[0].contains("/notify/unsubscribe/"), "the digest can be unsubscribed from too");
    let rows = entity::delivery::Entity::find().filter(entity::delivery::Column::OpinionId.eq(opinion.id)).all(&db).await.unwrap();
    assert!(rows.iter().all(|d| d.state == "sent"), "{rows:?}");

    // The citizen switches back on the tracking page: the next message goes at once, alone.
    let page = app.post_form("/track", &[("code", &code)]).await.text().await.unwrap();
    assert!(page.contains("通知方式：每天汇总一次"), "the tracking page shows the choice");
    let switched = app.post_form("/track/notify", &[("code", &code), ("notify", "each")]).await;
    assert_eq!(switched.status(), 200);
    assert!(switched.text().await.unwrap().contains("已改为每有动态即通知"));
    assert_eq!(app.post_form("/track/notify", &[("code", &code), ("notify", "weekly")]).await.status(), 400);
    assert_eq!(app.post_form("/track/notify", &[("code", "7kqmx3rt9whp"), ("notify", "each")]).await.status(), 404);
    // Ten hours on, the unit's session has ended: it signs in again.
    unit.login("unita", PASSWORD).await;
    progress("路面已修复", "90").await;
    until("the single message", || inbox.lock().unwrap().iter().any(|m| m.contains("当前进度 90%"))).await;
    let last = inbox.lock().unwrap().last().cloned().unwrap();
    assert!(!last.contains("今日共有"), "{last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daily_digest_sends_the_day_in_one_message_at_the_digest_hour_sqlite() {
    a_daily_digest_sends_the_day_in_one_message_at_the_digest_hour(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daily_digest_sends_the_day_in_one_message_at_the_digest_hour_postgres() {
    a_daily_digest_sends_the_day_in_one_message_at_the_digest_hour(Backend::Postgres).await;
}
