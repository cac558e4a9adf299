//! `kxc seed --synthetic N --rng-seed S`: a large, realistic, deterministic corpus for
//! benchmarks. Published practices in the nine seed languages (original text plus one to three
//! translations, words drawn Zipf-like from the seed practices of each language), with themes,
//! SDGs, cities and zero to three evaluations; cities spread over every country of the region
//! table (every continent); funding opportunities (one per ten practices) with themes and
//! regions. Written through a bulk path: one transaction per batch holding multi-row `INSERT`s
//! (each within the backend's parameter limit, see `service::chunked`) and the batch's
//! `change_log` rows. Record `i` depends only on `(S, i)`, so the same seed gives the same
//! corpus, and a run resumes after the records an earlier run with that seed stored.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::Future;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use futures_util::{Stream, StreamExt};
use indicatif::ProgressBar;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};

use crate::domain::{EvaluationLabel, RecordKind, mean_score, practice_score};
use crate::entity::{
    city, evaluation, funding_opportunity, funding_region, funding_theme, practice, practice_city,
    practice_sdg, practice_theme, practice_translation, region, theme,
};
use crate::service::change_log::Operation;
use crate::service::chunked::insert_all;

/// Practices written per transaction.
const BATCH: usize = 500;
const LANGUAGES: [&str; 9] = ["en", "fr", "de", "es", "no", "sv", "nl", "it", "pt"];
const INSTRUMENTS: [&str; 4] = ["grant", "loan", "technical_assistance", "prize"];
const LEVELS: [&str; 4] = ["eu", "national", "international", "regional"];

#[derive(Debug, Default)]
pub struct SyntheticReport {
    pub practices: usize,
    pub translations: usize,
    pub evaluations: usize,
    pub cities: usize,
    pub funding: usize,
}

impl SyntheticReport {
    fn add(&mut self, other: SyntheticReport) {
        self.practices += other.practices;
        self.translations += other.translations;
        self.evaluations += other.evaluations;
        self.cities += other.cities;
        self.funding += other.funding;
    }
}

impl fmt::Display for SyntheticReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "synthetic: {} practices ({} translations, {} evaluations), {} cities, {} funding opportunities",
            self.practices, self.translations, self.evaluations, self.cities, self.funding
        )
    }
}

/// SplitMix64: small, fast and stable across versions (the corpus must not change when a
/// dependency does), seeded per record from `(seed, kind, index)`.
struct Rng(u64);

