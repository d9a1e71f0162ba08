//! A folder's hive partition keys (`key=value/`) as columns: the same value
//! on every row of a part, dictionary-encoded, so a key costs a key per
//! row whatever its text.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::error::DatasetError;
use super::reader::Dataset;

impl Dataset {
    /// The first part's schema with the hive keys after its columns, as
    /// dictionary-encoded strings; a key that is also a column is the column.
    pub(super) fn schema_with_keys(&self, keys: &[String]) -> SchemaRef {
        let files = self.parts[0].meta.schema();
        let mut fields: Vec<Arc<Field>> = files.fields().iter().cloned().collect();
        for key in keys {
            let dictionary =
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
            if files.index_of(key).is_err() {
                fields.push(Arc::new(Field::new(key, dictionary, true)));
            }
        }
        Arc::new(Schema::new_with_metadata(fields, files.metadata().clone()))
    }

    /// The index among the part's hive values of the key at schema index `root`.
    pub(super) fn key_index(&self, root: usize) -> usize {
        let name = self.schema().field(root).name();
        self.keys.iter().position(|k| k == name).expect("a hive key of the schema")
    }

    /// A part's value of hive key `key` as a column of `len` rows.
    pub(super) fn key_column(&self, part: usize, key: usize, len: usize) -> ArrayRef {
        use arrow_array::{DictionaryArray, Int32Array, StringArray, types::Int32Type};
        let (keys, values) = match &self.parts[part].values[key] {
            Some(v) => (Int32Array::from(vec![0; len]), StringArray::from(vec![v.as_str()])),
            None => (Int32Array::new_null(len), StringArray::from(Vec::<&str>::new())),
        };
        let array = DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values))
            .expect("keys index the one value");
        Arc::new(array)
    }

    /// A batch of one part with its hive keys added as columns.
    pub(super) fn with_keys(
        &self,
        batch: RecordBatch,
        part: usize,
        keys: &[(Arc<Field>, usize)],
    ) -> Result<RecordBatch, DatasetError> {
        if keys.is_empty() {
            return Ok(batch);
        }
        let (schema, mut columns, _) = batch.into_parts();
        let mut fields: Vec<Arc<Field>> = schema.fields().iter().cloned().collect();
        for (field, key) in keys {
            fields.push(field.clone());
            columns.push(self.key_column(part, *key, columns.first().map_or(0, |c| c.len())));
        }
        let schema = Arc::new(Schema::new(fields));
        RecordBatch::try_new(schema, columns)
            .map_err(|e| DatasetError::arrow(self.role, &self.parts[part].path, e))
    }
}
