//! `upsertFundingOpportunities` and `deleteFundingOpportunities`: partners (for their own
//! source) and admins keep a source's funding records in step with their platform. Each record
//! is rewritten into the import format and parsed by the importer's domain types, so both paths
//! accept and refuse exactly the same records.

use async_graphql::{Context, Enum, ID, InputObject, Object, ScalarType, SimpleObject};
use serde_json::{Map, Value, json};

use super::answer;
use crate::domain::{RecordKind, Slug};
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::ids::GlobalId;
use crate::graphql::inputs::{ApplicantKind, Direction, Instrument, ProviderLevel};
use crate::graphql::scalars::Date;
use crate::graphql::types::funding::FundingOpportunity;
use crate::graphql::types::user_error::UserError;
use crate::service::ServiceError;
use crate::service::funding_sync::{delete, push};
use crate::service::funding_write::Outcome;
use crate::service::permissions::Action;
use crate::service::records::{self, FieldError};

#[derive(Default)]
pub struct FundingSyncMutation;

/// One funding record as a partner's platform holds it: the fields of a funding line of the
/// import format (`kxc import funding`), in camelCase, with the same limits.
#[derive(InputObject)]
pub struct FundingRecordInput {
    /// The record's ID at its source (1..200 characters); with the source it identifies the
    /// record, so pushing it again updates it.
    pub external_id: String,
    /// The opportunity's title (1..300 characters).
    pub title: String,
    /// A plain-text summary (1..2,000 characters).
    pub summary: String,
    /// The slug of the providing organisation, if kxc knows it.
    pub provider: Option<String>,
    /// The level of the provider.
    pub provider_level: ProviderLevel,
    /// ISO 3166-1 alpha-2 code of the provider's country.
    pub provider_country: Option<String>,
    /// The kind of support.
    pub instrument: Instrument,
    /// Where support flows. Derived when omitted: national, regional and city providers are
    /// DOMESTIC; EU providers EU_INTERNAL when every eligible region lies in an EU member
    /// state (or none is listed), else EU_TO_NON_EU; international providers
    /// INTERNATIONAL_TO_EU when every listed region lies in the EU, else INTERNATIONAL.
    pub direction: Option<Direction>,
    /// Region codes applicants must be in (UN M49, ISO 3166-1 alpha-2, ISO 3166-2); none: open
    /// everywhere. At most 300.
    pub eligible_regions: Option<Vec<String>>,
    /// Who may apply.
    pub eligible_applicants: Option<Vec<ApplicantKind>>,
    /// Theme paths such as `buildings/energy-retrofit/heat-pumps`. At most 20.
    pub themes: Option<Vec<String>>,
    /// The smallest amount awarded (needs `currency`; not above `amountMax`).
    pub amount_min: Option<f64>,
    /// The largest amount awarded (needs `currency`).
    pub amount_max: Option<f64>,
    /// ISO 4217 code of the amounts.
    pub currency: Option<String>,
    /// The share of costs covered, a fraction between 0 and 1.
    pub co_financing_rate: Option<f64>,
    /// The first day applications are accepted.
    pub opens_at: Option<Date>,
    /// Application deadlines (not before `opensAt`). At most 100.
    pub deadlines: Option<Vec<Date>>,
    /// Accepts applications continuously. Default false.
    pub rolling: Option<bool>,
    /// The opportunity's page: an absolute http(s) URL.
    pub url: String,
    /// ISO 639-1 code of the record's language.
    pub language: String,
    /// The `version` last read; when the stored record has another one the call fails with
    /// CONFLICT and `extensions.currentVersion` (0 when the record does not exist yet).
    pub expected_version: Option<i32>,
}

/// Records of one source to create or update.
#[derive(InputObject)]
pub struct UpsertFundingOpportunitiesInput {
    /// The funding source (a slug); a partner key may only name its own.
    pub source: String,
    /// Up to 500 records, each at most once.
    pub records: Vec<FundingRecordInput>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// What became of a pushed record.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// The record was new and is stored.
    Created,
    /// The record differed from the stored one (or was deleted) and replaced it.
    Updated,
    /// The record equals the stored one; nothing was written.
    Unchanged,
}

