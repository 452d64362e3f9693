//! The safety logic of the backup script, read from its syntax tree (tests/common/structure.rs):
//! retention (KeepLast, cutoff, marker, -WhatIf), the COMPLETE gate, the copy-hash check, the
//! exit code, the command-line checks, the SQL backup options. Each statement is found by its
//! exact text and its guards (enclosing conditions and earlier early exits) are compared whole,
//! so an inverted, dropped or weakened condition fails here, not only in a golden file.
mod common;

use common::structure::{before, find_all, function, guards, norm, statement, text};
use tree_sitter::Node;

/// Every sample's scripts (the logic is the same text in each; each is checked).
fn all_scripts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in common::samples() {
        let loaded = common::load_path(&s);
        for (name, bytes) in common::render(&loaded) {
            if name.ends_with(".ps1") {
                out.push((name, common::text(&bytes)));
            }
        }
    }
    out
}

/// The guards of the one statement `wanted`, from the first `step`/`function` guard on (the
/// checks of the main block before the steps are tested on their own).
fn guards_of(root: Node, src: &str, wanted: &str) -> Vec<String> {
    let g = guards(statement(root, src, wanted), src);
    let from = g
        .iter()
        .position(|x| x.starts_with("step ") || x.starts_with("function "))
        .unwrap_or(0);
    g[from..].to_vec()
}

/// The guards of the one `throw` statement whose text starts with `prefix`.
fn throw_guards(root: Node, src: &str, prefix: &str) -> Vec<String> {
    let mut hits = Vec::new();
    common::walk(root, &mut |n| {
        if n.kind() == "flow_control_statement" && norm(text(n, src)).starts_with(prefix) {
            hits.push(n);
        }
    });
    assert_eq!(hits.len(), 1, "throw {prefix:?}");
    guards(hits[0], src)
}

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Prune removes a set only under -WhatIf's ShouldProcess, and only after every keep rule:
/// not a date, a reparse point, one of the newest KeepLast complete sets, this run's set, younger
/// than the cutoff. The set list is this pool's folder's direct subfolders named like a set.
#[test]
fn retention_removes_only_what_every_rule_lets_go() {
    for (name, src) in all_scripts() {
        let tree = common::parse_ps(&src);
        let root = tree.root_node();
        let f = function(&tree, &src, "Remove-ExpiredSet");
        assert!(
            norm(text(f, &src)).contains("[CmdletBinding(SupportsShouldProcess = $true)] param([string]$PoolFolder, [bool]$RequireMarker)"),
            "{name}: -WhatIf reaches the function"
        );
        let loop_head = [
            "function Remove-ExpiredSet",
            "not -not (Test-Path -LiteralPath $PoolFolder -PathType Container)",
            "foreach ($set in $sets)",
            "not $null -eq $when",
            "not ($set.Attributes -band [System.IO.FileAttributes]::ReparsePoint) -ne 0",
            "not $when -gt $future",
        ];
        let delete = "[System.IO.Directory]::Delete($tree, $true)";
        let mut expected = v(&loop_head);
        expected.extend(v(&[
            "not $isComplete -and $keptComplete -lt $KeepLast",
            "not $set.Name -eq $script:SetName",
            "not $when -ge $cutoff",
            "if $PSCmdlet.ShouldProcess($set.FullName, 'Remove expired backup set')",
        ]));
        assert_eq!(
            guards_of(root, &src, delete),
            expected,
            "{name}: the delete"
        );
        let mut kept = v(&loop_head);
        kept.push("if $isComplete -and $keptComplete -lt $KeepLast".into());
        assert_eq!(guards_of(root, &src, "$keptComplete++"), kept, "{name}");
        let mut marker = v(&loop_head);
        marker.push("if -not $RequireMarker".into());
        assert_eq!(
            guards_of(root, &src, "$isComplete = $true"),
            marker,
            "{name}"
        );
        // The inputs of those rules.
        let complete = statement(
            root,
            &src,
            "$isComplete = Test-Path -LiteralPath $marker -PathType Leaf",
        );
        assert!(before(
            statement(
                root,
                &src,
                "$marker = Join-SetPath -Base $set.FullName -Relative $CompleteName"
            ),
            complete
        ));
        assert!(before(
            complete,
            statement(root, &src, "$isComplete = $true")
        ));
        statement(
            root,
            &src,
            "$cutoff = [DateTime]::UtcNow.AddDays(-$RetentionDays)",
        );
        statement(
            root,
            &src,
            "$sets = @(Get-ChildItem -LiteralPath $PoolFolder -Force | Where-Object { $_.PSIsContainer -and $_.Name -cmatch $SetNameRegex } | Sort-Object -Property Name -Descending)",
        );
        statement(root, &src, "$keptComplete = 0");
        // The Prune step: the backup folders need the marker, the SQL staging folders have none.
        assert_eq!(
            guards_of(root, &src, "$removed += Remove-ExpiredSet -PoolFolder (Join-SetPath -Base $location -Relative $PoolId) -RequireMarker $true"),
            v(&["step 'Prune'", "foreach ($location in @($BackupRoot) + $CopyTo)"]),
            "{name}"
        );
        assert_eq!(
            guards_of(root, &src, "$removed += Remove-ExpiredSet -PoolFolder (Join-SetPath -Base $SqlBackupPath -Relative $PoolId) -RequireMarker $false"),
            v(&["step 'Prune'", "if $null -ne $SqlBackupPath -and $Databases.Count -gt 0"]),
            "{name}"
        );
    }
}

