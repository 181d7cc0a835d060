"""The service core every domain package builds on (see docs/architecture.md):

- `actions`    `@action(...)`, `acting(store, who)`, `perform(...)`: declared actions that check
               role, training and object access, and audit themselves
- `context`    `Ctx`, what an action runs with; `choice` for enum input
- `errors`     `InputError`, `NotFound`, `UnauditedChange`
- `invariant`  the store refuses to commit a change without an audit record
"""
