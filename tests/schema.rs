//! `abc-failover schema` is a JSON Schema that accepts every sample and the `init` starter, and
//! rejects what the loader rejects structurally (unknown keys, wrong enum values, wrong types).

mod common;

use std::process::Command;

use abc_failover::diagnostic::Origin;
use abc_failover::yaml;
use serde_json::{json, Value};

fn schema() -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_abc-failover"))
        .arg("schema")
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).expect("schema output is JSON")
}

struct Checker {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Checker {
    fn new() -> Self {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler
            .add_resource("urn:abc-failover:topology", schema())
            .expect("schema added");
        let index = compiler
            .compile("urn:abc-failover:topology", &mut schemas)
            .expect("the output is a valid JSON Schema");
        Checker { schemas, index }
    }

    fn errors(&self, doc: &Value) -> Option<String> {
        self.schemas
            .validate(doc, self.index)
            .err()
            .map(|e| format!("{e:#}"))
    }
}

/// A change that makes a valid topology invalid.
type Mutate = fn(&mut Value);

fn to_json(text: &str) -> Value {
    yaml::parse(text, Origin::File)
        .expect("YAML parses")
        .to_json()
}

fn samples_and_starter() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = common::samples()
        .iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(p).expect("sample"),
            )
        })
        .collect();
    v.push((
        "starter".into(),
        abc_failover::starter::STARTER_TOPOLOGY.to_string(),
    ));
    v
}

#[test]
fn yaml_to_json_uses_the_core_schema() {
    let v = to_json("a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\nf: [x, 'no']\ng: 0x10\nh: yes\n");
    assert_eq!(
        v,
        json!({"a": 1, "b": "1", "c": true, "d": null, "e": 1.5, "f": ["x", "no"], "g": 16, "h": "yes"})
    );
}

#[test]
fn schema_accepts_every_sample_and_the_starter() {
    let c = Checker::new();
    let all = samples_and_starter();
    assert!(all.len() >= 4, "samples found: {}", all.len());
    for (name, text) in all {
        let doc = to_json(&text);
        assert_eq!(c.errors(&doc), None, "{name}");
    }
}

#[test]
fn schema_rejects_unknown_keys_and_bad_values() {
    let c = Checker::new();
    let base = to_json(abc_failover::starter::STARTER_TOPOLOGY);
    assert_eq!(c.errors(&base), None);

    let cases: [(&str, Mutate); 20] = [
        ("format 2", |v| {
            v["format"] = json!(2);
        }),
        ("retention_days 0", |v| {
            v["backup"]["retention_days"] = json!(0);
        }),
        ("keep_last above 1000", |v| {
            v["backup"]["keep_last"] = json!(1001);
        }),
        ("upper-case pool id", |v| {
            v["pools"][0]["id"] = json!("DC1");
        }),
        ("bad service id", |v| {
            v["pools"][0]["app_server_service_id"] = json!("ApplicationServer-1");
        }),
        ("bad database name", |v| {
            v["pools"][0]["databases"][0]["names"] = json!(["Lcs-CDR"]);
        }),
        ("organization with a double quote", |v| {
            v["organization"] = json!("Contoso \"Ltd\"");
        }),
        ("unknown top-level key", |v| {
            v["formt"] = json!(1);
        }),
        ("unknown key in a pool", |v| {
            v["pools"][0]["rgs_audio_source"] = json!([]);
        }),
        ("unknown key in backup", |v| {
            v["backup"]["retension_days"] = json!(3);
        }),
        ("unknown key in services", |v| {
            v["pools"][0]["services"]["lync"] = json!(true);
        }),
        ("wrong product", |v| {
            v["product"] = json!("lync2010");
        }),
        ("wrong edition", |v| {
            v["pools"][0]["edition"] = json!("premium");
        }),
        ("wrong database role", |v| {
            v["pools"][0]["databases"][0]["role"] = json!("cdr");
        }),
        ("wrong hosts_cms", |v| {
            v["pools"][0]["hosts_cms"] = json!("maybe");
        }),
        ("string for a number", |v| {
            v["backup"]["retention_days"] = json!("14");
        }),
        ("scalar for a list", |v| {
            v["backup"]["copies"] = json!("\\\\x\\y");
        }),
        ("list for a mapping", |v| {
            v["pools"][0]["backup_pool"] = json!(["a.b"]);
        }),
        ("missing pools", |v| {
            v.as_object_mut().unwrap().remove("pools");
        }),
        ("missing pool fqdn", |v| {
            v["pools"][0].as_object_mut().unwrap().remove("fqdn");
        }),
    ];
    for (what, mutate) in cases {
        let mut doc = base.clone();
        mutate(&mut doc);
        assert!(c.errors(&doc).is_some(), "schema accepted: {what}");
    }
}

#[test]
fn schema_rejects_files_the_loader_rejects_structurally() {
    let c = Checker::new();
    let starter = abc_failover::starter::STARTER_TOPOLOGY;
    for (from, to) in [
        ("format: 1\n", "format: 1\nformt: 1\n"),
        ("    id: dc1\n", "    id: dc1\n    fdqn: x.y\n"),
        ("product: lync2013", "product: lync2010"),
    ] {
        assert!(starter.contains(from));
        let text = starter.replacen(from, to, 1);
        let loaded = abc_failover::load::load_bytes("t.yaml", "t.yaml", text.as_bytes(), &[]);
        assert!(loaded.is_err(), "loader accepted {to:?}");
        assert!(
            c.errors(&to_json(&text)).is_some(),
            "schema accepted {to:?}"
        );
    }
}
