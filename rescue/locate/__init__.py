"""Locate a caller from what they say: ranked segments, evidence, questions to ask."""
