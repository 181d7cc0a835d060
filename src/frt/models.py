"""Every model module, imported once so Base.metadata knows all tables (migrations, tests)."""

import frt.audit.models  # noqa: F401
import frt.eval.models  # noqa: F401
import frt.governance.models  # noqa: F401
import frt.governance.oversight_models  # noqa: F401
import frt.governance.watchlist_models  # noqa: F401
import frt.lfr.models  # noqa: F401
import frt.people.inbox  # noqa: F401
import frt.people.models  # noqa: F401
import frt.retention.models  # noqa: F401
import frt.rfr.models  # noqa: F401
import frt.store.meta  # noqa: F401
