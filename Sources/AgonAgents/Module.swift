// AgonAgents — processes and harnesses; see docs/ARCHITECTURE.md.
