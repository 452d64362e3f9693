//! The restore checklist (`ID/restore-checklist-ID.md`): structure, conditions, corrections of
//! Microsoft's page, placeholders, escaping and file properties.

mod common;

use abc_failover::load::{load_bytes, Loaded};
use abc_failover::plan::{pool_plan, PLACEHOLDER_MARKER};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use common::checklist_of;

fn sample(name: &str) -> Loaded {
    common::load_path(&common::root().join("samples").join(name))
}

fn fixture(name: &str) -> Loaded {
    common::load_path(&common::root().join("tests/fixtures").join(name))
}

/// Top-level checklist items (`- [ ] **...`) with their text up to the next item or heading.
fn items(md: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in md.lines() {
        let starts_item = line.starts_with("- [ ] **");
        if starts_item || line.starts_with("## ") {
            if let Some(c) = current.take() {
                out.push(c);
            }
        }
        if starts_item {
            current = Some((line.to_string(), String::new()));
        } else if let Some((_, body)) = &mut current {
            body.push_str(line);
            body.push('\n');
        }
    }
    out.extend(current);
    out
}

/// The step number of an item title `- [ ] **Step N. ...`.
fn step_number(title: &str) -> Option<u32> {
    let rest = title.strip_prefix("- [ ] **Step ")?;
    let (n, _) = rest.split_once('.')?;
    n.parse().ok()
}

/// The item of step `n`: its title line and body.
fn step(md: &str, n: u32) -> String {
    let (title, body) = items(md)
        .into_iter()
        .find(|(t, _)| step_number(t) == Some(n))
        .unwrap_or_else(|| panic!("step {n} missing"));
    format!("{title}\n{body}")
}

fn code(md: &str) -> String {
    common::powershell_blocks(md)
        .into_iter()
        .map(|(_, b)| b)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The file name in `$Var = Join-Path $Work 'NAME'` inside `text`.
fn work_file(text: &str, var: &str) -> String {
    let prefix = format!("{var} = Join-Path $Work '");
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` in:\n{text}"));
    line[prefix.len()..].trim_end_matches('\'').to_string()
}

fn minimal(product: &str, pool_extra: &str) -> String {
    format!(
        "format: 1\nproduct: {product}\nbackup:\n  root: 'D:\\AbcBackup'\n  copies: ['\\\\bkp.contoso.com\\Dr']\npools:\n  - id: p1\n    fqdn: pool-a.contoso.com\n    file_store: '\\\\fs.contoso.com\\Share'\n    backup_pool:\n      fqdn: pool-b.contoso.com\n      backend:\n        server: sql-b.contoso.com\n        instance: RTC\n{pool_extra}"
    )
}

const POOL_C: &str = "    replacement_pool:\n      fqdn: pool-c.contoso.com\n";

/// Pool B of `minimal`'s pool as a second pool of the topology (appended to `minimal`'s text).
fn pool_b(pool_extra: &str) -> String {
    format!("  - id: p2\n    fqdn: pool-b.contoso.com\n    file_store: '\\\\fs.contoso.com\\ShareB'\n    backup_pool:\n      fqdn: pool-a.contoso.com\n{pool_extra}")
}

#[test]
fn every_sample_has_a_checklist_whose_powershell_parses() {
    let samples = common::samples();
    assert!(samples.len() >= 3);
    for s in samples {
        let loaded = common::load_path(&s);
        let a = common::render(&loaded);
        for pool in &loaded.topology.pools {
            let id = pool.effective_id();
            let key = format!("{id}/restore-checklist-{id}.md");
            let md = common::text(
                a.get(&key)
                    .unwrap_or_else(|| panic!("{}: no {key}", s.display())),
            );
            let blocks = common::powershell_blocks(&md);
            assert!(blocks.len() > 20, "{key}: only {} blocks", blocks.len());
            for (line, body) in blocks {
                let problems = common::syntax_problems(&body);
                assert!(
                    problems.is_empty(),
                    "{}: {key}: block starting at line {line}: {problems:?}\n{body}",
                    s.display()
                );
            }
        }
    }
}

#[test]
fn hostile_fixture_powershell_parses() {
    let md = checklist_of(&fixture("hostile-checklist.yaml"), "hostile");
    for (line, body) in common::powershell_blocks(&md) {
        let problems = common::syntax_problems(&body);
        assert!(
            problems.is_empty(),
            "block at line {line}: {problems:?}\n{body}"
        );
    }
}

#[test]
fn all_29_steps_in_order_as_checkboxes() {
    for s in common::samples() {
        let loaded = common::load_path(&s);
        for pool in &loaded.topology.pools {
            let md = checklist_of(&loaded, &pool.effective_id());
            let numbers: Vec<u32> = md
                .lines()
                .filter(|l| l.contains("**Step "))
                .map(|l| step_number(l).unwrap_or_else(|| panic!("step not a `- [ ]` item: {l}")))
                .collect();
            assert_eq!(numbers, (1..=29).collect::<Vec<u32>>(), "{}", s.display());
        }
    }
}

#[test]
fn steps_27_to_29_not_needed_without_branch_appliances() {
    let md = checklist_of(&sample("litware-standard.yaml"), "sfbse01");
    for n in 27..=29 {
        let s = step(&md, n);
        assert!(s.contains("Not needed for this pool: "), "step {n}:\n{s}");
        assert!(
            s.contains("branch\\_appliances is empty"),
            "step {n} gives no reason:\n{s}"
        );
        assert!(!s.contains("```powershell"), "step {n} has commands:\n{s}");
    }
}

#[test]
fn conditional_steps_say_why_when_not_needed() {
    // contoso/dub: no LIS, no announcements, hosts_cms false, no edge, no databases.
    let md = checklist_of(&sample("contoso.yaml"), "dub");
    for n in [2, 3, 6, 20, 27, 28, 29] {
        let s = step(&md, n);
        let line = s
            .lines()
            .find(|l| l.contains("Not needed for this pool: "))
            .unwrap_or_else(|| panic!("step {n}:\n{s}"));
        let reason = line
            .split("Not needed for this pool: ")
            .nth(1)
            .unwrap_or("");
        assert!(reason.len() > 20, "step {n}: no reason: {line}");
    }
}

