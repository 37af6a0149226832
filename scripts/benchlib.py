"""Shared pieces of the benchmark scripts: wrk runs, servers, metrics scraping.

Everything runs on loopback; every server the scripts start is stopped by PID at exit.
"""

import base64
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULT_RE = re.compile(
    r"RESULT reqs=(\d+) rps=([\d.]+) p50_ms=([\d.]+) p90_ms=([\d.]+) p99_ms=([\d.]+) max_ms=([\d.]+) errors=(\d+) mean_ms=([\d.]+)")

WRK_DONE = r'''
done = function(summary, latency, requests)
  io.write(string.format("RESULT reqs=%d rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d mean_ms=%.3f\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    (summary.errors.status or 0) + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, latency.mean / 1000))
end
'''

VALUE_BYTES = 256

# The CA every https request of these scripts trusts, once make_tls made one.
_TLS_CONTEXT = None


def urlopen(request, timeout):
    """urllib's urlopen, trusting the CA of make_tls for https."""
    return urllib.request.urlopen(request, timeout=timeout, context=_TLS_CONTEXT)


class TLSFiles:
    """A certificate, its key and the CA that signed it (PEM files)."""

    def __init__(self, cert, key, ca):
        self.cert, self.key, self.ca = cert, key, ca

    def serve_args(self):
        """The `lithair serve` arguments that serve HTTPS with them."""
        return ["--tls-cert", self.cert, "--tls-key", self.key, "--tls-ca", self.ca]


def make_tls(directory):
    """A CA and a certificate for 127.0.0.1 (made with openssl in `directory`), as TLSFiles;
    every request of this module trusts the CA from now on."""
    global _TLS_CONTEXT
    need("openssl", "openssl")
    ca, ca_key = os.path.join(directory, "ca.pem"), os.path.join(directory, "ca-key.pem")
    cert, key = os.path.join(directory, "node.pem"), os.path.join(directory, "node-key.pem")
    request, extensions = os.path.join(directory, "node.csr"), os.path.join(directory, "node.ext")
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    with open(extensions, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n")
    for command in (
            ["req", "-x509", *curve, "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=bench CA"],
            ["req", *curve, "-keyout", key, "-out", request, "-subj", "/CN=bench node"],
            ["x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
             "-days", "2", "-extfile", extensions]):
        subprocess.run(["openssl", *command], check=True, capture_output=True)
    _TLS_CONTEXT = ssl.create_default_context(cafile=ca)
    return TLSFiles(cert, key, ca)


def need(tool, package):
    if shutil.which(tool) is None:
        sys.exit(f"{tool} not found: apt-get install -y {package}")


def malloc_note():
    """Which malloc `lithair serve` runs on here: it preloads tcmalloc when installed."""
    for directory in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
                      "/usr/local/lib"):
        if os.path.exists(os.path.join(directory, "libtcmalloc_minimal.so.4")):
            return "lithair runs on tcmalloc"
    return "lithair runs on glibc's malloc (apt-get install -y libtcmalloc-minimal4 for tcmalloc)"


def lithair_script(path, route="/api/products"):
    """POST /api/products with a ~256-byte product (the same payload size etcd gets).

    Another route (one that does not exist) measures what the HTTP stack alone costs."""
    name = "n" * (VALUE_BYTES - 60)
    with open(path, "w") as f:
        f.write(f'''local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, "{route}", nil,
    '{{"name":"{name}","price":' .. n .. ',"tags":["alpha","beta"]}}')
end
''' + WRK_DONE)


def etcd_script(path):
    """POST /v3/kv/put of a 256-byte value, round-robin over 1,000 keys."""
    keys = ",".join('"%s"' % base64.b64encode(b"key-%06d" % i).decode() for i in range(1000))
    value = base64.b64encode(b"v" * VALUE_BYTES).decode()
    with open(path, "w") as f:
        f.write(f'''local keys = {{{keys}}}
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, "/v3/kv/put", nil, '{{"key":"' .. keys[(n % #keys) + 1] .. '","value":"{value}"}}')
end
''' + WRK_DONE)


def wrk(url, script, connections, seconds):
    threads = 1 if connections == 1 else 2
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", script, url],
        capture_output=True, text=True, check=True).stdout
    match = RESULT_RE.search(out)
    if not match:
        sys.exit("wrk printed no RESULT line:\n" + out)
    reqs, rps, p50, p90, p99, mx, errors, mean = match.groups()
    return {"reqs": int(reqs), "rps": float(rps), "p50": float(p50), "p90": float(p90), "p99": float(p99),
            "max": float(mx), "errors": int(errors), "mean": float(mean)}


def metric_samples(url):
    """{sample name with its labels: value} for every sample on one /metrics page."""
    with urlopen(url, timeout=5) as response:
        lines = response.read().decode().splitlines()
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in lines
            if line and not line.startswith("#")}


def metric_sum(urls, name):
    """Sums a Prometheus sample (all label sets) over the /metrics of every url."""
    return sum(value for url in urls for sample, value in metric_samples(url).items()
               if sample == name or sample.startswith(name + "{"))


