//! Unattended operation (issue #13) on the generated text: the scheduled task of -RegisterTask
//! (its command line, no password, -WhatIf) and the email report (absent without `notify:`,
//! never under -WhatIf, inside its own try/catch, the subject per outcome), and a documented
//! source for every Windows API they use (tests/windows-apis.tsv).
mod common;

use std::collections::BTreeSet;

use abc_failover::escape::ps_literal;
use abc_failover::load::Loaded;

/// The backup script of every pool, as (pool id, text).
fn scripts(loaded: &Loaded) -> Vec<(String, String)> {
    common::pool_scripts(loaded)
        .into_iter()
        .map(|(pool, src)| (pool.effective_id(), src))
        .collect()
}

fn sample(name: &str) -> Vec<(String, String)> {
    scripts(&common::load_path(
        &common::root().join(format!("samples/{name}.yaml")),
    ))
}

fn hostile() -> (Loaded, String) {
    let loaded = common::load_path(&common::root().join("tests/fixtures/hostile-unattended.yaml"));
    let (_, src) = scripts(&loaded).remove(0);
    (loaded, src)
}

/// Every script of every sample and of the hostile fixture.
fn all_scripts() -> Vec<(String, String)> {
    let mut v = Vec::new();
    for s in common::samples() {
        for (id, src) in scripts(&common::load_path(&s)) {
            v.push((format!("{} {id}", s.display()), src));
        }
    }
    v.push(("hostile-unattended".into(), hostile().1));
    v
}

/// The text of one function of a generated script, from `function NAME {` to its closing brace.
fn function_text<'a>(src: &'a str, name: &str) -> &'a str {
    let head = format!("function {name} {{");
    let at = src
        .find(&head)
        .unwrap_or_else(|| panic!("no {head} in the script"));
    let body = &src[at..];
    &body[..body.find("\n}\n").expect("end of function") + 2]
}

const TASK_FUNCTIONS: &[&str] = &[
    "Get-BackupTaskArguments",
    "Test-BackupTaskScriptPath",
    "New-BackupTaskDefinition",
    "Get-BackupTask",
    "Test-BackupTaskElevated",
    "Invoke-BackupTaskMode",
];
const MAIL_FUNCTIONS: &[&str] = &[
    "Get-RunOutcome",
    "Get-RunReportBody",
    "Get-MailErrorText",
    "Send-RunReport",
];

use common::cmdlets::node_text;

use common::cmdlets::commands;

/// Decode a PowerShell single-quoted literal (the escape function's output) back to its value.
fn unquote(lit: &str) -> String {
    let inner = lit
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or_else(|| panic!("not a single-quoted literal: {lit}"));
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            let next = chars.next();
            assert!(next.is_some(), "lone quote in {lit}");
        }
    }
    out
}

/// Split a Windows command line the way the Microsoft C runtime (and CommandLineToArgvW, which
/// powershell.exe uses) does: whitespace separates arguments outside double quotes; 2n
/// backslashes before a quote are n backslashes and the quote toggles quoting; 2n+1 are n
/// backslashes and a literal quote; other backslashes are literal.
fn split_command_line(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut in_arg = false;
    let mut quoted = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let start = i;
            while i < chars.len() && chars[i] == '\\' {
                i += 1;
            }
            let n = i - start;
            if i < chars.len() && chars[i] == '"' {
                cur.extend(std::iter::repeat_n('\\', n / 2));
                if n % 2 == 1 {
                    cur.push('"');
                    i += 1;
                }
            } else {
                cur.extend(std::iter::repeat_n('\\', n));
            }
            in_arg = true;
            continue;
        }
        if c == '"' {
            quoted = !quoted;
            in_arg = true;
        } else if (c == ' ' || c == '\t') && !quoted {
            if in_arg {
                args.push(std::mem::take(&mut cur));
                in_arg = false;
            }
        } else {
            cur.push(c);
            in_arg = true;
        }
        i += 1;
    }
    if in_arg {
        args.push(cur);
    }
    args
}

/// The task's arguments for `path`, computed from the generated Get-BackupTaskArguments: its one
/// `return` is literals and `$ScriptPath` joined by `+`.
fn task_arguments(src: &str, path: &str) -> String {
    let f = function_text(src, "Get-BackupTaskArguments");
    let ret = f
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("return "))
        .collect::<Vec<_>>();
    assert_eq!(ret.len(), 1, "{f}");
    let expr = ret[0].trim_start_matches("return ");
    let tree = common::parse_ps(expr);
    assert!(!tree.root_node().has_error(), "{expr}");
    let mut out = String::new();
    for part in expr.split(" + ") {
        if part == "$ScriptPath" {
            out.push_str(path);
        } else {
            out.push_str(&unquote(part));
        }
    }
    out
}

