# expect: division 8
# The guard on the period is `>=` where it had to be `>`.
from tamapy.fw import i16


def wrap(angle: i16, period: i16) -> i16:
    if period >= 0:
        return angle % period  # bug: the guard admits period == 0
    return angle
