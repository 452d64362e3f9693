//! JSON Schema of the topology file, derived from the same serde types the loader uses.

use crate::model::Topology;

pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Topology);
    serde_json::to_string_pretty(&schema).expect("schema serializes")
}
