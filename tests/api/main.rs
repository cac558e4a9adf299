mod cli;
mod helpers;
mod http;
mod import;
mod practices;
mod schema;
mod search;
mod taxonomy_and_places;
