//! Where a theme stands in its life, from its counts: the messages of the window read (the last
//! four weeks, or the chosen period) against the window before it, and whether it began inside
//! the window.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// First seen inside the window, with messages enough to count.
    New,
    Rising,
    Steady,
    Falling,
    /// Nothing inside the window.
    Quiet,
}

/// Fewer messages than this in both windows are too few to call a change.
const NOTICEABLE: usize = 3;

impl Lifecycle {
    /// `recent` messages in the window, `before` in the one before it, `began_inside`: its first
    /// message falls inside the window.
    pub fn of(recent: usize, before: usize, began_inside: bool) -> Self {
        if recent == 0 {
            Self::Quiet
        } else if began_inside && before == 0 {
            if recent >= NOTICEABLE { Self::New } else { Self::Steady }
        } else if recent >= before + NOTICEABLE && recent * 2 >= before * 3 {
            Self::Rising
        } else if before >= recent + NOTICEABLE && recent * 3 <= before * 2 {
            Self::Falling
        } else {
            Self::Steady
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::New => "新出现",
            Self::Rising => "上升",
            Self::Steady => "持平",
            Self::Falling => "回落",
            Self::Quiet => "沉寂",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lifecycle::{self, *};

    #[test]
    fn a_theme_reads_by_its_two_windows() {
        assert_eq!(Lifecycle::of(0, 40, false), Quiet);
        assert_eq!(Lifecycle::of(5, 0, true), New);
        assert_eq!(Lifecycle::of(2, 0, true), Steady, "two messages are not yet a new theme");
        assert_eq!(Lifecycle::of(30, 10, false), Rising);
        assert_eq!(Lifecycle::of(4, 1, false), Rising);
        assert_eq!(Lifecycle::of(11, 10, false), Steady);
        assert_eq!(Lifecycle::of(3, 2, false), Steady, "one more is not a rise");
        assert_eq!(Lifecycle::of(5, 20, false), Falling);
        assert_eq!(Lifecycle::of(18, 20, false), Steady);
        assert_eq!(Lifecycle::of(5, 0, false), Rising, "back after a quiet window");
    }
}
