//! From a validated topology to one render context per pool: every decision made here, in Rust,
//! so the templates only print. Values stay raw; the templates' autoescape turns them into
//! PowerShell literals (`.ps1`) or CommonMark text (`.md`).

use serde::Serialize;

use crate::load::Loaded;
use crate::model::{DbRole, Edition, HostsCms, Pool, Services, SqlRef, Topology};
use crate::product::{facts, ProductFacts};

/// Names inside one backup set, shared by the backup script (which writes them) and the
/// restore checklist (which reads them). Relative to the set folder.
#[derive(Debug, Clone, Serialize)]
pub struct SetLayout {
    /// Regex of a set folder name: UTC `yyyyMMddTHHmmssZ`.
    pub set_name_regex: &'static str,
    /// .NET format string of a set folder name (used with `[DateTime]::UtcNow.ToString`).
    pub set_name_format: &'static str,
    pub log: &'static str,
    pub cms_zip: &'static str,
    pub lis_zip: &'static str,
    pub rgs_zip: &'static str,
    pub rgs_settings_xml: &'static str,
    /// Folder holding one numbered subfolder (1, 2, ...) per `rgs_audio_sources` entry.
    pub rgs_audio_dir: &'static str,
    /// Copy of `<file store>\<service id>\AppServerFiles\CPS`.
    pub cps_dir: &'static str,
    pub cps_configuration_xml: &'static str,
    pub call_park_orbits_csv: &'static str,
    /// Copy of `<file store>\<service id>\AppServerFiles\RGS\AS`.
    pub announcement_audio_dir: &'static str,
    pub announcements_csv: &'static str,
    pub unassigned_numbers_csv: &'static str,
    pub user_data_zip: &'static str,
    pub cms_location_csv: &'static str,
    pub backup_relationship_csv: &'static str,
    pub app_server_service_csv: &'static str,
    pub conference_directories_csv: &'static str,
    pub dial_in_access_numbers_csv: &'static str,
    pub users_csv: &'static str,
    /// Users homed on one branch appliance: `Inventory\BranchUsers-<appliance FQDN>.csv`.
    pub branch_users_csv_prefix: &'static str,
    pub common_area_phones_csv: &'static str,
    pub analog_devices_csv: &'static str,
    pub exum_contacts_csv: &'static str,
    /// Folder inside the set that receives a copy of the verified `.bak` files.
    pub databases_dir: &'static str,
    pub sums: &'static str,
    pub manifest: &'static str,
    pub complete_marker: &'static str,
}

pub const LAYOUT: SetLayout = SetLayout {
    set_name_regex: "^[0-9]{8}T[0-9]{6}Z$",
    set_name_format: "yyyyMMdd'T'HHmmss'Z'",
    log: "backup.log",
    cms_zip: "Cms\\CsConfiguration.zip",
    lis_zip: "Lis\\LisConfiguration.zip",
    rgs_zip: "ResponseGroups\\RgsConfiguration.zip",
    rgs_settings_xml: "ResponseGroups\\RgsSettings.xml",
    rgs_audio_dir: "ResponseGroups\\OriginalAudio",
    cps_dir: "CallPark\\CPS",
    cps_configuration_xml: "CallPark\\CpsConfiguration.xml",
    call_park_orbits_csv: "CallPark\\CallParkOrbits.csv",
    announcement_audio_dir: "Announcements\\AS",
    announcements_csv: "Announcements\\Announcements.csv",
    unassigned_numbers_csv: "Announcements\\UnassignedNumbers.csv",
    user_data_zip: "UserData\\UserData.zip",
    cms_location_csv: "Inventory\\CmsLocation.csv",
    backup_relationship_csv: "Inventory\\PoolBackupRelationship.csv",
    app_server_service_csv: "Inventory\\ApplicationServerService.csv",
    conference_directories_csv: "Inventory\\ConferenceDirectories.csv",
    dial_in_access_numbers_csv: "Inventory\\DialInAccessNumbers.csv",
    users_csv: "Inventory\\Users.csv",
    branch_users_csv_prefix: "Inventory\\BranchUsers-",
    common_area_phones_csv: "Inventory\\CommonAreaPhones.csv",
    analog_devices_csv: "Inventory\\AnalogDevices.csv",
    exum_contacts_csv: "Inventory\\ExUmContacts.csv",
    databases_dir: "Databases",
    sums: "SHA256SUMS",
    manifest: "manifest.json",
    complete_marker: "COMPLETE",
};

