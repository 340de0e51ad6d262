"""Synthesis similarity benchmark: 10,000 generated French proposals, next to bare scikit-learn.

Run with `uv run python bench/similarity.py` (see bench/README.md). No database.
"""

import argparse
import multiprocessing
import pickle
import random
import resource
import sys
import time
import tracemalloc
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from backend.synthesis.domain import (  # noqa: E402
    DEFAULT_THRESHOLD,
    Doc,
    TfidfBackend,
    Weights,
    build_index,
    suggest_clusters,
)
from backend.synthesis.domain.clustering import clusters_from_vectors  # noqa: E402
from backend.synthesis.domain.evaluation import (  # noqa: E402
    LabelledDoc,
    evaluate_thresholds,
    groups_from_labels,
    load_labelled_jsonl,
    pairwise_scores,
    recall_at_k,
    two_fold_by_cluster,
)

DEV_DATA = REPO_ROOT / "tests" / "domain" / "synthesis" / "data" / "proposals-dev.jsonl"
FRESH_DATA = REPO_ROOT / "tests" / "domain" / "synthesis" / "data" / "fresh-check.jsonl"
GRID = [round(0.16 + 0.02 * i, 2) for i in range(13)]

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


def bench_scale(dev: list[LabelledDoc], n: int, seed: int) -> None:
    docs, drafts = generate(dev, n, seed)
    words = sum(len(d.title.split()) + len(d.body.split()) for d in docs) / len(docs)
    print(f"\n== scale: {len(docs):,} generated proposals ({words:.0f} words each on average)")

    cpu = time.process_time()
    index, build_s = timed(lambda: build_index(docs))
    build_cpu = time.process_time() - cpu
    bare, bare_build_s = timed(lambda: BareTfidf(docs))
    print(
        f"index build          engine {build_s:8.2f} s   bare sklearn {bare_build_s:6.2f} s"
        f"   ratio {build_s / bare_build_s:5.1f}x   (engine CPU {build_cpu:.2f} s)"
    )

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
            f"   p95 {percentile(values, 95):6.2f} ms   ({len(values)} drafts)"
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
        f"{percentile(add_ms, 95):6.2f} ms   (100 adds, no refit: stale={index.is_stale})"
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
    before_mb, after_mb = child_peak_mb(docs)
    print(
        f"clustering memory    peak RSS {after_mb:6.0f} MB in a spawned child "
        f"({before_mb:.0f} MB before clustering: interpreter, libraries, texts)"
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


def bench_quality(dev: list[LabelledDoc]) -> None:
    print(
        f"\n== quality on {DEV_DATA.name} ({len(dev)} proposals, "
        f"{len({i.label for i in dev})} clusters)"
    )
    labels = {i.doc.id: i.label for i in dev}
    docs = [i.doc for i in dev]
    expected = groups_from_labels(labels)

    reports = evaluate_thresholds(dev, GRID)
    print(f"threshold  precision  recall   F1     (engine; recall@5 {reports[0].recall_at_5:.3f})")
    for r in reports:
        mark = "  <- default" if abs(r.threshold - DEFAULT_THRESHOLD) < 1e-9 else ""
        print(
            f"  {r.threshold:.2f}      {r.pairs.precision:.3f}    {r.pairs.recall:.3f}  "
            f"{r.pairs.f1:.3f}{mark}"
        )

    def raw_quality(name: str, analyzer: str) -> None:
        bare = BareTfidf(docs, analyzer)
        neighbours = {
            d.id: [i for i in bare.nearest(d.title, d.body, 6) if i != d.id][:5] for d in docs
        }
        sims = (bare.matrix @ bare.matrix.T).toarray()
        distances = np.clip(1.0 - sims, 0.0, None)
        np.fill_diagonal(distances, 0.0)
        tree = linkage(squareform(distances, checks=False), method="average")
        scored = []
        for t in [0.05, 0.1, 0.12, 0.14, *GRID]:
            flat = fcluster(tree, t=1 - t, criterion="distance").tolist()
            groups = groups_from_labels(dict(zip(bare.ids.tolist(), flat, strict=True)))
            scored.append((pairwise_scores(groups, expected), t))
        best = max(scored, key=lambda pair: pair[0].f1)
        print(
            f"baseline {name:28} recall@5 {recall_at_k(neighbours, labels, 5):.3f}   best F1 "
            f"{best[0].f1:.3f} (P {best[0].precision:.3f} R {best[0].recall:.3f} at {best[1]})"
        )

    raw_quality("sklearn word TF-IDF + avg", "word")
    raw_quality("sklearn char 3-5 TF-IDF + avg", "char_wb")

    ablation = TfidfBackend(Weights(concepts=0.0))
    ablation.fit(docs)
    vectors = ablation.vectors(docs)
    sims = (vectors @ vectors.T).toarray()
    np.fill_diagonal(sims, -1)
    neighbours = {d.id: [int(j) for j in np.argsort(-sims[d.id], kind="stable")[:5]] for d in docs}
    ids = [d.id for d in docs]
    best_ablation = max(
        (
            (pairwise_scores([c.ids for c in clusters_from_vectors(ids, vectors, t)], expected), t)
            for t in [0.1, 0.12, 0.14, *GRID]
        ),
        key=lambda pair: pair[0].f1,
    )
    print(
        f"ablation: no thesaurus              recall@5 {recall_at_k(neighbours, labels, 5):.3f}"
        f"   best F1 {best_ablation[0].f1:.3f} at {best_ablation[1]}"
    )

    print("2-fold by cluster (threshold tuned on one half, scores on the other):")
    held: list[float] = []
    for seed in range(5):
        for fold in two_fold_by_cluster(dev, GRID, seed):
            h = fold.held_out
            held.append(h.pairs.f1)
            print(
                f"  seed {seed} fold {fold.tuned_on}: tuned t={fold.tuned.threshold:.2f} "
                f"(F1 {fold.tuned.pairs.f1:.3f}) -> held-out F1 {h.pairs.f1:.3f} "
                f"P {h.pairs.precision:.3f} R {h.pairs.recall:.3f} recall@5 {h.recall_at_5:.3f}"
            )
    print(f"  held-out F1 mean {sum(held) / len(held):.3f}, min {min(held):.3f}")

    fresh = load_labelled_jsonl(FRESH_DATA)
    (report,) = evaluate_thresholds(fresh, [DEFAULT_THRESHOLD])
    print(
        f"fresh check ({len(fresh)} proposals written after tuning, never tuned on): "
        f"P {report.pairs.precision:.3f} R {report.pairs.recall:.3f} F1 {report.pairs.f1:.3f} "
        f"recall@5 {report.recall_at_5:.3f} at the default threshold"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="generated proposals")
    parser.add_argument("--quick", action="store_true", help="2,000 proposals")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    dev = load_labelled_jsonl(DEV_DATA)
    if not args.skip_quality:
        bench_quality(dev)
    bench_scale(dev, 2_000 if args.quick else args.n, args.seed)


if __name__ == "__main__":
    main()
