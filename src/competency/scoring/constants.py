"""The thresholds DESIGN.md's scoring rules name, in one place."""

#: An area is scored only when at least this share of its item weight is answered.
MIN_ANSWERED_SHARE = 0.5
#: Every comparison with a target or a threshold allows this much, so float sums never decide a result.
TOLERANCE = 1e-9
#: Strengths and top gaps listed.
TOP_N = 3
#: |manager - self| from which a difference is flagged as a blind spot.
BLIND_SPOT_DELTA = 1.0
