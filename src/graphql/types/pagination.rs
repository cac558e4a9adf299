//! Relay connection arguments and the page-info type shared by every connection.

use async_graphql::SimpleObject;

use crate::error::{AppError, AppResult};
use crate::service::paging::{Page, PageRequest};

pub fn request(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> AppResult<PageRequest> {
    PageRequest::parse(first, after.as_deref(), last, before.as_deref()).map_err(
        |(argument, message)| AppError::bad_input([argument], format!("`{argument}` {message}")),
    )
}

/// Relay page information.
#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    /// True when more items follow this page (page on with `first` and `after: endCursor`).
    pub has_next_page: bool,
    /// True when items precede this page (page back with `last` and `before: startCursor`).
    pub has_previous_page: bool,
    /// Cursor of the first item on the page; null when the page is empty.
    pub start_cursor: Option<String>,
    /// Cursor of the last item on the page; null when the page is empty.
    pub end_cursor: Option<String>,
}

impl PageInfo {
    pub fn of<T>(page: &Page<T>) -> Self {
        Self {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.items.first().map(|(cursor, _)| cursor.encode()),
            end_cursor: page.items.last().map(|(cursor, _)| cursor.encode()),
        }
    }
}
