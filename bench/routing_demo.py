"""Routing on the demo's feedback against the sample generator's own true step.

    python bench/routing_demo.py               # the demo's 120,000 rows (seed 7), ~10 min on 2 cores
    python bench/routing_demo.py --rows 30000  # smaller
    python bench/routing_demo.py --confident 100  # also: 100 of the 200 answers on confident clusters
    python bench/routing_demo.py --spot-check-share 0,0.5  # the review queue's order at these shares
    python bench/routing_demo.py --options '{"rounds": 2}'  # self_train with other settings
    python bench/routing_demo.py --no-sweep --variants '{"emb": {"agreement": "embedding"}}'
        # variants beside the code as it is, in one run (decision 0035): self_train keyword
        # arguments, or confirmation_weight (a spot check's "yes" in retraining; default: the
        # product's routing.CONFIRMATION_WEIGHT), all_but_these (a spot check answered from a
        # sample of N with "Leave out" boxes), cluster_answers (N: a group that needs a person
        # answered for all its members from the cluster page's sample of N, with "Leave out"
        # boxes; default true: the page's 8, decision 0050; 0: only the group's first message,
        # as before), unlabeled_rows (the unlabeled messages read by row, as
        # insights.routing does, instead of without every answered text) and relearn_every
        # (N: the router relearns after every N answers and the queue is ordered again, as the
        # product's background relearning does while a person works through the queue; default
        # RELEARN_EVERY = 50, 0: every answer chosen from the first queue) and queue_similarity
        # (the cosine at which the queue's clusters join near-duplicates; default the product's:
        # text.clusters.CONTENT_NEAR_DUPLICATE, 0.65, with the router's content vectors, decision 0052)
        # and answers_in_model (true: answers also learnt into the self-trained model, as before
        # decision 0046; default false, as the product) and queue_asks_remembered (true: the
        # queue also asks about messages the router's memory of answers set aside as off-topic
        # or placed, as before decision 0048; default false, as the product) and contexts
        # (false: self-training without where each message came from, before decision 0053;
        # "source and channel": without how long the customer had been known, before decision
        # 0054; default true, as the product: (source, channel, band of how long known) of each row)

The same routers `cxkeeper demo` builds, without the database: (1) trained from the journey
map only; (2) then self-trained on the organization's own messages (insights.routing's
bounds: the newest 60,000 rows, 20,000 distinct messages); (3) then retrained after 200
answers chosen by the review queue's own order (insights.queries.order_from_arrays and
interleave, the code the queue page runs, on the arrays `_queue_order` builds from stored rows:
uncertain items clustered and ranked by Σ uncertainty; confident routes clustered per step and
ranked by Σ (1.05 − confidence), interleaved at the spot-check share), the router relearning
after every RELEARN_EVERY answers and the queue ordered again from its routes, as the product's
background relearning does (decision 0045). One answer per group, for the whole group in one
action (decision 0050): for a group that needs a person, the person opens the group's page (the
queue links it from every member of a group), reads its sample of queries.CLUSTER_SAMPLE
messages, answers with the step most of them truly belong to (no step: off-topic) and leaves
out the shown ones that belong elsewhere; every other member, shown or not, takes the answer,
right for it or not. For a spot check, the person reads its first item and answers for the
whole group — "yes" (its true step is where the router put it) or that item's true step — so
every member takes that answer, right for it or not. The router then
learns as the product does (decision 0046): the self-trained model from the map and the
unlabeled messages (answered ones left out), and every person-placed message remembered through
the router's content vectors (the queue's clusters use them too); the variant
`answers_in_model` (true) also learns the answers into the model as before (every placed
message a correction, a spot check's "yes" a confirmation of routing.CONFIRMATION_WEIGHT).
The variant `cluster_answers` 0 answers only the first message of a group that needs a
person, the default before decision 0050 (decision 0044 measured the whole-group answer worse
when answers were learnt into the model; since answers act through the router's memory,
decision 0046, it is better). `--confident N` keeps the earlier simulation (decision 0023).
Four figures for each, over every generated message with text:
right = on-topic messages at their true step / on-topic; unrouted = on-topic at no step /
on-topic; precision = at their true step / at any step; off-topic unrouted = off-topic
messages at no step / off-topic. Texts are routed as generated (the import's PII redaction
changes a few hundred e-mail addresses and numbers, not the routing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict

from cxkeeper.insights.text.clusters import cluster_texts
from cxkeeper.insights.text.context import known_for_band
from cxkeeper.insights.text.router import StepRouter, training_examples_from_steps
from cxkeeper.insights.text.selftrain import MAX_UNLABELED_ROWS, SELF_TRAINING_SAMPLE, self_train
from cxkeeper.sample import organization
from cxkeeper.sample.feedback import generate_feedback

CORRECTIONS = 200
# A group that needs a person is answered on its page, from the page's sample (decision 0050):
# the queue offers it from every member of a group; false/0: its first message only.
CLUSTER_ANSWERS = True
# The product relearns in the background once answers pause for a few seconds (insights.relearn;
# a run takes about two minutes at the demo's size), so a person working through 200 answers
# meets a queue ordered by a router that has learnt from the earlier ones. The bench relearns
# after every this many answers (a conservative pace; 0: all 200 chosen from the first queue,
# the bench before decision 0045).
RELEARN_EVERY = 50
SWEEP = (0.4, 0.6, 0.7, 0.8)  # extra thresholds shown for the self-trained routers
TARGETS = {"right": ">= 90%", "unrouted": "<= 8%", "precision": ">= 95%", "off-topic unrouted": ">= 80%"}


def demo_steps() -> list[dict]:
    return [{"id": s.name, "name": s.name, "description": s.description, "phrases": list(s.phrases)}
            for journey in organization.JOURNEYS for stage in journey.stages for s in stage.steps]


def row_contexts(rows: list[dict], every_row: list[dict] | None = None) -> list[tuple]:
    """Each row's (source, channel, band of how long the customer had been known), as
    insights.routing.unlabeled_texts reads them from the store (decisions 0053 and 0054): the
    band counts days since the customer's first message among ``every_row`` (default ``rows``;
    the store keeps rows without text too)."""
    first: dict = {}
    for r in every_row if every_row is not None else rows:
        if r["customer_id"] and (r["customer_id"] not in first or r["received_at"] < first[r["customer_id"]]):
            first[r["customer_id"]] = r["received_at"]
    return [(r["source"], r["channel"],
             known_for_band((r["received_at"] - first[r["customer_id"]]).total_seconds() / 86_400
                            if r["customer_id"] in first else None)) for r in rows]


def variant_contexts(contexts: list[tuple] | None, variant: dict) -> list[tuple] | None:
    """The contexts a variant gives self-training: all of them (default, as the product), only
    (source, channel) ("source and channel", before decision 0054) or none (false, before 0053)."""
    how = variant.get("contexts", True)
    if contexts is None or how is False:
        return None
    if how == "source and channel":
        return [context[:2] for context in contexts]
    return contexts


def figures(labels: list, truth: list) -> dict:
    on = [(label, t) for label, t in zip(labels, truth, strict=True) if t is not None]
    off = [label for label, t in zip(labels, truth, strict=True) if t is None]
    right = sum(label == t for label, t in on)
    routed = sum(label is not None for label in labels)
    return {"right": right / len(on), "unrouted": sum(label is None for label, _ in on) / len(on),
            "precision": right / max(1, routed), "off-topic unrouted": sum(label is None for label in off) / len(off),
            "n on-topic": len(on), "n off-topic": len(off)}


def at(results, threshold: float) -> list:
    """Labels at another threshold from results routed with threshold 0 (label None there:
    off-topic or no known word)."""
    return [r.label if r.confidence >= threshold else None for r in results]


def review_queue_choice(results, texts: list[str], n: int) -> list[int]:
    """The n items a person answers first, as the review queue orders them
    (insights.queries.review_queue): the unrouted items, grouped into clusters of similar
    messages (text.clusters, as the queue does), clusters by the sum of their members'
    uncertainty (1 − confidence), the most uncertain member of each. One answer per cluster:
    after an answer the router relearns and the rest of that cluster leaves the queue."""
    pending = [i for i, result in enumerate(results) if result.label is None]
    cluster_of = cluster_texts(pending, [texts[i] for i in pending])
    weight: dict[int, float] = defaultdict(float)
    first: dict[int, tuple[float, int]] = {}
    for i in pending:
        uncertainty = 1.0 - results[i].confidence
        cluster = cluster_of[i]
        weight[cluster] += uncertainty
        if cluster not in first or (-uncertainty, i) < first[cluster]:
            first[cluster] = (-uncertainty, i)
    order = sorted(weight, key=lambda c: (-round(weight[c], 9), c))
    return [first[c][1] for c in order[:n]]


def confident_choice(results, texts: list[str], n: int) -> list[int]:
    """n items of *routed* clusters, for a review queue that also asks about what the router is
    sure of (not built: insights.queries.review_queue holds only what needs a person). A wrong
    route the router is confident about is never shown to a person otherwise, and self-training
    repeats it across the whole cluster. Clusters of routed messages (text.clusters) by size ×
    (1.05 − confidence of their first member), one item of each: large clusters first, the
    less sure of them before the surest."""
    routed = [i for i, result in enumerate(results) if result.label is not None]
    cluster_of = cluster_texts(routed, [texts[i] for i in routed])
    size: dict[int, int] = defaultdict(int)
    first: dict[int, int] = {}
    for i in routed:
        size[cluster_of[i]] += 1
        first.setdefault(cluster_of[i], i)
    order = sorted(size, key=lambda c: (-size[c] * (1.05 - results[first[c]].confidence), c))
    return [first[c] for c in order[:n]]


def _django() -> None:
    """The product's modules that read settings (queries, routing) need Django set up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxkeeper.settings")
    import django

    django.setup()


