//! Reading the tables offices and hotlines export: CSV (UTF-8, or GBK as Excel in China
//! saves it), XLSX/XLS and JSON Lines, into rows keyed by header.

use std::collections::HashMap;

use calamine::{Data, DataType, Reader};
use serde::Serialize;

/// One row of an imported file: its line number (1 = the header) and its cells by header.
pub struct ImportRow {
    pub line: usize,
    pub cells: HashMap<String, String>,
}

/// Reads a table; JSON Lines lines that do not parse come back as rejected rows.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<(Vec<ImportRow>, Vec<Rejected>), String> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        return Ok(read_jsonl(bytes));
    }
    read_grid(file_name, bytes).map(|rows| (rows, Vec::new()))
}

/// Rows of a file as a stream, and how many there are (counted ahead, for progress). JSON Lines
/// and UTF-8 CSV are read line by line, in constant memory whatever their size; spreadsheets
/// and GBK CSV (Excel's, and small) are read whole.
pub type RowStream = Box<dyn Iterator<Item = Result<ImportRow, Rejected>>>;

pub fn stream_file(path: &std::path::Path) -> Result<(RowStream, usize), String> {
    use std::io::{BufRead, BufReader, Read};
    let unreadable = |e: std::io::Error| format!("无法读取 {}：{e}", path.display());
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let lines = || -> Result<usize, String> {
        let file = std::fs::File::open(path).map_err(unreadable)?;
        Ok(BufReader::with_capacity(1 << 20, file).split(b'\n').count())
    };
    if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
        let total = lines()?;
        let file = std::fs::File::open(path).map_err(unreadable)?;
        return Ok((Box::new(crate::jsonl::rows(BufReader::with_capacity(1 << 20, file))), total));
    }
    if name.ends_with(".csv") {
        let mut head = vec![0u8; 64 * 1024];
        let n = std::fs::File::open(path).map_err(unreadable)?.read(&mut head).map_err(unreadable)?;
        head.truncate(n);
        let utf8 = match std::str::from_utf8(&head) {
            Ok(_) => true,
            // A read can end inside a character: only the tail may be incomplete.
            Err(e) => e.error_len().is_none(),
        };
        if utf8 {
            let total = lines()?.saturating_sub(1);
            let file = std::fs::File::open(path).map_err(unreadable)?;
            return Ok((csv_rows(BufReader::with_capacity(1 << 20, file))?, total));
        }
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let (rows, broken) = read_table(&name, &bytes)?;
    let total = rows.len() + broken.len();
    Ok((Box::new(rows.into_iter().map(Ok).chain(broken.into_iter().map(Err))), total))
}

/// A UTF-8 CSV, streamed: the first row names the columns.
fn csv_rows(reader: impl std::io::Read + 'static) -> Result<RowStream, String> {
    let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
    let mut records = reader.into_records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(first)) => first.iter().map(|h| h.trim().trim_start_matches('\u{FEFF}').to_string()).collect(),
        Some(Err(e)) => return Err(format!("无法读取表头：{e}")),
        None => return Err("文件是空的".into()),
    };
    Ok(Box::new(records.enumerate().filter_map(move |(i, record)| {
        let line = i + 2;
        match record {
            Ok(record) if record.iter().any(|c| !c.trim().is_empty()) => Some(Ok(ImportRow {
                line,
                cells: headers.iter().cloned().zip(record.iter().map(str::to_string).chain(std::iter::repeat(String::new()))).collect(),
            })),
            Ok(_) => None,
            Err(_) => Some(Err(Rejected { line, reason: "这一行无法按 CSV 读取".into() })),
        }
    })))
}

fn read_jsonl(bytes: &[u8]) -> (Vec<ImportRow>, Vec<Rejected>) {
    let (mut rows, mut broken) = (Vec::new(), Vec::new());
    for row in crate::jsonl::rows(bytes) {
        match row {
            Ok(row) => rows.push(row),
            Err(rejected) => broken.push(rejected),
        }
    }
    (rows, broken)
}

/// Reads CSV or XLSX/XLS: the first row names the columns.
fn read_grid(file_name: &str, bytes: &[u8]) -> Result<Vec<ImportRow>, String> {
    let lower = file_name.to_lowercase();
    let grid: Vec<Vec<String>> = if lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".xlsm") {
        let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| format!("无法读取表格文件：{e}"))?;
        let range = book.worksheet_range_at(0).ok_or("表格文件没有工作表")?.map_err(|e| format!("无法读取工作表：{e}"))?;
        range.rows().map(|row| row.iter().map(cell_text).collect()).collect()
    } else if lower.ends_with(".csv") {
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t.trim_start_matches('\u{FEFF}').to_string(),
            Err(_) => encoding_rs::GBK.decode(bytes).0.into_owned(),
        };
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut grid = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| format!("CSV 格式有误：{e}"))?;
            grid.push(record.iter().map(str::to_string).collect());
        }
        grid
    } else {
        return Err("只支持 .csv、.xlsx、.xls 或 .jsonl 文件".into());
    };
    let mut lines = grid.into_iter();
    let headers: Vec<String> = lines.next().ok_or("文件是空的")?.into_iter().map(|h| h.trim().to_string()).collect();
    Ok(lines
        .enumerate()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, cells)| ImportRow {
            line: i + 2,
            cells: headers.iter().cloned().zip(cells.into_iter().chain(std::iter::repeat(String::new()))).collect(),
        })
        .collect())
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::DateTime(_) => cell.as_datetime().map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Empty | Data::Error(_) => String::new(),
        other => other.to_string(),
    }
}

#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// The first [`KEPT_REJECTIONS`] rejected lines with their reasons…
    pub rejected: Vec<Rejected>,
    /// …and how many were rejected in all.
    pub rejected_total: usize,
}

/// Reasons kept per import: a file of a million bad lines must not fill memory with them.
pub const KEPT_REJECTIONS: usize = 1000;

impl ImportReport {
    pub fn reject(&mut self, rejected: Rejected) {
        self.rejected_total += 1;
        if self.rejected.len() < KEPT_REJECTIONS {
            self.rejected.push(rejected);
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Rejected {
    pub line: usize,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_gbk_is_read() {
        let (bytes, _, _) = encoding_rs::GBK.encode("问题标题,区域\n路灯不亮,城关区\n");
        let (rows, _) = read_table("导入.csv", &bytes).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].cells["问题标题"], "路灯不亮");
    }

    #[test]
    fn jsonl_lines_become_rows_and_broken_lines_are_reported() {
        let (rows, broken) = read_table("a.jsonl", "{\"id\": 7, \"title\": \"路灯\"}\n\nnot json\n{\"id\": null}\n".as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cells["id"], "7");
        assert_eq!(rows[1].cells["id"], "");
        assert_eq!(broken.len(), 1);
        assert_eq!(broken[0].line, 3);
    }
}
