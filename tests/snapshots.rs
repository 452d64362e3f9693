//! The full output of every sample, snapshotted with insta and reviewed like code.
//! After an intended template change: `cargo insta review` (or INSTA_UPDATE=always cargo test,
//! then read every changed .snap in the diff before committing).

mod common;

#[test]
fn every_sample_output() {
    for sample in common::samples() {
        let stem = sample
            .file_stem()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        let artifacts = common::render(&common::load_path(&sample));
        for (path, bytes) in &artifacts {
            let name = format!("{stem}__{}", path.replace('/', "__"));
            insta::assert_snapshot!(name, common::text(bytes));
        }
    }
}
