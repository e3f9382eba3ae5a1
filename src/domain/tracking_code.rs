//! 查询码: short, easy to read aloud and type on a phone, and not guessable.

use std::fmt;

use rand::RngExt;

/// 32 symbols without 0/O/1/I, so each symbol carries 5 bits.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// 12 symbols = 60 bits, shown in three groups of four.
const LEN: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrackingCode(String);

impl TrackingCode {
    pub fn generate(rng: &mut impl rand::Rng) -> Self {
        let code = (0..LEN).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
        Self(code)
    }

    /// Accepts what people type: any case, with spaces or dashes between groups.
    pub fn parse(input: &str) -> Option<Self> {
        let mut code = String::with_capacity(LEN);
        for ch in input.chars() {
            if ch == '-' || ch == ' ' || ch == '\u{3000}' {
                continue;
            }
            let up = ch.to_ascii_uppercase();
            if !up.is_ascii() || !ALPHABET.contains(&(up as u8)) {
                return None;
            }
            code.push(up);
            if code.len() > LEN {
                return None;
            }
        }
        (code.len() == LEN).then_some(Self(code))
    }

    /// The stored form: 12 symbols, no dashes.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingCode {
    /// The shown form: `ABCD-EFGH-JKMN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", &self.0[0..4], &self.0[4..8], &self.0[8..12])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_avoid_confusable_symbols_and_parse_back() {
        let mut rng = rand::rng();
        for _ in 0..1000 {
            let code = TrackingCode::generate(&mut rng);
            assert!(!code.as_str().contains(['0', 'O', '1', 'I']));
            assert_eq!(TrackingCode::parse(&code.to_string()), Some(code.clone()));
            assert_eq!(TrackingCode::parse(&code.as_str().to_lowercase()), Some(code));
        }
    }

    #[test]
    fn codes_carry_at_least_fifty_bits() {
        assert!((LEN as f64) * (ALPHABET.len() as f64).log2() >= 50.0);
    }

    #[test]
    fn malformed_input_is_refused() {
        for bad in ["", "ABCD", "ABCD-EFGH-JKMN-P", "ABCD-EFGH-JK0N", "码ABCDEFGHJKMN", "ＡBCDEFGHJKMN"] {
            assert_eq!(TrackingCode::parse(bad), None, "{bad}");
        }
    }
}
