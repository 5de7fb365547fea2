//! Deserialisation rules the API document states and serde alone would not keep.

/// Numbers read from a query that the API document declares `int64` (a `seq`, a count): 0 up to
/// `i64::MAX`, so that a larger one is refused (400) as the document says instead of read.
pub mod int64 {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer};

    fn within<E: Error>(v: u64) -> Result<u64, E> {
        if i64::try_from(v).is_ok() {
            Ok(v)
        } else {
            Err(E::custom("número fora do intervalo (0 a 2^63 − 1)"))
        }
    }

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        within(u64::deserialize(d)?)
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Option::<u64>::deserialize(d)?.map(within).transpose()
    }
}

/// An optional record that must be sent as a JSON object (as documented), not as the array of its
/// fields that serde would also take.
pub fn object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::Deserialize;
    use serde::de::Error;
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v @ serde_json::Value::Object(_)) => T::deserialize(v).map(Some).map_err(D::Error::custom),
        Some(_) => Err(D::Error::custom("esperado um objeto")),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Query {
        #[serde(default, deserialize_with = "super::int64::optional")]
        since: Option<u64>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        a: Option<u32>,
        b: Option<u32>,
    }

    #[derive(Debug, Deserialize)]
    struct Outer {
        #[serde(default, deserialize_with = "super::object")]
        inner: Option<Inner>,
    }

    #[test]
    fn issue_24_item_5_a_query_number_beyond_int64_is_refused() {
        let q: Query = serde_json::from_str(r#"{"since": 9223372036854775807}"#).expect("max");
        assert_eq!(q.since, Some(i64::MAX as u64));
        assert!(serde_json::from_str::<Query>(r#"{"since": 9223372036854775808}"#).is_err());
        assert_eq!(serde_json::from_str::<Query>("{}").expect("absent").since, None);
    }

    #[test]
    fn issue_24_item_5_a_record_is_an_object_never_the_array_of_its_fields() {
        let o: Outer = serde_json::from_str(r#"{"inner": {"a": 1}}"#).expect("object");
        assert_eq!(o.inner, Some(Inner { a: Some(1), b: None }));
        assert!(serde_json::from_str::<Outer>(r#"{"inner": null}"#).expect("null").inner.is_none());
        assert!(serde_json::from_str::<Outer>(r#"{}"#).expect("absent").inner.is_none());
        assert!(serde_json::from_str::<Outer>(r#"{"inner": [1, 2]}"#).is_err());
    }
}
