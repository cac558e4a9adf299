//! GraphQL requests as they arrive: a JSON body (one request or a batch) or GET parameters.
//! Anything malformed becomes a [`Rejection`] with a message for the client.

use async_graphql::Variables;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Why a request could not be read; answered 400 with `BAD_USER_INPUT`.
#[derive(Debug)]
pub struct Rejection(pub String);

/// The parameters of one GraphQL request, with the spec's names.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default, rename = "operationName")]
    pub operation_name: Option<String>,
    #[serde(default)]
    pub variables: Option<Map<String, Value>>,
    #[serde(default)]
    pub extensions: Option<Map<String, Value>>,
}

/// GET parameters: `variables` and `extensions` are JSON text.
#[derive(Debug, Deserialize)]
pub struct GetParams {
    pub query: Option<String>,
    #[serde(rename = "operationName")]
    pub operation_name: Option<String>,
    pub variables: Option<String>,
    pub extensions: Option<String>,
}

impl GetParams {
    /// False when the URL carries no GraphQL request at all (a browser opening the endpoint).
    pub fn is_empty(&self) -> bool {
        self.query.is_none() && self.extensions.is_none()
    }

    pub fn into_params(self) -> Result<Params, Rejection> {
        Ok(Params {
            query: self.query,
            operation_name: self.operation_name,
            variables: json_object("variables", self.variables.as_deref())?,
            extensions: json_object("extensions", self.extensions.as_deref())?,
        })
    }
}

fn json_object(name: &str, text: Option<&str>) -> Result<Option<Map<String, Value>>, Rejection> {
    text.map(|text| {
        serde_json::from_str::<Option<Map<String, Value>>>(text)
            .map_err(|error| Rejection(format!("`{name}` is not a JSON object: {error}")))
    })
    .transpose()
    .map(Option::flatten)
}

/// A POST body: one request object, or an array of them (a batch).
pub enum Body {
    Single(Params),
    Batch(Vec<Params>),
}

impl Body {
    pub fn parse(bytes: &[u8], max_batch: usize) -> Result<Self, Rejection> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|error| Rejection(format!("the body is not valid JSON: {error}")))?;
        match value {
            Value::Array(items) if items.is_empty() => {
                Err(Rejection("a batch must hold at least one request".into()))
            }
            Value::Array(items) if items.len() > max_batch => Err(Rejection(format!(
                "a batch may hold at most {max_batch} requests; this one holds {}",
                items.len()
            ))),
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(index, item)| params(item, &format!("[{index}].")))
                .collect::<Result<_, _>>()
                .map(Body::Batch),
            item => params(item, "").map(Body::Single),
        }
    }
}

fn params(value: Value, prefix: &str) -> Result<Params, Rejection> {
    if !value.is_object() {
        return Err(Rejection(format!(
            "{}the request must be a JSON object with `query`",
            prefix.trim_end_matches('.')
        )));
    }
    serde_path_to_error::deserialize(value)
        .map_err(|error| Rejection(format!("{prefix}{}: {}", error.path(), error.inner())))
}

impl Params {
    /// The request for the schema. A request needs a `query`, unless it names an automatic
    /// persisted query by hash.
    pub fn into_request(self) -> Result<async_graphql::Request, Rejection> {
        let persisted = self
            .extensions
            .as_ref()
            .is_some_and(|extensions| extensions.contains_key("persistedQuery"));
        let query = self.query.unwrap_or_default();
        if query.is_empty() && !persisted {
            return Err(Rejection("`query` is required".into()));
        }
        let mut request = async_graphql::Request::new(query);
        request.operation_name = self.operation_name;
        request.variables = Variables::from_json(Value::Object(self.variables.unwrap_or_default()));
        for (name, value) in self.extensions.unwrap_or_default() {
            let value = async_graphql::Value::from_json(value)
                .map_err(|_| Rejection(format!("`extensions.{name}` is not valid")))?;
            request.extensions.0.insert(name, value);
        }
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_limited_and_each_item_must_be_an_object() {
        assert!(matches!(
            Body::parse(br#"{"query":"{a}"}"#, 1),
            Ok(Body::Single(_))
        ));
        assert!(
            matches!(Body::parse(br#"[{"query":"{a}"}]"#, 1), Ok(Body::Batch(items)) if items.len() == 1)
        );
        let too_many = Body::parse(br#"[{"query":"{a}"},{"query":"{b}"}]"#, 1)
            .err()
            .unwrap();
        assert!(too_many.0.contains("at most 1"), "{}", too_many.0);
        assert!(Body::parse(b"[]", 5).is_err());
        assert!(Body::parse(b"[1]", 5).err().unwrap().0.starts_with("[0]"));
        assert!(
            Body::parse(b"{", 5)
                .err()
                .unwrap()
                .0
                .contains("not valid JSON")
        );
        let wrong = Body::parse(br#"{"query": 1}"#, 5).err().unwrap();
        assert!(wrong.0.contains("query"), "{}", wrong.0);
    }

    #[test]
    fn a_request_needs_a_query_or_a_persisted_query_hash() {
        assert!(Params::default().into_request().is_err());
        let persisted = Params {
            extensions: serde_json::from_str(
                r#"{"persistedQuery":{"version":1,"sha256Hash":"x"}}"#,
            )
            .unwrap(),
            ..Params::default()
        };
        assert!(persisted.into_request().is_ok());
        let get = GetParams {
            query: Some("{a}".into()),
            operation_name: None,
            variables: Some("[1]".into()),
            extensions: None,
        };
        assert!(get.into_params().err().unwrap().0.contains("variables"));
    }
}
