//! From a validated topology to one render context per pool: every decision made here, in Rust,
//! so the templates only print. Values stay raw; the templates' autoescape turns them into
//! PowerShell literals (`.ps1`) or CommonMark text (`.md`).
//!
//! [`PoolPlan`] holds the pool-wide values every template may read; `backup` decides the backup
//! script's steps, `runbook` the value of each runbook part, `layout` the names inside a set.

mod backup;
mod layout;
mod runbook;

pub use backup::{
    BackupPlan, BackupStep, BackupStepDef, DatabasePlan, NotifyPlan, TaskPlan, BACKUP_STEPS,
};
pub use layout::{SetLayout, LAYOUT};

/// When a Backup Service module (`BackupModules` of `Get-CsBackupServiceStatus`) is in steady
/// state, after Microsoft's Lync team blog "What does the status reported by
/// Get-CsBackupServiceStatus mean?": the backup script's health check and the runbook's step 26
/// apply this one rule.
#[derive(Debug, Clone, Serialize)]
pub struct BackupServiceRule {
    /// Export states of a module in sync.
    pub export_ok: [&'static str; 2],
    /// The import state of a module in sync.
    pub import_ok: &'static str,
    /// The export state of the CMS module on a pool that is not the CMS master, and that module.
    pub cms_idle: &'static str,
    pub cms_module: &'static str,
}

pub const BACKUP_SERVICE: BackupServiceRule = BackupServiceRule {
    export_ok: ["SteadyState", "FinalState"],
    import_ok: "NormalState",
    cms_idle: "NotInitialized",
    cms_module: "CentralMgmt.CMSMaster",
};
pub use runbook::{Condition, MissingValue, RunbookPlan, SqlArgs};

use serde::Serialize;

use crate::load::Loaded;
use crate::model::{Edition, HostsCms, Pool, Services, SqlRef, Topology};
use crate::product::{facts, ProductFacts};

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
    /// The back end is not in the topology but follows from pool A being Standard Edition.
    pub backend_derived: bool,
    pub mirror: Option<SqlPlan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PoolCPlan {
    pub fqdn: String,
    pub edition: Edition,
    pub file_store: Option<String>,
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
    /// Pool C's FQDN, or its placeholder (listed by the runbook's "Values still missing").
    pub pool_c_fqdn: String,
    pub services: Services,
    pub edge_pools: Vec<String>,
    pub rgs_audio_sources: Vec<String>,
    pub branch_appliances: Vec<String>,
    pub databases: Vec<DatabasePlan>,
    pub backup: BackupPlan,
    /// The email report; None: the script sends no mail (and has no mail code).
    pub notify: Option<NotifyPlan>,
    pub backup_steps: Vec<BackupStep>,
    pub layout: SetLayout,
    /// When a Backup Service module is in steady state.
    pub backup_service: BackupServiceRule,
    /// The topology's path and service id rules, for the script's run-time checks.
    pub rules: crate::validate::ScriptRules,
    /// Output file names of this pool, relative to its folder.
    pub script_file: String,
    pub checklist_file: String,
    /// Where the set keeps each original Response Group audio folder.
    pub rgs_audio: Vec<RgsAudioPlan>,
    /// Pool A's branch appliances with their users' inventory file.
    pub branches: Vec<BranchPlan>,
    /// Every database to restore, one per `.bak` file.
    pub db_restores: Vec<DbRestore>,
    /// The value of each runbook part that has one (see `runbook`).
    pub runbook: RunbookPlan,
}

/// What the plan functions of one pool look at.
pub struct PoolCtx<'a> {
    pub topology: &'a Topology,
    pub pool: &'a Pool,
    pub id: String,
    /// Pool B, when it is itself described as a pool of the topology.
    pub partner: Option<&'a Pool>,
}

/// Text that stands in for a value the topology does not know yet. Every placeholder starts with
/// this marker, is printed as a single-quoted PowerShell literal inside code blocks, and is listed
/// in the checklist's "Values still missing" section.
pub const PLACEHOLDER_MARKER: &str = "MISSING-";