/// One pushed record, in the order sent.
#[derive(SimpleObject)]
pub struct FundingUpsertResult {
    /// The record's ID at its source.
    pub external_id: String,
    /// Whether it was created, updated or left unchanged.
    pub outcome: UpsertOutcome,
    /// The record as stored now.
    pub node: Option<FundingOpportunity>,
}

/// What `upsertFundingOpportunities` did.
#[derive(SimpleObject)]
pub struct UpsertFundingOpportunitiesPayload {
    /// One result per record, in the order sent; null when `userErrors` is not empty.
    pub results: Option<Vec<FundingUpsertResult>>,
    /// What is wrong with the input (`["input", "records", 3, "amountMin"]`); when not empty,
    /// nothing of the call was stored.
    pub user_errors: Vec<UserError>,
}

/// Records of one source to delete.
#[derive(InputObject)]
pub struct DeleteFundingOpportunitiesInput {
    /// The funding source (a slug); a partner key may only name its own.
    pub source: String,
    /// Up to 500 external IDs of the source's records.
    pub external_ids: Vec<String>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// What became of a record to delete.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// The record is deleted now.
    Deleted,
    /// The record was already deleted; nothing changed.
    AlreadyDeleted,
}

/// One deleted record, in the order asked.
#[derive(SimpleObject)]
pub struct FundingDeleteResult {
    /// The record's ID at its source.
    pub external_id: String,
    /// The deleted record's global ID (it now appears as a DELETE in `changes`).
    pub id: ID,
    /// The record's version after the deletion.
    pub version: i32,
    /// Whether this call deleted it.
    pub outcome: DeleteOutcome,
}

/// What `deleteFundingOpportunities` did.
#[derive(SimpleObject)]
pub struct DeleteFundingOpportunitiesPayload {
    /// One result per external ID, in the order asked; null when `userErrors` is not empty.
    pub results: Option<Vec<FundingDeleteResult>>,
    /// What is wrong with the input (`["input", "externalIds", 2]`); when not empty, nothing
    /// was deleted.
    pub user_errors: Vec<UserError>,
}

fn source(text: &str) -> Result<Slug, ServiceError> {
    Slug::parse(text)
        .map_err(|message| ServiceError::Invalid(vec![FieldError::new("source", message)]))
}

impl FundingRecordInput {
    /// The record in the import format's spelling (snake_case keys, wire enum values),
    /// omitting what was not sent.
    fn to_import_format(&self) -> Value {
        let mut line = Map::new();
        let mut put = |key: &str, value: Value| {
            if !value.is_null() {
                line.insert(key.to_owned(), value);
            }
        };
        let date = |day: &Date| day.to_value().into_json().unwrap_or(Value::Null);
        put("external_id", json!(self.external_id));
        put("title", json!(self.title));
        put("summary", json!(self.summary));
        put("provider", json!(self.provider));
        put(
            "provider_level",
            json!(records::ProviderLevel::from(self.provider_level).as_str()),
        );
        put("provider_country", json!(self.provider_country));
        put(
            "instrument",
            json!(records::Instrument::from(self.instrument).as_str()),
        );
        put(
            "direction",
            json!(
                self.direction
                    .map(|direction| records::Direction::from(direction).as_str())
            ),
        );
        put("eligible_regions", json!(self.eligible_regions));
        put(
            "eligible_applicants",
            json!(self.eligible_applicants.as_ref().map(|kinds| {
                kinds
                    .iter()
                    .map(|kind| records::ApplicantKind::from(*kind).as_str())
                    .collect::<Vec<_>>()
            })),
        );
        put("themes", json!(self.themes));
        put("amount_min", json!(self.amount_min));
        put("amount_max", json!(self.amount_max));
        put("currency", json!(self.currency));
        put("co_financing_rate", json!(self.co_financing_rate));
        put("opens_at", self.opens_at.as_ref().map_or(Value::Null, date));
        put(
            "deadlines",
            self.deadlines.as_ref().map_or(Value::Null, |days| {
                Value::Array(days.iter().map(date).collect())
            }),
        );
        put("rolling", json!(self.rolling));
        put("url", json!(self.url));
        put("language", json!(self.language));
        Value::Object(line)
    }

