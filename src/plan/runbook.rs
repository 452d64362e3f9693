//! The restore runbook's decisions, one function per part of `templates/checklist/` that needs
//! values of its own. A part's template binds its own value first
//! (`{%- set part = runbook.step14 -%}`) and otherwise reads only the pool-wide values of
//! [`super::PoolPlan`]. Parts that print pool-wide values only have no entry here.

use serde::Serialize;

use super::{placeholder, PoolCtx, PLACEHOLDER_MARKER};
use crate::model::{DbRole, Edition, HostsCms, Product, SqlRef};

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
    /// A condition that only depends on whether a service flag is on.
    fn flag(on: bool, yes: &str, no: &str) -> Self {
        if on {
            Self::yes(yes)
        } else {
            Self::no(no)
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

fn sql_args(r: &SqlRef) -> SqlArgs {
    SqlArgs {
        server: r.server.clone(),
        instance: r.instance.clone().filter(|i| !i.is_empty()),
    }
}

/// The value of every part that has one, under the name its template binds.
#[derive(Debug, Clone, Serialize)]
pub struct RunbookPlan {
    pub missing_values: MissingValues,
    pub p2: FindBackupSet,
    pub step01: CmsStep,
    pub step02: CmsFailover,
    pub step03: LisImport,
    pub step04: RgsImportToB,
    pub step05: ResponseGroupsStep,
    pub step06: AnnouncementsStep,
    pub edge_next_hop_to_b: EdgeNextHop,
    pub step08: BuildPoolC,
    pub edge_next_hop_to_c: EdgeNextHop,
    pub step13: BranchStep,
    pub step14: CallParkStep,
    pub step15: StartPoolC,
    pub step16: ResponseGroupsStep,
    pub step17: RgsImportToC,
    pub step18: ResponseGroupsStep,
    pub step19: ResponseGroupsStep,
    pub step20: AnnouncementsStep,
    pub step25: CmsDatabaseOnC,
    pub step27: BranchStep,
    pub step28: BranchStep,
    pub step29: BranchStep,
    pub sign_off: SignOff,
    pub databases: DatabaseStores,
}

pub fn runbook_plan(ctx: &PoolCtx) -> RunbookPlan {
    let rgs = ResponseGroupsStep {
        response_groups: response_groups(ctx),
    };
    let announcements = AnnouncementsStep {
        announcements: announcements(ctx),
    };
    let branch = BranchStep {
        branch: branch(ctx),
    };
    RunbookPlan {
        missing_values: missing_values(ctx),
        p2: find_backup_set(ctx),
        step01: CmsStep {
            cms_on_a: cms_on_a(ctx),
        },
        step02: cms_failover(ctx),
        step03: LisImport {
            lis_import: lis_import(ctx),
        },
        step04: RgsImportToB {
            response_groups: response_groups(ctx),
            cms_on_a: cms_on_a(ctx),
            b_settings: b_rgs_settings(ctx),
        },
        step05: rgs.clone(),
        step06: announcements.clone(),
        edge_next_hop_to_b: EdgeNextHop { edge: edge(ctx) },
        step08: BuildPoolC {
            stores: database_stores(ctx).for_pool_c,
        },
        edge_next_hop_to_c: EdgeNextHop { edge: edge(ctx) },
        step13: branch.clone(),
        step14: CallParkStep {
            call_park: call_park(ctx),
        },
        step15: StartPoolC {
            persistent_chat: persistent_chat(ctx),
        },
        step16: rgs.clone(),
        step17: RgsImportToC {
            response_groups: response_groups(ctx),
            b_settings: b_rgs_settings(ctx),
        },
        step18: rgs.clone(),
        step19: rgs,
        step20: announcements,
        step25: CmsDatabaseOnC {
            cms_db_on_c: cms_db_on_c(ctx),
        },
        step27: branch.clone(),
        step28: branch.clone(),
        step29: branch,
        sign_off: sign_off(ctx),
        databases: database_stores(ctx),
    }
}

/// `missing-values.md`: every placeholder, in the order the runbook first uses them.
#[derive(Debug, Clone, Serialize)]
pub struct MissingValues {
    pub placeholder_marker: &'static str,
    /// Empty: no placeholder anywhere.
    pub missing: Vec<MissingValue>,
    /// Pool C's FQDN is missing: steps 8 and later cannot run.
    pub pool_c_missing: bool,
    /// Pool B's back end is missing: step 2 cannot run.
    pub backend_missing: bool,
}

fn missing_values(ctx: &PoolCtx) -> MissingValues {
    let mut missing: Vec<MissingValue> = pool_c_missing(ctx).into_iter().collect();
    let pool_c_missing = !missing.is_empty();
    let backend_missing = backend(ctx).1;
    let backend_is_missing = !backend_missing.is_empty();
    missing.extend(backend_missing);
    MissingValues {
        placeholder_marker: PLACEHOLDER_MARKER,
        missing,
        pool_c_missing,
        backend_missing: backend_is_missing,
    }
}

/// Pool C's FQDN, or its placeholder.
pub fn pool_c_fqdn(ctx: &PoolCtx) -> String {
    match &ctx.pool.replacement_pool {
        Some(c) => c.fqdn.clone(),
        None => placeholder("pool-C-FQDN"),
    }
}

fn pool_c_missing(ctx: &PoolCtx) -> Option<MissingValue> {
    ctx.pool.replacement_pool.is_none().then(|| MissingValue {
        placeholder: pool_c_fqdn(ctx),
        what: "FQDN of pool C, the new pool that replaces pool A",
        set_path: format!("pools.{}.replacement_pool.fqdn", ctx.id),
        key: "replacement_pool.fqdn",
        example: "pool-c.contoso.com",
    })
}

/// `before/p2-find-backup-set.md`.
#[derive(Debug, Clone, Serialize)]
pub struct FindBackupSet {
    /// Folders searched for backup sets: the root, then each copy location.
    pub set_locations: Vec<String>,
    /// The locations that are local paths (a drive letter, not a UNC share).
    pub local_locations: Vec<String>,
}

fn find_backup_set(ctx: &PoolCtx) -> FindBackupSet {
    let b = &ctx.topology.backup;
    let set_locations: Vec<String> = std::iter::once(&b.root).chain(&b.copies).cloned().collect();
    FindBackupSet {
        local_locations: set_locations
            .iter()
            .filter(|l| !l.starts_with("\\\\"))
            .cloned()
            .collect(),
        set_locations,
    }
}

/// `steps/01-cms-location.md`.
#[derive(Debug, Clone, Serialize)]
pub struct CmsStep {
    pub cms_on_a: Condition,
}

fn cms_on_a(ctx: &PoolCtx) -> Condition {
    match ctx.pool.hosts_cms {
        HostsCms::Yes => Condition::yes("the topology says pool A hosts the Central Management store (hosts_cms: true)"),
        HostsCms::No => Condition::no("the topology says the Central Management store is not on pool A (hosts_cms: false)"),
        HostsCms::Unknown => Condition::check("the topology does not say where the Central Management store is (hosts_cms: unknown); step 1 decides"),
    }
}

/// `steps/02-cms-failover.md`.
#[derive(Debug, Clone, Serialize)]
pub struct CmsFailover {
    pub cms_on_a: Condition,
    /// Pool B's back end for `Invoke-CsManagementServerFailover`.
    pub backend: SqlArgs,
    /// Pool B's mirror back end, when the topology names one.
    pub mirror: Option<SqlArgs>,
    /// `server\instance` (or `server`) of the back end, for `sqlcmd -S`.
    pub backend_target: String,
    pub mirror_target: Option<String>,
}

fn sql_target(a: &SqlArgs) -> String {
    crate::model::sql_target(&a.server, a.instance.as_deref())
}

fn cms_failover(ctx: &PoolCtx) -> CmsFailover {
    let backend = backend(ctx).0;
    let mirror = ctx.pool.backup_pool.mirror.as_ref().map(sql_args);
    CmsFailover {
        cms_on_a: cms_on_a(ctx),
        backend_target: sql_target(&backend),
        mirror_target: mirror.as_ref().map(sql_target),
        backend,
        mirror,
    }
}

/// Pool B's back end, with placeholders (and what they stand for) when the topology lacks it
/// and step 2 may be needed.
fn backend(ctx: &PoolCtx) -> (SqlArgs, Vec<MissingValue>) {
    let pool = ctx.pool;
    match &super::pool_b_backend(pool) {
        Some(b) => (sql_args(b), Vec::new()),
        None if pool.hosts_cms != HostsCms::No => {
            let server = placeholder("pool-B-backend-SQL-server");
            let instance = placeholder("pool-B-backend-SQL-instance");
            let missing = vec![
                MissingValue {
                    placeholder: server.clone(),
                    what: "FQDN of pool B's back-end SQL Server (for the CMS failover in step 2)",
                    set_path: format!("pools.{}.backup_pool.backend.server", ctx.id),
                    key: "backup_pool.backend.server",
                    example: "sql-b.contoso.com",
                },
                MissingValue {
                    placeholder: instance.clone(),
                    what: "SQL instance of pool B's back end (empty for the default instance)",
                    set_path: format!("pools.{}.backup_pool.backend.instance", ctx.id),
                    key: "backup_pool.backend.instance",
                    example: "rtc",
                },
            ];
            let args = SqlArgs {
                server,
                instance: Some(instance),
            };
            (args, missing)
        }
        None => (
            SqlArgs {
                server: String::new(),
                instance: None,
            },
            Vec::new(),
        ),
    }
}

/// `steps/03-lis-import.md`.
#[derive(Debug, Clone, Serialize)]
pub struct LisImport {
    pub lis_import: Condition,
}

fn lis_import(ctx: &PoolCtx) -> Condition {
    if !ctx.pool.services.lis {
        return Condition::no("pool A has no Location Information Service configuration to restore (services.lis is false)");
    }
    match ctx.pool.hosts_cms {
        HostsCms::Yes => {
            Condition::yes("the Central Management store was on pool A, so its LIS database is lost")
        }
        HostsCms::No => Condition::no("the Central Management store (and its LIS database) is not on pool A (hosts_cms: false)"),
        HostsCms::Unknown => {
            Condition::check("only if step 1 shows the Central Management store on pool A")
        }
    }
}

/// `steps/04-rgs-import-to-b.md`.
#[derive(Debug, Clone, Serialize)]
pub struct RgsImportToB {
    pub response_groups: Condition,
    /// Whether the CMS may have been on pool A (the import must wait for step 2).
    pub cms_on_a: Condition,
    /// Whether pool B's own Response Group settings must be kept ("yes" and "check": keep;
    /// "no": pool B runs no Response Groups of its own, pool A's settings may replace them).
    pub b_settings: Condition,
}

/// `steps/17-rgs-import-to-c.md`.
#[derive(Debug, Clone, Serialize)]
pub struct RgsImportToC {
    pub response_groups: Condition,
    /// As in step 4: when pool B's settings were kept, pool A's saved settings go to pool C here.
    pub b_settings: Condition,
}

fn b_rgs_settings(ctx: &PoolCtx) -> Condition {
    match ctx.partner {
        Some(b) if b.services.response_groups => Condition::yes("the topology says pool B runs Response Groups of its own (its services.response_groups is true)"),
        Some(_) => Condition::no("the topology says pool B runs no Response Groups of its own (its services.response_groups is false)"),
        None => Condition::check("the topology does not describe pool B's own services, so pool B may run Response Groups of its own"),
    }
}

/// Steps 5 and 16 to 19.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseGroupsStep {
    pub response_groups: Condition,
}

fn response_groups(ctx: &PoolCtx) -> Condition {
    Condition::flag(
        ctx.pool.services.response_groups,
        "pool A runs Response Groups (services.response_groups)",
        "pool A runs no Response Groups (services.response_groups is false)",
    )
}

/// Steps 6 and 20.
#[derive(Debug, Clone, Serialize)]
pub struct AnnouncementsStep {
    pub announcements: Condition,
}

fn announcements(ctx: &PoolCtx) -> Condition {
    Condition::flag(
        ctx.pool.services.announcements,
        "pool A runs Announcement service announcements for unassigned numbers (services.announcements)",
        "no unassigned-number range uses a pool A announcement (services.announcements is false)",
    )
}

/// `extra/edge-next-hop-to-b.md` and `extra/edge-next-hop-to-c.md`.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeNextHop {
    pub edge: Condition,
}