/// COMPLETE is written (copies first, then the set) only when every data step succeeded, and
/// the run counts as complete only after that; a skipped step counts as not succeeded.
#[test]
fn the_complete_marker_is_gated_by_every_data_step() {
    for (name, src) in all_scripts() {
        let tree = common::parse_ps(&src);
        let root = tree.root_node();
        let gate = ["step 'Complete'", "not -not (Test-DataStepsSucceeded)"];
        let set_marker = "Write-Utf8File -Path (Join-SetPath -Base $script:SetPath -Relative $CompleteName) -Text $marker";
        let copy_marker = "Write-Utf8File -Path (Join-SetPath -Base $copy.Path -Relative $CompleteName) -Text $marker";
        assert_eq!(guards_of(root, &src, set_marker), v(&gate), "{name}");
        let mut in_copies = v(&gate);
        in_copies.push("foreach ($copy in $script:CopyResults)".into());
        assert_eq!(guards_of(root, &src, copy_marker), in_copies, "{name}");
        assert_eq!(
            guards_of(root, &src, "$script:SetComplete = $true"),
            v(&gate),
            "{name}"
        );
        let (copy, set, done) = (
            statement(root, &src, copy_marker),
            statement(root, &src, set_marker),
            statement(root, &src, "$script:SetComplete = $true"),
        );
        assert!(
            before(copy, set) && before(set, done),
            "{name}: copies, set, then the flag"
        );
        // The gate: every step but Complete and Prune must have succeeded (Skipped is not).
        assert_eq!(
            throw_guards(function(&tree, &src, "Test-DataStepsSucceeded"), &src, "return $false"),
            v(&[
                "function Test-DataStepsSucceeded",
                "foreach ($result in $script:Results)",
                "if @('Checks', 'Complete', 'Prune') -notcontains $result.Name -and $result.Status -ne 'Succeeded'",
            ]),
            "{name}"
        );
        // Only the flag makes the exit code 0, and only without any failed step.
        let zeros = find_all(root, &src, "pipeline", "$exitCode = $ExitSuccess");
        assert_eq!(zeros.len(), 2, "{name}");
        let g: Vec<Vec<String>> = zeros.iter().map(|n| guards(*n, &src)).collect();
        assert_eq!(
            g[0].last().map(String::as_str),
            Some("if $WhatIfPreference")
        );
        assert_eq!(
            g[1][g[1].len() - 2..],
            v(&[
                "not $WhatIfPreference",
                "if $script:SetComplete -and $failedSteps.Count -eq 0 -and $script:Warnings.Count -eq 0"
            ]),
            "{name}"
        );
        // Exit 3 (drift) and 4 (other warnings) also mean "complete, no failed step": a Prune
        // that failed after COMPLETE must give 1.
        for (code, condition) in [
            (
                "$exitCode = $ExitDrift",
                "if $script:SetComplete -and $failedSteps.Count -eq 0 -and $script:Drift.Count -gt 0",
            ),
            (
                "$exitCode = $ExitWarnings",
                "if $script:SetComplete -and $failedSteps.Count -eq 0",
            ),
        ] {
            let g = guards_of(root, &src, code);
            assert_eq!(g.last().map(String::as_str), Some(condition), "{name}: {code}");
        }
        statement(
            root,
            &src,
            "$failedSteps = @($script:Results | Where-Object { $_.Status -eq 'Failed' })",
        );
        assert!(before(
            statement(root, &src, "$script:SetComplete = $true"),
            zeros[1]
        ));
    }
}

