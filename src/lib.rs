//! 连心桥 Lianxin: the public satisfaction and rectification feedback portal.

pub mod accounts;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod evidence;
pub mod journal;
pub mod limits;
pub mod lists;
pub mod opinions;
pub mod privacy;
pub mod reports;
pub mod score;
pub mod search;
pub mod service;
pub mod settings;
pub mod startup;
pub mod state;
pub mod store;
pub mod tabular;
pub mod themes;
pub mod units;
pub mod web;