impl Rng {
    fn for_record(seed: u64, stream: u64, index: usize) -> Self {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index as u64);
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Zipf-like ranks: common words far more often, as in real text.
    fn zipf(&mut self, bound: usize) -> usize {
        let rank = (bound as f64).powf(self.unit()) - 1.0;
        (rank as usize).min(bound.saturating_sub(1))
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Words of the seed practices per language, most frequent first.
fn vocabularies() -> HashMap<String, Vec<String>> {
    let practices: serde_json::Value =
        serde_json::from_str(super::PRACTICES).expect("seed practices parse");
    let mut counts: HashMap<String, HashMap<String, usize>> = HashMap::new();
    let mut add = |language: &str, text: &str| {
        let words = counts.entry(language.to_owned()).or_default();
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.chars().count() > 1 {
                *words.entry(word.to_lowercase()).or_default() += 1;
            }
        }
    };
    for practice in practices.as_array().into_iter().flatten() {
        let language = practice["original_language"].as_str().unwrap_or("en");
        for field in ["title", "summary", "body"] {
            add(language, practice[field].as_str().unwrap_or_default());
        }
        for translation in practice["translations"].as_array().into_iter().flatten() {
            let language = translation["language"].as_str().unwrap_or("en");
            for field in ["title", "summary", "body"] {
                add(language, translation[field].as_str().unwrap_or_default());
            }
        }
    }
    counts
        .into_iter()
        .map(|(language, words)| {
            let mut words: Vec<(String, usize)> = words.into_iter().collect();
            words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            (language, words.into_iter().map(|(word, _)| word).collect())
        })
        .collect()
}

struct Words {
    by_language: HashMap<String, Vec<String>>,
}

impl Words {
    fn text(&self, rng: &mut Rng, language: &str, count: usize) -> String {
        let words = self
            .by_language
            .get(language)
            .filter(|words| words.len() > 50)
            .or_else(|| self.by_language.get("en"))
            .expect("English seed vocabulary");
        let mut text = String::with_capacity(count * 8);
        for n in 0..count {
            if n > 0 {
                text.push(' ');
            }
            text.push_str(&words[rng.zipf(words.len())]);
        }
        if let Some(first) = text.get(..1) {
            let upper = first.to_uppercase();
            text.replace_range(..1, &upper);
        }
        text
    }
}

async fn append_changes(
    txn: &DatabaseTransaction,
    kind: RecordKind,
    ids: impl IntoIterator<Item = i32>,
) -> Result<(), sea_orm::DbErr> {
    let ids: Vec<i32> = ids.into_iter().collect();
    crate::service::change_log::append_many(txn, kind, &ids, Operation::Upsert)
        .await
        .map(drop)
}

/// Ids of the rows of `entity` whose `column` (a unique key) is one of `keys`.
async fn ids_by_slug(
    txn: &impl ConnectionTrait,
    slugs: &[String],
    entity: RecordKind,
) -> Result<HashMap<String, i32>, sea_orm::DbErr> {
    let mut found = HashMap::with_capacity(slugs.len());
    for chunk in slugs.chunks(10_000) {
        let rows: Vec<(i32, String)> = match entity {
            RecordKind::City => {
                city::Entity::find()
                    .select_only()
                    .columns([city::Column::Id, city::Column::Slug])
                    .filter(city::Column::Slug.is_in(chunk.iter().cloned()))
                    .into_tuple()
                    .all(txn)
                    .await?
            }
            RecordKind::FundingOpportunity => {
                funding_opportunity::Entity::find()
                    .select_only()
                    .columns([
                        funding_opportunity::Column::Id,
                        funding_opportunity::Column::ExternalId,
                    ])
                    .filter(funding_opportunity::Column::Source.eq(FUNDING_SOURCE))
                    .filter(funding_opportunity::Column::ExternalId.is_in(chunk.iter().cloned()))
                    .into_tuple()
                    .all(txn)
                    .await?
            }
            _ => {
                practice::Entity::find()
                    .select_only()
                    .columns([practice::Column::Id, practice::Column::Slug])
                    .filter(practice::Column::Slug.is_in(chunk.iter().cloned()))
                    .into_tuple()
                    .all(txn)
                    .await?
            }
        };
        found.extend(rows.into_iter().map(|(id, slug)| (slug, id)));
    }
    Ok(found)
}

const FUNDING_SOURCE: &str = "synthetic";

/// What every batch of the corpus draws from.
struct Corpus<'a> {
    seed: u64,
    prefix: &'a str,
    words: &'a Words,
    city_ids: &'a [i32],
    themes: &'a [i32],
    countries: &'a [region::Model],
}

/// Records `start..end` of one kind; `may_exist` when an earlier run may have stored some.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Batch {
    start: usize,
    end: usize,
    may_exist: bool,
}

impl Batch {
    /// The index and key (`key_of` index) of each of this batch's records no earlier run
    /// stored; the database is asked only when some may be stored.
    async fn missing(
        self,
        db: &DatabaseConnection,
        kind: RecordKind,
        key_of: impl Fn(usize) -> String,
    ) -> Result<Vec<(usize, String)>, sea_orm::DbErr> {
        let mut keys: Vec<(usize, String)> =
            (self.start..self.end).map(|i| (i, key_of(i))).collect();
        if self.may_exist {
            let all: Vec<String> = keys.iter().map(|(_, key)| key.clone()).collect();
            let stored = ids_by_slug(db, &all, kind).await?;
            keys.retain(|(_, key)| !stored.contains_key(key));
        }
        Ok(keys)
    }
}

/// Batches written at once. Each is its own transaction and takes the `change_log` tail lock
/// only when it appends its rows, just before its commit: while one batch is written the next
/// is generated and sent (on PostgreSQL to a second backend, so both cores work; on SQLite its
/// `BEGIN IMMEDIATE` waits for the first's commit).
const WRITERS: usize = 2;

/// The batches of `BATCH` records from where an earlier run stopped to `count`. Batches commit
/// out of order, so a run that stopped with `existing` records stored may have left up to
/// `WRITERS - 1` batches missing below records it stored, and it stored none from
/// `WRITERS` batches above `existing` on: the batches in between may hold stored records.
fn batches(existing: usize, count: usize) -> impl Iterator<Item = Batch> {
    let from = (existing / BATCH).saturating_sub(WRITERS) * BATCH;
    let maybe_stored = existing + WRITERS * BATCH;
    (from..count).step_by(BATCH).map(move |start| Batch {
        start,
        end: (start + BATCH).min(count),
        may_exist: existing > 0 && start < maybe_stored,
    })
}