def queue_order_choice(results, texts: list[str], truth: list, n: int, share: float, threshold: float,
                       all_but_these: int = 0, cluster_answers: int | bool = 0, answered=frozenset(),
                       similar: float | None = None, content=None, memory=None):
    """The first n groups of the review queue as the product orders them (see the docstring).
    Returns [(members, answer, confirmed)]: the messages one answer places, the step (None:
    off-topic) and whether it kept them where the router had put them (a spot check's "yes").
    ``all_but_these``: a spot check shows this many of its messages (picked as the page picks
    its sample) with a tick box each; the person answers with the step most of them belong to
    (a tie: the first message's) and unticks the shown ones that do not belong there — those
    stay where they are, the rest of the cluster (shown or not) takes the answer.
    ``cluster_answers``: a group that needs a person is answered as the cluster page lets a
    person answer it (decision 0035): this many members (queries.CLUSTER_SAMPLE), picked as the
    page picks its sample (queries.cluster_sample_ids: one of each wording first, decision
    0051), are read, the answer is the step most of them truly belong to (a
    tie: the first member's; no step: off-topic), the shown ones that do not belong there are
    left out, and every other member — shown or not, right for it or not — takes the answer.
    Without it, only the group's first item is answered. Left-out members keep waiting, as in
    the product; they are not asked about again within the n answers. ``answered``: messages a
    person already placed (earlier rounds of ``relearn_every``): out of the queue, as in the
    product. ``memory``: the router's memory of people's answers; as in the product (decision
    0048), unrouted messages it matches to an off-topic answer are not asked about, and routes
    it placed are not spot-checked."""
    import numpy as np

    _django()
    from cxkeeper.insights import queries
    from cxkeeper.insights.text.clusters import clusters_within, sample_by_wording
    from cxkeeper.insights.text.router import OFF_TOPIC

    cluster_answers = queries.CLUSTER_SAMPLE if cluster_answers is True else int(cluster_answers)

    def page_sample(members: list[int], n: int) -> list[int]:  # as queries.cluster_sample_ids picks it
        head = members[:queries.CLUSTER_SAMPLE_READ]
        return sample_by_wording(head, [texts[i] for i in head], n)

    def remembered(indices: list[int]) -> list:
        return memory.match([texts[i] for i in indices])[0] if memory is not None else [None] * len(indices)

    # ids are positions + 1 (import order, as stored ids); unrouted: below the threshold or no step
    pending = sorted((i for i, r in enumerate(results) if r.label is None and i not in answered),
                     key=lambda i: (results[i].confidence, i))
    clustered = pending[:queries.QUEUE_MAX_CLUSTERED]
    like_off_topic = {i for i, answer in zip(clustered, remembered(clustered), strict=True) if answer == OFF_TOPIC}
    pending = [i for i in pending if i not in like_off_topic]
    clustered = [i for i in clustered if i not in like_off_topic]
    alike = {} if similar is None else {"threshold": similar}  # the queue's near-duplicate cosine
    cluster_of = cluster_texts([i + 1 for i in clustered], [texts[i] for i in clustered], content=content, **alike)
    routed = [i for i in reversed(range(len(results)))
              if results[i].label is not None and i not in answered][:queries.QUEUE_MAX_SPOT_CHECKED]
    routed = [i for i, answer in zip(routed, remembered(routed), strict=True) if answer is None]
    spot_of = clusters_within([i + 1 for i in routed], [texts[i] for i in routed], [results[i].label for i in routed],
                              content=content, **alike)
    sizes = defaultdict(int)
    for name in spot_of.values():
        sizes[name] += 1
    spot = [i for i in routed if sizes[spot_of[i + 1]] >= queries.SPOT_CHECK_MIN_SIZE] if share > 0 else []
    ids = np.array([i + 1 for i in pending] + [i + 1 for i in spot], np.int64)
    uncertainty = np.array([queries._uncertainty("none", results[i].confidence, threshold) for i in pending]
                           + [queries.SPOT_CHECK_MARGIN - results[i].confidence for i in spot], np.float64)
    steps = {name: k for k, name in enumerate(sorted({r.label for r in results if r.label is not None}))}
    step = np.array([-1] * len(pending) + [steps[results[i].label] for i in spot], np.int64)
    clusters = np.array([cluster_of.get(i + 1, i + 1) for i in pending] + [spot_of[i + 1] for i in spot], np.int64)
    is_spot = np.array([False] * len(pending) + [True] * len(spot), bool)
    order = queries.order_from_arrays(ids, uncertainty, np.full(len(ids), -1, np.int64), step, clusters, is_spot, 0)
    live = np.ones(len(ids), bool)
    entries = queries.QueueEntries(order, live, queries.interleave(order.ranked, order.spot_ranked, share))
    answers, seen, left = [], set(), 0
    for entry in entries:
        if entry.cluster_id in seen:
            continue
        seen.add(entry.cluster_id)
        first = entry.feedback_id - 1
        answer = truth[first]
        if not entry.spot_check and cluster_answers:
            members = [m - 1 for m in entries.members(entry.cluster_id)]
            shown = page_sample(members, cluster_answers)
            votes = Counter(truth[i] for i in shown)
            answer = max(votes, key=lambda t: (votes[t], t == truth[first]))
            left_out = {i for i in shown if truth[i] != answer}
            left += len(left_out)
            # unrouted members: an answer never keeps them where the model had put them
            answers.append(([i for i in members if i not in left_out], answer, False))
        elif not entry.spot_check:
            answers.append(([first], answer, False))
        else:
            members = [m - 1 for m in entries.members(entry.cluster_id)]
            if all_but_these:
                shown = page_sample(members, all_but_these)
                votes = Counter(truth[i] for i in shown)
                answer = max(votes, key=lambda t: (votes[t], t == truth[first]))
                unticked = {i for i in shown if truth[i] != answer}
                left += len(unticked)
                members = [i for i in members if i not in unticked]
            answers.append((members, answer, answer == results[first].label))
        if len(answers) == n:
            break
    if left:
        print(f"  {left} shown messages left out (they keep waiting)", file=sys.stderr)
    return answers


