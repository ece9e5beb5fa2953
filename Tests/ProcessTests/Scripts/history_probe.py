#!/usr/bin/env python3
"""A client none of ozchat's code is in, for the history process tests (standard library + websockets).

  say URL TOKEN COUNT    sends COUNT room messages flat out (8 in flight); prints "echo ID SECONDS" per echo, where
                         SECONDS is time.monotonic() when the echo arrived; stops quietly when the gateway goes away
  history URL TOKEN N    joins with history N and prints "ID TEXT" per message in the grant-time history frame
  check DB               prints "integrity RESULT" then "seqs ROOM FIRST LAST COUNT" per room, from the SQLite file
"""
import asyncio, json, sqlite3, sys, time


async def say(url, token, count):
    import websockets
    try:
        async with websockets.connect(url, max_size=None) as ws:
            await ws.send(json.dumps({"type": "connect", "token": token, "properties": {"Nickname": "probe"}}))
            grant = json.loads(await ws.recv())
            assert grant.get("state") == "ACCESS_GRANTED", grant
            print("granted", flush=True)
            sent = 0
            received = 0
            window = 8
            while sent < min(window, count):
                await ws.send(json.dumps({"type": "message", "to": "*", "text": f"m{sent}"}))
                sent += 1
            while received < count:
                frame = json.loads(await ws.recv())
                if frame.get("type") != "message":
                    continue
                received += 1
                print(f"echo {frame['id']} {time.monotonic():.6f}", flush=True)
                if sent < count:
                    await ws.send(json.dumps({"type": "message", "to": "*", "text": f"m{sent}"}))
                    sent += 1
    except Exception as error:  # the gateway was killed: what was echoed is printed
        print(f"ended {type(error).__name__}", flush=True)


async def history(url, token, count):
    import websockets
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "connect", "token": token, "properties": {}, "history": count}))
        grant = json.loads(await ws.recv())
        assert grant.get("state") == "ACCESS_GRANTED", grant
        frame = json.loads(await ws.recv())
        assert frame.get("type") == "history", frame
        for message in frame["messages"]:
            print(message["id"], message["text"], flush=True)
        print("more", json.dumps(frame["more"]), flush=True)


def check(path):
    db = sqlite3.connect(path)
    print("integrity", db.execute("PRAGMA integrity_check").fetchone()[0])
    for room, first, last, count in db.execute("SELECT room, min(seq), max(seq), count(*) FROM messages GROUP BY room"):
        print("seqs", room, first, last, count)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "say":
        asyncio.run(say(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    elif mode == "history":
        asyncio.run(history(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    elif mode == "check":
        check(sys.argv[2])
