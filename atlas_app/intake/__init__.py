"""Intake: a file becomes valid, located records — reading, column mapping, validation, duplicates, upload memory, the import pipeline."""