BENCH_OPTIONS = ("confirmation_weight", "all_but_these", "cluster_answers", "unlabeled_rows", "relearn_every",
                 "queue_similarity", "answers_in_model", "queue_asks_remembered", "contexts")


def after_answers(steps, texts, truth, newest, answers, variant: dict, newest_rows=(), contexts=None):
    """The router relearnt from `answers` as the product does; returns (router, placed, negatives).
    The unlabeled messages: the newest rows' texts (``newest_rows``: row positions, newest
    first; ``newest``: the texts of the first MAX_UNLABELED_ROWS) without every text a person
    answered; with the variant's ``unlabeled_rows``, as insights.routing.unlabeled_texts reads
    them: the newest MAX_UNLABELED_ROWS rows no person placed, so other rows with an answered
    text stay and older rows fill the places. ``contexts``: each row's (source, channel, band of
    how long the customer had been known), given to self-training as the product gives it
    (decisions 0053, 0054), or as the variant's ``contexts`` says (`variant_contexts`)."""
    _django()
    from cxkeeper.insights import routing

    train_options = {k: v for k, v in variant.items() if k not in BENCH_OPTIONS}
    placed, confirmed = {}, set()
    for members, answer, confirming in answers:
        for i in members:
            placed[i] = answer
            if confirming:
                confirmed.add(i)
            else:
                confirmed.discard(i)
    fixes = [(texts[i], answer) for i, answer in placed.items() if answer is not None and i not in confirmed]
    confirmations = [(texts[i], answer) for i, answer in placed.items() if answer is not None and i in confirmed]
    negatives = [texts[i] for i, answer in placed.items() if answer is None]
    if variant.get("unlabeled_rows"):
        unlabeled_rows = [i for i in newest_rows if i not in placed][:MAX_UNLABELED_ROWS]
    else:
        answered_texts = {texts[i] for i in placed}
        unlabeled_rows = [i for i in newest_rows[:len(newest)] if texts[i] not in answered_texts]
    unlabeled = [texts[i] for i in unlabeled_rows]
    chosen = variant_contexts(contexts, variant)
    if chosen is not None:
        train_options["contexts"] = [chosen[i] for i in unlabeled_rows]
    # a confirmation weighs what the product gives it (routing.CONFIRMATION_WEIGHT) unless the variant says
    corrected_examples = training_examples_from_steps(
        steps, fixes, confirmations=confirmations,
        confirmation_weight=variant.get("confirmation_weight", routing.CONFIRMATION_WEIGHT))
    if not variant.get("answers_in_model", False):  # as the product (decision 0046): answers only remembered
        corrected_examples = training_examples_from_steps(steps)
        train_options.setdefault("spread_answers", False)
    router_after, report = self_train(corrected_examples, unlabeled, negatives=negatives,
                                 corrections=fixes + confirmations, max_unlabeled=SELF_TRAINING_SAMPLE,
                                 **train_options)
    print(f"  self-training after answers: {report.as_dict()}", file=sys.stderr)
    return router_after, placed, negatives


