#[test]
fn the_checked_in_schema_matches_the_running_schema() {
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
            .expect("schema.graphql exists");
    let running = kxc::graphql::sdl();
    assert!(
        checked_in == running,
        "schema.graphql is stale: run `cargo run -- schema --output schema.graphql`"
    );
}
