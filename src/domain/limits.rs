//! How long each text field and each list of an input may be, in one place: the domain
//! newtypes and the record checks read these, and the README's "Field limits" table documents
//! them (change both together). Text is measured in characters (Unicode scalar values).

/// Practice, translation, funding opportunity and event titles.
pub const TITLE: usize = 300;
/// Names of people, cities, organisations, partnerships, evaluators; local names; labels.
pub const NAME: usize = 200;
/// Short free text: a contact's role, a co-benefit, a link's title, a reporting platform.
pub const SHORT_TEXT: usize = 200;
/// Summaries of practices, translations, funding opportunities and evaluations.
pub const SUMMARY: usize = 2_000;
/// Longer free text: organisation, event and partnership descriptions, replicability notes,
/// an impact estimate's baseline and method.
pub const DESCRIPTION: usize = 5_000;
/// Markdown bodies of practices and their translations.
pub const BODY: usize = 100_000;
/// A funding opportunity's ID at its source.
pub const EXTERNAL_ID: usize = 200;
/// An e-mail address (RFC 5321's limit on a forward path).
pub const EMAIL: usize = 254;
/// An absolute http(s) URL.
pub const URL: usize = 2_048;

/// Items in any one list argument of a query: each filter list (`filter.themes`,
/// `filter.regions`, ...), `search(types:, facets:)` and `nodes(ids:)`. Longer lists are refused
/// with BAD_USER_INPUT naming the argument, before any lookup; the services then resolve a list
/// within the database's statement limits.
pub const LIST_ARGUMENT: usize = 100;

/// Cities a practice is tagged with.
pub const CITIES: usize = 100;
/// Themes a practice or funding opportunity is tagged with.
pub const THEMES: usize = 20;
/// Co-benefits of a practice.
pub const CO_BENEFITS: usize = 30;
/// Contacts of a practice.
pub const CONTACTS: usize = 20;
/// Links of a practice.
pub const LINKS: usize = 30;
/// Translations of a practice (one per language).
pub const TRANSLATIONS: usize = 40;
/// Evaluations of a practice.
pub const EVALUATIONS: usize = 50;
/// Regions a funding opportunity is open to (every country fits).
pub const ELIGIBLE_REGIONS: usize = 300;
/// Deadlines of a funding opportunity.
pub const DEADLINES: usize = 100;
