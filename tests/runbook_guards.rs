//! Issue #9: every destructive runbook command is guarded by a check in the same code block.
//! The check is a command (found in the tree-sitter-powershell parse, not by text search) that
//! comes before the destructive command, with a `throw` between the two, on several topologies.

mod common;

use abc_failover::load::Loaded;

use common::cmdlets::{command_list as commands, node_text, Command as Cmd};

/// Start offsets of the `throw` statements of a block.
fn throws(src: &str) -> Vec<usize> {
    let tree = common::parse_ps(src);
    let mut out = Vec::new();
    common::walk(tree.root_node(), &mut |node| {
        if node.kind() == "flow_control_statement" && node_text(node, src).starts_with("throw") {
            out.push(node.start_byte());
        }
    });
    out
}

fn checklist(loaded: &Loaded, id: &str) -> String {
    common::checklist_of(loaded, id)
}

fn sample(name: &str, id: &str) -> String {
    checklist(
        &common::load_path(&common::root().join("samples").join(name)),
        id,
    )
}

/// The section of `md` from the item whose title contains `title` to the next item or heading.
fn item<'m>(md: &'m str, title: &str) -> &'m str {
    let start = md
        .lines()
        .scan(0usize, |pos, l| {
            let at = *pos;
            *pos += l.len() + 1;
            Some((at, l))
        })
        .find(|(_, l)| l.starts_with("- [ ] **") && l.contains(title))
        .map(|(at, _)| at)
        .unwrap_or_else(|| panic!("no item {title:?}"));
    let rest = &md[start + 1..];
    let end = ["\n- [ ] **", "\n## "]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap_or(rest.len());
    &md[start..start + 1 + end]
}

/// In every block of `text` with a command matching `destructive`, a command matching `guard`
/// comes first, and a `throw` lies between them. Returns the number of blocks checked.
fn assert_guarded(
    what: &str,
    text: &str,
    destructive: &dyn Fn(&Cmd) -> bool,
    guard: &dyn Fn(&Cmd) -> bool,
) -> usize {
    let mut checked = 0;
    for (line, block) in common::powershell_blocks(text) {
        let cmds = commands(&block);
        let Some(d) = cmds.iter().find(|c| destructive(c)) else {
            continue;
        };
        let g = cmds
            .iter()
            .find(|c| guard(c))
            .unwrap_or_else(|| panic!("{what}: block at line {line} has no guard:\n{block}"));
        assert!(
            g.at < d.at,
            "{what}: guard `{}` after `{}` in block at line {line}:\n{block}",
            g.name,
            d.name
        );
        assert!(
            throws(&block).iter().any(|t| *t > g.at && *t < d.at),
            "{what}: no throw between `{}` and `{}` in block at line {line}:\n{block}",
            g.name,
            d.name
        );
        checked += 1;
    }
    checked
}

fn named(name: &'static str) -> impl Fn(&Cmd) -> bool {
    move |c: &Cmd| c.name.eq_ignore_ascii_case(name)
}

fn with_param(name: &'static str, param: &'static str) -> impl Fn(&Cmd) -> bool {
    move |c: &Cmd| {
        c.name.eq_ignore_ascii_case(name) && c.params.iter().any(|p| p.eq_ignore_ascii_case(param))
    }
}

fn minimal(product: &str, pool_extra: &str) -> Loaded {
    common::load_text(&format!(
        "format: 1\nproduct: {product}\nbackup:\n  root: 'D:\\AbcBackup'\n  sql_backup_path: '\\\\sql.contoso.com\\Bak'\npools:\n  - id: p1\n    fqdn: pool-a.contoso.com\n    file_store: '\\\\fs.contoso.com\\Share'\n    hosts_cms: true\n    backup_pool:\n      fqdn: pool-b.contoso.com\n      backend:\n        server: sql-b.contoso.com\n    replacement_pool:\n      fqdn: pool-c.contoso.com\n{pool_extra}"
    ))
}

const EXTRA: &str = "    services:\n      response_groups: true\n    databases:\n      - role: monitoring\n        server: mon.contoso.com\n        names: [LcsCDR]\n    branch_appliances: [sba1.contoso.com]\n";

/// Topologies with databases, Response Groups, branch appliances and the CMS on pool A.
fn topologies() -> Vec<(String, String)> {
    vec![
        ("contoso red".into(), sample("contoso.yaml", "red")),
        (
            "minimal sfb2015".into(),
            checklist(&minimal("sfb2015", EXTRA), "p1"),
        ),
        (
            "minimal lync2013".into(),
            checklist(&minimal("lync2013", EXTRA), "p1"),
        ),
    ]
}

#[test]
fn database_restore_asks_the_state_first_and_never_replaces_an_online_database() {
    let mut checked = 0;
    for (what, md) in topologies() {
        let part = item(&md, "Restore the Monitoring, Archiving");
        let restore = |c: &Cmd| c.name == "sqlcmd.exe" && c.text.contains("-Q $Sql");
        let state = |c: &Cmd| c.name == "sqlcmd.exe" && c.text.contains("-Q $Query");
        checked += assert_guarded(&what, part, &restore, &state);
        for (_, block) in common::powershell_blocks(part) {
            assert!(
                block.contains("SELECT state_desc FROM sys.databases"),
                "{what}"
            );
            let allow = block
                .lines()
                .find(|l| l.contains("-notcontains $State"))
                .expect("allow list");
            assert!(!allow.contains("ONLINE"), "{what}: {allow}");
            assert!(allow.contains("'MISSING', 'SUSPECT'"), "{what}: {allow}");
            // MISSING is the server's answer, never the reading of an empty output: sqlcmd
            // missing, or a stale $LASTEXITCODE of 0, must not let WITH REPLACE through.
            assert!(
                block.contains("N''MISSING'') ELSE N''NOT-SYSADMIN'' END'"),
                "{what}:\n{block}"
            );
            // Without sysadmin, sys.databases may hide a live database: that must stop too.
            let not_admin = block
                .find("if ($State -eq 'NOT-SYSADMIN') { throw ")
                .expect("not-sysadmin stop");
            assert!(
                not_admin < block.find("RESTORE DATABASE").unwrap(),
                "{what}"
            );
            let empty = block
                .lines()
                .find(|l| l.contains("if ($State -eq '')"))
                .expect("empty answer handled");
            assert!(empty.contains("{ throw "), "{what}: {empty}");
            assert!(!block.contains("$State = 'MISSING'"), "{what}:\n{block}");
            // The service group is a Windows group: its database user is DOMAIN\name.
            assert!(
                block.contains("WHERE name LIKE N''%RTCComponentUniversalServices'''"),
                "{what}:\n{block}"
            );
        }
    }
    assert!(checked >= 7, "only {checked} restore blocks");
}

