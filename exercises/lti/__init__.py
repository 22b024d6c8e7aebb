"""LTI 1.3 (LTI Advantage): Attention Lab as a tool inside a course's LMS (Canvas, Moodle, ...), through
pylti1p3 (the maintained fork, PyPI `pylti1p3next`), with its state in the gradebook's database.

    config.py     the platforms registered (ATTENTION_LAB_LTI_PLATFORMS, a TOML) and the tool's key pair
    tables.py     the LTI tables beside the gradebook's: nonces and states, hand-offs, links, the outbox
    storage.py    pylti1p3's request, cookie and launch-data adapters, over the gradebook's database
    launch.py     login initiation and launch: a validated launch becomes a one-time hand-off token
    deep_link.py  deep linking: an assignment (or one exercise) as a content item with its line item
    outbox.py     Assignment and Grade Services: scores queued in the gradebook, sent by a worker

This package never imports streamlit.
"""
