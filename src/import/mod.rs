//! `abc-failover import`: the topology file from the deployment's own topology document
//! (`Get-CsTopology -AsXml`, a Topology Builder `.tbxml`, or a backup set folder), and the drift
//! between a committed topology and that document.
//!
//! One job per module: [`xml`] reads the bytes as hostile input, [`dialect`] turns either XML
//! dialect into one neutral model, [`derive`] applies the topology rules, [`set`] adds what a
//! backup set's inventory says, [`write`] writes the commented file, [`compare`] finds drift.

pub mod compare;
pub mod derive;
pub mod dialect;
pub mod set;
pub mod write;
pub mod xml;

use std::path::Path;

pub use derive::Imported;
pub use xml::ImportError;

/// Import `path`: a document file, or a backup set folder.
pub fn import(path: &Path) -> Result<Imported, ImportError> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return set::import_set(path, &shown);
    }
    let bytes = xml::read_bounded(path, &shown, "the topology document")?;
    import_bytes(&shown, &bytes)
}

/// Import a document's bytes; `shown` names it in messages.
pub fn import_bytes(shown: &str, bytes: &[u8]) -> Result<Imported, ImportError> {
    let text = xml::decode(shown, bytes)?;
    // A byte order mark decoded from UTF-8 is not part of the document.
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let doc = xml::parse(shown, text)?;
    let dep = dialect::read(shown, text, &doc)?;
    Ok(derive::derive(shown, &dep))
}
