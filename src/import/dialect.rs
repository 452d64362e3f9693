//! The two XML dialects of a topology (`design/` fact sheet: the published topology of
//! `Get-CsTopology -AsXml`, and Topology Builder's `.tbxml`) read into one neutral model:
//! clusters, SQL instances and services, with every reference resolved to one key system.
//! Elements are matched on their local name (namespaces change element by element) and
//! attributes case-insensitively (the capitalisation of `Original*` is not known).

use roxmltree::{Document, Node};

use super::xml::{located, ImportError, LineIndex};
use crate::diagnostic::{Diagnostic, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `Get-CsTopology -AsXml`: references are `SiteId`/`Number`/`RoleName`/`Instance` triples.
    Published,
    /// Topology Builder: references are GUIDs (`UniqueId`).
    Builder,
}

impl Dialect {
    pub fn describe(self) -> &'static str {
        match self {
            Dialect::Published => "published topology (Get-CsTopology -AsXml)",
            Dialect::Builder => "Topology Builder file",
        }
    }
}

/// A line and column in the document.
pub type At = (usize, usize);

#[derive(Debug, Clone)]
pub struct Cluster {
    pub key: String,
    pub fqdn: String,
    /// In a branch site (`RemoteSite` in Topology Builder, a site other than `CentralSite` in
    /// the published topology).
    pub branch: bool,
    /// `IsSingleMachineOnly="true"` (only meaningful on a cluster running UserServices).
    pub single_machine: bool,
    pub at: At,
}

#[derive(Debug, Clone)]
pub struct SqlInstance {
    pub key: String,
    /// Key of the cluster the instance runs on.
    pub cluster: String,
    /// Empty for the default instance.
    pub name: String,
    pub always_on_primary: Option<String>,
    pub at: At,
}

#[derive(Debug, Clone)]
pub struct Dependency {
    /// Key of the service depended on.
    pub target: String,
    pub usage: String,
    pub at: At,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub key: String,
    /// `{SiteId}-{RoleName}-{Instance}`, when the document carries it.
    pub service_id: Option<String>,
    pub role: String,
    pub version: Option<u32>,
    /// Key of the cluster or SQL instance the service is installed on.
    pub host: Option<String>,
    pub deps: Vec<Dependency>,
    pub is_director: bool,
    /// `CentralMgmtService IsActive`, when present.
    pub cms_active: Option<bool>,
    /// `FileStoreService ShareName`, when present.
    pub share_name: Option<String>,
    pub at: At,
}

#[derive(Debug, Clone)]
pub struct Deployment {
    pub dialect: Dialect,
    pub clusters: Vec<Cluster>,
    pub sql: Vec<SqlInstance>,
    pub services: Vec<Service>,
    pub warnings: Vec<Diagnostic>,
}

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    index: LineIndex,
    warnings: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn at(&self, node: Node<'_, '_>) -> At {
        self.index.pos(self.text, node.range().start)
    }
    fn warn(&mut self, node: Node<'_, '_>, message: String) {
        let at = self.at(node);
        self.warnings
            .push(located(Severity::Warning, self.file, Some(at), message));
    }
}

fn is(node: Node<'_, '_>, local: &str) -> bool {
    node.is_element() && node.tag_name().name() == local
}

/// An attribute by local name, case-insensitively, trimmed.
fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.name().eq_ignore_ascii_case(name))
        .map(|a| a.value().trim())
}

fn attr_true(node: Node<'_, '_>, name: &str) -> bool {
    attr(node, name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn child<'a, 'i>(node: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(*c, local))
}

/// Role-specific facts of a service element: director flag, CMS activity, file share name.
fn role_facts(service: Node<'_, '_>) -> (bool, Option<bool>, Option<String>) {
    let mut director = false;
    let mut active = None;
    let mut share = None;
    for d in service.descendants() {
        if is(d, "RegistrarService") && attr_true(d, "IsDirector") {
            director = true;
        }
        if is(d, "CentralMgmtService") {
            active = attr(d, "IsActive").map(|v| v.eq_ignore_ascii_case("true"));
        }
        if is(d, "FileStoreService") {
            share = attr(d, "ShareName").map(str::to_string);
        }
    }
    (director, active, share)
}

/// Read a parsed document of either dialect; a root that is neither is an error.
pub fn read(file: &str, text: &str, doc: &Document<'_>) -> Result<Deployment, ImportError> {
    let root = doc.root_element();
    let mut r = Reader {
        file,
        text,
        index: LineIndex::new(text),
        warnings: Vec::new(),
    };
    let wrong = |r: &Reader<'_>, message: String| {
        ImportError::Invalid(Box::new(located(
            Severity::Error,
            file,
            Some(r.at(root)),
            message,
        )))
    };
    if let Some(ns) = root.tag_name().namespace() {
        if !ns.starts_with("urn:schema:Microsoft.Rtc.Management.Deploy.") {
            return Err(wrong(
                &r,
                format!(
                    "the root element is in namespace `{}`, not a Lync or Skype for Business topology namespace",
                    crate::diagnostic::shown(ns)
                ),
            ));
        }
    }
    let name = root.tag_name().name();
    let dep = match name {
        "Topology" => published(&mut r, root),
        "TopologyBuilder" | "PartialTopology" => {
            // `descendants` starts with the root itself, so a PartialTopology root is its own.
            let Some(top) = root.descendants().find(|n| is(*n, "PartialTopology")) else {
                return Err(wrong(
                    &r,
                    "the Topology Builder file has no PartialTopology element".into(),
                ));
            };
            builder(&mut r, top)
        }
        other => {
            return Err(wrong(
                &r,
                format!(
                    "the root element is <{}>; expected <Topology> (Get-CsTopology -AsXml) or <TopologyBuilder> (a .tbxml file)",
                    crate::diagnostic::shown(other)
                ),
            ))
        }
    };
    let mut dep = dep;
    dep.warnings = std::mem::take(&mut r.warnings);
    Ok(dep)
}

