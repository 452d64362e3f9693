//! Names inside one backup set: the backup script writes them, the restore runbook reads them.

use serde::Serialize;

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
    /// The published topology (`Get-CsTopology -AsXml`), read by `abc-failover import`; the
    /// backup run saves it and checks drift against it.
    pub topology_xml: &'static str,
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
    /// Simple URLs (meet, dialin, admin) of every simple URL configuration, one row per URL.
    pub simple_urls_csv: &'static str,
    /// Pool A's web services (`Get-CsService -WebServer -PoolFqdn`): internal/external FQDNs.
    pub web_services_csv: &'static str,
    /// Lync certificates of the Front End the backup runs on (never private keys).
    pub certificates_csv: &'static str,
    /// SIP trunks (`Get-CsTrunk`), PSTN gateways and Mediation Server services.
    pub trunks_csv: &'static str,
    pub pstn_gateways_csv: &'static str,
    pub mediation_servers_csv: &'static str,
    /// Edge services with their next hop (`Get-CsService -EdgeServer`).
    pub edge_servers_csv: &'static str,
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
    topology_xml: "Inventory\\Topology.xml",
    backup_relationship_csv: "Inventory\\PoolBackupRelationship.csv",
    app_server_service_csv: "Inventory\\ApplicationServerService.csv",
    conference_directories_csv: "Inventory\\ConferenceDirectories.csv",
    dial_in_access_numbers_csv: "Inventory\\DialInAccessNumbers.csv",
    users_csv: "Inventory\\Users.csv",
    branch_users_csv_prefix: "Inventory\\BranchUsers-",
    common_area_phones_csv: "Inventory\\CommonAreaPhones.csv",
    analog_devices_csv: "Inventory\\AnalogDevices.csv",
    exum_contacts_csv: "Inventory\\ExUmContacts.csv",
    simple_urls_csv: "Inventory\\SimpleUrls.csv",
    web_services_csv: "Inventory\\WebServices.csv",
    certificates_csv: "Inventory\\Certificates.csv",
    trunks_csv: "Inventory\\Trunks.csv",
    pstn_gateways_csv: "Inventory\\PstnGateways.csv",
    mediation_servers_csv: "Inventory\\MediationServers.csv",
    edge_servers_csv: "Inventory\\EdgeServers.csv",
    databases_dir: "Databases",
    sums: "SHA256SUMS",
    manifest: "manifest.json",
    complete_marker: "COMPLETE",
};
