//! From a validated topology to one render context per pool: every decision made here, in Rust,
//! so the templates only print. Values stay raw; the templates' autoescape turns them into
//! PowerShell literals (`.ps1`) or CommonMark text (`.md`).

use serde::Serialize;

use crate::load::Loaded;
use crate::model::{DbRole, Edition, HostsCms, Pool, Product, Services, SqlRef, Topology};
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
    set_name_regex: r"^[0-9]{8}T[0-9]{6}Z\z",
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
    /// Its template, see [`BACKUP_STEPS`].
    pub template: &'static str,
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
    /// The topology's path and service id rules, for the script's run-time checks.
    pub rules: crate::validate::ScriptRules,
    /// Output file names of this pool, relative to its folder.
    pub script_file: String,
    pub checklist_file: String,
    /// Decisions and derived values of the restore checklist (`restore-checklist.md.tera`).
    pub checklist: ChecklistPlan,
}

/// Text that stands in for a value the topology does not know yet. Every placeholder starts with
/// this marker, is printed as a single-quoted PowerShell literal inside code blocks, and is listed
/// in the checklist's "Values still missing" section.
pub const PLACEHOLDER_MARKER: &str = "MISSING-";

/// Whether a conditional step of the checklist applies to this pool.
#[derive(Debug, Clone, Serialize)]
pub struct Condition {
    /// "yes" (do it), "no" (not needed for this pool) or "check" (decide at restore time).
    pub status: &'static str,
    /// One plain sentence: why (printed as escaped prose).
    pub reason: String,
}

impl Condition {
    fn yes(reason: impl Into<String>) -> Self {
        Condition {
            status: "yes",
            reason: reason.into(),
        }
    }
    fn no(reason: impl Into<String>) -> Self {
        Condition {
            status: "no",
            reason: reason.into(),
        }
    }
    fn check(reason: impl Into<String>) -> Self {
        Condition {
            status: "check",
            reason: reason.into(),
        }
    }
}

/// A value the checklist needs but the topology lacks.
#[derive(Debug, Clone, Serialize)]
pub struct MissingValue {
    /// The placeholder text, starting with [`PLACEHOLDER_MARKER`].
    pub placeholder: String,
    /// What the value is.
    pub what: &'static str,
    /// The `--set` path that fills it, e.g. `pools.red.replacement_pool.fqdn`.
    pub set_path: String,
    /// The topology key (dotted, under the pool) to edit instead.
    pub key: &'static str,
    /// An example value for the `--set` command line.
    pub example: &'static str,
}

/// SQL Server for a command line: server name and, unless it is the default instance, the
/// instance name. Either may be a placeholder.
#[derive(Debug, Clone, Serialize)]
pub struct SqlArgs {
    pub server: String,
    /// None: the default instance (leave the instance parameter out).
    pub instance: Option<String>,
}

/// One database to restore from a `.bak` file of the set.
#[derive(Debug, Clone, Serialize)]
pub struct DbRestore {
    pub role_title: &'static str,
    /// `server\instance` or `server` (for `sqlcmd -S`).
    pub target: String,
    pub name: String,
    pub bak_file: String,
    /// `Databases\<bak file>`, relative to the set folder.
    pub bak_path: String,
}

/// One Survivable Branch Appliance/Server of pool A.
#[derive(Debug, Clone, Serialize)]
pub struct BranchPlan {
    pub fqdn: String,
    /// Its users' inventory CSV, relative to the set folder.
    pub users_csv: String,
}

/// One original Response Group audio folder and where the set keeps its copy.
#[derive(Debug, Clone, Serialize)]
pub struct RgsAudioPlan {
    pub source: String,
    /// Relative to the set folder: `ResponseGroups\OriginalAudio\<n>`.
    pub copy: String,
}

