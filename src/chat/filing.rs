//! Filing an opinion in conversation: the bot asks for what is missing (type, what, where, an
//! optional contact and consent), confirms, and hands the result to the same use case as the
//! form. "取消" ends it at any step with nothing stored.

use entity::vocab::OpinionKind;
use serde::{Deserialize, Serialize};

use super::{rules, understand};
use crate::opinions::submit::{OpinionInput, parse_email, parse_phone};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Kind,
    Content,
    Place,
    Contact,
    Consent,
    Confirm,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Filing {
    pub step: Step,
    kind: Option<OpinionKind>,
    content: Option<String>,
    region: Option<String>,
    location: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    consent: bool,
    /// Optional questions already asked, so each is asked once.
    asked_place: bool,
    asked_contact: bool,
    asked_consent: bool,
    /// The idempotency token: a confirmation sent twice files once.
    pub token: String,
}

/// What the citizen's message does to the dialogue.
pub enum Next {
    /// Ask this, with these buttons.
    Ask(String, Vec<String>),
    /// The citizen confirmed: file this.
    File(Box<OpinionInput>),
}

const KINDS: [OpinionKind; 6] =
    [OpinionKind::Complaint, OpinionKind::Suggestion, OpinionKind::Help, OpinionKind::Consult, OpinionKind::Report, OpinionKind::Praise];

/// Words that only say the citizen wants to file, not what about.
const TRIGGERS: &[&str] = &[
    "我要投诉",
    "我想投诉",
    "我要举报",
    "我想举报",
    "我要反映",
    "我想反映",
    "我要提",
    "我想提",
    "提个建议",
    "提建议",
    "我要求助",
    "我想咨询",
    "我要表扬",
    "帮我提交",
    "帮我报上去",
    "我要",
    "我想",
    "一下",
    "个问题",
    "问题",
    "投诉",
    "举报",
    "反映",
    "建议",
    "求助",
    "咨询",
    "表扬",
];

/// The text without the words that asked to file ("我要投诉 楼下…" → "楼下…").
fn strip_triggers(text: &str) -> String {
    let mut rest = text.to_string();
    for t in TRIGGERS {
        rest = rest.replacen(t, "", 1);
    }
    rest.trim_matches(|c: char| c.is_whitespace() || "，,。：:！!".contains(c)).to_string()
}

fn content_of(text: &str) -> Option<String> {
    let rest = strip_triggers(text);
    // Enough to be a matter ("楼下烧烤油烟太大"), not a bare wish to file.
    (rest.chars().count() >= 6).then(|| text.trim().to_string())
}

const CONTENT_QUESTION: &str = "请简单说说是什么事：发生了什么、在哪里、影响了谁。内容会在平台公开，请不要写姓名、电话和门牌号。";

/// Words of a question, not an answer.
const ASKING: [&str; 6] = ["吗", "？", "?", "会不会", "能不能", "为什么"];
const CONTACT_PRIVATE: &str = "联系方式不会公开，也不会告诉被反映的一方，只有办理的工作人员看得到；不留也能提交，凭查询码查进度。";

/// Words of a question about photos.
const PHOTO: [&str; 6] = ["照片", "图片", "拍照", "截图发", "视频", "发图"];

fn kind_question() -> Next {
    Next::Ask(
        "好的，我来帮您提交。请问是哪一类：投诉、建议、求助、咨询、举报，还是表扬？".into(),
        KINDS.iter().map(|k| k.label().to_string()).chain(["取消".to_string()]).collect(),
    )
}

fn place_question(regions: &[String]) -> Next {
    Next::Ask(
        "在哪个区？也可以直接说具体位置（如小区、路口；会公开，请不要写门牌号）。不清楚可以说“不清楚”。".into(),
        regions.iter().take(8).cloned().chain(["不清楚".to_string()]).collect(),
    )
}

const CONTACT_QUESTION: &str = "需要留手机号或邮箱吗？留了便于工作人员回访、告诉您办理进展（不会公开）。不想留请说“不留”。";

