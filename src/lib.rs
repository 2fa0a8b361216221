//! juece (决策): a workflow engine for China's major administrative decision procedure
//! (重大行政决策程序, 《重大行政决策程序暂行条例》国务院令第713号).
//!
//! The crate is layered as modules, each standing above what it uses: [`procedure`] is the pure
//! engine (packs, stage graph, guards, admission, working-day calendar); [`db`] persists;
//! [`access`] is the role policy; [`service`] is the one door every route goes through to the
//! engine; [`api`] is HTTP only; [`server`] assembles the routes; [`app`] is the shared state.

pub mod access;
pub mod api;
pub mod app;
pub mod audit;
pub mod cache;
pub mod chain;
pub mod cli;
pub mod clock;
pub mod db;
pub mod delivery;
pub mod dossier;
pub mod export;
pub mod files;
pub mod intake;
pub mod pages;
pub mod procedure;
pub mod public_reads;
pub mod seed;
pub mod server;
pub mod service;
pub mod throttle;
pub mod writer;
