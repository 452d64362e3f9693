//! The topology file, format 1, as serde types. Key names are the contract of
//! `design/topology-format.md`; unknown keys are refused everywhere.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Product of the whole deployment: decides module name, install paths and cmdlet parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Product {
    Lync2013,
    Sfb2015,
    Sfb2019,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    #[default]
    Enterprise,
    Standard,
}

impl Edition {
    /// The topology file's value (`serde(rename_all = "lowercase")`).
    pub fn key(self) -> &'static str {
        match self {
            Edition::Enterprise => "enterprise",
            Edition::Standard => "standard",
        }
    }
}

/// `server\instance` for a named SQL instance, `server` for the default one (no or an empty
/// instance name): the form of `sqlcmd -S` and of the Management Shell's SQL parameters.
pub fn sql_target(server: &str, instance: Option<&str>) -> String {
    match instance.filter(|i| !i.is_empty()) {
        Some(i) => format!("{server}\\{i}"),
        None => server.to_string(),
    }
}

/// Is the Central Management Server on pool A? `unknown` keeps the check steps in the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostsCms {
    Yes,
    No,
    #[default]
    Unknown,
}

impl<'de> Deserialize<'de> for HostsCms {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = HostsCms;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("true, false or unknown")
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<HostsCms, E> {
                Ok(if b { HostsCms::Yes } else { HostsCms::No })
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<HostsCms, E> {
                match s {
                    "unknown" => Ok(HostsCms::Unknown),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(s), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for HostsCms {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            HostsCms::Yes => s.serialize_bool(true),
            HostsCms::No => s.serialize_bool(false),
            HostsCms::Unknown => s.serialize_str("unknown"),
        }
    }
}

impl JsonSchema for HostsCms {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HostsCms".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Is the Central Management Server on pool A? `unknown` keeps the check step.",
            "oneOf": [ { "type": "boolean" }, { "const": "unknown" } ],
            "default": "unknown"
        })
    }
}

/// One topology file (format 1).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "abc-failover topology, format 1")]
pub struct Topology {
    /// Format version; only 1 exists.
    #[schemars(range(min = 1, max = 1))]
    pub format: u32,
    /// lync2013 | sfb2015 | sfb2019.
    pub product: Product,
    /// Free text for headers (one line, at most 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200), pattern(r#"^[^"|\p{Cc}]*$"#))]
    pub organization: Option<String>,
    pub backup: Backup,
    /// Optional: an email report after each backup run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Notify>,
    /// Each pool A, its paired pool B and (once known) its replacement pool C.
    pub pools: Vec<Pool>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// Local or UNC folder where the script writes each backup set.
    pub root: String,
    /// Further locations that receive a verified copy of every set.
    #[serde(default)]
    pub copies: Vec<String>,
    /// Folder the SQL Server service account can write; required when any pool lists databases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_backup_path: Option<String>,
    /// Sets older than this may be removed (1..3650).
    #[serde(default = "default_retention_days")]
    #[schemars(range(min = 1, max = 3650))]
    pub retention_days: u32,
    /// The newest N complete sets are never removed (1..1000).
    #[serde(default = "default_keep_last")]
    #[schemars(range(min = 1, max = 1000))]
    pub keep_last: u32,
    /// Daily start time of the scheduled task (`-RegisterTask`), HH:MM local time.
    #[serde(default = "default_schedule")]
    #[schemars(pattern(r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    pub schedule: String,
    /// Account of the scheduled task: a group managed service account `DOMAIN\name$`.
    /// Absent: SYSTEM. Never a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,14}\\[A-Za-z0-9][A-Za-z0-9_-]{0,14}\$$"))]
    pub run_as: Option<String>,
}

fn default_retention_days() -> u32 {
    14
}
fn default_keep_last() -> u32 {
    3
}
/// The default daily start time of the scheduled task.
pub const DEFAULT_SCHEDULE: &str = "02:30";
fn default_schedule() -> String {
    DEFAULT_SCHEDULE.into()
}

/// When the backup script sends its email report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotifyWhen {
    /// Unless the run is COMPLETE without warnings.
    #[default]
    Failure,
    /// After every run.
    Always,
}

