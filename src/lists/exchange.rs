//! Data in and out, as offices work: each list exported as CSV or a real XLSX workbook with
//! Chinese headers, and problems with their responsibilities imported from CSV or XLSX.

use entity::{problem, responsibility, responsibility_unit, vocab::Role};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde::Serialize;

use crate::dependencies::Record;
use crate::domain::time;
use crate::journal::snapshot;
use crate::lists::catalog::ListRow;
use crate::lists::workflow::{NewProblem, ValidProblem, insert_problem, validate_problem};
use crate::service::{Actor, ServiceError};
use crate::tabular::{ImportReport, ImportRow, Rejected};
use crate::unit_of_work::{Context, UnitOfWork};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    #[default]
    Problems,
    Responsibilities,
    Rectifications,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Problems, Tab::Responsibilities, Tab::Rectifications];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tab::Problems => "problems",
            Tab::Responsibilities => "responsibilities",
            Tab::Rectifications => "rectifications",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Problems => "问题清单",
            Tab::Responsibilities => "责任清单",
            Tab::Rectifications => "整改清单",
        }
    }
}

/// A list as a table: headers and text cells.
pub fn table(rows: &[ListRow], tab: Tab) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let date = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    match tab {
        Tab::Problems => (
            vec!["问题编号", "问题标题", "问题类别", "区域", "问题来源", "牵头单位", "整改状态", "登记时间", "反映意见数"],
            rows.iter()
                .map(|r| {
                    vec![
                        r.code.clone(),
                        r.title.to_string(),
                        r.category.clone(),
                        r.region.clone(),
                        r.source.label().into(),
                        r.lead.name.clone(),
                        r.status.label().into(),
                        time::minute(r.created_at),
                        r.opinion_count.to_string(),
                    ]
                })
                .collect(),
        ),
        Tab::Responsibilities => (
            vec!["问题编号", "问题标题", "牵头单位", "配合单位", "责任岗位", "完成时限", "整改类型"],
            rows.iter()
                .map(|r| {
                    vec![
                        r.code.clone(),
                        r.title.to_string(),
                        r.lead.name.clone(),
                        r.cooperating.iter().map(|u| u.name.as_str()).collect::<Vec<_>>().join("、"),
                        r.responsible_post.to_string(),
                        date(r.deadline),
                        r.kind.label().into(),
                    ]
                })
                .collect(),
        ),
        Tab::Rectifications => (
            vec!["问题编号", "问题标题", "牵头单位", "整改状态", "整改进度(%)", "下次更新日期", "逾期未更新", "核验状态", "报结时间"],
            rows.iter()
                .map(|r| {
                    vec![
                        r.code.clone(),
                        r.title.to_string(),
                        r.lead.name.clone(),
                        r.status.label().into(),
                        r.progress.to_string(),
                        r.next_update_due.map(date).unwrap_or_default(),
                        if r.late_update { "是".into() } else { String::new() },
                        r.verification.map(|v| v.label().to_string()).unwrap_or_default(),
                        r.completed_at.map(time::minute).unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
    }
}

/// A spreadsheet would run a cell starting with these as a formula: quote it.
fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_string() }
}

/// CSV with a byte-order mark, so spreadsheet programs read the Chinese correctly.
pub fn to_csv(headers: &[&str], cells: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(headers).expect("writing to memory");
    for row in cells {
        writer.write_record(row.iter().map(|c| inert(c))).expect("writing to memory");
    }
    writer.into_inner().expect("flushing to memory")
}

pub fn to_xlsx(sheet: &str, headers: &[&str], cells: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet)?;
    let bold = Format::new().set_bold().set_background_color("F3EEEB");
    for (col, header) in headers.iter().enumerate() {
        worksheet.write_string_with_format(0, col as u16, *header, &bold)?;
        let widest = cells.iter().map(|r| r[col].chars().count()).max().unwrap_or(0).max(header.chars().count());
        worksheet.set_column_width(col as u16, (widest as f64 * 2.0).clamp(8.0, 60.0))?;
    }
    for (i, row) in cells.iter().enumerate() {
        for (col, cell) in row.iter().enumerate() {
            worksheet.write_string((i + 1) as u32, col as u16, cell)?;
        }
    }
    worksheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

/// Which headers feed which field; the first one present wins.
const COLUMNS: &[(&str, &[&str])] = &[
    ("code", &["问题编号", "编号", "code"]),
    ("title", &["问题标题", "标题", "问题名称", "title"]),
    ("description", &["问题描述", "描述", "具体问题", "description"]),
    ("category", &["问题类别", "类别", "category"]),
    ("region", &["区域", "所属区域", "区县", "region"]),
    ("source", &["问题来源", "来源", "source"]),
    ("lead_unit", &["牵头单位", "责任单位", "lead_unit"]),
    ("cooperating", &["配合单位", "cooperating"]),
    ("responsible_post", &["责任岗位", "责任人职务", "responsible_post"]),
    ("deadline", &["完成时限", "整改时限", "deadline"]),
    ("kind", &["整改类型", "kind"]),
    ("measures", &["整改措施", "measures"]),
    ("plan", &["整改计划", "plan"]),
    ("target", &["整改目标", "target"]),
];

fn field<'a>(row: &'a ImportRow, name: &str) -> &'a str {
    COLUMNS
        .iter()
        .find(|(f, _)| *f == name)
        .and_then(|(_, headers)| headers.iter().find_map(|h| row.cells.get(*h)))
        .map(String::as_str)
        .unwrap_or("")
}

