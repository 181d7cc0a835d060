"""FRT: Live and Retrospective Facial Recognition inside the governance UK police policy sets."""

__version__ = "0.1.0"
