//! What differs between Lync Server 2013, Skype for Business Server 2015 and 2019, in one table.
//! Sources: `reference/lync-abc-facts.md` §4 (cmdlet table) and §6.2 (version differences).

use serde::Serialize;

use crate::model::Product;

#[derive(Debug, Clone, Serialize)]
pub struct ProductFacts {
    /// The topology key: lync2013, sfb2015, sfb2019.
    pub key: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Management Shell module imported first, and the name tried when it is missing.
    pub module: &'static str,
    pub module_fallback: &'static str,
    /// Folder under `Program Files` (on the system drive) where the server is installed.
    pub install_folder: &'static str,
    /// Bootstrapper path relative to the system drive root.
    pub bootstrapper: &'static str,
    /// `Start-CsPool` exists (SfB 2015 and 2019, not Lync 2013).
    pub has_start_cspool: bool,
    /// The Backup Service can replicate Response Groups (SfB 2019 CU1 and later).
    pub has_rgs_backup_service: bool,
    /// Persistent Chat is supported.
    pub has_persistent_chat: bool,
    /// After Bootstrapper on an existing pool, re-apply the current Cumulative Update (SfB docs).
    pub reapply_cu_after_bootstrapper: bool,
    /// `Get-CsDatabaseMirrorState -DatabaseType` value for the CMS (I24).
    pub cms_mirror_db_type: &'static str,
    /// Documented recovery targets for a pool failover (I29).
    pub rto_rpo: &'static str,
}

pub fn facts(p: Product) -> ProductFacts {
    match p {
        Product::Lync2013 => ProductFacts {
            key: "lync2013",
            name: "Lync Server 2013",
            module: "Lync",
            module_fallback: "SkypeForBusiness",
            install_folder: "Microsoft Lync Server 2013",
            bootstrapper: "Program Files\\Microsoft Lync Server 2013\\Deployment\\Bootstrapper.exe",
            has_start_cspool: false,
            has_rgs_backup_service: false,
            has_persistent_chat: true,
            reapply_cu_after_bootstrapper: false,
            cms_mirror_db_type: "CMS",
            rto_rpo: "RTO 30 minutes, RPO 30 minutes",
        },
        Product::Sfb2015 => ProductFacts {
            key: "sfb2015",
            name: "Skype for Business Server 2015",
            module: "SkypeForBusiness",
            module_fallback: "Lync",
            install_folder: "Skype for Business Server 2015",
            bootstrapper:
                "Program Files\\Skype for Business Server 2015\\Deployment\\Bootstrapper.exe",
            has_start_cspool: true,
            has_rgs_backup_service: false,
            has_persistent_chat: true,
            reapply_cu_after_bootstrapper: true,
            cms_mirror_db_type: "CentralMgmt",
            rto_rpo: "RTO 15-20 minutes, RPO 5 minutes",
        },
        Product::Sfb2019 => ProductFacts {
            key: "sfb2019",
            name: "Skype for Business Server 2019",
            module: "SkypeForBusiness",
            module_fallback: "Lync",
            install_folder: "Skype for Business Server 2019",
            bootstrapper:
                "Program Files\\Skype for Business Server 2019\\Deployment\\Bootstrapper.exe",
            has_start_cspool: true,
            has_rgs_backup_service: true,
            has_persistent_chat: false,
            reapply_cu_after_bootstrapper: true,
            cms_mirror_db_type: "CentralMgmt",
            rto_rpo: "RTO 15-20 minutes, RPO 5 minutes",
        },
    }
}
