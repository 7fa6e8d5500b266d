"""The broker's Redis keeps queued digests across a restart with the deployment's
configuration (deploy/redis/portal-broker.conf), and loses them without it."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from plans.tests.environment import require

CONF = Path(__file__).resolve().parents[1] / "redis" / "portal-broker.conf"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, directory, *config):
        self.port = _free_port()
        self.args = ["redis-server", *config, "--bind", "127.0.0.1", "--port", str(self.port)]
        self.directory = directory
        self.process = None

    def start(self):
        self.process = subprocess.Popen(self.args, cwd=self.directory, stdout=subprocess.DEVNULL)
        client = self.client()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return client
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def client(self):
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)

    def restart(self):
        self.process.terminate()  # what systemctl restart does
        self.process.wait(10)
        return self.start()


@pytest.fixture
def servers(tmp_path):
    require(shutil.which("redis-server"), "redis-server is not installed")
    started = []

    def make(name, *config):
        directory = tmp_path / name
        directory.mkdir()
        server = Server(directory, *config)
        started.append(server)
        return server

    yield make
    for server in started:
        if server.process and server.process.poll() is None:
            server.process.terminate()
            server.process.wait(10)


def queue_and_restart(server):
    client = server.start()
    client.lpush("celery", b'{"task": "tasks.reminder_digest_send"}')
    return server.restart().llen("celery")


def test_with_the_deployment_configuration_queued_work_survives_a_restart(servers):
    assert queue_and_restart(servers("aof", str(CONF), "--save", "")) == 1


def test_without_persistence_a_restart_loses_queued_work(servers):
    # The reason for the configuration: Redis's persistence off (as on this machine).
    assert queue_and_restart(servers("none", "--save", "", "--appendonly", "no")) == 0
