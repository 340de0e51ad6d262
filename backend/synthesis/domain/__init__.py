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
stems); ``similarity`` builds stem, concept and character n-gram TF-IDF views
(``TfidfBackend``); ``semantic`` encodes texts with a multilingual sentence encoder shipped
inside a PyPI package (USE multilingual v3); ``hybrid`` combines the stem view and the centered
embeddings (``HybridBackend``, the default ``SimilarityBackend``; documents may carry their
stored embedding in ``Doc.embedding``); ``index`` keeps an incremental index; ``clustering``
runs average linkage over a k-nearest-neighbour graph; ``explain`` gives the shared terms and
concepts and a confidence; ``thesaurus`` maps phrases to general concepts of the domain (data in
``thesaurus_fr.tsv``, used for explanations); ``evaluation`` measures pairwise
precision/recall/F1, recall@k and hit rate, with cross-validation; ``decisions`` learns from
organizer decisions.
"""

from backend.synthesis.domain.clustering import (
    DEFAULT_THRESHOLD,
    Cluster,
    clusters_from_vectors,
    suggest_clusters,
)
from backend.synthesis.domain.decisions import Calibration, Decision, calibrate
from backend.synthesis.domain.explain import (
    Explanation,
    cluster_explanation,
    confidence,
    pair_explanation,
)
from backend.synthesis.domain.hybrid import HybridBackend, HybridMatrix
from backend.synthesis.domain.index import SimilarityIndex, build_index
from backend.synthesis.domain.semantic import (
    Encoder,
    default_encoder,
    encoder_input,
    vector_from_bytes,
    vector_to_bytes,
)
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
    "Encoder",
    "Explanation",
    "HybridBackend",
    "HybridMatrix",
    "SimilarityBackend",
    "SimilarityIndex",
    "TfidfBackend",
    "Weights",
    "build_index",
    "calibrate",
    "cluster_explanation",
    "clusters_from_vectors",
    "confidence",
    "default_encoder",
    "encoder_input",
    "pair_explanation",
    "suggest_clusters",
    "vector_from_bytes",
    "vector_to_bytes",
]
