//! Messages made up by the project's own generator, for benchmarks at sizes no real data set
//! here reaches: recurring concerns in many places, drowned in everyday one-offs.

use chrono::{Duration, TimeZone, Utc};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::cluster::Message;

const PLACES: &[&str] = &[
    "滨江花园",
    "幸福里小区",
    "学府小区",
    "人民路",
    "科技大道",
    "石门村",
    "古城景区",
    "阳光新城",
    "锦绣家园",
    "翠湖苑",
    "东湖社区",
    "南山路",
];
const CONCERNS: &[(&str, &str)] = &[
    ("夜间施工噪音扰民", "工地晚上十点以后还在施工，打桩声音很大，影响休息"),
    ("物业乱收停车费", "物业收取停车费不公开标准，车位被外来车辆占用"),
    ("配套小学学位紧张", "孩子明年上学，对口小学学位不足，希望尽快建设"),
    ("占道经营交通拥堵", "流动摊贩占道经营，早高峰道路堵塞"),
    ("自来水发黄停水", "自来水浑浊发黄，经常停水也不通知"),
    ("垃圾清运不及时", "垃圾站满了没人清运，夏天气味很大"),
    ("电梯经常故障", "电梯经常坏，老人上下楼困难，维修不及时"),
    ("餐馆油烟扰民", "楼下餐馆油烟直排，窗户不敢开"),
];
const EVERYDAY: &[&str] = &[
    "咨询社保缴费",
    "医院挂号排队太久",
    "建议增加公交班次",
    "路灯不亮",
    "公租房申请条件",
    "居住证办理流程",
    "失业金申领",
    "电动车上牌",
    "表扬社区医生",
    "下水道堵塞",
];

pub fn messages(n: usize, seed: u64) -> Vec<Message> {
    labelled(n, seed).into_iter().map(|(m, _)| m).collect()
}

/// Messages with the concern or errand each was made from, as a category to learn.
pub fn labelled(n: usize, seed: u64) -> Vec<(Message, String)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("a valid date");
    (0..n)
        .map(|i| {
            let (title, body, label) = if rng.random_bool(0.6) {
                let place = *PLACES.choose(&mut rng).expect("places");
                let (t, b) = *CONCERNS.choose(&mut rng).expect("concerns");
                (format!("{place}{t}"), format!("{place}{b}，已经持续{}个月。", rng.random_range(1..12)), t)
            } else {
                let t = *EVERYDAY.choose(&mut rng).expect("everyday");
                (
                    format!("{t}{}", rng.random_range(0..100_000)),
                    format!("{t}，编号{}，请相关部门答复。", rng.random_range(0..1_000_000)),
                    t,
                )
            };
            let message = Message {
                id: i.to_string(),
                title,
                body,
                time: Some(start + Duration::minutes(rng.random_range(0..525_600))),
                user: Some(format!("u{}", rng.random_range(0..n.max(1) as u64 / 3 + 1))),
                likes: rng.random_range(0..5),
                dislikes: rng.random_range(0..2),
            };
            (message, label.to_string())
        })
        .collect()
}
