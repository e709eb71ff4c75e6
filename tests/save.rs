//! Saving is atomic and loading names the file: a save that fails part-way
//! (the file-size limit reached mid-write, as on a full disk) leaves the
//! earlier file byte for byte as it was and no temporary file behind, and a
//! saved file cut anywhere loads as an error that names it.

use std::path::{Path, PathBuf};
use std::process::Command;

use elastic_vdb::{StoreConfig, VectorStore};

/// A fresh, empty folder for one test.
fn folder(test: &str) -> PathBuf {
    let folder =
        std::env::temp_dir().join(format!("elastic-vdb-save-{test}-{}", std::process::id()));
    std::fs::remove_dir_all(&folder).ok();
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// The names in a folder, sorted.
fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A store whose JSON is a few tens of kilobytes.
fn big_store() -> VectorStore {
    let mut db = VectorStore::new(StoreConfig {
        dimension: 2,
        ..StoreConfig::default()
    })
    .unwrap();
    for node in 0..400 {
        db.add_node(&format!("node-{node:04}")).unwrap();
    }
    db.add_vectors(100).unwrap();
    db
}

const CHILD: &str = "ELASTIC_VDB_SAVE_UNDER_A_FILE_SIZE_LIMIT";

/// Run by the test below in a child process whose file-size limit is 8
/// blocks (4 or 8 KiB, as the shell counts them)
/// (with SIGXFSZ ignored, so a write past it fails with EFBIG instead of
/// killing the process): saving a 40 KB store must fail part-way.
#[cfg(unix)]
#[test]
fn child_saves_under_a_file_size_limit() {
    let Ok(path) = std::env::var(CHILD) else {
        return;
    };
    let db = big_store();
    assert!(db.to_json().len() > 20_000);
    let error = db.save(&path).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("cannot save the store to {path}: ")),
        "{error}"
    );
    println!("refused as expected: {error}");
}

