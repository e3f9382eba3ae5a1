//! Highlighted titles and snippets from the query's words. tantivy's snippet generator expects
//! token offsets that never go backwards, which jieba's overlapping search-mode sub-words break
//! (it then slices past a fragment's end); here the matched byte ranges are merged into disjoint
//! spans first, so every character of the text is shown exactly once, highlighted or not.

use std::collections::HashSet;
use std::ops::Range;

use jieba_rs::Jieba;

use super::tokenizer::{pieces, query_words};

const OPEN: &str = "<b>";
const CLOSE: &str = "</b>";
const ELLIPSIS: &str = "…";

/// The words a query matches: its default-mode words, their search-mode sub-words and their
/// synonyms, and, for a name the dictionary lacks, the name as written (search matches it so).
#[derive(Debug, Clone, Default)]
pub struct Highlighter {
    terms: HashSet<String>,
    literals: Vec<String>,
}

impl Highlighter {
    pub fn new(jieba: &Jieba, query: &str) -> Self {
        let words = query_words(jieba, query);
        let literals = words.iter().map(|(w, _)| w).filter(|w| !jieba.has_word(w) && super::grams::is_literal(w)).cloned().collect();
        let synonyms: Vec<String> =
            words.iter().flat_map(|(w, _)| super::synonyms::of(w)).flat_map(|s| query_words(jieba, s)).map(|(w, _)| w).collect();
        let terms = words.into_iter().flat_map(|(word, parts)| std::iter::once(word).chain(parts)).chain(synonyms).collect();
        Self { terms, literals }
    }

    /// Disjoint, sorted byte ranges of `text` covered by a query word.
    pub fn spans(&self, jieba: &Jieba, text: &str) -> Vec<Range<usize>> {
        if self.terms.is_empty() {
            return Vec::new();
        }
        let mut ranges: Vec<Range<usize>> =
            pieces(jieba, text).into_iter().filter(|p| self.terms.contains(&p.text)).map(|p| p.from..p.to).collect();
        ranges.extend(self.literals.iter().flat_map(|l| text.match_indices(l.as_str()).map(|(i, _)| i..i + l.len())));
        ranges.sort_by_key(|r| (r.start, r.end));
        merge(ranges)
    }

    /// The whole text, escaped, with every matched span in `<b>`.
    pub fn highlight(&self, jieba: &Jieba, text: &str) -> String {
        render(text, 0..text.len(), &self.spans(jieba, text))
    }

    /// At most `max_bytes` of `text` around the densest run of matches, escaped and highlighted,
    /// with `…` where text was cut; the start of the text when nothing matches.
    pub fn snippet(&self, jieba: &Jieba, text: &str, max_bytes: usize) -> String {
        let spans = self.spans(jieba, text);
        let window = window(text, &spans, max_bytes);
        let mut out = String::new();
        if window.start > 0 {
            out.push_str(ELLIPSIS);
        }
        out.push_str(&render(text, window.clone(), &spans));
        if window.end < text.len() {
            out.push_str(ELLIPSIS);
        }
        out
    }
}

