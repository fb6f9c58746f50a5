"""Analysis over many runs: what the model's runs say about a theatre, read against sources."""
