//! What the citizen wants: the hard rules first, then a linear classifier over the shared
//! tokenizer's terms, trained at start from the examples shipped in `intents.tsv`.

use jieba_rs::Jieba;
use serde::Serialize;

use super::{rules, understand};
use crate::themes::classify::{Classifier, Example};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Track,
    Submit,
    Responsibility,
    Deadline,
    Progress,
    Faq,
    Rate,
    Handoff,
    Emergency,
    Greeting,
    Thanks,
    Identity,
    Other,
}

impl Intent {
    pub const ALL: [Intent; 13] = [
        Intent::Track,
        Intent::Submit,
        Intent::Responsibility,
        Intent::Deadline,
        Intent::Progress,
        Intent::Faq,
        Intent::Rate,
        Intent::Handoff,
        Intent::Emergency,
        Intent::Greeting,
        Intent::Thanks,
        Intent::Identity,
        Intent::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Track => "track",
            Intent::Submit => "submit",
            Intent::Responsibility => "responsibility",
            Intent::Deadline => "deadline",
            Intent::Progress => "progress",
            Intent::Faq => "faq",
            Intent::Rate => "rate",
            Intent::Handoff => "handoff",
            Intent::Emergency => "emergency",
            Intent::Greeting => "greeting",
            Intent::Thanks => "thanks",
            Intent::Identity => "identity",
            Intent::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == s)
    }

    /// The intent's name for the office.
    pub fn label(self) -> &'static str {
        match self {
            Intent::Track => "查询办理进度",
            Intent::Submit => "提交意见",
            Intent::Responsibility => "谁负责",
            Intent::Deadline => "何时完成",
            Intent::Progress => "整改进展",
            Intent::Faq => "常见问题",
            Intent::Rate => "评价",
            Intent::Handoff => "转人工",
            Intent::Emergency => "紧急情况",
            Intent::Greeting => "问候",
            Intent::Thanks => "感谢",
            Intent::Identity => "问机器人身份",
            Intent::Other => "其他",
        }
    }

    /// What a suggestion button for this intent says (sent back as the next message).
    pub fn suggestion(self) -> &'static str {
        match self {
            Intent::Track => "查询我的意见办理进度",
            Intent::Submit => "我要提交意见",
            Intent::Responsibility => "这个问题由哪个部门负责",
            Intent::Deadline => "这个问题什么时候整改完成",
            Intent::Progress => "这个问题整改进展怎么样",
            Intent::Faq => "平台怎么使用",
            Intent::Rate => "我要评价办理情况",
            Intent::Handoff => "转人工",
            Intent::Emergency => "紧急求助",
            Intent::Greeting | Intent::Thanks | Intent::Identity | Intent::Other => "你能做什么",
        }
    }
}

/// The intent of one message, how sure, and the runner-up.
#[derive(Debug, Clone)]
pub struct Guess {
    pub intent: Intent,
    pub confidence: f32,
    pub second: Option<Intent>,
    /// Decided by a rule, not the classifier.
    pub by_rule: bool,
}

pub struct IntentModel {
    classifier: Classifier,
}

/// The shipped examples: `intent<TAB>utterance` per line, `#` comments.
pub fn examples() -> Vec<(Intent, String)> {
    include_str!("intents.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (label, text) = l.split_once('\t')?;
            Some((Intent::parse(label.trim())?, text.trim().to_string()))
        })
        .collect()
}

impl IntentModel {
    pub fn train(jieba: &Jieba) -> Self {
        let examples: Vec<Example> =
            examples().into_iter().map(|(i, text)| Example { text: understand::normalise(&text), label: i.as_str().into() }).collect();
        Self { classifier: Classifier::train(jieba, &examples) }
    }

    /// The intent of a normalised message.
    pub fn guess(&self, jieba: &Jieba, text: &str) -> Guess {
        let rule = |intent| Guess { intent, confidence: 1.0, second: None, by_rule: true };
        if rules::emergency(text).is_some() {
            return rule(Intent::Emergency);
        }
        if understand::tracking_code(text).is_some() {
            // With a code, the citizen means their own case: to rate it, or to follow it.
            const RATING: &[&str] = &["评价", "打分", "评分", "差评", "好评", "不满意", "满意度"];
            let rates = RATING.iter().any(|w| text.contains(w)) || rules::rating_level(text).is_some();
            return rule(if rates { Intent::Rate } else { Intent::Track });
        }
        if rules::wants_person(text) {
            return rule(Intent::Handoff);
        }
        if rules::files(text) || text.contains("提交为咨询") {
            return rule(Intent::Submit);
        }
        if rules::code_like(text) {
            return rule(Intent::Track);
        }
        let ranked = self.classifier.ranked(jieba, text);
        let label = |i: usize| ranked.get(i).and_then(|p| Intent::parse(&p.label));
        // A problem's number with nothing else asked: how it is going.
        if understand::problem_code(text).is_some()
            && !matches!(label(0), Some(Intent::Responsibility | Intent::Deadline | Intent::Progress))
        {
            return rule(Intent::Progress);
        }
        match label(0) {
            Some(intent) => Guess { intent, confidence: ranked[0].confidence, second: label(1), by_rule: false },
            None => Guess { intent: Intent::Other, confidence: 0.0, second: None, by_rule: false },
        }
    }
}
