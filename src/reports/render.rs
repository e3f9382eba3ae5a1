//! A report's Markdown as a page shows it: rendered by pulldown-cmark, then cleaned by ammonia
//! to a small allow-list, so no script, event attribute, style, `javascript:` URL or outside image
//! ever reaches a page whatever the author pastes. And as plain text, for search and summaries.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "strong",
        "em",
        "del",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "code",
        "pre",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ]
    .into_iter()
    .collect();
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(tags)
        .add_tag_attributes("a", ["href", "title"])
        .add_tag_attributes("img", ["src", "alt", "title"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer nofollow"))
        // Images come from the portal itself: an outside one would be fetched by every reader's
        // browser (the portal works offline, and a tracker could watch who reads).
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") if !own_picture(value) => None,
            _ => Some(value.into()),
        });
    builder
});

/// A picture the portal serves: a report's or a piece of evidence, by number.
fn own_picture(src: &str) -> bool {
    ["/reports/images/", "/evidence/"]
        .iter()
        .any(|prefix| src.strip_prefix(prefix).is_some_and(|id| !id.is_empty() && id.len() <= 10 && id.bytes().all(|b| b.is_ascii_digit())))
}

/// The report's body as safe HTML. Headings start at level 2 (the page's title is the one `h1`).
pub fn to_html(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, options()).map(|event| match event {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: level.max(pulldown_cmark::HeadingLevel::H2), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(level.max(pulldown_cmark::HeadingLevel::H2))),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    CLEANER.clean(&html).to_string()
}

/// The report's words without Markdown syntax or HTML: what search indexes and snippets show.
pub fn to_plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_markdown_and_html_come_out_inert() {
        let payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[点我](javascript:alert(1))",
            "[点我](JaVaScRiPt:alert(1))",
            "[点我](  javascript:alert(1))",
            "<a href=\"javascript&#58;alert(1)\">x</a>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<svg onload=alert(1)>",
            "<details open ontoggle=alert(1)>",
            "![x](https://tracker.example/pixel.gif)",
            "![x](//tracker.example/pixel.gif)",
            "<img src=\"/\ttracker.example/p.gif\">",
            "![x](/&#9;/tracker.example/p.gif)",
            "<form action=\"https://evil.example\"><input name=a></form>",
            "<object data=\"x\"></object><embed src=\"x\">",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
            "<base href=\"https://evil.example/\">",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
            "<div onclick=\"alert(1)\">点击</div>",
            "[x](vbscript:msgbox(1))",
        ];
        // What could run or load is in tags; a payload shown as text is harmless.
        let tag = regex::Regex::new(r"<[^>]*>").unwrap();
        for p in payloads {
            let html = to_html(p).to_lowercase();
            let tags: String = tag.find_iter(&html).map(|m| m.as_str()).collect();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "ontoggle",
                "onclick",
                "javascript:",
                "vbscript:",
                "data:",
                "<iframe",
                "<svg",
                "style=",
                "<form",
                "<input",
                "<object",
                "<embed",
                "<base",
                "<meta",
                "tracker.example",
                "<details",
            ] {
                assert!(!tags.contains(bad), "{p:?} gave {html:?}");
            }
        }
    }

    #[test]
    fn what_a_report_needs_survives() {
        let html =
            to_html("# 整改进展\n\n**已完成** 路面修复，见[问题清单](/problems/WT-2026-0001)。\n\n![现场](/evidence/3)\n\n- 一\n- 二");
        assert!(html.contains("<h2>整改进展</h2>"), "{html}");
        assert!(html.contains("<strong>已完成</strong>"));
        assert!(html.contains(r#"<a href="/problems/WT-2026-0001" rel="noopener noreferrer nofollow">问题清单</a>"#), "{html}");
        assert!(html.contains(r#"<img src="/evidence/3" alt="现场">"#), "{html}");
        assert!(html.contains("<li>二</li>"));
        assert!(to_html("![图](/reports/images/12)").contains(r#"<img src="/reports/images/12" alt="图">"#));
        assert_eq!(to_plain("# 标题\n\n**粗体**与[链接](https://x.example)<b>html</b>"), "标题\n粗体与链接html");
    }
}
