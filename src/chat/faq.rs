//! How the portal and the process work: standard questions with the ways people ask them
//! (`faq.tsv`), matched by BM25 over the variants; an entry scores as its best variant.

use std::collections::HashMap;

use jieba_rs::Jieba;

pub struct Entry {
    pub id: String,
    pub question: String,
    pub answer: String,
    /// The page that does what the answer describes.
    pub link: String,
}

struct Variant {
    entry: usize,
    terms: HashMap<String, f32>,
    len: f32,
}

pub struct Faq {
    pub entries: Vec<Entry>,
    variants: Vec<Variant>,
    idf: HashMap<String, f32>,
    mean_len: f32,
}

/// The best entry for a question and its score.
pub struct Match<'a> {
    pub entry: &'a Entry,
    pub score: f32,
}

const K1: f32 = 1.2;
const B: f32 = 0.75;

/// Words and character pairs: short questions share few whole words.
fn terms(jieba: &Jieba, text: &str) -> Vec<String> {
    let text = super::understand::normalise(text);
    let mut out: Vec<String> =
        jieba.cut(&text, false).into_iter().map(|t| t.word.to_string()).filter(|w| w.chars().any(char::is_alphanumeric)).collect();
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    out.extend(chars.windows(2).map(|p| format!("#{}{}", p[0], p[1])));
    out
}

impl Faq {
    pub fn load(jieba: &Jieba) -> Self {
        let mut entries = Vec::new();
        let mut variants = Vec::new();
        for line in include_str!("faq.tsv").lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            let (id, question, asked, answer, link) = match fields[..] {
                [id, question, asked, answer] => (id, question, asked, answer, "/chat"),
                [id, question, asked, answer, link] => (id, question, asked, answer, link),
                _ => continue,
            };
            let entry = entries.len();
            for text in std::iter::once(question).chain(asked.split('|')) {
                let ts = terms(jieba, text);
                let mut counts: HashMap<String, f32> = HashMap::new();
                for t in &ts {
                    *counts.entry(t.clone()).or_default() += 1.0;
                }
                variants.push(Variant { entry, terms: counts, len: ts.len() as f32 });
            }
            entries.push(Entry { id: id.into(), question: question.into(), answer: answer.into(), link: link.into() });
        }
        let n = variants.len() as f32;
        let mut df: HashMap<String, f32> = HashMap::new();
        for v in &variants {
            for t in v.terms.keys() {
                *df.entry(t.clone()).or_default() += 1.0;
            }
        }
        let idf = df.into_iter().map(|(t, d)| (t, ((n - d + 0.5) / (d + 0.5) + 1.0).ln())).collect();
        let mean_len = variants.iter().map(|v| v.len).sum::<f32>() / n.max(1.0);
        Self { entries, variants, idf, mean_len }
    }

    /// The entry that best answers `question`, if any shares a term with it.
    pub fn best(&self, jieba: &Jieba, question: &str) -> Option<Match<'_>> {
        let asked = terms(jieba, question);
        let mut best: Option<(usize, f32)> = None;
        for v in &self.variants {
            let score: f32 = asked
                .iter()
                .filter_map(|t| {
                    let tf = *v.terms.get(t)?;
                    let idf = self.idf.get(t).copied().unwrap_or(0.0);
                    Some(idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * v.len / self.mean_len)))
                })
                .sum();
            if score > 0.0 && best.is_none_or(|(_, s)| score > s) {
                best = Some((v.entry, score));
            }
        }
        best.map(|(entry, score)| Match { entry: &self.entries[entry], score })
    }
}

/// An answer with the office's current reply deadlines in it (`{consult}`, `{complaint}`, …):
/// the FAQ never quotes a deadline the settings no longer say.
pub async fn fill(answer: &str, db: &impl sea_orm::ConnectionTrait) -> Result<String, sea_orm::DbErr> {
    if !answer.contains('{') {
        return Ok(answer.to_string());
    }
    let (d, _) = crate::settings::current::<crate::settings::Deadlines>(db).await?;
    let mut out = answer.to_string();
    for (key, days) in [
        ("{consult}", d.consult),
        ("{help}", d.help),
        ("{suggestion}", d.suggestion),
        ("{complaint}", d.complaint),
        ("{report}", d.report),
        ("{praise}", d.praise),
    ] {
        out = out.replace(key, &days.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_in_other_words_finds_its_entry() {
        let jieba = crate::search::tokenizer::build_jieba(&[]);
        let faq = Faq::load(&jieba);
        assert!(faq.entries.len() >= 20);
        let found = faq.best(&jieba, "我把查询码弄丢了还能找回来不").expect("an entry");
        assert_eq!(found.entry.id, "lost_code");
    }
}
