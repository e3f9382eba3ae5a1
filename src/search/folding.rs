//! Identical titles fold into one hit: the same complaint sent again and again (repeat
//! submissions, copied posts) shows once, with "另有 N 条相同反映", instead of filling the page.
//! Only opinions fold, by a fast field holding a digest of the title as written (letters and
//! digits, lowercased), so folding a thousand hits reads no stored document.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use tantivy::{DocAddress, Searcher};

use super::SearchError;

/// The fast field's name in the schema.
pub const FIELD: &str = "title_key";

/// The folding key of an opinion's title; 0 (never folded) for anything else or an empty title.
pub fn title_key(doc_type: &str, title: &str) -> u64 {
    let letters: String = super::tokenizer::normalise(title).chars().filter(|c| c.is_alphanumeric()).collect();
    if doc_type != "opinion" || letters.is_empty() {
        return 0;
    }
    let digest = Sha256::digest(letters.as_bytes());
    u64::from_le_bytes(digest[..8].try_into().expect("eight bytes")).max(1)
}

/// One hit in rank order, before folding.
#[derive(Debug, Clone, Copy)]
pub struct Ranked {
    pub score: f32,
    pub address: DocAddress,
    pub all_words: bool,
}

/// A hit and the documents folded into it, in rank order.
#[derive(Debug)]
pub struct Folded {
    pub lead: Ranked,
    pub same: Vec<DocAddress>,
}

/// Folds ranked hits: each later hit whose title key equals an earlier one's joins it.
pub fn fold(searcher: &Searcher, ranked: Vec<Ranked>) -> Result<Vec<Folded>, SearchError> {
    let columns = searcher.segment_readers().iter().map(|segment| segment.fast_fields().u64(FIELD)).collect::<Result<Vec<_>, _>>()?;
    let mut out: Vec<Folded> = Vec::with_capacity(ranked.len());
    let mut lead_of: HashMap<u64, usize> = HashMap::new();
    for hit in ranked {
        let key = columns[hit.address.segment_ord as usize].first(hit.address.doc_id).unwrap_or(0);
        match (key != 0).then(|| lead_of.get(&key).copied()).flatten() {
            Some(lead) => out[lead].same.push(hit.address),
            None => {
                if key != 0 {
                    lead_of.insert(key, out.len());
                }
                out.push(Folded { lead: hit, same: Vec::new() });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_opinions_fold_and_only_by_their_letters() {
        assert_eq!(title_key("opinion", "小区噪音扰民！"), title_key("opinion", " 小区噪音扰民"));
        assert_ne!(title_key("opinion", "小区噪音扰民"), title_key("opinion", "小区油烟扰民"));
        assert_eq!(title_key("problem", "小区噪音扰民"), 0);
        assert_eq!(title_key("opinion", "！？"), 0);
    }
}
