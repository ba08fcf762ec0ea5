"""Benchmark of cxkeeper's text pipeline: step routing, sentiment and PII redaction.

    python bench/routing.py            # everything (~15 min on 2 cores)
    python bench/routing.py --quick    # few-shot rows only, smaller redaction corpus

Routing: CLINC150 and HWU64 (from ../shared/data, see its README), full training data and
5/10 examples per label (seed 0), for the default router (TF-IDF + WordLlama-256 + LR) and
the plain TF-IDF + LR baseline, measured in the same run on the same machine. CLINC150's
out-of-scope test queries measure the unrouted bucket. "load s" is StepRouter.load() of the
saved model in a fresh process, including the embedding weights.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cxkeeper.insights.text.evaluation import evaluate
from cxkeeper.insights.text.redaction import Redactor
from cxkeeper.insights.text.router import StepRouter
from cxkeeper.insights.text.sentiment import LearnedSentiment, VaderSentiment, weak_label

DATA = Path(os.environ.get("CXKEEPER_BENCH_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
if not DATA.is_dir():
    DATA = Path("/work/shared/data")
SEED = 0


def load_clinc150():
    data = json.loads((DATA / "clinc150" / "data_full.json").read_text())
    train = data["train"]
    test = data["test"] + [[text, "oos"] for text, _ in data["oos_test"]]
    return train, test


def load_hwu64():
    data = json.loads((DATA / "hwu64_kfold1" / "kfold1.json").read_text())
    return data["train"], data["test"]


def load_bitext_texts():
    with (DATA / "bitext" / "bitext_train_8b6ca3d.csv").open(newline="", encoding="utf-8") as handle:
        return [row["instruction"] for row in csv.DictReader(handle)]


REPEATS = 3  # throughput and load time: best of 3, so a busy neighbour process skews them less


def model_load_seconds(router: StepRouter) -> float:
    """Best of REPEATS fresh processes; imports are excluded, embedding weights included."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "router.joblib"
        router.save(path)
        code = (
            "import time, sys\n"
            "from cxkeeper.insights.text.router import StepRouter\n"
            "started = time.perf_counter()\n"
            f"StepRouter.load({str(path)!r})\n"
            "print(time.perf_counter() - started)\n"
        )
        timings = []
        for _ in range(REPEATS):
            output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
            timings.append(float(output.stdout.strip().splitlines()[-1]))
        return min(timings)


def best_messages_per_second(router: StepRouter, texts: list[str], first: float) -> float:
    rates = [first]
    for _ in range(REPEATS - 1):
        started = time.perf_counter()
        router.route(texts)
        rates.append(len(texts) / (time.perf_counter() - started))
    return max(rates)


SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7)


def threshold_sweep(router: StepRouter, test: list[tuple[str, str]]) -> dict[float, tuple[float, float]]:
    """In-scope and out-of-scope unrouted rates at several thresholds (same model, same data)."""
    texts = [text for text, _ in test]
    is_oos = [label == "oos" for _, label in test]
    sweep = {}
    for threshold in SWEEP:
        unrouted = [r.label is None for r in router.route(texts, threshold=threshold)]
        in_scope = [u for u, oos in zip(unrouted, is_oos, strict=True) if not oos]
        out_of_scope = [u for u, oos in zip(unrouted, is_oos, strict=True) if oos]
        sweep[threshold] = (sum(in_scope) / len(in_scope), sum(out_of_scope) / max(1, len(out_of_scope)))
    return sweep


def bench_routing(quick: bool, minilm: bool = False) -> list[dict]:
    rows = []
    datasets = {"CLINC150": load_clinc150(), "HWU64": load_hwu64()}
    for name, (train, test) in datasets.items():
        train_texts, train_labels = zip(*train, strict=True)
        test_texts, test_labels = zip(*test, strict=True)
        for shots in [10, 5] if quick else [None, 10, 5]:
            backends = ("wordllama", "tfidf") + (("minilm",) if minilm and shots else ())
            for backend in backends:
                router = StepRouter(backend)
                report = evaluate(
                    train_texts,
                    train_labels,
                    test_texts,
                    test_labels,
                    shots=shots,
                    seed=SEED,
                    out_of_scope_label="oos",
                    router=router,
                )
                report["dataset"] = name
                report["load_seconds"] = model_load_seconds(router)
                report["messages_per_second"] = best_messages_per_second(
                    router, list(test_texts), report["messages_per_second"]
                )
                if name == "CLINC150" and backend == "wordllama" and shots in (None, 10):
                    report["threshold_sweep"] = threshold_sweep(router, [tuple(row) for row in test])
                rows.append(report)
                print(
                    f"  {name:8} {shots or 'full'!s:>4} {backend:9} acc {report['accuracy']:.3f} "
                    f"({report['train_seconds']:.0f}s train)",
                    file=sys.stderr,
                    flush=True,
                )
    return rows


