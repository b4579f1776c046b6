"""Quizzes: questions posted on a schedule, answers read from comments and graded (service.py)."""