fn edge(ctx: &PoolCtx) -> Condition {
    Condition::flag(
        !ctx.pool.edge_pools.is_empty(),
        "these Edge pools use pool A as their next hop (edge_pools)",
        "no Edge pool uses pool A as its next hop (edge_pools is empty)",
    )
}

/// Steps 13 and 27 to 29.
#[derive(Debug, Clone, Serialize)]
pub struct BranchStep {
    pub branch: Condition,
}

fn branch(ctx: &PoolCtx) -> Condition {
    Condition::flag(
        !ctx.pool.branch_appliances.is_empty(),
        "Survivable Branch Appliances or Servers are tied to pool A (branch_appliances)",
        "no Survivable Branch Appliance or Server is tied to pool A (branch_appliances is empty)",
    )
}

/// `steps/14-call-park.md`.
#[derive(Debug, Clone, Serialize)]
pub struct CallParkStep {
    pub call_park: Condition,
}

fn call_park(ctx: &PoolCtx) -> Condition {
    Condition::flag(
        ctx.pool.services.call_park,
        "pool A runs Call Park (services.call_park)",
        "pool A runs no Call Park (services.call_park is false)",
    )
}

/// `steps/15-start-pool-c.md`: first the Persistent Chat next hop.
#[derive(Debug, Clone, Serialize)]
pub struct StartPoolC {
    pub persistent_chat: Condition,
}