#[test]
fn hosts_cms_unknown_keeps_steps_1_to_3_with_the_check() {
    let t = minimal(
        "sfb2015",
        &format!("    hosts_cms: unknown\n    services:\n      lis: true\n{POOL_C}"),
    );
    let md = checklist_of(&common::load_text(&t), "p1");
    let s1 = step(&md, 1);
    assert!(s1.contains("hosts_cms: unknown"), "{s1}");
    assert!(s1.contains("Get-CsService -CentralManagement"), "{s1}");
    assert!(s1.contains("This check decides"), "{s1}");
    for n in [2, 3] {
        let s = step(&md, n);
        assert!(!s.contains("Not needed for this pool"), "step {n}:\n{s}");
        assert!(
            s.contains("Only if step 1 showed the CMS on pool A"),
            "step {n}:\n{s}"
        );
        assert!(s.contains("```powershell"), "step {n}:\n{s}");
    }
}

#[test]
fn hosts_cms_false_marks_steps_2_and_3_not_needed() {
    let t = minimal(
        "sfb2015",
        &format!("    hosts_cms: false\n    services:\n      lis: true\n{POOL_C}"),
    );
    let md = checklist_of(&common::load_text(&t), "p1");
    assert!(step(&md, 1).contains("Get-CsService -CentralManagement"));
    for n in [2, 3] {
        let s = step(&md, n);
        assert!(s.contains("Not needed for this pool: "), "step {n}:\n{s}");
        assert!(s.contains("hosts\\_cms: false"), "step {n}:\n{s}");
        assert!(
            !s.contains("Invoke-CsManagementServerFailover -"),
            "step {n}:\n{s}"
        );
    }
}

#[test]
fn hosts_cms_true_runs_steps_2_and_3() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    assert!(step(&md, 2).contains("Invoke-CsManagementServerFailover -BackupSqlServerFqdn"));
    assert!(step(&md, 3).contains(
        "Import-CsLisConfiguration -FileName (Join-Path $Set 'Lis\\LisConfiguration.zip')"
    ));
    assert!(step(&md, 3).contains("Publish-CsLisConfiguration"));
}

#[test]
fn replace_existing_rgs_settings_never_the_wrong_switch() {
    for s in common::samples() {
        let loaded = common::load_path(&s);
        for pool in &loaded.topology.pools {
            let md = checklist_of(&loaded, &pool.effective_id());
            assert!(!md.contains("-ReplaceExistingSettings"), "{}", s.display());
        }
    }
    // contoso red keeps pool B's settings (pool B runs Response Groups): the import has no switch.
    let md = checklist_of(&sample("contoso.yaml"), "red");
    assert!(step(&md, 4).contains(
        "Import-CsRgsConfiguration -Destination ('service:ApplicationServer:' + $PoolB) -FileName (Join-Path $Set 'ResponseGroups\\RgsConfiguration.zip')\n"
    ));
    assert!(step(&md, 4).contains("`-ReplaceExistingRgsSettings`"));
    assert!(step(&md, 4).contains("Correction: "));
}

#[test]
fn step_17_imports_the_step_16_export_into_pool_c_with_overwrite_owner() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let (s16, s17, s19) = (step(&md, 16), step(&md, 17), step(&md, 19));
    let f16 = work_file(&s16, "$RgsStep16");
    assert_eq!(work_file(&s17, "$RgsStep16"), f16);
    assert!(s16.contains("-FileName $RgsStep16"), "{s16}");
    assert!(s17.contains("$PoolC = 'lyncpool03.contoso.com'"), "{s17}");
    let import = s17
        .lines()
        .find(|l| l.trim_start().starts_with("Import-CsRgsConfiguration"))
        .expect("import line");
    assert!(
        import.contains("-Destination ('service:ApplicationServer:' + $PoolC)"),
        "{import}"
    );
    assert!(import.contains("-OverwriteOwner"), "{import}");
    assert!(import.contains("-FileName $RgsStep16"), "{import}");
    assert!(!import.contains("$PoolB"), "{import}");
    // Steps 16 and 19 write different files.
    let f19 = work_file(&s19, "$RgsStep19");
    assert_ne!(f16, f19);
    assert!(
        s19.contains("-FileName $RgsStep19 -RemoveExportedConfiguration"),
        "{s19}"
    );
    // Step 19 reads the step-16 export only to check it exists; it never removes with it.
    assert!(
        s19.contains(&format!("$RgsStep16 = Join-Path $Work '{f16}'")),
        "{s19}"
    );
    assert!(!s19.contains("-FileName $RgsStep16"), "{s19}");
}

#[test]
fn step_27_converts_and_updates_user_data_correctly() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let s27 = step(&md, 27);
    let c = code(&s27);
    assert!(c.contains(
        "Convert-CsUserData -InputFile $UserDataFromB -OutputFile $UserData2010 -TargetVersion Lync2010"
    ), "{c}");
    assert!(work_file(&s27, "$UserData2010").ends_with(".xml"));
    assert_eq!(
        work_file(&s27, "$UserDataFromB"),
        work_file(&step(&md, 13), "$UserDataFromB"),
        "step 27 converts the step-13 export"
    );
    assert!(!c.contains("-TargetVersionLync2010"));
    for line in c.lines().filter(|l| l.contains("Update-CsUserData")) {
        assert!(!line.trim_end().ends_with('-'), "stray dash: {line}");
        assert!(
            line.contains("-FileName $UserData2010 -UserFilter $Sip"),
            "{line}"
        );
    }
    // The list is written and read through one absolute path.
    assert!(c.contains("$Work = Join-Path (Join-Path $env:SystemDrive 'AbcRestore') 'red'"));
    assert!(c.contains("Set-Content -LiteralPath $SbaSipList"));
    assert!(c.contains("Get-Content -LiteralPath $SbaSipList"));
}

#[test]
fn bootstrapper_path_per_product() {
    let cases = [
        (
            "lync2013",
            "Program Files\\Microsoft Lync Server 2013\\Deployment\\Bootstrapper.exe",
        ),
        (
            "sfb2015",
            "Program Files\\Skype for Business Server 2015\\Deployment\\Bootstrapper.exe",
        ),
        (
            "sfb2019",
            "Program Files\\Skype for Business Server 2019\\Deployment\\Bootstrapper.exe",
        ),
    ];
    for (product, path) in cases {
        let md = checklist_of(&common::load_text(&minimal(product, POOL_C)), "p1");
        let s23 = code(&step(&md, 23));
        assert!(
            s23.contains(&format!("& (Join-Path $env:SystemDrive '{path}')")),
            "{product}:\n{s23}"
        );
        assert!(
            !code(&md).to_ascii_uppercase().contains("SYSTEMROOT"),
            "{product}"
        );
        for (other, other_path) in cases {
            if other != product {
                assert!(!md.contains(other_path), "{product} mentions {other}");
            }
        }
    }
}

