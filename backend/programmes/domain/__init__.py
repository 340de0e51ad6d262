"""Pure parts of the regional programme: stages and the policy matrix, roll-ups, budgets and
the "what fits" ranking, coverage, follow-up rules, the frozen plan's files. No Django import."""