fn persistent_chat(ctx: &PoolCtx) -> Condition {
    if ctx.topology.product == Product::Sfb2019 {
        return Condition::no("Persistent Chat is not supported in Skype for Business Server 2019");
    }
    Condition::flag(
        ctx.pool.services.persistent_chat_next_hop,
        "a Persistent Chat pool uses pool A as its next hop (services.persistent_chat_next_hop)",
        "no Persistent Chat pool uses pool A as its next hop (services.persistent_chat_next_hop is false)",
    )
}

/// `steps/25-cms-database-on-c.md`.
#[derive(Debug, Clone, Serialize)]
pub struct CmsDatabaseOnC {
    pub cms_db_on_c: Condition,
}

/// Step 25: pool C is Standard Edition and pool B hosts the CMS (after steps 1-3).
fn cms_db_on_c(ctx: &PoolCtx) -> Condition {
    let pool = ctx.pool;
    let b_hosts_cms = if pool.hosts_cms == HostsCms::Yes {
        HostsCms::Yes
    } else {
        match ctx.partner.map(|p| p.hosts_cms) {
            Some(HostsCms::Yes) => HostsCms::Yes,
            Some(HostsCms::No) if pool.hosts_cms == HostsCms::No => HostsCms::No,
            _ => HostsCms::Unknown,
        }
    };
    let neither =
        "neither pool A nor pool B hosts the Central Management store (hosts_cms: false for both)";
    match pool.replacement_pool.as_ref().map(|c| c.edition) {
        // Whatever pool C is, the step needs pool B to host the CMS.
        _ if b_hosts_cms == HostsCms::No => Condition::no(neither),
        Some(Edition::Enterprise) => Condition::no("pool C is an Enterprise Edition pool; this step is only for a Standard Edition pool C"),
        Some(Edition::Standard) => match b_hosts_cms {
            HostsCms::Yes => Condition::yes("pool C is a Standard Edition server and pool B hosts the Central Management store"),
            HostsCms::No => Condition::no(neither),
            HostsCms::Unknown => Condition::check("pool C is a Standard Edition server; needed only if pool B hosts the Central Management store (see step 1)"),
        },
        None => Condition::check("pool C is not in the topology yet; needed only if pool C is a Standard Edition server and pool B hosts the Central Management store"),
    }
}

