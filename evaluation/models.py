# Suites, checkpoints and evaluation runs arrive with the evaluation issue (#3).
