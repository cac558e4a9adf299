//! The object types of the schema (and their connections), wrapping service models. Field
//! resolvers load relations through the request's DataLoaders.

pub mod api_key;
pub mod audit;
pub mod city;
pub mod funding;
pub mod node;
pub mod organisation;
pub mod pagination;
pub mod practice;
pub mod practice_connection;
pub mod region;
pub mod search;
pub mod theme;
pub mod user_error;
pub mod viewer;
