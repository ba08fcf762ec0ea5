"""Themes: what unrouted and negative feedback is about, found by clustering its text.

Unrouted feedback belongs to no step we know (yet); negative feedback says something hurts.
:func:`discover_themes` clusters the most recent of both (TF-IDF word 1–2-grams, English stop
words dropped, reduced to ≤ 100 LSA dimensions, MiniBatchKMeans, the number of clusters chosen
by the cosine silhouette, near-identical clusters merged) and describes each theme by its
keywords, size, most central texts, the step the current router would send it to, and whether
it is growing.

A theme can then be acted on: its texts become example phrases for a step
(:func:`theme_as_phrases`) or a proposed new step, a friction point the map does not have
yet (:func:`theme_as_step_proposal`). ``friction.detect_friction`` turns themes that are
mostly negative and growing significantly into ``negative_theme`` signals.

This module reads raw feedback texts (it has to), bounded by ``max_items``.
See docs/insights-friction.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Min, Q
from scipy import stats as _stats

from cxkeeper.insights.analytics.rollups import NEGATIVE_SENTIMENT
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.models import Feedback, FeedbackRollup
from cxkeeper.journeys.models import Step

__all__ = [
    "GROWTH_DAYS",
    "Theme",
    "ThemeGrowth",
    "discover_themes",
    "theme_as_phrases",
    "theme_as_step_proposal",
]

GROWTH_DAYS = 28  # "growing" compares the last 28 days with the 28 days before
MIN_THEME_SIZE = 3  # clusters smaller than this are noise, not themes
MAX_THEMES = 12  # upper end of the silhouette search
N_KEYWORDS = 8
N_EXAMPLES = 3
N_REPRESENTATIVES = 25
SILHOUETTE_SAMPLE = 2000
LSA_DIMENSIONS = 100
# Clusters whose centroids are this similar (cosine, average linkage) are one theme. KMeans
# with the best silhouette over-splits short texts into near-duplicate wordings of one topic;
# merging them back is what makes the themes topics (docs/insights-friction.md).
MERGE_SIMILARITY = 0.15
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")  # redaction placeholders such as [PHONE]
_WORD_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"  # words of letters only: no ids, amounts or dates
_WORD = re.compile(_WORD_PATTERN)
# A word must be in at least this share of the clustered texts (and in 2) to be a feature:
# a token only a handful of customers typed is a typo, a name or keyboard mash, not a topic.
MIN_DOC_SHARE = 0.002
# Labels: the best 2–4-word phrase of the theme's own texts (docs/insights-friction.md §5).
LABEL_ANCHORS = 4  # a label phrase holds a word of the theme's top 4 keywords
LABEL_MIN_SHARE = 0.15  # a label phrase is in at least this share of the theme's texts (and in 2)

#: Words that never make a keyword or a label: greetings, sign-offs, politeness and filler
#: that every kind of feedback shares (handwritten; added to scikit-learn's English stop words).
#: Words of the domain ("account", "app", "bill") stay: they are what themes are about.
THEME_STOP_WORDS = frozenset((
    "hi", "hello", "hey", "hiya", "dear", "sir", "madam", "mr", "mrs", "ms", "greetings", "regards", "regard",
    "kind", "kindly", "best", "wishes", "warm", "thanks", "thank", "thankyou", "thx", "ty", "cheers",
    "sincerely", "faithfully", "yours", "respectfully", "ok", "okay", "okey", "yes", "yeah", "yep", "yup",
    "nope", "nah", "please", "pls", "plz", "sorry", "just", "really", "actually", "literally", "basically",
    "simply", "very", "quite", "also", "still", "even", "ever", "day", "days", "today", "yesterday",
    "tomorrow", "week", "weeks", "time", "times", "thing", "things", "stuff", "lot", "lots", "bit", "get",
    "made", "like", "want", "wanted", "wants", "need", "needs", "needed", "know", "knew", "think", "thought",
    "say", "says", "said", "tell", "told", "way", "ways", "good", "great", "fine", "nice", "bad", "well",
    "sure", "maybe", "guess", "lol", "haha", "hmm", "um", "uh", "etc", "im", "ive", "id", "dont", "cant",
    "wont", "didnt", "doesnt", "isnt", "wasnt", "arent", "couldnt", "wouldnt", "shouldnt", "thats", "youre",
    "theyre", "theres", "whats", "lets", "ur", "pm", "am", "don", "isn", "doesn", "didn", "wasn", "aren",
    "couldn", "wouldn", "shouldn", "won", "ll", "ve", "re",
))

# QWERTY rows: a run of four or more neighbouring keys ("asdf", "qwerty", "hjkl") is mash.
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_POSITION = {ch: (row, col) for row, keys in enumerate(_KEY_ROWS) for col, ch in enumerate(keys)}
_REPEATED_UNIT = re.compile(r"(.{1,3}?)\1{2,}.{0,2}")  # "aaaa", "jfjfjf", "lololol"
_VOWELS = set("aeiouy")
MASH_KEY_RUN = 4
MASH_NO_VOWEL_LENGTH = 5  # "xkcdq" is mash; short acronyms (pdf, sms, nbn) are not


def _key_run(token: str) -> int:
    """Longest run of keys that sit next to each other on one QWERTY row, in one direction."""
    best = run = 1
    step = 0
    for a, b in zip(token, token[1:], strict=False):
        pa, pb = _KEY_POSITION.get(a), _KEY_POSITION.get(b)
        delta = pb[1] - pa[1] if pa and pb and pa[0] == pb[0] else 0
        if delta in (-1, 1) and (run == 1 or delta == step):
            run, step = run + 1, delta
        elif delta in (-1, 1):
            run, step = 2, delta
        else:
            run, step = 1, 0
        best = max(best, run)
    return best


def is_mash(token: str) -> bool:
    """Keyboard mash or filler noise rather than a word: a run of ≥ 4 neighbouring keys on one
    keyboard row ("asdf"), a repeated short unit ("aaaa", "jfjfjf"), or ≥ 5 letters without a
    vowel ("xkcdq"). Real words rarely do any of these; acronyms of ≤ 4 letters are spared."""
    token = token.casefold()
    if len(token) < 3:
        return False
    if _REPEATED_UNIT.fullmatch(token) or _key_run(token) >= MASH_KEY_RUN:
        return True
    return len(token) >= MASH_NO_VOWEL_LENGTH and not (_VOWELS & set(token))


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | THEME_STOP_WORDS


_GREETING = r"(?:hi|hello|hey|hiya|dear|greetings|good\s+(?:morning|afternoon|evening|day))\b"
# "Hello team, …", "Dear sir or madam, …": the greeting up to its comma; "Hi my …": the word only.
_GREETING_CLAUSE = re.compile(rf"^\W*{_GREETING}[^,.!?:;\n]{{0,30}}[,.!:;]\s*", re.IGNORECASE)
_GREETING_WORD = re.compile(rf"^\W*{_GREETING}\W*", re.IGNORECASE)
# "…, thanks", "… Kind regards, Sam", "… Thank you, best wishes": a sign-off at the end, with
# at most a two-word signature after it (capitalised, as names are written).
_SIGN_OFF = re.compile(
    r"[\s,;.!-]*\b(?i:(?:(?:kind|best|warm|many|with)\s+)?(?:regards|thanks|thank\s+you|thankyou|thx|cheers|"
    r"sincerely|wishes|yours(?:\s+(?:sincerely|faithfully|truly))?))\b"
    r"(?:[\s,.!-]+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?)?[\s.!]*$")


# Handles, hashtags and links name the channel, not the topic ("@KestrelHelp #fail").
_HANDLES = re.compile(r"(?:https?://|www\.)\S+|[@#]\w+")
_CLAUSE_BREAK = re.compile(r"[,.;:!?()\[\]\n\u2014\u2013]+|\s-\s")


def strip_courtesy(text: str) -> str:
    """The text without its opening greeting and closing sign-off (and signature), which say
    nothing about what the customer means but would otherwise bind texts into themes."""
    text = _HANDLES.sub(" ", text).strip()
    text = _GREETING_CLAUSE.sub("", text, count=1) if _GREETING_CLAUSE.match(text) else \
        _GREETING_WORD.sub("", text, count=1)
    for _ in range(3):
        shorter = _SIGN_OFF.sub("", text)
        if shorter == text:
            break
        text = shorter
    return text


def _clauses(text: str) -> list[list[str]]:
    """The tokens of each clause (split at punctuation): label phrases never span two clauses."""
    from sklearn.feature_extraction.text import strip_accents_unicode

    text = strip_accents_unicode(strip_courtesy(text).casefold())
    return [[w for w in _WORD.findall(part) if not is_mash(w)] for part in _CLAUSE_BREAK.split(text)]


def _tokens(text: str) -> list[str]:
    """Lower-case letter words of a text without its greeting, sign-off and keyboard mash (the
    features and labels use these)."""
    from sklearn.feature_extraction.text import strip_accents_unicode

    text = strip_accents_unicode(strip_courtesy(text).casefold())
    return [w for w in _WORD.findall(text) if not is_mash(w)]


def _preprocess(text: str) -> str:
    return " ".join(_tokens(text))


@dataclass(frozen=True)
class ThemeGrowth:
    """Items of a theme in the last ``days`` days against the ``days`` before.

    ``p_value`` is the one-sided exact binomial test of growth: under "no change" each of the
    ``current + previous`` items falls in either period with probability ½, so
    p = P(X ≥ current | X ~ Bin(current + previous, ½)). ``ratio`` = current / previous with
    a Clopper–Pearson interval (``confidence``). ``testable`` is False when the sample was cut
    by ``max_items`` inside the two periods (the earlier count would be too low); then
    ``p_value`` is None.
    """

    current: int
    previous: int
    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None
    p_value: float | None
    testable: bool
    days: int = GROWTH_DAYS
    confidence: float = 0.95

    def significant(self, alpha: float = 0.05, min_ratio: float = 1.5, min_items: int = 10) -> bool:
        """Growth credible on its own (no multiple-testing correction; friction applies one)."""
        return bool(self.testable and self.p_value is not None and self.p_value < alpha
                    and self.current >= min_items and (self.ratio is None or self.ratio >= min_ratio)
                    and self.ratio_low is not None and self.ratio_low > 1.0)  # its interval excludes 1×

    @property
    def first_seen(self) -> bool:
        """New in the last period: the earlier period had data (testable) but none of this theme."""
        return self.testable and self.previous == 0 and self.current > 0

    @property
    def sentence(self) -> str:
        """What may be said about the theme's change, in plain words. A comparison only when
        both periods have data; otherwise just the recent count, never "vs 0 before"."""
        from cxkeeper.core import numbers

        recent = f"{numbers.count(self.current)} in the last {self.days} days"
        if not self.testable:
            return recent + " (too little earlier feedback to say whether it is growing)"
        if self.previous == 0:
            return recent + f", first seen in this period (none in the {self.days} days before)"
        return recent + f" against {numbers.count(self.previous)} in the {self.days} days before"


@dataclass
class Theme:
    """One cluster of feedback texts.

    ``examples`` are the 3 texts closest to the theme's centroid; ``representatives`` the
    ``(feedback id, text)`` pairs of up to 25 most central ones (for phrases and routing).
    ``suggested_step`` is the step the current router assigns to the theme (mean top-3
    probability over its most central texts, when that reaches the router's threshold);
    ``suggested_confidence`` is that mean probability of the best step (None when there is
    no router). ``steps`` counts the steps the theme's routed items are at now.

    ``share_negative`` / ``share_positive``: the shares of members that lean negative /
    positive by their own scores and sentiment (:func:`member_lean`). ``tone`` follows:
    "problem" when at least half lean negative, "praise" when at least half lean positive,
    otherwise "mixed". ``sample_share`` is the share of the candidate texts that were clustered
    (1.0 unless the period held more than ``max_items``; then a uniform sample).
    """

    key: str
    label: str
    keywords: list[str]
    count: int
    examples: list[str]
    feedback_ids: list[int]
    share_unrouted: float
    share_negative: float
    mean_sentiment: float | None
    suggested_step: Step | None
    suggested_confidence: float | None
    growing: ThemeGrowth
    steps: list[tuple[int, int]] = field(default_factory=list)  # (step id, items), most first
    representatives: list[tuple[int, str]] = field(default_factory=list)
    share_positive: float = 0.0
    sample_share: float = 1.0

    @property
    def mostly_negative(self) -> bool:
        return self.share_negative >= 0.5

    @property
    def tone(self) -> str:
        if self.share_negative >= 0.5:
            return "problem"
        if self.share_positive >= 0.5:
            return "praise"
        return "mixed"

    @property
    def is_praise(self) -> bool:
        return self.tone == "praise"

    @property
    def main_step_id(self) -> int | None:
        """The step most of the theme's items are routed to now, if it holds at least half."""
        if self.steps and self.steps[0][1] * 2 >= self.count:
            return self.steps[0][0]
        return None


# ---------------------------------------------------------------- loading


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


MAX_CANDIDATE_IDS = 250_000  # ids read to draw the sample from: bounded like every raw read
_FETCH_CHUNK = 900
_COLUMNS = ("id", "text", "step_id", "sentiment", "received_at", "nps", "csat", "csat_max", "ces")


def _candidates(*, journey, since, as_of: dt.date, max_items: int, seed: int = 0) -> tuple[list[tuple], float, bool]:
    """Unrouted or negative texts of the period (never off-topic ones): a uniform random sample of ``max_items`` when
    there are more (the same share of every day, so counts of two periods stay comparable).

    Returns (rows of :data:`_COLUMNS`, newest first; the sampled share; whether the id read hit
    :data:`MAX_CANDIDATE_IDS`, i.e. the oldest part of the period is missing)."""
    import random

    negative = Q(sentiment__lt=NEGATIVE_SENTIMENT)
    if journey is not None:
        negative &= Q(step__stage__journey=journey)
    # Off-topic items (spam, chatter a reviewer set aside) have no step but are not unrouted
    # feedback: like every figure, themes leave them out (decision 0013).
    rows = Feedback.objects.filter(Q(step__isnull=True) | negative).exclude(text="").exclude(
        routed_by=RoutedBy.OFF_TOPIC)
    rows = rows.filter(received_at__lt=_day_start(as_of + dt.timedelta(days=1)))
    if since is not None:
        if isinstance(since, dt.datetime):
            rows = rows.filter(received_at__gte=since)
        else:
            rows = rows.filter(received_at__gte=_day_start(since))
    ids = list(rows.order_by("-received_at", "-id").values_list("id", flat=True)[:MAX_CANDIDATE_IDS])
    cut = len(ids) >= MAX_CANDIDATE_IDS
    share = 1.0
    if len(ids) > max_items:
        share = max_items / len(ids)
        ids = random.Random(seed).sample(ids, max_items)
    found: list[tuple] = []
    for start in range(0, len(ids), _FETCH_CHUNK):
        found += Feedback.objects.filter(pk__in=ids[start:start + _FETCH_CHUNK]).values_list(*_COLUMNS)
    found.sort(key=lambda r: (r[4], r[0]), reverse=True)
    return found, share, cut


def _without_courtesy_sentiment(rows: list[tuple]) -> list[tuple]:
    """Rows whose text opens or closes with courtesy ("Hi …, thanks! Kind regards") get the
    sentiment of the text without it (same model as at import), for their lean only: "thanks"
    and "kind regards" would otherwise make a complaint look like praise."""
    changed = [i for i, r in enumerate(rows) if r[3] is not None and strip_courtesy(r[1]).strip() != r[1].strip()]
    if not changed:
        return rows
    from cxkeeper.insights.sentiment_store import current_model

    scores = current_model().score([strip_courtesy(rows[i][1]) for i in changed])
    rows = list(rows)
    for i, score in zip(changed, scores, strict=True):
        rows[i] = (*rows[i][:3], float(score.score), *rows[i][4:])
    return rows


def member_lean(row) -> int:
    """−1, 0 or +1: how one feedback item leans, by its own scores and its sentiment.

    Each available answer votes: NPS ≤ 6 against, ≥ 9 for; CSAT ≤ 40 % of its scale against,
    ≥ 80 % for; CES ≤ 3 against, ≥ 5 for (7 = easy). The sign of the votes is the lean. The
    text's sentiment (< −0.05 against, > +0.05 for) decides only when the scores do not (none,
    or a tie): the customer's own answer outweighs a model's reading of their words ("could
    not find the fault, still no line, useless" reads +0.34 to VADER; its NPS is 1)."""
    _, _, _, sentiment, _, nps, csat, csat_max, ces = row
    votes = 0
    if nps is not None:
        votes += -1 if nps <= 6 else (1 if nps >= 9 else 0)
    if csat is not None and csat_max:
        share = csat / csat_max
        votes += -1 if share <= 0.4 else (1 if share >= 0.8 else 0)
    if ces is not None:
        votes += -1 if ces <= 3 else (1 if ces >= 5 else 0)
    if votes == 0 and sentiment is not None:
        votes = -1 if sentiment < NEGATIVE_SENTIMENT else (1 if sentiment > -NEGATIVE_SENTIMENT else 0)
    return (votes > 0) - (votes < 0)


#: A cluster is split into its praise and its problems when each holds at least this share of
#: it (and MIN_THEME_SIZE items): "the engineer fixed it, five stars" and "the engineer never
#: came" share their words, not their meaning.
SPLIT_MIN_SHARE = 0.2


def split_by_lean(labels: np.ndarray, leans: list[int]) -> np.ndarray:
    """Cluster labels with each mixed cluster split in two: the members that lean positive
    become a theme of their own when both they and the negative ones are at least
    :data:`SPLIT_MIN_SHARE` of the cluster (and :data:`MIN_THEME_SIZE`); neutral members stay
    with the larger side. Words cluster topics; the members' own scores and sentiment then keep
    praise apart from problems, so a theme raised as a problem is not half compliments."""
    labels = labels.copy()
    lean = np.asarray(leans)
    next_label = int(labels.max()) + 1 if len(labels) else 0
    for cluster in sorted(set(labels.tolist())):
        members = np.flatnonzero(labels == cluster)
        floor = max(MIN_THEME_SIZE, math.ceil(SPLIT_MIN_SHARE * len(members)))
        positive, negative = members[lean[members] > 0], members[lean[members] < 0]
        if len(positive) < floor or len(negative) < floor:
            continue
        neutral = members[lean[members] == 0]
        moved = np.concatenate([positive, neutral]) if len(positive) > len(negative) else positive
        labels[moved] = next_label
        next_label += 1
    return labels


def _clean(text: str) -> str:
    return " ".join(_PLACEHOLDER.sub(" ", text).split())


# ---------------------------------------------------------------- clustering


def _vectorize(texts: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    min_df = max(2, math.ceil(MIN_DOC_SHARE * len(texts))) if len(texts) >= 20 else 1
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), stop_words=sorted(_stop_words()), min_df=min_df,
                                 sublinear_tf=True, preprocessor=_preprocess, token_pattern=_WORD_PATTERN,
                                 dtype=np.float64)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words or singletons
        return None, None
    return matrix, vectorizer.get_feature_names_out()


