"""The duties' rules, one module per duty, each written once over many schools.

``frame`` holds the many-school frame and day numbers every duty uses; ``requests``
(response times), ``meetings`` (termly review coverage, written records),
``annual_reviews`` and ``capacity`` hold one duty each; ``register`` the register over
time (flows and the January census); ``overview`` computes them all
together for a trust's schools.
"""
