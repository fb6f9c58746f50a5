"""Analysis over many runs: experiment files, the batch, its results, reports, and the score
of a theatre's runs against its history."""