fn placeholder(name: &str) -> String {
    format!("{PLACEHOLDER_MARKER}{name}")
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

fn sql(r: &SqlRef) -> SqlPlan {
    SqlPlan {
        server: r.server.clone(),
        instance: r.instance.clone().unwrap_or_default(),
        target: crate::model::sql_target(&r.server, r.instance.as_deref()),
    }
}

/// Build the plan of one pool of a validated topology.
pub fn pool_plan(loaded: &Loaded, pool: &Pool) -> PoolPlan {
    let t: &Topology = &loaded.topology;
    let ctx = PoolCtx {
        topology: t,
        pool,
        id: pool.effective_id(),
        partner: t
            .pools
            .iter()
            .find(|o| o.fqdn.eq_ignore_ascii_case(&pool.backup_pool.fqdn)),
    };
    let id = ctx.id.clone();
    let databases = backup::database_plans(pool);
    PoolPlan {
        source_name: loaded.source_name.clone(),
        organization: t.organization.clone(),
        product: facts(t.product),
        id: id.clone(),
        pool_a: pool_a(pool),
        pool_b: pool_b(&ctx),
        pool_c: pool.replacement_pool.as_ref().map(|c| PoolCPlan {
            fqdn: c.fqdn.clone(),
            edition: c.edition,
            file_store: c.file_store.clone(),
        }),
        pool_c_fqdn: runbook::pool_c_fqdn(&ctx),
        services: pool.services.clone(),
        edge_pools: pool.edge_pools.clone(),
        rgs_audio_sources: pool.rgs_audio_sources.clone(),
        branch_appliances: pool.branch_appliances.clone(),
        backup: backup::backup_plan(&t.backup, &id),
        notify: t.notify.as_ref().map(backup::notify_plan),
        backup_steps: backup::backup_steps(pool),
        layout: LAYOUT,
        backup_service: BACKUP_SERVICE,
        rules: crate::validate::SCRIPT_RULES,
        script_file: format!("backup-{id}.ps1"),
        checklist_file: format!("restore-checklist-{id}.md"),
        rgs_audio: rgs_audio(pool),
        branches: branches(pool),
        db_restores: db_restores(&databases),
        databases,
        runbook: runbook::runbook_plan(&ctx),
    }
}

fn pool_a(pool: &Pool) -> PoolAPlan {
    PoolAPlan {
        fqdn: pool.fqdn.clone(),
        edition: pool.edition,
        file_store: pool.file_store.clone(),
        app_server_service_id: pool.app_server_service_id.clone(),
        hosts_cms: match pool.hosts_cms {
            HostsCms::Yes => "yes",
            HostsCms::No => "no",
            HostsCms::Unknown => "unknown",
        },
    }
}

/// Pool B's back end: the topology's, or, when pool A is a Standard Edition server (so pool B
/// is one too), the local SQL Server Express instance `rtc` on pool B itself.
pub(crate) fn pool_b_backend(pool: &Pool) -> Option<SqlRef> {
    let b = &pool.backup_pool;
    match (&b.backend, pool.edition) {
        (Some(r), _) => Some(r.clone()),
        (None, Edition::Standard) => Some(SqlRef {
            server: b.fqdn.clone(),
            instance: Some(STANDARD_BACKEND_INSTANCE.to_string()),
        }),
        (None, Edition::Enterprise) => None,
    }
}

/// The SQL Server Express instance of a Standard Edition server's back end.
pub const STANDARD_BACKEND_INSTANCE: &str = "rtc";

fn pool_b(ctx: &PoolCtx) -> PoolBPlan {
    let b = &ctx.pool.backup_pool;
    PoolBPlan {
        fqdn: b.fqdn.clone(),
        edition: ctx.partner.map(|p| p.edition),
        id: ctx.partner.map(Pool::effective_id),
        backend: pool_b_backend(ctx.pool).as_ref().map(sql),
        backend_derived: b.backend.is_none() && ctx.pool.edition == Edition::Standard,
        mirror: b.mirror.as_ref().map(sql),
    }
}

fn rgs_audio(pool: &Pool) -> Vec<RgsAudioPlan> {
    pool.rgs_audio_sources
        .iter()
        .enumerate()
        .map(|(i, src)| RgsAudioPlan {
            source: src.clone(),
            copy: format!("{}\\{}", LAYOUT.rgs_audio_dir, i + 1),
        })
        .collect()
}

fn branches(pool: &Pool) -> Vec<BranchPlan> {
    pool.branch_appliances
        .iter()
        .map(|f| BranchPlan {
            fqdn: f.clone(),
            users_csv: format!("{}{}.csv", LAYOUT.branch_users_csv_prefix, f),
        })
        .collect()
}

fn db_restores(databases: &[DatabasePlan]) -> Vec<DbRestore> {
    databases
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
        .collect()
}
