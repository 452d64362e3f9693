//! The imported topology as a commented topology file, in the style of `init`'s starter.
//! Every value read from the document says where it came from; every value the document does
//! not hold is a `FILL-IN` line (which fails validation until it is replaced) and is listed.
//! Document values are hostile: they reach the file only through [`yaml_str`], and comments
//! only through [`comment_safe`].

use super::derive::{Imported, ImportedPool, Sql};
use crate::model::{DbRole, Edition, HostsCms};

/// The value written where the document does not say: not a valid value of any key.
pub const FILL_IN: &str = "FILL-IN";

/// One value to fill in: where it is in the written file and how to give it with `--set`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fill {
    pub line: usize,
    pub set_path: String,
    pub what: String,
}

#[derive(Debug, Clone)]
pub struct Written {
    pub text: String,
    pub fills: Vec<Fill>,
    /// The pool ids written, in order (what `--set pools.ID....` addresses).
    pub ids: Vec<String>,
}

const WIDTH: usize = 96;

/// `s` as a YAML scalar that reads back as exactly `s`: single-quoted when every character is
/// printable, else double-quoted with escapes.
pub fn yaml_str(s: &str) -> String {
    let printable = |c: char| {
        matches!(c, '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
            && c != '\u{FEFF}'
    };
    if s.chars().all(printable) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xFF => out.push_str(&format!("\\x{:02X}", c as u32)),
            // Every character at or above U+10000 is printable, so four digits suffice.
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A name (FQDN, SQL instance) as a plain YAML scalar when that reads back as the same string,
/// else as [`yaml_str`].
pub fn yaml_name(s: &str) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && crate::yaml::resolve_plain(s) == crate::yaml::Plain::Str;
    if plain {
        s.to_string()
    } else {
        yaml_str(s)
    }
}

/// A document value as shown inside a comment: one line, nothing that could end the comment
/// or drive a terminal, at most 100 characters.
pub fn comment_safe(s: &str) -> String {
    crate::diagnostic::shown(s)
}

struct Out {
    lines: Vec<String>,
    fills: Vec<Fill>,
}

impl Out {
    fn line(&mut self, indent: usize, text: &str) {
        self.lines.push(format!("{}{text}", " ".repeat(indent)));
    }
    fn blank(&mut self) {
        self.lines.push(String::new());
    }
    /// A comment wrapped at [`WIDTH`].
    fn comment(&mut self, indent: usize, text: &str) {
        let lead = format!("{}# ", " ".repeat(indent));
        let mut cur = lead.clone();
        for word in text.split(' ') {
            if cur.len() > lead.len() && cur.len() + 1 + word.len() > WIDTH {
                self.lines.push(std::mem::replace(&mut cur, lead.clone()));
            }
            if cur.len() > lead.len() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
        self.lines.push(cur);
    }
    fn kv(&mut self, indent: usize, key: &str, value: &str) {
        self.line(indent, &format!("{key}: {value}"));
    }
    fn fill(&mut self, indent: usize, key: &str, set_path: String, what: &str) {
        self.comment(
            indent,
            &format!("FILL-IN (not in the topology document): {what}"),
        );
        self.kv(indent, key, FILL_IN);
        self.fills.push(Fill {
            line: self.lines.len(),
            set_path,
            what: what.to_string(),
        });
    }
}

/// Pool ids: the first label of each FQDN, lower-cased, reduced to `[a-z0-9-]{1,32}` and made
/// unique with `-2`, `-3`, ...
pub fn pool_ids(pools: &[ImportedPool]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut taken = std::collections::HashSet::new();
    for p in pools {
        let mut base: String = crate::model::default_pool_id(&p.fqdn)
            .chars()
            .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
            .take(32)
            .collect();
        if base.is_empty() {
            base = "pool".into();
        }
        let mut id = base.clone();
        let mut n = 2;
        while taken.contains(&id) {
            let suffix = format!("-{n}");
            id = format!("{}{suffix}", &base[..base.len().min(32 - suffix.len())]);
            n += 1;
        }
        taken.insert(id.clone());
        ids.push(id);
    }
    ids
}

fn sql_lines(out: &mut Out, indent: usize, sql: &Sql) {
    out.kv(indent, "server", &yaml_name(&sql.server));
    if sql.instance.is_empty() {
        out.comment(indent, "The default SQL instance.");
    } else {
        out.kv(indent, "instance", &yaml_name(&sql.instance));
    }
}

/// The topology file for `imported`; `out_name` is the file name used in the instructions.
pub fn write(imported: &Imported, out_name: &str) -> Written {
    let mut out = Out {
        lines: Vec::new(),
        fills: Vec::new(),
    };
    let ids = pool_ids(&imported.pools);
    let source_name = imported
        .source
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&imported.source);
    out.comment(
        0,
        "abc-failover topology, format 1, written by `abc-failover import` from:",
    );
    out.line(
        0,
        &format!(
            "#   {} ({})",
            comment_safe(source_name),
            imported.dialect.describe()
        ),
    );
    out.line(0, "#");
    let name = comment_safe(out_name);
    out.comment(0, "Each value read from the document says where it came from. Lines marked FILL-IN are not in the document: replace each one (or give it with --set PATH=VALUE; import listed them), review the rest, then run:");
    out.line(0, &format!("#   abc-failover validate {name}"));
    out.line(0, &format!("#   abc-failover render {name} -o out"));
    out.comment(0, "To see later whether the deployment drifted from this file (in CI, against the newest backup set):");
    out.line(
        0,
        &format!("#   abc-failover import <backup set>\\Inventory\\Topology.xml --compare {name}"),
    );
    out.comment(
        0,
        "Paths are absolute Windows paths in single quotes, so YAML keeps backslashes as they are.",
    );
    out.blank();
    out.comment(0, "Format of this file. Only 1 exists.");
    out.kv(0, "format", "1");
    out.blank();
    let versions: Vec<String> = imported.versions.iter().map(u32::to_string).collect();
    match imported.product {
        Some(p) => {
            let facts = crate::product::facts(p);
            let (key, title) = (facts.key, facts.name);
            out.comment(
                0,
                &format!(
                    "Product: {title}, from ServiceVersion {} of the pools' services.",
                    versions.join(", ")
                ),
            );
            out.kv(0, "product", key);
        }
        None => {
            let seen = if versions.is_empty() {
                "the document gives no ServiceVersion".to_string()
            } else {
                format!(
                    "the pools' services have ServiceVersion {} (6 = Lync Server 2013, 7 = Skype for Business Server 2015, 8 = 2019)",
                    versions.join(", ")
                )
            };
            out.fill(
                0,
                "product",
                "product".into(),
                &format!("lync2013, sfb2015 or sfb2019; {seen}."),
            );
        }
    }
    out.blank();
    out.line(0, "backup:");
    out.fill(2, "root", "backup.root".into(), "the folder where each backup run writes a new set (root\\<pool id>\\<UTC time>): a drive path on the front end that runs the script, or a UNC share its computer account can write.");
    out.blank();
    out.comment(2, "Optional, strongly recommended (not in the topology document): further locations that receive a verified copy of every set. Uncomment and edit:");
    out.line(2, "# copies:");
    out.line(2, "#   - '\\\\dr-files.contoso.com\\LyncDR'");
    out.blank();
    if imported.pools.iter().any(|p| !p.databases.is_empty()) {
        out.fill(2, "sql_backup_path", "backup.sql_backup_path".into(), "a folder the SQL Server service account can write; the .bak files of the databases below are written there. Use a UNC share when the SQL Server is another host.");
        out.blank();
    }
    out.comment(
        2,
        "Optional (default 14, 1..3650): sets older than this many days may be removed.",
    );
    out.kv(2, "retention_days", "14");
    out.comment(
        2,
        "Optional (default 3, 1..1000): the newest N complete sets are never removed.",
    );
    out.kv(2, "keep_last", "3");
    out.blank();
    if imported.pools.is_empty() {
        out.comment(
            0,
            "The document has no Front End pool. Add each pool A by hand (see abc-failover init).",
        );
        out.line(0, "pools: []");
    } else {
        out.comment(0, "Every Front End pool of the document (Directors are not pools A). Remove a pool you do not protect; when pool B is also listed, its backup_pool must point back at this pool (pairing is symmetric).");
        out.line(0, "pools:");
    }
    let enterprise = candidates(imported, Edition::Enterprise);
    let standard = candidates(imported, Edition::Standard);
    let unknown = Candidates {
        shown: Vec::new(),
        total: 0,
    };
    for (p, id) in imported.pools.iter().zip(&ids) {
        let cands = match p.edition {
            Some(Edition::Enterprise) => &enterprise,
            Some(Edition::Standard) => &standard,
            None => &unknown,
        };
        pool(&mut out, imported, p, id, cands);
    }
    let mut text = out.lines.join("\n");
    text.push('\n');
    Written {
        text,
        fills: out.fills,
        ids,
    }
}

/// Pools that could be a pool B, per edition (Microsoft pairs only pools of the same edition):
/// the first few with a known back end, and how many there are in all.
struct Candidates<'a> {
    shown: Vec<&'a ImportedPool>,
    total: usize,
}

