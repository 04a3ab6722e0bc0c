// AgonReport — see DESIGN.md module table.
