//! Every validation rule and warning of `design/topology-format.md`, all reported in one pass,
//! each pointing at the offending value.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Pos, Problem};
use crate::model::{DbRole, Edition, Product, Topology};
use crate::text::is_forbidden_control;
use crate::yaml::{Node, Seg};

/// Characters Windows forbids in paths, plus those this tool refuses because they reach native
/// programs (`"`) or are wildcards (`?`, `*`).
const PATH_FORBIDDEN: &[char] = &['<', '>', '"', '|', '?', '*'];

fn describe_char(c: char) -> String {
    if c.is_control() || is_forbidden_control(c) {
        format!("the control character U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

/// Why `fqdn` is not a valid DNS name, if it is not.
pub fn fqdn_problem(fqdn: &str) -> Option<String> {
    if fqdn.len() > 253 {
        return Some(format!(
            "is {} characters long; an FQDN has at most 253",
            fqdn.len()
        ));
    }
    let labels: Vec<&str> = fqdn.split('.').collect();
    if labels.len() < 2 {
        return Some("needs at least two labels (host.domain)".into());
    }
    for label in labels {
        if label.is_empty() {
            return Some(
                "has an empty label (two dots in a row, or a dot at the start or end)".into(),
            );
        }
        if label.len() > 63 {
            return Some(format!(
                "has a label of {} characters; a label has at most 63",
                label.len()
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            let extra = if c.is_ascii() {
                ""
            } else {
                " (give internationalised names in their xn-- form)"
            };
            return Some(format!(
                "contains {}; labels use only letters, digits and `-`{extra}",
                describe_char(c)
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some(format!(
                "has the label `{label}`, which starts or ends with `-`"
            ));
        }
    }
    None
}

/// One folder name of [`FOLDER_PATH_PATTERN`]: allowed characters, the last not a space or dot.
macro_rules! folder_name {
    () => {
        r#"[^\\/:<>"|?*\x00-\x1F\x7F-\x9F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]*[^\\/:<>"|?*\x00-\x1F\x7F-\x9F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF. ]"#
    };
}

/// The folder-path rule as one regular expression, shared by [`path_problem`] (which explains a
/// refusal) and the generated backup script's `Test-FolderPath` (which checks `-BackupRoot` and
/// `-CopyTo` with `-cmatch`), so a value the topology accepts is never refused at run time.
/// Written in the part of the syntax that .NET and Rust's `regex` read alike: explicit classes,
/// `\xHH` and `\uHHHH` escapes, `\z`; no `.`, `\w`, `\d` or `$`. It is a drive path `D:\Folder`
/// or a UNC path `\\server\share`, then any folders; every name is non-empty, holds none of
/// `\ / :`, [`PATH_FORBIDDEN`] or the controls of [`is_forbidden_control`], and does not end with a
/// space or a dot (which also refuses `.` and `..`). With the length limit
/// [`FOLDER_PATH_MAX_UTF16`] it accepts exactly what [`path_problem`] accepts (tests/rules.rs).
pub const FOLDER_PATH_PATTERN: &str = concat!(
    r#"^(?:[A-Za-z]:|\\\\"#,
    folder_name!(),
    r#")(?:\\"#,
    folder_name!(),
    r#")+\z"#
);

/// The longest folder path, in UTF-16 code units (what .NET's `String.Length` and Windows count):
/// backup sets add their own folders under it, and Windows PowerShell 3.0 stops at 260.
pub const FOLDER_PATH_MAX_UTF16: usize = 200;

/// The Application Server service id rule (`N-ApplicationServer-N`), shared by validate and the
/// backup script's `Get-PoolAppServerServiceId` (`-cmatch`).
pub const SERVICE_ID_PATTERN: &str = r"^[0-9]+-ApplicationServer-[0-9]+\z";

/// The rules the generated backup script applies at run time, from the same definitions
/// validate uses; the templates print them as `$FolderPathPattern`, `$FolderPathMaxLength` and
/// `$ServiceIdPattern`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScriptRules {
    pub folder_path_pattern: &'static str,
    pub folder_path_max_utf16: usize,
    pub service_id_pattern: &'static str,
}

pub const SCRIPT_RULES: ScriptRules = ScriptRules {
    folder_path_pattern: FOLDER_PATH_PATTERN,
    folder_path_max_utf16: FOLDER_PATH_MAX_UTF16,
    service_id_pattern: SERVICE_ID_PATTERN,
};

/// Why `path` is not an absolute Windows path this tool accepts, if it is not.
pub fn path_problem(path: &str) -> Option<String> {
    if let Some(c) = path.chars().find(|c| is_forbidden_control(*c)) {
        return Some(format!("contains {}", describe_char(c)));
    }
    if let Some(c) = path.chars().find(|c| PATH_FORBIDDEN.contains(c)) {
        return Some(
            format!("contains {c:?}, which Windows paths cannot hold", c = c).replace('\'', "`"),
        );
    }
    if path.contains('/') {
        return Some("contains `/`; separate folders with `\\`".into());
    }
    let rest = if let Some(unc) = path.strip_prefix("\\\\") {
        let mut parts = unc.splitn(3, '\\');
        let server = parts.next().unwrap_or("");
        let share = parts.next().unwrap_or("");
        if server.is_empty() || share.is_empty() {
            return Some(
                "is a UNC path without a server and a share (\\\\server\\share\\...)".into(),
            );
        }
        if server.contains(':') || share.contains(':') {
            return Some("contains `:` in the server or share name".into());
        }
        unc
    } else {
        let b = path.as_bytes();
        if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\' {
            if path.len() == 3 {
                return Some("is a drive root; name a folder on the drive".into());
            }
            &path[3..]
        } else {
            return Some("is not absolute: give a drive path (D:\\Folder) or a UNC path (\\\\server\\share\\folder)".into());
        }
    };
    if rest.contains(':') {
        return Some("contains `:` after the drive letter".into());
    }
    if path.ends_with('\\') {
        return Some("ends with `\\`; remove the trailing backslash".into());
    }
    for comp in rest.split('\\') {
        match comp {
            "" => return Some("has an empty folder name (`\\\\` inside the path)".into()),
            "." | ".." => return Some(format!("has a `{comp}` component; give the full path without `.` or `..`")),
            _ if comp.ends_with(' ') || comp.ends_with('.') => {
                return Some(format!("has the folder name `{comp}`, which ends with a space or a dot (Windows drops them)"))
            }
            _ => {}
        }
    }
    if path.encode_utf16().count() > FOLDER_PATH_MAX_UTF16 {
        return Some(format!("is longer than {FOLDER_PATH_MAX_UTF16} characters, counted as Windows does (a character outside the Basic Multilingual Plane, such as an emoji, counts twice); backup sets add their own folders under it, and Windows PowerShell 3.0 stops at 260"));
    }
    None
}

/// Why `s` is not a daily start time `HH:MM` (24-hour, two digits each), if it is not.
fn schedule_problem(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 5 || b[2] != b':' || !digits(0..2) || !digits(3..5) {
        return Some("is not a time of day in the form HH:MM".into());
    }
    let (h, m) = (&s[..2], &s[3..]);
    if h > "23" || m > "59" {
        return Some(format!(
            "is not a time of day: hours run 00-23 and minutes 00-59, not {h}:{m}"
        ));
    }
    None
}

/// One part of `DOMAIN\name$`: 1-15 letters, digits, `_` or `-`, starting with a letter or digit.
fn is_account_part(s: &str) -> bool {
    (1..=15).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Why `s` is not a group managed service account `DOMAIN\name$`, with a hint, if it is not.
fn run_as_problem(s: &str) -> Option<(String, &'static str)> {
    const FORM: &str = "give the gMSA as DOMAIN\\name$ (NetBIOS domain name, account name of 1-15 letters, digits, `_` or `-`, then `$`); omit run_as to run as SYSTEM";
    if s.contains('@') {
        return Some((
            "is a user principal name; the task account is given as DOMAIN\\name$".into(),
            FORM,
        ));
    }
    let Some((domain, name)) = s.split_once('\\') else {
        return Some((
            "has no domain: a group managed service account is DOMAIN\\name$".into(),
            FORM,
        ));
    };
    let Some(account) = name.strip_suffix('$') else {
        return Some((
            "is not a group managed service account (its name ends with `$`): any other account needs a stored password, which this tool never handles".into(),
            "create a gMSA for the task (New-ADServiceAccount), or omit run_as to run as SYSTEM",
        ));
    };
    if !is_account_part(domain) {
        return Some((
            "has a domain part that is not a NetBIOS domain name".into(),
            FORM,
        ));
    }
    if !is_account_part(account) {
        return Some((
            "has an account name that is not 1-15 letters, digits, `_` or `-`".into(),
            FORM,
        ));
    }
    None
}

/// Why `s` is not a host name (one or more DNS labels) or an IPv4 address, if it is not.
fn host_problem(s: &str) -> Option<String> {
    if s.parse::<std::net::Ipv4Addr>().is_ok() {
        return None;
    }
    if s.contains(':') {
        return Some(
            "is not a host name or an IPv4 address (IPv6 literals are not supported)".into(),
        );
    }
    if s.split('.')
        .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_digit()))
    {
        return Some("is not a valid IPv4 address".into());
    }
    if !s.contains('.') {
        // A single label: check it as a label of an FQDN.
        return fqdn_problem(&format!("{s}.invalid")).map(|why| why.replace(".invalid", ""));
    }
    fqdn_problem(s)
}

/// Why `s` is not a plain email address `local@domain.tld`, if it is not.
fn address_problem(s: &str) -> Option<String> {
    if s.contains('<') || s.contains('>') {
        return Some("has a display name or angle brackets; give the address alone".into());
    }
    if s.len() > 254 {
        return Some(format!(
            "is {} characters long; an address has at most 254",
            s.len()
        ));
    }
    let Some((local, domain)) = s.rsplit_once('@') else {
        return Some("has no `@`".into());
    };
    if local.is_empty() || local.len() > 64 {
        return Some(
            "has a local part (before `@`) that is empty or longer than 64 characters".into(),
        );
    }
    const ATEXT: &str = "!#$%&'*+/=?^_`{|}~-";
    if let Some(c) = local
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '.' || ATEXT.contains(*c)))
    {
        return Some(format!(
            "has {} in the local part (before `@`)",
            describe_char(c)
        ));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some("has a local part (before `@`) that starts or ends with a dot, or has two dots in a row".into());
    }
    fqdn_problem(domain)
        .map(|why| format!("has a domain (after `@`) that is not a valid FQDN: it {why}"))
}

fn is_sql_instance(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        None => true,
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            s.len() <= 16
                && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '#'))
        }
        _ => false,
    }
}

