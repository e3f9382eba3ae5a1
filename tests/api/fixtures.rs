//! A small city for staff tests: two units, a problem each, and one account per role.

use chrono::{Duration, Utc};
use entity::vocab::*;
use entity::*;
use lianxin::accounts::{self, NewUser};
use lianxin::service::Actor;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection};

pub const PASSWORD: &str = "correct-horse-battery";

pub struct Fixture {
    /// Rectifications led by unit A and unit B.
    pub rect_a: i32,
    pub rect_b: i32,
}

async fn unit(db: &DatabaseConnection, code: &str, name: &str) -> i32 {
    unit::ActiveModel {
        code: Set(code.into()),
        name: Set(name.into()),
        kind: Set(UnitKind::Department),
        parent_id: Set(None),
        region: Set(None),
        active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

async fn problem_with_rectification(db: &DatabaseConnection, code: &str, lead: i32) -> i32 {
    let now = Utc::now();
    let problem = problem::ActiveModel {
        code: Set(code.into()),
        title: Set(format!("{code} 测试问题")),
        description: Set("测试".into()),
        category: Set("城乡建设".into()),
        region: Set("城关区".into()),
        source: Set(ProblemSource::Inspection),
        theme_id: Set(None),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let responsibility = responsibility::ActiveModel {
        problem_id: Set(problem.id),
        lead_unit_id: Set(lead),
        responsible_post: Set("分管副局长".into()),
        deadline: Set((now + Duration::days(60)).date_naive()),
        kind: Set(ResponsibilityKind::Deadline),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    rectification::ActiveModel {
        problem_id: Set(problem.id),
        responsibility_id: Set(responsibility.id),
        measures: Set("措施".into()),
        plan: Set("计划".into()),
        target: Set("目标".into()),
        next_milestone: Set(None),
        status: Set(RectificationStatus::NotStarted),
        progress: Set(0),
        next_update_due: Set(None),
        last_update_at: Set(None),
        completed_at: Set(None),
        verification: Set(None),
        verification_reason: Set(None),
        verified_by: Set(None),
        verified_at: Set(None),
        citizen_confirmation: Set(None),
        reopened_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

/// Accounts `admin1`, `office1`, `publicity1`, `unita` (unit A) and `unitb` (unit B).
pub async fn small_city(db: &DatabaseConnection) -> Fixture {
    let unit_a = unit(db, "UA", "甲局").await;
    let unit_b = unit(db, "UB", "乙局").await;
    let rect_a = problem_with_rectification(db, "WT-2026-0001", unit_a).await;
    let rect_b = problem_with_rectification(db, "WT-2026-0002", unit_b).await;
    let system = Actor::system("test");
    for (username, role, unit) in [
        ("admin1", "admin", None),
        ("office1", "office", None),
        ("publicity1", "publicity", None),
        ("unita", "unit", Some("UA")),
        ("unitb", "unit", Some("UB")),
    ] {
        let input = NewUser { username, display_name: username, role, unit_code: unit, password: PASSWORD };
        accounts::create_user(db, &system, input).await.unwrap();
    }
    Fixture { rect_a, rect_b }
}