/// Everything the restore checklist decides in Rust.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistPlan {
    pub placeholder_marker: &'static str,
    /// Pool C's FQDN, or its placeholder.
    pub pool_c_fqdn: String,
    /// Values still missing, in the order the checklist first uses them. Empty: no placeholder.
    pub missing: Vec<MissingValue>,
    /// Pool B's back end for `Invoke-CsManagementServerFailover` (step 2).
    pub backend: SqlArgs,
    /// Pool B's mirror back end, when the topology names one.
    pub mirror: Option<SqlArgs>,
    /// Folders searched for backup sets: the root, then each copy location.
    pub set_locations: Vec<String>,
    /// Step 2: the CMS is on pool A.
    pub cms_on_a: Condition,
    /// Step 3: import the LIS configuration into pool B.
    pub lis_import: Condition,
    /// Steps 4, 5 and 16 to 19.
    pub response_groups: Condition,
    /// Steps 6 and 20.
    pub announcements: Condition,
    /// Step 14.
    pub call_park: Condition,
    /// Step 15, first half (the Persistent Chat next hop).
    pub persistent_chat: Condition,
    /// Step 25: install the CMS database on a Standard Edition pool C.
    pub cms_db_on_c: Condition,
    /// Steps 27 to 29.
    pub branch: Condition,
    /// Before step 7: the Edge next hop.
    pub edge: Condition,
    pub branches: Vec<BranchPlan>,
    pub db_restores: Vec<DbRestore>,
    pub rgs_audio: Vec<RgsAudioPlan>,
    /// Pool B's edition differs from pool C's (both known).
    pub edition_mismatch: bool,
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

/// One backup step of the script, whether or not a topology enables it.
pub struct BackupStepDef {
    /// The `-Skip` name: Cms, Lis, ResponseGroups, ...
    pub name: &'static str,
    pub title: &'static str,
    /// B1-B12 items it saves.
    pub items: &'static str,
    /// Its template (without `.tera`): the step's comment-help line and its run block.
    pub template: &'static str,
    /// Whether the pool's topology enables it.
    pub enabled: fn(&Pool) -> bool,
}

fn always(_: &Pool) -> bool {
    true
}

/// The backup steps in run order: the one list. A new step is a template file under
/// `templates/backup/steps/` and one line here.
pub const BACKUP_STEPS: &[BackupStepDef] = &[
    BackupStepDef {
        name: "Cms",
        title: "Central Management store configuration",
        items: "B7",
        template: "backup/steps/01-cms.ps1",
        enabled: always,
    },
    BackupStepDef {
        name: "Lis",
        title: "Location Information Service (E9-1-1) configuration",
        items: "B1",
        template: "backup/steps/02-lis.ps1",
        enabled: |p| p.services.lis,
    },
    BackupStepDef {
        name: "ResponseGroups",
        title: "Response Group configuration, settings and original audio",
        items: "B2, B3",
        template: "backup/steps/03-response-groups.ps1",
        enabled: |p| p.services.response_groups,
    },
    BackupStepDef {
        name: "CallPark",
        title: "Call Park music-on-hold files, settings and orbits",
        items: "B4, B12",
        template: "backup/steps/04-call-park.ps1",
        enabled: |p| p.services.call_park,
    },
    BackupStepDef {
        name: "Announcements",
        title: "Announcement audio, announcements and unassigned-number ranges",
        items: "B5, B12",
        template: "backup/steps/05-announcements.ps1",
        enabled: |p| p.services.announcements,
    },
    BackupStepDef {
        name: "UserData",
        title: "User data of pool A",
        items: "B8",
        template: "backup/steps/06-user-data.ps1",
        enabled: always,
    },
    BackupStepDef {
        name: "Inventory",
        title: "Inventory of pool A identities the restore needs",
        items: "B12",
        template: "backup/steps/07-inventory.ps1",
        enabled: always,
    },
    BackupStepDef {
        name: "Databases",
        title: "Monitoring, Archiving and Persistent Chat databases",
        items: "B6, B10",
        template: "backup/steps/08-databases.ps1",
        enabled: |p| !p.databases.is_empty(),
    },
    BackupStepDef {
        name: "Manifest",
        title: "SHA256SUMS and manifest.json",
        items: "",
        template: "backup/steps/09-manifest.ps1",
        enabled: always,
    },
    BackupStepDef {
        name: "Copies",
        title: "Verified copies to the other locations",
        items: "",
        template: "backup/steps/10-copies.ps1",
        enabled: always,
    },
    BackupStepDef {
        name: "Complete",
        title: "COMPLETE marker",
        items: "",
        template: "backup/steps/11-complete.ps1",
        enabled: always,
    },
    BackupStepDef {
        name: "Prune",
        title: "Retention",
        items: "",
        template: "backup/steps/12-prune.ps1",
        enabled: always,
    },
];