fn contact_question() -> Next {
    Next::Ask(CONTACT_QUESTION.into(), vec!["不留".into()])
}

impl Filing {
    /// Starts from the message that asked to file, keeping what it already says.
    pub fn start(text: &str, asked_for: Option<OpinionKind>, regions: &[String]) -> (Self, Next) {
        let kind = asked_for.or_else(|| understand::opinion_kind(text));
        let content = content_of(text);
        let mut filing = Filing {
            step: Step::Kind,
            kind,
            content,
            region: None,
            location: None,
            phone: None,
            email: None,
            consent: false,
            asked_place: false,
            asked_contact: false,
            asked_consent: false,
            token: crate::idempotency::Key::token(),
        };
        // A number or address given with the matter is taken; the contact question is then asked no more.
        if filing.content.is_some() {
            filing.take_contact(text);
            filing.asked_contact = filing.phone.is_some() || filing.email.is_some();
        }
        let next = filing.ask_next(regions);
        (filing, next)
    }

    /// The first thing still missing or not yet asked.
    fn ask_next(&mut self, regions: &[String]) -> Next {
        let (step, next) = if self.kind.is_none() {
            (Step::Kind, kind_question())
        } else if self.content.is_none() {
            (Step::Content, Next::Ask(CONTENT_QUESTION.into(), vec!["取消".into()]))
        } else if !self.asked_place {
            self.asked_place = true;
            (Step::Place, place_question(regions))
        } else if !self.asked_contact {
            self.asked_contact = true;
            (Step::Contact, contact_question())
        } else if (self.phone.is_some() || self.email.is_some()) && !self.asked_consent {
            self.asked_consent = true;
            let ask = "是否同意工作人员联系您回访，并通过短信或邮件告诉您办理进展？（可随时退订）";
            (Step::Consent, Next::Ask(ask.into(), vec!["同意".into(), "不同意".into()]))
        } else {
            (Step::Confirm, Next::Ask(self.summary(), vec!["确认提交".into(), "取消".into()]))
        };
        self.step = step;
        next
    }

    fn summary(&self) -> String {
        let kind = self.kind.map_or("", |k| k.label());
        let place = match (&self.region, &self.location) {
            (Some(r), Some(l)) => format!("{r} {l}"),
            (Some(r), None) => r.clone(),
            (None, Some(l)) => l.clone(),
            (None, None) => "未说明".into(),
        };
        let contact = if self.phone.is_some() || self.email.is_some() {
            if self.consent { "已留（不公开），同意回访" } else { "已留（不公开），不回访" }
        } else {
            "未留"
        };
        let content: String = crate::privacy::scrub(self.content.as_deref().unwrap_or("")).chars().take(80).collect();
        format!("请确认：类型：{kind}；内容：{content}；位置：{place}；联系方式：{contact}。确认提交吗？")
    }

    /// The question of the current step, asked again.
    fn again(&self, regions: &[String]) -> Next {
        match self.step {
            Step::Kind => kind_question(),
            Step::Content => Next::Ask(CONTENT_QUESTION.into(), vec!["取消".into()]),
            Step::Place => place_question(regions),
            Step::Contact => contact_question(),
            Step::Consent | Step::Confirm => Next::Ask(self.summary(), vec!["确认提交".into(), "取消".into()]),
        }
    }

