//! Theme mining and classification at 10k, 100k and 1M generated messages: time and peak memory.
//! `cargo bench --bench mining` (all sizes) or `cargo bench --bench mining -- 10000 100000`.

use std::time::Instant;

use lianxin::demo::corpus::Corpus;
use lianxin::themes::classify::{Classifier, Example};
use lianxin::themes::cluster::{Settings, mine};

/// Peak resident memory of this process so far, from the kernel.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map(|kib| kib / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000, 1_000_000] } else { sizes };
    let jieba = lianxin::search::tokenizer::build_jieba(&[]);
    println!("{:>9} {:>10} {:>8} {:>12} {:>12} {:>10}", "messages", "mine (s)", "themes", "train (s)", "classify/s", "peak MiB");
    for n in sizes {
        let now = chrono::DateTime::from_timestamp(1_790_000_000, 0).expect("a valid time");
        let labelled: Vec<_> = Corpus::new(n, 7, now)
            .map(|m| {
                let message = lianxin::themes::cluster::Message {
                    time: lianxin::opinions::import::parse_time(&m.time),
                    id: m.id,
                    title: m.title,
                    body: m.body,
                    user: Some(m.user),
                    likes: m.likes,
                    dislikes: m.dislikes,
                };
                (message, m.label)
            })
            .collect();
        let messages: Vec<_> = labelled.iter().map(|(m, _)| m.clone()).collect();
        let started = Instant::now();
        let mined = mine(&jieba, &messages, &Settings::default(), |_, _| {});
        let mine_secs = started.elapsed().as_secs_f64();
        // The classifier trains on a labelled sample (as an office would have) and labels everything.
        let sample: Vec<Example> = labelled
            .iter()
            .take(20_000)
            .map(|(m, label)| Example { text: format!("{}\n{}", m.title, m.body), label: label.clone() })
            .collect();
        let started = Instant::now();
        let model = Classifier::train(&jieba, &sample);
        let train_secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let labelled = messages.iter().filter(|m| model.predict(&jieba, &m.title).is_some()).count();
        let per_sec = labelled as f64 / started.elapsed().as_secs_f64();
        println!("{n:>9} {mine_secs:>10.2} {:>8} {train_secs:>12.2} {per_sec:>12.0} {:>10.0}", mined.themes.len(), peak_mib());
        drop(mined);
        // What the office's period mining reads: a quarter and the quarter before (the newest
        // 182 days of the messages).
        let newest = messages.iter().filter_map(|m| m.time).max().expect("timed messages");
        let window: Vec<_> =
            messages.iter().filter(|m| m.time.is_some_and(|t| newest - t < chrono::Duration::days(182))).cloned().collect();
        let started = Instant::now();
        let mined = mine(&jieba, &window, &Settings::default(), |_, _| {});
        println!(
            "{:>9} {:>10.2} {:>8} {:>12} {:>12} {:>10.0}  (two quarters of the {n})",
            window.len(),
            started.elapsed().as_secs_f64(),
            mined.themes.len(),
            "",
            "",
            peak_mib()
        );
    }
}
