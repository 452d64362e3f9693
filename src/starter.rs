pub const STARTER_TOPOLOGY: &str = include_str!("starter.yaml");
