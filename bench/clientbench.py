#!/usr/bin/env python3
"""Client benchmark: drives the real ozchat (--plain, and the ncursesw UI in tmux) through a 10,000-peer roster
snapshot, a join/leave flood and a message burst, produced by `ozload population` against a private ozgate.

Per phase it reports the ozchat process's CPU seconds (utime+stime from /proc/PID/stat) and peak RSS (VmHWM), plus
launch-to-ACCESS_GRANTED time and the time until the output/screen shows the final count. Prints one JSON object.
Loopback only. Standard library only."""
import argparse, json, os, re, resource, shutil, subprocess, sys, tempfile, threading, time

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime+stime of the whole process (exited threads included) from /proc/PID/stat, in seconds (clock ticks)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # fields 14 and 15


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def settle(pid, quiet=0.4, limit=20.0):
    """Waits until the process has used no CPU for `quiet` seconds (at most `limit`); returns its CPU seconds."""
    end = time.monotonic() + limit
    last, since = cpu_seconds(pid), time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.05)
        now = cpu_seconds(pid)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last


def wait_for(predicate, limit, step=0.005):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


class Gateway:
    """ozgate with the given lines (name, token); by default `crowd` (the population) and `empty` (launch baseline)."""

    def __init__(self, binary, tmp, lines=(("crowd", "crowd-token"), ("empty", "empty-token"))):
        config = os.path.join(tmp, "gate.toml")
        with open(config, "w") as f:
            for name, token in lines:
                f.write(f'[[line]]\nname = "{name}"\ntoken = "{token}"\n\n')
        self.proc = subprocess.Popen(
            [binary, "--config", config, "--host", "127.0.0.1", "--port", "0", "--log-level", "warning",
             "--ping-interval", "600", "--ping-timeout", "1200", "--no-limits"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on ws://127\.0\.0\.1:(\d+)/", line)
        if not m:
            raise RuntimeError(f"ozgate did not start: {line!r}")
        self.port = int(m.group(1))
        threading.Thread(target=lambda: self.proc.stdout.read(), daemon=True).start()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Population:
    def __init__(self, ozload, port, clients, token="crowd-token"):
        self.proc = subprocess.Popen(
            [ozload, "population", "--url", f"ws://127.0.0.1:{port}/", "--token", token, "--clients", str(clients)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        ready = self.proc.stdout.readline()
        if not ready.startswith("ready"):
            raise RuntimeError(f"ozload population failed: {ready!r}")
        self.ready = ready.strip()

    def send(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def reply(self):
        return self.proc.stdout.readline().strip()

    def command(self, text):
        self.send(text)
        return self.reply()

    def stop(self):
        try:
            self.command("quit")
            self.proc.wait(60)
        except Exception:
            self.proc.kill()


class Plain:
    """ozchat --plain; a reader thread timestamps and counts its output lines."""

    def __init__(self, ozchat, port, token):
        self.counts = {"ONLINE": 0, "OFFLINE": 0, "message": 0, "CONNECTION_CLOSED": 0}
        self.granted_at = None
        self.denied_at = None
        self.launched = time.monotonic()
        self.proc = subprocess.Popen(
            [ozchat, "--plain", f"127.0.0.1:{port}", token, "--nick", "bench"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.pid = self.proc.pid
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            parts = line.split(" ", 2)
            word = parts[1] if len(parts) > 1 else ""
            if word == "ACCESS_GRANTED" and self.granted_at is None:
                self.granted_at = time.monotonic()
            elif word == "ACCESS_DENIED" and self.denied_at is None:
                self.denied_at = time.monotonic()
            elif word in ("ONLINE", "OFFLINE", "CONNECTION_CLOSED"):
                self.counts[word] += 1
            elif word.startswith("<p"):
                self.counts["message"] += 1

    def granted(self):
        return self.granted_at is not None

    def shows(self, online, offline=None, messages=None):
        ok = self.counts["ONLINE"] >= online
        if offline is not None:
            ok = ok and self.counts["OFFLINE"] >= offline
        if messages is not None:
            ok = ok and self.counts["message"] >= messages
        return ok

    def quit(self):
        try:
            self.proc.stdin.write("/quit\n")
            self.proc.stdin.flush()
            self.proc.wait(10)
        except Exception:
            self.proc.kill()
        return {}


class Tui:
    """The real ncursesw UI in a private tmux server; the screen is read with capture-pane."""

    def __init__(self, ozchat, port, token, tmp, name):
        self.start(f"{ozchat} 127.0.0.1:{port} {token} --nick bench", tmp, name, prefix="bench-ozl")
        self.granted_at = None

    def start(self, ozchat_command, tmp, name, prefix, env=""):
        """Runs `ozchat_command` in a new 120×40 tmux server, writing its figures to OZCHAT_STATS_FILE."""
        self.socket = f"{prefix}-{os.getpid()}-{name}"
        self.stats = os.path.join(tmp, f"stats-{name}")
        command = f"exec env TERM=tmux-256color {env}OZCHAT_STATS_FILE={self.stats} {ozchat_command}"
        self.launched = time.monotonic()
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", command],
                       check=True)
        out = subprocess.run(["tmux", "-L", self.socket, "list-panes", "-F", "#{pane_pid}"], capture_output=True, text=True)
        self.pid = int(out.stdout.split()[0])

    def screen(self):
        out = subprocess.run(["tmux", "-L", self.socket, "capture-pane", "-p"], capture_output=True, text=True)
        return out.stdout

    def granted(self):
        if self.granted_at is None and "peers online" in self.screen():
            self.granted_at = time.monotonic()
        return self.granted_at is not None

    def shows_count(self, n):
        return f" {n} peers online" in self.screen() or self.screen().startswith(f"{n} peers online")

    def read_stats(self):
        stats = {}
        if os.path.exists(self.stats):
            for line in open(self.stats):
                if "=" in line:
                    k, v = line.strip().split("=", 1)
                    stats[k] = float(v)
        return stats

    def quit(self, limit=10):
        subprocess.run(["tmux", "-L", self.socket, "send-keys", "C-c"], capture_output=True)
        wait_for(lambda: os.path.exists(self.stats) and not os.path.exists(f"/proc/{self.pid}"), limit, 0.05)
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        return self.read_stats()


def tmux_launch_overhead_ms():
    """How long tmux itself takes to start a server and show a line a program prints at once. The UI's launch figures
    are read off the screen the same way (a new tmux server, capture-pane polling), so this part of them is not
    ozchat's."""
    socket = f"bench-ozl-{os.getpid()}-calibrate"
    start = time.monotonic()
    subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40",
                    "printf ' 0 peers online'; sleep 30"], check=True)
    shown = wait_for(lambda: "peers online" in subprocess.run(["tmux", "-L", socket, "capture-pane", "-p"],
                                                              capture_output=True, text=True).stdout, 10)
    elapsed = (time.monotonic() - start) * 1000
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
    return elapsed if shown else None


def launch(kind, ozchat, port, token, tmp, name):
    return Plain(ozchat, port, token) if kind == "plain" else Tui(ozchat, port, token, tmp, name)


def run(args, binaries, tmp):
    """One gateway and one population for both clients (connecting 10,000 peers is the slow part): each client is
    launched in turn and measured alone for the roster phase, then both live through the flood and the messages, each
    measured by its own CPU and memory figures. Each client sees the other as one more peer."""
    ozgate, ozchat, ozload = binaries
    kinds = args.modes.split(",")
    results = {k: {"mode": k} for k in kinds}
    gateway = Gateway(ozgate, tmp)
    population = None
    clients = {}
    try:
        if "tui" in results:
            results["tui"]["tmux_launch_overhead_ms"] = tmux_launch_overhead_ms()
        for k in kinds:  # Baseline: launch into an empty room (startup and connect cost without any roster).
            empty = launch(k, ozchat, gateway.port, "empty-token", tmp, "empty")
            wait_for(empty.granted, 10)
            r = results[k]
            r["launch_to_granted_empty_ms"] = (empty.granted_at - empty.launched) * 1000 if empty.granted_at else None
            r["baseline_cpu_s"] = settle(empty.pid)
            r["baseline_rss_mb"] = status_kib(empty.pid, "VmHWM") / 1024
            empty.quit()

        t = time.monotonic()
        population = Population(ozload, gateway.port, args.peers)
        for r in results.values():
            r["population_ready_s"] = time.monotonic() - t

        # Phase 1: the roster snapshot, each client alone on the CPU. The gateway and the population first finish
        # digesting the 10,000 joins, so the launch figure is the client's, not the gateway's backlog.
        for i, k in enumerate(kinds):
            settle(gateway.proc.pid)
            settle(population.proc.pid)
            client = clients[k] = launch(k, ozchat, gateway.port, "crowd-token", tmp, "crowd")
            r = results[k]
            wait_for(client.granted, 30)
            r["launch_to_granted_ms"] = (client.granted_at - client.launched) * 1000 if client.granted_at else None
            r["roster_peers"] = args.peers + i
            if k == "tui":
                wait_for(lambda: client.shows_count(args.peers + i), 30)
                r["launch_to_roster_on_screen_ms"] = (time.monotonic() - client.launched) * 1000
            cpu = settle(client.pid)
            r["roster_cpu_total_s"] = cpu
            r["roster_cpu_s"] = cpu - r["baseline_cpu_s"]
            r["roster_peak_rss_mb"] = status_kib(client.pid, "VmHWM") / 1024

        def shown(k, phase):
            c, others = clients[k], len(kinds) - 1
            if k == "plain":
                if phase == "flood":
                    return c.shows(args.joins + others, args.leaves)
                return c.shows(args.joins + others, args.leaves, args.messages)
            if phase == "flood":
                return c.shows_count(args.peers + args.joins - args.leaves + others)
            return f"population message {args.messages - 1} last" in c.screen()

        for phase, command in (("flood", None), ("messages", f"say {args.messages}")):
            cpu0 = {k: cpu_seconds(c.pid) for k, c in clients.items()}
            start = time.monotonic()
            if phase == "flood":
                joined = population.command(f"join {args.joins}")
                reply = joined + "; " + population.command(f"leave {args.leaves}")
            else:
                reply = population.command(command)
            acked = time.monotonic()
            seen = {}
            end = time.monotonic() + args.phase_limit
            while time.monotonic() < end and len(seen) < len(clients):
                for k in clients:
                    if k not in seen and shown(k, phase):
                        seen[k] = time.monotonic()
                time.sleep(0.02)
            for k, c in clients.items():
                r = results[k]
                r[f"{phase}_reply"] = reply
                r[f"{phase}_shown"] = k in seen
                if k in seen:
                    r[f"{phase}_to_shown_s"] = seen[k] - start
                    r[f"{phase}_shown_after_gateway_s"] = seen[k] - acked
                r[f"{phase}_cpu_s"] = settle(c.pid) - cpu0[k]
                r[f"{phase}_peak_rss_mb"] = status_kib(c.pid, "VmHWM") / 1024
        for k, c in clients.items():
            r = results[k]
            if k == "plain":
                r["connections_lost"] = c.counts["CONNECTION_CLOSED"]
            r["peak_rss_mb"] = status_kib(c.pid, "VmHWM") / 1024
            r["total_cpu_s"] = cpu_seconds(c.pid)
        for k in list(clients):
            stats = clients.pop(k).quit()
            if stats:
                results[k]["redraws"] = stats.get("redraws")
                results[k]["max_redraws_per_s"] = stats.get("max_redraws_per_second")
    finally:
        for c in clients.values():
            c.quit()
        if population is not None:
            population.stop()
        gateway.stop()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--peers", type=int, default=10000)
    parser.add_argument("--joins", type=int, default=5000)
    parser.add_argument("--leaves", type=int, default=10000)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--modes", default="plain,tui")
    parser.add_argument("--phase-limit", type=float, default=75, help="seconds to wait for a phase to show on screen")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    binaries = [os.path.join(args.bin, n) for n in ("ozgate", "ozchat", "ozload")]
    tmp = tempfile.mkdtemp(prefix="ozl-clientbench-")
    try:
        results = run(args, binaries, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