#[test]
fn the_task_runs_this_file_as_one_argument_whatever_its_path() {
    let (loaded, src) = hostile();
    // Paths an operator may really store the script under, including the hostile backup root.
    let root = &loaded.topology.backup.root;
    assert!(root.contains(' ') && root.contains('\'') && root.contains("$("));
    let paths = [
        format!("{root}\\backup-evil.ps1"),
        "C:\\Program Files\\ABC Scripts\\backup-evil.ps1".to_string(),
        "D:\\O'Brien's; & calc.exe # $(x) `n\\backup-evil.ps1".to_string(),
        "\\\\fs01.contoso.com\\Lync Scripts\\backup evil.ps1".to_string(),
        "D:\\a\\\\b\\backup-evil.ps1".to_string(),
    ];
    for path in &paths {
        let args = task_arguments(&src, path);
        let line =
            format!("\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" {args}");
        assert_eq!(
            split_command_line(&line)[1..],
            [
                "-NoProfile",
                "-NonInteractive",
                "-ExecutionPolicy",
                "Bypass",
                "-File",
                path.as_str()
            ],
            "{line}"
        );
    }
    // What would break the quoting or be expanded by Task Scheduler is refused first.
    let check = function_text(&src, "Test-BackupTaskScriptPath");
    assert!(
        check.contains("$ScriptPath.IndexOf([char]34) -ge 0"),
        "{check}"
    );
    assert!(
        check.contains("$ScriptPath.IndexOf([char]37) -ge 0"),
        "{check}"
    );
    assert!(
        check.contains("Test-FolderPath -Path $ScriptPath"),
        "{check}"
    );
    // Windows PowerShell reads the path after -File as a wildcard pattern (PowerShell issue
    // 4726): a path with [ or ] would not start, or would start another file.
    assert!(
        check.contains(
            "$ScriptPath.IndexOf([char]91) -ge 0 -or $ScriptPath.IndexOf([char]93) -ge 0"
        ),
        "{check}"
    );
    let mode = function_text(&src, "Invoke-BackupTaskMode");
    let check_at = mode
        .find("Test-BackupTaskScriptPath")
        .expect("path checked");
    assert!(check_at < mode.find("New-BackupTaskDefinition").expect("definition"));
    // The program and its arguments are separate properties; the program is fixed text.
    let def = function_text(&src, "New-BackupTaskDefinition");
    assert!(def.contains(
        "$action.Path = $env:SystemRoot + '\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'"
    ));
    assert!(def.contains("$action.Arguments = Get-BackupTaskArguments -ScriptPath $ScriptPath"));
    // The path is the running file, never a topology value.
    assert!(src.contains(
        "Invoke-BackupTaskMode -ScriptPath $PSCommandPath -BoundNames @($PSBoundParameters.Keys)"
    ));
}

#[test]
fn hostile_task_and_mail_values_are_literals_bound_once() {
    let (loaded, src) = hostile();
    assert_eq!(common::syntax_problems(&src), Vec::<String>::new());
    let n = loaded.topology.notify.as_ref().expect("notify");
    let b = &loaded.topology.backup;
    let mut values = vec![
        ("$TaskRunAs", b.run_as.clone().expect("run_as")),
        ("$TaskTime", b.schedule.clone()),
        ("$NotifySmtpServer", n.smtp_server.clone()),
        ("$NotifyFrom", n.from.clone()),
    ];
    for to in &n.to {
        values.push(("$NotifyTo", to.clone()));
    }
    let tree = common::parse_ps(&src);
    let root = tree.root_node();
    for (var, value) in &values {
        let lit = ps_literal(value);
        assert_eq!(
            src.matches(&lit).count(),
            1,
            "{var}: {lit} not printed once"
        );
        let at = src.find(&lit).expect("literal");
        let mut node = root
            .descendant_for_byte_range(at, at + lit.len())
            .expect("node");
        while node.kind() != "string_literal" {
            node = node
                .parent()
                .unwrap_or_else(|| panic!("{var}: {lit} not in a literal"));
        }
        assert_eq!(node_text(node, &src), lit, "{var}: one whole literal");
        // Bound to its variable: on the `$Var = ` line, or in the `$Var = @(` list.
        let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
        let line = &src[line_start..at];
        let list_head = src[..line_start]
            .lines()
            .rev()
            .find(|l| !l.starts_with("    '"))
            .unwrap_or("");
        let bound = line.trim_start().starts_with(&format!("{var} = "))
            || (line == "    " && list_head == format!("{var} = @("));
        assert!(bound, "{var}: {lit} is not bound to it");
    }
    assert!(src.contains("$NotifyPort = 2525\n"));
    assert!(src.contains("$NotifyUseSsl = $true\n"));
    assert!(src.contains("$NotifyAlways = $true\n"));
    assert!(src.contains("$TaskHour = 23\n$TaskMinute = 5\n"));
    assert!(src.contains("$TaskName = 'abc-failover backup evil'\n"));
    // No marker outside a string literal, and none inside the task and mail functions.
    for i in 0..=7 {
        let marker = format!("zzmark{i}");
        for (at, _) in src.match_indices(&marker) {
            let node = root
                .descendant_for_byte_range(at, at + marker.len())
                .expect("node");
            let mut inside = node.kind() == "string_literal";
            let mut p = node;
            while let Some(parent) = p.parent() {
                inside |= parent.kind() == "string_literal";
                p = parent;
            }
            assert!(inside, "{marker} at byte {at} outside a string literal");
        }
        for f in TASK_FUNCTIONS.iter().chain(MAIL_FUNCTIONS) {
            assert!(!function_text(&src, f).contains(&marker), "{f}: {marker}");
        }
    }
}

#[test]
fn no_password_shaped_parameter_exists() {
    for (what, src) in all_scripts() {
        // The code, without comment lines and the comment help.
        let help_end = src.find("\n#>\n").expect("end of help");
        let code: String = src[help_end..]
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        let lower = code.to_ascii_lowercase();
        for bad in [
            "-credential",
            "-password",
            "convertto-securestring",
            "get-credential",
            "pscredential",
            "networkcredential",
            "/rp",
            "securestring",
        ] {
            assert!(!lower.contains(bad), "{what}: {bad}");
        }
        // The param block has no such parameter either.
        let param = &src[src.find("param(").expect("param")..];
        let param = &param[..param.find("\n)\n").expect("end of param")];
        let plower = param.to_ascii_lowercase();
        for bad in ["password", "credential", "secret", "token"] {
            assert!(!plower.contains(bad), "{what}: {bad} in param()");
        }
        // Every registration passes an empty password.
        let calls: Vec<&str> = src
            .lines()
            .map(str::trim)
            .filter(|l| l.contains(".RegisterTaskDefinition("))
            .collect();
        assert_eq!(calls.len(), 2, "{what}");
        for c in calls {
            let args: Vec<&str> = c
                .split_once("RegisterTaskDefinition(")
                .expect("call")
                .1
                .trim_end_matches(')')
                .split(", ")
                .collect();
            assert_eq!(args.len(), 6, "{c}");
            assert_eq!(args[4], "$null", "{what}: password argument of {c}");
            assert_eq!(args[2], "6", "{what}: TASK_CREATE_OR_UPDATE in {c}");
        }
        for (name, params) in commands(&src) {
            for p in params {
                let p = p.to_ascii_lowercase();
                assert!(
                    !p.contains("password") && !p.contains("credential"),
                    "{what}: {name} -{p}"
                );
            }
        }
    }
}

#[test]
fn the_task_account_is_system_or_the_gmsa_of_the_topology() {
    let (_, red) = sample("contoso").remove(0);
    assert!(red.contains("$TaskRunAs = 'CONTOSO\\svc-lyncbak$'\n"));
    assert!(red.contains("$TaskTime = '01:45'\n$TaskHour = 1\n$TaskMinute = 45\n"));
    let (_, sea1) = sample("fabrikam-sfb2019").remove(0);
    assert!(sea1.contains("$TaskRunAs = $null\n"));
    assert!(sea1.contains("$TaskTime = '02:30'\n$TaskHour = 2\n$TaskMinute = 30\n"));
    for (what, src) in all_scripts() {
        let def = function_text(&src, "New-BackupTaskDefinition");
        for needle in [
            "$definition.Principal.UserId = 'SYSTEM'\n        # TASK_LOGON_SERVICE_ACCOUNT\n        $definition.Principal.LogonType = 5",
            "$definition.Principal.UserId = $TaskRunAs\n",
            "$definition.Principal.LogonType = 1\n",
            "$definition.Principal.RunLevel = 1\n",
            "$definition.Settings.MultipleInstances = 2\n",
            "$trigger = $definition.Triggers.Create(2)\n",
            "$trigger.DaysInterval = 1\n",
            "$action = $definition.Actions.Create(0)\n",
        ] {
            assert!(def.contains(needle), "{what}: {needle}");
        }
        let mode = function_text(&src, "Invoke-BackupTaskMode");
        assert!(mode.contains(
            "$folder.RegisterTaskDefinition($TaskName, $definition, 6, 'SYSTEM', $null, 5)"
        ));
        assert!(mode.contains(
            "$folder.RegisterTaskDefinition($TaskName, $definition, 6, $TaskRunAs, $null, 1)"
        ));
        // One task per pool: the name is fixed text with the pool id.
        assert!(src.contains("$TaskName = 'abc-failover backup "), "{what}");
        // It reads the task back and prints the next run time.
        let read_back = mode
            .find("$task = Get-BackupTask -Folder $folder")
            .expect("read back");
        assert!(read_back > mode.rfind("RegisterTaskDefinition").expect("register"));
        assert!(mode.contains("$task.NextRunTime"));
        assert!(mode.contains("'  next run: ' + $nextText"));
    }
}

#[test]
fn whatif_registers_and_removes_nothing() {
    for (what, src) in all_scripts() {
        let mode = function_text(&src, "Invoke-BackupTaskMode");
        assert!(mode.contains("[CmdletBinding(SupportsShouldProcess = $true)]"));
        // Registering: after the ShouldProcess that returns under -WhatIf, having printed the
        // definition's XML.
        let guard = "if (-not $PSCmdlet.ShouldProcess($TaskName, $verb + ' scheduled task')) {";
        let g = mode
            .find(guard)
            .unwrap_or_else(|| panic!("{what}: {guard}"));
        let block = &mode[g..];
        let block = &block[..block.find("\n        }\n").expect("end of block")];
        assert!(
            block.contains("Write-Output $definition.XmlText"),
            "{block}"
        );
        assert!(block.trim_end().ends_with("return"), "{block}");
        assert!(!block.contains("RegisterTaskDefinition") && !block.contains("DeleteTask"));
        for (at, _) in mode.match_indices("RegisterTaskDefinition(") {
            assert!(at > g, "{what}: registration before ShouldProcess");
        }
        // Removing: only inside its ShouldProcess block.
        let del_guard = "if ($PSCmdlet.ShouldProcess($TaskName, 'Remove scheduled task')) {";
        let d = mode.find(del_guard).expect("remove guard");
        let del_block = &mode[d..];
        let del_block = &del_block[..del_block.find("\n            }\n").expect("end")];
        assert_eq!(mode.matches("DeleteTask(").count(), 1);
        assert!(del_block.contains("$folder.DeleteTask($TaskName, 0)"));
        // Building the definition changes nothing.
        for f in [
            "New-BackupTaskDefinition",
            "Get-BackupTask",
            "Test-BackupTaskScriptPath",
        ] {
            let t = function_text(&src, f);
            for w in [
                "RegisterTaskDefinition",
                "DeleteTask",
                "Set-",
                "Remove-",
                "New-Item",
            ] {
                assert!(!t.contains(w), "{what}: {f} has {w}");
            }
        }
        // Task mode runs before the backup and stops: no lock, no set folder, no mail, no event.
        let dispatch = src
            .find("if ($RegisterTask -or $UnregisterTask) {")
            .expect("dispatch");
        let exit = src[dispatch..]
            .find("    exit $script:TaskExitCode\n}")
            .expect("exit right after");
        assert!(exit < 200, "{what}");
        for later in [
            "$mutex = New-Object System.Threading.Mutex",
            "Initialize-Folder -Path $setPath",
            "Write-RunEvent -EventId",
        ] {
            let at = src
                .rfind(later)
                .unwrap_or_else(|| panic!("{what}: {later}"));
            assert!(at > dispatch, "{what}: {later} before the task dispatch");
        }
        if let Some(at) = src.find("Send-RunReport -ExitCode") {
            assert!(at > dispatch);
        }
    }
}

#[test]
fn no_task_is_said_only_when_task_scheduler_says_not_found() {
    for (what, src) in all_scripts() {
        let get = function_text(&src, "Get-BackupTask");
        let tree = common::parse_ps(get);
        assert!(!tree.root_node().has_error(), "{what}: {get}");
        let catch = &get[get.find("catch {").expect("catch")..];
        // $null only for ERROR_FILE_NOT_FOUND (0x80070002 = -2147024894), however wrapped;
        // anything else (access denied without elevation) is thrown on.
        assert!(catch.contains("$exception -is [System.IO.FileNotFoundException]"));
        assert!(catch.contains("$exception.ErrorCode -eq -2147024894"));
        assert_eq!(0x8007_0002_u32 as i32, -2147024894);
        let null_at = catch.find("return $null").expect("not found is $null");
        let throw_at = catch.rfind("\n        throw\n    }").expect("rethrown");
        assert!(null_at < throw_at, "{what}");
        // -UnregisterTask says "nothing to remove" only where it could see the task: elevated.
        let mode = function_text(&src, "Invoke-BackupTaskMode");
        let absent = mode
            .find("if ($null -eq $existing) {")
            .expect("absent branch");
        let nothing = mode.find("nothing to remove").expect("message");
        let elevated = mode[absent..]
            .find("if (-not (Test-BackupTaskElevated)) {")
            .map(|i| i + absent)
            .expect("elevation checked");
        assert!(elevated < nothing, "{what}");
        // Common parameters of every PowerShell version may be combined with the switches.
        for p in [
            "InformationAction",
            "InformationVariable",
            "PipelineVariable",
        ] {
            assert!(mode.contains(&format!("'{p}'")), "{what}: {p}");
        }
    }
}

#[test]
fn tls_1_2_is_added_to_the_protocols_never_the_only_one() {
    let (_, src) = sample("contoso").remove(0);
    let f = function_text(&src, "Send-RunReport");
    let set = "[System.Net.ServicePointManager]::SecurityProtocol = [System.Net.ServicePointManager]::SecurityProtocol -bor [System.Net.SecurityProtocolType]::Tls12";
    assert_eq!(f.matches(set).count(), 1, "{f}");
    // SystemDefault (0) or Tls12 would be Tls12 alone, and an old relay's TLS 1.0 refused.
    let guard = "if ([int][System.Net.ServicePointManager]::SecurityProtocol -ne 0) {";
    let g = f.find(guard).expect("guarded");
    let at = f.find(set).expect("set");
    assert!(g < at && !f[g..at].contains('}'), "{f}");
    // Inside the mail's own try, and its failure is only a note.
    let tls_try = f[..g].rfind("try {").expect("in a try");
    assert!(f[tls_try..].contains("[void]$notes.Add('Mail: TLS 1.2 is not available here: '"));
}

#[test]
fn the_mail_block_is_absent_without_notify() {
    for name in ["fabrikam-sfb2019", "litware-standard"] {
        for (id, src) in sample(name) {
            let lower = src.to_ascii_lowercase();
            for absent in ["send-mailmessage", "$notify", "send-runreport", "smtp"] {
                assert!(!lower.contains(absent), "{name} {id}: {absent}");
            }
            // The warnings list exists either way (drift, pairing health, plausibility).
            assert!(src.contains("$script:Warnings = New-Object System.Collections.ArrayList"));
        }
    }
}

#[test]
fn the_mail_is_sent_after_the_run_never_under_whatif_and_inside_its_own_try() {
    let mut checked = 0;
    for (what, src) in all_scripts() {
        let Some(def_at) = src.find("function Send-RunReport {") else {
            continue;
        };
        checked += 1;
        // One Send-MailMessage, inside a try whose catch turns the failure into a warning.
        let tree = common::parse_ps(&src);
        let mut sends = Vec::new();
        common::walk(tree.root_node(), &mut |n| {
            if n.kind() == "command"
                && n.child_by_field_name("command_name")
                    .is_some_and(|c| node_text(c, &src) == "Send-MailMessage")
            {
                sends.push(n);
            }
        });
        assert_eq!(sends.len(), 1, "{what}");
        let send = sends[0];
        let mut p = send;
        let mut try_stmt = None;
        let mut in_fn = false;
        while let Some(parent) = p.parent() {
            if parent.kind() == "try_statement" && try_stmt.is_none() {
                try_stmt = Some(parent);
            }
            if parent.kind() == "function_statement" {
                in_fn = node_text(parent, &src).starts_with("function Send-RunReport {");
                break;
            }
            p = parent;
        }
        assert!(in_fn, "{what}: Send-MailMessage outside Send-RunReport");
        let try_text = node_text(try_stmt.expect("inside a try"), &src);
        let catch = &try_text[try_text.rfind("catch {").expect("catch")..];
        assert!(
            catch.contains("[void]$script:Warnings.Add($warning)"),
            "{catch}"
        );
        assert!(catch.contains("[void]$notes.Add('WARNING: ' + $warning)"));
        assert!(
            !catch.contains("throw") && !catch.contains("exitCode") && !catch.contains("exit ")
        );
        // The reason a mail failed is inside SmtpException ("Failure sending mail."): the
        // warning carries the inner messages.
        assert!(
            catch.contains("(Get-MailErrorText -Exception $_.Exception)"),
            "{catch}"
        );
        let text = function_text(&src, "Get-MailErrorText");
        assert!(text.contains("$inner = $inner.InnerException"), "{text}");
        // Nothing in Send-RunReport can throw out of it, the log lines included: every
        // statement after the -WhatIf return is a try with a catch that does not throw.
        let f = function_text(&src, "Send-RunReport");
        let tree = common::parse_ps(f);
        let mut unguarded = Vec::new();
        let mut tries = 0;
        common::walk(tree.root_node(), &mut |n| {
            if n.kind() == "command"
                && n.child_by_field_name("command_name")
                    .is_some_and(|c| node_text(c, f) == "Write-BackupLog")
            {
                let mut p = n.parent();
                let mut in_try = false;
                while let Some(q) = p {
                    if q.kind() == "try_statement" {
                        in_try = true;
                    }
                    p = q.parent();
                }
                if !in_try {
                    unguarded.push(node_text(n, f).to_string());
                }
            }
            if n.kind() == "try_statement" {
                tries += 1;
            }
        });
        assert!(unguarded.is_empty(), "{what}: {unguarded:?}");
        assert!(tries >= 2, "{what}");
        for (at, _) in f.match_indices("catch {") {
            let c = &f[at..];
            let c = &c[..c.find("\n    }\n").unwrap_or(c.len())];
            assert!(!c.contains("throw"), "{what}: {c}");
        }
        // Its parameters: no attachment, plain text, stop on SMTP errors so the catch sees them.
        let (_, params) = commands(&src)
            .into_iter()
            .find(|(n, _)| n == "Send-MailMessage")
            .expect("send");
        assert_eq!(
            params,
            [
                "SmtpServer",
                "Port",
                "UseSsl",
                "From",
                "To",
                "Subject",
                "Body",
                "Encoding",
                "ErrorAction"
            ],
            "{what}"
        );
        assert!(node_text(send, &src).ends_with("-ErrorAction Stop"));
        // Never under -WhatIf: the function returns first, and its one call is guarded.
        let f = function_text(&src, "Send-RunReport");
        let first = f.lines().nth(4).unwrap_or("").trim();
        assert_eq!(first, "if ($WhatIfPreference) {", "{f}");
        let calls: Vec<usize> = src
            .match_indices("Send-RunReport -ExitCode")
            .map(|(i, _)| i)
            .collect();
        assert_eq!(calls.len(), 1, "{what}");
        let before = &src[..calls[0]];
        assert!(
            before.trim_end().ends_with("if (-not $WhatIfPreference) {"),
            "{what}"
        );
        assert!(calls[0] > def_at);
        // After the run (its exit code is final) and before the event, which then carries a
        // mail failure among the warnings.
        let after = &src[calls[0]..];
        assert!(
            !after.contains("$exitCode ="),
            "{what}: exit code changed after the mail"
        );
        let finally_at = src.rfind("finally {").expect("main finally");
        assert!(calls[0] > finally_at);
        let warn_into_event = after
            .find("$summary = $summary + $warningText")
            .expect("warnings into the event");
        assert!(warn_into_event < after.find("Write-RunEvent").expect("event"));
        // Every event written after the mail carries the warnings.
        let events: Vec<&str> = after
            .lines()
            .filter(|l| l.trim_start().starts_with("Write-RunEvent "))
            .collect();
        assert!(events.len() >= 3, "{what}");
        for e in events {
            assert!(
                e.contains("$summary") || e.contains("$warningText"),
                "{what}: {e}"
            );
        }
    }
    assert!(
        checked >= 3,
        "contoso red, dub and the hostile fixture have notify:"
    );
}

/// The outcome word for an exit code and a warning count, by evaluating the generated
/// Get-RunOutcome: a sequence of `if (COND) { return 'X' }` and a final `return 'X'`, COND made
/// of `$ExitCode -eq N` / `$WarningCount -eq N` joined by `-and` / `-or` (PowerShell gives both
/// the same precedence, left to right); N is a number or one of the script's `$Exit...`
/// constants (`$ExitDrift = 3`), read from the script.
fn outcome(src: &str, exit: i64, warnings: i64) -> String {
    let f = function_text(src, "Get-RunOutcome");
    let lines: Vec<&str> = f.lines().map(str::trim).collect();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if let Some(cond) = l.strip_prefix("if (").and_then(|c| c.strip_suffix(") {")) {
            let ret = lines[i + 1]
                .strip_prefix("return ")
                .expect("a return inside each if");
            assert_eq!(lines[i + 2], "}");
            if eval_condition(src, cond, exit, warnings) {
                return unquote(ret);
            }
            i += 3;
            continue;
        }
        if let Some(ret) = l.strip_prefix("return ") {
            return unquote(ret);
        }
        assert!(
            l.is_empty()
                || l.starts_with('#')
                || l.starts_with("param(")
                || l.starts_with("function ")
                || l == "}",
            "unexpected line in Get-RunOutcome: {l}"
        );
        i += 1;
    }
    panic!("Get-RunOutcome returns nothing for {exit}/{warnings}");
}

