//! The indexer's tokenizer path against its ceiling, raw jieba-rs `cut_for_search` over the same
//! text, in one run: `cargo bench --bench tokenizer`. Criterion reports both in MiB/s; the ratio
//! goes to BENCHMARKS.md. The text is the real citizen messages in `../shared` when present,
//! else generated ones of the same kind.

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lianxin::search::tokenizer::{JiebaTokenizer, build_jieba};
use tantivy::tokenizer::{TokenStream, Tokenizer};

/// About 2 MB of message titles and bodies, one per line.
fn text() -> String {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/taidi2020/labeled.jsonl");
    let mut out = String::new();
    if let Ok(file) = std::fs::read_to_string(&shared) {
        for line in file.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                out.push_str(v["title"].as_str().unwrap_or_default());
                out.push('\n');
                out.push_str(v["body"].as_str().unwrap_or_default());
                out.push('\n');
            }
            if out.len() > 2_000_000 {
                break;
            }
        }
    }
    if out.is_empty() {
        let now = chrono::DateTime::from_timestamp(1_790_000_000, 0).expect("a valid time");
        for m in lianxin::demo::corpus::Corpus::new(20_000, 7, now) {
            out.push_str(&format!("{}\n{}\n", m.title, m.body));
        }
    }
    out
}

fn tokenize(c: &mut Criterion) {
    let text = text();
    let lines: Vec<&str> = text.lines().collect();
    let jieba = Arc::new(build_jieba(&[]));
    let mut group = c.benchmark_group("tokenize");
    group.throughput(Throughput::Bytes(text.len() as u64)).sample_size(10);
    group.bench_function("jieba-rs cut_for_search (ceiling)", |b| {
        b.iter(|| lines.iter().map(|line| jieba.cut_for_search(line, true).len()).sum::<usize>())
    });
    let mut tokenizer = JiebaTokenizer { jieba: Arc::new(std::sync::RwLock::new(jieba.clone())) };
    group.bench_function("lianxin indexer tokenizer", |b| {
        b.iter(|| {
            let mut n = 0;
            for line in &lines {
                let mut stream = tokenizer.token_stream(line);
                while stream.advance() {
                    n += stream.token().text.len();
                }
            }
            n
        })
    });
    group.finish();
}

criterion_group!(benches, tokenize);
criterion_main!(benches);
