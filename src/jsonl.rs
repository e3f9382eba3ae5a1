//! The one JSON Lines reader: imports, evaluations, clustering and classification read their
//! files here, line by line, so a file of any size streams.

use std::io::BufRead;
use std::path::Path;

use crate::tabular::{ImportRow, Rejected};

/// Each non-empty line as a row of text cells by key, or the line that is not a JSON object.
pub fn rows(reader: impl BufRead) -> impl Iterator<Item = Result<ImportRow, Rejected>> {
    reader.split(b'\n').enumerate().filter_map(|(i, line)| {
        let line = match line {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(_) => return Some(Err(Rejected { line: i + 1, reason: "无法读取这一行".into() })),
        };
        if line.trim().is_empty() {
            return None;
        }
        Some(match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&line) {
            Ok(object) => Ok(ImportRow { line: i + 1, cells: cells(object) }),
            Err(_) => Err(Rejected { line: i + 1, reason: "不是有效的 JSON 对象".into() }),
        })
    })
}

/// A JSON object's values as text cells (strings as they are, null as empty, others as JSON).
pub fn cells(object: serde_json::Map<String, serde_json::Value>) -> std::collections::HashMap<String, String> {
    object
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (k, text)
        })
        .collect()
}

/// A citizen's message as the analysis commands read it.
#[derive(Debug, Clone, Default)]
pub struct Message {
    pub id: String,
    pub title: String,
    pub body: String,
    pub label: String,
    pub time: String,
    pub user: String,
    pub likes: i64,
    pub dislikes: i64,
}

impl Message {
    /// Title and body, as the models read a message.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.title, self.body)
    }
}

/// Every message of a file (lines that are not objects are skipped).
pub fn messages(path: &Path) -> Result<Vec<Message>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?;
    Ok(rows(std::io::BufReader::new(file))
        .filter_map(Result::ok)
        .map(|row| {
            let get = |k: &str| row.cells.get(k).cloned().unwrap_or_default();
            let number = |k: &str| get(k).trim().parse::<i64>().unwrap_or(0);
            Message {
                id: get("id"),
                title: get("title"),
                body: get("body"),
                label: get("label"),
                time: get("time"),
                user: get("user"),
                likes: number("likes"),
                dislikes: number("dislikes"),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_rows_and_broken_lines_are_reported() {
        let input = "{\"id\": 7, \"title\": \"路灯\"}\n\nnot json\n{\"id\": null}\n";
        let out: Vec<_> = rows(input.as_bytes()).collect();
        assert_eq!(out.len(), 3);
        let first = out[0].as_ref().unwrap();
        assert_eq!((first.line, first.cells["id"].as_str(), first.cells["title"].as_str()), (1, "7", "路灯"));
        assert_eq!(out[1].as_ref().err().map(|r| r.line), Some(3));
        assert_eq!(out[2].as_ref().unwrap().cells["id"], "");
    }
}
