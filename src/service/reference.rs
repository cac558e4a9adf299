//! Reference data: the theme tree with its labels and the region table (code to id, path and
//! name). Every filtered list and search resolves theme paths and region codes through it, and
//! every page of practices labels its themes from it.
//!
//! Only the seed writes themes and regions, each row with a `change_log` row of kind `theme`
//! or `region`. So a process keeps one [`Reference`] snapshot in a [`ReferenceCache`], tagged
//! with the `change_log` seq it is known to be current at, and a request asks for it at the
//! tail it reads ([`RequestReference`], once per request): the snapshot is reused while no
//! theme or region row was appended between the seq it was checked at and that tail, and read
//! again otherwise. On PostgreSQL `seq` values become visible in commit order
//! (`change_log::append`), so a tail read once bounds everything committed before it.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use tokio::sync::OnceCell;

use super::lookup::resolve_keys;
use super::records::FieldError;
use super::themes::{self, Theme};
use crate::domain::RecordKind;
use crate::entity::{change_log, region};

/// A region as filters and labels need it.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionRef {
    pub id: i32,
    /// Materialized path, ending in `/` (`001/150/154/NO/`).
    pub path: String,
    pub name: String,
}

/// One consistent read of the theme tree and the region table.
#[derive(Debug, Default)]
pub struct Reference {
    themes: Arc<Vec<Theme>>,
    theme_by_path: HashMap<String, usize>,
    theme_by_id: HashMap<i32, usize>,
    regions: HashMap<String, RegionRef>,
}

impl Reference {
    /// Reads every theme with its labels and every region: three statements.
    pub async fn load(db: &impl ConnectionTrait) -> Result<Self, sea_orm::DbErr> {
        let themes = themes::all(db).await?;
        let regions: Vec<(String, i32, String, String)> = region::Entity::find()
            .select_only()
            .column(region::Column::Code)
            .column(region::Column::Id)
            .column(region::Column::Path)
            .column(region::Column::Name)
            .into_tuple()
            .all(db)
            .await?;
        Ok(Self::new(
            themes,
            regions
                .into_iter()
                .map(|(code, id, path, name)| (code, RegionRef { id, path, name })),
        ))
    }

    fn new(themes: Vec<Theme>, regions: impl IntoIterator<Item = (String, RegionRef)>) -> Self {
        let theme_by_path = themes
            .iter()
            .enumerate()
            .map(|(index, theme)| (theme.row.path.clone(), index))
            .collect();
        let theme_by_id = themes
            .iter()
            .enumerate()
            .map(|(index, theme)| (theme.row.id, index))
            .collect();
        Self {
            themes: Arc::new(themes),
            theme_by_path,
            theme_by_id,
            regions: regions.into_iter().collect(),
        }
    }

    /// Every theme in tree order (parents before children, siblings by seed position).
    pub fn themes(&self) -> &Arc<Vec<Theme>> {
        &self.themes
    }

    pub fn theme(&self, id: i32) -> Option<&Theme> {
        self.theme_by_id.get(&id).map(|index| &self.themes[*index])
    }

    /// Ids for theme `paths` in order; an unknown path becomes an error at `field[index]`, as
    /// `lookup::theme_ids` reports it.
    pub fn theme_ids(&self, paths: &[&str], field: &str, errors: &mut Vec<FieldError>) -> Vec<i32> {
        resolve_keys(paths, field, "theme", errors, |path| {
            let position = self.theme_by_path.get(path)?;
            Some(self.themes[*position].row.id)
        })
    }

    pub fn region(&self, code: &str) -> Option<&RegionRef> {
        self.regions.get(code)
    }

    /// Materialized paths of the regions with `codes`, in order; an unknown code becomes an
    /// error at `field[index]`.
    pub fn region_paths(
        &self,
        codes: &[&str],
        field: &str,
        errors: &mut Vec<FieldError>,
    ) -> Vec<String> {
        resolve_keys(codes, field, "region", errors, |code| {
            Some(self.regions.get(code)?.path.clone())
        })
    }
}

/// A snapshot and the `change_log` seq up to which it is known to hold every theme and region.
struct Checked {
    reference: Arc<Reference>,
    through: i64,
}

/// The process's snapshot of the reference data; see the module documentation.
#[derive(Default)]
pub struct ReferenceCache {
    current: RwLock<Option<Checked>>,
    /// One reload or check at a time; the others then find it done.
    refresh: tokio::sync::Mutex<()>,
}

