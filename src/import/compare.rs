//! Drift between a committed topology and the deployment's document: the differences by pool
//! and key. Only what the document actually says is compared: a value the document does not
//! hold (pairing without a backup set, a CMS location before the first publish) is no drift,
//! and neither is an optional key the topology leaves out on purpose.

use serde::Serialize;

use super::derive::{Imported, ImportedPool};
use crate::diagnostic::shown;
use crate::model::{sql_target, DbRole, HostsCms, Pool, Topology};
use crate::product::facts;

/// One difference. `pool` is `None` for a deployment-wide key (`product`); `topology` or
/// `document` is `None` where that side does not have the pool or value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub pool: Option<String>,
    pub key: String,
    pub topology: Option<String>,
    pub document: Option<String>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pool = self
            .pool
            .as_deref()
            .map(shown)
            .unwrap_or_else(|| "(all pools)".into());
        match (&self.topology, &self.document, self.key.as_str()) {
            (None, Some(_), "pool") => write!(
                f,
                "{pool}: a Front End pool of the document, not in the topology"
            ),
            (Some(_), None, "pool") => write!(
                f,
                "{pool}: in the topology, not a Front End pool of the document"
            ),
            (t, d, key) => {
                let side = |v: &Option<String>| match v {
                    Some(v) => format!("'{}'", shown(v)),
                    None => "(none)".to_string(),
                };
                write!(
                    f,
                    "{pool}: {key}: topology {}, document {}",
                    side(t),
                    side(d)
                )
            }
        }
    }
}

/// A list as one sorted, comma-separated value, without duplicates (`None` when empty); FQDNs and
/// SQL names compare case-insensitively (the comparison ignores case too), but are shown as
/// written.
fn set_of<'a>(items: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut v: Vec<&str> = items.collect();
    v.sort_by_key(|s| s.to_ascii_lowercase());
    v.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    (!v.is_empty()).then(|| v.join(", "))
}

pub fn compare(imported: &Imported, topo: &Topology) -> Vec<Difference> {
    let mut out = Vec::new();
    if let Some(p) = imported.product {
        if p != topo.product {
            out.push(Difference {
                pool: None,
                key: "product".into(),
                topology: Some(facts(topo.product).key.into()),
                document: Some(facts(p).key.into()),
            });
        }
    }
    for t in &topo.pools {
        match imported.pool(&t.fqdn) {
            Some(d) => pool(&mut out, imported, t, d),
            None => out.push(Difference {
                pool: Some(t.fqdn.clone()),
                key: "pool".into(),
                topology: Some(t.fqdn.clone()),
                document: None,
            }),
        }
    }
    for d in &imported.pools {
        if !topo
            .pools
            .iter()
            .any(|t| t.fqdn.eq_ignore_ascii_case(&d.fqdn))
        {
            out.push(Difference {
                pool: Some(d.fqdn.clone()),
                key: "pool".into(),
                topology: None,
                document: Some(d.fqdn.clone()),
            });
        }
    }
    out
}

fn pool(out: &mut Vec<Difference>, imported: &Imported, t: &Pool, d: &ImportedPool) {
    let mut diff = |key: &str, topology: Option<String>, document: Option<String>| {
        let same = match (&topology, &document) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (None, None) => true,
            _ => false,
        };
        if !same {
            out.push(Difference {
                pool: Some(t.fqdn.clone()),
                key: key.into(),
                topology,
                document,
            });
        }
    };
    if let Some(e) = d.edition {
        diff(
            "edition",
            Some(t.edition.key().into()),
            Some(e.key().into()),
        );
    }
    if let Some(fs) = &d.file_store {
        diff("file_store", Some(t.file_store.clone()), Some(fs.clone()));
    }
    if let (Some(a), Some(b)) = (&t.app_server_service_id, &d.app_server_service_id) {
        diff("app_server_service_id", Some(a.clone()), Some(b.clone()));
    }
    let cms = |h: HostsCms| match h {
        HostsCms::Yes => Some("true".to_string()),
        HostsCms::No => Some("false".to_string()),
        HostsCms::Unknown => None,
    };
    if let (Some(a), Some(b)) = (cms(t.hosts_cms), cms(d.hosts_cms)) {
        diff("hosts_cms", Some(a), Some(b));
    }
    if let Some(b) = &d.backup_pool {
        diff(
            "backup_pool.fqdn",
            Some(t.backup_pool.fqdn.clone()),
            Some(b.clone()),
        );
    }
    let doc_backend = imported
        .pool(&t.backup_pool.fqdn)
        .and_then(|b| b.own_backend.as_ref());
    if let (Some(a), Some(b)) = (&t.backup_pool.backend, doc_backend) {
        diff(
            "backup_pool.backend",
            Some(sql_target(&a.server, a.instance.as_deref())),
            Some(b.target()),
        );
    }
    diff(
        "edge_pools",
        set_of(t.edge_pools.iter().map(String::as_str)),
        set_of(d.edge_pools.iter().map(String::as_str)),
    );
    diff(
        "branch_appliances",
        set_of(t.branch_appliances.iter().map(String::as_str)),
        set_of(d.branch_appliances.iter().map(String::as_str)),
    );
    for (role, key) in [
        (DbRole::Monitoring, "databases.monitoring"),
        (DbRole::Archiving, "databases.archiving"),
        (DbRole::PersistentChat, "databases.persistent_chat"),
    ] {
        let tt: Vec<String> = t
            .databases
            .iter()
            .filter(|x| x.role == role)
            .map(|x| sql_target(&x.server, x.instance.as_deref()))
            .collect();
        let dd: Vec<String> = d
            .databases
            .iter()
            .filter(|x| x.role == role)
            .map(|x| x.sql.target())
            .collect();
        diff(
            key,
            set_of(tt.iter().map(String::as_str)),
            set_of(dd.iter().map(String::as_str)),
        );
    }
    if d.persistent_chat_next_hop && !t.services.persistent_chat_next_hop {
        diff(
            "services.persistent_chat_next_hop",
            Some("false".into()),
            Some("true".into()),
        );
    }
}
