//! A serde `Deserializer` over the positioned YAML tree, so the topology model stays plain serde
//! types (`deny_unknown_fields`, defaults) while every type error still points at a line and column.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Error as _, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};

use crate::diagnostic::{Pos, Problem};
use crate::yaml::{resolve_plain, Entry, Kind, Node, Plain};

/// A deserialisation error with the position of the innermost node it concerns.
#[derive(Debug)]
pub struct Error {
    message: String,
    help: Option<String>,
    pos: Option<Pos>,
}

impl Error {
    fn at(mut self, pos: &Pos) -> Self {
        if self.pos.is_none() {
            self.pos = Some(pos.clone());
        }
        self
    }

    pub fn into_problem(self) -> Problem {
        let p = Problem::error(self.pos, self.message);
        match self.help {
            Some(h) => p.with_help(h),
            None => p,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

fn one_of(expected: &[&str]) -> String {
    expected
        .iter()
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closest candidate to `given`, if it is close enough to be a likely typo.
pub fn closest<'a>(given: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&given.to_lowercase(), c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error {
            message: msg.to_string(),
            help: None,
            pos: None,
        }
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::custom(format_args!("expected {exp}, found {unexp}"))
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::custom(format_args!("expected {exp}, found {unexp}"))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let help = match closest(field, expected) {
            Some(c) => format!("did you mean `{c}`? (known keys: {})", one_of(expected)),
            None => format!("known keys here: {}", one_of(expected)),
        };
        Error {
            message: format!("unknown key `{}`", crate::diagnostic::shown(field)),
            help: Some(help),
            pos: None,
        }
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let help = match closest(variant, expected) {
            Some(c) => format!("did you mean `{c}`? (one of {})", one_of(expected)),
            None => format!("use one of {}", one_of(expected)),
        };
        Error {
            message: format!("unknown value `{}`", crate::diagnostic::shown(variant)),
            help: Some(help),
            pos: None,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Error {
            message: format!("missing required key `{field}`"),
            help: Some(format!("add `{field}:` to the mapping that starts here")),
            pos: None,
        }
    }
}

/// Deserialize a typed value from the tree, or the located problem that stopped it.
pub fn from_node<T: DeserializeOwned>(node: &Node) -> Result<T, Problem> {
    T::deserialize(NodeDe(node)).map_err(Error::into_problem)
}

struct NodeDe<'a>(&'a Node);

impl NodeDe<'_> {
    fn plain(&self) -> Option<Plain> {
        match &self.0.kind {
            Kind::Scalar { text, plain: true } => Some(resolve_plain(text)),
            _ => None,
        }
    }

    fn unexpected(&self) -> Error {
        Error::custom(format_args!("found {}", self.0.describe()))
    }

    fn int<'de, V: Visitor<'de>>(
        self,
        visitor: V,
        what: &str,
        range: Option<(i128, i128)>,
    ) -> Result<V::Value, Error> {
        let pos = self.0.pos.clone();
        match self.plain() {
            Some(Plain::Int(i)) if range.is_some_and(|(lo, hi)| i < lo || i > hi) => {
                let (lo, hi) = range.unwrap_or_default();
                Err(Error::custom(format_args!(
                    "{} is out of range: expected a whole number from {lo} to {hi}",
                    self.0.describe().trim_start_matches("the number ")
                )))
            }
            Some(Plain::Int(i)) => {
                if let Ok(u) = u64::try_from(i) {
                    visitor.visit_u64(u)
                } else if let Ok(s) = i64::try_from(i) {
                    visitor.visit_i64(s)
                } else {
                    Err(Error::custom("number out of range"))
                }
            }
            _ => Err(Error::custom(format_args!(
                "expected {what}, found {}",
                self.0.describe()
            ))),
        }
        .map_err(|e: Error| e.at(&pos))
    }
}

