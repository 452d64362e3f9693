//! `init` writes a starter that validates cleanly, and never overwrites without `--force`.

mod common;

use std::process::Output;

fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    common::abc(Some(dir), args)
}

#[test]
fn init_writes_a_starter_that_validates_without_warnings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["init", "topo.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let written = std::fs::read_to_string(dir.path().join("topo.yaml")).expect("written");
    assert_eq!(written, abc_failover::starter::STARTER_TOPOLOGY);
    let out = run(dir.path(), &["validate", "topo.yaml", "--deny-warnings"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "topo.yaml: valid"
    );
}

#[test]
fn init_default_file_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(dir.path().join("topology.yaml").is_file());
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("topology.yaml");
    std::fs::write(&path, "mine: true\n").expect("write");
    let out = run(dir.path(), &["init", "topology.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("topology.yaml: error:") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine: true\n");

    let out = run(dir.path(), &["init", "topology.yaml", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        abc_failover::starter::STARTER_TOPOLOGY
    );
}

#[test]
fn init_into_a_missing_folder_is_trouble() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["init", "no/such/folder/topology.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
