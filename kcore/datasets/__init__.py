"""``kcore.datasets``: Keras's small datasets, downloaded once into kcore's cache
(``$KCORE_HOME/datasets``, default ``~/.kcore/datasets``) and checked against their
checksums; plus ``digits``, shipped inside kcore, which works offline.

``mnist``, ``fashion_mnist``, ``cifar10``, ``cifar100``, ``imdb``, ``reuters``,
``boston_housing``, ``california_housing`` and ``digits`` each have ``load_data``. On a
machine without network access the error names the URL and the file to place in the
cache.

Example::

    >>> (x_train, y_train), (x_test, y_test) = kcore.datasets.digits.load_data()
    >>> x_train.dtype, y_train[:5].tolist()   # doctest: +SKIP
    (dtype('uint8'), [...])
"""

from kcore.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    digits,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

__all__ = [
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "digits",
    "fashion_mnist",
    "imdb",
    "mnist",
    "reuters",
]
