//! Themes over time: a period mined beside the one before, ids that survive a rebuild, heat and
//! regions explained, satisfaction around a rectification, and the report the office takes to
//! the 绩效 meeting.

use std::collections::HashMap;

use entity::vocab::{RatingLevel, RatingOrigin, RatingTarget, Role, ThemeStatus};
use entity::{opinion, rating, theme, theme_member};
use lianxin::score::period::Period;
use lianxin::service::Actor;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use crate::fixtures::PASSWORD;
use crate::on_both_databases;

async fn office(app: &crate::helpers::TestApp) -> crate::helpers::TestApp {
    let user =
        lianxin::accounts::NewUser { username: "office9", display_name: "绩效办", role: "office", unit_code: None, password: PASSWORD };
    lianxin::accounts::create_user(app.ctx(), &Actor::system("test"), user).await.unwrap();
    let office = app.another_client();
    office.login("office9", PASSWORD).await;
    office
}

async fn rebuild(app: &crate::helpers::TestApp) {
    let jieba = std::sync::Arc::new(lianxin::search::vocabulary::jieba(&app.db).await.unwrap());
    lianxin::themes::mining::rebuild(app.ctx(), &Actor::system("test"), jieba, |_, _| {}).await.unwrap();
}

fn office_actor() -> Actor {
    Actor { user_id: None, label: "test".into(), role: Some(Role::Office), unit_id: None }
}

on_both_databases! {
    async fn a_period_is_mined_beside_the_one_before_and_the_live_themes_are_left_alone(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        rebuild(&app).await;
        let office = office(&app).await;
        let live_links: Vec<(i32, Option<i32>)> =
            opinion::Entity::find().all(&app.db).await.unwrap().into_iter().map(|o| (o.id, o.theme_id)).collect();
        let quarter = Period::quarter_of(app.clock.today()).previous();
        let name = quarter.name();

        let page = office.get(&format!("/office/themes?period={name}")).await.text().await.unwrap();
        assert!(page.contains("该统计期尚未挖掘主题") && page.contains("挖掘该统计期主题"), "not mined yet, and the button to mine it");
        let asked = office.post_form("/office/themes/periods", &[("period", &name)]).await;
        assert_eq!(asked.status(), 303);
        let mined = crate::helpers::eventually(|| async {
            office.get(&format!("/office/themes?period={name}")).await.text().await.unwrap().contains("本期主题挖掘于")
        })
        .await;
        assert!(mined, "the theme-periods job answered the request");
        let page = office.get(&format!("/office/themes?period={name}")).await.text().await.unwrap();
        assert!(page.contains(&format!("上期（{}）", quarter.previous().name())), "compared with the quarter before");
        assert!(page.contains("重新挖掘该统计期主题"));

        let themes = theme::Entity::find().filter(theme::Column::Period.eq(&name)).all(&app.db).await.unwrap();
        assert!(themes.len() >= 5, "{} themes in {name}", themes.len());
        let (from, to) = quarter.bounds();
        let (before_from, _) = quarter.previous().bounds();
        for t in &themes {
            let members = theme_member::Entity::find().filter(theme_member::Column::ThemeId.eq(t.id)).all(&app.db).await.unwrap();
            let ids: Vec<i32> = members.iter().map(|m| m.opinion_id).collect();
            let opinions = opinion::Entity::find().filter(opinion::Column::Id.is_in(ids)).all(&app.db).await.unwrap();
            let inside = opinions.iter().filter(|o| o.submitted_at >= from && o.submitted_at < to).count();
            if t.size == 0 {
                assert!(t.previous_size >= 3 && opinions.iter().all(|o| o.submitted_at >= before_from && o.submitted_at < from), "a quiet theme keeps its earlier members");
            } else {
                assert!(t.size >= 3 && inside == t.size as usize && opinions.len() == inside, "{}: members are the period's", t.label);
            }
        }
        let stages: Vec<&str> = ["新出现", "上升", "持平", "回落", "沉寂"].into_iter().filter(|s| page.contains(&format!(">{s}</span>"))).collect();
        assert!(stages.len() >= 2, "stages read from the two periods: {stages:?}");
        let shown = themes.iter().find(|t| t.size > 0).unwrap();
        assert!(page.contains(&format!("本期 {} 条（上期 {} 条）", shown.size, shown.previous_size)));
        let after: Vec<(i32, Option<i32>)> =
            opinion::Entity::find().all(&app.db).await.unwrap().into_iter().map(|o| (o.id, o.theme_id)).collect();
        assert_eq!(after, live_links, "mining a period leaves the live themes' members as they were");
        let live = office.get("/office/themes").await.text().await.unwrap();
        assert!(!themes.iter().any(|t| live.contains(&format!("/office/themes/{}\"", t.id))), "the live ranking shows live themes only");

        // Mining it again keeps the ids.
        let ids: Vec<i32> = themes.iter().map(|t| t.id).collect();
        office.post_form("/office/themes/periods", &[("period", &name)]).await;
        let again = crate::helpers::eventually(|| async {
            !office.get(&format!("/office/themes?period={name}")).await.text().await.unwrap().contains("已排队")
        })
        .await;
        assert!(again);
        let mut now: Vec<i32> = theme::Entity::find().filter(theme::Column::Period.eq(&name)).all(&app.db).await.unwrap().into_iter().map(|t| t.id).collect();
        now.sort();
        let mut ids = ids;
        ids.sort();
        assert_eq!(now, ids, "the same period mined again continues every theme");

        // A range of days, and one that is not.
        let range = office.get("/office/themes?from=2026-07-01&to=2026-08-15").await.text().await.unwrap();
        assert!(range.contains("统计期 2026-07-01~2026-08-15") && range.contains("上期（2026-05-16~2026-06-30）"));
        let bad = office.get("/office/themes?from=2026-08-15&to=2026-07-01").await.text().await.unwrap();
        assert!(bad.contains("统计期格式不对"), "a clear message, not an error page");
        let refused = office.post_form("/office/themes/periods", &[("period", "明年")]).await;
        assert_eq!(refused.status(), 400);
        assert!(refused.text().await.unwrap().contains("统计期格式不对"));
    }
}