/// Imports problems with their responsibilities. Each row is written whole in its own
/// transaction or not at all; a row whose code exists updates that problem, so importing
/// the same file twice changes nothing.
pub async fn import_problems(
    ctx: Context<'_>,
    actor: &Actor,
    (rows, broken): (Vec<ImportRow>, Vec<Rejected>),
) -> Result<ImportReport, ServiceError> {
    if actor.role.is_some() {
        actor.require(&[Role::Office])?;
    }
    let mut report = ImportReport::default();
    for rejected in broken {
        report.reject(rejected);
    }
    for row in rows {
        let code = field(&row, "code").trim().to_ascii_uppercase();
        if !code.is_empty() && crate::domain::problem_code::ProblemCode::parse(&code).is_none() {
            report.reject(Rejected {
                line: row.line,
                reason: format!("问题编号“{}”格式不对，应如 WT-2026-0001", code.chars().take(32).collect::<String>()),
            });
            continue;
        }
        let input = NewProblem {
            title: field(&row, "title"),
            description: field(&row, "description"),
            category: field(&row, "category"),
            region: field(&row, "region"),
            source: field(&row, "source"),
            lead_unit: field(&row, "lead_unit"),
            cooperating: field(&row, "cooperating").split(['、', ',', '，', ';', '；']).collect(),
            responsible_post: field(&row, "responsible_post"),
            deadline: field(&row, "deadline"),
            kind: field(&row, "kind"),
            measures: field(&row, "measures"),
            plan: field(&row, "plan"),
            target: field(&row, "target"),
        };
        let valid = match validate_problem(ctx.db, &input).await {
            Ok(valid) => valid,
            Err(ServiceError::Invalid(errors)) => {
                let reason = errors.0.iter().map(|e| format!("{}：{}", header_of(e.field), e.message)).collect::<Vec<_>>().join("；");
                report.reject(Rejected { line: row.line, reason });
                continue;
            }
            Err(other) => return Err(other),
        };
        let mut uow = UnitOfWork::begin(ctx, actor).await?;
        let existing =
            if code.is_empty() { None } else { problem::Entity::find().filter(problem::Column::Code.eq(&code)).one(uow.db()).await? };
        match existing {
            None => {
                insert_problem(&mut uow, valid, (!code.is_empty()).then_some(code), None).await?;
                report.created += 1;
            }
            Some(found) => {
                if update_problem(&mut uow, found, valid).await? {
                    report.updated += 1
                } else {
                    report.unchanged += 1
                }
            }
        }
        uow.commit().await?;
    }
    report.rejected.sort_by_key(|r| r.line);
    Ok(report)
}

fn header_of(field: &str) -> &'static str {
    COLUMNS.iter().find(|(f, _)| *f == field).map(|(_, h)| h[0]).unwrap_or("文件")
}

/// Brings an existing problem and its responsibility in line with an imported row. The
/// rectification's progress belongs to the unit and is left alone. Returns whether anything changed.
async fn update_problem(uow: &mut UnitOfWork, found: problem::Model, valid: ValidProblem) -> Result<bool, ServiceError> {
    let db = uow.db();
    let resp = responsibility::Entity::find()
        .filter(responsibility::Column::ProblemId.eq(found.id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut coop = cooperating_ids(db, resp.id).await?;
    coop.sort();
    let mut wanted = valid.cooperating_ids.clone();
    wanted.sort();
    let same = found.title == valid.title
        && found.description == valid.description
        && found.category == valid.category
        && found.region == valid.region
        && found.source == valid.source
        && resp.lead_unit_id == valid.lead_unit_id
        && resp.responsible_post == valid.responsible_post
        && resp.deadline == valid.deadline
        && resp.kind == valid.kind
        && coop == wanted;
    if same {
        return Ok(false);
    }
    let now = uow.now();
    let mut p = found.clone().into_active_model();
    p.title = Set(valid.title);
    p.description = Set(valid.description);
    p.category = Set(valid.category);
    p.region = Set(valid.region);
    p.source = Set(valid.source);
    p.updated_at = Set(now);
    let after = p.update(db).await?;
    let mut r = resp.clone().into_active_model();
    r.lead_unit_id = Set(valid.lead_unit_id);
    r.responsible_post = Set(valid.responsible_post);
    r.deadline = Set(valid.deadline);
    r.kind = Set(valid.kind);
    r.updated_at = Set(now);
    let resp_after = r.update(db).await?;
    responsibility_unit::Entity::delete_many().filter(responsibility_unit::Column::ResponsibilityId.eq(resp.id)).exec(db).await?;
    for unit_id in wanted {
        responsibility_unit::ActiveModel { responsibility_id: Set(resp.id), unit_id: Set(unit_id) }.insert(db).await?;
    }
    uow.audit("problem.import_update", "problem", &after.code, snapshot(&(&found, &resp)), snapshot(&(&after, &resp_after)));
    uow.touch(Record::Problem(after.id));
    Ok(true)
}

async fn cooperating_ids(db: &impl sea_orm::ConnectionTrait, responsibility_id: i32) -> Result<Vec<i32>, sea_orm::DbErr> {
    Ok(responsibility_unit::Entity::find()
        .filter(responsibility_unit::Column::ResponsibilityId.eq(responsibility_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.unit_id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_made_inert() {
        let csv = String::from_utf8(to_csv(&["a"], &[vec!["=HYPERLINK(\"x\")".into()], vec!["普通".into()]])).unwrap();
        assert!(csv.starts_with('\u{FEFF}'));
        assert!(csv.contains("'=HYPERLINK"));
    }
}
