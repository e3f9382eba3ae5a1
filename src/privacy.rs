//! The one scrubber. Private numbers and addresses in citizens' (and staff's) words are found
//! once, on a normalised copy of the text (full-width forms folded to ASCII, letters lowercased),
//! and either replaced for the public ([`PublicText`]) or partly masked for staff who are not
//! handling the case ([`StaffText`]). Only the scrubber constructs either type, so a public page,
//! feed, export, API answer or search document cannot carry unscrubbed text by construction.
//!
//! Numbers are read as runs of digits joined by at most one separator (space, `-`, `.`, `·`,
//! `/`), so `138 3333 4444`, `138.3333.6666` and `１３８…` are one number; a run is private
//! when it is a mobile number (11 digits from 13–19, optionally after 86), a landline (10–12
//! digits from 0), or an ID number (18 characters, or the old 15 digits, with a valid date).
//! Letters around a run do not protect it (`TEL13833334444`, `wx13833337777`); digits do (an
//! order number that contains a phone-like stretch is one longer run, and is left alone).
//! `regex`'s `\b` sees no boundary between Chinese and ASCII, so boundaries are checked by hand.

use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Phone,
    Id,
    Email,
    Plate,
    /// A name the writer gives as theirs: 我叫王秀兰, 我姓李.
    Name,
    /// A WeChat or QQ account.
    Messenger,
    /// A flat's unit and door: 3单元502.
    Door,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Phone => "[电话已隐藏]",
            Kind::Id => "[身份证号已隐藏]",
            Kind::Email => "[邮箱已隐藏]",
            Kind::Plate => "[车牌已隐藏]",
            Kind::Name => "[姓名已隐藏]",
            Kind::Messenger => "[微信号已隐藏]",
            Kind::Door => "[门牌号已隐藏]",
        }
    }
}

/// Full-width ASCII to half-width, the ideographic space to a space, ASCII lowercased. One char
/// in, one char out, so positions carry over.
fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

const SEPARATORS: &[char] = &[' ', '-', '.', '·', '/', '\u{2014}', '\u{2013}', '_'];

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    let at = r"(?:@|\s*[\(\[\{（【]\s*at\s*[\)\]\}）】]\s*|\s+at\s+|#)";
    let dot = r"(?:\.|\s*[\(\[\{（【]\s*dot\s*[\)\]\}）】]\s*|\s+dot\s+)";
    Regex::new(&format!(r"[a-z0-9][a-z0-9._%+\-]*{at}[a-z0-9\-]+(?:{dot}[a-z0-9\-]+)*{dot}[a-z]{{2,}}")).expect("valid pattern")
});

/// A landline whose area code is in brackets: `(010)12345678`, `（0731）8888 8888`.
static BRACKETED_LANDLINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\(（]0\d{2,3}[\)）][\s\-]?\d{3,4}[\s\-]?\d{4}").expect("valid pattern"));

static PLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][a-hj-np-z][\s·•.\-]?[a-hj-np-z0-9]{5,6}")
        .expect("valid pattern")
});

/// The name after "我叫", "我姓" (group 1): a name cannot be told from other words, but one the
/// writer introduces as theirs can.
static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:我叫|本人叫|我名叫|我的名字叫|我的名字是|我姓)\s*(\p{Han}{1,3})").expect("valid pattern"));

/// The account after 微信/QQ (group 1).
static MESSENGER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:微信|vx|v信|qq)\s*号?\s*(?:是|为|:|：)?\s*([a-z0-9][a-z0-9_\-]{4,19})").expect("valid pattern"));

/// A flat: the unit and the door (`3单元502`, `2栋1103室`).
static DOOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+\s*单元\s*\d{3,4}\s*[室号户]?|\d+\s*(?:号楼|栋|幢)\s*\d{3,4}\s*[室户]").expect("valid pattern"));

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && (1..=31).contains(&d) && (1900..=2099).contains(&y)
}

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

