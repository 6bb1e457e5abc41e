"""Passes over the IR, one verb_object per module."""