#[test]
fn start_pool_c_per_product() {
    let l13 = checklist_of(&common::load_text(&minimal("lync2013", POOL_C)), "p1");
    assert!(!l13.contains("Start-CsPool -"));
    assert!(code(&step(&l13, 15)).contains("Start-CsWindowsService -ComputerName $Computer"));
    let s19 = checklist_of(&common::load_text(&minimal("sfb2019", POOL_C)), "p1");
    assert!(code(&step(&s19, 15)).contains("Start-CsPool -PoolFqdn $PoolC"));
    assert!(s19.contains("-EnableRgsBackupService"));
}

#[test]
fn cms_failover_uses_backup_mirror_parameters_and_force() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let c = code(&step(&md, 2));
    let line = c
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("Invoke-CsManagementServerFailover"))
        .expect("failover line");
    assert_eq!(
        line,
        "Invoke-CsManagementServerFailover -BackupSqlServerFqdn 'sqlbe02.contoso.com' -BackupSqlInstanceName 'RTC' -BackupMirrorSqlServerFqdn 'sqlbe02m.contoso.com' -BackupMirrorSqlInstanceName 'RTC' -Force -Verbose"
    );
    assert!(c.contains("Get-CsDatabaseMirrorState -DatabaseType 'CMS' -PoolFqdn $PoolB"));
    assert!(!c.contains("-MirrorSql"));
}

#[test]
fn music_on_hold_restored_with_the_cmdlet_and_no_xcopy_anywhere() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let s14 = code(&step(&md, 14));
    assert!(s14.contains(
        "Set-CsCallParkServiceMusicOnHoldFile -Service ('ApplicationServer:' + $PoolC) -Content ([System.IO.File]::ReadAllBytes("
    ), "{s14}");
    assert!(s14.contains("Join-Path $Set 'CallPark\\CPS'"));
    assert!(s14.contains("Set-CsCallParkOrbit -Identity $Orbit.Identity -CallParkService ('service:ApplicationServer:' + $PoolC)"));
    for s in common::samples() {
        let loaded = common::load_path(&s);
        for pool in &loaded.topology.pools {
            let md = checklist_of(&loaded, &pool.effective_id());
            assert!(!md.to_lowercase().contains("xcopy"), "{}", s.display());
        }
    }
}

#[test]
fn announcement_audio_imported_before_new_announcement() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    for (n, fqdn) in [
        (6, "lyncpool02.contoso.com"),
        (20, "lyncpool03.contoso.com"),
    ] {
        let pool = "$Target";
        let c = code(&step(&md, n));
        assert!(c.contains(&format!("$Target = '{fqdn}'")), "step {n}:\n{c}");
        let import = c
            .find(&format!(
                "Import-CsAnnouncementFile -Parent ('ApplicationServer:' + {pool})"
            ))
            .unwrap_or_else(|| panic!("step {n}:\n{c}"));
        let new = c
            .find(&format!(
                "New-CsAnnouncement -Parent ('ApplicationServer:' + {pool})"
            ))
            .unwrap_or_else(|| panic!("step {n}:\n{c}"));
        assert!(import < new, "step {n}");
        assert!(c.contains("Join-Path $Set 'Announcements\\Announcements.csv'"));
        assert!(c.contains(&format!("-AnnouncementService {pool}")));
    }
}

#[test]
fn per_item_lists_are_read_from_the_inventory() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let expect = [
        (10, "Inventory\\ConferenceDirectories.csv", "Move-CsConferenceDirectory -Identity $Directory.Identity -TargetPool $PoolC -Force"),
        (11, "Inventory\\DialInAccessNumbers.csv", "Move-CsApplicationEndpoint -Identity $Number.PrimaryUri -TargetApplicationPool $PoolC -Force"),
        (14, "CallPark\\CallParkOrbits.csv", "Set-CsCallParkOrbit"),
        (6, "Announcements\\UnassignedNumbers.csv", "Set-CsUnassignedNumber"),
        (27, "Inventory\\BranchUsers-sba-bellevue.contoso.com.csv", "Move-CsUser"),
    ];
    for (n, file, cmd) in expect {
        let c = code(&step(&md, n));
        assert!(
            c.contains(&format!(
                "Import-Csv -LiteralPath (Join-Path $Set '{file}')"
            )),
            "step {n}:\n{c}"
        );
        assert!(c.contains(cmd), "step {n}:\n{c}");
    }
}

fn missing_section(md: &str) -> Option<String> {
    let start = md.find("## Values still missing")?;
    let rest = &md[start + 3..];
    let end = rest.find("\n## ").map_or(rest.len(), |e| e);
    Some(rest[..end].to_string())
}

