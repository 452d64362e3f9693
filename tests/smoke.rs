mod common;

#[test]
fn every_sample_renders_and_parses() {
    for s in common::samples() {
        let a = common::render(&common::load_path(&s));
        assert!(!a.is_empty());
        for (p, b) in &a {
            if p.ends_with(".ps1") {
                assert_eq!(
                    common::syntax_problems(&common::text(b)),
                    Vec::<String>::new(),
                    "{p}"
                );
            }
        }
    }
}
