//! The command line end to end: every command, its exit codes, and the change-control workflow
//! (render, check, diff, --set, custom templates) on real folders.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::bin;

fn run(args: &[&str]) -> Output {
    common::abc(None, args)
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn sample(name: &str) -> String {
    common::root()
        .join("samples")
        .join(name)
        .display()
        .to_string()
}

fn render_into(topology: &str, out: &Path, extra: &[&str]) -> Output {
    let o = out.display().to_string();
    let mut args = vec!["render", topology, "-o", &o];
    args.extend_from_slice(extra);
    run(&args)
}

/// `render_into` that must succeed: a test that goes on after a failed render compares nothing.
fn render_ok(topology: &str, out: &Path, extra: &[&str]) -> Output {
    let o = render_into(topology, out, extra);
    assert_eq!(code(&o), 0, "render {topology}: {}", stderr(&o));
    o
}

fn check_against(topology: &str, out: &Path, extra: &[&str]) -> Output {
    let o = out.display().to_string();
    let mut args = vec!["check", topology, "-o", &o];
    args.extend_from_slice(extra);
    run(&args)
}

/// Write `yaml` to `dir/name` and return the path as a string.
fn write_topology(dir: &Path, name: &str, yaml: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, yaml).expect("write topology");
    p.display().to_string()
}

fn contoso_text() -> String {
    std::fs::read_to_string(sample("contoso.yaml")).expect("sample")
}

/// The Contoso sample without its second pool (`dub`), which pool `red` is paired with.
fn contoso_without_dub() -> String {
    let text = contoso_text();
    let cut = text.find("\n  - id: dub").expect("dub entry");
    text[..cut + 1].to_string()
}

#[test]
fn render_writes_both_files_per_pool_and_the_lock_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = render_into(&sample("contoso.yaml"), &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files: Vec<String> = common::files_under(&out).into_keys().collect();
    assert_eq!(
        files,
        [
            "abc-failover.lock.json",
            "dub/backup-dub.ps1",
            "dub/restore-checklist-dub.html",
            "dub/restore-checklist-dub.md",
            "red/backup-red.ps1",
            "red/restore-checklist-red.html",
            "red/restore-checklist-red.md"
        ]
    );
    for line in stdout(&o).lines() {
        assert!(line.starts_with("created "), "{line}");
    }
    let lock: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("abc-failover.lock.json")).unwrap())
            .unwrap();
    assert_eq!(lock["topology"]["file"], "contoso.yaml");
    assert_eq!(lock["version"], env!("CARGO_PKG_VERSION"));
    let sha =
        abc_failover::load::sha256_hex(&std::fs::read(out.join("red/backup-red.ps1")).unwrap());
    assert_eq!(lock["files"]["red/backup-red.ps1"], sha.as_str());
    assert_eq!(
        lock["topology"]["sha256"],
        abc_failover::load::sha256_hex(contoso_text().as_bytes()).as_str()
    );
    let raw = std::fs::read_to_string(out.join("abc-failover.lock.json")).unwrap();
    assert!(
        raw.ends_with("}\n") && !raw.contains('\r'),
        "lock file: LF and a final newline"
    );
}

#[test]
fn render_twice_changes_nothing_and_check_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let first = render_into(&sample("fabrikam-sfb2019.yaml"), &out, &[]);
    assert_eq!(code(&first), 0);
    let before = common::files_under(&out);
    let total = format!(
        "{} file(s), {} written or removed",
        before.len(),
        before.len()
    );
    assert!(
        stderr(&first).ends_with(&format!("{total}\n")),
        "{}",
        stderr(&first)
    );
    let mtimes: Vec<_> = before
        .keys()
        .map(|p| std::fs::metadata(out.join(p)).unwrap().modified().unwrap())
        .collect();
    let second = render_into(&sample("fabrikam-sfb2019.yaml"), &out, &[]);
    assert_eq!(code(&second), 0);
    let report = stdout(&second);
    assert_eq!(report.lines().count(), before.len());
    assert!(
        report.lines().all(|l| l.starts_with("unchanged ")),
        "{report}"
    );
    let none = format!("{} file(s), 0 written or removed\n", before.len());
    assert!(stderr(&second).ends_with(&none), "{}", stderr(&second));
    assert_eq!(
        common::files_under(&out),
        before,
        "no byte changed and no file appeared (no temporary files left)"
    );
    let mtimes_after: Vec<_> = before
        .keys()
        .map(|p| std::fs::metadata(out.join(p)).unwrap().modified().unwrap())
        .collect();
    assert_eq!(mtimes, mtimes_after, "unchanged files are not rewritten");
    let check = check_against(&sample("fabrikam-sfb2019.yaml"), &out, &[]);
    assert_eq!(code(&check), 0, "{}{}", stdout(&check), stderr(&check));
}

#[test]
fn check_reports_a_hand_edit_with_its_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    render_ok(&sample("contoso.yaml"), &out, &[]);
    let file = out.join("red/restore-checklist-red.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replacen('\n', "\nAn operator typed this line by hand.\n", 3);
    std::fs::write(&file, edited).unwrap();
    let o = check_against(&sample("contoso.yaml"), &out, &[]);
    assert_eq!(code(&o), 1);
    let s = stdout(&o);
    assert!(s.contains("changed: red/restore-checklist-red.md"), "{s}");
    assert!(
        s.contains("hand-edited: red/restore-checklist-red.md"),
        "{s}"
    );
    assert!(
        s.contains("\n-An operator typed this line by hand."),
        "the diff shows the edited line: {s}"
    );
    assert!(s.contains("--- a/red/restore-checklist-red.md"), "{s}");
}

