//! The chatbot's understanding, measured on utterances written apart from its training examples
//! (`tests/chat/heldout.tsv`, 30 per intent: colloquial, misspelt, dialect, traditional
//! characters, codes glued to text). Prints the accuracy per intent.

use lianxin::chat::intents::{Intent, IntentModel};
use lianxin::chat::understand;

fn labelled(file: &str) -> Vec<(Intent, String)> {
    file.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (label, text) = l.split_once('\t').expect("intent<TAB>utterance");
            (Intent::parse(label).unwrap_or_else(|| panic!("unknown intent {label}")), text.to_string())
        })
        .collect()
}

/// Accuracy on a labelled set, printed per intent with every miss.
fn accuracy(set: &[(Intent, String)]) -> f64 {
    let jieba = lianxin::search::tokenizer::build_jieba(&[]);
    let model = IntentModel::train(&jieba);
    let mut wrong = Vec::new();
    let mut per_intent = std::collections::BTreeMap::new();
    for (truth, text) in set {
        let guess = model.guess(&jieba, &understand::normalise(text));
        let entry = per_intent.entry(truth.as_str()).or_insert((0, 0));
        entry.1 += 1;
        if guess.intent == *truth {
            entry.0 += 1;
        } else {
            wrong.push(format!("{} → {} ({:.2}): {text}", truth.as_str(), guess.intent.as_str(), guess.confidence));
        }
    }
    for (intent, (right, all)) in &per_intent {
        println!("{intent:15} {right}/{all} = {:.3}", *right as f64 / *all as f64);
    }
    let accuracy = 1.0 - wrong.len() as f64 / set.len() as f64;
    println!("overall {accuracy:.3} on {} utterances", set.len());
    for w in &wrong {
        println!("  {w}");
    }
    accuracy
}

/// The set the rules and examples were tuned on (its misses were read).
#[test]
fn the_tuning_set_is_understood() {
    let set = labelled(include_str!("chat/dev.tsv"));
    assert!(accuracy(&set) >= 0.90);
}

#[test]
fn every_tracking_code_in_the_held_out_set_is_read_exactly() {
    for (truth, text) in labelled(include_str!("chat/dev.tsv")).iter().filter(|(i, _)| *i == Intent::Track) {
        let normal = understand::normalise(text);
        let letters: String = normal.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        if letters.len() >= 12 {
            let code = understand::tracking_code(&normal);
            assert!(code.is_some(), "{truth:?}: no code read in {text}");
            let shown = code.unwrap().as_str().to_string();
            assert!(letters.to_uppercase().contains(&shown), "{text} → {shown}");
        }
    }
}

/// Written by a separate author who saw neither the examples nor the tuning set.
#[test]
fn held_out_utterances_are_understood_nine_times_in_ten() {
    let set = labelled(include_str!("chat/heldout.tsv"));
    assert!(set.len() >= 13 * 25, "at least 25 per intent");
    assert!(accuracy(&set) >= 0.90);
}