/// Each copy is re-hashed file by file against SHA256SUMS; a missing or different file fails the
/// copy, and only a copy without one is marked verified.
#[test]
fn every_copy_is_verified_against_the_sums() {
    for (name, src) in all_scripts() {
        let tree = common::parse_ps(&src);
        let root = tree.root_node();
        let head = [
            "step 'Copies'",
            "not $script:Sums.Count -eq 0",
            "foreach ($location in $CopyTo)",
        ];
        let mut bad = v(&head);
        bad.extend(v(&[
            "foreach ($entry in $script:Sums)",
            "if -not [System.IO.File]::Exists($io) -or (Get-FileSha256 -Path $copied) -ne $entry.Sha256",
        ]));
        assert_eq!(guards_of(root, &src, "$bad++"), bad, "{name}");
        let mut ok = v(&head);
        ok.push("not $bad -gt 0".into());
        assert_eq!(
            guards_of(root, &src, "$copy.Verified = $true"),
            ok,
            "{name}"
        );
        statement(
            root,
            &src,
            "$copied = Join-SetPath -Base $destination -Relative $entry.Path.Replace('/', '\\')",
        );
        let copy = statement(root, &src, "Copy-BackupFolder -Source $script:SetPath -Destination $destination -ExcludeFile @((Join-SetPath -Base $script:SetPath -Relative $LogName), (Join-SetPath -Base $script:SetPath -Relative $CompleteName))");
        assert!(before(copy, statement(root, &src, "$bad = 0")));
        let g = throw_guards(
            root,
            &src,
            "throw ([string]$failed + ' of ' + $CopyTo.Count + ' copies failed')",
        );
        assert_eq!(
            g[g.len().saturating_sub(3)..],
            v(&[
                "step 'Copies'",
                "not $script:Sums.Count -eq 0",
                "if $failed -gt 0"
            ]),
            "{name}"
        );
    }
}

/// -BackupRoot and -CopyTo are checked with Test-FolderPath, and a CopyTo equal to the root is
/// refused, before anything else runs.
#[test]
fn command_line_locations_are_refused_before_the_module_loads() {
    for (name, src) in all_scripts() {
        let tree = common::parse_ps(&src);
        let root = tree.root_node();
        assert_eq!(
            throw_guards(root, &src, "throw ('Not an absolute folder path"),
            v(&[
                "foreach ($location in @($BackupRoot) + $CopyTo)",
                "if -not (Test-FolderPath -Path $location)"
            ]),
            "{name}"
        );
        assert_eq!(
            throw_guards(
                root,
                &src,
                "throw ('A CopyTo location is the BackupRoot itself: '"
            ),
            v(&["if $CopyTo -contains $BackupRoot"]),
            "{name}"
        );
        let import = statement(root, &src, "Import-Module -Name $ModuleName");
        let mut first_throw = None;
        common::walk(root, &mut |n| {
            if first_throw.is_none()
                && n.kind() == "flow_control_statement"
                && text(n, &src).starts_with("throw ('A CopyTo")
            {
                first_throw = Some(n);
            }
        });
        assert!(before(first_throw.expect("throw"), import), "{name}");
    }
}

