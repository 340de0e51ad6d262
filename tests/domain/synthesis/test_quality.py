"""Quality on labelled data the engine was not tuned on, measured the honest way.

* ``proposals-dev.jsonl`` (a copy of the shared development file): the defaults (weights,
  threshold) were chosen on it, so it is only judged through cross-validation: leave-theme-out
  and leave-cluster-out, the threshold tuned without the held-out fold, every pair touching
  that fold counted.
* ``second-set.jsonl``: 149 contributions on other topics and voices, written before the engine
  was run on them and never tuned on (see data/README.md).
* ``third-set.jsonl``: 161 contributions on yet other needs, written and committed before the
  engine was run on them, never tuned on (the second set had been looked at by then).
* ``fourth-set.jsonl``: 142 contributions on needs the others do not cover, committed alone
  before any engine ran on them; the threshold (0.13) and the confidence map were then chosen
  by cross-validation over the development file and the second and third sets, and the fourth
  set measured once (bench/README.md). Its floors sit under that one measurement.

The floors sit a little under the measured values (bench/README.md): they guard against a
regression, they are not targets; run with ``-s`` to see the figures.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from backend.synthesis.domain import DEFAULT_THRESHOLD, Doc, suggest_clusters
from backend.synthesis.domain.evaluation import (
    LabelledDoc,
    Scored,
    cross_validate,
    leave_cluster_out_folds,
    leave_theme_out_folds,
    load_labelled_jsonl,
)

DATA = Path(__file__).resolve().parent / "data"
GRID = [round(0.08 + 0.01 * i, 2) for i in range(15)]
MIN_SCORE = 0.05  # suggestions.selectors.DEFAULT_MIN_SCORE


@pytest.fixture(scope="module")
def dev() -> tuple[list[LabelledDoc], Scored]:
    items = load_labelled_jsonl(DATA / "proposals-dev.jsonl")
    return items, Scored.of(items, min_score=MIN_SCORE)


@pytest.fixture(scope="module")
def second() -> dict[str, Scored]:
    items = load_labelled_jsonl(DATA / "second-set.jsonl")
    return {
        kind: Scored.of([i for i in items if i.kind == kind], min_score=MIN_SCORE)
        for kind in ("proposal", "problem")
    }


@pytest.fixture(scope="module")
def third() -> dict[str, Scored]:
    items = load_labelled_jsonl(DATA / "third-set.jsonl")
    return {
        kind: Scored.of([i for i in items if i.kind == kind], min_score=MIN_SCORE)
        for kind in ("proposal", "problem")
    }


class CharTfidf:
    """The plain baseline: character 3-5-gram TF-IDF on raw text, behind the same protocol."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5))

    def fit(self, docs: Sequence[Doc]) -> None:
        self.fit_vectors(docs)

    def fit_vectors(self, docs: Sequence[Doc]) -> Any:
        return self.vectorizer.fit_transform([f"{d.title} {d.body}" for d in docs])

    def vectors(self, docs: Sequence[Doc]) -> Any:
        return self.vectorizer.transform([f"{d.title} {d.body}" for d in docs])


@pytest.fixture(scope="module")
def char_baseline() -> Scored:
    items = load_labelled_jsonl(DATA / "second-set.jsonl")
    return Scored.of([i for i in items if i.kind == "proposal"], CharTfidf)


def test_data_files_are_the_expected_ones() -> None:
    dev = load_labelled_jsonl(DATA / "proposals-dev.jsonl")
    assert (len(dev), len({i.label for i in dev})) == (80, 30)
    second = load_labelled_jsonl(DATA / "second-set.jsonl")
    assert len(second) == 149
    assert sum(1 for i in second if i.kind == "problem") == 36
    third = load_labelled_jsonl(DATA / "third-set.jsonl")
    assert len(third) == 161
    assert sum(1 for i in third if i.kind == "problem") == 38
    for items in (second, third):
        kinds: dict[str, set[str]] = {}
        for item in items:
            kinds.setdefault(item.label, set()).add(item.kind)
        assert all(len(k) == 1 for k in kinds.values())  # a cluster holds one kind


def test_dev_leave_theme_out(dev: tuple[list[LabelledDoc], Scored]) -> None:
    items, scored = dev
    cv = cross_validate(scored, leave_theme_out_folds(items), GRID)
    print(f"\ndev leave-theme-out: F1 {cv.pairs.f1:.3f} hit@5 {cv.hit_at_5:.3f}")
    assert cv.pairs.f1 >= 0.75
    assert cv.hit_at_5 >= 0.95


