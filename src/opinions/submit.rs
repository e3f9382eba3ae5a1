//! Submitting an opinion: one validation for the form and the JSON API.

use entity::vocab::{Channel, OpinionKind, OpinionStatus};
use entity::{opinion, opinion_contact};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter};
use serde::Deserialize;

use crate::domain::{DEFAULT_CATEGORIES, text, tracking_code::TrackingCode};
use crate::idempotency;
use crate::secrets::Secrets;
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::unit_of_work::{Context, Event, UnitOfWork};

#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub struct OpinionInput {
    /// `type` is accepted too: the word Open311-style clients use.
    #[serde(default, alias = "type")]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub category: Option<String>,
    /// One of the city's regions; anything else is refused.
    #[serde(default)]
    pub region: Option<String>,
    /// Where exactly, in the citizen's words (public, scrubbed).
    #[serde(default)]
    pub location_note: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Form checkboxes send "on"; JSON sends true.
    #[serde(default, deserialize_with = "truthy")]
    pub consent_contact: bool,
    /// Sent by the web form, whose unticked box must be ticked once a contact is given: the
    /// citizen who typed a number expects to be called back. The API and the chat ask their own way.
    #[serde(default, deserialize_with = "truthy", skip_serializing)]
    pub consent_asked: bool,
    /// How often messages come: `each` event (the default) or a `daily` digest.
    #[serde(default)]
    pub notify: Option<String>,
    /// The form's one-time token (not part of the opinion, so not serialised).
    #[serde(default, skip_serializing)]
    pub submission_token: Option<String>,
}

fn truthy<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    Ok(match Option::<Flag>::deserialize(d)? {
        Some(Flag::Bool(b)) => b,
        Some(Flag::Text(t)) => matches!(t.as_str(), "on" | "true" | "1" | "yes"),
        None => false,
    })
}

/// A mainland mobile (11 digits from 1) or a landline with area code; separators allowed.
pub fn parse_phone(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
    let digits = digits.strip_prefix("+86").unwrap_or(&digits).to_string();
    let ok = digits.chars().all(|c| c.is_ascii_digit())
        && ((digits.len() == 11 && digits.starts_with('1')) || (digits.starts_with('0') && (10..=12).contains(&digits.len())));
    ok.then_some(digits)
}

pub fn parse_email(input: &str) -> Option<String> {
    let email = input.trim();
    let (local, domain) = email.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 100
        && email.chars().all(|c| c.is_ascii_alphanumeric() || "@._%+-".contains(c));
    // Kept in lower case, so the citizen finds their cases by it however they type it.
    ok.then(|| email.to_lowercase())
}

pub struct Submitted {
    pub opinion: opinion::Model,
    pub code: TrackingCode,
    /// True when this was a retry answered with the first submission's code.
    pub replayed: bool,
}

/// An opinion that passed every check: it can be stored as it is.
#[derive(Clone)]
pub struct ValidOpinion {
    kind: OpinionKind,
    title: String,
    content: String,
    category: Option<String>,
    region: Option<String>,
    location_note: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    consent_contact: bool,
    daily_digest: bool,
    /// Photos already checked and stored, attached when the opinion is filed.
    photos: Vec<crate::evidence::Stored>,
}

impl ValidOpinion {
    pub fn with_photos(self, photos: Vec<crate::evidence::Stored>) -> Self {
        Self { photos, ..self }
    }

