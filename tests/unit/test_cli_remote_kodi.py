"""The runner and a Kodi on another machine: two-way over plain http is warned about once per
run, in words; an https:// Kodi has its certificate verified (a self-signed one with the CA
given by --kodi-ca), and one that cannot be verified is refused in words."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest

from tests.fakes.fake_kodi_http import FakeKodiWebServer

from .cli_env import PASSWORD, Cli

WARNING = "warning: two-way sync talks to the Kodi at"
REMOTE = "http://kodi.invalid:8080"  # never resolves: the run stops at Kodi, after the warning


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Path:
    """A throwaway CA, and a certificate it signed for 127.0.0.1 (as for a reverse proxy)."""
    folder = tmp_path_factory.mktemp("tls")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=Throwaway test CA", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", "ca.key", "-out", "ca.pem", cwd=folder)  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", "kodi.key", "-out", "kodi.csr", cwd=folder)  # fmt: skip
    # as docs/RUNNER-TLS.md: Python 3.13+ verifies strictly (a CA's key usage, key identifiers)
    (folder / "san.ext").write_text(
        "subjectAltName=IP:127.0.0.1\nauthorityKeyIdentifier=keyid,issuer\n"
    )
    openssl("x509", "-req", "-in", "kodi.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "kodi.pem",
            cwd=folder)  # fmt: skip
    return folder


@pytest.fixture
def https_kodi(cli: Cli, certs: Path):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs / "kodi.pem", certs / "kodi.key")
    with FakeKodiWebServer(cli.kodi, password=PASSWORD, tls=context) as web:
        yield web


def test_two_way_to_a_kodi_on_another_machine_over_plain_http_is_warned_once(cli: Cli):
    cli.sign_in("media:read media:write")
    result = cli("sync", "--two-way", SIMKL_RATINGS_KODI_URL=REMOTE)
    assert result.err.count(WARNING) == 1
    line = next(line for line in result.err.splitlines() if line.startswith(WARNING))
    assert "kodi.invalid over plain http" in line
    assert "ratings that two-way then sends to your Simkl account" in line
    assert "can read the Kodi password" in line
    assert result.code == 5  # and then Kodi was not reached, said as ever


@pytest.mark.parametrize("command", ["sync", "preview"])
def test_two_way_from_the_config_or_the_environment_is_warned_about_too(cli: Cli, command):
    result = cli(command, SIMKL_RATINGS_KODI_URL=REMOTE, SIMKL_RATINGS_TWO_WAY="true")
    assert result.err.count(WARNING) == 1


def test_no_warning_without_two_way(cli: Cli):
    cli.sign_in()
    result = cli("sync", SIMKL_RATINGS_KODI_URL=REMOTE)
    assert WARNING not in result.err


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.0.1.1"])
def test_no_warning_for_this_machine(cli: Cli, host):
    url = cli.web.url.replace("127.0.0.1", host)
    result = cli("sync", "--two-way", SIMKL_RATINGS_KODI_URL=url)
    assert WARNING not in result.err


def test_a_kodi_behind_https_is_refused_when_its_certificate_cannot_be_verified(
    cli: Cli, https_kodi
):
    cli.sign_in("media:read media:write")
    result = cli("sync", "--two-way", SIMKL_RATINGS_KODI_URL=https_kodi.url)
    assert result.code == 5
    assert f"the certificate of {https_kodi.url}/jsonrpc could not be verified" in result.err
    assert "--kodi-ca FILE" in result.err
    assert https_kodi.posts == 0  # nothing, the password above all, went over that connection
    assert WARNING not in result.err
    assert cli.sandbox.request_count("/sync") == 0


def test_with_its_ca_a_kodi_behind_https_syncs_and_two_way_is_not_warned_about(
    cli: Cli, https_kodi, certs
):
    cli.sign_in("media:read media:write")
    ca = str(certs / "ca.pem")
    result = cli("sync", "--two-way", "--kodi-ca", ca, SIMKL_RATINGS_KODI_URL=https_kodi.url)
    assert result.code == 0, result.err
    assert WARNING not in result.err
    assert https_kodi.posts > 0
    assert cli.ratings()["Maleficent"] == 6
    from_env = cli("sync", SIMKL_RATINGS_KODI_URL=https_kodi.url, SIMKL_RATINGS_KODI_CA=ca)
    assert from_env.code == 0, from_env.err


def test_a_ca_file_from_the_environment_wins_over_requests_own_variable(
    cli: Cli, https_kodi, certs, monkeypatch
):
    """REQUESTS_CA_BUNDLE (set for something else) must not replace the CA file given."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certs / "kodi.key"))  # not a CA at all
    cli.sign_in()
    result = cli("sync", "--kodi-ca", str(certs / "ca.pem"), SIMKL_RATINGS_KODI_URL=https_kodi.url)
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    ("url", "ca", "words"),
    [
        ("http://192.0.2.7:8080", "ca.pem", "needs an https:// Kodi address"),
        ("https://127.0.0.1:9", "missing.pem", "cannot be read"),
    ],
)
def test_an_unusable_ca_file_is_a_usage_error(cli: Cli, certs, url, ca, words):
    result = cli("sync", "--kodi-ca", str(certs / ca), SIMKL_RATINGS_KODI_URL=url)
    assert result.code == 2
    assert words in result.err