/// `extra/sign-off.md`: the table notes which steps are not needed for this pool.
#[derive(Debug, Clone, Serialize)]
pub struct SignOff {
    pub cms_on_a: Condition,
    pub lis_import: Condition,
    pub response_groups: Condition,
    pub announcements: Condition,
    pub edge: Condition,
    pub call_park: Condition,
    pub cms_db_on_c: Condition,
    pub branch: Condition,
}

fn sign_off(ctx: &PoolCtx) -> SignOff {
    SignOff {
        cms_on_a: cms_on_a(ctx),
        lis_import: lis_import(ctx),
        response_groups: response_groups(ctx),
        announcements: announcements(ctx),
        edge: edge(ctx),
        call_park: call_park(ctx),
        cms_db_on_c: cms_db_on_c(ctx),
        branch: branch(ctx),
    }
}

/// `steps/08-build-pool-c.md`: the Monitoring and Archiving stores pool C is associated with.
#[derive(Debug, Clone, Serialize)]
pub struct BuildPoolC {
    pub stores: Vec<DatabaseStore>,
}

/// `extra/databases.md`: each SQL store of pool A with the pools that use it.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseStores {
    pub stores: Vec<DatabaseStore>,
    /// The Monitoring and Archiving stores: a Front End pool is associated with them in
    /// Topology Builder (Persistent Chat stores belong to the Persistent Chat pool).
    pub for_pool_c: Vec<DatabaseStore>,
}

