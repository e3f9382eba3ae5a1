//! Types that parse input once, and the small rules around them. No actix, no queries.

pub mod account;
pub mod clock;
pub mod problem_code;
pub mod text;
pub mod time;
pub mod tracking_code;

/// The category list used until the office configures its own (the platform's seven plus 其他).
pub const DEFAULT_CATEGORIES: &[&str] = &["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生", "其他"];
