"""The sandbox network: a built-in simulated network with a simulated audience (docs/sandbox.md).

Public entry points:

- `adapter.SandboxAdapter(account)` - the network behind the adapter protocol;
- `adapter.connect(handle, profile, ...)` - open an account, get what a channel stores;
- `faults` - make an account fail on purpose (rate limits, 5xx, lost answers, revoked tokens);
- `admin` - the true audience activity, backfilling history, deleting accounts, clearing caches.

Nothing is imported here, so that importing the sandbox's tables (socialdesk.models does) does not
load the simulation.
"""
