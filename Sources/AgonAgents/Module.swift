// AgonAgents — see DESIGN.md module table.
