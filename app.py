"""The live page: ``solara run app.py`` (or ``service-chain live``), then open the address shown.

Step runs one working day, Play keeps stepping, Reset builds the model again from the controls
(design, knobs, seed). The page is :mod:`simulation.live.page`; to make your own, copy this file
and pass ``make_page`` a model of your own (a subclass of ``LiveModel`` with your ``Employee``).
"""

from simulation.live.page import page as make_page

page = make_page()
