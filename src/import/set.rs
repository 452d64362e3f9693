//! A backup set folder as import source: its `Inventory\Topology.xml`, plus the pairing
//! (`Inventory\PoolBackupRelationship.csv`) and the CMS location (`Inventory\CmsLocation.csv`)
//! that the backup script saves with `Export-Csv`. The CSV column names are read tolerantly:
//! `PoolFqdn`, `BackupPoolFqdn` and `Active`, in any case; a file without them is a warning.

use std::path::{Path, PathBuf};

use super::derive::{pair, Imported};
use super::xml::{located, read_bounded, ImportError};
use crate::diagnostic::{shown, Severity};
use crate::model::HostsCms;
use crate::plan::LAYOUT;

/// `rel` (a set-relative name with `\`) under `dir`.
pub fn in_set(dir: &Path, rel: &str) -> PathBuf {
    rel.split('\\')
        .fold(dir.to_path_buf(), |p, part| p.join(part))
}

/// The shown name of `rel` inside the set folder shown as `dir`.
fn shown_in(dir: &str, rel: &str) -> String {
    let sep = if dir.contains('\\') && !dir.contains('/') {
        "\\"
    } else {
        "/"
    };
    format!(
        "{}{sep}{}",
        dir.trim_end_matches(['/', '\\']),
        rel.replace('\\', sep)
    )
}

/// Import a backup set folder: the document, then what its inventory CSVs add.
pub fn import_set(dir: &Path, shown_dir: &str) -> Result<Imported, ImportError> {
    let xml = in_set(dir, LAYOUT.topology_xml);
    let xml_name = shown_in(shown_dir, LAYOUT.topology_xml);
    if !xml.is_file() {
        return Err(ImportError::Unreadable {
            path: xml_name,
            what: "the backup set's topology document",
            reason: "not found (the backup script writes it in each set)".into(),
        });
    }
    let bytes = read_bounded(&xml, &xml_name, "the topology document")?;
    let mut imported = super::import_bytes(&xml_name, &bytes)?;
    let pairing_name = shown_in(shown_dir, LAYOUT.backup_relationship_csv);
    if let Some(rows) = read_csv(
        dir,
        LAYOUT.backup_relationship_csv,
        &pairing_name,
        &mut imported,
    )? {
        apply_pairing(&mut imported, &pairing_name, &rows);
    }
    let cms_name = shown_in(shown_dir, LAYOUT.cms_location_csv);
    if let Some(rows) = read_csv(dir, LAYOUT.cms_location_csv, &cms_name, &mut imported)? {
        apply_cms(&mut imported, &cms_name, &rows);
    }
    Ok(imported)
}

/// One CSV record: (lower-cased column name, value) pairs.
type Row = Vec<(String, String)>;

/// Rows of a CSV as maps of lower-cased column name to value; `None` (with a warning) when the
/// file is missing.
fn read_csv(
    dir: &Path,
    rel: &str,
    name: &str,
    imported: &mut Imported,
) -> Result<Option<Vec<Row>>, ImportError> {
    let path = in_set(dir, rel);
    if !path.is_file() {
        imported.warnings.push(located(
            Severity::Warning,
            name,
            None,
            "not in the backup set: what it would tell is left to fill in".to_string(),
        ));
        return Ok(None);
    }
    let bytes = read_bounded(&path, name, "an inventory file")?;
    let text = super::xml::decode(name, &bytes)?;
    let mut records = parse_csv(&text);
    if records.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let header: Vec<String> = records
        .remove(0)
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    Ok(Some(
        records
            .into_iter()
            .map(|r| header.iter().cloned().zip(r).collect())
            .collect(),
    ))
}