#[test]
fn check_reports_a_deleted_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    render_ok(&sample("contoso.yaml"), &out, &[]);
    std::fs::remove_file(out.join("dub/backup-dub.ps1")).unwrap();
    let o = check_against(&sample("contoso.yaml"), &out, &[]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("missing: dub/backup-dub.ps1"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn check_reports_extra_generated_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    render_ok(&sample("contoso.yaml"), &out, &[]);
    // A generated-looking file that the lock does not list: render never removes it, so check
    // must not fail on it (render then check always exits 0); it is pointed out on stderr.
    std::fs::create_dir_all(out.join("old")).unwrap();
    std::fs::write(out.join("old/backup-old.ps1"), "stale").unwrap();
    // A folder named like a pool but holding none of its files is nothing to point out.
    std::fs::create_dir_all(out.join("misc")).unwrap();
    assert_eq!(code(&render_into(&sample("contoso.yaml"), &out, &[])), 0);
    assert!(out.join("old/backup-old.ps1").exists());
    let o = check_against(&sample("contoso.yaml"), &out, &[]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(!stdout(&o).contains("extra:"), "{}", stdout(&o));
    assert_eq!(
        stderr_lines(&o, "note: "),
        [
            "note: old/backup-old.ps1 looks generated, but the lock file does not list it: render \
          never removes it; delete it by hand if it is stale"
        ],
    );

    // Files listed in the lock file whose pool left the topology.
    std::fs::remove_dir_all(out.join("old")).unwrap();
    let smaller = write_topology(tmp.path(), "contoso.yaml", &contoso_without_dub());
    let o = check_against(&smaller, &out, &[]);
    assert_eq!(code(&o), 1);
    let s = stdout(&o);
    assert!(
        s.contains("extra: dub/backup-dub.ps1")
            && s.contains("extra: dub/restore-checklist-dub.md"),
        "{s}"
    );
    // An extra file is listed: it is reported as extra, with no note besides.
    assert!(stderr_lines(&o, "note: ").is_empty(), "{}", stderr(&o));
}

#[test]
fn check_on_a_missing_output_folder_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let o = check_against(
        &sample("litware-standard.yaml"),
        &tmp.path().join("nothing-here"),
        &[],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("missing: abc-failover.lock.json"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn removing_a_pool_removes_its_files_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    render_ok(&sample("contoso.yaml"), &out, &[]);
    std::fs::write(out.join("README.txt"), "kept by the operator").unwrap();
    std::fs::write(out.join("dub/notes.txt"), "operator notes").unwrap();
    let red_before = std::fs::read(out.join("red/backup-red.ps1")).unwrap();
    let smaller = write_topology(tmp.path(), "contoso.yaml", &contoso_without_dub());
    let o = render_into(&smaller, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let s = stdout(&o);
    assert!(
        s.contains("removed")
            && s.contains("backup-dub.ps1")
            && s.contains("restore-checklist-dub.md")
            && s.contains("restore-checklist-dub.html"),
        "{s}"
    );
    let files: Vec<String> = common::files_under(&out).into_keys().collect();
    assert_eq!(
        files,
        [
            "README.txt",
            "abc-failover.lock.json",
            "dub/notes.txt",
            "red/backup-red.ps1",
            "red/restore-checklist-red.html",
            "red/restore-checklist-red.md"
        ]
    );
    assert_eq!(
        std::fs::read(out.join("red/backup-red.ps1")).unwrap(),
        red_before
    );
    assert_eq!(code(&check_against(&smaller, &out, &[])), 0);
}

/// A file of a removed pool that the operator already deleted is no obstacle; one that cannot
/// be removed (a folder in its place) is trouble naming it, and the previous lock stays, so the
/// next render tries again.
#[test]
fn removing_a_pool_copes_with_files_already_gone_and_reports_the_ones_it_cannot_remove() {
    let tmp = tempfile::tempdir().unwrap();
    let smaller = write_topology(tmp.path(), "contoso.yaml", &contoso_without_dub());

    let out = tmp.path().join("gone");
    render_ok(&sample("contoso.yaml"), &out, &[]);
    std::fs::remove_file(out.join("dub/backup-dub.ps1")).unwrap();
    let o = render_into(&smaller, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!out.join("dub").exists());

    let out = tmp.path().join("stuck");
    render_ok(&sample("contoso.yaml"), &out, &[]);
    let lock_before = std::fs::read(out.join("abc-failover.lock.json")).unwrap();
    let stuck = out.join("dub/backup-dub.ps1");
    std::fs::remove_file(&stuck).unwrap();
    std::fs::create_dir(&stuck).unwrap();
    let o = render_into(&smaller, &out, &[]);
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("backup-dub.ps1"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(out.join("abc-failover.lock.json")).unwrap(),
        lock_before
    );
}

#[test]
fn a_lock_file_cannot_make_render_delete_other_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    render_ok(&sample("litware-standard.yaml"), &out, &[]);
    std::fs::write(tmp.path().join("victim.txt"), "x").unwrap();
    std::fs::write(out.join("victim2.txt"), "x").unwrap();
    let lock_path = out.join("abc-failover.lock.json");
    let mut lock: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&lock_path).unwrap()).unwrap();
    lock["files"]["../victim.txt"] = "00".into();
    lock["files"]["victim2.txt"] = "00".into();
    std::fs::write(&lock_path, serde_json::to_vec_pretty(&lock).unwrap()).unwrap();
    assert_eq!(
        code(&render_into(&sample("litware-standard.yaml"), &out, &[])),
        0
    );
    assert!(tmp.path().join("victim.txt").exists() && out.join("victim2.txt").exists());
}

#[test]
fn a_failed_render_keeps_the_previous_lock_so_the_next_render_still_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    render_ok(&sample("contoso.yaml"), &out, &[]);
    let lock_before = std::fs::read(out.join("abc-failover.lock.json")).unwrap();
    // Something in OUT that cannot be read as a file: the render fails (trouble).
    let red = out.join("red/backup-red.ps1");
    std::fs::remove_file(&red).unwrap();
    std::fs::create_dir(&red).unwrap();
    let smaller = write_topology(tmp.path(), "contoso.yaml", &contoso_without_dub());
    let o = render_into(&smaller, &out, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        std::fs::read(out.join("abc-failover.lock.json")).unwrap(),
        lock_before,
        "the lock file is written last, so a failed render leaves the previous one"
    );
    assert!(
        out.join("dub/backup-dub.ps1").exists(),
        "nothing removed yet"
    );
    assert!(
        !common::files_under(&out)
            .keys()
            .any(|p| p.contains(".tmp-")),
        "no temporary file left"
    );
    // Once the obstacle is gone, the previous lock still names pool dub's files: they go.
    std::fs::remove_dir(&red).unwrap();
    let o = render_into(&smaller, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!out.join("dub").exists());
    assert_eq!(code(&check_against(&smaller, &out, &[])), 0);
}

