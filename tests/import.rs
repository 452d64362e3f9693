//! `abc-failover import`: every fixture imports to the expected topology (snapshot), the result
//! validates once the listed values are filled with `--set`, `--compare` finds drift, and every
//! malformed or hostile document gets a located error and writes nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    common::abc(Some(dir), args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Import `document` (under the fixtures) into `topology.yaml` of a new temp dir. The document
/// is given relative to the fixtures folder, so messages are stable.
fn import(document: &str) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_file = dir.path().join("topology.yaml");
    let out = run(
        &fixtures(),
        &["import", document, "-o", out_file.to_str().unwrap()],
    );
    (dir, out)
}

/// stderr with the temp dir replaced by `<out>`.
fn stable(text: &str, dir: &Path) -> String {
    text.replace(dir.to_str().unwrap(), "<out>")
}

/// The `--set PATH=VALUE` listed on stderr (`FILE:LINE: fill in PATH: ...`).
fn fills(stderr: &str) -> Vec<(usize, String)> {
    stderr
        .lines()
        .filter_map(|l| {
            let (head, rest) = l.split_once(": fill in ")?;
            let line = head.rsplit(':').next()?.parse().ok()?;
            Some((line, rest.split(':').next()?.to_string()))
        })
        .collect()
}

const DOCUMENTS: &[(&str, &str)] = &[
    ("published-contoso", "published-contoso.xml"),
    ("builder-litware", "builder-litware.tbxml"),
    ("backup-set-fabrikam", "set/20261101T020000Z"),
];

#[test]
fn each_fixture_imports_to_the_expected_topology() {
    for (name, document) in DOCUMENTS {
        let (dir, out) = import(document);
        assert_eq!(out.status.code(), Some(0), "{document}: {out:?}");
        let written = std::fs::read_to_string(dir.path().join("topology.yaml")).expect("written");
        insta::assert_snapshot!(format!("import-{name}"), written);
        insta::assert_snapshot!(
            format!("import-{name}-stderr"),
            stable(&stderr(&out), dir.path())
        );
    }
}

#[test]
fn utf16_and_utf8_bom_variants_are_the_same_document_and_import_alike() {
    let utf8 = std::fs::read(fixtures().join("published-contoso.xml")).unwrap();
    let text = String::from_utf8(utf8).unwrap();
    let utf16 = std::fs::read(fixtures().join("published-contoso.utf16le.xml")).unwrap();
    let expected16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert_eq!(
        utf16, expected16,
        "the UTF-16 fixture drifted from the UTF-8 one"
    );
    let bom = std::fs::read(fixtures().join("published-contoso.utf8bom.xml")).unwrap();
    assert_eq!(bom, [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat());

    let (dir, out) = import("published-contoso.xml");
    assert_eq!(out.status.code(), Some(0));
    let reference = std::fs::read_to_string(dir.path().join("topology.yaml")).unwrap();
    for variant in [
        "published-contoso.utf16le.xml",
        "published-contoso.utf8bom.xml",
    ] {
        let (dir, out) = import(variant);
        assert_eq!(out.status.code(), Some(0), "{variant}: {out:?}");
        let written = std::fs::read_to_string(dir.path().join("topology.yaml")).unwrap();
        assert_eq!(
            written.replace(variant, "published-contoso.xml"),
            reference,
            "{variant}"
        );
    }
}

/// The messages of the import's warnings that contain `needle`, in order.
fn warnings_with<'a>(imported: &'a abc_failover::import::Imported, needle: &str) -> Vec<&'a str> {
    imported
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .filter(|m| m.contains(needle))
        .collect()
}

/// Pieces of a published topology document (`Get-CsTopology -AsXml`), for the documents the
/// tests write themselves. Site 1 unless a site is given.
mod doc {
    use std::fmt::Display;

    pub fn sid(role: &str, instance: impl Display) -> String {
        format!("<ServiceId SiteId=\"1\" RoleName=\"{role}\" Instance=\"{instance}\"/>")
    }

    pub fn dep(role: &str, instance: impl Display) -> String {
        format!(
            "<Dependency Usage=\"Default\">{}</Dependency>",
            sid(role, instance)
        )
    }

    pub fn on(site: u32, number: impl Display) -> String {
        format!("<InstalledOn><ClusterId SiteId=\"{site}\" Number=\"{number}\"/></InstalledOn>")
    }

    pub fn cluster(site: u32, number: impl Display, fqdn: &str, attrs: &str) -> String {
        format!("<Cluster Fqdn=\"{fqdn}\"{attrs}><ClusterId SiteId=\"{site}\" Number=\"{number}\"/></Cluster>")
    }

    /// What makes cluster `n` of site 1 a Front End pool: UserServices, and a Registrar that
    /// depends on it (`registrar` is added inside the Registrar's element).
    pub fn pool(n: impl Display + Copy, registrar: &str) -> String {
        pool_with(n, "", registrar)
    }

    /// [`pool`] with dependencies of its UserServices (`<Dependency>` elements).
    pub fn pool_with(n: impl Display + Copy, user_services: &str, registrar: &str) -> String {
        format!(
            "<Service>{}<DependsOn>{user_services}</DependsOn>{}</Service><Service>{}<DependsOn>{}</DependsOn>{}{registrar}</Service>",
            sid("UserServices", n),
            on(1, n),
            sid("Registrar", n),
            dep("UserServices", n),
            on(1, n)
        )
    }

    pub fn topology(inner: &str) -> String {
        format!("<Topology xmlns=\"urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008\">{inner}</Topology>")
    }
}

/// Values for the listed fills: pools paired two by two (pairing must be symmetric), a last
/// odd one with a pool that is not listed.
fn values_for(fills: &[(usize, String)]) -> Vec<String> {
    let pairs: Vec<&String> = fills
        .iter()
        .map(|(_, p)| p)
        .filter(|p| p.ends_with(".backup_pool.fqdn"))
        .collect();
    let pool_of = |p: &str| p.split('.').nth(1).unwrap().to_string();
    fills
        .iter()
        .map(|(_, path)| {
            let value = match path.as_str() {
                "backup.root" => r"D:\AbcBackup".to_string(),
                "backup.sql_backup_path" => r"\\sqlbak.example.com\LyncSqlBackup".to_string(),
                "product" => "sfb2015".to_string(),
                p if p.ends_with(".edition") => "enterprise".to_string(),
                p if p.ends_with(".file_store") => r"\\fs.example.com\Share".to_string(),
                p if p.ends_with(".backup_pool.fqdn") => {
                    let i = pairs.iter().position(|x| *x == p).unwrap();
                    let partner = if i % 2 == 0 { i + 1 } else { i - 1 };
                    match pairs.get(partner) {
                        Some(other) => format!("{}.example.com", pool_of(other)),
                        None => "pool-z.example.com".to_string(),
                    }
                }
                other => panic!("no test value for {other}"),
            };
            format!("{path}={value}")
        })
        .collect()
}

