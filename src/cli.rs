//! Command-line interface.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "lianxin", version, about = "连心桥 — 群众满意度与整改反馈平台")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web portal (migrates the database first).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (default: LIANXIN_BIND or 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
        /// Seed the demo city into an empty database and print the demo logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Seed the demo city into an empty database; with --opinions N, grown to N opinions with
    /// generated messages (as `gen-corpus` writes them, imported in batches).
    SeedDemo {
        #[arg(long)]
        opinions: Option<usize>,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Mark items past their deadline as overdue (the server also does this every hour).
    CheckDeadlines,
    /// Import records from a file.
    Import {
        #[command(subcommand)]
        what: ImportKind,
    },
    /// Rebuild the search index from the database (stop the server on this data directory first).
    Reindex,
    /// Measure search recall and precision on a JSON Lines file of messages (id, title, body).
    SearchEval {
        #[arg(long)]
        input: std::path::PathBuf,
        /// How many query words to try.
        #[arg(long, default_value_t = 60)]
        queries: usize,
        /// Print every query's figures.
        #[arg(long)]
        verbose: bool,
    },
    /// Propose words the dictionary lacks. With `--input`, from a JSON Lines file of messages
    /// (printed, nothing stored); without, from the stored opinions, for the office to review.
    DiscoverWords {
        #[arg(long)]
        input: Option<std::path::PathBuf>,
        /// How many proposals to print.
        #[arg(long, default_value_t = 50)]
        show: usize,
    },
    /// Train the routing classifier on labelled messages and label new ones.
    Classify {
        /// JSON Lines with `title`, `body` and `label`.
        #[arg(long)]
        train: std::path::PathBuf,
        /// JSON Lines with `id`, `title`, `body`.
        #[arg(long)]
        input: std::path::PathBuf,
        /// Written as JSON Lines `{"id", "label", "confidence"}`.
        #[arg(long)]
        output: std::path::PathBuf,
    },
    /// Cross-validate the routing classifier (folds split by title) and print macro-F1.
    ClassifyEval {
        #[arg(long)]
        data: std::path::PathBuf,
        #[arg(long, default_value_t = 5)]
        folds: usize,
    },
    /// Check replies as a unit's desk does before they are sent (offline analysis).
    ReplyCheck {
        /// JSON Lines with `id`, `title`, `body`, `reply` and optional `time`, `reply_time`.
        #[arg(long)]
        input: std::path::PathBuf,
        /// One line per reply: `{"id", "findings": [{"code", "message"}], "score"}` (0–100).
        #[arg(long)]
        output: std::path::PathBuf,
    },
    /// Mine hot themes from a JSON Lines file of messages (offline analysis).
    Cluster {
        /// `id`, `title`, `body` and optional `time`, `user`, `likes`, `dislikes` per line.
        #[arg(long)]
        input: std::path::PathBuf,
        /// One line per input message: `{"id", "theme"}` (`null` for noise).
        #[arg(long)]
        output: std::path::PathBuf,
        /// One line per theme, hottest first: `{"theme", "rank", "heat", "size", "label", "keywords"}`.
        #[arg(long)]
        themes: std::path::PathBuf,
    },
    /// Satisfaction scores for a period (2026-Q3, 2026-07 or 2026; default: the current quarter).
    Score {
        #[arg(long)]
        period: Option<String>,
        /// city | unit | region | category | theme
        #[arg(long, default_value = "unit")]
        level: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Publish the period under the settings in force (published numbers never change).
        #[arg(long)]
        publish: bool,
    },
    /// Write N made-up opinions (the demo city's places and phrases, many themes skewed like real
    /// traffic) as JSON Lines, for sizes no real data set reaches.
    GenCorpus {
        #[arg(long)]
        n: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(long)]
        output: std::path::PathBuf,
    },
    /// Hot themes in the database.
    Themes {
        #[command(subcommand)]
        action: ThemesAction,
    },
    /// Write a consistent copy of the SQLite database, the evidence files and a manifest to FILE
    /// (a tar archive), while the portal keeps serving.
    Backup { file: std::path::PathBuf },
    /// Restore a backup into the data directory (refused over existing data without --force);
    /// the search index is rebuilt at the next start.
    Restore {
        file: std::path::PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create an account; the password is prompted for, or read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// admin | office | publicity | unit
        #[arg(long)]
        role: String,
        /// The unit's code, for unit accounts.
        #[arg(long)]
        unit: Option<String>,
        /// Shown name (default: the username).
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a new password (prompted for, or read from standard input).
    Passwd {
        #[arg(long)]
        username: String,
    },
    /// Disable an account: it can no longer log in.
    Disable {
        #[arg(long)]
        username: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Walk the chain (links, hashes, MACs) and compare its head with the checkpoint file and,
    /// if given, an anchor line printed earlier by `audit checkpoint`; names the first problem.
    Verify {
        #[arg(long)]
        anchor: Option<String>,
    },
    /// Anchor the current head: update the checkpoint file and print a signed line to keep.
    Checkpoint,
}

#[derive(Debug, Subcommand)]
pub enum ImportKind {
    /// Problems with their responsibilities, from .xlsx, .xls or .csv.
    Problems { file: std::path::PathBuf },
    /// Opinions exported from 12345 hotlines and message boards, from .csv, .xlsx or .jsonl.
    Opinions {
        file: std::path::PathBuf,
        /// Name of the source system; external ids are kept as SOURCE:id (default: the file name).
        #[arg(long)]
        source: Option<String>,
        /// Column mapping overrides, e.g. --map title=主题 --map body=内容.
        #[arg(long = "map", value_parser = parse_mapping)]
        map: Vec<(String, String)>,
    },
}

fn parse_mapping(value: &str) -> Result<(String, String), String> {
    value
        .split_once('=')
        .map(|(field, header)| (field.trim().to_string(), header.trim().to_string()))
        .filter(|(f, h)| !f.is_empty() && !h.is_empty())
        .ok_or_else(|| "格式应为 字段=表头，如 title=留言主题".to_string())
}

#[derive(Debug, Subcommand)]
pub enum ThemesAction {
    /// Re-mine every public opinion into themes, from scratch (promoted themes are kept).
    Rebuild,
}
