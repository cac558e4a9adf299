//! The on-disk layout under the index directory: one sub-directory per generation (a complete
//! index), and a `CURRENT` file naming the one in use. A rebuild writes a new generation under a
//! `.building` name, renames it when complete, then replaces `CURRENT` with an atomic rename, so
//! a reader sees either the old generation or the new one, never a half-built one.

use std::path::{Path, PathBuf};

use anyhow::Context;

const POINTER: &str = "CURRENT";
const PREFIX: &str = "gen-";
const BUILDING: &str = ".building";
const FORMAT_FILE: &str = "FORMAT";

/// What a generation's documents mean (fields, analyzers, kind names). Bump it when that
/// changes: a generation of another format is not opened but rebuilt.
pub const FORMAT: &str = "4";

/// True when the generation `name` was written in this kxc's [`FORMAT`].
pub fn has_current_format(root: &Path, name: &str) -> bool {
    std::fs::read_to_string(generation_dir(root, name).join(FORMAT_FILE))
        .is_ok_and(|format| format.trim() == FORMAT)
}

/// The generation `CURRENT` names, if any.
pub fn current(root: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(root.join(POINTER)) {
        Ok(name) => Ok(Some(name.trim().to_owned()).filter(|name| !name.is_empty())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("read {}", root.join(POINTER).display())),
    }
}

pub fn generation_dir(root: &Path, name: &str) -> PathBuf {
    root.join(name)
}

/// A fresh, unique generation name and the directory to build it in.
pub fn new_build(root: &Path) -> anyhow::Result<(String, PathBuf)> {
    std::fs::create_dir_all(root).with_context(|| format!("create {}", root.display()))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f");
    let name = format!("{PREFIX}{stamp}-{}", std::process::id());
    let dir = root.join(format!("{name}{BUILDING}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    std::fs::write(dir.join(FORMAT_FILE), FORMAT)
        .with_context(|| format!("write {}", dir.join(FORMAT_FILE).display()))?;
    Ok((name, dir))
}

/// Moves a finished build into place and points `CURRENT` at it.
pub fn publish(root: &Path, name: &str, build_dir: &Path) -> anyhow::Result<()> {
    let target = generation_dir(root, name);
    std::fs::rename(build_dir, &target)
        .with_context(|| format!("rename {} to {}", build_dir.display(), target.display()))?;
    let temporary = root.join(format!("{POINTER}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, name).with_context(|| format!("write {}", temporary.display()))?;
    std::fs::File::open(&temporary)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("sync {}", temporary.display()))?;
    std::fs::rename(&temporary, root.join(POINTER)).context("replace CURRENT")?;
    Ok(())
}

/// Deletes finished generations other than `keep`. Builds in progress are left alone.
pub fn remove_stale(root: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = name.starts_with(PREFIX) && !name.ends_with(BUILDING) && name != keep;
        if stale && let Err(error) = std::fs::remove_dir_all(entry.path()) {
            tracing::warn!(%error, generation = name, "could not remove old index generation");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishing_moves_the_pointer_and_stale_generations_can_go() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(current(root.path()).unwrap(), None);
        let (first, dir) = new_build(root.path()).unwrap();
        publish(root.path(), &first, &dir).unwrap();
        assert!(has_current_format(root.path(), &first));
        assert_eq!(
            current(root.path()).unwrap().as_deref(),
            Some(first.as_str())
        );
        let (second, dir) = new_build(root.path()).unwrap();
        assert_ne!(first, second);
        publish(root.path(), &second, &dir).unwrap();
        let (_, building) = new_build(root.path()).unwrap();
        remove_stale(root.path(), &second);
        assert!(!generation_dir(root.path(), &first).exists());
        assert!(generation_dir(root.path(), &second).exists());
        assert!(building.exists(), "a build in progress is kept");
    }
}
