"""Metrics for monitoring: a running ser with `metrics_listen` on a free
loopback port, scraped over HTTP and read with the Prometheus project's own
text parser (prometheus_client, Debian python3-prometheus-client). Phones
register with digest on SQLite (a wrong password, a good one), a MESSAGE
goes statefully to a registered phone that answers late (tm retransmits
it), and the counters, gauges and histograms must have moved by exactly
that. Also: nothing listens when the setting is absent, a bad value is a
config error with its line, a taken port stops start-up, a client that
connects and sends nothing does not hold up a scrape, and the RTP proxies'
health (our real rtpproxy and a dead address)."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa
from sipauth import Phone  # noqa
from test_registrar import DOMAIN, USERS, SqliteDb, config  # noqa: the registrar scenario's config and users
from test_rtpproxy import RtpProxy  # noqa

from prometheus_client.parser import text_string_to_metric_families


def scrape(port, path="/metrics", timeout=5.0):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as r:
        return r.status, r.headers.get("Content-Type"), r.read().decode()


class Metrics:
    """One parsed scrape: families by name, samples by (name, labels)."""

    def __init__(self, text):
        self.families = {f.name: f for f in text_string_to_metric_families(text)}
        self.samples = {}
        for f in self.families.values():
            for s in f.samples:
                self.samples[(s.name, tuple(sorted(s.labels.items())))] = s.value

    def get(self, name, **labels):
        """The sample's value; 0 when the series does not exist (yet)."""
        return self.samples.get((name, tuple(sorted(labels.items()))), 0.0)

    def has(self, name, **labels):
        return (name, tuple(sorted(labels.items()))) in self.samples


def metrics_of(port):
    status_code, ctype, text = scrape(port)
    assert status_code == 200, status_code
    assert ctype.startswith("text/plain; version=0.0.4"), ctype
    return Metrics(text)


def listening_tcp_ports(pid):
    out = subprocess.run(["ss", "-Htlnp"], stdout=subprocess.PIPE, check=True, timeout=10).stdout.decode()
    ports = []
    for line in out.splitlines():
        if "pid=%d," % pid in line:
            ports.append(int(line.split()[3].rsplit(":", 1)[1]))
    return ports


def with_metrics(cfg, port):
    return 'metrics_listen = "127.0.0.1:%d"\n' % port + cfg


