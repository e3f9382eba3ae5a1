//! A small city for staff tests: two units, a problem each, and one account per role.

use chrono::{Duration, Utc};
use entity::vocab::*;
use entity::*;
use lianxin::accounts::{self, NewUser};
use lianxin::lists::workflow::{ValidProblem, insert_problem};
use lianxin::service::Actor;
use lianxin::unit_of_work::{Context, UnitOfWork};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

pub const PASSWORD: &str = "correct-horse-battery";

pub struct Fixture {
    /// Rectifications led by unit A and unit B.
    pub rect_a: i32,
    pub rect_b: i32,
}

async fn unit(db: &DatabaseConnection, code: &str, name: &str, region: Option<&str>) -> i32 {
    unit::ActiveModel {
        code: Set(code.into()),
        name: Set(name.into()),
        kind: Set(if region.is_some() { UnitKind::District } else { UnitKind::Department }),
        parent_id: Set(None),
        region: Set(region.map(str::to_string)),
        active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

/// A problem led by `lead`, written by the same service the office uses; returns its rectification.
async fn problem_with_rectification(ctx: Context<'_>, code: &str, lead: i32) -> i32 {
    problem_titled(ctx, code, &format!("{code} 测试问题"), "测试", lead).await
}

/// A problem of this title and description led by the unit `lead`; returns its rectification.
pub async fn problem_titled(ctx: Context<'_>, code: &str, title: &str, description: &str, lead: i32) -> i32 {
    let db = ctx.db;
    let valid = ValidProblem {
        title: title.into(),
        description: description.into(),
        category: "城乡建设".into(),
        region: "城关区".into(),
        source: ProblemSource::Inspection,
        lead_unit_id: lead,
        cooperating_ids: Vec::new(),
        responsible_post: "分管副局长".into(),
        deadline: (Utc::now() + Duration::days(60)).date_naive(),
        kind: ResponsibilityKind::Deadline,
        measures: "措施".into(),
        plan: "计划".into(),
        target: "目标".into(),
    };
    let mut uow = UnitOfWork::begin(ctx, &Actor::system("test")).await.unwrap();
    let problem = insert_problem(&mut uow, valid, Some(code.into()), None).await.unwrap();
    uow.commit().await.unwrap();
    rectification::Entity::find()
        .filter(rectification::Column::ProblemId.eq(problem.id))
        .one(db)
        .await
        .unwrap()
        .expect("a problem comes with its rectification")
        .id
}

/// Accounts `admin1`, `office1`, `publicity1`, `unita` (unit A) and `unitb` (unit B).
pub async fn small_city(ctx: Context<'_>) -> Fixture {
    let db = ctx.db;
    let unit_a = unit(db, "UA", "甲局", None).await;
    let unit_b = unit(db, "UB", "乙局", None).await;
    // The districts that give the city its regions.
    unit(db, "CG", "城关区人民政府", Some("城关区")).await;
    unit(db, "JB", "江北区人民政府", Some("江北区")).await;
    let rect_a = problem_with_rectification(ctx, "WT-2026-0001", unit_a).await;
    let rect_b = problem_with_rectification(ctx, "WT-2026-0002", unit_b).await;
    let system = Actor::system("test");
    for (username, role, unit) in [
        ("admin1", "admin", None),
        ("office1", "office", None),
        ("publicity1", "publicity", None),
        ("unita", "unit", Some("UA")),
        ("unitb", "unit", Some("UB")),
    ] {
        let input = NewUser { username, display_name: username, role, unit_code: unit, password: PASSWORD };
        accounts::create_user(ctx, &system, input).await.unwrap();
    }
    Fixture { rect_a, rect_b }
}

/// The office turns theme `theme` into a problem through the problem form, due in 60 days.
pub async fn promote_theme(office: &crate::helpers::TestApp, theme: &theme::Model) -> reqwest::Response {
    let deadline = (Utc::now() + Duration::days(60)).format("%Y-%m-%d").to_string();
    office
        .post_form(
            "/office/problems",
            &[
                ("title", &theme.representative_title),
                ("description", "由热点主题转入"),
                ("category", "城乡建设"),
                ("region", "城关区"),
                ("source", "opinion"),
                ("lead_unit", "CGJ"),
                ("cooperating", ""),
                ("responsible_post", "分管副局长"),
                ("deadline", &deadline),
                ("kind", "deadline"),
                ("measures", "集中整治"),
                ("plan", "分步实施"),
                ("target", "群众满意"),
                ("from_theme", &theme.id.to_string()),
            ],
        )
        .await
}