#[test]
fn database_stores_name_their_pools_and_step_8_associates_pool_c() {
    let md = sample("contoso.yaml", "red");
    let part = item(&md, "Restore the Monitoring, Archiving");
    assert!(
        part.contains("Monitoring store `sql-mon.contoso.com\\MON`"),
        "{part}"
    );
    assert!(part.contains("Used by `lyncpool01.contoso.com`"), "{part}");
    let s8 = item(&md, "Step 8.");
    assert!(s8.contains("Associate pool C with these stores"), "{s8}");
    assert!(
        s8.contains("Monitoring: `sql-mon.contoso.com\\MON`"),
        "{s8}"
    );
    assert!(!s8.contains("Persistent Chat: "), "{s8}");
    // Without databases, step 8 has no association line.
    let md = sample("contoso.yaml", "dub");
    assert!(!item(&md, "Step 8.").contains("Associate pool C"));
}

#[test]
fn step_2_fallback_checks_pool_b_sql_and_asks_for_a_typed_confirmation() {
    let mut checked = 0;
    for (what, md) in topologies() {
        let s2 = item(&md, "Step 2.");
        let clean = with_param("Install-CsDatabase", "Clean");
        checked += assert_guarded(&what, s2, &clean, &|c: &Cmd| {
            c.name == "sqlcmd.exe" && c.text.contains("sys.databases")
        });
        assert_guarded(&what, s2, &clean, &named("Read-Host"));
        assert_guarded(
            &what,
            s2,
            &named("Move-CsManagementServer"),
            &named("Read-Host"),
        );
        assert!(s2.contains("N''xds'', N''lis''"), "{what}");
        // An empty output (sqlcmd missing, stale $LASTEXITCODE) is no proof: the query ends with
        // a marker row, and the block throws without it, before Install-CsDatabase.
        let marker = s2
            .find("if ($Lines -notcontains 'END-OF-ANSWER') { throw ")
            .unwrap_or_else(|| panic!("{what}: no end-of-answer check"));
        assert!(
            marker
                < s2.find("Install-CsDatabase -CentralManagementDatabase")
                    .unwrap()
        );
        assert!(s2.contains("SELECT N''END-OF-ANSWER''')"), "{what}");
        assert!(s2.contains("every configuration change made after it is lost"));
    }
    assert_eq!(checked, 3);
    // With a mirror, both SQL instances are asked and the lost mirror is explained.
    let md = sample("contoso.yaml", "red");
    let s2 = item(&md, "Step 2.");
    assert!(s2.contains("$SqlTargets = @('sqlbe02.contoso.com\\RTC', 'sqlbe02m.contoso.com\\RTC')"));
    assert!(s2.contains("Afterwards the CMS has no mirror"));
}

#[test]
fn step_19_refuses_without_the_step_16_export_and_matching_counts_on_pool_c() {
    let mut checked = 0;
    for (what, md) in topologies() {
        let s19 = item(&md, "Step 19.");
        let remove = with_param("Export-CsRgsConfiguration", "RemoveExportedConfiguration");
        checked += assert_guarded(&what, s19, &remove, &|c: &Cmd| {
            c.name == "Test-Path" && c.text.contains("$RgsStep16 ")
        });
        assert_guarded(&what, s19, &remove, &|c: &Cmd| {
            c.name == "Get-CsRgsWorkflow" && c.text.contains("$OnC")
        });
        for kind in ["Get-CsRgsWorkflow", "Get-CsRgsQueue", "Get-CsRgsAgentGroup"] {
            assert_guarded(&what, s19, &remove, &named(kind));
        }
        assert!(s19.contains("put them back on pool B with: Import-CsRgsConfiguration"));
        // An empty or cut counts file refuses too: each kind must have its row.
        assert!(
            s19.contains("foreach ($Kind in @('Workflow', 'Queue', 'AgentGroup')) { if ($Kinds -notcontains $Kind) { $Refuse += "),
            "{what}"
        );
        // Step 16 writes the counts step 19 reads.
        let s16 = item(&md, "Step 16.");
        assert!(s16.contains("$RgsStep16Counts = Join-Path $Work 'RgsExport-Step16-counts.csv'"));
        assert!(s19.contains("$RgsStep16Counts = Join-Path $Work 'RgsExport-Step16-counts.csv'"));
        assert!(s16.contains("Export-Csv -LiteralPath $RgsStep16Counts"));
    }
    assert_eq!(checked, 3);
}

#[test]
fn step_21_removes_nothing_without_step_13s_marker() {
    let mut checked = 0;
    for (what, md) in topologies() {
        let s21 = item(&md, "Step 21.");
        checked += assert_guarded(
            &what,
            s21,
            &named("Remove-CsUserStoreBackupData"),
            &|c: &Cmd| c.name == "Test-Path" && c.text.contains("$Imported"),
        );
        // A marker older than the backup set (an earlier drill) does not count.
        assert_guarded(
            &what,
            s21,
            &named("Remove-CsUserStoreBackupData"),
            &|c: &Cmd| c.name == "Get-Item" && c.text.contains("$Imported"),
        );
        assert!(
            s21.contains("if ($MarkerTime -lt $SetTime) { throw "),
            "{what}"
        );
        let s13 = item(&md, "Step 13.");
        // The stopped-services check cannot pass on a pool C without servers.
        let main = &s13[..s13
            .find("Only if the export from pool B fails")
            .expect("fallback")];
        assert_eq!(
            assert_guarded(
                &what,
                main,
                &named("Import-CsUserData"),
                &named("Get-CsPool")
            ),
            1
        );
        assert!(
            s13.contains("if ($Computers.Count -eq 0) { throw "),
            "{what}"
        );
        let marker = "$Imported = Join-Path $Work 'UserData-Step13-imported.csv'";
        assert!(s13.contains(marker), "{what}");
        assert!(s21.contains(marker), "{what}");
        // The marker is written after the import, in the same block, in both import blocks.
        let mut writes = 0;
        for (_, block) in common::powershell_blocks(s13) {
            let cmds = commands(&block);
            if let Some(import) = cmds.iter().find(|c| c.name == "Import-CsUserData") {
                // Write-ImportMarker (defined in the block, the only writer of $Imported) is
                // called after the import.
                let writer = cmds
                    .iter()
                    .filter(|c| c.name == "Export-Csv" && c.text.contains("$Imported"))
                    .collect::<Vec<_>>();
                assert_eq!(writer.len(), 1, "{what}:\n{block}");
                let definition = block
                    .find("function Write-ImportMarker(")
                    .expect("marker writer defined in the block");
                let body_end = definition + block[definition..].find("\n  }\n").expect("end");
                assert!(
                    (definition..body_end).contains(&writer[0].at),
                    "{what}:\n{block}"
                );
                let write = cmds
                    .iter()
                    .find(|c| c.name == "Write-ImportMarker")
                    .expect("marker written");
                assert!(import.at < write.at);
                assert!(import.params.iter().any(|p| p == "ErrorAction"));
                // An old marker (earlier attempt, drill) is deleted before the import, so a
                // failed import leaves none for step 21.
                let remove = cmds
                    .iter()
                    .find(|c| c.name == "Remove-Item" && c.text.contains("$Imported"))
                    .unwrap_or_else(|| panic!("{what}: old marker not removed:\n{block}"));
                assert!(remove.at < import.at, "{what}:\n{block}");
                writes += 1;
            }
        }
        assert_eq!(writes, 2, "{what}");
    }
    assert_eq!(checked, 3);
}