/// One SQL Server instance of one role (Monitoring, Archiving, Persistent Chat).
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseStore {
    pub role_title: &'static str,
    /// `server\instance` or `server`.
    pub target: String,
    /// Every pool of the topology that lists this role on this instance (pool A first).
    pub pools: Vec<String>,
    /// What uses the store, one phrase.
    pub used_for: &'static str,
}

fn database_stores(ctx: &PoolCtx) -> DatabaseStores {
    let mut stores: Vec<DatabaseStore> = Vec::new();
    for db in &ctx.pool.databases {
        let t = crate::model::sql_target(&db.server, db.instance.as_deref());
        if stores
            .iter()
            .any(|s| s.target.eq_ignore_ascii_case(&t) && s.role_title == role_title(db.role))
        {
            continue;
        }
        let mut pools = vec![ctx.pool.fqdn.clone()];
        for other in &ctx.topology.pools {
            if other.fqdn.eq_ignore_ascii_case(&ctx.pool.fqdn) {
                continue;
            }
            let shares = other.databases.iter().any(|o| {
                o.role == db.role
                    && crate::model::sql_target(&o.server, o.instance.as_deref())
                        .eq_ignore_ascii_case(&t)
            });
            if shares {
                pools.push(other.fqdn.clone());
            }
        }
        stores.push(DatabaseStore {
            role_title: role_title(db.role),
            target: t,
            pools,
            used_for: match db.role {
                DbRole::Monitoring => "call detail records and Quality of Experience data of the pools' Monitoring service",
                DbRole::Archiving => "IM and conference archiving of the pools' Archiving service",
                DbRole::PersistentChat => "chat rooms, their content and compliance data of the Persistent Chat pool whose next hop these pools are",
            },
        });
    }
    let for_pool_c = stores
        .iter()
        .filter(|s| s.role_title != role_title(DbRole::PersistentChat))
        .cloned()
        .collect();
    DatabaseStores { stores, for_pool_c }
}

fn role_title(r: DbRole) -> &'static str {
    match r {
        DbRole::Monitoring => "Monitoring",
        DbRole::Archiving => "Archiving",
        DbRole::PersistentChat => "Persistent Chat",
    }
}
