//! One test binary for everything that talks to the running app.

mod fixtures;
mod helpers;
mod mail;

mod binary;
mod browser;
mod chat;
mod chat_llm;
mod chat_sets;
mod deliveries;
mod demo;
mod digests;
mod hostile;
mod lists;
mod map;
mod notifications;
mod opinions;
mod pages;
mod photos;
mod recovery;
mod reply_checks;
mod reports;
mod restart;
mod revisits;
mod scores;
mod search;
mod search_real;
mod security;
mod staff;
mod supervision;
mod sweep;
mod theme_periods;
mod themes;
mod words;
mod write_path;
