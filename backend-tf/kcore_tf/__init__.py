"""kcore's TensorFlow backend. Importing this package imports no TensorFlow: the
descriptor is light and :mod:`kcore_tf.backend` is loaded only when the backend is
selected."""

__version__ = "0.1.0"
