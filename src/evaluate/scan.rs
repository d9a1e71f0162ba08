//! The metrics pass over one validation set: its footer read, its columns
//! resolved, every batch folded by the reading threads, and the chosen
//! errors read back; the pass alone, hash excluded, is [`count`].

use super::correlate;
use super::earlier::Earlier;
use super::error::EvaluateError;
use super::fold::Fold;
use super::review::{self, Review};
use super::settings::Settings;
use crate::dataset::columns::Columns;
use crate::dataset::{Dataset, DatasetError, Role, Source};
use crate::slices::TooManyValues;
use crate::untrusted::shown;

/// Reads and counts the validation set without hashing it, then reads the
/// chosen errors back when `review` asks for them: the metrics pass alone
/// ([`super::metrics_pass`]).
pub(super) fn count(settings: &Settings) -> Result<(Fold, Option<Review>), EvaluateError> {
    let source = Source::open(Role::ValidationSet, &settings.validation_set, &settings.store)?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (dataset, mut fold) = scan(settings, &source, None, workers)?;
    let review = read_back(settings, &dataset, &mut fold, None, workers)?;
    Ok((fold, review))
}

/// The errors `fold` chose, read back from `dataset` with every column
/// (and a joined predictions file's deciding column, `joined`), when
/// `review` asks for them.
pub(super) fn read_back(
    settings: &Settings,
    dataset: &Dataset,
    fold: &mut Fold,
    joined: Option<&arrow_schema::Field>,
    workers: usize,
) -> Result<Option<Review>, EvaluateError> {
    match fold.review.take().map(|r| r.finish()) {
        Some(chosen) => Ok(Some(Review::read(dataset, chosen, settings, joined, workers)?)),
        None => Ok(None),
    }
}

/// Reads the footer, resolves the columns and folds every batch; the
/// previous model's decisions come from `earlier` when a file of their
/// own holds them.
pub(super) fn scan(
    settings: &Settings,
    source: &Source,
    earlier: Option<&Earlier>,
    workers: usize,
) -> Result<(Dataset, Fold), EvaluateError> {
    let mut dataset = Dataset::parse(source)?;
    let weight = settings.weight_column.as_deref();
    let (label, decision) = (&settings.label_column, &settings.decision);
    let clustered = correlate::columns(settings, &dataset)?;
    let extra = correlate::extra(settings, &dataset, &clustered)?;
    let deciding = (decision, settings.previous.as_ref().filter(|_| earlier.is_none()));
    let columns = Columns::resolve(&dataset, label, deciding, weight, &extra)?
        .scaled(settings.score_scale)
        .positive_label(settings.positive_label.as_deref());
    // Slice columns of few values read best as dictionaries; ids, mostly
    // distinct, as they are.
    dataset
        .read_strings_as_dictionaries(&columns.slice_roots()[..settings.slices.columns.len()])?;
    if let Some(review) = &settings.review {
        review::check_display(&dataset, review, None)?;
    }
    log::debug!(
        "{} rows in {} row groups; reading `{}` and `{}` with {workers} workers",
        dataset.rows(),
        dataset.row_groups(),
        shown(&settings.label_column),
        shown(settings.decision.column())
    );
    let folds = dataset.fold(
        columns.mask(),
        workers,
        || Fold::new(settings, &clustered, dataset.rows()),
        |fold, batch, row| {
            let mut pairs = columns.extract(batch, row)?;
            if let Some(earlier) = earlier {
                let first = usize::try_from(row).expect("a row index");
                pairs.previous = Some(earlier.of_rows(first..first + pairs.len));
            }
            fold.add(&pairs, row).map_err(too_many(settings))
        },
    )?;
    let fold = merge(settings, folds)?;
    Ok((dataset, fold))
}

/// The workers' folds as one.
pub(super) fn merge(
    settings: &Settings,
    folds: impl IntoIterator<Item = Fold>,
) -> Result<Fold, DatasetError> {
    // The first fold's parts are cloned in: an empty start has none.
    folds.into_iter().try_fold(Fold::new(settings, &[], 0), Fold::merge).map_err(too_many(settings))
}

/// A slice column past `max_slices`, as the error that names the file.
pub(super) fn too_many(settings: &Settings) -> impl Fn(TooManyValues) -> DatasetError + Sync + '_ {
    |e| DatasetError::TooManySlices {
        path: settings.validation_set.clone(),
        column: e.column,
        seen: e.seen,
        max: e.max,
    }
}
