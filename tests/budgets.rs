//! The YAML budgets on the real binary: every honest topology up to the 1 MiB file limit is
//! accepted (the synthetic topologies of the benchmark, bench/gen-topology.py, up to the largest
//! that fits), while alias expansion stops at one node per byte of the file (at least 20 000).

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

struct Run {
    code: i32,
    stderr: String,
    elapsed: Duration,
}

/// `abc-failover validate` on `text` written as `topology.yaml` in a fresh folder.
fn validate(text: &str) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("topology.yaml");
    std::fs::write(&path, text).expect("write topology");
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_abc-failover"))
        .env("NO_COLOR", "1")
        .arg("validate")
        .arg(&path)
        .output()
        .expect("the binary runs");
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Run {
        code: out.status.code().expect("exit code"),
        stderr,
        elapsed,
    }
}

/// The benchmark's synthetic topology of `pools` pools.
fn synthetic(pools: usize) -> String {
    let out = Command::new("python3")
        .arg(common::root().join("bench/gen-topology.py"))
        .arg(pools.to_string())
        .output()
        .expect("python3 runs bench/gen-topology.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

const MIB: usize = 1024 * 1024;

#[test]
fn a_thousand_pools_are_accepted() {
    let y = synthetic(1000);
    assert!(y.len() > 600_000, "{} bytes", y.len());
    let r = validate(&y);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.ends_with(": valid\n"), "{}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn the_largest_synthetic_topology_under_one_mebibyte_is_accepted() {
    // Pools come in pairs; find the largest even count whose file still fits in 1 MiB.
    let per_pair = synthetic(1002).len() - synthetic(1000).len();
    let mut pools = 1000 + 2 * (MIB - synthetic(1000).len()) / per_pair;
    pools -= pools % 2;
    let y = synthetic(pools);
    assert!(
        y.len() <= MIB && y.len() > MIB - per_pair,
        "{pools} pools: {} bytes",
        y.len()
    );
    let r = validate(&y);
    assert_eq!(r.code, 0, "{pools} pools, {} bytes: {}", y.len(), r.stderr);
}

#[test]
fn a_thousand_pools_sharing_anchors_are_accepted() {
    // The same topology written with a YAML anchor: the services of every second pool of a pair
    // are an alias of the first such pool's, so the file is smaller than the tree it expands to.
    let y = synthetic(1000);
    let services =
        "    services:\n      response_groups: true\n      call_park: true\n    rgs_audio_sources:\n";
    let first = y.find(services).expect("services block");
    let mut out = String::new();
    out.push_str(&y[..first]);
    out.push_str(&services.replace("services:", "services: &services"));
    out.push_str(&y[first + services.len()..].replace(
        services,
        "    services: *services\n    rgs_audio_sources:\n",
    ));
    assert_eq!(out.matches("*services").count(), 499);
    let r = validate(&out);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A file of exactly `len` bytes whose tree, aliases expanded, has `nodes` nodes: an anchored
/// list of 99 scalars (100 nodes with the list) aliased as often as needed, padded with a comment.
fn alias_file(len: usize, nodes: usize) -> String {
    // Nodes: root mapping 1, key `a` 1, its list 100, key `b` 1, its list 1, each alias 100,
    // and `c: x` (2) to fine-tune to the exact count.
    let fixed = 1 + 1 + 100 + 1 + 1;
    let aliases = (nodes - fixed) / 100;
    let rest = nodes - fixed - 100 * aliases;
    assert!(
        rest == 0 || rest == 2,
        "pick a node count that the shapes allow"
    );
    let mut y = format!("a: &a [{}]\n", vec!["x"; 99].join(","));
    y.push_str(&format!("b: [{}]\n", vec!["*a"; aliases].join(",")));
    if rest == 2 {
        y.push_str("c: x\n");
    }
    assert!(y.len() + 2 <= len, "the nodes do not fit in {len} bytes");
    let pad = len - y.len() - 2;
    y.push('#');
    y.push_str(&"p".repeat(pad));
    y.push('\n');
    assert_eq!(y.len(), len);
    y
}

#[test]
fn alias_expansion_up_to_one_node_per_byte_is_accepted() {
    // Exactly at the budget: the YAML is read, and the topology checks then refuse the unknown
    // keys (which proves the tree was built).
    let y = alias_file(300_004, 300_004);
    let r = validate(&y);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("topology.yaml:1:1: error: unknown key `a`"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("nodes"), "{}", r.stderr);
}

#[test]
fn alias_expansion_beyond_one_node_per_byte_is_refused_at_the_alias() {
    // One node more than the file has bytes: refused at the last alias.
    let y = alias_file(300_002, 300_004);
    let r = validate(&y);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line2 = y.find('\n').expect("line 1") + 1;
    let col = y.rfind("*a").expect("alias") - line2 + 1;
    assert!(
        r.stderr.contains(&format!(
            "topology.yaml:2:{col}: error: YAML aliases expand the document beyond 300002 nodes"
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("one node per byte"), "{}", r.stderr);
}

#[test]
fn a_one_mebibyte_alias_bomb_is_refused_quickly() {
    // The largest file there can be, all of it aliases of a 100-node list: the expansion stops
    // after about a million nodes.
    let mut y = format!("a: &a [{}]\nb: [", vec!["x"; 99].join(","));
    while y.len() < MIB - 8 {
        y.push_str("*a,");
    }
    y.push_str("*a]\n");
    assert!(y.len() <= MIB);
    let r = validate(&y);
    eprintln!("1 MiB alias bomb: whole process {:?}", r.elapsed);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("YAML aliases expand the document beyond"),
        "{}",
        r.stderr
    );
    assert!(r.elapsed < Duration::from_secs(3), "took {:?}", r.elapsed);
}