    fn parse(self) -> push::Incoming {
        push::Incoming {
            record: records::parse_value(self.to_import_format()).map_err(|error| vec![error]),
            expected_version: self.expected_version.map(i64::from),
        }
    }
}

#[Object]
impl FundingSyncMutation {
    /// Creates or updates up to 500 funding records of one source, keyed by
    /// `(source, externalId)`, all or nothing: on any user error (or CONFLICT) nothing of the
    /// call is stored. Pushing the same records again changes nothing (UNCHANGED); pushing a
    /// deleted record revives it. Partners for their own source, admins for any.
    #[graphql(guard = "Allowed(Action::WriteFunding)")]
    async fn upsert_funding_opportunities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source and its records.")] input: UpsertFundingOpportunitiesInput,
    ) -> AppResult<UpsertFundingOpportunitiesPayload> {
        let outcome = match source(&input.source) {
            Ok(source) => {
                let batch = push::Push {
                    source,
                    records: input
                        .records
                        .into_iter()
                        .map(FundingRecordInput::parse)
                        .collect(),
                    reason: input.reason,
                };
                push::run(crate::graphql::db(ctx), crate::graphql::viewer(ctx), batch).await
            }
            Err(error) => Err(error),
        };
        Ok(match answer(outcome)? {
            Ok(pushed) => UpsertFundingOpportunitiesPayload {
                results: Some(
                    pushed
                        .into_iter()
                        .map(|result| FundingUpsertResult {
                            external_id: result.external_id,
                            outcome: match result.outcome {
                                Outcome::Created(_) => UpsertOutcome::Created,
                                Outcome::Updated(_) => UpsertOutcome::Updated,
                                Outcome::Unchanged(_) => UpsertOutcome::Unchanged,
                            },
                            node: result.row.map(FundingOpportunity),
                        })
                        .collect(),
                ),
                user_errors: Vec::new(),
            },
            Err(user_errors) => UpsertFundingOpportunitiesPayload {
                results: None,
                user_errors,
            },
        })
    }

    /// Deletes up to 500 funding records of one source, all or nothing: each gets a tombstone
    /// (it leaves lists, search and `node`, and shows as DELETE in `changes`); pushing it again
    /// revives it. Unknown external IDs are user errors. Partners for their own source, admins
    /// for any.
    #[graphql(guard = "Allowed(Action::WriteFunding)")]
    async fn delete_funding_opportunities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source and the external IDs to delete.")]
        input: DeleteFundingOpportunitiesInput,
    ) -> AppResult<DeleteFundingOpportunitiesPayload> {
        let outcome = match source(&input.source) {
            Ok(source) => {
                let request = delete::Delete {
                    source,
                    external_ids: input.external_ids,
                    reason: input.reason,
                };
                delete::run(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    request,
                )
                .await
            }
            Err(error) => Err(error),
        };
        Ok(match answer(outcome)? {
            Ok(deleted) => DeleteFundingOpportunitiesPayload {
                results: Some(
                    deleted
                        .into_iter()
                        .map(|done| FundingDeleteResult {
                            id: GlobalId::new(RecordKind::FundingOpportunity, done.id).encode(),
                            external_id: done.external_id,
                            version: done.version,
                            outcome: if done.changed {
                                DeleteOutcome::Deleted
                            } else {
                                DeleteOutcome::AlreadyDeleted
                            },
                        })
                        .collect(),
                ),
                user_errors: Vec::new(),
            },
            Err(user_errors) => DeleteFundingOpportunitiesPayload {
                results: None,
                user_errors,
            },
        })
    }
}
