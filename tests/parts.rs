//! A folder of part files as one dataset: the same counts as the file it
//! was split from, a manifest `sha256sum` reproduces, every part verified,
//! and parts that disagree named.

use std::path::Path;
use std::process::Command;

use arrow_array::{Array, BooleanArray, Float32Array, RecordBatch, StringArray};

use crate::util::{
    Gate, col, fixture, read_parquet, sha256sum_of, write_batch, write_batch_with, write_parquet,
};

/// The README's command for a folder's hash, run in the folder: its
/// manifest made by `find`, `sort` and `sha256sum`, then hashed.
fn readme_command() -> String {
    let readme = std::fs::read_to_string(crate::util::root().join("README.md")).unwrap();
    let start = readme.find("cd data/er_20251015 && ").expect("the README gives the command");
    let block = &readme[start..start + readme[start..].find("\n```").unwrap()];
    let command = block.replace("\\\n", "");
    command.strip_prefix("cd data/er_20251015 && ").unwrap().to_string()
}

/// One batch as a parquet file of row groups of 700 rows, folders made.
fn write_in_groups(path: &Path, batch: &RecordBatch) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(700))
        .build();
    write_batch_with(path, batch, props);
}

/// The fixture in `parts` contiguous files, in order, with the litter
/// Spark leaves beside them (which must be skipped).
fn split(gate: &Gate, fixture_name: &str, folder: &str, parts: usize) {
    let batch = read_parquet(&fixture(fixture_name));
    let size = batch.num_rows().div_ceil(parts);
    for i in 0..parts {
        let start = i * size;
        let part = batch.slice(start, size.min(batch.num_rows() - start));
        write_in_groups(&gate.path(&format!("{folder}/part-{i:05}.parquet")), &part);
    }
    litter(&gate.path(folder));
}

fn litter(folder: &Path) {
    std::fs::write(folder.join("_SUCCESS"), "").unwrap();
    std::fs::write(folder.join(".part-00000.parquet.crc"), "crc").unwrap();
    std::fs::create_dir_all(folder.join("_temporary/0")).unwrap();
    std::fs::write(folder.join("_temporary/0/part-9.parquet"), "not parquet").unwrap();
}

/// `slices.parquet` under `entity_type=<value>/` folders, without the column.
fn hive_split(gate: &Gate, folder: &str) {
    let batch = read_parquet(&fixture("slices.parquet"));
    let types = batch.column_by_name("entity_type").unwrap();
    let types = types.as_any().downcast_ref::<StringArray>().unwrap();
    let values: std::collections::BTreeSet<&str> = types.iter().flatten().collect();
    let index = batch.schema().index_of("entity_type").unwrap();
    let keep: Vec<usize> = (0..batch.num_columns()).filter(|&i| i != index).collect();
    for value in values {
        let mask = BooleanArray::from_iter(types.iter().map(|t| Some(t == Some(value))));
        let part = arrow_select::filter::filter_record_batch(&batch, &mask).unwrap();
        let part = part.project(&keep).unwrap();
        write_in_groups(&gate.path(&format!("{folder}/entity_type={value}/part-0.parquet")), &part);
    }
    litter(&gate.path(folder));
}