/// The email report of each backup run (Send-MailMessage; no password anywhere: the task
/// account's Windows authentication or an anonymous relay).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    /// Host name or IPv4 address of the SMTP relay.
    pub smtp_server: String,
    /// SMTP port (1..65535).
    #[serde(default = "default_smtp_port")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: u32,
    /// STARTTLS (Send-MailMessage -UseSsl); the relay must then accept anonymous submission.
    #[serde(default)]
    pub use_ssl: bool,
    /// Sender address (`name@domain`, no display name).
    pub from: String,
    /// Recipient addresses.
    #[schemars(length(min = 1))]
    pub to: Vec<String>,
    /// failure (default): unless the run is COMPLETE without warnings; always: every run.
    #[serde(default)]
    pub when: NotifyWhen,
}

fn default_smtp_port() -> u32 {
    25
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// Short name for file and folder names, [a-z0-9-]{1,32}; default: first label of fqdn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[a-z0-9-]{1,32}$"))]
    pub id: Option<String>,
    /// Pool A's FQDN.
    pub fqdn: String,
    #[serde(default)]
    pub edition: Edition,
    /// Pool A's file store share.
    pub file_store: String,
    /// The Application Server service folder under the file store (N-ApplicationServer-N).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[0-9]+-ApplicationServer-[0-9]+$"))]
    pub app_server_service_id: Option<String>,
    #[serde(default)]
    pub hosts_cms: HostsCms,
    /// Pool B.
    pub backup_pool: BackupPool,
    /// Pool C; absent: the checklist keeps clearly marked placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement_pool: Option<ReplacementPool>,
    #[serde(default)]
    pub services: Services,
    /// Edge pools whose internal next hop is pool A.
    #[serde(default)]
    pub edge_pools: Vec<String>,
    /// Where the original Response Group recordings are kept.
    #[serde(default)]
    pub rgs_audio_sources: Vec<String>,
    /// Databases backed up with SQL Server tools.
    #[serde(default)]
    pub databases: Vec<Database>,
    /// Survivable Branch Appliances/Servers tied to pool A.
    #[serde(default)]
    pub branch_appliances: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupPool {
    pub fqdn: String,
    /// Pool B's back-end SQL, needed to fail the CMS over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<SqlRef>,
    /// Pool B's mirror back end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirror: Option<SqlRef>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlRef {
    pub server: String,
    /// Omit or '' for the default instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^([A-Za-z_][A-Za-z0-9_$#]{0,15})?$"))]
    pub instance: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplacementPool {
    pub fqdn: String,
    #[serde(default)]
    pub edition: Edition,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_store: Option<String>,
}

/// Which pool-A applications exist; each false or absent drops its steps.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Services {
    /// Location Information Service configuration (E9-1-1).
    #[serde(default)]
    pub lis: bool,
    #[serde(default)]
    pub response_groups: bool,
    /// Call park settings, orbits and custom music-on-hold.
    #[serde(default)]
    pub call_park: bool,
    /// Unassigned Number announcements.
    #[serde(default)]
    pub announcements: bool,
    /// A Persistent Chat pool uses pool A as next hop.
    #[serde(default)]
    pub persistent_chat_next_hop: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DbRole {
    Monitoring,
    Archiving,
    PersistentChat,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub role: DbRole,
    pub server: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^([A-Za-z_][A-Za-z0-9_$#]{0,15})?$"))]
    pub instance: Option<String>,
    #[schemars(length(min = 1), inner(pattern(r"^[A-Za-z0-9_]{1,128}$")))]
    pub names: Vec<String>,
}

impl Pool {
    /// The effective id: the explicit one, or [`default_pool_id`] of the FQDN.
    pub fn effective_id(&self) -> String {
        match &self.id {
            Some(id) => id.clone(),
            None => default_pool_id(&self.fqdn),
        }
    }
}

/// The id of a pool without `id:`: the first label of its FQDN, lower-cased.
pub fn default_pool_id(fqdn: &str) -> String {
    fqdn.split('.').next().unwrap_or("").to_ascii_lowercase()
}