@pytest.mark.parametrize("seed", [0, 1])
def test_dev_leave_cluster_out(dev: tuple[list[LabelledDoc], Scored], seed: int) -> None:
    items, scored = dev
    cv = cross_validate(scored, leave_cluster_out_folds(items, 5, seed), GRID)
    print(f"\ndev leave-cluster-out (seed {seed}): F1 {cv.pairs.f1:.3f} hit@5 {cv.hit_at_5:.3f}")
    assert cv.pairs.f1 >= 0.68
    # The default threshold is what the folds choose: it was not fitted to one fold.
    assert all(abs(t - DEFAULT_THRESHOLD) <= 0.03 for t in cv.thresholds)


def test_second_set_proposals(second: dict[str, Scored], char_baseline: Scored) -> None:
    report = second["proposal"].report(DEFAULT_THRESHOLD)
    baseline = char_baseline.report(char_baseline.best_threshold(GRID))
    print(
        f"\nsecond set, proposals: F1 {report.pairs.f1:.3f} (P {report.pairs.precision:.3f} "
        f"R {report.pairs.recall:.3f}) hit@5 {report.hit_at_5:.3f}; char 3-5 TF-IDF baseline "
        f"hit@5 {baseline.hit_at_5:.3f}, F1 {baseline.pairs.f1:.3f} at its best threshold"
    )
    assert report.hit_at_5 >= 0.93
    assert report.hit_at_5 >= baseline.hit_at_5 + 0.15
    assert report.pairs.f1 >= 0.58
    assert report.pairs.f1 >= baseline.pairs.f1 + 0.25


def test_second_set_problems(second: dict[str, Scored]) -> None:
    report = second["problem"].report(DEFAULT_THRESHOLD)
    print(
        f"\nsecond set, problems: F1 {report.pairs.f1:.3f} (P {report.pairs.precision:.3f} "
        f"R {report.pairs.recall:.3f}) hit@5 {report.hit_at_5:.3f}"
    )
    assert report.hit_at_5 >= 0.83
    assert report.pairs.f1 >= 0.58


def test_third_set(third: dict[str, Scored]) -> None:
    items = load_labelled_jsonl(DATA / "third-set.jsonl")
    baseline = Scored.of([i for i in items if i.kind == "proposal"], CharTfidf)
    base = baseline.report(baseline.best_threshold(GRID))
    proposals = third["proposal"].report(DEFAULT_THRESHOLD)
    problems = third["problem"].report(DEFAULT_THRESHOLD)
    for name, r in (("proposals", proposals), ("problems", problems)):
        print(
            f"\nthird set, {name}: F1 {r.pairs.f1:.3f} (P {r.pairs.precision:.3f} "
            f"R {r.pairs.recall:.3f}) hit@5 {r.hit_at_5:.3f}"
        )
    print(f"char 3-5 TF-IDF baseline, proposals: hit@5 {base.hit_at_5:.3f} F1 {base.pairs.f1:.3f}")
    assert proposals.hit_at_5 >= 0.95
    assert proposals.hit_at_5 >= base.hit_at_5 + 0.1
    assert proposals.pairs.f1 >= 0.64
    assert proposals.pairs.f1 >= base.pairs.f1 + 0.25
    assert problems.hit_at_5 >= 0.95
    assert problems.pairs.f1 >= 0.6


def test_look_alikes_stay_apart() -> None:
    items = load_labelled_jsonl(DATA / "second-set.jsonl")
    by_label: dict[str, list[int]] = {}
    for item in items:
        by_label.setdefault(item.label, []).append(item.doc.id)
    clusters = suggest_clusters([i.doc for i in items], DEFAULT_THRESHOLD)
    together = {frozenset((a, b)) for c in clusters for a in c.ids for b in c.ids if a != b}
    apart = [
        ("mobilite-tickets-papier", "mobilite-transport-demande"),
        ("conso-telephones-solidaires", "conso-collecte-telephones"),
        ("lien-visio-ehpad", "emploi-entretien-visio"),
        ("emploi-actualisation", "emploi-outils-metier"),
        ("edu-pret-ordinateurs-lyceens", "edu-ecrans-parents"),
    ]
    merged = [
        (x, y)
        for x, y in apart
        if any(frozenset((a, b)) in together for a in by_label[x] for b in by_label[y])
    ]
    print(f"\nlook-alike pairs merged: {merged}")
    assert len(merged) <= 1