/// Every distinct placeholder in `md`.
fn placeholders(md: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, _) in md.match_indices(PLACEHOLDER_MARKER) {
        let p: String = md[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        // The bare marker is the "search for" hint of the missing-values section.
        if p.len() > PLACEHOLDER_MARKER.len() && !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

#[test]
fn without_pool_c_values_still_missing_lists_each_placeholder() {
    let md = checklist_of(&sample("litware-standard.yaml"), "sfbse01");
    let section = missing_section(&md).expect("values still missing section");
    let found = placeholders(&md);
    assert!(
        found.contains(&"MISSING-pool-C-FQDN".to_string()),
        "{found:?}"
    );
    for p in &found {
        assert!(
            section.contains(&format!("| `{p}` |")),
            "{p} not listed:\n{section}"
        );
    }
    assert!(
        section.contains("--set pools.sfbse01.replacement_pool.fqdn="),
        "{section}"
    );
    assert!(section.contains("`replacement_pool.fqdn`"), "{section}");
    // Placeholders in code are whole single-quoted literals.
    let c = code(&md);
    assert!(c.contains("$PoolC = 'MISSING-pool-C-FQDN'"));
    for (i, _) in c.match_indices(PLACEHOLDER_MARKER) {
        assert_eq!(
            &c[i - 1..i],
            "'",
            "placeholder not at the start of a literal"
        );
    }
}

#[test]
fn missing_backend_is_a_placeholder_too() {
    let t = "format: 1\nproduct: sfb2015\nbackup:\n  root: 'D:\\B'\npools:\n  - id: p1\n    fqdn: pool-a.contoso.com\n    file_store: '\\\\fs.contoso.com\\S'\n    backup_pool:\n      fqdn: pool-b.contoso.com\n    replacement_pool:\n      fqdn: pool-c.contoso.com\n";
    let md = checklist_of(&common::load_text(t), "p1");
    let section = missing_section(&md).expect("section");
    assert!(
        section.contains("--set pools.p1.backup_pool.backend.server="),
        "{section}"
    );
    assert!(
        code(&step(&md, 2)).contains("-BackupSqlServerFqdn 'MISSING-pool-B-backend-SQL-server'")
    );
    assert!(!md.contains("MISSING-pool-C"));
}

#[test]
fn with_pool_c_no_placeholder_anywhere() {
    let cases = [
        ("contoso.yaml", "red"),
        ("fabrikam-sfb2019.yaml", "ams1"),
        ("fabrikam-sfb2019.yaml", "ams2"),
    ];
    for (file, id) in cases {
        let md = checklist_of(&sample(file), id);
        assert!(
            !md.contains(PLACEHOLDER_MARKER),
            "{file} {id}: {:?}",
            placeholders(&md)
        );
        assert!(missing_section(&md).is_none(), "{file} {id}");
        assert!(
            !md.to_lowercase().contains("values still missing"),
            "{file} {id}"
        );
    }
    // Filling pool C with --set removes the placeholder.
    let path = common::root().join("samples/litware-standard.yaml");
    let bytes = std::fs::read(&path).expect("sample");
    let sets = vec!["pools.sfbse01.replacement_pool.fqdn=sfbse03.litwareinc.com".to_string()];
    let loaded = load_bytes(
        "litware-standard.yaml",
        "litware-standard.yaml",
        &bytes,
        &sets,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let md = checklist_of(&loaded, "sfbse01");
    assert!(!md.contains(PLACEHOLDER_MARKER));
    assert!(md.contains("$PoolC = 'sfbse03.litwareinc.com'"));
}

#[test]
fn databases_are_restored_from_their_bak_files() {
    let loaded = sample("contoso.yaml");
    let plan = pool_plan(&loaded, &loaded.topology.pools[0]);
    let md = checklist_of(&loaded, "red");
    let after = &md[md.find("## After the 29 steps").expect("after section")..];
    let c = code(after);
    let mut seen = 0;
    for db in &plan.databases {
        assert!(matches!(
            db.role_title,
            "Monitoring" | "Archiving" | "Persistent Chat"
        ));
        for (name, bak) in db.names.iter().zip(&db.bak_files) {
            seen += 1;
            assert!(
                c.contains(&format!("$Bak = Join-Path $Set 'Databases\\{bak}'")),
                "{bak}:\n{c}"
            );
            assert!(c.contains(&format!("$Database = '{name}'")), "{name}");
            assert!(c.contains(&format!("$SqlTarget = '{}'", db.sql.target)));
        }
    }
    assert_eq!(seen, 5, "LcsCDR, QoEMetrics, LcsLog, mgc, mgccomp");
    assert!(c.contains("'RESTORE DATABASE [' + $Database + '] FROM DISK = N'''"));
    assert!(c.contains("RTCComponentUniversalServices"));
    // A pool without databases says so.
    let md = checklist_of(&loaded, "dub");
    let after = &md[md.find("## After the 29 steps").expect("after section")..];
    assert!(after.contains("Not needed for this pool: the topology lists no databases"));
}

#[test]
fn edge_next_hop_changes_before_step_7() {
    for (file, id, edge, pool_b) in [
        (
            "contoso.yaml",
            "red",
            "edgepool01.contoso.com",
            "lyncpool02.contoso.com",
        ),
        (
            "fabrikam-sfb2019.yaml",
            "sea1",
            "edge-sea.fabrikam.com",
            "sfb-sea2.fabrikam.com",
        ),
    ] {
        let md = checklist_of(&sample(file), id);
        let line = format!("Set-CsEdgeServer -Identity ('EdgeServer:' + '{edge}') -Registrar ('Registrar:' + $PoolB)");
        let at = md
            .find(&line)
            .unwrap_or_else(|| panic!("{file} {id}: no `{line}`"));
        let step7 = md.find("- [ ] **Step 7.").expect("step 7");
        let step6 = md.find("- [ ] **Step 6.").expect("step 6");
        assert!(
            step6 < at && at < step7,
            "{file} {id}: edge change not right before step 7"
        );
        assert!(md[step6..step7].contains(&format!("$PoolB = '{pool_b}'")));
    }
    let md = checklist_of(&sample("contoso.yaml"), "dub");
    assert!(!md.contains("Set-CsEdgeServer -"));
}

#[test]
fn each_branch_appliance_gets_steps_27_to_29() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    for sba in ["sba-bellevue.contoso.com", "sba-tacoma.contoso.com"] {
        for n in 27..=29 {
            assert!(step(&md, n).contains(sba), "step {n} lacks {sba}");
        }
        for n in [27, 29] {
            assert!(
                code(&step(&md, n)).contains(&format!("$Sba = '{sba}'")),
                "step {n}"
            );
        }
        assert!(code(&step(&md, 27)).contains(&format!("Inventory\\BranchUsers-{sba}.csv")));
    }
    assert!(code(&step(&md, 29)).contains(
        "Move-CsUser -Identity $User.SipAddress -Target $Sba -Confirm:$false -ErrorAction Stop"
    ));
    let md = checklist_of(&sample("fabrikam-sfb2019.yaml"), "sea1");
    for n in 27..=29 {
        assert!(
            step(&md, n).contains("sbs-portland.fabrikam.com"),
            "step {n}"
        );
    }
}

#[test]
fn before_you_begin_finds_and_verifies_the_newest_complete_set() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let start = md.find("## Before you begin").expect("section");
    let end = md.find("## The 29 steps").expect("steps");
    let c = code(&md[start..end]);
    for needle in [
        "'D:\\AbcBackup'",
        "'\\\\dr-files.contoso.com\\LyncDR'",
        "'\\\\bkp02.contoso.com\\Offsite\\Lync'",
        "$Id = 'red'",
        "$SetPattern = '^[0-9]{8}T[0-9]{6}Z\\z'",
        "(Join-Path $_.FullName 'COMPLETE')",
        "$Set = (",
        "New-Object -TypeName System.Security.Cryptography.SHA256CryptoServiceProvider",
        "Join-Path $Set 'SHA256SUMS'",
    ] {
        assert!(c.contains(needle), "missing {needle}");
    }
    assert!(!c.contains("Get-FileHash"));
    assert!(!c.contains("::new("));
}

fn rendered_text_chunks(md: &str) -> (Vec<String>, String) {
    let mut chunks = Vec::new();
    let mut buf = String::new();
    let mut code_blocks = String::new();
    let mut in_code = false;
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::Start(Tag::CodeBlock(_)) => {
                in_code = true;
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
            }
            Event::Text(t) if in_code => code_blocks.push_str(&t),
            Event::Text(t) | Event::Code(t) => buf.push_str(&t),
            _ => {
                if !buf.is_empty() {
                    chunks.push(std::mem::take(&mut buf));
                }
            }
        }
    }
    if !buf.is_empty() {
        chunks.push(buf);
    }
    (chunks, code_blocks)
}

