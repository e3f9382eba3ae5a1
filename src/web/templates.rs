//! Tera templates, compiled into the binary. Names end in `.html`, so tera autoescapes them.

use actix_web::http::StatusCode;
use tera::{Context, Tera};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("confirm.html", include_str!("../../templates/confirm.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("public/home.html", include_str!("../../templates/public/home.html")),
    ("public/help.html", include_str!("../../templates/public/help.html")),
    ("public/privacy.html", include_str!("../../templates/public/privacy.html")),
    ("public/accessibility.html", include_str!("../../templates/public/accessibility.html")),
    ("public/subscribe.html", include_str!("../../templates/public/subscribe.html")),
    ("auth/login.html", include_str!("../../templates/auth/login.html")),
    ("auth/account.html", include_str!("../../templates/auth/account.html")),
    ("admin/index.html", include_str!("../../templates/admin/index.html")),
    ("admin/audit.html", include_str!("../../templates/admin/audit.html")),
    ("office/index.html", include_str!("../../templates/office/index.html")),
    ("publicity/index.html", include_str!("../../templates/publicity/index.html")),
    ("publicity/report.html", include_str!("../../templates/publicity/report.html")),
    ("publicity/revision.html", include_str!("../../templates/publicity/revision.html")),
    ("public/reports.html", include_str!("../../templates/public/reports.html")),
    ("public/report.html", include_str!("../../templates/public/report.html")),
    ("unit/index.html", include_str!("../../templates/unit/index.html")),
    ("unit/work.html", include_str!("../../templates/unit/work.html")),
    ("partials/error_summary.html", include_str!("../../templates/partials/error_summary.html")),
    ("partials/badges.html", include_str!("../../templates/partials/badges.html")),
    ("partials/case_progress.html", include_str!("../../templates/partials/case_progress.html")),
    ("partials/case_steps.html", include_str!("../../templates/partials/case_steps.html")),
    ("partials/opinion_detail.html", include_str!("../../templates/partials/opinion_detail.html")),
    ("partials/queued_run.html", include_str!("../../templates/partials/queued_run.html")),
    ("partials/problem.html", include_str!("../../templates/partials/problem.html")),
    ("public/lists.html", include_str!("../../templates/public/lists.html")),
    ("public/problem.html", include_str!("../../templates/public/problem.html")),
    ("public/opinion.html", include_str!("../../templates/public/opinion.html")),
    ("public/unit.html", include_str!("../../templates/public/unit.html")),
    ("office/problem_new.html", include_str!("../../templates/office/problem_new.html")),
    ("office/map.html", include_str!("../../templates/office/map.html")),
    ("office/verify.html", include_str!("../../templates/office/verify.html")),
    ("office/verify_item.html", include_str!("../../templates/office/verify_item.html")),
    ("office/import.html", include_str!("../../templates/office/import.html")),
    ("citizen/new.html", include_str!("../../templates/citizen/new.html")),
    ("citizen/submitted.html", include_str!("../../templates/citizen/submitted.html")),
    ("citizen/track.html", include_str!("../../templates/citizen/track.html")),
    ("citizen/unsubscribe.html", include_str!("../../templates/citizen/unsubscribe.html")),
    ("citizen/chat.html", include_str!("../../templates/citizen/chat.html")),
    ("citizen/mine.html", include_str!("../../templates/citizen/mine.html")),
    ("citizen/recover.html", include_str!("../../templates/citizen/recover.html")),
    ("citizen/revisit.html", include_str!("../../templates/citizen/revisit.html")),
    ("citizen/revisit_form.html", include_str!("../../templates/citizen/revisit_form.html")),
    ("partials/settled.html", include_str!("../../templates/partials/settled.html")),
    ("partials/reply_check.html", include_str!("../../templates/partials/reply_check.html")),
    ("partials/notices.html", include_str!("../../templates/partials/notices.html")),
    ("partials/stalled.html", include_str!("../../templates/partials/stalled.html")),
    ("office/supervision.html", include_str!("../../templates/office/supervision.html")),
    ("citizen/rate_form.html", include_str!("../../templates/citizen/rate_form.html")),
    ("office/opinions.html", include_str!("../../templates/office/opinions.html")),
    ("office/opinion.html", include_str!("../../templates/office/opinion.html")),
    ("office/followups.html", include_str!("../../templates/office/followups.html")),
    ("unit/opinions.html", include_str!("../../templates/unit/opinions.html")),
    ("unit/opinion.html", include_str!("../../templates/unit/opinion.html")),
    ("public/search.html", include_str!("../../templates/public/search.html")),
    ("office/themes.html", include_str!("../../templates/office/themes.html")),
    ("office/words.html", include_str!("../../templates/office/words.html")),
    ("office/chat.html", include_str!("../../templates/office/chat.html")),
    ("office/chat_conversation.html", include_str!("../../templates/office/chat_conversation.html")),
    ("office/theme.html", include_str!("../../templates/office/theme.html")),
    ("office/theme_report.html", include_str!("../../templates/office/theme_report.html")),
    ("public/satisfaction.html", include_str!("../../templates/public/satisfaction.html")),
    ("public/score_rules.html", include_str!("../../templates/public/score_rules.html")),
    ("partials/score_legend.html", include_str!("../../templates/partials/score_legend.html")),
    ("partials/score_table.html", include_str!("../../templates/partials/score_table.html")),
    ("office/score_subject.html", include_str!("../../templates/office/score_subject.html")),
    ("office/scores.html", include_str!("../../templates/office/scores.html")),
    ("feeds/atom.xml", include_str!("../../templates/feeds/atom.xml")),
];

pub fn load() -> tera::Result<Tera> {
    let mut tera = Tera::default();
    tera.add_raw_templates(TEMPLATES.iter().copied())?;
    tera.register_filter("urlencode", urlencode);
    Ok(tera)
}

/// Percent-encodes a value for use inside a URL path or query (tera's own needs its
/// `builtins` feature and a dozen crates).
fn urlencode(value: &tera::Value, _: &std::collections::HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let text = match value {
        tera::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let encoded: String = url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
    Ok(tera::Value::String(encoded.replace('+', "%20")))
}

/// The error page, rendered without request state so any failure can use it.
pub fn error_page(status: StatusCode, message: &str) -> String {
    let mut ctx = Context::new();
    ctx.insert("site_name", "连心桥");
    ctx.insert("status", &status.as_u16());
    ctx.insert("message", message);
    ERROR_TERA.with(|tera| tera.render("error.html", &ctx)).unwrap_or_else(|_| format!("{} {message}", status.as_u16()))
}

thread_local! {
    static ERROR_TERA: Tera = load().expect("templates compiled into the binary parse");
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        super::load().expect("templates parse");
    }

    /// A template left out of the list would only fail when a page first includes it.
    #[test]
    fn every_template_file_is_compiled_in() {
        fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, root, out);
                } else {
                    out.push(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut files = Vec::new();
        walk(&root, &root, &mut files);
        for file in files {
            assert!(super::TEMPLATES.iter().any(|(name, _)| *name == file), "{file} is not in TEMPLATES");
        }
    }
}
