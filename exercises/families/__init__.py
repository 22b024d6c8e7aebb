"""Exercise families: one module per family, each following the contract in exercises.base
(ID, TITLE, TOPIC, MISTAKES, generate, prompt, solve, grade) and passing exercises.base.check_family."""
