"""LFR governance: from the Application to the Authority, the Watchlist, the command team, the
cancellation report, the register and the public transparency data (GOV-01 … GOV-16, WL-01 … WL-09).

Modules (each action takes a `Ctx` — session, acting user, profile, cipher, now — and writes one
audit record; refusals raise `frt.policy.PolicyRefusal` naming the rule):

- `applications`  Form 1 Part 1, locations, versioned documents, submission (GOV-01, GOV-02)
- `decisions`     NPCC consultation, the AO's decision, urgent review, verbal authority, further
                  purpose (GOV-03 … GOV-08)
- `authority_document`  the Written Authority Document as printable HTML
- `command`       command team, roster with training, tactical plan, Silver reviews, overt use
                  (GOV-09 … GOV-11)
- `deployments`   Deployment states and the runtime's read API (`get_view`, `may_run`)
- `bundle`        the encrypted Watchlist bundle format; `watchlists` imports it (WL-01 … WL-09)
- `reports`       the cancellation report, `ReportMetrics` and `MetricsProvider` (GOV-12)
- `transparency`  the register (GOV-13) and public data (GOV-14)
- `notices`       notifications, loss or theft (GOV-15), decisions outside policy (GOV-16)
- `worklists`     what waits for each person

Every change is an action of `frt.core.actions` (it checks who may do it and audits itself).

For the live runtime (`frt.lfr`): `deployments.get_view`, `deployments.may_run`,
`deployments.end_by_system`, `watchlists.load_for_recognition`, and
`reports.register_metrics_provider` for SOP 11.3 (b)–(i).
"""
