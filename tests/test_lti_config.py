"""exercises/lti/config.py: the platforms file is checked with messages that say what to fix; the tool's
key is made once (owner-only), kept, and published as a JWKS whose kid is the one pylti1p3 signs with."""

from __future__ import annotations

import stat
import textwrap

import jwt
import pytest
from pylti1p3.registration import Registration

from exercises.lti import config

GOOD = textwrap.dedent("""
    [[platform]]
    name = "Canvas"
    issuer = "https://canvas.instructure.com"
    client_id = "1001"
    deployment_ids = ["1:abc"]
    auth_login_url = "https://sso.canvaslms.com/api/lti/authorize_redirect"
    auth_token_url = "https://sso.canvaslms.com/login/oauth2/token"
    key_set_url = "https://sso.canvaslms.com/api/lti/security/jwks"

    [[platform]]
    issuer = "https://moodle.uni.example"
    client_id = "abc"
    deployment_ids = ["2", "3"]
    auth_login_url = "https://moodle.uni.example/mod/lti/auth.php"
    auth_token_url = "https://moodle.uni.example/mod/lti/token.php"
    key_set_url = "https://moodle.uni.example/mod/lti/certs.php"
""")


def test_platforms_are_read_and_become_pylti1p3_settings(tmp_path):
    path = tmp_path / "platforms.toml"
    path.write_text(GOOD)
    canvas, moodle = config.load_platforms(path)
    assert (canvas.name, canvas.client_id, canvas.deployment_ids) == ("Canvas", "1001", ("1:abc",))
    assert moodle.name == "https://moodle.uni.example" and moodle.deployment_ids == ("2", "3")
    conf = config.tool_conf_dict([canvas, moodle])
    assert conf["https://canvas.instructure.com"][0]["client_id"] == "1001"
    assert conf["https://moodle.uni.example"][0]["deployment_ids"] == ["2", "3"]


@pytest.mark.parametrize("text, message", [
    ("", "registers no platform"),
    ('[[platform]]\nissuer = "x"\n', "has no client_id"),
    (GOOD.replace('deployment_ids = ["1:abc"]', "deployment_ids = []"), "has no deployment_ids"),
    (GOOD.replace("https://sso.canvaslms.com/login", "ftp://sso"), "must be a web address"),
    (GOOD.replace('"https://moodle.uni.example"\nclient_id = "abc"', '"https://canvas.instructure.com"\n'
                  'client_id = "1001"'), "a second time"),
    ("[[platform]\n", "platforms.toml"),
])
def test_a_bad_platforms_file_says_what_to_fix(tmp_path, text, message):
    path = tmp_path / "platforms.toml"
    path.write_text(text)
    with pytest.raises(config.LtiConfigError, match=message):
        config.load_platforms(path)


def test_no_platforms_file_means_no_lti_and_the_plain_entry_point(monkeypatch):
    monkeypatch.delenv("ATTENTION_LAB_LTI_PLATFORMS", raising=False)
    assert config.load_platforms() == [] and config.entry_script() == "streamlit_app.py"
    monkeypatch.setenv("ATTENTION_LAB_LTI_PLATFORMS", "/somewhere/platforms.toml")
    assert config.entry_script() == "lti_app.py"


def test_the_tool_key_is_made_once_owner_only_and_published(tmp_path, monkeypatch):
    key = tmp_path / "keys" / "tool.pem"
    key.parent.mkdir()
    monkeypatch.setenv("ATTENTION_LAB_LTI_KEY", str(key))
    pem = config.private_key()
    assert key.read_text() == pem and stat.S_IMODE(key.stat().st_mode) == 0o600
    config._load_or_create.cache_clear()
    assert config.private_key() == pem  # kept: the LMS has its public half
    assert [p.name for p in key.parent.iterdir()] == ["tool.pem"]  # no temporary file left
    published = config.jwks()["keys"][0]
    assert published["kid"] == Registration().set_tool_public_key(config.public_pem()).get_kid()
    token = jwt.encode({"hello": "lms"}, pem, algorithm="RS256", headers={"kid": published["kid"]})
    public = jwt.PyJWK(published).key
    assert jwt.decode(token, public, algorithms=["RS256"]) == {"hello": "lms"}


def test_the_default_key_sits_beside_the_sqlite_gradebook(tmp_path, monkeypatch):
    monkeypatch.delenv("ATTENTION_LAB_LTI_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ATTENTION_LAB_DB", str(tmp_path / "class" / "gradebook.sqlite3"))
    assert config.key_path() == (tmp_path / "class" / config.KEY_FILE).resolve()