#[derive(Debug, Clone, Serialize)]
pub struct PoolAPlan {
    pub fqdn: String,
    pub edition: Edition,
    pub file_store: String,
    pub app_server_service_id: Option<String>,
    /// "yes", "no" or "unknown".
    pub hosts_cms: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct SqlPlan {
    pub server: String,
    /// Empty for the default instance.
    pub instance: String,
    /// `server\instance`, or `server` for the default instance (for `sqlcmd -S`).
    pub target: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PoolBPlan {
    pub fqdn: String,
    /// Pool B's edition when pool B is itself described as a pool A entry.
    pub edition: Option<Edition>,
    /// Pool B's id when it is itself described (its own backup script and checklist exist).
    pub id: Option<String>,
    pub backend: Option<SqlPlan>,
    pub mirror: Option<SqlPlan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PoolCPlan {
    pub fqdn: String,
    pub edition: Edition,
    pub file_store: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatabasePlan {
    pub role: DbRole,
    /// "Monitoring", "Archiving" or "Persistent Chat".
    pub role_title: &'static str,
    pub sql: SqlPlan,
    pub names: Vec<String>,
    /// One `.bak` file name per entry of `names`, unique within the pool.
    pub bak_files: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BackupPlan {
    pub root: String,
    pub copies: Vec<String>,
    pub sql_backup_path: Option<String>,
    pub retention_days: u32,
    pub keep_last: u32,
}

/// One step of the backup script, in order; only the steps the topology enables are listed.
#[derive(Debug, Clone, Serialize)]
pub struct BackupStep {
    pub number: usize,
    /// The `-Skip` name: Cms, Lis, ResponseGroups, ...
    pub name: &'static str,
    pub title: &'static str,
    /// B1-B12 items it saves.
    pub items: &'static str,
}

/// Everything the templates of one pool see.
#[derive(Debug, Clone, Serialize)]
pub struct PoolPlan {
    /// Topology file name (no folders). Only ever printed through the `comment` filter or escaped.
    pub source_name: String,
    pub organization: Option<String>,
    pub product: ProductFacts,
    pub id: String,
    pub pool_a: PoolAPlan,
    pub pool_b: PoolBPlan,
    pub pool_c: Option<PoolCPlan>,
    pub services: Services,
    pub edge_pools: Vec<String>,
    pub rgs_audio_sources: Vec<String>,
    pub branch_appliances: Vec<String>,
    pub databases: Vec<DatabasePlan>,
    pub backup: BackupPlan,
    pub backup_steps: Vec<BackupStep>,
    pub layout: SetLayout,
    /// Output file names of this pool, relative to its folder.
    pub script_file: String,
    pub checklist_file: String,
}

fn sql(r: &SqlRef) -> SqlPlan {
    let instance = r.instance.clone().unwrap_or_default();
    let target = if instance.is_empty() {
        r.server.clone()
    } else {
        format!("{}\\{}", r.server, instance)
    };
    SqlPlan {
        server: r.server.clone(),
        instance,
        target,
    }
}

fn backup_steps(pool: &Pool) -> Vec<BackupStep> {
    let s = &pool.services;
    let all: [(&'static str, &'static str, &'static str, bool); 12] = [
        ("Cms", "Central Management store configuration", "B7", true),
        (
            "Lis",
            "Location Information Service (E9-1-1) configuration",
            "B1",
            s.lis,
        ),
        (
            "ResponseGroups",
            "Response Group configuration, settings and original audio",
            "B2, B3",
            s.response_groups,
        ),
        (
            "CallPark",
            "Call Park music-on-hold files, settings and orbits",
            "B4, B12",
            s.call_park,
        ),
        (
            "Announcements",
            "Announcement audio, announcements and unassigned-number ranges",
            "B5, B12",
            s.announcements,
        ),
        ("UserData", "User data of pool A", "B8", true),
        (
            "Inventory",
            "Inventory of pool A identities the restore needs",
            "B12",
            true,
        ),
        (
            "Databases",
            "Monitoring, Archiving and Persistent Chat databases",
            "B6, B10",
            !pool.databases.is_empty(),
        ),
        ("Manifest", "SHA256SUMS and manifest.json", "", true),
        ("Copies", "Verified copies to the other locations", "", true),
        ("Complete", "COMPLETE marker", "", true),
        ("Prune", "Retention", "", true),
    ];
    all.iter()
        .filter(|(_, _, _, on)| *on)
        .enumerate()
        .map(|(i, (name, title, items, _))| BackupStep {
            number: i + 1,
            name,
            title,
            items,
        })
        .collect()
}

fn role_title(r: DbRole) -> &'static str {
    match r {
        DbRole::Monitoring => "Monitoring",
        DbRole::Archiving => "Archiving",
        DbRole::PersistentChat => "Persistent Chat",
    }
}

fn bak_name(server: &str, instance: &str, name: &str) -> String {
    let host = server.split('.').next().unwrap_or(server);
    let inst = if instance.is_empty() {
        "MSSQLSERVER"
    } else {
        instance
    };
    format!("{host}_{inst}_{name}.bak").replace(['$', '#'], "_")
}

/// Build the plan of one pool of a validated topology.
pub fn pool_plan(loaded: &Loaded, pool: &Pool) -> PoolPlan {
    let t: &Topology = &loaded.topology;
    let id = pool.effective_id();
    let partner = t
        .pools
        .iter()
        .find(|o| o.fqdn.eq_ignore_ascii_case(&pool.backup_pool.fqdn));
    let mut databases: Vec<DatabasePlan> = Vec::new();
    for db in &pool.databases {
        let s = sql(&SqlRef {
            server: db.server.clone(),
            instance: db.instance.clone(),
        });
        let mut bak_files = Vec::new();
        for n in &db.names {
            let mut f = bak_name(&s.server, &s.instance, n);
            let taken = |f: &str| {
                databases
                    .iter()
                    .flat_map(|d| d.bak_files.iter())
                    .chain(bak_files.iter())
                    .any(|b: &String| b.eq_ignore_ascii_case(f))
            };
            let mut k = 2;
            while taken(&f) {
                f = format!(
                    "{}_{k}.bak",
                    bak_name(&s.server, &s.instance, n).trim_end_matches(".bak")
                );
                k += 1;
            }
            bak_files.push(f);
        }
        databases.push(DatabasePlan {
            role: db.role,
            role_title: role_title(db.role),
            sql: s,
            names: db.names.clone(),
            bak_files,
        });
    }
    PoolPlan {
        source_name: loaded.source_name.clone(),
        organization: t.organization.clone(),
        product: facts(t.product),
        id: id.clone(),
        pool_a: PoolAPlan {
            fqdn: pool.fqdn.clone(),
            edition: pool.edition,
            file_store: pool.file_store.clone(),
            app_server_service_id: pool.app_server_service_id.clone(),
            hosts_cms: match pool.hosts_cms {
                HostsCms::Yes => "yes",
                HostsCms::No => "no",
                HostsCms::Unknown => "unknown",
            },
        },
        pool_b: PoolBPlan {
            fqdn: pool.backup_pool.fqdn.clone(),
            edition: partner.map(|p| p.edition),
            id: partner.map(Pool::effective_id),
            backend: pool.backup_pool.backend.as_ref().map(sql),
            mirror: pool.backup_pool.mirror.as_ref().map(sql),
        },
        pool_c: pool.replacement_pool.as_ref().map(|c| PoolCPlan {
            fqdn: c.fqdn.clone(),
            edition: c.edition,
            file_store: c.file_store.clone(),
        }),
        services: pool.services.clone(),
        edge_pools: pool.edge_pools.clone(),
        rgs_audio_sources: pool.rgs_audio_sources.clone(),
        branch_appliances: pool.branch_appliances.clone(),
        databases,
        backup: BackupPlan {
            root: t.backup.root.clone(),
            copies: t.backup.copies.clone(),
            sql_backup_path: t.backup.sql_backup_path.clone(),
            retention_days: t.backup.retention_days,
            keep_last: t.backup.keep_last,
        },
        backup_steps: backup_steps(pool),
        layout: LAYOUT,
        script_file: format!("backup-{id}.ps1"),
        checklist_file: format!("restore-checklist-{id}.md"),
    }
}
