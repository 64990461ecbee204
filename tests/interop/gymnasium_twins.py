"""Gymnasium's own envs whose ids this server has built in, as factories (``--python-env Gym-Acrobot-v1=gymnasium_twins:acrobot``),
so compare_gymnasium_envs.py can serve Gymnasium's Python code beside the built-in twins under another id."""

import gymnasium


def acrobot(**kwargs):
    return gymnasium.make("Acrobot-v1", **kwargs)


def mountain_car_continuous(**kwargs):
    return gymnasium.make("MountainCarContinuous-v0", **kwargs)
