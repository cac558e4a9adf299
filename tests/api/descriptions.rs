//! Every type, field, argument, enum value and input field of the schema has a description, so
//! GraphiQL's docs pane and generated clients explain it.

use std::collections::BTreeSet;

use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

/// Schema coordinates (`Type`, `Type.field`, `Type.field(argument:)`, `Enum.VALUE`) of every
/// element without a description; built-in scalars are described by the specification.
fn undescribed(sdl: &str) -> BTreeSet<String> {
    let document = async_graphql::parser::parse_schema(sdl).expect("the SDL parses");
    let described = |description: &Option<_>| {
        description
            .as_ref()
            .is_some_and(|text: &async_graphql::Positioned<String>| !text.node.trim().is_empty())
    };
    let mut missing = BTreeSet::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(definition) = definition else {
            continue;
        };
        let definition = &definition.node;
        let name = definition.name.node.as_str();
        if ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        if !described(&definition.description) {
            missing.insert(name.to_owned());
        }
        let fields = match &definition.kind {
            TypeKind::Object(object) => Some(&object.fields),
            TypeKind::Interface(interface) => Some(&interface.fields),
            _ => None,
        };
        for field in fields.into_iter().flatten() {
            let field = &field.node;
            if !described(&field.description) {
                missing.insert(format!("{name}.{}", field.name.node));
            }
            for argument in &field.arguments {
                if !described(&argument.node.description) {
                    missing.insert(format!(
                        "{name}.{}({}:)",
                        field.name.node, argument.node.name.node
                    ));
                }
            }
        }
        match &definition.kind {
            TypeKind::Enum(values) => {
                for value in &values.values {
                    if !described(&value.node.description) {
                        missing.insert(format!("{name}.{}", value.node.value.node));
                    }
                }
            }
            TypeKind::InputObject(input) => {
                for field in &input.fields {
                    if !described(&field.node.description) {
                        missing.insert(format!("{name}.{}", field.node.name.node));
                    }
                }
            }
            _ => {}
        }
    }
    missing
}

#[test]
fn every_schema_element_has_a_description() {
    let missing = undescribed(&kxc::graphql::sdl());
    assert!(
        missing.is_empty(),
        "{} schema elements have no description; describe them (doc comments, or \
         #[graphql(desc = \"...\")] on arguments): {missing:#?}",
        missing.len()
    );
}

#[test]
fn the_audit_finds_each_kind_of_undescribed_element() {
    let sdl = r#"
        "A described type."
        type Query { "Described." ok(limit: Int): Int  bare: Int  "Described." described("Described." first: Int): Int }
        type Bare { "Described." x: Int }
        "Kinds." enum Kind { "Described." A  B }
        "Filter." input Filter { "Described." a: Int  b: Int }
    "#;
    let missing: Vec<String> = undescribed(sdl).into_iter().collect();
    assert_eq!(
        missing,
        [
            "Bare",
            "Filter.b",
            "Kind.B",
            "Query.bare",
            "Query.ok(limit:)"
        ]
    );
}
