"""Pipeline: the driver of the chain scenario -> sense -> gate -> track -> assess -> warn.

* :func:`~.simulate.run_simulation` -- truth, sensor feeds, the stream gate (chunks of
  :data:`~.simulate.CHUNK_S` seconds, reorder window :data:`~.simulate.REORDER_WINDOW_S`), the
  tracker and its score (``launchwatch simulate``).
* :func:`~.chain.run_chain` -- the above, then assessment and the warning policy, scored against
  truth (``launchwatch simulate --assess``).

``simulate``, the service's live runs and partner nodes are adapters over this package.
"""
