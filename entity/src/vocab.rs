//! Status vocabularies: stored as stable English strings, shown in Chinese.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One vocabulary: `Variant = "stable_value" : "中文标签"`.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $value:literal : $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
        pub enum $name {
            $(
                #[sea_orm(string_value = $value)]
                #[serde(rename = $value)]
                $variant,
            )+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable string stored in the database and used in URLs and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $value),+ }
            }

            /// The label shown to people.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }

            /// Accepts the stable string or the Chinese label.
            pub fn parse(text: &str) -> Option<Self> {
                let text = text.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == text || v.label() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

vocabulary!(
    /// What kind of responsible unit (责任单位) this is.
    UnitKind {
        Department = "department": "市直部门",
        District = "district": "区县",
        Other = "other": "其他单位",
    }
);

vocabulary!(
    /// Where a problem on the problem list came from.
    ProblemSource {
        Opinion = "opinion": "群众意见",
        Superior = "superior": "上级反馈",
        Media = "media": "媒体曝光",
        Inspection = "inspection": "督查发现",
        Pledge = "pledge": "问政承诺",
    }
);

vocabulary!(
    ResponsibilityKind {
        Immediate = "immediate": "立行立改",
        Deadline = "deadline": "限期整改",
        LongTerm = "long_term": "长期整改",
    }
);

vocabulary!(
    RectificationStatus {
        NotStarted = "not_started": "未启动",
        InProgress = "in_progress": "整改中",
        LongTerm = "long_term": "长期推进",
        Reported = "reported": "单位报结",
        Rectified = "rectified": "已整改",
        Overdue = "overdue": "逾期",
    }
);

vocabulary!(
    /// The performance office's check of a rectification reported done.
    Verification {
        Pending = "pending": "待核验",
        Passed = "passed": "核验通过",
        Failed = "failed": "核验不通过",
    }
);

vocabulary!(
    CitizenConfirmation {
        Pending = "pending": "待群众确认",
        Confirmed = "confirmed": "群众认可",
        Disputed = "disputed": "群众有异议",
        Lapsed = "lapsed": "期满无异议",
    }
);

vocabulary!(
    /// A citizen's answer to 回访.
    RevisitAnswer {
        Resolved = "resolved": "已解决",
        Partly = "partly": "部分解决",
        Unresolved = "unresolved": "未解决",
    }
);

vocabulary!(
    OpinionKind {
        Consult = "consult": "咨询",
        Help = "help": "求助",
        Complaint = "complaint": "投诉",
        Report = "report": "举报",
        Suggestion = "suggestion": "建议",
        Praise = "praise": "表扬",
    }
);

vocabulary!(
    OpinionStatus {
        Received = "received": "已受理",
        Routed = "routed": "已转办",
        InProgress = "in_progress": "办理中",
        Closed = "closed": "已办结",
        Revisited = "revisited": "已回访",
        Explained = "explained": "已解释说明",
        Merged = "merged": "重复已合并",
        Withdrawn = "withdrawn": "已撤回",
        Hidden = "hidden": "已屏蔽",
    }
);

vocabulary!(
    Channel {
        Web = "web": "网站",
        Chat = "chat": "智能问答",
        Hotline = "hotline": "12345热线",
        Import = "import": "批量导入",
    }
);

vocabulary!(
    RatingTarget {
        Opinion = "opinion": "意见办理",
        Rectification = "rectification": "整改结果",
    }
);

vocabulary!(
    /// Who gave a rating: real citizen ratings are kept apart from any default.
    RatingOrigin {
        Citizen = "citizen": "群众评价",
        Default = "default": "系统默认",
    }
);

vocabulary!(
    FollowupStatus {
        Open = "open": "待处理",
        Done = "done": "已处理",
    }
);

vocabulary!(
    ReportStatus {
        Draft = "draft": "草稿",
        InReview = "in_review": "待审核",
        Scheduled = "scheduled": "定时发布",
        Published = "published": "已发布",
        Withdrawn = "withdrawn": "已撤回",
    }
);

vocabulary!(
    Role {
        Admin = "admin": "系统管理员",
        Office = "office": "绩效办",
        Publicity = "publicity": "宣传部",
        Unit = "unit": "责任单位",
    }
);

vocabulary!(
    ThemeStatus {
        Active = "active": "活跃",
        Promoted = "promoted": "已转为问题",
        Archived = "archived": "已归档",
    }
);

/// The five levels of the national 好差评 system, stored as 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "i32", db_type = "Integer")]
pub enum RatingLevel {
    #[sea_orm(num_value = 1)]
    VeryDissatisfied,
    #[sea_orm(num_value = 2)]
    Dissatisfied,
    #[sea_orm(num_value = 3)]
    Basic,
    #[sea_orm(num_value = 4)]
    Satisfied,
    #[sea_orm(num_value = 5)]
    VerySatisfied,
}

impl RatingLevel {
    pub const ALL: &'static [Self] = &[Self::VerySatisfied, Self::Satisfied, Self::Basic, Self::Dissatisfied, Self::VeryDissatisfied];

    pub fn score(self) -> i32 {
        self as i32 + 1
    }

    pub fn from_score(score: i64) -> Option<Self> {
        Self::ALL.iter().copied().find(|l| i64::from(l.score()) == score)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::VerySatisfied => "非常满意",
            Self::Satisfied => "满意",
            Self::Basic => "基本满意",
            Self::Dissatisfied => "不满意",
            Self::VeryDissatisfied => "非常不满意",
        }
    }

    /// 差评: the two lowest levels open a follow-up task.
    pub fn is_negative(self) -> bool {
        self <= Self::Dissatisfied
    }
}

vocabulary!(
    /// A word for the dictionary: proposed by discovery, then accepted or rejected by the office.
    WordStatus {
        Proposed = "proposed": "待审核",
        Accepted = "accepted": "已采纳",
        Rejected = "rejected": "已拒绝",
    }
);
