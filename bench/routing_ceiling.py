"""The best routing accuracy any router can reach on the demo: how many on-topic messages are
written the same way for different true steps.

    python bench/routing_ceiling.py               # the demo's 120,000 rows (seed 7), ~10 s
    python bench/routing_ceiling.py --rows 30000

Every generated message is built from one *core phrase* (a step's phrase or paraphrase, filled
slots aside) wrapped in step-independent openers, context, closers and the source's style;
tickets add a subject of the step. The generator is read as it runs (its row builder is
wrapped, nothing is changed) to record each message's core phrase. Within a group of messages
with the same core phrase (and ticket subject), no router can do better than the group's most
common true step: the sum of those over all groups is the ceiling. The same with the whole
normalised text as the group is an upper bound that treats every differently-worded copy as
distinguishable. The largest losses are listed.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict

from cxkeeper.insights.text.clusters import normalize
from cxkeeper.sample import feedback as generator

_TICKET_PREFIX = re.compile(r"^(URGENT: |Re: |Complaint: |Still not resolved - )")
_TICKET_ACCOUNT = re.compile(r" - account KC\d+$")


def recorded_rows(n_rows: int) -> list[dict]:
    """The generated rows with text, each with the core phrase and ticket subject it was built from."""
    content, ticket, row = generator._Generator.content, generator._Generator.ticket, generator._Generator.row
    seen: dict = {}

    def recording_content(self, *args):
        out = content(self, *args)
        seen["core"], seen["subject"] = out[1].split("@")[0], None  # "@channel" picks who, not the step
        return out

    def recording_ticket(self, *args):
        text = ticket(self, *args)
        seen["subject"] = _TICKET_ACCOUNT.sub("", _TICKET_PREFIX.sub("", text.split("\n")[0]))
        return text

    def recording_row(self, *args):
        out = row(self, *args)
        # CRM notes are filled from the event type's templates, whatever the step: the note is the core
        out["_core"] = "CRM: " + out["text"] if out["source"] == generator.CRM else seen["core"]
        out["_subject"] = seen["subject"]
        return out

    generator._Generator.content, generator._Generator.ticket = recording_content, recording_ticket
    generator._Generator.row = recording_row
    try:
        return [r for r in generator.generate_feedback(n_rows, seed=7) if r["text"]]
    finally:
        generator._Generator.content, generator._Generator.ticket, generator._Generator.row = content, ticket, row


def ceiling(rows: list[dict], key) -> tuple[float, Counter]:
    groups: dict = defaultdict(Counter)
    for r in rows:
        groups[key(r)][r["true_step"]] += 1
    lost = Counter()
    for k, steps in groups.items():
        lost[k] = sum(steps.values()) - steps.most_common(1)[0][1]
    return 1 - sum(lost.values()) / len(rows), lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=120_000)
    args = parser.parse_args()
    rows = [r for r in recorded_rows(args.rows) if r["true_step"] is not None]
    by_core, lost = ceiling(rows, lambda r: (r["_core"], r["_subject"]))
    by_text, _ = ceiling(rows, lambda r: normalize(r["text"]))
    print(f"{len(rows):,} on-topic messages with text")
    print("| grouped by | best achievable right |\n|---|---:|")
    print(f"| core phrase (+ ticket subject) | {by_core:.2%} |")
    print(f"| whole normalised text (upper bound) | {by_text:.2%} |")
    print("\nlargest losses (messages not at their group's most common step):")
    for (core, _subject), n in lost.most_common(10):
        print(f"  {n:5d}  {core[:70]}")


if __name__ == "__main__":
    main()
