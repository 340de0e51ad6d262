"""Synthesis similarity benchmark: quality on three labelled sets, then 10,000 generated proposals.

Run with `uv run python bench/similarity.py` (see bench/README.md). No database.
"""

import argparse
import dataclasses
import hashlib
import multiprocessing
import os
import pickle
import random
import resource
import sys
import time
import tracemalloc
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from backend.synthesis.domain import (  # noqa: E402
    DEFAULT_THRESHOLD,
    Doc,
    HybridBackend,
    TfidfBackend,
    Weights,
    build_index,
    confidence,
    default_encoder,
    encoder_input,
    suggest_clusters,
)
from backend.synthesis.domain.evaluation import (  # noqa: E402
    LabelledDoc,
    Scored,
    cross_validate,
    leave_cluster_out_folds,
    leave_theme_out_folds,
    load_labelled_jsonl,
)
from backend.synthesis.domain.explain import CONFIDENCE_OFFSET, CONFIDENCE_SLOPE  # noqa: E402
from backend.synthesis.domain.hybrid import LEXICAL_WEIGHTS  # noqa: E402
from backend.synthesis.domain.semantic import limit_blas_threads  # noqa: E402
from backend.synthesis.domain.thesaurus import Thesaurus, default_thesaurus  # noqa: E402

DATA = REPO_ROOT / "tests" / "domain" / "synthesis" / "data"
DEV_DATA = DATA / "proposals-dev.jsonl"
FRESH_DATA = DATA / "fresh-check.jsonl"
SECOND_DATA = DATA / "second-set.jsonl"
THIRD_DATA = DATA / "third-set.jsonl"
FOURTH_DATA = DATA / "fourth-set.jsonl"
# Set by --no-fourth: the fourth set is the held-out measure of the third round, read once.
READ_FOURTH = True
# Thresholds tried when tuning (on the development file only).
GRID = [round(0.02 + 0.01 * i, 2) for i in range(49)]
# The lookup's default minimum score (suggestions.selectors.DEFAULT_MIN_SCORE; no Django here).
DEFAULT_MIN_SCORE = 0.05