macro_rules! ints {
    ($($m:ident: $t:ty),*) => {$(
        fn $m<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.int(visitor, "a whole number", Some((<$t>::MIN as i128, <$t>::MAX as i128)))
        }
    )*};
}

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let pos = self.0.pos.clone();
        match &self.0.kind {
            Kind::Scalar { text, plain } => {
                if !*plain {
                    return visitor.visit_str(text).map_err(|e: Error| e.at(&pos));
                }
                match resolve_plain(text) {
                    Plain::Null => visitor.visit_unit(),
                    Plain::Bool(b) => visitor.visit_bool(b),
                    Plain::Int(_) => return self.int(visitor, "a number", None),
                    Plain::Float(f) => visitor.visit_f64(f),
                    Plain::Str => visitor.visit_str(text),
                }
            }
            Kind::Seq(_) => self.deserialize_seq(visitor),
            Kind::Map(_) => self.deserialize_map(visitor),
        }
        .map_err(|e: Error| e.at(&pos))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let pos = self.0.pos.clone();
        match self.plain() {
            Some(Plain::Bool(b)) => visitor.visit_bool(b),
            _ => Err(Error::custom(format_args!(
                "expected true or false, found {}",
                self.0.describe()
            ))),
        }
        .map_err(|e: Error| e.at(&pos))
    }

    ints!(
        deserialize_u8: u8,
        deserialize_u16: u16,
        deserialize_u32: u32,
        deserialize_u64: u64,
        deserialize_i8: i8,
        deserialize_i16: i16,
        deserialize_i32: i32,
        deserialize_i64: i64
    );

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let pos = self.0.pos.clone();
        match self.plain() {
            Some(Plain::Float(f)) => visitor.visit_f64(f),
            Some(Plain::Int(i)) => visitor.visit_f64(i as f64),
            _ => Err(Error::custom(format_args!(
                "expected a number, found {}",
                self.0.describe()
            ))),
        }
        .map_err(|e: Error| e.at(&pos))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let pos = self.0.pos.clone();
        match &self.0.kind {
            Kind::Scalar { text, plain } => {
                if *plain && resolve_plain(text) == Plain::Null {
                    Err(Error::custom("expected text, found nothing (null)"))
                } else {
                    visitor.visit_str(text)
                }
            }
            _ => Err(Error::custom(format_args!(
                "expected text, found {}",
                self.0.describe()
            ))),
        }
        .map_err(|e: Error| e.at(&pos))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(self.unexpected().at(&self.0.pos))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(self.unexpected().at(&self.0.pos))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let pos = self.0.pos.clone();
        if self.plain() == Some(Plain::Null) {
            visitor.visit_none().map_err(|e: Error| e.at(&pos))
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let pos = self.0.pos.clone();
        match self.plain() {
            Some(Plain::Null) => visitor.visit_unit(),
            _ => Err(Error::custom(format_args!(
                "expected nothing (null), found {}",
                self.0.describe()
            ))),
        }
        .map_err(|e: Error| e.at(&pos))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let pos = self.0.pos.clone();
        match &self.0.kind {
            Kind::Seq(items) => visitor.visit_seq(Seq {
                items: items.iter(),
            }),
            _ => Err(Error::custom(format_args!(
                "expected a list, found {}",
                self.0.describe()
            ))),
        }
        .map_err(|e: Error| e.at(&pos))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let pos = self.0.pos.clone();
        match &self.0.kind {
            Kind::Map(entries) => visitor.visit_map(Map {
                entries: entries.iter(),
                value: None,
            }),
            _ => Err(Error::custom(format_args!(
                "expected a mapping of keys to values, found {}",
                self.0.describe()
            ))),
        }
        .map_err(|e: Error| e.at(&pos))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let pos = self.0.pos.clone();
        match &self.0.kind {
            Kind::Scalar { text, plain } if !(*plain && resolve_plain(text) == Plain::Null) => {
                let de: de::value::StrDeserializer<'_, Error> = text.as_str().into_deserializer();
                visitor.visit_enum(de)
            }
            _ => Err(Error::custom(format_args!(
                "expected one of {}, found {}",
                one_of(variants),
                self.0.describe()
            ))),
        }
        .map_err(|e: Error| e.at(&pos))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

struct Seq<'a> {
    items: std::slice::Iter<'a, Node>,
}

impl<'de> SeqAccess<'de> for Seq<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some(n) => seed.deserialize(NodeDe(n)).map(Some),
            None => Ok(None),
        }
    }
}

struct Map<'a> {
    entries: std::slice::Iter<'a, Entry>,
    value: Option<&'a Node>,
}

impl<'de> MapAccess<'de> for Map<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some(e) => {
                self.value = Some(&e.value);
                let key: de::value::StrDeserializer<'_, Error> = e.key.as_str().into_deserializer();
                seed.deserialize(key)
                    .map(Some)
                    .map_err(|err: Error| err.at(&e.key_pos))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let node = self
            .value
            .take()
            .ok_or_else(|| Error::custom("value without key"))?;
        seed.deserialize(NodeDe(node))
    }
}

/// The model has no number with a fraction and no unit value, so the loader's tests never reach
/// those parts of the deserializer; they are checked here.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Origin;

    fn de<T: DeserializeOwned>(yaml: &str) -> Result<T, String> {
        let node = crate::yaml::parse(yaml, Origin::File).expect("YAML");
        from_node(&node).map_err(|p| p.message)
    }

    #[test]
    fn numbers_with_and_without_a_fraction_read_as_f64() {
        assert_eq!(de::<f64>("2.5"), Ok(2.5));
        assert_eq!(de::<f64>("-3"), Ok(-3.0));
        assert_eq!(de::<f32>("0.5"), Ok(0.5));
        assert_eq!(
            de::<f64>("'2.5'"),
            Err("expected a number, found the string \"2.5\"".into())
        );
    }

    #[test]
    fn only_a_null_reads_as_unit() {
        assert_eq!(de::<()>("~"), Ok(()));
        assert_eq!(de::<()>("null"), Ok(()));
        let err = de::<()>("'null'").unwrap_err();
        assert!(err.starts_with("expected nothing (null), found"), "{err}");
    }
}
