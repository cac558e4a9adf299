//! `practicePublished(filter:)`: practices as a moderator publishes them.

use std::sync::Arc;

use async_graphql::{Context, InputObject, Subscription};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sea_orm::DatabaseConnection;

use crate::error::AppError;
use crate::graphql::AcceptedLanguages;
use crate::graphql::inputs::PracticeFilter;
use crate::graphql::types::practice::Practice;
use crate::service;

#[derive(Default)]
pub struct PracticeSubscription;

/// Which published practices to announce; lists match any of their values (at most 100 each),
/// the two combine with AND. Null announces every one.
#[derive(InputObject, Default)]
pub struct PracticePublishedFilter {
    /// Theme paths; each matches its whole subtree (`energy` matches `energy/renewables/solar`).
    pub themes: Option<Vec<String>>,
    /// Region codes (UN M49, ISO 3166-1 or ISO 3166-2); each matches its whole subtree.
    pub regions: Option<Vec<String>>,
}

#[Subscription]
impl PracticeSubscription {
    /// Each practice as `publishPractice` publishes it, once the change is committed, when it
    /// matches `filter` and the subscriber may see it (re-read with the subscriber's
    /// credentials). Changes committed from about the moment of subscribing are announced.
    async fn practice_published(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which practices to announce; null for every published practice.")]
        filter: Option<PracticePublishedFilter>,
        #[graphql(desc = "ISO 639-1 language to answer in, falling back to the original")]
        lang: Option<String>,
    ) -> async_graphql::Result<BoxStream<'static, async_graphql::Result<Practice>>> {
        let filter = filter.unwrap_or_default();
        let filter = PracticeFilter {
            themes: filter.themes,
            regions: filter.regions,
            ..PracticeFilter::default()
        }
        .parse()
        .map_err(async_graphql::Error::from)?;
        let db: DatabaseConnection = crate::graphql::db(ctx).clone();
        let viewer = crate::graphql::viewer(ctx).clone();
        let receiver = super::changes(ctx)?;
        let reference = ctx.data::<service::reference::RequestReference>()?.clone();
        service::live::check_filter(&db, &*reference.get().await?, &filter)
            .await
            .map_err(AppError::from)?;
        let mut wanted: Vec<String> = lang
            .map(|code| code.to_ascii_lowercase())
            .into_iter()
            .collect();
        if let Some(accepted) = ctx.data_opt::<AcceptedLanguages>() {
            wanted.extend(accepted.0.iter().cloned());
        }
        let state = (receiver, Arc::new((db, reference, viewer, filter, wanted)));
        Ok(
            futures_util::stream::unfold(state, |(mut receiver, shared)| async move {
                let (db, reference, viewer, filter, wanted) = &*shared;
                loop {
                    let change = super::next_change(&mut receiver).await?;
                    match service::live::published_practice(db, reference, viewer, filter, &change)
                        .await
                    {
                        Ok(None) => continue,
                        Ok(Some(row)) => {
                            let item = Ok(Practice {
                                row,
                                wanted: wanted.clone(),
                            });
                            return Some((item, (receiver, shared)));
                        }
                        Err(error) => {
                            let error = crate::error::AppError::from(error);
                            return Some((Err(error.into()), (receiver, shared)));
                        }
                    }
                }
            })
            .boxed(),
        )
    }
}
