"""Campaigns: many randomized engagements, each run through the whole chain and scored.

A campaign *spec* (:mod:`.spec`, YAML) holds distributions over the threat, the sensor laydown and
the chain's options.  Engagement ``i`` of a campaign with seed ``s`` is drawn by
:func:`.generate.generate` from ``numpy.random.SeedSequence(s, spawn_key=(i,))`` -- the same
stream ``SeedSequence(s).spawn(n)[i]`` gives -- into an ordinary
:class:`~launchwatch.sense.scenario.Scenario` (so ``--replay`` writes a file that ``launchwatch
simulate`` runs), flown through :func:`launchwatch.pipeline.chain.run_chain` and scored against
its truth (:mod:`.score`).  :mod:`.execute` runs the engagements on Dask (a LocalCluster or an
existing scheduler), keeps every finished one on disk for ``--resume`` and writes the report
(:mod:`.report`: summary JSON, Parquet tables, an offline HTML page).
"""