#[cfg(unix)]
#[test]
fn a_save_that_fails_part_way_leaves_the_earlier_file_whole() {
    let folder = folder("limit");
    let path = folder.join("cluster.json");
    let mut small = VectorStore::default();
    small.add_node("a").unwrap();
    small.save(&path).unwrap();
    let before = std::fs::read(&path).unwrap();
    assert!(before.len() < 2_048);

    let output = Command::new("sh")
        .arg("-c")
        .arg(r#"trap '' XFSZ; ulimit -f 8; exec "$0" --exact child_saves_under_a_file_size_limit --nocapture"#)
        .arg(std::env::current_exe().unwrap())
        .env(CHILD, &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("refused as expected"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("File too large"), "{stdout}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the earlier file changed"
    );
    assert_eq!(
        names(&folder),
        ["cluster.json"],
        "a temporary file was left"
    );

    // Without the limit the same save replaces the file whole.
    let db = big_store();
    db.save(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), db.to_json());
    assert_eq!(names(&folder), ["cluster.json"]);
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn saves_that_cannot_start_change_nothing() {
    let folder = folder("refused");
    let mut db = VectorStore::default();
    db.add_node("a").unwrap();
    // A folder in the way of the target is not replaced.
    std::fs::create_dir(folder.join("taken")).unwrap();
    std::fs::write(folder.join("taken").join("inside"), "kept").unwrap();
    assert_eq!(
        db.save(folder.join("taken")).unwrap_err().to_string(),
        format!(
            "cannot save the store to {}: it exists and is not a regular file",
            folder.join("taken").display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("taken").join("inside")).unwrap(),
        "kept"
    );
    // A folder that does not exist.
    let missing = folder.join("no-such-folder").join("cluster.json");
    let error = db.save(&missing).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("cannot save the store to {}: ", missing.display())),
        "{error}"
    );
    assert_eq!(names(&folder), ["taken"]);
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn a_read_only_file_is_refused_and_a_long_name_saves() {
    let folder = folder("modes");
    let mut db = VectorStore::default();
    db.add_node("a").unwrap();
    let locked = folder.join("locked.json");
    std::fs::write(&locked, "kept").unwrap();
    let mut permissions = std::fs::metadata(&locked).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&locked, permissions).unwrap();
    assert_eq!(
        db.save(&locked).unwrap_err().to_string(),
        format!(
            "cannot save the store to {}: it is read-only",
            locked.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&locked).unwrap(), "kept");
    // A name of 250 bytes: the temporary file's name must not grow from it.
    let long = folder.join(format!("{}.json", "n".repeat(245)));
    db.save(&long).unwrap();
    assert_eq!(VectorStore::load(&long).unwrap().to_json(), db.to_json());
    let mut permissions = std::fs::metadata(&locked).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&locked, permissions).unwrap();
    std::fs::remove_dir_all(&folder).ok();
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_followed_and_kept() {
    let folder = folder("link");
    let mut db = VectorStore::default();
    db.add_node("a").unwrap();
    db.save(folder.join("real.json")).unwrap();
    std::os::unix::fs::symlink("real.json", folder.join("link.json")).unwrap();
    db.add_node("b").unwrap();
    db.save(folder.join("link.json")).unwrap();
    assert!(
        std::fs::symlink_metadata(folder.join("link.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("real.json")).unwrap(),
        db.to_json()
    );
    // A link to a file not there yet creates that file, keeping the link.
    std::fs::create_dir(folder.join("sub")).unwrap();
    std::os::unix::fs::symlink("../future.json", folder.join("sub").join("dangling.json")).unwrap();
    db.save(folder.join("sub").join("dangling.json")).unwrap();
    assert_eq!(
        std::fs::read_to_string(folder.join("future.json")).unwrap(),
        db.to_json()
    );
    assert!(
        std::fs::symlink_metadata(folder.join("sub").join("dangling.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn a_file_cut_anywhere_loads_as_an_error_naming_it() {
    let folder = folder("cut");
    let path = folder.join("cut.json");
    let mut db = VectorStore::default();
    for node in 0..40 {
        db.add_weighted_node(&format!("node-{node}"), 1.5).unwrap();
    }
    db.add_vectors(50).unwrap();
    let json = db.to_json();
    let mut cuts = 0;
    for length in (0..json.len()).step_by(97) {
        std::fs::write(&path, &json.as_bytes()[..length]).unwrap();
        let error = VectorStore::load(&path).unwrap_err().to_string();
        assert!(
            error.starts_with(&format!(
                "cannot load the saved store: {}: ",
                path.display()
            )),
            "cut at {length}: {error}"
        );
        cuts += 1;
    }
    assert!(cuts >= 20, "{cuts} cuts of {} bytes", json.len());
    std::fs::write(&path, &json).unwrap();
    assert_eq!(VectorStore::load(&path).unwrap().to_json(), json);
    std::fs::remove_dir_all(&folder).ok();
}

/// Each failure of a save or a load is typed, and the operating system's
/// error or the store's refusal is its `source()`, not only words in its
/// message.
#[test]
fn a_failure_keeps_its_cause_as_the_source() {
    use elastic_vdb::Error;
    use elastic_vdb::error::{RingError, SaveRefusal, SnapshotError};
    use std::error::Error as _;

    let folder = folder("sources");
    let db = VectorStore::default();
    // A folder that does not exist: the rename's I/O error is the source.
    let missing = folder.join("no-such-folder").join("cluster.json");
    let error = db.save(&missing).unwrap_err();
    let Error::Snapshot(SnapshotError::Save {
        refusal: SaveRefusal::Io(failure),
        ..
    }) = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(failure.get().kind(), std::io::ErrorKind::NotFound);
    let io = error.source().unwrap().downcast_ref::<std::io::Error>();
    assert_eq!(io.unwrap().kind(), std::io::ErrorKind::NotFound);
    // A refusal of the save's own has no source.
    std::fs::create_dir(folder.join("taken")).unwrap();
    let error = db.save(folder.join("taken")).unwrap_err();
    assert!(matches!(
        error,
        Error::Snapshot(SnapshotError::Save {
            refusal: SaveRefusal::NotRegularFile,
            ..
        })
    ));
    assert!(error.source().is_none());
    // Valid JSON whose values the store refuses: the refusal is the source.
    let path = folder.join("zero-vnodes.json");
    let mut json: serde_json::Value = serde_json::from_str(&db.to_json()).unwrap();
    json["vnodes"] = 0.into();
    std::fs::write(&path, json.to_string()).unwrap();
    let error = VectorStore::load(&path).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot load the saved store: {}: vnodes per node must be between 1 and 10000, got 0",
            path.display()
        )
    );
    let cause = error.source().unwrap().downcast_ref::<Error>().unwrap();
    assert_eq!(cause, &Error::Ring(RingError::VnodesOutOfRange(0)));
    // Text that is not a saved store has no deeper cause.
    std::fs::write(&path, "{ not json").unwrap();
    let error = VectorStore::load(&path).unwrap_err();
    assert!(matches!(
        &error,
        Error::Snapshot(SnapshotError::Invalid { file: Some(file), .. }) if *file == path.display().to_string()
    ));
    assert!(error.source().is_none());
    std::fs::remove_dir_all(&folder).ok();
}