/// Overlapping or touching ranges become one.
fn merge(sorted: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
    for r in sorted {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The byte window of at most `max_bytes` holding the most spans, with some context before the
/// first of them; always on character boundaries.
fn window(text: &str, spans: &[Range<usize>], max_bytes: usize) -> Range<usize> {
    if text.len() <= max_bytes {
        return 0..text.len();
    }
    let (mut best, mut best_count) = (0usize, 0usize);
    let mut j = 0;
    for i in 0..spans.len() {
        j = j.max(i);
        while j < spans.len() && spans[j].end - spans[i].start <= max_bytes {
            j += 1;
        }
        if j - i > best_count {
            (best, best_count) = (i, j - i);
        }
    }
    let Some(first) = spans.get(best) else { return 0..floor_boundary(text, max_bytes) };
    let covered = spans[best..best + best_count.max(1)].last().map_or(first.end, |r| r.end) - first.start;
    // Up to a third of the room goes before the first match, so the reader sees what leads to it.
    let lead = (max_bytes.saturating_sub(covered) / 3).min(first.start);
    let start = floor_boundary(text, first.start - lead);
    start..floor_boundary(text, start + max_bytes)
}

/// `text[window]`, escaped, with the parts inside `spans` wrapped in `<b>`.
fn render(text: &str, window: Range<usize>, spans: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(window.len() + 16);
    let mut at = window.start;
    for span in spans {
        let (from, to) = (span.start.max(window.start), span.end.min(window.end));
        if from >= to {
            continue;
        }
        escape_into(&mut out, &text[at..from]);
        out.push_str(OPEN);
        escape_into(&mut out, &text[from..to]);
        out.push_str(CLOSE);
        at = to;
    }
    escape_into(&mut out, &text[at..window.end]);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// Text escaped for HTML, nothing highlighted.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// What a highlighted fragment says, tags removed and entities decoded: the text it was cut from.
pub fn plain(html: &str) -> String {
    html.replace(OPEN, "")
        .replace(CLOSE, "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    fn jieba() -> &'static Jieba {
        static J: LazyLock<Jieba> = LazyLock::new(|| super::super::tokenizer::build_jieba(&["江南区".to_string()]));
        &J
    }

    #[test]
    fn a_compound_and_its_sub_word_highlight_the_whole_compound() {
        let h = Highlighter::new(jieba(), "停车难");
        let html = h.highlight(jieba(), "江南区医院周边停车难");
        assert_eq!(plain(&html), "江南区医院周边停车难");
        assert!(html.ends_with("<b>停车难</b>"), "{html}");
    }

    #[test]
    fn a_name_is_marked_as_written_and_synonyms_are_marked_too() {
        let h = Highlighter::new(jieba(), "上岭桥");
        let html = h.highlight(jieba(), "我是上岭桥镇堰井村的村民");
        assert!(html.contains("<b>上岭桥</b>"), "{html}");
        let h = Highlighter::new(jieba(), "打车");
        assert!(h.highlight(jieba(), "的士不打表").contains("<b>的士</b>"));
    }

    #[test]
    fn brackets_after_a_match_are_kept() {
        let h = Highlighter::new(jieba(), "停车难");
        let title = "江南区医院周边停车难（整改）";
        assert_eq!(plain(&h.highlight(jieba(), title)), title);
    }

    #[test]
    fn markup_in_the_text_is_escaped() {
        let h = Highlighter::new(jieba(), "垃圾站");
        let html = h.highlight(jieba(), "<script>垃圾站</script>&");
        assert!(!html.contains("<script>"), "{html}");
        assert_eq!(plain(&html), "<script>垃圾站</script>&");
    }

    #[test]
    fn a_snippet_is_a_cut_of_the_text_around_the_matches() {
        let text = format!("{}小区门口垃圾站每天清运不及时{}", "前文".repeat(60), "后文".repeat(60));
        let h = Highlighter::new(jieba(), "垃圾站");
        let snippet = h.snippet(jieba(), &text, 90);
        assert!(snippet.contains("<b>垃圾站</b>"), "{snippet}");
        let inner = plain(&snippet).trim_start_matches(ELLIPSIS).trim_end_matches(ELLIPSIS).to_string();
        assert!(text.contains(&inner) && inner.len() <= 90, "{snippet}");
    }

    #[test]
    fn nothing_matched_gives_the_start_of_the_text() {
        let h = Highlighter::new(jieba(), "公交车");
        assert_eq!(h.snippet(jieba(), "路灯不亮", 90), "路灯不亮");
        assert_eq!(Highlighter::default().highlight(jieba(), "a<b"), "a&lt;b");
    }

    /// Real text to draw from: the demo city's titles and bodies, and the shared real
    /// messages when they are beside the project.
    fn corpus() -> &'static Vec<String> {
        static CORPUS: LazyLock<Vec<String>> = LazyLock::new(|| {
            let city = crate::demo::generate(
                7,
                chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default(),
                |_| String::new(),
                &crate::secrets::Secrets::for_tests(),
            );
            let mut texts: Vec<String> = city.problems.iter().flat_map(|p| [p.title.clone(), p.description.clone()]).collect();
            texts.extend(city.opinions.iter().take(400).flat_map(|o| [o.title.clone(), o.content.clone()]));
            texts.extend(city.rectifications.iter().map(|r| format!("{}\n{}", r.measures, r.plan)));
            let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/taidi2020/hot.jsonl");
            if let Ok(lines) = std::fs::read_to_string(shared) {
                for line in lines.lines().take(1500) {
                    let v: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
                    for field in ["title", "body"] {
                        if let Some(t) = v[field].as_str().filter(|t| !t.is_empty()) {
                            texts.push(t.to_string());
                        }
                    }
                }
            }
            texts
        });
        &CORPUS
    }

    /// Hand-picked trouble: compounds before their sub-words, brackets, markup, wide and
    /// four-byte characters, digits glued to Chinese.
    const ODD: &[&str] = &[
        "停车难",
        "停车",
        "（整改）",
        "<b>",
        "&amp;",
        "\"",
        "'",
        "ＡＢＣ１２",
        "😀",
        "𠮷",
        "58车贷",
        "3号线",
        "A7县",
        "…",
        " ",
        "\n",
        "垃圾站",
        "希望尽快解决",
        "房产证",
        "幼儿园",
    ];

    fn text_strategy() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => (0..corpus().len()).prop_map(|i| corpus()[i].clone()),
            2 => prop::sample::select(ODD).prop_map(str::to_string),
            2 => "[\\u{4e00}-\\u{4fff}a-zA-Z0-9，。！？、（）]{1,12}",
        ];
        prop::collection::vec(piece, 1..6).prop_map(|parts| parts.concat())
    }

    /// A query: a piece of the text itself (by characters), or odd and random words.
    fn query_strategy(text: String) -> impl Strategy<Value = (String, String)> {
        let n = text.chars().count().max(1);
        let whole = text.clone();
        prop_oneof![
            (0..n, 1..8usize).prop_map(move |(at, len)| (whole.clone(), whole.chars().skip(at).take(len).collect::<String>())),
            (Just(text.clone()), prop::sample::select(ODD).prop_map(str::to_string)),
            (Just(text), "[\\u{4e00}-\\u{4fff}a-z ]{0,6}"),
        ]
    }

    fn cut_of(snippet: &str) -> String {
        let plain = plain(snippet);
        let plain = plain.strip_prefix(ELLIPSIS).unwrap_or(&plain);
        plain.strip_suffix(ELLIPSIS).unwrap_or(plain).to_string()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

        /// Whatever the text and the query: no panic, a highlighted text that says exactly the
        /// text, balanced tags, and a snippet that is a cut of the text within its size.
        #[test]
        fn highlights_and_snippets_keep_every_character((text, query) in text_strategy().prop_flat_map(query_strategy), max in 30usize..300) {
            let h = Highlighter::new(jieba(), &query);
            let html = h.highlight(jieba(), &text);
            prop_assert_eq!(plain(&html), text.clone());
            prop_assert_eq!(html.matches(OPEN).count(), html.matches(CLOSE).count());
            prop_assert!(!html.contains("<b></b>"));
            let snippet = h.snippet(jieba(), &text, max);
            let cut = cut_of(&snippet);
            prop_assert!(text.contains(&cut), "{snippet:?} is not cut from {text:?}");
            prop_assert!(cut.len() <= max, "{} bytes > {max}", cut.len());
        }
    }

    /// An index of real documents, titled as the lists title them (rectifications end in
    /// （整改）), searched through the real query path.
    fn engine() -> &'static crate::search::SearchEngine {
        static ENGINE: LazyLock<crate::search::SearchEngine> = LazyLock::new(|| {
            let jieba = std::sync::Arc::new(super::super::tokenizer::build_jieba(&["江南区".to_string()]));
            let engine = crate::search::SearchEngine::in_ram(jieba).unwrap();
            {
                let mut writer = engine.writer.lock().unwrap();
                for (i, pair) in corpus().chunks(2).enumerate() {
                    let title = if i % 3 == 0 { format!("{}（整改）", pair[0]) } else { pair[0].clone() };
                    let mut doc = tantivy::TantivyDocument::default();
                    doc.add_text(engine.fields.title, &title);
                    doc.add_text(engine.fields.body, pair.get(1).map(String::as_str).unwrap_or(""));
                    doc.add_text(engine.fields.visibility, "public");
                    doc.add_i64(engine.fields.date, i as i64);
                    writer.add_document(doc).unwrap();
                }
                writer.commit().unwrap();
            }
            engine.reader.reload().unwrap();
            engine
        });
        &ENGINE
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

        /// Through the real search: every hit's highlighted title says exactly its stored title.
        #[test]
        fn search_hits_keep_their_titles_whole((_, query) in (0..corpus().len()).prop_flat_map(|i| query_strategy(corpus()[i].clone()))) {
            let req = crate::search::query::SearchRequest { text: query, page: 1, public_only: true, ..Default::default() };
            let results = crate::search::query::run(engine(), &req).unwrap();
            for hit in &results.hits {
                prop_assert_eq!(plain(&hit.title_html), hit.title.clone());
                prop_assert!(hit.snippet_html.matches(OPEN).count() == hit.snippet_html.matches(CLOSE).count());
            }
        }
    }
}
