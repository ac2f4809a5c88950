//! Quality floors on the development sets (../shared/datasets).
//!
//! When the sets are missing these tests say so on stderr and pass without
//! scoring; CI runs with the sets beside the checkout, so there they score.

use echotrace_eval::{datasets_dir, echotrace_system, score_body, score_snippets};

fn dir() -> Option<std::path::PathBuf> {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets");
    match datasets_dir(Some(&here)) {
        Ok(d) => Some(d),
        Err(e) => {
            eprintln!("NOT SCORED: {e}");
            None
        }
    }
}

/// In-sample (the shipped block model and chooser were fitted on these pages among others):
/// 0.955 measured; a check of the shipped path. What the models do on sets they were not
/// fitted on is held by the tests below.
#[test]
fn extraction_body_f1_floor() {
    let Some(d) = dir() else { return };
    let rows = score_body(&d, &[echotrace_system()]).unwrap();
    assert_eq!(rows[0].pages, 83);
    assert!(rows[0].prf.f1 >= 0.95, "body F1 {:.3}", rows[0].prf.f1);
}

#[test]
fn the_body_chooser_beats_the_merge_rules_on_body_sets_it_was_not_fitted_on() {
    let Some(d) = dir() else { return };
    let pages = echotrace_eval::body_chooser::pages(&d).unwrap();
    assert_eq!(pages.len(), 83 + 250 + 54);
    let (mut chosen, mut merge) = (0.0, 0.0);
    for held in echotrace_eval::body_chooser::SETS {
        let model =
            echotrace_eval::body_chooser::fit(pages.iter().filter(|p| p.set != held), "test");
        let (mut set_f1, mut set_pages) = (0.0, 0.0);
        for p in pages.iter().filter(|p| p.set == held) {
            chosen += p.f1[model.pick(&p.candidates, p.certainty)];
            set_f1 += p.f1[model.pick(&p.candidates, p.certainty)];
            set_pages += 1.0;
            merge += p.f1[0];
        }
        // Held out (0.950 / 0.924 / 0.949 measured); issue 12 asks more than 0.92 on
        // Readability's pages.
        let floor = match held {
            "extraction-body" => 0.945,
            "extraction-snippets" => 0.92,
            _ => 0.94,
        };
        let set_f1 = set_f1 / set_pages;
        assert!(set_f1 >= floor, "{held}: chooser held out {set_f1:.3}");
    }
    let n = pages.len() as f64;
    let (chosen, merge) = (chosen / n, merge / n);
    assert!(chosen >= 0.93, "chooser held out {chosen:.3}");
    assert!(
        chosen > merge + 0.005,
        "chooser {chosen:.3}, merge rules {merge:.3}"
    );
}

#[test]
fn the_block_model_alone_holds_on_body_sets_it_was_not_fitted_on() {
    let Some(d) = dir() else { return };
    let pages = echotrace_eval::blocks::pages(&d).unwrap();
    let mut f1 = 0.0;
    for held in echotrace_eval::body_chooser::SETS {
        let train: Vec<_> = pages.iter().filter(|p| p.set != held).collect();
        let model = echotrace_eval::blocks::fit(&train, true);
        f1 += pages
            .iter()
            .filter(|p| p.set == held)
            .map(|p| p.f1(&model))
            .sum::<f64>();
    }
    let f1 = f1 / pages.len() as f64;
    assert!(f1 >= 0.87, "block model held out {f1:.3}");
}

#[test]
fn snippets_f1_floor() {
    let Some(d) = dir() else { return };
    let rows = score_snippets(&d, &[echotrace_system()]).unwrap();
    assert!(rows[0].prf.f1 >= 0.92, "snippet F1 {:.3}", rows[0].prf.f1);
}

#[test]
fn dates_accuracy_floor_on_sites_the_model_was_not_fitted_on() {
    let Some(d) = dir() else { return };
    let pages = echotrace_eval::dates::pages(&d).unwrap();
    let ((right, n), (rules, _)) = echotrace_eval::dates::held_out_accuracy(&pages);
    let acc = right as f64 / n as f64;
    assert!(n >= 300, "{n} pages");
    assert!(acc >= 0.885, "held-out date accuracy {acc:.3}");
    assert!(
        right >= rules,
        "model {right} right, rules (in-sample) {rules}"
    );
}