fn column<'a>(row: &'a [(String, String)], name: &str) -> Option<&'a str> {
    row.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn apply_pairing(imported: &mut Imported, name: &str, rows: &[Row]) {
    let mut used = false;
    for row in rows {
        let (Some(pool), Some(backup)) = (column(row, "poolfqdn"), column(row, "backuppoolfqdn"))
        else {
            continue;
        };
        used = true;
        let source = format!("{} in the backup set", LAYOUT.backup_relationship_csv);
        if !pair(imported, pool, backup, &source) {
            imported.warnings.push(located(
                Severity::Warning,
                name,
                None,
                format!(
                    "pairing of {}, which is not a Front End pool of the document: ignored",
                    shown(pool)
                ),
            ));
        }
    }
    if !used && !rows.is_empty() {
        imported.warnings.push(located(
            Severity::Warning,
            name,
            Some((1, 1)),
            "no row with PoolFqdn and BackupPoolFqdn columns: the backup pool is left to fill in"
                .to_string(),
        ));
    }
}

fn apply_cms(imported: &mut Imported, name: &str, rows: &[Row]) {
    let active: Vec<&str> = rows
        .iter()
        .filter(|r| column(r, "active").is_none_or(|a| !a.eq_ignore_ascii_case("false")))
        .filter_map(|r| column(r, "poolfqdn"))
        .collect();
    if active.is_empty() {
        return;
    }
    for p in &mut imported.pools {
        let here = active.iter().any(|a| a.eq_ignore_ascii_case(&p.fqdn));
        let from_csv = if here { HostsCms::Yes } else { HostsCms::No };
        match p.hosts_cms {
            HostsCms::Unknown => {
                p.hosts_cms = from_csv;
                p.cms_source = Some(format!("{} in the backup set", LAYOUT.cms_location_csv));
            }
            known if known != from_csv => imported.warnings.push(located(
                Severity::Warning,
                name,
                None,
                format!(
                    "says the CMS is {}on pool {}, the topology document says the opposite; the document's answer was kept",
                    if here { "" } else { "not " },
                    shown(&p.fqdn)
                ),
            )),
            _ => {}
        }
    }
}

/// RFC 4180 records: fields separated by `,`, optionally in `"` with `""` for a quote; CRLF
/// or LF line ends. Malformed quoting is read leniently (the CSV only adds facts).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                any = false;
            }
            (false, c) => field.push(c),
        }
    }
    if any {
        record.push(field);
        records.push(record);
    }
    records.retain(|r| !(r.len() == 1 && r[0].is_empty()));
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting_and_line_ends() {
        let t =
            "\u{FEFF}\"PoolFqdn\",\"BackupPoolFqdn\"\r\n\"a.x.com\",\"b \"\"q\"\", c\"\r\n\r\nd,e";
        assert_eq!(
            parse_csv(t),
            vec![
                vec!["PoolFqdn".to_string(), "BackupPoolFqdn".into()],
                vec!["a.x.com".into(), "b \"q\", c".into()],
                vec!["d".into(), "e".into()],
            ]
        );
        // Only an empty line is no record: one field, or an empty first field, is one.
        assert_eq!(
            parse_csv("a\n\n,c\n"),
            vec![vec!["a".to_string()], vec!["".into(), "c".into()]]
        );
    }

    #[test]
    fn set_relative_names_become_paths() {
        assert_eq!(
            in_set(Path::new("set"), "Inventory\\Topology.xml"),
            Path::new("set").join("Inventory").join("Topology.xml")
        );
        assert_eq!(
            shown_in("sets/x/", "Inventory\\Topology.xml"),
            "sets/x/Inventory/Topology.xml"
        );
        // A folder named the Windows way is shown the Windows way, unless it also has `/`.
        assert_eq!(
            shown_in("D:\\sets\\x\\", "Inventory\\Topology.xml"),
            "D:\\sets\\x\\Inventory\\Topology.xml"
        );
        assert_eq!(
            shown_in("D:\\sets/x", "Inventory\\Topology.xml"),
            "D:\\sets/x/Inventory/Topology.xml"
        );
    }
}
