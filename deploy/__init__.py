"""A class server: HAProxy in front of several app processes sharing one PostgreSQL gradebook, started
by one command (./run_class.sh, i.e. python -m deploy.class_server). See README "Running a class"."""
