"""`cxkeeper metrics …`."""

import typer

metrics_app = typer.Typer(no_args_is_help=True, help="Print CX metrics from the rollups.")
