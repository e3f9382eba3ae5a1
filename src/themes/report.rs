//! A theme's report for the 绩效 meeting: what its page shows plus the ten messages closest to
//! its centre, scrubbed of personal details, as a printable page and as a workbook.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;

use super::detail::{Representative, Satisfaction, ThemeDetail};

#[derive(Debug, Serialize)]
pub struct ThemeReport {
    pub theme: ThemeDetail,
    pub representatives: Vec<Representative>,
    pub made_at: String,
}

pub async fn build(
    db: &impl ConnectionTrait,
    id: i32,
    now: chrono::DateTime<chrono::Utc>,
    today: NaiveDate,
) -> Result<Option<ThemeReport>, DbErr> {
    let Some(theme) = super::detail::detail(db, id, today).await? else { return Ok(None) };
    let representatives = super::detail::representatives(db, id).await?;
    Ok(Some(ThemeReport { theme, representatives, made_at: crate::domain::time::minute(now) }))
}

fn percent(s: &Satisfaction) -> String {
    match s.satisfied_pct {
        Some(p) => format!("{p}%（{} 条评价）", s.ratings),
        None => "暂无评价".into(),
    }
}

/// The summary sheet's rows: what the theme is, its heat in parts, its satisfaction.
fn facts(r: &ThemeReport) -> Vec<(&'static str, String)> {
    let t = &r.theme;
    let mut facts: Vec<(&'static str, String)> = vec![
        ("主题", t.representative.clone()),
        ("统计期", t.period.clone()),
        ("关键词", t.keywords.join("、")),
        ("热度", t.heat.to_string()),
        ("意见条数", t.size.to_string()),
        ("反映群众数", format!("{}（同一人只计一人）", t.citizens)),
        ("热度：群众数", format!("{} 人 → {}", t.heat_today.citizens, t.heat_parts[0])),
        ("热度：净支持", format!("{} → {}", t.heat_today.support, t.heat_parts[1])),
        ("热度：每周留言", format!("{:.1} 条 → {}", t.heat_today.per_week, t.heat_parts[2])),
        ("热度：新鲜度", format!("{:.2} → {}", t.heat_today.freshness, t.heat_parts[3])),
        ("群众满意度", percent(&t.satisfaction)),
    ];
    if let Some(stage) = t.lifecycle_label {
        facts.push(("上期条数", t.previous_size.to_string()));
        facts.push(("阶段", stage.to_string()));
    }
    if let Some(code) = &t.problem_code {
        facts.push(("关联问题", code.clone()));
    }
    if let Some(ba) = &t.rectified {
        facts.push(("整改报告完成", ba.done_at.clone()));
        facts.push(("整改前满意度", percent(&ba.before)));
        facts.push(("整改后满意度", percent(&ba.after)));
    }
    facts.push(("报告生成于", r.made_at.clone()));
    facts.push(("读数提示", "数量不等于民意：同一人多次反映只计一人；区域分布要对照该区的意见总量看。".into()));
    facts
}

/// The report as a workbook: a summary sheet, then the trend, regions, units and messages.
pub fn workbook(r: &ThemeReport) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let t = &r.theme;
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("F3EEEB");
    let summary = book.add_worksheet();
    summary.set_name("概要")?;
    summary.set_column_width(0, 16.0)?;
    summary.set_column_width(1, 70.0)?;
    summary.write_string_with_format(0, 0, "热点主题报告", &bold)?;
    for (i, (k, v)) in facts(r).iter().enumerate() {
        summary.write_string_with_format(i as u32 + 2, 0, *k, &bold)?;
        summary.write_string(i as u32 + 2, 1, v)?;
    }

    let table = |book: &mut Workbook, name: &str, headers: &[&str], widths: &[f64]| -> Result<(), rust_xlsxwriter::XlsxError> {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        for (c, (h, w)) in headers.iter().zip(widths).enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
            sheet.set_column_width(c as u16, *w)?;
        }
        Ok(())
    };
    table(&mut book, "趋势", &["月份", "意见条数"], &[12.0, 12.0])?;
    let sheet = book.worksheet_from_name("趋势")?;
    for (i, m) in t.trend.iter().enumerate() {
        sheet.write_string(i as u32 + 1, 0, &m.month)?;
        sheet.write_number(i as u32 + 1, 1, m.count as f64)?;
    }
    table(&mut book, "区域", &["区域", "条数", "占该区意见(%)", "相对全市(倍)"], &[16.0, 10.0, 16.0, 14.0])?;
    let sheet = book.worksheet_from_name("区域")?;
    for (i, region) in t.regions.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &region.name)?;
        sheet.write_number(row, 1, region.count as f64)?;
        if let Some(p) = region.of_region_pct {
            sheet.write_number(row, 2, p)?;
        }
        if let Some(l) = region.lift {
            sheet.write_number(row, 3, l)?;
        }
    }
    table(&mut book, "承办单位", &["承办单位", "条数"], &[30.0, 10.0])?;
    let sheet = book.worksheet_from_name("承办单位")?;
    for (i, (name, n)) in t.units.iter().enumerate() {
        sheet.write_string(i as u32 + 1, 0, name)?;
        sheet.write_number(i as u32 + 1, 1, *n as f64)?;
    }
    table(&mut book, "代表性留言", &["时间", "区域", "标题", "内容摘要"], &[18.0, 12.0, 40.0, 80.0])?;
    let sheet = book.worksheet_from_name("代表性留言")?;
    for (i, m) in r.representatives.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &m.at)?;
        sheet.write_string(row, 1, m.region.as_deref().unwrap_or(""))?;
        sheet.write_string(row, 2, &m.title)?;
        sheet.write_string(row, 3, &m.excerpt)?;
    }
    book.save_to_buffer()
}
