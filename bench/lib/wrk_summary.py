"""Reads one `wrk --latency` report and prints: req/s p99_ms non_2xx socket_errors requests.

Used by bench/api/run.sh. Fails loudly when the report has no Requests/sec line
(wrk could not connect, bad script)."""
import re
import sys

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}

text = open(sys.argv[1]).read()
rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
if not rps:
    sys.exit(f"wrk report {sys.argv[1]} has no Requests/sec line:\n{text}")
p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M)
p99_ms = float(p99.group(1)) * UNITS[p99.group(2)] if p99 else float("nan")
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
total = re.search(r"^\s+(\d+) requests in", text, re.M)
print(f"{float(rps.group(1)):.0f} {p99_ms:.2f} {int(non2xx.group(1)) if non2xx else 0} "
      f"{sum(int(x) for x in sock.groups()) if sock else 0} {int(total.group(1)) if total else 0}")
