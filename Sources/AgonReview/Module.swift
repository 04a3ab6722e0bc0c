// AgonReview — see DESIGN.md module table.