/// Copy-only, checksummed backups, each verified after it is written.
#[test]
fn sql_backups_are_copy_only_and_verified() {
    for (name, src) in all_scripts() {
        if !src.contains("Invoke-BackupStep -Name 'Databases'") {
            continue;
        }
        let tree = common::parse_ps(&src);
        let root = tree.root_node();
        let in_loop = v(&[
            "step 'Databases'",
            "not $null -eq $SqlBackupPath",
            "foreach ($db in $Databases)",
        ]);
        assert_eq!(
            guards_of(root, &src, "$options = ' WITH COPY_ONLY, CHECKSUM, INIT'"),
            in_loop,
            "{name}"
        );
        let backup = "$backup = 'BACKUP DATABASE ' + (ConvertTo-SqlIdentifier -Name $db.Name) + ' TO DISK = ' + $disk + $options";
        assert_eq!(guards_of(root, &src, backup), in_loop, "{name}");
        let backup = statement(root, &src, backup);
        let verify = statement(root, &src, "$null = Invoke-SqlcmdQuery -Target $db.Target -Query ('RESTORE VERIFYONLY FROM DISK = ' + $disk + ' WITH CHECKSUM;')");
        assert_eq!(
            guards_of(root, &src, "$null = Invoke-SqlcmdQuery -Target $db.Target -Query ('RESTORE VERIFYONLY FROM DISK = ' + $disk + ' WITH CHECKSUM;')"),
            in_loop,
            "{name}: same loop, unconditional"
        );
        assert!(before(backup, verify), "{name}");
        // Every run of the backup (plain on Express, compressed, plain again after error 1844)
        // uses that statement and comes before the verification.
        let plain = find_all(
            root,
            &src,
            "pipeline",
            "$null = Invoke-SqlcmdQuery -Target $db.Target -Query ($backup + ';')",
        );
        let compressed = find_all(
            root,
            &src,
            "pipeline",
            "$null = Invoke-SqlcmdQuery -Target $db.Target -Query ($backup + ', COMPRESSION;')",
        );
        assert_eq!((plain.len(), compressed.len()), (2, 1), "{name}");
        for run in plain.iter().chain(&compressed) {
            assert!(before(*run, verify), "{name}");
        }
    }
}

/// Two databases whose `.bak` names would collide (same host label, instance names that differ
/// only in `$`/`#`, names that differ only in case) get distinct files, in the script and in the
/// checklist's restore commands.
#[test]
fn colliding_bak_file_names_are_made_distinct() {
    let yaml = "format: 1\nproduct: sfb2015\nbackup:\n  root: 'D:\\B'\n  copies: ['\\\\s\\c']\n  sql_backup_path: '\\\\sql.contoso.com\\Bak'\npools:\n  - id: p1\n    fqdn: pool-a.contoso.com\n    file_store: '\\\\fs.contoso.com\\Share'\n    backup_pool:\n      fqdn: pool-b.contoso.com\n    databases:\n      - role: monitoring\n        server: sql.a.contoso.com\n        instance: 'MON$1'\n        names: [LcsCDR, QoEMetrics]\n      - role: archiving\n        server: sql.b.contoso.com\n        instance: 'MON#1'\n        names: [lcscdr, LcsLog]\n      - role: archiving\n        server: sql.c.contoso.com\n        instance: 'MON_1'\n        names: [LCSCDR]\n";
    let loaded = common::load_text(yaml);
    let plan = abc_failover::plan::pool_plan(&loaded, &loaded.topology.pools[0]);
    let files: Vec<&str> = plan
        .databases
        .iter()
        .flat_map(|d| d.bak_files.iter().map(String::as_str))
        .collect();
    assert_eq!(
        files,
        [
            "sql_MON_1_LcsCDR.bak",
            "sql_MON_1_QoEMetrics.bak",
            "sql_MON_1_lcscdr_2.bak",
            "sql_MON_1_LcsLog.bak",
            "sql_MON_1_LCSCDR_3.bak",
        ]
    );
    let artifacts = common::render(&loaded);
    let src = common::text(&artifacts["p1/backup-p1.ps1"]);
    for f in &files {
        assert_eq!(src.matches(&format!("BakFile = '{f}'")).count(), 1, "{f}");
    }
    let md = common::text(&artifacts["p1/restore-checklist-p1.md"]);
    for f in &files {
        assert!(
            md.contains(&format!("Databases\\{f}")),
            "{f} restored from its own file"
        );
    }
}
