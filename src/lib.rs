//! abc-failover: from a topology of Lync Server 2013 / Skype for Business Server pools to the
//! backup script and the ABC failover restore checklist of each pool.

pub mod blocks;
pub mod cli;
pub mod de;
pub mod diagnostic;
pub mod escape;
pub mod html;
pub mod import;
pub mod load;
pub mod model;
pub mod output;
pub mod plan;
pub mod product;
pub mod render;
pub mod schema;
pub mod source;
pub mod starter;
pub mod text;
pub mod validate;
pub mod yaml;
