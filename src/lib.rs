//! kxc: a GraphQL API for a knowledge-exchange centre on urban climate neutrality.
//! See `README.md` (Architecture) for where each concern lives.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod entity;
pub mod error;
pub mod graphql;
pub mod http;
pub mod search;
pub mod seed;
pub mod service;
pub mod telemetry;
