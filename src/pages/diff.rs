//! A line diff between two draft versions (longest common subsequence), for the console's
//! decision page. Drafts are texts, not packs: `procedure::diff` compares packs only.

use serde::Serialize;

/// One line of a diff.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Line {
    /// `same`, `add` or `del`.
    pub kind: &'static str,
    /// The line.
    pub text: String,
}

/// The most cells of the comparison table: beyond it, the texts are shown as replaced whole.
const MAX_CELLS: usize = 4_000_000;

/// The lines of `old` and `new` as kept, removed and added.
pub fn lines(old: &str, new: &str) -> Vec<Line> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let line = |kind, text: &str| Line {
        kind,
        text: text.to_string(),
    };
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        return a
            .iter()
            .map(|t| line("del", t))
            .chain(b.iter().map(|t| line("add", t)))
            .collect();
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(line("same", a[i]));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(line("del", a[i]));
            i += 1;
        } else {
            out.push(line("add", b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|t| line("del", t)));
    out.extend(b[j..].iter().map(|t| line("add", t)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_removed_and_added_and_the_rest_kept() {
        let d = lines("一\n二\n三", "一\n贰\n三\n四");
        let kinds: Vec<(&str, &str)> = d.iter().map(|l| (l.kind, l.text.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                ("same", "一"),
                ("del", "二"),
                ("add", "贰"),
                ("same", "三"),
                ("add", "四")
            ]
        );
    }
}
