"""Round 2: the shipped docker-compose.yml trusts X-Forwarded-For only because a proxy that sets it is the
only published way in (Docker does not run here: the file is read, not started)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_only_the_proxy_publishes_a_port() -> None:
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert services["proxy"]["image"].startswith("caddy")
    assert {str(p).split(":")[-1] for p in services["proxy"]["ports"]} == {"80", "443"}
    assert services["app"].get("expose") == ["8000"]


def test_the_app_trusts_exactly_the_one_proxy_and_no_variable_can_raise_it() -> None:
    for name in ("app", "worker"):
        env = compose()["services"][name]["environment"]
        assert env["COMPETENCY_TRUSTED_PROXIES"] == "1"


def test_the_proxy_forwards_to_the_app_and_sets_the_forwarded_headers_itself() -> None:
    proxy = compose()["services"]["proxy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert re.search(r"reverse_proxy\s+app:8000", caddyfile)
    for header, value in (
        ("X-Forwarded-For", "{remote_host}"),
        ("X-Forwarded-Proto", "{scheme}"),
        ("X-Forwarded-Host", "{host}"),
    ):
        assert re.search(rf"header_up\s+{header}\s+{re.escape(value)}", caddyfile), header


def test_the_readme_says_why_the_app_port_stays_unpublished() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "Only the proxy publishes ports" in readme and "COMPETENCY_TRUSTED_PROXIES=1" in readme
