"""The README's deployment, run: Debian's nginx with the README's configuration (ip_hash,
WebSocket upgrade) in front of two processes on PostgreSQL and Redis. Members connect
through it over WebSocket and long-polling; the process nginx sends them to is killed; they
reconnect through nginx to the other one and catch up."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import requests

from ..conftest import ROOT, free_port
from .conftest import Writers, start_servers, stored_once, wait_until

pytestmark = pytest.mark.slow

SLUG = "metropole"


def readme_nginx() -> str:
    """The nginx block of README.md, as an operator would copy it."""
    block = re.search(r"```nginx\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block, "README.md has no nginx configuration"
    return block.group(1)


class Nginx:
    """nginx in the foreground with the README's configuration: the upstream's two servers
    and the listening address replaced, no TLS (certificates are the operator's)."""

    def __init__(self, backends: list[int]) -> None:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            pytest.skip("nginx is not installed (make nginx)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.directory = Path(tempfile.mkdtemp(prefix="concert-nginx-"))
        self.directory.chmod(0o755)  # its workers run as nobody
        site = readme_nginx()
        servers = " ".join(f"server 127.0.0.1:{port};" for port in backends)
        site, found = re.subn(r"(server 127\.0\.0\.1:\d+;\s*)+", servers + " ", site)
        assert found == 1, site
        site = re.sub(r"listen [^;]*;(\s*server_name [^;]*;)?", f"listen 127.0.0.1:{self.port};",
                      site)
        site = re.sub(r"\s*ssl_\w+ [^;]*;", "", site)
        temp = self.directory / "temp"
        temp.mkdir(mode=0o777)
        temp.chmod(0o777)
        (self.directory / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {self.directory}/nginx.pid;
error_log {self.directory}/error.log info;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    # For the test only: which process answered.
    add_header X-Upstream $upstream_addr always;
{site}
}}
""")
        self.process = subprocess.Popen(
            [binary, "-p", str(self.directory), "-c", str(self.directory / "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._answers, "nginx answers")

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail((self.directory / "error.log").read_text())
        try:
            return requests.get(self.url + "/healthz", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def upstream(self) -> int:
        """The port of the process nginx sends this machine's clients to now."""
        answer = requests.get(self.url + "/healthz", timeout=10)
        return int(answer.headers["X-Upstream"].rsplit(":", 1)[1])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def deployment(database_url, instance_path, base, private_redis, world):
    if not database_url.startswith("postgresql"):
        pytest.skip("several server processes share a PostgreSQL database")
    servers = start_servers(base, 2, database_url, instance_path, private_redis)
    try:
        proxy = Nginx([server.port for server in servers])
    except BaseException:
        for server in servers:
            server.stop()
        raise
    yield proxy, servers
    proxy.stop()
    for server in servers:
        server.stop()


def test_members_behind_nginx_reconnect_and_catch_up_when_their_process_is_killed(
        deployment, base, world, members):
    proxy, servers = deployment
    general = base.Api(proxy.url, world.facilitator).get(
        f"/territories/{SLUG}/channels").json()["items"][0]["id"]
    people = [members(world.facilitator, [proxy.url]),
              members(world.actors[0], [proxy.url], transports=("polling",)),
              members(world.actors[1], [proxy.url]),
              members(world.observer, [proxy.url], transports=("polling",))]
    # ip_hash: every client of this machine goes to one process (sticky, for polling).
    chosen = next(server for server in servers if server.port == proxy.upstream())
    with Writers(people[:3], general) as writers:
        wait_until(lambda: writers.count() >= 15, "a few posts before the kill")
        chosen.process.kill()
        before = writers.count()
        wait_until(lambda: writers.count() >= before + 20, "posts after the kill")
    assert writers.errors == []
    assert proxy.upstream() != chosen.port

    ids = stored_once(writers.acknowledged)
    for member in people:
        member.stay_connected()
        member.wait_for_posts(ids)
    assert [m.reconnections for m in people] == [1, 1, 1, 1]
    assert [m.live.sio.transport() for m in people] == [
        "websocket", "polling", "websocket", "polling"]
