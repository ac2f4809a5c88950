//! The watch relation model (echoes, attributes, disputes) on the labelled set
//! `crates/eval/data/relations.jsonl`, scored on documents its model was not fitted on.
//!
//! When the development sets are missing these tests say so on stderr and pass without
//! scoring; CI runs with the sets beside the checkout, so there they score.
//! `cargo run --release --features eval -- eval --set relations` prints the tables.

use echotrace_eval::relations::{accuracy, cross_validate, featurise, load};
use echotrace_watch::relation::{RelationModel, KINDS};

fn set() -> Option<Vec<echotrace_eval::relations::Example>> {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets");
    match echotrace_eval::datasets_dir(Some(&here)) {
        Ok(d) => Some(load(&d).unwrap()),
        Err(e) => {
            eprintln!("NOT SCORED: {e}");
            None
        }
    }
}

#[test]
fn the_set_is_large_balanced_and_from_many_documents() {
    let Some(set) = set() else { return };
    assert!(set.len() >= 150, "only {} examples", set.len());
    let mut per_class = [0usize; 3];
    let mut ids = std::collections::HashSet::new();
    let mut documents = std::collections::HashSet::new();
    for x in &set {
        assert!(ids.insert(x.id.as_str()), "{}: id repeated", x.id);
        documents.insert(x.document.as_str());
        let matched = &x.body[x.span.0..x.span.1];
        assert!(
            matched.split_whitespace().count() >= 3,
            "{}: match {matched:?} under three words",
            x.id
        );
        per_class[x.relation] += 1;
    }
    for (kind, n) in KINDS.iter().zip(per_class) {
        assert!(n >= 40, "only {n} examples of {kind}");
    }
    assert!(documents.len() >= 150, "{} documents", documents.len());
}

#[test]
fn the_learned_model_beats_the_keyword_rule_on_documents_it_was_not_fitted_on() {
    let Some(set) = set() else { return };
    let features = featurise(&set);
    let (model, rule) = cross_validate(&set, &features);
    // Measured 2026-12-03: model 0.753 held out (disputes recall 0.617), rule 0.649 (0.415).
    let (m, r) = (accuracy(&model), accuracy(&rule));
    assert!(m >= 0.72 && m > r + 0.05, "model {m:.3}, rule {r:.3}");
    let dispute_recall = |c: &[[usize; 3]; 3]| c[2][2] as f64 / c[2].iter().sum::<usize>() as f64;
    assert!(dispute_recall(&model) > dispute_recall(&rule) + 0.1);
}

#[test]
fn the_shipped_model_reads_the_features_the_crate_computes() {
    let m = RelationModel::shipped();
    assert_eq!(m.weights.len(), KINDS.len());
    for row in &m.weights {
        assert_eq!(row.len(), echotrace_watch::relation::FEATURES.len() + 1);
    }
}