    /// Takes the citizen's answer to the current step.
    pub fn advance(&mut self, text: &str, regions: &[String]) -> Next {
        // A question about photos is answered, and the step waits.
        if PHOTO.iter().any(|w| text.contains(w)) && !matches!(self.step, Step::Content) {
            let (question, buttons) = match self.again(regions) {
                Next::Ask(question, buttons) => (question, buttons),
                Next::File(_) => (String::new(), Vec::new()),
            };
            return Next::Ask(format!("在这里只能用文字提交；要附照片，请到“提交意见”页（/opinions/new）填写。{question}"), buttons);
        }
        match self.step {
            Step::Kind => match understand::opinion_kind(text).or_else(|| KINDS.into_iter().find(|k| text.contains(k.label()))) {
                Some(kind) => self.kind = Some(kind),
                None => return kind_question(),
            },
            Step::Content => {
                if text.chars().count() < 4 {
                    return Next::Ask("请再多说几句：是什么事、在哪里？".into(), vec!["取消".into()]);
                }
                self.content = Some(text.trim().to_string());
            }
            Step::Place => {
                // A bare kind word is the answer to an earlier question, not a place.
                if KINDS.iter().any(|k| text.trim() == k.label()) {
                    return place_question(regions);
                }
                // "确认提交" here means: no place, go on.
                if !text.contains("不清楚") && !text.contains("不知道") && !rules::agrees(text) {
                    self.region = understand::mentioned(text, regions).cloned();
                    // The region is kept apart; what else was said is the place.
                    let rest = self.region.as_deref().map_or(text.to_string(), |r| text.replacen(r, "", 1));
                    let note: String = rest.trim_matches(|c: char| c.is_whitespace() || "，,、".contains(c)).chars().take(100).collect();
                    if !note.is_empty() {
                        self.location = Some(note);
                    }
                }
            }
            Step::Contact if rules::declines(text) => {}
            Step::Contact if ASKING.iter().any(|w| text.contains(w)) => {
                return Next::Ask(format!("{CONTACT_PRIVATE}{CONTACT_QUESTION}"), vec!["不留".into()]);
            }
            Step::Contact => {
                if !self.take_contact(text) {
                    return Next::Ask("没看懂这个联系方式。请填写 11 位手机号或邮箱，不想留请说“不留”。".into(), vec!["不留".into()]);
                }
            }
            Step::Consent => self.consent = !text.contains('不') && (text.contains("同意") || rules::agrees(text)),
            Step::Confirm => {
                if ["去掉", "删掉", "删除", "改一下", "修改", "重写", "写错", "改成"].iter().any(|w| text.contains(w)) {
                    self.redo_content();
                    return Next::Ask(format!("好的，请把要反映的内容重新说一遍。{CONTENT_QUESTION}"), vec!["取消".into()]);
                }
                if rules::agrees(text) {
                    return Next::File(Box::new(self.input()));
                }
                return Next::Ask("请说“确认提交”，或者“取消”。".into(), vec!["确认提交".into(), "取消".into()]);
            }
        }
        self.ask_next(regions)
    }

    /// A phone number or email address anywhere in the text ("15011112222 我姓张"), if any.
    fn take_contact(&mut self, text: &str) -> bool {
        if let Some(email) = text.split(|c: char| c.is_whitespace() || "，,;；".contains(c)).find_map(parse_email) {
            self.email = Some(email);
            return true;
        }
        match parse_phone(text.trim()).or_else(|| text.split(|c: char| !c.is_ascii_digit()).find_map(parse_phone)) {
            Some(phone) => {
                self.phone = Some(phone);
                true
            }
            None => false,
        }
    }

    /// Back to the content after the use case refused it (the message says why).
    pub fn redo_content(&mut self) {
        self.content = None;
        self.step = Step::Content;
    }

    fn input(&self) -> OpinionInput {
        let content = self.content.clone().unwrap_or_default();
        // The title is the first clause of what happened, as a citizen would write one: without
        // "我要投诉", and cut only after private numbers are masked (a cut number escapes the scrubber).
        let stripped = strip_triggers(&content);
        let matter = if stripped.chars().count() >= 4 { stripped } else { content.clone() };
        let public = crate::privacy::scrub(&matter);
        let title: String =
            public.split(['。', '！', '!', '？', '?', '，', ',', '\n']).next().unwrap_or(&public).chars().take(30).collect();
        let title = title.split('[').next().filter(|t| t.chars().count() >= 4).map_or(title.clone(), |t| t.trim().to_string());
        OpinionInput {
            kind: self.kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
            title,
            content,
            region: self.region.clone(),
            location_note: self.location.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            consent_contact: self.consent,
            ..OpinionInput::default()
        }
    }
}
