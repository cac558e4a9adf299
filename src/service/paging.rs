//! Keyset pagination shared by every connection: a request is `first`/`after` or
//! `last`/`before`; a cursor is the sort key of a row plus its id, opaque to clients.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

pub const MAX_PAGE_SIZE: u32 = 100;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort key of the row, as text (a timestamp, a number or a title).
    #[serde(rename = "k")]
    pub key: Option<String>,
    #[serde(rename = "i")]
    pub id: i32,
    /// The ordering the cursor was issued for; a cursor is only valid for the same ordering.
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

impl Cursor {
    pub fn from_timestamp(value: DateTime<FixedOffset>, id: i32) -> Self {
        Self {
            key: Some(value.to_rfc3339()),
            id,
            order: None,
        }
    }

    pub fn from_text(value: &str, id: i32) -> Self {
        Self {
            key: Some(value.to_owned()),
            id,
            order: None,
        }
    }

    pub fn timestamp(&self) -> Result<DateTime<FixedOffset>, sea_orm::DbErr> {
        self.key
            .as_deref()
            .and_then(|key| DateTime::parse_from_rfc3339(key).ok())
            .ok_or_else(|| sea_orm::DbErr::Custom("cursor does not hold a timestamp".into()))
    }

    pub fn for_order(mut self, order: &str) -> Self {
        self.order = Some(order.to_owned());
        self
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(text: &str) -> Result<Self, String> {
        URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| "is not a cursor returned by this API".to_owned())
    }
}

/// The rows after `cursor` in an ordering by `(key, id)`: `key > value OR (key = value AND id > id)`
/// for an ascending walk, with `<` for a descending one. `ascending` is the direction of the
/// walk (a backward page walks the display order in reverse).
pub fn keyset_condition(
    key: sea_orm::sea_query::Expr,
    id: sea_orm::sea_query::Expr,
    value: sea_orm::Value,
    cursor_id: i32,
    ascending: bool,
) -> sea_orm::sea_query::Condition {
    use sea_orm::sea_query::{Condition, ExprTrait};
    let (beyond_key, beyond_id) = if ascending {
        (key.clone().gt(value.clone()), id.gt(cursor_id))
    } else {
        (key.clone().lt(value.clone()), id.lt(cursor_id))
    };
    Condition::any()
        .add(beyond_key)
        .add(Condition::all().add(key.eq(value)).add(beyond_id))
}

/// A validated page request.
#[derive(Clone, Debug, PartialEq)]
pub enum PageRequest {
    Forward { first: u32, after: Option<Cursor> },
    Backward { last: u32, before: Option<Cursor> },
}

impl PageRequest {
    /// Checks the Relay arguments: exactly one of `first`/`last`, in 1..=100, cursors decodable.
    /// Errors name the offending argument.
    pub fn parse(
        first: Option<i32>,
        after: Option<&str>,
        last: Option<i32>,
        before: Option<&str>,
    ) -> Result<Self, (&'static str, String)> {
        let size = |name: &'static str, value: i32| {
            u32::try_from(value)
                .ok()
                .filter(|size| (1..=MAX_PAGE_SIZE).contains(size))
                .ok_or((name, format!("must be between 1 and {MAX_PAGE_SIZE}")))
        };
        let cursor = |name: &'static str, value: Option<&str>| {
            value
                .map(Cursor::decode)
                .transpose()
                .map_err(|message| (name, message))
        };
        match (first, last) {
            (Some(first), None) => {
                if before.is_some() {
                    return Err(("before", "goes with `last`, not `first`".into()));
                }
                Ok(Self::Forward {
                    first: size("first", first)?,
                    after: cursor("after", after)?,
                })
            }
            (None, Some(last)) => {
                if after.is_some() {
                    return Err(("after", "goes with `first`, not `last`".into()));
                }
                Ok(Self::Backward {
                    last: size("last", last)?,
                    before: cursor("before", before)?,
                })
            }
            (Some(_), Some(_)) => Err(("last", "give either `first` or `last`, not both".into())),
            (None, None) => Err((
                "first",
                format!("`first` or `last` is required (1..{MAX_PAGE_SIZE})"),
            )),
        }
    }

    pub fn first(first: u32) -> Self {
        Self::Forward { first, after: None }
    }

    pub fn is_forward(&self) -> bool {
        matches!(self, Self::Forward { .. })
    }

    pub fn size(&self) -> u32 {
        match self {
            Self::Forward { first, .. } => *first,
            Self::Backward { last, .. } => *last,
        }
    }

    pub fn cursor(&self) -> Option<&Cursor> {
        match self {
            Self::Forward { after, .. } => after.as_ref(),
            Self::Backward { before, .. } => before.as_ref(),
        }
    }
}

/// One page of rows in display order, each with its cursor.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<(Cursor, T)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

impl<T> Page<T> {
    /// Builds a page from rows fetched with `limit size + 1` in query order (reversed for
    /// backward pages, so they are flipped back here).
    pub fn from_rows(
        mut rows: Vec<T>,
        request: &PageRequest,
        cursor: impl Fn(&T) -> Cursor,
    ) -> Self {
        let size = request.size() as usize;
        let has_more = rows.len() > size;
        rows.truncate(size);
        if !request.is_forward() {
            rows.reverse();
        }
        let came_from_cursor = request.cursor().is_some();
        let (has_next_page, has_previous_page) = if request.is_forward() {
            (has_more, came_from_cursor)
        } else {
            (came_from_cursor, has_more)
        };
        Self {
            items: rows.into_iter().map(|row| (cursor(&row), row)).collect(),
            has_next_page,
            has_previous_page,
        }
    }
}

