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
    let merged = h.clone().merge(h.clone());
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

/// The highest F1 and the best passing one over every distinct score,
/// each threshold tried in turn, as `precision_recall_curve` does.
fn brute_force(pairs: &[(bool, f64)], passes: &dyn Fn(&Counts) -> bool) -> (f64, Option<f64>) {
    let (p, n) = (pairs.iter().filter(|(m, _)| *m).count() as u64, pairs.len() as u64);
    let mut distinct: Vec<f64> = pairs.iter().map(|(_, s)| *s).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let (mut best, mut passing) = (0.0f64, None::<f64>);
    for t in distinct {
        let tp = pairs.iter().filter(|(m, s)| *m && *s >= t).count() as u64;
        let fp = pairs.iter().filter(|(m, s)| !*m && *s >= t).count() as u64;
        let counts = Counts { tp, fp, fn_: p - tp, tn: n - p - fp };
        let f1 = Metric::F1.of(&counts).unwrap_or(0.0);
        best = best.max(f1);
        if passes(&counts) {
            passing = Some(passing.map_or(f1, |b| b.max(f1)));
        }
    }
    (best, passing)
}

/// Pseudo-random pairs whose label leans on the score: `spread(u)` maps a
/// uniform draw to a score.
fn pairs(rows: usize, seed: u64, spread: &dyn Fn(f64) -> f64) -> Vec<(bool, f64)> {
    let mut x = seed;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..rows)
        .map(|_| {
            let u = next();
            (next() < 0.1 + 0.8 * u, spread(u))
        })
        .collect()
}

#[test]
fn kept_scores_make_the_best_thresholds_exact() {
    let passes = |c: &Counts| {
        let at_least = |m: Metric, v: f64| m.of(c).is_some_and(|x| x >= v);
        at_least(Metric::Precision, 0.8) && at_least(Metric::Recall, 0.3)
    };
    let shapes: [(&str, &dyn Fn(f64) -> f64); 4] = [
        ("one grid cell", &|u| 0.999 + u * 0.000_999),
        ("probabilities", &|u| u),
        ("log-odds", &|u| (u - 0.5) * 40.0),
        ("ties", &|u| (u * 50.0).floor() / 50.0 + 0.000_3),
    ];
    for (name, spread) in shapes {
        let data = pairs(20_000, 0x9e37_79b9_7f4a_7c15, spread);
        let mut h = Histogram::keeping(data.len() as u64);
        // In two workers' halves, as the reading threads count them.
        let (a, b) = data.split_at(7_000);
        let batch = |half: &[(bool, f64)]| {
            let mut h = Histogram::keeping(data.len() as u64);
            let scores: Vec<f64> = half.iter().map(|(_, s)| *s).collect();
            let label = BooleanBuffer::from_iter(half.iter().map(|(m, _)| *m));
            h.add_scores(&Scores::F64(scores.into()), &label, None);
            h
        };
        h = h.merge(batch(a)).merge(batch(b));
        let points = h.points();
        let holds = |m: Metric, c: &Counts| match m {
            Metric::Precision => m.of(c).is_some_and(|x| x >= 0.8),
            Metric::Recall => m.of(c).is_some_and(|x| x >= 0.3),
            Metric::F1 => true,
        };
        let grid_only = analyse(&points, holds);
        let mut analysis = grid_only.clone();
        refine(&h, &mut analysis, passes);
        let (best, passing) = brute_force(&data, &passes);
        let f1 = |p: Option<Point>| Metric::F1.of(&p.unwrap().counts).unwrap();
        assert!(analysis.exact, "{name}");
        assert_eq!(f1(analysis.max_f1), best, "{name}");
        assert_eq!(analysis.recommended.map(|p| f1(Some(p))), passing, "{name}");
        assert!(f1(grid_only.max_f1) <= best, "{name}");
        // The thresholds found give those counts when run again.
        for p in [analysis.max_f1, analysis.recommended].into_iter().flatten() {
            let tp = data.iter().filter(|(m, s)| *m && *s >= p.threshold).count() as u64;
            assert_eq!(p.counts.tp, tp, "{name} at {}", p.threshold);
        }
        if name == "one grid cell" {
            assert!(f1(grid_only.max_f1) < best - 0.01, "the grid alone is far off here");
        }
    }
    // Without the scores (too many rows, or an engine's counts), the grid.
    let data = pairs(1_000, 7, &|u| u);
    let mut h = Histogram::keeping(KEEP as u64 + 1);
    for (m, s) in &data {
        h.add(*m, *s);
    }
    let mut analysis = analyse(&h.points(), |_, _| true);
    let before = analysis.clone();
    refine(&h, &mut analysis, |_| true);
    assert!(!analysis.exact);
    assert_eq!(analysis, before);
}

#[test]
fn an_exact_threshold_is_the_shortest_decimal_with_its_counts() {
    assert_eq!(exact::shortest(0.50285, 0.5029413581771125), 0.5029);
    assert_eq!(exact::shortest(0.4, 0.5029413581771125), 0.5);
    assert_eq!(exact::shortest(f64::NEG_INFINITY, -12345.678), -12346.0);
    assert_eq!(exact::shortest(0.999_123_4, 0.999_123_456_7), 0.999_123_45);
    // Two scores one unit in the last place apart: the score itself.
    let s = 0.7f64;
    assert_eq!(exact::shortest(s.next_down(), s), s);
    assert_eq!(exact::shortest(s, s.next_up()), s.next_up());
}
