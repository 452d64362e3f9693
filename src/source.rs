//! Where `diff` reads a topology from: a file, or `REV:PATH` (a file as it is in a git revision,
//! read through `git show`).

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::diagnostic::shown;
use crate::load::{file_name, load_bytes, load_file_as, LoadError, Loaded, MAX_FILE_BYTES};

/// One side of a `diff`, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(std::path::PathBuf),
    /// `git show REV:PATH`; PATH as git reads it (from the repository root, or `./` for the
    /// current folder).
    Git {
        rev: String,
        path: String,
    },
}

impl Source {
    /// An argument that names an existing file is that file; otherwise `REV:PATH` (a non-empty
    /// REV other than a single letter, which is a Windows drive) is a git revision's file.
    pub fn parse(arg: &Path) -> Source {
        if arg.exists() {
            return Source::File(arg.to_path_buf());
        }
        if let Some((rev, path)) = arg.to_str().and_then(|s| s.split_once(':')) {
            let drive = rev.len() == 1 && rev.chars().all(|c| c.is_ascii_alphabetic());
            if !rev.is_empty() && !path.is_empty() && !drive {
                return Source::Git {
                    rev: rev.to_string(),
                    path: path.to_string(),
                };
            }
        }
        Source::File(arg.to_path_buf())
    }

    /// How messages name this side: the argument as given.
    pub fn shown(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Git { rev, path } => format!("{rev}:{path}"),
        }
    }

    /// The file name generated headers carry for this side.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => file_name(p).unwrap_or_else(|| self.shown()),
            Source::Git { path, .. } => {
                file_name(Path::new(path)).unwrap_or_else(|| path.to_string())
            }
        }
    }

    /// Read and check this side, with `name` in generated headers.
    pub fn load(&self, name: &str, sets: &[String]) -> Result<Loaded, LoadError> {
        match self {
            Source::File(p) => load_file_as(p, Some(name), sets),
            Source::Git { rev, path } => {
                let bytes = git_show(rev, path).map_err(|reason| LoadError::Unreadable {
                    path: self.shown(),
                    reason,
                })?;
                load_bytes(&self.shown(), name, &bytes, sets)
            }
        }
    }
}

/// The bytes of `rev:path` (at most one byte over the size limit, so load_bytes refuses it).
fn git_show(rev: &str, path: &str) -> Result<Vec<u8>, String> {
    if rev.starts_with('-') {
        return Err(format!("`{}` is not a git revision", shown(rev)));
    }
    let mut child = Command::new("git")
        .args(["show", "--no-textconv", &format!("{rev}:{path}")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git ({e}); REV:PATH needs git on the PATH"))?;
    let mut bytes = Vec::new();
    let read = child
        .stdout
        .take()
        .expect("piped")
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes);
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let _ = child.kill();
    }
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.by_ref().take(64 * 1024).read_to_string(&mut err);
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    read.map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Ok(bytes);
    }
    if !status.success() {
        let first = err.lines().next().unwrap_or("").trim();
        return Err(format!(
            "git show {rev}:{path} failed: {}",
            shown(if first.is_empty() {
                "no message"
            } else {
                first
            })
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::Source;
    use std::path::Path;

    #[test]
    fn rev_path_only_when_no_such_file_and_not_a_drive() {
        assert_eq!(
            Source::parse(Path::new("main:topology.yaml")),
            Source::Git {
                rev: "main".into(),
                path: "topology.yaml".into()
            }
        );
        assert_eq!(
            Source::parse(Path::new("HEAD~1:conf/t.yaml")).name(),
            "t.yaml"
        );
        for file in ["C:\\x\\t.yaml", "t.yaml", ":t.yaml", "main:"] {
            assert!(
                matches!(Source::parse(Path::new(file)), Source::File(_)),
                "{file}"
            );
        }
        assert!(matches!(
            Source::parse(Path::new("Cargo.toml")),
            Source::File(_)
        ));
    }
}
