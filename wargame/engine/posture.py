"""What a unit is doing with its orders; shared by units and commanders."""

from enum import Enum


class Posture(Enum):
    ATTACK = "attack"
    HOLD = "hold"
    WITHDRAW = "withdraw"