/// A tail this far past the snapshot's seq is not searched for theme and region rows: reading
/// the three small tables again costs less than walking that many `change_log` rows.
const SCAN_LIMIT: i64 = 10_000;

impl ReferenceCache {
    /// The reference data as of `tail` (a `change_log` seq read before this call) or newer.
    pub async fn at(
        &self,
        db: &impl ConnectionTrait,
        tail: i64,
    ) -> Result<Arc<Reference>, sea_orm::DbErr> {
        if let Some(reference) = self.current_at(tail) {
            return Ok(reference);
        }
        let _refresh = self.refresh.lock().await;
        let reference = match self.checked() {
            // Another request checked it while this one waited.
            Some((reference, through)) if through >= tail => return Ok(reference),
            Some((reference, through))
                if tail - through <= SCAN_LIMIT && !changed(db, through, tail).await? =>
            {
                reference
            }
            _ => Arc::new(Reference::load(db).await?),
        };
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Checked {
            reference: reference.clone(),
            through: tail,
        });
        Ok(reference)
    }

    /// The reference data as of the tail `db` sees now (one `MAX(seq)`, then as [`at`](Self::at)):
    /// for readers outside a GraphQL operation (feeds, exports inside their read snapshot).
    pub async fn current(
        &self,
        db: &impl ConnectionTrait,
    ) -> Result<Arc<Reference>, sea_orm::DbErr> {
        let tail = super::change_consumer::latest_seq(db).await?;
        self.at(db, tail).await
    }

    fn current_at(&self, tail: i64) -> Option<Arc<Reference>> {
        self.checked()
            .filter(|(_, through)| *through >= tail)
            .map(|(reference, _)| reference)
    }

    /// The snapshot and the seq it was checked at, if one was read.
    fn checked(&self) -> Option<(Arc<Reference>, i64)> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|checked| (checked.reference.clone(), checked.through))
    }
}