fn cluster_key_a(cluster_id: Node<'_, '_>) -> Option<String> {
    Some(format!(
        "{}:{}",
        attr(cluster_id, "SiteId")?,
        attr(cluster_id, "Number")?
    ))
}

fn sql_key_a(sql_id: Node<'_, '_>) -> Option<String> {
    let cluster = cluster_key_a(child(sql_id, "ClusterId")?)?;
    let name = attr(sql_id, "Name").unwrap_or("").to_ascii_lowercase();
    Some(format!("sql:{cluster}:{name}"))
}

fn service_key_a(service_id: Node<'_, '_>) -> Option<String> {
    Some(format!(
        "{}-{}-{}",
        attr(service_id, "SiteId")?,
        attr(service_id, "RoleName")?,
        attr(service_id, "Instance")?
    ))
}

fn published(r: &mut Reader<'_>, root: Node<'_, '_>) -> Deployment {
    // Sites: SiteId -> is a branch site (any site element other than CentralSite, at any depth
    // under Sites: where a branch site sits in the published dialect is not known for sure),
    // never the id of a central site (an element inside a branch site may name its parent).
    // The backup script's drift check (templates/backup/functions/drift.ps1.tera) uses the
    // same rule.
    let mut central_sites = std::collections::HashSet::new();
    let mut branch_sites = std::collections::HashSet::new();
    for sites in root.children().filter(|n| is(*n, "Sites")) {
        // `descendants` starts with `sites` itself; only elements have a SiteId.
        for site in sites.descendants().skip(1) {
            if let Some(id) = attr(site, "SiteId") {
                if site.tag_name().name() == "CentralSite" {
                    central_sites.insert(id.to_string());
                } else {
                    branch_sites.insert(id.to_string());
                }
            }
        }
    }
    branch_sites.retain(|id| !central_sites.contains(id));
    let mut clusters = Vec::new();
    for c in root.descendants().filter(|n| is(*n, "Cluster")) {
        let Some(id) = child(c, "ClusterId") else {
            r.warn(c, "a Cluster without a ClusterId: ignored".into());
            continue;
        };
        let Some(key) = cluster_key_a(id) else {
            r.warn(
                id,
                "a ClusterId without SiteId or Number: cluster ignored".into(),
            );
            continue;
        };
        let Some(fqdn) = attr(c, "Fqdn").filter(|f| !f.is_empty()) else {
            r.warn(c, "a Cluster without Fqdn: ignored".into());
            continue;
        };
        clusters.push(Cluster {
            branch: attr(id, "SiteId").is_some_and(|s| branch_sites.contains(s)),
            key,
            fqdn: fqdn.to_string(),
            single_machine: attr_true(c, "IsSingleMachineOnly"),
            at: r.at(c),
        });
    }
    let mut sql = Vec::new();
    for s in root.descendants().filter(|n| is(*n, "SqlInstance")) {
        let Some(id) = child(s, "SqlInstanceId") else {
            continue;
        };
        let (Some(key), Some(cluster)) = (
            sql_key_a(id),
            child(id, "ClusterId").and_then(cluster_key_a),
        ) else {
            r.warn(
                s,
                "a SqlInstance without a complete SqlInstanceId: ignored".into(),
            );
            continue;
        };
        sql.push(SqlInstance {
            key,
            cluster,
            name: attr(id, "Name").unwrap_or("").to_string(),
            always_on_primary: attr(s, "AlwaysOnPrimaryNodeFqdn")
                .filter(|v| !v.is_empty())
                .map(str::to_string),
            at: r.at(s),
        });
    }
    let mut services = Vec::new();
    for s in root.descendants().filter(|n| is(*n, "Service")) {
        let Some(id) = child(s, "ServiceId") else {
            continue;
        };
        let Some(key) = service_key_a(id) else {
            r.warn(
                id,
                "a ServiceId without SiteId, RoleName or Instance: service ignored".into(),
            );
            continue;
        };
        let host = child(s, "InstalledOn").and_then(|on| {
            if let Some(c) = child(on, "ClusterId") {
                cluster_key_a(c)
            } else {
                child(on, "SqlInstanceId").and_then(sql_key_a)
            }
        });
        let mut deps = Vec::new();
        for d in s
            .children()
            .filter(|n| is(*n, "DependsOn"))
            .flat_map(|n| n.children())
            .filter(|n| is(*n, "Dependency"))
        {
            match child(d, "ServiceId").and_then(service_key_a) {
                Some(target) => deps.push(Dependency {
                    target,
                    usage: attr(d, "Usage").unwrap_or("").to_string(),
                    at: r.at(d),
                }),
                None => r.warn(
                    d,
                    "a Dependency without a complete ServiceId: ignored".into(),
                ),
            }
        }
        let (is_director, cms_active, share_name) = role_facts(s);
        services.push(Service {
            service_id: Some(key.clone()),
            role: attr(id, "RoleName").unwrap_or("").to_string(),
            key,
            version: attr(s, "ServiceVersion").and_then(|v| v.parse().ok()),
            host,
            deps,
            is_director,
            cms_active,
            share_name,
            at: r.at(s),
        });
    }
    Deployment {
        dialect: Dialect::Published,
        clusters,
        sql,
        services,
        warnings: Vec::new(),
    }
}

