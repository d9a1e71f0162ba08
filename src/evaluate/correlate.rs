//! Which columns group the correlated pairs (`cluster_by`), resolved
//! against the file: the columns named, or by default the pair's two key
//! columns when the file has both.

use super::settings::{ClusterBy, Settings};
use crate::dataset::columns::{self, Kind, is_slice};
use crate::dataset::{Dataset, DatasetError};

/// The `cluster_by` columns to read from `dataset`: none for independent
/// pairs. A column named that is missing or of another type than an id's
/// is an error naming the input.
pub(super) fn columns(settings: &Settings, dataset: &Dataset) -> Result<Vec<String>, DatasetError> {
    let named = match &settings.cluster_by {
        ClusterBy::Independent => return Ok(Vec::new()),
        ClusterBy::Columns(named) => named,
        ClusterBy::IfPresent(keys) => {
            let schema = dataset.schema();
            let fits =
                |c: &String| schema.field_with_name(c).is_ok_and(|f| is_slice(f.data_type()));
            let present = keys.len() == 2 && keys.iter().all(fits);
            return Ok(if present { keys.clone() } else { Vec::new() });
        }
    };
    let wanted: Vec<_> = named.iter().map(|c| (c.as_str(), "cluster_by", Kind::Slice)).collect();
    columns::find(dataset, &wanted)?;
    Ok(named.clone())
}

/// The columns read beside the label and decision: the slice columns, the
/// `strata_column` (checked here, so that a missing one is named by its
/// input), then the `cluster_by` ones.
pub(super) fn extra(
    settings: &Settings,
    dataset: &Dataset,
    clustered: &[String],
) -> Result<Vec<String>, DatasetError> {
    let strata: Vec<String> = settings.strata.iter().map(|s| s.column.clone()).collect();
    let wanted: Vec<_> =
        strata.iter().map(|c| (c.as_str(), "strata_column", Kind::Slice)).collect();
    columns::find(dataset, &wanted)?;
    Ok([settings.slices.columns.as_slice(), &strata, clustered].concat())
}