def _lsa(matrix, seed: int) -> np.ndarray:
    """Unit-length LSA rows (TruncatedSVD of the TF-IDF, ≤ 100 dimensions): dense, so KMeans
    groups texts by shared topics rather than by rare exact words."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    components = min(LSA_DIMENSIONS, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if components < 2:
        return matrix.toarray()
    return normalize(TruncatedSVD(components, random_state=seed).fit_transform(matrix))


def _kmeans(points, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import MiniBatchKMeans

    model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=2048, max_iter=200,
                            reassignment_ratio=0.0)
    return model.fit_predict(points)


def _choose_labels(matrix, n_themes: int | None, seed: int) -> np.ndarray:
    """Cluster labels 0..k−1.

    With ``n_themes``: KMeans with that k. Otherwise KMeans for each k in 2..MAX_THEMES, keep
    the k with the best cosine silhouette, then merge clusters whose TF-IDF centroids have
    cosine similarity ≥ MERGE_SIMILARITY (average linkage), so the number of themes is
    data-driven. Single-threaded: BLAS/OpenMP threads on a busy machine made it 10× slower.
    """
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    n = matrix.shape[0]
    with threadpool_limits(limits=1):
        points = _lsa(matrix, seed)
        if n_themes is not None:
            return _kmeans(points, max(1, min(n_themes, n)), seed)
        top = min(MAX_THEMES, n // MIN_THEME_SIZE)
        if top < 2:
            return np.zeros(n, dtype=int)
        best, best_score = None, -2.0
        sample = min(n, SILHOUETTE_SAMPLE)
        for k in range(2, top + 1):
            labels = _kmeans(points, k, seed)
            if len(set(labels.tolist())) < 2:
                continue
            score = silhouette_score(points, labels, metric="cosine", sample_size=sample, random_state=seed)
            if score > best_score + 1e-9:
                best, best_score = labels, score
        if best is None:
            return np.zeros(n, dtype=int)
        return _merge_similar(matrix, best)


def _merge_similar(matrix, labels: np.ndarray) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    clusters = sorted(set(labels.tolist()))
    if len(clusters) < 2:
        return labels
    centroids = np.vstack([np.asarray(matrix[labels == c].mean(axis=0)).ravel() for c in clusters])
    merged = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=1 - MERGE_SIMILARITY).fit(centroids).labels_
    mapping = dict(zip(clusters, merged.tolist(), strict=True))
    return np.array([mapping[c] for c in labels.tolist()], dtype=int)


def _keywords(centroid: np.ndarray, terms) -> list[str]:
    """Top centroid terms; a term is skipped when the chosen ones already hold all its words."""
    chosen: list[str] = []
    covered: set[str] = set()
    for index in np.argsort(-centroid, kind="stable"):
        if centroid[index] <= 0 or len(chosen) == N_KEYWORDS:
            break
        term = str(terms[index])
        words = set(term.split())
        if words <= covered:
            continue
        chosen.append(term)
        covered |= words
    return chosen


def _phrases(clauses: list[list[str]], stop: frozenset[str]) -> set[str]:
    """Contiguous 2–4-word phrases inside one clause that neither start nor end with a stop word
    and hold no greeting or filler word (stop words may sit inside: "parking at the store")."""
    out: set[str] = set()
    for tokens in clauses:
        for n in (2, 3, 4):
            for i in range(len(tokens) - n + 1):
                gram = tokens[i:i + n]
                if gram[0] in stop or gram[-1] in stop or any(w in THEME_STOP_WORDS for w in gram):
                    continue
                out.add(" ".join(gram))
    return out


def _label(members: np.ndarray, doc_phrases: list[set[str]], phrase_df: Counter, keywords: list[str]) -> str:
    """A short phrase naming the theme: the 2–4-word phrase of its own texts that is both common
    in the theme and specific to it — score = (share of the theme's texts holding it) × (share of
    all texts holding it that are in the theme) — in at least 15 % of the theme's texts (and 2).
    It must hold a word of the theme's top keywords (the centroid), so it names the theme's
    centre rather than a side topic. Ties go to the longer phrase. Without one, the top keyword."""
    inside: Counter = Counter()
    for i in members:
        inside.update(doc_phrases[i])
    size = len(members)
    floor = max(2, math.ceil(LABEL_MIN_SHARE * size))
    anchors = {w for k in keywords[:LABEL_ANCHORS] for w in k.split()}
    ranked = sorted((-round((df / size) * (df / phrase_df[phrase]), 9), -len(phrase.split()), phrase)
                    for phrase, df in inside.items() if df >= floor and anchors & set(phrase.split()))
    if ranked:
        return ranked[0][2]
    return keywords[0] if keywords else ""


# ---------------------------------------------------------------- growth


def _growth(dates: list[dt.datetime], as_of: dt.date, *, testable: bool, confidence: float = 0.95) -> ThemeGrowth:
    end = _day_start(as_of + dt.timedelta(days=1))
    middle = end - dt.timedelta(days=GROWTH_DAYS)
    start = middle - dt.timedelta(days=GROWTH_DAYS)
    current = sum(1 for d in dates if middle <= d < end)
    previous = sum(1 for d in dates if start <= d < middle)
    ratio, low, high = rate_ratio(current, previous, 1.0, confidence)
    p_value = growth_p_value(current, previous, 0.5) if testable else None
    return ThemeGrowth(current, previous, ratio, low, high, p_value, testable, GROWTH_DAYS, confidence)


def growth_p_value(current: int, previous: int, share: float) -> float:
    """One-sided exact conditional test of two Poisson rates.

    Under H₀ (the same rate in both periods) ``current`` given ``current + previous`` is
    Binomial(current + previous, share), share = current period length / both lengths.
    p = P(X ≥ current). 1.0 when both counts are 0.
    """
    total = current + previous
    if total == 0:
        return 1.0
    return float(_stats.binom.sf(current - 1, total, share))


def rate_ratio(current: int, previous: int, exposure_ratio: float, confidence: float = 0.95):
    """Ratio of rates (current / previous per unit of time) with an exact interval.

    ``exposure_ratio`` = previous period length / current period length. The interval comes
    from the Clopper–Pearson interval of π = current/(current + previous): ratio = π/(1 − π)
    × exposure_ratio. Returns (ratio, low, high); ratio and high are None (∞) when previous is
    0, everything None when both are 0.
    """
    total = current + previous
    if total == 0:
        return None, None, None
    alpha = 1 - confidence
    lo_pi = 0.0 if current == 0 else float(_stats.beta.ppf(alpha / 2, current, previous + 1))
    hi_pi = 1.0 if previous == 0 else float(_stats.beta.ppf(1 - alpha / 2, current + 1, previous))

    def odds(pi: float) -> float | None:
        return None if pi >= 1.0 else pi / (1 - pi) * exposure_ratio

    ratio = None if previous == 0 else current / previous * exposure_ratio
    return ratio, odds(lo_pi), odds(hi_pi)


# ---------------------------------------------------------------- suggested step


def _suggest(router, texts: list[str]) -> tuple[int | None, float | None]:
    if router is None or not texts:
        return None, None
    totals: Counter = Counter()
    for result in router.route(texts):
        for label, probability in result.top:
            totals[label] += probability
    if not totals:
        return None, None
    label, total = max(totals.items(), key=lambda item: (item[1], str(item[0])))
    confidence = total / len(texts)
    threshold = getattr(router, "threshold", 0.5)
    return (label if confidence >= threshold else None), float(confidence)


# ---------------------------------------------------------------- public API


def discover_themes(*, journey=None, since: dt.date | dt.datetime | None = None, max_items: int = 5000,
                    n_themes: int | None = None, seed: int = 0, as_of: dt.date | None = None,
                    router=None) -> list[Theme]:
    """Cluster unrouted or negative (sentiment < −0.05) texts: all of them, or a uniform sample
    of ``max_items`` when the period holds more.

    ``journey`` keeps negative feedback of that journey's steps (unrouted feedback has no
    journey and is always included). ``since`` bounds the oldest item; ``as_of`` (default
    the clock's data-through day, ``insights.clock``) the newest and the growth periods.
    ``n_themes`` fixes the number of clusters, otherwise it is chosen by silhouette. ``router``
    defaults to the workspace's current router (never trained here). Same data and seed → same
    themes. Largest themes first.
    """
    from cxkeeper.insights import clock, routing

    as_of = as_of or clock.as_of()
    rows, sample_share, cut = _candidates(journey=journey, since=since, as_of=as_of, max_items=max_items, seed=seed)
    if len(rows) < MIN_THEME_SIZE:
        return []
    texts = [_clean(r[1]) for r in rows]
    matrix, terms = _vectorize(texts)
    if matrix is None:
        return []
    keep = np.flatnonzero(matrix.getnnz(axis=1) > 0)  # texts with no kept term cannot be placed
    if len(keep) < MIN_THEME_SIZE:
        return []
    matrix = matrix[keep]
    rows = [rows[i] for i in keep]
    texts = [texts[i] for i in keep]
    labels = _choose_labels(matrix, n_themes, seed)

    window_start = _day_start(as_of + dt.timedelta(days=1)) - dt.timedelta(days=2 * GROWTH_DAYS)
    middle = window_start + dt.timedelta(days=GROWTH_DAYS)
    oldest = min(r[4] for r in rows)
    # Growth is testable when feedback history covers both periods, the id read was not cut
    # inside them (a uniform sample keeps both periods at the same rate) and both periods have
    # data; otherwise the earlier count is too low and everything looks like growth.
    first_day = FeedbackRollup.objects.aggregate(first=Min("day"))["first"]
    history = first_day is not None and first_day <= window_start.date()
    both = any(window_start <= r[4] < middle for r in rows) and any(r[4] >= middle for r in rows)
    testable = history and both and (not cut or oldest < window_start)
    stop = _stop_words()
    doc_phrases = [_phrases(_clauses(text), stop) for text in texts]
    phrase_df: Counter = Counter()
    for phrases in doc_phrases:
        phrase_df.update(phrases)
    rows = _without_courtesy_sentiment(rows)
    leans = [member_lean(r) for r in rows]
    if n_themes is None:  # a fixed number of themes is the caller's: not split further
        labels = split_by_lean(labels, leans)
    if router is None:
        router = routing.current_router(train_if_missing=False)

    themes: list[Theme] = []
    steps_by_id: dict[int, Step] = {}
    for cluster in sorted(set(labels.tolist())):
        members = np.flatnonzero(labels == cluster)
        if len(members) < MIN_THEME_SIZE:
            continue
        sub = matrix[members]
        centroid = np.asarray(sub.mean(axis=0)).ravel()
        keywords = _keywords(centroid, terms)
        norm = np.linalg.norm(centroid)
        similarity = np.asarray(sub @ (centroid / norm if norm else centroid)).ravel()
        order = members[np.lexsort((members, -similarity))]  # most central first, ties by recency
        # The examples show the theme's tone: a problem theme's most central unhappy texts first,
        # a praise theme's happy ones (a problem theme's neutral members are not its face).
        part_leans = np.asarray([leans[i] for i in members])
        tone_sign = -1 if (part_leans < 0).mean() >= 0.5 else (1 if (part_leans > 0).mean() >= 0.5 else 0)
        shown = sorted(order, key=lambda i: leans[i] != tone_sign) if tone_sign else order  # stable
        representatives: list[tuple[int, str]] = []
        seen: set[str] = set()
        for i in shown:
            folded = texts[i].casefold()
            if folded in seen:
                continue
            seen.add(folded)
            representatives.append((rows[i][0], rows[i][1]))
            if len(representatives) == N_REPRESENTATIVES:
                break
        member_rows = [rows[i] for i in members]
        sentiments = [r[3] for r in member_rows if r[3] is not None]
        member_leans = [leans[i] for i in members]
        step_counts = Counter(r[2] for r in member_rows if r[2] is not None)
        step_id, confidence = _suggest(router, [texts[i] for i in order[:10]])
        if step_id is not None and step_id not in steps_by_id:
            steps_by_id.update({s.pk: s for s in Step.objects.filter(pk=step_id).select_related("stage__journey")})
        tone_of_part = "+" if sum(1 for lean in member_leans if lean > 0) * 2 >= len(members) else ""
        key = hashlib.sha256((" ".join(sorted(keywords[:5])) + tone_of_part).encode()).hexdigest()[:12]
        themes.append(Theme(
            key=key,
            label=_label(members, doc_phrases, phrase_df, keywords),
            keywords=keywords,
            count=len(members),
            examples=[text for _, text in representatives[:N_EXAMPLES]],
            feedback_ids=sorted(r[0] for r in member_rows),
            share_unrouted=sum(1 for r in member_rows if r[2] is None) / len(members),
            share_negative=sum(1 for lean in member_leans if lean < 0) / len(members),
            mean_sentiment=float(np.mean(sentiments)) if sentiments else None,
            suggested_step=steps_by_id.get(step_id) if step_id is not None else None,
            suggested_confidence=confidence,
            growing=_growth([r[4] for r in member_rows], as_of, testable=testable),
            steps=sorted(step_counts.items(), key=lambda item: (-item[1], item[0])),
            representatives=representatives,
            share_positive=sum(1 for lean in member_leans if lean > 0) / len(members),
            sample_share=sample_share,
        ))
    themes.sort(key=lambda t: (-t.count, t.keywords))
    return themes


def _first_sentence(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    for mark in (". ", "! ", "? ", "; "):
        cut = text.find(mark)
        if 0 < cut < limit:
            return text[:cut + 1]
    cut = text.rfind(" ", 0, limit)
    return text[:cut if cut > 0 else limit].rstrip(",;: ")


def theme_as_phrases(theme: Theme, k: int = 5, *, max_length: int = 120) -> list[str]:
    """Up to ``k`` short, distinct, representative texts of the theme (most central first),
    suitable as example phrases for a step. Texts with redaction placeholders are skipped."""
    phrases: list[str] = []
    seen: set[str] = set()
    pool = [text for _, text in theme.representatives] or list(theme.examples)
    for text in pool:
        if _PLACEHOLDER.search(text):
            continue
        phrase = _first_sentence(text, max_length)
        folded = phrase.casefold()
        if len(phrase) < 3 or folded in seen:
            continue
        seen.add(folded)
        phrases.append(phrase)
        if len(phrases) == k:
            break
    return phrases


def theme_as_step_proposal(theme: Theme, k: int = 5) -> dict:
    """A draft new step (a friction point the map lacks) for a keeper to review and place."""
    from cxkeeper.core import numbers

    name = theme.label[:1].upper() + theme.label[1:] if theme.label else "New theme"
    return {
        "name": name[:150],
        "description": (f"Proposed from {numbers.count(theme.count)} feedback items "
                        f"({numbers.percent(100 * theme.share_unrouted)} unrouted, "
                        f"{numbers.percent(100 * theme.share_negative)} negative) about: {', '.join(theme.keywords)}."),
        "phrases": theme_as_phrases(theme, k),
    }