on_both_databases! {
    async fn a_promoted_theme_keeps_its_id_and_its_report_tells_satisfaction_before_and_after(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        rebuild(&app).await;
        let before: HashMap<i32, i32> = theme::Entity::find().filter(theme::Column::Period.eq("all")).all(&app.db).await.unwrap().into_iter().map(|t| (t.id, t.size)).collect();
        rebuild(&app).await;
        let after: HashMap<i32, i32> = theme::Entity::find().filter(theme::Column::Period.eq("all")).all(&app.db).await.unwrap().into_iter().map(|t| (t.id, t.size)).collect();
        let kept = before.keys().filter(|id| after.contains_key(id)).count();
        assert!(kept * 10 >= before.len() * 9, "{kept} of {} themes kept their ids across a rebuild", before.len());

        let office = office(&app).await;
        let top = theme::Entity::find().filter(theme::Column::Period.eq("all")).all(&app.db).await.unwrap().into_iter().max_by(|a, b| a.heat.total_cmp(&b.heat)).unwrap();
        let created = crate::fixtures::promote_theme(&office, &top).await;
        assert_eq!(created.status(), 303);
        rebuild(&app).await;
        let promoted = theme::Entity::find_by_id(top.id).one(&app.db).await.unwrap().expect("the promoted theme survives the rebuild");
        assert_eq!(promoted.status, ThemeStatus::Promoted);
        assert!(promoted.problem_id.is_some());
        assert!(opinion::Entity::find().filter(opinion::Column::ThemeId.eq(top.id)).all(&app.db).await.unwrap().len() >= 3, "and its members");

        // The rectification is reported done; a member's citizen rates afterwards.
        let rect = entity::rectification::Entity::find()
            .filter(entity::rectification::Column::ProblemId.eq(promoted.problem_id.unwrap()))
            .one(&app.db).await.unwrap().unwrap();
        lianxin::lists::workflow::report_done(app.ctx(), &office_actor(), rect.id, "已集中整治").await.unwrap();
        let member = opinion::Entity::find().filter(opinion::Column::ThemeId.eq(top.id)).one(&app.db).await.unwrap().unwrap();
        rating::ActiveModel {
            target: Set(RatingTarget::Opinion), opinion_id: Set(Some(member.id)), rectification_id: Set(None),
            code_digest: Set("after-rectification".into()), level: Set(RatingLevel::VerySatisfied), tags: Set("[]".into()),
            comment: Set(None), is_followup: Set(true), origin: Set(RatingOrigin::Citizen), unit_id: Set(None),
            region: Set(member.region.clone()), category: Set(None), created_at: Set(app.clock.now() + chrono::Duration::hours(1)),
            ..Default::default()
        }.insert(&app.db).await.unwrap();
        let page = office.get(&format!("/office/themes/{}", top.id)).await.text().await.unwrap();
        assert!(page.contains("整改前后") && page.contains("此后 100%（1 条，含追评）"), "satisfaction after the rectification");
        assert!(page.contains("相对全市") && page.contains(" 倍</td>"), "each region's lift against the city");

        let report = office.get(&format!("/office/themes/{}/report", top.id)).await.text().await.unwrap();
        assert!(report.contains("热点主题报告") && report.contains("代表性留言") && report.contains("此后 100%"));
        let items = report.matches("<li class=\"item\">").count();
        assert!((3..=10).contains(&items), "{items} representative messages");
        // The messages only: the page's CSRF token is hex and may hold eleven digits in a row.
        let messages = report.split("代表性留言").nth(1).unwrap().split("读数提示").next().unwrap();
        let phone = regex::Regex::new(r"(^|[^0-9])1[3-9]\d{9}([^0-9]|$)").unwrap();
        assert!(phone.find(messages).is_none(), "representative messages are scrubbed: {:?}", phone.find(messages));
        let xlsx = office.get(&format!("/office/themes/{}/report.xlsx", top.id)).await;
        assert_eq!(xlsx.status(), 200);
        let bytes = xlsx.bytes().await.unwrap();
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        assert_eq!(book.sheet_names(), ["概要", "趋势", "区域", "承办单位", "代表性留言"]);
        let summary = book.worksheet_range("概要").unwrap();
        let cells: Vec<String> = summary.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
        assert!(cells.contains(&top.representative_title) && cells.iter().any(|c| c == "整改后满意度"), "{cells:?}");
        let messages = book.worksheet_range("代表性留言").unwrap();
        assert_eq!(messages.height(), items + 1, "the same messages as the page, under a header");
        let trend = book.worksheet_range("趋势").unwrap();
        assert_eq!(trend.height(), 13, "twelve months under a header");

        // The promoted theme survives a rebuild with its row, not as a new one.
        let mut model = promoted.clone().into_active_model();
        model.label = Set("人工改过的标签".into());
        model.update(&app.db).await.unwrap();
        rebuild(&app).await;
        let again = theme::Entity::find_by_id(top.id).one(&app.db).await.unwrap().unwrap();
        assert_eq!((again.status, again.problem_id), (ThemeStatus::Promoted, promoted.problem_id));
        assert_ne!(again.label, "人工改过的标签", "its figures are re-mined in place");
    }
}
