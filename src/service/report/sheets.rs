//! The report as sheets for CSV and XLSX: the figures, and the adopted decisions with their
//! procedures.

use chrono::NaiveDate;

use super::{AdoptedRow, Figure, Report, PROCEDURES};
use crate::export::{Cell, Sheet};

/// The report as sheets: the figures, and the adopted decisions with their procedures.
pub fn sheets(r: &Report) -> Vec<Sheet> {
    vec![figures_sheet(&r.figures), adopted_sheet(&r.adopted)]
}

/// The figures as a sheet.
pub(super) fn figures_sheet(figures: &[Figure]) -> Sheet {
    Sheet {
        name: "年度报告数据".into(),
        columns: vec![
            ("指标".into(), 28.0),
            ("figure".into(), 28.0),
            ("数值".into(), 10.0),
            ("分母".into(), 10.0),
            ("比例(%)".into(), 10.0),
            ("口径".into(), 80.0),
            ("统计记录".into(), 40.0),
        ],
        rows: figures
            .iter()
            .map(|f| {
                vec![
                    Cell::from(f.label_zh),
                    Cell::from(f.id),
                    Cell::Int(i64::try_from(f.value).unwrap_or(i64::MAX)),
                    f.of.map_or(Cell::Empty, |n| {
                        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
                    }),
                    f.share.map_or(Cell::Empty, Cell::Number),
                    Cell::from(f.definition_zh),
                    Cell::from(f.counts),
                ]
            })
            .collect(),
    }
}

/// The adopted decisions' sheet's name.
pub(super) const ADOPTED_SHEET: &str = "作出的决策";

/// The adopted decisions with their procedures as a sheet.
pub(super) fn adopted_sheet(adopted: &[AdoptedRow]) -> Sheet {
    Sheet {
        name: ADOPTED_SHEET.into(),
        columns: adopted_columns(),
        rows: adopted.iter().map(adopted_cells).collect(),
    }
}

/// The adopted decisions' columns: headers and widths.
pub(super) fn adopted_columns() -> Vec<(String, f64)> {
    let mut columns = vec![
        ("决策".to_string(), 38.0),
        ("名称".to_string(), 40.0),
        ("作出日期".to_string(), 12.0),
    ];
    columns.extend(PROCEDURES.iter().map(|(_, zh, _)| (zh.to_string(), 14.0)));
    columns
}

/// An adopted decision's row.
pub(super) fn adopted_cells(a: &AdoptedRow) -> Vec<Cell> {
    let mut row = vec![
        Cell::from(a.id.as_str()),
        Cell::from(a.title.as_str()),
        a.adopted_on
            .as_deref()
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .map_or(Cell::Empty, Cell::Date),
    ];
    row.extend((0..PROCEDURES.len()).map(|i| Cell::from(procedure_word(a.procedures.get(i)))));
    row
}

fn procedure_word(w: &str) -> &'static str {
    match w {
        "completed" => "已履行",
        "waived" => "依法免予",
        "missing" => "应履行未履行",
        "done_voluntarily" => "已履行（非必经）",
        _ => "非必经",
    }
}
