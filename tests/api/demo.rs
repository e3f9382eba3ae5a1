//! The demo city lands in the database, is complete, and keeps private data private.

use std::collections::HashSet;

use chrono::{Duration, Utc};
use entity::vocab::*;
use entity::*;
use lianxin::demo;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::on_both_databases;

on_both_databases! {
    async fn the_demo_city_is_seeded_complete_and_only_once(app) {
        let now = Utc::now();
        let summary = demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        assert!(summary.is_some(), "an empty database is seeded");
        assert_eq!(demo::seed_if_empty(app.ctx(), 42).await.unwrap(), None, "a second run adds nothing");

        let db = &app.db;
        assert!(unit::Entity::find().count(db).await.unwrap() >= 12);
        assert_eq!(problem::Entity::find().count(db).await.unwrap(), 60);
        assert_eq!(responsibility::Entity::find().count(db).await.unwrap(), 60);
        assert_eq!(opinion::Entity::find().count(db).await.unwrap(), 2000);
        assert_eq!(report::Entity::find().count(db).await.unwrap(), 3);
        assert!(rating::Entity::find().count(db).await.unwrap() > 500);
        assert!(progress_update::Entity::find().count(db).await.unwrap() > 100);

        let rects = rectification::Entity::find().all(db).await.unwrap();
        let statuses: HashSet<_> = rects.iter().map(|r| r.status).collect();
        assert_eq!(statuses.len(), RectificationStatus::ALL.len(), "every rectification status appears");
        assert!(rects.iter().all(|r| (0..=100).contains(&r.progress)));

        let opinions = opinion::Entity::find().all(db).await.unwrap();
        let kinds: HashSet<_> = opinions.iter().map(|o| o.kind).collect();
        assert_eq!(kinds.len(), OpinionKind::ALL.len(), "every opinion type appears");
        let categories: HashSet<_> = opinions.iter().filter_map(|o| o.category.as_deref()).collect();
        for category in lianxin::domain::DEFAULT_CATEGORIES {
            assert!(categories.contains(category), "category {category} appears");
        }
        let oldest = opinions.iter().map(|o| o.submitted_at).min().unwrap();
        assert!(oldest < now - Duration::days(300) && oldest > now - Duration::days(366), "twelve months of opinions");
        let codes: HashSet<_> = opinions.iter().map(|o| o.code_digest.as_str()).collect();
        assert_eq!(codes.len(), opinions.len(), "tracking codes are unique");
        assert!(opinions.iter().all(|o| o.code_digest.len() == 64), "only keyed digests of codes are stored");

        let report_statuses: HashSet<_> = report::Entity::find().all(db).await.unwrap().into_iter().map(|r| r.status).collect();
        assert!(report_statuses.contains(&ReportStatus::Published));

        let users = user::Entity::find().all(db).await.unwrap();
        let roles: HashSet<_> = users.iter().map(|u| u.role).collect();
        assert_eq!(roles.len(), Role::ALL.len(), "a demo login for every role");
        assert!(users.iter().all(|u| u.password_hash.starts_with("$argon2id$")));

        let searchable = 60 + 60 + 2000 + 3;
        let documents = event::Entity::find().filter(event::Column::Topic.eq("document")).count(db).await.unwrap();
        assert_eq!(documents, searchable, "every searchable row has its document event");
    }
}

on_both_databases! {
    async fn rows_added_after_the_demo_get_fresh_ids(app) {
        demo::seed_if_empty(app.ctx(), 1).await.unwrap();
        let added = unit::ActiveModel {
            code: Set("NEW".into()),
            name: Set("新设单位".into()),
            kind: Set(UnitKind::Other),
            parent_id: Set(None),
            region: Set(None),
            active: Set(true),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .expect("identity sequences continue after the seeded rows");
        assert!(added.id > 20);
    }
}

on_both_databases! {
    async fn the_home_page_shows_the_demo_figures_and_no_contact_details(app) {
        demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        let html = app.get("/").await.text().await.unwrap();
        assert!(html.contains(r#"<span class="figure-value">60</span>"#), "sixty problems on the list");
        assert!(html.contains("最新整改进展") && html.contains("WT-20"));

        // The citizens' figures come from the scores job, with when they were counted.
        app.scores_settled().await;
        let year_ago = app.clock.now() - Duration::days(365);
        let last_year = opinion::Entity::find().filter(opinion::Column::SubmittedAt.gte(year_ago)).count(&app.db).await.unwrap();
        assert!(last_year > 0);
        let counted = format!(r#"<span class="figure-value">{last_year}</span><span class="figure-label">近一年群众意见（件）"#);
        // The page an anonymous visitor saw a moment ago may be served again for a few seconds.
        let shown = crate::helpers::eventually(|| async { app.get("/").await.text().await.unwrap().contains(&counted) }).await;
        assert!(shown, "a year of opinions counted");
        let html = app.get("/").await.text().await.unwrap();
        assert!(html.contains("群众意见与满意率更新于 "));

        let phones: Vec<String> = opinion_contact::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|c| c.phone)
            .collect();
        assert!(!phones.is_empty());
        let mobile = regex::Regex::new(r"1[3-9]\d{9}").unwrap();
        assert!(!mobile.is_match(&html), "no mobile number on the public home page");
    }
}
