// AgonStore — see DESIGN.md module table.