def test_third_set_look_alikes_mostly_stay_apart() -> None:
    # The look-alikes listed in data/README.md; 4 of these 14 pairs were merged when the set was
    # first measured (bench/README.md): a guard against more, not a target.
    items = load_labelled_jsonl(DATA / "third-set.jsonl")
    by_label: dict[str, list[int]] = {}
    for item in items:
        by_label.setdefault(item.label, []).append(item.doc.id)
    together: set[frozenset[int]] = set()
    for kind in ("proposal", "problem"):
        clusters = suggest_clusters([i.doc for i in items if i.kind == kind], DEFAULT_THRESHOLD)
        together |= {frozenset((a, b)) for c in clusters for a in c.ids for b in c.ids if a != b}
    apart = [
        ("emploi-cv-candidature", "emploi-formation-salaries"),
        ("emploi-cv-candidature", "emploi-mediateurs-insertion"),
        ("mobilite-stationnement-horodateurs", "conso-especes"),
        ("mobilite-code-permis", "droits-ants"),
        ("conso-arnaques", "droits-banque-en-ligne"),
        ("pb-arnaque-sms", "pb-banque-agence"),
        ("logement-domiciliation", "droits-coffre-fort"),
        ("logement-connexion-residences", "equip-sim-solidaires"),
        ("lien-intergenerationnel", "edu-soutien-scolaire-visio"),
        ("lien-appels-isoles", "sante-teleassistance"),
        ("edu-ent-parents", "mobilite-transport-scolaire"),
        ("pb-pronote", "pb-franceconnect"),
        ("pb-horodateur", "y-qr-code-restaurant"),
        ("pb-candidatures", "y-bulletins-salaire"),
    ]
    merged = [
        (x, y)
        for x, y in apart
        if any(frozenset((a, b)) in together for a in by_label[x] for b in by_label[y])
    ]
    print(f"\nthird set, look-alike pairs merged: {len(merged)} of {len(apart)}: {merged}")
    assert len(merged) <= 5


def test_fourth_set() -> None:
    items = load_labelled_jsonl(DATA / "fourth-set.jsonl")
    assert len(items) == 142
    assert sum(1 for i in items if i.kind == "problem") == 30
    reports = {}
    for kind in ("proposal", "problem"):
        scored = Scored.of([i for i in items if i.kind == kind], min_score=MIN_SCORE)
        reports[kind] = scored.report(DEFAULT_THRESHOLD)
        r = reports[kind]
        print(
            f"\nfourth set, {kind}s: F1 {r.pairs.f1:.3f} (P {r.pairs.precision:.3f} "
            f"R {r.pairs.recall:.3f}) hit@5 {r.hit_at_5:.3f}"
        )
    baseline = Scored.of([i for i in items if i.kind == "proposal"], CharTfidf)
    base = baseline.report(baseline.best_threshold(GRID))
    print(f"char 3-5 TF-IDF baseline, proposals: hit@5 {base.hit_at_5:.3f} F1 {base.pairs.f1:.3f}")
    # Measured once (2026-12-03): proposals F1 0.71, hit@5 0.98; problems F1 0.63, hit@5 1.00.
    assert reports["proposal"].hit_at_5 >= 0.95
    assert reports["proposal"].hit_at_5 >= base.hit_at_5 + 0.1
    assert reports["proposal"].pairs.f1 >= 0.66
    assert reports["proposal"].pairs.f1 >= base.pairs.f1 + 0.25
    assert reports["problem"].hit_at_5 >= 0.95
    assert reports["problem"].pairs.f1 >= 0.58


def test_fourth_set_look_alikes_mostly_stay_apart() -> None:
    # The look-alikes listed in data/README.md for the fourth set; a guard, not a target.
    items = load_labelled_jsonl(DATA / "fourth-set.jsonl")
    by_label: dict[str, list[int]] = {}
    for item in items:
        by_label.setdefault(item.label, []).append(item.doc.id)
    together: set[frozenset[int]] = set()
    for kind in ("proposal", "problem"):
        clusters = suggest_clusters([i.doc for i in items if i.kind == kind], DEFAULT_THRESHOLD)
        together |= {frozenset((a, b)) for c in clusters for a in c.ids for b in c.ids if a != b}
    apart = [
        ("sante-carte-vitale-appli", "droits-identite-numerique"),
        ("pb-vitale-appli", "pb-identite-numerique"),
        ("droits-identite-numerique", "x-photo-identite-ephoto"),
        ("mobilite-wifi-transports", "connexion-wifi-mairies-villages"),
        ("mobilite-autopartage", "x-transport-pmr-telephone"),
        ("conso-points-relais", "conso-vente-occasion"),
        ("edu-esprit-critique", "comp-mots-de-passe"),
        ("pb-fausses-infos", "pb-compte-pirate"),
        ("emploi-interim-applis", "emploi-certification-pix"),
        ("emploi-interim-applis", "emploi-creation-entreprise"),
        ("edu-eleves-handicap", "equip-tablettes-simplifiees"),
        ("equip-tablettes-simplifiees", "x-domotique-seniors"),
        ("edu-cours-soir-colleges", "lien-parents-bebes"),
        ("edu-cours-soir-colleges", "comp-petites-associations"),
        ("logement-demenagement-adresse", "logement-suivi-energie"),
        ("droits-listes-electorales", "x-budget-participatif-papier"),
    ]
    merged = [
        (x, y)
        for x, y in apart
        if any(frozenset((a, b)) in together for a in by_label[x] for b in by_label[y])
    ]
    print(f"\nfourth set, look-alike pairs merged: {len(merged)} of {len(apart)}: {merged}")
    assert len(merged) <= 7  # 6 when measured