fn eval_condition(src: &str, cond: &str, exit: i64, warnings: i64) -> bool {
    let words: Vec<&str> = cond.split_whitespace().collect();
    let value_of = |w: &str| -> i64 {
        if let Ok(n) = w.parse() {
            return n;
        }
        assert!(w.starts_with("$Exit"), "{w} in {cond}");
        let line = src
            .lines()
            .find(|l| l.strip_prefix(w).is_some_and(|r| r.starts_with(" = ")))
            .unwrap_or_else(|| panic!("no {w} = N in the script"));
        line[w.len() + 3..].trim().parse().expect("a number")
    };
    let cmp = |w: &[&str]| -> bool {
        assert_eq!(w[1], "-eq", "{cond}");
        let n = value_of(w[2]);
        match w[0] {
            "$ExitCode" => exit == n,
            "$WarningCount" => warnings == n,
            other => panic!("unknown variable {other} in {cond}"),
        }
    };
    let mut value = cmp(&words[0..3]);
    let mut k = 3;
    while k < words.len() {
        let rhs = cmp(&words[k + 1..k + 4]);
        value = match words[k] {
            "-and" => value && rhs,
            "-or" => value || rhs,
            op => panic!("unknown operator {op}"),
        };
        k += 4;
    }
    value
}

#[test]
fn the_subject_states_the_outcome_first() {
    let (_, src) = sample("contoso").remove(0);
    for (exit, warnings, want) in [
        (0, 0, "COMPLETE"),
        (0, 1, "COMPLETE with warnings"),
        (0, 5, "COMPLETE with warnings"),
        (3, 0, "COMPLETE with warnings"),
        (3, 2, "COMPLETE with warnings"),
        (1, 0, "FAILED"),
        (1, 1, "FAILED"),
        (2, 0, "FAILED"),
        (4, 0, "COMPLETE with warnings"),
        (4, 2, "COMPLETE with warnings"),
        (5, 1, "FAILED"),
        (99, 0, "FAILED"),
        (-1, 0, "FAILED"),
    ] {
        assert_eq!(
            outcome(&src, exit, warnings),
            want,
            "exit {exit}, {warnings} warnings"
        );
    }
    let f = function_text(&src, "Send-RunReport");
    assert!(f.contains(
        "$subject = $outcome + ': ABC failover backup of pool ' + $PoolFqdn + ', set ' + $setName"
    ));
    // when: failure sends nothing only for COMPLETE (warnings are mailed).
    assert!(f.contains("if ($outcome -eq 'COMPLETE' -and -not $NotifyAlways) {"));
    // The body: the step table, the warnings, the log path; plain text.
    let body = function_text(&src, "Get-RunReportBody");
    assert!(function_text(&src, "Get-StepTableText")
        .contains("Format-Table -Property Number, Name, Status, Seconds, Message"));
    for needle in [
        "[void]$lines.Add((Get-StepTableText).Trim())",
        "foreach ($warning in $script:Warnings)",
        "'Log: ' + $script:LogPath",
    ] {
        assert!(body.contains(needle), "{needle}");
    }
    assert!(!src.contains("BodyAsHtml") && !src.contains("-Attachments"));
}