SMS = {
    "ordinateur": "ordi",
    "ordinateurs": "ordis",
    "pour": "pr",
    "quelque": "qq",
    "téléphone": "tel",
    "beaucoup": "bcp",
    "rendez-vous": "rdv",
    "c'est": "c",
    "problème": "pb",
}
OPENERS = [
    "Bonjour,",
    "Dans notre quartier,",
    "Nous proposons que",
    "Il faudrait que",
    "A mon avis",
    "Suite à l'atelier,",
    "",
    "",
]
PLACES = ["Grenoble", "Échirolles", "Lyon 8e", "Vénissieux", "le Trièves", "Annecy", "Valence"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def strip(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def mutate(text: str, rnd: random.Random) -> str:
    """A variant of a sentence as people type it: SMS words, typos, lost accents."""
    words = text.split()
    out = []
    for word in words:
        lower = word.lower()
        if lower in SMS and rnd.random() < 0.4:
            word = SMS[lower]
        elif len(word) > 4 and rnd.random() < 0.04:
            i = rnd.randrange(len(word) - 1)
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif rnd.random() < 0.03:
            continue
        out.append(word)
    text = " ".join(out)
    if rnd.random() < 0.3:
        text = strip(text)
    if rnd.random() < 0.2:
        text = text.lower()
    return text


def sentences(body: str) -> list[str]:
    parts = [p.strip() for p in body.replace("!", ".").replace("?", ".").split(".")]
    return [p for p in parts if len(p) > 3]


def generate(dev: list[LabelledDoc], n: int, seed: int) -> tuple[list[Doc], list[Doc]]:
    """``n`` proposals in families of 1 to 7 variants of a base text, plus 300 draft queries.

    A base text mixes the title of one development proposal with sentences of two or three
    others and a place; a variant rewrites it (sentences dropped or reordered, SMS spellings,
    typos, accents lost, an opening). Drafts are further variants, not indexed.
    """
    rnd = random.Random(seed)
    pool = [(item.doc.title, sentences(item.doc.body)) for item in dev]
    all_sentences = [s for _, ss in pool for s in ss]
    docs: list[Doc] = []
    drafts: list[Doc] = []
    bases: list[tuple[str, list[str]]] = []
    while len(docs) < n:
        title, own = rnd.choice(pool)
        body = own[:] + rnd.sample(all_sentences, rnd.randint(1, 3))
        body.append(f"Cela concerne {rnd.choice(PLACES)}")
        bases.append((title, body))
        for _ in range(min(rnd.choice([1, 1, 2, 2, 3, 4, 5, 7]), n - len(docs))):
            docs.append(variant(len(docs) + 1, title, body, rnd))
    for k in range(300):
        title, body = rnd.choice(bases)
        drafts.append(variant(-(k + 1), title, body, rnd))
    return docs, drafts


def variant(doc_id: int, title: str, body: list[str], rnd: random.Random) -> Doc:
    kept = [s for s in body if rnd.random() < 0.8] or body[:1]
    if rnd.random() < 0.5:
        rnd.shuffle(kept)
    text = " ".join([rnd.choice(OPENERS), *(mutate(s, rnd) + "." for s in kept)]).strip()
    return Doc(doc_id, mutate(title, rnd), text)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def peak_memory(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """Result, seconds and tracemalloc peak (MB) of ``fn``."""
    tracemalloc.start()
    try:
        result, seconds = timed(fn)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, seconds, peak / 1e6


def _vm_hwm_mb() -> float:
    """Peak resident memory of this process image (VmHWM; unlike ru_maxrss, not inherited)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cluster_in_child(docs: list[Doc], pipe: Any) -> None:
    limit_blas_threads(1)
    before = _vm_hwm_mb()
    suggest_clusters(docs, DEFAULT_THRESHOLD)
    pipe.send((before, _vm_hwm_mb()))


def child_peak_mb(docs: list[Doc]) -> tuple[float, float]:
    """Peak RSS of a spawned interpreter before and after it runs ``suggest_clusters``."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_cluster_in_child, args=(docs, sender))
    child.start()
    before, after = receiver.recv()
    child.join()
    return before, after


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class BareTfidf:
    """The raw baseline: scikit-learn TfidfVectorizer on raw text, cosine top-k by brute force."""

    def __init__(self, docs: list[Doc], analyzer: str = "word") -> None:
        ngram = (3, 5) if analyzer == "char_wb" else (1, 1)
        self.vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram)
        self.ids = np.array([d.id for d in docs])
        self.matrix = self.vectorizer.fit_transform([f"{d.title} {d.body}" for d in docs])

    def nearest(self, title: str, body: str, k: int) -> list[int]:
        query = self.vectorizer.transform([f"{title} {body}"])
        scores = (self.matrix @ query.T).toarray().ravel()
        top = np.argpartition(-scores, k)[:k]
        return [int(self.ids[i]) for i in top[np.argsort(-scores[top])]]


class CharBaseline:
    """The plain baseline: scikit-learn character 3-5-gram TF-IDF on raw text, no thesaurus,
    behind the same protocol (so the engine's linkage and lookup run on it)."""

    def __init__(self) -> None:
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5))

    def fit(self, docs: Sequence[Doc]) -> None:
        self.fit_vectors(docs)

    def fit_vectors(self, docs: Sequence[Doc]) -> Any:
        return self.vectorizer.fit_transform([f"{d.title} {d.body}" for d in docs])

    def vectors(self, docs: Sequence[Doc]) -> Any:
        return self.vectorizer.transform([f"{d.title} {d.body}" for d in docs])


DEV_FITTED_THESAURUS = REPO_ROOT / "bench" / "data" / "thesaurus_fr_dev_fitted.tsv"


def configurations() -> dict[str, tuple[Callable[[], Any], float | None]]:
    """Name -> (backend factory, fixed threshold or None to tune it on the development file)."""
    general = default_thesaurus()
    dev_fitted = Thesaurus.from_path(DEV_FITTED_THESAURUS)
    return {
        "engine (stems + semantic)": (HybridBackend, DEFAULT_THRESHOLD),
        "  without the semantic view": (lambda: TfidfBackend(LEXICAL_WEIGHTS), None),
        "  semantic view alone": (lambda: HybridBackend(semantic_weight=1.0), None),
        "  + character n-grams": (
            lambda: HybridBackend(TfidfBackend(Weights(words=1.0, concepts=0.0, chars=0.8))),
            None,
        ),
        "  + thesaurus (general)": (
            lambda: HybridBackend(
                TfidfBackend(Weights(words=1.0, concepts=0.6, chars=0.0), thesaurus=general)
            ),
            None,
        ),
        "  + thesaurus (old, dev-fitted)": (
            lambda: HybridBackend(
                TfidfBackend(Weights(words=1.0, concepts=0.6, chars=0.0), thesaurus=dev_fitted)
            ),
            None,
        ),
        "previous engine (thesaurus, chars)": (
            lambda: TfidfBackend(Weights(), thesaurus=dev_fitted),
            0.30,
        ),
        "baseline: char 3-5 TF-IDF": (CharBaseline, None),
    }