#[test]
fn hostile_values_render_exactly_and_quote_once_in_code() {
    let loaded = fixture("hostile-checklist.yaml");
    let t = &loaded.topology;
    let p = &t.pools[0];
    let md = checklist_of(&loaded, "hostile");
    let (chunks, code_text) = rendered_text_chunks(&md);
    let org = t.organization.clone().expect("organization");
    let prose_values = [
        org.clone(),
        t.backup.root.clone(),
        t.backup.copies[0].clone(),
        t.backup.sql_backup_path.clone().expect("sql path"),
        p.file_store.clone(),
        p.replacement_pool
            .as_ref()
            .and_then(|c| c.file_store.clone())
            .expect("C store"),
        p.rgs_audio_sources[0].clone(),
    ];
    for v in &prose_values {
        assert!(
            chunks.iter().any(|c| c.contains(v.as_str())),
            "not shown exactly: {v}\nchunks: {chunks:#?}"
        );
    }
    // Markup characters of the organization did not turn into markup.
    assert!(!md.contains("<b>"));
    // Each value with its literal written out by hand (not computed with `ps_literal`).
    let code_values = [
        (
            t.backup.root.clone(),
            r"'D:\Abc`Back_up [x] O''Brien’’s $envX & #1'",
        ),
        (
            t.backup.copies[0].clone(),
            r"'\\files.contoso.com\DR`x\it’’s [a]_b $c & #d'",
        ),
        (
            "sql-mon.contoso.com\\MON$A#1".to_string(),
            r"'sql-mon.contoso.com\MON$A#1'",
        ),
    ];
    for (v, lit) in &code_values {
        assert!(code_text.contains(lit), "no literal {lit}");
        for (i, _) in code_text.match_indices(v.as_str()) {
            assert!(
                i > 0 && code_text[i - 1..].starts_with(lit),
                "{v} appears outside its literal at {i}"
            );
        }
    }
    // Values that contain a quote never appear raw in code.
    assert!(!code_text.contains("O'Brien’s"));
    assert!(code_text.contains("O''Brien’’s"));
}

#[test]
fn deterministic_utf8_without_bom_lf_final_newline() {
    let mut all = common::samples();
    all.push(common::root().join("tests/fixtures/hostile-checklist.yaml"));
    for s in all {
        let loaded = common::load_path(&s);
        let a = common::render(&loaded);
        let b = common::render(&common::load_path(&s));
        for (k, bytes) in a.iter().filter(|(k, _)| k.ends_with(".md")) {
            assert_eq!(Some(bytes), b.get(k), "{k} differs between renders");
            assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{k} has a BOM");
            let text = std::str::from_utf8(bytes).expect("UTF-8");
            assert!(!text.contains('\r'), "{k} has CR");
            assert!(
                text.ends_with('\n') && !text.ends_with("\n\n"),
                "{k} final newline"
            );
            assert!(
                text.starts_with("<!-- Code generated by abc-failover from "),
                "{k}"
            );
            assert!(
                text.lines().all(|l| l == l.trim_end()),
                "{k} trailing whitespace"
            );
        }
    }
}

#[test]
fn sign_off_table_and_final_checks_exist() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let signoff = &md[md.find("## Sign-off").expect("sign-off")..];
    assert!(signoff.contains("| Step | Done by | When (UTC) | Notes |"));
    for n in 1..=29 {
        assert!(signoff.contains(&format!("\n| {n} |")), "row {n}");
    }
    assert!(md.contains("- [ ] **Final checks**"));
    assert!(md.contains("```mermaid"));
    assert!(md.contains("| C | replaces A | `lyncpool03.contoso.com` |"));
}

#[test]
fn step_1_never_says_skip_when_the_cms_does_not_answer() {
    // If the CMS was on pool A, Get-CsService fails; the old block then counted 0 matches and
    // printed "skip steps 2 and 3".
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let c = code(&step(&md, 1));
    let call = c
        .find("$Now = @(Get-CsService -CentralManagement -ErrorAction Stop)")
        .expect("guarded call");
    let skip = c.find("skip steps 2 and 3").expect("skip message");
    // An empty answer without an error (no CMS service listed) is no answer either.
    let guard = c
        .find("if ($null -eq $Now -or $Now.Count -eq 0)")
        .expect("no-answer branch");
    assert!(call < guard && guard < skip, "{c}");
    assert!(c.contains("Join-Path $Set 'Inventory\\CmsLocation.csv'"));
    assert!(c.contains("Invoke-CsManagementServerFailover -WhatIf"));
}

#[test]
fn verification_of_zero_files_is_a_failure() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    assert!(code(&md).contains("if ($Checked -eq 0) { throw"));
}

#[test]
fn user_data_import_refuses_running_front_ends_on_pool_c() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let c = code(&step(&md, 13));
    let check = c
        .find("Get-CsWindowsService -Name 'RTCSRV' -ComputerName $Computer -ErrorAction Stop")
        .expect("RTCSRV check");
    let throw = c.find("if ($Running.Count -gt 0) { throw").expect("throw");
    let import = c
        .find("Import-CsUserData -PoolFqdn $PoolC -FileName $UserDataFromB")
        .expect("import");
    assert!(check < throw && throw < import, "{c}");
}

#[test]
fn lync_2013_starts_pool_c_servers_without_waiting_for_each() {
    let l13 = checklist_of(&common::load_text(&minimal("lync2013", POOL_C)), "p1");
    let c = code(&step(&l13, 15));
    assert!(
        c.contains("Start-CsWindowsService -ComputerName $Computer -NoWait"),
        "{c}"
    );
    let s15 = checklist_of(&common::load_text(&minimal("sfb2015", POOL_C)), "p1");
    assert!(!code(&step(&s15, 15)).contains("-NoWait"));
}

