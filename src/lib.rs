//! juece (决策): a workflow engine for China's major administrative decision procedure
//! (重大行政决策程序, 《重大行政决策程序暂行条例》国务院令第713号).
//!
//! The crate is layered as modules: [`procedure`] is the pure engine (packs, stage graph, guards,
//! working-day calendar); everything else stores, shows or transports what it decides.

pub mod api;
pub mod app;
pub mod audit;
pub mod db;
pub mod files;
pub mod intake;
pub mod procedure;
pub mod seed;
