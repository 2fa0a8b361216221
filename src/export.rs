//! Tables for offices' spreadsheets: CSV (UTF-8 with a byte-order mark so that Excel and WPS read
//! Chinese correctly; cells that a spreadsheet would run as formulas neutralised) and XLSX (a real
//! workbook: bold header row, frozen, column widths, dates as dates, shares as numbers).

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

/// A cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (never a formula).
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number (e.g. a share in percent).
    Number(f64),
    /// A day.
    Date(NaiveDate),
    /// Nothing.
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Cell::Date(d)
    }
}

impl From<u32> for Cell {
    fn from(n: u32) -> Self {
        Cell::Int(i64::from(n))
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<f64> for Cell {
    fn from(n: f64) -> Self {
        Cell::Number(n)
    }
}

/// A sheet: a name, columns (header and width in characters) and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The sheet's name (at most 31 characters in a workbook).
    pub name: String,
    /// Headers and widths.
    pub columns: Vec<(String, f64)>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

/// A CSV field: quoted, with a leading `=`, `+`, `-`, `@`, tab or carriage return neutralised
/// by a `'` so that a spreadsheet shows it as text instead of running it.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The byte-order mark that opens every CSV file.
pub const BOM: &str = "\u{feff}";

/// A sheet as CSV text (BOM, CRLF line ends).
pub fn csv(sheet: &Sheet) -> String {
    let mut out = String::from(BOM);
    let header: Vec<String> = sheet.columns.iter().map(|(h, _)| csv_field(h)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in &sheet.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(s) => csv_field(s),
                Cell::Int(n) => n.to_string(),
                Cell::Number(n) => n.to_string(),
                Cell::Date(d) => d.to_string(),
                Cell::Empty => String::new(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Sheets as an XLSX workbook.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    let mut book = Book::new();
    let worksheets = sheets
        .iter()
        .map(|s| fill(book.blank(), s))
        .collect::<Result<_, _>>()?;
    book.finish(worksheets)
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> String {
    format!("the workbook could not be written: {e}")
}

/// An XLSX workbook in the making. Its worksheets are written row by row to temporary files as
/// they are filled (rust_xlsxwriter's constant-memory mode, strings inline): the annual report's
/// 6,000-row sheet in about half the time of keeping every cell and writing them all at the end
/// (issue 10). Where no temporary file can be made, a worksheet is kept in memory as before.
pub struct Book(Workbook);

impl Book {
    /// An empty workbook.
    pub fn new() -> Book {
        let mut book = Workbook::new();
        // Deflate's fastest level: the report's large sheet in about half the time of the
        // default level 6 (issue 10), for a file about twice as large (~0.4 MB).
        book.set_zip_compression_level(1);
        Book(book)
    }

    /// A blank worksheet of this workbook, to be filled by [`fill`] (on any thread) and given
    /// back to [`Book::finish`].
    pub fn blank(&mut self) -> Worksheet {
        self.0
            .new_worksheet_with_constant_memory()
            .unwrap_or_else(|e| {
                tracing::warn!("a worksheet is kept in memory (no temporary file: {e})");
                Worksheet::new()
            })
    }

    /// The workbook with `worksheets` (from [`Book::blank`]) in their order.
    pub fn finish(mut self, worksheets: Vec<Worksheet>) -> Result<Vec<u8>, String> {
        for ws in worksheets {
            self.0.push_worksheet(ws);
        }
        self.0.save_to_buffer().map_err(xlsx_error)
    }
}

impl Default for Book {
    fn default() -> Self {
        Book::new()
    }
}

/// A blank worksheet (from [`Book::blank`]) filled with a sheet, row by row: a large sheet can
/// be filled on one thread while another counts what goes in the rest (the annual report).
pub fn fill(ws: Worksheet, sheet: &Sheet) -> Result<Worksheet, String> {
    let mut filling = Filling::start(ws, &sheet.name, &sheet.columns)?;
    for row in &sheet.rows {
        filling.row(row)?;
    }
    Ok(filling.done())
}

/// A worksheet being filled: its header first, then rows as they come (the annual report's
/// adopted decisions are written while the rest are still being read).
pub struct Filling {
    ws: Worksheet,
    /// The row the next [`Filling::row`] writes.
    next: u32,
    date: Format,
}

impl Filling {
    /// Name a blank worksheet (from [`Book::blank`]; cut to 31 characters) and write its header
    /// row: bold, frozen, with the columns' widths.
    pub fn start(
        mut ws: Worksheet,
        name: &str,
        columns: &[(String, f64)],
    ) -> Result<Filling, String> {
        let err = xlsx_error;
        let bold = Format::new().set_bold();
        let name: String = name.chars().take(31).collect();
        ws.set_name(&name).map_err(err)?;
        for (c, (header, width)) in columns.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| "too many columns".to_string())?;
            ws.write_string_with_format(0, c, header, &bold)
                .map_err(err)?;
            ws.set_column_width(c, *width).map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        Ok(Filling {
            ws,
            next: 1,
            date: Format::new().set_num_format("yyyy-mm-dd"),
        })
    }

    /// Write the next row.
    pub fn row(&mut self, row: &[Cell]) -> Result<(), String> {
        let err = xlsx_error;
        let (ws, r) = (&mut self.ws, self.next);
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| "too many columns".to_string())?;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(r, c, s).map_err(err)?;
                }
                Cell::Int(n) => {
                    // Counts are far below 2^53: exact as a spreadsheet number.
                    #[allow(clippy::cast_precision_loss)]
                    ws.write_number(r, c, *n as f64).map_err(err)?;
                }
                Cell::Number(n) => {
                    ws.write_number(r, c, *n).map_err(err)?;
                }
                Cell::Date(d) => {
                    let month = u8::try_from(d.month()).unwrap_or(1);
                    let day = u8::try_from(d.day()).unwrap_or(1);
                    let year = u16::try_from(d.year()).unwrap_or(1900);
                    let dt = ExcelDateTime::from_ymd(year, month, day).map_err(err)?;
                    ws.write_datetime_with_format(r, c, &dt, &self.date)
                        .map_err(err)?;
                }
                Cell::Empty => {}
            }
        }
        self.next = r
            .checked_add(1)
            .ok_or_else(|| "too many rows".to_string())?;
        Ok(())
    }

    /// The filled worksheet, for [`Book::finish`].
    pub fn done(self) -> Worksheet {
        self.ws
    }
}