#[test]
fn the_written_file_validates_once_the_listed_values_are_given_with_set() {
    for (_, document) in DOCUMENTS {
        let (dir, out) = import(document);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let listed = fills(&stderr(&out));
        assert!(
            !listed.is_empty(),
            "{document}: backup.root is never in a document"
        );
        // Unfilled, it fails, at exactly the marked lines.
        let v = run(dir.path(), &["validate", "topology.yaml"]);
        assert_eq!(v.status.code(), Some(1), "{document}: {v:?}");
        let errors: Vec<usize> = stderr(&v)
            .lines()
            .filter(|l| l.contains(": error: "))
            .map(|l| l.split(':').nth(1).unwrap().parse().unwrap())
            .collect();
        let marked: Vec<usize> = listed.iter().map(|(l, _)| *l).collect();
        assert_eq!(errors, marked, "{document}: {}", stderr(&v));
        let written = std::fs::read_to_string(dir.path().join("topology.yaml")).unwrap();
        for (line, _) in &listed {
            assert!(
                written
                    .lines()
                    .nth(line - 1)
                    .unwrap()
                    .ends_with(": FILL-IN"),
                "{document}:{line}"
            );
        }
        // Pools addressed by pool id: the pool part of a path is the id written in the file.
        let mut args = vec!["validate".to_string(), "topology.yaml".to_string()];
        for set in values_for(&listed) {
            let set = match set.split_once(".backup_pool.fqdn=") {
                Some((path, value)) => {
                    // The partner's FQDN: find the pool with that id in the file.
                    let id = value.trim_end_matches(".example.com");
                    let fqdn = fqdn_of(&written, id).unwrap_or_else(|| value.to_string());
                    format!("{path}.backup_pool.fqdn={fqdn}")
                }
                None => set,
            };
            args.push("--set".into());
            args.push(set);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let v = run(dir.path(), &args);
        assert_eq!(
            v.status.code(),
            Some(0),
            "{document}: {args:?}\n{}",
            stderr(&v)
        );
        assert!(
            stderr(&v).ends_with("topology.yaml: valid\n"),
            "{}",
            stderr(&v)
        );
    }
}

/// The `fqdn:` that follows `id: ID` in a written file.
fn fqdn_of(written: &str, id: &str) -> Option<String> {
    let mut lines = written
        .lines()
        .skip_while(|l| l.trim() != format!("id: {id}"));
    lines.next()?;
    lines
        .next()?
        .trim()
        .strip_prefix("fqdn: ")
        .map(str::to_string)
}

#[test]
fn a_backup_set_gives_the_pairing_the_back_end_and_the_cms_location() {
    let (dir, out) = import("set/20261101T020000Z");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let written = std::fs::read_to_string(dir.path().join("topology.yaml")).unwrap();
    let t = &stderr(&out);
    assert_eq!(
        fills(t).into_iter().map(|f| f.1).collect::<Vec<_>>(),
        ["backup.root"]
    );
    let filled = written.replace("root: FILL-IN", r"root: 'D:\AbcBackup'");
    std::fs::write(dir.path().join("filled.yaml"), &filled).unwrap();
    let v = run(dir.path(), &["validate", "filled.yaml"]);
    assert_eq!(v.status.code(), Some(0), "{}", stderr(&v));
    let loaded = abc_failover::load::load_file(&dir.path().join("filled.yaml"), &[]).unwrap();
    let pools = &loaded.topology.pools;
    assert_eq!(pools[0].backup_pool.fqdn, "rtm-pool.fabrikam.com");
    assert_eq!(pools[1].backup_pool.fqdn, "ams-pool.fabrikam.com");
    let backend = pools[1].backup_pool.backend.as_ref().unwrap();
    assert_eq!(
        (backend.server.as_str(), backend.instance.as_deref()),
        ("ams-sql.fabrikam.com", Some("LYNC"))
    );
    assert_eq!(
        (pools[0].hosts_cms, pools[1].hosts_cms),
        (
            abc_failover::model::HostsCms::Yes,
            abc_failover::model::HostsCms::No
        )
    );
    assert_eq!(
        loaded.topology.product,
        abc_failover::model::Product::Sfb2019
    );

    // The set matches the file imported from it: no drift.
    let c = run(
        &fixtures(),
        &[
            "import",
            "set/20261101T020000Z",
            "--compare",
            dir.path().join("filled.yaml").to_str().unwrap(),
        ],
    );
    assert_eq!(c.status.code(), Some(0), "{c:?}");
    assert_eq!(stdout(&c), "");
    assert!(stderr(&c).contains("matches"), "{}", stderr(&c));
}

#[test]
fn a_set_without_inventory_csvs_warns_and_leaves_the_pairing_to_fill_in() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("set").join("Inventory");
    std::fs::create_dir_all(&inv).unwrap();
    std::fs::copy(
        fixtures().join("set/20261101T020000Z/Inventory/Topology.xml"),
        inv.join("Topology.xml"),
    )
    .unwrap();
    let out = run(dir.path(), &["import", "set", "-o", "t.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let e = stderr(&out);
    assert!(
        e.contains("set/Inventory/PoolBackupRelationship.csv: warning: not in the backup set"),
        "{e}"
    );
    assert!(e.contains("fill in pools.ams-pool.backup_pool.fqdn"), "{e}");

    // A folder without Inventory\Topology.xml is trouble (exit 2), and nothing is written.
    let out = run(dir.path(), &["import", ".", "-o", "u.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        stderr(&out).contains("Topology.xml: error: cannot read"),
        "{out:?}"
    );
    assert!(!dir.path().join("u.yaml").exists());
}

#[test]
fn import_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let doc = fixtures().join("published-contoso.xml");
    let doc = doc.to_str().unwrap();
    std::fs::write(dir.path().join("topology.yaml"), "mine: true\n").unwrap();
    let out = run(dir.path(), &["import", doc]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(stderr(&out).contains("topology.yaml: error: the file exists; use --force"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("topology.yaml")).unwrap(),
        "mine: true\n"
    );
    let out = run(dir.path(), &["import", doc, "--force"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(std::fs::read_to_string(dir.path().join("topology.yaml"))
        .unwrap()
        .starts_with("# abc-failover topology, format 1, written by `abc-failover import`"));
}

#[test]
fn compare_finds_a_changed_share_a_missing_pool_and_a_new_pool() {
    let out = run(
        &fixtures(),
        &[
            "import",
            "published-contoso.xml",
            "--compare",
            "committed-contoso.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        stdout(&out),
        "pool01.contoso.com: file_store: topology '\\\\fs01.contoso.com\\LyncShareOld', document '\\\\fs01.contoso.com\\LyncShare'\n\
         old01.contoso.com: in the topology, not a Front End pool of the document\n\
         se01.contoso.com: a Front End pool of the document, not in the topology\n"
    );
    assert!(stderr(&out)
        .ends_with("committed-contoso.yaml: 3 difference(s) from published-contoso.xml\n"));

    let out = run(
        &fixtures(),
        &[
            "import",
            "published-contoso.xml",
            "--compare",
            "committed-contoso.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(
        json,
        serde_json::json!({
            "document": "published-contoso.xml",
            "topology": "committed-contoso.yaml",
            "differences": [
                {"pool": "pool01.contoso.com", "key": "file_store",
                 "topology": "\\\\fs01.contoso.com\\LyncShareOld",
                 "document": "\\\\fs01.contoso.com\\LyncShare"},
                {"pool": "old01.contoso.com", "key": "pool",
                 "topology": "old01.contoso.com", "document": null},
                {"pool": "se01.contoso.com", "key": "pool",
                 "topology": null, "document": "se01.contoso.com"},
            ]
        })
    );
}

/// The file imported from published-contoso.xml with its FILL-IN values given (backup root, SQL
/// backup path, the two pools' partners), so that it validates.
fn filled_contoso(written: &str) -> String {
    written
        .replace("root: FILL-IN", r"root: 'D:\AbcBackup'")
        .replace(
            "sql_backup_path: FILL-IN",
            r"sql_backup_path: '\\s.contoso.com\b'",
        )
        .replacen("fqdn: FILL-IN", "fqdn: se01.contoso.com", 1)
        .replacen("fqdn: FILL-IN", "fqdn: pool01.contoso.com", 1)
}

/// `import FIXTURE --compare c.yaml` in `dir`, with `text` as c.yaml.
fn compare_with(dir: &Path, fixture: &str, text: &str) -> std::process::Output {
    std::fs::write(dir.join("c.yaml"), text).unwrap();
    let doc = fixtures().join(fixture);
    run(
        dir,
        &["import", doc.to_str().unwrap(), "--compare", "c.yaml"],
    )
}

/// The Persistent Chat next hop is a difference only one way: the document says a pool is the
/// next hop and the topology does not (the document cannot say it is not).
#[test]
fn compare_reports_a_missing_persistent_chat_next_hop() {
    let (dir, out) = import("builder-litware.tbxml");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let written = std::fs::read_to_string(dir.path().join("topology.yaml")).unwrap();
    assert_eq!(written.matches("persistent_chat_next_hop: true").count(), 1);
    let filled = written
        .replace("root: FILL-IN", r"root: 'D:\AbcBackup'")
        .replace(
            "sql_backup_path: FILL-IN",
            r"sql_backup_path: '\\s.litware.com\b'",
        )
        .replacen("fqdn: FILL-IN", "fqdn: pool-b.litware.com", 1)
        .replacen("fqdn: FILL-IN", "fqdn: pool-a.litware.com", 1)
        .replacen("fqdn: FILL-IN", "fqdn: se-d.litware.com", 1);
    let compare = |text: &str| compare_with(dir.path(), "builder-litware.tbxml", text);
    let same = compare(&filled);
    assert_eq!(same.status.code(), Some(0), "{same:?}");
    let out = compare(&filled.replace(
        "persistent_chat_next_hop: true",
        "persistent_chat_next_hop: false",
    ));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stdout(&out)
            .contains("services.persistent_chat_next_hop: topology 'false', document 'true'"),
        "{}",
        stdout(&out)
    );
    // The other way round is no difference: the topology may know better.
    let more = filled.replacen(
        "persistent_chat_next_hop: false",
        "persistent_chat_next_hop: true",
        1,
    );
    let out = compare(&more);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn compare_reports_every_key_the_document_knows() {
    // Start from the imported Contoso file, filled, then change one value per key.
    let (dir, out) = import("published-contoso.xml");
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join("topology.yaml")).unwrap();
    let filled = filled_contoso(&written);
    let compare = |text: &str| compare_with(dir.path(), "published-contoso.xml", text);
    let clean = compare(&filled);
    assert_eq!(clean.status.code(), Some(0), "{clean:?}");
    let drifted = filled
        .replacen("product: sfb2015", "product: sfb2019", 1)
        .replacen("edition: standard", "edition: enterprise", 1)
        .replacen("'1-ApplicationServer-1'", "'1-ApplicationServer-9'", 1)
        .replacen("hosts_cms: true", "hosts_cms: false", 1)
        .replacen("- edge01.contoso.com", "- edge02.contoso.com", 1)
        .replacen("instance: ARC", "instance: ARC2", 1)
        .replacen("- sba01.contoso.com", "- sba02.contoso.com", 1);
    let out = compare(&drifted);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stdout(&out).contains(
            "pool01.contoso.com: databases.archiving: topology 'sqlmon01.contoso.com\\ARC2', document 'sqlmon01.contoso.com\\ARC'"
        ),
        "{}",
        stdout(&out)
    );
    let keys: Vec<String> = stdout(&out)
        .lines()
        .map(|l| l.split(": ").nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        keys,
        [
            "product",
            "app_server_service_id",
            "hosts_cms",
            "edge_pools",
            "branch_appliances",
            "databases.archiving",
            "edition"
        ],
        "{}",
        stdout(&out)
    );
    // A committed topology that is itself invalid is a finding, reported as validate does.
    let out = compare("format: 1\n");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("c.yaml:"), "{out:?}");
}

/// Every malformed or hostile document: a located `FILE:LINE:COL: error:`, exit 1, nothing
/// written, in both modes.
#[test]
fn malformed_documents_get_a_located_error_and_write_nothing() {
    for (doc, says) in [
        ("entity-bomb.xml", "DTD"),
        ("external-entity.xml", "DTD"),
        ("deep-nesting.xml", "nest more than 64"),
        ("truncated.xml", "truncated"),
        ("wrong-root.xml", "the root element is in namespace"),
        (
            "wrong-namespace.xml",
            "not a Lync or Skype for Business topology",
        ),
        ("bad-utf16.xml", "not valid UTF-16"),
        ("export-zip.xml", "not valid UTF-8"),
        ("undefined-entity.xml", "malformed XML"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("topology.yaml");
        let out = run(
            &fixtures(),
            &["import", doc, "-o", target.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(1), "{doc}: {out:?}");
        let e = stderr(&out);
        let first = e.lines().next().unwrap();
        let rest = first
            .strip_prefix(&format!("{doc}:"))
            .unwrap_or_else(|| panic!("{doc}: {e}"));
        let mut parts = rest.splitn(3, ':');
        let line: usize = parts
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("{e}"));
        let col: usize = parts
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("{e}"));
        assert!(line >= 1 && col >= 1);
        assert!(parts.next().unwrap().starts_with(" error: "), "{e}");
        assert!(first.contains(says), "{doc}: {first}");
        assert!(!target.exists(), "{doc}: something was written");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let out = run(
            &fixtures(),
            &["import", doc, "--compare", "committed-contoso.yaml"],
        );
        assert_eq!(out.status.code(), Some(1), "{doc}: {out:?}");
        assert!(stderr(&out).starts_with(&format!("{doc}:")), "{out:?}");
        assert_eq!(stdout(&out), "");
    }
}

#[test]
fn the_error_positions_are_where_the_problem_is() {
    let at = |doc: &str| {
        let dir = tempfile::tempdir().unwrap();
        let out = run(
            &fixtures(),
            &[
                "import",
                doc,
                "-o",
                dir.path().join("t.yaml").to_str().unwrap(),
            ],
        );
        stderr(&out).lines().next().unwrap().to_string()
    };
    assert!(at("entity-bomb.xml").starts_with("entity-bomb.xml:2:1: error:"));
    // 200 <Clusters> on line 2, inside the root: the 64th is the 65th level, one too deep.
    assert!(
        at("deep-nesting.xml").starts_with(&format!("deep-nesting.xml:2:{}: error:", 63 * 10 + 1)),
        "{}",
        at("deep-nesting.xml")
    );
    assert!(at("wrong-root.xml").starts_with("wrong-root.xml:1:1: error:"));
}

#[test]
fn an_oversized_or_missing_document() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.xml");
    let mut text = String::from("<Topology>");
    text.push_str(&"<!-- padding -->".repeat(9 * 1024 * 1024 / 16));
    std::fs::write(&big, text).unwrap();
    let out = run(dir.path(), &["import", "big.xml", "-o", "t.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).starts_with("big.xml: error: the document holds more than 8 MiB"));
    assert!(!dir.path().join("t.yaml").exists());

    let out = run(dir.path(), &["import", "nope.xml", "-o", "t.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(stderr(&out).starts_with("nope.xml: error: cannot read the topology document"));
    assert!(!dir.path().join("t.yaml").exists());
}

#[test]
fn format_is_only_for_compare() {
    let out = run(
        &fixtures(),
        &["import", "published-contoso.xml", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = run(
        &fixtures(),
        &[
            "import",
            "published-contoso.xml",
            "--compare",
            "committed-contoso.yaml",
            "--force",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

/// A large document (thousands of pools, all with one shared file store and Edge pool, as a
/// hostile document could have) imports in linear time: every lookup is by key.
#[test]
fn a_large_document_imports_in_linear_time() {
    let pools = 4000;
    let mut clusters = String::new();
    let mut services = String::new();
    use doc::{dep, on, sid};
    for i in 1..=pools {
        clusters.push_str(&format!(
            "<Cluster Fqdn=\"pool{i}.example.com\"><ClusterId SiteId=\"1\" Number=\"{i}\"/></Cluster>"
        ));
        services.push_str(&format!(
            "<Service ServiceVersion=\"7\">{}<DependsOn>{}</DependsOn>{}</Service>",
            sid("UserServices", i),
            dep("FileStore", 1),
            on(1, i)
        ));
        services.push_str(&format!(
            "<Service ServiceVersion=\"7\">{}<DependsOn>{}</DependsOn>{}</Service>",
            sid("Registrar", i),
            dep("UserServices", i),
            on(1, i)
        ));
        // Each pool's Edge depends on the pool, and every Edge on pool 1 too.
        services.push_str(&format!(
            "<Service ServiceVersion=\"7\">{}<DependsOn>{}{}</DependsOn>{}</Service>",
            sid("EdgeServer", i),
            dep("Registrar", i),
            dep("Registrar", 1),
            on(1, pools + 1)
        ));
    }
    clusters.push_str(&format!(
        "<Cluster Fqdn=\"fs.example.com\"><ClusterId SiteId=\"1\" Number=\"{}\"/></Cluster>",
        pools + 1
    ));
    services.push_str(&format!(
        "<Service ServiceVersion=\"7\">{}<DependsOn/>{}<FileStoreService ShareName=\"S\"/></Service>",
        sid("FileStore", 1),
        on(1, pools + 1)
    ));
    let doc = doc::topology(&format!(
        "<Clusters>{clusters}</Clusters><Services>{services}</Services>"
    ));
    let started = std::time::Instant::now();
    let imported = abc_failover::import::import_bytes("big.xml", doc.as_bytes()).expect("imports");
    let written = abc_failover::import::write::write(&imported, "topology.yaml");
    let elapsed = started.elapsed();
    eprintln!("{} bytes, {pools} pools: {elapsed:?}", doc.len());
    assert_eq!(imported.pools.len(), pools);
    assert_eq!(written.ids.len(), pools);
    // Generous for a debug build on a shared machine; a quadratic walk takes minutes.
    assert!(
        elapsed < std::time::Duration::from_secs(30),
        "took {elapsed:?}"
    );
}

#[test]
fn directors_gateways_and_orphan_file_stores_are_not_pools() {
    let (dir, out) = import("published-contoso.xml");
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join("topology.yaml")).unwrap();
    for absent in ["dir01", "gw01", "fs02", "OldShare"] {
        assert!(!written.contains(absent), "{absent} was imported");
    }
    let loaded = abc_failover::import::import(&fixtures().join("published-contoso.xml")).unwrap();
    let fqdns: Vec<&str> = loaded.pools.iter().map(|p| p.fqdn.as_str()).collect();
    assert_eq!(fqdns, ["pool01.contoso.com", "se01.contoso.com"]);
    // The orphan is a warning at its FileStore service.
    assert!(stderr(&out).contains("published-contoso.xml:406:5: warning: file store 1-FileStore-3"));
}

#[test]
fn original_attributes_are_matched_in_any_case() {
    let text = std::fs::read_to_string(fixtures().join("builder-litware.tbxml")).unwrap();
    let shouting = text
        .replace("OriginalSiteId", "ORIGINALSITEID")
        .replace("OriginalInstance", "originalinstance");
    assert_ne!(shouting, text);
    let a = abc_failover::import::import_bytes("x.tbxml", text.as_bytes()).unwrap();
    let b = abc_failover::import::import_bytes("x.tbxml", shouting.as_bytes()).unwrap();
    let ids = |i: &abc_failover::import::Imported| {
        i.pools
            .iter()
            .map(|p| p.app_server_service_id.clone())
            .collect::<Vec<_>>()
    };
    // pool-a was published (Original* attributes); pool-b and se-c are new.
    assert_eq!(
        ids(&a),
        [Some("1-ApplicationServer-1".to_string()), None, None]
    );
    assert_eq!(ids(&a), ids(&b));
}

#[test]
fn a_pairing_csv_without_the_expected_columns_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("set").join("Inventory");
    std::fs::create_dir_all(&inv).unwrap();
    let src = fixtures().join("set/20261101T020000Z/Inventory");
    for f in ["Topology.xml", "CmsLocation.csv"] {
        std::fs::copy(src.join(f), inv.join(f)).unwrap();
    }
    std::fs::write(
        inv.join("PoolBackupRelationship.csv"),
        "\"Identity\",\"Partner\"\r\n\"ams-pool.fabrikam.com\",\"rtm-pool.fabrikam.com\"\r\n",
    )
    .unwrap();
    let out = run(dir.path(), &["import", "set", "-o", "t.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let e = stderr(&out);
    assert!(
        e.contains("set/Inventory/PoolBackupRelationship.csv:1:1: warning: no row with PoolFqdn and BackupPoolFqdn columns"),
        "{e}"
    );
    assert!(e.contains("fill in pools.ams-pool.backup_pool.fqdn"), "{e}");
    assert!(e.contains("fill in pools.rtm-pool.backup_pool.fqdn"), "{e}");
}

#[test]
fn a_document_without_front_end_pools_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("empty.xml"),
        "<?xml version=\"1.0\"?><Topology xmlns=\"urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008\"><Clusters/></Topology>",
    )
    .unwrap();
    let out = run(dir.path(), &["import", "empty.xml", "-o", "t.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("empty.xml: error: the document has no Front End pool"));
    assert!(!dir.path().join("t.yaml").exists());
    // Compared with a topology, every pool of the topology is missing from the document.
    let topology = fixtures().join("committed-contoso.yaml");
    let out = run(
        dir.path(),
        &[
            "import",
            "empty.xml",
            "--compare",
            topology.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        stdout(&out),
        "pool01.contoso.com: in the topology, not a Front End pool of the document\n\
         old01.contoso.com: in the topology, not a Front End pool of the document\n"
    );
}

#[test]
fn what_a_thin_document_does_not_say_is_marked_and_can_be_given_with_set() {
    // One pool: no UserStore (so no edition), no file store, no version, no CMS.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("thin.xml"),
        doc::topology(&format!(
            "<Clusters>{}</Clusters><Services>{}</Services>",
            doc::cluster(1, 1, "thin.example.com", ""),
            doc::pool(1, "")
        )),
    )
    .unwrap();
    let out = run(dir.path(), &["import", "thin.xml", "-o", "t.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let listed: Vec<String> = fills(&stderr(&out)).into_iter().map(|f| f.1).collect();
    assert_eq!(
        listed,
        [
            "product",
            "backup.root",
            "pools.thin.edition",
            "pools.thin.file_store",
            "pools.thin.backup_pool.fqdn"
        ]
    );
    let mut args = vec!["validate".to_string(), "t.yaml".to_string()];
    for set in values_for(&fills(&stderr(&out))) {
        args.extend(["--set".to_string(), set]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let v = run(dir.path(), &args);
    assert_eq!(v.status.code(), Some(0), "{}", stderr(&v));
    let written = std::fs::read_to_string(dir.path().join("t.yaml")).unwrap();
    assert!(written.contains("    hosts_cms: unknown\n"), "{written}");
    assert!(!written.contains("app_server_service_id:"), "{written}");
}

#[test]
fn compare_shows_an_empty_side_as_none() {
    let (dir, out) = import("published-contoso.xml");
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join("topology.yaml")).unwrap();
    let filled =
        filled_contoso(&written).replacen("    edge_pools:\n      - edge01.contoso.com\n", "", 1);
    std::fs::write(dir.path().join("c.yaml"), filled).unwrap();
    let doc = fixtures().join("published-contoso.xml");
    let out = run(
        dir.path(),
        &["import", doc.to_str().unwrap(), "--compare", "c.yaml"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        stdout(&out),
        "pool01.contoso.com: edge_pools: topology (none), document 'edge01.contoso.com'\n"
    );
    let out = run(
        dir.path(),
        &[
            "import",
            doc.to_str().unwrap(),
            "--compare",
            "c.yaml",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["differences"][0]["topology"], serde_json::Value::Null);
}

/// Which services near a pool count as its Edge pools and branch appliances, which file store
/// it takes when it depends on two, and how its databases are grouped. One document written for
/// this test, in the published dialect: pool01 has an Edge that depends on its Registrar (its
/// Edge pool) and one that depends only on its UserServices (not an Edge pool of the pool: the
/// Edge's next hop is a Registrar); a branch appliance and a second Front End pool both depend on
/// its Registrar (only the appliance is a branch appliance); its UserServices and its Web
/// Services depend on different file stores; its Monitoring and Archiving stores share one SQL
/// instance, and so does the store of a Persistent Chat pool that depends on both its Registrar
/// and its UserServices (one database entry, not two). pool02 depends on one file store.
#[test]
fn edge_pools_branch_appliances_file_stores_and_databases_are_told_apart() {
    use doc::{dep, on, sid};
    let on_sql = "<InstalledOn><SqlInstanceId Name=\"\"><ClusterId SiteId=\"1\" Number=\"2\"/></SqlInstanceId></InstalledOn>";
    let service = |id: String, deps: Vec<String>, on: String, extra: &str| {
        format!(
            "<Service ServiceVersion=\"7\">{id}<DependsOn>{}</DependsOn>{on}{extra}</Service>",
            deps.concat()
        )
    };
    let clusters: String = [
        (1, 1, "pool01.example.com"),
        (1, 2, "sql01.example.com"),
        (1, 3, "fs01.example.com"),
        (1, 4, "fs02.example.com"),
        (1, 5, "edge01.example.com"),
        (1, 6, "edge02.example.com"),
        (2, 1, "sba01.example.com"),
        (1, 7, "pool02.example.com"),
        (1, 8, "pchat01.example.com"),
    ]
    .iter()
    .map(|(site, n, fqdn)| doc::cluster(*site, n, fqdn, ""))
    .collect();
    let services = [
        service(
            sid("UserServices", 1),
            vec![dep("UserStore", 1), dep("FileStore", 1)],
            on(1, 1),
            "",
        ),
        service(sid("UserStore", 1), vec![], on_sql.into(), ""),
        service(
            sid("Registrar", 1),
            vec![
                dep("UserServices", 1),
                dep("MonitoringStore", 1),
                dep("ArchivingStore", 1),
            ],
            on(1, 1),
            "",
        ),
        service(sid("MonitoringStore", 1), vec![], on_sql.into(), ""),
        service(sid("ArchivingStore", 1), vec![], on_sql.into(), ""),
        service(
            sid("WebServices", 1),
            vec![dep("FileStore", 2)],
            on(1, 1),
            "",
        ),
        service(
            sid("FileStore", 1),
            vec![],
            on(1, 3),
            "<FileStoreService ShareName=\"Share1\"/>",
        ),
        service(
            sid("FileStore", 2),
            vec![],
            on(1, 4),
            "<FileStoreService ShareName=\"Share2\"/>",
        ),
        service(
            sid("EdgeServer", 1),
            vec![dep("Registrar", 1)],
            on(1, 5),
            "",
        ),
        service(
            sid("EdgeServer", 2),
            vec![dep("UserServices", 1)],
            on(1, 6),
            "",
        ),
        service(
            "<ServiceId SiteId=\"2\" RoleName=\"Registrar\" Instance=\"2\"/>".into(),
            vec![dep("Registrar", 1)],
            on(2, 1),
            "",
        ),
        service(
            sid("PersistentChatService", 1),
            vec![
                dep("Registrar", 1),
                dep("UserServices", 1),
                dep("PersistentChatStore", 1),
            ],
            on(1, 8),
            "",
        ),
        service(sid("PersistentChatStore", 1), vec![], on_sql.into(), ""),
        service(
            sid("UserServices", 3),
            vec![dep("FileStore", 1)],
            on(1, 7),
            "",
        ),
        service(
            sid("Registrar", 3),
            vec![dep("UserServices", 3), dep("Registrar", 1)],
            on(1, 7),
            "",
        ),
    ]
    .concat();
    let doc = doc::topology(&format!(
        "<Sites><CentralSite SiteId=\"1\"/><BranchSite SiteId=\"2\" ParentSiteId=\"1\"/></Sites>\
         <Clusters>{clusters}</Clusters>\
         <SqlInstances><SqlInstance><SqlInstanceId Name=\"\"><ClusterId SiteId=\"1\" Number=\"2\"/></SqlInstanceId></SqlInstance></SqlInstances>\
         <Services>{services}</Services>"
    ));
    let imported = abc_failover::import::import_bytes("near.xml", doc.as_bytes()).expect("imports");
    let fqdns: Vec<&str> = imported.pools.iter().map(|p| p.fqdn.as_str()).collect();
    assert_eq!(fqdns, ["pool01.example.com", "pool02.example.com"]);
    let p1 = imported.pool("pool01.example.com").unwrap();
    assert_eq!(p1.edge_pools, ["edge01.example.com"]);
    assert_eq!(p1.branch_appliances, ["sba01.example.com"]);
    assert_eq!(
        p1.file_store.as_deref(),
        Some("\\\\fs01.example.com\\Share1")
    );
    let dbs: Vec<(String, String, Vec<&str>)> = p1
        .databases
        .iter()
        .map(|d| (format!("{:?}", d.role), d.sql.target(), d.names.clone()))
        .collect();
    assert_eq!(
        dbs,
        [
            (
                "Monitoring".to_string(),
                "sql01.example.com".to_string(),
                vec!["LcsCDR", "QoEMetrics"]
            ),
            (
                "Archiving".to_string(),
                "sql01.example.com".to_string(),
                vec!["LcsLog"]
            ),
            (
                "PersistentChat".to_string(),
                "sql01.example.com".to_string(),
                vec!["mgc"]
            ),
        ]
    );
    let p2 = imported.pool("pool02.example.com").unwrap();
    assert!(p2.edge_pools.is_empty() && p2.branch_appliances.is_empty());
    assert_eq!(
        p2.file_store.as_deref(),
        Some("\\\\fs01.example.com\\Share1")
    );
    let store_warnings = warnings_with(&imported, "file stores");
    assert_eq!(
        store_warnings,
        ["pool pool01.example.com depends on 2 file stores; the one of its UserServices was taken"]
    );
}

/// What the reader of either dialect skips is a warning at the element, and a document that is
/// a Topology Builder file without its PartialTopology is an error.
#[test]
fn skipped_elements_are_located_warnings_in_both_dialects() {
    let ns = "xmlns=\"urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008\"";
    let us = "<Service><ServiceId SiteId=\"1\" RoleName=\"UserServices\" Instance=\"1\"/>\
              <InstalledOn><ClusterId SiteId=\"1\" Number=\"1\"/></InstalledOn></Service>";
    let reg = "<Service><ServiceId SiteId=\"1\" RoleName=\"Registrar\" Instance=\"1\"/>\
               <DependsOn><Dependency Usage=\"Default\"><ServiceId SiteId=\"1\" RoleName=\"UserServices\" Instance=\"1\"/></Dependency>\n\
               <Dependency Usage=\"Default\"><ServiceId SiteId=\"1\" RoleName=\"FileStore\"/></Dependency></DependsOn>\
               <InstalledOn><ClusterId SiteId=\"1\" Number=\"1\"/></InstalledOn></Service>";
    let published = format!(
        "<Topology {ns}>\n<Clusters>\n\
         <Cluster Fqdn=\"pool01.example.com\"><ClusterId SiteId=\"1\" Number=\"1\"/></Cluster>\n\
         <Cluster Fqdn=\"a.example.com\"/>\n\
         <Cluster Fqdn=\"b.example.com\"><ClusterId SiteId=\"1\"/></Cluster>\n\
         <Cluster><ClusterId SiteId=\"1\" Number=\"3\"/></Cluster>\n\
         </Clusters>\n<SqlInstances><SqlInstance><SqlInstanceId Name=\"x\"/></SqlInstance></SqlInstances>\n\
         <Services>\n{us}\n{reg}\n<Service><ServiceId SiteId=\"1\" RoleName=\"FileStore\"/></Service>\n</Services></Topology>"
    );
    let builder = format!(
        "<TopologyBuilder><NewTopology><PartialTopology {ns}>\n\
         <Cluster Fqdn=\"c.example.com\"/>\n\
         <Cluster UniqueId=\"{{AB}}\"/>\n\
         <Cluster UniqueId=\"{{CD}}\" Fqdn=\"d.example.com\"><SqlInstance Name=\"x\"/></Cluster>\n\
         <Service RoleName=\"UserServices\"/>\n\
         <Service RoleName=\"Registrar\" UniqueId=\"{{EF}}\"><DependsOn><Dependency/></DependsOn></Service>\n\
         </PartialTopology></NewTopology></TopologyBuilder>"
    );
    let warnings = |file: &str, doc: &str| -> Vec<String> {
        let imported = match abc_failover::import::import_bytes(file, doc.as_bytes()) {
            Ok(i) => i.warnings,
            Err(e) => panic!("{file}: {e}"),
        };
        imported
            .iter()
            .map(|w| format!("{}:{}: {}", w.line.unwrap(), w.column.unwrap(), w.message))
            .collect()
    };
    let w = warnings("p.xml", &published);
    for expected in [
        "4:1: a Cluster without a ClusterId: ignored",
        "5:31: a ClusterId without SiteId or Number: cluster ignored",
        "6:1: a Cluster without Fqdn: ignored",
        "8:15: a SqlInstance without a complete SqlInstanceId: ignored",
        "12:1: a Dependency without a complete ServiceId: ignored",
        "13:10: a ServiceId without SiteId, RoleName or Instance: service ignored",
    ] {
        assert!(w.iter().any(|x| x == expected), "{expected} not in {w:#?}");
    }
    let out = {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.tbxml"), &builder).unwrap();
        let o = run(dir.path(), &["import", "b.tbxml", "-o", "t.yaml"]);
        stderr(&o)
    };
    for expected in [
        "b.tbxml:2:1: warning: a Cluster without UniqueId: ignored",
        "b.tbxml:3:1: warning: a Cluster without Fqdn: ignored",
        "b.tbxml:4:47: warning: a SqlInstance without UniqueId: ignored",
        "b.tbxml:5:1: warning: a Service without UniqueId: ignored",
        "b.tbxml:6:58: warning: a Dependency without ServiceUniqueId: ignored",
    ] {
        assert!(out.contains(expected), "{expected} not in {out}");
    }
    // A Topology Builder file without its PartialTopology.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("e.tbxml"),
        format!("<TopologyBuilder {ns}><OldTopology/></TopologyBuilder>"),
    )
    .unwrap();
    let o = run(dir.path(), &["import", "e.tbxml", "-o", "t.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        stderr(&o).contains(
            "e.tbxml:1:1: error: the Topology Builder file has no PartialTopology element"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("t.yaml").exists());
}

/// `IsSingleMachineOnly` makes a pool Standard Edition when nothing else tells, and a Registrar
/// with `IsDirector` does not make its cluster a pool; both flags are read in any case.
#[test]
fn single_machine_and_director_flags_are_read_in_any_case() {
    let pool = |n: u32, fqdn: &str, cluster_attr: &str, registrar: &str| {
        (
            doc::cluster(1, n, fqdn, cluster_attr),
            doc::pool(n, registrar),
        )
    };
    let role = |a: &str| {
        format!("<RegistrarService xmlns=\"urn:schema:Microsoft.Rtc.Management.Deploy.ServiceRoles.2008\" IsDirector=\"{a}\"/>")
    };
    let parts = [
        pool(1, "se01.example.com", " IsSingleMachineOnly=\"True\"", ""),
        pool(
            2,
            "pool02.example.com",
            " IsSingleMachineOnly=\"false\"",
            &role("false"),
        ),
        pool(3, "dir01.example.com", "", &role("TRUE")),
    ];
    let clusters: String = parts.iter().map(|p| p.0.as_str()).collect();
    let services: String = parts.iter().map(|p| p.1.as_str()).collect();
    let doc = doc::topology(&format!(
        "<Clusters>{clusters}</Clusters><Services>{services}</Services>"
    ));
    let imported = abc_failover::import::import_bytes("f.xml", doc.as_bytes()).expect("imports");
    let pools: Vec<(&str, Option<abc_failover::model::Edition>)> = imported
        .pools
        .iter()
        .map(|p| (p.fqdn.as_str(), p.edition))
        .collect();
    assert_eq!(
        pools,
        [
            (
                "se01.example.com",
                Some(abc_failover::model::Edition::Standard)
            ),
            ("pool02.example.com", None),
        ]
    );
}

/// In a Topology Builder file every reference is a GUID: it matches with or without braces and
/// in any case. An empty `AlwaysOnPrimaryNodeFqdn` is no primary, a service id needs both
/// `OriginalSiteId` and `OriginalInstance`, and an element without `RoleName` is not a service.
#[test]
fn builder_guids_match_in_any_form_and_empty_attributes_are_absent() {
    let g = |n: u32| format!("c0ffee00-0000-4000-8000-{n:012}");
    let cluster = |n: u32, fqdn: &str, sql: u32, primary: &str| {
        format!(
            "<Cluster UniqueId=\"{{{}}}\" Fqdn=\"{fqdn}\"><SqlInstance UniqueId=\"{}\" Name=\"\" AlwaysOnPrimaryNodeFqdn=\"{primary}\"/></Cluster>",
            g(n).to_uppercase(),
            g(sql)
        )
    };
    let service = |n: u32, role: &str, on: u32, deps: &[u32], extra: &str| {
        let deps: String = deps
            .iter()
            .map(|d| {
                format!(
                    "<Dependency ServiceUniqueId=\"{{{}}}\" Usage=\"Default\"/>",
                    g(*d).to_uppercase()
                )
            })
            .collect();
        format!(
            "<Service UniqueId=\"{}\" RoleName=\"{role}\" ServiceVersion=\"7\" InstalledOn=\"{}\"{extra}><DependsOn>{deps}</DependsOn></Service>",
            g(n),
            g(on)
        )
    };
    let doc = [
        "<TopologyBuilder><NewTopology><PartialTopology xmlns=\"urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008\">".to_string(),
        cluster(1, "pool01.example.com", 2, ""),
        cluster(3, "pool02.example.com", 4, "sqlnode1.example.com"),
        cluster(5, "pool03.example.com", 6, ""),
        // pool01: empty primary, an Application Server without OriginalSiteId, and a Registrar
        // that depends on an element without RoleName.
        service(10, "UserStore", 2, &[], ""),
        service(11, "UserServices", 1, &[10], ""),
        service(12, "Registrar", 1, &[11, 19], ""),
        service(13, "ApplicationServer", 1, &[], " OriginalSiteId=\"\" OriginalInstance=\"1\""),
        format!("<Service UniqueId=\"{}\" InstalledOn=\"{}\"/>", g(19), g(1)),
        // pool02: an availability-group primary, an Application Server without OriginalInstance.
        service(20, "UserStore", 4, &[], ""),
        service(21, "UserServices", 3, &[20], ""),
        service(22, "Registrar", 3, &[21], ""),
        service(23, "ApplicationServer", 3, &[], " OriginalSiteId=\"1\" OriginalInstance=\"\""),
        // pool03: a published Application Server.
        service(30, "UserStore", 6, &[], ""),
        service(31, "UserServices", 5, &[30], ""),
        service(32, "Registrar", 5, &[31], ""),
        service(33, "ApplicationServer", 5, &[], " OriginalSiteId=\"1\" OriginalInstance=\"2\""),
        "</PartialTopology></NewTopology></TopologyBuilder>".to_string(),
    ]
    .concat();
    let imported = abc_failover::import::import_bytes("g.tbxml", doc.as_bytes()).expect("imports");
    let got: Vec<[Option<&str>; 4]> = imported
        .pools
        .iter()
        .map(|p| {
            [
                Some(p.fqdn.as_str()),
                p.own_backend.as_ref().map(|s| s.server.as_str()),
                p.own_backend_primary.as_deref(),
                p.app_server_service_id.as_deref(),
            ]
        })
        .collect();
    let pool01 = Some("pool01.example.com");
    let pool02 = Some("pool02.example.com");
    let pool03 = Some("pool03.example.com");
    assert_eq!(
        got,
        [
            [pool01, pool01, None, None],
            [pool02, pool02, Some("sqlnode1.example.com"), None],
            [pool03, pool03, None, Some("1-ApplicationServer-2")],
        ]
    );
    let not_in_document = format!("depends on service {}, which is not in the document", g(19));
    assert_eq!(
        warnings_with(&imported, &not_in_document).len(),
        1,
        "{:#?}",
        imported.warnings
    );
}

/// Where the document says which pool hosts the CMS, the set's CmsLocation.csv does not change
/// it: a disagreement is a warning at the CSV, and an agreement says nothing.
#[test]
fn the_documents_cms_location_wins_over_the_sets_csv() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("set").join("Inventory");
    std::fs::create_dir_all(&inv).unwrap();
    let mut clusters = String::new();
    let mut services = String::new();
    for n in 1..=3 {
        clusters.push_str(&doc::cluster(1, n, &format!("p{n}.example.com"), ""));
        services.push_str(&doc::pool(n, ""));
    }
    services.push_str(&format!(
        "<Service>{}{}<CentralMgmtService IsActive=\"true\"/></Service>",
        doc::sid("CentralMgmt", 1),
        doc::on(1, 1)
    ));
    std::fs::write(
        inv.join("Topology.xml"),
        doc::topology(&format!(
            "<Clusters>{clusters}</Clusters><Services>{services}</Services>"
        )),
    )
    .unwrap();
    std::fs::write(
        inv.join("CmsLocation.csv"),
        "\"PoolFqdn\",\"Active\"\r\n\"p2.example.com\",\"True\"\r\n",
    )
    .unwrap();
    let imported = abc_failover::import::import(&dir.path().join("set")).expect("imports");
    let cms: Vec<abc_failover::model::HostsCms> =
        imported.pools.iter().map(|p| p.hosts_cms).collect();
    use abc_failover::model::HostsCms::{No, Yes};
    assert_eq!(cms, [Yes, No, No]);
    let csv: Vec<&str> = imported
        .warnings
        .iter()
        .filter(|w| w.file.ends_with("CmsLocation.csv"))
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(
        csv,
        [
            "says the CMS is not on pool p1.example.com, the topology document says the opposite; the document's answer was kept",
            "says the CMS is on pool p2.example.com, the topology document says the opposite; the document's answer was kept",
        ]
    );
}

/// Pools whose FQDNs start with the same label get `-2`, `-3`, ... in document order, cut so
/// that the id stays within 32 characters.
#[test]
fn pool_ids_are_made_unique_in_document_order() {
    let long = "a".repeat(40);
    let fqdns = [
        "pool.a.example.com".to_string(),
        "pool.b.example.com".into(),
        "POOL.c.example.com".into(),
        format!("{long}.x.com"),
        format!("{long}.y.com"),
    ];
    let mut clusters = String::new();
    let mut services = String::new();
    for (n, f) in fqdns.iter().enumerate() {
        clusters.push_str(&doc::cluster(1, n + 1, f, ""));
        services.push_str(&doc::pool(n + 1, ""));
    }
    let text = doc::topology(&format!(
        "<Clusters>{clusters}</Clusters><Services>{services}</Services>"
    ));
    let imported = abc_failover::import::import_bytes("ids.xml", text.as_bytes()).unwrap();
    let ids = abc_failover::import::write::pool_ids(&imported.pools);
    let a32 = "a".repeat(32);
    let a30 = "a".repeat(30);
    assert_eq!(
        ids,
        [
            "pool",
            "pool-2",
            "pool-3",
            a32.as_str(),
            &format!("{a30}-2")
        ]
    );
}

/// In a Skype for Business Server 2019 document, Persistent Chat is left out with a warning at
/// the pool: its next hop and its databases; the pool's other databases stay.
#[test]
fn persistent_chat_is_left_out_of_a_2019_document() {
    use doc::{dep, on, sid};
    let sql = "<SqlInstances><SqlInstance><SqlInstanceId Name=\"\"><ClusterId SiteId=\"1\" Number=\"9\"/></SqlInstanceId></SqlInstance></SqlInstances>";
    let on_sql = "<InstalledOn><SqlInstanceId Name=\"\"><ClusterId SiteId=\"1\" Number=\"9\"/></SqlInstanceId></InstalledOn>";
    let mut services = String::new();
    for n in 1..=2 {
        services.push_str(&format!(
            "<Service>{}{}</Service><Service>{}<DependsOn>{}{}</DependsOn>{}</Service>",
            sid("UserServices", n),
            on(1, n),
            sid("Registrar", n),
            dep("UserServices", n),
            dep("MonitoringStore", n),
            on(1, n)
        ));
        services.push_str(&format!(
            "<Service>{}{on_sql}</Service>",
            sid("MonitoringStore", n)
        ));
    }
    // pool01's Persistent Chat pool, without a store in the document.
    services.push_str(&format!(
        "<Service>{}<DependsOn>{}</DependsOn>{}</Service>",
        sid("PersistentChatService", 1),
        dep("Registrar", 1),
        on(1, 3)
    ));
    let clusters = [
        doc::cluster(1, 1, "pool01.example.com", ""),
        doc::cluster(1, 2, "pool02.example.com", ""),
        doc::cluster(1, 3, "pchat01.example.com", ""),
        doc::cluster(1, 9, "sql01.example.com", ""),
    ]
    .concat();
    let text = doc::topology(&format!(
        "<Clusters>{clusters}</Clusters>{sql}<Services>{services}</Services>"
    ))
    .replace("<Service>", "<Service ServiceVersion=\"8\">");
    let imported = abc_failover::import::import_bytes("pc.xml", text.as_bytes()).unwrap();
    assert_eq!(
        imported.product,
        Some(abc_failover::model::Product::Sfb2019)
    );
    let got: Vec<(bool, Vec<&str>)> = imported
        .pools
        .iter()
        .map(|p| {
            (
                p.persistent_chat_next_hop,
                p.databases.iter().flat_map(|d| d.names.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (false, vec!["LcsCDR", "QoEMetrics"]),
            (false, vec!["LcsCDR", "QoEMetrics"])
        ]
    );
    let pc = warnings_with(&imported, "Persistent Chat");
    assert_eq!(
        pc,
        ["pool pool01.example.com: Persistent Chat is not supported in Skype for Business Server 2019; its databases were left out"]
    );
}

/// At most MAX_WARNINGS warnings are listed, then one line says how many more there were.
#[test]
fn warnings_are_capped_with_a_count_of_the_rest() {
    use abc_failover::import::derive::MAX_WARNINGS;
    let messages = |orphans: usize| -> Vec<String> {
        let mut clusters = doc::cluster(1, 1, "pool01.example.com", "");
        clusters.push_str(&doc::cluster(1, 2, "fs01.example.com", ""));
        let mut services = doc::pool(1, "");
        for n in 1..=orphans {
            services.push_str(&format!(
                "<Service>{}{}<FileStoreService ShareName=\"S{n}\"/></Service>",
                doc::sid("FileStore", n),
                doc::on(1, 2)
            ));
        }
        let text = doc::topology(&format!(
            "<Clusters>{clusters}</Clusters><Services>{services}</Services>"
        ));
        let imported = abc_failover::import::import_bytes("w.xml", text.as_bytes()).unwrap();
        imported.warnings.into_iter().map(|w| w.message).collect()
    };
    let all = messages(MAX_WARNINGS);
    assert_eq!(all.len(), MAX_WARNINGS);
    assert!(all.iter().all(|m| m.contains("an orphan")), "{all:#?}");
    let capped = messages(MAX_WARNINGS + 3);
    assert_eq!(capped.len(), MAX_WARNINGS + 1);
    assert_eq!(capped[MAX_WARNINGS], "3 more warning(s) not shown");
}

/// A pool whose pool B is to be filled in lists, in a comment, the back ends of up to five
/// other pools of its edition and how many more there are.
#[test]
fn a_fill_in_pool_b_lists_five_candidate_back_ends_and_counts_the_rest() {
    let (mut clusters, mut sql, mut services) = (String::new(), String::new(), String::new());
    for n in 1..=8 {
        clusters.push_str(&doc::cluster(1, n, &format!("pool{n}.example.com"), ""));
        clusters.push_str(&doc::cluster(
            1,
            100 + n,
            &format!("sql{n}.example.com"),
            "",
        ));
        let sql_id = format!(
            "<SqlInstanceId Name=\"\"><ClusterId SiteId=\"1\" Number=\"{}\"/></SqlInstanceId>",
            100 + n
        );
        sql.push_str(&format!("<SqlInstance>{sql_id}</SqlInstance>"));
        services.push_str(&doc::pool_with(n, &doc::dep("UserStore", n), ""));
        services.push_str(&format!(
            "<Service>{}<InstalledOn>{sql_id}</InstalledOn></Service>",
            doc::sid("UserStore", n)
        ));
    }
    let text = doc::topology(&format!(
        "<Clusters>{clusters}</Clusters><SqlInstances>{sql}</SqlInstances><Services>{services}</Services>"
    ));
    let imported = abc_failover::import::import_bytes("c.xml", text.as_bytes()).unwrap();
    assert!(imported
        .pools
        .iter()
        .all(|p| p.edition == Some(abc_failover::model::Edition::Enterprise)));
    let written = abc_failover::import::write::write(&imported, "t.yaml").text;
    // Each run of comment lines as one line of text.
    let mut comments: Vec<String> = Vec::new();
    let mut in_comment = false;
    for line in written.lines() {
        match line.trim_start().strip_prefix("# ") {
            Some(c) if in_comment => {
                let last = comments.last_mut().unwrap();
                last.push(' ');
                last.push_str(c);
            }
            Some(c) => comments.push(c.to_string()),
            None => {}
        }
        in_comment = line.trim_start().starts_with("# ");
    }
    let lists: Vec<&String> = comments
        .iter()
        .filter(|c| c.starts_with("Optional: pool B's back end"))
        .collect();
    assert_eq!(lists.len(), 8, "{written}");
    let uses = |n: u32| format!("pool{n}.example.com uses sql{n}.example.com");
    // pool1 is one of the first six: the other five, then the two of pools 7 and 8.
    let want: Vec<String> = (2..=6).map(uses).collect();
    assert!(
        lists[0].contains(&format!(
            "of the same edition: {}; and 2 more.",
            want.join("; ")
        )),
        "{}",
        lists[0]
    );
    // pool8 is not: the first five, and pools 6 and 7.
    let want: Vec<String> = (1..=5).map(uses).collect();
    assert!(
        lists[7].contains(&format!(
            "of the same edition: {}; and 2 more.",
            want.join("; ")
        )),
        "{}",
        lists[7]
    );
}