def with_embeddings(items: list[LabelledDoc]) -> list[LabelledDoc]:
    """The labelled documents carrying their embeddings, as stored ones would (encoded once,
    kept in var/ for the next runs: the experiments then cost no encoding)."""
    docs, _, _ = encode_once([item.doc for item in items])
    return [dataclasses.replace(item, doc=doc) for item, doc in zip(items, docs, strict=True)]


def labelled_sets() -> dict[str, list[LabelledDoc]]:
    second = with_embeddings(load_labelled_jsonl(SECOND_DATA))
    third = with_embeddings(load_labelled_jsonl(THIRD_DATA))
    sets = {
        "dev": with_embeddings(load_labelled_jsonl(DEV_DATA)),
        "fresh": with_embeddings(load_labelled_jsonl(FRESH_DATA)),
        "2nd proposals": [i for i in second if i.kind == "proposal"],
        "2nd problems": [i for i in second if i.kind == "problem"],
        "3rd proposals": [i for i in third if i.kind == "proposal"],
        "3rd problems": [i for i in third if i.kind == "problem"],
    }
    if READ_FOURTH:
        fourth = with_embeddings(load_labelled_jsonl(FOURTH_DATA))
        sets["4th proposals"] = [i for i in fourth if i.kind == "proposal"]
        sets["4th problems"] = [i for i in fourth if i.kind == "problem"]
    return sets


def bench_quality() -> None:
    sets = labelled_sets()
    print(
        "\n== quality: threshold tuned on the development file only (engine: its default, "
        f"{DEFAULT_THRESHOLD}, chosen by the cross-validation below), then applied unchanged"
    )
    print(
        "   F1 (P/R): pairwise, suggest_clusters; hit@5: a true duplicate among the 5 shown "
        "before posting (lookup, min_score applied to the engine)"
    )
    header = f"{'configuration':36} {'t':>5}"
    for name, items in sets.items():
        header += f" | {name} ({len(items)})".ljust(33)
    print(header)
    for name, (factory, fixed) in configurations().items():
        min_score = DEFAULT_MIN_SCORE if factory is HybridBackend else 0.0
        scored = {k: Scored.of(v, factory, min_score) for k, v in sets.items()}
        threshold = fixed if fixed is not None else scored["dev"].best_threshold(GRID)
        line = f"{name:36} {threshold:5.3f}"
        for key in sets:
            r = scored[key].report(threshold)
            p = r.pairs
            line += f" | F1 {p.f1:.2f} ({p.precision:.2f}/{p.recall:.2f}) hit@5 {r.hit_at_5:.2f}"
        print(line, flush=True)
        dev = scored["dev"]
        for label, folds in (
            ("leave-theme-out", leave_theme_out_folds(sets["dev"])),
            ("leave-cluster-out s0", leave_cluster_out_folds(sets["dev"], 5, 0)),
            ("leave-cluster-out s1", leave_cluster_out_folds(sets["dev"], 5, 1)),
        ):
            cv = cross_validate(dev, folds, GRID)
            ts = sorted(set(cv.thresholds))
            print(
                f"{'':42}   dev {label:21} F1 {cv.pairs.f1:.3f} (P {cv.pairs.precision:.2f}"
                f" R {cv.pairs.recall:.2f}) hit@5 {cv.hit_at_5:.3f}  thresholds {ts}",
                flush=True,
            )
    refit_confidence(sets)


