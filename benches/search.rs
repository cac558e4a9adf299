//! Search latency, p50 and p99, on the seed data and on a synthetic corpus.
//!
//! `cargo bench --bench search` (release build). `KXC_BENCH_DOCS` sets the synthetic corpus
//! size (default 100000), `KXC_BENCH_ROUNDS` how often each query runs (default 50). Measures
//! the engine call that resolvers make on the blocking pool (query, page, facets, snippets),
//! not HTTP or the database lookups of the hits.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use kxc::config::Settings;
use kxc::domain::{GeoPoint, GeoRadius, ThemePath};
use kxc::search::document::{LocalizedText, OpenWindow, RecordKind, SearchDocument, Tag};
use kxc::search::geo::GeoFilter;
use kxc::search::request::{FacetKind, Matching, SearchFilter, SearchRequest, SortOrder};
use kxc::search::syntax::ParsedQuery;
use kxc::search::{SearchIndex, TantivyIndex};

fn main() -> anyhow::Result<()> {
    let documents: usize = env_or("KXC_BENCH_DOCS", 100_000);
    let rounds: usize = env_or("KXC_BENCH_ROUNDS", 50);
    let runtime = tokio::runtime::Runtime::new()?;

    let seed_dir = tempfile::tempdir()?;
    let seed_index = runtime.block_on(seed_index(seed_dir.path()))?;
    report("seed data", &seed_index, rounds)?;

    let synthetic_dir = tempfile::tempdir()?;
    let started = Instant::now();
    let synthetic = synthetic_index(synthetic_dir.path(), documents)?;
    println!(
        "built synthetic index of {documents} documents in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    report(&format!("synthetic {documents}"), &synthetic, rounds)?;
    Ok(())
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

async fn seed_index(dir: &std::path::Path) -> anyhow::Result<TantivyIndex> {
    let settings = Settings::with_data_dir(dir);
    let db = kxc::db::connect(&settings).await?;
    kxc::db::migrate(&db).await?;
    kxc::seed::load(&db).await?;
    let index = kxc::search::open_or_build(&db, &settings.index_dir()).await?;
    drop(db);
    std::sync::Arc::try_unwrap(index).map_err(|_| anyhow::anyhow!("index still shared"))
}

fn request(query: &str) -> SearchRequest {
    SearchRequest {
        query: ParsedQuery::parse(query).expect("query parses"),
        matching: Matching::Partial,
        language: None,
        kinds: Vec::new(),
        filter: SearchFilter::default(),
        facets: Vec::new(),
        order: SortOrder::Relevance,
        first: 10,
        after: None,
        deadline: kxc::search::deadline::Deadline::NONE,
    }
}

/// The query mix: plain words, several languages, a typo, a phrase, syntax, facets, filters,
/// geo and another order.
fn workload() -> Vec<(&'static str, SearchRequest)> {
    let oslo = GeoPoint::new(59.91, 10.75).expect("point");
    let mut faceted = request("climate");
    faceted.facets = vec![
        FacetKind::Theme,
        FacetKind::Region,
        FacetKind::Country,
        FacetKind::Language,
        FacetKind::Sdg,
    ];
    let mut themed = request("energy");
    themed.filter.themes = vec![ThemePath::parse("energy").expect("path")];
    let mut near = request("climate");
    near.filter.geo = GeoFilter {
        near: Some(GeoRadius::new(oslo, 300.0).expect("radius")),
        bbox: None,
    };
    near.order = SortOrder::Distance;
    let mut newest = request("heat");
    newest.order = SortOrder::Date;
    vec![
        ("word", request("cycling")),
        ("two words", request("district heating")),
        ("phrase", request("\"heat pumps\"")),
        ("non-English", request("energía solar")),
        ("typo", request("Copenhagn")),
        ("OR and -exclude", request("bus OR tram -diesel")),
        ("facets", faceted),
        ("theme filter", themed),
        ("near + distance", near),
        ("date order", newest),
    ]
}

fn report(corpus: &str, index: &TantivyIndex, rounds: usize) -> anyhow::Result<()> {
    let mut all = Vec::new();
    println!("\n{corpus}: {rounds} rounds per query");
    println!(
        "{:<18} {:>10} {:>10} {:>9}",
        "query", "p50 ms", "p99 ms", "hits"
    );
    for (name, request) in workload() {
        index.search(&request)?; // warm caches
        let mut timings = Vec::with_capacity(rounds);
        let mut total = 0;
        for _ in 0..rounds {
            let started = Instant::now();
            let results = index.search(&request)?;
            timings.push(started.elapsed());
            total = results.total;
        }
        println!(
            "{name:<18} {:>10.2} {:>10.2} {total:>9}",
            ms(percentile(&mut timings, 50.0)),
            ms(percentile(&mut timings, 99.0))
        );
        all.extend(timings);
    }
    println!(
        "{:<18} {:>10.2} {:>10.2}",
        "ALL SEARCHES",
        ms(percentile(&mut all, 50.0)),
        ms(percentile(&mut all, 99.0))
    );
    let mut suggest = Vec::new();
    for prefix in ["c", "cop", "heat p", "ener", "kf", "oslo c"] {
        index.suggest(prefix, 8, kxc::search::deadline::Deadline::NONE)?;
        for _ in 0..rounds {
            let started = Instant::now();
            index.suggest(prefix, 8, kxc::search::deadline::Deadline::NONE)?;
            suggest.push(started.elapsed());
        }
    }
    println!(
        "{:<18} {:>10.2} {:>10.2}",
        "suggest",
        ms(percentile(&mut suggest, 50.0)),
        ms(percentile(&mut suggest, 99.0))
    );
    Ok(())
}

fn percentile(timings: &mut [Duration], percent: f64) -> Duration {
    timings.sort();
    let rank = ((percent / 100.0) * (timings.len() - 1) as f64).round() as usize;
    timings[rank]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A deterministic corpus: practices, funding and cities in nine languages, built from the
/// seed texts' vocabulary so term frequencies look like real text.
fn synthetic_index(dir: &std::path::Path, documents: usize) -> anyhow::Result<TantivyIndex> {
    let vocabulary = vocabulary();
    let themes: Vec<&str> = [
        "energy/district-heating-cooling",
        "energy/renewables/solar",
        "mobility/cycling",
        "mobility/public-transport/bus-electrification",
        "buildings/energy-retrofit/heat-pumps",
        "nature-based-solutions/urban-forests",
        "governance/climate-budgeting",
        "waste/circular-economy",
    ]
    .to_vec();
    let regions = [
        "001/150/154/NO/NO-03",
        "001/150/154/SE",
        "001/150/155/DE",
        "001/150/155/FR",
        "001/150/039/ES",
        "001/019/419/CO",
        "001/142/030/JP",
    ];
    let languages = ["en", "fr", "de", "no", "es", "it", "nl", "sv", "pt"];
    let mut random = Lcg(42);
    let build = TantivyIndex::start_build(dir)?;
    let mut session = build.session()?;
    for id in 1..=documents {
        let kind = match id % 10 {
            0 => RecordKind::City,
            1 | 2 => RecordKind::FundingOpportunity,
            _ => RecordKind::Practice,
        };
        let mut doc = SearchDocument::new(kind, i32::try_from(id)?);
        let language = languages[random.below(languages.len())];
        let mut words = |count: usize| -> String {
            (0..count)
                .map(|_| vocabulary[random.zipf(vocabulary.len())].as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        doc.texts.push(LocalizedText {
            language: language.to_owned(),
            title: words(8),
            summary: words(30),
            body: words(if kind == RecordKind::Practice { 250 } else { 0 }),
        });
        doc.tags.push(Tag::in_language("en", words(4)));
        doc.suggest.push(doc.texts[0].title.clone());
        doc.themes
            .push(themes[random.below(themes.len())].to_owned());
        let region = regions[random.below(regions.len())];
        doc.regions.push(region.to_owned());
        doc.countries
            .push(region.split('/').nth(3).unwrap_or("NO").to_owned());
        doc.languages.push(language.to_owned());
        doc.sdgs = vec![11, 13];
        if kind == RecordKind::Practice {
            doc.score = Some(1.0 + random.below(400) as f64 / 100.0);
            doc.evaluation_label = Some("proven".into());
        }
        if kind == RecordKind::FundingOpportunity {
            doc.instrument = Some("grant".into());
            doc.provider_level = Some("eu".into());
            doc.open_window = Some(OpenWindow {
                opens: None,
                closes: None,
            });
        }
        let lat = 35.0 + random.below(3500) as f64 / 100.0;
        let lon = -10.0 + random.below(4000) as f64 / 100.0;
        doc.locations
            .push(GeoPoint::new(lat, lon).map_err(anyhow::Error::msg)?);
        doc.date = Utc
            .timestamp_opt(1_600_000_000 + id as i64 * 600, 0)
            .single();
        session.upsert(&doc)?;
    }
    session.commit(documents as i64)?;
    session.finish()?;
    build.publish()?;
    TantivyIndex::open(dir)?.ok_or_else(|| anyhow::anyhow!("published index missing"))
}

/// Words of the seed practices, most frequent first.
fn vocabulary() -> Vec<String> {
    let practices: serde_json::Value =
        serde_json::from_str(kxc::seed::PRACTICES).expect("seed practices parse");
    let mut counts = std::collections::HashMap::<String, usize>::new();
    for practice in practices.as_array().into_iter().flatten() {
        for field in ["title", "summary", "body"] {
            let text = practice[field].as_str().unwrap_or_default();
            for word in text.split(|c: char| !c.is_alphanumeric()) {
                if word.chars().count() > 1 {
                    *counts.entry(word.to_lowercase()).or_default() += 1;
                }
            }
        }
    }
    let mut words: Vec<(String, usize)> = counts.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    words.into_iter().map(|(word, _)| word).collect()
}

/// A small deterministic generator; the benchmark needs repeatable, not secure, numbers.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// Roughly Zipf-distributed ranks: low ranks (common words) far more often.
    fn zipf(&mut self, bound: usize) -> usize {
        let uniform = (self.next() as f64 + 1.0) / (1u64 << 31) as f64;
        let rank = (bound as f64).powf(uniform.min(1.0)) - 1.0;
        (rank as usize).min(bound - 1)
    }
}
