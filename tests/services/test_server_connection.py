"""The remembered clinic server (app.services.server_connection): URL round trip, the file
never holds a password."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from app.services.server_connection import (
    ConnectionSettingsError,
    ServerConnection,
    connection_file,
    load_connection,
    save_connection,
)


def test_a_network_server_url_carries_tls_and_the_ca_file():
    conn = ServerConnection(host="db.clinic.lan", database="clinic", user="nurse_station",
                            port=5433, tls="verify-full", ca_file="/etc/ssl/clinic-ca.pem")
    url = make_url(conn.url("pa:ss/w@rd"))
    assert (url.host, url.port, url.database, url.username) == ("db.clinic.lan", 5433,
                                                                "clinic", "nurse_station")
    assert url.password == "pa:ss/w@rd"
    assert url.query == {"sslmode": "verify-full", "sslrootcert": "/etc/ssl/clinic-ca.pem"}
    assert "pa:ss" not in conn.url()
    assert ServerConnection.from_url(conn.url("secret")) == conn


def test_a_socket_folder_is_passed_as_the_host_parameter():
    conn = ServerConnection(host="/tmp/dfu-pg-x", database="t1", user="postgres",
                            tls="disable")
    url = make_url(conn.url())
    assert url.host is None and url.query["host"] == "/tmp/dfu-pg-x"
    assert ServerConnection.from_url(conn.url()) == conn
    # the form the checks use: postgresql+psycopg://USER@/DB?host=SOCKET&port=PORT
    assert ServerConnection.from_url(
        "postgresql://postgres@/db?host=/run/pg&port=5499") == ServerConnection(
        host="/run/pg", database="db", user="postgres", port=5499)


@pytest.mark.parametrize("kwargs, word", [
    ({"host": " "}, "host"), ({"database": ""}, "database"), ({"user": ""}, "user"),
    ({"port": 0}, "port"), ({"tls": "allow"}, "TLS")])
def test_an_unusable_connection_says_which_part(kwargs, word):
    values = {"host": "h", "database": "d", "user": "u", **kwargs}
    with pytest.raises(ConnectionSettingsError, match=word):
        ServerConnection(**values)


def test_the_remembered_server_lives_in_the_user_config_folder_without_a_password(tmp_path):
    conn = ServerConnection(host="db.clinic.lan", database="clinic", user="front_desk",
                            tls="require")
    path = save_connection(conn)
    assert path == connection_file() and "config" in path.parts
    assert load_connection() == conn
    assert set(json.loads(path.read_text())) == {"host", "database", "user", "port", "tls",
                                                 "ca_file"}


def test_an_unreadable_file_is_no_remembered_server(tmp_path):
    path = tmp_path / "server.json"
    assert load_connection(path) is None
    path.write_text("{not json")
    assert load_connection(path) is None
    path.write_text(json.dumps({"host": "", "database": "d", "user": "u"}))
    assert load_connection(path) is None


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
                min_size=1, max_size=20)
passwords = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF),
                    min_size=1, max_size=30)


@given(host=names, database=names, user=names, password=passwords,
       port=st.integers(1, 65535), tls=st.sampled_from(["disable", "prefer", "require"]))
def test_url_round_trip_keeps_every_part_and_the_password_only_in_the_url(
        host, database, user, password, port, tls):
    conn = ServerConnection(host=host, database=database, user=user, port=port, tls=tls)
    url = conn.url(password)
    assert make_url(url).password == password
    assert ServerConnection.from_url(url) == conn
    assert make_url(conn.url()).password is None
