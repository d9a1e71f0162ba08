use super::*;

fn touch(root: &Path, relative: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"x").unwrap();
}

#[test]
fn lists_parts_in_byte_order_skipping_hidden_and_underscored_names() {
    let dir = tempfile::tempdir().unwrap();
    for p in ["b.parquet", "a/Z.parquet", "a/a.parquet", "_SUCCESS", ".a.parquet.crc"] {
        touch(dir.path(), p);
    }
    for p in ["_temporary/0/x.parquet", ".hidden/y.parquet", "notes.txt", "a/_x.parquet"] {
        touch(dir.path(), p);
    }
    let listing = list(Role::ValidationSet, dir.path()).unwrap();
    let names: Vec<&str> = listing.parts.iter().map(|p| p.relative.as_str()).collect();
    // Bytes, not locale: `Z` (0x5a) before `a` (0x61).
    assert_eq!(names, ["a/Z.parquet", "a/a.parquet", "b.parquet"]);
    assert!(listing.keys.is_empty());
}

#[test]
fn reads_hive_keys_decoded_with_the_null_partition() {
    let dir = tempfile::tempdir().unwrap();
    touch(dir.path(), "entity_type=org/src=a%2Fb/p.parquet");
    touch(dir.path(), "entity_type=__HIVE_DEFAULT_PARTITION__/src=c/p.parquet");
    let listing = list(Role::ValidationSet, dir.path()).unwrap();
    assert_eq!(listing.keys, ["entity_type", "src"]);
    assert_eq!(listing.parts[0].values, [None, Some("c".to_string())]);
    assert_eq!(listing.parts[1].values, [Some("org".to_string()), Some("a/b".to_string())]);
    assert_eq!(percent_decoded("100%"), "100%");
    assert_eq!(percent_decoded("%zz%4"), "%zz%4");
    assert_eq!(percent_decoded("%C3%A9"), "é");
}

#[test]
fn refuses_parts_under_other_keys_an_empty_folder_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let err = list(Role::ValidationSet, dir.path()).unwrap_err();
    assert!(err.to_string().contains("holds no `*.parquet` file"), "{err}");
    touch(dir.path(), "k=1/p.parquet");
    touch(dir.path(), "q.parquet");
    let err = list(Role::ValidationSet, dir.path()).unwrap_err().to_string();
    assert!(err.contains("part `k=1/p.parquet` is partitioned by `k`"), "{err}");
    assert!(err.contains("part `q.parquet` by no key"), "{err}");
    std::fs::remove_file(dir.path().join("q.parquet")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("k=1/p.parquet"), dir.path().join("l.parquet"))
        .unwrap();
    let err = list(Role::ValidationSet, dir.path()).unwrap_err().to_string();
    assert!(err.contains("l.parquet` is a symbolic link"), "{err}");
}

#[test]
fn the_manifest_is_sha256sum_output_and_its_hash_the_texts() {
    let empty =
        Sha256::from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            .unwrap();
    let text = manifest([("a/x.parquet", empty), ("b.parquet", empty)]);
    assert_eq!(
        text,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a/x.parquet\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  b.parquet\n"
    );
    assert_eq!(sha256_of(""), empty);
    // As GNU sha256sum writes a name with a backslash or a line break.
    let odd = manifest([("a\\b\nc", empty)]);
    assert_eq!(odd, format!("\\{empty}  a\\\\b\\nc\n"));
    let (entries, bad) = super::super::checksums::parse(&odd, Path::new(""));
    assert!(bad.is_empty());
    assert_eq!(entries[0].name, "a\\b\nc");
}