/// Whether a theme or region row was appended to `change_log` after `after`, up to `through`.
async fn changed(
    db: &impl ConnectionTrait,
    after: i64,
    through: i64,
) -> Result<bool, sea_orm::DbErr> {
    let found: Option<i64> = change_log::Entity::find()
        .select_only()
        .column(change_log::Column::Seq)
        .filter(change_log::Column::Seq.gt(after))
        .filter(change_log::Column::Seq.lte(through))
        .filter(
            change_log::Column::EntityType
                .is_in([RecordKind::Theme.name(), RecordKind::Region.name()]),
        )
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// What one request reads at: the `change_log` tail, read once when first asked for (the
/// response cache keys its entries by it), and the reference data as of that tail.
#[derive(Clone)]
pub struct RequestReference {
    cache: Arc<ReferenceCache>,
    db: DatabaseConnection,
    /// `None` for a subscription, which reads the tail for every event.
    pinned: Option<Pinned>,
}

#[derive(Clone, Default)]
struct Pinned {
    tail: Arc<OnceCell<i64>>,
    reference: Arc<OnceCell<Arc<Reference>>>,
}

impl RequestReference {
    /// For one operation: the tail and the snapshot are read once and kept.
    pub fn new(cache: Arc<ReferenceCache>, db: DatabaseConnection) -> Self {
        Self {
            cache,
            db,
            pinned: Some(Pinned::default()),
        }
    }

    /// For a subscription: every call reads the tail again.
    pub fn unpinned(cache: Arc<ReferenceCache>, db: DatabaseConnection) -> Self {
        Self {
            cache,
            db,
            pinned: None,
        }
    }

    /// The last committed `change_log` seq, the same for the whole operation.
    pub async fn tail(&self) -> Result<i64, sea_orm::DbErr> {
        let read = || super::change_consumer::latest_seq(&self.db);
        match &self.pinned {
            Some(pinned) => pinned.tail.get_or_try_init(read).await.copied(),
            None => read().await,
        }
    }

    /// The reference data as of [`tail`](Self::tail), the same for the whole operation.
    pub async fn get(&self) -> Result<Arc<Reference>, sea_orm::DbErr> {
        let read = || async {
            let tail = self.tail().await?;
            self.cache.at(&self.db, tail).await
        };
        match &self.pinned {
            Some(pinned) => pinned.reference.get_or_try_init(read).await.cloned(),
            None => read().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::theme;

    fn theme(id: i32, path: &str) -> Theme {
        Theme {
            row: theme::Model {
                id,
                path: path.to_owned(),
                slug: path.rsplit('/').next().unwrap_or(path).to_owned(),
                parent_id: None,
                depth: 0,
                position: id,
            },
            labels: HashMap::new(),
        }
    }

    fn reference() -> Reference {
        Reference::new(
            vec![theme(1, "energy"), theme(2, "energy/heating")],
            [(
                "NO".to_owned(),
                RegionRef {
                    id: 7,
                    path: "001/150/154/NO/".to_owned(),
                    name: "Norway".to_owned(),
                },
            )],
        )
    }

    async fn migrated() -> (tempfile::TempDir, DatabaseConnection) {
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = crate::config::Settings::with_data_dir(dir.path());
        let db = crate::db::connect(&settings).await.expect("connect");
        crate::db::migrate(&db).await.expect("migrate");
        (dir, db)
    }

    async fn append(db: &DatabaseConnection, kind: RecordKind, id: i32) -> i64 {
        use sea_orm::TransactionTrait;
        let txn = db.begin().await.expect("begin");
        let seq = super::super::change_log::append(
            &txn,
            kind,
            id,
            super::super::change_log::Operation::Upsert,
        )
        .await
        .expect("append");
        txn.commit().await.expect("commit");
        seq
    }

    #[tokio::test]
    async fn the_snapshot_is_read_again_only_after_a_theme_or_region_change_or_a_long_gap() {
        use sea_orm::ActiveModelTrait;
        let (_dir, db) = migrated().await;
        let cache = ReferenceCache::default();
        let empty = cache.at(&db, 0).await.unwrap();
        assert!(empty.themes().is_empty());

        let added = theme::ActiveModel {
            path: sea_orm::Set("energy".into()),
            slug: sea_orm::Set("energy".into()),
            depth: sea_orm::Set(0),
            position: sea_orm::Set(0),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
        let seq = append(&db, RecordKind::Theme, added.id).await;
        let reloaded = cache.at(&db, seq).await.unwrap();
        assert_eq!(
            reloaded.theme(added.id).map(|t| t.row.path.as_str()),
            Some("energy")
        );

        // Another kind of change: checked, kept.
        let seq = append(&db, RecordKind::Practice, 1).await;
        let kept = cache.at(&db, seq).await.unwrap();
        assert!(Arc::ptr_eq(&kept, &reloaded));
        // An older tail than the one checked: kept without a look.
        assert!(Arc::ptr_eq(&cache.at(&db, 0).await.unwrap(), &reloaded));
        // A region change: read again.
        let seq = append(&db, RecordKind::Region, 1).await;
        let after_region = cache.at(&db, seq).await.unwrap();
        assert!(!Arc::ptr_eq(&after_region, &reloaded));
        // A tail further ahead than SCAN_LIMIT is not searched: read again.
        let far = cache.at(&db, seq + SCAN_LIMIT + 1).await.unwrap();
        assert!(!Arc::ptr_eq(&far, &after_region));
        // Exactly SCAN_LIMIT ahead, with nothing of themes or regions in between: searched, kept.
        let near = cache.at(&db, seq + 2 * SCAN_LIMIT + 1).await.unwrap();
        assert!(Arc::ptr_eq(&near, &far));
    }

    #[test]
    fn known_keys_resolve_in_order_and_unknown_ones_are_errors_at_their_index() {
        let reference = reference();
        let mut errors = Vec::new();
        let ids = reference.theme_ids(
            &["energy/heating", "water", "energy"],
            "themes",
            &mut errors,
        );
        assert_eq!(ids, [2, 1]);
        let paths = reference.region_paths(&["XX", "NO"], "regions", &mut errors);
        assert_eq!(paths, ["001/150/154/NO/"]);
        let reported: Vec<(String, String)> = errors
            .iter()
            .map(|error| (error.path.camel_text(), error.message.clone()))
            .collect();
        assert_eq!(
            reported,
            [
                ("themes[1]".to_owned(), "unknown theme `water`".to_owned()),
                ("regions[0]".to_owned(), "unknown region `XX`".to_owned()),
            ]
        );
        assert_eq!(
            reference.theme(2).map(|t| t.row.path.as_str()),
            Some("energy/heating")
        );
        assert_eq!(reference.theme(3).map(|t| t.row.id), None);
        assert_eq!(reference.region("NO").map(|r| r.id), Some(7));
    }
}