#[test]
fn planted_reuse_f1_floors() {
    let Some(d) = dir() else { return };
    let rows = echotrace_eval::score_planted(&d, 150, 42).unwrap();
    for r in &rows {
        let floor = match r.plant {
            echotrace_eval::planted::Plant::Reworded => 0.75,
            _ => 0.95,
        };
        assert!(r.cases >= 40, "{r:?}");
        assert!(
            r.f1 >= floor,
            "{} F1 {:.3} under {floor}",
            r.plant.name(),
            r.f1
        );
    }
}

#[test]
fn story_clustering_beats_the_baseline() {
    let Some(d) = dir() else { return };
    let (articles, gold) = echotrace_eval::clustering::load(&d).unwrap();
    let (open_gold, moved) = echotrace_eval::clustering::without_catch_all(&articles, &gold);
    assert_eq!(moved, 53, "the catch-all cluster of the dev set");
    let aliases = echotrace_reuse::Aliases::builtin();
    let passages = echotrace_reuse::find_passages(&articles, &aliases, &Default::default());
    let params = echotrace_stories::StoryParams::default();
    let ours = echotrace_eval::clustering::echotrace_labels(&articles, &passages, &params);
    let s = echotrace_eval::clustering::score(&ours, &open_gold);
    assert!(s.f1 >= 0.76 && s.ari >= 0.76, "{s:?}");
    let base = echotrace_eval::clustering::score(
        &echotrace_eval::clustering::baseline_labels(&articles, 0.35),
        &open_gold,
    );
    assert!(s.f1 > base.f1 + 0.2, "ours {s:?} baseline {base:?}");
    let as_given = echotrace_eval::clustering::score(&ours, &gold);
    assert!(as_given.precision >= 0.7, "{as_given:?}");
}

#[test]
fn story_clustering_holds_on_clusters_its_settings_were_not_chosen_on() {
    let Some(d) = dir() else { return };
    // Five folds by gold cluster; the rule's threshold and bridge weight chosen on the other four.
    // Measured 2026-12-07: pooled held-out pairs P 0.927, R 0.770, F1 0.841 (was 0.772 without the bridge).
    let params = echotrace_stories::StoryParams::default();
    let cv = echotrace_eval::clustering::cross_validated(&d, &params, false).unwrap();
    let [_, (p, r, f1), _] = cv.pooled();
    assert!(
        f1 >= 0.80 && p >= 0.85 && r >= 0.72,
        "P {p:.3} R {r:.3} F1 {f1:.3}"
    );
}

#[test]
fn attribution_span_floors() {
    let Some(d) = dir() else { return };
    let (counts, texts) = echotrace_eval::attribution::score_rules(&d).unwrap();
    assert_eq!(texts, 840);
    let f = |role: &str| counts[role];
    assert!(f("Source").exact_f1() >= 0.43, "{:?}", f("Source"));
    assert!(f("Cue").exact_f1() >= 0.43, "{:?}", f("Cue"));
    assert!(f("Content").overlap_f1() >= 0.58, "{:?}", f("Content"));
}

#[test]
fn learned_attribution_holds_on_texts_it_was_not_trained_on() {
    let Some(d) = dir() else { return };
    // Five folds by text, each fold's tagger trained on the other four; pooled.
    // Measured 2026-12-07: source 0.758, cue 0.755, content 0.841 (the issue asks 0.75).
    let [rules, counts] = echotrace_eval::attribution::cross_validated(&d).unwrap();
    for role in ["Source", "Cue", "Content"] {
        let c = counts[role];
        assert!(c.overlap_f1() >= 0.75, "{role}: {c:?}");
        assert!(
            c.overlap_f1() > rules[role].overlap_f1() + 0.1,
            "{role}: the tagger adds little over the rules: {c:?} against {:?}",
            rules[role]
        );
    }
}

#[test]
fn claim_matching_rerank_beats_bm25_on_queries_it_was_not_trained_on() {
    use echotrace_eval::claim_matching::{cross_validate, load, pooled};
    let Some(d) = dir() else { return };
    let (ranker, queries) = load(&d).unwrap();
    assert!(
        ranker.len() > 10_000 && queries.len() >= 990,
        "{}",
        queries.len()
    );
    let all: Vec<_> = queries.iter().collect();
    let folds = cross_validate(&all);
    // Measured 2026-12-03: BM25 0.8095, rerank 0.8351 (every fold above BM25).
    let (bm25, learned) = pooled(&folds);
    assert!(
        learned >= 0.83 && learned > bm25 + 0.015,
        "BM25 {bm25:.4}, rerank {learned:.4}"
    );
    for f in &folds {
        assert!(
            f.learned > f.bm25,
            "fold {}: BM25 {:.4}, rerank {:.4}",
            f.fold,
            f.bm25,
            f.learned
        );
    }
}