fn guid(node: Node<'_, '_>, name: &str) -> Option<String> {
    attr(node, name).filter(|v| !v.is_empty()).map(|v| {
        v.trim_matches(|c| c == '{' || c == '}')
            .to_ascii_lowercase()
    })
}

fn builder(r: &mut Reader<'_>, top: Node<'_, '_>) -> Deployment {
    let mut clusters = Vec::new();
    let mut sql = Vec::new();
    for c in top.descendants().filter(|n| is(*n, "Cluster")) {
        let Some(key) = guid(c, "UniqueId") else {
            r.warn(c, "a Cluster without UniqueId: ignored".into());
            continue;
        };
        let Some(fqdn) = attr(c, "Fqdn").filter(|f| !f.is_empty()) else {
            r.warn(c, "a Cluster without Fqdn: ignored".into());
            continue;
        };
        clusters.push(Cluster {
            key: key.clone(),
            fqdn: fqdn.to_string(),
            branch: c.ancestors().any(|a| is(a, "RemoteSite")),
            single_machine: attr_true(c, "IsSingleMachineOnly"),
            at: r.at(c),
        });
        for s in c.descendants().filter(|n| is(*n, "SqlInstance")) {
            let Some(skey) = guid(s, "UniqueId") else {
                r.warn(s, "a SqlInstance without UniqueId: ignored".into());
                continue;
            };
            sql.push(SqlInstance {
                key: skey,
                cluster: key.clone(),
                name: attr(s, "Name").unwrap_or("").to_string(),
                always_on_primary: attr(s, "AlwaysOnPrimaryNodeFqdn")
                    .filter(|v| !v.is_empty())
                    .map(str::to_string),
                at: r.at(s),
            });
        }
    }
    let mut services = Vec::new();
    for s in top
        .descendants()
        .filter(|n| is(*n, "Service") && attr(*n, "RoleName").is_some())
    {
        let Some(key) = guid(s, "UniqueId") else {
            r.warn(s, "a Service without UniqueId: ignored".into());
            continue;
        };
        let role = attr(s, "RoleName").unwrap_or("").to_string();
        let service_id = match (attr(s, "OriginalSiteId"), attr(s, "OriginalInstance")) {
            (Some(site), Some(inst)) if !site.is_empty() && !inst.is_empty() => {
                Some(format!("{site}-{role}-{inst}"))
            }
            _ => None,
        };
        let mut deps = Vec::new();
        for d in s.descendants().filter(|n| is(*n, "Dependency")) {
            match guid(d, "ServiceUniqueId") {
                Some(target) => deps.push(Dependency {
                    target,
                    usage: attr(d, "Usage").unwrap_or("").to_string(),
                    at: r.at(d),
                }),
                None => r.warn(d, "a Dependency without ServiceUniqueId: ignored".into()),
            }
        }
        let (is_director, cms_active, share_name) = role_facts(s);
        services.push(Service {
            key,
            service_id,
            role,
            version: attr(s, "ServiceVersion").and_then(|v| v.parse().ok()),
            host: guid(s, "InstalledOn"),
            deps,
            is_director,
            cms_active,
            share_name,
            at: r.at(s),
        });
    }
    Deployment {
        dialect: Dialect::Builder,
        clusters,
        sql,
        services,
        warnings: Vec::new(),
    }
}
