"""``kcore.utils``: Keras 3's utilities (model plotting so far; the training issue adds
the data utilities).

Example::

    >>> kcore.utils.plot_model(model, "model.dot")   # doctest: +SKIP
"""

from kcore.models.summary import print_summary
from kcore.utils.model_visualization import model_to_dot, plot_model

__all__ = ["model_to_dot", "plot_model", "print_summary"]
