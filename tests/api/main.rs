//! One test binary for everything that talks to the running app.

mod helpers;

mod demo;
mod pages;