fn number(ds: &[u32]) -> u32 {
    ds.iter().fold(0, |n, d| n * 10 + d)
}

/// What a run of digits (separators removed; `x` allowed last) is, if it is private.
fn classify(run: &str) -> Option<Kind> {
    let ds = digits(run);
    let ends_in_x = run.ends_with('x');
    let mobile = |ds: &[u32]| ds.len() == 11 && ds[0] == 1 && (3..=9).contains(&ds[1]);
    match ds.len() + usize::from(ends_in_x) {
        18 if valid_date(number(&ds[6..10]), number(&ds[10..12]), number(&ds[12..14])) && ds[0] != 0 => Some(Kind::Id),
        15 if !ends_in_x && ds[0] != 0 && valid_date(1900 + number(&ds[6..8]), number(&ds[8..10]), number(&ds[10..12])) => Some(Kind::Id),
        _ if ends_in_x => None,
        11 if mobile(&ds) => Some(Kind::Phone),
        13 if ds[..2] == [8, 6] && mobile(&ds[2..]) => Some(Kind::Phone),
        10..=12 if ds[0] == 0 && ds[1] != 0 => Some(Kind::Phone),
        _ => None,
    }
}

/// Byte ranges (in `norm`) of private digit runs.
fn numbers(norm: &str) -> Vec<(Range<usize>, Kind)> {
    let chars: Vec<(usize, char)> = norm.char_indices().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let digit_at = |k: usize| chars.get(k).is_some_and(|(_, c)| c.is_ascii_digit());
        if !digit_at(i) || (i > 0 && digit_at(i - 1)) {
            i += 1;
            continue;
        }
        // A run: digits, single separators between digits, and an `x` closing an ID number.
        let mut end = i;
        let mut k = i;
        while k < chars.len() {
            if digit_at(k) {
                end = k + 1;
                k += 1;
            } else if SEPARATORS.contains(&chars[k].1) && digit_at(k + 1) {
                k += 1;
            } else {
                break;
            }
        }
        if chars.get(end).is_some_and(|(_, c)| *c == 'x') {
            end += 1;
        }
        let byte = |k: usize| chars.get(k).map_or(norm.len(), |(b, _)| *b);
        // `+86` belongs to the number it introduces.
        let start = if i > 0 && chars[i - 1].1 == '+' { i - 1 } else { i };
        let run = &norm[byte(start)..byte(end)];
        if let Some(kind) = classify(run) {
            found.push((byte(start)..byte(end), kind));
        } else {
            // Numbers written side by side with spaces: each part on its own.
            let mut part_start = i;
            for k in i..=end {
                if k == end || chars[k].1 == ' ' {
                    let part = &norm[byte(part_start)..byte(k)];
                    if part_start < k
                        && let Some(kind) = classify(part)
                    {
                        found.push((byte(part_start)..byte(k), kind));
                    }
                    part_start = k + 1;
                }
            }
        }
        i = end.max(i + 1);
    }
    found
}

