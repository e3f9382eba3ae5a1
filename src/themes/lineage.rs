//! Which stored theme a newly mined one continues: the one more than half of whose members are
//! in it. A theme so keeps its id across rebuilds while its members mostly stay (the office's
//! links, a promoted theme's problem); more than half of one theme's members can be in one new
//! theme only, so no two new themes continue the same old one.

use std::collections::{HashMap, HashSet};

/// The themes stored before a rebuild.
pub struct Before {
    /// Each member opinion's theme.
    pub theme_of: HashMap<i32, i32>,
    pub size: HashMap<i32, usize>,
    /// Themes to continue first when a new theme continues two (promoted ones).
    pub preferred: HashSet<i32>,
}

/// For each new theme (its member opinion ids), the old theme it continues, if any.
pub fn continued(new: &[Vec<i32>], before: &Before) -> Vec<Option<i32>> {
    new.iter()
        .map(|members| {
            let mut overlap: HashMap<i32, usize> = HashMap::new();
            for id in members {
                if let Some(old) = before.theme_of.get(id) {
                    *overlap.entry(*old).or_default() += 1;
                }
            }
            overlap
                .into_iter()
                .filter(|(old, n)| n * 2 > before.size.get(old).copied().unwrap_or(usize::MAX))
                .max_by_key(|(old, n)| (before.preferred.contains(old), *n, std::cmp::Reverse(*old)))
                .map(|(old, _)| old)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn before(themes: &[(i32, &[i32])], preferred: &[i32]) -> Before {
        Before {
            theme_of: themes.iter().flat_map(|(t, ms)| ms.iter().map(move |m| (*m, *t))).collect(),
            size: themes.iter().map(|(t, ms)| (*t, ms.len())).collect(),
            preferred: preferred.iter().copied().collect(),
        }
    }

    #[test]
    fn a_theme_keeps_its_id_while_most_of_its_members_stay() {
        let old = before(&[(7, &[1, 2, 3, 4]), (9, &[5, 6, 7])], &[]);
        let new = vec![vec![1, 2, 3, 10, 11, 12, 13], vec![5, 20, 21], vec![4, 6, 7]];
        assert_eq!(continued(&new, &old), vec![Some(7), None, Some(9)], "grown 7 continues; 9 mostly moved to the third");
    }

    #[test]
    fn two_old_themes_merged_continue_the_promoted_one_then_the_bigger() {
        let old = before(&[(1, &[1, 2, 3]), (2, &[4, 5, 6, 7])], &[]);
        assert_eq!(continued(&[vec![1, 2, 3, 4, 5, 6, 7]], &old), vec![Some(2)]);
        let promoted = before(&[(1, &[1, 2, 3]), (2, &[4, 5, 6, 7])], &[1]);
        assert_eq!(continued(&[vec![1, 2, 3, 4, 5, 6, 7]], &promoted), vec![Some(1)]);
    }

    #[test]
    fn half_is_not_most() {
        let old = before(&[(3, &[1, 2, 3, 4])], &[]);
        assert_eq!(continued(&[vec![1, 2], vec![3, 4]], &old), vec![None, None]);
    }
}
