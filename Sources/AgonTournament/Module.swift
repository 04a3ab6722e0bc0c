// AgonTournament — see DESIGN.md module table.
