//! 4×4 grids side by side, and bars — the renderer's second shape, for
//! `cryptolab aes`.
//!
//! A 16-byte block drawn as a 4×4 matrix filled **column by column** (byte
//! `i` at row `i mod 4`, column `i div 4`: the way FIPS-197 draws the AES
//! state), several grids in one row block, each under its label:
//!
//! ```text
//!   start        SubBytes     ShiftRows
//!   19 a0 9a e9  d4 e0 b8 1e  d4 e0 b8 1e
//!   3d f4 c6 f8  27 bf b4 41  bf b4 41 27
//!   e3 e2 8d 48  11 98 5d 52  5d 52 11 98
//!   be 2b 2a 08  ae f1 e5 30  30 ae f1 e5
//! ```
//!
//! Cells are bytes in hex, or marks (`x` where two blocks differ, `.`
//! where they agree). Like the dump renderer, this knows nothing of
//! cryptography: a grid is a label and 16 cells. The text is plain, so it
//! reads the same with or without colour.

/// One grid: a label (one or more lines) over 16 cells, column-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    label: Vec<String>,
    cells: [String; 16],
}

impl Grid {
    /// The 16 bytes of `block` in hex, under `label`.
    pub fn bytes(label: impl Into<String>, block: &[u8; 16]) -> Self {
        Grid { label: vec![label.into()], cells: block.map(|b| format!("{b:02x}")) }
    }

    /// `x` where `marked`, `.` elsewhere, under `label`.
    pub fn marks(label: impl Into<String>, marked: &[bool; 16]) -> Self {
        Grid { label: vec![label.into()], cells: marked.map(|m| if m { "x" } else { "." }.to_string()) }
    }

    /// Adds a line under the label (a count, a note).
    pub fn sublabel(mut self, line: impl Into<String>) -> Self {
        self.label.push(line.into());
        self
    }

    /// Row `r` (0..4): cells `r`, `r + 4`, `r + 8`, `r + 12`, one space apart.
    fn row(&self, r: usize) -> String {
        (0..4).map(|c| self.cells[r + 4 * c].as_str()).collect::<Vec<_>>().join(" ")
    }

    fn width(&self) -> usize {
        let rows = (0..4).map(|r| self.row(r).chars().count());
        self.label.iter().map(|l| l.chars().count()).chain(rows).max().unwrap_or(0)
    }
}

/// Gap between two grids in a row block.
const GAP: usize = 2;

/// The grids side by side, each column as wide as its widest label or row,
/// `GAP` spaces apart, every line indented by `indent` spaces: the label
/// lines, then the four rows. Lines carry no trailing spaces and no final
/// newline.
pub fn side_by_side(grids: &[Grid], indent: usize) -> String {
    let label_lines = grids.iter().map(|g| g.label.len()).max().unwrap_or(0);
    let widths: Vec<usize> = grids.iter().map(Grid::width).collect();
    let line = |cell: &dyn Fn(&Grid) -> String| {
        let mut out = " ".repeat(indent);
        for (i, (g, w)) in grids.iter().zip(&widths).enumerate() {
            if i > 0 {
                out.push_str(&" ".repeat(GAP));
            }
            let text = cell(g);
            out.push_str(&text);
            out.push_str(&" ".repeat(w - text.chars().count()));
        }
        out.trim_end().to_string()
    };
    let mut lines = Vec::with_capacity(label_lines + 4);
    for l in 0..label_lines {
        lines.push(line(&|g: &Grid| g.label.get(l).cloned().unwrap_or_default()));
    }
    for r in 0..4 {
        lines.push(line(&|g: &Grid| g.row(r)));
    }
    lines.join("\n")
}

/// A bar of `filled` `#` in a field of `width` columns, with a `|` at column
/// `tick` (a reference mark, such as "half") when the bar does not reach it;
/// no trailing spaces.
pub fn bar(filled: usize, width: usize, tick: Option<usize>) -> String {
    let filled = filled.min(width);
    let mut out = "#".repeat(filled);
    if let Some(t) = tick.filter(|&t| t >= filled && t < width) {
        out.push_str(&" ".repeat(t - filled));
        out.push('|');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_drawn_column_by_column() {
        let block: [u8; 16] = std::array::from_fn(|i| i as u8);
        let text = side_by_side(&[Grid::bytes("in", &block)], 2);
        assert_eq!(text, "  in\n  00 04 08 0c\n  01 05 09 0d\n  02 06 0a 0e\n  03 07 0b 0f");
    }

    #[test]
    fn grids_sit_side_by_side_under_labels_of_any_width() {
        let mut marked = [false; 16];
        marked[5] = true;
        let grids = [Grid::marks("a long label", &marked).sublabel("1 byte"), Grid::marks("b", &[false; 16])];
        let text = side_by_side(&grids, 0);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "a long label  b");
        assert_eq!(lines[1], "1 byte");
        assert_eq!(lines[2], ". . . .       . . . .");
        assert_eq!(lines[3], ". x . .       . . . .");
    }

    #[test]
    fn bars_carry_a_tick_until_they_reach_it() {
        assert_eq!(bar(2, 10, Some(5)), "##   |");
        assert_eq!(bar(7, 10, Some(5)), "#######");
        assert_eq!(bar(20, 10, None), "##########");
    }
}
