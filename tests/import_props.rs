//! Property tests of `import`: no bytes make it panic, every error is located inside the
//! document, and any value a document holds reaches the written topology file as exactly that
//! value (no YAML or comment injection).

use abc_failover::diagnostic::Origin;
use abc_failover::import::write::{write, yaml_str};
use abc_failover::import::{import_bytes, ImportError};
use abc_failover::yaml::{parse, Kind, Node};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import")
            .join(name),
    )
    .expect("fixture")
}

/// Import `bytes`; an error must be located inside the text, a success must write a file that
/// is well-formed YAML.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    match import_bytes("d.xml", bytes) {
        Ok(imported) => {
            let written = write(&imported, "topology.yaml");
            prop_assert!(
                parse(&written.text, Origin::File).is_ok(),
                "not YAML:\n{}",
                written.text
            );
            // Loading may find problems (FILL-IN values), but never panics.
            let _ = abc_failover::load::load_bytes("t", "t", written.text.as_bytes(), &[]);
        }
        Err(ImportError::Invalid(d)) => {
            prop_assert_eq!(d.file.as_str(), "d.xml");
            prop_assert!(d.is_error());
            if let (Some(line), Some(col)) = (d.line, d.column) {
                let lines = bytes.split(|b| *b == b'\n').count();
                prop_assert!(line >= 1 && col >= 1, "{}", d);
                // UTF-16 has as many LF code units as UTF-8 has LF bytes, and no more lines.
                prop_assert!(
                    line <= lines.max(1) + 1,
                    "line {} of {}: {}",
                    line,
                    lines,
                    d
                );
            }
        }
        Err(ImportError::Unreadable { .. }) => prop_assert!(false, "bytes are never unreadable"),
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Replace(usize, u8),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..200).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (
            any::<usize>(),
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..16),
                Just(b"<".to_vec()),
                Just(b"\"".to_vec()),
                Just(b"&amp;".to_vec()),
                Just(b"<!DOCTYPE x>".to_vec()),
                Just(b"</Service>".to_vec()),
                Just(b" Usage=\"Other\"".to_vec()),
            ]
        )
            .prop_map(|(a, b)| Mutation::Insert(a, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Replace(a, b)),
        (any::<usize>(), 1usize..400).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let len = bytes.len().max(1);
    match m {
        Mutation::Truncate(a) => bytes.truncate(a % len),
        Mutation::Delete(a, n) => {
            let a = a % len;
            let b = (a + n).min(bytes.len());
            bytes.drain(a.min(b)..b);
        }
        Mutation::Insert(a, ins) => {
            let a = (a % len).min(bytes.len());
            bytes.splice(a..a, ins.iter().copied());
        }
        Mutation::Replace(a, b) => {
            if let Some(x) = bytes.get_mut(a % len) {
                *x = *b;
            }
        }
        Mutation::Duplicate(a, n) => {
            let a = (a % len).min(bytes.len());
            let b = (a + n).min(bytes.len());
            let part = bytes[a..b].to_vec();
            bytes.splice(b..b, part);
        }
    }
    bytes
}

/// `s` as an XML attribute value that reads back as `s` (whitespace as character references,
/// so attribute-value normalisation keeps it).
fn xml_attr(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Characters an XML 1.0 document may hold.
fn xml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        any::<char>().prop_filter("XML Char", |c| {
            matches!(*c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..)
        }),
        prop_oneof![
            Just('\''),
            Just('"'),
            Just('#'),
            Just(':'),
            Just('\n'),
            Just('\r'),
            Just('\u{85}'),
            Just('\u{2028}'),
            Just('\u{FEFF}'),
            Just('\\'),
            Just(' '),
        ],
    ]
}

fn xml_string() -> impl Strategy<Value = String> {
    proptest::collection::vec(xml_char(), 1..40).prop_map(|v| v.into_iter().collect())
}