/// A page of a short list already in memory (a parent's children loaded in one batch for many
/// parents), ordered by `key` then id: the same keyset semantics as the SQL pages.
pub fn page_in_memory<T>(
    mut items: Vec<T>,
    request: &PageRequest,
    key: impl Fn(&T) -> (String, i32),
) -> Page<T> {
    // Rust's order, not the database's collation, so cursors compare the way items sort.
    items.sort_by_key(|item| key(item));
    let cursor = request
        .cursor()
        .map(|cursor| (cursor.key.clone().unwrap_or_default(), cursor.id));
    let forward = request.is_forward();
    let mut rows: Vec<T> = items
        .into_iter()
        .filter(|item| match &cursor {
            None => true,
            Some(cursor) if forward => key(item) > *cursor,
            Some(cursor) => key(item) < *cursor,
        })
        .collect();
    if !forward {
        rows.reverse();
    }
    rows.truncate(request.size() as usize + 1);
    Page::from_rows(rows, request, |item| {
        let (text, id) = key(item);
        Cursor::from_text(&text, id)
    })
}

/// One page of `query` ordered by the entity's `id` column alone: newest (highest id) first
/// when `newest_first`, else oldest first. `row_id` reads a row's id for its cursor, which is
/// tagged with `order` so a cursor of another list is refused.
pub async fn page_by_id<E>(
    db: &impl sea_orm::ConnectionTrait,
    mut query: sea_orm::Select<E>,
    id: E::Column,
    newest_first: bool,
    request: &PageRequest,
    order: &str,
    row_id: impl Fn(&E::Model) -> i32,
) -> Result<Page<E::Model>, sea_orm::DbErr>
where
    E: sea_orm::EntityTrait,
{
    use sea_orm::sea_query::Expr;
    use sea_orm::{Order, QueryFilter, QueryOrder, QuerySelect};
    // A backward page walks the display order in reverse.
    let ascending = request.is_forward() != newest_first;
    if let Some(cursor) = request.cursor() {
        let column = || Expr::col((E::default(), id));
        query = query.filter(keyset_condition(
            column(),
            column(),
            cursor.id.into(),
            cursor.id,
            ascending,
        ));
    }
    let rows = query
        .order_by(id, if ascending { Order::Asc } else { Order::Desc })
        .limit(u64::from(request.size()) + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, request, |row| Cursor {
        key: None,
        id: row_id(row),
        order: Some(order.into()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_must_be_one_to_one_hundred() {
        assert_eq!(
            PageRequest::parse(Some(0), None, None, None).unwrap_err().0,
            "first"
        );
        assert_eq!(
            PageRequest::parse(Some(101), None, None, None)
                .unwrap_err()
                .0,
            "first"
        );
        assert_eq!(
            PageRequest::parse(None, None, Some(-1), None)
                .unwrap_err()
                .0,
            "last"
        );
        assert!(PageRequest::parse(None, None, None, None).is_err());
        assert!(PageRequest::parse(Some(5), None, Some(5), None).is_err());
        assert_eq!(
            PageRequest::parse(Some(100), None, None, None)
                .unwrap()
                .size(),
            100
        );
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_rejected() {
        let cursor = Cursor::from_text("Oslo", 7);
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        assert_eq!(
            PageRequest::parse(Some(5), Some("nope"), None, None)
                .unwrap_err()
                .0,
            "after"
        );
    }

    #[test]
    fn an_in_memory_page_walks_like_a_keyset_page() {
        let items = vec![("a", 1), ("b", 2), ("c", 3), ("d", 4)];
        let key = |item: &(&str, i32)| (item.0.to_owned(), item.1);
        let first = page_in_memory(items.clone(), &PageRequest::first(2), key);
        assert_eq!(first.items.len(), 2);
        assert!(first.has_next_page);
        let after = first.items[1].0.clone();
        let second = page_in_memory(
            items.clone(),
            &PageRequest::Forward {
                first: 2,
                after: Some(after),
            },
            key,
        );
        let ids: Vec<i32> = second.items.iter().map(|(_, item)| item.1).collect();
        assert_eq!(ids, vec![3, 4]);
        assert!(!second.has_next_page);
        let back = page_in_memory(
            items,
            &PageRequest::Backward {
                last: 2,
                before: Some(Cursor::from_text("d", 4)),
            },
            key,
        );
        let ids: Vec<i32> = back.items.iter().map(|(_, item)| item.1).collect();
        assert_eq!(ids, vec![2, 3]);
        assert!(back.has_previous_page);
    }

    #[test]
    fn a_backward_page_is_returned_in_display_order() {
        let request = PageRequest::Backward {
            last: 2,
            before: Some(Cursor::from_text("x", 9)),
        };
        let page = Page::from_rows(vec![3, 2, 1], &request, |value| {
            Cursor::from_text("x", *value)
        });
        let values: Vec<i32> = page.items.iter().map(|(_, value)| *value).collect();
        assert_eq!(values, vec![2, 3]);
        assert!(page.has_previous_page);
        assert!(page.has_next_page);
    }
}
