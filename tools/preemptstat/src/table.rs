// SPDX-License-Identifier: GPL-2.0
//! [`Table`]: plain-text columns, each as wide as its widest cell, two spaces apart.

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text: padded on the right.
    Left,
    /// Numbers: padded on the left.
    Right,
}

/// A table of text: a header row and data rows, rendered with every column
/// as wide as its widest cell and two spaces between columns. The last
/// column is never padded, so lines have no trailing blanks.
///
/// ```
/// use preemptstat::table::{Align, Table};
///
/// let mut t = Table::new(&[("KIND", Align::Left), ("COUNT", Align::Right)]);
/// t.row(vec!["preempt".into(), "2".into()]);
/// assert_eq!(t.render(), ["KIND     COUNT", "preempt      2"]);
/// ```
#[derive(Debug, Clone)]
pub struct Table {
    header: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headings and alignments.
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Table {
            header: columns.iter().map(|(h, _)| h.to_string()).collect(),
            align: columns.iter().map(|&(_, a)| a).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    pub fn row(&mut self, mut cells: Vec<String>) {
        cells.resize(self.header.len(), String::new());
        self.rows.push(cells);
    }

    /// Whether the table has no data rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The header line followed by one line per row, without newlines.
    pub fn render(&self) -> Vec<String> {
        let width = |i: usize| {
            std::iter::once(&self.header)
                .chain(&self.rows)
                .map(|r| crate::color::visible_width(&r[i]))
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.header.len()).map(width).collect();
        std::iter::once(&self.header)
            .chain(&self.rows)
            .map(|cells| {
                let last = cells.len().saturating_sub(1);
                let mut line = String::new();
                for (i, cell) in cells.iter().enumerate() {
                    if i > 0 {
                        line.push_str("  ");
                    }
                    let pad = widths[i].saturating_sub(crate::color::visible_width(cell));
                    match self.align[i] {
                        Align::Right => {
                            line.extend(std::iter::repeat_n(' ', pad));
                            line.push_str(cell);
                        }
                        Align::Left => {
                            line.push_str(cell);
                            if i < last {
                                line.extend(std::iter::repeat_n(' ', pad));
                            }
                        }
                    }
                }
                line.truncate(line.trim_end().len());
                line
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_widest_cell() {
        let mut t = Table::new(&[("A", Align::Right), ("B", Align::Left), ("C", Align::Left)]);
        assert!(t.is_empty());
        t.row(vec!["100".into(), "x".into(), "tail".into()]);
        t.row(vec!["1".into(), "long".into()]);
        assert_eq!(t.render(), ["  A  B     C", "100  x     tail", "  1  long"]);
    }
}
