"""Classroom mode: teams of cadres each run the branch of the same village, round by round (see docs/classroom.md)."""
