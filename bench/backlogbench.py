#!/usr/bin/env python3
"""Backlog benchmark: the real ozchat (--plain, and the ncursesw UI in tmux) joining a room that holds 200 stored
messages, against a private release ozgate (history in memory). Per launch: time to ACCESS_GRANTED, time until the
backlog is shown, and peak RSS (VmHWM). Prints one JSON object. Loopback only. Standard library only; reuses
clientbench's gateway, population and tmux drivers."""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clientbench as cb  # noqa: E402


def plain_launch(ozchat, port, backlog):
    """One `ozchat --plain` launch: ms to ACCESS_GRANTED, ms until `backlog` HISTORY lines, peak RSS in MB."""
    launched = time.monotonic()
    proc = subprocess.Popen([ozchat, "--plain", f"127.0.0.1:{port}", "crowd-token", "--nick", "bench"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    granted = shown = None
    history = 0
    for line in proc.stdout:
        word = line.split(" ", 2)[1] if " " in line else ""
        if word == "ACCESS_GRANTED" and granted is None:
            granted = time.monotonic()
        elif word == "HISTORY":
            history += 1
            if history >= backlog:
                shown = time.monotonic()
                break
        if time.monotonic() - launched > 30:
            break
    rss = cb.status_kib(proc.pid, "VmHWM") / 1024
    proc.stdin.write("/quit\n")
    proc.stdin.flush()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    ms = lambda t: (t - launched) * 1000 if t else None
    return {"granted_ms": ms(granted), "backlog_shown_ms": ms(shown), "history_lines": history, "peak_rss_mb": rss}


def tui_launch(ozchat, port, tmp, i, last_text):
    """One UI launch in tmux: ms until the newest backlog message is on screen, and peak RSS in MB."""
    tui = cb.Tui(ozchat, port, "crowd-token", tmp, f"backlog{i}")
    shown = cb.wait_for(lambda: last_text in tui.screen(), 30, 0.01)
    elapsed = (time.monotonic() - tui.launched) * 1000 if shown else None
    time.sleep(0.5)
    rss = cb.status_kib(tui.pid, "VmHWM") / 1024
    tui.quit()
    return {"backlog_on_screen_ms": elapsed, "peak_rss_mb": rss}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--launches", type=int, default=5)
    args = parser.parse_args()
    ozgate, ozchat, ozload = (os.path.join(args.bin, n) for n in ("ozgate", "ozchat", "ozload"))
    with tempfile.TemporaryDirectory() as tmp:
        gateway = cb.Gateway(ozgate, tmp)
        population = None
        try:
            population = cb.Population(ozload, gateway.port, 1)
            reply = population.command(f"say {args.messages}")
            time.sleep(0.5)
            plain = [plain_launch(ozchat, gateway.port, args.messages) for _ in range(args.launches)]
            last = f"population message {args.messages - 1} last"
            tui = [tui_launch(ozchat, gateway.port, tmp, i, last) for i in range(args.launches)]
        finally:
            if population:
                population.stop()
            gateway.stop()

    def summary(runs, key):
        values = sorted(r[key] for r in runs if r.get(key) is not None)
        return {"median": statistics.median(values), "min": values[0], "max": values[-1]} if values else None

    print(json.dumps({
        "messages": args.messages, "population_reply": reply,
        "plain_granted_ms": summary(plain, "granted_ms"), "plain_backlog_shown_ms": summary(plain, "backlog_shown_ms"),
        "plain_peak_rss_mb": summary(plain, "peak_rss_mb"), "tui_backlog_on_screen_ms": summary(tui, "backlog_on_screen_ms"),
        "tui_peak_rss_mb": summary(tui, "peak_rss_mb"), "runs": {"plain": plain, "tui": tui}}))


if __name__ == "__main__":
    main()