/// The folder's manifest by the README's command, without its last
/// step (the manifest's own hash).
fn manifest_by_hand(folder: &Path) -> String {
    let command = readme_command();
    let manifest =
        command.strip_suffix(" | sha256sum | cut -c1-64").expect("it hashes the manifest");
    let out = Command::new("sh").args(["-c", manifest]).current_dir(folder).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_folder_counts_as_the_file_it_was_split_from() {
    let whole = Gate::with_fixture("slices.parquet")
        .input("slice_columns", "entity_type,source")
        .input("report_json", "r.json")
        .any_metric()
        .run();
    let gate = Gate::new();
    split(&gate, "slices.parquet", "parts", 7);
    let folder = gate
        .input("validation_set", "parts")
        .input("slice_columns", "entity_type,source")
        .input("report_json", "r.json")
        .input("model_card", "card.md")
        .any_metric()
        .run();
    assert_eq!(folder.code, 0, "{folder:#?}");
    let (a, b) = (whole.json("r.json"), folder.json("r.json"));
    for key in ["counts", "metrics", "slices", "curve", "sweep"] {
        assert_eq!(a[key], b[key], "{key}");
    }
    assert_eq!(b["dataset"]["rows"], a["dataset"]["rows"]);
    let files = b["dataset"]["parts"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 7, "_SUCCESS, the .crc and _temporary/ are skipped");
    let rows: u64 = files.iter().map(|f| f["rows"].as_u64().unwrap()).sum();
    assert_eq!(rows, 6000);
    assert!(
        folder
            .summary
            .contains("| Parts | 7 parquet files; the SHA-256 is that of their manifest |")
    );
    let card = std::fs::read_to_string(folder.dir.join("card.md")).unwrap();
    let manifest = manifest_by_hand(&folder.dir.join("parts"));
    assert!(card.contains(&format!("```text\n{manifest}```")), "{card}");
}

#[test]
fn hive_keys_slice_like_the_column_they_were_split_by() {
    let whole = Gate::with_fixture("slices.parquet")
        .input("slice_columns", "entity_type,source")
        .input("report_json", "r.json")
        .any_metric()
        .run();
    let gate = Gate::new();
    hive_split(&gate, "parts");
    let folder = gate
        .input("validation_set", "parts")
        .input("slice_columns", "entity_type,source")
        .input("report_json", "r.json")
        .input("errors_file", "errors.parquet")
        .input("errors_limit", "0")
        .any_metric()
        .run();
    assert_eq!(folder.code, 0, "{folder:#?}");
    let (a, b) = (whole.json("r.json"), folder.json("r.json"));
    assert_eq!(a["counts"], b["counts"]);
    assert_eq!(a["slices"], b["slices"], "a hive key slices as the column did");
    assert_eq!(b["dataset"]["parts"]["partition_keys"], serde_json::json!(["entity_type"]));
    // Every misclassified pair read back from its part, the key a column.
    let errors = read_parquet(&folder.dir.join("errors.parquet"));
    let counts = &b["counts"];
    let misclassified = counts["fp"].as_u64().unwrap() + counts["fn"].as_u64().unwrap();
    assert_eq!(errors.num_rows() as u64, misclassified);
    let types = errors.column_by_name("entity_type").expect("the hive key is a column");
    let shown =
        arrow_cast::display::ArrayFormatter::try_new(types.as_ref(), &Default::default()).unwrap();
    let vessels = (0..types.len()).filter(|&i| shown.value(i).to_string() == "vessel").count();
    assert!(vessels > 0 && types.null_count() == 0);
}

#[test]
fn the_dataset_hash_is_the_manifests_as_sha256sum_makes_it() {
    let gate = Gate::new();
    hive_split(&gate, "parts");
    let by_hand = manifest_by_hand(&gate.path("parts"));
    let expected = sha256sum_of(by_hand.as_bytes());
    let out = Command::new("sh")
        .args(["-c", &readme_command()])
        .current_dir(gate.path("parts"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), expected, "the README's hash");
    let ran = gate
        .input("validation_set", "parts")
        .input("manifest", "manifest.sha256")
        .input("dataset_hash", &expected)
        .any_metric()
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["dataset_hash"], expected);
    assert_eq!(ran.outputs["dataset_verified"], "true");
    let written = std::fs::read_to_string(ran.dir.join("manifest.sha256")).unwrap();
    assert_eq!(written, by_hand);
    assert_eq!(ran.outputs["manifest"], "manifest.sha256");
    let check = Command::new("sha256sum")
        .args(["-c", "--strict", "../manifest.sha256"])
        .current_dir(ran.dir.join("parts"))
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
}

/// Three parts and their manifest inside the folder; with `change`, the
/// second part is then rewritten: the same rows in another layout, so
/// other bytes.
fn listed_parts(change: bool) -> (Gate, String) {
    let gate = Gate::new();
    split(&gate, "slices.parquet", "parts", 3);
    let manifest = manifest_by_hand(&gate.path("parts"));
    std::fs::write(gate.path("parts/manifest.sha256"), &manifest).unwrap();
    if change {
        let path = gate.path("parts/part-00001.parquet");
        write_batch(&path, &read_parquet(&path));
    }
    let hash = sha256sum_of(manifest.as_bytes());
    (gate.input("validation_set", "parts").any_metric(), hash)
}

#[test]
fn a_changed_part_fails_the_hash_and_its_own_line() {
    let (gate, hash) = listed_parts(false);
    let good = gate.input("checksums", "parts/manifest.sha256").input("dataset_hash", &hash).run();
    assert_eq!(good.code, 0, "{good:#?}");
    assert!(
        good.summary.contains("`dataset_hash` and each part's line of `parts/manifest.sha256`"),
        "{}",
        good.summary
    );
    let (gate, hash) = listed_parts(true);
    gate.input("dataset_hash", &hash)
        .run()
        .assert_cannot_evaluate("validation set `parts` does not match `dataset_hash`");
    let (gate, _) = listed_parts(true);
    gate.input("checksums", "parts/manifest.sha256").run().assert_cannot_evaluate(
        "validation set `parts/part-00001.parquet` does not match line 2 of `parts/manifest.sha256`",
    );
}

