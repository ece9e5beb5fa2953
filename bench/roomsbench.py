#!/usr/bin/env python3
"""Many-rooms benchmark: the real ozchat UI in tmux holding 10 rooms of 1,000 peers each (ten `ozload population`s
against one private ozgate), opened at once from a config file's autojoin rooms.

Reports: launch to every window granted (the UI's own clock from the start of its loop, OZCHAT_STATS_FILE's
all_granted_ms, and the wall time until the screen shows the tenth window's roster), peak RSS with all 10 rooms; then
5,000 messages spread over the 9 rooms not on screen while the screen shows the tenth: ozchat's CPU seconds against
the same 5,000 messages into a single room of 1,000 on screen, measured in the same run, and the screen rows rebuilt
meanwhile (the room bar's row against all the others; SIGUSR1 asks the UI for its counts). Prints one JSON object. Loopback only. Standard library only."""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clientbench  # noqa: E402
from clientbench import Gateway, Population, cpu_seconds, settle, status_kib, wait_for  # noqa: E402

ROOMS = 10


def cpu_ns(pid):
    """CPU time of every live thread of `pid` in seconds, from /proc/PID/task/*/schedstat (nanoseconds; /proc/PID/stat
    counts 10 ms ticks, too coarse for the few hundredths of a second these phases cost). A thread that exited takes its
    time with it: ozchat's threads live as long as it does."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / 1e9


class Tui(clientbench.Tui):
    """ozchat in its own tmux server, with a config file of `rooms` autojoin rooms."""

    def __init__(self, ozchat, port, rooms, tmp, name):
        config = os.path.join(tmp, f"{name}.toml")
        with open(config, "w") as f:
            f.write('nick = "bench"\nlog_dir = ""\n\n')
            for n in rooms:
                f.write(f'[[room]]\nname = "r{n}"\nserver = "127.0.0.1:{port}"\ntoken = "tok{n}"\nautojoin = true\n\n')
        os.chmod(config, 0o600)
        self.start(f"{ozchat} --config {config}", tmp, name, prefix="bench-rooms", env=f"HOME={tmp} XDG_STATE_HOME={tmp} ")

    def keys(self, *keys):
        subprocess.run(["tmux", "-L", self.socket, "send-keys", *keys], capture_output=True)

    def statistics(self):
        """The UI's figures now (SIGUSR1 makes it write OZCHAT_STATS_FILE)."""
        before = os.path.getmtime(self.stats) if os.path.exists(self.stats) else 0
        os.kill(self.pid, 10)  # SIGUSR1
        wait_for(lambda: os.path.exists(self.stats) and os.path.getmtime(self.stats) != before, 5, 0.01)
        return self.read_stats()

    def quit(self):
        return super().quit(limit=20)