    /// Checks every field; `regions` is the city's region list.
    pub fn parse(input: &OpinionInput, regions: &[String]) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let kind = OpinionKind::parse(&input.kind);
        if kind.is_none() {
            errors.add("kind", "required", "请选择类型：咨询、求助、投诉、举报、建议或表扬");
        }
        let title = errors.text("title", "标题", text::line(&input.title, 60));
        let content = errors.text("content", "具体内容", text::block(&input.content, 3000));
        let category = match input.category.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) if DEFAULT_CATEGORIES.contains(&c) => Some(c.to_string()),
            Some(_) => {
                errors.add("category", "invalid", "请从列表中选择类别，或留空由工作人员分类");
                None
            }
        };
        let region = match input.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(r) if regions.iter().any(|known| known == r) => Some(r.to_string()),
            Some(_) => {
                errors.add("region", "invalid", "请从列表中选择所在区域，具体位置可写在“具体位置”里");
                None
            }
        };
        let location_note = errors.text("location_note", "具体位置", text::optional_line(input.location_note.as_deref(), 100)).flatten();
        let name = errors.text("name", "称呼", text::optional_line(input.name.as_deref(), 32)).flatten();
        let phone = match input.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => {
                let parsed = parse_phone(p);
                if parsed.is_none() {
                    errors.add("phone", "invalid", "请填写 11 位手机号或带区号的固定电话");
                }
                parsed
            }
        };
        let email = match input.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            None => None,
            Some(e) => {
                let parsed = parse_email(e);
                if parsed.is_none() {
                    errors.add("email", "invalid", "邮箱格式不正确");
                }
                parsed
            }
        };
        let daily_digest = match input.notify.as_deref().map(str::trim).unwrap_or("") {
            "" | "each" => false,
            "daily" => true,
            _ => {
                errors.add("notify", "invalid", "通知方式应为“每有动态即通知”或“每天汇总一次”");
                false
            }
        };
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        let no_contact = blank(&input.phone) && blank(&input.email);
        if input.consent_contact && no_contact {
            errors.add("phone", "required", "电话：勾选了同意联系，请至少填写电话或邮箱中的一项");
        }
        if input.consent_asked && !input.consent_contact && !no_contact {
            errors.add("consent_contact", "required", "同意联系：留了电话或邮箱，请勾选同意工作人员联系您；不想被联系，请清空电话和邮箱");
        }
        match (errors.is_empty(), kind, title, content) {
            (true, Some(kind), Some(title), Some(content)) => Ok(Self {
                kind,
                title,
                content,
                category,
                region,
                location_note,
                name,
                phone,
                email,
                consent_contact: input.consent_contact,
                daily_digest,
                photos: Vec::new(),
            }),
            _ => Err(ServiceError::Invalid(errors)),
        }
    }
}

/// What a retried submission gets back: the code sealed with the server's secret.
#[derive(serde::Serialize, serde::Deserialize)]
struct Outcome {
    opinion_id: i32,
    sealed_code: String,
}

/// One submission that passed every check, waiting to be filed.
pub struct Pending {
    pub valid: ValidOpinion,
    pub channel: Channel,
    /// With a key, a retry of the same request returns the first opinion and code instead of
    /// filing it again.
    pub once: Option<idempotency::Key>,
}

/// Files submissions together in one unit of work, in order, with an answer for each: a
/// submission refused before anything is written (a key reused for another request) refuses only
/// itself. Any other error fails the whole group, which is rolled back with nothing stored.
pub async fn file_all(ctx: Context<'_>, group: &[Pending]) -> Result<Vec<Result<Submitted, ServiceError>>, ServiceError> {
    let mut uow = UnitOfWork::begin(ctx, &Actor::citizen()).await?;
    let mut answers = Vec::with_capacity(group.len());
    for pending in group {
        match replay(&uow, ctx.secrets, pending).await {
            Err(ServiceError::Db(err)) => return Err(err.into()),
            Err(refused) => answers.push(Err(refused)),
            Ok(Some(first)) => answers.push(Ok(first)),
            Ok(None) => {
                let submitted = file(&mut uow, pending.valid.clone(), pending.channel).await?;
                if let Some(key) = &pending.once {
                    let outcome = Outcome { opinion_id: submitted.opinion.id, sealed_code: ctx.secrets.seal(submitted.code.as_str()) };
                    idempotency::remember(&uow, key, &outcome).await?;
                }
                answers.push(Ok(submitted));
            }
        }
    }
    uow.commit().await?;
    Ok(answers)
}

