//! What the bot decided to say, and the replies that are always the same.

use super::answers::Card;
use super::filing::Next;
use super::intents::Intent;
use super::llm::Ground;

/// What the bot decided to say.
pub struct Answer {
    pub text: String,
    pub intent: Intent,
    pub confidence: f32,
    pub cards: Vec<Card>,
    pub suggestions: Vec<String>,
    pub handoff: bool,
    pub abstained: bool,
    /// The records behind it, for a language model to phrase from (none: the text stands).
    pub grounds: Vec<Ground>,
}

impl Answer {
    pub fn new(intent: Intent, text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            intent,
            confidence: 1.0,
            cards: Vec::new(),
            suggestions: Vec::new(),
            handoff: false,
            abstained: false,
            grounds: Vec::new(),
        }
    }

    pub fn suggest(mut self, list: &[&str]) -> Self {
        self.suggestions = list.iter().map(|s| s.to_string()).collect();
        self
    }
}

pub const WHAT_I_DO: &[&str] = &["查询我的意见办理进度", "我要提交意见", "查整改进展", "平台怎么使用"];
pub const CODE_HELP: &str = "查询码是 12 位，由数字 2–9 和字母组成（没有 0、1、I、O，大小写都可以），例如 7KQM-X3RT-9WHP。请对照短信或截图再核对一遍；实在找不到，可以在“我的意见”页用提交时留的手机号或邮箱找回。";
pub const HOTLINE: &str = "也可以拨打 12345 政务服务便民热线。";

/// The dialogue's next question, with its buttons.
pub fn asking(next: Next) -> Answer {
    match next {
        Next::Ask(question, buttons) => {
            let buttons: Vec<&str> = buttons.iter().map(String::as_str).collect();
            Answer::new(Intent::Submit, question).suggest(&buttons)
        }
        Next::File(_) => Answer::new(Intent::Submit, "请说“确认提交”，或者“取消”。").suggest(&["确认提交", "取消"]),
    }
}

pub fn emergency(kind: &str) -> Answer {
    let first = match kind {
        "crisis" => {
            return Answer::new(
                Intent::Emergency,
                "您的安全最重要。如果您现在有伤害自己的想法，请立即拨打 110 或 120，也可以拨打全国心理援助热线 12356，并马上联系身边信任的人来陪您。您愿意的话，可以继续跟我说。",
            )
            .suggest(&["转人工"]);
        }
        "trapped" => "请按电梯里的警铃，或拨打电梯内张贴的救援电话；有人身危险请立即拨打 119！",
        "fire" => "请立即拨打 119 火警电话！",
        "medical" => "请立即拨打 120 急救电话！",
        "police" => "请立即拨打 110 报警电话！",
        _ => "如有紧急情况，请立即拨打 110（报警）、119（火警）或 120（急救）！",
    };
    Answer::new(Intent::Emergency, format!("{first}紧急情况请不要在这里等待答复：报警 110，火警 119，急救 120。"))
}

pub fn handoff(intent: Intent, confidence: f32, abstained: bool) -> Answer {
    let mut answer = Answer::new(
        intent,
        format!("我帮您转给工作人员：可以把您的问题作为咨询提交，工作人员会在答复期限内回复（凭查询码查看）。{HOTLINE}"),
    )
    .suggest(&["把我的问题提交为咨询", "不用了"]);
    answer.confidence = confidence;
    answer.handoff = true;
    answer.abstained = abstained;
    answer
}
