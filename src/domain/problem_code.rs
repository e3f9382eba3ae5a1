//! A problem's number on the list, `WT-2026-0001` (imported lists keep theirs: 1–6 capitals, a
//! year, 1–6 digits). Parsed before any lookup, so nothing else reaches a query.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemCode(String);

impl ProblemCode {
    pub fn parse(input: &str) -> Option<Self> {
        let code = input.trim().to_ascii_uppercase();
        let parts: Vec<&str> = code.split('-').collect();
        let ok = parts.len() == 3
            && (1..=6).contains(&parts[0].len())
            && parts[0].chars().all(|c| c.is_ascii_uppercase())
            && parts[1].len() == 4
            && parts[1].chars().all(|c| c.is_ascii_digit())
            && (1..=6).contains(&parts[2].len())
            && parts[2].chars().all(|c| c.is_ascii_digit());
        ok.then_some(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_in_their_one_shape() {
        assert_eq!(ProblemCode::parse(" wt-2026-0001 ").unwrap().as_str(), "WT-2026-0001");
        assert!(ProblemCode::parse("ZG-2025-12").is_some());
        for bad in ["", "\u{0}", "WT-26-0001", "WT-2026-", "WT-2026-0001-1", "' OR 1=1--", "问题-2026-0001"] {
            assert!(ProblemCode::parse(bad).is_none(), "{bad:?}");
        }
    }
}