/// `write` for each of [`batches`], [`WRITERS`] at a time, as they finish.
fn in_batches<'a, F, W>(
    existing: usize,
    count: usize,
    write: F,
) -> impl Stream<Item = anyhow::Result<SyntheticReport>> + 'a
where
    F: FnMut(Batch) -> W + 'a,
    W: Future<Output = anyhow::Result<SyntheticReport>> + 'a,
{
    futures_util::stream::iter(batches(existing, count))
        .map(write)
        .buffer_unordered(WRITERS)
}

/// Writes `count` synthetic practices (and their cities and funding) for `seed`, after the
/// built-in seed data, which gives themes and regions.
pub async fn generate(
    db: &DatabaseConnection,
    count: usize,
    seed: u64,
    progress: &ProgressBar,
) -> anyhow::Result<SyntheticReport> {
    super::load(db).await?;
    let words = Words {
        by_language: vocabularies(),
    };
    let mut countries: Vec<region::Model> = region::Entity::find()
        .filter(region::Column::Kind.eq("country"))
        .all(db)
        .await?;
    countries.sort_by(|a, b| a.code.cmp(&b.code));
    let countries: Vec<region::Model> = countries
        .into_iter()
        .filter(|country| country.lat.is_some() && country.lon.is_some())
        .collect();
    anyhow::ensure!(!countries.is_empty(), "no countries with coordinates");
    let themes: Vec<i32> = theme::Entity::find()
        .filter(theme::Column::Depth.gte(1))
        .select_only()
        .column(theme::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    anyhow::ensure!(!themes.is_empty(), "no themes");
    let prefix = format!("syn{seed}-");
    let mut report = SyntheticReport::default();

    // Cities first: practices refer to them.
    let city_count = (count / 50).max(20);
    let city_slugs: Vec<String> = (0..city_count)
        .map(|i| format!("{prefix}city-{i}"))
        .collect();
    let existing = city::Entity::find()
        .filter(city::Column::Slug.starts_with(&prefix))
        .count(db)
        .await? as usize;
    for start in (existing..city_count).step_by(BATCH * 4) {
        let end = (start + BATCH * 4).min(city_count);
        let txn = crate::service::change_log::begin_serialised(db).await?;
        let now = Utc::now().fixed_offset();
        let rows: Vec<city::ActiveModel> = (start..end)
            .map(|i| {
                let mut rng = Rng::for_record(seed, 1, i);
                // Round-robin over countries, so every continent has cities.
                let country = &countries[i % countries.len()];
                let language = *rng.pick(&LANGUAGES);
                let name = words.text(&mut rng, language, 2);
                city::ActiveModel {
                    slug: Set(city_slugs[i].clone()),
                    name: Set(format!("{name} {i}")),
                    local_names: Set(serde_json::json!({ language: name })),
                    region_id: Set(country.id),
                    country_code: Set(country.code.clone()),
                    lat: Set((country.lat.unwrap_or(0.0) + rng.unit() - 0.5).clamp(-90.0, 90.0)),
                    lon: Set((country.lon.unwrap_or(0.0) + rng.unit() - 0.5).clamp(-180.0, 180.0)),
                    population: Set(Some(10_000 + rng.below(5_000_000) as i64)),
                    population_year: Set(Some(2020 + rng.below(5) as i32)),
                    target_base_year: Set(None),
                    target_year: Set(None),
                    target_reduction_pct: Set(None),
                    net_zero_year: Set(Some(2030 + 5 * rng.below(5) as i32)),
                    target_status: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
            })
            .collect();
        insert_all(&txn, rows, 19).await?;
        let ids = ids_by_slug(&txn, &city_slugs[start..end], RecordKind::City).await?;
        append_changes(&txn, RecordKind::City, ids.values().copied()).await?;
        txn.commit().await?;
        report.cities += end - start;
    }
    let city_ids: Vec<i32> = {
        let txn = db.begin().await?;
        let ids = ids_by_slug(&txn, &city_slugs, RecordKind::City).await?;
        txn.commit().await?;
        city_slugs
            .iter()
            .filter_map(|slug| ids.get(slug).copied())
            .collect()
    };
    anyhow::ensure!(city_ids.len() == city_count, "synthetic cities missing");

    let corpus = Corpus {
        seed,
        prefix: &prefix,
        words: &words,
        city_ids: &city_ids,
        themes: &themes,
        countries: &countries,
    };
    let existing = practice::Entity::find()
        .filter(practice::Column::Slug.starts_with(&prefix))
        .count(db)
        .await? as usize;
    progress.set_length(count as u64);
    progress.set_position(existing.min(count) as u64);
    let mut batches = in_batches(existing, count, |batch| practice_batch(db, &corpus, batch));
    while let Some(written) = batches.next().await {
        let written = written?;
        progress.inc(written.practices as u64);
        report.add(written);
    }
    drop(batches);

    // Funding: one opportunity per ten practices.
    let funding_count = count / 10;
    let existing = funding_opportunity::Entity::find()
        .filter(funding_opportunity::Column::Source.eq(FUNDING_SOURCE))
        .filter(funding_opportunity::Column::ExternalId.starts_with(&prefix))
        .count(db)
        .await? as usize;
    let mut batches = in_batches(existing, funding_count, |batch| {
        funding_batch(db, &corpus, batch)
    });
    while let Some(written) = batches.next().await {
        report.add(written?);
    }
    drop(batches);
    progress.finish_and_clear();
    Ok(report)
}

/// Writes those of practices `start..end` an earlier run did not store (it is only asked when
/// `may_exist`) with their translations, links and evaluations, in one transaction with their
/// `change_log` rows.
async fn practice_batch(
    db: &DatabaseConnection,
    corpus: &Corpus<'_>,
    batch: Batch,
) -> anyhow::Result<SyntheticReport> {
    let mut report = SyntheticReport::default();
    let slug_of = |i: usize| format!("{}practice-{i}", corpus.prefix);
    let missing = batch.missing(db, RecordKind::Practice, slug_of).await?;
    let now = Utc::now().fixed_offset();
    let epoch = NaiveDate::from_ymd_opt(2015, 1, 1).expect("date");
    let mut practices = Vec::with_capacity(missing.len());
    let mut slugs = Vec::with_capacity(missing.len());
    // Everything but the practice row waits for its id.
    let mut children = Vec::with_capacity(missing.len());
    for (i, slug) in missing {
        let mut rng = Rng::for_record(corpus.seed, 2, i);
        let language = *rng.pick(&LANGUAGES);
        let evaluations: Vec<[i16; 7]> = (0..rng.below(4))
            .map(|_| std::array::from_fn(|_| 1 + rng.below(5) as i16))
            .collect();
        let means: Vec<f64> = evaluations
            .iter()
            .map(|scores| mean_score(*scores))
            .collect();
        let score = practice_score(&means);
        let started = epoch + Duration::days(rng.below(3000) as i64);
        let published = Utc
            .timestamp_opt(1_500_000_000 + (i as i64 % 250_000_000), 0)
            .single()
            .unwrap_or_else(Utc::now)
            .fixed_offset();
        let (title_words, summary_words, body_words) =
            (6 + rng.below(5), 30 + rng.below(20), 150 + rng.below(250));
        practices.push(practice::ActiveModel {
            slug: Set(slug.clone()),
            title: Set(corpus.words.text(&mut rng, language, title_words)),
            summary: Set(corpus.words.text(&mut rng, language, summary_words)),
            body: Set(corpus.words.text(&mut rng, language, body_words)),
            original_language: Set(language.to_owned()),
            status: Set("published".to_owned()),
            governance_level: Set(Some("municipal".to_owned())),
            start_date: Set(Some(started)),
            end_date: Set(None),
            cost_amount: Set(Some(10_000.0 * (1 + rng.below(1000)) as f64)),
            cost_currency: Set(Some("EUR".to_owned())),
            impact_tco2e: Set(Some((1 + rng.below(50_000)) as f64)),
            impact_baseline: Set(None),
            impact_method: Set(None),
            co_benefits: Set(serde_json::json!(["air quality"])),
            replicability_notes: Set(None),
            replicated_from_id: Set(None),
            contacts: Set(serde_json::json!([])),
            links: Set(serde_json::json!([])),
            score: Set(score),
            evaluation_label: Set(
                score.map(|value| EvaluationLabel::from_score(value).as_str().to_owned())
            ),
            evaluation_count: Set(evaluations.len() as i32),
            published_at: Set(Some(published)),
            deleted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            owner_id: Set(None),
            version: Set(1),
            review_reason: Set(None),
            ..Default::default()
        });
        let mut others: Vec<&str> = LANGUAGES
            .iter()
            .copied()
            .filter(|other| *other != language)
            .collect();
        let mut translations = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let other = others.remove(rng.below(others.len()));
            translations.push((
                other,
                corpus.words.text(&mut rng, other, 8),
                corpus.words.text(&mut rng, other, 35),
                corpus.words.text(&mut rng, other, 120),
            ));
        }
        let mut cities = vec![*rng.pick(corpus.city_ids)];
        if rng.below(4) == 0 {
            cities.push(*rng.pick(corpus.city_ids));
        }
        cities.sort_unstable();
        cities.dedup();
        let mut practice_themes = vec![*rng.pick(corpus.themes)];
        if rng.below(2) == 0 {
            practice_themes.push(*rng.pick(corpus.themes));
        }
        practice_themes.sort_unstable();
        practice_themes.dedup();
        let sdgs = [11i16, [7, 9, 12, 13, 15][rng.below(5)]];
        slugs.push(slug);
        children.push((
            translations,
            cities,
            practice_themes,
            sdgs,
            evaluations,
            started,
        ));
    }
    if slugs.is_empty() {
        return Ok(report);
    }
    // Generated first, written after: the other writer's batch is in the database meanwhile.
    let txn = crate::service::change_log::begin_write(db).await?;
    insert_all(&txn, practices, 32).await?;
    let ids = ids_by_slug(&txn, &slugs, RecordKind::Practice).await?;
    let mut translation_rows = Vec::new();
    let mut city_rows = Vec::new();
    let mut theme_rows = Vec::new();
    let mut sdg_rows = Vec::new();
    let mut evaluation_rows = Vec::new();
    let mut practice_ids = Vec::with_capacity(slugs.len());
    for (slug, (translations, cities, practice_themes, sdgs, evaluations, started)) in
        slugs.iter().zip(children)
    {
        let id = *ids
            .get(slug)
            .ok_or_else(|| anyhow::anyhow!("practice {slug} not stored"))?;
        practice_ids.push(id);
        for (language, title, summary, body) in translations {
            translation_rows.push(practice_translation::ActiveModel {
                practice_id: Set(id),
                language: Set(language.to_owned()),
                title: Set(title),
                summary: Set(summary),
                body: Set(body),
                machine_translated: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        city_rows.extend(
            cities
                .into_iter()
                .map(|city_id| practice_city::ActiveModel {
                    practice_id: Set(id),
                    city_id: Set(city_id),
                }),
        );
        theme_rows.extend(practice_themes.into_iter().map(|theme_id| {
            practice_theme::ActiveModel {
                practice_id: Set(id),
                theme_id: Set(theme_id),
            }
        }));
        let mut sdgs = sdgs.to_vec();
        sdgs.sort_unstable();
        sdgs.dedup();
        sdg_rows.extend(sdgs.into_iter().map(|sdg| practice_sdg::ActiveModel {
            practice_id: Set(id),
            sdg: Set(sdg),
        }));
        for (n, scores) in evaluations.into_iter().enumerate() {
            let [a, b, c, d, e, f, g] = scores;
            evaluation_rows.push(evaluation::ActiveModel {
                practice_id: Set(id),
                evaluator: Set(format!("Synthetic evaluator {}", n + 1)),
                relevance: Set(a),
                impact: Set(b),
                evidence_quality: Set(c),
                replicability: Set(d),
                cost_effectiveness: Set(e),
                co_benefits: Set(f),
                participation: Set(g),
                summary: Set("Synthetic evaluation.".to_owned()),
                evaluated_on: Set(started + Duration::days(365)),
                status: Set("published".to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
                evaluator_account_id: Set(None),
                ..Default::default()
            });
        }
    }
    report.translations += translation_rows.len();
    report.evaluations += evaluation_rows.len();
    insert_all(&txn, translation_rows, 8).await?;
    insert_all(&txn, city_rows, 2).await?;
    insert_all(&txn, theme_rows, 2).await?;
    insert_all(&txn, sdg_rows, 2).await?;
    insert_all(&txn, evaluation_rows, 16).await?;
    report.practices += practice_ids.len();
    append_changes(&txn, RecordKind::Practice, practice_ids).await?;
    txn.commit().await?;
    Ok(report)
}

/// Writes those of funding opportunities `start..end` an earlier run did not store (asked only
/// when `may_exist`) with their themes and regions, in one transaction with their
/// `change_log` rows.
async fn funding_batch(
    db: &DatabaseConnection,
    corpus: &Corpus<'_>,
    batch: Batch,
) -> anyhow::Result<SyntheticReport> {
    let mut report = SyntheticReport::default();
    let key_of = |i: usize| format!("{}funding-{i}", corpus.prefix);
    let missing = batch
        .missing(db, RecordKind::FundingOpportunity, key_of)
        .await?;
    let now = Utc::now().fixed_offset();
    let mut rows = Vec::with_capacity(missing.len());
    let mut keys = Vec::with_capacity(missing.len());
    let mut links: BTreeMap<String, (i32, i32)> = BTreeMap::new();
    for (i, key) in missing {
        let mut rng = Rng::for_record(corpus.seed, 3, i);
        let language = *rng.pick(&LANGUAGES);
        let country = rng.pick(corpus.countries);
        let amount = 10_000.0 * (1 + rng.below(500)) as f64;
        rows.push(funding_opportunity::ActiveModel {
            source: Set(FUNDING_SOURCE.to_owned()),
            external_id: Set(key.clone()),
            title: Set(corpus.words.text(&mut rng, language, 7)),
            summary: Set(corpus.words.text(&mut rng, language, 40)),
            provider_id: Set(None),
            provider_level: Set(rng.pick(&LEVELS).to_string()),
            provider_country: Set(None),
            instrument: Set(rng.pick(&INSTRUMENTS).to_string()),
            direction: Set("domestic".to_owned()),
            amount_min: Set(Some(amount)),
            amount_max: Set(Some(amount * 4.0)),
            currency: Set(Some("EUR".to_owned())),
            co_financing_rate: Set(None),
            opens_at: Set(None),
            rolling: Set(true),
            url: Set(None),
            language: Set(language.to_owned()),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        links.insert(key.clone(), (*rng.pick(corpus.themes), country.id));
        keys.push(key);
    }
    if rows.is_empty() {
        return Ok(report);
    }
    let txn = crate::service::change_log::begin_write(db).await?;
    insert_all(&txn, rows, 22).await?;
    let ids = ids_by_slug(&txn, &keys, RecordKind::FundingOpportunity).await?;
    let mut theme_rows = Vec::new();
    let mut region_rows = Vec::new();
    let mut funding_ids = Vec::new();
    for (key, (theme_id, region_id)) in links {
        let id = *ids
            .get(&key)
            .ok_or_else(|| anyhow::anyhow!("funding {key} not stored"))?;
        funding_ids.push(id);
        theme_rows.push(funding_theme::ActiveModel {
            funding_id: Set(id),
            theme_id: Set(theme_id),
        });
        region_rows.push(funding_region::ActiveModel {
            funding_id: Set(id),
            region_id: Set(region_id),
        });
    }
    insert_all(&txn, theme_rows, 2).await?;
    insert_all(&txn, region_rows, 2).await?;
    report.funding += funding_ids.len();
    append_changes(&txn, RecordKind::FundingOpportunity, funding_ids).await?;
    txn.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(existing: usize, count: usize) -> Vec<(usize, usize, bool)> {
        batches(existing, count)
            .map(|batch| (batch.start, batch.end, batch.may_exist))
            .collect()
    }

    #[test]
    fn a_fresh_run_writes_every_batch_without_asking_what_is_stored() {
        assert_eq!(
            spans(0, 1200),
            [(0, 500, false), (500, 1000, false), (1000, 1200, false)]
        );
        assert!(spans(0, 0).is_empty());
    }

    #[test]
    fn a_resumed_run_asks_only_where_an_interrupted_run_may_have_left_gaps() {
        // 2,500 stored: batches below 1,500 are complete; 1,500..3,500 may be partly stored
        // (up to WRITERS - 1 batches missing below stored ones, none stored from 3,500 on).
        assert_eq!(
            spans(2500, 4200),
            [
                (1500, 2000, true),
                (2000, 2500, true),
                (2500, 3000, true),
                (3000, 3500, true),
                (3500, 4000, false),
                (4000, 4200, false),
            ]
        );
        // An earlier run of another size stopped inside a batch.
        assert_eq!(spans(150, 700), [(0, 500, true), (500, 700, true)]);
        // Everything stored: the batches are asked and write nothing.
        assert_eq!(spans(200, 200), [(0, 200, true)]);
    }
}