#[test]
fn step_27_saves_the_user_list_before_stopping_the_appliance() {
    let mut checked = 0;
    for (what, md) in topologies() {
        let s27 = item(&md, "Step 27.");
        checked += assert_guarded(&what, s27, &named("Stop-CsWindowsService"), &|c: &Cmd| {
            c.name == "Export-Csv" && c.text.contains("$SbaUsers")
        });
        // The saved list is read back before the stop too.
        assert_guarded(&what, s27, &named("Stop-CsWindowsService"), &|c: &Cmd| {
            c.name == "Import-Csv" && c.text.contains("$SbaUsers")
        });
    }
    assert!(checked >= 4, "contoso has two appliances: {checked}");
}

#[test]
fn step_29_moves_back_without_force_once_the_appliance_runs() {
    let mut checked = 0;
    for (what, md) in topologies() {
        let s29 = item(&md, "Step 29.");
        checked += assert_guarded(&what, s29, &named("Move-CsUser"), &|c: &Cmd| {
            c.name == "Get-CsWindowsService" && c.text.contains("-ComputerName $Sba")
        });
        for (_, block) in common::powershell_blocks(s29) {
            for c in commands(&block).iter().filter(|c| c.name == "Move-CsUser") {
                assert!(!c.params.iter().any(|p| p == "Force"), "{what}: {}", c.text);
            }
        }
        assert_counts_contacts(&what, s29);
    }
    assert!(checked >= 4);
}

/// Some block of `text` defines Get-ContactCount, exports one user with `-UserFilter`, counts
/// the contacts before and after (two calls, the second after the export), throws after the
/// counts when they differ, and ends with an OK line. Returns how many blocks do so.
fn assert_counts_contacts(what: &str, text: &str) -> usize {
    let mut found = 0;
    for (_, block) in common::powershell_blocks(text) {
        let cmds = commands(&block);
        let counts: Vec<usize> = cmds
            .iter()
            .filter(|c| c.name == "Get-ContactCount")
            .map(|c| c.at)
            .collect();
        let Some(export) = cmds
            .iter()
            .rfind(|c| c.name == "Export-CsUserData" && c.params.iter().any(|p| p == "UserFilter"))
        else {
            continue;
        };
        if counts.len() < 2 || !block.contains("function Get-ContactCount(") {
            continue;
        }
        let last = *counts.last().expect("two counts");
        assert!(
            export.at < last,
            "{what}: the user is counted before the export:\n{block}"
        );
        assert!(
            throws(&block).iter().any(|t| *t > last),
            "{what}: no throw after the counts:\n{block}"
        );
        assert!(
            block.lines().last().unwrap_or("").trim().starts_with("'OK"),
            "{what}: {block}"
        );
        found += 1;
    }
    assert!(
        found > 0,
        "{what}: no block counts a user's contacts:\n{text}"
    );
    found
}

#[test]
fn loops_that_move_objects_pass_confirm_false() {
    let movers = [
        "Move-CsUser",
        "Move-CsConferenceDirectory",
        "Move-CsApplicationEndpoint",
        "Move-CsCommonAreaPhone",
        "Move-CsAnalogDevice",
        "Move-CsExUmContact",
        "Move-CsMeetingRoom",
        "Remove-CsUserStoreBackupData",
        // Step 27 runs it once per user: a ShouldProcess prompt would come per user.
        "Update-CsUserData",
        // Step 20 pipes each copy after one typed confirmation: no second prompt per object.
        "Remove-CsAnnouncement",
    ];
    let mut seen = 0;
    for (what, md) in topologies() {
        for (line, block) in common::powershell_blocks(&md) {
            for c in commands(&block) {
                if movers.contains(&c.name.as_str()) {
                    assert!(
                        c.text.contains("-Confirm:$false"),
                        "{what}: line {line}: {}",
                        c.text
                    );
                    seen += 1;
                }
            }
        }
    }
    assert!(seen > 20, "{seen}");
}

#[test]
fn step_4_keeps_pool_b_settings_unless_the_topology_says_b_has_none() {
    // contoso red: pool B is described and runs Response Groups: keep.
    let md = sample("contoso.yaml", "red");
    let s4 = item(&md, "Step 4.");
    let import = commands(&common::powershell_blocks(s4).last().expect("block").1)
        .into_iter()
        .find(|c| c.name == "Import-CsRgsConfiguration")
        .expect("import");
    assert!(!import
        .params
        .iter()
        .any(|p| p == "ReplaceExistingRgsSettings"));
    assert!(s4.contains("are kept, because the topology says pool B runs Response Groups"));
    let s17 = item(&md, "Step 17.");
    assert!(s17.contains(
        "Set-CsRgsConfiguration -Identity ('service:ApplicationServer:' + $PoolC) @Options"
    ));
    assert!(s17.contains("Join-Path $Set 'ResponseGroups\\RgsSettings.xml'"));
    // Pool B not described: keep too, and say why.
    let md = checklist(&minimal("sfb2015", EXTRA), "p1");
    let s4 = item(&md, "Step 4.");
    assert!(s4.contains("does not describe pool B"), "{s4}");
    assert!(!s4.contains("-FileName (Join-Path $Set 'ResponseGroups\\RgsConfiguration.zip') -ReplaceExistingRgsSettings"));
    // Pool B described without Response Groups: replacing is fine.
    let t = "format: 1\nproduct: sfb2015\nbackup:\n  root: 'D:\\AbcBackup'\npools:\n  - id: a\n    fqdn: pool-a.contoso.com\n    file_store: '\\\\fs.contoso.com\\A'\n    backup_pool:\n      fqdn: pool-b.contoso.com\n    services:\n      response_groups: true\n  - id: b\n    fqdn: pool-b.contoso.com\n    file_store: '\\\\fs.contoso.com\\B'\n    backup_pool:\n      fqdn: pool-a.contoso.com\n";
    let md = checklist(&common::load_text(t), "a");
    let s4 = item(&md, "Step 4.");
    assert!(
        s4.contains(
            "are replaced by pool A's, because the topology says pool B runs no Response Groups"
        ),
        "{s4}"
    );
    assert!(s4.contains("-ReplaceExistingRgsSettings\n"), "{s4}");
    assert!(item(&md, "Step 17.").contains("-FileName $RgsStep16 -ReplaceExistingRgsSettings"));
}