def refit_confidence(sets: dict[str, list[LabelledDoc]]) -> None:
    """The confidence map refitted on the sets used for tuning (development, second and third
    sets, proposals and problems pooled), and how the shipped map reads on every set (share of
    true duplicates among the pairs it puts in each band)."""
    pairs: dict[str, tuple[list[float], list[bool]]] = {}
    for key, items in sets.items():
        if key == "fresh":
            continue
        index = build_index([i.doc for i in items])
        ids, matrix = index.vectors()
        gram = matrix.gram()
        label = {i.doc.id: i.label for i in items}
        xs, ys = [], []
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                if gram[a, b] > 0:
                    xs.append(float(gram[a, b]))
                    ys.append(label[ids[a]] == label[ids[b]])
        pairs[key] = (xs, ys)
    train = [k for k in pairs if not k.startswith("4th")]
    x = np.concatenate([pairs[k][0] for k in train]) - DEFAULT_THRESHOLD
    y = np.concatenate([pairs[k][1] for k in train]).astype(float)
    fit = LogisticRegression(C=1e6).fit(x[:, None], y)
    slope = float(fit.coef_[0][0])
    offset = float(-fit.intercept_[0] / slope)
    print(
        f"confidence refitted on {' + '.join(train)}: slope {slope:.1f} offset {offset:.3f} "
        f"(shipped {CONFIDENCE_SLOPE:.1f}, {CONFIDENCE_OFFSET:.3f})"
    )
    for key, (xs, ys) in pairs.items():
        conf = np.asarray([confidence(v) for v in xs])
        truth = np.asarray(ys, dtype=float)
        eps = 1e-6
        loss = -np.mean(truth * np.log(conf.clip(eps)) + (1 - truth) * np.log((1 - conf).clip(eps)))
        bins = []
        for lo, hi in ((0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.01)):
            inside = (conf >= lo) & (conf < hi)
            if inside.any():
                bins.append(
                    f"[{lo:.2f},{min(hi, 1):.2f}) {int(inside.sum())} pairs: mean "
                    f"{conf[inside].mean():.2f}, duplicates {truth[inside].mean():.2f}"
                )
        print(f"  shipped map on {key}: log loss {loss:.3f}; " + "; ".join(bins))


def encode_once(docs: list[Doc]) -> tuple[list[Doc], float, bool]:
    """The documents with their embeddings, as the database stores them (timed: what the
    write-time encoding costs in total, paid once per contribution version). The vectors are
    kept in var/ for the next run of the same corpus (then the time is the first run's)."""
    encoder = default_encoder()
    digest = hashlib.sha256(
        "\n".join(encoder_input(d.title, d.body) for d in docs).encode()
    ).hexdigest()[:16]
    cache = REPO_ROOT / "var" / f"bench-embeddings-{encoder.name}-{digest}.npz"
    if cache.exists():
        with np.load(cache) as stored:
            vectors, seconds = stored["vectors"], float(stored["seconds"])
        cached = True
    else:
        encoder.encode(["chauffe"])
        started = time.perf_counter()
        vectors = encoder.encode([encoder_input(d.title, d.body) for d in docs])
        seconds = time.perf_counter() - started
        cache.parent.mkdir(exist_ok=True)
        np.savez(cache, vectors=vectors, seconds=seconds)
        cached = False
    with_vectors = [
        Doc(d.id, d.title, d.body, embedding=v) for d, v in zip(docs, vectors, strict=True)
    ]
    return with_vectors, seconds, cached


def bare_knn(vectors: np.ndarray, k: int) -> np.ndarray:
    """The bare floor of a semantic neighbour search: blocked dense products and argpartition."""
    n = vectors.shape[0]
    out = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, 512):
        block = vectors[start : start + 512] @ vectors.T
        rows = np.arange(block.shape[0])
        block[rows, rows + start] = -np.inf
        out[start : start + 512] = np.argpartition(-block, k - 1, axis=1)[:, :k]
    return out


