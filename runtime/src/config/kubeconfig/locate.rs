//! Finding a node of the YAML text again, by its position in the parsed tree.
//!
//! The kubeconfig is read into a `serde_yaml_ng::Value` and mapped to our structs by hand,
//! but a `Value` knows neither where a node was written nor the exact text of a scalar
//! (`0123`, `0x1F` and `True` are numbers and booleans there). Both are rare needs: a
//! wrong-typed field (the error should name its line) and an unquoted non-string scalar
//! where a string is wanted (it reads as its text, as a derived `String` field does). For
//! those, the text is parsed once more and walked to the node, skipping everything else; a
//! single small seed serves every field of every struct.

use std::fmt;

use serde_core::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Error as _, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};

/// One step from a node to a child, as positions in document order (a `Value` mapping
/// keeps its entries in that order and rejects duplicate keys, so positions agree).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// The item at this index of a sequence.
    Index(usize),
    /// The value of the entry at this index of a mapping.
    Value(usize),
    /// The key of the entry at this index of a mapping (only as the last step).
    Key(usize),
}

/// The text of the scalar at `steps`, exactly as written (tags dropped), like a derived
/// `String` field reads it; a sequence or mapping there is an error with its line.
pub(super) fn raw_scalar(text: &str, steps: &[Step]) -> Result<String, serde_yaml_ng::Error> {
    Walk {
        steps,
        goal: Goal::Text,
    }
    .deserialize(serde_yaml_ng::Deserializer::from_str(text))
}

/// An error with `message`, located (line and column) at the node at `steps`.
pub(super) fn error_at(text: &str, steps: &[Step], message: &str) -> serde_yaml_ng::Error {
    let walk = Walk {
        steps,
        goal: Goal::Fail(message),
    };
    match walk.deserialize(serde_yaml_ng::Deserializer::from_str(text)) {
        Err(e) => e,
        // Not reachable: every node the walk can end on fails. Still an error, unlocated.
        Ok(_) => serde_yaml_ng::Error::custom(message),
    }
}

const GONE: &str = "the kubeconfig text has no node where its parsed tree had one";

#[derive(Clone, Copy)]
enum Goal<'m> {
    /// Read the scalar's text.
    Text,
    /// Fail with this message wherever the node is.
    Fail(&'m str),
}

/// Walks `steps` down the document, then applies the goal to the node reached.
struct Walk<'a> {
    steps: &'a [Step],
    goal: Goal<'a>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<String, D::Error> {
        match (self.steps.first(), self.goal) {
            (None, Goal::Text) => de.deserialize_str(Target(self.goal)),
            (None, Goal::Fail(_)) => de.deserialize_any(Target(self.goal)),
            (Some(Step::Index(_)), _) => de.deserialize_seq(self),
            (Some(_), _) => de.deserialize_map(self),
        }
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the node the kubeconfig was first read with")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
        let Some((&Step::Index(index), rest)) = self.steps.split_first() else {
            return Err(A::Error::custom(GONE));
        };
        for _ in 0..index {
            seq.next_element::<IgnoredAny>()?
                .ok_or_else(|| A::Error::custom(GONE))?;
        }
        let next = Walk {
            steps: rest,
            goal: self.goal,
        };
        let found = seq
            .next_element_seed(next)?
            .ok_or_else(|| A::Error::custom(GONE))?;
        // The deserializer insists that a visitor reads every item.
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(found)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        let (index, key) = match self.steps.first() {
            Some(&Step::Value(i)) => (i, false),
            Some(&Step::Key(i)) => (i, true),
            _ => return Err(A::Error::custom(GONE)),
        };
        for _ in 0..index {
            map.next_key::<IgnoredAny>()?
                .ok_or_else(|| A::Error::custom(GONE))?;
            map.next_value::<IgnoredAny>()?;
        }
        let next = Walk {
            steps: &self.steps[1..],
            goal: self.goal,
        };
        let found = if key {
            let found = map
                .next_key_seed(next)?
                .ok_or_else(|| A::Error::custom(GONE))?;
            map.next_value::<IgnoredAny>()?;
            found
        } else {
            map.next_key::<IgnoredAny>()?
                .ok_or_else(|| A::Error::custom(GONE))?;
            map.next_value_seed(next)?
        };
        // The deserializer insists that a visitor reads every entry.
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(found)
    }
}

/// The node at the end of the walk. The YAML deserializer attaches the node's position to
/// an error its visitor returns, which is how a `Fail` goal gets its line and column.
struct Target<'m>(Goal<'m>);

impl Target<'_> {
    fn fail<E: de::Error>(&self) -> Result<String, E> {
        match self.0 {
            Goal::Fail(message) => Err(E::custom(message)),
            Goal::Text => Err(E::custom(GONE)),
        }
    }
}

impl<'de> Visitor<'de> for Target<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        match self.0 {
            Goal::Text => Ok(v.to_owned()),
            Goal::Fail(_) => self.fail(),
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<String, E> {
        self.fail()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<String, E> {
        self.fail()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<String, E> {
        self.fail()
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<String, E> {
        self.fail()
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<String, E> {
        self.fail()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<String, E> {
        self.fail()
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        self.fail()
    }

    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        self.fail()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        self.fail()
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        self.fail()
    }

    fn visit_enum<A: EnumAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        self.fail()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "a: [x, 0x1F, {k: 1}]\nb:\n  True: ~\n  c: !tag 0123\n";

    #[test]
    fn raw_text_of_scalars_values_and_keys() {
        let raw = |steps: &[Step]| raw_scalar(DOC, steps).unwrap();
        assert_eq!(raw(&[Step::Value(0), Step::Index(0)]), "x");
        assert_eq!(raw(&[Step::Value(0), Step::Index(1)]), "0x1F");
        assert_eq!(raw(&[Step::Value(1), Step::Key(0)]), "True");
        assert_eq!(raw(&[Step::Value(1), Step::Value(0)]), "~");
        assert_eq!(raw(&[Step::Value(1), Step::Value(1)]), "0123");
        let e = raw_scalar(DOC, &[Step::Value(0), Step::Index(2)]).unwrap_err();
        assert!(e.to_string().contains("line 1 column 14"), "{e}");
    }

    #[test]
    fn errors_carry_the_nodes_position() {
        let e = error_at(
            DOC,
            &[Step::Value(0), Step::Index(2), Step::Value(0)],
            "bad",
        );
        assert_eq!(e.to_string(), "a[2].k: bad at line 1 column 18");
        let e = error_at(DOC, &[Step::Value(1)], "bad map");
        assert_eq!(e.location().map(|l| l.line()), Some(3));
        let e = error_at(DOC, &[], "bad root");
        assert_eq!(e.location().map(|l| (l.line(), l.column())), Some((1, 1)));
        // A path the text does not have is an error too, never a panic.
        let e = raw_scalar(DOC, &[Step::Value(5)]).unwrap_err();
        assert!(e.to_string().contains("no node"), "{e}");
    }
}