#[test]
fn branch_user_list_is_never_shortened_by_a_second_run() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let c = code(&step(&md, 27));
    // An earlier list is read before the new one is written, and merged with the live users.
    let read = c
        .find("if (Test-Path -LiteralPath $SbaUsers) { $Earlier = @(Import-Csv -LiteralPath $SbaUsers) }")
        .expect("earlier list read");
    let write = c.find("Export-Csv -LiteralPath $SbaUsers").expect("write");
    assert!(read < write, "{c}");
    assert!(c.contains("@($LiveUsers) + @($Earlier)"), "{c}");
    assert!(c.contains("Export-Csv -LiteralPath $SbaUsers -NoTypeInformation -Encoding UTF8"));
    assert!(!c.contains("$Source = $LiveUsers"), "{c}");
}

#[test]
fn announcement_removal_on_pool_b_waits_for_a_typed_confirmation() {
    // The delete block lists the copies itself (a separate delete block used $Copies of another
    // block, unset in a new shell) and deletes only after the operator has read the list and
    // typed its count.
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let mut seen = 0;
    for (_, body) in common::powershell_blocks(&step(&md, 20)) {
        if let Some(remove) = body.find("$Copies | Remove-CsAnnouncement -Confirm:$false") {
            let list = body.find("$Copies | Format-Table").expect("list");
            let ask = body.find("Read-Host").expect("typed confirmation");
            let check = body
                .find("if ($Typed -ne [string]$Copies.Count) { throw ")
                .expect("check");
            assert!(list < ask && ask < check && check < remove, "{body}");
            seen += 1;
        }
    }
    assert_eq!(seen, 1);
    // The range re-pointing of steps 6 and 20 can be re-run alone (step 6: after step 7).
    for (n, fqdn) in [
        (6, "lyncpool02.contoso.com"),
        (20, "lyncpool03.contoso.com"),
    ] {
        let blocks = common::powershell_blocks(&step(&md, n));
        let ranges = blocks
            .iter()
            .find(|(_, b)| b.contains("Set-CsUnassignedNumber"))
            .expect("range block");
        assert!(!ranges.1.contains("New-CsAnnouncement"), "step {n}");
        assert!(
            ranges.1.contains(&format!("$Target = '{fqdn}'")),
            "step {n}"
        );
    }
}

#[test]
fn step_25_not_needed_when_pool_b_cannot_host_the_cms_even_without_pool_c() {
    // sea1: hosts_cms false, its partner sea2 hosts_cms false, pool C unknown.
    let md = checklist_of(&sample("fabrikam-sfb2019.yaml"), "sea1");
    let s25 = step(&md, 25);
    assert!(s25.contains("Not needed for this pool: "), "{s25}");
    assert!(!s25.contains("Install-CsDatabase"), "{s25}");
    // Unknown CMS location and unknown pool C: still a decision at restore time.
    let md = checklist_of(&common::load_text(&minimal("sfb2015", "")), "p1");
    assert!(step(&md, 25).contains("Decide now: "));
}

#[test]
fn persistent_chat_reason_on_sfb2019_is_the_product() {
    let md = checklist_of(&sample("fabrikam-sfb2019.yaml"), "ams1");
    assert!(step(&md, 15)
        .contains("Persistent Chat is not supported in Skype for Business Server 2019"));
}

#[test]
fn rgs_import_waits_for_the_cms_failover_unless_the_cms_was_elsewhere() {
    let red = checklist_of(&sample("contoso.yaml"), "red");
    assert!(step(&red, 4).contains("Only after step 2 has finished"));
    let dub = checklist_of(&sample("contoso.yaml"), "dub");
    assert!(!step(&dub, 4).contains("Only after step 2 has finished"));
}

#[test]
fn step_25_condition_table() {
    let runs = "Install-CsDatabase -CentralManagementDatabase -SqlServerFqdn $PoolC";
    for (hosts_cms, edition, expect) in [
        ("    hosts_cms: true\n", Some("standard"), "runs"),
        ("    hosts_cms: true\n", Some("enterprise"), "no"),
        ("    hosts_cms: true\n", None, "decide"),
        ("    hosts_cms: false\n", Some("standard"), "decide"),
        ("", Some("standard"), "decide"),
        ("", Some("enterprise"), "no"),
    ] {
        let c = edition.map_or(String::new(), |e| {
            format!("    replacement_pool:\n      fqdn: pool-c.contoso.com\n      edition: {e}\n")
        });
        let md = checklist_of(
            &common::load_text(&minimal("sfb2015", &format!("{hosts_cms}{c}"))),
            "p1",
        );
        let s25 = step(&md, 25);
        let case = format!("{hosts_cms:?} {edition:?}");
        match expect {
            "runs" => {
                assert!(code(&s25).contains(runs), "{case}: {s25}");
                assert!(
                    !s25.contains("Not needed") && !s25.contains("Decide now"),
                    "{case}"
                );
            }
            "no" => {
                assert!(
                    s25.contains("Not needed for this pool: pool C is an Enterprise Edition pool"),
                    "{case}: {s25}"
                );
                assert!(!s25.contains("Install-CsDatabase"), "{case}");
            }
            _ => {
                assert!(s25.contains("Decide now: "), "{case}: {s25}");
                assert!(code(&s25).contains(runs), "{case}");
            }
        }
    }
}

