// include_dir embeds templates/ at compile time; on stable Rust a new file there would not
// trigger a rebuild by itself.
fn main() {
    println!("cargo:rerun-if-changed=templates");
}