/// `$var.Member.Member` chains on the COM and .NET objects of the task and mail functions,
/// `[Type]::Member` uses, `New-Object` types and Send-MailMessage parameters.
fn api_uses(src: &str) -> BTreeSet<String> {
    let mut text = String::new();
    for f in TASK_FUNCTIONS.iter().chain(MAIL_FUNCTIONS) {
        if src.contains(&format!("function {f} {{")) {
            text.push_str(function_text(src, f));
        }
    }
    let mut uses = BTreeSet::new();
    let objects = [
        "service",
        "folder",
        "definition",
        "trigger",
        "action",
        "task",
        "actions[0]",
        "drive",
        "principal",
        "exception",
    ];
    let lower = text.to_ascii_lowercase();
    for (at, _) in lower.match_indices('$') {
        let rest = &text[at + 1..];
        let Some(obj) = objects
            .iter()
            .find(|o| rest.to_ascii_lowercase().starts_with(&format!("{o}.")))
        else {
            continue;
        };
        let chain: String = rest[obj.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        uses.insert(format!("${obj}{chain}"));
    }
    for (at, _) in text.match_indices("]::") {
        let start = text[..at].rfind('[').expect("type start");
        let member: String = text[at + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let ty = &text[start + 1..at];
        // Types the rest of the script already uses everywhere.
        if matches!(
            ty,
            "string" | "DateTime" | "System.Globalization.CultureInfo"
        ) || (ty == "Environment" && member == "NewLine")
        {
            continue;
        }
        uses.insert(format!("[{ty}]::{member}"));
    }
    for (at, _) in text.match_indices("New-Object ") {
        let rest = &text[at..];
        let end = [" -ArgumentList", "\n", ")"]
            .iter()
            .filter_map(|e| rest.find(e))
            .min()
            .unwrap_or(rest.len());
        let what = rest[..end].trim_end_matches(')');
        if what != "New-Object System.Collections.ArrayList" {
            uses.insert(what.to_string());
        }
    }
    for (name, params) in commands(&text) {
        if name == "Send-MailMessage" {
            uses.insert(name.clone());
            for p in params {
                uses.insert(format!("{name} -{p}"));
            }
        }
    }
    if src.contains("$PSCommandPath") {
        uses.insert("$PSCommandPath".into());
    }
    uses
}

#[test]
fn every_windows_api_used_has_a_source() {
    let table =
        std::fs::read_to_string(common::root().join("tests/windows-apis.tsv")).expect("tsv");
    let mut listed = BTreeSet::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "{line}");
        assert!(
            cols[3].starts_with("https://learn.microsoft.com/")
                || cols[3].starts_with("MicrosoftDocs/"),
            "{line}: source"
        );
        assert!(
            listed.insert(cols[0].to_string()),
            "{} listed twice",
            cols[0]
        );
    }
    let mut used = BTreeSet::new();
    for (_, src) in all_scripts() {
        used.extend(api_uses(&src));
    }
    let checklist = common::text(
        common::render(&common::load_path(
            &common::root().join("samples/contoso.yaml"),
        ))
        .get("red/restore-checklist-red.md")
        .expect("checklist"),
    );
    if checklist.contains("Set-ADServiceAccount -PrincipalsAllowedToRetrieveManagedPassword") {
        used.insert("Set-ADServiceAccount -PrincipalsAllowedToRetrieveManagedPassword".into());
    }
    let missing: Vec<&String> = used.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "used without a source in tests/windows-apis.tsv: {missing:?}"
    );
    let stale: Vec<&String> = listed.difference(&used).collect();
    assert!(stale.is_empty(), "listed but no longer used: {stale:?}");
    assert!(
        used.len() > 40,
        "the scanner finds the uses ({})",
        used.len()
    );
}