/// Two roles on one SQL instance are two stores.
#[test]
fn database_stores_are_one_per_role_and_instance() {
    let db = |role: &str, name: &str| {
        format!("      - role: {role}\n        server: sql-x.contoso.com\n        instance: SHARED\n        names: [{name}]\n")
    };
    let yaml = minimal(
        "sfb2015",
        &format!(
            "    databases:\n{}{}",
            db("monitoring", "LcsCDR"),
            db("archiving", "LcsLog")
        ),
    )
    .replace(
        "  copies:",
        "  sql_backup_path: '\\\\sql-x.contoso.com\\Bak'\n  copies:",
    );
    let md = checklist_of(&common::load_text(&yaml), "p1");
    let stores: Vec<&str> = md
        .lines()
        .filter(|l| l.contains(" store `sql-x.contoso.com\\SHARED`: "))
        .collect();
    assert_eq!(stores.len(), 2, "{stores:#?}");
    assert!(
        stores[0].contains("Monitoring") && stores[1].contains("Archiving"),
        "{stores:#?}"
    );
    assert!(
        stores
            .iter()
            .all(|l| l.contains("Used by `pool-a.contoso.com`.")),
        "{stores:#?}"
    );

    // Pool B writes to the same Monitoring store, and to an Archiving store of its own: it uses
    // only the first.
    let other = "      - role: archiving\n        server: sql-y.contoso.com\n        instance: SHARED\n        names: [LcsLog]\n";
    let yaml = yaml
        + &pool_b(&format!(
            "    databases:\n{}{other}",
            db("monitoring", "LcsCDR")
        ));
    let md = checklist_of(&common::load_text(&yaml), "p1");
    let used_by = |role: &str| {
        md.lines()
            .find(|l| l.contains(&format!("{role} store `sql-x.contoso.com\\SHARED`: ")))
            .unwrap_or_else(|| panic!("no {role} store"))
            .split_once("Used by ")
            .expect("Used by")
            .1
            .to_string()
    };
    assert!(
        used_by("Monitoring").starts_with("`pool-a.contoso.com`, `pool-b.contoso.com`:"),
        "{}",
        used_by("Monitoring")
    );
    assert_eq!(used_by("Archiving"), "`pool-a.contoso.com`.");
}

/// Step 25 for pool A when its pool B is in the topology: pool B's own hosts_cms decides.
#[test]
fn step_25_reads_pool_b_s_hosts_cms() {
    let runs = "Install-CsDatabase -CentralManagementDatabase -SqlServerFqdn $PoolC";
    for (b_hosts_cms, expect) in [("true", "runs"), ("false", "no"), ("unknown", "decide")] {
        let p1 = "    edition: standard\n    hosts_cms: false\n    replacement_pool:\n      fqdn: pool-c.contoso.com\n      edition: standard\n";
        let p2 = format!("    edition: standard\n    hosts_cms: {b_hosts_cms}\n");
        let yaml = minimal("sfb2015", p1) + &pool_b(&p2);
        let s25 = step(&checklist_of(&common::load_text(&yaml), "p1"), 25);
        match expect {
            "runs" => {
                assert!(code(&s25).contains(runs), "{b_hosts_cms}: {s25}");
                assert!(
                    !s25.contains("Not needed") && !s25.contains("Decide now"),
                    "{s25}"
                );
            }
            "no" => assert!(
                s25.contains("Not needed for this pool: neither pool A nor pool B hosts"),
                "{b_hosts_cms}: {s25}"
            ),
            _ => assert!(s25.contains("Decide now: "), "{b_hosts_cms}: {s25}"),
        }
    }
}

/// P2 takes the newest complete set and P3 fails on any missing or changed file, read from the
/// blocks' syntax trees: the conditions around each statement, not substrings.
#[test]
fn p2_selects_the_newest_complete_set_and_p3_fails_on_any_difference() {
    use common::structure::{guards, statement};
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let blocks = common::powershell_blocks(&md);
    let p2 = &blocks
        .iter()
        .find(|(_, b)| b.contains("$SetPattern = "))
        .expect("P2")
        .1;
    let tree = common::parse_ps(p2);
    let root = tree.root_node();
    let found = statement(
        root,
        p2,
        "$Found += @(Get-ChildItem -LiteralPath $PoolFolder | Where-Object { $_.PSIsContainer -and $_.Name -cmatch $SetPattern -and (Test-Path -LiteralPath (Join-Path $_.FullName 'COMPLETE')) })",
    );
    assert_eq!(
        guards(found, p2),
        [
            "foreach ($Location in $Locations)",
            "if Test-Path -LiteralPath $PoolFolder"
        ]
    );
    statement(
        root,
        p2,
        "$Set = ($Found | Where-Object { $FutureNames -notcontains $_.FullName } | Sort-Object -Property Name -Descending | Select-Object -First 1).FullName",
    );
    statement(root, p2, "$PoolFolder = Join-Path $Location $Id");

    let p3 = &blocks
        .iter()
        .find(|(_, b)| b.contains("$Checked++"))
        .expect("P3")
        .1;
    let tree = common::parse_ps(p3);
    let root = tree.root_node();
    let each = "foreach ($Line in [System.IO.File]::ReadAllLines((Join-Path $Set 'SHA256SUMS')))";
    let changed = common::structure::find_all(root, p3, "pipeline", "$Bad++");
    assert_eq!(changed.len(), 2);
    assert_eq!(
        guards(changed[0], p3),
        [
            "not -not $Set",
            each,
            "not $Line -notmatch '^([0-9a-fA-F]{64}) [ *](.+)$'",
            "if -not (Test-Path -LiteralPath $File -PathType Leaf)"
        ]
    );
    assert_eq!(
        guards(changed[1], p3),
        [
            "not -not $Set",
            each,
            "not $Line -notmatch '^([0-9a-fA-F]{64}) [ *](.+)$'",
            "not -not (Test-Path -LiteralPath $File -PathType Leaf)",
            "if $Actual -ne $Expected"
        ]
    );
    let ok = statement(root, p3, "'Verified ' + $Checked + ' files of ' + $Set");
    assert_eq!(
        guards(ok, p3),
        ["not -not $Set", "not $Bad -gt 0", "not $Checked -eq 0"]
    );
    statement(root, p3, "$Expected = $Matches[1].ToLowerInvariant()");
    statement(
        root,
        p3,
        "$Actual = -join ($Sha.ComputeHash($Stream) | ForEach-Object { $_.ToString('x2') })",
    );
}

