// AgonConsensus — see DESIGN.md module table.