def flood(populations, total):
    """`total` messages, split evenly over `populations`, all sent at once; returns the replies."""
    share = [total // len(populations) + (1 if i < total % len(populations) else 0) for i in range(len(populations))]
    for p, n in zip(populations, share):
        p.send(f"say {n}")
    return [p.reply() for p in populations], share


def run(args, binaries, tmp):
    ozgate, ozchat, ozload = binaries
    r = {}
    gateway = Gateway(ozgate, tmp, [(f"room{n}", f"tok{n}") for n in range(1, ROOMS + 1)])
    populations = []
    try:
        t = time.monotonic()
        for n in range(1, ROOMS + 1):
            populations.append(Population(ozload, gateway.port, args.peers, token=f"tok{n}"))
        r["populations_ready_s"] = time.monotonic() - t
        settle(gateway.proc.pid)

        # The single room on screen: the baseline for the messages.
        single = Tui(ozchat, gateway.port, [1], tmp, "single")
        wait_for(lambda: f"{args.peers} peers online" in single.screen(), 60, 0.02)
        settle(single.pid)
        singles = []
        for i in range(args.repeat):
            cpu0 = cpu_ns(single.pid)
            replies, _ = flood(populations[:1], args.messages)
            wait_for(lambda: f"population message {args.messages - 1} last" in single.screen(), args.phase_limit, 0.05)
            settle(single.pid)
            singles.append(cpu_ns(single.pid) - cpu0)
            single.keys("C-l")  # a fresh screen, so the next round's last message is not already on it
            r["single_room_reply"] = replies[0]
            wait_for(lambda: f"population message {args.messages - 1} last" not in single.screen(), 5, 0.05)
        r["single_room_messages_cpu_s_runs"] = singles
        r["single_room_messages_cpu_s"] = statistics.median(singles)
        r["single_room_peak_rss_mb"] = status_kib(single.pid, "VmHWM") / 1024
        single_stats = single.quit()
        r["single_room_redraws"] = single_stats.get("redraws")
        settle(gateway.proc.pid)

        # Ten rooms at once.
        tui = Tui(ozchat, gateway.port, range(1, ROOMS + 1), tmp, "ten")
        tui.keys("M-0")
        shown = wait_for(lambda: "10:r10" in tui.screen() and f"{args.peers} peers online" in tui.screen(), 60, 0.01)
        r["launch_to_tenth_roster_on_screen_ms"] = (time.monotonic() - tui.launched) * 1000 if shown else None
        settle(tui.pid)
        r["ten_rooms_peak_rss_mb"] = status_kib(tui.pid, "VmHWM") / 1024
        r["ten_rooms_launch_cpu_s"] = cpu_seconds(tui.pid)
        screen = tui.screen()
        r["room_bar"] = screen.split("\n", 1)[0].strip()
        before = tui.statistics()
        backgrounds, sent = [], [0] * (ROOMS - 1)
        for i in range(args.repeat):
            cpu0 = cpu_ns(tui.pid)
            replies, share = flood(populations[:ROOMS - 1], args.messages)
            sent = [a + b for a, b in zip(sent, share)]
            counts = [f"{n}:r{n}({c})" for n, c in zip(range(1, ROOMS), sent)]
            done = wait_for(lambda: all(c in tui.screen() for c in counts), args.phase_limit, 0.05)
            r["background_all_counted"] = done and r.get("background_all_counted", True)
            settle(tui.pid)
            backgrounds.append(cpu_ns(tui.pid) - cpu0)
            r["background_replies"] = replies
        r["background_messages_cpu_s_runs"] = backgrounds
        r["background_messages_cpu_s"] = statistics.median(backgrounds)
        r["room_bar_after"] = tui.screen().split("\n", 1)[0].strip()
        after = tui.statistics()
        r["flood_top_rows_redrawn"] = after.get("top_rows_redrawn", 0) - before.get("top_rows_redrawn", 0)
        r["flood_other_rows_redrawn"] = after.get("other_rows_redrawn", 0) - before.get("other_rows_redrawn", 0)
        stats = tui.quit()
        r["all_granted_ms"] = stats.get("all_granted_ms")
        r["redraws"] = stats.get("redraws")
        r["top_rows_redrawn"] = stats.get("top_rows_redrawn")
        r["other_rows_redrawn"] = stats.get("other_rows_redrawn")
        if r["single_room_messages_cpu_s"]:
            r["background_over_single_cpu"] = r["background_messages_cpu_s"] / r["single_room_messages_cpu_s"]
            r["background_over_single_cpu_range"] = [min(backgrounds) / max(singles), max(backgrounds) / min(singles)]
    finally:
        for p in populations:
            p.stop()
        gateway.stop()
    return r


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--peers", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--phase-limit", type=float, default=180)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of messages in each phase (medians are reported)")
    args = parser.parse_args()
    binaries = [os.path.join(args.bin, name) for name in ("ozgate", "ozchat", "ozload")]
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(args, binaries, tmp), indent=1))


if __name__ == "__main__":
    main()