/// The key command of each step, exactly (name, parameters and values), in its own step and in no
/// other: a dropped switch, a wrong target pool or a command moved to another step fails here.
#[test]
fn key_commands_are_exact_and_in_their_own_step() {
    use common::structure::{find_all, norm};
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let table: &[(u32, &str)] = &[
        (2, "Invoke-CsManagementServerFailover -BackupSqlServerFqdn 'sqlbe02.contoso.com' -BackupSqlInstanceName 'RTC' -BackupMirrorSqlServerFqdn 'sqlbe02m.contoso.com' -BackupMirrorSqlInstanceName 'RTC' -Force -Verbose"),
        (2, "Install-CsDatabase -CentralManagementDatabase -Clean -SqlServerFqdn 'sqlbe02.contoso.com' -SqlInstanceName 'RTC' -ErrorAction Stop"),
        (3, "Import-CsLisConfiguration -FileName (Join-Path $Set 'Lis\\LisConfiguration.zip')"),
        (3, "Publish-CsLisConfiguration"),
        (4, "Import-CsRgsConfiguration -Destination ('service:ApplicationServer:' + $PoolB) -FileName (Join-Path $Set 'ResponseGroups\\RgsConfiguration.zip')"),
        (7, "Invoke-CsPoolFailover -PoolFqdn $PoolA -DisasterMode -Verbose"),
        (9, "Move-CsUser -Target $PoolC -Force -Confirm:$false"),
        (10, "Move-CsConferenceDirectory -Identity $Directory.Identity -TargetPool $PoolC -Force -Confirm:$false -ErrorAction Stop"),
        (11, "Move-CsApplicationEndpoint -Identity $Number.PrimaryUri -TargetApplicationPool $PoolC -Force -Confirm:$false -ErrorAction Stop"),
        (13, "Import-CsUserData -PoolFqdn $PoolC -FileName $UserDataFromB -ErrorAction Stop"),
        (14, "Set-CsCallParkServiceMusicOnHoldFile -Service ('ApplicationServer:' + $PoolC) -Content ([System.IO.File]::ReadAllBytes($MohFiles[0].FullName))"),
        (16, "Export-CsRgsConfiguration -Source $OnB -Owner $OwnerA -FileName $RgsStep16 -ErrorAction Stop"),
        (17, "Import-CsRgsConfiguration -Destination ('service:ApplicationServer:' + $PoolC) -OverwriteOwner -FileName $RgsStep16"),
        (19, "Export-CsRgsConfiguration -Source $OnB -Owner $OwnerA -FileName $RgsStep19 -RemoveExportedConfiguration -ErrorAction Stop"),
        (21, "Remove-CsUserStoreBackupData -PoolFqdn $PoolB -Confirm:$false -Verbose"),
        (26, "Invoke-CsBackupServiceSync -PoolFqdn $PoolC"),
        (26, "Invoke-CsBackupServiceSync -PoolFqdn $PoolB"),
        (27, "Convert-CsUserData -InputFile $UserDataFromB -OutputFile $UserData2010 -TargetVersion Lync2010"),
        (27, "Update-CsUserData -FileName $UserData2010 -UserFilter $Sip -Confirm:$false -ErrorAction Stop"),
    ];
    let steps: Vec<(u32, String)> = (1..=29).map(|n| (n, code(&step(&md, n)))).collect();
    for (n, wanted) in table {
        let name = wanted.split(' ').next().unwrap();
        for (m, src) in &steps {
            let tree = common::parse_ps(src);
            let hits = find_all(tree.root_node(), src, "command", wanted);
            if m == n {
                assert!(!hits.is_empty(), "step {n} lacks `{wanted}`");
            } else {
                assert!(
                    hits.is_empty(),
                    "`{wanted}` is in step {m}, not only in step {n}"
                );
            }
            // The same cmdlet with other parameters in the same step would be a second, wrong call.
            if m == n {
                let all: Vec<String> = common::cmdlets::commands(src)
                    .into_iter()
                    .filter(|(c, _)| c == name)
                    .map(|(c, p)| format!("{c} {}", p.join(" ")))
                    .collect();
                let wanted_params: Vec<&str> = wanted
                    .split(' ')
                    .filter_map(|w| w.strip_prefix('-'))
                    .map(|p| p.split(':').next().unwrap_or(p))
                    .collect();
                assert!(
                    all.iter()
                        .any(|a| norm(a) == norm(&format!("{name} {}", wanted_params.join(" ")))),
                    "step {n}: {all:?}"
                );
            }
        }
    }
}

/// The values that differ by product, where they are used: the Management Shell module and its
/// fallback in the backup script, the mirror database type of the CMS in step 2's block.
#[test]
fn product_specific_values_are_used_where_they_matter() {
    let mirror = "      mirror:\n        server: sql-bm.contoso.com\n        instance: RTC\n";
    for (product, module, fallback, db_type) in [
        ("lync2013", "Lync", "SkypeForBusiness", "CMS"),
        ("sfb2015", "SkypeForBusiness", "Lync", "CentralMgmt"),
        ("sfb2019", "SkypeForBusiness", "Lync", "CentralMgmt"),
    ] {
        // The mirror belongs to backup_pool, after its backend.
        let yaml = minimal(product, "    hosts_cms: true\n").replacen(
            "        instance: RTC\n",
            &format!("        instance: RTC\n{mirror}"),
            1,
        );
        let loaded = common::load_text(&yaml);
        let artifacts = common::render(&loaded);
        let script = common::text(&artifacts["p1/backup-p1.ps1"]);
        assert!(
            script.contains(&format!("\n$ModuleName = '{module}'\n")),
            "{product}"
        );
        assert!(
            script.contains(&format!("\n$ModuleFallback = '{fallback}'")),
            "{product}"
        );
        assert!(
            script.contains("Import-Module -Name $ModuleName"),
            "{product}"
        );
        let md = checklist_of(&loaded, "p1");
        let s2 = code(&step(&md, 2));
        assert!(
            s2.contains(&format!(
                "Get-CsDatabaseMirrorState -DatabaseType '{db_type}' -PoolFqdn $PoolB"
            )),
            "{product}: {s2}"
        );
        assert!(
            s2.contains("-BackupMirrorSqlServerFqdn 'sql-bm.contoso.com'"),
            "{product}"
        );
    }
}

/// Issue #10: P2 never picks a set dated in the future (a clock that ran ahead) and shows the
/// drift the backup run recorded in the picked set's manifest.json.
#[test]
fn p2_skips_future_sets_and_shows_the_drift_of_the_picked_set() {
    let md = checklist_of(&sample("contoso.yaml"), "red");
    let p2 = &md[md.find("**P2. ").expect("P2")..md.find("**P3. ").expect("P3")];
    let find = |n: &str| {
        p2.find(n)
            .unwrap_or_else(|| panic!("P2 lacks {n:?}:\n{p2}"))
    };
    let future = find("$Future = @($Found | Where-Object {");
    let pick = find("$Set = ($Found | Where-Object { $FutureNames -notcontains $_.FullName }");
    let drift = find("$Manifest.PSObject.Properties['Drift']");
    let table = find("$Manifest.Drift | Format-Table -Property Item, Expected, Found");
    assert!(future < pick && pick < drift && drift < table);
}
