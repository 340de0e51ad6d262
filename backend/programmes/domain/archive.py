"""The regional plan's open-data files, and the roll-ups recomputed from them.

`rollups_from_files` is how anyone checks a published figure: it reads only the archive's
CSV files and applies the same rule (domain/rollup.py) as the publisher.
"""

import csv
import io
from collections.abc import Mapping

from backend.programmes.domain import rollup as rollup_math

FILES = {
    "rounds.csv": ("consultation_id", "title", "territory", "departement", "is_pilot"),
    "regional_actions.csv": (
        "id",
        "rank",
        "title",
        "themes",
        "decision",
        "public_answer",
        "contributions",
        "territorial_actions",
        "territories_raised",
        "distinct_contributors",
        "distinct_supporters",
        "distinct_people",
        "distinct_structures",
        "cost_estimate_eur",
        "funded_eur",
        "lead_structure",
        "starts_on",
        "ends_on",
        "status",
        "progress_percent",
    ),
    "regional_sources.csv": (
        "regional_action_id",
        "source_id",
        "candidate_action_id",
        "contribution_id",
        "consultation_id",
        "justification",
    ),
    "territorial_actions.csv": ("id", "consultation_id", "title", "decision"),
    "territorial_action_sources.csv": ("candidate_action_id", "contribution_id"),
    "contributions.csv": (
        "id",
        "consultation_id",
        "kind",
        "theme",
        "title",
        "author",
        "structure_id",
        "structure_type",
    ),
    "supports.csv": ("contribution_id", "supporter", "structure_id", "structure_type"),
    "funders.csv": (
        "id",
        "name",
        "envelope_eur",
        "committed_eur",
        "remaining_eur",
        "is_over_budget",
    ),
    "funding_lines.csv": ("regional_action_id", "funder_id", "amount_eur", "fits_envelope"),
    "milestones.csv": ("id", "regional_action_id", "title", "due_on", "reached_on"),
    "indicators.csv": (
        "indicator_id",
        "regional_action_id",
        "name",
        "unit",
        "target_value",
        "measured_on",
        "value",
    ),
    "follow_up.csv": ("at", "regional_action_id", "kind", "note", "data"),
}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _int_or_none(value: str) -> int | None:
    return int(value) if value else None


def rollups_from_files(files: Mapping[str, str]) -> dict[int, rollup_math.Rollup]:
    """Every regional action's figures from rounds-independent CSV files of the archive."""
    sources_of_action: dict[int, set[int]] = {}
    for row in _rows(files["territorial_action_sources.csv"]):
        sources_of_action.setdefault(int(row["candidate_action_id"]), set()).add(
            int(row["contribution_id"])
        )
    action_round = {
        int(row["id"]): int(row["consultation_id"])
        for row in _rows(files["territorial_actions.csv"])
    }
    facts = {
        int(row["id"]): rollup_math.ContributionFact(
            id=int(row["id"]),
            round=int(row["consultation_id"]),
            theme=row["theme"],
            author=row["author"] or None,
            structure=_int_or_none(row["structure_id"]),
            structure_type=row["structure_type"] or None,
        )
        for row in _rows(files["contributions.csv"])
    }
    supports: dict[int, list[rollup_math.SupportFact]] = {}
    for row in _rows(files["supports.csv"]):
        cid = int(row["contribution_id"])
        supports.setdefault(cid, []).append(
            rollup_math.SupportFact(
                contribution=cid,
                person=row["supporter"],
                structure=_int_or_none(row["structure_id"]),
                structure_type=row["structure_type"] or None,
            )
        )
    linked_actions: dict[int, list[int]] = {}
    linked_contributions: dict[int, list[int]] = {}
    for row in _rows(files["regional_sources.csv"]):
        regional = int(row["regional_action_id"])
        if row["candidate_action_id"]:
            linked_actions.setdefault(regional, []).append(int(row["candidate_action_id"]))
        else:
            linked_contributions.setdefault(regional, []).append(int(row["contribution_id"]))
    result = {}
    for row in _rows(files["regional_actions.csv"]):
        regional = int(row["id"])
        result[regional] = rollup_math.rollup(
            contributions=rollup_math.reached_contributions(
                direct=linked_contributions.get(regional, []),
                territorial_actions=linked_actions.get(regional, []),
                sources_of_action=sources_of_action,
            ),
            territorial_actions=linked_actions.get(regional, []),
            action_round=action_round,
            facts=facts,
            supports=supports,
        )
    return result


README_FR = """# Plan d'action régional « {title} » — version {number}

Données ouvertes publiées sous la Licence Ouverte 2.0 (Etalab), voir LICENCE.txt.
Publiée le {published_at}. Empreinte SHA-256 du plan (JSON canonique) : {sha256}.

Toutes les personnes y sont désignées par un pseudonyme propre à cette archive : ni nom,
ni adresse électronique. Les auteurs (`a1`, `a2`…) et les soutiens (`s1`, `s2`…, qui
comprennent des bulletins de vote) sont numérotés séparément : un soutien ne peut pas être
rattaché à un auteur. Seules les contributions publiées y figurent.

## Fichiers
- `plan.json` : le plan figé (schéma : frontend-contract/regional-plan.schema.json).
- `rounds.csv` : les concertations territoriales du programme (consultation_id, titre,
  territoire, département, pilote).
- `regional_actions.csv` : une ligne par action régionale, avec son rang de priorité, ses
  chiffres consolidés, son coût, son financement et son suivi.
- `regional_sources.csv` : les liens de chaque action régionale vers une action
  territoriale (`candidate_action_id`) ou directement vers une contribution.
- `territorial_actions.csv` : toutes les actions candidates des concertations.
- `territorial_action_sources.csv` : les contributions dont part chaque action territoriale
  (liens directs et membres actifs des regroupements).
- `contributions.csv` : contributions publiées (auteur en pseudonyme, structure et type).
- `supports.csv` : soutiens (« nous aussi » et votes de soutien) : contribution, personne
  (pseudonyme), structure au nom de laquelle elle soutient.
- `funders.csv`, `funding_lines.csv` : enveloppes par financeur, montants engagés, et pour
  chaque ligne si elle tient dans l'enveloppe selon la règle « ce qui rentre ».
- `coverage.csv`, `coverage.svg` : couverture thème x territoire.
- `milestones.csv`, `indicators.csv`, `follow_up.csv` : suivi (jalons, indicateurs, journal).
- `annexes/territoire-<consultation_id>.csv` : annexe de chaque territoire.

## Recalculer les chiffres
Pour une action régionale : prendre ses liens dans `regional_sources.csv` ; les contributions
atteintes sont celles liées directement et celles de ses actions territoriales
(`territorial_action_sources.csv`), limitées aux contributions publiées
(`contributions.csv`). Territoires : concertations des actions territoriales liées et des
contributions atteintes. Personnes distinctes : auteurs et soutiens, chacun compté une fois.
Structures distinctes : celles des contributions et celles au nom desquelles on soutient.
Rang : territoires (décroissant), personnes (décroissant), structures (décroissant), coût
(croissant), identifiant (croissant). « Ce qui rentre » : pour chaque financeur, on parcourt
les actions dans l'ordre du rang et on garde chaque ligne qui tient encore dans l'enveloppe.
"""
