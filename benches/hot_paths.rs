//! Criterion benches of the hot paths under every request: parsing a search query and a GraphQL
//! document, facet collection, one DataLoader batch, and keyset pages of the practice list.
//!
//! `cargo bench --bench hot_paths` (release build). The database ones run on an SQLite file
//! holding the built-in seed plus `KXC_BENCH_PRACTICES` synthetic practices (default 2000,
//! `kxc seed --synthetic` with rng seed 1), the search ones on its index.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kxc::config::Settings;
use kxc::domain::Viewer;
use kxc::search::request::{FacetKind, Matching, SearchFilter, SearchRequest, SortOrder};
use kxc::search::syntax::ParsedQuery;
use kxc::search::{SearchIndex, TantivyIndex};
use kxc::service::paging::PageRequest;
use kxc::service::practice_query::{PracticeFilter, PracticeOrder};
use kxc::service::reference::Reference;
use sea_orm::DatabaseConnection;

const SEARCH_QUERY: &str = "\"heat pumps\" district heating OR cooling -diesel";
const LIST_DOCUMENT: &str = "query List($t: String!, $r: String!) {
  practices(first: 20, filter: {themes: [$t], regions: [$r]}) {
    edges { cursor node { slug title cities { name } themes { path label } } }
    pageInfo { hasNextPage endCursor } } }";

struct Corpus {
    db: DatabaseConnection,
    /// Themes and regions, as a server keeps them between requests.
    reference: Reference,
    index: std::sync::Arc<TantivyIndex>,
    ids: Vec<i32>,
    /// The cursor after the first page.
    cursor: String,
    _dir: tempfile::TempDir,
}

fn corpus(runtime: &tokio::runtime::Runtime) -> Corpus {
    let practices: usize = std::env::var("KXC_BENCH_PRACTICES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(2000);
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = Settings::with_data_dir(dir.path());
        let db = kxc::db::connect(&settings).await.expect("connect");
        kxc::db::migrate(&db).await.expect("migrate");
        kxc::seed::load(&db).await.expect("seed");
        kxc::seed::synthetic::generate(&db, practices, 1, &indicatif::ProgressBar::hidden())
            .await
            .expect("synthetic corpus");
        kxc::db::analyze(&db).await.expect("analyze");
        let index = kxc::search::open_or_build(&db, &settings.index_dir())
            .await
            .expect("index");
        let reference = Reference::load(&db).await.expect("reference data");
        let first = page(&db, &reference, None).await;
        let ids = first.items.iter().map(|(_, row)| row.id).collect();
        let cursor = first.items.last().expect("a full page").0.encode();
        Corpus {
            db,
            reference,
            index,
            ids,
            cursor,
            _dir: dir,
        }
    })
}

async fn page(
    db: &DatabaseConnection,
    reference: &Reference,
    after: Option<&str>,
) -> kxc::service::paging::Page<kxc::entity::practice::Model> {
    let request = PageRequest::parse(Some(20), after, None, None).expect("page arguments");
    kxc::service::practices::page(
        db,
        reference,
        &Viewer::anonymous(),
        &PracticeFilter::default(),
        PracticeOrder::default(),
        &request,
    )
    .await
    .expect("page")
}

fn search_request(facets: Vec<FacetKind>) -> SearchRequest {
    SearchRequest {
        query: ParsedQuery::parse("climate energy").expect("query parses"),
        matching: Matching::Partial,
        language: None,
        kinds: Vec::new(),
        filter: SearchFilter::default(),
        facets,
        order: SortOrder::Relevance,
        first: 10,
        after: None,
        deadline: kxc::search::deadline::Deadline::NONE,
    }
}

fn parsing(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.bench_function("search query", |b| {
        b.iter(|| ParsedQuery::parse(std::hint::black_box(SEARCH_QUERY)).expect("parses"))
    });
    group.bench_function("GraphQL list document", |b| {
        b.iter(|| {
            async_graphql::parser::parse_query(std::hint::black_box(LIST_DOCUMENT)).expect("parses")
        })
    });
    group.finish();
}

fn database_and_index(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let corpus = corpus(&runtime);

    let mut group = c.benchmark_group("search");
    let plain = search_request(Vec::new());
    let faceted = search_request(vec![
        FacetKind::Theme,
        FacetKind::Region,
        FacetKind::Country,
        FacetKind::Language,
        FacetKind::Sdg,
    ]);
    group.bench_function("no facets", |b| {
        b.iter(|| corpus.index.search(&plain).expect("search"))
    });
    group.bench_function("five facets", |b| {
        b.iter(|| corpus.index.search(&faceted).expect("search"))
    });
    group.finish();

    let mut group = c.benchmark_group("dataloader batch of 20 practices");
    group.bench_function("cities", |b| {
        b.to_async(&runtime).iter(|| async {
            kxc::service::batch::practice_cities(&corpus.db, &corpus.ids)
                .await
                .expect("batch")
        })
    });
    group.bench_function("themes with labels", |b| {
        b.to_async(&runtime).iter(|| async {
            kxc::service::batch::practice_themes(&corpus.db, &corpus.reference, &corpus.ids)
                .await
                .expect("batch")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("keyset page of 20 practices");
    group.bench_function("first", |b| {
        b.to_async(&runtime)
            .iter(|| page(&corpus.db, &corpus.reference, None))
    });
    group.bench_function("after a cursor", |b| {
        b.to_async(&runtime)
            .iter(|| page(&corpus.db, &corpus.reference, Some(&corpus.cursor)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = parsing, database_and_index
}
criterion_main!(benches);
