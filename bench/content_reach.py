"""How far one answer reaches: the messages at a given cosine to an answered one, with the router's
content vectors (text/content.py) against the plain TF-IDF the answer memory used before them.

    python bench/content_reach.py               # the demo's 120,000 rows (seed 7), ~3 min on 2 cores
    python bench/content_reach.py --rows 30000

The router is self-trained as `cxkeeper demo` trains it (bench/routing_demo.py); its own content
vectors, learnt from the 20,000-message sample, are compared with TF-IDF fitted on the same sample
(text.memory's vectors without them). Answered messages are drawn (seed 1) from three kinds: on-topic
messages the router leaves unrouted (what the review queue asks about), off-topic messages, and any
on-topic message. For each: messages reached per answer, the share of them about the answered
message's true step, and how many are built on the same core phrase (bench/routing_ceiling.py).
"""

from __future__ import annotations

import argparse
import os
import random
import sys

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from cxkeeper.insights.text.router import StepRouter, training_examples_from_steps
from cxkeeper.insights.text.selftrain import MAX_UNLABELED_ROWS, SELF_TRAINING_SAMPLE, _distinct_sample, self_train

sys.path.insert(0, os.path.dirname(__file__))
from routing_ceiling import recorded_rows  # noqa: E402
from routing_demo import demo_steps, row_contexts  # noqa: E402

KINDS = {"unrouted on-topic (the queue's)": 300, "off-topic": 200, "any on-topic": 300}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=120_000)
    parser.add_argument("--cosines", default="0.5,0.6,0.7")
    args = parser.parse_args()
    rows = recorded_rows(args.rows)
    texts, truth, core = [r["text"] for r in rows], [r["true_step"] for r in rows], [r["_core"] for r in rows]
    newest_rows = sorted(range(len(rows)), key=lambda i: rows[i]["received_at"], reverse=True)[:MAX_UNLABELED_ROWS]
    newest = [texts[i] for i in newest_rows]
    every_context = row_contexts(rows)  # as the product (decisions 0053, 0054)
    contexts = [every_context[i] for i in newest_rows]
    examples = training_examples_from_steps(demo_steps())
    base = StepRouter().fit(examples.texts, examples.labels, examples.weights)
    router, _ = self_train(examples, newest, contexts=contexts, base=base, max_unlabeled=SELF_TRAINING_SAMPLE)
    routes = router.route(texts)
    sample, *_ = _distinct_sample(newest, SELF_TRAINING_SAMPLE, 0)
    plain = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32, max_features=50_000).fit(sample)
    vectors = {"plain TF-IDF": plain.transform(texts).tocsr(), "content vectors": router.content.transform(texts)}

    rnd = random.Random(1)
    pools = {"unrouted on-topic (the queue's)": [i for i, r in enumerate(routes) if truth[i] and not r.routed],
             "off-topic": [i for i in range(len(rows)) if truth[i] is None],
             "any on-topic": [i for i in range(len(rows)) if truth[i]]}
    anchors = {kind: rnd.sample(pools[kind], min(n, len(pools[kind]))) for kind, n in KINDS.items()}
    print("| answered message | vectors | cosine | reached per answer | about its true step | same core phrase |")
    print("|---|---|---:|---:|---:|---:|")
    for kind, chosen in anchors.items():
        for name, matrix in vectors.items():
            similar = (matrix[chosen] @ matrix.T).toarray()
            for cosine in (float(c) for c in args.cosines.split(",")):
                reached = same = alike = 0
                for a, row in zip(chosen, similar, strict=True):
                    hit = np.flatnonzero(row >= cosine)
                    reached += len(hit)
                    same += sum(truth[j] == truth[a] for j in hit)
                    alike += sum(core[j] == core[a] for j in hit)
                print(f"| {kind} | {name} | {cosine:g} | {reached / len(chosen):.0f} | {same / max(1, reached):.1%} "
                      f"| {alike / len(chosen):.0f} |", flush=True)


if __name__ == "__main__":
    main()
