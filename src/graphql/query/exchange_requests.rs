//! `exchangeRequests(filter:)` and `exchangeRequest(id:)`: the open exchange board.

use async_graphql::{Context, ID, InputObject, Object};

use crate::domain::ThemePath;
use crate::error::{AppError, AppResult};
use crate::graphql::exec::limits;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::inputs::bounded_list;
use crate::graphql::types::exchange_request::{
    ExchangeRequest, ExchangeRequestConnection, ExchangeRequestEdge, ExchangeRequestKind,
};
use crate::graphql::types::pagination::{self, PageInfo};
use crate::service::exchange_requests::{self, ExchangeFilter};

#[derive(Default)]
pub struct ExchangeRequestQuery;

/// Which exchange requests to list; lists match any of their values (at most 100 each).
#[derive(InputObject, Default)]
pub struct ExchangeRequestFilter {
    /// Offers, needs or both.
    pub kinds: Option<Vec<ExchangeRequestKind>>,
    /// Theme paths; each matches its whole subtree.
    pub themes: Option<Vec<String>>,
    /// City slugs.
    pub cities: Option<Vec<String>>,
}

#[Object]
impl ExchangeRequestQuery {
    /// Exchange requests, newest first. `first` or `last` (1..100) is required.
    #[graphql(complexity = "limits::connection_complexity(first, last, child_complexity)")]
    async fn exchange_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which requests; null lists every one.")] filter: Option<
            ExchangeRequestFilter,
        >,
        #[graphql(desc = "Page forwards: at most this many (1..100) after `after`.")] first: Option<
            i32,
        >,
        #[graphql(desc = "Cursor to start after.")] after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many (1..100) before `before`.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor to end before.")] before: Option<String>,
    ) -> AppResult<ExchangeRequestConnection> {
        let request = pagination::request(first, after, last, before)?;
        let filter = filter.unwrap_or_default();
        let db = crate::graphql::db(ctx);
        let mut parsed = ExchangeFilter {
            kinds: bounded_list(filter.kinds, ["filter", "kinds"])?
                .into_iter()
                .map(Into::into)
                .collect(),
            ..ExchangeFilter::default()
        };
        for (index, path) in bounded_list(filter.themes, ["filter", "themes"])?
            .iter()
            .enumerate()
        {
            let path = ThemePath::parse(path).map_err(|message| {
                AppError::bad_input(
                    crate::domain::FieldPath::from(["filter", "themes"]).index(index),
                    message,
                )
            })?;
            parsed.theme_paths.push(path.as_str().to_owned());
        }
        let slugs = bounded_list(filter.cities, ["filter", "cities"])?;
        if !slugs.is_empty() {
            let mut errors = Vec::new();
            let keys: Vec<&str> = slugs.iter().map(String::as_str).collect();
            parsed.city_ids =
                crate::service::lookup::city_ids(db, &keys, "cities", &mut errors).await?;
            if !errors.is_empty() {
                return Err(AppError::from_field_errors(["filter"], &errors));
            }
        }
        let page = exchange_requests::page(db, &parsed, &request).await?;
        Ok(ExchangeRequestConnection {
            page_info: PageInfo::of(&page),
            edges: page
                .items
                .into_iter()
                .map(|(cursor, row)| ExchangeRequestEdge {
                    cursor: cursor.encode(),
                    node: ExchangeRequest(row),
                })
                .collect(),
        })
    }

    /// One exchange request by global ID, or null.
    async fn exchange_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's global ID.")] id: ID,
    ) -> AppResult<Option<ExchangeRequest>> {
        let Some(GlobalId {
            kind: RecordKind::ExchangeRequest,
            id,
        }) = GlobalId::decode(&id)
        else {
            return Ok(None);
        };
        Ok(exchange_requests::by_id(crate::graphql::db(ctx), id)
            .await?
            .map(ExchangeRequest))
    }
}