#[test]
fn steps_6_14_and_20_also_look_live_and_6_20_skip_existing_announcements() {
    // Step 20's optional delete of pool B's copies is one block: it lists them itself (no
    // $Copies left from another block), keeps those a range of pool B still uses, and asks for
    // a typed confirmation before Remove-CsAnnouncement.
    for (what, md) in [
        ("contoso red", sample("contoso.yaml", "red")),
        ("fabrikam sea1", sample("fabrikam-sfb2019.yaml", "sea1")),
    ] {
        let s20 = item(&md, "Step 20.");
        let n = assert_guarded(
            what,
            s20,
            &named("Remove-CsAnnouncement"),
            &named("Read-Host"),
        );
        assert_eq!(n, 1, "{what}");
        assert_guarded(
            what,
            s20,
            &named("Remove-CsAnnouncement"),
            &named("Get-CsUnassignedNumber"),
        );
        assert_guarded(what, s20, &named("Remove-CsAnnouncement"), &|c: &Cmd| {
            c.name == "Get-CsAnnouncement" && c.text.contains("$PoolB")
        });
    }
    // Skype for Business Server lists group pickup ranges only with -Type GroupPickup; the backup
    // saves them, so the live look of step 14 asks for them too (Lync 2013 has no -Type).
    let sea1 = sample("fabrikam-sfb2019.yaml", "sea1");
    let s14 = item(&sea1, "Step 14.");
    assert!(
        s14.contains(
            "@(@(Get-CsCallParkOrbit) + @(Get-CsCallParkOrbit -Type GroupPickup) | Where-Object"
        ),
        "{s14}"
    );
    let red = sample("contoso.yaml", "red");
    let s14 = item(&red, "Step 14.");
    assert!(!s14.contains("-Type GroupPickup"), "{s14}");
    for (what, md) in [
        ("contoso red", sample("contoso.yaml", "red")),
        (
            "minimal",
            checklist(
                &minimal(
                    "lync2013",
                    "    services:\n      announcements: true\n      call_park: true\n",
                ),
                "p1",
            ),
        ),
    ] {
        for n in ["Step 6.", "Step 20."] {
            let s = item(&md, n);
            assert!(
                s.contains("Get-CsAnnouncement -Identity ('ApplicationServer:' + $PoolA)"),
                "{what} {n}"
            );
            // The live ranges that still point at pool A, read by the backup's candidate names.
            assert!(
                s.contains("Where-Object { (Test-AnnouncementPool $_ $PoolA) -and $InSet -notcontains [string]$_.Identity }"),
                "{what} {n}"
            );
            assert!(
                s.contains(
                    "Read-Property $Range @('AnnouncementService', 'AnnouncementServiceId')"
                ),
                "{what} {n}"
            );
            // A re-run skips what exists: the lookup of the target comes before the creation.
            let checked = assert_guarded_skip(s);
            assert_eq!(checked, 1, "{what} {n}");
        }
        let s14 = item(&md, "Step 14.");
        assert!(s14.contains(
            "Get-CsCallParkOrbit | Where-Object { [string]$_.CallParkServiceId -eq ('ApplicationServer:' + $PoolA)"
        ), "{what}");
    }
}

/// The announcement block looks up the target's announcements before creating any.
fn assert_guarded_skip(text: &str) -> usize {
    let mut n = 0;
    for (_, block) in common::powershell_blocks(text) {
        let cmds = commands(&block);
        let Some(new) = cmds.iter().find(|c| c.name == "New-CsAnnouncement") else {
            continue;
        };
        let existing = cmds
            .iter()
            .find(|c| c.name == "Get-CsAnnouncement" && c.text.contains("$Target"))
            .expect("lookup of the target");
        assert!(existing.at < new.at);
        assert!(block.contains("if ($Existing -contains [string]$Ann.Name)"));
        n += 1;
    }
    n
}

#[test]
fn the_guard_checker_catches_an_unguarded_block() {
    let md = "```powershell\n. {\ntrap { break }\nInstall-CsDatabase -CentralManagementDatabase -Clean -SqlServerFqdn x\n$T = Read-Host -Prompt 'x'\nif ($T -ne 'y') { throw 'no' }\n}\n```\n";
    let clean = with_param("Install-CsDatabase", "Clean");
    let r = std::panic::catch_unwind(|| assert_guarded("bad", md, &clean, &named("Read-Host")));
    assert!(r.is_err(), "guard after the command must fail");
    let md = "```powershell\n. {\ntrap { break }\n$T = Read-Host -Prompt 'x'\nInstall-CsDatabase -CentralManagementDatabase -Clean -SqlServerFqdn x\n}\n```\n";
    let r = std::panic::catch_unwind(|| assert_guarded("bad", md, &clean, &named("Read-Host")));
    assert!(r.is_err(), "a guard without a throw must fail");
    let md = "```powershell\n. {\ntrap { break }\n$T = Read-Host -Prompt 'x'\nif ($T -ne 'y') { throw 'no' }\nInstall-CsDatabase -CentralManagementDatabase -Clean -SqlServerFqdn x\n}\n```\n";
    assert_eq!(assert_guarded("ok", md, &clean, &named("Read-Host")), 1);
}

// ---------------------------------------------------------------------------------------------
// Topology facts that change the runbook (issue #9, part 4).

#[test]
fn standard_pool_a_fills_in_pool_b_rtc_instead_of_a_placeholder() {
    let t = "format: 1\nproduct: sfb2015\nbackup:\n  root: 'D:\\AbcBackup'\npools:\n  - id: se1\n    fqdn: se1.contoso.com\n    edition: standard\n    file_store: '\\\\se1.contoso.com\\Share'\n    hosts_cms: true\n    backup_pool:\n      fqdn: se2.contoso.com\n    replacement_pool:\n      fqdn: se3.contoso.com\n      edition: standard\n";
    let md = checklist(&common::load_text(t), "se1");
    assert!(!md.contains("MISSING-"), "{md}");
    assert!(!md.contains("## Values still missing"));
    let s2 = item(&md, "Step 2.");
    assert!(s2.contains(
        "Invoke-CsManagementServerFailover -BackupSqlServerFqdn 'se2.contoso.com' -BackupSqlInstanceName 'rtc' -Force -Verbose"
    ), "{s2}");
    assert!(
        s2.contains("$SqlTargets = @('se2.contoso.com\\rtc')"),
        "{s2}"
    );
    assert!(
        s2.contains("its own local SQL Server Express instance `rtc`"),
        "{s2}"
    );
    assert!(md.contains("`se2.contoso.com\\rtc` (Standard Edition: its local instance)"));
    // An Enterprise pool A without a back end still gets placeholders.
    let e = t
        .replace("    edition: standard\n    file_store", "    file_store")
        .replace("      edition: standard\n", "");
    let md = checklist(&common::load_text(&e), "se1");
    assert!(md.contains("'MISSING-pool-B-backend-SQL-server'"));
}

