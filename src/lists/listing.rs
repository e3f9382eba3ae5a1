//! The lists filtered, counted per filter value, sorted and paged in SQL: each facet is one
//! `GROUP BY` under the other filters, a page is one `LIMIT`, and only the page's rows are
//! assembled. Nothing here reads more rows than it returns, whatever the size of the city.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::vocab::{ProblemSource, RectificationStatus};
use entity::{problem, rectification, responsibility, responsibility_unit, unit};
use sea_orm::sea_query::{Expr, Order};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, RelationDef, Select,
};

use crate::lists::catalog::{FacetValue, Facets, Filter, ListRow, Listing, Sort, load_rows};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Facet {
    Region,
    Unit,
    Category,
    Status,
    Source,
    Overdue,
}

/// One page of the items matching `filter`, with the counts per filter value.
pub async fn list(db: &impl ConnectionTrait, today: NaiveDate, filter: &Filter) -> Result<Listing, DbErr> {
    let unit = unit_id(db, filter).await?;
    let (total, page, pages, rows) = page(db, today, filter, unit).await?;
    let facets = facets(db, today, filter, unit).await?;
    Ok(Listing { total, page, pages, rows, facets })
}

/// The rows of one page of the items matching `filter` (for exports and desks: no counts).
pub async fn rows(db: &impl ConnectionTrait, today: NaiveDate, filter: &Filter) -> Result<Vec<ListRow>, DbErr> {
    Ok(counted_rows(db, today, filter).await?.1)
}

/// How many items match `filter`, and the rows of its page (no counts per filter value).
pub async fn counted_rows(db: &impl ConnectionTrait, today: NaiveDate, filter: &Filter) -> Result<(usize, Vec<ListRow>), DbErr> {
    let unit = unit_id(db, filter).await?;
    let (total, _, _, rows) = page(db, today, filter, unit).await?;
    Ok((total, rows))
}

/// The unit filter by id: `None` when there is none, `Some(None)` when it names no unit.
async fn unit_id(db: &impl ConnectionTrait, filter: &Filter) -> Result<Option<Option<i32>>, DbErr> {
    let Some(code) = &filter.unit else { return Ok(None) };
    let found =
        unit::Entity::find().select_only().column(unit::Column::Id).filter(unit::Column::Code.eq(code)).into_tuple::<i32>().one(db).await?;
    Ok(Some(found))
}

async fn page(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    filter: &Filter,
    unit: Option<Option<i32>>,
) -> Result<(usize, u64, u64, Vec<ListRow>), DbErr> {
    let matching = joined().filter(condition(filter, today, unit, None));
    let total = matching.clone().count(db).await?;
    let pages = total.div_ceil(filter.page_size).max(1);
    let page = filter.page.min(pages);
    let ordered = match filter.sort {
        // Touching either the problem or its rectification counts as an update.
        Sort::Updated => matching
            .order_by(
                Expr::cust(
                    "CASE WHEN problems.updated_at > rectifications.updated_at THEN problems.updated_at ELSE rectifications.updated_at END",
                ),
                Order::Desc,
            )
            .order_by_desc(problem::Column::Code),
        Sort::Created => matching.order_by_desc(problem::Column::CreatedAt).order_by_desc(problem::Column::Code),
        Sort::Deadline => matching.order_by_asc(responsibility::Column::Deadline).order_by_asc(problem::Column::Code),
        Sort::Progress => matching.order_by_asc(rectification::Column::Progress).order_by_asc(problem::Column::Code),
        Sort::Code => matching.order_by_asc(problem::Column::Code),
    };
    let ids: Vec<i32> = ordered
        .select_only()
        .column(problem::Column::Id)
        .offset((page - 1).saturating_mul(filter.page_size))
        .limit(filter.page_size)
        .into_tuple()
        .all(db)
        .await?;
    Ok((total as usize, page, pages, load_rows(db, today, &ids).await?))
}

/// Problems with their responsibility and rectification (the rows of the lists).
fn joined() -> Select<problem::Entity> {
    problem::Entity::find().join(JoinType::InnerJoin, to_responsibility()).join(JoinType::InnerJoin, to_rectification())
}

fn to_responsibility() -> RelationDef {
    problem::Entity::belongs_to(responsibility::Entity).from(problem::Column::Id).to(responsibility::Column::ProblemId).into()
}

fn to_rectification() -> RelationDef {
    problem::Entity::belongs_to(rectification::Entity).from(problem::Column::Id).to(rectification::Column::ProblemId).into()
}