fn is_db_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A valid pool id: 1-32 of `[a-z0-9-]`, not a Windows device name. It names the pool's output
/// folder, so it is also what `output` accepts as a generated folder.
pub fn is_pool_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !is_windows_device_name(s)
}

/// Names Windows reserves for devices: a folder called `con` or `lpt1` cannot be created or
/// committed on Windows, and the id names the pool's output folder.
fn is_windows_device_name(s: &str) -> bool {
    matches!(s, "con" | "prn" | "aux" | "nul")
        || ((s.starts_with("com") || s.starts_with("lpt"))
            && s.len() == 4
            && s.as_bytes()[3].is_ascii_digit()
            && s.as_bytes()[3] != b'0')
}

fn is_service_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 3
        && parts[1] == "ApplicationServer"
        && [parts[0], parts[2]]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

struct Checker<'a> {
    root: &'a Node,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn pos(&self, path: &[Seg<'_>]) -> Pos {
        self.root.pos_at(path)
    }
    fn error(&mut self, path: &[Seg<'_>], msg: impl Into<String>) -> &mut Problem {
        let p = Problem::error(Some(self.pos(path)), msg);
        self.problems.push(p);
        self.problems.last_mut().expect("just pushed")
    }
    fn warn(&mut self, path: &[Seg<'_>], msg: impl Into<String>) -> &mut Problem {
        let p = Problem::warning(Some(self.pos(path)), msg);
        self.problems.push(p);
        self.problems.last_mut().expect("just pushed")
    }
    fn fqdn(&mut self, path: &[Seg<'_>], what: &str, value: &str) {
        if let Some(why) = fqdn_problem(value) {
            self.error(
                path,
                format!(
                    "{what} `{}` is not a valid FQDN: it {why}",
                    crate::diagnostic::shown(value)
                ),
            );
        }
    }
    fn path(&mut self, path: &[Seg<'_>], what: &str, value: &str) {
        if let Some(why) = path_problem(value) {
            let shown = crate::diagnostic::shown(value);
            self.error(path, format!("{what} `{shown}` {why}"));
        }
    }
    fn instance(&mut self, path: &[Seg<'_>], value: &Option<String>) {
        if let Some(i) = value {
            if !is_sql_instance(i) {
                self.error(path, format!("`{}` is not a valid SQL Server instance name", i.escape_debug()))
                    .help = Some("an instance name starts with a letter or `_`, then up to 15 letters, digits, `_`, `$` or `#`; omit it for the default instance".into());
            }
        }
    }
}

/// Check a deserialized topology; `root` is the tree it came from (for positions).
pub fn validate(t: &Topology, root: &Node) -> Vec<Problem> {
    use Seg::{Index as I, Key as K};
    let mut c = Checker {
        root,
        problems: Vec::new(),
    };

    if t.format != 1 {
        c.error(
            &[K("format")],
            format!("unsupported format {}; only format 1 exists", t.format),
        );
    }
    if let Some(org) = &t.organization {
        if let Some(ch) = org.chars().find(|ch| is_forbidden_control(*ch)) {
            c.error(
                &[K("organization")],
                format!(
                    "organization must be one line without control characters; it contains {}",
                    describe_char(ch)
                ),
            );
        }
        // Issue #2 lists `"` and `|` in organization as bad input (stricter than the format
        // doc): `"` would reach native command lines and `|` splits Markdown table cells.
        if let Some(ch) = org.chars().find(|ch| matches!(ch, '"' | '|')) {
            c.error(
                &[K("organization")],
                format!("organization must not contain `{ch}`"),
            )
            .help = Some("write the name without double quotes and `|`".into());
        }
        if org.chars().count() > 200 {
            c.error(
                &[K("organization")],
                format!(
                    "organization is {} characters long; at most 200",
                    org.chars().count()
                ),
            );
        }
    }

    // backup
    let b = &t.backup;
    c.path(&[K("backup"), K("root")], "backup.root", &b.root);
    let mut seen_copies = HashSet::new();
    for (i, copy) in b.copies.iter().enumerate() {
        let p = [K("backup"), K("copies"), I(i)];
        c.path(&p, "backup copy", copy);
        if copy.eq_ignore_ascii_case(&b.root) {
            c.error(&p, "a backup copy location is the same as backup.root");
        }
        if !seen_copies.insert(copy.to_ascii_lowercase()) {
            c.error(&p, format!("backup copy location `{copy}` is listed twice"));
        }
    }
    if let Some(s) = &b.sql_backup_path {
        c.path(
            &[K("backup"), K("sql_backup_path")],
            "backup.sql_backup_path",
            s,
        );
    }
    if !(1..=3650).contains(&b.retention_days) {
        c.error(
            &[K("backup"), K("retention_days")],
            format!(
                "retention_days is {}; it must be between 1 and 3650",
                b.retention_days
            ),
        );
    }
    if !(1..=1000).contains(&b.keep_last) {
        c.error(
            &[K("backup"), K("keep_last")],
            format!(
                "keep_last is {}; it must be between 1 and 1000",
                b.keep_last
            ),
        );
    }
    if let Some(why) = schedule_problem(&b.schedule) {
        c.error(
            &[K("backup"), K("schedule")],
            format!(
                "backup.schedule `{}` {why}",
                crate::diagnostic::shown(&b.schedule)
            ),
        )
        .help = Some("the daily start time in local time, for example '02:30' (in quotes)".into());
    }
    if let Some(r) = &b.run_as {
        if let Some((why, help)) = run_as_problem(r) {
            c.error(
                &[K("backup"), K("run_as")],
                format!("backup.run_as `{}` {why}", crate::diagnostic::shown(r)),
            )
            .help = Some(help.into());
        }
    }
    if b.copies.is_empty() {
        c.warn(&[K("backup")], "no backup.copies: Microsoft's backup prerequisites ask for a copy of every backup in another location")
            .help = Some("add `copies:` with at least one UNC folder on another server".into());
    }

    if let Some(n) = &t.notify {
        if let Some(why) = host_problem(&n.smtp_server) {
            c.error(
                &[K("notify"), K("smtp_server")],
                format!(
                    "notify.smtp_server `{}` {why}",
                    crate::diagnostic::shown(&n.smtp_server)
                ),
            )
            .help = Some("give the host name (or IPv4 address) of the SMTP relay".into());
        }
        if !(1..=65535).contains(&n.port) {
            c.error(
                &[K("notify"), K("port")],
                format!("notify.port is {}; it must be between 1 and 65535", n.port),
            );
        }
        if n.use_ssl && n.port == 465 {
            c.warn(&[K("notify"), K("port")], "port 465 expects TLS from the first byte, but Send-MailMessage -UseSsl starts TLS with STARTTLS: the mail will most likely fail")
                .help = Some("use the relay's submission port (usually 587) with use_ssl".into());
        }
        if let Some(why) = address_problem(&n.from) {
            c.error(
                &[K("notify"), K("from")],
                format!(
                    "notify.from `{}` is not a valid email address: it {why}",
                    crate::diagnostic::shown(&n.from)
                ),
            );
        }
        if n.to.is_empty() {
            c.error(
                &[K("notify"), K("to")],
                "notify.to is empty: list at least one recipient",
            );
        }
        let mut seen_to = HashSet::new();
        for (i, a) in n.to.iter().enumerate() {
            let p = [K("notify"), K("to"), I(i)];
            if let Some(why) = address_problem(a) {
                c.error(
                    &p,
                    format!(
                        "notify.to `{}` is not a valid email address: it {why}",
                        crate::diagnostic::shown(a)
                    ),
                );
            } else if !seen_to.insert(a.to_ascii_lowercase()) {
                c.error(&p, format!("recipient `{a}` is listed twice"));
            }
        }
    }

    if t.pools.is_empty() {
        c.error(
            &[K("pools")],
            "pools is empty: describe at least one pool A",
        );
    }

    let any_db = t.pools.iter().any(|p| !p.databases.is_empty());
    let sql_local = b
        .sql_backup_path
        .as_deref()
        .is_some_and(|s| !s.starts_with("\\\\"));

    // Lookups by id and by FQDN (lower-cased) in linear time: index of the first pool with each.
    let mut first_with_id: HashMap<String, usize> = HashMap::new();
    let mut first_with_fqdn: HashMap<String, usize> = HashMap::new();
    for (pi, pool) in t.pools.iter().enumerate() {
        first_with_fqdn
            .entry(pool.fqdn.to_ascii_lowercase())
            .or_insert(pi);
    }
    let listed_index = |fqdn: &str| first_with_fqdn.get(&fqdn.to_ascii_lowercase()).copied();
    let listed_pool = |fqdn: &str| listed_index(fqdn).and_then(|i| t.pools.get(i));

    for (pi, pool) in t.pools.iter().enumerate() {
        let base = [K("pools"), I(pi)];
        let at = |rest: &[Seg<'static>]| -> Vec<Seg<'static>> {
            base.iter().copied().chain(rest.iter().copied()).collect()
        };

        c.fqdn(&at(&[K("fqdn")]), "pool fqdn", &pool.fqdn);
        let id = pool.effective_id();
        if !is_pool_id(&id) {
            match &pool.id {
                Some(_) => {
                    c.error(
                        &at(&[K("id")]),
                        format!("pool id `{}` is not valid", id.escape_debug()),
                    )
                    .help = Some("an id is 1-32 of lower-case letters, digits and `-`, and not a Windows device name such as con, nul or com1".into());
                }
                None => {
                    c.error(
                        &at(&[K("fqdn")]),
                        format!(
                            "the id derived from this FQDN, `{}`, is not a valid pool id",
                            id.escape_debug()
                        ),
                    )
                    .help = Some("add `id:` with 1-32 lower-case letters, digits and `-`".into());
                }
            }
        }
        let first_id = *first_with_id.entry(id.clone()).or_insert(pi);
        if first_id < pi {
            let line = c.pos(&[K("pools"), I(first_id)]).line;
            c.error(
                &at(&[K("id")]),
                format!("pool id `{id}` is already used by the pool at line {line}"),
            )
            .help =
                Some("give each pool a distinct `id:` (it names the pool's output folder)".into());
        }
        let first_fqdn = listed_index(&pool.fqdn).unwrap_or(pi);
        if first_fqdn < pi {
            let line = c.pos(&[K("pools"), I(first_fqdn)]).line;
            c.error(
                &at(&[K("fqdn")]),
                format!(
                    "pool `{}` is already described by the pool at line {line}",
                    pool.fqdn
                ),
            )
            .help = Some("describe each pool A once; merge the two entries".into());
        }
        c.path(&at(&[K("file_store")]), "file_store", &pool.file_store);
        if let Some(sid) = &pool.app_server_service_id {
            if !is_service_id(sid) {
                c.error(&at(&[K("app_server_service_id")]), format!("`{}` is not an Application Server service id", sid.escape_debug()))
                    .help = Some("the form is N-ApplicationServer-N, for example 1-ApplicationServer-1; omit it and the script reads it at run time".into());
            }
        }

        // pool B
        let bp = &pool.backup_pool;
        c.fqdn(
            &at(&[K("backup_pool"), K("fqdn")]),
            "backup_pool fqdn",
            &bp.fqdn,
        );
        if bp.fqdn.eq_ignore_ascii_case(&pool.fqdn) {
            c.error(
                &at(&[K("backup_pool"), K("fqdn")]),
                format!("pool B (backup_pool) `{}` is the same pool as pool A (FQDNs are compared ignoring case)", bp.fqdn),
            )
            .help = Some("backup_pool is the other pool paired with pool A in Topology Builder".into());
        }
        for (key, sql) in [("backend", &bp.backend), ("mirror", &bp.mirror)] {
            if let Some(sql) = sql {
                c.fqdn(
                    &at(&[K("backup_pool"), K(key), K("server")]),
                    &format!("backup_pool.{key}.server"),
                    &sql.server,
                );
                c.instance(
                    &at(&[K("backup_pool"), K(key), K("instance")]),
                    &sql.instance,
                );
            }
        }
        if bp.mirror.is_some() && bp.backend.is_none() {
            c.error(
                &at(&[K("backup_pool")]),
                "backup_pool has a mirror but no backend",
            );
        }
        let partner = listed_pool(&bp.fqdn);
        if let Some(partner) = partner {
            if !partner.backup_pool.fqdn.eq_ignore_ascii_case(&pool.fqdn) {
                c.error(
                    &at(&[K("backup_pool"), K("fqdn")]),
                    format!(
                        "pairing is not symmetric: pool B `{}` is listed as a pool whose backup_pool is `{}`, not `{}`",
                        bp.fqdn, partner.backup_pool.fqdn, pool.fqdn
                    ),
                )
                .help = Some("paired pools back each other up 1:1; fix one of the two backup_pool entries".into());
            }
            if partner.edition != pool.edition {
                c.warn(&at(&[K("edition")]), "pool A and pool B have different editions; Microsoft supports pairing only pools of the same edition");
            }
        }
        if pool.hosts_cms == crate::model::HostsCms::Yes
            && bp.backend.is_none()
            && pool.edition == Edition::Enterprise
        {
            c.warn(&at(&[K("backup_pool")]), "hosts_cms is true but backup_pool.backend is not given: the CMS failover step keeps a placeholder")
                .help = Some("add backup_pool.backend (server and instance of pool B's back end)".into());
        }

        // pool C
        if let Some(rp) = &pool.replacement_pool {
            c.fqdn(
                &at(&[K("replacement_pool"), K("fqdn")]),
                "replacement_pool fqdn",
                &rp.fqdn,
            );
            if rp.fqdn.eq_ignore_ascii_case(&pool.fqdn) {
                c.error(
                    &at(&[K("replacement_pool"), K("fqdn")]),
                    "pool C (replacement_pool) must have a new FQDN, not pool A's",
                );
            }
            if rp.fqdn.eq_ignore_ascii_case(&bp.fqdn) {
                c.error(
                    &at(&[K("replacement_pool"), K("fqdn")]),
                    "pool C (replacement_pool) is the same pool as pool B",
                );
            }
            if let Some(fs) = &rp.file_store {
                c.path(
                    &at(&[K("replacement_pool"), K("file_store")]),
                    "replacement_pool.file_store",
                    fs,
                );
            }
            if let Some(partner) = partner {
                if partner.edition != rp.edition {
                    let ed = Edition::key;
                    c.error(
                        &at(&[K("replacement_pool"), K("edition")]),
                        format!(
                            "pool C's edition ({}) differs from pool B's ({}): Microsoft supports pairing only pools of the same edition, so step 22 could not pair them",
                            ed(rp.edition),
                            ed(partner.edition)
                        ),
                    )
                    .help = Some(format!(
                        "build pool C with pool B's edition and set replacement_pool.edition: {}",
                        ed(partner.edition)
                    ));
                }
            }
        }

        // services
        if t.product == Product::Sfb2019 && pool.services.persistent_chat_next_hop {
            c.error(
                &at(&[K("services"), K("persistent_chat_next_hop")]),
                "Persistent Chat is not supported in Skype for Business Server 2019",
            )
            .help = Some("set persistent_chat_next_hop: false, or check `product:`".into());
        }
        if pool.services.response_groups && pool.rgs_audio_sources.is_empty() {
            c.warn(&at(&[K("services"), K("response_groups")]), "response_groups without rgs_audio_sources: the original recordings are not kept separately")
                .help = Some("list the folders that hold the original Response Group audio in rgs_audio_sources".into());
        }
        for (i, e) in pool.edge_pools.iter().enumerate() {
            c.fqdn(&at(&[K("edge_pools"), I(i)]), "edge pool", e);
        }
        let mut seen_sbas = HashSet::new();
        for (i, s) in pool.branch_appliances.iter().enumerate() {
            c.fqdn(&at(&[K("branch_appliances"), I(i)]), "branch appliance", s);
            if !seen_sbas.insert(s.to_ascii_lowercase()) {
                c.error(
                    &at(&[K("branch_appliances"), I(i)]),
                    format!("branch appliance `{s}` is listed twice"),
                );
            }
        }
        for (i, s) in pool.rgs_audio_sources.iter().enumerate() {
            c.path(
                &at(&[K("rgs_audio_sources"), I(i)]),
                "rgs_audio_sources entry",
                s,
            );
        }

        // databases
        // (server, instance, name), lower-cased -> line of the first mention
        let mut seen_dbs: HashMap<(String, String, String), usize> = HashMap::new();
        for (di, db) in pool.databases.iter().enumerate() {
            let dbp = |k: &'static str| at(&[K("databases"), I(di), K(k)]);
            c.fqdn(&dbp("server"), "database server", &db.server);
            c.instance(&dbp("instance"), &db.instance);
            if db.role == DbRole::PersistentChat && t.product == Product::Sfb2019 {
                c.error(
                    &dbp("role"),
                    "Persistent Chat is not supported in Skype for Business Server 2019",
                )
                .help =
                    Some("remove this persistent_chat database entry, or check `product:`".into());
            }
            if db.names.is_empty() {
                c.error(
                    &dbp("names"),
                    "names is empty: list the databases to back up",
                );
            }
            for (ni, name) in db.names.iter().enumerate() {
                let np = at(&[K("databases"), I(di), K("names"), I(ni)]);
                if !is_db_name(name) {
                    c.error(
                        &np,
                        format!("`{}` is not a valid database name", name.escape_debug()),
                    )
                    .help = Some("database names use 1-128 letters, digits and `_`".into());
                }
                let key = (
                    db.server.to_ascii_lowercase(),
                    db.instance.as_deref().unwrap_or("").to_ascii_lowercase(),
                    name.to_ascii_lowercase(),
                );
                let line = c.pos(&np).line;
                if let Some(first) = seen_dbs.get(&key) {
                    c.error(
                        &np,
                        format!("database `{name}` on this SQL instance is listed twice (first at line {first})"),
                    )
                    .help = Some("list each database once".into());
                } else {
                    seen_dbs.insert(key, line);
                }
            }
            if sql_local && !db.server.eq_ignore_ascii_case(&pool.fqdn) {
                c.warn(&dbp("server"), format!(
                    "backup.sql_backup_path is a local drive path, but database server `{}` is another host: the path is resolved on the SQL Server, and the script on pool A cannot read the .bak files there",
                    db.server
                ))
                .help = Some("use a UNC share that both the SQL Server service account and pool A can reach".into());
            }
        }
    }
    // The SQL staging folder `<sql_backup_path>\<pool id>` must not overlap a set location
    // `<root or copy>\<pool id>`: Prune would take the staging folders for sets (or the other
    // way round) and `WITH INIT` would overwrite files of a set.
    if let Some(sql_path) = &b.sql_backup_path {
        if t.pools.iter().any(|p| !p.databases.is_empty()) {
            let locations = std::iter::once(("backup.root", &b.root))
                .chain(b.copies.iter().map(|c| ("a backup copy location", c)));
            // Only between valid paths: an invalid one already has its own error.
            let valid = |p: &str| path_problem(p).is_none();
            for (what, location) in locations {
                if valid(sql_path) && valid(location) && folders_overlap(sql_path, location) {
                    c.error(
                        &[K("backup"), K("sql_backup_path")],
                        format!(
                            "backup.sql_backup_path overlaps {what} `{}`: the SQL staging folder of a pool would be inside a backup set folder, or contain one",
                            crate::diagnostic::shown(location)
                        ),
                    )
                    .help = Some(
                        "give the SQL Server backups a folder of their own, outside backup.root and every copy".into(),
                    );
                }
            }
        }
    }
    if any_db && b.sql_backup_path.is_none() {
        let first = t
            .pools
            .iter()
            .position(|p| !p.databases.is_empty())
            .unwrap_or(0);
        c.error(
            &[K("pools"), I(first), K("databases")],
            "databases are listed but backup.sql_backup_path is not set",
        )
        .help = Some(
            "add backup.sql_backup_path: a folder the SQL Server service account can write".into(),
        );
    }
    c.problems
}

/// Whether two folder paths are the same folder or one holds the other (compared without case,
/// as on Windows). `<a>\<pool id>` and `<b>\<pool id>` overlap exactly when `a` and `b` do.
fn folders_overlap(a: &str, b: &str) -> bool {
    let a = a.to_ascii_lowercase();
    let b = b.to_ascii_lowercase();
    let inside = |outer: &str, inner: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('\\'))
    };
    inside(&a, &b) || inside(&b, &a)
}

#[cfg(test)]
mod overlap_tests {
    use super::folders_overlap;

    #[test]
    fn overlap_is_by_whole_folder_names() {
        assert!(folders_overlap(r"D:\Bk", r"d:\bk"));
        assert!(folders_overlap(r"D:\Bk", r"D:\Bk\Sql"));
        assert!(folders_overlap(r"\\s\share\Sql", r"\\S\Share"));
        assert!(!folders_overlap(r"D:\Bk", r"D:\Bk2"));
        assert!(!folders_overlap(r"D:\Bk\Sql", r"D:\Bk2\Sql"));
    }
}
