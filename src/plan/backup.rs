//! The backup script's plan: which steps run (the one list of backup steps), the backup
//! locations, and the databases with their `.bak` file names.

use serde::Serialize;

use super::{sql, SqlPlan};
use crate::model::{Backup, DbRole, Notify, NotifyWhen, Pool, SqlRef};

#[derive(Debug, Clone, Serialize)]
pub struct BackupPlan {
    pub root: String,
    pub copies: Vec<String>,
    pub sql_backup_path: Option<String>,
    pub retention_days: u32,
    pub keep_last: u32,
    /// The scheduled task (`-RegisterTask`).
    pub task: TaskPlan,
}

/// The scheduled task of one pool's backup script.
#[derive(Debug, Clone, Serialize)]
pub struct TaskPlan {
    /// Task name in the root folder of Task Scheduler: one task per pool.
    pub name: String,
    /// Daily start, local time.
    pub hour: u32,
    pub minute: u32,
    /// `HH:MM`, as in the topology.
    pub time: String,

    /// The gMSA `DOMAIN\name$`; None: SYSTEM.
    pub run_as: Option<String>,
}

/// The email report, as the script needs it.
#[derive(Debug, Clone, Serialize)]
pub struct NotifyPlan {
    pub smtp_server: String,
    pub port: u32,
    pub use_ssl: bool,
    pub from: String,
    pub to: Vec<String>,
    /// Send after every run, not only when the run is not COMPLETE without warnings.
    pub always: bool,
}

pub fn notify_plan(n: &Notify) -> NotifyPlan {
    NotifyPlan {
        smtp_server: n.smtp_server.clone(),
        port: n.port,
        use_ssl: n.use_ssl,
        from: n.from.clone(),
        to: n.to.clone(),
        always: n.when == NotifyWhen::Always,
    }
}

fn task_plan(b: &Backup, id: &str) -> TaskPlan {
    // Validated: HH:MM with two digits each.
    let (h, m) = b.schedule.split_once(':').unwrap_or(("02", "30"));
    TaskPlan {
        name: format!("abc-failover backup {id}"),
        hour: h.parse().unwrap_or(2),
        minute: m.parse().unwrap_or(30),
        time: b.schedule.clone(),

        run_as: b.run_as.clone(),
    }
}

pub fn backup_plan(b: &Backup, id: &str) -> BackupPlan {
    BackupPlan {
        root: b.root.clone(),
        copies: b.copies.clone(),
        sql_backup_path: b.sql_backup_path.clone(),
        retention_days: b.retention_days,
        keep_last: b.keep_last,
        task: task_plan(b, id),
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

const fn step(
    name: &'static str,
    title: &'static str,
    items: &'static str,
    template: &'static str,
    enabled: fn(&Pool) -> bool,
) -> BackupStepDef {
    BackupStepDef {
        name,
        title,
        items,
        template,
        enabled,
    }
}

/// The backup steps in run order: the one list. A new step is a template file under
/// `templates/backup/steps/` and one line here.
#[rustfmt::skip]
pub const BACKUP_STEPS: &[BackupStepDef] = &[
    step("Cms", "Central Management store configuration", "B7", "backup/steps/01-cms.ps1", always),
    step("Lis", "Location Information Service (E9-1-1) configuration", "B1", "backup/steps/02-lis.ps1", |p| p.services.lis),
    step("ResponseGroups", "Response Group configuration, settings and original audio", "B2, B3", "backup/steps/03-response-groups.ps1", |p| p.services.response_groups),
    step("CallPark", "Call Park music-on-hold files, settings and orbits", "B4, B12", "backup/steps/04-call-park.ps1", |p| p.services.call_park),
    step("Announcements", "Announcement audio, announcements and unassigned-number ranges", "B5, B12", "backup/steps/05-announcements.ps1", |p| p.services.announcements),
    step("UserData", "User data of pool A", "B8", "backup/steps/06-user-data.ps1", always),
    step("Inventory", "Inventory of pool A identities the restore needs", "B12", "backup/steps/07-inventory.ps1", always),
    step("Databases", "Monitoring, Archiving and Persistent Chat databases", "B6, B10", "backup/steps/08-databases.ps1", |p| !p.databases.is_empty()),
    step("Checks", "Topology drift, pairing health and plausibility", "", "backup/steps/09-checks.ps1", always),
    step("Manifest", "SHA256SUMS and manifest.json", "", "backup/steps/10-manifest.ps1", always),
    step("Copies", "Verified copies to the other locations", "", "backup/steps/11-copies.ps1", always),
    step("Complete", "COMPLETE marker", "", "backup/steps/12-complete.ps1", always),
    step("Prune", "Retention", "", "backup/steps/13-prune.ps1", always),
];

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

pub fn backup_steps(pool: &Pool) -> Vec<BackupStep> {
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

/// The pool's databases, each with a `.bak` file name per database that no other database of
/// the pool uses (compared without case, as on Windows): `_2`, `_3`, ... on a collision.
pub fn database_plans(pool: &Pool) -> Vec<DatabasePlan> {
    let mut databases: Vec<DatabasePlan> = Vec::new();
    for db in &pool.databases {
        let s = sql(&SqlRef {
            server: db.server.clone(),
            instance: db.instance.clone(),
        });
        let mut bak_files = Vec::new();
        for n in &db.names {
            let base = bak_name(&s.server, &s.instance, n);
            let taken = |f: &str| {
                databases
                    .iter()
                    .flat_map(|d| d.bak_files.iter())
                    .chain(bak_files.iter())
                    .any(|b: &String| b.eq_ignore_ascii_case(f))
            };
            let mut f = base.clone();
            let mut k = 2;
            while taken(&f) {
                f = format!("{}_{k}.bak", base.trim_end_matches(".bak"));
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
    databases
}