#[test]
fn the_switches_are_documented_in_the_help_the_readme_and_the_runbook() {
    for (what, src) in all_scripts() {
        let help = &src[..src.find("\n#>\n").expect("end of help")];
        for needle in [
            ".PARAMETER RegisterTask",
            ".PARAMETER UnregisterTask",
            ".\\<this script>.ps1 -RegisterTask -WhatIf",
            "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File \"<full path of this file>\"",
        ] {
            assert!(help.contains(needle), "{what}: help lacks {needle}");
        }
        assert_eq!(
            help.contains("Email: after each run"),
            src.contains("function Send-RunReport {"),
            "{what}: the help mentions the mail exactly when the script sends one"
        );
    }
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    for needle in [
        "-RegisterTask -WhatIf",
        "-UnregisterTask",
        "notify:",
        "run_as:",
        "schedule:",
    ] {
        assert!(readme.contains(needle), "README lacks {needle}");
    }
    for s in common::samples() {
        let loaded = common::load_path(&s);
        for (path, bytes) in common::render(&loaded) {
            if path.ends_with(".md") {
                let md = common::text(&bytes);
                let after = &md[md.find("## After the 29 steps").expect("section")..];
                assert!(
                    after.contains("**Schedule the backup of pool C**"),
                    "{path}"
                );
                assert!(after.contains("-RegisterTask -WhatIf"), "{path}");
                assert!(after.contains("-UnregisterTask"), "{path}");
            }
        }
    }
}
