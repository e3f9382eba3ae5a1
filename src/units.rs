//! Responsible units (责任单位): the admin keeps the list.

use entity::{
    unit,
    vocab::{Role, UnitKind},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use crate::dependencies::Record;
use crate::domain::{account::unit_code, text};
use crate::journal::snapshot;
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

pub struct UnitInput<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub region: Option<&'a str>,
}

struct ValidUnit {
    code: String,
    name: String,
    kind: UnitKind,
    region: Option<String>,
}

fn validate(input: &UnitInput<'_>) -> Result<ValidUnit, ServiceError> {
    let mut errors = FieldErrors::default();
    let code = unit_code(input.code).map_err(|m| errors.add("code", "invalid", m)).ok();
    let name = errors.text("name", "单位名称", text::line(input.name, 64));
    let kind = UnitKind::parse(input.kind);
    if kind.is_none() {
        errors.add("kind", "invalid", "请选择单位类型");
    }
    let region = errors.text("region", "所在区域", text::optional_line(input.region, 32)).flatten();
    match (errors.is_empty(), code, name, kind) {
        (true, Some(code), Some(name), Some(kind)) => Ok(ValidUnit { code, name, kind, region }),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

pub async fn create_unit(ctx: Context<'_>, actor: &Actor, input: UnitInput<'_>) -> Result<unit::Model, ServiceError> {
    actor.require(&[Role::Admin])?;
    let valid = validate(&input)?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    if unit::Entity::find().filter(unit::Column::Code.eq(&valid.code)).one(uow.db()).await?.is_some() {
        let mut errors = FieldErrors::default();
        errors.add("code", "taken", "单位代码已存在");
        return Err(ServiceError::Invalid(errors));
    }
    let created = unit::ActiveModel {
        code: Set(valid.code),
        name: Set(valid.name),
        kind: Set(valid.kind),
        parent_id: Set(None),
        region: Set(valid.region),
        active: Set(true),
        created_at: Set(uow.now()),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    uow.audit("unit.create", "unit", created.id, None, snapshot(&created));
    crate::search::vocabulary::changed(&mut uow);
    uow.commit().await?;
    Ok(created)
}

pub async fn update_unit(
    ctx: Context<'_>,
    actor: &Actor,
    id: i32,
    input: UnitInput<'_>,
    active: bool,
) -> Result<unit::Model, ServiceError> {
    actor.require(&[Role::Admin])?;
    let valid = validate(&input)?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = unit::Entity::find_by_id(id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    if valid.code != before.code && unit::Entity::find().filter(unit::Column::Code.eq(&valid.code)).one(uow.db()).await?.is_some() {
        let mut errors = FieldErrors::default();
        errors.add("code", "taken", "单位代码已存在");
        return Err(ServiceError::Invalid(errors));
    }
    let mut model = before.clone().into_active_model();
    model.code = Set(valid.code);
    model.name = Set(valid.name);
    model.kind = Set(valid.kind);
    model.region = Set(valid.region);
    model.active = Set(active);
    let after = model.update(uow.db()).await?;
    if before.active && !active {
        // A unit taken off the list takes its staff's logins with it.
        let staff: Vec<i32> = entity::user::Entity::find()
            .filter(entity::user::Column::UnitId.eq(id))
            .all(uow.db())
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        for user_id in staff {
            crate::sessions::end_all(&mut uow, user_id, crate::sessions::ended::DISABLED, None).await?;
        }
    }
    uow.audit("unit.update", "unit", id, snapshot(&before), snapshot(&after));
    uow.touch(Record::Unit(id));
    if (&before.name, &before.region) != (&after.name, &after.region) {
        crate::search::vocabulary::changed(&mut uow);
    }
    uow.commit().await?;
    Ok(after)
}

pub async fn list_units(db: &impl ConnectionTrait) -> Result<Vec<unit::Model>, ServiceError> {
    Ok(unit::Entity::find().order_by_asc(unit::Column::Kind).order_by_asc(unit::Column::Code).all(db).await?)
}

/// The city's regions: those of its district units, in order. The only values a region field
/// takes.
pub async fn regions(db: &impl ConnectionTrait) -> Result<Vec<String>, sea_orm::DbErr> {
    let mut regions: Vec<String> =
        unit::Entity::find().filter(unit::Column::Active.eq(true)).all(db).await?.into_iter().filter_map(|u| u.region).collect();
    regions.sort();
    regions.dedup();
    Ok(regions)
}

/// The names of the active units, as a message may mention them.
pub async fn names(db: &impl ConnectionTrait) -> Result<Vec<String>, sea_orm::DbErr> {
    use sea_orm::QuerySelect;
    unit::Entity::find().select_only().column(unit::Column::Name).filter(unit::Column::Active.eq(true)).into_tuple().all(db).await
}