/// Every block holding a placeholder throws at its first line, naming the `--set` to use.
#[test]
fn blocks_that_need_a_missing_value_throw_at_their_first_line() {
    let without_c = sample("fabrikam-sfb2019.yaml", "sea1");
    let no_backend = checklist(
        &common::load_text("format: 1\nproduct: lync2013\nbackup:\n  root: '\\\\bk.contoso.com\\B'\npools:\n  - id: p1\n    fqdn: pool-a.contoso.com\n    file_store: '\\\\fs.contoso.com\\Share'\n    hosts_cms: unknown\n    backup_pool:\n      fqdn: pool-b.contoso.com\n"),
        "p1",
    );
    for (what, md, needs) in [
        (
            "sea1",
            &without_c,
            vec!["--set pools.sea1.replacement_pool.fqdn=<value>"],
        ),
        (
            "p1",
            &no_backend,
            vec![
                "--set pools.p1.replacement_pool.fqdn=<value>",
                "--set pools.p1.backup_pool.backend.server=<value>",
                "--set pools.p1.backup_pool.backend.instance=<value>",
            ],
        ),
    ] {
        // The "Values still missing" table: placeholder -> the `--set` path that fills it.
        let fills: Vec<(String, String)> = md
            .lines()
            .filter(|l| l.starts_with("| `MISSING-"))
            .map(|l| {
                let cells: Vec<&str> = l.split(" | ").collect();
                let placeholder = cells[0].trim_start_matches("| ").trim_matches('`');
                let set = cells[3].trim_start_matches("`--set ");
                let path = set.split_once('=').expect("PATH=VALUE").0;
                (format!("'{placeholder}'"), path.to_string())
            })
            .collect();
        let filled: Vec<String> = fills
            .iter()
            .map(|(_, path)| format!("--set {path}=<value>"))
            .collect();
        assert_eq!(filled, needs, "{what}");
        let mut stopped = 0;
        for (line, block) in common::powershell_blocks(md) {
            let first = block.lines().next().unwrap_or("").trim();
            if block.contains("'MISSING-") {
                // The throw names exactly the `--set` of each placeholder the block holds.
                let sets: Vec<String> = fills
                    .iter()
                    .filter(|(placeholder, _)| block.contains(placeholder.as_str()))
                    .map(|(_, path)| format!("--set {path}=<value>"))
                    .collect();
                assert!(!sets.is_empty(), "{what}: an unknown placeholder at {line}");
                assert_eq!(
                    first,
                    format!(
                        "throw 'This block needs values the topology lacks. Render the runbook again with {} (see Values still missing).'",
                        sets.join(" ")
                    ),
                    "{what}: block at line {line}:\n{block}"
                );
                stopped += 1;
            } else {
                assert!(
                    !first.starts_with("throw 'This block needs"),
                    "{what}: {line}"
                );
            }
        }
        assert!(stopped > 10, "{what}: {stopped}");
        for n in &needs {
            assert!(md.contains(n), "{what}: {n}");
        }
        assert!(md.contains("What you can run now:"), "{what}");
    }
    assert!(without_c.contains("P1 to P4 and steps 1 to 7 now"));
    assert!(without_c.contains("Stop before step 8"));
    assert!(no_backend.contains("stop at step 2 if step 1 shows the CMS on pool A"));
    // Steps 1 to 7 of a runbook without pool C run: no block before step 8 throws.
    let before_8 = &without_c[..without_c.find("**Step 8.").expect("step 8")];
    assert!(!before_8.contains("throw 'This block needs"));
    // A complete runbook has no such line.
    assert!(!sample("contoso.yaml", "red").contains("throw 'This block needs"));
}

