"""The classroom game: human teams command factions turn by turn, under fog, with an umpire."""
