//! 连心桥 Lianxin: the public satisfaction and rectification feedback portal.

pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod startup;
pub mod state;
pub mod store;
pub mod web;
