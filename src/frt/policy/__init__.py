"""Force policy: profiles (data) and the rules that read them. Imports nothing else of FRT."""

from frt.policy.decision import Decision, PolicyRefusal, require
from frt.policy.profile import Profile, ProfileError, load_profile
from frt.policy.ranks import Rank

__all__ = [
    "Decision",
    "PolicyRefusal",
    "Profile",
    "ProfileError",
    "Rank",
    "load_profile",
    "require",
]
