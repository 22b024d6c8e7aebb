"""The exercise bank: families (exercises/families), answer parsing and grading (base), assignments
(assignments), what a page calls to show and grade a student's exercise (practice), and the gradebook
(store).

REGISTRY lists every family module, in the order of the lectures' topics; BY_ID maps ID -> module.
"""

from importlib import import_module
from types import ModuleType

FAMILIES = (
    "attention_weights",  # 1. self-attention weights (ICE #1)
    "qkv_projection",  # 2. Q, K and V projections
    "softmax_row",  # 3. softmax of a score row, scaling by sqrt(d_k)
    "causal_mask",  # 4. the causally masked weight matrix
    "multi_head_shapes",  # 5. d_k, per-head and concat shapes, parameter counts
    "embedding_dims",  # 6. embedding dimensions (ICE #3, the emotion-detection ICE)
    "pooling",  # 7. CLS / mean / max pooling with an attention mask
    "cosine_similarity",  # 8. cosine similarity, the closest candidate
    "mlm_cross_entropy",  # 9. MLM cross-entropy, binary cross-entropy
    "positional_encoding",  # 10. PE(pos, 2i) and PE(pos, 2i+1)
    "layer_norm",  # 11. layer normalization of a vector
    "two_tower",  # 12. two-tower retrieval with in-batch negatives
    "concepts",  # 13. concept questions from the slides
)

REGISTRY: list[ModuleType] = [import_module(f"exercises.families.{name}") for name in FAMILIES]
BY_ID: dict[str, ModuleType] = {m.ID: m for m in REGISTRY}