/// Every private stretch of `text`, as byte ranges of `text` itself, in order and disjoint.
fn findings(text: &str) -> Vec<(Range<usize>, Kind)> {
    let norm: String = text.chars().map(fold).collect();
    // Byte offset in `text` of each char boundary of `norm` (the fold keeps chars one for one).
    let mut to_text = vec![0usize; norm.len() + 1];
    let mut norm_at = 0;
    for (text_at, c) in text.char_indices() {
        to_text[norm_at] = text_at;
        norm_at += fold(c).len_utf8();
    }
    to_text[norm.len()] = text.len();
    let mut found: Vec<(Range<usize>, Kind)> = EMAIL.find_iter(&norm).map(|m| (m.range(), Kind::Email)).collect();
    let alnum = |s: &str, forward: bool| {
        let c = if forward { s.chars().next() } else { s.chars().next_back() };
        c.is_some_and(|c| c.is_ascii_alphanumeric())
    };
    found.extend(PLATE.find_iter(&norm).filter(|m| !alnum(&norm[m.end()..], true)).map(|m| (m.range(), Kind::Plate)));
    found.extend(
        BRACKETED_LANDLINE
            .find_iter(&norm)
            .filter(|m| !norm[m.end()..].starts_with(|c: char| c.is_ascii_digit()))
            .map(|m| (m.range(), Kind::Phone)),
    );
    found.extend(numbers(&norm));
    let group = |re: &Regex, kind: Kind| -> Vec<(Range<usize>, Kind)> {
        re.captures_iter(&norm).filter_map(|c| c.get(1).map(|m| (m.range(), kind))).collect()
    };
    found.extend(group(&NAME, Kind::Name));
    found.extend(group(&MESSENGER, Kind::Messenger));
    found.extend(DOOR.find_iter(&norm).map(|m| (m.range(), Kind::Door)));
    found.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut disjoint: Vec<(Range<usize>, Kind)> = Vec::new();
    for (r, kind) in found {
        match disjoint.last() {
            Some((last, _)) if r.start < last.end => {}
            _ => disjoint.push((r, kind)),
        }
    }
    disjoint.into_iter().map(|(r, kind)| (to_text[r.start]..to_text[r.end], kind)).collect()
}

fn rewrite(text: &str, replace: impl Fn(&str, Kind) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, kind) in findings(text) {
        out.push_str(&text[at..range.start]);
        out.push_str(&replace(&text[range.clone()], kind));
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Replaces private numbers and addresses in text meant for the public.
pub fn scrub(text: &str) -> String {
    rewrite(text, |_, kind| kind.label().to_string())
}

/// Leaves private numbers and addresses out altogether (a search topic has no use for them).
pub fn strip(text: &str) -> String {
    rewrite(text, |_, _| " ".to_string())
}

/// Masks private numbers for staff outside the handling unit: `139****5678`, `z***@example.cn`.
pub fn mask(text: &str) -> String {
    rewrite(text, |found, kind| match kind {
        Kind::Phone => mask_phone(&found.chars().map(fold).filter(char::is_ascii_digit).collect::<String>()),
        Kind::Email => {
            let norm: String = found.chars().map(fold).collect();
            match norm.split_once('@') {
                Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
                None => Kind::Email.label().to_string(),
            }
        }
        Kind::Id => {
            let chars: Vec<char> = found.chars().filter(|c| !SEPARATORS.contains(&fold(*c))).collect();
            let head: String = chars.iter().take(4).collect();
            let tail: String = chars.iter().skip(chars.len().saturating_sub(2)).collect();
            format!("{head}************{tail}")
        }
        Kind::Plate => {
            let chars: Vec<char> = found.chars().collect();
            format!("{}{}***", chars[0], chars.get(1).copied().unwrap_or('*'))
        }
        Kind::Name | Kind::Messenger => format!("{}**", found.chars().next().unwrap_or('*')),
        Kind::Door => kind.label().to_string(),
    })
}

/// How staff outside the handling unit see a phone number: `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let keep_head = if chars.len() >= 11 { 3 } else { 1 };
    let head: String = chars[..keep_head].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Text fit for the public: only [`PublicText::of`] makes one, and it scrubs.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PublicText(String);

impl PublicText {
    pub fn of(text: &str) -> Self {
        Self(scrub(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for PublicText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text for staff who are not handling the case: private numbers partly masked. Only
/// [`StaffText::of`] makes one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct StaffText(String);

impl StaffText {
    pub fn of(text: &str) -> Self {
        Self(mask(text))
    }

    /// The text as written: only for the unit handling the case, who may call the citizen.
    pub fn for_handling_unit(text: &str) -> Self {
        Self(text.to_string())
    }

    /// Masked, or in full when `handling` (the viewer is the unit handling the case).
    pub fn shown(text: &str, handling: bool) -> Self {
        if handling { Self::for_handling_unit(text) } else { Self::of(text) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests;