def realistic_sentences(n: int) -> list[str]:
    """Customer-style sentences, about 5% carrying PII of one kind or another."""
    rng = random.Random(SEED)
    clinc_train, _ = load_clinc150()
    hwu_train, _ = load_hwu64()
    base = [t for t, _ in clinc_train] + [t for t, _ in hwu_train] + load_bitext_texts()
    pii = [
        "please email me at {name}.smith@example.com",
        "my number is 07{d3} {d6}, call after 5",
        "ring me on +44 20 7946 {d4}",
        "the card 4111 1111 1111 1111 was charged twice",
        "refund to GB82 WEST 1234 5698 7654 32 please",
        "order {d6}{d6} has not arrived",
    ]
    sentences = []
    for _ in range(n):
        text = rng.choice(base)
        if rng.random() < 0.05:
            text += " " + rng.choice(pii).format(
                name=rng.choice(["jo", "sam", "alex"]),
                d3=rng.randint(100, 999),
                d4=rng.randint(1000, 9999),
                d6=rng.randint(100000, 999999),
            )
        sentences.append(text)
    return sentences


def bench_redaction(n: int) -> dict:
    sentences = realistic_sentences(n)
    redactor = Redactor(default_region="GB")
    started = time.perf_counter()
    counts: dict[str, int] = {}
    for text in sentences:
        for kind, count in redactor.redact(text).counts.items():
            counts[kind] = counts.get(kind, 0) + count
    seconds = time.perf_counter() - started
    return {"rows": n, "rows_per_second": n / seconds, "counts": counts}


def bench_sentiment() -> dict:
    clinc_train, clinc_test = load_clinc150()
    texts = [t for t, _ in clinc_test][:5000]
    vader = VaderSentiment()
    started = time.perf_counter()
    vader.score(texts)
    vader_rate = len(texts) / (time.perf_counter() - started)
    # Any two-class training data will do for a throughput figure.
    rng = random.Random(SEED)
    train = rng.sample([t for t, _ in clinc_train], 2000)
    learned = LearnedSentiment().fit(train, [weak_label(rng.choice([2, 10])) for _ in train])
    started = time.perf_counter()
    learned.score(texts)
    learned_rate = len(texts) / (time.perf_counter() - started)
    return {"vader_per_second": vader_rate, "learned_per_second": learned_rate, "n": len(texts)}


def format_table(rows: list[dict]) -> str:
    lines = [
        "| dataset | train | model | accuracy | macro-F1 | unrouted (in-scope) | OOS unrouted | ECE "
        "| messages/s | train s | load s |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        model = MODEL_NAMES[r["backend"]]
        oos = f"{r['oos_unrouted_rate']:.1%}" if "oos_unrouted_rate" in r else "–"
        lines.append(
            f"| {r['dataset']} | {str(r['shots']) + '-shot' if r['shots'] else 'full'} | {model} "
            f"| {r['accuracy']:.1%} | {r['macro_f1']:.1%} | {r['unrouted_rate']:.1%} | {oos} "
            f"| {r['calibration_error']:.3f} "
            f"| {r['messages_per_second']:,.0f} | {r['train_seconds']:.0f} | {r['load_seconds']:.2f} |"
        )
    return "\n".join(lines)


MODEL_NAMES = {"wordllama": "TF-IDF+WordLlama+LR (default)", "tfidf": "TF-IDF+LR (baseline)",
               "minilm": "TF-IDF+MiniLM+LR (embeddings extra)"}


def format_sweep(rows: list[dict]) -> str:
    swept = [r for r in rows if "threshold_sweep" in r]
    header = "| threshold | " + " | ".join(
        f"{r['shots'] or 'full'}{'-shot' if r['shots'] else ''}: in-scope unrouted | OOS unrouted" for r in swept
    )
    lines = [header + " |", "|---:|" + "---:|---:|" * len(swept)]
    for threshold in SWEEP:
        cells = " | ".join(
            f"{r['threshold_sweep'][threshold][0]:.1%} | {r['threshold_sweep'][threshold][1]:.1%}" for r in swept
        )
        lines.append(f"| {threshold} | {cells} |")
    return "CLINC150, default router, unrouted rates by threshold:\n\n" + "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="few-shot rows only, 20k redaction rows")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--minilm", action="store_true",
                        help="also the few-shot rows with the optional embeddings extra (all-MiniLM-L6-v2)")
    args = parser.parse_args()

    print(f"cxkeeper text benchmark — {os.cpu_count()} CPUs, data from {DATA}", file=sys.stderr)
    load_before = os.getloadavg()[0]
    routing = bench_routing(args.quick, args.minilm)
    redaction = bench_redaction(20_000 if args.quick else 100_000)
    sentiment = bench_sentiment()

    print(format_table(routing))
    print()
    print(format_sweep(routing))
    print()
    threshold = routing[0]["threshold"]
    print(
        f"Machine: {os.cpu_count()} CPUs, load average {load_before:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end; messages/s and load s are the best of 3 runs, "
        "and drop when other work shares the CPUs."
    )
    print(
        f"Unrouted: calibrated confidence < {threshold} (or no known word). "
        "OOS = CLINC150 oos_test (1,000). ECE = expected calibration error on in-scope test messages."
    )
    print(
        f"Sentiment: VADER {sentiment['vader_per_second']:,.0f} texts/s, "
        f"learned TF-IDF+LR {sentiment['learned_per_second']:,.0f} texts/s "
        f"({sentiment['n']:,} CLINC150 texts)"
    )
    print(
        f"Redaction: {redaction['rows_per_second']:,.0f} rows/s on {redaction['rows']:,} sentences "
        f"(~5% with PII; redacted {redaction['counts']})"
    )
    if args.json:
        args.json.write_text(
            json.dumps({"routing": routing, "redaction": redaction, "sentiment": sentiment}, indent=2, default=str)
        )


if __name__ == "__main__":
    main()
