use super::*;

#[test]
fn every_candidate_is_the_number_its_text_parses_to() {
    let g = grid();
    assert!(g.windows(2).all(|w| w[0] < w[1]), "ascending");
    assert_eq!(g[zero_index()], 0.0);
    for t in g {
        assert_eq!(t.to_string().parse::<f64>().unwrap(), *t);
    }
    for text in ["0.62", "-0.001", "1.001", "12.34", "999.9", "9999", "-42.42", "0.5"] {
        assert!(g.contains(&text.parse().unwrap()), "{text}");
    }
    // Spacing: 0.001 on [-1, 1], at most 0.1% of |t| beyond.
    for w in g.windows(2) {
        let gap = w[1] - w[0];
        let bound = if w[1].abs() <= 1.0 {
            0.001 + 1e-12
        } else {
            w[0].abs().max(w[1].abs()) * 0.001 + 1e-9
        };
        assert!(gap <= bound, "{w:?}");
    }
}

#[test]
fn a_score_counts_at_every_candidate_at_or_below_it() {
    let g = grid();
    for score in [0.62, 0.6199999999999999, 0.0, 1.0, -0.0005, 0.9995, 3.25, -7.5, 1e9, -1e9] {
        let s = slot(score);
        assert_eq!(s, g.iter().filter(|t| **t <= score).count(), "{score}");
    }
    // float32 scores compare in their own value, widened.
    let f = 0.7f32 as f64;
    assert_eq!(slot(f), g.iter().filter(|t| **t <= f).count());
}

#[test]
fn a_batch_bins_every_score_as_one_at_a_time() {
    // Grid points, their neighbours, a pseudo-random spread, and the odd ones.
    let mut scores: Vec<f64> = Vec::new();
    for k in 0..=1000 {
        let t = k as f64 / 1000.0;
        scores.extend([t, f64::from_bits(t.to_bits() + 1), f64::from_bits(t.to_bits().max(1) - 1)]);
        // Either side of the first pass's margin, where it hands over.
        for d in [1e-13, 1e-10, 0.99e-10, 1.01e-10, 2e-10] {
            scores.extend([t + d, t - d]);
        }
    }
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        scores.push((x >> 11) as f64 / (1u64 << 53) as f64);
    }
    scores.extend([-0.0, -1e-300, 1.0000000000000002, 7.5, -3.0, 1e12, -1e12, 0.9995]);
    let label = BooleanBuffer::from_iter((0..scores.len()).map(|i| i % 3 == 0));
    let present = BooleanBuffer::from_iter((0..scores.len()).map(|i| i % 7 != 0));
    // The oracle: a binary search of the whole grid, row by row.
    let one_at_a_time = |scores: &mut dyn Iterator<Item = (usize, f64)>| {
        let mut h = Histogram::default();
        for (i, s) in scores {
            let slot = grid().partition_point(|t| *t <= s);
            h.counts[2 * slot + usize::from(label.value(i))] += 1;
        }
        h
    };
    let mut batch = Histogram::default();
    batch.add_batch(&scores, &label, Some(&present));
    let rows = scores.iter().copied().enumerate().filter(|(i, _)| present.value(*i));
    assert_eq!(batch, one_at_a_time(&mut rows.into_iter()));
    let as_f32: Vec<f32> = scores.iter().map(|s| *s as f32).collect();
    let mut batch = Histogram::default();
    batch.add_batch(&as_f32, &label, None);
    let rows = as_f32.iter().map(|s| f64::from(*s)).enumerate();
    assert_eq!(batch, one_at_a_time(&mut rows.into_iter()));
}

#[test]
fn points_are_the_counts_of_a_rerun() {
    let scores = [(true, 0.9), (true, 0.62), (false, 0.62), (false, 0.1), (true, 0.3)];
    let mut h = Histogram::default();
    for (m, s) in scores {
        h.add(m, s);
    }
    let points = h.points();
    assert_eq!(points.first().unwrap().threshold, 0.1);
    assert_eq!(points.last().unwrap().threshold, 0.901);
    assert_eq!(points.last().unwrap().counts.predicted(), 0);
    for p in &points {
        let tp = scores.iter().filter(|(m, s)| *m && *s >= p.threshold).count() as u64;
        let fp = scores.iter().filter(|(m, s)| !*m && *s >= p.threshold).count() as u64;
        assert_eq!(p.counts, Counts { tp, fp, fn_: 3 - tp, tn: 2 - fp }, "{}", p.threshold);
    }
    // A batch, as the tally adds it, counts the same.
    let mut batch = Histogram::default();
    let label = BooleanBuffer::from_iter(scores.iter().map(|(m, _)| *m));
    let values: Vec<f64> = scores.iter().map(|(_, s)| *s).collect();
    batch.add_batch(&values, &label, None);
    assert_eq!(batch, h);
    let present = BooleanBuffer::from_iter([true, false, true, true, true]);
    let mut some = Histogram::default();
    some.add_batch(&values, &label, Some(&present));
    assert_eq!(some.points()[0].counts.rows(), 4);
    let merged = h.clone().merge(&h);
    assert_eq!(merged.points()[0].counts.tp, 6);
    assert!(Histogram::default().points().is_empty());
    let analysis = analyse(&points, |m, c| m.of(c).is_some_and(|v| v >= 0.6));
    // All three >= 0.6 from 0.1 (P 3/5) to 0.62 (P 2/3, R 2/3); above, R is 1/3.
    assert_eq!(analysis.passing.map(|r| (r.lowest, r.highest)), Some((0.1, 0.62)));
    // F1 peaks (6/7) from 0.101 to 0.3, at P 3/4: the lowest such is kept.
    assert_eq!(analysis.recommended.unwrap().threshold, 0.101);
    assert_eq!(analysis.max_f1.unwrap().threshold, 0.101);
    assert_eq!(analysis.best_precision_keeping_recall.unwrap().threshold, 0.101);
    assert_eq!(analysis.best_recall_keeping_precision.unwrap().counts.tp, 3);
    let few = thin(&points, 5);
    assert_eq!((few.len(), few[0], few[4]), (5, points[0], *points.last().unwrap()));
}
