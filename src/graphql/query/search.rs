//! `search` and `suggest`: thin resolvers over `service::search`.

use async_graphql::{Context, Object};

use crate::error::AppResult;
use crate::graphql::inputs::search::{
    Facet, MatchingStrategy, SearchArgs, SearchFilterInput, SearchOrder, SearchType,
};
use crate::graphql::types::pagination::PageInfo;
use crate::graphql::types::search::{
    FacetResult, FacetValue, SearchHit, SearchResult, Suggestion, SuggestionKind,
};
use crate::search::SharedIndex;
use crate::search::document::RecordKind;
use crate::service;

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Full-text search over the practices the viewer may see (published ones; an author's
    /// own and, for moderators, every unpublished one too), live funding opportunities and
    /// cities, in every language at once. `query` understands words, "exact phrases",
    /// -excluded words and OR; words of 5 letters or more forgive one typo (two from 9). By
    /// default (`matching: PARTIAL`) hits matching every word come first, then hits matching
    /// most of the query; `matching: ALL` requires every word.
    #[allow(clippy::too_many_arguments)]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The search text (words, \"phrases\", -excluded words, OR). Empty or omitted: browse every visible record the filters match."
        )]
        query: Option<String>,
        #[graphql(desc = "Kinds of record to return; all when omitted.")] types: Option<
            Vec<SearchType>,
        >,
        #[graphql(desc = "Restricts the hits (themes, regions, dates, ...); null for none.")]
        filter: Option<SearchFilterInput>,
        #[graphql(desc = "Facets to count over every hit (not only this page).")] facets: Option<
            Vec<Facet>,
        >,
        #[graphql(desc = "RELEVANCE when omitted (DATE when browsing with an empty query).")]
        order_by: Option<SearchOrder>,
        #[graphql(
            desc = "PARTIAL when omitted: hits matching every word first, then hits matching most words; ALL requires every word."
        )]
        matching: Option<MatchingStrategy>,
        #[graphql(
            desc = "ISO 639-1 code of the query's language, boosted in ranking; detected when omitted."
        )]
        language: Option<String>,
        #[graphql(
            desc = "ISO 639-1 language the practices found answer in (then `Accept-Language`), falling back to their original; does not change what matches."
        )]
        lang: Option<String>,
        #[graphql(desc = "Page size, 1..100; 10 when omitted.")] first: Option<i32>,
        #[graphql(desc = "The `cursor` of the last hit of the previous page.")] after: Option<
            String,
        >,
    ) -> AppResult<SearchResult> {
        let gate = ctx.data_unchecked::<service::search::SearchGate>();
        let (request, regions) = crate::graphql::inputs::search::parse(
            gate,
            SearchArgs {
                query: query.unwrap_or_default(),
                types,
                filter,
                facets,
                order_by: order_by.unwrap_or(SearchOrder::Relevance),
                matching: matching.unwrap_or_default(),
                language,
                first: first.unwrap_or(10),
                after,
            },
        )?;
        let page = service::search::search(
            crate::graphql::db(ctx),
            &*crate::graphql::reference(ctx).await?,
            search_index(ctx),
            gate,
            crate::graphql::viewer(ctx),
            request,
            &regions,
        )
        .await?;
        let end_cursor = page.hits.last().map(|found| found.hit.cursor.encode());
        let start_cursor = page.hits.first().map(|found| found.hit.cursor.encode());
        let concept_keys: Vec<String> = page
            .hits
            .iter()
            .flat_map(|found| found.hit.concepts.iter().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let concepts = if concept_keys.is_empty() {
            Vec::new()
        } else {
            service::concepts::by_keys(crate::graphql::db(ctx), &concept_keys).await?
        };
        let mut hits: Vec<SearchHit> = page
            .hits
            .into_iter()
            .map(|found| SearchHit::new(found, ctx, lang.as_deref()))
            .collect();
        for hit in &mut hits {
            hit.matched_concepts = concepts
                .iter()
                .filter(|concept| hit.concept_keys.contains(&concept.row.key))
                .cloned()
                .map(crate::graphql::types::concept::Concept)
                .collect();
        }
        Ok(SearchResult {
            total_count: page.total as u64,
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                has_previous_page: false,
                start_cursor,
                end_cursor,
            },
            hits,
            facets: page
                .facets
                .into_iter()
                .map(|facet| FacetResult {
                    facet: crate::graphql::inputs::search::facet_of(facet.kind),
                    values: facet.values.into_iter().map(FacetValue::from).collect(),
                })
                .collect(),
            suggestion: page.suggestion,
            language: page.language,
        })
    }

    /// Search-as-you-type: completions of `prefix` among practice titles (in every
    /// language), cities, themes and funders. A completion's `text` is what completes the
    /// prefix, in the language typed; its `node` answers in `lang` (then `Accept-Language`)
    /// as search hits do.
    async fn suggest(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The text typed so far (at least one character).")] prefix: String,
        #[graphql(desc = "How many completions, 1..20; 8 when omitted.")] first: Option<i32>,
        #[graphql(
            desc = "ISO 639-1 language the practices suggested answer in (then `Accept-Language`), falling back to their original; does not change the completions."
        )]
        lang: Option<String>,
    ) -> AppResult<Vec<Suggestion>> {
        let suggestions = service::search::suggest(
            search_index(ctx),
            ctx.data_unchecked(),
            &prefix,
            first.unwrap_or(8),
        )
        .await?;
        Ok(suggestions
            .into_iter()
            .filter_map(|suggestion| {
                let (kind, id) = service::search::completion_target(&suggestion)?;
                let kind = match kind {
                    RecordKind::Practice => SuggestionKind::Practice,
                    RecordKind::City => SuggestionKind::City,
                    RecordKind::Theme => SuggestionKind::Theme,
                    RecordKind::Organisation => SuggestionKind::Funder,
                    _ => return None,
                };
                Some(Suggestion {
                    text: suggestion.text,
                    kind,
                    id,
                    lang: lang.clone(),
                })
            })
            .collect())
    }
}

fn search_index<'a>(ctx: &Context<'a>) -> &'a SharedIndex {
    ctx.data_unchecked::<SharedIndex>()
}
