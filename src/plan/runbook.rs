//! The restore runbook's decisions, one function per part of `templates/checklist/` that needs
//! values of its own. A part's template binds its own value first
//! (`{%- set part = runbook.step14 -%}`) and otherwise reads only the pool-wide values of
//! [`super::PoolPlan`]. Parts that print pool-wide values only have no entry here.

use serde::Serialize;

use super::{placeholder, PoolCtx, PLACEHOLDER_MARKER};
use crate::model::{Edition, HostsCms, Product, SqlRef};

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
    pub header: Header,
    pub missing_values: MissingValues,
    pub p2: FindBackupSet,
    pub step01: CmsStep,
    pub step02: CmsFailover,
    pub step03: LisImport,
    pub step04: RgsImportToB,
    pub step05: ResponseGroupsStep,
    pub step06: AnnouncementsStep,
    pub edge_next_hop_to_b: EdgeNextHop,
    pub step13: BranchStep,
    pub step14: CallParkStep,
    pub step15: StartPoolC,
    pub step16: ResponseGroupsStep,
    pub step17: ResponseGroupsStep,
    pub step18: ResponseGroupsStep,
    pub step19: ResponseGroupsStep,
    pub step20: AnnouncementsStep,
    pub step25: CmsDatabaseOnC,
    pub step27: BranchStep,
    pub step28: BranchStep,
    pub step29: BranchStep,
    pub sign_off: SignOff,
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
        header: header(ctx),
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
        },
        step05: rgs.clone(),
        step06: announcements.clone(),
        edge_next_hop_to_b: EdgeNextHop { edge: edge(ctx) },
        step13: branch.clone(),
        step14: CallParkStep {
            call_park: call_park(ctx),
        },
        step15: StartPoolC {
            persistent_chat: persistent_chat(ctx),
        },
        step16: rgs.clone(),
        step17: rgs.clone(),
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
    }
}

/// `header.md`: the title, the pool table and the diagram.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    /// Pool B's edition differs from pool C's (both known).
    pub edition_mismatch: bool,
}

fn header(ctx: &PoolCtx) -> Header {
    Header {
        edition_mismatch: match (ctx.partner, ctx.pool.replacement_pool.as_ref()) {
            (Some(b), Some(c)) => b.edition != c.edition,
            _ => false,
        },
    }
}

/// `missing-values.md`: every placeholder, in the order the runbook first uses them.
#[derive(Debug, Clone, Serialize)]
pub struct MissingValues {
    pub placeholder_marker: &'static str,
    /// Empty: no placeholder anywhere.
    pub missing: Vec<MissingValue>,
}

fn missing_values(ctx: &PoolCtx) -> MissingValues {
    let mut missing: Vec<MissingValue> = pool_c_missing(ctx).into_iter().collect();
    missing.extend(backend(ctx).1);
    MissingValues {
        placeholder_marker: PLACEHOLDER_MARKER,
        missing,
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
}

fn find_backup_set(ctx: &PoolCtx) -> FindBackupSet {
    let b = &ctx.topology.backup;
    FindBackupSet {
        set_locations: std::iter::once(&b.root).chain(&b.copies).cloned().collect(),
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
}

fn cms_failover(ctx: &PoolCtx) -> CmsFailover {
    CmsFailover {
        cms_on_a: cms_on_a(ctx),
        backend: backend(ctx).0,
        mirror: ctx.pool.backup_pool.mirror.as_ref().map(sql_args),
    }
}

/// Pool B's back end, with placeholders (and what they stand for) when the topology lacks it
/// and step 2 may be needed.
fn backend(ctx: &PoolCtx) -> (SqlArgs, Vec<MissingValue>) {
    let pool = ctx.pool;
    match &pool.backup_pool.backend {
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

/// `extra/edge-next-hop-to-b.md`.
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
