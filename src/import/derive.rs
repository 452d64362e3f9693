//! From the neutral deployment model to what the topology file needs, pool by pool, following
//! the rules of the fact sheet (section 4). Whatever the document does not say stays `None`
//! or `Unknown`: the writer marks it to be filled in. Nothing is guessed.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::dialect::{At, Cluster, Deployment, Dialect, Service, SqlInstance};
use super::xml::located;
use crate::diagnostic::{shown, Diagnostic, Severity};
use crate::model::{DbRole, Edition, HostsCms, Product};

/// Roles the importer knows (fact sheet, section 4, and Persistent Chat's three roles).
const KNOWN_ROLES: &[&str] = &[
    "UserServices",
    "Registrar",
    "WebServices",
    "ConfServices",
    "ApplicationServer",
    "MediationServer",
    "EdgeServer",
    "CentralMgmt",
    "FileStore",
    "UserStore",
    "ApplicationStore",
    "CentralMgmtStore",
    "MonitoringStore",
    "ArchivingStore",
    "WacService",
    "ManagementServices",
    "PersistentChatService",
    "PersistentChatStore",
    "PersistentChatComplianceStore",
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sql {
    pub server: String,
    /// Empty for the default instance.
    pub instance: String,
}

impl Sql {
    pub fn target(&self) -> String {
        crate::model::sql_target(&self.server, Some(&self.instance))
    }
}

#[derive(Debug, Clone)]
pub struct ImportedDb {
    pub role: DbRole,
    pub sql: Sql,
    /// The product's fixed database names of the role's stores.
    pub names: Vec<&'static str>,
}

#[derive(Debug, Clone)]
pub struct ImportedPool {
    pub fqdn: String,
    /// `None` when the document does not tell (no single-machine flag and no UserStore).
    pub edition: Option<Edition>,
    pub file_store: Option<String>,
    pub app_server_service_id: Option<String>,
    pub hosts_cms: HostsCms,
    /// Where `hosts_cms` came from when not from the document itself.
    pub cms_source: Option<String>,
    /// Pool B, when a pairing is known (from the backup set, or the symmetric pairing).
    pub backup_pool: Option<String>,
    /// Where the pairing came from, for the comment in the written file.
    pub pairing_source: Option<String>,
    /// This pool's own back end (its UserStore's SQL instance).
    pub own_backend: Option<Sql>,
    /// `AlwaysOnPrimaryNodeFqdn` of that instance, when it is an availability group.
    pub own_backend_primary: Option<String>,
    pub edge_pools: Vec<String>,
    pub branch_appliances: Vec<String>,
    pub databases: Vec<ImportedDb>,
    pub persistent_chat_next_hop: bool,
    pub versions: BTreeSet<u32>,
    pub at: At,
}

#[derive(Debug, Clone)]
pub struct Imported {
    /// The document as named in messages.
    pub source: String,
    pub dialect: Dialect,
    pub product: Option<Product>,
    pub versions: BTreeSet<u32>,
    pub pools: Vec<ImportedPool>,
    pub warnings: Vec<Diagnostic>,
    /// Index into `pools` by lower-cased FQDN.
    by_fqdn: HashMap<String, usize>,
}

impl Imported {
    fn index_of(&self, fqdn: &str) -> Option<usize> {
        self.by_fqdn.get(&fqdn.to_ascii_lowercase()).copied()
    }

    /// The imported pool with this FQDN (case-insensitively).
    pub fn pool(&self, fqdn: &str) -> Option<&ImportedPool> {
        self.index_of(fqdn).map(|i| &self.pools[i])
    }
}

/// `ServiceVersion` to product: 6 Lync Server 2013, 7 Skype for Business Server 2015, 8 2019.
pub fn product_of(version: u32) -> Option<Product> {
    match version {
        6 => Some(Product::Lync2013),
        7 => Some(Product::Sfb2015),
        8 => Some(Product::Sfb2019),
        _ => None,
    }
}

/// Most warnings printed; a hostile document could otherwise make hundreds of thousands.
pub const MAX_WARNINGS: usize = 200;

/// Lookups by key, so that deriving stays linear in the size of the document.
struct Index<'a> {
    clusters: HashMap<&'a str, &'a Cluster>,
    sql: HashMap<&'a str, &'a SqlInstance>,
    services: HashMap<&'a str, &'a Service>,
    /// The services that depend on each service key with `Usage="Default"`.
    dependents: HashMap<&'a str, Vec<&'a Service>>,
    /// Service indexes by the key of the cluster they run on (directly or through SQL).
    on_cluster: HashMap<&'a str, Vec<&'a Service>>,
}