def _embed_each_text_once(backend: str) -> None:
    """Bench only: the process's embedder of `backend` (MiniLM: tens to hundreds of texts/s on
    2 cores) keeps each text's vector, so the sample self-training routes and fits on several
    times, and the routing of every message, embed each distinct text once. The vectors are
    the model's own; only batching changes, which moves them by float rounding at most."""
    from cxkeeper.insights.text.embeddings import get_embedder

    embedder = get_embedder(backend)
    if embedder is None or getattr(embedder, "_bench_cache", None) is not None:
        return
    import numpy as np

    embedder._bench_cache = cache = {}
    embed = embedder.embed

    def cached(texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if missing:
            cache.update(zip(missing, embed(missing), strict=True))
        return np.stack([cache[t] for t in texts]) if texts else embed(texts)

    embedder.embed = cached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=120_000, help="generated rows (the demo loads 120,000)")
    parser.add_argument("--confident", type=int, default=0,
                        help="also measure 200 answers of which this many go to clusters of confident routes")
    parser.add_argument("--spot-check-share", default=None,
                        help="comma-separated spot-check shares of the review queue measured after answers "
                             "(none: no after-answers rows; default: the product's, "
                             "insights.queries.DEFAULT_SPOT_CHECK_SHARE)")
    parser.add_argument("--options", type=json.loads, default={},
                        help="extra keyword arguments of self_train as JSON (variants tried, docs/performance.md)")
    parser.add_argument("--variants", type=json.loads, default=None,
                        help="JSON {name: options}: variants measured beside the code as it is, in the same run "
                             "(self_train keyword arguments, or confirmation_weight / all_but_these)")
    parser.add_argument("--no-sweep", action="store_true", help="leave out the threshold sweep rows")
    args = parser.parse_args()
    print(f"routing on the demo — {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    generated = list(generate_feedback(args.rows, seed=7))
    rows = [r for r in generated if r["text"]]
    texts, truth = [r["text"] for r in rows], [r["true_step"] for r in rows]
    contexts = row_contexts(rows, generated)  # as insights.routing reads them (decisions 0053, 0054)
    del generated
    newest_rows = sorted(range(len(rows)), key=lambda i: rows[i]["received_at"], reverse=True)
    newest = [texts[i] for i in newest_rows[:MAX_UNLABELED_ROWS]]
    newest_contexts = [contexts[i] for i in newest_rows[:MAX_UNLABELED_ROWS]]
    steps = demo_steps()
    table = []
    sweep = () if args.no_sweep else SWEEP
    if args.spot_check_share is None:
        _django()
        from cxkeeper.insights.queries import DEFAULT_SPOT_CHECK_SHARE

        args.spot_check_share = str(DEFAULT_SPOT_CHECK_SHARE)
    shares = [] if args.spot_check_share == "none" else [float(x) for x in args.spot_check_share.split(",")]

    started = time.perf_counter()
    examples = training_examples_from_steps(steps)
    base = StepRouter().fit(examples.texts, examples.labels, examples.weights)
    table.append(("journey map only", figures([r.label for r in base.route(texts)], truth),
                  time.perf_counter() - started))

    variants = {"as is": dict(args.options)} if args.variants is None else \
        {"as is": dict(args.options), **{k: {**args.options, **v} for k, v in args.variants.items()}}
    before: dict[str, tuple] = {}  # self_train options → (results, seconds): variants differing after answers share it
    def progress(row):  # each row as soon as it is measured (a long run under load can be read while it goes)
        name, f, secs = row
        print(f"  | {name} | {f['right']:.1%} | {f['unrouted']:.1%} | {f['precision']:.1%} "
              f"| {f['off-topic unrouted']:.1%} | {secs:.0f} |", file=sys.stderr, flush=True)

    progress(table[0])
    for label, variant in variants.items():
        train_options = {k: v for k, v in variant.items() if k not in BENCH_OPTIONS}
        key = json.dumps([train_options, variant.get("contexts", True)], sort_keys=True)
        chosen = variant_contexts(newest_contexts, variant)
        if chosen is not None:
            train_options["contexts"] = chosen
        prefix = "" if args.variants is None else f"[{label}] "
        if key not in before:
            started = time.perf_counter()
            backend = train_options.get("backend", "wordllama")
            if backend != "wordllama":  # the map router of that backend, as the product builds it
                _embed_each_text_once(backend)
            router, report = self_train(examples, newest, base=base if backend == "wordllama" else None,
                                        max_unlabeled=SELF_TRAINING_SAMPLE, **train_options)
            seconds = time.perf_counter() - started
            results = router.route(texts, threshold=0.0)
            name = f"{prefix}self-trained on the organization's messages"
            table.append((name, figures(at(results, router.threshold), truth), seconds))
            progress(table[-1])
            table += [(f"{name}, threshold {t}", figures(at(results, t), truth), seconds) for t in sweep]
            results = [r if r.confidence >= router.threshold else type(r)(None, r.confidence, r.top) for r in results]
            before[key] = (results, router.threshold, router.content)
            print(f"  {prefix}self-training: {report.as_dict()}", file=sys.stderr)
        results, threshold, content = before[key]

        answered_sets = []
        for share in shares:
            sample = variant.get("cluster_answers", CLUSTER_ANSWERS)
            every = int(variant.get("relearn_every", RELEARN_EVERY)) or CORRECTIONS
            answers, spot = [], 0
            current, content_now, memory_now = results, content, None
            while len(answers) < CORRECTIONS:  # rounds of `every` answers, relearning in between
                if answers:
                    router_now, placed, _ = after_answers(steps, texts, truth, newest, answers, variant, newest_rows,
                                                          contexts)
                    current = [r if r.confidence >= router_now.threshold else type(r)(None, r.confidence, r.top)
                               for r in router_now.route(texts, threshold=0.0)]
                    content_now = router_now.content
                    # the product's queue reads people's answers through the router's memory
                    # (decision 0048); the variant queue_asks_remembered asks as before
                    memory_now = None if variant.get("queue_asks_remembered") else router_now.memory
                    print(f"  relearnt after {len(answers)} answers: "
                          f"{figures([placed.get(i, r.label) for i, r in enumerate(current)], truth)}",
                          file=sys.stderr, flush=True)
                batch = queue_order_choice(current, texts, truth, min(every, CORRECTIONS - len(answers)), share,
                                           threshold, all_but_these=int(variant.get("all_but_these", 0)),
                                           cluster_answers=sample, similar=variant.get("queue_similarity"),
                                           content=content_now, memory=memory_now,
                                           answered=frozenset(i for members, _, _ in answers for i in members))
                if not batch:
                    break
                spot += sum(current[members[0]].label is not None for members, _, _ in batch if members)
                answers += batch
            answered_sets.append((f" by the review queue, spot-check share {share:g} ({spot} spot checks)", answers))
        if args.confident:  # the earlier simulation (decision 0023): one item per group
            chosen = review_queue_choice(results, texts, CORRECTIONS - args.confident) \
                + confident_choice(results, texts, args.confident)
            answered_sets.append((f" simulated, {args.confident} of them on confident clusters",
                                  [([i], truth[i], False) for i in chosen]))
        for how, answers in answered_sets:
            started = time.perf_counter()
            router_after, placed, negatives = after_answers(steps, texts, truth, newest, answers, variant,
                                                            newest_rows, contexts)
            seconds = time.perf_counter() - started
            corrected = router_after.route(texts, threshold=0.0)
            wrong = sum(answer != truth[i] for i, answer in placed.items())
            name = (f"{prefix}after {len(answers)} answers{how} ({len(placed):,} messages placed by people, "
                    f"{len(negatives):,} of them off-topic, {wrong:,} not where they truly belong)")
            for threshold_after in (router_after.threshold, *sweep):
                labels = at(corrected, threshold_after)
                for i, answer in placed.items():  # what people said stays: the answered items are placed by them
                    labels[i] = answer
                table.append((name if threshold_after == router_after.threshold
                              else f"{name}, threshold {threshold_after}", figures(labels, truth), seconds))
                progress(table[-1])

    if args.variants is not None:
        print("variants: " + "; ".join(f"[{k}] {json.dumps(v)}" for k, v in variants.items()))
    print("| router | right | unrouted | precision | off-topic unrouted | train s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, f, secs in table:
        print(f"| {name} | {f['right']:.1%} | {f['unrouted']:.1%} | {f['precision']:.1%} "
              f"| {f['off-topic unrouted']:.1%} | {secs:.0f} |", flush=True)
    print(f"| target | {' | '.join(TARGETS.values())} | |")
    f = table[0][1]
    print(f"\n{f['n on-topic']:,} on-topic and {f['n off-topic']:,} off-topic messages; "
          f"load average {os.getloadavg()[0]:.1f} at the end.")


if __name__ == "__main__":
    main()
