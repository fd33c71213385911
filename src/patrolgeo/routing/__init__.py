"""Patrol and cleaning routes over road segments.

Modules: ``postman`` (Chinese, rural, directed and mixed postman tours), ``verify``
(an independent route checker), ``capacitated`` (shifts, capacities, time windows with
PyVRP) and ``carp`` (CARPLIB instances).
"""