impl<'a> Index<'a> {
    fn new(dep: &'a Deployment) -> Self {
        let mut clusters = HashMap::new();
        for c in &dep.clusters {
            clusters.entry(c.key.as_str()).or_insert(c);
        }
        let mut sql = HashMap::new();
        for q in &dep.sql {
            sql.entry(q.key.as_str()).or_insert(q);
        }
        let mut services = HashMap::new();
        for s in &dep.services {
            services.entry(s.key.as_str()).or_insert(s);
        }
        let mut ix = Index {
            clusters,
            sql,
            services,
            dependents: HashMap::new(),
            on_cluster: HashMap::new(),
        };
        for s in &dep.services {
            if let Some(c) = ix.host_cluster(s) {
                ix.on_cluster.entry(c.key.as_str()).or_default().push(s);
            }
            for d in s
                .deps
                .iter()
                .filter(|d| d.usage.eq_ignore_ascii_case("Default"))
            {
                let list = ix.dependents.entry(d.target.as_str()).or_default();
                if !list.last().is_some_and(|l| std::ptr::eq(*l, s)) {
                    list.push(s);
                }
            }
        }
        ix
    }

    /// The services that depend on `s` (Default usage), each once.
    fn dependents_of(&self, s: &Service) -> &[&'a Service] {
        self.dependents
            .get(s.key.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    fn host_cluster(&self, s: &Service) -> Option<&'a Cluster> {
        let host = s.host.as_deref()?;
        if let Some(c) = self.clusters.get(host) {
            return Some(c);
        }
        let sql = self.sql.get(host)?;
        self.clusters.get(sql.cluster.as_str()).copied()
    }

    fn sql_of(&self, s: &Service) -> Option<Sql> {
        let host = s.host.as_deref()?;
        let sql = self.sql.get(host)?;
        let cluster = self.clusters.get(sql.cluster.as_str())?;
        Some(Sql {
            server: cluster.fqdn.clone(),
            instance: sql.name.clone(),
        })
    }

    fn on(&self, cluster: &Cluster, role: &str) -> Vec<&'a Service> {
        self.on_cluster
            .get(cluster.key.as_str())
            .map(|v| v.iter().copied().filter(|s| s.role == role).collect())
            .unwrap_or_default()
    }

    /// The services `s` depends on with `Usage="Default"` (the only usage understood).
    fn defaults(&self, s: &'a Service) -> impl Iterator<Item = &'a Service> + '_ {
        s.deps
            .iter()
            .filter(|d| d.usage.eq_ignore_ascii_case("Default"))
            .filter_map(|d| self.services.get(d.target.as_str()).copied())
    }

    fn depends_on(&self, s: &'a Service, target: &Service) -> bool {
        self.defaults(s).any(|t| t.key == target.key)
    }
}

fn warn(out: &mut Vec<Diagnostic>, file: &str, at: At, message: String) {
    out.push(located(Severity::Warning, file, Some(at), message));
}

