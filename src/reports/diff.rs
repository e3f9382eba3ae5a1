//! What changed between two revisions of a report, line by line: the longest common
//! subsequence of their lines (a report is at most 20,000 characters, so a few hundred lines).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// `same`, `added` or `removed`.
    pub kind: &'static str,
    pub text: String,
}

/// Beyond this many line pairs the table would cost too much memory: the texts are shown as
/// one removed, the other added.
const MAX_CELLS: usize = 1_000_000;

pub fn lines(before: &str, after: &str) -> Vec<Line> {
    let (a, b): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    let line = |kind, text: &str| Line { kind, text: text.to_string() };
    if (a.len() + 1).saturating_mul(b.len() + 1) > MAX_CELLS {
        return a.iter().map(|t| line("removed", t)).chain(b.iter().map(|t| line("added", t))).collect();
    }
    // common[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut common = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] { common[i + 1][j + 1] + 1 } else { common[i + 1][j].max(common[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::with_capacity(a.len().max(b.len())));
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(line("same", a[i]));
            (i, j) = (i + 1, j + 1);
        } else if common[i + 1][j] >= common[i][j + 1] {
            out.push(line("removed", a[i]));
            i += 1;
        } else {
            out.push(line("added", b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|t| line("removed", t)));
    out.extend(b[j..].iter().map(|t| line("added", t)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_show_as_removed_then_added_and_the_rest_stays() {
        let diff = lines("标题\n旧的一行\n结尾", "标题\n新的一行\n结尾\n补充");
        let kinds: Vec<(&str, &str)> = diff.iter().map(|l| (l.kind, l.text.as_str())).collect();
        assert_eq!(kinds, [("same", "标题"), ("removed", "旧的一行"), ("added", "新的一行"), ("same", "结尾"), ("added", "补充")]);
        assert!(lines("一\n二", "一\n二").iter().all(|l| l.kind == "same"));
        assert_eq!(lines("", "新").len(), 1);
        let long = "行\n".repeat(2000);
        assert_eq!(lines(&long, &long).len(), 4000, "too long to compare: all removed, all added");
    }
}