#[test]
fn a_list_that_leaves_a_part_out_is_refused() {
    let gate = Gate::new();
    split(&gate, "slices.parquet", "parts", 3);
    let manifest = manifest_by_hand(&gate.path("parts"));
    let first_two: String = manifest.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(gate.path("parts/manifest.sha256"), first_two).unwrap();
    gate.input("validation_set", "parts")
        .input("checksums", "parts/manifest.sha256")
        .any_metric()
        .run()
        .assert_cannot_evaluate(
            "checksums file `parts/manifest.sha256` lists 2 of the 3 parts of folder `parts` but not `part-00002.parquet`",
        );
}

#[test]
fn parts_that_disagree_are_named() {
    let label = || col(BooleanArray::from(vec![true, false, true]));
    let f64_score = || col(arrow_array::Float64Array::from(vec![0.9, 0.1, 0.8]));
    let f32_score = || col(Float32Array::from(vec![0.9, 0.1, 0.8]));
    // A folder `parts` of these files, each given its columns.
    let folder = |files: Vec<(&str, Vec<(&str, arrow_array::ArrayRef)>)>| {
        let gate = Gate::new();
        std::fs::create_dir(gate.path("parts")).unwrap();
        for (name, columns) in files {
            write_parquet(&gate.path(&format!("parts/{name}")), columns);
        }
        gate.input("validation_set", "parts").any_metric()
    };
    folder(vec![
        ("a.parquet", vec![("label", label()), ("score", f64_score())]),
        ("b.parquet", vec![("label", label()), ("score", f32_score())]),
        ("c.parquet", vec![("label", label())]),
    ])
    .run()
    .assert_cannot_evaluate(
        "validation set folder `parts`: part `b.parquet` has column `score` of type Float32: expected the type of the first part, `a.parquet`, Float64",
    );
    folder(vec![
        ("a.parquet", vec![("label", label()), ("score", f64_score())]),
        ("c.parquet", vec![("label", label())]),
    ])
    .run()
    .assert_cannot_evaluate(
        "part `c.parquet` has no column `score`: expected the type of the first part, `a.parquet`, Float64",
    );
}

#[test]
fn cluster_mode_reads_a_folder() {
    let cluster = |gate: Gate| {
        gate.input("mode", "clusters").input("report_json", "r.json").any_metric().run()
    };
    let whole = cluster(Gate::with_fixture("clusters.parquet"));
    let gate = Gate::new();
    // Entities span the parts: their records are counted together.
    split(&gate, "clusters.parquet", "records", 5);
    let folder = cluster(gate.input("validation_set", "records"));
    assert_eq!(folder.code, whole.code, "{folder:#?}");
    let (a, b) = (whole.json("r.json"), folder.json("r.json"));
    assert_eq!(a["clusters"], b["clusters"]);
    assert_eq!(a["counts"], b["counts"]);
}

#[test]
fn joined_predictions_may_be_a_folder() {
    let batch = read_parquet(&fixture("slices.parquet"));
    let n = batch.num_rows();
    let ids = col(arrow_array::Int64Array::from_iter_values(0..n as i64));
    let gate = Gate::new();
    let (label, score) =
        (batch.column_by_name("label").unwrap(), batch.column_by_name("score").unwrap());
    write_parquet(
        &gate.path("labels.parquet"),
        vec![("id", ids.clone()), ("label", label.clone())],
    );
    // The predictions in three parts, last rows first.
    let predictions = RecordBatch::try_from_iter([("id", ids), ("score", score.clone())]).unwrap();
    for (i, start) in [4000, 2000, 0].into_iter().enumerate() {
        let part = predictions.slice(start, 2000);
        write_in_groups(&gate.path(&format!("predictions/part-{i}.parquet")), &part);
    }
    let ran = gate
        .input("validation_set", "labels.parquet")
        .input("predictions", "predictions")
        .input("key_columns", "id")
        .any_metric()
        .run();
    let whole = Gate::with_fixture("slices.parquet").any_metric().run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    for key in ["tp", "fp", "fn", "tn"] {
        assert_eq!(ran.outputs[key], whole.outputs[key], "{key}");
    }
    let manifest = manifest_by_hand(&ran.dir.join("predictions"));
    assert_eq!(ran.outputs["predictions_hash"], sha256sum_of(manifest.as_bytes()));
}

#[test]
fn a_single_files_manifest_is_its_sha256sum_line() {
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("manifest", "m.sha256")
        .any_metric()
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let by_hand = Command::new("sha256sum")
        .arg("sample_validation.parquet")
        .current_dir(&ran.dir)
        .output()
        .unwrap();
    let written = std::fs::read_to_string(ran.dir.join("m.sha256")).unwrap();
    assert_eq!(written, String::from_utf8(by_hand.stdout).unwrap());
}