/// A published topology with one Standard Edition pool whose FQDN, share and SQL instance are
/// the given values.
fn document(fqdn: &str, share: &str, instance: &str) -> String {
    let svc = |role: &str, inst: u32, on: &str, deps: &[&str], body: &str| {
        let deps: String = deps
            .iter()
            .map(|d| {
                let (r, i) = d.split_once('-').unwrap();
                format!("<Dependency Usage=\"Default\"><ServiceId SiteId=\"1\" RoleName=\"{r}\" Instance=\"{i}\"/></Dependency>")
            })
            .collect();
        format!("<Service ServiceVersion=\"7\"><ServiceId SiteId=\"1\" RoleName=\"{role}\" Instance=\"{inst}\"/><DependsOn>{deps}</DependsOn><InstalledOn>{on}</InstalledOn>{body}</Service>")
    };
    let cluster = "<ClusterId SiteId=\"1\" Number=\"1\"/>";
    let sql = format!(
        "<SqlInstanceId Name=\"{}\"><ClusterId SiteId=\"1\" Number=\"1\"/></SqlInstanceId>",
        xml_attr(instance)
    );
    format!(
        "<Topology xmlns=\"urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008\"><Sites><CentralSite SiteId=\"1\"/></Sites>\
         <Clusters><Cluster Fqdn=\"{}\">{cluster}</Cluster></Clusters>\
         <SqlInstances><SqlInstance>{sql}</SqlInstance></SqlInstances><Services>{}{}{}{}{}</Services></Topology>",
        xml_attr(fqdn),
        svc("UserServices", 1, cluster, &["UserStore-1", "FileStore-1"], ""),
        svc("Registrar", 1, cluster, &["UserServices-1", "MonitoringStore-1"], ""),
        svc("UserStore", 1, &sql, &[], ""),
        svc("FileStore", 1, cluster, &[], &format!("<FileStoreService ShareName=\"{}\"/>", xml_attr(share))),
        svc("MonitoringStore", 1, &sql, &[], ""),
    )
}

fn scalar<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
    let mut n = node;
    for key in path {
        n = match (&n.kind, key.parse::<usize>()) {
            (Kind::Seq(items), Ok(i)) => items.get(i)?,
            _ => n.get(key)?,
        };
    }
    n.scalar()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes)?;
    }

    #[test]
    fn random_bytes_behind_a_bom_never_panic(
        bom in prop_oneof![Just(vec![0xEFu8, 0xBB, 0xBF]), Just(vec![0xFF, 0xFE]), Just(vec![0xFE, 0xFF])],
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        check(&[bom, bytes].concat())?;
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..3,
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let name = ["published-contoso.xml", "builder-litware.tbxml", "published-contoso.utf16le.xml"][which];
        let bytes = mutations.iter().fold(fixture(name), apply);
        check(&bytes)?;
    }

    #[test]
    fn document_values_reach_the_file_unchanged(
        fqdn in xml_string(),
        share in xml_string(),
        instance in xml_string(),
    ) {
        let doc = document(&fqdn, &share, &instance);
        let imported = import_bytes("d.xml", doc.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{doc}")))?;
        let written = write(&imported, "topology.yaml");
        let root = parse(&written.text, Origin::File)
            .map_err(|e| TestCaseError::fail(format!("{e:?}\n{}", written.text)))?;
        // Values are trimmed when read, as attribute values are by every reader of this format.
        let (fqdn, share, instance) = (fqdn.trim(), share.trim(), instance.trim());
        if fqdn.is_empty() {
            prop_assert!(imported.pools.is_empty());
            return Ok(());
        }
        prop_assert_eq!(scalar(&root, &["pools", "0", "fqdn"]), Some(fqdn), "{}", written.text);
        if share.is_empty() {
            prop_assert_eq!(scalar(&root, &["pools", "0", "file_store"]), Some("FILL-IN"));
        } else {
            let expected = format!("\\\\{fqdn}\\{share}");
            prop_assert_eq!(scalar(&root, &["pools", "0", "file_store"]), Some(expected.as_str()));
        }
        prop_assert_eq!(scalar(&root, &["pools", "0", "databases", "0", "server"]), Some(fqdn));
        let got = scalar(&root, &["pools", "0", "databases", "0", "instance"]);
        if instance.is_empty() {
            prop_assert_eq!(got, None);
        } else {
            prop_assert_eq!(got, Some(instance));
        }
        // Standard Edition: the UserStore is on the pool's own cluster.
        prop_assert_eq!(scalar(&root, &["pools", "0", "edition"]), Some("standard"));
    }

    #[test]
    fn yaml_scalars_read_back_as_written(s in any::<String>()) {
        let text = format!("k: {}\n", yaml_str(&s));
        let root = parse(&text, Origin::File).map_err(|e| TestCaseError::fail(format!("{e:?}: {text:?}")))?;
        prop_assert_eq!(root.get("k").and_then(Node::scalar), Some(s.as_str()));
    }
}
