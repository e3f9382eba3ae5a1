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
    /// Seed the demo city into an empty database.
    SeedDemo,
}