pub fn derive(file: &str, dep: &Deployment) -> Imported {
    let ix = Index::new(dep);
    let mut warnings = dep.warnings.clone();
    let label = |s: &Service| {
        s.service_id
            .clone()
            .unwrap_or_else(|| format!("{} {}", s.role, s.key))
    };
    // Dependencies the importer cannot follow are reported where they are.
    for s in &dep.services {
        for d in &s.deps {
            if !d.usage.eq_ignore_ascii_case("Default") {
                warn(
                    &mut warnings,
                    file,
                    d.at,
                    format!(
                        "the dependency of {} on {} has Usage=\"{}\", which the importer does not understand: ignored; check the topology file by hand",
                        shown(&label(s)),
                        shown(&ix.services.get(d.target.as_str()).map(|t| label(t)).unwrap_or_else(|| d.target.clone())),
                        shown(&d.usage)
                    ),
                );
            } else if !ix.services.contains_key(d.target.as_str()) {
                warn(
                    &mut warnings,
                    file,
                    d.at,
                    format!(
                        "{} depends on service {}, which is not in the document: ignored",
                        shown(&label(s)),
                        shown(&d.target)
                    ),
                );
            }
        }
    }
    let mut pools: Vec<ImportedPool> = Vec::new();
    let mut pc_attached = BTreeSet::new();
    let mut seen_keys = HashSet::new();
    let mut seen_fqdns = HashSet::new();
    let active_cms: Vec<&Service> = dep
        .services
        .iter()
        .filter(|s| s.role == "CentralMgmt" && s.cms_active == Some(true))
        .collect();
    for c in &dep.clusters {
        if !seen_keys.insert(c.key.as_str()) {
            warn(
                &mut warnings,
                file,
                c.at,
                format!(
                    "a second cluster with the id of {}: ignored",
                    shown(&c.fqdn)
                ),
            );
            continue;
        }
        let us = ix.on(c, "UserServices");
        let regs: Vec<&Service> = ix
            .on(c, "Registrar")
            .into_iter()
            .filter(|r| !r.is_director)
            .collect();
        let (Some(us), Some(reg)) = (us.first().copied(), regs.first().copied()) else {
            continue;
        };
        if !seen_fqdns.insert(c.fqdn.to_ascii_lowercase()) {
            warn(
                &mut warnings,
                file,
                c.at,
                format!(
                    "pool {} appears twice: the second is ignored",
                    shown(&c.fqdn)
                ),
            );
            continue;
        }
        let pool_services = ix
            .on_cluster
            .get(c.key.as_str())
            .cloned()
            .unwrap_or_default();
        for s in &pool_services {
            for d in s
                .deps
                .iter()
                .filter(|d| d.usage.eq_ignore_ascii_case("Default"))
            {
                if let Some(t) = ix.services.get(d.target.as_str()) {
                    if !KNOWN_ROLES.contains(&t.role.as_str()) {
                        warn(
                            &mut warnings,
                            file,
                            d.at,
                            format!(
                                "pool {}: {} depends on role `{}`, which the importer does not know; nothing was taken from it",
                                shown(&c.fqdn),
                                shown(&label(s)),
                                shown(&t.role)
                            ),
                        );
                    }
                }
            }
        }
        let versions: BTreeSet<u32> = [us.version, reg.version].into_iter().flatten().collect();
        let store = ix.defaults(us).find(|t| t.role == "UserStore");
        let own_backend = store.and_then(|s| ix.sql_of(s));
        let own_backend_primary = store
            .and_then(|s| s.host.as_deref())
            .and_then(|h| ix.sql.get(h))
            .and_then(|q| q.always_on_primary.clone());
        let store_local = store
            .and_then(|s| ix.host_cluster(s))
            .is_some_and(|h| h.key == c.key);
        let edition = if c.single_machine || store_local {
            Some(Edition::Standard)
        } else if own_backend.is_some() {
            Some(Edition::Enterprise)
        } else {
            None
        };
        // The file store: the UserServices dependency first, then any other pool service's.
        let mut stores: Vec<&Service> = Vec::new();
        for s in std::iter::once(us).chain(pool_services.iter().copied()) {
            for t in ix.defaults(s).filter(|t| t.role == "FileStore") {
                if !stores.iter().any(|x| x.key == t.key) {
                    stores.push(t);
                }
            }
        }
        if stores.len() > 1 {
            warn(
                &mut warnings,
                file,
                c.at,
                format!(
                    "pool {} depends on {} file stores; the one of its UserServices was taken",
                    shown(&c.fqdn),
                    stores.len()
                ),
            );
        }
        let file_store = stores.first().and_then(|fs| {
            let host = ix.host_cluster(fs);
            match (host, fs.share_name.as_deref().filter(|s| !s.is_empty())) {
                (Some(h), Some(share)) => Some(format!("\\\\{}\\{}", h.fqdn, share)),
                _ => {
                    warn(
                        &mut warnings,
                        file,
                        fs.at,
                        format!(
                            "the file store {} of pool {} has no host or ShareName",
                            shown(&label(fs)),
                            shown(&c.fqdn)
                        ),
                    );
                    None
                }
            }
        });
        let apps = ix.on(c, "ApplicationServer");
        let app_server_service_id = match apps.as_slice() {
            [one] => one.service_id.clone(),
            [] => None,
            _ => {
                warn(
                    &mut warnings,
                    file,
                    c.at,
                    format!(
                        "pool {} runs {} Application Server services; app_server_service_id left out (the script reads it at run time)",
                        shown(&c.fqdn),
                        apps.len()
                    ),
                );
                None
            }
        };
        let hosts_cms = if active_cms
            .iter()
            .any(|s| ix.host_cluster(s).is_some_and(|h| h.key == c.key))
        {
            HostsCms::Yes
        } else if active_cms.is_empty() {
            HostsCms::Unknown
        } else {
            HostsCms::No
        };
        let mut edge_pools: Vec<String> = Vec::new();
        let mut branch_appliances: Vec<String> = Vec::new();
        let near: Vec<&Service> = ix
            .dependents_of(reg)
            .iter()
            .chain(ix.dependents_of(us))
            .copied()
            .collect();
        for s in &near {
            let Some(host) = ix.host_cluster(s) else {
                continue;
            };
            let list = match s.role.as_str() {
                "EdgeServer" if ix.depends_on(s, reg) => &mut edge_pools,
                "Registrar" if host.branch && host.key != c.key => &mut branch_appliances,
                _ => continue,
            };
            if !list.iter().any(|f| f.eq_ignore_ascii_case(&host.fqdn)) {
                list.push(host.fqdn.clone());
            }
        }
        let mut databases: Vec<ImportedDb> = Vec::new();
        let mut add_db = |role: DbRole, sql: Sql, names: &[&'static str]| match databases
            .iter_mut()
            .find(|d| d.role == role && d.sql == sql)
        {
            Some(d) => {
                for n in names {
                    if !d.names.contains(n) {
                        d.names.push(n);
                    }
                }
            }
            None => databases.push(ImportedDb {
                role,
                sql,
                names: names.to_vec(),
            }),
        };
        for t in ix.defaults(reg) {
            let (role, names): (DbRole, &[&str]) = match t.role.as_str() {
                "MonitoringStore" => (DbRole::Monitoring, &["LcsCDR", "QoEMetrics"]),
                "ArchivingStore" => (DbRole::Archiving, &["LcsLog"]),
                _ => continue,
            };
            if let Some(sql) = ix.sql_of(t) {
                add_db(role, sql, names);
            }
        }
        let mut persistent_chat_next_hop = false;
        for pc in near.iter().filter(|s| s.role == "PersistentChatService") {
            // Listed twice when it depends on both the Registrar and UserServices: the
            // databases are merged by add_db.
            pc_attached.insert(pc.key.clone());
            persistent_chat_next_hop = true;
            for t in ix.defaults(pc) {
                let names: &[&str] = match t.role.as_str() {
                    "PersistentChatStore" => &["mgc"],
                    "PersistentChatComplianceStore" => &["mgccomp"],
                    _ => continue,
                };
                if let Some(sql) = ix.sql_of(t) {
                    add_db(DbRole::PersistentChat, sql, names);
                }
            }
        }
        pools.push(ImportedPool {
            fqdn: c.fqdn.clone(),
            edition,
            file_store,
            app_server_service_id,
            hosts_cms,
            cms_source: None,
            backup_pool: None,
            pairing_source: None,
            own_backend,
            own_backend_primary,
            edge_pools,
            branch_appliances,
            databases,
            persistent_chat_next_hop,
            versions,
            at: c.at,
        });
    }
    for pc in dep
        .services
        .iter()
        .filter(|s| s.role == "PersistentChatService")
    {
        if !pc_attached.contains(&pc.key) {
            warn(
                &mut warnings,
                file,
                pc.at,
                format!(
                    "the document does not say which pool {} uses as next hop; add its databases (role persistent_chat) to that pool by hand",
                    shown(&label(pc))
                ),
            );
        }
    }
    for fs in dep.services.iter().filter(|s| s.role == "FileStore") {
        let used = !ix.dependents_of(fs).is_empty();
        if !used {
            let on = ix
                .host_cluster(fs)
                .map(|h| format!(" on {}", shown(&h.fqdn)))
                .unwrap_or_default();
            warn(
                &mut warnings,
                file,
                fs.at,
                format!(
                    "file store {}{on} is used by no service (an orphan): not imported",
                    shown(&label(fs))
                ),
            );
        }
    }
    let versions: BTreeSet<u32> = pools
        .iter()
        .flat_map(|p| p.versions.iter().copied())
        .collect();
    let product = match versions.iter().collect::<Vec<_>>().as_slice() {
        [v] => product_of(**v),
        _ => None,
    };
    if product == Some(Product::Sfb2019) {
        for p in &mut pools {
            if p.persistent_chat_next_hop
                || p.databases.iter().any(|d| d.role == DbRole::PersistentChat)
            {
                warn(
                    &mut warnings,
                    file,
                    p.at,
                    format!(
                        "pool {}: Persistent Chat is not supported in Skype for Business Server 2019; its databases were left out",
                        shown(&p.fqdn)
                    ),
                );
                p.persistent_chat_next_hop = false;
                p.databases.retain(|d| d.role != DbRole::PersistentChat);
            }
        }
    }
    if pools.is_empty() {
        warnings.push(located(
            Severity::Warning,
            file,
            None,
            "the document has no Front End pool (a cluster running UserServices and a Registrar that is not a Director)".to_string(),
        ));
    }
    // Document order, so an operator can work top to bottom.
    warnings.sort_by_key(|d| (d.line.is_none(), d.line, d.column));
    if warnings.len() > MAX_WARNINGS {
        let more = warnings.len() - MAX_WARNINGS;
        warnings.truncate(MAX_WARNINGS);
        warnings.push(located(
            Severity::Warning,
            file,
            None,
            format!("{more} more warning(s) not shown"),
        ));
    }
    let by_fqdn = pools
        .iter()
        .enumerate()
        .map(|(i, p)| (p.fqdn.to_ascii_lowercase(), i))
        .collect();
    Imported {
        by_fqdn,
        source: file.to_string(),
        dialect: dep.dialect,
        product,
        versions,
        pools,
        warnings,
    }
}

/// Record that `pool` is paired with `backup` (and, pairing being symmetric, `backup` with
/// `pool` when it is also imported and has no pairing yet). `source` names the evidence.
pub fn pair(imported: &mut Imported, pool: &str, backup: &str, source: &str) -> bool {
    let Some(i) = imported.index_of(pool) else {
        return false;
    };
    let fqdn_a = imported.pools[i].fqdn.clone();
    imported.pools[i].backup_pool = Some(backup.to_string());
    imported.pools[i].pairing_source = Some(source.to_string());
    if let Some(b) = imported.index_of(backup).map(|j| &mut imported.pools[j]) {
        if b.backup_pool.is_none() {
            b.backup_pool = Some(fqdn_a.clone());
            b.pairing_source = Some(format!("the pairing of {fqdn_a} (pairing is symmetric)"));
        }
    }
    true
}
