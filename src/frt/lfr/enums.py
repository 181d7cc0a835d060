"""Choices recorded by the live system (the documents' terms)."""

from __future__ import annotations

from enum import Enum


class Assessment(str, Enum):
    """The operator's assessment of an Alert (000 §10.5(a))."""

    POSSIBLE_MATCH = "possible_match"
    NOT_A_MATCH = "not_a_match"
    UNSURE = "unsure"


class Decision(str, Enum):
    """Whether to Engage (000 §10.5(b), §10.8): always a person's decision."""

    ENGAGE = "engage"
    NO_ENGAGEMENT = "no_engagement"


class Outcome(str, Enum):
    """What an Engagement showed (000 §10.5(c), §11.3(d)–(g))."""

    CONFIRMED_TRUE = "confirmed_true"
    CONFIRMED_FALSE = "confirmed_false"
    NOT_ENGAGED = "not_engaged"  # no engagement took place (unconfirmed)
    NOT_CONFIRMED = "not_confirmed"  # engaged, identity not established


class CameraState(str, Enum):
    """A Deployment camera's lease (frt.lfr.leases)."""

    IDLE = "idle"  # waiting for a worker: not started, released, or its worker died
    RUNNING = "running"  # a worker holds the lease and heartbeats
    FINISHED = "finished"  # the source ended (a recorded file): nobody claims it again