def bench_scale(dev: list[LabelledDoc], n: int, seed: int) -> None:
    raw_docs, raw_drafts = generate(dev, n, seed)
    words = sum(len(d.title.split()) + len(d.body.split()) for d in raw_docs) / len(raw_docs)
    print(f"\n== scale: {len(raw_docs):,} generated proposals ({words:.0f} words each on average)")
    docs, encode_s, cached = encode_once(raw_docs)
    print(
        f"encoding once        {encode_s:8.2f} s   ({encode_s / len(docs) * 1e3:.1f} ms per "
        "contribution: paid at write time, stored, never again"
        + (", measured by an earlier run, vectors kept in var/)" if cached else ")")
    )

    cpu = time.process_time()
    index, build_s = timed(lambda: build_index(docs))
    build_cpu = time.process_time() - cpu
    bare, bare_build_s = timed(lambda: BareTfidf(raw_docs))
    print(
        f"index build          engine {build_s:8.2f} s   bare sklearn {bare_build_s:6.2f} s"
        f"   ratio {build_s / bare_build_s:5.1f}x   (engine CPU {build_cpu:.2f} s, "
        "stored embeddings)"
    )

    drafts = raw_drafts
    for d in drafts[:5]:
        index.nearest(d.title, d.body, 5)
        bare.nearest(d.title, d.body, 5)
    engine_ms: list[float] = []
    engine_cpu_ms: list[float] = []
    for d in drafts:
        cpu = time.process_time()
        _, seconds = timed(lambda d=d: index.nearest(d.title, d.body, 5))
        engine_cpu_ms.append((time.process_time() - cpu) * 1e3)
        engine_ms.append(seconds * 1e3)
    bare_ms = [timed(lambda d=d: bare.nearest(d.title, d.body, 5))[1] * 1e3 for d in drafts]
    for name, values in (("engine", engine_ms), ("bare sklearn", bare_ms)):
        print(
            f"lookup k=5 ({name:12}) p50 {percentile(values, 50):6.2f} ms"
            f"   p95 {percentile(values, 95):6.2f} ms   ({len(values)} drafts, engine: draft "
            "encoded)"
        )
    print(
        f"lookup k=5 engine CPU  p50 {percentile(engine_cpu_ms, 50):6.2f} ms"
        f"   p95 {percentile(engine_cpu_ms, 95):6.2f} ms"
    )
    print(
        f"lookup p95 ratio engine / bare: "
        f"{percentile(engine_ms, 95) / percentile(bare_ms, 95):.1f}x"
    )

    extra = [Doc(10_000_000 + i, d.title, d.body) for i, d in enumerate(drafts[:100])]
    add_ms = [timed(lambda d=d: index.add(d))[1] * 1e3 for d in extra]
    print(
        f"incremental add      p50 {percentile(add_ms, 50):6.2f} ms   p95 "
        f"{percentile(add_ms, 95):6.2f} ms   (100 adds encoded here, no refit: "
        f"stale={index.is_stale})"
    )
    _, refit_s = timed(index.refit)
    print(f"explicit refit       {refit_s:8.2f} s")
    blob = pickle.dumps(index)
    print(f"pickled index        {len(blob) / 1e6:8.1f} MB")

    progress: list[tuple[int, int]] = []
    cpu = time.process_time()
    clusters, cluster_s = timed(
        lambda: suggest_clusters(docs, DEFAULT_THRESHOLD, lambda d, t: progress.append((d, t)))
    )
    cluster_cpu = time.process_time() - cpu
    sizes = [c.size for c in clusters]
    print(
        f"clustering           {cluster_s:8.2f} s   (CPU {cluster_cpu:.2f} s)   "
        f"{len(clusters):,} clusters of 2+ ({sum(sizes):,} items, largest {max(sizes)}), "
        f"{len(progress)} progress calls"
    )
    dense = np.asarray([d.embedding for d in docs], dtype=np.float32)
    _, knn_s = timed(lambda: bare_knn(dense, 20))
    print(
        f"bare semantic k-NN   {knn_s:8.2f} s   (numpy blocked products, k=20, no lexical view, "
        f"no linkage)   ratio clustering / bare {cluster_s / knn_s:4.1f}x"
    )
    before_mb, after_mb = child_peak_mb(docs)
    print(
        f"clustering memory    peak RSS {after_mb:6.0f} MB in a spawned child "
        f"({before_mb:.0f} MB before clustering: interpreter, libraries, texts, embeddings)"
    )
    print(f"process maxrss       {maxrss_mb():8.0f} MB (whole run so far)")

    # Raw clustering baseline: dense cosine + scipy average linkage, O(n^2) memory, so on a
    # 2,000-document sample, next to the engine on the same sample.
    sample = docs[:2000]

    def dense_baseline() -> np.ndarray:
        matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(
            [f"{d.title} {d.body}" for d in sample]
        )
        sims = (matrix @ matrix.T).toarray()
        distances = np.clip(1.0 - sims, 0.0, None)
        np.fill_diagonal(distances, 0.0)
        tree = linkage(squareform(distances, checks=False), method="average")
        return fcluster(tree, t=1 - DEFAULT_THRESHOLD, criterion="distance")

    _, base_s = timed(dense_baseline)
    _, eng_s = timed(lambda: suggest_clusters(sample, DEFAULT_THRESHOLD))
    _, _, base_peak = peak_memory(dense_baseline)
    print(
        f"clustering on 2,000  engine {eng_s:6.2f} s   dense sklearn+scipy average linkage "
        f"{base_s:6.2f} s (tracemalloc peak {base_peak:5.0f} MB)   ratio {eng_s / base_s:4.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="generated proposals")
    parser.add_argument("--quick", action="store_true", help="2,000 proposals")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument(
        "--no-fourth", action="store_true", help="leave the held-out fourth set unread"
    )
    args = parser.parse_args()
    global READ_FOURTH
    READ_FOURTH = not args.no_fourth
    limit_blas_threads(1)  # as the app does (settings.SIMILARITY_BLAS_THREADS), bare side too
    dev = load_labelled_jsonl(DEV_DATA)
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.skip_quality:
        bench_quality()
    if not args.skip_scale:
        bench_scale(dev, 2_000 if args.quick else args.n, args.seed)
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
