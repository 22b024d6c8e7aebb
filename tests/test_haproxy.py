"""deploy/haproxy.py: the configuration HAProxy gets (one server per app process, sticky by cookie,
health checks on /_stcore/health), checked by HAProxy itself, and the stats socket read back."""

from __future__ import annotations

import pytest

from deploy import haproxy


def test_the_configuration_names_every_process_and_haproxy_accepts_it(tmp_path):
    apps = [haproxy.App("app1", 41001), haproxy.App("app2", 41002), haproxy.App("app3", 41003)]
    text = haproxy.render(8501, apps, tmp_path / "haproxy.sock", bind="127.0.0.1")
    assert "bind 127.0.0.1:8501" in text
    for a in apps:
        assert f"server {a.name} 127.0.0.1:{a.port} cookie {a.name}" in text
    assert f"cookie {haproxy.COOKIE} insert indirect nocache" in text  # sticky: a session stays on its process
    assert "option httpchk GET /_stcore/health" in text and "http-check expect string ok" in text
    assert "timeout tunnel 1h" in text  # Streamlit's websocket outlives client/server timeouts
    assert "option redispatch" in text  # a request for a dead process goes to another
    assert f"stats socket {tmp_path / 'haproxy.sock'}" in text and "${" not in text
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(text)
    assert haproxy.check(cfg) is None


def test_a_broken_configuration_is_reported_in_haproxys_words(tmp_path):
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text("defaults\n    mode http\n    timeout tunnel forever\n")
    assert "tunnel" in haproxy.check(cfg)


def test_no_stats_socket_means_no_states(tmp_path):
    assert haproxy.backend_states(tmp_path / "nobody.sock") == {}


def test_the_front_of_several_machines_lists_every_process_of_each(tmp_path, capsys):
    apps = haproxy.parse_servers(["10.0.0.2:8601-8603", "10.0.0.3:8601"])
    assert [(a.name, a.host, a.port) for a in apps] == [
        ("10-0-0-2-8601", "10.0.0.2", 8601), ("10-0-0-2-8602", "10.0.0.2", 8602), ("10-0-0-2-8603", "10.0.0.2", 8603),
        ("10-0-0-3-8601", "10.0.0.3", 8601)]
    haproxy.main(["--port", "8080", "--socket", str(tmp_path / "s.sock"), "10.0.0.2:8601-8602"])
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(capsys.readouterr().out)
    assert "server 10-0-0-2-8602 10.0.0.2:8602 cookie 10-0-0-2-8602" in cfg.read_text()
    assert haproxy.check(cfg) is None
    with pytest.raises(SystemExit, match="HOST:FIRST-LAST"):
        haproxy.parse_servers(["10.0.0.2:8603-8601"])
