"""Third-round experiments of the similarity engine (issue 12): cross-validation pooled over
the development file, the second set and the third set, on cached vectors.

Run with `uv run python bench/similarity_cv.py` (see bench/README.md, "Experiments of the third
round"). Five runs: development proposals, second-set proposals and problems, third-set
proposals and problems, each clustered on its own. Folds: leave-set-out (development, second,
third: tune on two sets, score the third), leave-theme-out and leave-cluster-out (5 folds,
seeds 0 and 1) across all five runs at once. For each fold the threshold is chosen on the pairs
of the training folds (one threshold, or one for proposals and one for problems: "per kind"),
then every pair touching the held-out fold is counted. The fourth set is never read here: it is
the held-out measure of bench/similarity.py.

Embeddings are computed once and kept in var/ (keyed by the variant of the text encoded).
"""

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
SETS = (
    ("proposals-dev", "proposal"),
    ("second-set", "proposal"),
    ("second-set", "problem"),
    ("third-set", "proposal"),
    ("third-set", "problem"),
)
GRID = [round(-0.10 + 0.01 * i, 2) for i in range(71)]


def main() -> None:
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
    only = set(sys.argv[1:])

    def cached(tag: str, name: str, texts: list[str]) -> np.ndarray:
        path = VAR / f"cv-use-{tag}-{name}.npz"
        if path.exists():
            with np.load(path) as z:
                if list(z["texts"]) == texts:
                    return np.asarray(z["vectors"])
        vectors = default_encoder().encode(texts)
        VAR.mkdir(exist_ok=True)
        np.savez(path, texts=np.asarray(texts), vectors=vectors)
        return vectors

    def center(x: np.ndarray, drop: int = 0, docs: int = 50) -> np.ndarray:
        c = x - x.mean(axis=0) * min(1.0, len(x) / docs)
        if drop:
            _, _, vt = np.linalg.svd(c - c.mean(axis=0), full_matrices=False)
            top = vt[:drop]
            c = c - (c @ top.T) @ top
        return normalize_rows(c)

    def lexical(items: Sequence[LabelledDoc], weights: Any = LEXICAL_WEIGHTS) -> np.ndarray:
        m = TfidfBackend(weights).fit_vectors([i.doc for i in items])
        return np.asarray((m @ m.T).toarray())

    abbreviations = {
        "pr": "pour",
        "qqn": "quelqu'un",
        "qq": "quelques",
        "qqch": "quelque chose",
        "pcq": "parce que",
        "pk": "pourquoi",
        "pq": "pourquoi",
        "bcp": "beaucoup",
        "tt": "tout",
        "tjr": "toujours",
        "tjrs": "toujours",
        "ds": "dans",
        "ac": "avec",
        "avc": "avec",
        "pb": "problème",
        "pbs": "problèmes",
        "rdv": "rendez-vous",
        "dmd": "demande",
        "ke": "que",
        "koi": "quoi",
        "c": "c'est",
        "jai": "j'ai",
        "g": "j'ai",
        "jsp": "je ne sais pas",
        "chui": "je suis",
        "vrmt": "vraiment",
        "svp": "s'il vous plaît",
        "stp": "s'il te plaît",
        "aprem": "après-midi",
        "appli": "application",
        "applis": "applications",
        "ordi": "ordinateur",
        "ordis": "ordinateurs",
        "tel": "téléphone",
        "ca": "ça",
        "tres": "très",
        "deja": "déjà",
        "meme": "même",
        "apres": "après",
        "etre": "être",
        "ete": "été",
        "probleme": "problème",
        "telephone": "téléphone",
        "demarches": "démarches",
        "demarche": "démarche",
        "ecole": "école",
        "a": "à",
        "j": "j'ai",
        "sais": "sais",
        "ou": "où",
        "qd": "quand",
        "t": "tu",
        "m": "m'",
        "d": "d'",
        "l": "l'",
        "n": "n'",
        "s": "s'",
        "qu": "qu'",
    }
    word = re.compile(r"[A-Za-zÀ-ÿ]+")

    def expand_sms(text: str) -> str:
        if re.search(r"[éèêàùç]", text):  # accented: not written SMS-style
            return text
        return word.sub(lambda m: abbreviations.get(m.group(0).lower(), m.group(0)), text)

    def title_twice(items: Sequence[LabelledDoc]) -> np.ndarray:
        from backend.synthesis.domain.similarity import Doc

        docs = [Doc(i.doc.id, i.doc.title, f"{i.doc.title}. {i.doc.body}") for i in items]
        m = TfidfBackend(LEXICAL_WEIGHTS).fit_vectors(docs)
        return np.asarray((m @ m.T).toarray())

    def aqe(u: np.ndarray, m: int, alpha: float = 1.0) -> np.ndarray:
        s = u @ u.T
        np.fill_diagonal(s, -np.inf)
        top = np.argsort(-s, axis=1)[:, :m]
        w = np.take_along_axis(s, top, axis=1).clip(0) ** alpha
        x = normalize_rows(u + np.einsum("ik,ikd->id", w, u[top]))
        return x @ x.T

    def variants(name: str, items: list[LabelledDoc]) -> dict[str, np.ndarray]:
        native = np.array([not looks_foreign(f"{i.doc.title} {i.doc.body}") for i in items])
        both = native[:, None] & native[None, :]
        full = cached("full", name, [encoder_input(i.doc.title, i.doc.body) for i in items])
        lex = lexical(items)
        u = center(full)
        su = u @ u.T

        def mix(w: float, sem: np.ndarray, lx: np.ndarray = lex) -> np.ndarray:
            return np.where(both, w * lx + (1 - w) * sem, sem)

        sms = cached(
            "sms", name, [expand_sms(encoder_input(i.doc.title, i.doc.body)) for i in items]
        )
        us = center(sms)
        ua = center(normalize_rows(full + sms))
        out = {
            "engine: 0.5 stems + 0.5 USE": mix(0.5, su),
            "SMS-expanded encoder input": mix(0.5, us @ us.T),
            "raw + SMS-expanded averaged": mix(0.5, ua @ ua.T),
            "max(0.7 sem, mix)": np.maximum(0.7 * su, mix(0.5, su)),
            "max(0.6 sem, mix)": np.maximum(0.6 * su, mix(0.5, su)),
            "mix + 0.5 min(lex, sem)": mix(0.5, su) + np.where(both, 0.5 * np.minimum(lex, su), 0),
            "mix + 0.3 lex*sem": mix(0.5, su) + np.where(both, 0.3 * lex * su, 0),
            "title counted twice (lexical)": mix(0.5, su, title_twice(items)),
            "centering never shrunk": mix(0.5, (lambda c: c @ c.T)(center(full, docs=1))),
            "centering shrunk below 100": mix(0.5, (lambda c: c @ c.T)(center(full, docs=100))),
            "alpha-QE m=2": mix(0.5, aqe(u, 2)),
            "alpha-QE m=4": mix(0.5, aqe(u, 4)),
            "lexical 0.45": mix(0.45, su),
            "lexical 0.55": mix(0.55, su),
        }
        for d in (1, 2, 3, 5):
            ud = center(full, d)
            out[f"all-but-the-top {d}"] = mix(0.5, ud @ ud.T)
        words = np.array([len(word.findall(f"{i.doc.title} {i.doc.body}")) for i in items])
        shorter = np.minimum(words[:, None], words[None, :])
        for lo in (15, 25, 40):
            w = 0.5 * np.minimum(1.0, shorter / lo)
            out[f"length-weighted lexical L{lo}"] = np.where(both, w * lex + (1 - w) * su, su)
        kind = items[0].kind
        for wp in (0.3, 0.4):
            out[f"problems lexical {wp}"] = mix(wp if kind == "problem" else 0.5, su)
        chars = lexical(items, Weights(words=1.0, concepts=0.0, chars=0.8))
        out["+ char n-grams"] = mix(0.5, su, chars)
        return out

    class Run:
        def __init__(
            self, items: list[LabelledDoc], s: np.ndarray, k: int = 20, method: str = "graph"
        ) -> None:
            self.method, self.s = method, s
            self.items, self.labels = items, [i.label for i in items]
            self.kind = items[0].kind
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
            top5 = np.argsort(-t, axis=1)[:, :5]
            self.hit = np.array(
                [any(self.labels[j] == self.labels[i] for j in top5[i]) for i in range(len(s))]
            )
            self.has_dup = np.array([self.labels.count(x) > 1 for x in self.labels])
            self.cache: dict[float, list[list[int]]] = {}

        def counts(self, t: float, focus: Sequence[int], within: bool = False) -> Any:
            if t not in self.cache:
                if self.method == "graph":
                    self.cache[t] = average_linkage(len(self.items), self.edges, t)
                else:
                    self.cache[t] = scipy_groups(self.s, self.method, t)
            return PairCounts.of(self.cache[t], self.labels, focus, within)

    def scipy_groups(s: np.ndarray, method: str, t: float) -> list[list[int]]:
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        d = 1.0 - np.clip((s + s.T) / 2, -1, 1)
        np.fill_diagonal(d, 0.0)
        z = linkage(squareform(d, checks=False), method=method)
        labels = fcluster(z, 1.0 - t, criterion="distance")
        groups: dict[int, list[int]] = {}
        for p, lab in enumerate(labels):
            groups.setdefault(int(lab), []).append(p)
        return list(groups.values())

    def pooled_cv(
        runs: list[tuple[Run, list[list[int]]]], per_kind: bool
    ) -> tuple[dict[str, Any], list[float], float]:
        totals = {"proposal": PairCounts(0, 0, 0), "problem": PairCounts(0, 0, 0)}
        chosen: list[float] = []
        kinds = ("proposal", "problem") if per_kind else (None,)
        for f in range(len(runs[0][1])):
            for kind in kinds:
                group = [(r, fo) for r, fo in runs if kind is None or r.kind == kind]

                def f1(t: float, f: int = f, group: Any = group) -> float:
                    c = PairCounts(0, 0, 0)
                    for run, folds in group:
                        held = set(folds[f])
                        train = [p for p in range(len(run.items)) if p not in held]
                        c = c + run.counts(t, train, within=True)
                    return float(c.f1)

                t = max(GRID, key=lambda t: (f1(t), -t))
                chosen.append(t)
                for run, folds in group:
                    totals[run.kind] = totals[run.kind] + run.counts(t, folds[f])
        hits = np.concatenate([r.hit[r.has_dup] for r, _ in runs])
        return totals, chosen, float(hits.mean())

    data = []
    for name, kind in SETS:
        items = [i for i in load_labelled_jsonl(DATA / f"{name}.jsonl") if i.kind == kind]
        data.append((name, items, variants(f"{name}-{kind}", items)))

    set_names = ["proposals-dev", "second-set", "third-set"]
    themes = sorted({i.theme for _, items, _ in data for i in items})

    def fold_makers(name: str) -> dict[str, Callable[[list[LabelledDoc]], list[list[int]]]]:
        return {
            "set": lambda its: [list(range(len(its))) if s == name else [] for s in set_names],
            "theme": lambda its: [[p for p, i in enumerate(its) if i.theme == th] for th in themes],
            "cluster s0": lambda its: leave_cluster_out_folds(its, 5, 0),
            "cluster s1": lambda its: leave_cluster_out_folds(its, 5, 1),
        }

    print(
        "pooled CV over dev + 2nd + 3rd (proposals | problems F1 (P/R)); hit@5 of all runs",
        flush=True,
    )
    names = list(data[0][2])
    names += [
        f"{names[0]} @{m}"
        for m in ("average", "complete", "single", "weighted", "k10", "k30", "k40")
    ]
    for variant in names:
        if only and not any(o in variant for o in only):
            continue
        base, _, method = variant.partition(" @")
        k = int(method[1:]) if method.startswith("k") else 20
        method = "graph" if not method or method.startswith("k") else method
        runs = [(name, Run(items, mats[base], k, method)) for name, items, mats in data]
        for per_kind in (False,):
            cells = []
            hit = 0.0
            f1s = []
            for label in ("set", "theme", "cluster s0", "cluster s1"):
                totals, chosen, hit = pooled_cv(
                    [(r, fold_makers(name)[label](r.items)) for name, r in runs], per_kind
                )
                pr, pb = totals["proposal"], totals["problem"]
                f1s.append((pr.f1, pb.f1))
                cells.append(
                    f"{label} {pr.f1:.3f} ({pr.precision:.2f}/{pr.recall:.2f}) | "
                    f"{pb.f1:.3f} ({pb.precision:.2f}/{pb.recall:.2f}) "
                    f"t {min(chosen):.2f}-{max(chosen):.2f}"
                )
            mean = np.mean(f1s, axis=0)
            tag = "per kind" if per_kind else "one t"
            print(
                f"{variant:30} {tag:8} mean {mean[0]:.3f} | {mean[1]:.3f}  h5 {hit:.3f}\n    "
                + "\n    ".join(cells),
                flush=True,
            )


if __name__ == "__main__":
    main()
