"""The import's fast paths compute exactly what the libraries they replace compute:
array-based TF-IDF vs scikit-learn, the lean VADER vs `polarity_scores`, word-cached
WordLlama token ids vs the tokenizer, and batch preparation vs text by text."""

import json
from itertools import islice

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from cxkeeper.insights.text.batch import TextWorkers, WorkerError, prepare_texts
from cxkeeper.insights.text.fastvec import FastTfidf
from cxkeeper.insights.text.redaction import Redactor
from cxkeeper.insights.text.sentiment import VaderSentiment

from .conftest import FIXTURES

TRICKY = [
    "", " ", "  a", "a  b", "a   b c", " lead", "tab\there", "new\nline  x", "x\u2581y", "\u2581", "trailing ",
    "ünïcödé  😀 x", "a\u00a0b", "\t", "a\r\nb", "İstanbul ÇAĞRI ß straße", "x", "I", "!!!", "e-mail: a@b.co",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", "Not bad at all", "At least it isn't a horrible book.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today only kinda sux! But I'll get by, lol", "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Without a doubt, excellent idea.", "no no good", "never so good", "kind of bad", "the shit is NOT GOOD",
    "it is not the least bit helpful", "at least they came", "never this bad :( but ok", "NO! never again",
]


def _texts(n=3000):
    from cxkeeper.sample.feedback import generate_feedback

    lines = []
    for name in ("clinc150_excerpt_train.jsonl", "clinc150_excerpt_test.jsonl"):
        lines += [json.loads(line)["text"] for line in (FIXTURES / name).read_text().splitlines() if line.strip()]
    generated = [row["text"] or "" for row in islice(generate_feedback(n, seed=3), n)]
    return TRICKY + lines + generated


@pytest.fixture(scope="module")
def texts():
    return _texts()


@pytest.mark.parametrize("options", [
    {"ngram_range": (1, 2), "sublinear_tf": True},
    {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True},
    {"analyzer": "char_wb", "ngram_range": (2, 4), "sublinear_tf": True},
    {"analyzer": "char_wb", "ngram_range": (1, 3)},
    {"ngram_range": (1, 1), "norm": None},
])
def test_fast_tfidf_equals_scikit_learn(texts, options):
    vectorizer = TfidfVectorizer(dtype=np.float32, **options).fit(texts[::3])
    fast = FastTfidf(vectorizer)
    assert fast.fast
    for batch in (texts, texts[:1], [""]):
        expected, got = vectorizer.transform(batch), fast.transform(batch)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        assert got.nnz == expected.nnz
        assert got.nnz == 0 or abs(expected - got).max() <= 1e-6


@pytest.mark.parametrize("options", [
    {"analyzer": "char", "ngram_range": (2, 4)},
    {"analyzer": "char_wb", "ngram_range": (4, 5)},  # scikit-learn emits short words whole here
    {"stop_words": "english"},
    {"token_pattern": r"\b\w+\b"},
    {"binary": True},
])
def test_fast_tfidf_falls_back_to_scikit_learn_for_other_settings(texts, options):
    vectorizer = TfidfVectorizer(dtype=np.float32, **options).fit(texts[:500])
    fast = FastTfidf(vectorizer)
    assert not fast.fast
    assert abs(vectorizer.transform(texts[:50]) - fast.transform(texts[:50])).max() == 0


def test_lean_vader_equals_polarity_scores(texts):
    vader = VaderSentiment()
    polarity = vader._analyzer.polarity_scores
    expected = [polarity(t)["compound"] for t in texts]
    assert [s.score for s in vader.score(texts)] == expected


def test_vader_pickles_and_scores_the_same():
    import pickle

    vader = pickle.loads(pickle.dumps(VaderSentiment()))  # noqa: S301 - our own object
    assert vader.score(["this is great"])[0].score == VaderSentiment().score(["this is great"])[0].score


def test_word_cached_token_ids_equal_the_tokenizer(texts):
    from cxkeeper.insights.text.embeddings import get_embedder

    embedder = get_embedder("wordllama")
    expected = embedder._encode(texts)
    for _ in range(2):  # cold and warm word cache
        lengths, ids = embedder._token_ids(texts)
        got = [list(part) for part in np.split(ids, np.cumsum(lengths)[:-1])]
        assert got == expected


def test_embedding_without_padding_equals_wordllama_mean(texts):
    from cxkeeper.insights.text.embeddings import _unit_rows, get_embedder

    embedder = get_embedder("wordllama")
    reference = _unit_rows(embedder._model.embed(texts, norm=False, batch_size=64))
    assert np.abs(embedder.embed(texts) - reference).max() < 1e-5


def test_prepare_texts_equals_text_by_text(step_router, texts):
    redactor, vader = Redactor(), VaderSentiment()
    batch = texts[:400] + texts[:50]  # repeated texts are computed once, same answers
    mask = [i % 7 != 0 for i in range(len(batch))]
    prepared = prepare_texts(batch, redactor=redactor, router=step_router, sentiment=vader, route_mask=mask)
    for text, want_route, done in zip(batch, mask, prepared, strict=True):
        redacted = redactor.redact(text)
        assert (done.text, done.redactions) == (redacted.text, redacted.counts or None)
        if redacted.text and want_route:
            route = step_router.route([redacted.text])[0]
            assert done.routed and (done.label, done.confidence) == (route.label, pytest.approx(route.confidence))
        else:
            assert not done.routed and done.label is None and done.confidence is None
        expected = vader.score([redacted.text])[0].score if redacted.text else None
        assert done.sentiment == expected


def test_text_workers_answer_in_order_and_report_failures(step_router, texts):
    redactor, vader = Redactor(), VaderSentiment()
    with TextWorkers(2, redactor=redactor, router=step_router, sentiment=vader) as workers:
        futures = [workers.submit(texts[i : i + 100]) for i in range(0, 500, 100)]
        for i, future in zip(range(0, 500, 100), futures, strict=True):
            _same(future.result(timeout=120), prepare_texts(texts[i : i + 100], redactor=redactor,
                                                            router=step_router, sentiment=vader))
        with pytest.raises(WorkerError, match="TypeError"):
            workers.submit([None, 5]).result(timeout=120)  # a bad request fails its chunk, not the worker
        assert workers.submit(["fine"]).result(timeout=120)[0].text == "fine"


def _same(got, expected):
    # Identical texts routed in batches of different sizes may differ in the last float bits
    # (the matrix product's summation order), as they always did.
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        assert (a.text, a.redactions, a.routed, a.label, a.sentiment) == (b.text, b.redactions, b.routed, b.label,
                                                                          b.sentiment)
        assert a.confidence == pytest.approx(b.confidence, abs=1e-6)


def test_memo_across_batches_gives_the_same_answers(step_router, texts):
    redactor, vader = Redactor(), VaderSentiment()
    memo = {}
    for batch in (texts[:300], texts[200:500], texts[:100] + ["", ""]):
        _same(prepare_texts(batch, redactor=redactor, router=step_router, sentiment=vader, memo=memo),
              prepare_texts(batch, redactor=redactor, router=step_router, sentiment=vader))
    assert 0 < len(memo) <= 500
    _same(prepare_texts(texts[:20], redactor=redactor, router=None, sentiment=vader, memo={}),
          prepare_texts(texts[:20], redactor=redactor, router=None, sentiment=vader))
