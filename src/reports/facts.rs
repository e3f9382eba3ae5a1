//! A published report's media kit: the facts behind it as a workbook, so a newsroom can check the
//! figures: each linked problem's state, dates, lead unit and citizens' ratings of its result, and
//! its progress timeline.

use std::collections::HashMap;

use entity::vocab::{RatingLevel, RatingOrigin, RatingTarget};
use entity::{problem, progress_update, rating, rectification, report, report_link, responsibility, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use crate::domain::time::minute;

pub struct Facts {
    pub title: String,
    pub published_at: String,
    /// One row per problem: 编号, 标题, 区域, 牵头单位, 整改状态, 进度, 整改时限, 立项, 报结, 核验, 结果评价数, 满意率.
    pub problems: Vec<[String; 12]>,
    /// 编号, 时间, 进度, 内容: the timeline, oldest first.
    pub updates: Vec<[String; 4]>,
}

/// The facts of a published report (a withdrawn one has none to check).
pub async fn of_report(db: &impl ConnectionTrait, slug: &str) -> Result<Option<Facts>, DbErr> {
    let Some(r) = report::Entity::find()
        .filter(report::Column::Slug.eq(slug))
        .filter(report::Column::Status.eq(entity::vocab::ReportStatus::Published))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let linked =
        report_link::Entity::find().select_only().column(report_link::Column::ProblemId).filter(report_link::Column::ReportId.eq(r.id));
    let problems = problem::Entity::find()
        .filter(problem::Column::Id.in_subquery(linked.into_query()))
        .order_by_asc(problem::Column::Code)
        .all(db)
        .await?;
    let ids: Vec<i32> = problems.iter().map(|p| p.id).collect();
    let rects = rectification::Entity::find().filter(rectification::Column::ProblemId.is_in(ids.clone())).all(db).await?;
    let duties: HashMap<i32, responsibility::Model> = responsibility::Entity::find()
        .filter(responsibility::Column::ProblemId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.problem_id, d))
        .collect();
    let units: HashMap<i32, String> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(duties.values().map(|d| d.lead_unit_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let rect_ids: Vec<i32> = rects.iter().map(|r| r.id).collect();
    let levels: Vec<(Option<i32>, RatingLevel)> = rating::Entity::find()
        .select_only()
        .columns([rating::Column::RectificationId, rating::Column::Level])
        .filter(rating::Column::RectificationId.is_in(rect_ids.clone()))
        .filter(rating::Column::Target.eq(RatingTarget::Rectification))
        .filter(rating::Column::Origin.eq(RatingOrigin::Citizen))
        .into_tuple()
        .all(db)
        .await?;
    let code_of: HashMap<i32, &str> =
        rects.iter().filter_map(|r| problems.iter().find(|p| p.id == r.problem_id).map(|p| (r.id, p.code.as_str()))).collect();
    let mut rows = Vec::new();
    for p in &problems {
        let rect = rects.iter().find(|r| r.problem_id == p.id);
        let duty = duties.get(&p.id);
        let rated: Vec<RatingLevel> = levels.iter().filter(|(id, _)| rect.is_some_and(|r| Some(r.id) == *id)).map(|(_, l)| *l).collect();
        let satisfied = rated.iter().filter(|l| **l >= RatingLevel::Basic).count();
        rows.push([
            p.code.clone(),
            crate::privacy::scrub(&p.title),
            p.region.clone(),
            duty.and_then(|d| units.get(&d.lead_unit_id)).cloned().unwrap_or_default(),
            rect.map(|r| r.status.label().to_string()).unwrap_or_default(),
            rect.map(|r| format!("{}%", r.progress)).unwrap_or_default(),
            duty.map(|d| d.deadline.to_string()).unwrap_or_default(),
            minute(p.created_at),
            rect.and_then(|r| r.completed_at).map(minute).unwrap_or_default(),
            rect.and_then(|r| r.verified_at).map(minute).unwrap_or_default(),
            rated.len().to_string(),
            if rated.is_empty() { String::new() } else { format!("{}%", satisfied * 100 / rated.len()) },
        ]);
    }
    let updates = progress_update::Entity::find()
        .filter(progress_update::Column::RectificationId.is_in(rect_ids))
        .order_by_asc(progress_update::Column::CreatedAt)
        .limit(2000)
        .all(db)
        .await?
        .into_iter()
        .map(|u| {
            let code = code_of.get(&u.rectification_id).copied().unwrap_or_default().to_string();
            [code, minute(u.created_at), format!("{}%", u.percent), crate::privacy::scrub(&u.text)]
        })
        .collect();
    Ok(Some(Facts { title: r.title, published_at: r.published_at.map(minute).unwrap_or_default(), problems: rows, updates }))
}

pub fn workbook(f: &Facts) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("F3EEEB");
    let sheet = book.add_worksheet();
    sheet.set_name("涉及问题")?;
    sheet.write_string(0, 0, format!("{}（发布于 {}）", f.title, f.published_at))?;
    let headers =
        ["编号", "标题", "区域", "牵头单位", "整改状态", "进度", "整改时限", "立项时间", "单位报结", "核验时间", "结果评价数", "满意率"];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, if c == 1 { 40.0 } else { 14.0 })?;
    }
    for (r, row) in f.problems.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 3, c as u16, cell)?;
        }
    }
    let sheet = book.add_worksheet();
    sheet.set_name("整改进展")?;
    for (c, (h, w)) in [("编号", 16.0), ("时间", 18.0), ("进度", 8.0), ("内容", 80.0)].iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, *w)?;
    }
    for (r, row) in f.updates.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, cell)?;
        }
    }
    book.save_to_buffer()
}