def cpu_seconds(pids):
    """User + system CPU time used so far by the processes `pids` (from /proc; Linux only)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            # Fields after the parenthesised command name; utime and stime are the 14th and 15th.
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def measure(url, script, connections, seconds, metrics_urls, fsync_metric, pids=None):
    """One wrk run; returns (result, fsyncs per acknowledged write summed over `metrics_urls`,
    CPU seconds per acknowledged write used by the processes `pids`, or None without pids)."""
    before = metric_sum(metrics_urls, fsync_metric)
    cpu_before = cpu_seconds(pids) if pids else 0.0
    result = wrk(url, script, connections, seconds)
    acknowledged = max(1, result["reqs"])
    cpu = (cpu_seconds(pids) - cpu_before) / acknowledged if pids else None
    fsyncs = (metric_sum(metrics_urls, fsync_metric) - before) / acknowledged
    return result, fsyncs, cpu


def wait_http(url, timeout=30.0, method="GET", expect=200):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            request = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None)
            with urlopen(request, timeout=1) as response:
                if response.status == expect:
                    return
        except Exception:
            pass
        time.sleep(0.1)
    sys.exit(f"{url} did not answer {expect} within {timeout}s")


class Servers:
    """Starts processes and guarantees they are stopped (by PID) when the run ends."""

    def __init__(self):
        self.processes = []
        self.workdir = tempfile.mkdtemp(prefix="lithair-bench-")

    def start(self, args, log_name, env=None, append=False):
        log = open(os.path.join(self.workdir, log_name), "a" if append else "w")
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env={**os.environ, **(env or {})})
        self.processes.append(process)
        return process

    def stop_all(self, keep=False):
        """SIGTERM every process still running, SIGKILL after 15 s; keep=True leaves the logs."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes = []
        if not keep:
            shutil.rmtree(self.workdir, ignore_errors=True)


def build_release():
    return build("release")


def release_binary(args):
    """The lithair binary a benchmark runs: --binary if given, the existing release build with
    --no-build, else a fresh release build."""
    if args.binary:
        return args.binary
    return os.path.join(ROOT, ".build/release/lithair") if args.no_build else build_release()


def build(configuration):
    """Builds the lithair product (debug or release) and returns the binary's path."""
    print(f"building lithair ({configuration})...", flush=True)
    subprocess.run(["swift", "build", "-c", configuration, "--product", "lithair"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    binary = subprocess.run(["swift", "build", "-c", configuration, "--show-bin-path"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    return os.path.join(binary, "lithair")


def row(label, connections, result, fsyncs, cpu=None):
    """One result line; `cpu` is the servers' CPU seconds per acknowledged write, if measured."""
    line = (f"{label:<8} c={connections:<3} {result['rps']:>9.0f} writes/s  p50 {result['p50']:>7.2f} ms  "
            f"p99 {result['p99']:>7.2f} ms  errors {result['errors']:<4} fsyncs/write {fsyncs:.3f}")
    return line if cpu is None else line + f"  cpu/write {cpu * 1e6:.0f} us"


def http_json(url, method="GET", body=None, headers=None, timeout=5.0):
    """One request; returns (status, parsed JSON or None). HTTP errors are answers, not exceptions."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, method=method, data=data,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


class LithairCluster:
    """A local Lithair Raft cluster: node i on 127.0.0.1:ports[i], data in <workdir>/node-i."""

    def __init__(self, servers, binary, ports, secret, extra_args=(), scheme="http"):
        self.servers = servers
        self.scheme = scheme
        self.binary = binary
        self.addresses = [f"127.0.0.1:{port}" for port in ports]
        self.secret = secret
        self.extra_args = list(extra_args)
        self.processes = [None] * len(ports)

    def url(self, index):
        return f"{self.scheme}://{self.addresses[index]}"

    def start(self, index, append=False):
        """Starts node index (again, after a kill: same data directory, log appended)."""
        address = self.addresses[index]
        peers = ",".join(a for a in self.addresses if a != address)
        args = [self.binary, "serve", "--port", address.rsplit(":", 1)[1],
                "--data-dir", os.path.join(self.servers.workdir, f"node-{index}"), "--node-id", str(index),
                "--peers", peers, "--is-leader", "true" if index == 0 else "false"] + self.extra_args
        self.processes[index] = self.servers.start(args, f"node-{index}.log", append=append,
                                                   env={"LITHAIR_CLUSTER_SECRET": self.secret})
        return self.processes[index]

    def start_all(self):
        for index in range(len(self.addresses)):
            self.start(index)

    def kill(self, index):
        """kill -9: no flush, no goodbye."""
        self.processes[index].kill()
        self.processes[index].wait(timeout=10)

    def health(self, index, timeout=2.0):
        try:
            status, body = http_json(self.url(index) + "/_raft/health", timeout=timeout)
            return body if status == 200 else None
        except Exception:
            return None

    def leader(self):
        """The leader's index when every live node names it and it says it leads, else None."""
        states = [self.health(i) for i in range(len(self.addresses)) if self.processes[i].poll() is None]
        if not states or any(s is None for s in states):
            return None
        ids = {s.get("leader_id") for s in states}
        if len(ids) != 1 or None in ids:
            return None
        leader_id = ids.pop()
        for index, address in enumerate(self.addresses):
            state = self.health(index)
            if state and state.get("node_id") == leader_id and state.get("state") == "Leader":
                return index
        return None

    def wait_leader(self, timeout=60.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for index in range(len(self.addresses)):
                if self.processes[index].poll() is not None:
                    sys.exit(f"node {index} exited with {self.processes[index].returncode}; see "
                             f"{self.servers.workdir}/node-{index}.log")
            leader = self.leader()
            if leader is not None:
                return leader
            time.sleep(0.2)
        sys.exit(f"no leader within {timeout}s; logs in {self.servers.workdir}")

    def metrics_urls(self):
        return [self.url(i) + "/metrics" for i in range(len(self.addresses))]


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
