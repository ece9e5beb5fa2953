#!/usr/bin/env python3
"""Collects bench/run's scenario outputs into bench/results.json and prints each target with PASS/MISS."""
import json, os, platform, statistics, sys, time


def load(work, name):
    try:
        with open(os.path.join(work, name + ".json")) as f:
            text = f.read().strip()
        return json.loads(text.splitlines()[-1]) if text else {}
    except (OSError, ValueError, IndexError):
        return {}


def runs(work, name, repeat):
    """The reports of a scenario run `repeat` times (NAME.1 … NAME.N), those that produced one."""
    return [r for r in (load(work, f"{name}.{i}") for i in range(1, repeat + 1)) if r]


def median_run(reports, key):
    """The run whose `key` is the median (the lower middle one for an even count), so its other figures go with it."""
    having = sorted((r for r in reports if isinstance(r.get(key), (int, float))), key=lambda r: r[key])
    return having[(len(having) - 1) // 2] if having else (reports[0] if reports else {})


def spread(reports, key):
    """[min, max] of `key` over the runs that have it, or None."""
    values = [r[key] for r in reports if isinstance(r.get(key), (int, float)) and not isinstance(r.get(key), bool)]
    return [min(values), max(values)] if values else None


def main():
    work, out, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    repeat = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    pinned = len(sys.argv) > 5 and sys.argv[5] == "1"
    # The sections bench/run ran (gateway, client, cluster): the others' keys are left out, not reported missing.
    sections = set((sys.argv[6] if len(sys.argv) > 6 else "gateway,client,cluster").split(","))
    storm, idle, churn = (load(work, n) for n in ("storm", "idle", "churn"))
    fanouts, fanouts200 = runs(work, "fanout", repeat), runs(work, "fanout_200k", repeat)
    fanouts_store = runs(work, "fanout_store", repeat)
    fanout_store = median_run(fanouts_store, "latency_p99_ms")
    store = load(work, "store")
    backlog = load(work, "backlog")
    median = lambda d: d.get("median") if isinstance(d, dict) else None
    # Each fanout figure is the median over the runs, with its range below under "ranges".
    fanout = median_run(fanouts, "steady_deliveries_per_s")
    fanout200 = median_run(fanouts200, "latency_p99_ms")
    client = load(work, "client")
    rooms = load(work, "rooms")
    scroll = load(work, "scroll")
    # The cluster (bench/cluster): 3 nodes on one PostgreSQL, whose settings go beside every cluster figure.
    postgres = load(work, "cluster_postgres")
    cluster_storm, cluster_store, cluster_churn = (load(work, n) for n in ("cluster_storm", "cluster_store", "cluster_churn"))
    cluster_fanouts, cluster_fanouts100 = runs(work, "cluster_fanout", repeat), runs(work, "cluster_fanout_100k", repeat)
    cluster_fanout = median_run(cluster_fanouts100, "latency_p99_ms")
    for report in [cluster_storm, cluster_store, cluster_churn, *cluster_fanouts, *cluster_fanouts100]:
        if report:
            report["postgres"] = postgres

    def ratio(top, bottom):
        a, b = scroll.get(top), scroll.get(bottom)
        return round(a / b, 2) if a is not None and b else None

    def store_ratio(key):
        """The store-on median over the store-off median of a fanout figure at 200,000 deliveries/s."""
        on = [x[key] for x in fanouts_store if isinstance(x.get(key), (int, float))]
        off = [x[key] for x in fanouts200 if isinstance(x.get(key), (int, float))]
        return round(statistics.median(on) / statistics.median(off), 3) if on and off and statistics.median(off) else None

    ratios = [x for x in (ratio("key_top_ms", "key_bottom_ms"), ratio("frame_top_ms", "frame_bottom_ms")) if x is not None]
    tui, plain = client.get("tui", {}), client.get("plain", {})
    r = {
        "gateway.storm_1000_converge_s": storm.get("converge_s"),
        "gateway.fanout_deliveries_per_s": fanout.get("steady_deliveries_per_s"),
        "gateway.fanout_p99_ms": fanout200.get("latency_p99_ms"),
        "gateway.idle_rss_per_conn_kib": idle.get("gateway_rss_per_conn_kib"),
        "gateway.fanout_store_deliveries_per_s": fanout_store.get("steady_deliveries_per_s"),
        "gateway.fanout_store_p99_ms": fanout_store.get("latency_p99_ms"),
        "gateway.fanout_store_rate_vs_off": store_ratio("steady_deliveries_per_s"),
        "gateway.fanout_store_p99_vs_off": store_ratio("latency_p99_ms"),
        "gateway.store_messages_per_s": store.get("messages_per_s"),
        "gateway.history_200_on_join_ms": store.get("history_cost_p50_ms"),
        "gateway.join_with_history_200_p50_ms": store.get("join_with_history_p50_ms"),
        "client.launch_to_granted_ms": plain.get("launch_to_granted_ms"),
        "client.roster_10k_cpu_s": tui.get("roster_cpu_s"),
        "client.flood_15k_cpu_s": tui.get("flood_cpu_s"),
        "client.messages_5k_cpu_s": tui.get("messages_cpu_s"),
        "client.peak_rss_mb": tui.get("peak_rss_mb"),
        "client.max_redraws_per_s": tui.get("max_redraws_per_s"),
        "client.backlog_200_granted_ms": median(backlog.get("plain_granted_ms")),
        "client.backlog_200_shown_ms": median(backlog.get("plain_backlog_shown_ms")),
        "client.backlog_200_ui_on_screen_ms": median(backlog.get("tui_backlog_on_screen_ms")),
        "client.backlog_200_peak_rss_mb": median(backlog.get("tui_peak_rss_mb")),
        "client.scrollback_key_top_ms": scroll.get("key_top_ms"),
        "client.scrollback_frame_top_ms": scroll.get("frame_top_ms"),
        "client.scrollback_top_vs_bottom": max(ratios) if ratios else None,
        "client.rooms_10x1000_all_granted_ms": rooms.get("all_granted_ms"),
        "client.rooms_10x1000_peak_rss_mb": rooms.get("ten_rooms_peak_rss_mb"),
        "client.rooms_background_5k_vs_single": rooms.get("background_over_single_cpu"),
        "client.rooms_background_5k_cpu_s": rooms.get("background_messages_cpu_s"),
        "client.rooms_single_5k_cpu_s": rooms.get("single_room_messages_cpu_s"),
        "client.rooms_background_rows_below_bar": rooms.get("flood_other_rows_redrawn"),
        "client.rooms_launch_to_tenth_on_screen_ms": rooms.get("launch_to_tenth_roster_on_screen_ms"),
        "cluster.storm_1000_converge_s": cluster_storm.get("converge_s"),
        "cluster.fanout_deliveries_per_s": statistics.median(v) if (v := [x["steady_deliveries_per_s"] for x in cluster_fanouts if "steady_deliveries_per_s" in x]) else None,
        "cluster.fanout_p99_ms": cluster_fanout.get("latency_p99_ms"),
        "cluster.fanout_p50_ms": cluster_fanout.get("latency_p50_ms"),
        "cluster.events_per_s": cluster_store.get("messages_per_s"),
        "cluster.churn_ok": cluster_churn.get("ok"),
        "cluster.postgres": postgres or None,
        # More detail.
        "gateway.storm_1000_frames_per_member": storm.get("frames_per_member_mean"),
        "gateway.storm_1000_bytes_per_member": storm.get("bytes_per_member_mean"),
        "gateway.fanout_250k_offered_p50_ms": fanout.get("latency_p50_ms"),
        "gateway.fanout_250k_offered_p99_ms": fanout.get("latency_p99_ms"),
        "gateway.fanout_250k_offered_p999_ms": fanout.get("latency_p999_ms"),
        "gateway.fanout_200k_deliveries_per_s": fanout200.get("steady_deliveries_per_s"),
        "gateway.fanout_200k_p50_ms": fanout200.get("latency_p50_ms"),
        "gateway.fanout_200k_p999_ms": fanout200.get("latency_p999_ms"),
        "gateway.fanout_200k_gateway_cpu_s": fanout200.get("gateway_cpu_s"),
        "gateway.fanout_200k_ozload_cpu_s": fanout200.get("ozload_cpu_s"),
        "gateway.fanout_200k_cpu_us_per_delivery": statistics.median(v) if (v := [r["gateway_cpu_us_per_delivery"] for r in fanouts200 if "gateway_cpu_us_per_delivery" in r]) else None,
        "gateway.fanout_200k_ozload_cpu_us_per_delivery": statistics.median(v) if (v := [r["ozload_cpu_us_per_delivery"] for r in fanouts200 if "ozload_cpu_us_per_delivery" in r]) else None,
        "gateway.fanout_200k_send_lag_p99_ms": fanout200.get("send_lag_p99_ms"),
        "gateway.idle_connections": idle.get("granted"),
        "gateway.churn_ok": churn.get("ok"),
        "gateway.churn_roster_mismatches": churn.get("roster_mismatches"),
        "gateway.churn_messages_lost": churn.get("messages_lost"),
        "gateway.churn_leaver_gaps": churn.get("leaver_gaps"),
        "client.launch_to_granted_empty_ms": plain.get("launch_to_granted_empty_ms"),
        "client.tui_launch_to_roster_on_screen_ms": tui.get("launch_to_roster_on_screen_ms"),
        "client.flood_to_final_count_s": tui.get("flood_to_shown_s"),
        "client.flood_screen_lag_after_gateway_s": tui.get("flood_shown_after_gateway_s"),
        "client.tui_launch_to_granted_ms": tui.get("launch_to_granted_ms"),
        "client.tui_launch_to_granted_empty_ms": tui.get("launch_to_granted_empty_ms"),
        "client.tui_tmux_launch_overhead_ms": tui.get("tmux_launch_overhead_ms"),
        "client.population_ready_s": tui.get("population_ready_s") or plain.get("population_ready_s"),
        "client.messages_to_shown_s": tui.get("messages_to_shown_s"),
        "client.plain.roster_10k_cpu_s": plain.get("roster_cpu_s"),
        "client.plain.flood_15k_cpu_s": plain.get("flood_cpu_s"),
        "client.plain.messages_5k_cpu_s": plain.get("messages_cpu_s"),
        "client.plain.peak_rss_mb": plain.get("peak_rss_mb"),
        "client.baseline_rss_mb": tui.get("baseline_rss_mb"),
        "client.scrollback_entries": scroll.get("entries"),
        "client.scrollback_key_bottom_ms": scroll.get("key_bottom_ms"),
        "client.scrollback_frame_bottom_ms": scroll.get("frame_bottom_ms"),
        "client.scrollback_key_hold_max_ms": scroll.get("key_hold_max_ms"),
        "client.scrollback_frame_hold_max_ms": scroll.get("frame_hold_max_ms"),
        "client.scrollback_pageups_to_top": scroll.get("pageups_to_top"),
        "cluster.storm_1000_converge_per_node_s": cluster_storm.get("converge_s_per_node"),
        "cluster.storm_1000_after_last_grant_s": cluster_storm.get("converge_after_last_grant_s"),
        "cluster.storm_1000_all_granted_s": cluster_storm.get("all_granted_s"),
        "cluster.fanout_p999_ms": cluster_fanout.get("latency_p999_ms"),
        "cluster.fanout_100k_deliveries_per_s": cluster_fanout.get("steady_deliveries_per_s"),
        "cluster.fanout_nodes_cpu_us_per_delivery": cluster_fanout.get("gateway_cpu_us_per_delivery"),
        "cluster.fanout_send_lag_p99_ms": cluster_fanout.get("send_lag_p99_ms"),
        "cluster.events_nodes_cpu_us_per_event": cluster_store.get("gateway_cpu_us_per_message"),
        # PostgreSQL's side (bench/cluster reads pg_stat_wal and its processes' CPU around each scenario).
        "cluster.events_wal_syncs": cluster_store.get("postgres_activity", {}).get("wal_syncs"),
        "cluster.events_wal_sync_ms_mean": cluster_store.get("postgres_activity", {}).get("wal_sync_ms_mean"),
        "cluster.events_postgres_cpu_s": cluster_store.get("postgres_activity", {}).get("cpu_s"),
        "cluster.fanout_wal_sync_ms_mean": cluster_fanout.get("postgres_activity", {}).get("wal_sync_ms_mean"),
        "cluster.churn_messages_lost": cluster_churn.get("messages_lost"),
        "cluster.churn_order_violations": cluster_churn.get("order_violations"),
        "cluster.churn_message_id_conflicts": cluster_churn.get("message_id_conflicts"),
        "cluster.churn_roster_mismatches": cluster_churn.get("roster_mismatches"),
        "meta.seconds": seconds,
        "meta.fanout_runs": repeat,
        "meta.pinned": pinned,
        "meta.cores": os.cpu_count(),
        "meta.date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "meta.machine": platform.machine(),
    }
    ranges = {
        "gateway.fanout_deliveries_per_s": spread(fanouts, "steady_deliveries_per_s"),
        "gateway.fanout_cpu_us_per_delivery": spread(fanouts, "gateway_cpu_us_per_delivery"),
        "gateway.fanout_p99_ms": spread(fanouts200, "latency_p99_ms"),
        "gateway.fanout_200k_deliveries_per_s": spread(fanouts200, "steady_deliveries_per_s"),
        "gateway.fanout_200k_p50_ms": spread(fanouts200, "latency_p50_ms"),
        "gateway.fanout_200k_p999_ms": spread(fanouts200, "latency_p999_ms"),
        "gateway.fanout_200k_gateway_cpu_s": spread(fanouts200, "gateway_cpu_s"),
        "gateway.fanout_200k_ozload_cpu_s": spread(fanouts200, "ozload_cpu_s"),
        "gateway.fanout_200k_cpu_us_per_delivery": spread(fanouts200, "gateway_cpu_us_per_delivery"),
        "gateway.fanout_200k_ozload_cpu_us_per_delivery": spread(fanouts200, "ozload_cpu_us_per_delivery"),
        "gateway.fanout_200k_send_lag_p99_ms": spread(fanouts200, "send_lag_p99_ms"),
        "gateway.fanout_store_deliveries_per_s": spread(fanouts_store, "steady_deliveries_per_s"),
        "gateway.fanout_store_p99_ms": spread(fanouts_store, "latency_p99_ms"),
        "cluster.fanout_deliveries_per_s": spread(cluster_fanouts, "steady_deliveries_per_s"),
        "cluster.fanout_p99_ms": spread(cluster_fanouts100, "latency_p99_ms"),
        "cluster.fanout_p50_ms": spread(cluster_fanouts100, "latency_p50_ms"),
        "cluster.fanout_nodes_cpu_us_per_delivery": spread(cluster_fanouts100, "gateway_cpu_us_per_delivery"),
        "cluster.fanout_send_lag_p99_ms": spread(cluster_fanouts100, "send_lag_p99_ms"),
    }
    r = {k: v for k, v in r.items() if k.split(".")[0] in sections | {"meta"}}
    ranges = {k: v for k, v in ranges.items() if k.split(".")[0] in sections}
    raw = {"storm": storm, "fanout": fanouts, "fanout_200k": fanouts200, "fanout_store": fanouts_store, "store": store, "backlog": backlog, "idle": idle, "churn": churn, "client": client,
           "scroll": scroll, "rooms": rooms, "cluster_storm": cluster_storm, "cluster_fanout": cluster_fanouts, "cluster_fanout_100k": cluster_fanouts100,
           "cluster_store": cluster_store, "cluster_churn": cluster_churn}
    raw = {k: v for k, v in raw.items() if ("cluster" if k.startswith("cluster") else "client" if k in ("client", "backlog", "scroll", "rooms") else "gateway") in sections}
    with open(out, "w") as f:
        json.dump({**r, "ranges": ranges, "raw": raw}, f, indent=2)
        f.write("\n")

    targets = [
        ("gateway.storm_1000_converge_s", "1,000 join at once: converge", "<", 2.0, "s"),
        ("gateway.fanout_deliveries_per_s", "room of 1,000: deliveries/s", ">=", 200000, "/s"),
        ("gateway.fanout_p99_ms", "room of 1,000 at 200k/s: p99", "<", 100, "ms"),
        ("gateway.fanout_200k_cpu_us_per_delivery", "gateway CPU per delivery (no target)", None, None, "µs"),
        ("gateway.fanout_200k_ozload_cpu_us_per_delivery", "ozload CPU per delivery (no target)", None, None, "µs"),
        ("gateway.fanout_store_deliveries_per_s", "200k/s with SQLite store: deliveries/s", None, None, "/s"),
        ("gateway.fanout_store_p99_ms", "200k/s with SQLite store: p99", None, None, "ms"),
        ("gateway.fanout_store_rate_vs_off", "store on/off: deliveries/s (within 10%)", ">=", 0.9, "x"),
        ("gateway.fanout_store_p99_vs_off", "store on/off: p99 (within 10%)", "<=", 1.1, "x"),
        ("gateway.store_messages_per_s", "room of 10 flat out: stored msg/s", ">=", 20000, "/s"),
        ("gateway.history_200_on_join_ms", "history of 200 on join: cost (p50)", "<", 5, "ms"),
        ("gateway.idle_rss_per_conn_kib", "10,000 idle: RSS per connection", "<", 20, "KiB"),
        ("gateway.churn_ok", "churn: rosters match, nothing lost", "==", True, ""),
        ("client.launch_to_granted_ms", "launch to ACCESS_GRANTED", "<", 50, "ms"),
        ("client.roster_10k_cpu_s", "10,000-peer roster CPU", "<", 0.05, "s"),
        ("client.flood_15k_cpu_s", "15,000 join/leave flood CPU", "<", 0.15, "s"),
        ("client.messages_5k_cpu_s", "5,000 messages CPU (no target)", None, None, "s"),
        ("client.peak_rss_mb", "peak RSS", "<", 20, "MB"),
        ("client.max_redraws_per_s", "max redraws per second", "<=", 60, "/s"),
        ("client.backlog_200_granted_ms", "200 backlog: launch to granted (plain)", "<", 50, "ms"),
        ("client.backlog_200_shown_ms", "200 backlog: shown (plain, no target)", None, None, "ms"),
        ("client.backlog_200_ui_on_screen_ms", "200 backlog: on screen (UI, no target)", None, None, "ms"),
        ("client.backlog_200_peak_rss_mb", "200 backlog: peak RSS (UI)", "<", 20, "MB"),
        ("client.scrollback_key_top_ms", "full scrollback, top: CPU per keypress", "<", 1.0, "ms"),
        ("client.scrollback_frame_top_ms", "full scrollback, top: CPU per frame", "<", 1.0, "ms"),
        ("client.scrollback_top_vs_bottom", "full scrollback: top over bottom cost", "<=", 2.0, "x"),
        ("client.rooms_10x1000_all_granted_ms", "10 rooms of 1,000: all granted", "<", 300, "ms"),
        ("client.rooms_10x1000_peak_rss_mb", "10 rooms of 1,000: peak RSS", "<", 40, "MB"),
        ("client.rooms_background_5k_vs_single", "5,000 msgs in 9 hidden rooms vs 1 room: CPU", "<=", 1.5, "x"),
        ("client.rooms_background_rows_below_bar", "hidden rooms' messages: rows redrawn below the bar", "==", 0, ""),
        ("cluster.storm_1000_converge_s", "3 nodes: 1,000 join at once: converge", "<", 3.0, "s"),
        ("cluster.fanout_deliveries_per_s", "3 nodes: room of 1,000: deliveries/s (120k offered)", ">=", 100000, "/s"),
        ("cluster.fanout_p99_ms", "3 nodes: room of 1,000 at 100k/s: p99", "<", 100, "ms"),
        ("cluster.fanout_p50_ms", "3 nodes: room of 1,000 at 100k/s: p50", None, None, "ms"),
        ("cluster.fanout_send_lag_p99_ms", "3 nodes: ozload's own send lag p99 (busy cores)", None, None, "ms"),
        ("cluster.fanout_nodes_cpu_us_per_delivery", "3 nodes: nodes' CPU per delivery", None, None, "µs"),
        ("cluster.events_per_s", "3 nodes: room events through PostgreSQL", ">=", 4000, "/s"),
        ("cluster.churn_ok", "3 nodes: churn: one order, nothing lost", "==", True, ""),
    ]
    targets = [t for t in targets if t[0].split(".")[0] in sections]
    def fmt(v):
        return (f"{v:,.3f}" if isinstance(v, float) and abs(v) < 1000 else f"{v:,.0f}") if not isinstance(v, bool) else str(v)

    print(f"\nBenchmarks ({os.cpu_count()} cores, loopback, release; fanout x{repeat}"
          f"{', gateway and ozload pinned apart' if pinned else ''}; {seconds} s)")
    if "cluster" in sections:
        settings = ", ".join(f"{k}={v}" for k, v in postgres.items()) if postgres else "unknown (no server)"
        print(f"cluster figures: 3 ozgate --cluster nodes, PostgreSQL with {settings}")
    print(f"{'target':40} {'figure':>14}  {'goal':>12}  verdict  range over runs")
    for key, label, op, goal, unit in targets:
        v = r.get(key)
        if v is None:
            verdict, shown = "MISSING", "—"
        else:
            shown = fmt(v)
            if op is None:
                verdict = "info"
            else:
                ok = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
                      "==": lambda a, b: a == b}[op](v, goal)
                verdict = "PASS" if ok else "MISS"
        goal_text = "" if op is None else f"{op} {goal:,}" if not isinstance(goal, bool) else "yes"
        span = ranges.get(key)
        as_shown = (lambda x: fmt(float(x))) if isinstance(v, float) else fmt  # JSON writes 9.0 as 9
        span_text = f"  {as_shown(span[0])}–{as_shown(span[1])}" if span else ""
        print(f"{label:40} {shown:>14} {unit:3} {goal_text:>10}  {verdict:7}{span_text}")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
