"""Layer 10, the live page: the model to watch and poke in Mesa's SolaraViz (``app.py``).

:mod:`.model` is the model the page builds (the knobs of :mod:`simulation.config.knobs`, with
those the chosen design lacks set aside and said); :mod:`.figures` draws it with matplotlib
(pure functions of a model, testable without a browser); :mod:`.page` puts them on a SolaraViz
page. Nothing here is imported by the lower layers.
"""
