//! One test binary for everything that talks to the running app.

mod fixtures;
mod helpers;

mod demo;
mod hostile;
mod lists;
mod opinions;
mod scores;
mod search;
mod pages;
mod staff;
mod sweep;
mod themes;
