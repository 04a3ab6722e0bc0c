// AgonGit — see DESIGN.md module table.
