"""Sync logic shared by both directions: matching, planning, policy, state, run, report."""
