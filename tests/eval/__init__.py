"""Evaluation harness of people resolution (run with python -m tests.eval.run_eval)."""