#[cfg(unix)]
#[test]
fn render_never_writes_or_removes_through_a_link_in_out() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();

    // A pool folder that is a link to a folder outside OUT: nothing is written there.
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("dub")).unwrap();
    let o = render_into(&sample("contoso.yaml"), &out, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert!(!out.join("red").exists(), "checked before the first write");

    // A lock-listed pool folder swapped for a link: its files outside OUT are not removed.
    std::fs::remove_file(out.join("dub")).unwrap();
    assert_eq!(code(&render_into(&sample("contoso.yaml"), &out, &[])), 0);
    std::fs::remove_dir_all(&elsewhere).unwrap();
    std::fs::rename(out.join("dub"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("dub")).unwrap();
    let smaller = write_topology(tmp.path(), "contoso.yaml", &contoso_without_dub());
    let o = render_into(&smaller, &out, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(elsewhere.join("backup-dub.ps1").exists());
}

#[test]
fn an_output_folder_that_is_a_file_is_trouble_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::write(&out, "not a folder").unwrap();
    let o = render_into(&sample("contoso.yaml"), &out, &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("is not a folder"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), b"not a folder");
}

/// A lock file or a generated file that cannot be read (here: a folder in its place) is trouble
/// naming it, for render and for check. It is never taken for a missing file: render reads
/// everything before its first write, so it changes nothing, even when the topology changed.
#[test]
fn an_unreadable_lock_or_generated_file_is_trouble_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let topology = sample("contoso.yaml");
    let changed = ["--set", "backup.retention_days=22"];
    for rel in ["abc-failover.lock.json", "red/backup-red.ps1"] {
        let out = tmp.path().join(rel.replace(['/', '.'], "-"));
        render_ok(&topology, &out, &[]);
        let path = out.join(rel);
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        let before = common::files_under(&out);
        for o in [
            render_into(&topology, &out, &changed),
            check_against(&topology, &out, &[]),
        ] {
            assert_eq!(code(&o), 2, "{rel}: {}{}", stdout(&o), stderr(&o));
            let file_name = path.file_name().unwrap().to_str().unwrap();
            assert!(stderr(&o).contains(file_name), "{rel}: {}", stderr(&o));
        }
        assert!(path.is_dir(), "{rel} was replaced");
        assert!(before.len() > 3, "{rel}: {} files", before.len());
        assert_eq!(common::files_under(&out), before, "{rel}: render wrote");
    }
}

#[test]
fn diff_shows_only_the_changed_pool() {
    let tmp = tempfile::tempdir().unwrap();
    // Same file name in two folders, as in a review of main's topology against a branch's.
    std::fs::create_dir(tmp.path().join("old")).unwrap();
    std::fs::create_dir(tmp.path().join("new")).unwrap();
    let old = write_topology(&tmp.path().join("old"), "contoso.yaml", &contoso_text());
    let changed = contoso_text().replace(
        r"file_store: '\\fs02.contoso.com\LyncShare'",
        r"file_store: '\\fs12.contoso.com\LyncShareNew'",
    );
    assert_ne!(changed, contoso_text());
    let new = write_topology(&tmp.path().join("new"), "contoso.yaml", &changed);
    let o = run(&["diff", &old, &new]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let s = stdout(&o);
    assert!(
        s.contains(r"\\fs12.contoso.com\LyncShareNew"),
        "new value shown: {s}"
    );
    assert!(
        s.lines()
            .any(|l| l.starts_with('-') && l.contains(r"\\fs02.contoso.com\LyncShare")),
        "{s}"
    );
    assert!(
        s.lines()
            .any(|l| l.starts_with('+') && l.contains(r"\\fs12.contoso.com\LyncShareNew")),
        "{s}"
    );
    assert!(!s.contains("red/"), "no file of the unchanged pool: {s}");
    assert!(s.contains("red: no change"), "{s}");
    assert!(
        s.lines()
            .any(|l| l.starts_with("dub: ") && l.contains("changed")),
        "{s}"
    );
    assert!(!s.contains("\x1b["), "no colour when not on a terminal");

    let stat = run(&["diff", &old, &new, "--stat"]);
    assert_eq!(code(&stat), 1);
    assert!(!stdout(&stat).contains("@@"), "--stat prints counts only");
    assert!(stdout(&stat).contains("dub: "));

    let same = run(&["diff", &old, &old]);
    assert_eq!(code(&same), 0, "{}", stdout(&same));
}

#[test]
fn an_invalid_topology_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    render_ok(&sample("contoso.yaml"), &out, &[]);
    let before = common::files_under(&out);
    let broken = write_topology(
        tmp.path(),
        "contoso.yaml",
        &contoso_text().replace("lyncpool02.contoso.com", "lyncpool02..contoso.com"),
    );
    let o = render_into(&broken, &out, &[]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("contoso.yaml:"), "{}", stderr(&o));
    assert_eq!(
        common::files_under(&out),
        before,
        "OUT is exactly as it was"
    );

    let fresh = tmp.path().join("fresh");
    assert_eq!(code(&render_into(&broken, &fresh, &[])), 1);
    assert!(!fresh.exists(), "no partial output folder");

    // An invalid --set is a topology problem too.
    let o = render_into(
        &sample("contoso.yaml"),
        &out,
        &["--set", "pools.red.backup_pool.fqdn=not a host"],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("--set pools.red.backup_pool.fqdn"),
        "{}",
        stderr(&o)
    );
    assert_eq!(common::files_under(&out), before);
    let o = render_into(
        &sample("contoso.yaml"),
        &fresh,
        &["--set", "pools.red.id=../../escape"],
    );
    assert_eq!(code(&o), 1, "an id that would leave OUT is refused");
    assert!(!fresh.exists() && !tmp.path().join("escape").exists());
}

