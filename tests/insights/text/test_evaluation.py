import json

import pytest

from cxkeeper.insights.text.evaluation import (
    LabeledFileError,
    evaluate,
    expected_calibration_error,
    load_labeled_file,
    main_evaluate,
    sample_shots,
)

from .conftest import FIXTURES

TRAIN = FIXTURES / "clinc150_excerpt_train.jsonl"
TEST = FIXTURES / "clinc150_excerpt_test.jsonl"


@pytest.fixture(scope="module")
def clinc_excerpt():
    return load_labeled_file(TRAIN), load_labeled_file(TEST)


def test_evaluate_on_clinc150_excerpt(clinc_excerpt):
    (train_texts, train_labels), (test_texts, test_labels) = clinc_excerpt
    report = evaluate(train_texts, train_labels, test_texts, test_labels, out_of_scope_label="oos")
    assert report["n_train"] == 120
    assert report["n_test"] == 90
    assert report["n_oos"] == 30
    assert report["n_labels"] == 12
    assert report["accuracy"] >= 0.85
    assert report["macro_f1"] >= 0.85
    assert report["unrouted_rate"] <= 0.2
    assert report["oos_unrouted_rate"] >= 0.5
    assert report["messages_per_second"] > 100
    assert 0 <= report["calibration_error"] < 0.2


@pytest.mark.parametrize(
    ("confidences", "correct", "error"),
    [
        ([0.9, 0.9], [True, True], 0.1),
        ([0.75, 0.75, 0.75, 0.75], [True, True, True, False], 0.0),
        ([0.25, 0.95], [True, False], 0.85),
        ([], [], 0.0),
    ],
)
def test_expected_calibration_error(confidences, correct, error):
    assert expected_calibration_error(confidences, correct) == pytest.approx(error)


def test_out_of_scope_training_examples_are_not_a_step(clinc_excerpt):
    (train_texts, train_labels), (test_texts, test_labels) = clinc_excerpt
    report = evaluate(
        [*train_texts, "what is the meaning of life"],
        [*train_labels, "oos"],
        test_texts[:10],
        test_labels[:10],
        out_of_scope_label="oos",
        backend="tfidf",
    )
    assert report["n_labels"] == 12
    assert "oos_unrouted_rate" not in report  # no out-of-scope test example among the first 10


def test_shots_sample_k_per_label_reproducibly(clinc_excerpt):
    (texts, labels), _ = clinc_excerpt
    first = sample_shots(texts, labels, shots=3, seed=7)
    assert len(first[0]) == 36
    assert {label: first[1].count(label) for label in set(first[1])} == dict.fromkeys(set(labels), 3)
    assert sample_shots(texts, labels, shots=3, seed=7) == first
    assert sample_shots(texts, labels, shots=3, seed=8) != first
    assert len(sample_shots(texts, labels, shots=50)[0]) == 120  # fewer available: take them all


def test_evaluate_with_shots_reports_the_sampled_size(clinc_excerpt):
    (train_texts, train_labels), (test_texts, test_labels) = clinc_excerpt
    report = evaluate(
        train_texts,
        train_labels,
        test_texts,
        test_labels,
        shots=5,
        seed=0,
        out_of_scope_label="oos",
        backend="tfidf",
    )
    assert report["n_train"] == 60
    assert report["shots"] == 5


def test_main_evaluate_reads_csv_files(tmp_path, clinc_excerpt):
    (train_texts, train_labels), (test_texts, test_labels) = clinc_excerpt
    for name, texts, labels in (
        ("train.csv", train_texts, train_labels),
        ("test.csv", test_texts, test_labels),
    ):
        rows = ["message,step"] + [f'"{t}",{label}' for t, label in zip(texts, labels, strict=True)]
        (tmp_path / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = main_evaluate(
        tmp_path / "train.csv",
        tmp_path / "test.csv",
        text_column="message",
        label_column="step",
        shots=5,
        out_of_scope_label="oos",
        backend="tfidf",
    )
    assert report["train_file"].endswith("train.csv")
    assert report["n_train"] == 60
    assert json.loads(json.dumps(report)) == report  # the CLI's --json prints it as-is


def test_jsonl_labels_keep_their_type(tmp_path):
    path = tmp_path / "steps.jsonl"
    path.write_text('{"text": "pay my bill", "label": 12}\n\n{"text": "wifi down", "label": "fault"}\n')
    assert load_labeled_file(path) == (["pay my bill", "wifi down"], [12, "fault"])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "a.csv",
            "text,step\nhello,1\n",
            r"a\.csv, line 1: no column 'label' in the header \(columns: text, step\)",
        ),
        ("a.csv", "text,label\nhello,billing\nworld,\n", r"a\.csv, line 3, column 'label': empty value"),
        ("a.csv", 'text,label\n"multi\nline",x\n  ,y\n', r"a\.csv, line 4, column 'text': empty value"),
        ("a.csv", "text,label\nonly-one-field\n", r"a\.csv, line 2: row has fewer fields than the header"),
        (
            "a.jsonl",
            '{"text": "a", "label": "x"}\n{"text": "b", "label": }\n',
            r"a\.jsonl, line 2, character \d+: invalid JSON",
        ),
        (
            "a.jsonl",
            '{"text": "a", "label": "x"}\n\n{"text": "b"}\n',
            r"a\.jsonl, line 3: missing column 'label'",
        ),
        ("a.jsonl", '["text", "label"]\n', r"a\.jsonl, line 1: expected a JSON object"),
        ("a.jsonl", '{"text": "a", "label": [1]}\n', r"a\.jsonl, line 1, column 'label': label must be"),
        ("a.jsonl", '{"text": 5, "label": "x"}\n', r"a\.jsonl, line 1, column 'text': text must be a string"),
        ("a.xlsx", "", r"a\.xlsx: unsupported file type"),
    ],
)
def test_loader_errors_name_file_line_and_column(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LabeledFileError, match=message):
        load_labeled_file(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(LabeledFileError, match=r"nope\.csv: no such file"):
        load_labeled_file(tmp_path / "nope.csv")