#[test]
fn p2_never_picks_a_future_set_silently_and_explains_a_local_root() {
    for (what, md) in [
        ("contoso red", sample("contoso.yaml", "red")),
        ("litware", sample("litware-standard.yaml", "sfbse01")),
    ] {
        let p2 = item(&md, "P2.");
        let block = &common::powershell_blocks(p2)[0].1;
        let cmds = commands(block);
        let parse = block.find("[DateTime]::TryParseExact($_.Name, 'yyyyMMdd''T''HHmmss''Z''', $Culture, $Styles, [ref]$Stamp) -and $Stamp -gt $Now.AddMinutes(10)").expect("future check");
        let pick = block.find("$Set = (").expect("pick");
        assert!(parse < pick, "{what}");
        assert!(block[pick..]
            .lines()
            .next()
            .expect("line")
            .contains("$FutureNames -notcontains $_.FullName"));
        assert!(cmds
            .iter()
            .any(|c| c.name == "Write-Warning" && c.text.contains("dated in the future")));
        assert!(
            p2.contains(
                "is a local path: it means that drive of the computer where the block runs"
            ),
            "{what}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A check after every step that can fail silently (issue #9, part 2): each prints OK or throws.

/// Some block of `text` calls `cmd`, throws after it, and ends by printing a line starting `'OK`.
fn assert_checked(what: &str, text: &str, cmd: &str) {
    assert_checks(what, text, cmd, true);
}

/// Some block of `text` calls `cmd` and throws after it; with `ok_last`, its last line prints
/// `'OK...`, otherwise an `'OK` line follows the command somewhere (inside an if/else).
fn assert_checks(what: &str, text: &str, cmd: &str, ok_last: bool) {
    let ok = common::powershell_blocks(text)
        .into_iter()
        .any(|(_, block)| {
            let Some(at) = commands(&block)
                .into_iter()
                .find(|c| c.name == cmd)
                .map(|c| c.at)
            else {
                return false;
            };
            let prints_ok = if ok_last {
                block.lines().last().unwrap_or("").trim().starts_with("'OK")
            } else {
                block[at..].contains("'OK")
            };
            throws(&block).iter().any(|t| *t > at) && prints_ok
        });
    assert!(
        ok,
        "{what}: no block checks with {cmd} and prints OK or throws:\n{text}"
    );
}

#[test]
fn steps_that_can_fail_silently_print_ok_or_stop() {
    for (what, md) in topologies().into_iter().chain([(
        "litware".to_string(),
        sample("litware-standard.yaml", "sfbse01"),
    )]) {
        assert_checked(
            &what,
            item(&md, "Step 2."),
            "Get-CsManagementStoreReplicationStatus",
        );
        let s7 = item(&md, "Step 7.");
        assert_checked(&what, s7, "Test-CsRegistration");
        assert!(
            s7.contains("Test-CsRegistration -TargetFqdn $PoolB"),
            "{what}"
        );
        let s15 = item(&md, "Step 15.");
        for t in ["Test-CsRegistration", "Test-CsIM", "Test-CsAVConference"] {
            assert_checked(&what, s15, t);
            assert!(
                s15.contains(&format!("{t} -TargetFqdn $PoolC")),
                "{what} {t}"
            );
        }
        let s13 = item(&md, "Step 13.");
        assert_checked(&what, s13, "Export-CsUserData");
        assert_eq!(assert_counts_contacts(&what, s13), 1, "{what}");
        // A mistyped user gives two equally empty exports: the check first finds the user on C.
        assert!(
            s13.contains("if ([string]$User.RegistrarPool -ne $PoolC) { throw "),
            "{what}"
        );
        // Step 1: an empty answer (no error, no CMS service) is "no answer", not "not on pool A".
        assert!(
            item(&md, "Step 1.").contains("if ($null -eq $Now -or $Now.Count -eq 0) {"),
            "{what}"
        );
        assert!(
            s13.contains("Export-CsUserData -PoolFqdn $PoolC -UserFilter $Sip -FileName $FromC")
        );
        let s26 = item(&md, "Step 26.");
        assert_checked(&what, s26, "Get-CsBackupServiceStatus");
        assert!(
            s26.contains("$Module.PSObject.Properties['ExportStatus']"),
            "{what}"
        );
        assert!(
            s26.contains("@('SteadyState', 'FinalState') -contains $Export"),
            "{what}"
        );
    }
}

#[test]
fn checks_never_print_ok_on_an_empty_answer() {
    for (what, md) in topologies() {
        // Step 2: no replica at all (CMS not answering) is not "all up to date".
        let s2 = item(&md, "Step 2.");
        assert!(
            s2.contains("if ($All.Count -eq 0) { throw "),
            "{what}: step 2 passes on an empty replication status"
        );
        // DNS and web (to B, to C): nothing resolved is not "no name points at pool A".
        let dns: Vec<String> = common::powershell_blocks(&md)
            .into_iter()
            .map(|(_, b)| b)
            .filter(|b| b.contains("function Get-Answer"))
            .collect();
        assert_eq!(dns.len(), 2, "{what}");
        for block in &dns {
            let empty = block
                .find("if ($Rows.Count -eq 0) { throw ")
                .unwrap_or_else(|| panic!("{what}: DNS block passes on no names:\n{block}"));
            assert!(empty < block.find("'OK: ").expect("OK line"), "{what}");
        }
        // PSTN (to B, to C): a failing Get-CsTrunk must stop, not read as "no trunk".
        let mut reads = 0;
        for (_, block) in common::powershell_blocks(&md) {
            for c in commands(&block) {
                if c.name == "Get-CsTrunk"
                    || (c.name == "Get-CsService" && c.params.iter().any(|p| p == "PstnGateway"))
                {
                    assert!(
                        c.params.iter().any(|p| p == "ErrorAction"),
                        "{what}: {}",
                        c.text
                    );
                    reads += 1;
                }
            }
        }
        assert!(reads >= 4, "{what}: {reads}");
        // Step 15: the synthetic transactions take SIP URIs with the prefix, as step 7 does.
        let s15 = item(&md, "Step 15.");
        for v in ["$SenderSip", "$ReceiverSip"] {
            assert!(
                s15.contains(&format!(
                    "if ({v} -notmatch '^sip:') {{ {v} = 'sip:' + {v} }}"
                )),
                "{what} {v}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Every cmdlet and parameter of the runbook is in tests/cmdlets.tsv for the product.

use common::cmdlets::{cmdlet_table, is_common_parameter, is_cs_cmdlet, is_exchange_um_cmdlet};

/// Unknown (cmdlet, parameter) pairs of a runbook for product key `v` (L13, S15, S19).
fn unknown_parameters(md: &str, v: &str) -> (Vec<String>, usize) {
    let table = cmdlet_table();
    let mut bad = Vec::new();
    let mut checked = 0;
    for (line, block) in common::powershell_blocks(md) {
        for c in commands(&block) {
            // Exchange UM cmdlets run in the Exchange Management Shell: they are checked
            // against Exchange 2013 and 2016 (E13, E16), whatever the Lync/SfB version.
            let exchange = is_exchange_um_cmdlet(&c.name);
            if !is_cs_cmdlet(&c.name) && !exchange {
                continue;
            }
            let versions: &[&str] = if exchange { &["E13", "E16"] } else { &[v] };
            let has =
                |vs: &std::collections::BTreeSet<String>| versions.iter().all(|v| vs.contains(*v));
            let cmd = c.name.to_ascii_lowercase();
            match table.get(&(cmd.clone(), "*".into())) {
                Some(vs) if has(vs) => {}
                _ => {
                    bad.push(format!("{}\t*\t(line {line})", c.name));
                    continue;
                }
            }
            for p in &c.params {
                if is_common_parameter(p) {
                    continue;
                }
                let p = p.to_ascii_lowercase();
                checked += 1;
                match table.get(&(cmd.clone(), p.clone())) {
                    Some(vs) if has(vs) => {}
                    _ => bad.push(format!("{}\t{p}\t(line {line})", c.name)),
                }
            }
        }
    }
    (bad, checked)
}

#[test]
fn every_runbook_cmdlet_and_parameter_is_in_the_table() {
    let mut all = Vec::new();
    let mut checked = 0;
    let mut cases: Vec<(String, Loaded)> = common::samples()
        .into_iter()
        .map(|s| (s.display().to_string(), common::load_path(&s)))
        .collect();
    for p in ["lync2013", "sfb2015", "sfb2019"] {
        cases.push((format!("minimal {p}"), minimal(p, EXTRA)));
    }
    for (what, loaded) in cases {
        let v = match loaded.topology.product {
            abc_failover::model::Product::Lync2013 => "L13",
            abc_failover::model::Product::Sfb2015 => "S15",
            abc_failover::model::Product::Sfb2019 => "S19",
        };
        for pool in &loaded.topology.pools {
            let md = checklist(&loaded, &pool.effective_id());
            let (bad, n) = unknown_parameters(&md, v);
            checked += n;
            all.extend(bad.into_iter().map(|b| format!("{what} {v}: {b}")));
        }
    }
    all.sort();
    all.dedup();
    assert!(
        all.is_empty(),
        "not in tests/cmdlets.tsv:\n{}",
        all.join("\n")
    );
    assert!(checked > 300, "only {checked} parameters checked");
}

#[test]
fn the_table_check_refuses_an_unknown_parameter() {
    let md = "```powershell\n. {\ntrap { break }\nMove-CsUser -Identity $U -Target $T -NoSuchSwitch\n}\n```\n";
    let (bad, _) = unknown_parameters(md, "L13");
    assert_eq!(bad.len(), 1, "{bad:?}");
    let md = "```powershell\n. {\ntrap { break }\nGet-CsCallParkOrbit -Type GroupPickup\n}\n```\n";
    assert_eq!(unknown_parameters(md, "L13").0.len(), 1);
    assert!(unknown_parameters(md, "S15").0.is_empty());
    let md = "```powershell\n. {\ntrap { break }\nGet-UMIPGateway | Remove-UMIPGateway -Confirm:$false -NoSuch\nGet-UMHuntGroup\n}\n```\n";
    let (bad, _) = unknown_parameters(md, "L13");
    assert_eq!(bad.len(), 2, "{bad:?}");
}

// ---------------------------------------------------------------------------------------------
// The rest of a real failover (issue #9, part 3) and the files it reads.

fn script(loaded: &Loaded, id: &str) -> String {
    let a = common::render(loaded);
    common::text(&a[&format!("{id}/backup-{id}.ps1")])
}

/// `Join-Path $Set '<relative>'` literals of a runbook.
fn set_paths(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (_, block) in common::powershell_blocks(md) {
        let mut rest = block.as_str();
        while let Some(i) = rest.find("Join-Path $Set '") {
            let tail = &rest[i + "Join-Path $Set '".len()..];
            let end = tail.find('\'').expect("closing quote");
            out.push(tail[..end].to_string());
            rest = &tail[end..];
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn the_runbook_reads_only_files_the_backup_script_writes() {
    let layout = serde_json::to_value(abc_failover::plan::LAYOUT).expect("layout");
    let names: Vec<String> = layout
        .as_object()
        .expect("object")
        .values()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let mut checked = 0;
    let mut cases: Vec<Loaded> = common::samples()
        .iter()
        .map(|s| common::load_path(s))
        .collect();
    cases.push(minimal("sfb2015", EXTRA));
    for loaded in &cases {
        for pool in &loaded.topology.pools {
            let id = pool.effective_id();
            let md = checklist(loaded, &id);
            let ps = script(loaded, &id);
            for path in set_paths(&md) {
                checked += 1;
                let var = if let Some(name) = names.iter().find(|n| **n == path) {
                    // The script assigns the name to a variable and uses that variable.
                    let line = ps
                        .lines()
                        .find(|l| l.ends_with(&format!(" = '{}'", name.replace('\'', "''"))))
                        .unwrap_or_else(|| panic!("{id}: the script never names {path}"));
                    line.split(" = ").next().expect("variable").to_string()
                } else if path.starts_with(abc_failover::plan::LAYOUT.branch_users_csv_prefix) {
                    "$BranchUsersCsvPrefix".to_string()
                } else if let Some(bak) =
                    path.strip_prefix(&format!("{}\\", abc_failover::plan::LAYOUT.databases_dir))
                {
                    assert!(
                        ps.contains(&format!("'{bak}'")),
                        "{id}: the script never writes {bak}"
                    );
                    "$DatabasesDir".to_string()
                } else {
                    panic!("{id}: the runbook reads {path}, which is no name of LAYOUT");
                };
                assert!(
                    ps.matches(var.as_str()).count() >= 2,
                    "{id}: {var} ({path}) is named but never used by the backup script"
                );
            }
        }
    }
    assert!(checked > 60, "only {checked} set paths");
}

#[test]
fn the_inventory_saves_what_the_new_blocks_read() {
    let loaded = common::load_path(&common::root().join("samples/contoso.yaml"));
    let ps = script(&loaded, "red");
    for (var, call) in [
        ("$SimpleUrlsCsv", "Get-CsSimpleUrlConfiguration"),
        (
            "$WebServicesCsv",
            "Get-CsService -WebServer -PoolFqdn $PoolFqdn",
        ),
        ("$CertificatesCsv", "Get-CsCertificate"),
        ("$TrunksCsv", "Get-CsTrunk"),
        ("$PstnGatewaysCsv", "Get-CsService -PstnGateway"),
        ("$MediationServersCsv", "Get-CsService -MediationServer"),
        ("$EdgeServersCsv", "Get-CsService -EdgeServer"),
    ] {
        assert!(ps.contains(&format!("-Relative {var}")), "{var}");
        assert!(ps.contains(call), "{call}");
    }
    // And the runbook reads each of them by the same name.
    let read = set_paths(&sample("contoso.yaml", "red"));
    let l = abc_failover::plan::LAYOUT;
    for name in [
        l.simple_urls_csv,
        l.web_services_csv,
        l.certificates_csv,
        l.trunks_csv,
        l.pstn_gateways_csv,
        l.mediation_servers_csv,
        l.edge_servers_csv,
        l.exum_contacts_csv,
    ] {
        assert!(
            read.iter().any(|p| p == name),
            "the runbook never reads {name}"
        );
    }
    // Never a private key: only these certificate properties are saved.
    assert!(ps.contains("Select-Object -Property Use, Thumbprint, Subject, Issuer, NotAfter"));
    assert!(!ps.to_lowercase().contains("privatekey"));
}

/// Offset of the item whose title contains `title`.
fn at(md: &str, title: &str) -> usize {
    md.find(&format!("**{title}"))
        .unwrap_or_else(|| panic!("no item {title:?}"))
}

#[test]
fn the_rest_of_the_failover_comes_in_the_right_places_and_checks_itself() {
    for (what, md) in [
        ("contoso red", sample("contoso.yaml", "red")),
        ("litware", sample("litware-standard.yaml", "sfbse01")),
        ("minimal", checklist(&minimal("lync2013", EXTRA), "p1")),
    ] {
        let s7 = at(&md, "Step 7.");
        assert!(
            at(&md, "Before step 7. Re-home pool A's PSTN trunks") < s7,
            "{what}"
        );
        assert!(
            at(&md, "Before or right after step 7. Point pool A's DNS") < s7,
            "{what}"
        );
        let (s8, s9) = (at(&md, "Step 8."), at(&md, "Step 9."));
        let certs = at(&md, "With step 8. Certificates for pool C");
        assert!(s8 < certs && certs < s9, "{what}");
        let (s15, s16) = (at(&md, "Step 15."), at(&md, "Step 16."));
        for t in [
            "After step 15. Point pool A's DNS",
            "After step 15. Re-home the PSTN",
            "After step 15. Exchange Unified Messaging",
            "After step 15 (optional). Point the Edge",
        ] {
            let a = at(&md, t);
            assert!(s15 < a && a < s16, "{what}: {t}");
        }
        // Each decides at run time and prints OK or stops.
        let pstn = item(&md, "Before step 7. Re-home");
        assert!(pstn.contains("Nothing to do."), "{what}");
        assert_checks(what, pstn, "Get-CsTrunk", false);
        let pstn_c = item(&md, "After step 15. Re-home");
        assert!(
            pstn_c.contains(
                "((Test-Names $_ $PoolB) -and $OfA -contains [string](Read-Property $_ @('Identity')))"
            ),
            "{what}"
        );
        assert!(pstn.contains("Export-Csv -LiteralPath $Saved"), "{what}");
        let dns_b = item(&md, "Before or right after step 7. Point");
        assert_checked(what, dns_b, "Get-CsSipDomain");
        assert!(dns_b.contains("Export-Csv -LiteralPath $Saved"), "{what}");
        let dns_c = item(&md, "After step 15. Point pool A's DNS");
        assert_checked(what, dns_c, "Get-CsSipDomain");
        assert!(dns_c.contains(
            "if (Test-Path -LiteralPath $Saved) { $Names += @(Import-Csv -LiteralPath $Saved) }"
        ));
        assert_checked(
            what,
            item(&md, "With step 8. Certificates"),
            "Get-CsCertificate",
        );
        let um = item(&md, "After step 15. Exchange Unified");
        assert!(
            um.contains("ExchUcUtil.ps1") && um.contains("Nothing to do."),
            "{what}"
        );
        // Step 22 lists what still names pool A first.
        let s22 = item(&md, "Step 22.");
        assert_checked(what, s22, "Get-CsService");
        assert!(at(&md, "Step 22.") < at(&md, "Step 23."));
        let fin = item(&md, "Final checks");
        assert!(fin.contains("Move-CsManagementServer"), "{what}");
        assert!(fin.contains("Get-CsBackupServiceStatus -PoolFqdn $PoolB -Category CMS"));
    }
    // Branch appliances: step 22 says to re-home them first.
    let md = sample("contoso.yaml", "red");
    assert!(item(&md, "Step 22.").contains("Do steps 27 and 28 now"));
    assert!(
        !item(&sample("litware-standard.yaml", "sfbse01"), "Step 22.")
            .contains("Do steps 27 and 28 now")
    );
    // Edge to pool C only with Edge pools.
    assert!(item(&md, "After step 15 (optional)").contains("Set-CsEdgeServer -Identity ('EdgeServer:' + 'edgepool01.contoso.com') -Registrar ('Registrar:' + $PoolC)"));
    assert!(item(
        &sample("litware-standard.yaml", "sfbse01"),
        "After step 15 (optional)"
    )
    .contains("Not needed for this pool"));
}

/// Every block of every sample runbook is one statement, the dot-sourced script block `. { … }`
/// (so a console that runs each complete line as it arrives still gets the block whole), with
/// the block's commands inside it and a clean parse.
#[test]
fn every_block_runs_whole_as_one_dot_sourced_script_block() {
    let mut checked = 0;
    for path in common::samples() {
        let loaded = common::load_path(&path);
        let artifacts = common::render(&loaded);
        for (name, bytes) in &artifacts {
            if !name.ends_with(".md") {
                continue;
            }
            let md = common::text(bytes);
            for (line, block) in common::wrapped_powershell_blocks(&md) {
                let at = format!("{name}:{line}");
                assert_eq!(
                    common::syntax_problems(&block),
                    Vec::<String>::new(),
                    "{at}"
                );
                let tree = common::parse_ps(&block);
                let mut statements = Vec::new();
                common::walk(tree.root_node(), &mut |n| {
                    if n.kind() == "statement_list"
                        && n.parent().is_some_and(|p| p.kind() == "program")
                    {
                        let mut c = n.walk();
                        statements = n.named_children(&mut c).collect();
                    }
                });
                assert_eq!(statements.len(), 1, "{at}: not one statement:\n{block}");
                let only = node_text(statements[0], &block);
                assert!(
                    only.starts_with(". {") && only.trim_end().ends_with('}'),
                    "{at}: {only}"
                );
                // Its first statement is the trap that stops the block at any error.
                let mut traps = Vec::new();
                common::walk(tree.root_node(), &mut |n| {
                    if n.kind() == "trap_statement" {
                        traps.push(node_text(n, &block).to_string());
                    }
                });
                assert_eq!(traps, ["trap { break }"], "{at}");
                assert_eq!(
                    only.lines().nth(1).map(str::trim),
                    Some("trap { break }"),
                    "{at}"
                );
                // The wrapper is the one statement, so every other command is inside it.
                assert!(
                    commands(&block).len() > 1,
                    "{at}: no command inside the wrapper"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 150, "only {checked} blocks");
}

/// A loop that changes one object per turn (move, set, start, stop, create, update) reports a
/// failed object and goes on with the others: the command sits in a `try` inside the loop, and
/// the block stops after the loop, naming the failures, when there were any. Without it the
/// wrapper's `trap` would stop the loop at the first failure and leave the rest undone. A loop
/// whose turns depend on each other says so in a comment and stops at the first failure.
#[test]
fn loops_that_change_objects_go_on_past_a_failure_and_stop_after() {
    let changes = |name: &str| {
        [
            "Move-", "Set-", "Start-", "Stop-", "New-", "Update-", "Import-", "Remove-",
        ]
        .iter()
        .any(|v| name.starts_with(v))
            && common::cmdlets::is_cs_cmdlet(name)
    };
    let mut loops = 0;
    for (what, md) in topologies() {
        for (line, block) in common::powershell_blocks(&md) {
            let tree = common::parse_ps(&block);
            let mut problems = Vec::new();
            common::walk(tree.root_node(), &mut |n| {
                if n.kind() != "foreach_statement" {
                    return;
                }
                if node_text(n, &block).contains("# Stops at the first failure on purpose: ") {
                    return;
                }
                let mut changed = false;
                common::walk(n, &mut |c| {
                    if c.kind() != "command" {
                        return;
                    }
                    let Some(name) = c.child_by_field_name("command_name") else {
                        return;
                    };
                    if !changes(node_text(name, &block)) {
                        return;
                    }
                    changed = true;
                    let mut up = c.parent();
                    let mut in_try = false;
                    while let Some(p) = up {
                        if p.id() == n.id() {
                            break;
                        }
                        in_try |= p.kind() == "try_statement";
                        up = p.parent();
                    }
                    if !in_try {
                        problems.push(format!("{} outside a try", node_text(c, &block)));
                    }
                });
                if changed {
                    loops += 1;
                    let after = &block[n.end_byte()..];
                    if !after.contains("if ($Failed.Count -gt 0) { throw (") {
                        problems.push(format!("no stop after the loop {}", node_text(n, &block)));
                    }
                }
            });
            assert!(
                problems.is_empty(),
                "{what}: block at line {line}: {problems:#?}"
            );
        }
    }
    assert!(loops >= 20, "only {loops} loops");
}
