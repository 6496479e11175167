"""The live page as a Solara app: ``service-chain live`` serves it."""

from simulation.live.page import page as make_page

page = make_page()
