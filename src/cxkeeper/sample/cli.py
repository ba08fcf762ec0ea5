"""`cxkeeper sample truth`: the sample generator's true step of every generated message."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer

from cxkeeper.core.cli import console

sample_app = typer.Typer(no_args_is_help=True, help="The sample organization's generated data.")


def write_truth(path: Path, n_rows: int, seed: int) -> int:
    """external_id, source, true_step (blank: about no step) of the rows `cxkeeper demo` loads
    with the same --feedback-rows and seed. Returns the rows written."""
    from cxkeeper.sample.feedback import generate_feedback

    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_id", "source", "true_step"])
        for row in generate_feedback(n_rows, seed=seed):
            if row["text"]:
                writer.writerow([row["external_id"], row["source"], row["true_step"] or ""])
                written += 1
    return written


@sample_app.command("truth")
def truth(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    rows: Annotated[int, typer.Option("--rows", help="The --feedback-rows given to `cxkeeper demo`.")] = 120_000,
    seed: Annotated[int, typer.Option("--seed", help="The generator's seed (the demo uses 7).")] = 7,
):
    """Write the true step of every generated message with text, for `cxkeeper route audit --truth`."""
    written = write_truth(out, rows, seed)
    console.print(f"{written:,} messages with their true step written to {out}")