/// The first answer to a key already used (even earlier in the same group).
async fn replay(uow: &UnitOfWork, secrets: &Secrets, pending: &Pending) -> Result<Option<Submitted>, ServiceError> {
    let Some(key) = &pending.once else { return Ok(None) };
    let Some(first) = idempotency::recall::<Outcome>(uow, key).await? else { return Ok(None) };
    let opinion = opinion::Entity::find_by_id(first.opinion_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    let code = secrets.open(&first.sealed_code).and_then(|c| TrackingCode::parse(&c)).ok_or(ServiceError::NotFound)?;
    Ok(Some(Submitted { opinion, code, replayed: true }))
}

/// Files a valid opinion inside a unit of work. The code is returned to show once; only its
/// keyed digest is stored. Citizens are counted by a keyed pseudonym of their phone.
pub async fn file(uow: &mut UnitOfWork, valid: ValidOpinion, channel: Channel) -> Result<Submitted, ServiceError> {
    let now = uow.now();
    let (code, digest) = new_code(uow).await?;
    let citizen_key = valid.phone.as_deref().map(|p| uow.secrets().citizen_key(&format!("tel:{p}")));
    let created = opinion::ActiveModel {
        code_digest: Set(digest),
        kind: Set(valid.kind),
        title: Set(valid.title),
        content: Set(valid.content),
        category: Set(valid.category),
        region: Set(valid.region),
        location_note: Set(valid.location_note),
        // 举报 name people and places: kept out of public view unless the office publishes them.
        public: Set(valid.kind != OpinionKind::Report),
        channel: Set(channel),
        external_id: Set(None),
        citizen_key: Set(citizen_key),
        status: Set(OpinionStatus::Received),
        routed_unit_id: Set(None),
        due_date: Set(None),
        reply: Set(None),
        replied_at: Set(None),
        problem_id: Set(None),
        theme_id: Set(None),
        merged_into_id: Set(None),
        consent_contact: Set(valid.consent_contact),
        likes: Set(0),
        dislikes: Set(0),
        suggested_category: Set(None),
        suggested_unit_id: Set(None),
        suggestion_confidence: Set(None),
        submitted_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    if valid.name.is_some() || valid.phone.is_some() || valid.email.is_some() {
        opinion_contact::ActiveModel {
            opinion_id: Set(created.id),
            name: Set(valid.name),
            phone: Set(valid.phone),
            email: Set(valid.email),
            daily_digest: Set(valid.daily_digest),
            created_at: Set(now),
        }
        .insert(uow.db())
        .await?;
    }
    for photo in &valid.photos {
        entity::attachment::ActiveModel {
            owner_type: Set(crate::evidence::OWNER_OPINION.into()),
            owner_id: Set(created.id),
            file_name: Set(photo.file_name.clone()),
            content_type: Set(photo.content_type.into()),
            size_bytes: Set(photo.size_bytes),
            sha256: Set(photo.sha256.clone()),
            uploaded_by: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(uow.db())
        .await?;
    }
    super::record_step(uow, &created, None, "系统", Some("意见已受理，请保存查询码。".into()), true).await?;
    // What the `triage` job follows (imports, which arrive by the thousand, do not write it).
    uow.emit(Event { topic: super::triage::TOPIC, entity_type: "opinion", entity_id: created.id, citizens: Vec::new(), data: None });
    // The audit trail records that it happened, never who the citizen is.
    let detail = serde_json::json!({ "kind": valid.kind.as_str(), "channel": channel.as_str() });
    uow.audit("opinion.submit", "opinion", created.id, None, Some(detail));
    Ok(Submitted { opinion: created, code, replayed: false })
}

/// A tracking code no case has yet, and its digest.
pub(super) async fn new_code(uow: &UnitOfWork) -> Result<(TrackingCode, String), DbErr> {
    // 60 random bits make a collision vanishingly rare; check anyway rather than fail on it.
    loop {
        let code = TrackingCode::generate(&mut rand::rng());
        let digest = uow.secrets().code_digest(&code);
        if opinion::Entity::find().filter(opinion::Column::CodeDigest.eq(&digest)).one(uow.db()).await?.is_none() {
            return Ok((code, digest));
        }
    }
}

/// Stores the routing suggestion beside the opinion, for staff to accept or correct.
pub async fn store_suggestion(
    uow: &mut UnitOfWork,
    opinion_id: i32,
    suggestion: &crate::themes::routing::Suggestion,
) -> Result<(), ServiceError> {
    use sea_orm::IntoActiveModel;
    let Some(found) = opinion::Entity::find_by_id(opinion_id).one(uow.db()).await? else { return Ok(()) };
    let mut model = found.clone().into_active_model();
    model.suggested_category = Set(suggestion.category.as_ref().map(|(c, _)| c.clone()));
    model.suggested_unit_id = Set(suggestion.unit_id.map(|(u, _)| u));
    let confidence =
        suggestion.category.as_ref().map(|(_, c)| *c).into_iter().chain(suggestion.unit_id.map(|(_, c)| c)).fold(f32::NAN, f32::min);
    model.suggestion_confidence = Set((!confidence.is_nan()).then_some(f64::from(confidence)));
    let after = super::save(uow, &found, model).await?;
    let detail = serde_json::json!({
        "category": after.suggested_category, "unit_id": after.suggested_unit_id, "confidence": after.suggestion_confidence,
    });
    uow.audit("opinion.suggest", "opinion", opinion_id, None, Some(detail));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised_or_refused() {
        assert_eq!(parse_phone("138 1234 5678").as_deref(), Some("13812345678"));
        assert_eq!(parse_phone("+86-138-1234-5678").as_deref(), Some("13812345678"));
        assert_eq!(parse_phone("0731-88888888").as_deref(), Some("073188888888"));
        for bad in ["12345", "1381234567a", "23812345678", "＋8613812345678"] {
            assert_eq!(parse_phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn emails_are_checked() {
        assert!(parse_email("a.b@example.cn").is_some());
        for bad in ["a@b", "@x.cn", "a b@x.cn", "a@.cn", "<a>@x.cn"] {
            assert!(parse_email(bad).is_none(), "{bad}");
        }
    }
}