#[test]
fn set_fills_pool_c_in_the_checklist() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = render_into(
        &sample("litware-standard.yaml"),
        &out,
        &[
            "--set",
            "pools.sfbse01.replacement_pool.fqdn=sfbse03.litwareinc.com",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let checklist =
        std::fs::read_to_string(out.join("sfbse01/restore-checklist-sfbse01.md")).unwrap();
    assert!(checklist.contains("sfbse03.litwareinc.com"));
    let without = tmp.path().join("without");
    render_ok(&sample("litware-standard.yaml"), &without, &[]);
    let plain =
        std::fs::read_to_string(without.join("sfbse01/restore-checklist-sfbse01.md")).unwrap();
    assert!(!plain.contains("sfbse03.litwareinc.com"));
    // check with the same --set agrees; without it, the output is stale.
    assert_eq!(
        code(&check_against(
            &sample("litware-standard.yaml"),
            &out,
            &[
                "--set",
                "pools.sfbse01.replacement_pool.fqdn=sfbse03.litwareinc.com"
            ]
        )),
        0
    );
    assert_eq!(
        code(&check_against(&sample("litware-standard.yaml"), &out, &[])),
        1
    );
    // A stale OUT: the advice repeats the --set, so following it makes check pass.
    let o = check_against(
        &sample("litware-standard.yaml"),
        &out,
        &[
            "--set",
            "pools.sfbse01.replacement_pool.fqdn=sfbse04.litwareinc.com",
        ],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(
            " --set pools.sfbse01.replacement_pool.fqdn=sfbse04.litwareinc.com` and commit"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_custom_step_template_changes_only_that_step() {
    let tmp = tempfile::tempdir().unwrap();
    let tdir = tmp.path().join("templates");
    let name = "checklist/steps/14-call-park.md.tera";
    std::fs::create_dir_all(tdir.join("checklist/steps")).unwrap();
    let embedded = abc_failover::render::TemplateSet::embedded();
    let (step, _) = &embedded.files[name];
    std::fs::write(
        tdir.join(name),
        format!("{step}  Contoso: call the duty manager before moving the orbits.\n"),
    )
    .unwrap();
    let (custom, plain) = (tmp.path().join("custom"), tmp.path().join("plain"));
    let t = tdir.display().to_string();
    assert_eq!(
        code(&render_into(
            &sample("contoso.yaml"),
            &custom,
            &["--templates", &t]
        )),
        0
    );
    assert_eq!(code(&render_into(&sample("contoso.yaml"), &plain, &[])), 0);
    let (a, b) = (common::files_under(&custom), common::files_under(&plain));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "same files"
    );
    let mut changed = 0;
    for (path, bytes) in &a {
        if path.ends_with(".md") {
            // Exactly one line more, at the end of step 14, and nothing else.
            let plain_md = String::from_utf8(b[path].clone()).unwrap();
            let next = "\n\n- [ ] **Step 15.";
            assert_eq!(plain_md.matches(next).count(), 1, "{path}");
            let expected = plain_md.replace(
                next,
                &format!("\n  Contoso: call the duty manager before moving the orbits.{next}"),
            );
            assert_eq!(
                String::from_utf8(bytes.clone()).unwrap(),
                expected,
                "{path}"
            );
            changed += 1;
        } else if path.ends_with(".ps1") {
            assert_eq!(bytes, &b[path], "{path} is unchanged");
        }
    }
    assert_eq!(changed, 2, "both pools' runbooks use the custom step");
    assert_eq!(
        code(&check_against(
            &sample("contoso.yaml"),
            &custom,
            &["--templates", &t]
        )),
        0
    );
}

#[test]
fn a_misspelt_override_is_trouble_that_names_the_real_file() {
    let tmp = tempfile::tempdir().unwrap();
    let tdir = tmp.path().join("templates");
    std::fs::create_dir_all(tdir.join("checklist/steps")).unwrap();
    std::fs::write(tdir.join("checklist/steps/14-callpark.md.tera"), "x").unwrap();
    let out = tmp.path().join("out");
    let o = render_into(
        &sample("contoso.yaml"),
        &out,
        &["--templates", &tdir.display().to_string()],
    );
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(
        e.contains("checklist/steps/14-callpark.md.tera does not replace any embedded template")
            && e.contains("did you mean checklist/steps/14-call-park.md.tera?"),
        "{e}"
    );
    assert!(!out.exists(), "nothing written");
}

/// Override files are read eight folders deep (the embedded tree is two); deeper ones are not
/// read at all, so a stray file there is no error, and neither is a file not named `*.tera`.
#[test]
fn override_files_are_read_eight_folders_deep_and_no_deeper() {
    let tmp = tempfile::tempdir().unwrap();
    for (levels, expected) in [(8, 2), (9, 0)] {
        let tdir = tmp.path().join(format!("templates{levels}"));
        let deep: PathBuf = (0..levels).map(|i| format!("d{i}")).collect();
        std::fs::create_dir_all(tdir.join(&deep)).unwrap();
        std::fs::write(tdir.join(&deep).join("x.tera"), "x").unwrap();
        std::fs::write(tdir.join("README.txt"), "local changes").unwrap();
        let out = tmp.path().join(format!("out{levels}"));
        let o = render_into(
            &sample("contoso.yaml"),
            &out,
            &["--templates", &tdir.display().to_string()],
        );
        assert_eq!(code(&o), expected, "{levels} folders: {}", stderr(&o));
        if expected == 2 {
            assert!(
                stderr(&o).contains("d7/x.tera does not replace any embedded template"),
                "{}",
                stderr(&o)
            );
        }
    }
}

#[test]
fn a_broken_custom_template_is_trouble_with_a_location() {
    let tmp = tempfile::tempdir().unwrap();
    let tdir = tmp.path().join("templates");
    std::fs::create_dir_all(tdir.join("backup")).unwrap();
    let layout = tdir.join("backup/layout.ps1.tera");
    std::fs::write(&layout, "# first line\n$x = {{ pool_a.fqdn }\n").unwrap();
    let out = tmp.path().join("out");
    let o = render_into(
        &sample("contoso.yaml"),
        &out,
        &["--templates", &tdir.display().to_string()],
    );
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(e.contains("backup/layout.ps1:2:"), "line and column: {e}");
    assert!(
        e.contains(&layout.display().to_string()),
        "names the file: {e}"
    );
    assert!(!out.exists());

    std::fs::write(&layout, "# first line\n$x = {{ pool_a.no_such_field }}\n").unwrap();
    let o = render_into(
        &sample("contoso.yaml"),
        &out,
        &["--templates", &tdir.display().to_string()],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("backup/layout.ps1:2:"),
        "{}",
        stderr(&o)
    );

    std::fs::remove_file(&layout).unwrap();
    std::fs::write(tdir.join("typo.ps1.tera"), "x").unwrap();
    let o = render_into(
        &sample("contoso.yaml"),
        &out,
        &["--templates", &tdir.display().to_string()],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("typo.ps1.tera"), "{}", stderr(&o));
}

#[test]
fn templates_list_and_export() {
    let o = run(&["templates", "list"]);
    assert_eq!(code(&o), 0);
    let listed = stdout(&o);
    let embedded = abc_failover::render::TemplateSet::embedded();
    let names: Vec<&str> = listed.lines().collect();
    assert_eq!(
        names,
        embedded
            .files
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    for name in [
        "backup/layout.ps1.tera",
        "backup/steps/04-call-park.ps1.tera",
        "backup/functions/retention.ps1.tera",
        "checklist/layout.md.tera",
        "checklist/steps/14-call-park.md.tera",
        "checklist/shared/announcements.md.tera",
    ] {
        assert!(names.contains(&name), "{name} in {listed}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("mine");
    let d = dir.display().to_string();
    assert_eq!(code(&run(&["templates", "export", &d])), 0);
    for (name, (text, _)) in abc_failover::render::TemplateSet::embedded().files {
        assert_eq!(std::fs::read_to_string(dir.join(&name)).unwrap(), text);
    }
    // Exported templates used as-is give the same output.
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    render_ok(&sample("contoso.yaml"), &a, &["--templates", &d]);
    render_ok(&sample("contoso.yaml"), &b, &[]);
    assert_eq!(common::files_under(&a), common::files_under(&b));
    let again = run(&["templates", "export", &d]);
    assert_eq!(code(&again), 2, "never overwrites");
}

#[test]
fn usage_help_and_version() {
    let o = run(&["--version"]);
    assert_eq!(code(&o), 0);
    assert_eq!(
        stdout(&o).trim(),
        format!("abc-failover {}", env!("CARGO_PKG_VERSION"))
    );
    let o = run(&["--help"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("Examples:"));
    for cmd in [
        "init",
        "validate",
        "render",
        "check",
        "diff",
        "schema",
        "templates",
    ] {
        let o = run(&[cmd, "--help"]);
        assert_eq!(code(&o), 0, "{cmd}");
        assert!(
            stdout(&o).contains("Example"),
            "{cmd} --help shows an example"
        );
    }
    assert_eq!(code(&run(&["render"])), 2, "missing argument");
    assert_eq!(code(&run(&["frobnicate"])), 2, "unknown command");
    assert_eq!(
        code(&run(&["render", &sample("contoso.yaml"), "--bogus"])),
        2,
        "unknown flag"
    );
    assert_eq!(code(&run(&[])), 2, "no command");
}

#[test]
fn unreadable_topology_is_trouble() {
    for cmd in ["validate", "render", "check"] {
        let o = run(&[cmd, "/nonexistent/topology.yaml"]);
        assert_eq!(code(&o), 2, "{cmd}");
        assert!(
            stderr(&o).contains("/nonexistent/topology.yaml"),
            "{cmd}: {}",
            stderr(&o)
        );
    }
    let o = run(&["diff", "/nonexistent/a.yaml", &sample("contoso.yaml")]);
    assert_eq!(code(&o), 2);
}

#[test]
fn schema_prints_json() {
    let o = run(&["schema"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["properties"]["pools"]["type"], "array");
}

/// `samples/out/<sample>/` holds the committed output of each sample; it must never go stale.
#[test]
fn committed_sample_output_is_current() {
    for s in common::samples() {
        let stem = s.file_stem().unwrap().to_string_lossy().into_owned();
        let out: PathBuf = common::root().join("samples/out").join(&stem);
        let o = check_against(&s.display().to_string(), &out, &[]);
        assert_eq!(
            code(&o),
            0,
            "samples/out/{stem} is stale: run `cargo run -- render samples/{stem}.yaml -o samples/out/{stem}`\n{}",
            stdout(&o)
        );
    }
}

/// artifacts.md: the lock file has sorted keys at every level, LF and a final newline. Checked on
/// the raw bytes: serde_json (without `preserve_order`) sorts keys when it reads, so a parsed
/// value would look sorted whatever the file says.
#[test]
fn lock_file_keys_are_sorted_at_every_level() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    render_ok(
        &sample("contoso.yaml"),
        &out,
        &["--set", "backup.keep_last=4"],
    );
    let raw = std::fs::read_to_string(out.join("abc-failover.lock.json")).unwrap();
    assert!(raw.ends_with("}\n") && !raw.contains('\r'), "{raw:?}");
    let keys = object_keys_in_file_order(&raw);
    assert_eq!(keys.len(), 3, "the lock file, files, topology: {keys:?}");
    for (at, names) in &keys {
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, &sorted, "keys of the object at byte {at}");
    }
    // The oracle sees order: the same object with two keys swapped is reported.
    let swapped = object_keys_in_file_order(r#"{"b": 1, "a": {"d": 2, "c": 3}}"#);
    assert_eq!(
        swapped,
        vec![
            (0, vec!["b".to_string(), "a".to_string()]),
            (14, vec!["d".to_string(), "c".to_string()])
        ]
    );
}

/// The keys of every JSON object in `raw`, in the order they are written, with the byte offset
/// of the object's `{`. A small scanner of JSON text (strings with escapes, nesting).
fn object_keys_in_file_order(raw: &str) -> Vec<(usize, Vec<String>)> {
    let b = raw.as_bytes();
    let mut done = Vec::new();
    // Open containers: (offset of `{`, keys so far, is object, expecting a key).
    let mut stack: Vec<(usize, Vec<String>, bool, bool)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' => stack.push((i, Vec::new(), true, true)),
            b'[' => stack.push((i, Vec::new(), false, false)),
            b'}' | b']' => {
                let (at, keys, is_object, _) = stack.pop().expect("balanced JSON");
                if is_object {
                    done.push((at, keys));
                }
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.3 = top.2;
                }
            }
            b'"' => {
                let start = i + 1;
                i += 1;
                while b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(top) = stack.last_mut() {
                    if top.2 && top.3 {
                        top.1
                            .push(serde_json::from_str(&raw[start - 1..=i]).expect("key"));
                        top.3 = false;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    done.sort();
    done
}

/// `check` compares whole bytes: any change to a script, or only its line endings or its BOM,
/// and the same for a checklist, is reported (exit 1).
#[test]
fn check_sees_every_kind_of_change_to_either_file() {
    type Edit = fn(&[u8]) -> Vec<u8>;
    let edits: [(&str, &str, Edit); 7] = [
        ("red/backup-red.ps1", "one character", |b| {
            let mut v = b.to_vec();
            let at = v.len() / 2;
            v[at] = if v[at] == b'x' { b'y' } else { b'x' };
            v
        }),
        ("red/backup-red.ps1", "CRLF to LF", |b| {
            String::from_utf8_lossy(b)
                .replace("\r\n", "\n")
                .into_bytes()
        }),
        ("red/backup-red.ps1", "BOM dropped", |b| {
            b.strip_prefix("\u{FEFF}".as_bytes()).unwrap().to_vec()
        }),
        ("dub/backup-dub.ps1", "one line ending", |b| {
            let s = String::from_utf8_lossy(b);
            s.replacen("\r\n", "\n", 1).into_bytes()
        }),
        ("red/restore-checklist-red.md", "LF to CRLF", |b| {
            String::from_utf8_lossy(b)
                .replace('\n', "\r\n")
                .into_bytes()
        }),
        ("red/restore-checklist-red.md", "BOM added", |b| {
            [&b"\xEF\xBB\xBF"[..], b].concat()
        }),
        (
            "red/restore-checklist-red.md",
            "final newline dropped",
            |b| b[..b.len() - 1].to_vec(),
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    render_ok(&sample("contoso.yaml"), &out, &[]);
    for (file, what, edit) in edits {
        let path = out.join(file);
        let before = std::fs::read(&path).unwrap();
        let after = edit(&before);
        assert_ne!(after, before, "{file}: {what} changes the bytes");
        std::fs::write(&path, &after).unwrap();
        let o = check_against(&sample("contoso.yaml"), &out, &[]);
        assert_eq!(code(&o), 1, "{file}: {what}: {}", stdout(&o));
        assert!(
            stdout(&o).contains(&format!("changed: {file}")),
            "{file}: {what}: {}",
            stdout(&o)
        );
        std::fs::write(&path, &before).unwrap();
        let o = check_against(&sample("contoso.yaml"), &out, &[]);
        assert_eq!(code(&o), 0, "restored {file}: {}", stdout(&o));
    }
}

/// `--set pools.<id>.…` changes the pool it names, not the first pool.
#[test]
fn set_changes_the_named_pool_only() {
    let tmp = tempfile::tempdir().unwrap();
    let (plain, set) = (tmp.path().join("plain"), tmp.path().join("set"));
    render_ok(&sample("contoso.yaml"), &plain, &[]);
    render_ok(
        &sample("contoso.yaml"),
        &set,
        &[
            "--set",
            "backup.keep_last=9",
            "--set",
            "pools.dub.replacement_pool.fqdn=lyncpool09.contoso.com",
        ],
    );
    let (a, b) = (common::files_under(&plain), common::files_under(&set));
    let red = "red/restore-checklist-red.md";
    let dub = "dub/restore-checklist-dub.md";
    assert_eq!(a[red], b[red], "pool red is untouched");
    assert!(!String::from_utf8_lossy(&a[dub]).contains("lyncpool09.contoso.com"));
    assert!(String::from_utf8_lossy(&b[dub]).contains("lyncpool09.contoso.com"));
    assert!(!String::from_utf8_lossy(&b[red]).contains("lyncpool09.contoso.com"));
}

/// A relative topology path gives the same bytes from any working folder.
#[test]
fn a_relative_topology_path_gives_output_independent_of_the_working_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let nested = tmp.path().join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(nested.join("contoso.yaml"), contoso_text()).unwrap();
    let mut trees = Vec::new();
    for (cwd, topology) in [
        (nested.clone(), "contoso.yaml".to_string()),
        (tmp.path().join("a"), "b/contoso.yaml".to_string()),
        (tmp.path().to_path_buf(), "a/./b/contoso.yaml".to_string()),
        (
            tmp.path().to_path_buf(),
            nested.join("contoso.yaml").display().to_string(),
        ),
    ] {
        let out = tmp.path().join(format!("out{}", trees.len()));
        let o = bin()
            .current_dir(&cwd)
            .args(["render", &topology, "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{topology}: {}", stderr(&o));
        trees.push(common::files_under(&out));
    }
    let reference = common::files_under(&common::root().join("samples/out/contoso"));
    for t in &trees {
        assert_eq!(
            t.keys().collect::<Vec<_>>(),
            reference.keys().collect::<Vec<_>>()
        );
        for (k, v) in t {
            assert_eq!(v, &reference[k], "{k}");
        }
    }
}

/// Run the binary in `dir` (for `git show`, which reads the repository of the current folder).
fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(o)))
}

#[test]
fn diff_renders_old_under_new_s_file_name() {
    let tmp = tempfile::tempdir().unwrap();
    let old = write_topology(tmp.path(), "main-topology.yaml", &contoso_text());
    let new = write_topology(tmp.path(), "topology.yaml", &contoso_text());
    let same = run(&["diff", &old, &new]);
    assert_eq!(code(&same), 0, "{}{}", stdout(&same), stderr(&same));
    assert!(!stdout(&same).contains("@@"), "{}", stdout(&same));

    let changed = contoso_text().replace(r"\\fs02.contoso.com\", r"\\fs12.contoso.com\");
    let new = write_topology(tmp.path(), "topology.yaml", &changed);
    let o = run(&["diff", &old, &new]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let s = stdout(&o);
    let changes: Vec<&str> = s
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++ ")
                && !l.starts_with("--- ")
        })
        .collect();
    assert!(!changes.is_empty(), "{s}");
    assert!(
        changes.iter().all(|l| l.contains("fs")),
        "only the file store lines change: {s}"
    );
    assert!(!s.contains("main-topology.yaml"), "{s}");
}

#[test]
fn diff_prints_each_warning_once_with_its_side() {
    let tmp = tempfile::tempdir().unwrap();
    let no_copies = contoso_text().replace(
        "  copies:\n    - '\\\\dr-files.contoso.com\\LyncDR'\n    - '\\\\bkp02.contoso.com\\Offsite\\Lync'\n",
        "",
    );
    assert_ne!(no_copies, contoso_text());
    let old = write_topology(tmp.path(), "old.yaml", &no_copies);
    let new = write_topology(tmp.path(), "new.yaml", &no_copies);
    let o = run(&["diff", &old, &new]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let warnings: Vec<&str> = stderr_lines(&o, ": warning: ");
    assert_eq!(warnings.len(), 1, "{}", stderr(&o));
    assert!(
        warnings[0].starts_with(&format!("{new}:")),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].ends_with("(in old and new)"), "{}", warnings[0]);

    let with_copies = write_topology(tmp.path(), "copies.yaml", &contoso_text());
    let o = run(&["diff", &with_copies, &new]);
    let w = stderr_lines(&o, ": warning: ");
    assert_eq!(w.len(), 1, "{}", stderr(&o));
    assert!(
        w[0].starts_with(&format!("{new}:")) && w[0].ends_with("(in new only)"),
        "{}",
        w[0]
    );
    let o = run(&["diff", &new, &with_copies]);
    let w = stderr_lines(&o, ": warning: ");
    assert_eq!(w.len(), 1, "{}", stderr(&o));
    assert!(
        w[0].starts_with(&format!("{new}:")) && w[0].ends_with("(in old only)"),
        "{}",
        w[0]
    );
}

fn stderr_lines<'a>(o: &'a Output, needle: &str) -> Vec<&'a str> {
    std::str::from_utf8(&o.stderr)
        .unwrap()
        .lines()
        .filter(|l| l.contains(needle))
        .collect()
}

#[test]
fn diff_reads_rev_path_through_git_show() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"]);
    std::fs::create_dir(dir.join("conf")).unwrap();
    write_topology(&dir.join("conf"), "topology.yaml", &contoso_text());
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "topology"]);
    let changed = contoso_text().replace(r"\\fs02.contoso.com\", r"\\fs12.contoso.com\");
    write_topology(&dir.join("conf"), "topology.yaml", &changed);

    let o = run_in(
        dir,
        &[
            "diff",
            "main:conf/topology.yaml",
            "conf/topology.yaml",
            "--stat",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stdout(&o).contains("red: no change"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("dub: 3 file(s) changed"),
        "{}",
        stdout(&o)
    );
    // Both sides from git; ./PATH is relative to the current folder, as git reads it.
    let o = run_in(
        &dir.join("conf"),
        &["diff", "main:./topology.yaml", "HEAD:./topology.yaml"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let o = run_in(
        dir,
        &["diff", "nosuchrev:conf/topology.yaml", "conf/topology.yaml"],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with(
            "nosuchrev:conf/topology.yaml: error: cannot read the topology file: git show"
        ),
        "{}",
        stderr(&o)
    );
    // git's own first line of complaint is passed on.
    assert!(stderr(&o).contains("failed: fatal: "), "{}", stderr(&o));
    // An invalid old side is a finding, located in the git file.
    write_topology(dir, "bad.yaml", "format: 2\n");
    git(dir, &["add", "bad.yaml"]);
    git(dir, &["commit", "-q", "-m", "bad"]);
    let o = run_in(dir, &["diff", "HEAD:bad.yaml", "conf/topology.yaml"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("HEAD:bad.yaml:1:"), "{}", stderr(&o));
    // The size limit holds through git too: 1 MiB loads, one byte more is refused (git's output
    // is read only to one byte over the limit, so the message has that size). over.yaml's rest
    // fits in the pipe, so git usually ends well; far.yaml's does not (a pipe holds 64 KiB), so
    // git is stopped part-way, and that is still the size refusal, not a failed `git show`.
    let sizes = [
        ("max.yaml", 1024 * 1024),
        ("over.yaml", 1024 * 1024 + 5000),
        ("far.yaml", 3 * 1024 * 1024),
    ];
    let mut add = vec!["add"];
    for (name, size) in sizes {
        let mut text = contoso_text();
        text.push_str("# padding\n");
        text.push_str(&"#".repeat(size - text.len() - 1));
        text.push('\n');
        write_topology(dir, name, &text);
        add.push(name);
    }
    git(dir, &add);
    git(dir, &["commit", "-q", "-m", "sizes"]);
    let o = run_in(
        dir,
        &["diff", "HEAD:max.yaml", "conf/topology.yaml", "--stat"],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("dub: 3 file(s) changed"),
        "{}",
        stdout(&o)
    );
    for (name, _) in &sizes[1..] {
        let o = run_in(
            dir,
            &["diff", &format!("HEAD:{name}"), "conf/topology.yaml"],
        );
        assert_eq!(code(&o), 1, "{name}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            format!(
                "HEAD:{name}: error: the file is 1048577 bytes; a topology file is at most 1 MiB\n\
                 HEAD:{name}: 1 error(s); nothing was compared\n"
            ),
        );
    }
}

#[test]
fn diff_stat_as_json() {
    let tmp = tempfile::tempdir().unwrap();
    let old = write_topology(tmp.path(), "old.yaml", &contoso_text());
    let changed = contoso_text().replace(r"\\fs02.contoso.com\", r"\\fs12.contoso.com\");
    let new = write_topology(tmp.path(), "new.yaml", &changed);
    let o = run(&["diff", &old, &new, "--stat", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        json(&o),
        serde_json::json!({
            "changed": true,
            "pools": [
                {"pool": "dub", "files_changed": 3, "insertions": 2, "deletions": 2},
                {"pool": "red", "files_changed": 0, "insertions": 0, "deletions": 0},
            ]
        })
    );
    let same = run(&["diff", &old, &old, "--stat", "--format", "json"]);
    assert_eq!(code(&same), 0);
    assert_eq!(json(&same)["changed"], false);
    // JSON is for the counts only.
    assert_eq!(code(&run(&["diff", &old, &new, "--format", "json"])), 2);
}

#[test]
fn render_and_check_report_as_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = render_into(&sample("contoso.yaml"), &out, &["--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["out"], out.display().to_string());
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 7, "{doc}");
    assert!(files.iter().all(|f| f["change"] == "created"), "{doc}");
    assert_eq!(files[0]["path"], "abc-failover.lock.json");
    assert!(
        files.iter().any(|f| f["path"] == "red/backup-red.ps1"),
        "{doc}"
    );
    let again = json(&render_into(
        &sample("contoso.yaml"),
        &out,
        &["--format", "json"],
    ));
    assert!(again["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["change"] == "unchanged"));

    let o = check_against(&sample("contoso.yaml"), &out, &["--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        json(&o),
        serde_json::json!({"out": out.display().to_string(), "up_to_date": true, "findings": [], "notes": [], "render_command": null})
    );

    let script = out.join("red/backup-red.ps1");
    let mut bytes = std::fs::read(&script).unwrap();
    bytes.extend_from_slice(b"# hand edit\r\n");
    std::fs::write(&script, bytes).unwrap();
    std::fs::remove_file(out.join("dub/restore-checklist-dub.md")).unwrap();
    let o = check_against(&sample("contoso.yaml"), &out, &["--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let doc = json(&o);
    let kinds: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["kind"].as_str().unwrap(), f["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("missing", "dub/restore-checklist-dub.md"),
            ("hand-edited", "red/backup-red.ps1"),
            ("changed", "red/backup-red.ps1"),
        ]
    );
    assert!(
        doc["findings"][2]["diff"]
            .as_str()
            .unwrap()
            .contains("-# hand edit"),
        "{doc}"
    );
    assert!(doc["findings"][0].get("diff").is_none(), "{doc}");
    assert!(
        doc["render_command"]
            .as_str()
            .unwrap()
            .starts_with("abc-failover render "),
        "{doc}"
    );
}

/// An output folder with one hand-edited runbook, for the stdout tests below.
fn hand_edited_output(tmp: &Path) -> (String, PathBuf) {
    let topology = sample("contoso.yaml");
    let out = tmp.join("out");
    render_ok(&topology, &out, &[]);
    let md = out.join("red/restore-checklist-red.md");
    let mut text = std::fs::read_to_string(&md).unwrap();
    text.push_str("hand edit\n");
    std::fs::write(&md, text).unwrap();
    (topology, out)
}

/// check paints its diff on a terminal (a pseudo-terminal from util-linux's `script`, which
/// Debian always has), never with NO_COLOR set, never into a pipe.
#[cfg(target_os = "linux")]
#[test]
fn check_paints_its_diff_on_a_terminal_only() {
    let tmp = tempfile::tempdir().unwrap();
    let (topology, out) = hand_edited_output(tmp.path());
    let command = format!(
        "'{}' check '{}' -o '{}'",
        env!("CARGO_BIN_EXE_abc-failover"),
        topology,
        out.display()
    );
    let on_terminal = |no_color: Option<&str>| {
        let mut c = Command::new("script");
        c.args(["-qec", &command, "/dev/null"]);
        match no_color {
            Some(v) => c.env("NO_COLOR", v),
            None => c.env_remove("NO_COLOR"),
        };
        c.output().expect("util-linux script runs")
    };
    let o = on_terminal(None);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("\x1b[31m-hand edit"),
        "{:?}",
        stdout(&o)
    );
    let o = on_terminal(Some(""));
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("-hand edit"), "{:?}", stdout(&o));
    assert!(!stdout(&o).contains('\x1b'), "{:?}", stdout(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_abc-failover"))
        .env_remove("NO_COLOR")
        .args(["check", &topology, "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&o), 1);
    assert!(!stdout(&o).contains('\x1b'), "{:?}", stdout(&o));
}

/// A reader that went away (`check | head -1`) does not change the exit code or add an error;
/// a stdout that cannot be written for any other reason (a full disk: /dev/full) is trouble.
#[cfg(target_os = "linux")]
#[test]
fn a_closed_pipe_is_no_error_but_a_full_disk_is() {
    let tmp = tempfile::tempdir().unwrap();
    let (topology, out) = hand_edited_output(tmp.path());
    let args = ["check", topology.as_str(), "-o", out.to_str().unwrap()];
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = bin()
        .args(args)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(!stderr(&o).contains("error"), "{}", stderr(&o));
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = bin()
        .args(args)
        .stdout(full)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("No space left on device"),
        "{}",
        stderr(&o)
    );
}
