//! 智能分办 inside the portal: two classifiers learned from the opinions the office has
//! categorised and routed — one for the category, one for the unit. Staff accept or correct
//! each suggestion; their choices are what the next training learns from.

use entity::opinion;
use entity::vocab::OpinionStatus;
use jieba_rs::Jieba;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::classify::{Classifier, Example};

/// Fewer examples than this per model and no suggestion is made.
const MIN_EXAMPLES: usize = 30;
/// The newest opinions are the best teachers; older ones add little but time.
const MAX_EXAMPLES: u64 = 20_000;

pub struct RoutingModel {
    pub category: Option<Classifier>,
    /// Labels are unit ids as text.
    pub unit: Option<Classifier>,
    pub examples: usize,
}

#[derive(Debug, Clone)]
pub struct Suggestion {
    pub category: Option<(String, f32)>,
    pub unit_id: Option<(i32, f32)>,
}

fn text_of(o: &opinion::Model) -> String {
    format!("{}\n{}", o.title, o.content)
}

/// Learns from opinions staff have handled (hidden and withdrawn ones excluded).
pub async fn training_set(db: &impl ConnectionTrait) -> Result<(Vec<Example>, Vec<Example>), DbErr> {
    let handled = opinion::Entity::find()
        .filter(opinion::Column::Status.is_not_in([OpinionStatus::Hidden, OpinionStatus::Withdrawn, OpinionStatus::Received]))
        .order_by_desc(opinion::Column::Id)
        .limit(MAX_EXAMPLES)
        .all(db)
        .await?;
    let categories = handled.iter().filter_map(|o| o.category.clone().map(|c| Example { text: text_of(o), label: c })).collect();
    let units = handled.iter().filter_map(|o| o.routed_unit_id.map(|u| Example { text: text_of(o), label: u.to_string() })).collect();
    Ok((categories, units))
}

/// Trains both models. Blocking and CPU-heavy: run it off the async executor.
pub fn train(jieba: &Jieba, categories: Vec<Example>, units: Vec<Example>) -> RoutingModel {
    let examples = categories.len().max(units.len());
    RoutingModel {
        category: (categories.len() >= MIN_EXAMPLES).then(|| Classifier::train(jieba, &categories)),
        unit: (units.len() >= MIN_EXAMPLES).then(|| Classifier::train(jieba, &units)),
        examples,
    }
}

impl RoutingModel {
    pub fn suggest(&self, jieba: &Jieba, title: &str, content: &str) -> Suggestion {
        let text = format!("{title}\n{content}");
        Suggestion {
            category: self.category.as_ref().and_then(|m| m.predict(jieba, &text)).map(|p| (p.label, p.confidence)),
            unit_id: self
                .unit
                .as_ref()
                .and_then(|m| m.predict(jieba, &text))
                .and_then(|p| p.label.parse().ok().map(|id| (id, p.confidence))),
        }
    }
}
