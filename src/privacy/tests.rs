use proptest::prelude::*;

use super::*;

/// (text, what the public sees). At least sixty ways people write what must not be shown.
const HIDDEN: &[(&str, &str)] = &[
    ("电话13812345678请回电", "电话[电话已隐藏]请回电"),
    ("联系138-1234-5678", "联系[电话已隐藏]"),
    ("联系138 1234 5678", "联系[电话已隐藏]"),
    ("+86 139 1234 5678", "[电话已隐藏]"),
    ("+8613912345678", "[电话已隐藏]"),
    ("8613912345678", "[电话已隐藏]"),
    ("86-139-1234-5678", "[电话已隐藏]"),
    ("TEL13833334444", "TEL[电话已隐藏]"),
    ("tel:13833334444", "tel:[电话已隐藏]"),
    ("Tel.13833334444", "Tel.[电话已隐藏]"),
    ("wx13833337777", "wx[电话已隐藏]"),
    ("微信wx_13833337777", "微信[微信号已隐藏]"),
    ("VX:13833337777", "VX:[电话已隐藏]"),
    ("13833338888abc", "[电话已隐藏]abc"),
    ("手机13833338888，谢谢", "手机[电话已隐藏]，谢谢"),
    ("１３８３３３３５５５５", "[电话已隐藏]"),
    ("手机号：１３８－３３３３－５５５５", "手机号：[电话已隐藏]"),
    ("138.3333.6666", "[电话已隐藏]"),
    ("138·3333·6666", "[电话已隐藏]"),
    ("138/3333/6666", "[电话已隐藏]"),
    ("138_3333_6666", "[电话已隐藏]"),
    ("138　3333　6666", "[电话已隐藏]"),
    ("1 3 8 3 3 3 3 6 6 6 6", "[电话已隐藏]"),
    ("电话是19912345678。", "电话是[电话已隐藏]。"),
    ("16612345678号码", "[电话已隐藏]号码"),
    ("座机0731-88888888", "座机[电话已隐藏]"),
    ("(010)12345678", "[电话已隐藏]"),
    ("（0731）8888 8888", "[电话已隐藏]"),
    ("0731 8888 8888", "[电话已隐藏]"),
    ("07318888888", "[电话已隐藏]"),
    ("０７３１－８８８８８８８８", "[电话已隐藏]"),
    ("身份证43010219900101123X。", "身份证[身份证号已隐藏]。"),
    ("身份证43010219900101123x", "身份证[身份证号已隐藏]"),
    ("430102199001011234", "[身份证号已隐藏]"),
    ("4301 0219 9001 0112 34", "[身份证号已隐藏]"),
    ("430102 19900101 1234", "[身份证号已隐藏]"),
    ("430102-19900101-123X", "[身份证号已隐藏]"),
    ("４３０１０２１９９００１０１１２３Ｘ", "[身份证号已隐藏]"),
    ("老身份证430102900101123", "老身份证[身份证号已隐藏]"),
    ("430102 900101 123", "[身份证号已隐藏]"),
    ("ID430102199001011234号", "ID[身份证号已隐藏]号"),
    ("邮箱zhang.san@example.com.cn谢谢", "邮箱[邮箱已隐藏]谢谢"),
    ("Zhang.San@Example.COM", "[邮箱已隐藏]"),
    ("ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "[邮箱已隐藏]"),
    ("name(at)host.com", "[邮箱已隐藏]"),
    ("name (at) host.com", "[邮箱已隐藏]"),
    ("name[at]host.com", "[邮箱已隐藏]"),
    ("name（at）host.com", "[邮箱已隐藏]"),
    ("name at host dot com", "[邮箱已隐藏]"),
    ("name(at)host(dot)com", "[邮箱已隐藏]"),
    ("name#host.com", "[邮箱已隐藏]"),
    ("user_1@mail.example.org。", "[邮箱已隐藏]。"),
    ("a.b+c@x-y.cn", "[邮箱已隐藏]"),
    ("车牌湘A12345停在门口", "车牌[车牌已隐藏]停在门口"),
    ("湘a12345", "[车牌已隐藏]"),
    ("湘A·D1234也在", "[车牌已隐藏]也在"),
    ("湘A D1234", "[车牌已隐藏]"),
    ("湘A-12345", "[车牌已隐藏]"),
    ("粤BD12345新能源车", "[车牌已隐藏]新能源车"),
    ("京ｎ１２３４５", "[车牌已隐藏]"),
    ("车牌号川a88888，", "车牌号[车牌已隐藏]，"),
    ("电话13812345678和13912345678", "电话[电话已隐藏]和[电话已隐藏]"),
    ("2019年 13812345678", "2019年 [电话已隐藏]"),
    ("房号 3 13812345678", "房号 3 [电话已隐藏]"),
];

/// Ordinary text that must come through untouched.
const KEPT: &[&str] = &[
    "WT-2026-0001",
    "码AB12CD",
    "12路公交",
    "2026年11月28日",
    "2026-11-28 09:30",
    "科技大道与创新路口",
    "邮编410000",
    "订单2023123456789012345",
    "订单20231381234567890",
    "身份证430102199001011234X号",
    "3号线、58车贷、A7县",
    "共13人，其中8人",
    "面积138.5平方米",
    "金额13,800,000元",
    "3#楼5单元",
    "查询码 7KQM-X3RT-9WHP",
    "12345热线",
    "10:30到11:45",
    "第2019123号文件",
];

#[test]
fn every_written_variant_is_hidden() {
    assert!(HIDDEN.len() >= 60, "{} variants", HIDDEN.len());
    let mut wrong = Vec::new();
    for (text, expected) in HIDDEN {
        let got = scrub(text);
        if got != *expected {
            wrong.push(format!("{text} → {got} (wanted {expected})"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn ordinary_text_and_codes_are_untouched() {
    for text in KEPT {
        assert_eq!(scrub(text), *text);
    }
}

#[test]
fn staff_see_numbers_partly_masked() {
    assert_eq!(mask("电话13912345678"), "电话139****5678");
    assert_eq!(mask("TEL１３８３３３３４４４４"), "TEL138****4444");
    assert_eq!(mask("邮箱zhang.san@example.com"), "邮箱z***@example.com");
    assert_eq!(mask("43010219900101123X"), "4301************3X");
    assert_eq!(mask("湘A12345"), "湘A***");
    assert_eq!(mask_phone("13812345678"), "138****5678");
    assert_eq!(mask_phone("0731-8888888"), "073****8888");
    assert_eq!(mask_phone("123"), "***");
}

#[test]
fn public_text_is_scrubbed_on_the_way_in() {
    let text = PublicText::of("请联系13812345678");
    assert_eq!(text.as_str(), "请联系[电话已隐藏]");
    assert_eq!(serde_json::to_string(&text).unwrap(), "\"请联系[电话已隐藏]\"");
}

fn chinese() -> impl Strategy<Value = String> {
    "[\\u{4e00}-\\u{4fff}，。、！ ]{0,12}"
}

/// A private number or address written one of the ways people write them.
fn private() -> impl Strategy<Value = String> {
    let digits =
        |n: usize| proptest::collection::vec(0u8..10, n).prop_map(|v| v.into_iter().map(|d| char::from(b'0' + d)).collect::<String>());
    let sep = prop::sample::select(vec!["", "", " ", "-", ".", "·"]);
    let wide = any::<bool>();
    let mobile =
        (prop::sample::select(vec!["13", "15", "17", "18", "19"]), digits(9), sep.clone(), wide).prop_map(|(head, rest, sep, wide)| {
            let number = format!("{head}{}{sep}{}{sep}{}", &rest[..1], &rest[1..5], &rest[5..]);
            if wide { widen(&number) } else { number }
        });
    let id = (
        digits(5),
        1950u32..2010,
        1u32..13,
        1u32..29,
        digits(3),
        prop::sample::select(vec!["0", "7", "X", "x"]),
        prop::sample::select(vec!["", " "]),
    )
        .prop_map(|(area, y, m, d, seq, check, sep)| format!("4{area}{sep}{y}{m:02}{d:02}{sep}{seq}{check}"));
    let email = (
        "[a-z]{1,8}",
        "[a-z]{2,8}",
        prop::sample::select(vec!["@", "(at)", "[at]", " at "]),
        prop::sample::select(vec!["com", "cn", "org"]),
    )
        .prop_map(|(user, host, at, tld)| format!("{user}{at}{host}.{tld}"));
    let plate = (prop::sample::select(vec!["湘", "京", "粤", "川"]), "[A-HJ-NP-Za-hj-np-z]", "[A-HJ-NP-Z0-9]{5}")
        .prop_map(|(p, l, rest)| format!("{p}{l}{rest}"));
    prop_oneof![mobile, id, email, plate]
}

fn widen(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_graphic() { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c }).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever Chinese surrounds it, no private number or address survives the scrubber.
    #[test]
    fn nothing_private_survives(before in chinese(), secret in private(), after in chinese()) {
        let text = format!("{before}{secret}{after}");
        let public = scrub(&text);
        prop_assert!(!public.contains(&secret), "{text} → {public}");
        let digits_left: String = public.chars().map(fold).filter(char::is_ascii_digit).collect();
        prop_assert!(digits_left.len() < 7, "a long run of digits survived: {text} → {public}");
        prop_assert!(!public.contains('@'), "{text} → {public}");
    }
}

#[test]
fn a_name_given_as_ones_own_an_account_and_a_door_are_hidden() {
    let said = "我叫王秀兰，住在江南区南湖路88号3单元502，微信zjg1958，我姓李";
    let public = scrub(said);
    for secret in ["王秀兰", "3单元502", "zjg1958", "姓李"] {
        assert!(!public.contains(secret), "{secret}: {public}");
    }
    assert!(
        public.contains("南湖路88号")
            && public.contains("[姓名已隐藏]")
            && public.contains("[微信号已隐藏]")
            && public.contains("[门牌号已隐藏]"),
        "{public}"
    );
    assert_eq!(scrub("幸福小区3栋2单元门口的路灯坏了"), "幸福小区3栋2单元门口的路灯坏了", "a building and unit is a place, not a door");
    assert_eq!(scrub("叫你们领导来"), "叫你们领导来");
}
