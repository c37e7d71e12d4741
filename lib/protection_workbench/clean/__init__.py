"""Cleaning library: read messy exports and turn them into canonical, typed frames."""