/// How many candidate back ends a `FILL-IN` pool B lists in its comment.
const SHOWN_CANDIDATES: usize = 5;

fn candidates(imported: &Imported, edition: Edition) -> Candidates<'_> {
    let edition = Some(edition);
    let mut all = imported
        .pools
        .iter()
        .filter(|o| o.edition == edition && o.own_backend.is_some());
    let shown: Vec<&ImportedPool> = all.by_ref().take(SHOWN_CANDIDATES + 1).collect();
    let total = shown.len() + all.count();
    Candidates { shown, total }
}

fn pool(out: &mut Out, imported: &Imported, p: &ImportedPool, id: &str, cands: &Candidates<'_>) {
    let i = 4;
    out.line(
        2,
        &format!("- # The cluster at line {} of the document.", p.at.0),
    );
    out.comment(
        i,
        "Short name for file and folder names (and for --set pools.<id>...).",
    );
    out.kv(i, "id", &yaml_name(id));
    out.kv(i, "fqdn", &yaml_name(&p.fqdn));
    let backend = p.own_backend.as_ref().map(|b| comment_safe(&b.target()));
    match p.edition {
        Some(Edition::Standard) => {
            out.comment(
                i,
                &match &backend {
                    Some(b) => format!(
                        "Standard Edition: a single-machine pool with its own SQL instance ({b})."
                    ),
                    None => "Standard Edition: a single-machine pool.".to_string(),
                },
            );
            out.kv(i, "edition", Edition::Standard.key());
        }
        Some(Edition::Enterprise) => {
            out.comment(
                i,
                &format!(
                    "Enterprise Edition: the back end (its UserStore) is on a separate SQL Server, {}.",
                    backend.as_deref().unwrap_or_default()
                ),
            );
            out.kv(i, "edition", Edition::Enterprise.key());
        }
        None => out.fill(
            i,
            "edition",
            format!("pools.{id}.edition"),
            "enterprise or standard (the document names no UserStore for this pool).",
        ),
    }
    match &p.file_store {
        Some(fs) => {
            out.comment(i, "The share of the FileStore service the pool depends on.");
            out.kv(i, "file_store", &yaml_str(fs));
        }
        None => out.fill(
            i,
            "file_store",
            format!("pools.{id}.file_store"),
            "the pool's file store share (the document names none for this pool).",
        ),
    }
    match &p.app_server_service_id {
        Some(sid) => {
            out.comment(i, "The pool's Application Server service (its folder under the file store).");
            out.kv(i, "app_server_service_id", &yaml_str(sid));
        }
        None => out.comment(i, "app_server_service_id is not in the document (a Topology Builder file holds it only once published and downloaded): the backup script reads it at run time with Get-CsService -ApplicationServer."),
    }
    let from = p
        .cms_source
        .as_deref()
        .map(|s| format!(" (from {})", comment_safe(s)))
        .unwrap_or_default();
    match p.hosts_cms {
        HostsCms::Yes => {
            out.comment(
                i,
                &format!("The active Central Management Server runs on this pool{from}."),
            );
            out.kv(i, "hosts_cms", "true");
        }
        HostsCms::No => {
            out.comment(
                i,
                &format!("The active Central Management Server runs on another pool{from}."),
            );
            out.kv(i, "hosts_cms", "false");
        }
        HostsCms::Unknown => {
            out.comment(i, "The document has no active Central Management Server (not yet published?): unknown keeps the \"where is the CMS\" check in the restore checklist.");
            out.kv(i, "hosts_cms", "unknown");
        }
    }
    out.line(i, "backup_pool:");
    match &p.backup_pool {
        Some(b) => {
            let source = p.pairing_source.as_deref().unwrap_or("the backup set");
            out.comment(i + 2, &format!("Pool B, from {}.", comment_safe(source)));
            out.kv(i + 2, "fqdn", &yaml_name(b));
            let pool_b = imported.pool(b);
            if let Some(backend) = pool_b.and_then(|b| b.own_backend.as_ref()) {
                let ag = pool_b
                    .and_then(|b| b.own_backend_primary.as_deref())
                    .map(|n| {
                        format!(
                            " An AlwaysOn availability group; its primary node is {}.",
                            comment_safe(n)
                        )
                    })
                    .unwrap_or_default();
                out.comment(
                    i + 2,
                    &format!("Pool B's back end: the SQL instance of its UserStore.{ag}"),
                );
                out.line(i + 2, "backend:");
                sql_lines(out, i + 4, backend);
            }
        }
        None => {
            out.fill(
                i + 2,
                "fqdn",
                format!("pools.{id}.backup_pool.fqdn"),
                &format!(
                    "pool B, the pool paired with this one (Topology Builder: \"Associated backup pool\"; Get-CsPoolBackupRelationship -PoolFqdn {}).",
                    comment_safe(&p.fqdn)
                ),
            );
            let others: Vec<String> = cands
                .shown
                .iter()
                .filter(|o| o.fqdn != p.fqdn)
                .take(SHOWN_CANDIDATES)
                .filter_map(|o| {
                    o.own_backend.as_ref().map(|b| {
                        format!(
                            "{} uses {}",
                            comment_safe(&o.fqdn),
                            comment_safe(&b.target())
                        )
                    })
                })
                .collect();
            let total = cands.total - usize::from(p.own_backend.is_some());
            if !others.is_empty() {
                let mut list = others.join("; ");
                if total > others.len() {
                    list.push_str(&format!("; and {} more", total - others.len()));
                }
                out.comment(i + 2, &format!("Optional: pool B's back end (backend: server, instance), needed to fail the CMS over. The back ends of the document's pools of the same edition: {list}."));
            }
        }
    }
    out.comment(i, &format!("Optional: pool C, the pool that will replace this one. Leave it out until it is known; the checklist keeps marked placeholders, which you can fill at disaster time with --set pools.{id}.replacement_pool.fqdn=<pool C FQDN>."));
    out.line(i, "# replacement_pool:");
    out.line(i, "#   fqdn: pool-c.contoso.com");
    out.line(
        i,
        &format!("#   edition: {}", p.edition.unwrap_or_default().key()),
    );
    out.comment(i, "Which applications of the pool to back up and restore. The document does not say which are in use: true keeps their steps; set false only for one the pool does not use.");
    out.line(i, "services:");
    out.kv(i + 2, "lis", "true");
    out.kv(i + 2, "response_groups", "true");
    out.kv(i + 2, "call_park", "true");
    out.kv(i + 2, "announcements", "true");
    if p.persistent_chat_next_hop {
        out.comment(i + 2, "A Persistent Chat service depends on this pool.");
        out.kv(i + 2, "persistent_chat_next_hop", "true");
    } else {
        out.comment(
            i + 2,
            "No Persistent Chat service of the document depends on this pool.",
        );
        out.kv(i + 2, "persistent_chat_next_hop", "false");
    }
    out.comment(i, "Optional (not in the document): folders that hold the ORIGINAL Response Group recordings. Uncomment and edit:");
    out.line(i, "# rgs_audio_sources:");
    out.line(i, "#   - '\\\\media.contoso.com\\RgsPrompts'");
    if !p.edge_pools.is_empty() {
        out.comment(
            i,
            "Edge pools whose EdgeServer has this pool's Registrar as next hop.",
        );
        out.line(i, "edge_pools:");
        for e in &p.edge_pools {
            out.line(i + 2, &format!("- {}", yaml_name(e)));
        }
    }
    if !p.databases.is_empty() {
        out.comment(i, "Databases backed up with SQL Server tools: the stores this pool depends on, on their SQL instances, with the product's fixed database names.");
        out.line(i, "databases:");
        for d in &p.databases {
            let role = match d.role {
                DbRole::Monitoring => "monitoring",
                DbRole::Archiving => "archiving",
                DbRole::PersistentChat => "persistent_chat",
            };
            out.line(i + 2, &format!("- role: {role}"));
            sql_lines(out, i + 4, &d.sql);
            out.kv(i + 4, "names", &format!("[{}]", d.names.join(", ")));
        }
    }
    if !p.branch_appliances.is_empty() {
        out.comment(i, "Survivable Branch Appliances/Servers (branch-site Registrars) that depend on this pool.");
        out.line(i, "branch_appliances:");
        for b in &p.branch_appliances {
            out.line(i + 2, &format!("- {}", yaml_name(b)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_quote_what_needs_it() {
        assert_eq!(yaml_str("\\\\fs\\share"), "'\\\\fs\\share'");
        assert_eq!(yaml_str("it's"), "'it''s'");
        assert_eq!(yaml_str("a\nb\"\\"), "\"a\\x0Ab\\\"\\\\\"");
        assert_eq!(yaml_str("\u{FEFF}\u{2028}"), "\"\\uFEFF\u{2028}\"");
        assert_eq!(
            yaml_str("\u{7F}\u{9F}\u{FFFE}\u{FFFF}\u{10000}\u{10FFFF}"),
            "\"\\x7F\\x9F\\uFFFE\\uFFFF\u{10000}\u{10FFFF}\""
        );
    }

    fn comment_lines(text: &str) -> Vec<String> {
        let mut out = Out {
            lines: Vec::new(),
            fills: Vec::new(),
        };
        out.comment(2, text);
        out.lines
    }

    #[test]
    fn comments_wrap_at_the_width_and_a_long_word_stands_alone() {
        // "  # ", a word and a word of five: exactly WIDTH characters, not wrapped.
        let first = "a".repeat(WIDTH - 10);
        let lines = comment_lines(&format!("{first} bbbbb"));
        assert_eq!(lines, [format!("  # {first} bbbbb")]);
        assert_eq!(lines[0].len(), WIDTH);
        // One character more, and the last word goes to the next line.
        let lines = comment_lines(&format!("{first} bbbbbb"));
        assert_eq!(lines, [format!("  # {first}"), "  # bbbbbb".to_string()]);
        // A word longer than the width is a line of its own, with no empty comment before it.
        let long = "x".repeat(WIDTH + 5);
        assert_eq!(
            comment_lines(&format!("{long} tail")),
            [format!("  # {long}"), "  # tail".to_string()]
        );
    }
}
