"""Pure algorithms of the synthesis: similarity, clustering, scoring. No Django import.

Similarity API (stable, called by the Django layer)::

    from backend.synthesis.domain import Doc, build_index, suggest_clusters, DEFAULT_THRESHOLD

    index = build_index(Doc(id=p.id, title=p.title, body=p.body) for p in proposals)
    index.nearest(title, body, k=5, exclude_ids={draft_id})   # [(id, cosine), ...] best first
    index.add(Doc(id, title, body)); index.remove(id)           # incremental, no refit per query
    pickle.dumps(index)                                          # cacheable per consultation

    clusters = suggest_clusters(docs, threshold=DEFAULT_THRESHOLD, on_progress=callback)
    # [Cluster(ids=(3, 8, 14), cohesion=0.41, representative_id=8), ...] largest first,
    # singletons omitted unless include_singletons=True; callback(done, total).

    calibration = calibrate(decisions, index.similarity)         # organizer merge decisions
    suggest_clusters(docs, calibration.threshold, must_link=calibration.must_link,
                     cannot_link=calibration.cannot_link)

How it works: ``text`` normalizes French (accents, elisions, SMS spellings, stop words, Snowball
stems); ``thesaurus`` maps phrases to concepts of the digital-inclusion domain (data in
``thesaurus_fr.tsv``); ``similarity`` builds stem, concept and character n-gram TF-IDF views and
combines them into one L2-normalized sparse vector (``TfidfBackend``, behind the
``SimilarityBackend`` protocol so that an embedding model can replace it); ``index`` keeps an
incremental index; ``clustering`` runs average linkage over a sparse k-nearest-neighbour graph;
``evaluation`` measures pairwise precision/recall/F1 and recall@k; ``decisions`` learns from
organizer decisions.
"""

from backend.synthesis.domain.clustering import (
    DEFAULT_THRESHOLD,
    Cluster,
    clusters_from_vectors,
    suggest_clusters,
)
from backend.synthesis.domain.decisions import Calibration, Decision, calibrate
from backend.synthesis.domain.index import SimilarityIndex, build_index
from backend.synthesis.domain.similarity import (
    Doc,
    SimilarityBackend,
    TfidfBackend,
    Weights,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "Calibration",
    "Cluster",
    "Decision",
    "Doc",
    "SimilarityBackend",
    "SimilarityIndex",
    "TfidfBackend",
    "Weights",
    "build_index",
    "calibrate",
    "clusters_from_vectors",
    "suggest_clusters",
]