class MetricsSetting(unittest.TestCase):
    def test_off_by_default_no_port_is_open(self):
        with SqliteDb() as db:
            cfg = config(db).replace("listen=udp:", "listen=tcp:127.0.0.1:@PORT@\nlisten=udp:")
            with Ser(cfg) as ser:
                self.assertEqual(listening_tcp_ports(ser.proc.pid), [ser.port])   # only SIP over TCP

    def test_bad_value_is_a_config_error_with_its_line(self):
        d = tempfile.mkdtemp(prefix="ser-it-metrics-")
        try:
            path = os.path.join(d, "bad.cfg")
            for value, msg in (('"localhost:9090"', "metrics_listen: 'localhost' is not an IP address"),
                               ('"127.0.0.1"', "metrics_listen: '127.0.0.1': expected \"address:port\""),
                               ('"127.0.0.1:0"', "metrics_listen: port '0' is not a number from 1 to 65535")):
                with open(path, "w") as f:
                    f.write("listen=udp:127.0.0.1:5999\nmetrics_listen = %s\nroute { break; }\n" % value)
                p = subprocess.run([SER_BIN, "-c", "-f", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=30)
                out = p.stdout.decode()
                self.assertEqual(p.returncode, 255, out)
                self.assertIn("bad.cfg:2:18: error: " + msg, out)
            # The grammar wants a quoted string (as for every string setting).
            with open(path, "w") as f:
                f.write("metrics_listen = 9090\nroute { break; }\n")
            p = subprocess.run([SER_BIN, "--syntax-only", "-f", path], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=30)
            self.assertEqual(p.returncode, 255, p.stdout.decode())
            self.assertIn("a string value", p.stdout.decode())
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_taken_port_stops_start_up(self):
        taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        try:
            s = Ser(with_metrics("listen=udp:127.0.0.1:@PORT@\nroute { break; }\n", port))
            with self.assertRaises(RuntimeError) as e:
                with s:
                    pass
            self.assertIn("metrics_listen 127.0.0.1:%d: Address already in use" % port, str(e.exception))
            self.assertEqual(s.proc.returncode, 255)
        finally:
            taken.close()


class MetricsScrape(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = SqliteDb().__enter__()
        cls.mport = free_port()
        # db_mode 1: every REGISTER is written through (DB statements to time).
        cls.ser = Ser(with_metrics(config(cls.db, mode=1), cls.mport)).__enter__()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.ser.__exit__(None, None, None)
        finally:
            cls.db.__exit__(None, None, None)

    def setUp(self):
        self.phones = []

    def tearDown(self):
        for p in self.phones:
            p.close()

    def phone(self, user):
        p = Phone(self.ser.port, user, DOMAIN, USERS[user])
        self.phones.append(p)
        return p

    def test_a_families_are_described_from_the_start(self):
        m = metrics_of(self.mport)
        for name, kind in (("ser_sip_received_requests", "counter"), ("ser_sip_sent_replies", "counter"),
                           ("ser_tm_transactions", "gauge"), ("ser_tm_retransmissions", "counter"),
                           ("ser_usrloc_contacts", "gauge"), ("ser_usrloc_aors", "gauge"),
                           ("ser_auth_failures", "counter"), ("ser_db_query_duration_seconds", "histogram"),
                           ("ser_db_errors", "counter"), ("ser_udp_worker_queue_depth", "gauge"),
                           ("ser_udp_worker_queue_drops", "counter"),
                           ("ser_receiver_threads", "gauge"), ("ser_build_info", "gauge")):
            self.assertIn(name, m.families)
            self.assertEqual(m.families[name].type, kind, name)
            self.assertTrue(m.families[name].documentation, name)
        self.assertTrue(m.has("ser_sip_received_requests_total", method="INVITE"))
        self.assertTrue(m.has("ser_db_query_duration_seconds_bucket", driver="sqlite", op="select", le="+Inf"))
        self.assertEqual(m.get("ser_receiver_threads"), 2)   # children=2, one UDP socket
        self.assertEqual(m.get("ser_udp_worker_queue_depth", worker="0"), 0)
        self.assertEqual(m.get("ser_udp_worker_queue_depth", worker="1"), 0)
        self.assertEqual(m.get("ser_udp_worker_queue_drops_total", worker="1"), 0)
        self.assertTrue(m.has("ser_usrloc_contacts", table="location"))

    def test_b_registration_moves_the_counters(self):
        self.db.rows("delete from location")
        before = metrics_of(self.mport)
        p = self.phone("alice")
        r = p.register(password="wrong")        # 401, then 401 again
        self.assertEqual(status(r), 401, r)
        r = p.register()                        # 401, then 200
        self.assertEqual(status(r), 200, r)
        after = metrics_of(self.mport)

        def moved(name, **labels):
            return after.get(name, **labels) - before.get(name, **labels)

        self.assertEqual(moved("ser_sip_received_requests_total", method="REGISTER"), 4)
        self.assertEqual(moved("ser_sip_sent_replies_total", **{"class": "4xx"}), 3)
        self.assertEqual(moved("ser_sip_sent_replies_total", **{"class": "2xx"}), 1)
        self.assertEqual(moved("ser_auth_challenges_total", code="401"), 3)
        self.assertEqual(moved("ser_auth_failures_total", reason="wrong_password"), 1)
        self.assertEqual(moved("ser_auth_authorized_total"), 1)
        self.assertEqual(after.get("ser_usrloc_aors", table="location"), 1)
        self.assertEqual(after.get("ser_usrloc_contacts", table="location"), 1)
        # auth_db read the credentials twice; usrloc wrote the binding.
        self.assertGreaterEqual(moved("ser_db_query_duration_seconds_count", driver="sqlite", op="select"), 2)
        self.assertGreaterEqual(moved("ser_db_query_duration_seconds_count", driver="sqlite", op="insert"), 1)
        self.assertGreater(moved("ser_db_query_duration_seconds_sum", driver="sqlite", op="select"), 0)
        self.assertEqual(after.get("ser_db_errors_total", driver="sqlite", op="select"), 0)
        # A second contact of another user.
        b = self.phone("bob")
        self.assertEqual(status(b.register()), 200)
        m = metrics_of(self.mport)
        self.assertEqual(m.get("ser_usrloc_aors", table="location"), 2)
        self.assertEqual(m.get("ser_usrloc_contacts", table="location"), 2)

    def test_c_stateful_message_retransmitted_then_answered(self):
        callee = self.phone("carol")
        self.assertEqual(status(callee.register()), 200)
        caller = Peer()
        try:
            before = metrics_of(self.mport)
            caller.send("MESSAGE sip:carol@%s SIP/2.0\n"
                        "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-metrics-1\n"
                        "Max-Forwards: 70\nFrom: <sip:dave@%s>;tag=d1\nTo: <sip:carol@%s>\n"
                        "Call-ID: metrics-msg-1@127.0.0.1\nCSeq: 1 MESSAGE\nContent-Length: 0\n\n"
                        % (DOMAIN, caller.port, DOMAIN, DOMAIN), self.ser.port)
            # The callee stays silent: Timer E sends it again after 500 ms and 1 s.
            got = []
            deadline = time.time() + 5
            while len(got) < 3 and time.time() < deadline:
                m = callee.peer.recv(2.0)
                if m and m.startswith("MESSAGE"):
                    got.append(m)
            self.assertEqual(len(got), 3, got)
            mid = metrics_of(self.mport)
            self.assertEqual(mid.get("ser_tm_transactions", state="in_flight"), 1)
            self.assertGreaterEqual(mid.get("ser_tm_retransmissions_total", kind="request")
                                    - before.get("ser_tm_retransmissions_total", kind="request"), 2)
            self.assertGreaterEqual(mid.get("ser_sip_sent_requests_total", method="MESSAGE")
                                    - before.get("ser_sip_sent_requests_total", method="MESSAGE"), 3)
            # The caller retransmits too: absorbed by the transaction.
            caller.send("MESSAGE sip:carol@%s SIP/2.0\n"
                        "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-metrics-1\n"
                        "Max-Forwards: 70\nFrom: <sip:dave@%s>;tag=d1\nTo: <sip:carol@%s>\n"
                        "Call-ID: metrics-msg-1@127.0.0.1\nCSeq: 1 MESSAGE\nContent-Length: 0\n\n"
                        % (DOMAIN, caller.port, DOMAIN, DOMAIN), self.ser.port)
            time.sleep(0.2)
            # Now it answers.
            req = got[0]
            reply = "SIP/2.0 200 OK\r\n" + "".join(
                l + "\r\n" for l in req.split("\r\n")[1:]
                if l.split(":", 1)[0].lower() in ("via", "from", "to", "call-id", "cseq", "record-route")
            ) + "Content-Length: 0\r\n\r\n"
            callee.peer.send(reply.encode(), self.ser.port)
            r = caller.recv(3.0)
            self.assertEqual(status(r), 200, r)
            after = metrics_of(self.mport)
            self.assertEqual(after.get("ser_tm_transactions", state="in_flight"), 0)
            self.assertEqual(after.get("ser_tm_transactions", state="waiting"), 1)
            self.assertEqual(after.get("ser_tm_absorbed_retransmissions_total")
                             - before.get("ser_tm_absorbed_retransmissions_total"), 1)
            self.assertEqual(after.get("ser_tm_completed_total", **{"class": "2xx"})
                             - before.get("ser_tm_completed_total", **{"class": "2xx"}), 1)
            self.assertEqual(after.get("ser_sip_received_replies_total", **{"class": "2xx"})
                             - before.get("ser_sip_received_replies_total", **{"class": "2xx"}), 1)
            self.assertEqual(after.get("ser_tm_transactions_created_total", origin="received")
                             - before.get("ser_tm_transactions_created_total", origin="received"), 1)
        finally:
            caller.close()

    def test_d_silent_client_does_not_block_a_scrape(self):
        idle = socket.create_connection(("127.0.0.1", self.mport), timeout=5)
        half = socket.create_connection(("127.0.0.1", self.mport), timeout=5)
        try:
            half.sendall(b"GET /metr")
            t0 = time.time()
            m = metrics_of(self.mport)
            self.assertLess(time.time() - t0, 2.0)
            self.assertIn("ser_sip_received_requests", m.families)
            # And SIP is still answered meanwhile.
            p = self.phone("alice")
            self.assertEqual(status(p.register_once()), 401)
        finally:
            idle.close()
            half.close()

    def test_e_other_paths_and_methods(self):
        with self.assertRaises(urllib.error.HTTPError) as e:
            scrape(self.mport, "/")
        self.assertEqual(e.exception.code, 404)
        req = urllib.request.Request("http://127.0.0.1:%d/metrics" % self.mport, method="HEAD")
        with urllib.request.urlopen(req, timeout=5) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(r.read(), b"")
        req = urllib.request.Request("http://127.0.0.1:%d/metrics" % self.mport, data=b"x", method="POST")
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=5)
        self.assertEqual(e.exception.code, 405)


NAT_CFG = r'''
listen=udp:127.0.0.1:@PORT@
children=1
loadmodule "nathelper.so"
modparam("nathelper", "rtpproxy_sock", "@SOCKS@")
modparam("nathelper", "rtpproxy_retr", 1)
modparam("nathelper", "rtpproxy_tout", 1)
modparam("nathelper", "rtpproxy_disable_tout", 60)
route {
  if (method == "INVITE") { force_rtp_proxy(); };
  if (method == "BYE") { unforce_rtp_proxy(); };
  forward(127.0.0.1, @UAS@);
}
'''

SDP = "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 40000 RTP/AVP 0\n"


class MetricsRtpproxy(unittest.TestCase):
    def test_node_health_and_commands(self):
        dead = free_port(also_tcp=False)   # nothing answers there
        uas, caller = Peer(), Peer()
        with RtpProxy() as rtpp:
            live = "udp:127.0.0.1:%d" % rtpp.udp_port
            cfg = NAT_CFG.replace("@SOCKS@", "%s udp:127.0.0.1:%d" % (live, dead)).replace("@UAS@", str(uas.port))
            mport = free_port()
            try:
                with Ser(with_metrics(cfg, mport)) as ser:
                    m = metrics_of(mport)
                    self.assertEqual(m.get("ser_rtpproxy_node_up", node=live), 1)
                    self.assertTrue(m.has("ser_rtpproxy_node_up", node="udp:127.0.0.1:%d" % dead))
                    self.assertEqual(m.get("ser_rtpproxy_node_up", node="udp:127.0.0.1:%d" % dead), 0)
                    head = ("%s sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s\n"
                            "Max-Forwards: 70\nFrom: <sip:alice@127.0.0.1>;tag=a1\nTo: <sip:bob@127.0.0.1>\n"
                            "Call-ID: metrics-rtp-1@127.0.0.1\nCSeq: %d %s\n")
                    caller.send(head % ("INVITE", caller.port, "i1", 1, "INVITE") +
                                "Content-Type: application/sdp\nContent-Length: @CL@\n\n" + SDP, ser.port)
                    self.assertIsNotNone(uas.recv(5.0))
                    caller.send(head % ("BYE", caller.port, "b1", 2, "BYE") + "Content-Length: 0\n\n", ser.port)
                    self.assertIsNotNone(uas.recv(5.0))
                    m = metrics_of(mport)
                    self.assertEqual(m.get("ser_rtpproxy_commands_total", command="offer"), 1)
                    self.assertEqual(m.get("ser_rtpproxy_commands_total", command="delete"), 1)
                    self.assertEqual(m.get("ser_rtpproxy_sessions_created_total"), 1)
                    self.assertEqual(m.get("ser_rtpproxy_command_failures_total", command="offer"), 0)
            finally:
                uas.close()
                caller.close()


if __name__ == "__main__":
    main()