/// The filter as SQL, leaving out facet `skip` (a facet counts under the *other* filters).
fn condition(filter: &Filter, today: NaiveDate, unit: Option<Option<i32>>, skip: Option<Facet>) -> Condition {
    let want = |facet: Facet| skip != Some(facet);
    let mut all = Condition::all();
    if let Some(region) = filter.region.as_ref().filter(|_| want(Facet::Region)) {
        all = all.add(problem::Column::Region.eq(region));
    }
    if let Some(category) = filter.category.as_ref().filter(|_| want(Facet::Category)) {
        all = all.add(problem::Column::Category.eq(category));
    }
    if let Some(status) = filter.status.filter(|_| want(Facet::Status)) {
        all = all.add(rectification::Column::Status.eq(status));
    }
    if let Some(source) = filter.source.filter(|_| want(Facet::Source)) {
        all = all.add(problem::Column::Source.eq(source));
    }
    if filter.overdue && want(Facet::Overdue) {
        all = all.add(overdue(today));
    }
    match unit.filter(|_| want(Facet::Unit)) {
        None => {}
        // A unit code that names no unit matches nothing.
        Some(None) => all = all.add(problem::Column::Id.is_in(Vec::<i32>::new())),
        Some(Some(id)) => {
            let cooperating = responsibility_unit::Entity::find()
                .select_only()
                .column(responsibility_unit::Column::ResponsibilityId)
                .filter(responsibility_unit::Column::UnitId.eq(id))
                .into_query();
            all = all.add(
                Condition::any().add(responsibility::Column::LeadUnitId.eq(id)).add(responsibility::Column::Id.in_subquery(cooperating)),
            );
        }
    }
    all
}

/// 逾期 or 逾期未更新: overdue, or unfinished with its promised update date passed
/// (`ListRow::is_overdue` in SQL).
pub(crate) fn overdue(today: NaiveDate) -> Condition {
    Condition::any().add(rectification::Column::Status.eq(RectificationStatus::Overdue)).add(
        Condition::all()
            .add(rectification::Column::Status.is_not_in([RectificationStatus::Reported, RectificationStatus::Rectified]))
            .add(rectification::Column::NextUpdateDue.lt(today)),
    )
}

async fn facets(db: &impl ConnectionTrait, today: NaiveDate, filter: &Filter, unit: Option<Option<i32>>) -> Result<Facets, DbErr> {
    let under = |facet| joined().filter(condition(filter, today, unit, Some(facet)));
    let plain = |counts: Vec<(String, i64)>| {
        counts.into_iter().map(|(value, count)| FacetValue { label: value.clone(), value, count: count as usize }).collect::<Vec<_>>()
    };
    let region = grouped::<String>(db, under(Facet::Region), problem::Column::Region).await?;
    let category = grouped::<String>(db, under(Facet::Category), problem::Column::Category).await?;
    let status: HashMap<_, _> =
        grouped::<RectificationStatus>(db, under(Facet::Status), rectification::Column::Status).await?.into_iter().collect();
    let source: HashMap<_, _> = grouped::<ProblemSource>(db, under(Facet::Source), problem::Column::Source).await?.into_iter().collect();
    let overdue = under(Facet::Overdue).filter(self::overdue(today)).count(db).await? as usize;
    Ok(Facets {
        region: plain(region),
        unit: unit_facet(db, under(Facet::Unit)).await?,
        category: plain(category),
        status: RectificationStatus::ALL
            .iter()
            .map(|s| FacetValue { value: s.as_str().into(), label: s.label().into(), count: status.get(s).copied().unwrap_or(0) as usize })
            .collect(),
        source: ProblemSource::ALL
            .iter()
            .map(|s| FacetValue { value: s.as_str().into(), label: s.label().into(), count: source.get(s).copied().unwrap_or(0) as usize })
            .collect(),
        overdue,
    })
}

/// Rows per value of `column` among `rows`, in the value's order.
async fn grouped<K>(db: &impl ConnectionTrait, rows: Select<problem::Entity>, column: impl ColumnTrait) -> Result<Vec<(K, i64)>, DbErr>
where
    (K, i64): sea_orm::TryGetableMany,
{
    rows.select_only()
        .column(column)
        .column_as(problem::Column::Id.count(), "n")
        .group_by(column)
        .order_by_asc(column)
        .into_tuple::<(K, i64)>()
        .all(db)
        .await
}

/// Items per unit involved (leading or cooperating), ordered by unit code.
async fn unit_facet(db: &impl ConnectionTrait, rows: Select<problem::Entity>) -> Result<Vec<FacetValue>, DbErr> {
    let mut counts: HashMap<i32, i64> = HashMap::new();
    for (id, n) in grouped::<i32>(db, rows.clone(), responsibility::Column::LeadUnitId).await? {
        *counts.entry(id).or_default() += n;
    }
    let to_links: RelationDef = responsibility::Entity::belongs_to(responsibility_unit::Entity)
        .from(responsibility::Column::Id)
        .to(responsibility_unit::Column::ResponsibilityId)
        .into();
    for (id, n) in grouped::<i32>(db, rows.join(JoinType::InnerJoin, to_links), responsibility_unit::Column::UnitId).await? {
        *counts.entry(id).or_default() += n;
    }
    let mut units = unit::Entity::find().filter(unit::Column::Id.is_in(counts.keys().copied())).all(db).await?;
    units.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(units
        .into_iter()
        .map(|u| FacetValue { count: counts.get(&u.id).copied().unwrap_or(0) as usize, value: u.code, label: u.name })
        .collect())
}