fn backup_steps(pool: &Pool) -> Vec<BackupStep> {
    BACKUP_STEPS
        .iter()
        .filter(|def| (def.enabled)(pool))
        .enumerate()
        .map(|(i, def)| BackupStep {
            number: i + 1,
            name: def.name,
            title: def.title,
            items: def.items,
            template: def.template,
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
    let checklist = checklist_plan(t, pool, &id, partner, &databases);
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
        rules: crate::validate::SCRIPT_RULES,
        script_file: format!("backup-{id}.ps1"),
        checklist_file: format!("restore-checklist-{id}.md"),
        checklist,
    }
}

fn placeholder(name: &str) -> String {
    format!("{PLACEHOLDER_MARKER}{name}")
}

fn sql_args(r: &SqlRef) -> SqlArgs {
    SqlArgs {
        server: r.server.clone(),
        instance: r.instance.clone().filter(|i| !i.is_empty()),
    }
}

fn checklist_plan(
    t: &Topology,
    pool: &Pool,
    id: &str,
    partner: Option<&Pool>,
    databases: &[DatabasePlan],
) -> ChecklistPlan {
    let s = &pool.services;
    let mut missing = Vec::new();
    let c = pool.replacement_pool.as_ref();
    let pool_c_fqdn = match c {
        Some(c) => c.fqdn.clone(),
        None => {
            let p = placeholder("pool-C-FQDN");
            missing.push(MissingValue {
                placeholder: p.clone(),
                what: "FQDN of pool C, the new pool that replaces pool A",
                set_path: format!("pools.{id}.replacement_pool.fqdn"),
                key: "replacement_pool.fqdn",
                example: "pool-c.contoso.com",
            });
            p
        }
    };

    let cms_on_a = match pool.hosts_cms {
        HostsCms::Yes => Condition::yes("the topology says pool A hosts the Central Management store (hosts_cms: true)"),
        HostsCms::No => Condition::no("the topology says the Central Management store is not on pool A (hosts_cms: false)"),
        HostsCms::Unknown => Condition::check("the topology does not say where the Central Management store is (hosts_cms: unknown); step 1 decides"),
    };

    let backend = match &pool.backup_pool.backend {
        Some(b) => sql_args(b),
        None if pool.hosts_cms != HostsCms::No => {
            let server = placeholder("pool-B-backend-SQL-server");
            let instance = placeholder("pool-B-backend-SQL-instance");
            missing.push(MissingValue {
                placeholder: server.clone(),
                what: "FQDN of pool B's back-end SQL Server (for the CMS failover in step 2)",
                set_path: format!("pools.{id}.backup_pool.backend.server"),
                key: "backup_pool.backend.server",
                example: "sql-b.contoso.com",
            });
            missing.push(MissingValue {
                placeholder: instance.clone(),
                what: "SQL instance of pool B's back end (empty for the default instance)",
                set_path: format!("pools.{id}.backup_pool.backend.instance"),
                key: "backup_pool.backend.instance",
                example: "rtc",
            });
            SqlArgs {
                server,
                instance: Some(instance),
            }
        }
        None => SqlArgs {
            server: String::new(),
            instance: None,
        },
    };
    let mirror = pool.backup_pool.mirror.as_ref().map(sql_args);

    let lis_import = if !s.lis {
        Condition::no("pool A has no Location Information Service configuration to restore (services.lis is false)")
    } else {
        match pool.hosts_cms {
            HostsCms::Yes => Condition::yes("the Central Management store was on pool A, so its LIS database is lost"),
            HostsCms::No => Condition::no("the Central Management store (and its LIS database) is not on pool A (hosts_cms: false)"),
            HostsCms::Unknown => Condition::check("only if step 1 shows the Central Management store on pool A"),
        }
    };
    let response_groups = if s.response_groups {
        Condition::yes("pool A runs Response Groups (services.response_groups)")
    } else {
        Condition::no("pool A runs no Response Groups (services.response_groups is false)")
    };
    let announcements = if s.announcements {
        Condition::yes("pool A runs Announcement service announcements for unassigned numbers (services.announcements)")
    } else {
        Condition::no("no unassigned-number range uses a pool A announcement (services.announcements is false)")
    };
    let call_park = if s.call_park {
        Condition::yes("pool A runs Call Park (services.call_park)")
    } else {
        Condition::no("pool A runs no Call Park (services.call_park is false)")
    };
    let persistent_chat = if t.product == Product::Sfb2019 {
        Condition::no("Persistent Chat is not supported in Skype for Business Server 2019")
    } else if s.persistent_chat_next_hop {
        Condition::yes("a Persistent Chat pool uses pool A as its next hop (services.persistent_chat_next_hop)")
    } else {
        Condition::no("no Persistent Chat pool uses pool A as its next hop (services.persistent_chat_next_hop is false)")
    };

    // Step 25: pool C is Standard Edition and pool B hosts the CMS (after steps 1-3).
    let b_hosts_cms = if pool.hosts_cms == HostsCms::Yes {
        HostsCms::Yes
    } else {
        match partner.map(|p| p.hosts_cms) {
            Some(HostsCms::Yes) => HostsCms::Yes,
            Some(HostsCms::No) if pool.hosts_cms == HostsCms::No => HostsCms::No,
            _ => HostsCms::Unknown,
        }
    };
    let cms_db_on_c = match c.map(|c| c.edition) {
        // Whatever pool C is, the step needs pool B to host the CMS.
        _ if b_hosts_cms == HostsCms::No => {
            Condition::no("neither pool A nor pool B hosts the Central Management store (hosts_cms: false for both)")
        }
        Some(Edition::Enterprise) => {
            Condition::no("pool C is an Enterprise Edition pool; this step is only for a Standard Edition pool C")
        }
        Some(Edition::Standard) => match b_hosts_cms {
            HostsCms::Yes => Condition::yes("pool C is a Standard Edition server and pool B hosts the Central Management store"),
            HostsCms::No => Condition::no("neither pool A nor pool B hosts the Central Management store (hosts_cms: false for both)"),
            HostsCms::Unknown => Condition::check("pool C is a Standard Edition server; needed only if pool B hosts the Central Management store (see step 1)"),
        },
        None => Condition::check("pool C is not in the topology yet; needed only if pool C is a Standard Edition server and pool B hosts the Central Management store"),
    };
    let branch = if pool.branch_appliances.is_empty() {
        Condition::no("no Survivable Branch Appliance or Server is tied to pool A (branch_appliances is empty)")
    } else {
        Condition::yes(
            "Survivable Branch Appliances or Servers are tied to pool A (branch_appliances)",
        )
    };
    let edge = if pool.edge_pools.is_empty() {
        Condition::no("no Edge pool uses pool A as its next hop (edge_pools is empty)")
    } else {
        Condition::yes("these Edge pools use pool A as their next hop (edge_pools)")
    };

    let mut set_locations = vec![t.backup.root.clone()];
    set_locations.extend(t.backup.copies.iter().cloned());

    let db_restores = databases
        .iter()
        .flat_map(|d| {
            d.names.iter().zip(&d.bak_files).map(|(n, f)| DbRestore {
                role_title: d.role_title,
                target: d.sql.target.clone(),
                name: n.clone(),
                bak_file: f.clone(),
                bak_path: format!("{}\\{}", LAYOUT.databases_dir, f),
            })
        })
        .collect();

    ChecklistPlan {
        placeholder_marker: PLACEHOLDER_MARKER,
        pool_c_fqdn,
        missing,
        backend,
        mirror,
        set_locations,
        cms_on_a,
        lis_import,
        response_groups,
        announcements,
        call_park,
        persistent_chat,
        cms_db_on_c,
        branch,
        edge,
        branches: pool
            .branch_appliances
            .iter()
            .map(|f| BranchPlan {
                fqdn: f.clone(),
                users_csv: format!("{}{}.csv", LAYOUT.branch_users_csv_prefix, f),
            })
            .collect(),
        db_restores,
        rgs_audio: pool
            .rgs_audio_sources
            .iter()
            .enumerate()
            .map(|(i, src)| RgsAudioPlan {
                source: src.clone(),
                copy: format!("{}\\{}", LAYOUT.rgs_audio_dir, i + 1),
            })
            .collect(),
        edition_mismatch: match (partner, c) {
            (Some(b), Some(c)) => b.edition != c.edition,
            _ => false,
        },
    }
}
