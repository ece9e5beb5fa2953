#!/usr/bin/env python3
"""Writes a link order for ozchat: the functions a short scripted session executes, found by running the real binary
under valgrind's callgrind (the UI in tmux, then --plain) against a private ozgate and an `ozload population`.

Linked first and together (lld --symbol-ordering-file, see bench/build-release), the code ozchat runs shares a few
hundred pages instead of being scattered over 24 MB of text, where each page touched also maps its neighbours (the
kernel's fault-around): about 4 MB less resident. The order is a build input made from the current binary, never
committed; a function missing from it (new code) is merely linked in the usual place.

    python3 bench/link-order.py --bin .build/release --out .build/ozchat.link-order
"""
import argparse, collections, os, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clientbench as cb  # noqa: E402


def callgrind_wrapper(tmp, binary, out):
    """A script that runs `binary` under callgrind; valgrind 3.19 cannot read DWARF 5, so it runs a copy without it."""
    plain = os.path.join(tmp, "ozchat.nodebug")
    if not os.path.exists(plain):
        subprocess.run(["strip", "--strip-debug", "-o", plain, binary], check=True)
    script = os.path.join(tmp, os.path.basename(out) + ".sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\nexec valgrind --tool=callgrind --demangle=no --compress-strings=no --compress-pos=no "
                f"--callgrind-out-file={out} {plain} \"$@\" 2>/dev/null\n")
    os.chmod(script, 0o755)
    return script


def gone(pid):
    return not os.path.exists(f"/proc/{pid}")


def ui_session(wrapper, gateway, population, tmp):
    ui = cb.Tui(wrapper, gateway.port, "crowd-token", tmp, "order")

    def keys(*k):
        subprocess.run(["tmux", "-L", ui.socket, "send-keys", *k], capture_output=True)
        time.sleep(0.7)

    if not cb.wait_for(ui.granted, 180, 0.5):
        raise SystemExit("link-order: the UI under callgrind never showed the room")
    population.command("join 100")
    population.command("leave 200")
    population.command("say 50")
    for k in (["hello there", "Enter"], ["/help", "Enter"], ["/whois p1", "Enter"], ["/msg p2 hi", "Enter"],
              ["PageUp"], ["PageDown"], ["C-p"], ["C-n"], ["F3"], ["F3"], ["Tab"], ["C-u"], ["C-l"]):
        keys(*k)
    subprocess.run(["tmux", "-L", ui.socket, "resize-window", "-x", "70", "-y", "15"], capture_output=True)
    time.sleep(1.5)
    keys("C-c")
    cb.wait_for(lambda: gone(ui.pid), 120, 0.2)
    subprocess.run(["tmux", "-L", ui.socket, "kill-server"], capture_output=True)


def plain_session(wrapper, gateway, population):
    proc = subprocess.Popen([wrapper, "--plain", f"127.0.0.1:{gateway.port}", "crowd-token", "--nick", "order"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    time.sleep(15)
    population.command("join 50")
    population.command("leave 100")
    population.command("say 20")
    proc.stdin.write("hi all\n/whois p3\n/msg p4 yo\n/help\n")
    proc.stdin.flush()
    time.sleep(5)
    proc.stdin.close()
    proc.wait(120)


def executed_functions(paths):
    """Function names (as linked) from callgrind outputs, the most instructions first."""
    cost = collections.Counter()
    for path in paths:
        current = None
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("fn="):
                    current = line[3:].strip()
                    cost[current] += 0
                elif line.startswith("cfn="):
                    cost[line[4:].strip()] += 0
                elif current and line[:1].isdigit():
                    parts = line.split()
                    if len(parts) > 1 and parts[1].isdigit():
                        cost[current] += int(parts[1])
    return [name for name, _ in cost.most_common() if name and not name.startswith("0x")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="directory with the release ozchat, ozgate and ozload")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("link-order: valgrind is not installed")
    tmp = tempfile.mkdtemp(prefix="ozorder.")
    gateway = cb.Gateway(os.path.join(args.bin, "ozgate"), tmp)
    population = cb.Population(os.path.join(args.bin, "ozload"), gateway.port, 300)
    outputs = [os.path.join(tmp, "ui.callgrind"), os.path.join(tmp, "plain.callgrind")]
    try:
        ui_session(callgrind_wrapper(tmp, os.path.join(args.bin, "ozchat"), outputs[0]), gateway, population, tmp)
        plain_session(callgrind_wrapper(tmp, os.path.join(args.bin, "ozchat"), outputs[1]), gateway, population)
    finally:
        population.stop()
        gateway.stop()
    names = executed_functions([p for p in outputs if os.path.exists(p)])
    if len(names) < 1000:
        raise SystemExit(f"link-order: only {len(names)} functions traced; not writing {args.out}")
    with open(args.out, "w") as f:
        f.write("\n".join(names) + "\n")
    print(f"link-order: {len(names)} functions -> {args.out}", file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
